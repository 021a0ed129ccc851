// #/networks/:id — one network (GET /api/v1/networks/{id}): subnet, gateway, range, domain, bridge, VLAN, who may use it,
// free/used addresses, and its used addresses with the VM holding each, linked to the VM's page
// (GET /api/v1/networks/{id}/addresses: admins see every VM, a user their own). Admins can delete it here too; the
// server refuses while VMs use it, and the page shows its reason.
import { api, seg } from '../api.js';
import { h, t, dateTime } from '../ui.js';
import { number } from '../i18n.js';
import { deleteNetwork } from './networks.js';

export default async function render(root, ctx) {
  const id = ctx.params.id;
  let n, addresses;
  try {
    [n, addresses] = await Promise.all([api.get(`/networks/${seg(id)}`), api.get(`/networks/${seg(id)}/addresses`)]);
  } catch (e) {
    root.append(h('h1', {}, t('network.notFound')),
      h('p', { class: 'error', role: 'alert', id: 'network-error' }, e.status === 404 ? t('network.notFoundText', { name: id }) : e.message),
      h('p', {}, h('a', { href: '#/networks' }, t('network.back'))));
    return undefined;
  }
  const isAdmin = ctx.me.role === 'admin';
  const rows = [
    ['subnet', h('span', { class: 'mono' }, n.subnet)],
    ['gateway', h('span', { class: 'mono' }, n.gateway)],
    ['range', h('span', { class: 'mono' }, n.range)],
    ['domain', n.domain],
    ['bridge', h('span', { class: 'mono' }, n.bridge)],
    ['vlan', n.vlan ?? t('network.untagged')],
    ['users', n.users.length ? n.users.join(', ') : t('network.everyone')],
    ['addresses', t('network.addressCount', { used: number(n.used), free: number(n.free), size: number(n.size) })],
    ['created', dateTime(n.createdAt)],
  ];
  const del = isAdmin ? h('button', { type: 'button', class: 'danger', id: 'network-delete',
    onclick: async () => { if (await deleteNetwork(n)) ctx.navigate('/networks'); } }, t('common.delete')) : null;
  // root.append (unlike h) would show a null as the text "null": the parts not shown are filtered out.
  root.append(...[
    h('p', {}, h('a', { href: '#/networks', id: 'network-back' }, t('network.back'))),
    h('h1', {}, n.name),
    h('dl', { class: 'props', id: 'network-props' }, ...rows.flatMap(([k, v]) => [h('dt', {}, t(`network.prop.${k}`)), h('dd', { 'data-prop': k }, v)])),
    del ? h('div', { class: 'actions' }, del) : null,
    h('h2', { id: 'addresses-h' }, t('network.usedAddresses')),
    isAdmin ? null : h('p', { class: 'hint' }, t('network.onlyYours')),
    addresses.length === 0 ? h('p', { class: 'muted', id: 'address-none' }, t('network.noAddresses'))
      : h('table', { class: 'cards', id: 'address-table', 'aria-labelledby': 'addresses-h' },
        h('thead', {}, h('tr', {}, ...['address', 'vm', 'owner', 'dns', 'mac'].map((c) => h('th', { scope: 'col' }, t(`network.col.${c}`))))),
        h('tbody', {}, ...addresses.map((a) => h('tr', { 'data-ip': a.ip },
          h('td', { 'data-label': t('network.col.address') }, h('span', { class: 'mono' }, a.ip)),
          h('td', { 'data-label': t('network.col.vm') }, h('a', { href: `#/vms/${encodeURIComponent(a.vmId)}` }, a.vmName)),
          h('td', { 'data-label': t('network.col.owner') }, a.owner),
          h('td', { 'data-label': t('network.col.dns'), class: 'wrap' }, a.dnsName),
          h('td', { 'data-label': t('network.col.mac') }, h('span', { class: 'mono' }, a.mac))))))].filter(Boolean));
  return undefined;
}
