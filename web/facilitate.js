// Facilitator console: /facilitate/<sessionId>. Log in (POST /api/v1/login, token in sessionStorage),
// then join the session with `auth` and run it: agenda, phases, input, reveal, groups, roster, close.
import { t, getLang, applyI18n, langSwitch, onLangChange } from './i18n.js';
import { HubClient } from './hub-client.js';
import { el, show, announce, groupNumber, PluginSlot, installDrafts, confirmDialog } from './shell.js';
import { token, who, setToken } from './facilitate/auth.js';
import './components/hub-banner.js';

const $ = (id) => document.getElementById(id);
const views = ['view-login', 'view-loading', 'view-missing', 'view-console'].map($);

const sessionId = decodeURIComponent((/^\/facilitate\/([^/?#]+)/.exec(location.pathname) || [])[1] || '');
let detail = null;
let plugins = {};
let client = null;
const manual = new Map(); // participant id → group id chosen by hand, not yet applied ('' = none)
const slot = new PluginSlot($('plugin-slot'));

async function api(path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  const tk = token();
  if (tk) headers.Authorization = `Bearer ${tk}`;
  const res = await fetch(path, { ...options, headers });
  let body = null;
  try { body = await res.json(); } catch { /* empty */ }
  return { status: res.status, ok: res.ok, body };
}

// ---- login ------------------------------------------------------------------------------------------------

function showLogin(notice = '') {
  if (client) { client.stop(); client = null; }
  slot.clear();
  $('logout').hidden = true;
  $('conn').hidden = true;
  const e = $('login-error');
  e.dataset.key = notice;
  e.textContent = notice ? t(notice) : '';
  e.hidden = !notice;
  show($('view-login'), views);
  $('login-email').focus();
}

async function submitLogin(ev) {
  ev.preventDefault();
  const form = $('login-form');
  const button = $('login-submit');
  button.disabled = true;
  try {
    const res = await fetch('/api/v1/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email: form.email.value.trim(), password: form.password.value }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok || !body || !body.token) { showLogin('fac.loginFailed'); return; }
    form.password.value = '';
    setToken(body.token, body.facilitator);
    await open();
  } catch {
    showLogin('error.network');
  } finally {
    button.disabled = false;
  }
}

// ---- session ------------------------------------------------------------------------------------------------

async function open() {
  show($('view-loading'), views);
  const res = await api(`/api/v1/sessions/${encodeURIComponent(sessionId)}`);
  if (res.status === 401) { setToken(null); showLogin('fac.loginExpired'); return; }
  if (res.status === 404 || !res.ok) { show($('view-missing'), views); return; }
  detail = res.body;
  const list = await api('/api/v1/plugins');
  plugins = {};
  if (list.ok && list.body && Array.isArray(list.body.plugins)) for (const p of list.body.plugins) plugins[p.name] = p;
  $('session-title').textContent = detail.title || '';
  $('join-code').textContent = detail.code;
  const url = detail.participantUrl || `${location.origin}/s/${detail.code}`;
  $('participant-link').textContent = url;
  $('participant-link').href = url;
  $('beamer-link').href = detail.beamerUrl || `/beamer/${detail.code}`;
  $('logout').hidden = false;
  $('conn').hidden = false;
  client = new HubClient({ code: detail.code, auth: token(), lang: getLang() });
  client.addEventListener('change', (ev) => onChange(ev.detail));
  client.start();
}

function onChange(d) {
  switch (d.what) {
    case 'ended':
      if (d.reason === 'unauthorized') { setToken(null); showLogin('fac.loginExpired'); }
      else if (d.reason === 'deleted' || d.reason === 'not_found') { show($('view-missing'), views); }
      renderConnection();
      return;
    case 'connection': return renderConnection();
    case 'presence': return renderPresence();
    case 'roster': return renderRoster();
    case 'queue': case 'error': return;
    case 'view': if (d.activity === client.state.current?.activity) slot.update(); return;
    default: return render();
  }
}

function renderConnection() {
  if (!client) return;
  const c = client.connection;
  $('conn').textContent = t(`conn.${c}`);
  $('banner').kind = c === 'offline' ? 'offline' : (c === 'reconnecting' ? 'reconnecting' : (client.state.status === 'closed' ? 'closed' : ''));
  document.body.dataset.connection = c;
}

function pluginTitle(name) {
  const p = plugins[name];
  return (p && p.title && (p.title[getLang()] || p.title.nl)) || name;
}

/** The phase's title in the console's language, from the manifest (via GET /api/v1/plugins). */
function phaseTitle(plugin, phase) {
  const titles = plugins[plugin] && plugins[plugin].phaseTitles;
  const title = titles && titles[phase];
  return (title && (title[getLang()] || title.nl)) || phase;
}

function phasesOf(name) {
  const p = plugins[name];
  return p && Array.isArray(p.phases) ? p.phases.map((x) => (typeof x === 'string' ? x : x.name)).filter(Boolean) : null;
}

/** Re-render a container and give focus back to the control that had it (by data-focus). */
function keepFocus(container, fn) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focus : null;
  fn();
  if (key) container.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}

function render() {
  if (!client || !client.state.joined) return;
  const s = client.state;
  show($('view-console'), views);
  document.body.dataset.status = s.status || '';
  document.body.dataset.current = s.current?.activity || '';
  document.body.dataset.phase = s.current?.phase || '';
  if (s.session) $('session-title').textContent = s.session.title;
  $('session-status').textContent = t(`fac.status.${s.status || 'draft'}`);
  const me = who();
  $('logged-in').textContent = me.name ? t('fac.loggedInAs', { name: me.name }) : '';
  $('btn-start').hidden = s.status !== 'draft';
  const closed = s.status === 'closed';
  for (const id of ['btn-prev', 'btn-next', 'btn-close', 'btn-groups', 'btn-ungroup']) $(id).disabled = closed;
  $('btn-close').hidden = s.status === 'draft';
  renderConnection();
  renderAgenda();
  renderCurrent();
  renderPresence();
  renderRoster();
}

function renderAgenda() {
  const s = client.state;
  const list = $('agenda');
  const closed = s.status === 'closed';
  keepFocus(list, () => {
    list.replaceChildren(...s.agenda.map((a, i) => {
      const current = s.current?.activity === a.id;
      const meta = [pluginTitle(a.plugin), t('fac.phaseOf', { phase: a.phase || '–' }), a.inputsOpen === false ? t('fac.inputsShut') : t('fac.inputsOpen')];
      const li = el('li', { class: current ? 'current' : '', 'data-activity': a.id, 'aria-current': current ? 'step' : null },
        el('span', { class: 'item-title' }, el('span', { text: a.title }), current ? el('span', { class: 'chip', text: ` ${t('fac.currentMark')}` }) : null),
        el('span', { class: 'item-meta', text: meta.join(' · ') }),
        a.pluginState ? el('span', { class: 'item-meta form-error', text: a.pluginState === 'failed' ? t('fac.pluginFailed', { error: a.pluginError || '' }) : t('fac.pluginRestarting') }) : null,
        el('div', { class: 'item-actions' },
          current ? null : el('button', { type: 'button', class: 'btn btn-small', 'data-focus': `goto-${a.id}`, 'data-action': 'goto', disabled: closed, 'aria-label': t('fac.gotoLabel', { title: a.title }), text: t('fac.goto'), on: { click: () => run('goto', { activity: a.id }) } }),
          el('button', { type: 'button', class: 'btn btn-small', 'data-focus': `up-${a.id}`, 'data-action': 'up', disabled: closed || i === 0, 'aria-label': t('fac.moveUp', { title: a.title }), on: { click: () => move(a.id, -1) } }, el('span', { class: 'icon icon-arrow-up', 'aria-hidden': 'true' })),
          el('button', { type: 'button', class: 'btn btn-small', 'data-focus': `down-${a.id}`, 'data-action': 'down', disabled: closed || i === s.agenda.length - 1, 'aria-label': t('fac.moveDown', { title: a.title }), on: { click: () => move(a.id, 1) } }, el('span', { class: 'icon icon-arrow-down', 'aria-hidden': 'true' }))));
      return li;
    }));
  });
}

function renderCurrent() {
  const s = client.state;
  const entry = client.currentEntry;
  // The page's one h1 (axe: page-has-heading-one): the activity's title, or that there is none yet.
  $('current-title').textContent = entry ? entry.title : t('fac.noCurrentTitle');
  $('no-current').hidden = Boolean(entry);
  $('current-controls').hidden = !entry;
  const state = $('plugin-state');
  state.hidden = !(entry && entry.pluginState);
  state.textContent = entry && entry.pluginState ? (entry.pluginState === 'failed' ? t('fac.pluginFailed', { error: entry.pluginError || '' }) : t('fac.pluginRestarting')) : '';
  if (!entry) { slot.clear(); return; }
  const closed = s.status === 'closed';
  const phase = s.current.phase || entry.phase;
  const phases = phasesOf(entry.plugin);
  $('phase-box').hidden = !phases || phases.length < 2;
  $('phase-text').hidden = Boolean(phases && phases.length >= 2);
  $('phase-text').textContent = t('fac.phaseOf', { phase: phase ? phaseTitle(entry.plugin, phase) : '–' });
  keepFocus($('phases'), () => {
    $('phases').replaceChildren(...(phases || []).map((name) => el('button', {
      type: 'button', class: 'btn btn-small', 'data-focus': `phase-${name}`, 'data-phase': name, disabled: closed,
      'aria-pressed': String(name === phase), text: phaseTitle(entry.plugin, name), on: { click: () => run('phase', { activity: entry.id, phase: name }) },
    })));
  });
  const inputs = $('btn-inputs');
  const open = entry.inputsOpen !== false;
  inputs.replaceChildren(el('span', { class: `icon icon-${open ? 'lock' : 'unlock'}`, 'aria-hidden': 'true' }), el('span', { text: open ? t('fac.closeInputs') : t('fac.openInputs') }));
  inputs.dataset.open = String(open);
  inputs.disabled = closed;
  $('btn-reveal').disabled = closed;
  slot.show(entry, () => ({
    views: client.viewsOf(entry.id),
    phase,
    role: 'facilitator',
    participant: null,
    lang: getLang(),
    config: entry.config || {},
    anonymity: entry.anonymity,
    send: client.sender(entry.id),
    scope: `${detail.code}.fac.${entry.id}`,
    title: entry.title,
  }));
}

function renderPresence() {
  if (!client) return;
  const p = client.state.presence;
  const count = p ? p.count : (client.state.roster || []).length;
  const connected = p ? p.connected : 0;
  $('counts').textContent = t('fac.counts', { count, connected, n: count });
  // Who is in the console (presence.facilitators, issue 20): co-facilitators see each other.
  const me = who().id;
  const here = (p && p.facilitators) || [];
  $('in-console').textContent = here.length ? t('fac.inConsole', { names: here.map((f) => (f.id === me ? t('fac.you', { name: f.name }) : f.name)).join(', ') }) : '';
  const byFunction = (p && p.byFunction) || {};
  $('by-function').replaceChildren(...Object.entries(byFunction).sort((a, b) => b[1] - a[1]).map(([f, n]) =>
    el('li', { class: 'chip', 'data-function': f }, el('span', { text: f || t('fac.noFunction') }), el('strong', { text: ` ${n}` }))));
  const byGroup = (p && p.byGroup) || {};
  const groups = Object.entries(byGroup).sort((a, b) => Number(groupNumber(a[0])) - Number(groupNumber(b[0])));
  $('by-group').replaceChildren(...(groups.length ? groups.map(([g, n]) =>
    el('li', { class: 'chip', 'data-group': g }, el('span', { text: t('activity.group', { n: groupNumber(g) }) }), el('strong', { text: ` ${n}` })))
    : [el('li', { class: 'muted small', text: t('fac.noGroups') })]));
}

function renderRoster() {
  if (!client) return;
  const roster = client.state.roster || [];
  const body = $('roster-body');
  const closed = client.state.status === 'closed';
  $('roster-empty').hidden = roster.length > 0;
  $('roster').hidden = roster.length === 0;
  const groupCount = Math.max(2, new Set(roster.map((p) => p.group).filter(Boolean)).size + 1, ...[...manual.values()].map((g) => Number(groupNumber(g)) || 0));
  $('btn-manual').disabled = closed || roster.length === 0;
  keepFocus(body, () => {
    body.replaceChildren(...roster.map((p) => {
      const name = p.name || t('roster.anonymous');
      return el('tr', { 'data-participant': p.id, 'data-connected': String(Boolean(p.connected)) },
        el('td', {}, el('span', { class: 'name', text: name }), el('span', { class: 'who', text: [p.function, p.org].filter(Boolean).join(' · ') })),
        el('td', {}, groupSelect(p, name, groupCount, closed)),
        el('td', { class: 'conn' }, el('span', { class: `dot ${p.connected ? 'on' : 'off'}`, 'aria-hidden': 'true' }), el('span', { text: p.connected ? t('roster.online') : t('roster.offline') })),
        el('td', {}, el('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus': `kick-${p.id}`, 'data-action': 'kick', disabled: closed,
          'aria-label': t('fac.kickLabel', { name }), on: { click: () => kick(p) } }, el('span', { class: 'icon icon-x', 'aria-hidden': 'true' }), el('span', { class: 'visually-hidden', text: t('fac.kick') }))));
    }));
  });
}

/** A select per participant for grouping by hand; it shows the hub's group until the facilitator picks another. */
function groupSelect(p, name, count, closed) {
  const value = manual.has(p.id) ? manual.get(p.id) : (p.group || '');
  const select = el('select', { class: 'group-select', 'data-focus': `group-${p.id}`, 'data-participant': p.id, disabled: closed,
    'aria-label': t('fac.groupOf', { name }), 'data-keep': 'off' },
  el('option', { value: '', text: '–' }),
  ...Array.from({ length: count }, (_, i) => el('option', { value: `g${i + 1}`, text: t('activity.group', { n: i + 1 }) })));
  select.value = value;
  select.addEventListener('change', () => { manual.set(p.id, select.value); });
  return select;
}

async function applyManual() {
  const roster = client?.state.roster || [];
  const chosen = {};
  for (const p of roster) {
    const g = manual.has(p.id) ? manual.get(p.id) : (p.group || '');
    if (g) (chosen[g] ||= []).push(p.id);
  }
  // Ids g1, g2, … without gaps, in the order of the chosen numbers.
  const assignments = {};
  Object.keys(chosen).sort((a, b) => Number(groupNumber(a)) - Number(groupNumber(b)))
    .forEach((g, i) => { assignments[`g${i + 1}`] = chosen[g]; });
  const ack = await run('groups', { mode: 'manual', assignments });
  if (ack) { manual.clear(); renderRoster(); }
}

// ---- commands ---------------------------------------------------------------------------------------------

function status(text, error = false) {
  const s = $('command-status');
  s.textContent = text;
  s.classList.toggle('form-error', error);
}

async function run(type, fields = {}) {
  if (!client) return null;
  if (!client.online) { status(t('fac.offline'), true); return null; }
  try {
    const ack = await client.command(type, fields);
    status(t('fac.ok'));
    return ack;
  } catch (err) {
    status(t('fac.commandFailed', { message: err.message || err.code }), true);
    return null;
  }
}

function move(id, delta) {
  const order = client.state.agenda.map((a) => a.id);
  const i = order.indexOf(id);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= order.length) return;
  [order[i], order[j]] = [order[j], order[i]];
  run('reorder', { order });
}

async function kick(p) {
  const name = p.name || t('roster.anonymous');
  const ok = await confirmDialog({ title: t('fac.kickConfirmTitle', { name }), text: t('fac.kickConfirmText'), confirm: t('fac.kick') });
  if (ok) run('kick', { participant: p.id });
}

async function closeSession() {
  const ok = await confirmDialog({ title: t('fac.closeConfirmTitle'), text: t('fac.closeConfirmText'), confirm: t('fac.close') });
  if (ok) run('close');
}

function current() { return client?.state.current?.activity || null; }

function reveal() { const a = current(); if (a) run('reveal', { activity: a }); }

const FOCUSABLE = 'button, input, select, textarea, summary, a[href], [tabindex]:not([tabindex="-1"])';

/** `B`: focus the first usable control of the running activity's element (inside its shadow root). */
function focusControls() {
  const host = $('plugin-slot').firstElementChild;
  const root = host && (host.shadowRoot || host);
  const first = root && [...root.querySelectorAll(FOCUSABLE)].find((e) => !e.disabled && e.checkVisibility());
  if (first) first.focus();
  else announce(t('fac.noControls'));
}

function keymap() {
  const d = $('keymap');
  if (!d.open) { d.showModal(); $('keymap-close').focus(); }
}

function onKey(e) {
  if (!client || !client.state.joined || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (document.querySelector('dialog[open]')) return;
  const target = e.composedPath()[0];
  if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const action = { ArrowRight: 'next', n: 'next', ArrowLeft: 'prev', p: 'prev', r: 'reveal', b: 'controls', '?': 'keymap' }[key];
  if (!action) return;
  e.preventDefault();
  if (action === 'reveal') reveal();
  else if (action === 'controls') focusControls();
  else if (action === 'keymap') keymap();
  else run(action).then((ack) => { if (ack) announce(client.currentEntry?.title || ''); });
}

// ---- wiring -----------------------------------------------------------------------------------------------

function relabel() {
  const e = $('login-error');
  if (!e.hidden && e.dataset.key) e.textContent = t(e.dataset.key);
  if (client && client.state.joined) { render(); slot.relabel(client.currentEntry); }
  renderConnection();
}

function init() {
  applyI18n();
  langSwitch($('lang-switch'));
  onLangChange(relabel);
  installDrafts();
  $('login-form').addEventListener('submit', submitLogin);
  $('logout').addEventListener('click', async () => {
    await api('/api/v1/logout', { method: 'POST' }).catch(() => {});
    setToken(null);
    showLogin();
  });
  $('btn-start').addEventListener('click', () => run('start'));
  $('btn-next').addEventListener('click', () => run('next'));
  $('btn-prev').addEventListener('click', () => run('prev'));
  $('btn-close').addEventListener('click', closeSession);
  $('btn-reveal').addEventListener('click', reveal);
  $('btn-keymap').addEventListener('click', keymap);
  $('keymap-close').addEventListener('click', () => $('keymap').close());
  $('btn-inputs').addEventListener('click', () => {
    const entry = client?.currentEntry;
    if (entry) run('inputs', { activity: entry.id, open: entry.inputsOpen === false });
  });
  $('groups-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const size = Math.max(1, Math.min(1000, parseInt($('group-size').value, 10) || 5));
    run('groups', { mode: $('group-mode').value, size });
  });
  $('btn-ungroup').addEventListener('click', () => { manual.clear(); run('ungroup'); });
  $('btn-manual').addEventListener('click', applyManual);
  document.addEventListener('keydown', onKey);
  if (!sessionId) { show($('view-missing'), views); return; }
  if (token()) open().catch(() => showLogin('error.network'));
  else showLogin();
}

init();
