// #/vms/:id — one VM: properties (live), lifecycle actions, the console link (running VMs), disk actions (fork, snapshot,
// revert) and the lease.
// The server decides who may see it: another user's VM answers 404, and the page says "not found".
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, bytes, percent, dateTime, stateBadge, toast, tasksLink, confirmDialog, promptDialog } from '../ui.js';
import { actionsFor, runAction, uptime, lease } from './vms.js';

export default async function render(root, ctx) {
  const id = ctx.params.id;
  let vm;
  try {
    vm = await api.get(`/vms/${seg(id)}`);
  } catch (e) {
    root.append(h('h1', {}, 'VM not found'),
      h('p', { class: 'error', role: 'alert', id: 'vm-error' }, e.status === 404 ? `There is no VM '${id}' that you can see.` : e.message),
      h('p', {}, h('a', { href: '#/vms' }, 'Back to my VMs')));
    return undefined;
  }

  const title = h('h1', {}, vm.name);
  const props = h('dl', { class: 'props', id: 'vm-props' });
  const actions = h('div', { class: 'actions', id: 'vm-actions' });
  const snapshots = h('div', { id: 'vm-snapshots' });
  const message = h('p', { role: 'status', id: 'vm-message' });
  root.append(
    h('p', {}, h('a', { href: '#/vms' }, '← My VMs')),
    title, props,
    h('h2', {}, 'Actions'), actions, message,
    h('h2', {}, 'Snapshots'), snapshots);

  const say = (text, bad = false) => { message.className = bad ? 'error' : 'ok'; message.textContent = text; };
  const run = async (label, fn) => {
    try { const r = await fn(); if (r) say(r); } catch (e) { say(`${label}: ${e.message}`, true); }
  };

  const draw = () => {
    // A live update redraws the properties and the buttons; the keyboard user's focus stays on the same button.
    const focusedId = root.contains(document.activeElement) ? document.activeElement.id : '';
    const rows = [
      ['State', h('span', {}, stateBadge(vm.state), vm.spec !== vm.state ? h('span', { class: 'muted' }, ` → ${vm.spec}`) : null)],
      ['Why', vm.statusReason ?? '—'],
      ['Owner', vm.owner],
      ['Geometry', `${vm.cores} vCPU · ${bytes(vm.memoryBytes)} memory · ${bytes(vm.diskBytes)} disk`],
      ['Image', vm.image],
      ['Host', vm.host ?? '—'],
      ['Uptime', uptime(vm)],
      ['CPU', vm.state === 'Running' ? percent(vm.cpuLoad) : '—'],
      ['Lease', vm.leaseExpiresAt ? `${dateTime(vm.leaseExpiresAt)} (${lease(vm)})` : 'none'],
      ['Tags', vm.tags?.length ? vm.tags.join(', ') : '—'],
      ['Created', dateTime(vm.createdAt)],
    ];
    props.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-prop': k.toLowerCase() }, v)]));
    actions.replaceChildren(
      ...actionsFor(vm).map(([a, label]) => h('button', { type: 'button', class: a === 'delete' ? 'danger' : '', id: `action-${a}`,
        onclick: async () => {
          const u = await runAction(vm, a);
          if (u) { vm = u; draw(); if (a === 'delete') say(`${vm.name} is being deleted.`); }
        } }, label)),
      vm.state === 'Running' ? h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/console`, class: 'button-link', id: 'action-console' }, 'Console') : null,
      h('button', { type: 'button', class: 'secondary', id: 'action-fork', onclick: fork }, 'Fork'),
      h('button', { type: 'button', class: 'secondary', id: 'action-snapshot', onclick: snapshot }, 'Snapshot'),
      h('button', { type: 'button', class: 'secondary', id: 'action-extend', onclick: extend }, 'Extend lease by 7 days'));
    if (focusedId && document.activeElement?.id !== focusedId) document.getElementById(focusedId)?.focus();
  };

  async function fork() {
    const name = await promptDialog(`Fork ${vm.name}: a new VM from a copy of its disk.`, { label: 'New VM name', value: `${vm.name}-fork`, confirmLabel: 'Fork' });
    if (!name) return;
    await run('Fork', async () => {
      const copy = await api.post(`/vms/${seg(vm.id)}/fork`, { name });
      toast(`Forked into ${copy.name}.`, { link: tasksLink(copy) });
      ctx.navigate(`/vms/${encodeURIComponent(copy.id)}`);
      return null;
    });
  }
  async function snapshot() {
    const name = await promptDialog(`Snapshot ${vm.name}'s disk.`, { label: 'Snapshot name', confirmLabel: 'Snapshot' });
    if (!name) return;
    await run('Snapshot', async () => { await api.post(`/vms/${seg(vm.id)}/snapshots`, { name }); await loadSnapshots(); return `Snapshot ${name} taken.`; });
  }
  async function revert(name) {
    if (!(await confirmDialog(`Revert ${vm.name} to snapshot ${name}? Changes since then are lost.`, { confirmLabel: 'Revert', danger: true }))) return;
    await run('Revert', async () => { await api.post(`/vms/${seg(vm.id)}/snapshots/${seg(name)}/revert`); await loadSnapshots(); return `Reverted to ${name}.`; });
  }
  async function extend() {
    await run('Extend lease', async () => {
      try {
        const r = await api.post(`/vms/${seg(vm.id)}/lease`, { extendBy: '7d' });
        if (r?.leaseExpiresAt) { vm = { ...vm, leaseExpiresAt: r.leaseExpiresAt }; draw(); }
        return 'Lease extended by 7 days.';
      } catch (e) {
        if (e.status === 404 && e.message.startsWith('Route ')) throw new Error('this server cannot extend leases yet (no lease API).');
        throw e;
      }
    });
  }
  async function loadSnapshots() {
    try {
      const tree = await api.get(`/vms/${seg(vm.id)}/snapshots`);
      const list = tree.snapshots ?? [];
      snapshots.replaceChildren(list.length === 0 ? h('p', { class: 'muted' }, 'No snapshots yet.')
        : h('ul', {}, ...list.map((s) => h('li', {}, `${s.name} (${dateTime(s.createdAt)}) `,
          h('button', { type: 'button', class: 'secondary', 'aria-label': `Revert to ${s.name}`, onclick: () => revert(s.name) }, 'Revert')))));
    } catch (e) {
      snapshots.replaceChildren(h('p', { class: 'muted' }, `Snapshots unavailable: ${e.message}`));
    }
  }

  draw();
  loadSnapshots();
  const tick = setInterval(draw, 30000);
  const stop = live.watch({
    vm: (v) => { if (v.id === vm.id) { vm = v; draw(); } },
    'vm-deleted': (d) => { if (d.id === vm.id) { say(`${vm.name} has been deleted.`); actions.replaceChildren(h('a', { href: '#/vms' }, 'Back to my VMs')); } },
  }, async () => { vm = await api.get(`/vms/${seg(vm.id)}`); draw(); });
  return () => { stop(); clearInterval(tick); };
}
