// #/admin/audit?actor=&action= — the audit log, newest first, a page at a time, filtered by actor and by action
// (a prefix: "vm." is every VM action). Targets show names linked to their page; an actor links to their entries.
import { api } from '../api.js';
import { h, t, field, dateTime } from '../ui.js';

const PAGE = 50;
const COLUMNS = ['when', 'actor', 'action', 'target', 'outcome', 'details'];
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_USERS = new Set(['system', 'scheduler']);

/** The user behind an actor ("alice via policy idle" acted for alice). */
const actorUser = (actor) => actor.split(' via policy ')[0];

/** What an entry acted on, by name and linked to where the UI shows it. The server records a VM as vm/NAME when it is
 *  the actor's and vm/OWNER/NAME when it is someone else's (older entries may hold vm/ID); a host as host/NAME. */
function target(a) {
  const slash = a.target.indexOf('/');
  const kind = slash > 0 ? a.target.slice(0, slash) : '', key = slash > 0 ? a.target.slice(slash + 1) : '';
  if (!key) return a.target;
  const link = (href, text, label) => h('a', { href, 'aria-label': label }, text);
  switch (kind) {
    case 'vm': {
      const user = actorUser(a.actor);
      const address = key.includes('/') || ID.test(key) || NOT_USERS.has(user) ? key : `${user}/${key}`;
      return [t('audit.kind.vm'), ' ', link(`#/vms/${encodeURIComponent(address)}`, key, t('audit.target.vm', { name: key }))];
    }
    case 'host': return [t('audit.kind.host'), ' ', link(`#/admin/hosts`, key, t('audit.target.host', { name: key }))];
    case 'policy': return [t('audit.kind.policy'), ' ', link(`#/admin/policies`, key, t('audit.target.policy', { name: key }))];
    case 'user': {
      const [name, ...rest] = key.split('/');
      return [t('audit.kind.user'), ' ', link(`#/admin/users`, name, t('audit.target.user', { name })), rest.length ? ` (${rest.join(' ')})` : null];
    }
    default: return a.target;
  }
}

export default async function render(root, ctx) {
  const actor = field('a-actor', t('audit.actor'), h('input', { value: ctx.query.get('actor') ?? '', placeholder: t('audit.actorPlaceholder'), autocomplete: 'off' }));
  const action = field('a-action', t('audit.action'), h('input', { value: ctx.query.get('action') ?? '', placeholder: t('audit.actionPlaceholder'), autocomplete: 'off' }),
    t('audit.actionHint'));
  const error = h('p', { class: 'error', role: 'alert' });
  const tbody = h('tbody');
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const cursors = [null]; // cursor of each page seen, for "Newer"
  let pageIndex = 0, next = null;
  const newer = h('button', { type: 'button', class: 'secondary', onclick: () => go(pageIndex - 1) }, t('audit.newer'));
  const older = h('button', { type: 'button', class: 'secondary', onclick: () => go(pageIndex + 1) }, t('audit.older'));

  root.append(h('h1', {}, t('audit.title')),
    h('form', { class: 'panel', role: 'search', id: 'audit-filter', onsubmit: (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      if (actor.input.value.trim()) q.set('actor', actor.input.value.trim());
      if (action.input.value.trim()) q.set('action', action.input.value.trim());
      const qs = q.toString();
      ctx.navigate('/admin/audit' + (qs ? `?${qs}` : ''));
    } },
    h('div', { class: 'grid' }, actor.wrap, action.wrap),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.filter')), h('a', { href: '#/admin/audit' }, t('common.clearFilters')))),
    error, status,
    h('table', { class: 'cards', id: 'audit-table' },
      h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, t(`audit.col.${c}`))))),
      tbody),
    h('nav', { class: 'actions', 'aria-label': t('audit.pages') }, newer, older));

  const row = (a) => h('tr', {},
    h('td', { 'data-label': t('audit.col.when') }, dateTime(a.at, { seconds: true })),
    h('td', { 'data-label': t('audit.col.actor') }, h('a', { href: `#/admin/audit?actor=${encodeURIComponent(a.actor)}`, title: t('audit.entriesBy', { actor: a.actor }) }, a.actor)),
    h('td', { 'data-label': t('audit.col.action') }, a.action),
    h('td', { 'data-label': t('audit.col.target'), 'data-target': a.target }, h('span', {}, target(a))),
    h('td', { 'data-label': t('audit.col.outcome') }, h('span', { class: a.succeeded ? 'ok' : 'error' }, a.succeeded ? t('audit.ok') : t('audit.refused')), a.succeeded ? null : h('div', { class: 'small' }, a.result)),
    h('td', { 'data-label': t('audit.col.details') }, a.details ?? '—'));

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
      status.textContent = page.items.length === 0 ? t('audit.none') : t('audit.page', { page: index + 1, from: index * PAGE + 1, to: index * PAGE + page.items.length });
      newer.disabled = index === 0;
      older.disabled = !next;
      error.textContent = '';
    } catch (e) { error.textContent = e.message; }
  }
  await go(0);
}
