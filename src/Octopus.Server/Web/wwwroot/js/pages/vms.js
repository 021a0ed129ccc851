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
const PAGE = 100;

/** Name order as the server sorts (ordinal), so a VM that appears is put where a reload would show it. */
const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

// The list scales to thousands of VMs (issue 18): it shows a page of VMs sorted by name from the server
// (GET /vms?owner=&sort=name, keyset-paged) and more on request; rows are keyed by VM id, and live changes are
// gathered and applied once per animation frame, each replacing only its own row (a change to a VM beyond the
// loaded pages touches nothing). The whole table is rebuilt only when the list is reloaded.
export default async function render(root, ctx) {
  const vms = new Map(); // id -> VmDto, the loaded VMs
  const rows = new Map(); // id -> <tr>
  const tbody = h('tbody');
  const empty = h('p', { class: 'muted', hidden: true }, t('vms.empty'), ' ', h('a', { href: '#/vms/new' }, t('vms.createOne')));
  const error = h('p', { class: 'error', role: 'alert' });
  const count = h('p', { class: 'muted', id: 'vm-count', 'aria-live': 'polite', hidden: true });
  const more = h('button', { type: 'button', class: 'secondary', id: 'vm-more', hidden: true, onclick: () => loadMore().catch(show) }, t('vms.more'));
  const bulk = vmBulk({ vms, onUpdated: (vm) => change(vm) });
  let total = 0, nextCursor = null;
  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, t('vms.title')), h('a', { href: '#/vms/new', class: 'button-link' }, t('nav.create'))),
    error, bulk.bar, bulk.results,
    h('table', { class: 'cards', id: 'vm-table' },
      h('caption', { class: 'muted caption-start' }, t('vms.caption')),
      h('thead', {}, h('tr', {}, bulk.headerCell(), ...COLUMNS.map((c) => h('th', { scope: 'col' }, t(`vm.col.${c}`))))),
      tbody),
    count, more, empty);
  const show = (e) => { error.textContent = e.message; };

  const row = (vm) => h('tr', { 'data-vm': vm.name, id: `vm-${vm.id}` },
    bulk.cell(vm),
    h('td', { 'data-label': t('vm.col.name') }, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, vm.name)),
    h('td', { 'data-label': t('vm.col.state'), class: 'vm-state' }, stateBadge(vm.state),
      vm.statusReason ? h('div', { class: 'muted small' }, vm.statusReason) : null),
    h('td', { 'data-label': t('vm.col.geometry') }, geometry(vm)),
    h('td', { 'data-label': t('vm.col.image') }, vm.image),
    h('td', { 'data-label': t('vm.col.host') }, vm.host ?? '—'),
    h('td', { 'data-label': t('vm.col.uptime'), class: 'vm-uptime' }, uptime(vm)),
    h('td', { 'data-label': t('vm.col.cpu') }, vm.state === 'Running' ? percent(vm.cpuLoad) : '—'),
    h('td', { 'data-label': t('vm.col.lease'), class: 'vm-lease' }, lease(vm)),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' }, ...actionsFor(vm).map(([a, label]) =>
      h('button', { type: 'button', class: a === 'delete' ? 'secondary danger-text' : 'secondary', 'aria-label': t('vm.actionLabel', { action: label, name: vm.name }),
        onclick: async () => { const u = await runAction(vm, a); if (u) change(u); } }, label)))));

  const status = () => {
    empty.hidden = vms.size > 0;
    count.hidden = !nextCursor;
    count.textContent = t('vms.shown', { shown: vms.size, total: Math.max(total, vms.size) });
    more.hidden = !nextCursor;
    bulk.sync();
  };

  /** The loaded VM that sorts last: a VM named after it is beyond the loaded pages (unless every page is loaded). */
  const lastLoaded = () => tbody.lastElementChild && vms.get(tbody.lastElementChild.id.slice('vm-'.length));
  const inRange = (vm) => !nextCursor || (lastLoaded() && byName(vm, lastLoaded()) < 0);

  /** Puts vm's new row in place of its old one (or, for a VM new to the list, where its name sorts); a focused
   *  control in the old row is focused again in the new one. */
  function place(vm) {
    const old = rows.get(vm.id);
    const fresh = row(vm);
    const focused = old?.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused && (focused.id || focused.getAttribute('aria-label'));
    if (old && old.dataset.vm === vm.name) old.replaceWith(fresh);
    else {
      old?.remove();
      let before = null;
      for (const tr of tbody.children) { const other = vms.get(tr.id.slice('vm-'.length)); if (other && other.id !== vm.id && byName(vm, other) < 0) { before = tr; break; } }
      tbody.insertBefore(fresh, before);
    }
    rows.set(vm.id, fresh);
    if (focusKey) [...fresh.querySelectorAll('input, button, a')].find((el) => (el.id || el.getAttribute('aria-label')) === focusKey)?.focus();
  }

  function remove(id) {
    const tr = rows.get(id);
    if (!tr) return;
    const hadFocus = tr.contains(document.activeElement);
    const next = tr.nextElementSibling ?? tr.previousElementSibling;
    tr.remove();
    rows.delete(id);
    vms.delete(id);
    total = Math.max(0, total - 1);
    if (hadFocus) (next?.querySelector('a') ?? root.querySelector('h1'))?.focus();
  }

  // Live changes, coalesced: the last word on each VM is applied at the next animation frame.
  const pending = new Map(); // id -> VmDto, or null when deleted
  let frame = 0;
  function flush() {
    frame = 0;
    for (const [id, vm] of pending) {
      if (vm === null || vm.state === 'Deleted') { remove(id); continue; }
      if (vms.has(id)) { vms.set(id, vm); place(vm); } else if (inRange(vm)) { vms.set(id, vm); total++; place(vm); }
    }
    pending.clear();
    status();
  }
  function change(vm) {
    if (ctx.me.role === 'admin' && vm.owner !== ctx.me.username) return;
    pending.set(vm.id, vm);
    if (!frame) frame = requestAnimationFrame(flush);
  }
  const gone = (d) => { pending.set(d.id, null); if (!frame) frame = requestAnimationFrame(flush); };

  const query = (limit, cursor) => `/vms?owner=${seg(ctx.me.username)}&sort=name&limit=${limit}${cursor ? `&cursor=${seg(cursor)}` : ''}`;

  /** (Re)loads as many VMs as are shown (at least a page) and rebuilds the table: on opening and after the live
   *  stream was down. */
  async function refresh() {
    const page = await api.get(query(Math.min(1000, Math.max(PAGE, vms.size))));
    pending.clear();
    vms.clear();
    rows.clear();
    for (const vm of page.items) { vms.set(vm.id, vm); rows.set(vm.id, row(vm)); }
    tbody.replaceChildren(...rows.values());
    total = page.total ?? page.items.length;
    nextCursor = page.nextCursor;
    error.textContent = '';
    status();
  }

  async function loadMore() {
    if (!nextCursor) return;
    const page = await api.get(query(PAGE, nextCursor));
    for (const vm of page.items) {
      if (vms.has(vm.id)) continue;
      vms.set(vm.id, vm);
      const tr = row(vm);
      rows.set(vm.id, tr);
      tbody.append(tr);
    }
    if (page.total != null) total = page.total;
    nextCursor = page.nextCursor;
    status();
  }

  try { await refresh(); } catch (e) { show(e); }
  // Uptime and lease count on: only those two cells change.
  const tick = setInterval(() => {
    for (const [id, tr] of rows) {
      const vm = vms.get(id);
      tr.querySelector('.vm-uptime').textContent = uptime(vm);
      tr.querySelector('.vm-lease').textContent = lease(vm);
    }
  }, 30000);
  const stop = live.watch({ vm: change, 'vm-deleted': gone }, refresh);
  return () => { stop(); clearInterval(tick); if (frame) cancelAnimationFrame(frame); };
}
