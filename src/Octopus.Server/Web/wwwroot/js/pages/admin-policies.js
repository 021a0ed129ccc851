// #/admin/policies?owner= — every user's policies (admins see them all through the same API users use for their own):
// owner, scope, trigger, condition, actions, last and next run; enable, disable, preview what it would do now.
import { api, seg } from '../api.js';
import { h, field, toast, dateTime } from '../ui.js';

export default async function render(root, ctx) {
  const owner = field('p-owner', 'Owner', h('input', { value: ctx.query.get('owner') ?? '', placeholder: 'any owner', autocomplete: 'off' }));
  const error = h('p', { class: 'error', role: 'alert' });
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const preview = h('div', { id: 'policy-preview', 'aria-live': 'polite' });
  root.append(h('h1', {}, 'All policies'),
    h('form', { class: 'panel', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const v = owner.input.value.trim();
      ctx.navigate('/admin/policies' + (v ? `?owner=${encodeURIComponent(v)}` : ''));
    } }, h('div', { class: 'grid' }, owner.wrap), h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'), h('a', { href: '#/admin/policies' }, 'Clear filter'))),
    error, count,
    h('table', { class: 'cards', id: 'policy-table' },
      h('thead', {}, h('tr', {}, ...['Policy', 'Owner', 'Scope', 'Enabled', 'When', 'Condition', 'Actions', 'Last / next run', ''].map((t) => h('th', { scope: 'col' }, t)))),
      tbody),
    preview);

  async function toggle(p) {
    try {
      await api.post(`/policies/${seg(p.name)}/${p.enabled ? 'disable' : 'enable'}`);
      toast(`${p.name} ${p.enabled ? 'disabled' : 'enabled'}`);
      await refresh();
    } catch (e) { toast(`${p.name}: ${e.message}`, { bad: true }); }
  }

  async function showPreview(p) {
    try {
      const r = await api.get(`/policies/${seg(p.name)}/preview`);
      preview.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'preview-h' },
        h('h2', { id: 'preview-h' }, `${p.name}: what it would do now`),
        r.items.length === 0 ? h('p', { class: 'muted' }, 'Nothing: no VM matches its condition now.')
          : h('ul', {}, ...r.items.map((i) => h('li', {}, `${i.action} ${i.vm}: ${i.reason}`, i.suppressed ? h('span', { class: 'muted' }, ` (not done: ${i.suppressedBecause})`) : null))),
        ...r.problems.map((x) => h('p', { class: 'error' }, x))));
      preview.querySelector('h2')?.setAttribute('tabindex', '-1');
      preview.querySelector('h2')?.focus();
    } catch (e) { toast(`${p.name}: ${e.message}`, { bad: true }); }
  }

  const row = (p) => h('tr', { 'data-policy': p.name },
    h('th', { scope: 'row', 'data-label': 'Policy' }, p.name, p.description ? h('div', { class: 'muted small' }, p.description) : null),
    h('td', { 'data-label': 'Owner' }, p.owner),
    h('td', { 'data-label': 'Scope' }, p.scope),
    h('td', { 'data-label': 'Enabled' }, p.enabled ? 'yes' : 'no'),
    h('td', { 'data-label': 'When' }, p.trigger),
    h('td', { 'data-label': 'Condition' }, p.condition),
    h('td', { 'data-label': 'Actions' }, p.actions.join(', ')),
    h('td', { 'data-label': 'Last / next run' }, `${dateTime(p.lastRunAt)} / ${dateTime(p.nextRunAt)}`),
    h('td', { class: 'actions-cell' }, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': `${p.enabled ? 'Disable' : 'Enable'} ${p.name}`, onclick: () => toggle(p) }, p.enabled ? 'Disable' : 'Enable'),
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Preview ${p.name}`, onclick: () => showPreview(p) }, 'Preview'))));

  async function refresh() {
    const q = ctx.query.get('owner');
    let all;
    try {
      const r = await api.get(`/policies${q ? `?owner=${encodeURIComponent(q)}` : ''}`);
      all = Array.isArray(r) ? r : r.items;
    } catch (e) {
      if (e.status === 404) { error.textContent = 'This server has no policy API yet.'; return; }
      throw e;
    }
    const shown = all.filter((p) => !q || p.owner === q).sort((a, b) => a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name));
    tbody.replaceChildren(...shown.map(row));
    count.textContent = `${shown.length} polic${shown.length === 1 ? 'y' : 'ies'}.`;
    error.textContent = '';
  }
  try { await refresh(); } catch (e) { error.textContent = e.message; }
}
