// #/admin/users — every user with role, quota and usage; create a user; edit a user's quota (blank = unlimited);
// disable/enable, reset the password, list and revoke a user's tokens, delete a user (a user owning VMs: transfer
// them to another user or delete them, in a confirmation that lists what will happen). Uses /users and /tokens.
import { api, seg } from '../api.js';
import { h, t, tn, field, bytes, GiB, toast, dateTime, confirmDialog, formDialog } from '../ui.js';
import { has } from '../i18n.js';

const COLUMNS = ['user', 'role', 'cores', 'memory', 'disk', 'vms', 'created', 'actions'];
const TOKEN_COLUMNS = ['kind', 'name', 'scopes', 'created', 'expires'];

/** The four quota inputs (memory and disk in GiB), prefilled from a QuotaDto; read() returns a QuotaDto or throws {field, message}. */
function quotaFields(prefix, quota = {}) {
  const num = (v, scale = 1) => (v == null ? '' : String(+(v / scale).toFixed(2)));
  const input = (value, step) => h('input', { type: 'number', min: '0', step, inputmode: 'decimal', value, placeholder: t('users.unlimited') });
  const f = {
    maxCores: field(`${prefix}-cores`, t('users.maxCores'), input(num(quota.maxCores), '1')),
    maxMemoryBytes: field(`${prefix}-memory`, t('users.maxMemory'), input(num(quota.maxMemoryBytes, GiB), '0.5')),
    maxDiskBytes: field(`${prefix}-disk`, t('users.maxDisk'), input(num(quota.maxDiskBytes, GiB), '1')),
    maxVms: field(`${prefix}-vms`, t('users.maxVms'), input(num(quota.maxVms), '1')),
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
        setError(whole ? t('users.check.whole') : t('users.check.gib'));
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
  const username = field('new-username', t('users.username'), h('input', { autocomplete: 'off', required: true }), t('users.usernameHint'));
  const password = field('new-password', t('users.password'), h('input', { type: 'password', autocomplete: 'new-password', required: true }), t('users.check.min8'));
  const role = field('new-role', t('users.role'), h('select', {}, h('option', { value: 'user' }, t('users.role.user')), h('option', { value: 'admin' }, t('users.role.admin'))));
  const quota = quotaFields('new-quota');
  const formError = h('p', { class: 'error', role: 'alert' });
  const createForm = h('form', { id: 'create-user', novalidate: true, onsubmit: (e) => { e.preventDefault(); create(); } },
    h('div', { class: 'grid' }, username.wrap, password.wrap, role.wrap),
    h('fieldset', {}, h('legend', {}, t('users.quotaLegend')), h('div', { class: 'grid' }, ...quota.wraps)),
    formError,
    h('button', { type: 'submit' }, t('users.create')));

  root.append(
    h('h1', {}, t('users.title')), error, status,
    h('table', { class: 'cards', id: 'user-table' },
      h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, t(`users.col.${c}`))))),
      tbody),
    editor,
    h('details', { class: 'panel' }, h('summary', {}, t('users.createTitle')), createForm));

  async function create() {
    formError.textContent = '';
    for (const f of [username, password, role]) f.setError('');
    const q = quota.read();
    if (!username.input.value.trim()) { username.setError(t('users.check.username')); return; }
    if (password.input.value.length < 8) { password.setError(t('users.check.min8')); return; }
    if (!q) return;
    const allUnlimited = Object.values(q).every((v) => v == null);
    try {
      const u = await api.post('/users', { username: username.input.value.trim(), password: password.input.value, role: role.input.value, quota: allUnlimited ? null : q });
      toast(t('users.created', { name: u.username }));
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
        toast(t('users.quotaSaved', { name: user.username }));
        editor.replaceChildren();
        await refresh();
        tbody.querySelector(`[data-user="${CSS.escape(user.username)}"] button`)?.focus();
      } catch (ex) { if (!q.showServerError(ex)) err.textContent = ex.message; }
    } },
    h('h2', { id: 'edit-h' }, t('users.quotaOf', { name: user.username })),
    h('div', { class: 'grid' }, ...q.wraps), err,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('users.saveQuota')),
      h('button', { type: 'button', class: 'secondary', onclick: () => editor.replaceChildren() }, t('common.cancel'))));
    editor.replaceChildren(form);
    form.querySelector('input')?.focus();
  }

  const focusRow = (name) => tbody.querySelector(`[data-user="${CSS.escape(name)}"] button`)?.focus();

  async function setDisabled(u, disable) {
    if (disable && !(await confirmDialog(t('users.ask.disable', { name: u.username }),
      { confirmLabel: t('users.disable'), danger: true }))) return;
    try {
      await api.post(`/users/${seg(u.username)}/${disable ? 'disable' : 'enable'}`);
      toast(t(disable ? 'users.disabled' : 'users.enabled', { name: u.username }));
      await refresh();
      focusRow(u.username);
    } catch (e) { toast(`${u.username}: ${e.message}`, { bad: true }); }
  }

  async function resetPassword(u) {
    const done = await formDialog(t('users.ask.password', { name: u.username }), {
      confirmLabel: t('users.setPassword'),
      fields: [{ id: 'reset-password', name: 'newPassword', serverField: 'password', label: t('users.newPassword'),
        input: h('input', { type: 'password', autocomplete: 'new-password' }), hint: t('users.passwordHint'),
        check: (v) => (v.length < 8 ? t('users.check.min8') : v.length > 256 ? t('users.check.max256') : '') }],
      submit: async (v) => { await api.put(`/users/${seg(u.username)}/password`, { newPassword: v.newPassword }); return true; },
    });
    if (done) toast(t('users.passwordSet', { name: u.username }));
    focusRow(u.username);
  }

  async function showTokens(u) {
    const body = h('div', { id: 'user-tokens-list' });
    const panel = h('section', { class: 'panel', 'aria-labelledby': 'tokens-h', id: 'user-tokens' },
      h('h2', { id: 'tokens-h', tabindex: '-1' }, t('users.tokensOf', { name: u.username })),
      h('p', { class: 'hint' }, t('users.tokensHint')),
      body, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => { editor.replaceChildren(); focusRow(u.username); } }, t('users.close'))));
    async function load() {
      let tokens;
      try { tokens = await api.get(`/tokens?user=${seg(u.username)}`); } catch (e) { body.replaceChildren(h('p', { class: 'error' }, e.message)); return; }
      body.replaceChildren(tokens.length === 0 ? h('p', { class: 'muted', id: 'user-tokens-none' }, t('users.noTokens', { name: u.username }))
        : h('table', { class: 'cards', id: 'user-token-table' },
          h('caption', { class: 'visually-hidden' }, t('users.tokensOf', { name: u.username })),
          h('thead', {}, h('tr', {}, ...TOKEN_COLUMNS.map((c) => h('th', { scope: 'col' }, t(`users.token.${c}`))), h('th', { scope: 'col' }))),
          h('tbody', {}, ...tokens.map((tok) => {
            const label = tok.name ?? `${tok.kind} ${tok.id}`;
            return h('tr', { 'data-token': String(tok.id) },
              h('td', { 'data-label': t('users.token.kind') }, tok.kind),
              h('td', { 'data-label': t('users.token.name') }, tok.name ?? '—'),
              h('td', { 'data-label': t('users.token.scopes') }, tok.scopes.join(', ')),
              h('td', { 'data-label': t('users.token.created') }, dateTime(tok.createdAt)),
              h('td', { 'data-label': t('users.token.expires') }, dateTime(tok.expiresAt)),
              h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': t('users.revokeLabel', { token: label, name: u.username }),
                onclick: async () => {
                  if (!(await confirmDialog(t('users.ask.revoke', { token: label, name: u.username }), { confirmLabel: t('users.revoke'), danger: true }))) return;
                  try { await api.del(`/tokens/${tok.id}`); toast(t('users.revoked', { token: label, name: u.username })); await load(); panel.querySelector('h2').focus(); } catch (e) { toast(e.message, { bad: true }); }
                } }, t('users.revoke'))));
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
        h('legend', {}, tn('users.owns', vmNames.length, { name: u.username, vms: vmNames.join(', ') })),
        radio('transfer', t('users.transfer'), heirs.length > 0),
        h('div', { class: 'field inline' }, h('label', { for: 'delete-heir' }, t('users.newOwner')), heir),
        radio('delete-vms', t('users.deleteVms'), heirs.length === 0));
      const chosen = () => choice?.querySelector('input[name="vm-choice"]:checked')?.value ?? null;
      const describe = () => {
        const c = chosen();
        const items = [];
        if (c === 'transfer') items.push(tn('users.will.transfer', vmNames.length, { vms: vmNames.join(', '), heir: heir.value, name: u.username }));
        if (c === 'delete-vms') items.push(tn('users.will.deleteVms', vmNames.length, { vms: vmNames.join(', '), name: u.username }),
          t('users.will.disabledUntil', { name: u.username }));
        if (!c) items.push(t('users.will.policies', { name: u.username }));
        items.push(t('users.will.account', { name: u.username }));
        list.replaceChildren(...items.map((x) => h('li', {}, x)));
        heir.disabled = c !== 'transfer';
      };
      const yes = h('button', { type: 'submit', class: 'danger' }, t('users.deleteLabel', { name: u.username }));
      const no = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, t('common.cancel'));
      const form = h('form', { novalidate: true }, h('h2', { id: 'delete-q' }, t('users.ask.delete', { name: u.username })), choice,
        h('p', {}, t('users.willHappen')), list, formError, h('div', { class: 'actions' }, yes, no));
      const dlg = h('dialog', { 'aria-labelledby': 'delete-q', id: 'delete-dialog' }, form);
      choice?.addEventListener('change', describe);
      describe();
      let result = null;
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        formError.textContent = '';
        const c = chosen();
        const query = c === 'transfer' ? `?transferTo=${seg(heir.value)}` : c === 'delete-vms' ? '?deleteVms=true' : '';
        if (c === 'transfer' && !heir.value) { formError.textContent = t('users.noHeir'); return; }
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
      if (Date.now() > deadline) { status.textContent = t('users.stillWaiting', { detail: pending.detail }); return; }
      await new Promise((res) => setTimeout(res, 1000));
      try { pending = await api.del(`/users/${seg(u.username)}?deleteVms=true`); } catch (e) { status.textContent = e.message; return; }
    }
    status.textContent = t('users.deletedStatus', { name: u.username });
    toast(t('users.deleted', { name: u.username }));
    await refresh();
    root.querySelector('h1')?.focus();
  }

  const row = (u) => h('tr', { 'data-user': u.username, class: u.disabled ? 'disabled' : null },
    h('th', { scope: 'row', 'data-label': t('users.col.user') }, u.username,
      u.disabled ? h('span', { class: 'badge badge-disabled' }, t('users.badgeDisabled')) : null,
      u.provider && u.provider !== 'local' ? h('span', { class: 'badge badge-provider' }, u.provider) : null),
    h('td', { 'data-label': t('users.col.role') }, has(`users.role.${u.role}`) ? t(`users.role.${u.role}`) : u.role),
    h('td', { 'data-label': t('users.col.cores') }, limit(u.usage.cores, u.quota.maxCores)),
    h('td', { 'data-label': t('users.col.memory') }, limit(u.usage.memoryBytes, u.quota.maxMemoryBytes, bytes)),
    h('td', { 'data-label': t('users.col.disk') }, limit(u.usage.diskBytes, u.quota.maxDiskBytes, bytes)),
    h('td', { 'data-label': t('users.col.vms') }, h('a', { href: `#/admin/vms?owner=${encodeURIComponent(u.username)}` }, limit(u.usage.vms, u.quota.maxVms))),
    h('td', { 'data-label': t('users.col.created') }, dateTime(u.createdAt)),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('users.editQuotaLabel', { name: u.username }), onclick: () => edit(u) }, t('users.editQuota')),
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('vm.actionLabel', { action: u.disabled ? t('users.enable') : t('users.disable'), name: u.username }),
        onclick: () => setDisabled(u, !u.disabled) }, u.disabled ? t('users.enable') : t('users.disable')),
      !u.provider || u.provider === 'local'
        ? h('button', { type: 'button', class: 'secondary', 'aria-label': t('users.resetLabel', { name: u.username }), onclick: () => resetPassword(u) }, t('users.reset')) : null,
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('users.tokensOf', { name: u.username }), onclick: () => showTokens(u) }, t('users.tokens')),
      h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': t('users.deleteLabel', { name: u.username }), onclick: () => remove(u) }, t('common.delete')),
      h('a', { href: `#/admin/audit?actor=${encodeURIComponent(u.username)}` }, t('nav.audit')))));

  async function refresh() {
    const page = await api.get('/users');
    users = page.items;
    tbody.replaceChildren(...page.items.map(row));
    error.textContent = '';
  }
  try { await refresh(); } catch (e) { error.textContent = e.message; }
}
