// #/tasks?status=&vm=&op= — the task centre: the caller's operations from the journal (GET /api/v1/operations; admins
// see everyone's), newest first, with status, progress (the operation's steps), outcome and links to the VM or host.
// Everything it shows comes from the store, so it survives a reload and is bookmarkable (the filters are in the hash).
// Open operations refresh live: a VM event or a 2 s poll while any row is pending or running. Rows are keyed by
// operation id and only redrawn when they change, so focus and open step lists survive the refresh.
import { api } from '../api.js';
import * as live from '../live.js';
import { h, dateTime, duration } from '../ui.js';

const PAGE = 50;
const POLL_MS = 2000;

const KIND_LABELS = {
  'create-vm': 'Create VM', 'start-vm': 'Start VM', 'stop-vm': 'Stop VM', 'reboot-vm': 'Reboot VM', 'delete-vm': 'Delete VM',
  'migrate-vm': 'Migrate VM', 'suspend-vm': 'Suspend VM', 'resume-vm': 'Resume VM', 'snapshot-vm': 'Snapshot VM',
  'fork-disk': 'Fork disk', 'revert-vm': 'Stop, revert and start VM', 'power-on-host': 'Power on host', 'power-off-host': 'Power off host',
};
/** 'create-vm' → 'Create VM'; an unknown kind reads as its words. */
export const kindLabel = (kind) => KIND_LABELS[kind] ?? kind.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
export const isOpen = (op) => op.status === 'Pending' || op.status === 'Running';

const STATUS_FILTERS = [['', 'All'], ['open', 'In progress'], ['finished', 'Finished'], ['failed', 'Failed']];

export default async function render(root, ctx) {
  const status = ctx.query.get('status') ?? '';
  const vmFilter = ctx.query.get('vm') ?? '';
  const highlight = ctx.query.get('op');
  const isAdmin = ctx.me.role === 'admin';

  const statusSelect = h('select', { id: 'task-status', onchange: () => go({ status: statusSelect.value, op: null }) },
    ...STATUS_FILTERS.map(([v, label]) => h('option', { value: v, selected: v === status }, label)));
  const error = h('p', { class: 'error', role: 'alert', id: 'task-error' });
  const summary = h('p', { class: 'muted', id: 'task-summary', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', id: 'task-more', hidden: true, onclick: () => loadMore() }, 'Show older');

  root.append(
    h('h1', {}, 'Tasks'),
    h('p', { class: 'muted' }, isAdmin
      ? 'Every operation in the journal, newest first. Open ones update as they progress.'
      : 'Operations on your VMs and the ones you started, newest first. Open ones update as they progress.'),
    h('div', { class: 'toolbar', id: 'task-filter' },
      h('div', { class: 'field inline' }, h('label', { for: 'task-status' }, 'Show'), statusSelect),
      vmFilter ? h('p', { class: 'small' }, 'Only one VM\'s operations. ', h('a', { href: '#' + hrefWith({ vm: null, op: null }) }, 'Show all')) : null),
    error, summary,
    h('table', { class: 'cards', id: 'task-table' },
      h('thead', {}, h('tr', {}, ...['Operation', 'Target', 'Status', 'Progress', 'Outcome', 'Started', 'By'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody),
    h('div', { class: 'actions' }, more));

  function hrefWith(changes) {
    const q = new URLSearchParams(ctx.query);
    for (const [k, v] of Object.entries(changes)) if (v) q.set(k, v); else q.delete(k);
    const qs = q.toString();
    return '/tasks' + (qs ? `?${qs}` : '');
  }
  function go(changes) { ctx.navigate(hrefWith(changes)); }

  const rows = new Map(); // operation id → { key, tr }
  let ops = [];           // every operation loaded so far, newest first
  let shownLimit = PAGE;  // how many of the newest ones the user asked to see
  let hasMore = false;

  const target = (op) => {
    const parts = [];
    if (op.vmId) parts.push(op.vm ? h('a', { href: `#/vms/${encodeURIComponent(op.vmId)}` }, op.vm) : h('span', { class: 'muted' }, `VM ${op.vmId.slice(0, 8)}… (deleted)`));
    for (const host of [op.host, op.targetHost].filter(Boolean)) {
      if (parts.length) parts.push(op.targetHost === host && op.host ? ' → ' : ' on ');
      parts.push(isAdmin ? h('a', { href: '#/admin/hosts' }, host) : host);
    }
    return parts.length ? h('span', {}, ...parts) : '—'; // one flex item in the phone's card layout
  };
  const progress = (op) => {
    const last = op.steps[op.steps.length - 1];
    const head = isOpen(op)
      ? h('span', { class: 'progress' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        last ? last.text : op.status === 'Pending' ? 'Waiting for the runner' : 'In progress')
      : h('span', {}, last ? last.text : '—');
    if (op.steps.length <= 1) return head;
    return h('div', {}, head, h('details', { class: 'steps' },
      h('summary', {}, `${op.steps.length} steps`),
      h('ol', { class: 'small' }, ...op.steps.map((s) => h('li', {}, h('time', { datetime: s.at }, new Date(s.at).toLocaleTimeString()), ' ', s.text)))));
  };
  const outcome = (op) => {
    if (op.status === 'Failed') return h('span', { class: 'error' }, op.error ?? 'Failed', op.errorCode ? h('span', { class: 'muted small' }, ` (${op.errorCode})`) : null);
    if (op.status === 'Succeeded') {
      const ms = op.completedAt ? Date.parse(op.completedAt) - Date.parse(op.createdAt) : -1;
      return h('span', { class: 'ok' }, 'Done', h('span', { class: 'muted small' }, ms < 0 ? '' : ms < 1000 ? ' in under a second' : ` in ${duration(ms)}`));
    }
    return op.attempts > 1 ? h('span', { class: 'muted' }, `attempt ${op.attempts}`) : '—';
  };
  const row = (op) => h('tr', { id: `op-${op.id}`, 'data-op': op.id, 'data-status': op.status, class: op.id === highlight ? 'highlight' : null },
    h('td', { 'data-label': 'Operation' }, h('strong', {}, kindLabel(op.kind)), op.reason ? h('div', { class: 'muted small' }, op.reason) : null),
    h('td', { 'data-label': 'Target' }, target(op)),
    h('td', { 'data-label': 'Status' }, h('span', { class: `op-status op-${op.status}` }, op.status)),
    h('td', { 'data-label': 'Progress', class: 'op-progress' }, progress(op)),
    h('td', { 'data-label': 'Outcome', class: 'op-outcome' }, outcome(op)),
    h('td', { 'data-label': 'Started' }, h('time', { datetime: op.createdAt }, dateTime(op.createdAt))),
    h('td', { 'data-label': 'By' }, op.actor));

  const draw = () => {
    const shown = ops.slice(0, shownLimit);
    const keep = new Set();
    let before = null;
    // Walk newest → oldest and place each row after the previous one; unchanged rows stay the same DOM node.
    for (const op of shown) {
      keep.add(op.id);
      const key = JSON.stringify(op);
      let entry = rows.get(op.id);
      if (!entry || entry.key !== key) {
        const tr = row(op);
        const open = entry?.tr.querySelector('details')?.open;
        if (open) tr.querySelector('details')?.setAttribute('open', '');
        if (entry) entry.tr.replaceWith(tr);
        entry = { key, tr };
        rows.set(op.id, entry);
      }
      const want = before ? before.nextSibling : tbody.firstChild;
      if (want !== entry.tr) tbody.insertBefore(entry.tr, want);
      before = entry.tr;
    }
    for (const [id, entry] of rows) if (!keep.has(id)) { entry.tr.remove(); rows.delete(id); }
    const open = shown.filter(isOpen).length;
    summary.textContent = shown.length === 0 ? 'No operations match.'
      : `${shown.length} operation${shown.length === 1 ? '' : 's'} shown${open ? `, ${open} in progress` : ''}.`;
    more.hidden = !(hasMore || ops.length > shownLimit);
  };

  const query = (limit) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (status) q.set('status', status);
    if (vmFilter) q.set('vm', vmFilter);
    return `/operations?${q}`;
  };
  // One request for everything on screen (at most a few pages), so a refresh never reorders or drops rows.
  const refresh = async () => {
    const page = await api.get(query(Math.min(shownLimit, 200)));
    ops = page.items;
    hasMore = !!page.nextCursor;
    error.textContent = '';
    draw();
  };
  async function loadMore() {
    shownLimit += PAGE;
    try { await refresh(); } catch (e) { error.textContent = e.message; }
  }

  try { await refresh(); } catch (e) { error.textContent = e.message; }
  if (highlight) document.getElementById(`op-${highlight}`)?.scrollIntoView({ block: 'center' });

  // Open operations are polled; VM events (a state change usually ends one) refresh at once, coalesced.
  let pending = null;
  const soon = () => { if (!pending) pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 250); };
  const timer = setInterval(() => { if (ops.some(isOpen)) refresh().catch(() => {}); }, POLL_MS);
  const stop = live.watch({ vm: soon, 'vm-deleted': soon }, refresh);
  return () => { stop(); clearInterval(timer); clearTimeout(pending); };
}
