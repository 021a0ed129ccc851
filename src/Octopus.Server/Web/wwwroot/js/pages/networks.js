// #/networks — the networks the caller may attach VMs to (admins: all), with subnet, domain and free/used addresses
// (GET /api/v1/networks, Contracts/Networks.cs). Admins also create one (POST: the dialog checks the server's formats
// before it closes; the server's refusal, e.g. an overlapping subnet, lands on the field it names with the input kept)
// and delete one (DELETE: refused while VMs use it, the server's reason shown). One network's page: network.js.
import { api, seg } from '../api.js';
import { h, t, toast, confirmDialog, formDialog } from '../ui.js';
import { number } from '../i18n.js';

// The server's formats (Octopus.Domain.Networks: NetworkName, BridgeName, Ipv4Subnet, Ipv4Address, Ipv4Range, DnsDomain,
// Network.MinVlan/MaxVlan). Whether the gateway and range fit the subnet, and overlaps, the server decides.
const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const BRIDGE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IP = `${OCTET}(\\.${OCTET}){3}`;
const IPV4 = new RegExp(`^${IP}$`);
const CIDR = new RegExp(`^${IP}/(\\d|[12]\\d|3[0-2])$`);
const RANGE = new RegExp(`^${IP}-${IP}$`);
const DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;
const USER = /^[a-z][a-z0-9._-]{0,31}$/i;

const checks = {
  name: (v) => (!v ? t('networks.check.nameEmpty') : NAME.test(v) && !v.endsWith('-') ? '' : t('networks.check.name')),
  bridge: (v) => (BRIDGE.test(v) ? '' : t('networks.check.bridge')),
  subnet: (v) => (CIDR.test(v) ? '' : t('networks.check.subnet')),
  gateway: (v) => (IPV4.test(v) ? '' : t('networks.check.gateway')),
  range: (v) => (RANGE.test(v) ? '' : t('networks.check.range')),
  domain: (v) => (v.length <= 200 && DOMAIN.test(v) ? '' : t('networks.check.domain')),
  vlan: (v) => (!v || (/^\d+$/.test(v) && +v >= 1 && +v <= 4094) ? '' : t('networks.check.vlan')),
  users: (v) => (v.split(/[\s,]+/).filter(Boolean).every((u) => USER.test(u)) ? '' : t('networks.check.users')),
};

/** The create dialog (admins); resolves the new network or null. */
export function createNetworkDialog() {
  const text = (attrs = {}) => h('input', { autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', ...attrs });
  const fields = [
    ['name', text({ maxlength: 32 }), t('networks.hint.name')],
    ['bridge', text({ maxlength: 15 }), t('networks.hint.bridge')],
    ['subnet', text({ inputmode: 'decimal' }), t('networks.hint.subnet')],
    ['gateway', text({ inputmode: 'decimal' }), t('networks.hint.gateway')],
    ['range', text(), t('networks.hint.range')],
    ['domain', text(), t('networks.hint.domain')],
    ['vlan', text({ inputmode: 'numeric' }), t('networks.hint.vlan')],
    ['users', text(), t('networks.hint.users')],
  ].map(([name, input, hint]) => ({ id: `network-${name}`, name, label: t(`networks.field.${name}`), input, hint, check: checks[name] }));
  return formDialog(t('networks.create.question'), {
    confirmLabel: t('networks.create.confirm'),
    fields,
    submit: (v) => api.post('/networks', {
      name: v.name, bridge: v.bridge, subnet: v.subnet, gateway: v.gateway, range: v.range, domain: v.domain,
      vlan: v.vlan ? Number(v.vlan) : null, users: v.users ? v.users.split(/[\s,]+/).filter(Boolean) : null,
    }),
  });
}

/** Asks, then deletes; the server refuses while VMs use the network and says which. Returns true when deleted. */
export async function deleteNetwork(n) {
  if (!(await confirmDialog(t('networks.delete.question', { name: n.name }), { confirmLabel: t('common.delete'), danger: true }))) return false;
  try {
    await api.del(`/networks/${seg(n.name)}`);
    toast(t('networks.deleted', { name: n.name }));
    return true;
  } catch (e) {
    toast(t('networks.deleteRefused', { name: n.name, reason: e.message }), { bad: true });
    return false;
  }
}

export default async function render(root, ctx) {
  const isAdmin = ctx.me.role === 'admin';
  const list = h('div', { id: 'network-list' });
  const error = h('p', { class: 'error', role: 'alert', id: 'networks-error' });
  const create = isAdmin ? h('button', { type: 'button', id: 'network-create', onclick: async () => {
    const n = await createNetworkDialog();
    if (!n) return;
    toast(t('networks.created', { name: n.name, subnet: n.subnet, size: number(n.size) }));
    await refresh();
    document.querySelector(`#network-table tr[data-network="${CSS.escape(n.name)}"] a`)?.focus();
  } }, t('networks.create.button')) : null;
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, t('networks.title')), create),
    h('p', { class: 'muted' }, t(isAdmin ? 'networks.introAdmin' : 'networks.intro')), error, list);

  async function refresh() {
    let networks;
    try { networks = await api.get('/networks'); error.textContent = ''; } catch (e) { error.textContent = e.message; return; }
    if (networks.length === 0) {
      list.replaceChildren(h('p', { class: 'muted', id: 'network-none' }, t(isAdmin ? 'networks.noneAdmin' : 'networks.none')));
      return;
    }
    const cols = ['name', 'subnet', 'domain', 'used', 'free'];
    list.replaceChildren(h('table', { class: 'cards', id: 'network-table' },
      h('caption', { class: 'visually-hidden' }, t('networks.caption')),
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, t(`networks.col.${c}`))),
        isAdmin ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('common.actions'))) : null)),
      h('tbody', {}, ...networks.map((n) => h('tr', { 'data-network': n.name },
        h('td', { 'data-label': t('networks.col.name') }, h('a', { href: `#/networks/${encodeURIComponent(n.name)}` }, n.name)),
        h('td', { 'data-label': t('networks.col.subnet') }, h('span', { class: 'mono' }, n.subnet)),
        h('td', { 'data-label': t('networks.col.domain'), class: 'wrap' }, n.domain),
        h('td', { 'data-label': t('networks.col.used'), 'data-used': n.used }, number(n.used)),
        h('td', { 'data-label': t('networks.col.free'), 'data-free': n.free }, t('networks.freeOf', { free: number(n.free), size: number(n.size) })),
        isAdmin ? h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text',
          'aria-label': t('networks.delete.label', { name: n.name }),
          onclick: async () => { if (await deleteNetwork(n)) { await refresh(); create?.focus(); } } }, t('common.delete'))) : null)))));
  }
  await refresh();
  return undefined;
}
