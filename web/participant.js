// Participant page: / and /s/<code>. Join form → lobby → the current activity's plugin → closed screen.
import { t, getLang, applyI18n, langSwitch, onLangChange } from './i18n.js';
import { HubClient, savedIdentity, forgetIdentity, queueKey, savedSeriesToken } from './hub-client.js';
import { el, show, announce, groupNumber, PluginSlot, installDrafts, dropSentDrafts, clearDrafts, restoreDrafts, timeOf, confirmDialog } from './shell.js';
import { applySessionLang, rememberChoice, registerWorker } from './participant-offline.js';
import './components/hub-banner.js';
import './components/hub-status.js';

const $ = (id) => document.getElementById(id);
const allViews = ['view-loading', 'view-offline', 'view-join', 'view-lobby', 'view-activity', 'view-closed', 'view-ended'].map($);
let shownView = null;

/** Show one screen; on a change of screen, move focus to its heading so screen readers start there. */
function showView(section) {
  show(section, allViews);
  if (section === shownView) return;
  const first = shownView === null;
  shownView = section;
  if (first || section.id === 'view-join' || section.id === 'view-loading') return;
  const h = section.querySelector('h1');
  if (h && !section.contains(document.activeElement)) { h.tabIndex = -1; h.focus({ preventScroll: true }); }
}
const PROFILE = 'hub.profile';

let client = null;
let code = codeFromUrl();
let joinInfo = null;
let endedReason = null;
let joinNotice = '';
let lastActivity = null;
const slot = new PluginSlot($('plugin-slot'));
const closedSlot = new PluginSlot($('closed-slot'));

function codeFromUrl() {
  const m = /^\/s\/([^/?#]+)/.exec(location.pathname);
  const q = new URLSearchParams(location.search).get('code');
  return decodeURIComponent(m ? m[1] : (q || '')).trim().toUpperCase();
}

function readProfile() { try { return JSON.parse(localStorage.getItem(PROFILE) || '{}'); } catch { return {}; } }
function saveProfile(p) { try { localStorage.setItem(PROFILE, JSON.stringify(p)); } catch { /* private mode */ } }

// ---- join form ------------------------------------------------------------------------------------------

function fillJoinForm() {
  const p = readProfile();
  const form = $('join-form');
  if (code) form.code.value = code;
  if (!form.name.value && p.name) form.name.value = p.name;
  if (!form.org.value && p.org) form.org.value = p.org;
  if (!form.domain.value && p.domain) form.domain.value = p.domain;
  if (p.function && !form.function.value) {
    const known = [...form.function.options].some((o) => o.value === p.function);
    form.function.value = known ? p.function : 'anders';
    if (!known) form.functionOther.value = p.function;
  }
  syncFunctionOther();
  restoreDrafts(form);
}

function syncFunctionOther() {
  $('join-function-other-field').hidden = $('join-function').value !== 'anders';
}

function setJoinError(text) {
  const e = $('join-error');
  e.textContent = text || '';
  e.hidden = !text;
  $('join-code').setAttribute('aria-invalid', text ? 'true' : 'false');
}

async function fetchJoinInfo(c) {
  const res = await fetch(`/api/v1/join/${encodeURIComponent(c)}`, { headers: { Accept: 'application/json' } });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

function showJoin(notice = '') {
  if (client) { client.stop(); client = null; }
  endedReason = null;
  joinNotice = notice;
  slot.clear();
  closedSlot.clear();
  $('footer').hidden = true;
  $('banner').kind = '';
  fillJoinForm();
  renderJoinTexts();
  showView($('view-join'));
  (code ? $('join-name') : $('join-code')).focus();
  if (code && !joinInfo) {
    fetchJoinInfo(code).then((info) => {
      joinInfo = info;
      if (info) applySessionLang(code, info.lang);
      renderJoinTexts();
      if (!info) setJoinError(t('error.codeUnknown'));
    }).catch((e) => { if (e instanceof TypeError) showOffline(); });
  }
}

function renderJoinTexts() {
  const s = $('join-session');
  s.hidden = !joinInfo;
  s.textContent = joinInfo ? t('join.session', { title: joinInfo.title }) : '';
  if (joinInfo) $('session-title').textContent = joinInfo.title;
  // A session of a series asks whether to be recognised across it (unless this device is already), and the
  // domain when the series forms trios (docs/SERIES.md "Participants who continue").
  const series = joinInfo?.series?.id || null;
  const known = Boolean(savedSeriesToken(series));
  $('join-series-field').hidden = !series || known;
  $('join-series-known').hidden = !known;
  $('join-domain-field').hidden = !joinInfo?.trios;
  if (joinNotice) setJoinError(t(joinNotice));
}

async function submitJoin(ev) {
  ev.preventDefault();
  const form = $('join-form');
  const c = form.code.value.trim().toUpperCase();
  if (!c) { setJoinError(t('error.codeMissing')); form.code.focus(); return; }
  joinNotice = '';
  setJoinError('');
  const button = $('join-submit');
  button.disabled = true;
  button.textContent = t('join.joining');
  try {
    const info = await fetchJoinInfo(c);
    if (!info) { setJoinError(t('error.codeUnknown')); form.code.focus(); return; }
    joinInfo = info;
    code = info.code || c;
    applySessionLang(code, info.lang);
    const fn = form.function.value === 'anders' ? (form.functionOther.value.trim() || 'anders') : form.function.value;
    const profile = { name: form.name.value.trim(), function: fn, org: form.org.value.trim() };
    // The domain is remembered for the next session that asks it, and sent only where trios are formed.
    saveProfile({ ...profile, domain: info.trios ? form.domain.value : readProfile().domain });
    if (info.trios && form.domain.value) profile.domain = form.domain.value;
    if (info.series && form.series.checked) profile.series = true;
    if (location.pathname !== `/s/${code}`) history.replaceState(null, '', `/s/${code}`);
    clearDrafts('page.');
    start(profile);
  } catch {
    setJoinError(t('error.network'));
  } finally {
    button.disabled = false;
    button.textContent = t('join.submit');
  }
}

// ---- the connection ---------------------------------------------------------------------------------------

function start(profile = readProfile()) {
  if (client) client.stop();
  endedReason = null;
  showView($('view-loading'));
  client = new HubClient({ code, profile, lang: getLang(), series: joinInfo?.series?.id || null });
  client.addEventListener('change', (ev) => onChange(ev.detail));
  client.start();
}

function onChange(d) {
  switch (d.what) {
    case 'ended': return onEnded(d.reason, d.message);
    case 'connection':
      renderBanner();
      // Never reached the hub since the page loaded (a page from the service worker's cache, or the hub down).
      if (!client.state.joined && !client.state.session && ['reconnecting', 'offline'].includes(client.connection)) showOffline();
      return;
    case 'queue':
      if (d.entry && d.entry.state === 'confirmed') dropSentDrafts(`${code}.${d.entry.activity}`, d.entry.payload);
      return renderInputs();
    case 'presence': case 'roster': case 'error': return;
    default: return render();
  }
}

function onEnded(reason, message) {
  endedReason = reason;
  slot.clear();
  closedSlot.clear();
  renderBanner();
  if (reason === 'kicked' || reason === 'deleted') {
    $('ended-icon').className = `icon icon-large icon-${reason === 'kicked' ? 'door' : 'x'}`;
    renderEnded();
    showView($('view-ended'));
    $('ended-rejoin').hidden = reason !== 'kicked';
    $('footer').hidden = true;
    return;
  }
  const notice = { bad_token: 'error.tokenExpired', not_found: 'error.codeUnknown' }[reason];
  if (reason === 'join_failed') { showJoin(); setJoinError(t('error.joinFailed', { message: message || '' })); return; }
  showJoin(notice || '');
}

function renderEnded() {
  const r = endedReason === 'kicked' ? 'kicked' : 'deleted';
  $('ended-title').textContent = t(`ended.${r}Title`);
  $('ended-text').textContent = t(`ended.${r}Text`);
}

function renderBanner() {
  const banner = $('banner');
  if (endedReason === 'kicked' || endedReason === 'deleted') { banner.kind = endedReason; return; }
  if (!client) { banner.kind = ''; return; }
  const c = client.connection;
  if (c === 'offline') banner.kind = 'offline';
  else if (c === 'reconnecting') banner.kind = 'reconnecting';
  else if (client.state.status === 'closed') banner.kind = 'closed';
  else banner.kind = '';
  document.body.dataset.connection = c;
  renderInputs();
}

function pluginProps(entry, s) {
  return () => ({
    views: client.viewsOf(entry.id),
    phase: s.current?.activity === entry.id ? s.current.phase : entry.phase,
    role: s.role || 'participant',
    participant: s.participant ?? null,
    lang: getLang(),
    config: entry.config || {},
    anonymity: entry.anonymity,
    send: client.sender(entry.id),
    scope: `${code}.${entry.id}`,
    title: entry.title,
  });
}

function render() {
  if (!client || endedReason) return;
  const s = client.state;
  if (!s.joined && !s.session) return; // still connecting: keep the loading card
  if (s.session?.lang) applySessionLang(code, s.session.lang);
  document.body.dataset.participant = s.participant || '';
  document.body.dataset.status = s.status || '';
  if (s.session) $('session-title').textContent = s.session.title;
  $('footer').hidden = !s.participant;
  renderBanner();
  const entry = client.currentEntry;
  if (s.status === 'closed') {
    slot.clear();
    $('closed-text').textContent = entry ? t('closed.text') : t('closed.textNoResults');
    if (entry) closedSlot.show(entry, pluginProps(entry, s));
    else closedSlot.clear();
    showView($('view-closed'));
    return;
  }
  closedSlot.clear();
  if (s.status !== 'open' || !entry) {
    slot.clear();
    $('lobby-text').textContent = s.status === 'draft' ? t('lobby.draft') : t('lobby.between');
    const name = readProfile().name;
    $('lobby-who').textContent = s.participant ? (name ? t('lobby.joinedAs', { name }) : t('lobby.joinedAnonymous')) : '';
    showView($('view-lobby'));
    lastActivity = null;
    return;
  }
  $('activity-title').textContent = entry.title;
  const group = typeof s.groups === 'string' ? s.groups : null;
  $('activity-group').hidden = !group;
  $('activity-group').textContent = group ? t('activity.group', { n: groupNumber(group) }) : '';
  $('activity-closed-note').hidden = entry.inputsOpen !== false;
  showView($('view-activity'));
  slot.show(entry, pluginProps(entry, s));
  if (lastActivity !== entry.id) {
    if (lastActivity !== null) announce(t('activity.announce', { title: entry.title }));
    lastActivity = entry.id;
  }
  renderInputs();
}

function renderInputs() {
  if (!client) return;
  const activity = client.state.current?.activity;
  const list = $('inputs-list');
  const entries = activity ? client.inputs(activity).slice(-3) : [];
  $('inputs').hidden = entries.length === 0 || client.state.status === 'closed';
  const offline = client.connection !== 'open';
  list.replaceChildren(...entries.map((e) => {
    const status = document.createElement('hub-status');
    const state = e.state === 'pending' && offline ? 'queued' : e.state;
    status.setAttribute('state', state);
    if (e.state === 'error') {
      status.setAttribute('message', e.error?.code === 'not_sent' ? t('status.notSent') : (e.error?.message || t('status.error')));
    }
    return el('li', { 'data-id': e.id, 'data-state': e.state }, el('span', { text: t('activity.inputAt', { time: timeOf(e.at) }) }), status);
  }));
}

/** The hub cannot be reached yet: say so (the banner says it too), and keep trying in the background. */
function showOffline() {
  $('banner').kind = 'offline';
  showView($('view-offline'));
}

// ---- page wiring ------------------------------------------------------------------------------------------

function relabel() {
  renderJoinTexts();
  if (endedReason === 'kicked' || endedReason === 'deleted') renderEnded();
  if (client && !endedReason) {
    render();
    const entry = client.currentEntry;
    if (entry) { slot.relabel(entry); closedSlot.relabel(entry); }
  }
  renderInputs();
}

function init() {
  applyI18n();
  applySessionLang(code);
  langSwitch($('lang-switch'));
  $('lang-switch').addEventListener('click', () => rememberChoice(code));
  $('offline-retry').addEventListener('click', () => location.reload());
  registerWorker();
  onLangChange(relabel);
  installDrafts();
  $('join-form').addEventListener('submit', submitJoin);
  $('join-function').addEventListener('change', syncFunctionOther);
  $('join-code').addEventListener('input', () => { joinInfo = null; $('join-session').hidden = true; setJoinError(''); });
  $('ended-rejoin').addEventListener('click', () => { forgetIdentity(code); showJoin(); });
  $('leave').addEventListener('click', async () => {
    const ok = await confirmDialog({ title: t('footer.leave'), text: t('footer.leaveConfirm'), confirm: t('footer.leave') });
    if (!ok) return;
    forgetIdentity(code);
    try { localStorage.removeItem(queueKey(code)); } catch { /* ignore */ }
    clearDrafts(`${code}.`);
    showJoin();
  });
  if (code && savedIdentity(code)) start();
  else showJoin();
}

init();
