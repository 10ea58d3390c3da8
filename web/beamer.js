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
// A plugin re-renders its shadow root when its views change; every change may change what has to fit.
const rendered = new MutationObserver(() => queueFit());
const slot = new PluginSlot($('plugin-slot'), {
  onMount: (element) => {
    rendered.disconnect();
    if (element.shadowRoot) rendered.observe(element.shadowRoot, { childList: true, subtree: true, characterData: true, attributes: true });
    queueFit();
  },
});
let client = null;

// A beamer cannot scroll, and what runs past the screen is lost to the room: the activity is scaled down (never up)
// until it fits the stage under its title. A transform, not `zoom`: plugins size type in viewport units, which `zoom`
// leaves as they are while it narrows the box, so zoomed content grew taller. The layout box keeps its natural
// height; the negative bottom margin gives the stage the scaled height to centre. Measured unscaled each time (one
// extra layout, not painted), so the result depends on the content alone and the observers below settle.
function fit() {
  const stage = document.querySelector('.beamer-stage');
  const box = $('plugin-slot');
  box.style.transform = '';
  box.style.marginBottom = '';
  const natural = box.offsetHeight + 1; // layout size: unaffected by the transform, rounded to whole pixels
  const gap = parseFloat(getComputedStyle(stage).rowGap) || 0;
  const others = [...stage.children].filter((c) => c !== box && !c.hidden && c.offsetHeight);
  const room = Math.floor(stage.clientHeight - others.reduce((sum, c) => sum + c.getBoundingClientRect().height + gap, 0)) - 1;
  const scale = natural > room && natural > 0 ? Math.max(0.3, Math.floor((room / natural) * 100) / 100) : 1;
  if (scale < 1) {
    box.style.transform = `scale(${scale})`;
    box.style.marginBottom = `${-Math.ceil(natural * (1 - scale))}px`;
  }
  document.body.dataset.scale = String(scale);
}
let fitQueued = false;
function queueFit() {
  if (fitQueued) return;
  fitQueued = true;
  requestAnimationFrame(() => { fitQueued = false; fit(); });
}

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
  // The plugin renders into its shadow root whenever its views change; any change of its size or the window's refits.
  // (The slot itself is observed: a custom element is inline by default, and an inline box reports no size.)
  const sizes = new ResizeObserver(queueFit);
  sizes.observe(document.querySelector('.beamer-stage'));
  sizes.observe($('plugin-slot'));
}

init();
