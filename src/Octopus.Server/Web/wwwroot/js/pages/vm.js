// #/vms/:id — one VM: properties (live), lifecycle actions, the console link (running VMs), graphs of its CPU, memory,
// disk and network over 1 h / 24 h / 7 d (vm-graphs.js), disk actions (fork, snapshot, revert), the lease, and its
// network (NICs, ssh line, security rules: vm-network.js).
// The server decides who may see it: another user's VM answers 404, and the page says "not found".
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, t, stateLabel, bytes, percent, dateTime, stateBadge, toast, tasksLink, confirmDialog, formDialog, GiB, MiB } from '../ui.js';
import { actionsFor, runAction, uptime, lease } from './vms.js';
import { nicSection, ruleSection } from './vm-network.js';
import { graphSection } from './vm-graphs.js';

// The server's name rules (Octopus.Domain VmName, Octopus.Disks SnapshotName), checked before a dialog closes.
const VM_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const checkVmName = (v) => (!v ? t('check.nameEmpty') : VM_NAME.test(v) ? '' : t('check.vmName', { example: 'web-2' }));
const checkSnapshotName = (v) => (!v ? t('check.nameEmpty') : SNAPSHOT_NAME.test(v) ? '' : t('check.snapshotName'));
const checkSize = (v) => (Number.isFinite(+v) && +v > 0 && v !== '' ? '' : t('check.size'));
const checkCores = (v) => (Number.isInteger(+v) && +v >= 1 && v !== '' ? '' : t('check.cores'));
const toBytes = (gib) => Math.round((+gib * GiB) / MiB) * MiB;

export default async function render(root, ctx) {
  const id = ctx.params.id;
  let vm;
  try {
    vm = await api.get(`/vms/${seg(id)}`);
  } catch (e) {
    root.append(h('h1', {}, t('vm.notFound')),
      h('p', { class: 'error', role: 'alert', id: 'vm-error' }, e.status === 404 ? t('vm.notFoundText', { name: id }) : e.message),
      h('p', {}, h('a', { href: '#/vms' }, t('vm.backToMine'))));
    return undefined;
  }

  const title = h('h1', {}, vm.name);
  const props = h('dl', { class: 'props', id: 'vm-props' });
  const actions = h('div', { class: 'actions', id: 'vm-actions' });
  const snapshots = h('div', { id: 'vm-snapshots' });
  const message = h('p', { role: 'status', id: 'vm-message' });
  // Back to the list the VM is in: the caller's own ("My VMs"), or for an admin on another user's VM, "All VMs".
  const back = vm.owner === ctx.me.username ? h('a', { href: '#/vms', id: 'vm-back' }, t('vm.back'))
    : ctx.me.role === 'admin' ? h('a', { href: `#/admin/vms?owner=${encodeURIComponent(vm.owner)}`, id: 'vm-back' }, t('vm.backAll', { owner: vm.owner })) : null;
  const nics = nicSection(vm);
  const rules = await ruleSection(vm);
  const graphs = graphSection(vm);
  root.append(
    ...(back ? [h('p', {}, back)] : []), // append(null) would show the text "null"
    title, props,
    h('h2', {}, t('vm.actions')), actions, message,
    graphs.section,
    h('h2', {}, t('vm.snapshots')), snapshots,
    nics.section, rules.section);

  const say = (text, bad = false) => { message.className = bad ? 'error' : 'ok'; message.textContent = text; };
  const run = async (label, fn) => {
    try { const r = await fn(); if (r) say(r); } catch (e) { say(`${label}: ${e.message}`, true); }
  };

  const draw = () => {
    // A live update redraws the properties and the buttons; the keyboard user's focus stays on the same button.
    const focusedId = root.contains(document.activeElement) ? document.activeElement.id : '';
    // [data-prop key, value]: the key stays English (tests and styles find a property by it); the label is translated.
    const rows = [
      ['state', h('span', {}, stateBadge(vm.state), vm.spec !== vm.state ? h('span', { class: 'muted' }, ` → ${stateLabel(vm.spec)}`) : null)],
      vm.statusReason ? ['why', vm.statusReason] : null,
      ['owner', vm.owner],
      ['geometry', t('vm.geometryLong', { cores: vm.cores, memory: bytes(vm.memoryBytes), disk: bytes(vm.diskBytes) })],
      ['image', vm.image],
      ['host', vm.host ?? '—'],
      ['uptime', uptime(vm)],
      ['cpu', vm.state === 'Running' ? percent(vm.cpuLoad) : '—'],
      ['lease', vm.leaseExpiresAt ? `${dateTime(vm.leaseExpiresAt)} (${lease(vm)})` : t('vm.lease.none')],
      ['tags', vm.tags?.length ? vm.tags.join(', ') : '—'],
      ['created', dateTime(vm.createdAt)],
    ];
    props.replaceChildren(...rows.filter(Boolean).flatMap(([k, v]) => [h('dt', {}, t(`vm.prop.${k}`)), h('dd', { 'data-prop': k }, v)]));
    // replaceChildren (unlike h) would show a null as the text "null": the buttons not offered are filtered out.
    actions.replaceChildren(...[
      ...actionsFor(vm).map(([a, label]) => h('button', { type: 'button', class: a === 'delete' ? 'danger' : '', id: `action-${a}`,
        onclick: async () => {
          const u = await runAction(vm, a);
          if (u) { vm = u; draw(); if (a === 'delete') say(t('vm.beingDeleted', { name: vm.name })); }
        } }, label)),
      vm.state === 'Running' ? h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/console`, class: 'button-link', id: 'action-console' }, t('vm.console')) : null,
      vm.state === 'Running' ? h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/console?kind=vnc`, class: 'button-link', id: 'action-screen' }, t('vm.screen')) : null,
      h('button', { type: 'button', class: 'secondary', id: 'action-fork', onclick: fork }, t('vm.fork')),
      h('button', { type: 'button', class: 'secondary', id: 'action-snapshot', onclick: snapshot }, t('vm.snapshot')),
      // Only a VM that has a lease can have it extended: on one without, "extend" would create an expiry a lease policy acts on.
      vm.leaseExpiresAt ? h('button', { type: 'button', class: 'secondary', id: 'action-extend', onclick: extend }, t('vm.extend')) : null,
    ].filter(Boolean));
    drawSnapshots();
    nics.update(vm);
    rules.update(vm);
    if (focusedId && document.activeElement?.id !== focusedId) document.getElementById(focusedId)?.focus();
  };

  async function fork() {
    const num = (value, step) => h('input', { type: 'number', min: step, step, value, required: true, inputmode: 'decimal' });
    const copy = await formDialog(t('vm.forkQuestion', { name: vm.name }), {
      confirmLabel: t('vm.fork'),
      fields: [
        { id: 'fork-name', name: 'name', label: t('vm.forkName'), check: checkVmName, hint: t('hint.vmName'),
          input: h('input', { value: `${vm.name}-fork`, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', maxlength: 63 }) },
        { id: 'fork-cores', name: 'cores', label: t('field.cores'), check: checkCores, input: h('input', { type: 'number', min: 1, step: 1, value: vm.cores, inputmode: 'numeric' }) },
        { id: 'fork-memory', name: 'memory', serverField: 'memoryBytes', label: t('field.memory'), check: checkSize, input: num(+(vm.memoryBytes / GiB).toFixed(4), 0.0625) },
        { id: 'fork-disk', name: 'disk', serverField: 'diskBytes', label: t('field.disk'), check: checkSize, input: num(+(vm.diskBytes / GiB).toFixed(4), 0.0625) },
      ],
      submit: (v) => api.post(`/vms/${seg(vm.id)}/fork`, { name: v.name, cores: +v.cores, memoryBytes: toBytes(v.memory), diskBytes: toBytes(v.disk) }),
    });
    if (!copy) return;
    toast(t('vm.forked', { name: copy.name }), { link: tasksLink(copy) });
    ctx.navigate(`/vms/${encodeURIComponent(copy.id)}`);
  }
  async function snapshot() {
    const name = await formDialog(t('vm.snapshotQuestion', { name: vm.name }), {
      confirmLabel: t('vm.snapshot'),
      fields: [{ id: 'snapshot-name', name: 'name', label: t('vm.snapshotName'), check: checkSnapshotName,
        hint: t('hint.snapshotName'), input: h('input', { autocomplete: 'off', spellcheck: 'false', maxlength: 63 }) }],
      submit: async (v) => { await api.post(`/vms/${seg(vm.id)}/snapshots`, { name: v.name }); return v.name; },
    });
    if (!name) return;
    await loadSnapshots();
    say(t('vm.snapshotTaken', { name }));
  }
  // A stopped VM is reverted at once; a running one by the server's single "stop, revert, start" operation, which the
  // confirmation names. Other states (between states, suspended, failed) offer no revert and say why.
  async function revert(name) {
    const restart = vm.state === 'Running';
    const question = t(restart ? 'vm.revertRunningQuestion' : 'vm.revertQuestion', { name: vm.name, snapshot: name });
    const label = t(restart ? 'vm.stopRevertStart' : 'vm.revert');
    if (!(await confirmDialog(question, { confirmLabel: label, danger: true }))) return;
    if (restart) say(t('vm.reverting', { name: vm.name, snapshot: name }));
    await run(label, async () => {
      const disk = await api.post(`/vms/${seg(vm.id)}/snapshots/${seg(name)}/revert`, restart ? { restart: true } : undefined);
      await loadSnapshots();
      if (restart && !disk) return t('vm.revertStill', { name: vm.name, snapshot: name });
      return t(restart ? 'vm.revertedRunning' : 'vm.reverted', { name: vm.name, snapshot: name });
    });
  }
  async function extend() {
    await run(t('vm.extendLease'), async () => {
      try {
        const r = await api.post(`/vms/${seg(vm.id)}/lease`, { extendBy: '7d' });
        if (r?.leaseExpiresAt) { vm = { ...vm, leaseExpiresAt: r.leaseExpiresAt }; draw(); }
        return t('vm.extended');
      } catch (e) {
        if (e.status === 404 && e.message.startsWith('Route ')) throw new Error(t('vm.noLeaseApi'));
        throw e;
      }
    });
  }
  let snapshotList = null; // null until loaded; a string when they could not be read
  // Revert replaces the disk: a stopped VM is reverted as it is, a running one is stopped, reverted and started again
  // by one server operation (the button and its confirmation say so); in any other state the page says why not.
  function drawSnapshots() {
    if (snapshotList === null) return;
    if (typeof snapshotList === 'string') { snapshots.replaceChildren(h('p', { class: 'muted' }, t('vm.snapshotsUnavailable', { reason: snapshotList }))); return; }
    if (snapshotList.length === 0) { snapshots.replaceChildren(h('p', { class: 'muted' }, t('vm.noSnapshots'))); return; }
    const restart = vm.state === 'Running';
    const canRevert = restart || vm.state === 'Stopped';
    const label = t(restart ? 'vm.stopRevertStart' : 'vm.revert');
    snapshots.replaceChildren(...[
      canRevert ? null : h('p', { class: 'muted small', id: 'revert-note' },
        t('vm.revertNote', { name: vm.name, state: stateLabel(vm.state) })),
      h('ul', {}, ...snapshotList.map((s) => h('li', {}, `${s.name} (${dateTime(s.createdAt, { seconds: true })}) `,
        canRevert ? h('button', { type: 'button', class: 'secondary', id: `revert-${s.name}`, 'aria-label': t('vm.revertLabel', { action: label, snapshot: s.name }), onclick: () => revert(s.name) }, label) : null))),
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
    'vm-deleted': (d) => { if (d.id === vm.id) { say(t('vm.deleted', { name: vm.name })); actions.replaceChildren(h('a', { href: '#/vms' }, t('vm.backToMine'))); } },
  }, async () => { vm = await api.get(`/vms/${seg(vm.id)}`); draw(); });
  return () => { stop(); clearInterval(tick); rules.dispose(); graphs.dispose(); };
}
