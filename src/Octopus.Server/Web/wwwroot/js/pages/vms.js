// #/vms — the caller's VMs (admins: their own too; all VMs are on the admin page), live; bulk select (vm-bulk.js).
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, t, bytes, duration, percent, stateBadge, toast, tasksLink, confirmDialog } from '../ui.js';
import { vmBulk } from './vm-bulk.js';

export const actionsFor = (vm) => [
  vm.spec !== 'Running' && vm.state !== 'Deleting' && ['start', t('vm.action.start')],
  vm.spec === 'Running' && ['stop', t('vm.action.stop')],
  vm.state === 'Running' && ['reboot', t('vm.action.reboot')],
  vm.state !== 'Deleting' && ['delete', t('vm.action.delete')],
].filter(Boolean);

// What an action asks before it runs: [question, confirm label]. Stop asks too: it ends the guest's programs.
const CONFIRM = {
  delete: (vm) => [t('vm.confirm.delete', { name: vm.name }), t('vm.action.delete')],
  stop: (vm) => [t('vm.confirm.stop', { name: vm.name }), t('vm.action.stop')],
};

/** Runs one lifecycle action (stop and delete ask first); returns the updated VM or null. */
export async function runAction(vm, action) {
  const ask = CONFIRM[action]?.(vm);
  if (ask && !(await confirmDialog(ask[0], { confirmLabel: ask[1], danger: true }))) return null;
  try {
    const updated = action === 'delete' ? await api.del(`/vms/${seg(vm.id)}`) : await api.post(`/vms/${seg(vm.id)}/${action}`);
    toast(t(`vm.requested.${action}`, { name: vm.name }), { link: tasksLink(vm) });
    return updated;
  } catch (e) {
    toast(`${vm.name}: ${e.message}`, { bad: true });
    return null;
  }
}

export const uptime = (vm) => (vm.state === 'Running' && vm.startedAt ? duration(Date.now() - Date.parse(vm.startedAt)) : '—');
export const lease = (vm) => {
  if (!vm.leaseExpiresAt) return t('vm.lease.none');
  const left = Date.parse(vm.leaseExpiresAt) - Date.now();
  return left <= 0 ? t('vm.lease.expired') : t('vm.lease.left', { time: duration(left) });
};
export const geometry = (vm) => t('vm.geometryShort', { cores: vm.cores, memory: bytes(vm.memoryBytes), disk: bytes(vm.diskBytes) });

const COLUMNS = ['name', 'state', 'geometry', 'image', 'host', 'uptime', 'cpu', 'lease', 'actions'];

export default async function render(root, ctx) {
  const vms = new Map();
  const tbody = h('tbody');
  const empty = h('p', { class: 'muted', hidden: true }, t('vms.empty'), ' ', h('a', { href: '#/vms/new' }, t('vms.createOne')));
  const error = h('p', { class: 'error', role: 'alert' });
  const bulk = vmBulk({ vms, onUpdated: (vm) => upsert(vm) });
  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, t('vms.title')), h('a', { href: '#/vms/new', class: 'button-link' }, t('nav.create'))),
    error, bulk.bar, bulk.results,
    h('table', { class: 'cards', id: 'vm-table' },
      h('caption', { class: 'muted caption-start' }, t('vms.caption')),
      h('thead', {}, h('tr', {}, bulk.headerCell(), ...COLUMNS.map((c) => h('th', { scope: 'col' }, t(`vm.col.${c}`))))),
      tbody),
    empty);

  const row = (vm) => h('tr', { 'data-vm': vm.name, id: `vm-${vm.id}` },
    bulk.cell(vm),
    h('td', { 'data-label': t('vm.col.name') }, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, vm.name)),
    h('td', { 'data-label': t('vm.col.state'), class: 'vm-state' }, stateBadge(vm.state),
      vm.statusReason ? h('div', { class: 'muted small' }, vm.statusReason) : null),
    h('td', { 'data-label': t('vm.col.geometry') }, geometry(vm)),
    h('td', { 'data-label': t('vm.col.image') }, vm.image),
    h('td', { 'data-label': t('vm.col.host') }, vm.host ?? '—'),
    h('td', { 'data-label': t('vm.col.uptime') }, uptime(vm)),
    h('td', { 'data-label': t('vm.col.cpu') }, vm.state === 'Running' ? percent(vm.cpuLoad) : '—'),
    h('td', { 'data-label': t('vm.col.lease') }, lease(vm)),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' }, ...actionsFor(vm).map(([a, label]) =>
      h('button', { type: 'button', class: a === 'delete' ? 'secondary danger-text' : 'secondary', 'aria-label': t('vm.actionLabel', { action: label, name: vm.name }),
        onclick: async () => { const u = await runAction(vm, a); if (u) upsert(u); } }, label)))));

  const draw = () => {
    // Rows are rebuilt; a keyboard user's focus (a row's checkbox or button) comes back to the same control.
    const focused = tbody.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused && (focused.id || focused.getAttribute('aria-label'));
    const sorted = [...vms.values()].sort((a, b) => a.name.localeCompare(b.name));
    tbody.replaceChildren(...sorted.map(row));
    empty.hidden = sorted.length > 0;
    bulk.sync();
    if (focusKey) [...tbody.querySelectorAll('input, button, a')].find((el) => (el.id || el.getAttribute('aria-label')) === focusKey)?.focus();
  };
  const upsert = (vm) => {
    if (ctx.me.role === 'admin' && vm.owner !== ctx.me.username) return;
    if (vm.state === 'Deleted') vms.delete(vm.id); else vms.set(vm.id, vm);
    draw();
  };
  const refresh = async () => {
    const all = [];
    let cursor = null;
    do {
      const page = await api.get(`/vms?owner=${seg(ctx.me.username)}&limit=200${cursor ? `&cursor=${seg(cursor)}` : ''}`);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    vms.clear();
    for (const vm of all) vms.set(vm.id, vm);
    error.textContent = '';
    draw();
  };
  try { await refresh(); } catch (e) { error.textContent = e.message; }
  const tick = setInterval(draw, 30000); // uptime and lease count on
  const stop = live.watch({
    vm: upsert,
    'vm-deleted': (d) => { vms.delete(d.id); draw(); },
  }, refresh);
  return () => { stop(); clearInterval(tick); };
}
