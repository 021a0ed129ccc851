// A VM table that scales to thousands of VMs (issue 18), shared by "My VMs" (vms.js) and the admin's "All VMs"
// (admin-vms.js). It shows pages of VMs from the server (GET /vms with the page's filter, q and sort; keyset-paged)
// and more on request. Rows are keyed by VM id; live changes are gathered and applied once per animation frame, and a
// change rewrites only the cells whose text changed (each column says what it shows as a string, compared with what
// the cell shows), so a CPU figure moving touches one text node, not the row. A VM that appears, or whose sort key
// changes, is put where a reload would show it; one that sorts beyond the loaded pages is not drawn. The count reads
// "N shown of M": N is the rows drawn, M the server's total, kept by the changes whose effect on it is certain (a VM
// seen before, matching or not) and asked of the server again, at most once a second, after the others.
import { api } from '../api.js';
import { h, t, tn, field } from '../ui.js';
import { vmBulk } from './vm-bulk.js';

export const PAGE = 100;

/** The sort orders the list offers (VmListCursor's keys; '-' reverses), with their label's message key. */
export const SORTS = { name: 'vmList.sort.name', '-name': 'vmList.sort.nameDesc', '-created': 'vmList.sort.newest', created: 'vmList.sort.oldest',
  state: 'vmList.sort.state', host: 'vmList.sort.host', owner: 'vmList.sort.owner' };

// The server's orders (VmListing: the key, then the id; '-' reverses both), so a VM is put where a reload shows it.
const KEYS = { name: (vm) => vm.name, created: (vm) => Date.parse(vm.createdAt), state: (vm) => vm.state, owner: (vm) => vm.owner, host: (vm) => vm.host ?? '' };
/** Sorts by a key a VM keeps for life. */
const STABLE = new Set(['name', '-name', 'created', '-created', 'owner', '-owner']);
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
export function comparer(sort) {
  const desc = sort.startsWith('-');
  const key = KEYS[desc ? sort.slice(1) : sort];
  return (a, b) => { const c = cmp(key(a), key(b)) || cmp(a.id, b.id); return desc ? -c : c; };
}

/** Whether a VM matches the API's q (a part of its name, a tag, its owner, host, an IP or a MAC; case ignored). */
export function searchMatches(vm, q) {
  if (!q) return true;
  const s = q.toLowerCase(), has = (x) => typeof x === 'string' && x.toLowerCase().includes(s);
  return has(vm.name) || vm.tags.some(has) || has(vm.owner) || has(vm.host) || (vm.nics ?? []).some((n) => has(n.ip) || has(n.mac));
}

/** The search box and sort choice of a list whose search is in the address (q, sort). `sorts`: the keys of SORTS offered. */
export function searchFields(query, sorts) {
  const sort = sorts.includes(query.get('sort')) ? query.get('sort') : 'name';
  const q = field('f-q', t('vmList.search'), h('input', { type: 'search', value: query.get('q') ?? '', placeholder: t('vmList.searchHint'), autocomplete: 'off', maxlength: '100' }));
  const by = field('f-sort', t('vmList.sortBy'), h('select', {}, ...sorts.map((s) => h('option', { value: s, selected: s === sort }, t(SORTS[s])))));
  return { q, sort: by, value: { q: query.get('q')?.trim() ?? '', sort } };
}

/**
 * `id`: the table's id; `columns`: [{ key, label, th (a row header), attrs (the cell's), text(vm) → the cell's text, or
 * show(vm) → a string naming what the cell shows and fill(td, vm) drawing it }]; `filter`: the API's query parameters
 * (URLSearchParams, without sort, cursor, limit); `sort`: a key of SORTS; `accepts(vm)`: whether a VM matches `filter`
 * (live changes are tested with it); `mutable`: whether a VM can start or stop matching (a state, host, tag or search
 * filter); `bulk`: vmBulk's describe and allLabel; `emptyText`: shown when nothing matches; `onError(e)`: shows a failed
 * "Show more".
 * Returns { table, count, more, empty, bulk, vms, get, refresh, change, gone, tick, dispose }.
 */
export function vmList({ id, caption = null, columns, filter, sort, accepts, mutable, bulk: bulkOptions = {}, emptyText, onError }) {
  const compare = comparer(sort);
  const vms = new Map(); // id -> VmDto of the rows drawn
  const rows = new Map(); // id -> { tr, cells, shows }
  const order = []; // the ids drawn, in order
  const known = new Map(); // id -> whether the VM matched when last seen (loaded or a change): its effect on the total is known
  let total = 0, nextCursor = null;

  const tbody = h('tbody');
  const count = h('p', { class: 'muted', id: 'vm-count', 'aria-live': 'polite', hidden: true });
  const more = h('button', { type: 'button', class: 'secondary', id: 'vm-more', hidden: true, onclick: () => loadMore().catch(onError) }, t('vms.more'));
  const empty = h('p', { class: 'muted', id: 'vm-empty', hidden: true }, emptyText);
  const bulk = vmBulk({ vms, onUpdated: (vm) => change(vm), ...bulkOptions });
  const cols = [
    { key: 'select', attrs: { class: 'select-cell', 'data-label': t('bulk.select') }, show: (vm) => vm.name, fill: (td, vm) => td.replaceChildren(bulk.box(vm)) },
    ...columns,
  ].map((c) => ({ ...c, show: c.show ?? c.text, fill: c.fill ?? ((td, _vm, shown) => { td.textContent = shown; }) }));
  const table = h('table', { class: 'cards vm-list', id },
    caption ? h('caption', { class: 'muted caption-start' }, caption) : null,
    h('thead', {}, h('tr', {}, bulk.headerCell(), ...columns.map((c) => h('th', { scope: 'col', class: `col-${c.key}` }, c.label)))),
    tbody);

  function build(vm) {
    const tr = h('tr', { id: `vm-${vm.id}`, 'data-vm': vm.name });
    const cells = [], shows = [];
    for (const c of cols) {
      const td = h(c.th ? 'th' : 'td', c.th ? { scope: 'row', ...c.attrs } : c.attrs);
      const shown = c.show(vm);
      c.fill(td, vm, shown);
      cells.push(td);
      shows.push(shown);
    }
    tr.append(...cells);
    return { tr, cells, shows };
  }

  /** Rewrites the cells whose text changed; a control focused in one is focused again (or the row's link). */
  function update(r, vm) {
    for (let i = 0; i < cols.length; i++) {
      const shown = cols[i].show(vm);
      if (shown === r.shows[i]) continue;
      const td = r.cells[i];
      const focused = td.contains(document.activeElement) ? document.activeElement : null;
      const focusKey = focused && (focused.id || focused.getAttribute('aria-label'));
      cols[i].fill(td, vm, shown);
      r.shows[i] = shown;
      if (focused && !td.contains(document.activeElement))
        ([...td.querySelectorAll('input, button, a')].find((el) => (el.id || el.getAttribute('aria-label')) === focusKey) ?? r.tr.querySelector('a'))?.focus();
    }
    if (r.tr.dataset.vm !== vm.name) r.tr.dataset.vm = vm.name;
  }

  /** Where vm sorts among the rows drawn (binary search). */
  function indexFor(vm) {
    let lo = 0, hi = order.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (compare(vms.get(order[mid]), vm) < 0) lo = mid + 1; else hi = mid; }
    return lo;
  }
  /** Whether vm sorts within the loaded pages (every VM does once the last page is loaded). */
  const inRange = (vm) => !nextCursor || (order.length > 0 && compare(vm, vms.get(order[order.length - 1])) < 0);

  function insert(vm, r) {
    const i = indexFor(vm);
    const focused = r.tr.contains(document.activeElement) ? document.activeElement : null;
    tbody.insertBefore(r.tr, i < order.length ? rows.get(order[i]).tr : null);
    order.splice(i, 0, vm.id);
    focused?.focus();
  }

  function drop(id) {
    const r = rows.get(id);
    if (!r) return;
    const hadFocus = r.tr.contains(document.activeElement);
    const next = r.tr.nextElementSibling ?? r.tr.previousElementSibling;
    r.tr.remove();
    rows.delete(id);
    vms.delete(id);
    order.splice(order.indexOf(id), 1);
    if (hadFocus) (next?.querySelector('a') ?? table.closest('main')?.querySelector('h1'))?.focus();
  }

  /** Applies one VM's latest state to the rows drawn; returns whether its effect on the total is unknown. */
  function apply(id, vm) {
    const was = known.get(id);
    if (vm === null || vm.state === 'Deleted') {
      drop(id);
      known.delete(id);
      if (was === true) total = Math.max(0, total - 1);
      return was === undefined;
    }
    const match = accepts(vm);
    known.set(id, match);
    let unknown = false;
    const r = rows.get(id);
    if (was === true && !match) total = Math.max(0, total - 1);
    else if (was === false && match) total++;
    else if (was === undefined) {
      // Seen for the first time. Under a sort by a key that never changes, a match that sorts within the loaded pages
      // is new (had it matched at the load, it would be drawn); otherwise it may be a VM beyond the loaded pages, or
      // one that stopped matching, already counted or not.
      if (match && STABLE.has(sort) && inRange(vm)) total++;
      else if (match || mutable) unknown = true;
    }
    if (!match) { drop(id); return unknown; }
    if (r) {
      const old = vms.get(id);
      vms.set(id, vm);
      update(r, vm);
      if (compare(old, vm) === 0 || inPlace(id, vm)) return unknown;
      order.splice(order.indexOf(id), 1);
      if (inRange(vm)) insert(vm, r);
      else { vms.delete(id); rows.delete(id); r.tr.remove(); }
      return unknown;
    }
    if (!inRange(vm)) return unknown;
    vms.set(id, vm);
    const fresh = build(vm);
    rows.set(id, fresh);
    insert(vm, fresh);
    return unknown;
  }
  /** Whether a drawn VM whose sort key changed still sorts between its neighbours. */
  function inPlace(id, vm) {
    const i = order.indexOf(id);
    return (i === 0 || compare(vms.get(order[i - 1]), vm) < 0) && (i === order.length - 1 || compare(vm, vms.get(order[i + 1])) < 0);
  }

  function status() {
    const shown = order.length;
    if (shown > total) total = shown;
    empty.hidden = shown > 0;
    count.hidden = total === 0;
    count.textContent = tn('vmList.shown', total, { shown });
    more.hidden = !nextCursor;
    bulk.sync();
  }

  // The server's total again, at most once a second, after changes whose effect on it is not known.
  let recountTimer = 0, recounting = false;
  function recount() {
    if (recountTimer || recounting) return;
    recountTimer = setTimeout(async () => {
      recountTimer = 0;
      recounting = true;
      try { total = (await api.get(url(1))).total ?? total; status(); } catch { /* the next change or reload tries again */ } finally { recounting = false; }
    }, 1000);
  }

  // Live changes, coalesced: the last word on each VM is applied at the next animation frame.
  const pending = new Map(); // id -> VmDto, or null when deleted
  let frame = 0;
  function flush() {
    frame = 0;
    let unknown = false;
    for (const [vmId, vm] of pending) unknown = apply(vmId, vm) || unknown;
    pending.clear();
    status();
    if (unknown) recount();
  }
  const schedule = () => { if (!frame) frame = requestAnimationFrame(flush); };
  const change = (vm) => { pending.set(vm.id, vm); schedule(); };
  const gone = (d) => { pending.set(d.id, null); schedule(); };

  function url(limit, cursor) {
    const q = new URLSearchParams(filter);
    q.set('sort', sort);
    q.set('limit', String(limit));
    if (cursor) q.set('cursor', cursor);
    return `/vms?${q}`;
  }

  /** (Re)loads as many VMs as are drawn (at least a page) and brings the table to it: on opening, every few seconds
   *  while the live stream is down or not yet open (live.watch), and once when it is back. Keyed like a live change:
   *  a row already drawn is kept and only its changed cells rewritten, a row is moved only when its place changed, so a
   *  poll that finds nothing new changes nothing on the page (rebuilding the rows made the browser lay out the whole
   *  document, 30-70 ms of CPU with 100 rows, on every poll). */
  async function refresh() {
    const page = await api.get(url(Math.min(1000, Math.max(PAGE, order.length))));
    pending.clear();
    const fresh = new Set(page.items.map((vm) => vm.id));
    const focused = tbody.contains(document.activeElement) ? document.activeElement : null;
    for (const vmId of [...order]) if (!fresh.has(vmId)) drop(vmId);
    known.clear();
    order.length = 0;
    let before = tbody.firstElementChild;
    for (const vm of page.items) {
      let r = rows.get(vm.id);
      if (r) update(r, vm);
      else rows.set(vm.id, (r = build(vm)));
      vms.set(vm.id, vm);
      order.push(vm.id);
      known.set(vm.id, true);
      if (r.tr === before) before = before.nextElementSibling;
      else tbody.insertBefore(r.tr, before);
    }
    if (focused?.isConnected && document.activeElement !== focused) focused.focus();
    total = page.total ?? page.items.length;
    nextCursor = page.nextCursor;
    status();
  }

  async function loadMore() {
    if (!nextCursor) return;
    const page = await api.get(url(PAGE, nextCursor));
    const added = [];
    for (const vm of page.items) {
      known.set(vm.id, true);
      if (rows.has(vm.id)) continue;
      vms.set(vm.id, vm);
      const r = build(vm);
      rows.set(vm.id, r);
      order.push(vm.id);
      added.push(r.tr);
    }
    tbody.append(...added);
    if (page.total != null) total = page.total;
    nextCursor = page.nextCursor;
    status();
  }

  /** Redraws the cells whose text changed with time alone (uptime, lease). */
  const tick = () => { for (const [vmId, r] of rows) update(r, vms.get(vmId)); };
  const dispose = () => { if (frame) cancelAnimationFrame(frame); clearTimeout(recountTimer); };

  return { table, count, more, empty, bulk, vms, get: (vmId) => vms.get(vmId), refresh, loadMore, change, gone, tick, dispose };
}
