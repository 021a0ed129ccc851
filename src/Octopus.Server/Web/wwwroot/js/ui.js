// Small DOM and formatting helpers shared by every page. Build DOM with h(); never assign server text to innerHTML.
// Sizes and dates are formatted in the UI's language (i18n.js), which also gives every text the user reads: t(key).
import { t, tn, has, bytes, dateTime, number } from './i18n.js';

export { t, tn, bytes, dateTime, number };

/** h('button', {class: 'secondary', onclick}, 'Stop') — attributes (on* become listeners), then children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export function duration(ms) {
  if (ms == null || ms < 0) return '—';
  const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return t('duration.dh', { d, h: hr });
  if (hr > 0) return t('duration.hm', { h: hr, m });
  if (m > 0) return t('duration.m', { m });
  return t('duration.s', { s });
}

export const percent = (x) => (x == null ? '—' : `${number(Math.round(x * 100))} %`);

/** Shows a short message at the bottom right for a few seconds (longer while the pointer or focus is on it).
 *  `link` ({href, label}) adds a link, e.g. to the task centre where the action can be followed after the toast is gone. */
export function toast(text, { bad = false, link = null } = {}) {
  const t = h('div', { class: bad ? 'toast bad' : 'toast' }, text,
    link ? [' ', h('a', { href: link.href, class: 'toast-link', onclick: () => t.remove() }, link.label)] : null);
  document.getElementById('toasts')?.append(t);
  let held = false;
  const close = () => { if (held) setTimeout(close, 1000); else t.remove(); };
  for (const [type, value] of [['mouseenter', true], ['mouseleave', false], ['focusin', true], ['focusout', false]])
    t.addEventListener(type, () => { held = value; });
  setTimeout(close, bad ? 8000 : 4000);
}

/** Where the task centre shows one VM's operations (every action's toast links there). */
export const tasksLink = (vm) => ({ href: `#/tasks?vm=${encodeURIComponent(vm.id)}`, label: t('tasks.follow') });

/** A modal yes/no question (native <dialog>, keyboard and screen-reader friendly). Resolves true when confirmed.
 *  `items` (strings) are listed under the question, e.g. the names of the VMs a bulk action touches. */
export function confirmDialog(question, { confirmLabel = t('common.confirm'), danger = false, items = null } = {}) {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'submit', value: 'yes', class: danger ? 'danger' : '' }, confirmLabel);
    const no = h('button', { type: 'submit', value: 'no', class: 'secondary' }, t('common.cancel'));
    const list = items?.length ? h('ul', { class: 'confirm-items', id: 'confirm-items' }, ...items.map((i) => h('li', {}, i))) : null;
    const dlg = h('dialog', { 'aria-labelledby': 'confirm-q', 'aria-describedby': list ? 'confirm-items' : null },
      h('form', { method: 'dialog' }, h('p', { id: 'confirm-q' }, question), list, h('div', { class: 'actions' }, yes, no)));
    dlg.addEventListener('close', () => { resolve(dlg.returnValue === 'yes'); dlg.remove(); });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}

/** A labelled form field with a hint and a live error slot; returns {wrap, input, setError}. */
export function field(id, label, input, hint) {
  input.id = id;
  const err = h('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  input.setAttribute('aria-describedby', [hintEl && `${id}-hint`, `${id}-error`].filter(Boolean).join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl, err);
  const setError = (msg) => {
    err.textContent = msg || '';
    if (msg) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  };
  return { wrap, input, setError };
}

/** A VM state's name in the UI's language (the API's word when the catalogue has none, e.g. a host's power state). */
export const stateLabel = (state) => (has(`state.${state}`) ? t(`state.${state}`) : state);

/** A state badge (class state-Running etc.). */
export const stateBadge = (state) => h('span', { class: `state state-${state}` }, stateLabel(state));

/** A modal form that checks its fields before it closes and keeps them on a server refusal. `fields`: {id, name, label,
 *  input, hint, check(value) → error text or '', serverField (the problem's `field` that lands here; default name)}.
 *  `submit(values)` runs while the dialog stays open; an ApiError is shown on the matching field (or under the form) and
 *  the dialog stays open with the input as typed. Resolves submit's result, or null when cancelled. */
export function formDialog(question, { fields, confirmLabel = t('common.ok'), submit }) {
  return new Promise((resolve) => {
    const fs = fields.map((d) => ({ ...d, ...field(d.id, d.label, d.input, d.hint) }));
    const formError = h('p', { class: 'error', role: 'alert', id: 'dialog-error' });
    const yes = h('button', { type: 'submit' }, confirmLabel);
    const no = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, t('common.cancel'));
    const form = h('form', { novalidate: true }, h('p', { id: 'dialog-q' }, question), ...fs.map((f) => f.wrap), formError,
      h('div', { class: 'actions' }, yes, no));
    const dlg = h('dialog', { 'aria-labelledby': 'dialog-q' }, form);
    let result = null;
    const values = () => Object.fromEntries(fs.map((f) => [f.name, f.input.value.trim()]));
    // Typing clears the field's error (checking on blur would move the buttons under a pointer that is about to click).
    for (const f of fs) f.input.addEventListener('input', () => f.setError(''));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formError.textContent = '';
      let first = null;
      for (const f of fs) {
        const msg = f.check?.(f.input.value.trim()) || '';
        f.setError(msg);
        if (msg && !first) first = f;
      }
      if (first) { first.input.focus(); return; }
      yes.disabled = true;
      try {
        result = await submit(values());
        dlg.close();
      } catch (err) {
        const target = err.field ? fs.find((f) => (f.serverField ?? f.name) === err.field) : null;
        if (target) { target.setError(err.message); target.input.focus(); } else formError.textContent = err.message;
      } finally {
        yes.disabled = false;
      }
    });
    dlg.addEventListener('close', () => { resolve(result); dlg.remove(); });
    document.body.append(dlg);
    dlg.showModal();
    fs[0].input.focus();
  });
}
