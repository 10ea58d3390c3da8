// Home after sign-in: /facilitate/ (issue 20). My sessions as live, upcoming (draft) and closed, with a search;
// per session: open the console, the beamer, the join sheet, duplicate (the editor with its agenda), start, close, the export and delete (both confirmed).
import { t, applyI18n, langSwitch, onLangChange } from '../i18n.js';
import { el, announce, confirmDialog } from '../shell.js';
import { api, signIn, download } from './auth.js';
import './messages.js';

const $ = (id) => document.getElementById(id);
const views = ['view-login', 'view-home'].map($);
let sessions = [];

async function load() {
  const res = await api('/api/v1/sessions');
  if (!res.ok) return;
  sessions = res.body.sessions || [];
  views.forEach((v) => { v.hidden = v.id !== 'view-home'; });
  render();
}

function matches(s, q) {
  return !q || [s.title, s.code, s.series || '', s.date || ''].some((x) => String(x).toLowerCase().includes(q));
}

function button(label, action, fn, extra = 'btn') {
  return el('button', { type: 'button', class: `${extra} btn-small`, 'data-action': action, text: label, on: { click: fn } });
}

function item(s) {
  const head = el('h3', { id: `h-${s.id}`, text: s.title });
  const meta = el('p', { class: 'small muted', text: [t('home.code', { code: s.code }), s.date, s.series].filter(Boolean).join(' · ') });
  const tools = el('div', { class: 'toolbar', role: 'group', 'aria-labelledby': head.id },
    el('a', { class: 'btn btn-small', href: `/facilitate/${encodeURIComponent(s.id)}`, 'data-action': 'console', text: t('home.console') }),
    el('a', { class: 'btn btn-small', href: `/beamer/${encodeURIComponent(s.code)}`, target: '_blank', rel: 'noopener', 'data-action': 'beamer', text: t('home.beamer') }),
    el('a', { class: 'btn btn-small', href: `/web/facilitate/join-sheet.html?code=${encodeURIComponent(s.code)}`, 'data-action': 'sheet', text: t('home.sheet') }),
    el('a', { class: 'btn btn-small', href: `/facilitate/new?from=${encodeURIComponent(s.id)}`, 'data-action': 'duplicate', text: t('home.duplicate') }),
    s.status === 'draft' ? button(t('home.start'), 'start', () => command(s, 'start')) : null,
    s.status === 'open' ? button(t('home.close'), 'close', () => closeSession(s)) : null,
    button(t('home.export'), 'export', () => download(`/api/v1/sessions/${encodeURIComponent(s.id)}/export?format=json`, `${s.code}.json`)),
    button(t('home.delete'), 'delete', () => remove(s), 'btn btn-danger'));
  return el('li', { 'data-session': s.id, 'data-status': s.status, 'aria-labelledby': head.id }, head, meta, tools);
}

function render() {
  const q = $('search').value.trim().toLowerCase();
  for (const status of ['open', 'draft', 'closed']) {
    $(`list-${status}`).replaceChildren(...sessions.filter((s) => s.status === status && matches(s, q)).map(item));
  }
}

async function command(s, type) {
  const res = await api(`/api/v1/sessions/${encodeURIComponent(s.id)}/${type}`, { method: 'POST' });
  say(res.ok ? t(`home.done.${type}`, { title: s.title }) : t('home.failed', { message: res.body?.error?.message || res.status }));
  await load();
}

async function closeSession(s) {
  if (await confirmDialog({ title: t('home.close'), text: t('home.closeConfirm', { title: s.title }), confirm: t('home.close') })) await command(s, 'close');
}

async function remove(s) {
  if (!(await confirmDialog({ title: t('home.delete'), text: t('home.deleteConfirm', { title: s.title }), confirm: t('home.delete') }))) return;
  const res = await api(`/api/v1/sessions/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
  say(res.ok ? t('home.done.delete', { title: s.title }) : t('home.failed', { message: res.body?.error?.message || res.status }));
  await load();
}

function say(text) { $('home-status').textContent = text; announce(text); }

applyI18n();
langSwitch($('lang-switch'));
onLangChange(render);
$('search').addEventListener('input', render);
signIn(views, load);
