// REST helpers for the kennisbank pages: JSON in and out, the facilitator token in sessionStorage under the
// same keys as the shell's facilitator console (hub.auth, hub.facilitator), so one login serves both.

const AUTH = 'hub.auth';
const WHO = 'hub.facilitator';

function storage() { try { return window.sessionStorage; } catch { return null; } }

export function token() { return storage()?.getItem(AUTH) || null; }

export function who() {
  try { return JSON.parse(storage()?.getItem(WHO) || 'null'); } catch { return null; }
}

export function setToken(value, facilitator) {
  const s = storage();
  if (!s) return;
  if (value) {
    s.setItem(AUTH, value);
    s.setItem(WHO, JSON.stringify(facilitator || {}));
  } else {
    s.removeItem(AUTH);
    s.removeItem(WHO);
  }
  window.dispatchEvent(new CustomEvent('kb-auth'));
}

/**
 * A contributor's invitation link ends in `#invite=<token>`: keep the token like a login, take it out of the
 * address bar (so it is not bookmarked with the page or shown on a shared screen), then ask who it is.
 */
function acceptInvitation() {
  const m = /(?:^#|&)invite=([A-Za-z0-9_-]{8,200})/.exec(window.location.hash || '');
  if (!m) return;
  setToken(m[1], { kind: 'contributor' });
  history.replaceState(null, '', window.location.pathname + window.location.search);
  api('/api/v1/me').then((res) => {
    if (res.ok && res.body) setToken(m[1], { kind: res.body.kind, id: res.body.id, name: res.body.name });
    else if (res.status === 401) {
      invitation.invalid = true;
      window.dispatchEvent(new CustomEvent('kb-invite-invalid'));
    }
  });
}

/** Whether the invitation in this page's address turned out to be revoked (the pages say so). */
export const invitation = { invalid: false };

/**
 * One request. Resolves {ok, status, body, code, message}; status 0 means the hub was not reachable.
 * A 401 on a request that carried a token forgets the token (it expired or was revoked).
 */
export async function api(path, { method = 'GET', body, keepalive = false } = {}) {
  const headers = { Accept: 'application/json' };
  const tk = token();
  if (tk) headers.Authorization = `Bearer ${tk}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), keepalive });
  } catch {
    return { ok: false, status: 0, body: null, code: 'network', message: '' };
  }
  let data = null;
  try { data = await res.json(); } catch { /* no body */ }
  if (res.status === 401 && tk) setToken(null);
  const err = data && data.error ? data.error : null;
  return { ok: res.ok, status: res.status, body: data, code: err?.code || '', message: err?.message || '', errors: err?.errors || [] };
}

export async function login(email, password) {
  const res = await api('/api/v1/login', { method: 'POST', body: { email, password } });
  if (res.ok && res.body && res.body.token) setToken(res.body.token, res.body.facilitator);
  return res;
}

/** A query string from an object; arrays become repeated comma-joined values, empty values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

acceptInvitation();
