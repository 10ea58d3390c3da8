// An intervention description in the WWidW format, read-only: used by the intervention page, the wizard's
// preview and the edit page's preview. Sections follow the seven steps of the wizard, then the
// veranderingstheorie, the monitoring and where the description came from.
import { el, t, label, effectDomain, domainsOf, fmtDateTime, fmtEuro, fmtNumber } from './common.js';
import { who } from './api.js';
import { costsByYear, outputsVsTarget, costsByCategory, rendementParts, ratioBlock } from './charts.js';

function section(key, id, ...children) {
  const body = children.flat().filter(Boolean);
  if (!body.length) return null;
  return el('section', { class: 'kb-section', id, 'aria-labelledby': `${id}-h` },
    el('h2', { id: `${id}-h`, text: t(key) }), ...body);
}

function para(text, cls) {
  if (!text) return null;
  return el('div', { class: `kb-text ${cls || ''}` }, ...String(text).split(/\n{2,}/).map((p) => el('p', { text: p })));
}

function list(items, ordered = false, cls = '') {
  const xs = (items || []).filter((x) => x && String(x).trim());
  if (!xs.length) return null;
  return el(ordered ? 'ol' : 'ul', { class: cls }, ...xs.map((x) => el('li', { text: x })));
}

function sub(key, ...children) {
  const body = children.filter(Boolean);
  if (!body.length) return null;
  return el('div', { class: 'kb-sub' }, el('h3', { text: t(key) }), ...body);
}

function evidenceBadge(level) {
  if (!level) return el('span', { class: 'kb-evidence kb-evidence-none', text: t('kb.evidence.none') });
  return el('span', { class: `kb-evidence kb-evidence-${level}`, 'data-level': level },
    el('span', { class: 'kb-evidence-mark', 'aria-hidden': 'true', text: { bewezen: '●●●', aannemelijk: '●●○', onbekend: '○○○', tegengesproken: '✕' }[level] || '' }),
    ` ${t('kb.evidence.label')}: ${label.evidence(level)}`);
}

/** The effects of a description grouped by the effectordening's domains. */
export function effectGroups(ids, effects) {
  if (!ids || !ids.length) return null;
  const domains = domainsOf(effects);
  const groups = new Map();
  for (const id of ids) {
    const d = effectDomain(id) || 'overig';
    if (!groups.has(d)) groups.set(d, []);
    groups.get(d).push(id);
  }
  const order = [...groups.keys()].sort((a, b) => (domains.indexOf(a) + 1 || 99) - (domains.indexOf(b) + 1 || 99));
  return el('dl', { class: 'kb-effects' }, ...order.flatMap((d) => [
    el('dt', { text: label.domain(d) }),
    el('dd', {}, el('ul', { class: 'kb-chips' }, ...groups.get(d).map((id) => el('li', { class: 'chip kb-effect', 'data-effect': id, text: label.effect(id) })))),
  ]));
}

function ingredients(rec) {
  const xs = rec.activeIngredients || [];
  if (!xs.length) return null;
  return el('ol', { class: 'kb-ingredients' }, ...xs.map((a, i) => {
    const ev = a.evidence || null;
    const sources = ev && ev.sources && ev.sources.length
      ? el('ul', { class: 'kb-sources' }, ...ev.sources.map((s) => el('li', {},
        s.url ? el('a', { href: s.url, rel: 'noopener noreferrer', class: 'kb-source-link', text: s.title || s.url }) : document.createTextNode(s.title || ''),
        s.url ? el('span', { class: 'kb-print-url', text: ` (${s.url})` }) : null)))
      : null;
    return el('li', { class: 'kb-ingredient', id: `wb-${i + 1}`, 'data-id': a.id },
      el('div', { class: 'spread' },
        el('h3', { class: 'kb-ingredient-title' }, el('span', { class: 'kb-num', text: `${i + 1}` }), ` ${a.statement}`),
        evidenceBadge(ev && ev.level)),
      a.why ? el('p', {}, el('strong', { text: `${t('kb.field.why')}: ` }), a.why) : null,
      a.practices && a.practices.length ? el('div', {}, el('strong', { text: `${t('kb.field.practices')}:` }), list(a.practices)) : null,
      ev && ev.explanation ? el('p', { class: 'kb-evidence-text' }, el('strong', { text: `${t('kb.field.evidenceExplanation')}: ` }), ev.explanation) : null,
      sources ? el('div', {}, el('strong', { text: `${t('kb.field.sources')}:` }), sources) : null,
      a.rank || a.votes ? el('p', { class: 'small muted', text: t('kb.field.rankVotes', { rank: a.rank ?? '–', votes: a.votes ?? 0 }) }) : null);
  }));
}

function theory(rec) {
  const toc = rec.theoryOfChange;
  if (!toc) return null;
  const cols = [['kb.toc.activities', toc.activities], ['kb.toc.intermediate', toc.intermediateEffects], ['kb.toc.final', toc.finalEffects]]
    .filter(([, xs]) => xs && xs.length);
  const ingr = rec.activeIngredients || [];
  const number = (id) => { const n = ingr.findIndex((a) => a.id === id); return n < 0 ? id : `${t('kb.toc.wb')} ${n + 1}`; };
  const links = (toc.links || []).length
    ? el('div', { class: 'kb-sub' }, el('h3', { text: t('kb.toc.links') }),
      el('ul', { class: 'kb-links' }, ...toc.links.map((l) => el('li', {},
        el('span', { text: l.from }), el('span', { class: 'kb-arrow', 'aria-hidden': 'true', text: ' → ' }), el('span', { class: 'visually-hidden', text: ` ${t('kb.toc.leadsTo')} ` }),
        el('span', { text: l.to }),
        l.ingredients && l.ingredients.length ? el('span', { class: 'kb-carried', text: ` (${t('kb.toc.carriedBy')} ${l.ingredients.map(number).join(', ')})` }) : null))))
    : null;
  if (!cols.length && !links && !(toc.assumptions || []).length) return null;
  return [
    cols.length ? el('div', { class: 'kb-toc' }, ...cols.map(([key, xs], i) => el('div', { class: 'kb-toc-col' },
      el('h3', { text: t(key) }), list(xs), i < cols.length - 1 ? el('span', { class: 'kb-toc-arrow', 'aria-hidden': 'true', text: '→' }) : null))) : null,
    links,
    sub('kb.toc.assumptions', list(toc.assumptions)),
  ];
}

function needs(rec) {
  const n = rec.needs || {};
  const rows = [['kb.needs.people', n.people], ['kb.needs.money', n.money], ['kb.needs.partners', n.partners], ['kb.needs.time', n.time]].filter(([, v]) => v);
  if (!rows.length) return null;
  return el('dl', { class: 'kb-needs' }, ...rows.flatMap(([k, v]) => [el('dt', { text: t(k) }), el('dd', { text: v })]));
}

/** The monitoring section: charts when there is anything to show. */
export function monitoringBlock(mon) {
  if (!mon || !mon.summary || !mon.entries || !mon.entries.length) return null;
  const s = mon.summary;
  const totals = el('dl', { class: 'kb-totals' },
    el('dt', { text: t('kb.mon.totalCosts') }), el('dd', { 'data-total': 'euros', text: fmtEuro(s.euros) }),
    el('dt', { text: t('kb.mon.totalHours') }), el('dd', { 'data-total': 'hours', text: fmtNumber(s.hours, 0) }),
    el('dt', { text: t('kb.mon.totalValue') }), el('dd', { 'data-total': 'value', text: fmtEuro(s.value) }),
    el('dt', { text: t('kb.mon.ratio') }), el('dd', { 'data-total': 'ratio', text: s.ratio === null || s.ratio === undefined ? '–' : fmtNumber(s.ratio, 2) }));
  return [totals, costsByYear(s.byYear), costsByCategory(s.eurosByCategory), outputsVsTarget(s.outputs), rendementParts(s, mon.entries), ratioBlock(s)];
}

/**
 * The whole description. opts: {effects, monitoring, practices: Map id → title, preview}.
 */
export function renderIntervention(rec, opts = {}) {
  const effects = opts.effects || [];
  const meta = [];
  const metaRow = (key, value) => { if (value) meta.push(el('dt', { text: t(key) }), el('dd', { text: value })); };
  metaRow('kb.field.kind', rec.kind ? label.kind(rec.kind) : '');
  metaRow('kb.field.partner', rec.partner);
  metaRow('kb.field.location', rec.location);
  metaRow('kb.field.scale', rec.scale ? label.scale(rec.scale) : '');
  metaRow('kb.field.themes', (rec.themes || []).map(label.theme).join(', '));
  metaRow('kb.field.targetGroups', (rec.targetGroups || []).join(', '));

  const head = el('header', { class: 'kb-doc-head' },
    el('p', { class: 'kb-kicker' },
      el('span', { class: `chip kb-type kb-type-${rec.type}`, text: label.type(rec.type) }), ' ',
      rec.state === 'draft' ? el('span', { class: 'chip kb-state-draft', text: label.state('draft') }) : null),
    el('h1', { id: 'kb-title', text: rec.title || t('kb.field.untitled') }),
    rec.summary ? el('p', { class: 'kb-summary', text: rec.summary }) : null,
    meta.length ? el('dl', { class: 'kb-meta' }, ...meta) : null);

  const mon = opts.monitoring ? monitoringBlock(opts.monitoring) : null;
  const practices = (rec.practices || []).length
    ? el('ul', {}, ...rec.practices.map((id) => el('li', {}, el('a', { href: `intervention.html?id=${encodeURIComponent(id)}`, text: (opts.practices && opts.practices.get(id)) || id }))))
    : null;
  const provenance = (rec.provenance || []).length
    ? el('ul', {}, ...rec.provenance.map((p) => el('li', { text: t('kb.field.provenanceLine', { session: p.session, activity: p.activity || '–' }) })))
    : null;

  const article = el('article', { class: 'kb-doc', 'aria-labelledby': 'kb-title', 'data-id': rec.id || '' },
    head,
    section('kb.step.1', 'sec-aanleiding', para(rec.problem)),
    section('kb.step.2', 'sec-doelen',
      sub('kb.field.goals', list(rec.goals)),
      sub('kb.field.intendedEffect', para(rec.intendedEffect)),
      sub('kb.field.effects', effectGroups(rec.effects, effects)),
      sub('kb.field.otherEffects', list(rec.otherEffects))),
    section('kb.step.3', 'sec-doelgroep', list(rec.targetGroups)),
    section('kb.step.4', 'sec-aanpak', para(rec.approach), sub('kb.field.steps', list(rec.steps, true))),
    section('kb.step.5', 'sec-bestanddelen', ingredients(rec)),
    section('kb.toc.title', 'sec-veranderingstheorie', theory(rec)),
    section('kb.step.6', 'sec-inzet', needs(rec)),
    section('kb.step.7', 'sec-monitoring', mon),
    section('kb.field.practicesLinked', 'sec-praktijken', practices),
    section('kb.field.provenance', 'sec-herkomst', provenance),
    el('footer', { class: 'kb-colophon small muted' },
      rec.version ? el('span', { text: t('kb.doc.version', { n: rec.version }) }) : null,
      rec.updatedAt ? el('span', { text: t('kb.doc.updated', { date: fmtDateTime(rec.updatedAt) }) }) : null,
      rec.author ? el('span', { text: t('kb.doc.author', { name: rec.author === who()?.id && who()?.name ? who().name : rec.author }) }) : null,
      rec.id ? el('span', { class: 'kb-doc-id', text: rec.id }) : null));

  if (opts.preview) article.classList.add('kb-preview-doc');
  return article;
}
