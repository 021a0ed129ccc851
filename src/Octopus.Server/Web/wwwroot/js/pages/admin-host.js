// #/admin/hosts/:id — one host for admins: its state now and graphs of its CPU load and power draw over the last hour,
// day or week (GET /hosts/{id}/history?range=1h|24h|7d, downsampled in the store), drawn by charts.js.
import { api, seg } from '../api.js';
import { h, t, percent } from '../ui.js';
import { powerLabel } from './admin-hosts.js';
import { rangeGraphs, niceCeil } from '../charts.js';

export default async function render(root, ctx) {
  let host;
  try {
    host = await api.get(`/hosts/${seg(ctx.params.id)}`);
  } catch (e) {
    root.append(h('h1', {}, t('host.notFound')), h('p', { class: 'error', role: 'alert' }, e.message),
      h('p', {}, h('a', { href: '#/admin/hosts' }, t('host.backToHosts'))));
    return undefined;
  }
  const graphs = rangeGraphs(`/hosts/${seg(host.id)}/history`, (history, chart, figure) => [
    figure(t('host.load'), [['key-a', t('host.loadKey')]], chart({ id: 'graph-load', title: t('graphs.chartTitle', { name: host.name, what: t('host.load') }), max: 1,
      format: (v) => `${Math.round(v * 100)} %`, series: [{ label: t('host.loadSeries'), cls: 'series-a', value: (p) => p.load }] })),
    figure(t('host.power'), [['key-a', t('host.powerKey')]], chart({ id: 'graph-power', title: t('graphs.chartTitle', { name: host.name, what: t('host.power') }),
      max: niceCeil(Math.max(1, ...history.points.map((p) => p.watts))), format: (v) => `${Math.round(v)} W`,
      series: [{ label: t('host.powerSeries'), cls: 'series-a', value: (p) => p.watts }] })),
  ]);
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
  root.append(
    h('p', {}, h('a', { href: '#/admin/hosts' }, t('host.back'))),
    h('h1', {}, host.name),
    h('dl', { class: 'props', id: 'host-props' },
      ...row(t('host.power'), powerLabel(host.powerState)),
      ...row(t('host.load'), host.powerState === 'On' ? percent(host.cpuLoad) : '—'),
      ...row(t('host.drawNow'), `${Math.round(host.powerWatts)} W`),
      ...row(t('host.vms'), String(host.vmCount))),
    graphs.section);
  return () => graphs.dispose();
}
