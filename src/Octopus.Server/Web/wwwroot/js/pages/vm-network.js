// The VM page's network part (issue 13): the VM's NICs (network, MAC, address, DNS name) with a copyable ssh line, and
// its security group: the ingress rules (list, add, remove) of GET/POST/DELETE /api/v1/vms/{vm}/security-rules
// (Contracts/Networks.cs). The server decides every rule; its refusal lands on the field its problem names (protocol,
// port, source) or, for the rule as a whole (a duplicate, too many rules), under the form, with the input kept.
import { api, seg } from '../api.js';
import { h, t, field, dateTime, toast, confirmDialog, stateLabel } from '../ui.js';

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'any'];
const takesPort = (protocol) => protocol === 'tcp' || protocol === 'udp';

// Cloud images log in as their distribution's user (debian, ubuntu, fedora…), named by the image's first word.
const loginUser = (image) => (/^[a-z]+/.exec(image ?? '')?.[0] ?? 'root');

/** The NIC list and the ssh line; `update(vm)` redraws it after a live change. */
export function nicSection(vm) {
  const body = h('div', { id: 'vm-nics' });
  const section = h('section', { 'aria-labelledby': 'nics-h' }, h('h2', { id: 'nics-h' }, t('nic.title')), body);
  let shown = '';
  const update = (v) => {
    const nics = v.nics ?? [];
    const key = JSON.stringify([nics, v.image]);
    if (key === shown) return; // live redraws of the rest of the page must not move focus off the copy button
    shown = key;
    if (nics.length === 0) {
      body.replaceChildren(h('p', { class: 'muted', id: 'nics-none' }, t('nic.none', { name: v.name })));
      return;
    }
    const named = nics.find((n) => n.dnsName);
    const line = named ? `ssh ${loginUser(v.image)}@${named.dnsName}` : null;
    const copied = h('span', { class: 'ok', role: 'status', id: 'ssh-copied' });
    const sshInput = line ? h('input', { id: 'ssh-line', class: 'mono', readonly: true, value: line, 'aria-describedby': 'ssh-line-hint' }) : null;
    body.replaceChildren(...[
      h('table', { class: 'cards', id: 'nic-table' },
        h('caption', { class: 'visually-hidden' }, t('nic.caption', { name: v.name })),
        h('thead', {}, h('tr', {}, ...['network', 'mac', 'address', 'dns'].map((x) => h('th', { scope: 'col' }, t(`nic.col.${x}`))))),
        h('tbody', {}, ...nics.map((n) => h('tr', { 'data-nic': n.mac },
          h('td', { 'data-label': t('nic.col.network') }, h('a', { href: `#/networks/${encodeURIComponent(n.network)}` }, n.network)),
          h('td', { 'data-label': t('nic.col.mac') }, h('span', { class: 'mono' }, n.mac)),
          h('td', { 'data-label': t('nic.col.address') }, h('span', { class: 'mono' }, n.ip)),
          h('td', { 'data-label': t('nic.col.dns'), class: 'wrap' }, n.dnsName || '—'))))),
      line ? h('div', { class: 'ssh-line' },
        h('label', { for: 'ssh-line' }, t('nic.loginWith')),
        h('div', { class: 'copy-row' }, sshInput,
          h('button', { type: 'button', class: 'secondary', id: 'ssh-copy', onclick: async () => {
            try { await navigator.clipboard.writeText(line); copied.textContent = t('common.copied'); } catch {
              sshInput.select();
              copied.textContent = t('nic.clipboardRefused');
            }
          } }, t('common.copy')), copied),
        h('p', { class: 'hint', id: 'ssh-line-hint' },
          t('nic.hintStart'), ' ', h('a', { href: '#/profile' }, t('nic.hintProfile')), t('nic.hintEnd', { user: loginUser(v.image) }))) : null,
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
  const protocol = field('rule-protocol', t('rule.protocol'), h('select', {}, ...PROTOCOLS.map((v) => h('option', { value: v }, t(`rule.protocol.${v}`)))));
  const port = field('rule-port', t('rule.port'), h('input', { autocomplete: 'off', inputmode: 'numeric', spellcheck: 'false', placeholder: t('rule.portPlaceholder') }),
    t('rule.portHint'));
  const source = field('rule-source', t('rule.source'), h('input', { autocomplete: 'off', spellcheck: 'false', placeholder: '0.0.0.0/0' }),
    t('rule.sourceHint'));
  const formError = h('p', { class: 'error', role: 'alert', id: 'rule-form-error' });
  const add = h('button', { type: 'submit', id: 'rule-add' }, t('rule.add'));
  const form = h('form', { novalidate: true, id: 'rule-form', 'aria-labelledby': 'rule-new-h' },
    h('h3', { id: 'rule-new-h' }, t('rule.new')),
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
    if (takesPort(p) && !body.port) { port.setError(t('rule.needsPort', { protocol: p.toUpperCase() })); port.input.focus(); return; }
    add.disabled = true;
    try {
      const group = await api.post(`/vms/${seg(vm.id)}/security-rules`, body);
      port.input.value = '';
      source.input.value = '';
      draw(group, t('rule.added', { rule: describe(group.rules[group.rules.length - 1] ?? body) }));
    } catch (err) {
      const target = fields[err.field];
      if (target) { target.setError(err.message); target.input.focus(); } else formError.textContent = err.message;
    } finally {
      add.disabled = false;
    }
  });

  const describe = (r) => t('rule.describe', { protocol: `${r.protocol.toUpperCase()}${r.port ? ` ${r.port}` : ''}`, source: r.source ?? '0.0.0.0/0' });

  async function remove(r) {
    if (!(await confirmDialog(t('rule.removeQuestion', { rule: describe(r), name: vm.name }), { confirmLabel: t('rule.remove'), danger: true }))) return;
    try {
      const group = await api.del(`/vms/${seg(vm.id)}/security-rules/${seg(r.id)}`);
      draw(group, t('rule.removed', { rule: describe(r) }));
      (list.querySelector('button') ?? add).focus();
    } catch (e) { toast(`${describe(r)}: ${e.message}`, { bad: true }); }
  }

  // What the rules mean for the VM now: applied live to a running VM (by an operation the task centre shows), or when it starts.
  function applyNote(group) {
    if (group.operation) {
      return [t('rule.applying', { host: vm.host ?? t('rule.itsHost') }), ' ',
        h('a', { href: `#/tasks?vm=${encodeURIComponent(vm.id)}&op=${encodeURIComponent(group.operation)}`, id: 'rule-op' }, t('rule.follow')), '.'];
    }
    return vm.state === 'Running' ? t('rule.inForce') : t('rule.whenStarts', { name: vm.name, state: stateLabel(vm.state) });
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
      ? h('p', { class: 'muted', id: 'rule-none' }, t('rule.none'))
      : h('table', { class: 'cards', id: 'rule-table' },
        h('caption', { class: 'visually-hidden' }, t('rule.caption', { name: vm.name })),
        h('thead', {}, h('tr', {}, ...[...['protocol', 'port', 'from', 'added'].map((c) => t(`rule.col.${c}`)), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...rules.map((r) => h('tr', { 'data-rule': r.id },
          h('td', { 'data-label': t('rule.col.protocol') }, r.protocol.toUpperCase()),
          h('td', { 'data-label': t('rule.col.port') }, r.port ?? (r.protocol === 'any' ? t('rule.allPorts') : '—')),
          h('td', { 'data-label': t('rule.col.from') }, h('span', { class: 'mono' }, r.source)),
          h('td', { 'data-label': t('rule.col.added') }, dateTime(r.createdAt)),
          h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': t('rule.removeLabel', { rule: describe(r) }),
            onclick: () => remove(r) }, t('profile.remove'))))))));
    status.replaceChildren(...[said ? `${said} ` : null, applyNote(group)].flat().filter(Boolean));
  }

  try { draw(await api.get(`/vms/${seg(vm.id)}/security-rules`)); } catch (e) { list.replaceChildren(h('p', { class: 'error' }, t('rule.unavailable', { reason: e.message }))); }
  let shownState = vm.state;
  const section = h('section', { 'aria-labelledby': 'rules-h', id: 'rule-section' },
    h('h2', { id: 'rules-h' }, t('rule.title')),
    h('p', { class: 'hint' }, t('rule.hint')),
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
