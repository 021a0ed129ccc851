// #/admin/users — every user with role, quota and usage; create a user; edit a user's quota (blank = unlimited).
import { api, seg } from '../api.js';
import { h, field, bytes, GiB, toast, dateTime } from '../ui.js';

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
    h('h1', {}, 'Users and quotas'), error,
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

  const row = (u) => h('tr', { 'data-user': u.username },
    h('th', { scope: 'row', 'data-label': 'User' }, u.username),
    h('td', { 'data-label': 'Role' }, u.role),
    h('td', { 'data-label': 'vCPUs' }, limit(u.usage.cores, u.quota.maxCores)),
    h('td', { 'data-label': 'Memory' }, limit(u.usage.memoryBytes, u.quota.maxMemoryBytes, bytes)),
    h('td', { 'data-label': 'Disk' }, limit(u.usage.diskBytes, u.quota.maxDiskBytes, bytes)),
    h('td', { 'data-label': 'VMs' }, h('a', { href: `#/admin/vms?owner=${encodeURIComponent(u.username)}` }, limit(u.usage.vms, u.quota.maxVms))),
    h('td', { 'data-label': 'Created' }, dateTime(u.createdAt)),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit quota of ${u.username}`, onclick: () => edit(u) }, 'Edit quota'),
      h('a', { href: `#/admin/audit?actor=${encodeURIComponent(u.username)}` }, 'Audit'))));

  async function refresh() {
    const page = await api.get('/users');
    tbody.replaceChildren(...page.items.map(row));
    error.textContent = '';
  }
  try { await refresh(); } catch (e) { error.textContent = e.message; }
}
