// #/profile — every user's own account: change the password (local accounts; directory accounts change it in the
// directory), personal API tokens (create with name, expiry and scopes, the secret shown once with a copy button;
// list; revoke) and SSH public keys (add by pasting, list with fingerprints, remove). Uses PUT /me/password,
// /tokens and /me/ssh-keys (Contracts/Identity.cs, Contracts/Users.cs); the server decides every rule.
import { api, seg } from '../api.js';
import { h, t, field, dateTime, toast, confirmDialog } from '../ui.js';
import { LANGUAGES, language, storedLanguage, storeLanguage } from '../i18n.js';

// The server's password rule (UserCommands.CheckPassword) and token rules (PersonalTokenCommands), shown as hints;
// the server checks them again and its refusal is shown on the field.
const TOKEN_DAYS = { min: 1, max: 365, default: 90 };
const KEY_NAME = /^[a-z0-9._-]{1,40}$/;

const itemsOf = (r) => (Array.isArray(r) ? r : r?.items ?? []);

export default async function render(root, ctx) {
  const me = ctx.me;
  const error = h('p', { class: 'error', role: 'alert', id: 'profile-error' });
  root.append(h('h1', {}, t('profile.title', { name: me.username })), error,
    h('p', { class: 'muted', id: 'profile-role' }, t('profile.role', { role: me.role })));

  root.append(languageSection(), passwordSection(me), await tokenSection(ctx), await keySection());
  return undefined;
}

// ---- language: the browser's (navigator.languages) unless chosen here; kept in this browser (localStorage). The page
// reloads in the new language.
function languageSection() {
  const select = h('select', { id: 'language', 'aria-describedby': 'language-hint' },
    h('option', { value: '' }, t('profile.languageBrowser')),
    ...Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code, lang: code }, name)));
  select.value = storedLanguage() ?? '';
  select.addEventListener('change', () => {
    storeLanguage(select.value || null);
    location.reload();
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'language-h', id: 'language-section' },
    h('h2', { id: 'language-h' }, t('profile.language')),
    h('div', { class: 'field' }, h('label', { for: 'language' }, t('profile.languageLabel')), select,
      h('p', { class: 'hint', id: 'language-hint' }, t('profile.languageHint', { current: LANGUAGES[language()] }))));
}

// ---- password
// me.provider (GET /me): 'local', or the directory the account comes from.
function passwordSection(account) {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'password-h', id: 'password-section' }, h('h2', { id: 'password-h' }, t('profile.password')));
  if (account && account.provider && account.provider !== 'local') {
    section.append(h('p', { id: 'password-directory' }, t('profile.passwordDirectory', { provider: account.provider })));
    return section;
  }
  const current = field('current-password', t('profile.currentPassword'), h('input', { type: 'password', autocomplete: 'current-password', required: true }));
  const next = field('new-password', t('profile.newPassword'), h('input', { type: 'password', autocomplete: 'new-password', required: true }), t('profile.passwordRule'));
  const again = field('new-password-again', t('profile.newPasswordAgain'), h('input', { type: 'password', autocomplete: 'new-password', required: true }));
  const formError = h('p', { class: 'error', role: 'alert', id: 'password-form-error' });
  const done = h('p', { class: 'ok', role: 'status', id: 'password-done' });
  const submit = h('button', { type: 'submit' }, t('profile.changePassword'));
  const form = h('form', { novalidate: true, id: 'password-form' }, h('div', { class: 'grid' }, current.wrap, next.wrap, again.wrap), formError, done,
    h('div', { class: 'actions' }, submit));
  for (const f of [current, next, again]) f.input.addEventListener('input', () => { f.setError(''); done.textContent = ''; });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    done.textContent = '';
    for (const f of [current, next, again]) f.setError('');
    const checks = [
      [current, current.input.value ? '' : t('profile.check.current')],
      [next, next.input.value.length < 8 ? t('profile.check.min') : next.input.value.length > 256 ? t('profile.check.max')
        : next.input.value === current.input.value ? t('profile.check.same') : ''],
      [again, again.input.value !== next.input.value ? t('profile.check.differ') : ''],
    ];
    const bad = checks.filter(([, msg]) => msg);
    for (const [f, msg] of bad) f.setError(msg);
    if (bad.length) { bad[0][0].input.focus(); return; }
    submit.disabled = true;
    try {
      await api.put('/me/password', { currentPassword: current.input.value, newPassword: next.input.value });
      form.reset();
      done.textContent = t('profile.passwordChanged');
      toast(t('profile.passwordChangedToast'));
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
  const name = field('token-name', t('profile.tokenName'), h('input', { autocomplete: 'off', maxlength: '64' }), t('profile.tokenNameHint'));
  const days = field('token-days', t('profile.tokenDays'), h('input', { type: 'number', min: String(TOKEN_DAYS.min), max: String(TOKEN_DAYS.max), step: '1',
    inputmode: 'numeric', value: String(TOKEN_DAYS.default) }), t('profile.tokenDaysHint', TOKEN_DAYS));
  const scopeBox = (value, label, checked) => {
    const input = h('input', { type: 'checkbox', id: `token-scope-${value}`, value, checked, class: 'checkbox' });
    return { value, input, wrap: h('div', { class: 'check' }, input, h('label', { for: `token-scope-${value}` }, label)) };
  };
  const scopes = [scopeBox('read', t('profile.scope.read'), true), scopeBox('write', t('profile.scope.write'), true)];
  if (isAdmin) scopes.push(scopeBox('admin', t('profile.scope.admin'), false));
  const scopeError = h('p', { class: 'field-error', id: 'token-scopes-error', 'aria-live': 'polite' });
  const formError = h('p', { class: 'error', role: 'alert', id: 'token-form-error' });
  const create = h('button', { type: 'submit' }, t('profile.createToken'));
  const form = h('form', { novalidate: true, id: 'token-form' },
    h('div', { class: 'grid' }, name.wrap, days.wrap),
    h('fieldset', { 'aria-describedby': 'token-scopes-error' }, h('legend', {}, t('profile.scopes')), ...scopes.map((s) => s.wrap), scopeError),
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
    if (!n) { name.setError(t('profile.check.tokenName')); name.input.focus(); return; }
    if (!Number.isInteger(d) || d < TOKEN_DAYS.min || d > TOKEN_DAYS.max) {
      days.setError(t('profile.check.days', TOKEN_DAYS)); days.input.focus(); return;
    }
    if (chosen.length === 0) { scopeError.textContent = t('profile.check.scope'); scopes[0].input.focus(); return; }
    create.disabled = true;
    try {
      const created = await api.post('/tokens', { name: n, scopes: chosen, expiresInDays: d });
      resetForm();
      showSecret(created);
      await refresh();
    } catch (err) {
      const target = { name, expiresInDays: days }[err.field ?? (err.code === 'token.duplicate' ? 'name' : '')];
      if (target) { target.setError(err.message); target.input.focus(); } else if (err.field === 'scopes') scopeError.textContent = err.message;
      else formError.textContent = err.message;
    } finally {
      create.disabled = false;
    }
  });

  function showSecret(tok) {
    const value = h('input', { id: 'token-value', class: 'mono', readonly: true, value: tok.token, 'aria-describedby': 'token-secret-note' });
    const copied = h('span', { class: 'ok', role: 'status', id: 'token-copied' });
    const copy = h('button', { type: 'button', id: 'token-copy', onclick: async () => {
      try { await navigator.clipboard.writeText(tok.token); copied.textContent = t('common.copied'); } catch {
        value.select();
        copied.textContent = t('profile.clipboardRefused');
      }
    } }, t('common.copy'));
    const dismiss = h('button', { type: 'button', class: 'secondary', onclick: () => { secret.replaceChildren(); create.focus(); } }, t('common.done'));
    secret.replaceChildren(h('div', { class: 'panel secret' },
      h('h3', { id: 'token-secret-h', tabindex: '-1' }, t('profile.tokenCreated', { name: tok.name })),
      h('p', { id: 'token-secret-note' }, t('profile.tokenOnce', { scopes: tok.scopes.join(', '), expires: dateTime(tok.expiresAt) })),
      h('label', { for: 'token-value' }, t('profile.token')), value,
      h('div', { class: 'actions' }, copy, dismiss, copied)));
    secret.querySelector('h3').focus();
  }

  async function revoke(tok) {
    if (!(await confirmDialog(t('profile.revokeQuestion', { name: tok.name }), { confirmLabel: t('profile.revoke'), danger: true }))) return;
    try {
      await api.del(`/tokens/${tok.id}`);
      toast(t('profile.revoked', { name: tok.name }));
      await refresh();
      (list.querySelector('button') ?? create).focus();
    } catch (e) { toast(`${tok.name}: ${e.message}`, { bad: true }); }
  }

  async function refresh() {
    let tokens;
    try { tokens = itemsOf(await api.get('/tokens')).filter((tok) => tok.kind === 'personal'); } catch (e) { list.replaceChildren(h('p', { class: 'error' }, e.message)); return; }
    const cols = { name: t('profile.col.name'), scopes: t('profile.scopes'), created: t('profile.col.created'), expires: t('profile.col.expires') };
    list.replaceChildren(tokens.length === 0 ? h('p', { class: 'muted', id: 'token-none' }, t('profile.noTokens'))
      : h('table', { class: 'cards', id: 'token-table' },
        h('caption', { class: 'visually-hidden' }, t('profile.tokensCaption')),
        h('thead', {}, h('tr', {}, ...[...Object.values(cols), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...tokens.map((tok) => h('tr', { 'data-token': tok.name },
          h('td', { 'data-label': cols.name }, tok.name),
          h('td', { 'data-label': cols.scopes }, tok.scopes.join(', ')),
          h('td', { 'data-label': cols.created }, dateTime(tok.createdAt)),
          h('td', { 'data-label': cols.expires }, dateTime(tok.expiresAt)),
          h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': t('profile.revokeLabel', { name: tok.name }),
            onclick: () => revoke(tok) }, t('profile.revoke'))))))));
  }
  await refresh();
  return h('section', { class: 'panel', 'aria-labelledby': 'tokens-h', id: 'token-section' },
    h('h2', { id: 'tokens-h' }, t('profile.tokens')),
    h('p', { class: 'hint' }, t('profile.tokensHint')),
    list, secret, h('h3', {}, t('profile.newToken')), form);
}

// ---- SSH keys
async function keySection() {
  const list = h('div', { id: 'key-list' });
  const name = field('key-name', t('profile.keyName'), h('input', { autocomplete: 'off', maxlength: '40' }), t('profile.keyNameHint'));
  const pub = field('key-public', t('profile.publicKey'), h('textarea', { rows: 3, spellcheck: 'false', class: 'mono' }), t('profile.publicKeyHint'));
  const formError = h('p', { class: 'error', role: 'alert', id: 'key-form-error' });
  const add = h('button', { type: 'submit' }, t('profile.addKey'));
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
    name.setError(KEY_NAME.test(n) ? '' : t('profile.check.keyName'));
    pub.setError(k ? '' : t('profile.check.publicKey'));
    if (!KEY_NAME.test(n)) { name.input.focus(); return; }
    if (!k) { pub.input.focus(); return; }
    add.disabled = true;
    try {
      const key = await api.post('/me/ssh-keys', { name: n, publicKey: k });
      form.reset();
      toast(t('profile.keyAdded', { name: key.name, fingerprint: key.fingerprint }));
      await refresh();
    } catch (err) {
      const target = { name, publicKey: pub }[err.field ?? (err.status === 409 ? 'name' : '')];
      if (target) { target.setError(err.message); target.input.focus(); } else formError.textContent = err.message;
    } finally {
      add.disabled = false;
    }
  });

  async function remove(k) {
    if (!(await confirmDialog(t('profile.removeKeyQuestion', { name: k.name, fingerprint: k.fingerprint }), { confirmLabel: t('profile.remove'), danger: true }))) return;
    try {
      await api.del(`/me/ssh-keys/${seg(k.name)}`);
      toast(t('profile.keyRemoved', { name: k.name }));
      await refresh();
      (list.querySelector('button') ?? add).focus();
    } catch (e) { toast(`${k.name}: ${e.message}`, { bad: true }); }
  }

  async function refresh() {
    let keys;
    try { keys = itemsOf(await api.get('/me/ssh-keys')); } catch (e) { list.replaceChildren(h('p', { class: 'error' }, e.message)); return; }
    const col = (c) => t(`profile.col.${c}`);
    list.replaceChildren(keys.length === 0 ? h('p', { class: 'muted', id: 'key-none' }, t('profile.noKeys'))
      : h('table', { class: 'cards', id: 'key-table' },
        h('caption', { class: 'visually-hidden' }, t('profile.keysCaption')),
        h('thead', {}, h('tr', {}, ...[...['name', 'type', 'fingerprint', 'comment', 'added'].map(col), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...keys.map((k) => h('tr', { 'data-key': k.name },
          h('td', { 'data-label': col('name') }, k.name),
          h('td', { 'data-label': col('type') }, k.type),
          h('td', { 'data-label': col('fingerprint') }, h('span', { class: 'mono wrap' }, k.fingerprint)),
          h('td', { 'data-label': col('comment'), class: 'wrap' }, k.comment || '—'),
          h('td', { 'data-label': col('added') }, dateTime(k.createdAt)),
          h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary danger-text', 'aria-label': t('profile.removeKeyLabel', { name: k.name }),
            onclick: () => remove(k) }, t('profile.remove'))))))));
  }
  await refresh();
  return h('section', { class: 'panel', 'aria-labelledby': 'keys-h', id: 'key-section' },
    h('h2', { id: 'keys-h' }, t('profile.keys')),
    h('p', { class: 'hint' }, t('profile.keysHint')),
    list, h('h3', {}, t('profile.addAKey')), form);
}
