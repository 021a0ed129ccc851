// The app shell: who is logged in, the navigation (admin links only for admins), and a tiny hash router that
// renders one page module from routes.js into <main>. Pages get ctx = {params, query, me, navigate, reloadMe}.
import { api, ApiError } from './api.js';
import * as live from './live.js';
import { routes, home } from './routes.js';
import { h, toast } from './ui.js';
import { init as initLanguage, t } from './i18n.js';

let me = null;          // MeDto of the logged-in user, or null
let dispose = null;     // cleanup of the page on screen
let renderSeq = 0;

const main = () => document.getElementById('main');

export function navigate(path) {
  if (location.hash === '#' + path) render(); else location.hash = path;
}

function match(path) {
  const parts = path.split('/').filter(Boolean);
  // Literal routes win over parameter routes ('/vms/new' before '/vms/:id').
  const ranked = [...routes].sort((a, b) => a.path.includes(':') - b.path.includes(':'));
  for (const r of ranked) {
    const rp = r.path.split('/').filter(Boolean);
    if (rp.length !== parts.length) continue;
    const params = {};
    if (rp.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(parts[i])), true) : p === parts[i])))
      return { route: r, params };
  }
  return null;
}

async function loadMe() {
  try { me = await api.get('/me'); } catch (e) { if (e instanceof ApiError && e.status === 401) me = null; else throw e; }
  renderChrome();
  return me;
}

function renderChrome() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const toggle = document.getElementById('menu-toggle');
  nav.replaceChildren();
  who.replaceChildren();
  nav.hidden = !me;
  toggle.hidden = !me;
  if (!me) return;
  const isAdmin = me.role === 'admin';
  const current = location.hash.slice(1) || home;
  let adminSep = false;
  for (const r of routes) {
    if (!r.nav || r.public || (r.admin && !isAdmin)) continue;
    if (r.admin && !adminSep) { nav.append(h('span', { class: 'sep', 'aria-hidden': 'true' }, '|')); adminSep = true; }
    nav.append(h('a', { href: '#' + r.path, class: r.admin ? 'admin-link' : '', 'aria-current': current === r.path ? 'page' : null }, t(r.nav)));
  }
  who.append(h('span', { class: 'muted' }, `${me.username} (${me.role})`),
    h('a', { href: '#/profile', id: 'profile-link', 'aria-current': current === '/profile' ? 'page' : null }, t('app.profile')),
    h('button', { type: 'button', class: 'secondary', id: 'logout', onclick: logout }, t('app.logout')));
}

async function logout() {
  try { await api.del('/auth/session'); } catch { /* the session may be gone already */ }
  live.close();
  me = null;
  renderChrome();
  navigate('/login');
}

async function render() {
  const seq = ++renderSeq;
  const path = location.hash.slice(1) || home;
  const [pathOnly, queryString] = path.split('?');
  const found = match(pathOnly);
  if (dispose) { try { dispose(); } catch { /* ignore */ } dispose = null; }
  const root = main();
  if (!found) { navigate(me ? home : '/login'); return; }
  if (!found.route.public && !me) { navigate('/login?next=' + encodeURIComponent(path)); return; }
  if (found.route.admin && me?.role !== 'admin') {
    root.replaceChildren(h('h1', {}, t('app.notAllowed')), h('p', {}, t('app.adminsOnly')));
    return;
  }
  document.getElementById('nav')?.classList.add('collapsed');
  document.getElementById('menu-toggle')?.setAttribute('aria-expanded', 'false');
  renderChrome();
  try {
    const mod = await found.route.load();
    if (seq !== renderSeq) return;
    root.replaceChildren();
    const ctx = { params: found.params, query: new URLSearchParams(queryString || ''), me, navigate, reloadMe: loadMe };
    const d = await mod.default(root, ctx);
    if (seq !== renderSeq) { if (typeof d === 'function') d(); return; }
    dispose = typeof d === 'function' ? d : null;
    const heading = root.querySelector('h1');
    document.title = heading ? `${heading.textContent} · Octopus` : 'Octopus';
    // Screen-reader and keyboard users land on the new page's heading, not on <body> or a link of the old page
    // (unless the page put focus somewhere itself, e.g. the first field of a form).
    if (heading && !root.contains(document.activeElement)) {
      heading.tabIndex = -1;
      heading.focus();
    }
  } catch (e) {
    if (seq !== renderSeq) return;
    root.replaceChildren(h('h1', {}, t('app.error')), h('p', { class: 'error', role: 'alert' }, e.message));
  }
}

window.addEventListener('hashchange', render);
window.addEventListener('octopus:unauthenticated', () => {
  if (!me) return;
  me = null;
  live.close();
  renderChrome();
  toast(t('app.sessionEnded'), { bad: true });
  navigate('/login');
});
window.addEventListener('octopus:logged-in', async (e) => {
  await loadMe();
  navigate(e.detail?.next || home);
});

/** The static parts of index.html (skip link, menu button, loading note) in the UI's language. */
function translateShell() {
  document.querySelector('.skip').textContent = t('app.skip');
  document.getElementById('menu-toggle').textContent = t('app.menu');
  document.getElementById('nav').setAttribute('aria-label', t('app.mainNav'));
  const theme = document.getElementById('theme-toggle');
  theme.textContent = t('app.darkMode');
  theme.title = t('app.darkModeHint');
  const loading = document.getElementById('loading');
  if (loading) loading.textContent = t('app.loading');
}

async function start() {
  try { await initLanguage(); } catch (e) { toast(e.message, { bad: true }); }
  translateShell();
  document.getElementById('menu-toggle').addEventListener('click', (e) => {
    const nav = document.getElementById('nav');
    const open = nav.classList.toggle('collapsed') === false;
    e.currentTarget.setAttribute('aria-expanded', String(open));
  });
  document.getElementById('nav').classList.add('collapsed');
  live.onStatus((up) => { document.getElementById('live-status').textContent = up ? t('app.live') : t('app.reconnecting'); });
  try { await loadMe(); } catch (e) { toast(e.message, { bad: true }); }
  await render();
}

start();
