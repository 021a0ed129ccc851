// The one way pages talk to the server: fetch under /api/v1 with the session cookie and the CSRF header,
// JSON in and out, and RFC 7807 problems turned into ApiError (message = the server's detail, plus code and field).

export const base = '/api/v1';
const csrfCookie = 'octopus_csrf';
const csrfHeader = 'X-CSRF-Token';

/** An API failure: `message` is readable as is; `code` and `field` come from the problem document. */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super((problem && (problem.detail || problem.title)) || fallback || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem?.code ?? null;
    this.field = problem?.field ?? null;
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
