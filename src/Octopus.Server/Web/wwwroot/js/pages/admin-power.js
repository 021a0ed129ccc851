// #/admin/power — cluster power (watts) and active hosts over time as an inline SVG chart drawn here (no library),
// the energy used against "all hosts on" and the saving; below it, the consolidation plan (steps with reasons,
// apply or dismiss) and the mode (automatic, manual, off). Admins only; the server refuses everyone else.
import { api } from '../api.js';
import { h, toast, confirmDialog, dateTime } from '../ui.js';
import { s, niceCeil } from '../charts.js';

const REFRESH_MS = 10000;
const WINDOWS = [['15m', '15 minutes'], ['1h', '1 hour'], ['6h', '6 hours'], ['24h', '24 hours']];
const kWh = (x) => (Math.abs(x) >= 1 ? `${x.toFixed(2)} kWh` : `${(x * 1000).toFixed(1)} Wh`);
const clock = (ms, long) => new Date(ms).toLocaleTimeString([], long ? { hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The chart: watts (solid) and the all-on baseline (dashed) on the left axis, active hosts (steps) on the right. */
export function powerChart(history, width = 800) {
  // Drawn at the box's own width (not scaled), so labels stay readable on a phone.
  const W = Math.max(300, Math.round(width)), H = W < 500 ? 230 : 290, L = 52, R = 40, T = 24, B = 30;
  const pts = history.points.map((p) => ({ ...p, t: Date.parse(p.at) }));
  // A history younger than the window (server just started) is drawn across the width rather than squeezed right.
  const to = Date.parse(history.to), from = Math.max(Date.parse(history.from), (pts[0]?.t ?? 0) - history.stepSeconds * 1000);
  const maxW = niceCeil(Math.max(1, ...pts.map((p) => Math.max(p.watts, p.allOnWatts))));
  const maxH = Math.max(1, ...pts.map((p) => p.hosts));
  const x = (t) => L + ((t - from) / Math.max(1, to - from)) * (W - L - R);
  const yW = (w) => H - B - (w / maxW) * (H - T - B);
  const yH = (n) => H - B - (n / maxH) * (H - T - B);
  const stepMs = history.stepSeconds * 1000;

  // One path per series; a gap of more than two steps (server was down) breaks the line.
  const line = (value, y, stepped) => {
    let d = '', prev = null;
    for (const p of pts) {
      const px = x(p.t).toFixed(1), py = y(value(p)).toFixed(1);
      if (!prev || p.t - prev.t > 2 * stepMs) d += `M${px},${py}`;
      else d += stepped ? `H${px}V${py}` : `L${px},${py}`;
      prev = p;
    }
    return d;
  };

  const title = s('title', { id: 'power-chart-title' }, 'Cluster power and active hosts');
  const last = pts[pts.length - 1];
  const desc = s('desc', { id: 'power-chart-desc' }, pts.length === 0 ? 'No readings yet.'
    : `${pts.length} points from ${clock(pts[0].t)} to ${clock(last.t)}; latest ${Math.round(last.watts)} W of ${Math.round(last.allOnWatts)} W with all hosts on, ${last.maxActiveHosts} of ${last.hosts} hosts active.`);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', id: 'power-chart', role: 'img', 'aria-labelledby': 'power-chart-title power-chart-desc',
    'data-points': pts.length, width: W, height: H }, title, desc);

  // grid and axes
  for (let i = 0; i <= 4; i++) {
    const w = (maxW * i) / 4, y = yW(w);
    svg.append(s('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }), s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, `${Math.round(w)} W`));
  }
  const hostStep = Math.max(1, Math.ceil(maxH / 4));
  for (let n = 0; n <= maxH; n += hostStep) svg.append(s('text', { x: W - R + 6, y: yH(n) + 4, class: 'tick hosts' }, String(n)));
  svg.append(s('text', { x: W - 4, y: 12, 'text-anchor': 'end', class: 'tick hosts' }, 'hosts'));
  const long = to - from > 2 * 3600_000, xTicks = W < 500 ? 2 : 4;
  for (let i = 0; i <= xTicks; i++) {
    const t = from + ((to - from) * i) / xTicks;
    svg.append(s('text', { x: x(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === xTicks ? 'end' : 'middle', class: 'tick' }, clock(t, long)));
  }
  svg.append(s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));

  if (pts.length > 0) {
    svg.append(
      s('path', { d: line((p) => p.allOnWatts, yW), class: 'series-baseline', fill: 'none' }),
      s('path', { d: line((p) => p.activeHosts, yH, true), class: 'series-hosts', fill: 'none' }),
      s('path', { d: line((p) => p.watts, yW), class: 'series-watts', fill: 'none' }));
    if (pts.length === 1) svg.append(s('circle', { cx: x(last.t), cy: yW(last.watts), r: 3, class: 'series-watts-dot' }));
  }
  return svg;
}

export default async function render(root) {
  let windowKey = '1h';
  const error = h('p', { class: 'error', role: 'alert' });
  const figures = h('dl', { class: 'props', id: 'power-figures' });
  const chartBox = h('div', { class: 'chart-box' });
  const windowSelect = h('select', { onchange: () => { windowKey = windowSelect.value; refreshPower().catch(show); } },
    ...WINDOWS.map(([k, label]) => h('option', { value: k, selected: k === windowKey }, label)));
  windowSelect.id = 'power-window';

  const modeSelect = h('select', {}, ...['automatic', 'manual', 'off'].map((m) => h('option', { value: m }, m)));
  modeSelect.id = 'plan-mode';
  const modeError = h('p', { class: 'field-error', id: 'plan-mode-error', 'aria-live': 'polite' });
  modeSelect.setAttribute('aria-describedby', 'plan-mode-hint plan-mode-error');
  const planSummary = h('p', { id: 'plan-summary' });
  const planBody = h('tbody');
  const planTable = h('table', { class: 'cards', id: 'plan-table' },
    h('thead', {}, h('tr', {}, ...['Step', 'What', 'Reason', 'Saves', 'Risk', 'Result'].map((t) => h('th', { scope: 'col' }, t)))), planBody);
  const applyBtn = h('button', { type: 'button', onclick: () => apply() }, 'Apply plan');
  const dismissBtn = h('button', { type: 'button', class: 'secondary', onclick: () => dismiss() }, 'Dismiss');

  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Power'),
      h('div', { class: 'field inline' }, h('label', { for: 'power-window' }, 'Window'), windowSelect)),
    error,
    h('section', { 'aria-labelledby': 'chart-h' },
      h('h2', { id: 'chart-h', class: 'visually-hidden' }, 'Power over time'),
      chartBox,
      h('p', { class: 'legend small' },
        h('span', { class: 'key key-watts' }, 'Cluster power (W)'), ' ',
        h('span', { class: 'key key-baseline' }, 'All hosts on (W)'), ' ',
        h('span', { class: 'key key-hosts' }, 'Active hosts (right axis)')),
      figures),
    h('section', { 'aria-labelledby': 'plan-h', class: 'panel' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'plan-h' }, 'Consolidation plan'),
        h('form', { class: 'actions', id: 'mode-form', onsubmit: (e) => { e.preventDefault(); saveMode(); } },
          h('label', { for: 'plan-mode' }, 'Mode'), modeSelect, h('button', { type: 'submit', class: 'secondary' }, 'Set mode'))),
      h('p', { class: 'hint', id: 'plan-mode-hint' }, 'automatic: applied every interval · manual: proposed here, applied when you say · off: not computed'),
      modeError,
      planSummary, planTable,
      h('div', { class: 'actions' }, applyBtn, dismissBtn)));

  const show = (e) => { error.textContent = e.message; };

  let lastHistory = null;
  async function refreshPower() {
    const history = await api.get(`/power/history?window=${encodeURIComponent(windowKey)}`);
    lastHistory = history;
    chartBox.replaceChildren(history.points.length ? powerChart(history, chartBox.clientWidth || 800)
      : h('p', { class: 'muted', id: 'power-empty' }, 'No readings yet: the server records one every second; reload in a moment.'));
    const row = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
    figures.replaceChildren(
      ...row('Now', `${Math.round(history.currentWatts)} W, ${history.activeHosts} of ${history.hosts} hosts active (all on: ${Math.round(history.currentAllOnWatts)} W)`),
      ...row('Energy used', kWh(history.energyKWh)),
      ...row('With all hosts on', kWh(history.allOnEnergyKWh)),
      ...row('Saved', h('strong', { id: 'power-saved' }, `${kWh(history.savedKWh)} (${history.savedPercent.toFixed(1)} %)`)),
      ...row('Period', `${dateTime(history.from)} – ${dateTime(history.to)}, one point per ${history.stepSeconds} s`));
    error.textContent = '';
  }

  let lastPlan = null, appliedAt = 0;
  function drawPlan(plan) {
    lastPlan = plan;
    planSummary.textContent = `${plan.summary} (policy ${plan.policy}, ${Math.round(plan.clusterWatts)} W now, computed ${dateTime(plan.generatedAt)})`;
    planBody.replaceChildren(...plan.steps.map((st, i) => h('tr', {},
      h('td', { 'data-label': 'Step' }, `${i + 1}. ${st.kind}`),
      h('td', { 'data-label': 'What' }, st.kind === 'migrate' ? `${st.vm}: ${st.from} → ${st.to}` : st.host),
      h('td', { 'data-label': 'Reason' }, st.reason),
      h('td', { 'data-label': 'Saves' }, `${st.wattsSaved} W${st.hostsFreed ? `, frees ${st.hostsFreed} host(s)` : ''}`),
      h('td', { 'data-label': 'Risk' }, `${(st.slaRisk * 100).toFixed(1)} %`),
      h('td', { 'data-label': 'Result' }, st.result ?? '—'))));
    planTable.hidden = plan.steps.length === 0;
    applyBtn.disabled = dismissBtn.disabled = plan.steps.length === 0;
  }

  async function refreshPlan() {
    const [plan, mode] = await Promise.all([api.get('/plan'), api.get('/plan/mode')]);
    if (document.activeElement !== modeSelect) modeSelect.value = mode.mode;
    // An applied plan's results stay on screen for a while before the next proposal replaces them.
    if (Date.now() - appliedAt > 30000) drawPlan(plan);
  }

  async function apply() {
    if (!(await confirmDialog(`Apply ${lastPlan.steps.length} step(s) now? Migrations and power changes start at once.`, { confirmLabel: 'Apply' }))) return;
    try {
      drawPlan(await api.post('/plan/apply'));
      appliedAt = Date.now();
      toast('Plan applied');
    } catch (e) { toast(e.message, { bad: true }); }
  }

  async function dismiss() {
    try {
      appliedAt = 0;
      drawPlan(await api.post('/plan/dismiss'));
      toast('Plan dismissed until it changes');
    } catch (e) { toast(e.message, { bad: true }); await refreshPlan().catch(show); }
  }

  async function saveMode() {
    modeError.textContent = '';
    modeSelect.removeAttribute('aria-invalid');
    try {
      const r = await api.put('/plan/mode', { mode: modeSelect.value });
      toast(`Consolidation mode: ${r.mode}`);
      appliedAt = 0;
      await refreshPlan();
    } catch (e) {
      modeError.textContent = e.message;
      modeSelect.setAttribute('aria-invalid', 'true');
    }
  }

  await Promise.all([refreshPower().catch(show), refreshPlan().catch(show)]);
  const timer = setInterval(() => { refreshPower().catch(show); refreshPlan().catch(show); }, REFRESH_MS);
  let resizeTimer = null;
  const onResize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (lastHistory?.points.length) chartBox.replaceChildren(powerChart(lastHistory, chartBox.clientWidth || 800));
    }, 200);
  };
  window.addEventListener('resize', onResize);
  return () => { clearInterval(timer); clearTimeout(resizeTimer); window.removeEventListener('resize', onResize); };
}
