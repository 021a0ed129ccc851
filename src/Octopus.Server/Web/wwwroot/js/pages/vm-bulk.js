// Bulk select on a VM list (issue 18): a checkbox per row, "Select all", and start/stop/reboot/suspend/resume/delete of the chosen VMs
// in one POST /api/v1/vm-actions (Contracts/VmActions.cs). The server authorises, journals and audits each VM as the
// single call would and answers one result per VM; the page lists them (accepted, or the server's reason) so a partly
// refused action says which VMs and why. Stop, reboot and delete ask first, naming every VM they touch.
import { api } from '../api.js';
import { h, toast, confirmDialog } from '../ui.js';

const ACTIONS = [['start', 'Start'], ['stop', 'Stop'], ['reboot', 'Reboot'], ['suspend', 'Suspend'], ['resume', 'Resume'], ['delete', 'Delete']];
const ASK = {
  stop: (n) => [`Stop these ${n} VMs? Their guests are powered off and anything not saved is lost.`, `Stop ${n} VMs`],
  reboot: (n) => [`Reboot these ${n} VMs? Their guests restart at once.`, `Reboot ${n} VMs`],
  delete: (n) => [`Delete these ${n} VMs? Their disks are removed and this cannot be undone.`, `Delete ${n} VMs`],
};

/** `vms`: the list's Map id → VmDto (the page keeps it current); `onUpdated(vm)`: a VM the server answered with;
 *  `describe(vm)`: how the confirmation and the results name a VM (the admin list adds the owner); `allLabel`: the
 *  "Select all" box's label (a paged list selects the VMs it shows).
 *  Returns the toolbar, the results panel, the header and row cells, and sync() to call after every redraw. */
export function vmBulk({ vms, onUpdated, describe = (vm) => vm.name, allLabel = 'Select all' }) {
  const selected = new Set();
  const count = h('span', { id: 'bulk-count', 'aria-live': 'polite' }, 'None selected.');
  const all = h('input', { type: 'checkbox', id: 'bulk-all', class: 'checkbox' });
  const buttons = ACTIONS.map(([action, label]) => h('button', {
    type: 'button', class: action === 'delete' ? 'secondary danger-text' : 'secondary', id: `bulk-${action}`, disabled: true,
    onclick: () => run(action, label),
  }, `${label} selected`));
  const clear = h('button', { type: 'button', class: 'secondary', id: 'bulk-clear', disabled: true, onclick: () => { selected.clear(); sync(); } }, 'Clear');
  const bar = h('div', { class: 'bulk-bar panel', role: 'group', 'aria-label': 'Selected VMs', id: 'bulk-bar' },
    h('div', { class: 'check' }, all, h('label', { for: 'bulk-all' }, allLabel)), count, h('div', { class: 'actions' }, ...buttons, clear));
  const results = h('section', { id: 'bulk-results', class: 'panel', hidden: true, 'aria-labelledby': 'bulk-results-h' });

  all.addEventListener('change', () => {
    if (all.checked) for (const id of vms.keys()) selected.add(id); else selected.clear();
    sync();
  });

  const headerCell = () => h('th', { scope: 'col', class: 'select-cell' }, h('span', { class: 'visually-hidden' }, 'Select'));
  const cell = (vm) => h('td', { 'data-label': 'Select', class: 'select-cell' },
    h('input', { type: 'checkbox', class: 'checkbox', id: `select-${vm.id}`, 'aria-label': `Select ${vm.name}`, checked: selected.has(vm.id),
      onchange: (e) => { if (e.currentTarget.checked) selected.add(vm.id); else selected.delete(vm.id); sync(); } }));

  /** Forgets VMs no longer listed and brings the toolbar up to date with the selection. */
  function sync() {
    for (const id of selected) if (!vms.has(id)) selected.delete(id);
    const n = selected.size;
    count.textContent = n === 0 ? 'None selected.' : `${n} of ${vms.size} selected.`;
    all.checked = n > 0 && n === vms.size;
    all.indeterminate = n > 0 && n < vms.size;
    for (const b of buttons) b.disabled = n === 0;
    clear.disabled = n === 0;
    for (const box of document.querySelectorAll('input[id^="select-"]')) box.checked = selected.has(box.id.slice('select-'.length));
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
    sync();
    show(label, answer, byId);
  }

  function show(label, answer, byId) {
    const heading = h('h2', { id: 'bulk-results-h', tabindex: '-1' },
      `${label}: ${answer.succeeded} of ${answer.results.length} accepted${answer.failed ? `, ${answer.failed} refused` : ''}`);
    results.replaceChildren(heading,
      h('ul', { class: 'plain bulk-list' }, ...answer.results.map((r) => {
        const vm = byId.get(r.vm);
        const name = vm ? describe(vm) : r.vm;
        return h('li', { 'data-result': name, class: r.ok ? 'ok' : 'error' },
          vm ? h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, name) : name, ': ',
          r.ok ? 'accepted' : `refused — ${r.message ?? `HTTP ${r.status}`}`);
      })),
      h('div', { class: 'actions' },
        h('a', { href: '#/tasks' }, 'Follow in Tasks'),
        h('button', { type: 'button', class: 'secondary', id: 'bulk-results-close', onclick: () => { results.hidden = true; all.focus(); } }, 'Dismiss')));
    results.hidden = false;
    heading.focus();
  }

  return { bar, results, headerCell, cell, sync };
}
