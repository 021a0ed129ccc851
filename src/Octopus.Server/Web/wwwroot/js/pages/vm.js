// #/vms/:id — one VM: properties (live), lifecycle actions, the console link (running VMs), graphs of its CPU, memory,
// disk and network over 1 h / 24 h / 7 d (vm-graphs.js), disk actions (fork, snapshot, revert), the lease, and its
// network (NICs, ssh line, security rules: vm-network.js).
// The server decides who may see it: another user's VM answers 404, and the page says "not found".
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, bytes, percent, dateTime, stateBadge, toast, tasksLink, confirmDialog, formDialog, GiB, MiB } from '../ui.js';
import { actionsFor, runAction, uptime, lease } from './vms.js';
import { nicSection, ruleSection } from './vm-network.js';
import { graphSection } from './vm-graphs.js';

// The server's name rules (Octopus.Domain VmName, Octopus.Disks SnapshotName), checked before a dialog closes.
const VM_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const checkVmName = (v) => (!v ? 'Enter a name.' : VM_NAME.test(v) ? '' : 'Use 1–63 lower-case letters, digits or dashes, starting with a letter (e.g. web-2).');
const checkSnapshotName = (v) => (!v ? 'Enter a name.' : SNAPSHOT_NAME.test(v) ? ''
  : 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. before-upgrade).');
const checkSize = (v) => (Number.isFinite(+v) && +v > 0 && v !== '' ? '' : 'Enter a size in GiB greater than 0 (e.g. 0.5 or 20).');
const checkCores = (v) => (Number.isInteger(+v) && +v >= 1 && v !== '' ? '' : 'Enter a whole number of cores, 1 or more.');
const toBytes = (gib) => Math.round((+gib * GiB) / MiB) * MiB;

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
  // Back to the list the VM is in: the caller's own ("My VMs"), or for an admin on another user's VM, "All VMs".
  const back = vm.owner === ctx.me.username ? h('a', { href: '#/vms', id: 'vm-back' }, '← My VMs')
    : ctx.me.role === 'admin' ? h('a', { href: `#/admin/vms?owner=${encodeURIComponent(vm.owner)}`, id: 'vm-back' }, `← All VMs of ${vm.owner}`) : null;
  const nics = nicSection(vm);
  const rules = await ruleSection(vm);
  const graphs = graphSection(vm);
  root.append(
    back ? h('p', {}, back) : null,
    title, props,
    h('h2', {}, 'Actions'), actions, message,
    graphs.section,
    h('h2', {}, 'Snapshots'), snapshots,
    nics.section, rules.section);

  const say = (text, bad = false) => { message.className = bad ? 'error' : 'ok'; message.textContent = text; };
  const run = async (label, fn) => {
    try { const r = await fn(); if (r) say(r); } catch (e) { say(`${label}: ${e.message}`, true); }
  };

  const draw = () => {
    // A live update redraws the properties and the buttons; the keyboard user's focus stays on the same button.
    const focusedId = root.contains(document.activeElement) ? document.activeElement.id : '';
    const rows = [
      ['State', h('span', {}, stateBadge(vm.state), vm.spec !== vm.state ? h('span', { class: 'muted' }, ` → ${vm.spec}`) : null)],
      vm.statusReason ? ['Why', vm.statusReason] : null,
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
    props.replaceChildren(...rows.filter(Boolean).flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-prop': k.toLowerCase() }, v)]));
    // replaceChildren (unlike h) would show a null as the text "null": the buttons not offered are filtered out.
    actions.replaceChildren(...[
      ...actionsFor(vm).map(([a, label]) => h('button', { type: 'button', class: a === 'delete' ? 'danger' : '', id: `action-${a}`,
        onclick: async () => {
          const u = await runAction(vm, a);
          if (u) { vm = u; draw(); if (a === 'delete') say(`${vm.name} is being deleted.`); }
        } }, label)),
      vm.state === 'Running' ? h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/console`, class: 'button-link', id: 'action-console' }, 'Console') : null,
      vm.state === 'Running' ? h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/console?kind=vnc`, class: 'button-link', id: 'action-screen' }, 'Screen') : null,
      h('button', { type: 'button', class: 'secondary', id: 'action-fork', onclick: fork }, 'Fork'),
      h('button', { type: 'button', class: 'secondary', id: 'action-snapshot', onclick: snapshot }, 'Snapshot'),
      // Only a VM that has a lease can have it extended: on one without, "extend" would create an expiry a lease policy acts on.
      vm.leaseExpiresAt ? h('button', { type: 'button', class: 'secondary', id: 'action-extend', onclick: extend }, 'Extend lease by 7 days') : null,
    ].filter(Boolean));
    drawSnapshots();
    nics.update(vm);
    rules.update(vm);
    if (focusedId && document.activeElement?.id !== focusedId) document.getElementById(focusedId)?.focus();
  };

  async function fork() {
    const num = (value, step) => h('input', { type: 'number', min: step, step, value, required: true, inputmode: 'decimal' });
    const copy = await formDialog(`Fork ${vm.name}: a new VM from a copy of its disk. Sizes start as ${vm.name}'s; change them if you like.`, {
      confirmLabel: 'Fork',
      fields: [
        { id: 'fork-name', name: 'name', label: 'New VM name', check: checkVmName, hint: 'Lower-case letters, digits and dashes; starts with a letter.',
          input: h('input', { value: `${vm.name}-fork`, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', maxlength: 63 }) },
        { id: 'fork-cores', name: 'cores', label: 'vCPU cores', check: checkCores, input: h('input', { type: 'number', min: 1, step: 1, value: vm.cores, inputmode: 'numeric' }) },
        { id: 'fork-memory', name: 'memory', serverField: 'memoryBytes', label: 'Memory (GiB)', check: checkSize, input: num(+(vm.memoryBytes / GiB).toFixed(4), 0.0625) },
        { id: 'fork-disk', name: 'disk', serverField: 'diskBytes', label: 'Disk (GiB)', check: checkSize, input: num(+(vm.diskBytes / GiB).toFixed(4), 0.0625) },
      ],
      submit: (v) => api.post(`/vms/${seg(vm.id)}/fork`, { name: v.name, cores: +v.cores, memoryBytes: toBytes(v.memory), diskBytes: toBytes(v.disk) }),
    });
    if (!copy) return;
    toast(`Forked into ${copy.name}.`, { link: tasksLink(copy) });
    ctx.navigate(`/vms/${encodeURIComponent(copy.id)}`);
  }
  async function snapshot() {
    const name = await formDialog(`Snapshot ${vm.name}'s disk.`, {
      confirmLabel: 'Snapshot',
      fields: [{ id: 'snapshot-name', name: 'name', label: 'Snapshot name', check: checkSnapshotName,
        hint: 'Letters, digits, ".", "_" and "-"; starts with a letter or digit.', input: h('input', { autocomplete: 'off', spellcheck: 'false', maxlength: 63 }) }],
      submit: async (v) => { await api.post(`/vms/${seg(vm.id)}/snapshots`, { name: v.name }); return v.name; },
    });
    if (!name) return;
    await loadSnapshots();
    say(`Snapshot ${name} taken.`);
  }
  // A stopped VM is reverted at once; a running one by the server's single "stop, revert, start" operation, which the
  // confirmation names. Other states (between states, suspended, failed) offer no revert and say why.
  async function revert(name) {
    const restart = vm.state === 'Running';
    const question = restart
      ? `Stop ${vm.name}, revert it to snapshot ${name} and start it again? It is shut down first; changes since the snapshot are lost.`
      : `Revert ${vm.name} to snapshot ${name}? Changes since then are lost.`;
    if (!(await confirmDialog(question, { confirmLabel: restart ? 'Stop, revert and start' : 'Revert', danger: true }))) return;
    if (restart) say(`Stopping ${vm.name}, reverting it to ${name} and starting it again…`);
    await run(restart ? 'Stop, revert and start' : 'Revert', async () => {
      const disk = await api.post(`/vms/${seg(vm.id)}/snapshots/${seg(name)}/revert`, restart ? { restart: true } : undefined);
      await loadSnapshots();
      if (restart && !disk) return `${vm.name} is still being stopped, reverted to ${name} and started; see Tasks.`;
      return restart ? `Reverted to ${name}; ${vm.name} is running again.` : `Reverted to ${name}.`;
    });
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
  let snapshotList = null; // null until loaded; a string when they could not be read
  // Revert replaces the disk: a stopped VM is reverted as it is, a running one is stopped, reverted and started again
  // by one server operation (the button and its confirmation say so); in any other state the page says why not.
  function drawSnapshots() {
    if (snapshotList === null) return;
    if (typeof snapshotList === 'string') { snapshots.replaceChildren(h('p', { class: 'muted' }, `Snapshots unavailable: ${snapshotList}`)); return; }
    if (snapshotList.length === 0) { snapshots.replaceChildren(h('p', { class: 'muted' }, 'No snapshots yet.')); return; }
    const restart = vm.state === 'Running';
    const canRevert = restart || vm.state === 'Stopped';
    const label = restart ? 'Stop, revert and start' : 'Revert';
    snapshots.replaceChildren(...[
      canRevert ? null : h('p', { class: 'muted small', id: 'revert-note' },
        `${vm.name} is ${vm.state}: a snapshot can be reverted to when it is running (it is stopped, reverted and started again) or stopped.`),
      h('ul', {}, ...snapshotList.map((s) => h('li', {}, `${s.name} (${dateTime(s.createdAt)}) `,
        canRevert ? h('button', { type: 'button', class: 'secondary', id: `revert-${s.name}`, 'aria-label': `${label}: ${s.name}`, onclick: () => revert(s.name) }, label) : null))),
    ].filter(Boolean));
  }
  async function loadSnapshots() {
    try {
      const tree = await api.get(`/vms/${seg(vm.id)}/snapshots`);
      snapshotList = tree.snapshots ?? [];
    } catch (e) {
      snapshotList = e.message;
    }
    drawSnapshots();
  }

  draw();
  loadSnapshots();
  const tick = setInterval(draw, 30000);
  const stop = live.watch({
    vm: (v) => { if (v.id === vm.id) { vm = v; draw(); } },
    'vm-deleted': (d) => { if (d.id === vm.id) { say(`${vm.name} has been deleted.`); actions.replaceChildren(h('a', { href: '#/vms' }, 'Back to my VMs')); } },
  }, async () => { vm = await api.get(`/vms/${seg(vm.id)}`); draw(); });
  return () => { stop(); clearInterval(tick); rules.dispose(); graphs.dispose(); };
}
