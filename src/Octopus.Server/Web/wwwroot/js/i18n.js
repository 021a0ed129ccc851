// The web UI's languages: English and Italian. Messages live in js/i18n/{en,it}.json (flat keys, '{name}' placeholders);
// t(key, params) looks one up in the chosen language, falling back to English (a key missing from both shows as itself,
// which Web.Tests' I18nCatalogueTests forbids). The language is the first of the browser's (navigator.languages) that
// the UI speaks, unless the user chose one on the profile page (kept in localStorage). Dates and numbers go through
// Intl in that language's locale; sizes in binary units (KiB … TiB).

export const LANGUAGES = { en: 'English', it: 'Italiano' };
const STORAGE_KEY = 'octopus.language';
let lang = 'en';
let locale = 'en';
let messages = {};
let english = {};

/** The language the user chose on the profile page, or null to follow the browser. */
export function storedLanguage() {
  try { const v = localStorage.getItem(STORAGE_KEY); return v && LANGUAGES[v] ? v : null; } catch { return null; }
}

/** Keeps (or, with null, forgets) the user's choice; the page reloads to apply it. */
export function storeLanguage(value) {
  try { if (value && LANGUAGES[value]) localStorage.setItem(STORAGE_KEY, value); else localStorage.removeItem(STORAGE_KEY); } catch { /* private mode */ }
}

/** The browser's preferred languages, in order, as locale tags (e.g. ['it-IT', 'en']). */
const preferred = () => (navigator.languages?.length ? navigator.languages : [navigator.language || 'en']);

/** The UI language for these preferences: the stored choice, else the first preferred one the UI speaks, else English. */
export function chooseLanguage(stored = storedLanguage(), prefs = preferred()) {
  if (stored) return stored;
  for (const tag of prefs) { const base = String(tag).toLowerCase().split('-')[0]; if (LANGUAGES[base]) return base; }
  return 'en';
}

async function load(code) {
  const r = await fetch(new URL(`./i18n/${code}.json`, import.meta.url), { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`The ${LANGUAGES[code]} messages cannot be loaded (HTTP ${r.status}).`);
  return r.json();
}

/** Loads the chosen language's messages (and English, the fallback) and sets <html lang>. Call once before rendering. */
export async function init() {
  lang = chooseLanguage();
  // The locale for Intl: the browser's own tag when it is in the chosen language (en-GB keeps its date order), else the language.
  locale = preferred().find((tag) => String(tag).toLowerCase().split('-')[0] === lang) ?? (lang === 'it' ? 'it-IT' : 'en-US');
  english = await load('en');
  messages = lang === 'en' ? english : await load(lang).catch(() => english);
  document.documentElement.lang = lang;
}

export const language = () => lang;
export const currentLocale = () => locale;

/** The message `key` with its '{name}' placeholders filled from `params`. */
export function t(key, params) {
  const text = messages[key] ?? english[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m)) : text;
}

/** The message `key` when the catalogue has it and `params` fill every placeholder it names, else null. */
export function tComplete(key, params = {}) {
  const text = messages[key] ?? english[key];
  if (text === undefined) return null;
  for (const [, name] of text.matchAll(/\{(\w+)\}/g)) if (!(name in params)) return null;
  return t(key, params);
}

/** Whether `key` is in the catalogue (for words that may come from outside it, e.g. a state the UI has no name for). */
export const has = (key) => key in english;

/** A count's message: `key.one` or `key.other` as the language's plural rules say, with {n} formatted. */
export function tn(key, n, params = {}) {
  const form = formatter(Intl.PluralRules).select(n) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}`, { ...params, n: number(n) });
}

/** A number in the locale's digits and separators. */
export const number = (n, options) => formatter(Intl.NumberFormat, options).format(n);

// Intl formatters by kind, locale and options: building one costs far more than using it, and a VM list formats a few
// numbers per row on every change.
const formatters = new Map();
function formatter(Kind, options) {
  const key = `${Kind.name}|${locale}|${options ? JSON.stringify(options) : ''}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Kind(locale, options)));
  return f;
}

/** A date and time in the locale (e.g. "7 Dec 2026, 15:30" / "7 dic 2026, 15:30"); '—' for none. With `seconds` the time
 *  has them ("7 dic 2026, 15:30:42"), for lists where events a few seconds apart are compared (a VM's history, the audit log). */
export function dateTime(iso, { seconds = false } = {}) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : formatter(Intl.DateTimeFormat, { dateStyle: 'medium', timeStyle: seconds ? 'medium' : 'short' }).format(d);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A size in binary units, B to TiB, with up to one decimal in the locale's format ("1.5 GiB", "1,5 GiB"); '—' for none. */
export function bytes(n) {
  if (n == null || !Number.isFinite(+n)) return '—';
  let v = Math.abs(+n), i = 0;
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  const text = number(Math.sign(+n) * v, { maximumFractionDigits: i === 0 ? 0 : 1 });
  return `${text} ${UNITS[i]}`;
}
