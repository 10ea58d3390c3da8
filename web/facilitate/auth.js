// Sign-in of the facilitator pages under /facilitate/ (home, agenda editor): the console's token in
// sessionStorage (`hub.auth`, `hub.facilitator`), sent as a bearer token; a 401 returns to the login form.
import { t } from '../i18n.js';
import { show } from '../shell.js';

const AUTH = 'hub.auth';
const WHO = 'hub.facilitator';
const $ = (id) => document.getElementById(id);

export function token() { try { return sessionStorage.getItem(AUTH); } catch { return null; } }
export function who() { try { return JSON.parse(sessionStorage.getItem(WHO) || '{}'); } catch { return {}; } }
export function setToken(v, facilitator) {
  try {
    if (v) { sessionStorage.setItem(AUTH, v); sessionStorage.setItem(WHO, JSON.stringify(facilitator || {})); }
    else { sessionStorage.removeItem(AUTH); sessionStorage.removeItem(WHO); }
  } catch { /* blocked */ }
}

let views = [];
let onSignedIn = async () => {};

/** Wires #login-form; `then` runs once signed in (at once when a token is kept). */
export function signIn(pageViews, then) {
  views = pageViews;
  onSignedIn = then;
  $('login-form').addEventListener('submit', submitLogin);
  if (token()) then(); else showLogin();
}

export function showLogin(notice = '') {
  const e = $('login-error');
  e.textContent = notice ? t(notice) : '';
  e.hidden = !notice;
  show($('view-login'), views);
  $('login-email').focus();
}

async function submitLogin(ev) {
  ev.preventDefault();
  const form = $('login-form');
  try {
    const res = await fetch('/api/v1/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email: form.email.value.trim(), password: form.password.value }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok || !body?.token) { showLogin('fac.loginFailed'); return; }
    form.password.value = '';
    setToken(body.token, body.facilitator);
    await onSignedIn();
  } catch { showLogin('error.network'); }
}

/** A REST call with the token; `{status, ok, body}` (body parsed as JSON when it is). */
export async function api(path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  const tk = token();
  if (tk) headers.Authorization = `Bearer ${tk}`;
  const res = await fetch(path, { ...options, headers });
  let body = null;
  try { body = await res.json(); } catch { /* empty */ }
  if (res.status === 401) { setToken(null); showLogin(); }
  return { status: res.status, ok: res.ok, body };
}

/** Downloads an authenticated GET (an export) under `name`. */
export async function download(path, name) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!res.ok) return false;
  await saveAs(res, name);
  return true;
}

/** Saves a response's body as a file `name`: exports and reports need the token, which a plain link cannot carry. */
export async function saveAs(res, name) {
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
