// #/admin/power — cluster power (watts) and active hosts over time as an inline SVG chart drawn here (no library),
// the energy used against "all hosts on" and the saving; below it, the consolidation plan (steps with reasons,
// apply or dismiss) and the mode (automatic, manual, off). Admins only; the server refuses everyone else.
import { api } from '../api.js';
import { h, t, tn, toast, confirmDialog, dateTime, number } from '../ui.js';
import { currentLocale } from '../i18n.js';
import { s, niceCeil } from '../charts.js';

const REFRESH_MS = 10000;
const PLAN_COLUMNS = ['step', 'what', 'reason', 'saves', 'risk', 'result'];
const WINDOWS = ['15m', '1h', '6h', '24h'];
const MODES = ['automatic', 'manual', 'off'];
const fixed = (x, digits) => number(x, { minimumFractionDigits: digits, maximumFractionDigits: digits });
const kWh = (x) => (Math.abs(x) >= 1 ? `${fixed(x, 2)} kWh` : `${fixed(x * 1000, 1)} Wh`);
const clock = (ms, long) => new Date(ms).toLocaleTimeString(currentLocale(), long ? { hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit', second: '2-digit' });

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

  const title = s('title', { id: 'power-chart-title' }, t('power.chartTitle'));
  const last = pts[pts.length - 1];
  const desc = s('desc', { id: 'power-chart-desc' }, pts.length === 0 ? t('power.noReadings')
    : tn('power.chartDesc', pts.length, { from: clock(pts[0].t), to: clock(last.t), watts: Math.round(last.watts), allOn: Math.round(last.allOnWatts),
      active: last.maxActiveHosts, hosts: last.hosts }));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', id: 'power-chart', role: 'img', 'aria-labelledby': 'power-chart-title power-chart-desc',
    'data-points': pts.length, width: W, height: H }, title, desc);

  // grid and axes
  for (let i = 0; i <= 4; i++) {
    const w = (maxW * i) / 4, y = yW(w);
    svg.append(s('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }), s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, `${Math.round(w)} W`));
  }
  const hostStep = Math.max(1, Math.ceil(maxH / 4));
  for (let n = 0; n <= maxH; n += hostStep) svg.append(s('text', { x: W - R + 6, y: yH(n) + 4, class: 'tick hosts' }, String(n)));
  svg.append(s('text', { x: W - 4, y: 12, 'text-anchor': 'end', class: 'tick hosts' }, t('power.axisHosts')));
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
    ...WINDOWS.map((k) => h('option', { value: k, selected: k === windowKey }, t(`power.window.${k}`))));
  windowSelect.id = 'power-window';

  const modeSelect = h('select', {}, ...MODES.map((m) => h('option', { value: m }, t(`power.mode.${m}`))));
  modeSelect.id = 'plan-mode';
  const modeError = h('p', { class: 'field-error', id: 'plan-mode-error', 'aria-live': 'polite' });
  modeSelect.setAttribute('aria-describedby', 'plan-mode-hint plan-mode-error');
  const planSummary = h('p', { id: 'plan-summary' });
  const planBody = h('tbody');
  const planTable = h('table', { class: 'cards', id: 'plan-table' },
    h('thead', {}, h('tr', {}, ...PLAN_COLUMNS.map((c) => h('th', { scope: 'col' }, t(`power.col.${c}`))))), planBody);
  const applyBtn = h('button', { type: 'button', onclick: () => apply() }, t('power.apply'));
  const dismissBtn = h('button', { type: 'button', class: 'secondary', onclick: () => dismiss() }, t('common.dismiss'));

  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, t('nav.power')),
      h('div', { class: 'field inline' }, h('label', { for: 'power-window' }, t('power.window')), windowSelect)),
    error,
    h('section', { 'aria-labelledby': 'chart-h' },
      h('h2', { id: 'chart-h', class: 'visually-hidden' }, t('power.overTime')),
      chartBox,
      h('p', { class: 'legend small' },
        h('span', { class: 'key key-watts' }, t('power.key.watts')), ' ',
        h('span', { class: 'key key-baseline' }, t('power.key.baseline')), ' ',
        h('span', { class: 'key key-hosts' }, t('power.key.hosts'))),
      figures),
    h('section', { 'aria-labelledby': 'plan-h', class: 'panel' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'plan-h' }, t('power.plan')),
        h('form', { class: 'actions', id: 'mode-form', onsubmit: (e) => { e.preventDefault(); saveMode(); } },
          h('label', { for: 'plan-mode' }, t('power.modeLabel')), modeSelect, h('button', { type: 'submit', class: 'secondary' }, t('power.setMode')))),
      h('p', { class: 'hint', id: 'plan-mode-hint' }, t('power.modeHint')),
      modeError,
      planSummary, planTable,
      h('div', { class: 'actions' }, applyBtn, dismissBtn)));

  const show = (e) => { error.textContent = e.message; };

  let lastHistory = null;
  async function refreshPower() {
    const history = await api.get(`/power/history?window=${encodeURIComponent(windowKey)}`);
    lastHistory = history;
    chartBox.replaceChildren(history.points.length ? powerChart(history, chartBox.clientWidth || 800)
      : h('p', { class: 'muted', id: 'power-empty' }, t('power.empty')));
    const row = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
    figures.replaceChildren(
      ...row(t('power.now'), t('power.nowValue', { watts: Math.round(history.currentWatts), active: history.activeHosts, hosts: history.hosts, allOn: Math.round(history.currentAllOnWatts) })),
      ...row(t('power.energy'), kWh(history.energyKWh)),
      ...row(t('power.allOnEnergy'), kWh(history.allOnEnergyKWh)),
      ...row(t('power.saved'), h('strong', { id: 'power-saved' }, `${kWh(history.savedKWh)} (${fixed(history.savedPercent, 1)} %)`)),
      ...row(t('power.period'), t('power.periodValue', { from: dateTime(history.from), to: dateTime(history.to), step: history.stepSeconds })));
    error.textContent = '';
  }

  let lastPlan = null, appliedAt = 0;
  function drawPlan(plan) {
    lastPlan = plan;
    planSummary.textContent = t('power.planSummary', { summary: plan.summary, policy: plan.policy, watts: Math.round(plan.clusterWatts), at: dateTime(plan.generatedAt, { seconds: true }) });
    planBody.replaceChildren(...plan.steps.map((st, i) => h('tr', {},
      h('td', { 'data-label': t('power.col.step') }, `${i + 1}. ${st.kind}`),
      h('td', { 'data-label': t('power.col.what') }, st.kind === 'migrate' ? `${st.vm}: ${st.from} → ${st.to}` : st.host),
      h('td', { 'data-label': t('power.col.reason') }, st.reason),
      h('td', { 'data-label': t('power.col.saves') }, st.hostsFreed ? tn('power.savesFrees', st.hostsFreed, { watts: st.wattsSaved }) : `${st.wattsSaved} W`),
      h('td', { 'data-label': t('power.col.risk') }, `${fixed(st.slaRisk * 100, 1)} %`),
      h('td', { 'data-label': t('power.col.result') }, st.result ?? '—'))));
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
    if (!(await confirmDialog(tn('power.ask.apply', lastPlan.steps.length), { confirmLabel: t('power.applyShort') }))) return;
    try {
      drawPlan(await api.post('/plan/apply'));
      appliedAt = Date.now();
      toast(t('power.applied'));
    } catch (e) { toast(e.message, { bad: true }); }
  }

  async function dismiss() {
    try {
      appliedAt = 0;
      drawPlan(await api.post('/plan/dismiss'));
      toast(t('power.dismissed'));
    } catch (e) { toast(e.message, { bad: true }); await refreshPlan().catch(show); }
  }

  async function saveMode() {
    modeError.textContent = '';
    modeSelect.removeAttribute('aria-invalid');
    try {
      const r = await api.put('/plan/mode', { mode: modeSelect.value });
      toast(t('power.modeSet', { mode: t(`power.mode.${r.mode}`) }));
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
