// #/admin/vms?owner=&host=&state=&tag= — every VM of every user, filtered by the API's own query parameters (so the
// filter is in the address and can be linked from the hosts and users pages); start, stop, delete; bulk select of the
// VMs shown (vm-bulk.js); live.
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, t, tn, field, percent, stateBadge, stateLabel, toast, tasksLink, confirmDialog } from '../ui.js';
import { geometry } from './vms.js';
import { vmBulk } from './vm-bulk.js';

const STATES = ['Pending', 'Creating', 'Starting', 'Running', 'Stopping', 'Stopped', 'Rebooting', 'Migrating', 'Deleting', 'Failed'];
const FILTERS = ['owner', 'host', 'state', 'tag'];
const COLUMNS = ['name', 'owner', 'state', 'geometry', 'host', 'tags', 'cpu', 'actions'];

export default async function render(root, ctx) {
  const current = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) ?? '']));
  const option = (value, label, selected) => h('option', { value, selected: value === selected }, label);
  const owner = field('f-owner', t('allVms.owner'), h('select', {}, option('', t('allVms.anyOwner'), current.owner)));
  const host = field('f-host', t('allVms.host'), h('select', {}, option('', t('allVms.anyHost'), current.host)));
  const state = field('f-state', t('allVms.state'), h('select', {}, option('', t('allVms.anyState'), current.state), ...STATES.map((s) => option(s, stateLabel(s), current.state))));
  const tag = field('f-tag', t('allVms.tag'), h('input', { value: current.tag, placeholder: t('allVms.tagPlaceholder'), autocomplete: 'off' }));
  const slots = { owner, host, state, tag };
  const error = h('p', { class: 'error', role: 'alert' });
  const count = h('p', { class: 'muted', id: 'vm-count', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => load(nextCursor).catch(show) }, t('allVms.more'));

  const filterForm = h('form', { class: 'panel', id: 'vm-filter', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of FILTERS) { const v = slots[k].input.value.trim(); if (v) q.set(k, v); }
    const qs = q.toString();
    ctx.navigate('/admin/vms' + (qs ? `?${qs}` : ''));
  } },
  h('div', { class: 'grid' }, owner.wrap, host.wrap, state.wrap, tag.wrap),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.filter')), h('a', { href: '#/admin/vms' }, t('common.clearFilters'))));

  const vms = new Map();
  const bulk = vmBulk({ vms, onUpdated: (vm) => upsert(vm), describe: (vm) => t('allVms.describe', { name: vm.name, owner: vm.owner }), allLabel: t('allVms.selectAllShown') });
  root.append(h('h1', {}, t('nav.allVms')), filterForm, error, count, bulk.bar, bulk.results,
    h('table', { class: 'cards', id: 'all-vm-table' },
      h('thead', {}, h('tr', {}, bulk.headerCell(), ...COLUMNS.map((c) => h('th', { scope: 'col' }, t(`allVms.col.${c}`))))),
      tbody),
    more);

  const show = (e) => {
    error.textContent = e.message;
    if (e.field && slots[e.field]) slots[e.field].setError(e.message);
  };

  // Fill the owner and host choices (a filter value not in the list is kept, so a typed link still shows).
  Promise.all([api.get('/users'), api.get('/hosts')]).then(([users, hosts]) => {
    for (const u of users.items) if (u.username !== current.owner) owner.input.append(option(u.username, u.username, current.owner));
    for (const x of hosts) if (x.name !== current.host) host.input.append(option(x.name, x.name, current.host));
    if (current.owner && ![...owner.input.options].some((o) => o.value === current.owner)) owner.input.append(option(current.owner, current.owner, current.owner));
    if (current.host && ![...host.input.options].some((o) => o.value === current.host)) host.input.append(option(current.host, current.host, current.host));
    owner.input.value = current.owner;
    host.input.value = current.host;
  }).catch(show);

  let nextCursor = null;

  const matches = (vm) => (!current.owner || vm.owner === current.owner) && (!current.host || vm.host === current.host)
    && (!current.state || vm.state === current.state) && (!current.tag || vm.tags.includes(current.tag));

  async function act(vm, action) {
    if (action === 'delete' && !(await confirmDialog(t('allVms.confirm.delete', { name: vm.name, owner: vm.owner }), { confirmLabel: t('vm.action.delete'), danger: true })))
      return;
    if (action === 'stop' && !(await confirmDialog(t('allVms.confirm.stop', { name: vm.name, owner: vm.owner }), { confirmLabel: t('vm.action.stop'), danger: true })))
      return;
    try {
      const u = action === 'delete' ? await api.del(`/vms/${seg(vm.id)}`) : await api.post(`/vms/${seg(vm.id)}/${action}`);
      toast(t(`vm.requested.${action}`, { name: vm.name }), { link: tasksLink(vm) });
      upsert(u);
    } catch (e) { toast(`${vm.name}: ${e.message}`, { bad: true }); }
  }

  const actions = (vm) => [
    vm.spec !== 'Running' && vm.state !== 'Deleting' && ['start', t('vm.action.start')],
    vm.spec === 'Running' && ['stop', t('vm.action.stop')],
    vm.state !== 'Deleting' && ['delete', t('vm.action.delete')],
  ].filter(Boolean);

  const row = (vm) => h('tr', { 'data-vm': vm.name },
    bulk.cell(vm),
    h('th', { scope: 'row', 'data-label': t('allVms.col.name') }, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, vm.name)),
    h('td', { 'data-label': t('allVms.col.owner') }, vm.owner),
    h('td', { 'data-label': t('allVms.col.state') }, stateBadge(vm.state), vm.statusReason ? h('div', { class: 'muted small' }, vm.statusReason) : null),
    h('td', { 'data-label': t('allVms.col.geometry') }, geometry(vm)),
    h('td', { 'data-label': t('allVms.col.host') }, vm.host ?? '—'),
    h('td', { 'data-label': t('allVms.col.tags') }, vm.tags.length ? vm.tags.join(', ') : '—'),
    h('td', { 'data-label': t('allVms.col.cpu') }, vm.state === 'Running' ? percent(vm.cpuLoad) : '—'),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' }, ...actions(vm).map(([a, label]) =>
      h('button', { type: 'button', class: a === 'delete' ? 'secondary danger-text' : 'secondary', 'aria-label': t('vm.actionLabel', { action: label, name: vm.name }), onclick: () => act(vm, a) }, label)))));

  const draw = () => {
    const sorted = [...vms.values()].sort((a, b) => a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name));
    const focused = tbody.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused && (focused.id || focused.getAttribute('aria-label'));
    tbody.replaceChildren(...sorted.map(row));
    bulk.sync();
    if (focusKey) [...tbody.querySelectorAll('input, button, a')].find((el) => (el.id || el.getAttribute('aria-label')) === focusKey)?.focus();
    count.textContent = tn(nextCursor ? 'allVms.countMore' : 'allVms.count', sorted.length);
    more.hidden = !nextCursor;
  };
  function upsert(vm) {
    if (matches(vm)) vms.set(vm.id, vm); else vms.delete(vm.id);
    draw();
  }

  async function load(cursor) {
    const q = new URLSearchParams({ limit: '200' });
    for (const k of FILTERS) if (current[k]) q.set(k, current[k]);
    if (cursor) q.set('cursor', cursor);
    const page = await api.get(`/vms?${q}`);
    if (!cursor) vms.clear();
    for (const vm of page.items) vms.set(vm.id, vm);
    nextCursor = page.nextCursor;
    error.textContent = '';
    draw();
  }

  try { await load(null); } catch (e) { show(e); }
  return live.watch({ vm: upsert, 'vm-deleted': (d) => { vms.delete(d.id); draw(); } }, () => load(null));
}
