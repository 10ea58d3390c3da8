// Home after sign-in: /facilitate/ (issue 20). New sessions from the hub's templates (GET /api/v1/templates) or a
// blank agenda; my sessions as live, upcoming (draft) and closed, with a search; my series with their sessions.
// Per session: open the console, the beamer, the join sheet, duplicate (the editor with its agenda), start, close, the export and delete (both confirmed).
import { t, applyI18n, langSwitch, onLangChange } from '../i18n.js';
import { el, announce, confirmDialog } from '../shell.js';
import { api, signIn, download, who } from './auth.js';
import './messages.js';

const $ = (id) => document.getElementById(id);
const views = ['view-login', 'view-home'].map($);
let sessions = [];
let series = [];
let templates = [];

async function load() {
  const res = await api('/api/v1/sessions');
  if (!res.ok) return;
  sessions = res.body.sessions || [];
  // Templates and series are extras of the page: a hub without them (or an error) leaves their lists empty.
  const [tpl, ser] = await Promise.all([api('/api/v1/templates'), api('/api/v1/series')]);
  templates = tpl.ok ? tpl.body?.templates || [] : [];
  series = ser.ok ? ser.body?.series || [] : [];
  views.forEach((v) => { v.hidden = v.id !== 'view-home'; });
  $('co-facilitators').hidden = who().role !== 'owner'; // inviting co-facilitators is an owner's right (docs/ROLES.md)
  render();
}

/** A co-facilitator's invitation link (POST /api/v1/facilitators/invites), shown selected to copy. */
async function inviteCoFacilitator() {
  const res = await api('/api/v1/facilitators/invites', { method: 'POST' });
  if (res.status !== 201) { say(t('home.coFailed', { message: res.body?.error?.message || res.status })); return; }
  const link = $('co-link');
  link.value = new URL(res.body.link, location.origin).href;
  $('co-link-field').hidden = false;
  link.focus();
  link.select();
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
    s.status === 'draft' ? el('a', { class: 'btn btn-small', href: `/facilitate/new?edit=${encodeURIComponent(s.id)}`, 'data-action': 'edit', text: t('home.edit') }) : null,
    el('a', { class: 'btn btn-small', href: `/facilitate/new?from=${encodeURIComponent(s.id)}`, 'data-action': 'duplicate', text: t('home.duplicate') }),
    s.status === 'draft' ? button(t('home.start'), 'start', () => command(s, 'start')) : null,
    s.status === 'open' ? button(t('home.close'), 'close', () => closeSession(s)) : null,
    button(t('home.export'), 'export', () => download(`/api/v1/sessions/${encodeURIComponent(s.id)}/export?format=json`, `${s.code}.json`)),
    button(t('home.delete'), 'delete', () => remove(s), 'btn btn-danger'));
  return el('li', { 'data-session': s.id, 'data-status': s.status, 'aria-labelledby': head.id }, head, meta, tools);
}

function template(tp) {
  const head = el('h3', { id: `t-${tp.name}`, text: tp.title });
  const meta = el('p', { class: 'small muted', text: [t('home.activities', { n: tp.activities }), tp.description].filter(Boolean).join(' · ') });
  const use = el('a', { class: 'btn btn-strong btn-small', href: `/facilitate/new?template=${encodeURIComponent(tp.name)}`, 'data-template': tp.name,
    'aria-label': t('home.useLabel', { title: tp.title }), text: t('home.use') });
  return el('li', { 'data-template-item': tp.name, 'aria-labelledby': head.id }, head, meta, el('div', { class: 'toolbar' }, use));
}

/** My series: the hub's series records, and any series id that sessions name without one; each with its sessions. */
function seriesItems(q) {
  const known = new Map(series.map((x) => [x.id, x]));
  for (const s of sessions) if (s.series && !known.has(s.series)) known.set(s.series, { id: s.series, title: s.series });
  return [...known.values()].map((x) => {
    const own = sessions.filter((s) => s.series === x.id).sort((a, b) => String(a.date || '').localeCompare(String(b.date || '')) || a.createdAt - b.createdAt);
    if (q && ![x.title, x.id, x.kind || ''].some((v) => String(v).toLowerCase().includes(q)) && !own.some((s) => matches(s, q))) return null;
    const head = el('h3', { id: `sr-${x.id}`, text: x.title });
    const meta = el('p', { class: 'small muted', text: [x.kind, t('home.sessionCount', { n: own.length })].filter(Boolean).join(' · ') });
    const list = el('ol', { class: 'series-sessions' }, ...own.map((s) => el('li', {},
      el('a', { href: `/facilitate/${encodeURIComponent(s.id)}`, 'data-action': 'console', text: s.title }),
      el('span', { class: 'small muted', text: ` · ${[t(`home.status.${s.status}`), s.date].filter(Boolean).join(' · ')}` }))));
    return el('li', { 'data-series': x.id, 'aria-labelledby': head.id }, head, meta, own.length ? list : null);
  }).filter(Boolean);
}

function render() {
  const q = $('search').value.trim().toLowerCase();
  for (const status of ['open', 'draft', 'closed']) {
    $(`list-${status}`).replaceChildren(...sessions.filter((s) => s.status === status && matches(s, q)).map(item));
  }
  $('list-templates').replaceChildren(...templates.map(template));
  $('list-series').replaceChildren(...seriesItems(q));
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
$('co-invite').addEventListener('click', inviteCoFacilitator);
signIn(views, load);
