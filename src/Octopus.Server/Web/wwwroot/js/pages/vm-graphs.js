// The VM page's graphs: CPU, memory, disk I/O and network I/O over the last hour, day or week, from the history the
// server keeps downsampled in its store (GET /vms/{id}/history?range=1h|24h|7d: a point a minute, per five minutes or
// per hour). Inline SVG drawn by charts.js (rangeGraphs: range picker, refresh every minute, redraw on resize).
import { seg } from '../api.js';
import { rangeGraphs, binary, niceBinaryCeil } from '../charts.js';

/** The graphs section of `vm`'s page: `{ section, dispose }`. */
export function graphSection(vm) {
  return rangeGraphs(`/vms/${seg(vm.id)}/history`, (history, chart, figure) => {
    const rates = (p, a, b) => Math.max(p[a] ?? 0, p[b] ?? 0);
    const ioMax = (a, b) => niceBinaryCeil(Math.max(1, ...history.points.map((p) => rates(p, a, b))));
    return [
      figure('CPU', [['key-a', 'busy, % of its vCPUs']], chart({ id: 'graph-cpu', title: `${vm.name}: CPU`, max: 1,
        format: (v) => `${Math.round(v * 100)} %`, series: [{ label: 'CPU', cls: 'series-a', value: (p) => p.cpu }] })),
      figure('Memory', [['key-a', `in use, of ${binary(history.memoryBytes)}`]], chart({ id: 'graph-memory', title: `${vm.name}: memory`,
        max: history.memoryBytes, format: (v) => binary(v), series: [{ label: 'in use', cls: 'series-a', value: (p) => p.memoryBytes }] })),
      figure('Disk I/O', [['key-a', 'read'], ['key-b', 'write']], chart({ id: 'graph-disk', title: `${vm.name}: disk I/O`,
        max: ioMax('diskReadBytesPerSecond', 'diskWriteBytesPerSecond'), format: (v) => binary(v, true),
        series: [{ label: 'read', cls: 'series-a', value: (p) => p.diskReadBytesPerSecond },
          { label: 'write', cls: 'series-b', value: (p) => p.diskWriteBytesPerSecond }] })),
      figure('Network I/O', [['key-a', 'received'], ['key-b', 'sent']], chart({ id: 'graph-network', title: `${vm.name}: network I/O`,
        max: ioMax('netReceiveBytesPerSecond', 'netTransmitBytesPerSecond'), format: (v) => binary(v, true),
        series: [{ label: 'received', cls: 'series-a', value: (p) => p.netReceiveBytesPerSecond },
          { label: 'sent', cls: 'series-b', value: (p) => p.netTransmitBytesPerSecond }] })),
    ];
  });
}
