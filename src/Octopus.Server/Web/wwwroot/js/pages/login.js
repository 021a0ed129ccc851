// #/login — user name and password; the server answers with a session cookie (HttpOnly) and a CSRF cookie.
import { api } from '../api.js';
import { h, field } from '../ui.js';

export default async function render(root, ctx) {
  const user = field('username', 'User name', h('input', { autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }));
  const pass = field('password', 'Password', h('input', { type: 'password', autocomplete: 'current-password', required: true }));
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const submit = h('button', { type: 'submit' }, 'Log in');
  const form = h('form', { class: 'login', novalidate: true }, h('h1', {}, 'Log in to Octopus'), user.wrap, pass.wrap, submit, error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    user.setError(user.input.value.trim() ? '' : 'Enter your user name.');
    pass.setError(pass.input.value ? '' : 'Enter your password.');
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
