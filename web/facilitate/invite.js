// A co-facilitator's invitation link: /web/facilitate/invite.html#invite=fi1.… (docs/ROLES.md "Co-facilitators
// invited by link"). The token rides in the fragment (no server log, no Referer); the form posts it with a name, an
// e-mail address and a password to POST /api/v1/facilitators/accept, which makes the account and signs it in.
import { t, applyI18n, langSwitch } from '../i18n.js';
import { setToken } from './auth.js';
import './messages.js';

const $ = (id) => document.getElementById(id);
const invite = new URLSearchParams(location.hash.slice(1)).get('invite') || sessionStorage.getItem('hub.invite') || '';
// Out of the address bar at once, kept for this tab (a reload still works).
if (invite) { sessionStorage.setItem('hub.invite', invite); history.replaceState(null, '', location.pathname); }

function fail(key) {
  const e = $('invite-error');
  e.textContent = t(key);
  e.hidden = false;
}

async function submit(ev) {
  ev.preventDefault();
  const form = $('invite-form');
  $('invite-error').hidden = true;
  if (!invite) { fail('inv.error.unauthorized'); return; }
  let res;
  try {
    res = await fetch('/api/v1/facilitators/accept', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token: invite, name: form.name.value.trim(), email: form.email.value.trim(), password: form.password.value }),
    });
  } catch { fail('error.network'); return; }
  const body = await res.json().catch(() => null);
  if (res.status === 201 && body?.token) {
    sessionStorage.removeItem('hub.invite');
    setToken(body.token, body.facilitator);
    location.assign('/facilitate/');
    return;
  }
  const code = body?.error?.code;
  fail(['unauthorized', 'invite_expired', 'invite_used', 'email_in_use'].includes(code) ? `inv.error.${code}` : 'inv.error.bad_message');
}

applyI18n();
langSwitch($('lang-switch'));
$('invite-form').addEventListener('submit', submit);
$('invite-name').focus();
