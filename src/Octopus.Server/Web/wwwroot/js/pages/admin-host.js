// #/admin/hosts/:id — one host for admins: its state now and graphs of its CPU load and power draw over the last hour,
// day or week (GET /hosts/{id}/history?range=1h|24h|7d, downsampled in the store), drawn by charts.js.
import { api, seg } from '../api.js';
import { h, percent } from '../ui.js';
import { rangeGraphs, niceCeil } from '../charts.js';

export default async function render(root, ctx) {
  let host;
  try {
    host = await api.get(`/hosts/${seg(ctx.params.id)}`);
  } catch (e) {
    root.append(h('h1', {}, 'Host not found'), h('p', { class: 'error', role: 'alert' }, e.message),
      h('p', {}, h('a', { href: '#/admin/hosts' }, 'Back to hosts')));
    return undefined;
  }
  const graphs = rangeGraphs(`/hosts/${seg(host.id)}/history`, (history, chart, figure) => [
    figure('CPU load', [['key-a', '% of its processors']], chart({ id: 'graph-load', title: `${host.name}: CPU load`, max: 1,
      format: (v) => `${Math.round(v * 100)} %`, series: [{ label: 'load', cls: 'series-a', value: (p) => p.load }] })),
    figure('Power', [['key-a', 'draw (W)']], chart({ id: 'graph-power', title: `${host.name}: power`,
      max: niceCeil(Math.max(1, ...history.points.map((p) => p.watts))), format: (v) => `${Math.round(v)} W`,
      series: [{ label: 'draw', cls: 'series-a', value: (p) => p.watts }] })),
  ]);
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
  root.append(
    h('p', {}, h('a', { href: '#/admin/hosts' }, '← Hosts')),
    h('h1', {}, host.name),
    h('dl', { class: 'props', id: 'host-props' },
      ...row('Power', host.powerState),
      ...row('CPU load', host.powerState === 'On' ? percent(host.cpuLoad) : '—'),
      ...row('Draw now', `${Math.round(host.powerWatts)} W`),
      ...row('VMs', String(host.vmCount))),
    graphs.section);
  return () => graphs.dispose();
}
