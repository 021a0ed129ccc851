// Live updates: one shared EventSource on /api/v1/events (server-sent events, cookie-authenticated), with a polling
// fallback while it is down. Events: 'vm' (a VmDto that changed or appeared), 'vm-deleted' ({id, name}),
// plus whatever else the server sends by name (pages subscribe with on(type, fn)).

const listeners = new Map(); // type -> Set<fn>
let source = null;
let connected = false;
const statusListeners = new Set();

function setConnected(value) {
  if (connected === value) return;
  connected = value;
  for (const fn of statusListeners) fn(value);
}

function ensureSource() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/events');
  // 'hello' (not 'open') is the sync point: the server sends it once it has read the VMs, and every change after
  // that read follows as an event, so a page that reloads its list on it misses nothing.
  source.addEventListener('hello', () => setConnected(true));
  source.onerror = () => setConnected(false); // EventSource retries by itself; polling covers the gap
  for (const type of listeners.keys()) attach(type);
}

const attached = new Set();
function attach(type) {
  if (!source || attached.has(type)) return;
  attached.add(type);
  source.addEventListener(type, (e) => {
    let data;
    try { data = JSON.parse(e.data); } catch { return; }
    for (const fn of listeners.get(type) ?? []) fn(data);
  });
}

/** Calls fn(data) for each server event of that type; returns the function that unsubscribes. */
export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  ensureSource();
  attach(type);
  return () => listeners.get(type)?.delete(fn);
}

/** True while the event stream is open. */
export const isConnected = () => connected;

/** Calls fn(connected) whenever the stream opens or drops; returns the unsubscribe function. */
export function onStatus(fn) { statusListeners.add(fn); return () => statusListeners.delete(fn); }

/** Keeps a page fresh: `handlers` maps event types to functions, and `refresh` is polled every `everyMs`
 *  while the stream is down (and once when it comes back, to catch up). Returns the dispose function. */
export function watch(handlers, refresh, everyMs = 4000) {
  const offs = Object.entries(handlers).map(([type, fn]) => on(type, fn));
  const timer = setInterval(() => { if (!connected) refresh().catch(() => {}); }, everyMs);
  const offStatus = onStatus((up) => { if (up) refresh().catch(() => {}); });
  return () => { offs.forEach((off) => off()); offStatus(); clearInterval(timer); };
}

/** Closes the stream (at logout). */
export function close() {
  source?.close();
  source = null;
  attached.clear();
  setConnected(false);
}
