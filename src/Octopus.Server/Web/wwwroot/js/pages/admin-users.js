// #/admin/users — every user with role, quota and usage; create a user; edit a user's quota (blank = unlimited);
// disable/enable, reset the password, list and revoke a user's tokens, delete a user (a user owning VMs: transfer
// them to another user or delete them, in a confirmation that lists what will happen). Uses /users and /tokens.
import { api, seg } from '../api.js';
import { h, field, bytes, GiB, toast, dateTime, confirmDialog, formDialog } from '../ui.js';

/** The four quota inputs (memory and disk in GiB), prefilled from a QuotaDto; read() returns a QuotaDto or throws {field, message}. */
function quotaFields(prefix, quota = {}) {
  const num = (v, scale = 1) => (v == null ? '' : String(+(v / scale).toFixed(2)));
  const input = (value, step) => h('input', { type: 'number', min: '0', step, inputmode: 'decimal', value, placeholder: 'unlimited' });
  const f = {
    maxCores: field(`${prefix}-cores`, 'Max vCPUs', input(num(quota.maxCores), '1')),
    maxMemoryBytes: field(`${prefix}-memory`, 'Max memory (GiB)', input(num(quota.maxMemoryBytes, GiB), '0.5')),
    maxDiskBytes: field(`${prefix}-disk`, 'Max disk (GiB)', input(num(quota.maxDiskBytes, GiB), '1')),
    maxVms: field(`${prefix}-vms`, 'Max VMs', input(num(quota.maxVms), '1')),
  };
  const read = () => {
    const out = {};
    let ok = true;
    for (const [k, { input: el, setError }] of Object.entries(f)) {
      setError('');
      const text = el.value.trim();
      if (text === '') { out[k] = null; continue; }
      const v = Number(text);
      const whole = k === 'maxCores' || k === 'maxVms';
      if (!Number.isFinite(v) || v < 0 || (whole && !Number.isInteger(v))) {
        setError(whole ? 'A whole number, 0 or more (blank = unlimited).' : 'A number of GiB, 0 or more (blank = unlimited).');
        ok = false;
        continue;
      }
      out[k] = k.endsWith('Bytes') ? Math.round(v * GiB) : v;
    }
    return ok ? out : null;
  };
  const showServerError = (e) => { const slot = f[e.field]; if (slot) slot.setError(e.message); return !!slot; };
  return { wraps: Object.values(f).map((x) => x.wrap), read, showServerError };
}

const limit = (used, max, fmt = (x) => x) => `${fmt(used)} / ${max == null ? '∞' : fmt(max)}`;

export default async function render(root) {
  const tbody = h('tbody');
  const error = h('p', { class: 'error', role: 'alert' });
  const editor = h('div', { id: 'quota-editor' });
  const status = h('p', { role: 'status', id: 'user-status', 'aria-live': 'polite' });
  let users = [];

  // ---- create form
  const username = field('new-username', 'Username', h('input', { autocomplete: 'off', required: true }), '1-32 lower-case letters, digits, ., _ or -');
  const password = field('new-password', 'Password', h('input', { type: 'password', autocomplete: 'new-password', required: true }), 'At least 8 characters.');
  const role = field('new-role', 'Role', h('select', {}, h('option', { value: 'user' }, 'user'), h('option', { value: 'admin' }, 'admin')));
  const quota = quotaFields('new-quota');
  const formError = h('p', { class: 'error', role: 'alert' });
  const createForm = h('form', { id: 'create-user', novalidate: true, onsubmit: (e) => { e.preventDefault(); create(); } },
    h('div', { class: 'grid' }, username.wrap, password.wrap, role.wrap),
    h('fieldset', {}, h('legend', {}, 'Quota (leave all blank for the server default quota; a blank field is unlimited)'), h('div', { class: 'grid' }, ...quota.wraps)),
    formError,
    h('button', { type: 'submit' }, 'Create user'));

  root.append(
    h('h1', {}, 'Users and quotas'), error, status,
    h('table', { class: 'cards', id: 'user-table' },
      h('thead', {}, h('tr', {}, ...['User', 'Role', 'vCPUs', 'Memory', 'Disk', 'VMs', 'Created', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody),
    editor,
    h('details', { class: 'panel' }, h('summary', {}, 'Create a user'), createForm));

  async function create() {
    formError.textContent = '';
    for (const f of [username, password, role]) f.setError('');
    const q = quota.read();
    if (!username.input.value.trim()) { username.setError('Enter a user name.'); return; }
    if (password.input.value.length < 8) { password.setError('At least 8 characters.'); return; }
    if (!q) return;
    const allUnlimited = Object.values(q).every((v) => v == null);
    try {
      const u = await api.post('/users', { username: username.input.value.trim(), password: password.input.value, role: role.input.value, quota: allUnlimited ? null : q });
      toast(`User ${u.username} created`);
      createForm.reset();
      await refresh();
    } catch (e) {
      const slot = { username, password, role }[e.field];
      if (slot) slot.setError(e.message); else if (!quota.showServerError(e)) formError.textContent = e.message;
    }
  }

  function edit(user) {
    const q = quotaFields('edit-quota', user.quota);
    const err = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'panel', 'aria-labelledby': 'edit-h', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      const body = q.read();
      if (!body) return;
      try {
        await api.put(`/users/${seg(user.username)}/quota`, body);
        toast(`Quota of ${user.username} saved`);
        editor.replaceChildren();
        await refresh();
        tbody.querySelector(`[data-user="${CSS.escape(user.username)}"] button`)?.focus();
      } catch (ex) { if (!q.showServerError(ex)) err.textContent = ex.message; }
    } },
    h('h2', { id: 'edit-h' }, `Quota of ${user.username}`),
    h('div', { class: 'grid' }, ...q.wraps), err,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save quota'),
      h('button', { type: 'button', class: 'secondary', onclick: () => editor.replaceChildren() }, 'Cancel')));
    editor.replaceChildren(form);
    form.querySelector('input')?.focus();
  }

  const focusRow = (name) => tbody.querySelector(`[data-user="${CSS.escape(name)}"] button`)?.focus();

  async function setDisabled(u, disable) {
    if (disable && !(await confirmDialog(`Disable ${u.username}? They cannot log in, and every token and session of theirs stops working at once. Their VMs keep running.`,
      { confirmLabel: 'Disable', danger: true }))) return;
    try {
      await api.post(`/users/${seg(u.username)}/${disable ? 'disable' : 'enable'}`);
      toast(`${u.username} ${disable ? 'disabled' : 'enabled'}`);
      await refresh();
      focusRow(u.username);
    } catch (e) { toast(`${u.username}: ${e.message}`, { bad: true }); }
  }

  async function resetPassword(u) {
    const done = await formDialog(`Set a new password for ${u.username}. Their logins and sessions end; personal tokens keep working until revoked.`, {
      confirmLabel: 'Set password',
      fields: [{ id: 'reset-password', name: 'newPassword', serverField: 'password', label: 'New password',
        input: h('input', { type: 'password', autocomplete: 'new-password' }), hint: 'At least 8 and at most 256 characters.',
        check: (v) => (v.length < 8 ? 'At least 8 characters.' : v.length > 256 ? 'At most 256 characters.' : '') }],
      submit: async (v) => { await api.put(`/users/${seg(u.username)}/password`, { newPassword: v.newPassword }); return true; },
    });
    if (done) toast(`Password of ${u.username} set`);
    focusRow(u.username);
  }

  async function showTokens(u) {
    const body = h('div', { id: 'user-tokens-list' });
    const panel = h('section', { class: 'panel', 'aria-labelledby': 'tokens-h', id: 'user-tokens' },
      h('h2', { id: 'tokens-h', tabindex: '-1' }, `Tokens of ${u.username}`),
      h('p', { class: 'hint' }, 'Personal tokens, CLI logins and web sessions that have not expired. Revoked ones stop working at once.'),
      body, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => { editor.replaceChildren(); focusRow(u.username); } }, 'Close')));
    async function load() {
      let tokens;
      try { tokens = await api.get(`/tokens?user=${seg(u.username)}`); } catch (e) { body.replaceChildren(h('p', { class: 'error' }, e.message)); return; }
      body.replaceChildren(tokens.length === 0 ? h('p', { class: 'muted', id: 'user-tokens-none' }, `${u.username} has no tokens.`)
        : h('table', { class: 'cards', id: 'user-token-table' },
          h('caption', { class: 'visually-hidden' }, `Tokens of ${u.username}`),
          h('thead', {}, h('tr', {}, ...['Kind', 'Name', 'Scopes', 'Created', 'Expires', ''].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, ...tokens.map((t) => {
            const label = t.name ?? `${t.kind} ${t.id}`;
            return h('tr', { 'data-token': String(t.id) },
              h('td', { 'data-label': 'Kind' }, t.kind),
              h('td', { 'data-label': 'Name' }, t.name ?? '—'),
              h('td', { 'data-label': 'Scopes' }, t.scopes.join(', ')),
              h('td', { 'data-label': 'Created' }, dateTime(t.createdAt)),
              h('td', { 'data-label': 'Expires' }, dateTime(t.expiresAt)),
              h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': `Revoke ${label} of ${u.username}`,
                onclick: async () => {
                  if (!(await confirmDialog(`Revoke ${label} of ${u.username}? It stops working at once.`, { confirmLabel: 'Revoke', danger: true }))) return;
                  try { await api.del(`/tokens/${t.id}`); toast(`Revoked ${label} of ${u.username}`); await load(); panel.querySelector('h2').focus(); } catch (e) { toast(e.message, { bad: true }); }
                } }, 'Revoke')));
          }))));
    }
    await load();
    editor.replaceChildren(panel);
    panel.querySelector('h2').focus();
  }

  /** The delete confirmation: for a user owning VMs, the server's choice (transfer to a user, or delete the VMs), and
   *  the list of what will happen, kept up to date with the choice. Resolves the query string, or null when cancelled. */
  async function askDelete(u) {
    let vmNames = [];
    if (u.usage.vms > 0) {
      try { vmNames = (await api.get(`/vms?owner=${seg(u.username)}&sort=name&limit=1000`)).items.map((v) => v.name); } catch (e) { toast(e.message, { bad: true }); return null; }
    }
    const heirs = users.filter((x) => x.username !== u.username && !x.disabled).map((x) => x.username);
    return new Promise((resolve) => {
      const list = h('ul', { class: 'consequences', id: 'delete-consequences' });
      const formError = h('p', { class: 'error', role: 'alert', id: 'delete-error' });
      const radio = (value, label, checked) => h('div', { class: 'check' },
        h('input', { type: 'radio', name: 'vm-choice', id: `delete-${value}`, value, checked }), h('label', { for: `delete-${value}` }, label));
      const heir = h('select', { id: 'delete-heir' }, ...heirs.map((n) => h('option', { value: n }, n)));
      const choice = vmNames.length === 0 ? null : h('fieldset', {},
        h('legend', {}, `${u.username} owns ${vmNames.length} VM(s): ${vmNames.join(', ')}`),
        radio('transfer', 'Give them (and their policies) to another user', heirs.length > 0),
        h('div', { class: 'field inline' }, h('label', { for: 'delete-heir' }, 'New owner'), heir),
        radio('delete-vms', 'Delete them', heirs.length === 0));
      const chosen = () => choice?.querySelector('input[name="vm-choice"]:checked')?.value ?? null;
      const describe = () => {
        const c = chosen();
        const items = [];
        if (c === 'transfer') items.push(`${vmNames.join(', ')} ${vmNames.length === 1 ? 'goes' : 'go'} to ${heir.value}, with ${u.username}'s policies.`);
        if (c === 'delete-vms') items.push(`${vmNames.join(', ')} ${vmNames.length === 1 ? 'is' : 'are'} deleted, with their disks; ${u.username}'s policies are deleted.`,
          `${u.username} is disabled at once and deleted when the VMs are gone.`);
        if (!c) items.push(`${u.username}'s policies are deleted.`);
        items.push(`Every token and session of ${u.username} ends; the account is deleted (the audit log keeps its entries).`);
        list.replaceChildren(...items.map((x) => h('li', {}, x)));
        heir.disabled = c !== 'transfer';
      };
      const yes = h('button', { type: 'submit', class: 'danger' }, `Delete ${u.username}`);
      const no = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Cancel');
      const form = h('form', { novalidate: true }, h('h2', { id: 'delete-q' }, `Delete ${u.username}?`), choice,
        h('p', {}, 'What will happen:'), list, formError, h('div', { class: 'actions' }, yes, no));
      const dlg = h('dialog', { 'aria-labelledby': 'delete-q', id: 'delete-dialog' }, form);
      choice?.addEventListener('change', describe);
      describe();
      let result = null;
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        formError.textContent = '';
        const c = chosen();
        const query = c === 'transfer' ? `?transferTo=${seg(heir.value)}` : c === 'delete-vms' ? '?deleteVms=true' : '';
        if (c === 'transfer' && !heir.value) { formError.textContent = 'There is no other user to give the VMs to; choose Delete them.'; return; }
        yes.disabled = true;
        try {
          result = { query, pending: await api.del(`/users/${seg(u.username)}${query}`) };
          dlg.close();
        } catch (err) { formError.textContent = err.message; } finally { yes.disabled = false; }
      });
      dlg.addEventListener('close', () => { resolve(result); dlg.remove(); });
      document.body.append(dlg);
      dlg.showModal();
      no.focus();
    });
  }

  async function remove(u) {
    const r = await askDelete(u);
    if (!r) { focusRow(u.username); return; }
    let pending = r.pending;
    // With deleteVms the server answers 202 while the VMs are deleted through the operations journal; the same
    // request deletes the user once they are gone (as `octopus user delete --delete-vms` does).
    const deadline = Date.now() + 300_000;
    while (pending) {
      status.textContent = pending.detail;
      await refresh().catch(() => {});
      if (Date.now() > deadline) { status.textContent = `${pending.detail} Still waiting after 5 minutes: press Delete again later.`; return; }
      await new Promise((res) => setTimeout(res, 1000));
      try { pending = await api.del(`/users/${seg(u.username)}?deleteVms=true`); } catch (e) { status.textContent = e.message; return; }
    }
    status.textContent = `Deleted ${u.username}.`;
    toast(`Deleted ${u.username}`);
    await refresh();
    root.querySelector('h1')?.focus();
  }

  const row = (u) => h('tr', { 'data-user': u.username, class: u.disabled ? 'disabled' : null },
    h('th', { scope: 'row', 'data-label': 'User' }, u.username,
      u.disabled ? h('span', { class: 'badge badge-disabled' }, 'disabled') : null,
      u.provider && u.provider !== 'local' ? h('span', { class: 'badge badge-provider' }, u.provider) : null),
    h('td', { 'data-label': 'Role' }, u.role),
    h('td', { 'data-label': 'vCPUs' }, limit(u.usage.cores, u.quota.maxCores)),
    h('td', { 'data-label': 'Memory' }, limit(u.usage.memoryBytes, u.quota.maxMemoryBytes, bytes)),
    h('td', { 'data-label': 'Disk' }, limit(u.usage.diskBytes, u.quota.maxDiskBytes, bytes)),
    h('td', { 'data-label': 'VMs' }, h('a', { href: `#/admin/vms?owner=${encodeURIComponent(u.username)}` }, limit(u.usage.vms, u.quota.maxVms))),
    h('td', { 'data-label': 'Created' }, dateTime(u.createdAt)),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit quota of ${u.username}`, onclick: () => edit(u) }, 'Edit quota'),
      h('button', { type: 'button', class: 'secondary', 'aria-label': `${u.disabled ? 'Enable' : 'Disable'} ${u.username}`,
        onclick: () => setDisabled(u, !u.disabled) }, u.disabled ? 'Enable' : 'Disable'),
      !u.provider || u.provider === 'local'
        ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Reset password of ${u.username}`, onclick: () => resetPassword(u) }, 'Reset password') : null,
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Tokens of ${u.username}`, onclick: () => showTokens(u) }, 'Tokens'),
      h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': `Delete ${u.username}`, onclick: () => remove(u) }, 'Delete'),
      h('a', { href: `#/admin/audit?actor=${encodeURIComponent(u.username)}` }, 'Audit'))));

  async function refresh() {
    const page = await api.get('/users');
    users = page.items;
    tbody.replaceChildren(...page.items.map(row));
    error.textContent = '';
  }
  try { await refresh(); } catch (e) { error.textContent = e.message; }
}
