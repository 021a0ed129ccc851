// #/admin/audit?actor=&action= — the audit log, newest first, a page at a time, filtered by actor and by action
// (a prefix: "vm." is every VM action).
import { api } from '../api.js';
import { h, field, dateTime } from '../ui.js';

const PAGE = 50;

export default async function render(root, ctx) {
  const actor = field('a-actor', 'Actor', h('input', { value: ctx.query.get('actor') ?? '', placeholder: 'e.g. admin or scheduler', autocomplete: 'off' }));
  const action = field('a-action', 'Action', h('input', { value: ctx.query.get('action') ?? '', placeholder: 'e.g. vm. or plan.apply', autocomplete: 'off' }),
    'Matches actions that start with this text.');
  const error = h('p', { class: 'error', role: 'alert' });
  const tbody = h('tbody');
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const cursors = [null]; // cursor of each page seen, for "Newer"
  let pageIndex = 0, next = null;
  const newer = h('button', { type: 'button', class: 'secondary', onclick: () => go(pageIndex - 1) }, 'Newer');
  const older = h('button', { type: 'button', class: 'secondary', onclick: () => go(pageIndex + 1) }, 'Older');

  root.append(h('h1', {}, 'Audit log'),
    h('form', { class: 'panel', role: 'search', id: 'audit-filter', onsubmit: (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      if (actor.input.value.trim()) q.set('actor', actor.input.value.trim());
      if (action.input.value.trim()) q.set('action', action.input.value.trim());
      const qs = q.toString();
      ctx.navigate('/admin/audit' + (qs ? `?${qs}` : ''));
    } },
    h('div', { class: 'grid' }, actor.wrap, action.wrap),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'), h('a', { href: '#/admin/audit' }, 'Clear filters'))),
    error, status,
    h('table', { class: 'cards', id: 'audit-table' },
      h('thead', {}, h('tr', {}, ...['When', 'Actor', 'Action', 'Target', 'Outcome', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody),
    h('nav', { class: 'actions', 'aria-label': 'Audit pages' }, newer, older));

  const row = (a) => h('tr', {},
    h('td', { 'data-label': 'When' }, dateTime(a.at)),
    h('td', { 'data-label': 'Actor' }, a.actor),
    h('td', { 'data-label': 'Action' }, a.action),
    h('td', { 'data-label': 'Target' }, a.target),
    h('td', { 'data-label': 'Outcome' }, h('span', { class: a.succeeded ? 'ok' : 'error' }, a.succeeded ? 'ok' : 'refused'), a.succeeded ? null : h('div', { class: 'small' }, a.result)),
    h('td', { 'data-label': 'Details' }, a.details ?? '—'));

  async function go(index) {
    if (index < 0 || index >= cursors.length) return;
    const q = new URLSearchParams({ limit: String(PAGE) });
    for (const k of ['actor', 'action']) if (ctx.query.get(k)) q.set(k, ctx.query.get(k));
    if (cursors[index]) q.set('cursor', cursors[index]);
    try {
      const page = await api.get(`/audit?${q}`);
      pageIndex = index;
      next = page.nextCursor;
      if (next && cursors.length === index + 1) cursors.push(next);
      tbody.replaceChildren(...page.items.map(row));
      status.textContent = page.items.length === 0 ? 'No entries match.' : `Page ${index + 1}: entries ${index * PAGE + 1}–${index * PAGE + page.items.length}.`;
      newer.disabled = index === 0;
      older.disabled = !next;
      error.textContent = '';
    } catch (e) { error.textContent = e.message; }
  }
  await go(0);
}
