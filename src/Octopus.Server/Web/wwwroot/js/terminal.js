// A small terminal for serial consoles: enough of a VT100/xterm to show what a Linux guest prints on ttyS0 (text,
// CR/LF, backspace, tabs, cursor moves, erase line/screen, 16 colours, bold, inverse) and to send what is typed (keys,
// Ctrl+letter, arrows, paste). Our own rather than xterm.js because xterm.js 6 injects <style> elements and style
// attributes, which the page's Content-Security-Policy (no inline styles) refuses; this one styles only with classes
// from app.css. Rows are redrawn once per animation frame and only when they changed.
import { h } from './ui.js';

const SCROLLBACK = 2000;  // lines kept; the oldest go first
const ROWS = 24;          // the screen cursor addressing refers to: the last ROWS lines

const KEYS = {
  Enter: '\r', Backspace: '\x7f', Tab: '\t', Escape: '\x1b', Delete: '\x1b[3~', Insert: '\x1b[2~',
  ArrowUp: '\x1b[A', ArrowDown: '\x1b[B', ArrowRight: '\x1b[C', ArrowLeft: '\x1b[D',
  Home: '\x1b[H', End: '\x1b[F', PageUp: '\x1b[5~', PageDown: '\x1b[6~',
};

export class Terminal {
  /** label: the accessible name of the input (e.g. "Type into web1's serial console"). onData(text) gets what is typed. */
  constructor({ label, onData }) {
    this.onData = onData;
    this.lines = [[]];          // each line: array of cells {c, k} (character, class list)
    this.rowEls = [];           // one <div> per line, same order
    this.row = 0; this.col = 0;
    this.attr = { fg: null, bg: null, bold: false, inverse: false };
    this.dirty = new Set([0]);
    this.frame = 0;
    this.decoder = new TextDecoder('utf-8');
    this.parse = { state: 'text', params: '' };

    this.screen = h('div', { class: 'term-screen', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Console output' });
    this.input = h('textarea', {
      class: 'term-input', rows: 1, autocomplete: 'off', autocapitalize: 'off', autocorrect: 'off', spellcheck: 'false',
      'aria-label': label, placeholder: 'Type here: keys go to the VM',
    });
    this.element = h('div', { class: 'terminal' }, this.screen, this.input);
    this.screen.addEventListener('click', () => { if (!window.getSelection()?.toString()) this.input.focus(); });
    this.input.addEventListener('keydown', (e) => this.key(e));
    this.input.addEventListener('input', () => {
      // Printable keys, IME and mobile keyboards, and paste all land here: send what was entered, keep the box empty.
      const text = this.input.value;
      this.input.value = '';
      if (text) this.onData(text.replace(/\r?\n/g, '\r'));
    });
    this.input.addEventListener('focus', () => this.element.classList.add('focused'));
    this.input.addEventListener('blur', () => this.element.classList.remove('focused'));
    this.addRow();
  }

  focus() { this.input.focus(); }

  key(e) {
    if (e.isComposing) return;
    let out = null;
    if (e.ctrlKey && !e.altKey && !e.metaKey && !e.shiftKey && e.key.length === 1) {
      const k = e.key.toUpperCase();
      if (k >= '@' && k <= '_') out = String.fromCharCode(k.charCodeAt(0) - 64); // Ctrl+C → \x03
    } else if (!e.ctrlKey && !e.metaKey && KEYS[e.key]) {
      out = KEYS[e.key];
    }
    if (out === null) return;
    e.preventDefault();
    this.onData(out);
  }

  /** Shows bytes (Uint8Array) or text the guest printed. */
  write(data) {
    const text = typeof data === 'string' ? data : this.decoder.decode(data, { stream: true });
    for (const ch of text) this.feed(ch);
    this.schedule();
  }

  /** A line of our own (connection state), in the muted colour, on a line of its own. */
  note(text) {
    if (this.col > 0 || this.lines[this.row].length > 0) this.newline();
    for (const ch of `[${text}]`) this.put(ch, 'term-note');
    this.newline();
    this.schedule();
  }

  feed(ch) {
    const p = this.parse;
    switch (p.state) {
      case 'esc':
        if (ch === '[') { p.state = 'csi'; p.params = ''; }
        else if (ch === ']') { p.state = 'osc'; }
        else if (ch === '(' || ch === ')') { p.state = 'charset'; }
        else { p.state = 'text'; if (ch === 'c') this.reset(); }
        return;
      case 'charset': p.state = 'text'; return;
      case 'osc': // window title etc.: ignored up to BEL or ESC \
        if (ch === '\x07') p.state = 'text'; else if (ch === '\x1b') p.state = 'esc';
        return;
      case 'csi':
        if (ch >= '@' && ch <= '~') { p.state = 'text'; this.csi(p.params, ch); } else p.params += ch;
        return;
      default: break;
    }
    switch (ch) {
      case '\x1b': p.state = 'esc'; return;
      case '\r': this.col = 0; return;
      case '\n': case '\x0b': case '\x0c': this.newline(); return;
      case '\b': this.col = Math.max(0, this.col - 1); return;
      case '\t': this.col = (Math.floor(this.col / 8) + 1) * 8; return;
      case '\x07': case '\x00': return;
      default:
        if (ch < ' ' || ch === '\x7f') return;
        this.put(ch, this.classes());
    }
  }

  put(ch, k) {
    const line = this.lines[this.row];
    while (line.length < this.col) line.push({ c: ' ', k: '' });
    line[this.col] = { c: ch, k };
    this.col++;
    this.dirty.add(this.row);
  }

  newline() {
    this.dirty.add(this.row);
    this.row++;
    if (this.row === this.lines.length) { this.lines.push([]); this.addRow(); }
    this.col = 0;
    this.dirty.add(this.row);
    this.trim();
  }

  addRow() {
    const el = h('div', { class: 'term-row' });
    this.rowEls.push(el);
    this.screen.append(el);
  }

  trim() {
    const extra = this.lines.length - SCROLLBACK;
    if (extra <= 0) return;
    this.lines.splice(0, extra);
    for (const el of this.rowEls.splice(0, extra)) el.remove();
    this.row -= extra;
    this.dirty = new Set([...this.dirty].map((r) => r - extra).filter((r) => r >= 0));
  }

  /** Top line of the addressable screen (the last ROWS lines). */
  top() { return Math.max(0, this.lines.length - ROWS); }

  csi(params, final) {
    const priv = params.startsWith('?');
    const nums = (priv ? params.slice(1) : params).split(';').map((n) => (n === '' ? NaN : Number(n)));
    const n = (i, d = 1) => (Number.isFinite(nums[i]) && nums[i] > 0 ? nums[i] : d);
    if (priv) return; // ?25h (cursor), ?2004h (bracketed paste)…: nothing to do here
    this.dirty.add(this.row);
    switch (final) {
      case 'A': this.row = Math.max(this.top(), this.row - n(0)); break;
      case 'B': this.row = Math.min(this.lines.length - 1, this.row + n(0)); break;
      case 'C': this.col += n(0); break;
      case 'D': this.col = Math.max(0, this.col - n(0)); break;
      case 'G': this.col = n(0) - 1; break;
      case 'H': case 'f': {
        const want = this.top() + n(0) - 1;
        while (this.lines.length <= want) { this.lines.push([]); this.addRow(); }
        this.row = want; this.col = n(1) - 1;
        break;
      }
      case 'K': {
        const line = this.lines[this.row];
        const mode = Number.isFinite(nums[0]) ? nums[0] : 0;
        if (mode === 0) line.length = Math.min(line.length, this.col);
        else if (mode === 1) for (let i = 0; i <= this.col && i < line.length; i++) line[i] = { c: ' ', k: '' };
        else line.length = 0;
        break;
      }
      case 'J': {
        const mode = Number.isFinite(nums[0]) ? nums[0] : 0;
        const from = mode === 0 ? this.row : this.top();
        if (mode === 0) this.lines[this.row].length = Math.min(this.lines[this.row].length, this.col);
        for (let r = mode === 0 ? this.row + 1 : from; r < this.lines.length; r++) { this.lines[r] = []; this.dirty.add(r); }
        break;
      }
      case 'm': this.sgr(nums); break;
      default: break; // other controls (scroll regions, modes) do not matter for a console log
    }
    this.dirty.add(this.row);
  }

  sgr(nums) {
    const a = this.attr;
    if (nums.length === 0 || nums.every((x) => !Number.isFinite(x))) nums = [0];
    for (let i = 0; i < nums.length; i++) {
      const x = Number.isFinite(nums[i]) ? nums[i] : 0;
      if (x === 0) { a.fg = null; a.bg = null; a.bold = false; a.inverse = false; }
      else if (x === 1) a.bold = true;
      else if (x === 22) a.bold = false;
      else if (x === 7) a.inverse = true;
      else if (x === 27) a.inverse = false;
      else if (x >= 30 && x <= 37) a.fg = x - 30;
      else if (x >= 90 && x <= 97) a.fg = x - 90 + 8;
      else if (x === 39) a.fg = null;
      else if (x >= 40 && x <= 47) a.bg = x - 40;
      else if (x >= 100 && x <= 107) a.bg = x - 100 + 8;
      else if (x === 49) a.bg = null;
      else if (x === 38 || x === 48) i += nums[i + 1] === 5 ? 2 : 4; // 256-colour and RGB: skipped, default colour kept
    }
  }

  classes() {
    const a = this.attr;
    let fg = a.fg, bg = a.bg;
    if (a.inverse) [fg, bg] = [bg ?? 'd', fg ?? 'd'];
    const k = [];
    if (fg !== null) k.push(`tf-${fg}`);
    if (bg !== null) k.push(`tb-${bg}`);
    if (a.bold) k.push('t-bold');
    return k.join(' ');
  }

  reset() {
    this.lines = [[]];
    for (const el of this.rowEls) el.remove();
    this.rowEls = [];
    this.addRow();
    this.row = 0; this.col = 0;
    this.sgr([0]);
    this.dirty = new Set([0]);
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  render() {
    const atBottom = this.screen.scrollTop + this.screen.clientHeight >= this.screen.scrollHeight - 4;
    for (const r of this.dirty) {
      const el = this.rowEls[r];
      if (!el) continue;
      const line = this.lines[r];
      const runs = [];
      let run = null;
      const cursorHere = r === this.row;
      const width = cursorHere ? Math.max(line.length, this.col + 1) : line.length;
      for (let i = 0; i < width; i++) {
        const cell = line[i] ?? { c: ' ', k: '' };
        const k = cursorHere && i === this.col ? `${cell.k} term-cursor`.trim() : cell.k;
        if (run && run.k === k) run.text += cell.c; else runs.push(run = { k, text: cell.c });
      }
      el.replaceChildren(...runs.map((x) => (x.k ? h('span', { class: x.k }, x.text) : x.text)));
      if (runs.length === 0) el.textContent = '\u00a0'; // keep the empty line's height
    }
    this.dirty = new Set([this.row]);
    if (atBottom) this.screen.scrollTop = this.screen.scrollHeight;
  }

  /** Plain text of the whole buffer (tests, copy). */
  text() { return this.lines.map((l) => l.map((c) => c.c).join('')).join('\n'); }

  dispose() { if (this.frame) cancelAnimationFrame(this.frame); }
}
