// #/admin/vms?owner=&host=&state=&tag=&q=&sort= — every VM of every user, filtered, searched and sorted by the API's own
// query parameters (so the view is in the address and can be linked from the hosts and users pages); start, stop,
// delete; bulk select of the VMs shown (vm-bulk.js); live. The list is vm-list.js's, as on My VMs: pages of 100 from the
// server, keyed rows, changes applied per animation frame to the cells they change, "N shown of M".
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, t, field, stateLabel, toast, tasksLink, confirmDialog } from '../ui.js';
import { cells } from './vms.js';
import { vmList, searchFields, searchMatches } from './vm-list.js';

const STATES = ['Pending', 'Creating', 'Starting', 'Running', 'Stopping', 'Stopped', 'Rebooting', 'Migrating', 'Deleting', 'Failed'];
const FILTERS = ['owner', 'host', 'state', 'tag'];
const SORT_CHOICES = ['name', '-name', 'owner', 'host', 'state', '-created', 'created'];

export default async function render(root, ctx) {
  const current = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) ?? '']));
  const search = searchFields(ctx.query, SORT_CHOICES);
  const { q, sort } = search.value;
  const option = (value, label, selected) => h('option', { value, selected: value === selected }, label);
  const owner = field('f-owner', t('allVms.owner'), h('select', {}, option('', t('allVms.anyOwner'), current.owner)));
  const host = field('f-host', t('allVms.host'), h('select', {}, option('', t('allVms.anyHost'), current.host)));
  const state = field('f-state', t('allVms.state'), h('select', {}, option('', t('allVms.anyState'), current.state), ...STATES.map((s) => option(s, stateLabel(s), current.state))));
  const tag = field('f-tag', t('allVms.tag'), h('input', { value: current.tag, placeholder: t('allVms.tagPlaceholder'), autocomplete: 'off' }));
  const slots = { owner, host, state, tag, q: search.q, sort: search.sort };
  const error = h('p', { class: 'error', role: 'alert' });

  const filterForm = h('form', { class: 'panel', id: 'vm-filter', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const k of [...FILTERS, 'q']) { const v = slots[k].input.value.trim(); if (v) p.set(k, v); }
    if (search.sort.input.value !== 'name') p.set('sort', search.sort.input.value);
    ctx.navigate('/admin/vms' + (p.size ? `?${p}` : ''));
  } },
  h('div', { class: 'grid' }, search.q.wrap, owner.wrap, host.wrap, state.wrap, tag.wrap, search.sort.wrap),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.filter')), h('a', { href: '#/admin/vms' }, t('common.clearFilters'))));

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

  const matches = (vm) => (!current.owner || vm.owner === current.owner) && (!current.host || vm.host === current.host)
    && (!current.state || vm.state === current.state) && (!current.tag || vm.tags.includes(current.tag)) && searchMatches(vm, q);

  async function act(id, action) {
    const vm = list.get(id);
    if (!vm) return;
    if (action === 'delete' && !(await confirmDialog(t('allVms.confirm.delete', { name: vm.name, owner: vm.owner }), { confirmLabel: t('vm.action.delete'), danger: true })))
      return;
    if (action === 'stop' && !(await confirmDialog(t('allVms.confirm.stop', { name: vm.name, owner: vm.owner }), { confirmLabel: t('vm.action.stop'), danger: true })))
      return;
    try {
      const u = action === 'delete' ? await api.del(`/vms/${seg(vm.id)}`) : await api.post(`/vms/${seg(vm.id)}/${action}`);
      toast(t(`vm.requested.${action}`, { name: vm.name }), { link: tasksLink(vm) });
      list.change(u);
    } catch (e) { toast(`${vm.name}: ${e.message}`, { bad: true }); }
  }

  const actions = (vm) => [
    vm.spec !== 'Running' && vm.state !== 'Deleting' && ['start', t('vm.action.start')],
    vm.spec === 'Running' && ['stop', t('vm.action.stop')],
    vm.state !== 'Deleting' && ['delete', t('vm.action.delete')],
  ].filter(Boolean);

  const col = (c) => t(`allVms.col.${c}`);
  const filter = new URLSearchParams();
  for (const k of FILTERS) if (current[k]) filter.set(k, current[k]);
  if (q) filter.set('q', q);
  const list = vmList({
    id: 'all-vm-table', filter, sort, accepts: matches, mutable: !!(current.host || current.state || current.tag || q),
    emptyText: t('vmList.noMatch'), onError: show,
    bulk: { describe: (vm) => t('allVms.describe', { name: vm.name, owner: vm.owner }), allLabel: t('allVms.selectAllShown') },
    columns: [
      cells.name(col('name'), true),
      { key: 'owner', label: col('owner'), attrs: { 'data-label': col('owner') }, text: (vm) => vm.owner },
      cells.state(col('state')), cells.geometry(col('geometry')), cells.host(col('host')),
      { key: 'tags', label: col('tags'), attrs: { 'data-label': col('tags') }, text: (vm) => (vm.tags.length ? vm.tags.join(', ') : '—') },
      cells.cpu(col('cpu')),
      cells.actions(col('actions'), actions, act),
    ],
  });
  root.append(h('h1', {}, t('nav.allVms')), filterForm, error, list.count, list.bulk.bar, list.bulk.results, list.table, list.more, list.empty);

  try { await list.refresh(); } catch (e) { show(e); }
  const stop = live.watch({ vm: list.change, 'vm-deleted': list.gone }, () => list.refresh().then(() => { error.textContent = ''; }));
  return () => { stop(); list.dispose(); };
}
