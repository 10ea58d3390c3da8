// Agenda editor: /facilitate/new (issue 20). The agenda is a JS object; every change writes it as YAML
// (agenda-yaml.js) and, debounced, asks the hub's own validator (POST /api/v1/agendas/validate), whose
// problems are shown at their fields. Import sends YAML to the same endpoint and loads the JSON it answers;
// export downloads the YAML that "Maak de sessie aan" posts to POST /api/v1/sessions and that
// `hubctl session create` accepts unchanged.
import { t, getLang, applyI18n, langSwitch, onLangChange } from '../i18n.js';
import { el, show, announce } from '../shell.js';
import { toYAML } from './agenda-yaml.js';
import { api, signIn, token } from './auth.js';
import { configForm, field } from './schema-form.js';
import './messages.js';

const $ = (id) => document.getElementById(id);
const views = ['view-login', 'view-editor'].map($);
const DEBOUNCE_MS = 300;
const TOP_ORDER = ['series', 'session', 'date', 'lang', 'description', 'retention'];
const ITEM_ORDER = ['plugin', 'title', 'anonymity', 'groups', 'config', 'context'];

let plugins = [];
/** The document: top-level fields as the file has them, `agenda` a list of items (plain objects). */
let doc = { session: '', lang: 'nl', agenda: [] };
let problems = [];
/** `?edit=<id>`: the draft session whose agenda this page replaces (PUT …/agenda) instead of creating a new one. */
let editing = null;
let checkSeq = 0;
let timer = null;

// ---- the document ------------------------------------------------------------------------------------------

function ordered(obj, order) {
  const out = {};
  for (const k of order) if (obj[k] !== undefined && obj[k] !== '') out[k] = obj[k];
  for (const [k, v] of Object.entries(obj)) if (!(k in out) && !order.includes(k) && v !== undefined) out[k] = v;
  return out;
}

/** The document as the file is written: known keys first in a fixed order, empty optional fields left out. */
function fileDoc() {
  const top = ordered({ ...doc, agenda: undefined }, TOP_ORDER);
  top.agenda = doc.agenda.map((item) => {
    const o = { ...item };
    if (isObj(o.config)) {
      // The schema's order, then the rest by name; values below a property with their keys sorted: the hub answers
      // an import with keys sorted, so an exported file imported again is written back the same.
      const schema = pluginOf(o.plugin)?.configSchema?.properties || {};
      o.config = ordered(Object.fromEntries(Object.entries(o.config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortedKeys(v)])), Object.keys(schema));
      if (Object.keys(o.config).length === 0) delete o.config;
    }
    return ordered(o, ITEM_ORDER);
  });
  return top;
}

function sortedKeys(v) {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys(v[k])]));
}

function yaml() { return toYAML(fileDoc()); }

/** Loads a document answered by the validate endpoint (an import): anything the form does not show is kept. */
function load(d) {
  const next = { ...d };
  if (typeof next.title === 'string' && next.session === undefined) { next.session = next.title; delete next.title; }
  next.session = next.session === undefined || next.session === null ? '' : String(next.session);
  next.lang = next.lang || 'nl';
  next.agenda = Array.isArray(d.agenda) ? d.agenda.map((i) => (i && typeof i === 'object' && !Array.isArray(i) ? { ...i, config: isObj(i.config) ? { ...i.config } : (i.config ?? {}) } : { plugin: '', title: '' })) : [];
  doc = next;
}

function isObj(v) { return v && typeof v === 'object' && !Array.isArray(v); }

function changed() {
  $('yaml-view').value = yaml();
  clearTimeout(timer);
  $('check').dataset.state = 'checking';
  $('check-text').textContent = t('ed.checking');
  timer = setTimeout(check, DEBOUNCE_MS);
}

async function check() {
  const seq = ++checkSeq;
  let res;
  try {
    res = await api('/api/v1/agendas/validate', { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: yaml() });
  } catch (e) {
    if (seq === checkSeq) showCheckFailed(String(e.message || e));
    return;
  }
  if (seq !== checkSeq) return; // an older answer than the last change
  if (!res.ok || !res.body) { showCheckFailed(res.body?.error?.message || `HTTP ${res.status}`); return; }
  problems = res.body.ok ? [] : (res.body.errors || []);
  showProblems();
}

function showCheckFailed(message) {
  $('check').dataset.state = 'errors';
  $('check-text').textContent = t('ed.checkFailed', { message });
}

// ---- errors at their fields ---------------------------------------------------------------------------------

/** The field wrapper whose data-path is the longest prefix of a problem's field (`agenda[0].config.x[2]`). */
function placeFor(path) {
  const places = [...document.querySelectorAll('#view-editor [data-path]')];
  let best = null;
  for (const p of places) {
    const at = p.dataset.path;
    const fits = path === at || path.startsWith(at + '.') || path.startsWith(at + '[');
    if (fits && (!best || at.length > best.dataset.path.length)) best = p;
  }
  return best;
}

function showProblems() {
  for (const e of document.querySelectorAll('#view-editor .field-error:not(.field-local)')) { e.hidden = true; e.textContent = ''; }
  for (const c of document.querySelectorAll('#view-editor [aria-invalid="true"]')) if (!c.closest('.field')?.querySelector('.field-local:not([hidden])')) c.removeAttribute('aria-invalid');
  for (const li of document.querySelectorAll('.editor-item[data-invalid]')) delete li.dataset.invalid;
  const list = $('check-list');
  list.replaceChildren();
  for (const p of problems) {
    const place = placeFor(p.field || '');
    const where = place?.querySelector(':scope > .field-error') || place?.querySelector('.field-error:not(.field-local)');
    const text = `${p.field}: ${p.message}`;
    if (where) {
      where.hidden = false;
      where.textContent = where.textContent ? `${where.textContent} · ${text}` : text;
      const control = place.querySelector(':scope > input, :scope > select, :scope > textarea');
      if (control) control.setAttribute('aria-invalid', 'true');
    }
    place?.closest('.editor-item')?.setAttribute('data-invalid', '');
    list.append(el('li', { text: p.line ? `${t('ed.line', { line: p.line })} · ${text}` : text }));
  }
  $('check').dataset.state = problems.length ? 'errors' : 'ok';
  $('check-text').textContent = problems.length ? t('ed.problems', { n: problems.length }) : t('ed.ok');
  $('btn-create').setAttribute('aria-disabled', problems.length ? 'true' : 'false');
}

// ---- rendering -------------------------------------------------------------------------------------------------

function pluginOf(name) { return plugins.find((p) => p.name === name); }
function localized(v) { return v && typeof v === 'object' ? (v[getLang()] || v.nl || v.en || '') : (v || ''); }

function renderTop() {
  $('f-session').value = doc.session || '';
  $('f-lang').value = doc.lang === 'en' ? 'en' : 'nl';
  $('f-series').value = doc.series || '';
  $('f-date').value = doc.date || '';
}

function renderPlugins() {
  $('plugins').replaceChildren(...plugins.map((p) => el('li', { 'data-plugin': p.name },
    el('strong', { text: localized(p.title) }),
    el('p', { class: 'small muted', text: localized(p.description) }),
    el('p', { class: 'small' }, el('code', { text: p.name })),
    el('button', { type: 'button', class: 'btn btn-small', 'data-action': 'add', 'aria-label': t('ed.addLabel', { title: localized(p.title) }), text: t('ed.add'),
      on: { click: () => addItem(p) } }))));
}

function addItem(p) {
  doc.agenda.push({ plugin: p.name, title: localized(p.title), config: {} });
  renderItems();
  changed();
  const n = doc.agenda.length;
  announce(t('ed.added', { title: localized(p.title), n }));
  document.querySelector(`#items > li:nth-child(${n}) input`)?.focus();
}

function select(options, value, onChange) {
  const s = el('select', {}, ...options.map(([v, label]) => el('option', { value: v, text: label })));
  s.value = value;
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

function renderItems() {
  const items = doc.agenda.map((item, i) => renderItem(item, i));
  $('items').replaceChildren(...items);
  $('no-items').hidden = doc.agenda.length > 0;
}

function renderItem(item, i) {
  const at = `agenda[${i}]`;
  const p = pluginOf(item.plugin);
  const heading = el('h3', { id: `item-${i}-heading`, text: `${t('ed.item', { n: i + 1 })}: ${item.title || ''}` });
  const title = el('input', { type: 'text', value: item.title || '' });
  title.addEventListener('input', () => { item.title = title.value; heading.textContent = `${t('ed.item', { n: i + 1 })}: ${title.value}`; changed(); });
  const pluginOptions = plugins.map((x) => [x.name, `${localized(x.title)} (${x.name})`]);
  if (!p) pluginOptions.unshift([item.plugin || '', t('ed.unknownPlugin', { name: item.plugin || '?' })]);
  const pluginSelect = select(pluginOptions, item.plugin || '', (v) => { item.plugin = v; item.config = {}; renderItems(); changed(); });
  const anonymity = select([['', t('ed.anon.default')], ...['named', 'pseudonymous', 'anonymous'].map((a) => [a, t(`ed.anon.${a}`)])],
    item.anonymity || '', (v) => { if (v) item.anonymity = v; else delete item.anonymity; changed(); });
  const groups = isObj(item.groups) ? item.groups : null;
  const size = el('input', { type: 'number', min: '1', step: '1', inputMode: 'numeric', value: groups?.size ?? '' });
  const sizeField = field(`${at}.groups.size`, t('ed.groupSize'), size);
  sizeField.hidden = !groups || groups.mode === 'manual';
  const mode = select([['', t('ed.groups.none')], ...['random', 'function', 'org', 'manual'].map((m) => [m, t(`ed.groups.${m}`)])],
    groups?.mode || '', (v) => {
      if (!v) delete item.groups;
      else item.groups = v === 'manual' ? { mode: v } : { mode: v, size: size.value === '' ? 4 : Number(size.value) };
      if (item.groups?.size !== undefined) size.value = String(item.groups.size);
      sizeField.hidden = !item.groups || v === 'manual';
      changed();
    });
  size.addEventListener('input', () => { if (item.groups) { item.groups.size = size.value === '' ? undefined : Number(size.value); changed(); } });
  if (!isObj(item.config)) item.config = {};
  const config = configForm(p ? p.configSchema : null, item.config, `${at}.config`, changed);
  const configError = el('p', { class: 'field-error', hidden: true });
  const configBox = el('div', { class: 'field', 'data-path': `${at}.config` }, el('p', { class: 'label', text: t('ed.config') }), configError, config);
  const move = (d) => () => moveItem(i, d);
  const tools = el('div', { class: 'toolbar', role: 'toolbar', 'aria-labelledby': heading.id },
    el('button', { type: 'button', class: 'btn btn-small', 'data-action': 'up', disabled: i === 0, on: { click: move(-1) } }, el('span', { class: 'icon icon-arrow-up', 'aria-hidden': 'true' }), el('span', { text: t('ed.up') })),
    el('button', { type: 'button', class: 'btn btn-small', 'data-action': 'down', disabled: i === doc.agenda.length - 1, on: { click: move(1) } }, el('span', { class: 'icon icon-arrow-down', 'aria-hidden': 'true' }), el('span', { text: t('ed.down') })),
    el('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-action': 'remove', on: { click: () => removeItem(i) } }, el('span', { class: 'icon icon-x', 'aria-hidden': 'true' }), el('span', { text: t('ed.remove') })));
  const wrap = el('div', { 'data-path': at }, el('p', { class: 'field-error', hidden: true }));
  return el('li', { class: 'editor-item', 'data-index': String(i), 'aria-labelledby': heading.id },
    heading, wrap,
    field(`${at}.title`, t('ed.itemTitle'), title),
    field(`${at}.plugin`, t('ed.plugin'), pluginSelect, p ? localized(p.description) : ''),
    el('div', { class: 'row editor-row' }, field(`${at}.anonymity`, t('ed.anonymity'), anonymity), field(`${at}.groups`, t('ed.groups'), mode), sizeField),
    configBox, tools);
}

function moveItem(i, d) {
  const j = i + d;
  if (j < 0 || j >= doc.agenda.length) return;
  [doc.agenda[i], doc.agenda[j]] = [doc.agenda[j], doc.agenda[i]];
  renderItems();
  changed();
  announce(t('ed.moved', { title: doc.agenda[j].title, n: j + 1 }));
  const button = document.querySelector(`#items > li:nth-child(${j + 1}) [data-action="${d < 0 ? 'up' : 'down'}"]`);
  (button && !button.disabled ? button : document.querySelector(`#items > li:nth-child(${j + 1}) input`))?.focus();
}

function removeItem(i) {
  const [gone] = doc.agenda.splice(i, 1);
  renderItems();
  changed();
  announce(t('ed.removed', { title: gone.title }));
  (document.querySelector(`#items > li:nth-child(${Math.min(i + 1, doc.agenda.length)}) input`) || $('plugins').querySelector('button'))?.focus();
}

// ---- import, export, create ----------------------------------------------------------------------------------

async function importYAML() {
  const error = $('import-error');
  error.hidden = true;
  const file = $('import-file').files[0];
  const text = file ? await file.text() : $('import-text').value;
  if (!text.trim()) { error.textContent = t('ed.importEmpty'); error.hidden = false; return; }
  if (!(await loadYAML(text))) return;
  $('import-file').value = '';
  announce(t('ed.imported'));
  $('f-session').focus();
}

/** Reads YAML through the hub (the validate endpoint answers the document as JSON) into the editor. */
async function loadYAML(text) {
  const error = $('import-error');
  const res = await api('/api/v1/agendas/validate', { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: text });
  if (!res.ok || !isObj(res.body?.agenda)) {
    const first = res.body?.errors?.[0] || res.body?.error;
    const message = first ? `${first.line ? `${t('ed.line', { line: first.line })} · ` : ''}${first.field ? `${first.field}: ` : ''}${first.message}` : `HTTP ${res.status}`;
    error.textContent = t('ed.importFailed', { message });
    error.hidden = false;
    return false;
  }
  load(res.body.agenda);
  renderTop();
  renderItems();
  changed();
  return true;
}

/** `?from=<session>`: a copy of an earlier session's agenda (its file as sent), titled as a copy. */
async function duplicate(from) {
  const res = await fetch(`/api/v1/sessions/${encodeURIComponent(from)}/agenda.yaml`, { headers: { Authorization: `Bearer ${token()}` } });
  if (!res.ok || !(await loadYAML(await res.text()))) return;
  doc.session = t('ed.copyOf', { title: doc.session });
  renderTop();
  changed();
}

/** `?edit=<session>`: a draft session's agenda (its file as sent, or as last saved here), saved back in place. */
async function edit(id) {
  const res = await fetch(`/api/v1/sessions/${encodeURIComponent(id)}/agenda.yaml`, { headers: { Authorization: `Bearer ${token()}` } });
  if (!res.ok || !(await loadYAML(await res.text()))) return;
  editing = id;
  document.body.dataset.editing = id;
  for (const [node, key] of [[$('session-heading'), 'ed.editTitle'], [$('btn-create').querySelector('[data-i18n]'), 'ed.save']]) {
    node.dataset.i18n = key; // a language switch fills it again in the other language
    node.textContent = t(key);
  }
}

/** `?template=<name>`: one of the hub's session templates (GET /api/v1/templates), loaded like an import. */
async function fromTemplate(name) {
  const res = await api('/api/v1/templates');
  const tp = res.ok ? (res.body?.templates || []).find((x) => x.name === name) : null;
  const status = $('create-status');
  if (!tp) { status.textContent = t('ed.templateMissing', { name }); return; }
  if (await loadYAML(tp.yaml)) { status.textContent = t('ed.templateLoaded', { title: tp.title }); announce(status.textContent); }
}

function exportYAML() {
  const name = (doc.session || 'agenda').toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'agenda';
  const url = URL.createObjectURL(new Blob([yaml()], { type: 'application/yaml' }));
  const a = el('a', { href: url, download: `${name}.yaml`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function create() {
  const status = $('create-status');
  status.textContent = t(editing ? 'ed.saving' : 'ed.creating');
  const res = editing
    ? await api(`/api/v1/sessions/${encodeURIComponent(editing)}/agenda`, { method: 'PUT', headers: { 'Content-Type': 'application/yaml' }, body: yaml() })
    : await api('/api/v1/sessions', { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: yaml() });
  if ((res.status === 201 || (editing && res.status === 200)) && res.body?.id) { location.assign(`/facilitate/${encodeURIComponent(res.body.id)}`); return; }
  if (res.body?.error?.errors) { problems = res.body.error.errors; showProblems(); }
  const code = res.body?.error?.code;
  const message = code === 'not_draft' || code === 'agenda_prepared' ? t(`ed.${code}`) : res.body?.error?.message || `HTTP ${res.status}`;
  status.textContent = t(editing ? 'ed.saveFailed' : 'ed.createFailed', { message });
  $('check').scrollIntoView({ block: 'nearest' });
}

// ---- page wiring ------------------------------------------------------------------------------------------------

async function open() {
  const res = await api('/api/v1/plugins');
  if (!res.ok) return;
  plugins = res.body.plugins || [];
  show($('view-editor'), views);
  renderTop();
  renderPlugins();
  renderItems();
  changed();
  const query = new URLSearchParams(location.search);
  if (query.get('edit')) await edit(query.get('edit'));
  else if (query.get('from')) await duplicate(query.get('from'));
  else if (query.get('template')) await fromTemplate(query.get('template'));
  $('f-session').focus();
}

function init() {
  applyI18n();
  langSwitch($('lang-switch'));
  onLangChange(() => { renderPlugins(); renderItems(); showProblems(); });
  const top = (id, key, value = (e) => e.value.trim()) => $(id).addEventListener('input', () => {
    const v = value($(id));
    if (v === '' && key !== 'session') delete doc[key]; else doc[key] = v;
    changed();
  });
  top('f-session', 'session', (e) => e.value);
  top('f-series', 'series');
  top('f-date', 'date');
  $('f-lang').addEventListener('change', () => { doc.lang = $('f-lang').value; changed(); });
  $('btn-import').addEventListener('click', importYAML);
  $('btn-export').addEventListener('click', exportYAML);
  $('btn-create').addEventListener('click', create);
  signIn(views, open);
}

init();
