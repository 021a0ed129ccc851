// #/profile — every user's own account: change the password (local accounts; directory accounts change it in the
// directory), personal API tokens (create with name, expiry and scopes, the secret shown once with a copy button;
// list; revoke) and SSH public keys (add by pasting, list with fingerprints, remove). Uses PUT /me/password,
// /tokens and /me/ssh-keys (Contracts/Identity.cs, Contracts/Users.cs); the server decides every rule.
import { api, seg } from '../api.js';
import { h, field, dateTime, toast, confirmDialog } from '../ui.js';

// The server's password rule (UserCommands.CheckPassword) and token rules (PersonalTokenCommands), shown as hints;
// the server checks them again and its refusal is shown on the field.
const PASSWORD_RULE = 'At least 8 and at most 256 characters; it must differ from the current one.';
const TOKEN_DAYS = { min: 1, max: 365, default: 90 };
const KEY_NAME = /^[a-z0-9._-]{1,40}$/;

const itemsOf = (r) => (Array.isArray(r) ? r : r?.items ?? []);

export default async function render(root, ctx) {
  const me = ctx.me;
  const error = h('p', { class: 'error', role: 'alert', id: 'profile-error' });
  root.append(h('h1', {}, `Profile of ${me.username}`), error,
    h('p', { class: 'muted', id: 'profile-role' }, `Role: ${me.role}.`));

  root.append(passwordSection(me), await tokenSection(ctx), await keySection());
  return undefined;
}

// ---- password
// me.provider (GET /me): 'local', or the directory the account comes from.
function passwordSection(account) {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'password-h', id: 'password-section' }, h('h2', { id: 'password-h' }, 'Password'));
  if (account && account.provider && account.provider !== 'local') {
    section.append(h('p', { id: 'password-directory' },
      `Your account comes from the directory (${account.provider}): change your password there; Octopus checks it at every login.`));
    return section;
  }
  const current = field('current-password', 'Current password', h('input', { type: 'password', autocomplete: 'current-password', required: true }));
  const next = field('new-password', 'New password', h('input', { type: 'password', autocomplete: 'new-password', required: true }), PASSWORD_RULE);
  const again = field('new-password-again', 'New password again', h('input', { type: 'password', autocomplete: 'new-password', required: true }));
  const formError = h('p', { class: 'error', role: 'alert', id: 'password-form-error' });
  const done = h('p', { class: 'ok', role: 'status', id: 'password-done' });
  const submit = h('button', { type: 'submit' }, 'Change password');
  const form = h('form', { novalidate: true, id: 'password-form' }, h('div', { class: 'grid' }, current.wrap, next.wrap, again.wrap), formError, done,
    h('div', { class: 'actions' }, submit));
  for (const f of [current, next, again]) f.input.addEventListener('input', () => { f.setError(''); done.textContent = ''; });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    done.textContent = '';
    for (const f of [current, next, again]) f.setError('');
    const checks = [
      [current, current.input.value ? '' : 'Enter your current password.'],
      [next, next.input.value.length < 8 ? 'At least 8 characters.' : next.input.value.length > 256 ? 'At most 256 characters.'
        : next.input.value === current.input.value ? 'The new password must differ from the current one.' : ''],
      [again, again.input.value !== next.input.value ? 'The two new passwords differ.' : ''],
    ];
    const bad = checks.filter(([, msg]) => msg);
    for (const [f, msg] of bad) f.setError(msg);
    if (bad.length) { bad[0][0].input.focus(); return; }
    submit.disabled = true;
    try {
      await api.put('/me/password', { currentPassword: current.input.value, newPassword: next.input.value });
      form.reset();
      done.textContent = 'Password changed. Your other logins and sessions have ended; personal tokens still work until revoked.';
      toast('Password changed');
    } catch (err) {
      // The server names the field: currentPassword or newPassword.
      const target = { currentPassword: current, newPassword: next }[err.field];
      if (target) { target.setError(err.message); target.input.focus(); } else formError.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });
  section.append(form);
  return section;
}

// ---- personal API tokens
async function tokenSection(ctx) {
  const isAdmin = ctx.me.role === 'admin';
  const list = h('div', { id: 'token-list' });
  const secret = h('div', { id: 'token-secret', 'aria-live': 'polite' });
  const name = field('token-name', 'Token name', h('input', { autocomplete: 'off', maxlength: '64' }), '1-64 characters, e.g. ci-deploy; unique among your tokens.');
  const days = field('token-days', 'Expires in (days)', h('input', { type: 'number', min: String(TOKEN_DAYS.min), max: String(TOKEN_DAYS.max), step: '1',
    inputmode: 'numeric', value: String(TOKEN_DAYS.default) }), `${TOKEN_DAYS.min}-${TOKEN_DAYS.max} days.`);
  const scopeBox = (value, label, checked) => {
    const input = h('input', { type: 'checkbox', id: `token-scope-${value}`, value, checked, class: 'checkbox' });
    return { value, input, wrap: h('div', { class: 'check' }, input, h('label', { for: `token-scope-${value}` }, label)) };
  };
  const scopes = [scopeBox('read', 'read — look at VMs, hosts, policies', true), scopeBox('write', 'write — also create, change and delete (includes read)', true)];
  if (isAdmin) scopes.push(scopeBox('admin', 'admin — administrator actions (includes write)', false));
  const scopeError = h('p', { class: 'field-error', id: 'token-scopes-error', 'aria-live': 'polite' });
  const formError = h('p', { class: 'error', role: 'alert', id: 'token-form-error' });
  const create = h('button', { type: 'submit' }, 'Create token');
  const form = h('form', { novalidate: true, id: 'token-form' },
    h('div', { class: 'grid' }, name.wrap, days.wrap),
    h('fieldset', { 'aria-describedby': 'token-scopes-error' }, h('legend', {}, 'Scopes'), ...scopes.map((s) => s.wrap), scopeError),
    formError, h('div', { class: 'actions' }, create));
  name.input.addEventListener('input', () => name.setError(''));
  days.input.addEventListener('input', () => days.setError(''));
  // Not form.reset(): the defaults are properties set by h(), which reset() would blank.
  const resetForm = () => {
    name.input.value = '';
    days.input.value = String(TOKEN_DAYS.default);
    for (const s of scopes) s.input.checked = s.value !== 'admin';
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    scopeError.textContent = '';
    name.setError('');
    days.setError('');
    const n = name.input.value.trim();
    const d = Number(days.input.value.trim());
    const chosen = scopes.filter((s) => s.input.checked).map((s) => s.value);
    if (!n) { name.setError('Name the token, e.g. ci-deploy.'); name.input.focus(); return; }
    if (!Number.isInteger(d) || d < TOKEN_DAYS.min || d > TOKEN_DAYS.max) {
      days.setError(`A whole number of days, ${TOKEN_DAYS.min}-${TOKEN_DAYS.max}.`); days.input.focus(); return;
    }
    if (chosen.length === 0) { scopeError.textContent = 'Choose at least one scope.'; scopes[0].input.focus(); return; }
    create.disabled = true;
    try {
      const t = await api.post('/tokens', { name: n, scopes: chosen, expiresInDays: d });
      resetForm();
      showSecret(t);
      await refresh();
    } catch (err) {
      const target = { name, expiresInDays: days }[err.field ?? (err.code === 'token.duplicate' ? 'name' : '')];
      if (target) { target.setError(err.message); target.input.focus(); } else if (err.field === 'scopes') scopeError.textContent = err.message;
      else formError.textContent = err.message;
    } finally {
      create.disabled = false;
    }
  });

  function showSecret(t) {
    const value = h('input', { id: 'token-value', class: 'mono', readonly: true, value: t.token, 'aria-describedby': 'token-secret-note' });
    const copied = h('span', { class: 'ok', role: 'status', id: 'token-copied' });
    const copy = h('button', { type: 'button', id: 'token-copy', onclick: async () => {
      try { await navigator.clipboard.writeText(t.token); copied.textContent = 'Copied.'; } catch {
        value.select();
        copied.textContent = 'The browser refused the clipboard: the token is selected, press Ctrl+C.';
      }
    } }, 'Copy');
    const dismiss = h('button', { type: 'button', class: 'secondary', onclick: () => { secret.replaceChildren(); create.focus(); } }, 'Done');
    secret.replaceChildren(h('div', { class: 'panel secret' },
      h('h3', { id: 'token-secret-h', tabindex: '-1' }, `Token ${t.name} created`),
      h('p', { id: 'token-secret-note' }, `Copy it now: it is shown only this once. Scopes ${t.scopes.join(', ')}; expires ${dateTime(t.expiresAt)}.`),
      h('label', { for: 'token-value' }, 'Token'), value,
      h('div', { class: 'actions' }, copy, dismiss, copied)));
    secret.querySelector('h3').focus();
  }

  async function revoke(t) {
    if (!(await confirmDialog(`Revoke the token ${t.name}? Programs using it are refused from their next request.`, { confirmLabel: 'Revoke', danger: true }))) return;
    try {
      await api.del(`/tokens/${t.id}`);
      toast(`Token ${t.name} revoked`);
      await refresh();
      (list.querySelector('button') ?? create).focus();
    } catch (e) { toast(`${t.name}: ${e.message}`, { bad: true }); }
  }

  async function refresh() {
    let tokens;
    try { tokens = itemsOf(await api.get('/tokens')).filter((t) => t.kind === 'personal'); } catch (e) { list.replaceChildren(h('p', { class: 'error' }, e.message)); return; }
    list.replaceChildren(tokens.length === 0 ? h('p', { class: 'muted', id: 'token-none' }, 'You have no personal tokens.')
      : h('table', { class: 'cards', id: 'token-table' },
        h('caption', { class: 'visually-hidden' }, 'Your personal tokens'),
        h('thead', {}, h('tr', {}, ...['Name', 'Scopes', 'Created', 'Expires', ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...tokens.map((t) => h('tr', { 'data-token': t.name },
          h('td', { 'data-label': 'Name' }, t.name),
          h('td', { 'data-label': 'Scopes' }, t.scopes.join(', ')),
          h('td', { 'data-label': 'Created' }, dateTime(t.createdAt)),
          h('td', { 'data-label': 'Expires' }, dateTime(t.expiresAt)),
          h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': `Revoke token ${t.name}`,
            onclick: () => revoke(t) }, 'Revoke')))))));
  }
  await refresh();
  return h('section', { class: 'panel', 'aria-labelledby': 'tokens-h', id: 'token-section' },
    h('h2', { id: 'tokens-h' }, 'Personal API tokens'),
    h('p', { class: 'hint' }, 'For scripts and the CLI (Authorization: Bearer TOKEN). Revoke one and it stops working at once.'),
    list, secret, h('h3', {}, 'New token'), form);
}

// ---- SSH keys
async function keySection() {
  const list = h('div', { id: 'key-list' });
  const name = field('key-name', 'Key name', h('input', { autocomplete: 'off', maxlength: '40' }), '1-40 lower-case letters, digits, ., _ or -; VMs are created with it.');
  const pub = field('key-public', 'Public key', h('textarea', { rows: 3, spellcheck: 'false', class: 'mono' }),
    'Paste one line of a .pub file: ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521.');
  const formError = h('p', { class: 'error', role: 'alert', id: 'key-form-error' });
  const add = h('button', { type: 'submit' }, 'Add key');
  const form = h('form', { novalidate: true, id: 'key-form' }, name.wrap, pub.wrap, formError, h('div', { class: 'actions' }, add));
  name.input.addEventListener('input', () => name.setError(''));
  pub.input.addEventListener('input', () => pub.setError(''));
  // A pasted key with a comment names itself: suggest a name from the comment when the name is still empty.
  pub.input.addEventListener('change', () => {
    if (name.input.value.trim()) return;
    const comment = pub.input.value.trim().split(/\s+/)[2];
    const suggestion = (comment ?? '').toLowerCase().replace(/@.*$/, '').replace(/[^a-z0-9._-]+/g, '-').slice(0, 40);
    if (KEY_NAME.test(suggestion)) name.input.value = suggestion;
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    const n = name.input.value.trim();
    const k = pub.input.value.trim();
    name.setError(KEY_NAME.test(n) ? '' : '1-40 lower-case letters, digits, ., _ or -.');
    pub.setError(k ? '' : 'Paste the public key (the .pub file, never the private key).');
    if (!KEY_NAME.test(n)) { name.input.focus(); return; }
    if (!k) { pub.input.focus(); return; }
    add.disabled = true;
    try {
      const key = await api.post('/me/ssh-keys', { name: n, publicKey: k });
      form.reset();
      toast(`Key ${key.name} added (${key.fingerprint})`);
      await refresh();
    } catch (err) {
      const target = { name, publicKey: pub }[err.field ?? (err.status === 409 ? 'name' : '')];
      if (target) { target.setError(err.message); target.input.focus(); } else formError.textContent = err.message;
    } finally {
      add.disabled = false;
    }
  });

  async function remove(k) {
    if (!(await confirmDialog(`Remove the key ${k.name} (${k.fingerprint})? VMs that already have it keep it.`, { confirmLabel: 'Remove', danger: true }))) return;
    try {
      await api.del(`/me/ssh-keys/${seg(k.name)}`);
      toast(`Key ${k.name} removed`);
      await refresh();
      (list.querySelector('button') ?? add).focus();
    } catch (e) { toast(`${k.name}: ${e.message}`, { bad: true }); }
  }

  async function refresh() {
    let keys;
    try { keys = itemsOf(await api.get('/me/ssh-keys')); } catch (e) { list.replaceChildren(h('p', { class: 'error' }, e.message)); return; }
    list.replaceChildren(keys.length === 0 ? h('p', { class: 'muted', id: 'key-none' }, 'You have no SSH keys.')
      : h('table', { class: 'cards', id: 'key-table' },
        h('caption', { class: 'visually-hidden' }, 'Your SSH public keys'),
        h('thead', {}, h('tr', {}, ...['Name', 'Type', 'Fingerprint', 'Comment', 'Added', ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...keys.map((k) => h('tr', { 'data-key': k.name },
          h('td', { 'data-label': 'Name' }, k.name),
          h('td', { 'data-label': 'Type' }, k.type),
          h('td', { 'data-label': 'Fingerprint' }, h('span', { class: 'mono wrap' }, k.fingerprint)),
          h('td', { 'data-label': 'Comment', class: 'wrap' }, k.comment || '—'),
          h('td', { 'data-label': 'Added' }, dateTime(k.createdAt)),
          h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': `Remove key ${k.name}`,
            onclick: () => remove(k) }, 'Remove')))))));
  }
  await refresh();
  return h('section', { class: 'panel', 'aria-labelledby': 'keys-h', id: 'key-section' },
    h('h2', { id: 'keys-h' }, 'SSH keys'),
    h('p', { class: 'hint' }, 'Give them to a VM by name when creating it (vm create --ssh-key NAME).'),
    list, h('h3', {}, 'Add a key'), form);
}
