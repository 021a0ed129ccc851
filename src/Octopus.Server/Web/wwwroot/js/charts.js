// Inline SVG charts drawn here (no library; the strict CSP allows no inline style, so every colour is a class in app.css).
// The power page's chart and the VM and host history graphs (rangeGraphs) share these helpers.

import { api } from './api.js';
import { h } from './ui.js';
import { t, tn, number, currentLocale } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Like h() for SVG elements (attributes only; text children). */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A round axis maximum at or above x (1, 2, 2.5, 5 × 10^n). */
export function niceCeil(x) {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= x);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
/** Bytes (or bytes per second with `perSecond`) in binary units, e.g. "1.5 MiB/s". */
export function binary(n, perSecond = false) {
  let i = 0, v = Math.abs(n);
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  return `${number(v >= 100 || i === 0 ? Math.round(v) : +v.toFixed(1))} ${UNITS[i]}${perSecond ? '/s' : ''}`;
}

/** A round binary axis maximum at or above x: a niceCeil of the value in its own unit (e.g. 2.5 MiB). */
export function niceBinaryCeil(x) {
  if (!(x > 0)) return 1;
  const unit = 1024 ** Math.min(UNITS.length - 1, Math.floor(Math.log(x) / Math.log(1024)));
  return niceCeil(x / unit) * unit;
}

function clock(ms, range) {
  return new Date(ms).toLocaleString(currentLocale(), range === '7d' ? { weekday: 'short', hour: '2-digit', minute: '2-digit' }
    : range === '24h' ? { hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
}

/**
 * A line chart of a history answer. `history`: { range, from, to, stepSeconds, points: [{ at, ... }] };
 * `series`: [{ label, cls, value: (point) => number|null }] drawn in order (cls is a class in app.css, e.g. 'series-a');
 * `max`: the axis maximum (else a round value above the data); `format(v)`: an axis label; `id`, `title`: the chart's
 * id and accessible name. A point whose value is null, or a gap of more than two steps, breaks the line.
 */
export function historyChart({ id, title, history, series, max, format, width = 600 }) {
  const W = Math.max(280, Math.round(width)), H = W < 500 ? 170 : 200, L = 70, R = 12, T = 12, B = 26;
  const pts = history.points.map((p) => ({ ...p, t: Date.parse(p.at) }));
  const to = Date.parse(history.to), from = Date.parse(history.from);
  const values = pts.flatMap((p) => series.map((sr) => sr.value(p))).filter((v) => v != null);
  const top = max ?? niceCeil(Math.max(0, ...values));
  const x = (t) => L + ((t - from) / Math.max(1, to - from)) * (W - L - R);
  const y = (v) => H - B - (Math.min(v, top) / top) * (H - T - B);
  const stepMs = history.stepSeconds * 1000;

  const titleEl = s('title', { id: `${id}-title` }, title);
  const last = pts[pts.length - 1];
  const desc = s('desc', { id: `${id}-desc` }, pts.length === 0 ? t('graphs.noReadings')
    : t('graphs.desc', { n: number(pts.length), step: number(history.stepSeconds / 60),
      latest: series.map((sr) => `${sr.label} ${last && sr.value(last) != null ? format(sr.value(last)) : '—'}`).join(', ') }));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', id, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`,
    'data-points': pts.length, width: W, height: H }, titleEl, desc);

  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4, yy = y(v);
    svg.append(s('line', { x1: L, x2: W - R, y1: yy, y2: yy, class: 'grid' }),
      s('text', { x: L - 6, y: yy + 4, 'text-anchor': 'end', class: 'tick' }, format(v)));
  }
  const xTicks = W < 500 ? 2 : 4;
  for (let i = 0; i <= xTicks; i++) {
    const t = from + ((to - from) * i) / xTicks;
    svg.append(s('text', { x: x(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === xTicks ? 'end' : 'middle', class: 'tick' }, clock(t, history.range)));
  }
  svg.append(s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));

  for (const sr of series) {
    let d = '', prev = null, count = 0, lone = null;
    for (const p of pts) {
      const v = sr.value(p);
      if (v == null) { prev = null; continue; }
      const px = x(p.t).toFixed(1), py = y(v).toFixed(1);
      if (!prev || p.t - prev.t > 2 * stepMs) d += `M${px},${py}`; else d += `L${px},${py}`;
      prev = p; count++; lone = [px, py];
    }
    if (d) svg.append(s('path', { d, class: sr.cls, fill: 'none' }));
    if (count === 1) svg.append(s('circle', { cx: lone[0], cy: lone[1], r: 3, class: `${sr.cls}-dot` }));
  }
  return svg;
}

const RANGES = ['1h', '24h', '7d'];
const REFRESH_MS = 60000;

/**
 * A "Graphs" section over a history endpoint (`path`?range=1h|24h|7d): a range picker, a status line, and the figures
 * `build(history, chart, figure)` returns, where chart(options) is historyChart at the right width and
 * figure(caption, [[keyClass, label]…], chart) wraps one with its legend. Refreshed every minute and redrawn at the
 * box's width on resize. Returns `{ section, dispose }`.
 */
export function rangeGraphs(path, build) {
  let range = '1h', history = null;
  const select = h('select', { id: 'graph-range', onchange: () => { range = select.value; load(); } },
    ...RANGES.map((k) => h('option', { value: k, selected: k === range }, t(`graphs.range.${k}`))));
  const status = h('p', { class: 'muted small', id: 'graph-status', 'aria-live': 'polite' });
  const grid = h('div', { class: 'graph-grid', id: 'graphs-grid' });
  const section = h('section', { 'aria-labelledby': 'graphs-h', id: 'graphs' },
    h('div', { class: 'toolbar' }, h('h2', { id: 'graphs-h' }, t('graphs.title')),
      h('div', { class: 'field inline' }, h('label', { for: 'graph-range' }, t('graphs.range')), select)),
    status, grid);

  const figure = (caption, keys, chart) => h('figure', { class: 'graph' }, chart,
    h('figcaption', { class: 'legend small' }, h('strong', {}, caption), ' ',
      ...keys.flatMap(([cls, label]) => [h('span', { class: `key ${cls}` }, label), ' '])));

  function draw() {
    if (!history) return;
    const width = (grid.clientWidth >= 900 ? grid.clientWidth / 2 - 12 : grid.clientWidth) || 600;
    grid.replaceChildren(...build(history, (o) => historyChart({ history, width, ...o }), figure));
  }

  async function load() {
    try {
      history = await api.get(`${path}?range=${encodeURIComponent(range)}`);
      const step = history.stepSeconds >= 3600 ? `${number(history.stepSeconds / 3600)} h` : `${number(history.stepSeconds / 60)} min`;
      status.className = 'muted small';
      status.textContent = history.points.length === 0
        ? t('graphs.noReadingsYet')
        : tn('graphs.points', history.points.length, { step });
      draw();
    } catch (e) {
      status.className = 'error';
      status.textContent = t('graphs.unavailable', { reason: e.message });
    }
  }

  load();
  const timer = setInterval(load, REFRESH_MS);
  let resizeTimer = null;
  const onResize = () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(draw, 200); };
  window.addEventListener('resize', onResize);
  return { section, dispose: () => { clearInterval(timer); clearTimeout(resizeTimer); window.removeEventListener('resize', onResize); } };
}
