// #/vms/:id/console — the VM's serial console in the page: a ticket from POST /vms/{id}/console/ticket (owner or admin,
// VM running), then a WebSocket to the url it names on this same server; bytes from the guest are drawn by our small
// terminal (js/terminal.js), keys typed go back as text. A refused or ended connection says why and offers to reconnect.
import { api, seg } from '../api.js';
import * as live from '../live.js';
import { h, stateBadge } from '../ui.js';
import { Terminal } from '../terminal.js';

/** Close codes the server uses to refuse a console (the reason says the rest). */
const REFUSED = { 4400: 'refused', 4401: 'ticket expired', 4403: 'not allowed', 4404: 'VM not found', 4409: 'not available' };

export default async function render(root, ctx) {
  const id = ctx.params.id;
  let vm;
  try {
    vm = await api.get(`/vms/${seg(id)}`);
  } catch (e) {
    root.append(h('h1', {}, 'VM not found'),
      h('p', { class: 'error', role: 'alert', id: 'console-error' }, e.status === 404 ? `There is no VM '${id}' that you can see.` : e.message),
      h('p', {}, h('a', { href: '#/vms' }, 'Back to my VMs')));
    return undefined;
  }

  const status = h('p', { role: 'status', id: 'console-status', class: 'muted' });
  const reconnect = h('button', { type: 'button', class: 'secondary', id: 'console-reconnect', hidden: true, onclick: () => connect() }, 'Reconnect');
  const term = new Terminal({ label: `Type into ${vm.name}'s serial console`, onData: (text) => { if (socket?.readyState === WebSocket.OPEN) socket.send(text); } });
  root.append(
    h('p', {}, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, `← ${vm.name}`)),
    h('h1', {}, `Console of ${vm.name}`),
    h('div', { class: 'toolbar' }, h('span', {}, 'Serial console (ttyS0) · ', stateBadge(vm.state)), reconnect),
    status,
    term.element,
    h('p', { class: 'hint' }, 'Keys, Ctrl+letter, arrows and pasted text go to the VM. Closing this page leaves the VM running.'));

  let socket = null;
  let closedByUs = false;
  const say = (text, bad = false) => { status.className = bad ? 'error' : 'muted'; status.textContent = text; };

  async function connect() {
    reconnect.hidden = true;
    if (vm.state !== 'Running') {
      say(`${vm.name} is ${vm.state}: its console opens only while it runs.`, true);
      return;
    }
    say('Connecting…');
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
      say(`Connected to ${vm.name}'s serial console.`);
      term.note('connected');
      term.focus();
    });
    ws.addEventListener('message', (e) => term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data)));
    ws.addEventListener('close', (e) => {
      if (socket !== ws) return;
      socket = null;
      if (closedByUs) return;
      const why = e.reason || (e.code === 1006 ? 'the connection was lost' : `closed (${e.code})`);
      say(REFUSED[e.code] ? `Console ${REFUSED[e.code]}: ${why}` : `Disconnected: ${why}`, e.code !== 1000);
      term.note(`disconnected: ${why}`);
      reconnect.hidden = false;
    });
  }

  const stop = live.watch({
    vm: (v) => {
      if (v.id !== vm.id) return;
      const was = vm.state;
      vm = v;
      root.querySelector('.toolbar .state')?.replaceWith(stateBadge(vm.state));
      if (was !== 'Running' && vm.state === 'Running' && !socket) reconnect.hidden = false;
    },
    'vm-deleted': (d) => { if (d.id === vm.id) say(`${vm.name} has been deleted.`, true); },
  }, async () => { vm = await api.get(`/vms/${seg(vm.id)}`); });

  await connect();
  return () => {
    stop();
    closedByUs = true;
    socket?.close(1000, 'page closed');
    term.dispose();
  };
}
