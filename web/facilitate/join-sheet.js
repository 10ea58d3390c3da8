// The printable join sheet: /web/facilitate/join-sheet.html?code=CODE (issue 20). Public data only: the title
// from GET /api/v1/join/<code>, the QR code from /api/v1/sessions/<code>/qr.svg, the participant URL.
import { t, applyI18n, setLang } from '../i18n.js';
import './messages.js';

const $ = (id) => document.getElementById(id);
const code = (new URLSearchParams(location.search).get('code') || '').trim().toUpperCase();

async function init() {
  applyI18n();
  $('sheet-print').addEventListener('click', () => window.print());
  const url = `${location.origin}/s/${code}`;
  $('sheet-code').textContent = code;
  $('sheet-url').textContent = url;
  $('sheet-qr').alt = t('qr.alt', { url });
  $('sheet-qr').src = `/api/v1/sessions/${encodeURIComponent(code)}/qr.svg`;
  try {
    const res = await fetch(`/api/v1/join/${encodeURIComponent(code)}`, { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(String(res.status));
    const info = await res.json();
    setLang(info.lang === 'en' ? 'en' : 'nl', { save: false }); // the sheet speaks the session's language
    $('sheet-qr').alt = t('qr.alt', { url });
    $('sheet-title').textContent = info.title;
    document.title = `${info.title} · ${code}`;
  } catch {
    $('sheet-error').textContent = t('error.codeUnknown');
    $('sheet-error').hidden = false;
  }
}

init();
