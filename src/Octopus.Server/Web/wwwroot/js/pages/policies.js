// #/policies — the caller's own policies: list, create from a template (edit the document first), preview what a
// policy would do now, enable/disable. Uses /api/v1/policies and /api/v1/policy-templates (Contracts/Policies.cs).
import { api, seg } from '../api.js';
import { h, t, field, dateTime, toast } from '../ui.js';

const itemsOf = (r) => (Array.isArray(r) ? r : r?.items ?? []);

export default async function render(root, ctx) {
  const list = h('div', { id: 'policy-list' });
  const preview = h('section', { class: 'panel', id: 'policy-preview', hidden: true, 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert', id: 'policy-error' });
  root.append(h('h1', {}, t('nav.policies')), error, list, preview);

  let templates;
  try {
    templates = itemsOf(await api.get('/policy-templates'));
  } catch (e) {
    error.textContent = e.status === 404 ? t('policies.unavailable') : e.message;
    return undefined;
  }
  // Admin-scope templates (scope: admin) need an administrator: the server refuses them for users, so only offer
  // users the templates they can create.
  const isAdmin = ctx.me.role === 'admin';
  if (!isAdmin) templates = templates.filter((x) => !/^scope:\s*admin\s*$/m.test(x.document));

  // Create from a template: choose one, edit its document, create.
  const template = field('policy-template', t('policies.template'), h('select', {},
    h('option', { value: '' }, t('policies.chooseTemplate')), ...templates.map((x) => h('option', { value: x.name }, x.name))));
  const describe = h('p', { class: 'hint', id: 'policy-template-description' });
  const doc = field('policy-document', t('policies.document'), h('textarea', { rows: 12, spellcheck: 'false', class: 'mono' }),
    t('policies.documentHint'));
  const create = h('button', { type: 'submit', id: 'policy-create' }, t('policies.create'));
  const form = h('form', { novalidate: true, id: 'policy-form' }, template.wrap, describe, doc.wrap, h('div', { class: 'actions' }, create));
  template.input.addEventListener('change', () => {
    const chosen = templates.find((x) => x.name === template.input.value);
    describe.textContent = chosen?.description ?? '';
    if (chosen) { doc.input.value = forMe(chosen); doc.setError(''); }
  });
  // A template names a sample owner and a fixed policy name (names are unique across users): make it the caller's.
  function forMe(tpl) {
    const me = ctx.me.username;
    const slug = me.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '');
    const name = (slug ? `${slug}-${tpl.name}` : tpl.name).slice(0, 63).replace(/-+$/, '');
    return tpl.document.replace(/^owner:.*$/m, `owner: ${me}`).replace(/^name:.*$/m, `name: ${name}`);
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!doc.input.value.trim()) { doc.setError(t('policies.documentEmpty')); doc.input.focus(); return; }
    create.disabled = true;
    try {
      const p = await api.post('/policies', { document: doc.input.value });
      toast(t('policies.created', { name: p.name }));
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
  root.append(h('h2', {}, t('policies.newFromTemplate')), form);

  async function setEnabled(p, enabled) {
    try {
      await api.post(`/policies/${seg(p.name)}/${enabled ? 'enable' : 'disable'}`);
      toast(t(enabled ? 'policies.enabled' : 'policies.disabled', { name: p.name }));
      await refresh();
    } catch (e) { toast(`${p.name}: ${e.message}`, { bad: true }); }
  }

  async function showPreview(p) {
    preview.hidden = false;
    preview.replaceChildren(h('p', {}, t('policies.previewing', { name: p.name })));
    let r;
    try {
      try { r = await api.get(`/policies/${seg(p.name)}/preview`); } catch (e) { if (e.status === 405) r = await api.post(`/policies/${seg(p.name)}/preview`); else throw e; }
    } catch (e) {
      preview.replaceChildren(h('p', { class: 'error' }, t('policies.previewFailed', { name: p.name, reason: e.message })));
      return;
    }
    preview.replaceChildren(
      h('h2', {}, t('policies.ifRanNow', { name: r.policy, at: dateTime(r.at) })),
      r.items.length === 0 ? h('p', { class: 'muted' }, t('policies.wouldDoNothing'))
        : h('ul', {}, ...r.items.map((i) => h('li', {}, `${i.action} ${i.vm}: ${i.reason}`,
          i.suppressed ? h('span', { class: 'muted' }, ` ${t('policies.notDone', { reason: i.suppressedBecause })}`) : null))),
      r.problems?.length ? h('ul', { class: 'error' }, ...r.problems.map((x) => h('li', {}, x))) : null);
    preview.focus?.();
  }

  async function refresh() {
    let policies;
    try { policies = itemsOf(await api.get('/policies')); } catch (e) { error.textContent = e.message; return; }
    const mine = policies.filter((p) => p.owner === ctx.me.username);
    const col = (c) => t(`policies.col.${c}`);
    list.replaceChildren(mine.length === 0 ? h('p', { class: 'muted' }, t('policies.none'))
      : h('table', { class: 'cards' },
        h('thead', {}, h('tr', {}, ...[...['name', 'enabled', 'trigger', 'condition', 'actions', 'next'].map(col), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...mine.map((p) => h('tr', { 'data-policy': p.name },
          h('td', { 'data-label': col('name') }, p.name, p.description ? h('div', { class: 'muted small' }, p.description) : null),
          h('td', { 'data-label': col('enabled') }, p.enabled ? t('common.yes') : t('common.no')),
          h('td', { 'data-label': col('trigger') }, p.trigger),
          h('td', { 'data-label': col('condition') }, p.condition),
          h('td', { 'data-label': col('actions') }, (p.actions ?? []).join(', ')),
          h('td', { 'data-label': col('next') }, p.enabled ? dateTime(p.nextRunAt) : '—'),
          h('td', { class: 'actions-cell' }, h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'secondary', 'aria-label': t('policies.previewLabel', { name: p.name }), onclick: () => showPreview(p) }, t('policies.preview')),
            h('button', { type: 'button', class: 'secondary', 'aria-label': t(p.enabled ? 'policies.disableLabel' : 'policies.enableLabel', { name: p.name }),
              onclick: () => setEnabled(p, !p.enabled) }, t(p.enabled ? 'policies.disable' : 'policies.enable')))))))));
  }
  await refresh();
  return undefined;
}
