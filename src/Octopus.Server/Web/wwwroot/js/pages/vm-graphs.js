// The VM page's graphs: CPU, memory, disk I/O and network I/O over the last hour, day or week, from the history the
// server keeps downsampled in its store (GET /vms/{id}/history?range=1h|24h|7d: a point a minute, per five minutes or
// per hour). Inline SVG drawn by charts.js (rangeGraphs: range picker, refresh every minute, redraw on resize).
import { seg } from '../api.js';
import { rangeGraphs, binary, niceBinaryCeil } from '../charts.js';
import { t, number } from '../i18n.js';

/** The graphs section of `vm`'s page: `{ section, dispose }`. */
export function graphSection(vm) {
  return rangeGraphs(`/vms/${seg(vm.id)}/history`, (history, chart, figure) => {
    const rates = (p, a, b) => Math.max(p[a] ?? 0, p[b] ?? 0);
    const ioMax = (a, b) => niceBinaryCeil(Math.max(1, ...history.points.map((p) => rates(p, a, b))));
    return [
      figure(t('graphs.cpu'), [['key-a', t('graphs.cpuKey')]], chart({ id: 'graph-cpu', title: t('graphs.chartTitle', { name: vm.name, what: t('graphs.cpu') }), max: 1,
        format: (v) => `${number(Math.round(v * 100))} %`, series: [{ label: t('graphs.cpu'), cls: 'series-a', value: (p) => p.cpu }] })),
      figure(t('graphs.memory'), [['key-a', t('graphs.memoryKey', { size: binary(history.memoryBytes) })]], chart({ id: 'graph-memory',
        title: t('graphs.chartTitle', { name: vm.name, what: t('graphs.memory') }),
        max: history.memoryBytes, format: (v) => binary(v), series: [{ label: t('graphs.inUse'), cls: 'series-a', value: (p) => p.memoryBytes }] })),
      figure(t('graphs.disk'), [['key-a', t('graphs.read')], ['key-b', t('graphs.write')]], chart({ id: 'graph-disk',
        title: t('graphs.chartTitle', { name: vm.name, what: t('graphs.disk') }),
        max: ioMax('diskReadBytesPerSecond', 'diskWriteBytesPerSecond'), format: (v) => binary(v, true),
        series: [{ label: t('graphs.read'), cls: 'series-a', value: (p) => p.diskReadBytesPerSecond },
          { label: t('graphs.write'), cls: 'series-b', value: (p) => p.diskWriteBytesPerSecond }] })),
      figure(t('graphs.network'), [['key-a', t('graphs.received')], ['key-b', t('graphs.sent')]], chart({ id: 'graph-network',
        title: t('graphs.chartTitle', { name: vm.name, what: t('graphs.network') }),
        max: ioMax('netReceiveBytesPerSecond', 'netTransmitBytesPerSecond'), format: (v) => binary(v, true),
        series: [{ label: t('graphs.received'), cls: 'series-a', value: (p) => p.netReceiveBytesPerSecond },
          { label: t('graphs.sent'), cls: 'series-b', value: (p) => p.netTransmitBytesPerSecond }] })),
    ];
  });
}
