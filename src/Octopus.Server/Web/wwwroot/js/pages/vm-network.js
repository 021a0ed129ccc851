// The VM page's network part (issue 13): the VM's NICs (network, MAC, address, DNS name) with a copyable ssh line, and
// its security group: the ingress rules (list, add, remove) of GET/POST/DELETE /api/v1/vms/{vm}/security-rules
// (Contracts/Networks.cs). The server decides every rule; its refusal lands on the field its problem names (protocol,
// port, source) or, for the rule as a whole (a duplicate, too many rules), under the form, with the input kept.
import { api, seg } from '../api.js';
import { h, field, dateTime, toast, confirmDialog } from '../ui.js';

const PROTOCOLS = [['tcp', 'TCP'], ['udp', 'UDP'], ['icmp', 'ICMP (ping)'], ['any', 'Any protocol']];
const takesPort = (protocol) => protocol === 'tcp' || protocol === 'udp';

// Cloud images log in as their distribution's user (debian, ubuntu, fedora…), named by the image's first word.
const loginUser = (image) => (/^[a-z]+/.exec(image ?? '')?.[0] ?? 'root');

/** The NIC list and the ssh line; `update(vm)` redraws it after a live change. */
export function nicSection(vm) {
  const body = h('div', { id: 'vm-nics' });
  const section = h('section', { 'aria-labelledby': 'nics-h' }, h('h2', { id: 'nics-h' }, 'Network'), body);
  let shown = '';
  const update = (v) => {
    const nics = v.nics ?? [];
    const key = JSON.stringify([nics, v.image]);
    if (key === shown) return; // live redraws of the rest of the page must not move focus off the copy button
    shown = key;
    if (nics.length === 0) {
      body.replaceChildren(h('p', { class: 'muted', id: 'nics-none' }, `${v.name} has no network interface.`));
      return;
    }
    const named = nics.find((n) => n.dnsName);
    const line = named ? `ssh ${loginUser(v.image)}@${named.dnsName}` : null;
    const copied = h('span', { class: 'ok', role: 'status', id: 'ssh-copied' });
    const sshInput = line ? h('input', { id: 'ssh-line', class: 'mono', readonly: true, value: line, 'aria-describedby': 'ssh-line-hint' }) : null;
    body.replaceChildren(...[
      h('table', { class: 'cards', id: 'nic-table' },
        h('caption', { class: 'visually-hidden' }, `Network interfaces of ${v.name}`),
        h('thead', {}, h('tr', {}, ...['Network', 'MAC', 'Address', 'DNS name'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...nics.map((n) => h('tr', { 'data-nic': n.mac },
          h('td', { 'data-label': 'Network' }, n.network),
          h('td', { 'data-label': 'MAC' }, h('span', { class: 'mono' }, n.mac)),
          h('td', { 'data-label': 'Address' }, h('span', { class: 'mono' }, n.ip)),
          h('td', { 'data-label': 'DNS name', class: 'wrap' }, n.dnsName || '—'))))),
      line ? h('div', { class: 'ssh-line' },
        h('label', { for: 'ssh-line' }, 'Log in with'),
        h('div', { class: 'copy-row' }, sshInput,
          h('button', { type: 'button', class: 'secondary', id: 'ssh-copy', onclick: async () => {
            try { await navigator.clipboard.writeText(line); copied.textContent = 'Copied.'; } catch {
              sshInput.select();
              copied.textContent = 'The browser refused the clipboard: the line is selected, press Ctrl+C.';
            }
          } }, 'Copy'), copied),
        h('p', { class: 'hint', id: 'ssh-line-hint' },
          'With a key from your ', h('a', { href: '#/profile' }, 'profile'), `; ${loginUser(v.image)} is the image's usual login. New connections need a security rule (e.g. TCP 22).`)) : null,
    ].filter(Boolean));
  };
  update(vm);
  return { section, update };
}

/** The security group: rules table and the add form. `update(vm)` tells it the VM's state changed (the note differs). */
export async function ruleSection(initialVm) {
  let vm = initialVm;
  const list = h('div', { id: 'rule-list' });
  const status = h('p', { role: 'status', id: 'rule-status', class: 'small' });
  const protocol = field('rule-protocol', 'Protocol', h('select', {}, ...PROTOCOLS.map(([v, label]) => h('option', { value: v }, label))));
  const port = field('rule-port', 'Port', h('input', { autocomplete: 'off', inputmode: 'numeric', spellcheck: 'false', placeholder: 'e.g. 22 or 8000-8100' }),
    'One port or LOW-HIGH, 1-65535 (TCP and UDP only).');
  const source = field('rule-source', 'From (CIDR)', h('input', { autocomplete: 'off', spellcheck: 'false', placeholder: '0.0.0.0/0' }),
    'An address or ADDRESS/PREFIX, e.g. 10.0.0.0/8; empty: from anywhere.');
  const formError = h('p', { class: 'error', role: 'alert', id: 'rule-form-error' });
  const add = h('button', { type: 'submit', id: 'rule-add' }, 'Add rule');
  const form = h('form', { novalidate: true, id: 'rule-form', 'aria-labelledby': 'rule-new-h' },
    h('h3', { id: 'rule-new-h' }, 'New rule'),
    h('div', { class: 'grid' }, protocol.wrap, port.wrap, source.wrap), formError, h('div', { class: 'actions' }, add));
  const fields = { protocol, port, source };
  for (const f of Object.values(fields)) f.input.addEventListener('input', () => { f.setError(''); formError.textContent = ''; });
  const syncPort = () => {
    const needed = takesPort(protocol.input.value);
    port.input.disabled = !needed;
    if (!needed) { port.input.value = ''; port.setError(''); }
  };
  protocol.input.addEventListener('change', syncPort);
  syncPort();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    for (const f of Object.values(fields)) f.setError('');
    const p = protocol.input.value;
    const body = { protocol: p, port: takesPort(p) ? port.input.value.trim() : null, source: source.input.value.trim() || null };
    // Only what needs no rule of the server's is checked here; ranges, CIDR syntax and duplicates are the server's word.
    if (takesPort(p) && !body.port) { port.setError(`A ${p.toUpperCase()} rule needs a port, e.g. 22 or 8000-8100.`); port.input.focus(); return; }
    add.disabled = true;
    try {
      const group = await api.post(`/vms/${seg(vm.id)}/security-rules`, body);
      port.input.value = '';
      source.input.value = '';
      draw(group, `Rule added: ${describe(group.rules[group.rules.length - 1] ?? body)}.`);
    } catch (err) {
      const target = fields[err.field];
      if (target) { target.setError(err.message); target.input.focus(); } else formError.textContent = err.message;
    } finally {
      add.disabled = false;
    }
  });

  const describe = (r) => `${r.protocol.toUpperCase()}${r.port ? ` ${r.port}` : ''} from ${r.source ?? '0.0.0.0/0'}`;

  async function remove(r) {
    if (!(await confirmDialog(`Remove the rule ${describe(r)} from ${vm.name}? New connections it admitted are refused from then on.`,
      { confirmLabel: 'Remove rule', danger: true }))) return;
    try {
      const group = await api.del(`/vms/${seg(vm.id)}/security-rules/${seg(r.id)}`);
      draw(group, `Rule removed: ${describe(r)}.`);
      (list.querySelector('button') ?? add).focus();
    } catch (e) { toast(`${describe(r)}: ${e.message}`, { bad: true }); }
  }

  // What the rules mean for the VM now: applied live to a running VM (by an operation the task centre shows), or when it starts.
  function applyNote(group) {
    if (group.operation) {
      return [`Being applied on ${vm.host ?? 'its host'}; `,
        h('a', { href: `#/tasks?vm=${encodeURIComponent(vm.id)}&op=${encodeURIComponent(group.operation)}`, id: 'rule-op' }, 'follow in Tasks'), '.'];
    }
    return vm.state === 'Running' ? 'In force on its host.' : `${vm.name} is ${vm.state}: its host gets these rules when it starts.`;
  }

  // While an apply operation is under way the group is read again every 1.5 s, until it is done.
  let said = '';
  let timer = null;
  const reload = async () => {
    try { draw(await api.get(`/vms/${seg(vm.id)}/security-rules`)); } catch { /* keep what is shown; the next change reads again */ }
  };
  function draw(group, message) {
    if (message !== undefined) said = message;
    clearTimeout(timer);
    timer = group.operation ? setTimeout(reload, 1500) : null;
    const rules = group.rules ?? [];
    list.replaceChildren(rules.length === 0
      ? h('p', { class: 'muted', id: 'rule-none' }, 'No rules: no new connection reaches this VM (its own connections and their replies still do).')
      : h('table', { class: 'cards', id: 'rule-table' },
        h('caption', { class: 'visually-hidden' }, `Ingress rules of ${vm.name}`),
        h('thead', {}, h('tr', {}, ...['Protocol', 'Port', 'From', 'Added', ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...rules.map((r) => h('tr', { 'data-rule': r.id },
          h('td', { 'data-label': 'Protocol' }, r.protocol.toUpperCase()),
          h('td', { 'data-label': 'Port' }, r.port ?? (r.protocol === 'any' ? 'all' : '—')),
          h('td', { 'data-label': 'From' }, h('span', { class: 'mono' }, r.source)),
          h('td', { 'data-label': 'Added' }, dateTime(r.createdAt)),
          h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': `Remove rule ${describe(r)}`,
            onclick: () => remove(r) }, 'Remove')))))));
    status.replaceChildren(...[said ? `${said} ` : null, applyNote(group)].flat().filter(Boolean));
  }

  try { draw(await api.get(`/vms/${seg(vm.id)}/security-rules`)); } catch (e) { list.replaceChildren(h('p', { class: 'error' }, `Rules unavailable: ${e.message}`)); }
  let shownState = vm.state;
  const section = h('section', { 'aria-labelledby': 'rules-h', id: 'rule-section' },
    h('h2', { id: 'rules-h' }, 'Security rules'),
    h('p', { class: 'hint' }, 'Which new connections may reach the VM (ingress). Outgoing traffic is always allowed, and the VM can only send from its own addresses.'),
    list, status, form);
  return {
    section,
    // A VM that starts or stops changes what the note says (in force, or applied when it starts).
    update: (v) => {
      vm = v;
      if (v.state !== shownState) { shownState = v.state; reload(); }
    },
    dispose: () => clearTimeout(timer),
  };
}
