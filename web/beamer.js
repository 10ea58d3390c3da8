// Beamer page: /beamer/<code>. Join code, QR, participant URL and count; the current activity's public view
// through its plugin element with role `beamer`. No controls. Language: saved choice, browser, or ?lang=.
import { t, getLang, setLang, applyI18n, onLangChange } from './i18n.js';
import { HubClient } from './hub-client.js';
import { PluginSlot } from './shell.js';
import './components/hub-banner.js';
import './components/hub-qr.js';

const $ = (id) => document.getElementById(id);
const code = decodeURIComponent((/^\/beamer\/([^/?#]+)/.exec(location.pathname) || [])[1] || '').trim().toUpperCase();
const participantUrl = `${location.origin}/s/${code}`;
const slot = new PluginSlot($('plugin-slot'));
let client = null;

function render() {
  const s = client.state;
  const page = $('main');
  document.body.dataset.status = s.status || '';
  if (s.session) document.title = `${s.session.title} · SessionHub`;
  const entry = s.status === 'open' || s.status === 'closed' ? client.currentEntry : null;
  page.classList.toggle('has-activity', Boolean(entry));
  document.body.dataset.current = entry ? entry.id : '';
  let message = '';
  if (s.status === 'closed') message = t('beamer.closed');
  else if (!entry) message = t('beamer.waiting');
  $('message').textContent = message;
  $('message').hidden = !message;
  $('title').textContent = entry ? entry.title : (s.session?.title || '');
  if (entry) {
    slot.show(entry, () => ({
      views: client.viewsOf(entry.id), phase: s.current?.phase || entry.phase, role: 'beamer', participant: null,
      lang: getLang(), config: entry.config || {}, anonymity: entry.anonymity, send: () => Promise.reject(new Error('read-only')), scope: `${code}.beamer`, title: entry.title,
    }));
  } else slot.clear();
  renderCount();
}

function renderCount() {
  const p = client?.state.presence;
  const n = p ? p.count : 0;
  $('count').textContent = t('beamer.count', { n });
  $('count').dataset.count = String(n);
}

function renderBanner() {
  const c = client.connection;
  $('banner').kind = c === 'offline' ? 'offline' : (c === 'reconnecting' ? 'reconnecting' : '');
  document.body.dataset.connection = c;
}

function init() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'nl' || q === 'en') setLang(q, { save: false });
  applyI18n();
  $('join-code').textContent = code;
  $('participant-url').textContent = participantUrl;
  $('qr').setAttribute('code', code);
  $('qr').setAttribute('url', participantUrl);
  client = new HubClient({ code, as: 'beamer', lang: getLang() });
  client.addEventListener('change', (ev) => {
    const d = ev.detail;
    if (d.what === 'connection') renderBanner();
    else if (d.what === 'presence') renderCount();
    else if (d.what === 'ended') {
      $('message').textContent = d.reason === 'not_found' || d.reason === 'deleted' ? t('beamer.notFound') : '';
      $('message').hidden = false;
      slot.clear();
      renderBanner();
    } else if (d.what === 'view') { if (d.activity === client.state.current?.activity) slot.update(); }
    else if (client.state.joined) render();
  });
  onLangChange(() => { if (client.state.joined) { render(); slot.relabel(client.currentEntry); } });
  client.start();
}

init();
