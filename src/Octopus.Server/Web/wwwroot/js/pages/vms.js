// #/vms?q=&sort= — the caller's VMs (admins: their own too; all VMs are on the admin page), live; search and sort;
// bulk select (vm-bulk.js).
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, t, bytes, duration, percent, stateBadge, toast, tasksLink, confirmDialog } from '../ui.js';
import { vmList, searchFields, searchMatches } from './vm-list.js';

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

/** The cells My VMs and All VMs share (vm-list.js columns): name, state and reason, geometry, host, CPU. */
export const cells = {
  name: (label, th = false) => ({ key: 'name', label, th, attrs: { 'data-label': label }, show: (vm) => `${vm.id} ${vm.name}`,
    fill: (td, vm) => td.replaceChildren(h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, vm.name)) }),
  state: (label) => ({ key: 'state', label, attrs: { 'data-label': label, class: 'vm-state' }, show: (vm) => `${vm.state}\n${vm.statusReason ?? ''}`,
    fill: (td, vm) => td.replaceChildren(stateBadge(vm.state), vm.statusReason ? h('div', { class: 'muted small' }, vm.statusReason) : '') }),
  geometry: (label) => ({ key: 'geometry', label, attrs: { 'data-label': label }, text: geometry }),
  host: (label) => ({ key: 'host', label, attrs: { 'data-label': label }, text: (vm) => vm.host ?? '—' }),
  cpu: (label) => ({ key: 'cpu', label, attrs: { 'data-label': label }, text: (vm) => (vm.state === 'Running' ? percent(vm.cpuLoad) : '—') }),
  /** `actions(vm)`: [action, label] pairs; `run(id, action)` runs one on the VM as the list has it when clicked. */
  actions: (label, actions, run) => ({ key: 'actions', label, attrs: { class: 'actions-cell' }, show: (vm) => `${vm.name}\n${actions(vm).map(([a]) => a).join(' ')}`,
    fill: (td, vm) => td.replaceChildren(h('div', { class: 'actions' }, ...actions(vm).map(([a, text]) =>
      h('button', { type: 'button', class: a === 'delete' ? 'secondary danger-text' : 'secondary', 'aria-label': t('vm.actionLabel', { action: text, name: vm.name }),
        onclick: () => run(vm.id, a) }, text)))) }),
};

const SORT_CHOICES = ['name', '-name', '-created', 'created', 'state', 'host'];

// The list scales to thousands of VMs (issue 18; vm-list.js): a page of the caller's VMs from the server, searched
// and sorted there (q and sort in the address, #/vms?q=&sort=), more on request; keyed rows, live changes applied per
// animation frame to the cells they change.
export default async function render(root, ctx) {
  const search = searchFields(ctx.query, SORT_CHOICES);
  const { q, sort } = search.value;
  const error = h('p', { class: 'error', role: 'alert' });
  const show = (e) => { error.textContent = e.message; if (e.field === 'q') search.q.setError(e.message); };
  const col = (c) => t(`vm.col.${c}`);
  const list = vmList({
    id: 'vm-table', caption: t('vms.caption'),
    filter: new URLSearchParams({ owner: ctx.me.username, ...(q ? { q } : {}) }), sort,
    accepts: (vm) => vm.owner === ctx.me.username && searchMatches(vm, q), mutable: !!q,
    emptyText: q ? t('vmList.noMatch') : [t('vms.empty'), ' ', h('a', { href: '#/vms/new' }, t('vms.createOne'))],
    onError: show,
    columns: [
      cells.name(col('name')), cells.state(col('state')), cells.geometry(col('geometry')),
      { key: 'image', label: col('image'), attrs: { 'data-label': col('image') }, text: (vm) => vm.image },
      cells.host(col('host')),
      { key: 'uptime', label: col('uptime'), attrs: { 'data-label': col('uptime'), class: 'vm-uptime' }, text: uptime },
      cells.cpu(col('cpu')),
      { key: 'lease', label: col('lease'), attrs: { 'data-label': col('lease'), class: 'vm-lease' }, text: lease },
      cells.actions(col('actions'), actionsFor, async (id, action) => { const vm = list.get(id); const u = vm && (await runAction(vm, action)); if (u) list.change(u); }),
    ],
  });
  const form = h('form', { class: 'panel list-search', role: 'search', 'aria-label': t('vmList.searchGroup'), onsubmit: (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    const text = search.q.input.value.trim();
    if (text) p.set('q', text);
    if (search.sort.input.value !== 'name') p.set('sort', search.sort.input.value);
    ctx.navigate('/vms' + (p.size ? `?${p}` : ''));
  } },
  h('div', { class: 'grid' }, search.q.wrap, search.sort.wrap),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('vmList.apply')), q || sort !== 'name' ? h('a', { href: '#/vms' }, t('common.clearFilters')) : null));
  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, t('vms.title')), h('a', { href: '#/vms/new', class: 'button-link' }, t('nav.create'))),
    form, error, list.bulk.bar, list.bulk.results, list.table, list.count, list.more, list.empty);

  try { await list.refresh(); error.textContent = ''; } catch (e) { show(e); }
  // Uptime and lease count on: only those cells change.
  const tick = setInterval(list.tick, 30000);
  const stop = live.watch({ vm: list.change, 'vm-deleted': list.gone }, () => list.refresh().then(() => { error.textContent = ''; }));
  return () => { stop(); clearInterval(tick); list.dispose(); };
}
