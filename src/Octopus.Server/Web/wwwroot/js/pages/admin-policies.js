// #/admin/policies?owner= — every user's policies (admins see them all through the same API users use for their own):
// owner, scope, trigger, condition, actions, last and next run; enable, disable, preview what it would do now.
import { api, seg } from '../api.js';
import { h, t, tn, field, toast, dateTime } from '../ui.js';

const COLUMNS = ['policy', 'owner', 'scope', 'enabled', 'when', 'condition', 'actions', 'runs'];

export default async function render(root, ctx) {
  const owner = field('p-owner', t('allPolicies.owner'), h('input', { value: ctx.query.get('owner') ?? '', placeholder: t('allPolicies.anyOwner'), autocomplete: 'off' }));
  const error = h('p', { class: 'error', role: 'alert' });
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const preview = h('div', { id: 'policy-preview', 'aria-live': 'polite' });
  root.append(h('h1', {}, t('nav.allPolicies')),
    h('form', { class: 'panel', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const v = owner.input.value.trim();
      ctx.navigate('/admin/policies' + (v ? `?owner=${encodeURIComponent(v)}` : ''));
    } }, h('div', { class: 'grid' }, owner.wrap), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.filter')), h('a', { href: '#/admin/policies' }, t('allPolicies.clearFilter')))),
    error, count,
    h('table', { class: 'cards', id: 'policy-table' },
      h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, t(`allPolicies.col.${c}`))), h('th', { scope: 'col' }))),
      tbody),
    preview);

  async function toggle(p) {
    try {
      await api.post(`/policies/${seg(p.name)}/${p.enabled ? 'disable' : 'enable'}`);
      toast(t(p.enabled ? 'policies.disabled' : 'policies.enabled', { name: p.name }));
      await refresh();
    } catch (e) { toast(`${p.name}: ${e.message}`, { bad: true }); }
  }

  async function showPreview(p) {
    try {
      const r = await api.get(`/policies/${seg(p.name)}/preview`);
      preview.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'preview-h' },
        h('h2', { id: 'preview-h' }, t('allPolicies.previewTitle', { name: p.name })),
        r.items.length === 0 ? h('p', { class: 'muted' }, t('allPolicies.nothing'))
          : h('ul', {}, ...r.items.map((i) => h('li', {}, `${i.action} ${i.vm}: ${i.reason}`, i.suppressed ? h('span', { class: 'muted' }, ' ', t('policies.notDone', { reason: i.suppressedBecause })) : null))),
        ...r.problems.map((x) => h('p', { class: 'error' }, x))));
      preview.querySelector('h2')?.setAttribute('tabindex', '-1');
      preview.querySelector('h2')?.focus();
    } catch (e) { toast(`${p.name}: ${e.message}`, { bad: true }); }
  }

  const row = (p) => h('tr', { 'data-policy': p.name },
    h('th', { scope: 'row', 'data-label': t('allPolicies.col.policy') }, p.name, p.description ? h('div', { class: 'muted small' }, p.description) : null),
    h('td', { 'data-label': t('allPolicies.col.owner') }, p.owner),
    h('td', { 'data-label': t('allPolicies.col.scope') }, p.scope),
    h('td', { 'data-label': t('allPolicies.col.enabled') }, p.enabled ? t('common.yes') : t('common.no')),
    h('td', { 'data-label': t('allPolicies.col.when') }, p.trigger),
    h('td', { 'data-label': t('allPolicies.col.condition') }, p.condition),
    h('td', { 'data-label': t('allPolicies.col.actions') }, p.actions.join(', ')),
    h('td', { 'data-label': t('allPolicies.col.runs') }, `${dateTime(p.lastRunAt)} / ${dateTime(p.nextRunAt)}`),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': t(p.enabled ? 'policies.disableLabel' : 'policies.enableLabel', { name: p.name }), onclick: () => toggle(p) }, p.enabled ? t('policies.disable') : t('policies.enable')),
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('policies.previewLabel', { name: p.name }), onclick: () => showPreview(p) }, t('policies.preview')))));

  async function refresh() {
    const q = ctx.query.get('owner');
    let all;
    try {
      const r = await api.get(`/policies${q ? `?owner=${encodeURIComponent(q)}` : ''}`);
      all = Array.isArray(r) ? r : r.items;
    } catch (e) {
      if (e.status === 404) { error.textContent = t('policies.unavailable'); return; }
      throw e;
    }
    const shown = all.filter((p) => !q || p.owner === q).sort((a, b) => a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name));
    tbody.replaceChildren(...shown.map(row));
    count.textContent = tn('allPolicies.count', shown.length);
    error.textContent = '';
  }
  try { await refresh(); } catch (e) { error.textContent = e.message; }
}
