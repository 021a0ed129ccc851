// The one way pages talk to the server: fetch under /api/v1 with the session cookie and the CSRF header,
// JSON in and out, and RFC 7807 problems turned into ApiError (message = the refusal in the page's language, plus code,
// field and args).
import { t, has, tComplete, number, bytes } from './i18n.js';

export const base = '/api/v1';
const csrfCookie = 'octopus_csrf';
const csrfHeader = 'X-CSRF-Token';

// Args whose value is itself a word to translate: the catalogue key for the value, or null when it has none (then the
// refusal is shown as the server wrote it).
const WORDS = {
  state: (v) => `state.${v}`,
  action: (v) => `problem.arg.action.${v}`,
  resource: (v) => `problem.arg.resource.${v}`,
  what: (v) => `problem.arg.what.${v}`,
};

/**
 * A refusal in the page's language: the catalogue's `problem.CODE` (a validation's `problem.validation.RULE`) filled
 * from the problem's `args` (numbers in the locale, sizes when `args.unit` is bytes, states, actions and resources
 * translated), or `detail` (the server's English) when the catalogue does not know the code or an arg is missing.
 */
export function refusalText(code, args, detail) {
  if (!code) return detail;
  const key = code === 'validation' ? (args?.rule ? `problem.validation.${args.rule}` : null) : `problem.${code}`;
  if (!key || !has(key)) return detail;
  const params = {};
  for (const [name, value] of Object.entries(args ?? {})) {
    if (typeof value === 'number') params[name] = args.unit === 'bytes' ? bytes(value) : number(value);
    else if (WORDS[name]) {
      const word = WORDS[name](value);
      if (!has(word)) return detail;
      params[name] = t(word);
    } else params[name] = String(value);
  }
  return tComplete(key, params) ?? detail;
}

/** An API failure: `message` is readable as is (the refusal in the page's language when the catalogue knows its code,
 *  else the server's detail); `code`, `field` and `args` come from the problem document, `detail` is the server's own. */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    const detail = (problem && (problem.detail || problem.title)) || fallback || `HTTP ${status}`;
    super(refusalText(problem?.code, problem?.args, detail));
    this.name = 'ApiError';
    this.status = status;
    this.code = problem?.code ?? null;
    this.field = problem?.field ?? null;
    this.args = problem?.args ?? null;
    this.detail = detail;
    this.problem = problem ?? null;
  }
}

/** The CSRF token the server set at login (a readable cookie, echoed in a header on unsafe requests). */
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === csrfCookie) return decodeURIComponent(v.join('='));
  }
  return '';
}

/** Sends one request. `path` is relative to /api/v1 (e.g. '/vms'); `body` is JSON-encoded when given. */
export async function request(method, path, body, { signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) headers[csrfHeader] = csrfToken();
  let response;
  try {
    response = await fetch(base + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null, 'The server cannot be reached; check your connection and try again.');
  }
  const type = response.headers.get('Content-Type') || '';
  const data = response.status === 204 ? null
    : type.includes('json') ? await response.json().catch(() => null) : await response.text().catch(() => null);
  if (response.ok) return data;
  const problem = data && typeof data === 'object' ? data : null;
  if (response.status === 401 && path !== '/auth/session') window.dispatchEvent(new CustomEvent('octopus:unauthenticated'));
  throw new ApiError(response.status, problem, response.status === 404 ? 'Not found.' : response.statusText);
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body ?? {}, opts),
  put: (path, body, opts) => request('PUT', path, body ?? {}, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
};

/** Encodes one path segment (VM names, user names). */
export const seg = (s) => encodeURIComponent(s);
