// #/admin/hosts — every host: power state, CPU load, what is allocated against capacity, its VMs, maintenance and
// power buttons. Refreshed every few seconds and on live VM events (the server decides; admins only).
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, t, tn, bytes, percent, toast, confirmDialog } from '../ui.js';

const REFRESH_MS = 5000;
const COLUMNS = ['host', 'power', 'load', 'cores', 'memory', 'disk', 'watts', 'vms', 'actions'];

/** "3 / 8" with a bar; ratio colours the bar (warn above 85 %). */
function usage(used, total, fmt = (x) => x) {
  const ratio = total > 0 ? used / total : 0;
  return h('div', { class: 'usage' },
    h('span', {}, `${fmt(used)} / ${fmt(total)}`),
    h('meter', { min: 0, max: 1, high: 0.85, value: Math.min(1, ratio), 'aria-label': t('hosts.allocated', { percent: percent(ratio) }) }));
}

/** A host in maintenance: the badge, how it is going and, for each running VM that cannot move off yet, the scheduler's
 *  reason (the server works it out with the evacuation pass's own placement plan). */
const maintenanceNote = (host) => {
  const m = host.maintenanceStatus;
  return h('div', { class: 'maint-note', 'data-maintenance': host.name },
    h('div', { class: 'state state-Pending small' }, t('hosts.maintenanceBadge')),
    m ? h('p', { class: 'small maint-summary' }, m.summary) : null,
    m?.waiting?.length ? h('ul', { class: 'plain small maint-waiting' }, ...m.waiting.map((w) => h('li', {},
      h('a', { href: `#/vms/${encodeURIComponent(w.id)}` }, w.name), `: ${w.reason}`))) : null);
};

/** A power state's name in the UI's language (the API's word for one the catalogue does not know). */
export const powerLabel = (p) => (['On', 'Off', 'Failed'].includes(p) ? t(`power.state.${p}`) : p);

const powerClass = (p) => ({ On: 'state-Running', Off: 'state-Stopped', Failed: 'state-Failed' }[p] ?? 'state-Pending');

export default async function render(root) {
  const tbody = h('tbody');
  const error = h('p', { class: 'error', role: 'alert' });
  const summary = h('p', { class: 'muted', id: 'hosts-summary' });
  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, t('hosts.title')),
      h('div', { class: 'actions' }, h('a', { href: '#/admin/power' }, t('hosts.powerLink')), h('button', { type: 'button', class: 'secondary', onclick: () => refresh().catch(show) }, t('common.refresh')))),
    summary, error,
    h('table', { class: 'cards', id: 'host-table' },
      h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, t(`hosts.col.${c}`))))),
      tbody));

  const show = (e) => { error.textContent = e.message; };

  async function act(host, what) {
    const questions = {
      'power-off': [t('hosts.ask.powerOff', { name: host.name }), t('hosts.action.power-off'), true],
      'power-on': [t('hosts.ask.powerOn', { name: host.name }), t('hosts.action.power-on'), false],
    };
    if (questions[what]) {
      const [q, label, danger] = questions[what];
      if (!(await confirmDialog(q, { confirmLabel: label, danger }))) return;
    }
    try {
      if (what === 'maintenance-on' || what === 'maintenance-off')
        await api.post(`/hosts/${seg(host.id)}/maintenance`, { enabled: what === 'maintenance-on' });
      else await api.post(`/hosts/${seg(host.id)}/${what}`);
      toast(t(`hosts.requested.${what}`, { name: host.name }));
    } catch (e) {
      toast(`${host.name}: ${e.message}`, { bad: true });
    }
    await refresh().catch(show);
  }

  const button = (host, what, label, cls = 'secondary') =>
    h('button', { type: 'button', class: cls, 'aria-label': t('vm.actionLabel', { action: label, name: host.name }), onclick: () => act(host, what) }, label);

  const row = (host) => h('tr', { 'data-host': host.name },
    h('th', { scope: 'row', 'data-label': t('hosts.col.host') }, h('a', { href: `#/admin/hosts/${encodeURIComponent(host.id)}`, title: t('hosts.graphsTitle', { name: host.name }) }, host.name),
      host.maintenance ? maintenanceNote(host) : null),
    h('td', { 'data-label': t('hosts.col.power') }, h('span', { class: `state ${powerClass(host.powerState)}` }, powerLabel(host.powerState))),
    h('td', { 'data-label': t('hosts.col.load') }, host.powerState === 'On' ? percent(host.cpuLoad) : '—'),
    h('td', { 'data-label': t('hosts.col.cores') }, usage(host.allocatedCores, host.cores)),
    h('td', { 'data-label': t('hosts.col.memory') }, usage(host.allocatedMemoryBytes, host.memoryBytes, bytes)),
    h('td', { 'data-label': t('hosts.col.disk') }, usage(host.allocatedDiskBytes, host.diskBytes, bytes)),
    h('td', { 'data-label': t('hosts.col.watts') }, `${Math.round(host.powerWatts)} W`),
    h('td', { 'data-label': t('hosts.col.vms') }, host.vms.length === 0 ? h('span', { class: 'muted' }, t('hosts.noVms'))
      : h('ul', { class: 'plain' }, ...host.vms.map((n) => h('li', {}, h('a', { href: `#/admin/vms?host=${encodeURIComponent(host.name)}` }, n))))),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' },
      host.maintenance ? button(host, 'maintenance-off', t('hosts.action.maintenance-off')) : button(host, 'maintenance-on', t('hosts.action.maintenance-on')),
      host.powerState === 'Off' || host.powerState === 'Failed' ? button(host, 'power-on', t('hosts.action.power-on')) : null,
      host.powerState === 'On' ? button(host, 'power-off', t('hosts.action.power-off'), 'secondary danger-text') : null)));

  async function refresh() {
    const hosts = await api.get('/hosts');
    // Keep keyboard focus on the same button across redraws.
    const focused = document.activeElement?.getAttribute?.('aria-label');
    tbody.replaceChildren(...hosts.map(row));
    if (focused) tbody.querySelector(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
    const on = hosts.filter((x) => x.powerState === 'On').length;
    const watts = hosts.reduce((s, x) => s + x.powerWatts, 0);
    summary.textContent = tn('hosts.summary', hosts.length, { on, vms: hosts.reduce((s, x) => s + x.vmCount, 0), watts: Math.round(watts) });
    error.textContent = '';
  }

  try { await refresh(); } catch (e) { show(e); }
  let pending = null;
  const soon = () => { if (!pending) pending = setTimeout(() => { pending = null; refresh().catch(show); }, 300); };
  const offs = ['vm', 'vm-deleted', 'host'].map((t) => live.on(t, soon));
  const timer = setInterval(() => refresh().catch(show), REFRESH_MS);
  return () => { clearInterval(timer); clearTimeout(pending); offs.forEach((off) => off()); };
}
