// Browse and search the kennisbank and the gereedschapskist, "Funda-like": full text plus facets with counts.
// The state lives in the URL (?tab=&q=&offset=&drafts=1&<facet>=a&<facet>=b), so a search can be shared and
// the back button works. Counts come from the API's facets. A facet in which something is chosen shows the
// counts it would have without its own choice (a second request), so one can widen a choice (OR within a
// facet) as on a housing site; the other facets count the current results.
import { initPage, $, el, t, label, loadEffects, domainsOf, effectDomain, errorText, snippetNodes, onLangChange, requireLogin } from './common.js';
import { api, query, token } from './api.js';
import { announce } from '/web/shell.js';

const LIMIT = 20;
const FACETS = {
  kennisbank: ['kind', 'type', 'effect', 'theme', 'scale', 'evidence', 'targetGroup', 'partner'],
  toolkit: ['kind', 'barrier', 'theme', 'audience', 'series'],
};
// Filters the API knows for each tab (domain is drawn inside the effect facet).
const FILTERS = {
  kennisbank: ['kind', 'type', 'effect', 'domain', 'theme', 'scale', 'evidence', 'targetGroup', 'partner'],
  toolkit: ['kind', 'barrier', 'theme', 'audience', 'series'],
};
const SHORT = 6;

let state = readState();
let effects = [];
let last = null; // {results, counts}
const expanded = new Set();
let seq = 0;

function readState() {
  const p = new URLSearchParams(location.search);
  const tab = p.get('tab') === 'toolkit' ? 'toolkit' : 'kennisbank';
  const filters = {};
  for (const f of FILTERS[tab]) {
    const vs = p.getAll(f).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    if (vs.length) filters[f] = [...new Set(vs)];
  }
  return { tab, q: p.get('q') || '', offset: Math.max(0, Number(p.get('offset')) || 0), drafts: p.get('drafts') === '1', filters };
}

function writeState(push = true) {
  const p = new URLSearchParams();
  if (state.tab === 'toolkit') p.set('tab', 'toolkit');
  if (state.q) p.set('q', state.q);
  for (const [f, vs] of Object.entries(state.filters)) for (const v of vs) p.append(f, v);
  if (state.drafts && state.tab === 'kennisbank') p.set('drafts', '1');
  if (state.offset) p.set('offset', String(state.offset));
  const url = `${location.pathname}${p.toString() ? `?${p}` : ''}`;
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
}

function endpoint() { return state.tab === 'toolkit' ? '/api/v1/toolkit' : '/api/v1/interventions'; }

function params(filters, extra = {}) {
  const ps = { q: state.q, ...filters, ...extra };
  if (state.tab === 'kennisbank' && state.drafts && token()) ps.drafts = '1';
  return ps;
}

/** The results, and per facet with a choice the counts without that choice. */
async function fetchAll() {
  const main = await api(endpoint() + query(params(state.filters, { limit: LIMIT, offset: state.offset })));
  if (!main.ok) return { error: main };
  const counts = { ...main.body.facets };
  const active = Object.keys(state.filters).filter((f) => state.filters[f].length);
  await Promise.all(active.map(async (f) => {
    const rest = { ...state.filters };
    delete rest[f];
    const res = await api(endpoint() + query(params(rest, { limit: 1 })));
    if (res.ok) counts[f] = res.body.facets[f] || [];
  }));
  return { results: main.body, counts };
}

async function load({ focusResults = false } = {}) {
  const mine = ++seq;
  $('hits').setAttribute('aria-busy', 'true');
  const out = await fetchAll();
  if (mine !== seq) return;
  $('hits').setAttribute('aria-busy', 'false');
  if (out.error) {
    if (out.error.status === 401) {
      await requireLogin($('login-host'), 'kb.auth.private');
      load();
      return;
    }
    showError(out.error);
    return;
  }
  $('results-error').hidden = true;
  last = out;
  render();
  announce($('results-count').textContent);
  if (focusResults) $('results-count').focus?.();
}

function showError(res) {
  const box = $('results-error');
  box.replaceChildren(el('p', { text: errorText(res) }),
    el('button', { type: 'button', class: 'btn', text: t('kb.action.retry'), on: { click: () => load() } }));
  box.hidden = false;
  $('hits').replaceChildren();
  $('results-count').textContent = '';
  $('pager').hidden = true;
}

// ---- rendering -------------------------------------------------------------------------------------------

function render() {
  renderTabs();
  if (!last) return;
  renderFacets();
  renderActive();
  renderHits();
  renderPager();
}

function renderTabs() {
  const kb = state.tab === 'kennisbank';
  for (const b of document.querySelectorAll('[role="tab"]')) {
    const on = b.dataset.tab === state.tab;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  $('browse').setAttribute('aria-labelledby', kb ? 'tab-kennisbank' : 'tab-toolkit');
  $('page-title').textContent = t(kb ? 'kb.search.title' : 'kb.toolkit.title');
  $('page-intro').textContent = t(kb ? 'kb.search.intro' : 'kb.toolkit.intro');
  $('q').placeholder = t(kb ? 'kb.search.placeholder' : 'kb.toolkit.placeholder');
  $('q').value = state.q;
  $('drafts-toggle').hidden = !kb || !token();
  $('drafts').checked = state.drafts;
  document.body.dataset.tab = state.tab;
  for (const a of document.querySelectorAll('.kb-nav a')) {
    if (a.dataset.page === (kb ? 'search' : 'toolkit')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${t(kb ? 'kb.nav.search' : 'kb.nav.toolkit')} · ${t('kb.brand')}`;
}

function facetLabel(facet, value) {
  if (state.tab === 'toolkit') {
    if (facet === 'kind') return label.toolkitKind(value);
    if (facet === 'barrier') return label.barrier(value);
    if (facet === 'theme') return label.theme(value);
    return value;
  }
  const fn = label[facet];
  return fn ? fn(value) : value;
}

function chosen(facet, value) { return (state.filters[facet] || []).includes(value); }

function toggle(facet, value, on) {
  const vs = new Set(state.filters[facet] || []);
  if (on) vs.add(value); else vs.delete(value);
  if (vs.size) state.filters[facet] = [...vs]; else delete state.filters[facet];
  state.offset = 0;
  writeState();
  load();
}

function option(facet, value, count, text) {
  const idv = `f-${facet}-${value}`.replace(/[^A-Za-z0-9_-]+/g, '_');
  const input = el('input', { type: 'checkbox', id: idv, checked: chosen(facet, value), 'data-facet': facet, 'data-value': value,
    on: { change: (e) => toggle(facet, value, e.target.checked) } });
  return el('li', { class: 'kb-option', 'data-facet': facet, 'data-value': value, 'data-count': String(count) },
    input,
    el('label', { for: idv }, el('span', { class: 'kb-option-label', text: text ?? facetLabel(facet, value) }),
      countBadge(count)));
}

/** A count beside a facet value: the number on screen, "6 beschrijvingen" for a screen reader (an aria-label on
 *  a plain span is not read by every screen reader; axe flags it). */
function countBadge(count, attrs = {}) {
  return el('span', { class: 'kb-count-badge', ...attrs },
    el('span', { 'aria-hidden': 'true', text: String(count) }),
    el('span', { class: 'visually-hidden', text: t('kb.facets.countLabel', { n: count }) }));
}

/** Counted values of a facet, plus chosen ones that count 0 now. */
function values(facet) {
  const list = [...(last.counts[facet] || [])];
  for (const v of state.filters[facet] || []) if (!list.some((x) => x.value === v)) list.push({ value: v, count: 0 });
  return list;
}

function optionList(facet, list) {
  const ul = el('ul', { class: 'kb-options' });
  const long = list.length > SHORT + 2 && !expanded.has(facet);
  const shown = long ? list.filter((x, i) => i < SHORT || chosen(facet, x.value)) : list;
  ul.append(...shown.map((x) => option(facet, x.value, x.count)));
  const frag = [ul];
  if (list.length > SHORT + 2) {
    frag.push(el('button', { type: 'button', class: 'btn btn-link btn-small kb-more', 'aria-expanded': String(!long),
      text: long ? t('kb.facets.more', { n: list.length }) : t('kb.facets.less'),
      on: { click: () => { if (long) expanded.add(facet); else expanded.delete(facet); renderFacets(); } } }));
  }
  return frag;
}

function facetBlock(facet, body) {
  return el('fieldset', { class: 'kb-facet', 'data-facet-block': facet },
    el('legend', { text: t(`kb.facet.${state.tab === 'toolkit' ? 'tk.' : ''}${facet}`) }), ...body);
}

/** The effect facet: grouped by the effectordening's domains; each domain can be chosen as a whole too. */
function effectFacet() {
  const effectCounts = new Map(values('effect').map((x) => [x.value, x.count]));
  const domainCounts = new Map(values('domain').map((x) => [x.value, x.count]));
  const byDomain = new Map();
  for (const [id, n] of effectCounts) {
    const d = effectDomain(id) || 'overig';
    if (!byDomain.has(d)) byDomain.set(d, []);
    byDomain.get(d).push({ value: id, count: n });
  }
  for (const d of domainCounts.keys()) if (!byDomain.has(d)) byDomain.set(d, []);
  const order = domainsOf(effects);
  const domains = [...byDomain.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  if (!domains.length) return null;
  const groups = domains.map((d) => {
    const list = byDomain.get(d).sort((a, b) => b.count - a.count || label.effect(a.value).localeCompare(label.effect(b.value)));
    const open = chosen('domain', d) || list.some((x) => chosen('effect', x.value)) || expanded.has(`domain:${d}`);
    const details = el('details', { class: 'kb-domain', 'data-domain': d, open },
      el('summary', {}, el('span', { text: label.domain(d) }), ' ',
        countBadge(domainCounts.get(d) ?? 0, { 'data-domain-count': d })),
      el('ul', { class: 'kb-options' },
        option('domain', d, domainCounts.get(d) ?? 0, t('kb.facets.wholeDomain')),
        ...list.map((x) => option('effect', x.value, x.count))));
    details.addEventListener('toggle', () => { if (details.open) expanded.add(`domain:${d}`); else expanded.delete(`domain:${d}`); });
    return details;
  });
  return facetBlock('effect', [el('p', { class: 'hint small muted', text: t('kb.facets.effectHint') }), ...groups]);
}

function renderFacets() {
  const box = $('facet-list');
  const blocks = [];
  for (const facet of FACETS[state.tab]) {
    if (facet === 'effect') { const b = effectFacet(); if (b) blocks.push(b); continue; }
    const list = values(facet);
    if (!list.length) continue;
    blocks.push(facetBlock(facet, optionList(facet, list)));
  }
  // Keep the focus on the checkbox one just used.
  const active = document.activeElement;
  const key = active && active.dataset ? `${active.dataset.facet}|${active.dataset.value}` : null;
  box.replaceChildren(...blocks);
  if (!blocks.length) box.append(el('p', { class: 'muted small', text: t('kb.facets.none') }));
  if (key) {
    const again = [...box.querySelectorAll('input[data-facet]')].find((i) => `${i.dataset.facet}|${i.dataset.value}` === key);
    if (again) again.focus();
  }
  const n = Object.values(state.filters).reduce((s, vs) => s + vs.length, 0);
  $('facets-active').textContent = n ? t('kb.facets.activeCount', { n }) : '';
}

function renderActive() {
  const items = [];
  for (const [f, vs] of Object.entries(state.filters)) {
    for (const v of vs) {
      items.push(el('li', {}, el('button', { type: 'button', class: 'chip kb-chip-remove', 'data-facet': f, 'data-value': v,
        'aria-label': t('kb.facets.remove', { value: facetLabel(f, v) }),
        on: { click: () => toggle(f, v, false) } }, `${facetLabel(f, v)} `, el('span', { class: 'icon icon-x', 'aria-hidden': 'true' }))));
    }
  }
  $('active-list').replaceChildren(...items);
  $('active-filters').hidden = !items.length;
}

function hitKennisbank(h) {
  const href = `/web/kennisbank/intervention.html?id=${encodeURIComponent(h.id)}`;
  return el('li', { class: 'kb-hit', 'data-id': h.id },
    el('article', {},
      el('h3', { class: 'kb-hit-title' }, el('a', { href, text: h.title })),
      el('p', { class: 'kb-hit-meta small' },
        el('span', { class: `chip kb-type kb-type-${h.type}`, text: label.type(h.type) }), ' ',
        el('span', { text: label.kind(h.kind) }),
        h.state === 'draft' ? el('span', { class: 'chip kb-state-draft', text: label.state('draft') }) : null),
      h.summary ? el('p', { class: 'kb-hit-summary', text: h.summary }) : null,
      h.snippet ? el('p', { class: 'kb-snippet small' }, el('span', { class: 'visually-hidden', text: `${t('kb.search.found')}: ` }), ...snippetNodes(h.snippet)) : null));
}

function hitToolkit(h) {
  const paras = String(h.body || '').split(/\n{2,}/).map((p) => el('p', { text: p }));
  return el('li', { class: 'kb-hit kb-tool', id: h.id, 'data-id': h.id },
    el('article', {},
      el('h3', { class: 'kb-hit-title', text: h.title }),
      el('p', { class: 'kb-hit-meta small' },
        el('span', { class: 'chip', text: label.toolkitKind(h.kind) }), ' ',
        (h.barriers || []).length ? el('span', { text: `${t('kb.toolkit.barriers')}: ${(h.barriers || []).map(label.barrier).join(', ')}` }) : null),
      el('details', { class: 'kb-tool-body' }, el('summary', { text: t('kb.toolkit.read') }), ...paras,
        (h.audience || []).length ? el('p', { class: 'small' }, el('strong', { text: `${t('kb.toolkit.audience')}: ` }), h.audience.join(', ')) : null,
        (h.themes || []).length ? el('p', { class: 'small' }, el('strong', { text: `${t('kb.field.themes')}: ` }), h.themes.map(label.theme).join(', ')) : null,
        h.series ? el('p', { class: 'small' }, el('strong', { text: `${t('kb.toolkit.series')}: ` }), h.series) : null,
        (h.attachments || []).length ? el('div', { class: 'small' }, el('strong', { text: `${t('kb.toolkit.attachments')}:` }),
          el('ul', {}, ...h.attachments.map((a) => el('li', {}, a.url ? el('a', { href: a.url, rel: 'noopener noreferrer', text: a.title }) : a.title)))) : null)));
}

function renderHits() {
  const { results } = last;
  const kb = state.tab === 'kennisbank';
  $('results-count').textContent = t(kb ? 'kb.search.count' : 'kb.toolkit.count', { n: results.total });
  $('results-count').dataset.total = String(results.total);
  const hits = results.hits || [];
  if (!hits.length) {
    $('hits').replaceChildren(el('li', { class: 'kb-empty card' },
      el('p', { text: t('kb.search.empty') }),
      Object.keys(state.filters).length ? el('button', { type: 'button', class: 'btn', text: t('kb.facets.clear'), on: { click: clearFilters } }) : null));
    return;
  }
  $('hits').replaceChildren(...hits.map(kb ? hitKennisbank : hitToolkit));
  $('hits').start = state.offset + 1;
}

function renderPager() {
  const total = last.results.total;
  $('pager').hidden = total <= LIMIT;
  $('prev').disabled = state.offset <= 0;
  $('next').disabled = state.offset + LIMIT >= total;
  $('page-info').textContent = t('kb.pager.info', { from: Math.min(total, state.offset + 1), to: Math.min(total, state.offset + LIMIT), total });
}

function clearFilters() {
  state.filters = {};
  state.offset = 0;
  writeState();
  load();
}

// ---- events ----------------------------------------------------------------------------------------------

function setTab(tab) {
  if (tab === state.tab) return;
  state = { tab, q: state.q, offset: 0, drafts: false, filters: {} };
  last = null;
  expanded.clear();
  writeState();
  renderTabs();
  $('facet-list').replaceChildren();
  load();
}

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.q = $('q').value.trim();
  state.offset = 0;
  writeState();
  load();
});
for (const b of document.querySelectorAll('[role="tab"]')) {
  b.addEventListener('click', () => setTab(b.dataset.tab));
  b.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const other = b.dataset.tab === 'kennisbank' ? 'toolkit' : 'kennisbank';
    setTab(other);
    $(`tab-${other}`).focus();
  });
}
for (const a of document.querySelectorAll('.kb-nav a[data-page="search"], .kb-nav a[data-page="toolkit"]')) {
  a.addEventListener('click', (e) => { e.preventDefault(); setTab(a.dataset.page === 'toolkit' ? 'toolkit' : 'kennisbank'); });
}
$('clear-filters').addEventListener('click', clearFilters);
$('drafts').addEventListener('change', (e) => { state.drafts = e.target.checked; state.offset = 0; writeState(); load(); });
$('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); writeState(); load({ focusResults: true }); });
$('next').addEventListener('click', () => { state.offset += LIMIT; writeState(); load({ focusResults: true }); });
window.addEventListener('popstate', () => { state = readState(); load(); });
window.addEventListener('kb-auth', () => { renderTabs(); if (!token() && state.drafts) { state.drafts = false; writeState(false); load(); } });
onLangChange(() => render());

initPage();
if (window.matchMedia('(max-width: 59.99rem)').matches) $('facets').open = false;
$('results-count').tabIndex = -1;
renderTabs();
loadEffects().then((list) => { effects = list; if (last) render(); });
load();
