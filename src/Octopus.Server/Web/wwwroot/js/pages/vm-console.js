// #/vms/:id/console[?kind=vnc] — the VM's serial console (default) or its screen in the page: a ticket from
// POST /vms/{id}/console/ticket?kind=serial|vnc (owner or admin, VM running), then a WebSocket to the url it names on this
// same server. Serial: bytes from the guest are drawn by our small terminal (js/terminal.js), keys typed go back as text.
// Screen: noVNC (npm @novnc/novnc, served by the server under /vendor/novnc/) speaks RFB over the WebSocket and draws on a
// canvas; a VM whose host has no screen (the simulated driver) says so and links its serial console. A refused or ended
// connection says why and offers to reconnect.
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, t, stateBadge, stateLabel } from '../ui.js';
import { Terminal } from '../terminal.js';

/** Close codes the server uses to refuse a console (the reason says the rest): catalogue keys console.refused.CODE. */
const REFUSED = new Set([4400, 4401, 4403, 4404, 4409]);
/** What the status line says when a console's socket closes: refused (the code's word) or disconnected, with why. */
const closedText = (kind, code, why) => (REFUSED.has(code)
  ? t(`console.closed.${kind}`, { what: t(`console.refused.${code}`), why }) : t('console.disconnected', { why }));

/** Follows the VM while one of its consoles is open: keeps the toolbar's state badge current, offers to reconnect
 * when the VM is running again with nothing connected, and says so when it is deleted. Returns the stop function. */
function followVm(root, vm, connected, reconnect, say, changed) {
  return live.watch({
    vm: (v) => {
      if (v.id !== vm.id) return;
      const was = vm.state;
      vm = v;
      changed(v);
      root.querySelector('.toolbar .state')?.replaceWith(stateBadge(vm.state));
      if (was !== 'Running' && vm.state === 'Running' && !connected()) reconnect.hidden = false;
    },
    'vm-deleted': (d) => { if (d.id === vm.id) say(t('vm.deleted', { name: vm.name }), true); },
  }, async () => { vm = await api.get(`/vms/${seg(vm.id)}`); changed(vm); });
}

export default async function render(root, ctx) {
  const id = ctx.params.id;
  let vm;
  try {
    vm = await api.get(`/vms/${seg(id)}`);
  } catch (e) {
    root.append(h('h1', {}, t('vm.notFound')),
      h('p', { class: 'error', role: 'alert', id: 'console-error' }, e.status === 404 ? t('vm.notFoundText', { name: id }) : e.message),
      h('p', {}, h('a', { href: '#/vms' }, t('vm.backToMine'))));
    return undefined;
  }

  const screen = ctx.query.get('kind') === 'vnc';
  const base = `#/vms/${encodeURIComponent(vm.id)}/console`;
  const switcher = h('nav', { class: 'console-kinds', 'aria-label': t('console.kind') },
    h('a', { href: base, 'aria-current': screen ? null : 'page' }, t('console.serial')),
    h('a', { href: `${base}?kind=vnc`, 'aria-current': screen ? 'page' : null, id: 'console-screen-link' }, t('vm.screen')));
  if (screen) return renderScreen(root, vm, switcher);

  const status = h('p', { role: 'status', id: 'console-status', class: 'muted' });
  const reconnect = h('button', { type: 'button', class: 'secondary', id: 'console-reconnect', hidden: true, onclick: () => connect() }, t('console.reconnect'));
  const term = new Terminal({ label: t('console.typeInto', { name: vm.name }), onData: (text) => { if (socket?.readyState === WebSocket.OPEN) socket.send(text); } });
  root.append(
    h('p', {}, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, `← ${vm.name}`)),
    h('h1', {}, t('console.title', { name: vm.name })),
    switcher,
    h('div', { class: 'toolbar' }, h('span', {}, `${t('console.serialTty')} · `, stateBadge(vm.state)), reconnect),
    status,
    term.element,
    h('p', { class: 'hint' }, t('console.serialHint')));

  let socket = null;
  let closedByUs = false;
  const say = (text, bad = false) => { status.className = bad ? 'error' : 'muted'; status.textContent = text; };

  async function connect() {
    reconnect.hidden = true;
    if (vm.state !== 'Running') {
      say(t('console.notRunning', { name: vm.name, state: stateLabel(vm.state) }), true);
      return;
    }
    say(t('console.connecting'));
    let ticket;
    try {
      ticket = await api.post(`/vms/${seg(vm.id)}/console/ticket`);
    } catch (e) {
      say(e.message, true);
      reconnect.hidden = false;
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}${ticket.url}`);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.addEventListener('open', () => {
      say(t('console.connected', { name: vm.name }));
      term.note('connected');
      term.focus();
    });
    ws.addEventListener('message', (e) => term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data)));
    ws.addEventListener('close', (e) => {
      if (socket !== ws) return;
      socket = null;
      if (closedByUs) return;
      const why = e.reason || (e.code === 1006 ? t('console.lost') : t('console.closedCode', { code: e.code }));
      say(closedText('console', e.code, why), e.code !== 1000);
      term.note(`disconnected: ${why}`);
      reconnect.hidden = false;
    });
  }

  const stop = followVm(root, vm, () => socket !== null, reconnect, say, (v) => { vm = v; });

  await connect();
  return () => {
    stop();
    closedByUs = true;
    socket?.close(1000, 'page closed');
    term.dispose();
  };
}

/** The VM's screen through noVNC. */
async function renderScreen(root, vm, switcher) {
  const status = h('p', { role: 'status', id: 'console-status', class: 'muted' });
  const reconnect = h('button', { type: 'button', class: 'secondary', id: 'console-reconnect', hidden: true, onclick: () => connect() }, t('console.reconnect'));
  const cad = h('button', { type: 'button', class: 'secondary', id: 'console-cad', disabled: true, onclick: () => rfb?.sendCtrlAltDel() }, t('console.cad'));
  const display = h('section', { class: 'vnc-screen', id: 'console-screen', 'aria-label': t('console.screenOf', { name: vm.name }) });
  const hint = h('p', { class: 'hint' }, t('console.screenHint'));
  root.append(
    h('p', {}, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, `← ${vm.name}`)),
    h('h1', {}, t('console.screenTitle', { name: vm.name })),
    switcher,
    h('div', { class: 'toolbar' }, h('span', {}, `${t('console.screenVnc')} · `, stateBadge(vm.state)), h('span', { class: 'actions' }, cad, reconnect)),
    status,
    display,
    hint);

  const say = (content, bad = false) => { status.className = bad ? 'error' : 'muted'; status.replaceChildren(...[].concat(content)); };
  let RFB;
  try {
    ({ default: RFB } = await import('../../vendor/novnc/core/rfb.js'));
  } catch {
    say([t('console.noNovnc'), ' ', h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/console` }, t('console.serialInstead'))], true);
    return undefined;
  }

  let rfb = null;
  let closedByUs = false;
  async function connect() {
    reconnect.hidden = true;
    if (vm.state !== 'Running') {
      say(t('console.screenNotRunning', { name: vm.name, state: stateLabel(vm.state) }), true);
      return;
    }
    say(t('console.connecting'));
    let ticket;
    try {
      ticket = await api.post(`/vms/${seg(vm.id)}/console/ticket?kind=vnc`);
    } catch (e) {
      if (e.code === 'console.no-screen') {
        // The simulated driver's VMs have no display: say so, show no empty screen, and offer what they do have.
        for (const e of [display, hint, cad]) e.hidden = true;
        say([e.message, ' ', h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/console`, id: 'console-serial-link' }, t('console.openSerial'))], true);
        return;
      }
      say(e.message, true);
      reconnect.hidden = false;
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // Our own socket, handed to noVNC, so a refusal's close code and reason (which noVNC does not report) reach the page.
    const ws = new WebSocket(`${scheme}//${location.host}${ticket.url}`);
    ws.binaryType = 'arraybuffer';
    let closed = null;
    ws.addEventListener('close', (e) => { closed = e; });
    const session = new RFB(display, ws, { shared: true });
    session.scaleViewport = true;
    session.background = '#000';
    rfb = session;
    session.addEventListener('connect', () => {
      say(t('console.screenConnected', { name: vm.name }));
      cad.disabled = false;
      session.focus();
    });
    session.addEventListener('disconnect', () => {
      if (rfb !== session) return;
      rfb = null;
      cad.disabled = true;
      if (closedByUs) return;
      const why = closed?.reason || (closed?.code === 1006 || !closed ? t('console.lost') : t('console.closedCode', { code: closed.code }));
      say(closedText('screen', closed?.code, why), closed?.code !== 1000);
      reconnect.hidden = false;
    });
  }

  const stop = followVm(root, vm, () => rfb !== null, reconnect, say, (v) => { vm = v; });

  await connect();
  return () => {
    stop();
    closedByUs = true;
    rfb?.disconnect();
  };
}
