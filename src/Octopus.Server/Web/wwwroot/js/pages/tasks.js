// #/tasks?status=&vm=&op= — the task centre: the caller's operations from the journal (GET /api/v1/operations; admins
// see everyone's), newest first, with status, progress (the operation's steps), outcome and links to the VM or host.
// Everything it shows comes from the store, so it survives a reload and is bookmarkable (the filters are in the hash).
// Open operations refresh live: a VM event or a 2 s poll while any row is pending or running. Rows are keyed by
// operation id and only redrawn when they change, so focus and open step lists survive the refresh.
import { api } from '../api.js';
import * as live from '../live.js';
import { h, t, dateTime, duration } from '../ui.js';
import { has, tn, currentLocale } from '../i18n.js';

const PAGE = 50;
const POLL_MS = 2000;

/** 'create-vm' → 'Create VM' (catalogue key op.kind.create-vm); an unknown kind reads as its words. */
export const kindLabel = (kind) => (has(`op.kind.${kind}`) ? t(`op.kind.${kind}`) : kind.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase()));
/** An operation's status (Pending, Running, Succeeded, Failed) in the UI's language. */
const statusLabel = (st) => (has(`op.status.${st}`) ? t(`op.status.${st}`) : st);
export const isOpen = (op) => op.status === 'Pending' || op.status === 'Running';

const STATUS_FILTERS = [['', 'tasks.filter.all'], ['open', 'tasks.filter.open'], ['finished', 'tasks.filter.finished'], ['failed', 'tasks.filter.failed']];
const COLUMNS = ['operation', 'target', 'status', 'progress', 'outcome', 'started', 'by'];
const col = (c) => t(`tasks.col.${c}`);

export default async function render(root, ctx) {
  const status = ctx.query.get('status') ?? '';
  const vmFilter = ctx.query.get('vm') ?? '';
  const highlight = ctx.query.get('op');
  const isAdmin = ctx.me.role === 'admin';

  const statusSelect = h('select', { id: 'task-status', onchange: () => go({ status: statusSelect.value, op: null }) },
    ...STATUS_FILTERS.map(([v, key]) => h('option', { value: v, selected: v === status }, t(key))));
  const error = h('p', { class: 'error', role: 'alert', id: 'task-error' });
  const summary = h('p', { class: 'muted', id: 'task-summary', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', id: 'task-more', hidden: true, onclick: () => loadMore() }, t('tasks.more'));

  root.append(
    h('h1', {}, t('nav.tasks')),
    h('p', { class: 'muted' }, t(isAdmin ? 'tasks.introAdmin' : 'tasks.intro')),
    h('div', { class: 'toolbar', id: 'task-filter' },
      h('div', { class: 'field inline' }, h('label', { for: 'task-status' }, t('tasks.show')), statusSelect),
      vmFilter ? h('p', { class: 'small' }, t('tasks.oneVm'), ' ', h('a', { href: '#' + hrefWith({ vm: null, op: null }) }, t('tasks.showAll'))) : null),
    error, summary,
    h('table', { class: 'cards', id: 'task-table' },
      h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, col(c))))),
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
    if (op.vmId) parts.push(op.vm ? h('a', { href: `#/vms/${encodeURIComponent(op.vmId)}` }, op.vm) : h('span', { class: 'muted' }, t('tasks.deletedVm', { id: op.vmId.slice(0, 8) })));
    for (const host of [op.host, op.targetHost].filter(Boolean)) {
      if (parts.length) parts.push(op.targetHost === host && op.host ? ' → ' : ` ${t('tasks.on')} `);
      parts.push(isAdmin ? h('a', { href: '#/admin/hosts' }, host) : host);
    }
    return parts.length ? h('span', {}, ...parts) : '—'; // one flex item in the phone's card layout
  };
  const progress = (op) => {
    const last = op.steps[op.steps.length - 1];
    const head = isOpen(op)
      ? h('span', { class: 'progress' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        last ? last.text : op.status === 'Pending' ? t('tasks.waitingRunner') : t('tasks.filter.open'))
      : h('span', {}, last ? last.text : '—');
    if (op.steps.length <= 1) return head;
    return h('div', {}, head, h('details', { class: 'steps' },
      h('summary', {}, tn('tasks.steps', op.steps.length)),
      h('ol', { class: 'small' }, ...op.steps.map((s) => h('li', {}, h('time', { datetime: s.at }, new Date(s.at).toLocaleTimeString(currentLocale())), ' ', s.text)))));
  };
  const outcome = (op) => {
    if (op.status === 'Failed') return h('span', { class: 'error' }, op.error ?? statusLabel('Failed'), op.errorCode ? h('span', { class: 'muted small' }, ` (${op.errorCode})`) : null);
    if (op.status === 'Succeeded') {
      const ms = op.completedAt ? Date.parse(op.completedAt) - Date.parse(op.createdAt) : -1;
      return h('span', { class: 'ok' }, t('common.done'), h('span', { class: 'muted small' }, ms < 0 ? '' : ms < 1000 ? ` ${t('tasks.underSecond')}` : ` ${t('tasks.inTime', { time: duration(ms) })}`));
    }
    return op.attempts > 1 ? h('span', { class: 'muted' }, t('tasks.attempt', { n: op.attempts })) : '—';
  };
  const row = (op) => h('tr', { id: `op-${op.id}`, 'data-op': op.id, 'data-status': op.status, class: op.id === highlight ? 'highlight' : null },
    h('td', { 'data-label': col('operation') }, h('strong', {}, kindLabel(op.kind)), op.reason ? h('div', { class: 'muted small' }, op.reason) : null),
    h('td', { 'data-label': col('target') }, target(op)),
    h('td', { 'data-label': col('status') }, h('span', { class: `op-status op-${op.status}` }, statusLabel(op.status))),
    h('td', { 'data-label': col('progress'), class: 'op-progress' }, progress(op)),
    h('td', { 'data-label': col('outcome'), class: 'op-outcome' }, outcome(op)),
    h('td', { 'data-label': col('started') }, h('time', { datetime: op.createdAt }, dateTime(op.createdAt, { seconds: true }))),
    h('td', { 'data-label': col('by') }, op.actor));

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
    summary.textContent = shown.length === 0 ? t('tasks.none')
      : open ? tn('tasks.shownOpen', shown.length, { open }) : tn('tasks.shown', shown.length);
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
