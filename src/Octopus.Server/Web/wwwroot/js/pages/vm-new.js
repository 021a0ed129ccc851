// #/vms/new — create a VM: image from the API, any geometry within the caller's quota. Each field says at once
// what is wrong (name rules, hard limits, what the quota has left); the server's problem `field` lands on the
// matching input. Networks the caller may use (GET /networks) and the SSH keys of their profile (GET /me/ssh-keys) are
// offered as checkboxes (issue 13). After submit, shows the VM's progress until it runs, or the reason it waits.
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, t, field, bytes, GiB, MiB, stateBadge } from '../ui.js';
import { number } from '../i18n.js';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const MAX_CORES = 1024;
const MIN_BYTES = 64 * MiB;
// The server's field names (problem `field`) → the form's inputs.
const SERVER_FIELDS = { name: 'vm-name', image: 'vm-image', cores: 'vm-cores', memoryBytes: 'vm-memory', diskBytes: 'vm-disk', leaseExpiresAt: 'vm-lease' };

export default async function render(root, ctx) {
  const me = await ctx.reloadMe() ?? ctx.me;
  const [images, networks, keys] = await Promise.all([api.get('/images'),
    api.get('/networks').catch(() => []), api.get('/me/ssh-keys').catch(() => [])]);
  const left = (max, used) => (max == null ? null : Math.max(0, max - used));
  const quota = me.quota, usage = me.usage;
  const room = {
    cores: left(quota.maxCores, usage.cores), memory: left(quota.maxMemoryBytes, usage.memoryBytes),
    disk: left(quota.maxDiskBytes, usage.diskBytes), vms: left(quota.maxVms, usage.vms),
  };
  const roomText = (n, fmt) => (n == null ? t('new.noQuota') : t('new.quotaLeft', { left: fmt(n) }));

  const f = {
    name: field('vm-name', t('field.name'), h('input', { required: true, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', maxlength: 63 }),
      t('hint.vmName')),
    image: field('vm-image', t('field.image'), h('select', { required: true }, ...images.map((i) => h('option', { value: i.name }, `${i.name} (${bytes(i.sizeBytes)})`)))),
    cores: field('vm-cores', t('field.cores'), h('input', { type: 'number', min: 1, step: 1, value: 2, required: true, inputmode: 'numeric' }),
      roomText(room.cores, (n) => t('new.cores', { n: number(n) }))),
    memory: field('vm-memory', t('field.memory'), h('input', { type: 'number', min: 0.0625, step: 0.0625, value: 4, required: true, inputmode: 'decimal' }),
      roomText(room.memory, bytes)),
    disk: field('vm-disk', t('field.disk'), h('input', { type: 'number', min: 0.0625, step: 0.0625, value: 20, required: true, inputmode: 'decimal' }),
      roomText(room.disk, bytes)),
    lease: field('vm-lease', t('field.lease'), h('input', { type: 'datetime-local' }), t('hint.lease')),
  };
  const byId = Object.fromEntries(Object.values(f).map((x) => [x.input.id, x]));

  // Networks and keys: checkbox groups with one error slot each (the server's field 'networks' or 'sshKeys').
  const choices = (id, legend, items, hint, empty) => {
    const error = h('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
    const boxes = items.map(([value, label, checked], i) => {
      const input = h('input', { type: 'checkbox', class: 'checkbox', id: `${id}-${i}`, value, checked });
      input.addEventListener('change', () => error.textContent = '');
      return { input, wrap: h('div', { class: 'check' }, input, h('label', { for: `${id}-${i}` }, label)) };
    });
    const wrap = h('fieldset', { id, 'aria-describedby': `${id}-hint ${id}-error` }, h('legend', {}, legend),
      ...(boxes.length ? boxes.map((b) => b.wrap) : [empty]), h('p', { class: 'hint', id: `${id}-hint` }, hint), error);
    return {
      wrap, values: () => boxes.filter((b) => b.input.checked).map((b) => b.input.value),
      setError: (msg) => { error.textContent = msg; if (msg) (boxes[0]?.input ?? wrap).focus(); },
    };
  };
  const nets = choices('vm-networks', t('new.networks'), networks.map((n) => [n.name, t('new.networkChoice', { name: n.name, subnet: n.subnet, free: number(n.free) }), false]),
    t('new.networksHint'), h('p', { class: 'muted' }, t('new.noNetworks')));
  const sshKeys = choices('vm-keys', t('new.keys'), keys.map((k) => [k.name, `${k.name} (${k.type}${k.comment ? `, ${k.comment}` : ''})`, true]),
    t('new.keysHint'),
    h('p', { class: 'muted' }, t('new.noKeys'), ' ', h('a', { href: '#/profile' }, t('new.addKey')), ' ', t('new.noKeysEnd')));
  const groups = { networks: nets, sshKeys };

  const checks = {
    name: (v) => (!v ? t('check.nameEmpty') : NAME.test(v) ? '' : t('check.vmName', { example: 'web-1' })),
    cores: (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) return t('check.cores');
      if (n > MAX_CORES) return t('check.maxCores', { n: number(MAX_CORES) });
      if (room.cores != null && n > room.cores) return t('check.coresQuota', { left: number(room.cores), used: number(usage.cores), max: number(quota.maxCores) });
      return '';
    },
    memory: (v) => sizeCheck(v, room.memory, quota.maxMemoryBytes, usage.memoryBytes, t('new.memory')),
    disk: (v) => sizeCheck(v, room.disk, quota.maxDiskBytes, usage.diskBytes, t('new.disk')),
    lease: (v) => (v && Date.parse(v) <= Date.now() ? t('check.leaseFuture') : ''),
    image: (v) => (v ? '' : t('check.image')),
  };
  function sizeCheck(v, roomBytes, max, used, what) {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n * GiB < MIN_BYTES) return t('check.minSize', { what, bytes: bytes(MIN_BYTES) });
    if (roomBytes != null && n * GiB > roomBytes) return t('check.sizeQuota', { what, left: bytes(roomBytes), used: bytes(used), max: bytes(max) });
    return '';
  }
  const validate = (key) => { const msg = checks[key](f[key].input.value.trim()); f[key].setError(msg); return !msg; };
  for (const key of Object.keys(f)) f[key].input.addEventListener('input', () => validate(key));

  const formError = h('p', { class: 'error', role: 'alert', id: 'create-error' });
  const submit = h('button', { type: 'submit', id: 'create-submit' }, t('nav.create'));
  const quotaNote = room.vms === 0 ? h('p', { class: 'error' }, t('new.vmQuota', { n: number(usage.vms) })) : null;
  const progress = h('section', { class: 'panel', id: 'create-progress', hidden: true, 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, id: 'create-form' },
    h('div', { class: 'grid' }, f.name.wrap, f.image.wrap, f.cores.wrap, f.memory.wrap, f.disk.wrap, f.lease.wrap),
    nets.wrap, sshKeys.wrap,
    h('div', { class: 'actions' }, submit, h('a', { href: '#/vms' }, t('common.cancel'))),
    formError);
  root.append(...[h('h1', {}, t('new.title')), quotaNote, form, progress].filter(Boolean));
  f.name.input.focus();

  let stopWatch = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    const ok = Object.keys(f).map(validate).every(Boolean);
    if (!ok) { form.querySelector('[aria-invalid="true"]')?.focus(); return; }
    const lease = f.lease.input.value;
    const body = {
      name: f.name.input.value.trim(), image: f.image.input.value, cores: Number(f.cores.input.value),
      memoryBytes: Math.round(Number(f.memory.input.value) * GiB), diskBytes: Math.round(Number(f.disk.input.value) * GiB),
      leaseExpiresAt: lease ? new Date(lease).toISOString() : undefined,
      networks: nets.values().length ? nets.values() : undefined,
      sshKeys: sshKeys.values().length ? sshKeys.values() : undefined,
    };
    for (const g of Object.values(groups)) g.setError('');
    submit.disabled = true;
    try {
      const vm = await api.post('/vms', body);
      form.hidden = true;
      stopWatch = follow(vm);
    } catch (err) {
      const target = err.field && byId[SERVER_FIELDS[err.field]];
      if (target) { target.setError(err.message); target.input.focus(); } else if (groups[err.field]) groups[err.field].setError(err.message);
      else formError.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });

  // Progress after submit: live state and the reason it waits, until Running (or Failed).
  function follow(vm) {
    progress.hidden = false;
    const draw = (v) => {
      const done = v.state === 'Running', failed = v.state === 'Failed';
      progress.replaceChildren(
        h('h2', {}, `${v.name}`),
        h('div', { class: 'progress' }, !done && !failed ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null,
          h('span', { id: 'create-state' }, stateBadge(v.state)), h('span', {}, done ? t('new.runningOn', { host: v.host }) : v.statusReason ?? t('new.waiting'))),
        h('p', {}, h('a', { href: `#/vms/${encodeURIComponent(v.id)}` }, t('new.open')), ' · ', h('a', { href: '#/vms' }, t('new.allMine'))));
    };
    draw(vm);
    const refresh = async () => draw(await api.get(`/vms/${seg(vm.id)}`));
    return live.watch({ vm: (v) => { if (v.id === vm.id) draw(v); } }, refresh, 2000);
  }

  return () => stopWatch?.();
}
