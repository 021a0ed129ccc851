// #/policies — the caller's own policies: list, create from a template (edit the document first), preview what a
// policy would do now, enable/disable. Uses /api/v1/policies and /api/v1/policy-templates (Contracts/Policies.cs).
import { api, seg } from '../api.js';
import { h, field, dateTime, toast } from '../ui.js';

const itemsOf = (r) => (Array.isArray(r) ? r : r?.items ?? []);

export default async function render(root, ctx) {
  const list = h('div', { id: 'policy-list' });
  const preview = h('section', { class: 'panel', id: 'policy-preview', hidden: true, 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert', id: 'policy-error' });
  root.append(h('h1', {}, 'My policies'), error, list, preview);

  let templates;
  try {
    templates = itemsOf(await api.get('/policy-templates'));
  } catch (e) {
    error.textContent = e.status === 404 ? 'Policies are not available on this server yet.' : e.message;
    return undefined;
  }
  // Admin-scope templates (scope: admin) need an administrator: the server refuses them for users, so only offer
  // users the templates they can create.
  const isAdmin = ctx.me.role === 'admin';
  if (!isAdmin) templates = templates.filter((t) => !/^scope:\s*admin\s*$/m.test(t.document));

  // Create from a template: choose one, edit its document, create.
  const template = field('policy-template', 'Template', h('select', {},
    h('option', { value: '' }, '— choose a template —'), ...templates.map((t) => h('option', { value: t.name }, t.name))));
  const describe = h('p', { class: 'hint', id: 'policy-template-description' });
  const doc = field('policy-document', 'Policy document (YAML or JSON)', h('textarea', { rows: 12, spellcheck: 'false', class: 'mono' }),
    'Edit the template (its name, condition, actions) before creating it.');
  const create = h('button', { type: 'submit', id: 'policy-create' }, 'Create policy');
  const form = h('form', { novalidate: true, id: 'policy-form' }, template.wrap, describe, doc.wrap, h('div', { class: 'actions' }, create));
  template.input.addEventListener('change', () => {
    const t = templates.find((x) => x.name === template.input.value);
    describe.textContent = t?.description ?? '';
    if (t) { doc.input.value = forMe(t); doc.setError(''); }
  });
  // A template names a sample owner and a fixed policy name (names are unique across users): make it the caller's.
  function forMe(t) {
    const me = ctx.me.username;
    const slug = me.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '');
    const name = (slug ? `${slug}-${t.name}` : t.name).slice(0, 63).replace(/-+$/, '');
    return t.document.replace(/^owner:.*$/m, `owner: ${me}`).replace(/^name:.*$/m, `name: ${name}`);
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!doc.input.value.trim()) { doc.setError('Choose a template or write a policy document.'); doc.input.focus(); return; }
    create.disabled = true;
    try {
      const p = await api.post('/policies', { document: doc.input.value });
      toast(`Policy ${p.name} created`);
      doc.input.value = '';
      template.input.value = '';
      await refresh();
    } catch (err) {
      doc.setError(err.message);
      doc.input.focus();
    } finally {
      create.disabled = false;
    }
  });
  root.append(h('h2', {}, 'New policy from a template'), form);

  async function setEnabled(p, enabled) {
    try {
      await api.post(`/policies/${seg(p.name)}/${enabled ? 'enable' : 'disable'}`);
      toast(`${p.name} ${enabled ? 'enabled' : 'disabled'}`);
      await refresh();
    } catch (e) { toast(`${p.name}: ${e.message}`, { bad: true }); }
  }

  async function showPreview(p) {
    preview.hidden = false;
    preview.replaceChildren(h('p', {}, `Previewing ${p.name}…`));
    let r;
    try {
      try { r = await api.get(`/policies/${seg(p.name)}/preview`); } catch (e) { if (e.status === 405) r = await api.post(`/policies/${seg(p.name)}/preview`); else throw e; }
    } catch (e) {
      preview.replaceChildren(h('p', { class: 'error' }, `Preview of ${p.name}: ${e.message}`));
      return;
    }
    preview.replaceChildren(
      h('h2', {}, `If ${r.policy} ran now (${dateTime(r.at)})`),
      r.items.length === 0 ? h('p', { class: 'muted' }, 'It would do nothing: no VM matches its condition.')
        : h('ul', {}, ...r.items.map((i) => h('li', {}, `${i.action} ${i.vm}: ${i.reason}`,
          i.suppressed ? h('span', { class: 'muted' }, ` (not done: ${i.suppressedBecause})`) : null))),
      r.problems?.length ? h('ul', { class: 'error' }, ...r.problems.map((x) => h('li', {}, x))) : null);
    preview.focus?.();
  }

  async function refresh() {
    let policies;
    try { policies = itemsOf(await api.get('/policies')); } catch (e) { error.textContent = e.message; return; }
    const mine = policies.filter((p) => p.owner === ctx.me.username);
    list.replaceChildren(mine.length === 0 ? h('p', { class: 'muted' }, 'You have no policies yet.')
      : h('table', { class: 'cards' },
        h('thead', {}, h('tr', {}, ...['Name', 'Enabled', 'Trigger', 'Condition', 'Actions', 'Next run', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...mine.map((p) => h('tr', { 'data-policy': p.name },
          h('td', { 'data-label': 'Name' }, p.name, p.description ? h('div', { class: 'muted small' }, p.description) : null),
          h('td', { 'data-label': 'Enabled' }, p.enabled ? 'yes' : 'no'),
          h('td', { 'data-label': 'Trigger' }, p.trigger),
          h('td', { 'data-label': 'Condition' }, p.condition),
          h('td', { 'data-label': 'Actions' }, (p.actions ?? []).join(', ')),
          h('td', { 'data-label': 'Next run' }, p.enabled ? dateTime(p.nextRunAt) : '—'),
          h('td', { class: 'actions-cell' }, h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'secondary', 'aria-label': `Preview ${p.name}`, onclick: () => showPreview(p) }, 'Preview'),
            h('button', { type: 'button', class: 'secondary', 'aria-label': `${p.enabled ? 'Disable' : 'Enable'} ${p.name}`,
              onclick: () => setEnabled(p, !p.enabled) }, p.enabled ? 'Disable' : 'Enable'))))))));
  }
  await refresh();
  return undefined;
}
