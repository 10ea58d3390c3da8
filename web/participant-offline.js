// Two things of the participant page (issue 20): the session's language first, and loading without a network.
//
// Language: the session's `lang` (from GET /api/v1/join/<code> or the welcome) wins over the browser's, so a
// Dutch session is Dutch on an English phone; a participant who switches language on this page for this
// session keeps that choice (localStorage `hub.lang.<CODE>`). The session's language is remembered per code
// (`hub.sessionLang.<CODE>`), so that a page loaded offline starts in it too.
//
// Offline: a service worker (/sw.js) caches the shell and the plugin modules; it registers only where browsers
// allow one (HTTPS, or localhost), elsewhere the page works as before without offline loading.
import { getLang, setLang } from './i18n.js';

const CHOICE = (code) => `hub.lang.${code}`;
const KNOWN = (code) => `hub.sessionLang.${code}`;

function read(key) { try { return localStorage.getItem(key); } catch { return null; } }
function write(key, v) { try { localStorage.setItem(key, v); } catch { /* private mode */ } }

/** The language to show for `code`: the participant's own choice for it, else the session's. */
export function applySessionLang(code, sessionLang) {
  if (!code) return;
  if (sessionLang === 'nl' || sessionLang === 'en') write(KNOWN(code), sessionLang);
  const lang = read(CHOICE(code)) || read(KNOWN(code));
  if ((lang === 'nl' || lang === 'en') && lang !== getLang()) setLang(lang, { save: false });
}

/** Remembers a switch made on this page as the choice for this session (call after the switch ran). */
export function rememberChoice(code) { if (code) write(CHOICE(code), getLang()); }

export function workerAllowed() {
  return 'serviceWorker' in navigator && (location.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname));
}

/** Registers the worker and hands it the files this page loaded before it was in control (the first visit). */
export async function registerWorker() {
  if (!workerAllowed()) return false;
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    const ready = await navigator.serviceWorker.ready;
    const loaded = performance.getEntriesByType('resource').map((e) => e.name)
      .filter((u) => u.startsWith(location.origin + '/web/') || u.startsWith(location.origin + '/plugins/'));
    ready.active?.postMessage({ cache: loaded });
    document.documentElement.dataset.offlineReady = 'true';
    return true;
  } catch (e) {
    console.warn('service worker not registered', e);
    return false;
  }
}
