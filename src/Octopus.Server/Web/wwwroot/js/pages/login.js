// #/login — user name and password; the server answers with a session cookie (HttpOnly) and a CSRF cookie.
import { api } from '../api.js';
import { h, field, t } from '../ui.js';

export default async function render(root, ctx) {
  const user = field('username', t('login.user'), h('input', { autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }));
  const pass = field('password', t('login.password'), h('input', { type: 'password', autocomplete: 'current-password', required: true }));
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const submit = h('button', { type: 'submit' }, t('login.submit'));
  const form = h('form', { class: 'login', novalidate: true }, h('h1', {}, t('login.title')), user.wrap, pass.wrap, submit, error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    user.setError(user.input.value.trim() ? '' : t('login.userEmpty'));
    pass.setError(pass.input.value ? '' : t('login.passwordEmpty'));
    if (!user.input.value.trim() || !pass.input.value) return;
    submit.disabled = true;
    try {
      await api.post('/auth/session', { username: user.input.value.trim(), password: pass.input.value });
      window.dispatchEvent(new CustomEvent('octopus:logged-in', { detail: { next: ctx.query.get('next') } }));
    } catch (err) {
      error.textContent = err.message;
      pass.input.select();
    } finally {
      submit.disabled = false;
    }
  });
  root.append(form);
  user.input.focus();
}
