// Bulk select on a VM list (issue 18): a checkbox per row, "Select all", and start/stop/reboot/suspend/resume/delete of the chosen VMs
// in one POST /api/v1/vm-actions (Contracts/VmActions.cs). The server authorises, journals and audits each VM as the
// single call would and answers one result per VM; the page lists them (accepted, or the server's reason) so a partly
// refused action says which VMs and why. Stop, reboot and delete ask first, naming every VM they touch.
import { api, refusalText } from '../api.js';
import { h, t, toast, confirmDialog } from '../ui.js';

const ACTIONS = ['start', 'stop', 'reboot', 'suspend', 'resume', 'delete'];
const ASK = {
  stop: (n) => [t('bulk.ask.stop', { n }), t('bulk.confirm.stop', { n })],
  reboot: (n) => [t('bulk.ask.reboot', { n }), t('bulk.confirm.reboot', { n })],
  delete: (n) => [t('bulk.ask.delete', { n }), t('bulk.confirm.delete', { n })],
};

/** `vms`: the list's Map id → VmDto (the page keeps it current); `onUpdated(vm)`: a VM the server answered with;
 *  `describe(vm)`: how the confirmation and the results name a VM (the admin list adds the owner); `allLabel`: the
 *  "Select all" box's label (a paged list selects the VMs it shows).
 *  Returns the toolbar, the results panel, the header cell, a row's box, and sync() to call after every
 *  redraw. */
export function vmBulk({ vms, onUpdated, describe = (vm) => vm.name, allLabel = t('bulk.selectAll') }) {
  const selected = new Set();
  const count = h('span', { id: 'bulk-count', 'aria-live': 'polite' }, t('bulk.none'));
  const all = h('input', { type: 'checkbox', id: 'bulk-all', class: 'checkbox' });
  const buttons = ACTIONS.map((action) => [action, t(`vm.action.${action}`)]).map(([action, label]) => h('button', {
    type: 'button', class: action === 'delete' ? 'secondary danger-text' : 'secondary', id: `bulk-${action}`, disabled: true,
    onclick: () => run(action, label),
  }, t('bulk.button', { action: label })));
  const clear = h('button', { type: 'button', class: 'secondary', id: 'bulk-clear', disabled: true, onclick: () => { selected.clear(); boxesStale = true; sync(); } }, t('bulk.clear'));
  const bar = h('div', { class: 'bulk-bar panel', role: 'group', 'aria-label': t('bulk.group'), id: 'bulk-bar' },
    h('div', { class: 'check' }, all, h('label', { for: 'bulk-all' }, allLabel)), count, h('div', { class: 'actions' }, ...buttons, clear));
  const results = h('section', { id: 'bulk-results', class: 'panel', hidden: true, 'aria-labelledby': 'bulk-results-h' });

  all.addEventListener('change', () => {
    if (all.checked) for (const id of vms.keys()) selected.add(id); else selected.clear();
    boxesStale = true;
    sync();
  });

  const headerCell = () => h('th', { scope: 'col', class: 'select-cell' }, h('span', { class: 'visually-hidden' }, t('bulk.select')));
  const box = (vm) => h('input', { type: 'checkbox', class: 'checkbox', id: `select-${vm.id}`, 'aria-label': t('bulk.selectVm', { name: vm.name }), checked: selected.has(vm.id),
    onchange: (e) => { if (e.currentTarget.checked) selected.add(vm.id); else selected.delete(vm.id); sync(); } });

  // Whether the rows' boxes may disagree with the selection (it changed other than by a box): sync() then sets them
  // all; after a redraw only the toolbar is brought up to date (a row is drawn with its box as the selection says).
  let boxesStale = false;

  /** Forgets VMs no longer listed and brings the toolbar up to date with the selection. */
  function sync() {
    for (const id of selected) if (!vms.has(id)) selected.delete(id);
    const n = selected.size;
    count.textContent = n === 0 ? t('bulk.none') : t('bulk.count', { n, total: vms.size });
    all.checked = n > 0 && n === vms.size;
    all.indeterminate = n > 0 && n < vms.size;
    for (const b of buttons) b.disabled = n === 0;
    clear.disabled = n === 0;
    if (boxesStale) for (const b of document.querySelectorAll('input[id^="select-"]')) b.checked = selected.has(b.id.slice('select-'.length));
    boxesStale = false;
    bar.hidden = vms.size === 0;
  }

  async function run(action, label) {
    const chosen = [...selected].map((id) => vms.get(id)).filter(Boolean).sort((a, b) => describe(a).localeCompare(describe(b)));
    if (chosen.length === 0) return;
    const ask = ASK[action]?.(chosen.length);
    if (ask && !(await confirmDialog(ask[0], { confirmLabel: ask[1], danger: true, items: chosen.map(describe) }))) return;
    for (const b of buttons) b.disabled = true;
    let answer;
    try {
      answer = await api.post('/vm-actions', { action, vms: chosen.map((v) => v.id) });
    } catch (e) {
      toast(`${label}: ${e.message}`, { bad: true });
      sync();
      return;
    }
    const byId = new Map(chosen.map((v) => [v.id, v]));
    for (const r of answer.results) if (r.ok && r.result) onUpdated(r.result);
    selected.clear();
    boxesStale = true;
    sync();
    show(label, answer, byId);
  }

  function show(label, answer, byId) {
    const heading = h('h2', { id: 'bulk-results-h', tabindex: '-1' },
      t(answer.failed ? 'bulk.resultRefused' : 'bulk.result', { action: label, ok: answer.succeeded, total: answer.results.length, failed: answer.failed }));
    results.replaceChildren(heading,
      h('ul', { class: 'plain bulk-list' }, ...answer.results.map((r) => {
        const vm = byId.get(r.vm);
        const name = vm ? describe(vm) : r.vm;
        return h('li', { 'data-result': name, class: r.ok ? 'ok' : 'error' },
          vm ? h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, name) : name, ': ',
          r.ok ? t('bulk.accepted') : t('bulk.refused', { reason: refusalText(r.code, r.args, r.message ?? `HTTP ${r.status}`) }));
      })),
      h('div', { class: 'actions' },
        h('a', { href: '#/tasks' }, t('tasks.follow')),
        h('button', { type: 'button', class: 'secondary', id: 'bulk-results-close', onclick: () => { results.hidden = true; all.focus(); } }, t('common.dismiss'))));
    results.hidden = false;
    heading.focus();
  }

  return { bar, results, headerCell, box, sync };
}
