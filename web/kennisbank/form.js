// The WWidW form in seven parts, shared by the wizard (one part a screen) and the edit page (all parts on one
// page): aanleiding · doelen en effecten · doelgroep · aanpak · werkzame bestanddelen · inzet en kosten ·
// resultaten en monitoring. Each part builds its fields from the record and, on collect(), writes them back
// and returns the problems it found. Every field has a help text. Monitoring entries are edited here too;
// they are saved apart from the record (POST …/monitoring), see saveMonitoring().
import {
  el, t, label, fold, slugify, loadEffects, domainsOf, effectTitle, parseNumber, numberInput, fmtNumber, fmtPct,
  KNOWN_KINDS, THEMES, SCALES, EVIDENCE,
} from './common.js';
import { api, query } from './api.js';

let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

// ---- paths -----------------------------------------------------------------------------------------------

function get(rec, path) { return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), rec); }

function set(rec, path, value) {
  const keys = path.split('.');
  const chain = [rec];
  let o = rec;
  for (const k of keys.slice(0, -1)) { if (!o[k] || typeof o[k] !== 'object') o[k] = {}; o = o[k]; chain.push(o); }
  const last = keys[keys.length - 1];
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length);
  if (empty) delete o[last]; else o[last] = value;
  // Drop objects that became empty (needs, theoryOfChange), so the record stays as lean as it was typed.
  for (let i = chain.length - 1; i > 0; i--) {
    if (Object.keys(chain[i]).length) break;
    delete chain[i - 1][keys[i - 1]];
  }
}

// ---- field builders --------------------------------------------------------------------------------------

function hintFor(id, key) {
  return key ? el('span', { class: 'hint', id: `${id}-hint`, text: t(key) }) : null;
}

function errorSlot(id) { return el('span', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true }); }

let quiet = false;

/** Run fn (a collect) without showing or clearing field errors: for previews and background saves. */
export function quietly(fn) {
  quiet = true;
  try { return fn(); } finally { quiet = false; }
}

export function showError(input, message) {
  if (quiet) return;
  const slot = document.getElementById(`${input.id}-error`);
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  if (slot) { slot.textContent = message || ''; slot.hidden = !message; }
}

/** A labelled text input or textarea bound to rec[path]. */
function textField(ctx, { path, name, hint, multiline = false, rows = 4, required = false, maxlength = 4000, type = 'text', placeholder }) {
  const id = `f-${path.replace(/\./g, '-')}`;
  const props = { id, name: path, 'data-path': path, maxLength: maxlength, required, 'aria-describedby': `${id}-hint ${id}-error`, placeholder: placeholder ? t(placeholder) : undefined };
  const input = multiline ? el('textarea', { ...props, rows }) : el('input', { ...props, type });
  input.value = get(ctx.rec, path) ?? '';
  const field = el('div', { class: 'field' },
    el('label', { for: id }, t(name), required ? el('span', { class: 'kb-required', text: ` ${t('kb.form.required')}` }) : null),
    input, hintFor(id, hint), errorSlot(id));
  return {
    el: field,
    collect() {
      const v = input.value.trim();
      set(ctx.rec, path, v);
      if (required && !v) { showError(input, t('kb.form.missing', { field: t(name) })); return [{ input, message: t('kb.form.missing', { field: t(name) }) }]; }
      showError(input, '');
      return [];
    },
  };
}

/** A list of short texts (goals, steps, target groups …): one input a row, add and remove buttons. */
function listField(ctx, { path, name, hint, placeholder, suggestions = [], ordered = false }) {
  const id = `f-${path.replace(/\./g, '-')}`;
  const dl = suggestions.length ? el('datalist', { id: `${id}-list` }, ...suggestions.map((s) => el('option', { value: s }))) : null;
  const rows = el(ordered ? 'ol' : 'ul', { class: 'kb-list-rows', id: `${id}-rows` });
  const legendId = `${id}-legend`;
  const addRow = (value = '', focus = false) => {
    const n = rows.children.length + 1;
    const input = el('input', { type: 'text', value, maxLength: 600, 'data-list': path, list: undefined, 'aria-label': `${t(name)} ${n}`,
      placeholder: placeholder ? t(placeholder) : undefined });
    if (dl) input.setAttribute('list', `${id}-list`);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); if (input.value.trim()) addRow('', true); }
    });
    const remove = el('button', { type: 'button', class: 'btn btn-link btn-small kb-remove', 'aria-label': t('kb.form.removeItem', { item: `${t(name)} ${n}` }),
      on: { click: () => { const li = remove.closest('li'); const next = li.nextElementSibling || li.previousElementSibling; li.remove(); renumber(); (next?.querySelector('input') || add).focus(); } } },
    el('span', { class: 'icon icon-x', 'aria-hidden': 'true' }));
    rows.append(el('li', {}, input, remove));
    if (focus) input.focus();
  };
  const renumber = () => {
    [...rows.children].forEach((li, i) => {
      li.querySelector('input').setAttribute('aria-label', `${t(name)} ${i + 1}`);
      li.querySelector('button').setAttribute('aria-label', t('kb.form.removeItem', { item: `${t(name)} ${i + 1}` }));
    });
  };
  for (const v of get(ctx.rec, path) || []) addRow(v);
  if (!rows.children.length) addRow('');
  const add = el('button', { type: 'button', class: 'btn btn-small kb-add', 'data-add': path, 'aria-label': t('kb.form.addTo', { item: t(name) }),
    on: { click: () => addRow('', true) } }, el('span', { 'aria-hidden': 'true', text: '+ ' }), t('kb.form.add'));
  const box = el('fieldset', { class: 'kb-list-field', id, 'aria-describedby': `${id}-hint` },
    el('legend', { id: legendId, text: t(name) }), hintFor(id, hint), rows, add, dl);
  return {
    el: box,
    collect() {
      const vs = [...rows.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean);
      set(ctx.rec, path, vs);
      return [];
    },
  };
}

function checkGroup(ctx, { path, name, hint, options, labelOf }) {
  const id = `f-${path}`;
  const chosen = new Set(get(ctx.rec, path) || []);
  const boxes = options.map((v) => {
    const cid = `${id}-${v}`;
    return el('li', { class: 'kb-check' }, el('input', { type: 'checkbox', id: cid, value: v, checked: chosen.has(v), 'data-path': path }), el('label', { for: cid, text: labelOf(v) }));
  });
  const box = el('fieldset', { class: 'kb-checks', id }, el('legend', { text: t(name) }), hintFor(id, hint), el('ul', { class: 'kb-check-list' }, ...boxes));
  return {
    el: box,
    collect() {
      // Keep the stored order (an unchanged form must not make a new version), new choices after it.
      const on = [...box.querySelectorAll('input:checked')].map((i) => i.value);
      const kept = [...chosen].filter((v) => on.includes(v) || !options.includes(v));
      set(ctx.rec, path, [...kept, ...on.filter((v) => !kept.includes(v))]);
      return [];
    },
  };
}

function radioGroup(ctx, { path, name, hint, options, labelOf, hintOf }) {
  const id = `f-${path}`;
  const current = get(ctx.rec, path) || '';
  const items = ['', ...options].map((v) => {
    const rid = `${id}-${v || 'none'}`;
    return el('li', { class: 'kb-check' },
      el('input', { type: 'radio', name: path, id: rid, value: v, checked: current === v, 'data-path': path }),
      el('label', { for: rid }, v ? labelOf(v) : t('kb.form.unknown'), hintOf && v ? el('span', { class: 'hint', text: ` — ${hintOf(v)}` }) : null));
  });
  const box = el('fieldset', { class: 'kb-checks', id }, el('legend', { text: t(name) }), hintFor(id, hint), el('ul', { class: 'kb-check-list' }, ...items));
  return {
    el: box,
    collect() { set(ctx.rec, path, box.querySelector('input:checked')?.value || ''); return []; },
  };
}

/** Kind of intervention: the known kinds, or a new one typed in (stored as a slug). */
function kindField(ctx) {
  const id = 'f-kind';
  const known = [...new Set([...KNOWN_KINDS, ...(ctx.kinds || [])])].sort((a, b) => label.kind(a).localeCompare(label.kind(b)));
  const current = ctx.rec.kind || '';
  if (current && !known.includes(current)) known.push(current);
  const select = el('select', { id, name: 'kind', required: true, 'aria-describedby': `${id}-hint ${id}-error` },
    el('option', { value: '', text: t('kb.form.kindChoose') }),
    ...known.map((k) => el('option', { value: k, selected: k === current, text: label.kind(k) })),
    el('option', { value: '__other', text: t('kb.form.kindOther') }));
  const other = el('input', { type: 'text', id: 'f-kind-other', maxLength: 80, 'aria-describedby': `${id}-hint` });
  const otherField = el('div', { class: 'field', hidden: true }, el('label', { for: 'f-kind-other', text: t('kb.form.kindOtherLabel') }), other);
  const changed = () => {
    ctx.rec.kind = select.value === '__other' ? slugify(other.value) : select.value;
    ctx.onKindChange?.();
  };
  select.addEventListener('change', () => { otherField.hidden = select.value !== '__other'; if (!otherField.hidden) other.focus(); changed(); });
  other.addEventListener('change', changed);
  return {
    el: el('div', { class: 'stack kb-tight' },
      el('div', { class: 'field' }, el('label', { for: id }, t('kb.field.kind'), el('span', { class: 'kb-required', text: ` ${t('kb.form.required')}` })),
        select, hintFor(id, 'kb.help.kind'), errorSlot(id)),
      otherField),
    collect() {
      const v = select.value === '__other' ? slugify(other.value) : select.value;
      set(ctx.rec, 'kind', v);
      if (!v) { showError(select, t('kb.form.missing', { field: t('kb.field.kind') })); return [{ input: select, message: t('kb.form.missing', { field: t('kb.field.kind') }) }]; }
      showError(select, '');
      return [];
    },
  };
}

/** Effects from the effectordening, grouped by domain, with a filter box and the chosen ones as chips. */
function effectPicker(ctx) {
  const chosen = new Set(ctx.rec.effects || []);
  const effects = ctx.effects || [];
  const domains = domainsOf(effects);
  const chips = el('ul', { class: 'kb-chips kb-chosen', id: 'effects-chosen', 'aria-live': 'polite' });
  const count = el('p', { class: 'small muted', id: 'effects-count' });
  const filter = el('input', { type: 'search', id: 'effects-filter', 'aria-describedby': 'effects-filter-hint', autocomplete: 'off',
    placeholder: t('kb.form.effectFilterPlaceholder') });
  const groups = domains.map((d) => {
    const list = effects.filter((e) => e.domain === d);
    const items = list.map((e) => {
      const cid = `effect-${e.id}`;
      const input = el('input', { type: 'checkbox', id: cid, value: e.id, checked: chosen.has(e.id), 'data-effect': e.id });
      input.addEventListener('change', () => { if (input.checked) chosen.add(e.id); else chosen.delete(e.id); paint(); });
      return el('li', { class: 'kb-check', 'data-effect': e.id, 'data-fold': fold(`${e.title.nl} ${e.title.en} ${e.id}`) }, input, el('label', { for: cid, text: effectTitle(e.id) }));
    });
    return el('details', { class: 'kb-domain', 'data-domain': d, open: list.some((e) => chosen.has(e.id)) },
      el('summary', {}, el('span', { text: label.domain(d) }), ' ', el('span', { class: 'muted small', 'data-domain-chosen': d })),
      el('ul', { class: 'kb-check-list kb-effect-list' }, ...items));
  });
  const paint = () => {
    chips.replaceChildren(...[...chosen].map((id) => el('li', {},
      el('button', { type: 'button', class: 'chip kb-chip-remove', 'data-effect': id, 'aria-label': t('kb.form.effectRemove', { effect: effectTitle(id) }),
        on: { click: () => { chosen.delete(id); const c = document.getElementById(`effect-${id}`); if (c) c.checked = false; paint(); filter.focus(); } } },
      `${effectTitle(id)} `, el('span', { class: 'icon icon-x', 'aria-hidden': 'true' })))));
    count.textContent = t('kb.form.effectsChosen', { n: chosen.size });
    for (const g of groups) {
      const d = g.dataset.domain;
      const n = effects.filter((e) => e.domain === d && chosen.has(e.id)).length;
      g.querySelector(`[data-domain-chosen]`).textContent = n ? t('kb.form.domainChosen', { n }) : '';
    }
  };
  filter.addEventListener('input', () => {
    const q = fold(filter.value.trim());
    for (const g of groups) {
      let any = false;
      for (const li of g.querySelectorAll('li[data-fold]')) {
        const hit = !q || li.dataset.fold.includes(q);
        li.hidden = !hit;
        any = any || hit;
      }
      g.hidden = !any;
      if (q) g.open = any;
    }
  });
  paint();
  const box = el('fieldset', { class: 'kb-effect-picker', id: 'effects-picker' },
    el('legend', { text: t('kb.field.effects') }),
    el('p', { class: 'hint', id: 'effects-hint', text: t('kb.help.effects') }),
    chips, count,
    el('div', { class: 'field' }, el('label', { for: 'effects-filter', text: t('kb.form.effectFilter') }), filter,
      el('span', { class: 'hint', id: 'effects-filter-hint', text: t('kb.form.effectFilterHint') })),
    el('div', { class: 'kb-domains' }, ...groups));
  return { el: box, collect() { set(ctx.rec, 'effects', [...chosen]); return []; } };
}

function parseSources(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = /^(.*?)[\s|]*(https?:\/\/\S+)\s*$/.exec(l);
    if (m) return m[1].trim() ? { title: m[1].trim().replace(/[\s|–-]+$/, ''), url: m[2] } : { title: m[2], url: m[2] };
    return { title: l };
  });
}

function sourcesText(sources) {
  return (sources || []).map((s) => (s.url && s.url !== s.title ? `${s.title} ${s.url}` : s.title)).join('\n');
}

/** Werkzame bestanddelen: statement, why, supporting practices, evidence level, explanation and sources. */
function ingredientsEditor(ctx) {
  const list = el('ol', { class: 'kb-ingredient-forms', id: 'ingredients' });
  const used = new Set((ctx.rec.activeIngredients || []).map((a) => a.id));
  const freshId = () => { let n = 1; while (used.has(`wb-${n}`)) n++; used.add(`wb-${n}`); return `wb-${n}`; };
  const addCard = (a, focus) => {
    const k = nextId('wb');
    const fid = (f) => `${k}-${f}`;
    const statement = el('input', { type: 'text', id: fid('statement'), value: a.statement || '', maxLength: 400, 'data-ing': 'statement', 'aria-describedby': `${fid('statement')}-hint ${fid('statement')}-error` });
    const why = el('textarea', { id: fid('why'), rows: 3, value: a.why || '', maxLength: 2000, 'data-ing': 'why', 'aria-describedby': `${fid('why')}-hint` });
    const practices = el('textarea', { id: fid('practices'), rows: 2, value: (a.practices || []).join('\n'), maxLength: 2000, 'data-ing': 'practices', 'aria-describedby': `${fid('practices')}-hint` });
    const level = el('select', { id: fid('level'), 'data-ing': 'level', 'aria-describedby': `${fid('level')}-hint` },
      el('option', { value: '', text: t('kb.evidence.none') }),
      ...EVIDENCE.map((v) => el('option', { value: v, selected: a.evidence?.level === v, text: label.evidence(v) })));
    const explanation = el('textarea', { id: fid('explanation'), rows: 2, value: a.evidence?.explanation || '', maxLength: 2000, 'data-ing': 'explanation', 'aria-describedby': `${fid('explanation')}-hint` });
    const sources = el('textarea', { id: fid('sources'), rows: 2, value: sourcesText(a.evidence?.sources), maxLength: 4000, 'data-ing': 'sources', 'aria-describedby': `${fid('sources')}-hint` });
    const f = (id, nameKey, input, hintKey) => el('div', { class: 'field' }, el('label', { for: id, text: t(nameKey) }), input, hintFor(id, hintKey), errorSlot(id));
    const legend = el('legend', {});
    const remove = el('button', { type: 'button', class: 'btn btn-danger btn-small', text: t('kb.form.removeIngredient'),
      on: { click: () => { li.remove(); renumber(); addBtn.focus(); } } });
    const li = el('li', { class: 'card kb-ingredient-form', 'data-id': a.id || freshId(), 'data-extra': JSON.stringify({ rank: a.rank, votes: a.votes }) },
      el('fieldset', {}, legend,
        f(fid('statement'), 'kb.field.statement', statement, 'kb.help.statement'),
        f(fid('why'), 'kb.field.why', why, 'kb.help.why'),
        f(fid('practices'), 'kb.field.practices', practices, 'kb.help.practices'),
        el('div', { class: 'kb-evidence-fields' },
          f(fid('level'), 'kb.field.evidenceLevel', level, 'kb.help.evidenceLevel'),
          f(fid('explanation'), 'kb.field.evidenceExplanation', explanation, 'kb.help.evidenceExplanation'),
          f(fid('sources'), 'kb.field.sources', sources, 'kb.help.sources')),
        remove));
    list.append(li);
    renumber();
    if (focus) statement.focus();
  };
  const renumber = () => [...list.children].forEach((li, i) => { li.querySelector('legend').textContent = t('kb.form.ingredientN', { n: i + 1 }); });
  for (const a of ctx.rec.activeIngredients || []) addCard(a);
  const addBtn = el('button', { type: 'button', class: 'btn kb-add', id: 'add-ingredient', on: { click: () => addCard({}, true) } },
    el('span', { 'aria-hidden': 'true', text: '+ ' }), t('kb.form.addIngredient'));
  if (!list.children.length) addCard({});
  const box = el('div', { class: 'stack' }, el('p', { class: 'hint', text: t('kb.help.ingredients') }), list, addBtn);
  return {
    el: box,
    collect() {
      const out = [];
      const problems = [];
      for (const li of list.children) {
        const v = (k) => li.querySelector(`[data-ing="${k}"]`).value.trim();
        const statement = li.querySelector('[data-ing="statement"]');
        const any = ['statement', 'why', 'practices', 'level', 'explanation', 'sources'].some((k) => v(k));
        if (!any) { showError(statement, ''); continue; }
        if (!v('statement')) {
          const message = t('kb.form.missing', { field: t('kb.field.statement') });
          showError(statement, message);
          problems.push({ input: statement, message });
          continue;
        }
        showError(statement, '');
        const a = { id: li.dataset.id, statement: v('statement') };
        if (v('why')) a.why = v('why');
        const practices = v('practices').split('\n').map((s) => s.trim()).filter(Boolean);
        if (practices.length) a.practices = practices;
        if (v('level')) {
          a.evidence = { level: v('level') };
          if (v('explanation')) a.evidence.explanation = v('explanation');
          const src = parseSources(v('sources'));
          if (src.length) a.evidence.sources = src;
        } else if (v('explanation') || v('sources')) {
          a.evidence = { level: 'onbekend' };
          if (v('explanation')) a.evidence.explanation = v('explanation');
          const src = parseSources(v('sources'));
          if (src.length) a.evidence.sources = src;
        }
        const extra = JSON.parse(li.dataset.extra || '{}');
        if (extra.rank !== undefined && extra.rank !== null) a.rank = extra.rank;
        if (extra.votes !== undefined && extra.votes !== null) a.votes = extra.votes;
        out.push(a);
      }
      set(ctx.rec, 'activeIngredients', out);
      return problems;
    },
  };
}

/** The links of the veranderingstheorie: from → to, carried by which werkzame bestanddelen. */
function linksEditor(ctx) {
  const rows = el('ul', { class: 'kb-link-rows', id: 'toc-links' });
  const toc = () => ctx.rec.theoryOfChange || {};
  const fromOptions = () => [...(toc().activities || []), ...(toc().intermediateEffects || [])];
  const toOptions = () => [...(toc().intermediateEffects || []), ...(toc().finalEffects || [])];
  const fill = (sel, opts) => {
    const v = sel.value || sel.dataset.value || '';
    const all = v && !opts.includes(v) ? [...opts, v] : opts;
    // Rebuilding the options of an open select would drop the choice being made: only when they changed.
    const sig = JSON.stringify(all);
    if (sel.dataset.sig === sig) return;
    sel.dataset.sig = sig;
    sel.replaceChildren(el('option', { value: '', text: t('kb.form.choose') }), ...all.map((o) => el('option', { value: o, selected: o === v, text: o })));
  };
  const fillIngredients = (box, chosen) => {
    const ings = ctx.rec.activeIngredients || [];
    box.replaceChildren(...ings.map((a, i) => {
      const cid = nextId('li');
      return el('span', { class: 'kb-check kb-inline' }, el('input', { type: 'checkbox', id: cid, value: a.id, checked: chosen.includes(a.id) }),
        el('label', { for: cid, text: `${t('kb.toc.wb')} ${i + 1}`, title: a.statement }));
    }));
    if (!ings.length) box.append(el('span', { class: 'muted small', text: t('kb.form.noIngredientsYet') }));
  };
  const addRow = (l = {}, focus = false) => {
    const n = rows.children.length + 1;
    const from = el('select', { 'data-link': 'from', 'data-value': l.from || '', 'aria-label': t('kb.form.linkFrom', { n }) });
    const to = el('select', { 'data-link': 'to', 'data-value': l.to || '', 'aria-label': t('kb.form.linkTo', { n }) });
    fill(from, fromOptions());
    fill(to, toOptions());
    const ing = el('span', { class: 'kb-link-ingredients', 'data-link': 'ingredients', role: 'group', 'aria-label': t('kb.form.linkCarried', { n }) });
    fillIngredients(ing, l.ingredients || []);
    ing.dataset.sig = (ctx.rec.activeIngredients || []).map((a) => a.id).join('|');
    const remove = el('button', { type: 'button', class: 'btn btn-link btn-small', 'aria-label': t('kb.form.removeItem', { item: t('kb.form.linkN', { n }) }),
      on: { click: () => { remove.closest('li').remove(); addBtn.focus(); } } }, el('span', { class: 'icon icon-x', 'aria-hidden': 'true' }));
    rows.append(el('li', { class: 'kb-link-row', 'data-ingredients': JSON.stringify(l.ingredients || []) }, from, el('span', { 'aria-hidden': 'true', text: '→' }), to, ing, remove));
    if (focus) from.focus();
  };
  const refresh = () => {
    quietly(() => ctx.sync?.());
    for (const li of rows.children) {
      fill(li.querySelector('[data-link="from"]'), fromOptions());
      fill(li.querySelector('[data-link="to"]'), toOptions());
      const box = li.querySelector('[data-link="ingredients"]');
      const chosenNow = [...box.querySelectorAll('input:checked')].map((i) => i.value);
      const sig = (ctx.rec.activeIngredients || []).map((a) => a.id).join('|');
      if (box.dataset.sig !== sig) { fillIngredients(box, chosenNow); box.dataset.sig = sig; }
    }
  };
  for (const l of toc().links || []) addRow(l);
  const addBtn = el('button', { type: 'button', class: 'btn btn-small kb-add', id: 'add-link', on: { click: () => { refresh(); addRow({}, true); } } },
    el('span', { 'aria-hidden': 'true', text: '+ ' }), t('kb.form.addLink'));
  const box = el('fieldset', { class: 'kb-links-field' }, el('legend', { text: t('kb.toc.links') }), el('p', { class: 'hint', text: t('kb.help.links') }), rows, addBtn);
  box.addEventListener('mousedown', (e) => { if (e.target.tagName === 'SELECT') refresh(); });
  box.addEventListener('focusin', (e) => { if (e.target.tagName === 'SELECT') refresh(); });
  return {
    el: box,
    collect() {
      const links = [];
      for (const li of rows.children) {
        const from = li.querySelector('[data-link="from"]').value;
        const to = li.querySelector('[data-link="to"]').value;
        if (!from || !to) continue;
        const on = [...li.querySelectorAll('[data-link="ingredients"] input:checked')].map((i) => i.value);
        const before = JSON.parse(li.dataset.ingredients || '[]').filter((x) => on.includes(x));
        const ings = [...before, ...on.filter((x) => !before.includes(x))];
        links.push(ings.length ? { from, to, ingredients: ings } : { from, to });
      }
      set(ctx.rec, 'theoryOfChange.links', links);
      return [];
    },
  };
}

// ---- monitoring ------------------------------------------------------------------------------------------

const MON_FIELDS = {
  kosten: [['date', 'date'], ['label', 'text'], ['category', 'text'], ['euros', 'number'], ['hours', 'number']],
  resultaat: [['date', 'date'], ['label', 'text'], ['value', 'number'], ['unit', 'text'], ['target', 'number']],
  rendement: [['date', 'date'], ['label', 'text'], ['unit', 'text'], ['baseline', 'number'], ['measured', 'number'], ['attribution', 'percent'],
    ['deadWeight', 'percent'], ['valuePerUnit', 'number'], ['note', 'text']],
};

function newEntryId() {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return `m-${[...bytes].map((b) => (b % 36).toString(36)).join('')}`;
}

/** Rows of monitoring registrations of one kind (kosten, resultaat, rendement). */
function monitoringEditor(ctx, kind) {
  const rows = el('ol', { class: 'kb-mon-rows', id: `mon-${kind}` });
  const cats = el('datalist', { id: 'mon-categories' }, ...['personeel', 'materiaal', 'begeleiding', 'huisvesting', 'communicatie', 'overig'].map((c) => el('option', { value: c })));
  const addRow = (entry, focus) => {
    const k = nextId(`mon-${kind}`);
    const inputs = {};
    const fields = MON_FIELDS[kind].map(([f, type]) => {
      const id = `${k}-${f}`;
      let value = entry[f];
      if (type === 'percent' && value !== undefined && value !== null) value = numberInput(Math.round(value * 10000) / 100);
      else if (type === 'number') value = numberInput(value);
      const input = el('input', {
        id, type: type === 'date' ? 'date' : 'text', value: value ?? '', 'data-mon': f,
        inputMode: type === 'number' || type === 'percent' ? 'decimal' : undefined, maxLength: f === 'note' ? 1000 : 200,
        'aria-describedby': `${id}-hint ${id}-error`,
      });
      if (f === 'category') input.setAttribute('list', 'mon-categories');
      inputs[f] = input;
      return el('div', { class: `field kb-mon-${f}` }, el('label', { for: id, text: t(`kb.mon.${f}`) }), input, hintFor(id, `kb.help.mon.${f}`), errorSlot(id));
    });
    const net = kind === 'rendement' ? el('output', { class: 'kb-net', 'aria-live': 'polite', for: Object.values(inputs).map((i) => i.id).join(' ') }) : null;
    const paintNet = () => {
      if (!net) return;
      const b = parseNumber(inputs.baseline.value); const m = parseNumber(inputs.measured.value);
      const a = inputs.attribution.value.trim() ? parseNumber(inputs.attribution.value) / 100 : 1;
      const d = inputs.deadWeight.value.trim() ? parseNumber(inputs.deadWeight.value) / 100 : 0;
      if ([b, m, a, d].some((x) => x === undefined || Number.isNaN(x))) { net.textContent = t('kb.mon.netPending'); return; }
      const n = (m - b) * a * (1 - d);
      const vpu = parseNumber(inputs.valuePerUnit.value);
      net.textContent = t('kb.mon.netLine', { measured: fmtNumber(m), baseline: fmtNumber(b), a: fmtPct(a), d: fmtPct(d), net: fmtNumber(n) })
        + (vpu !== undefined && !Number.isNaN(vpu) ? ` ${t('kb.mon.valueLine', { value: fmtNumber(n * vpu, 0) })}` : '');
    };
    if (net) for (const i of Object.values(inputs)) i.addEventListener('input', paintNet);
    const saved = Boolean(entry.id);
    const remove = saved
      ? el('p', { class: 'small muted', text: t('kb.mon.savedNote') })
      : el('button', { type: 'button', class: 'btn btn-link btn-small', text: t('kb.mon.remove'), on: { click: () => { li.remove(); addBtn.focus(); } } });
    // A new registration gets its id here, once: sending it twice (a save as the page goes, then the next
    // step) updates the same entry instead of adding a second one.
    const li = el('li', { class: 'card kb-mon-row', 'data-entry': entry.id || newEntryId(), 'data-kind': kind, 'data-original': saved ? JSON.stringify(entry) : '' },
      el('div', { class: 'kb-mon-grid' }, ...fields), net, remove);
    rows.append(li);
    paintNet();
    if (focus) inputs.date.focus();
  };
  for (const e of (ctx.monitoring || []).filter((x) => x.kind === kind)) addRow(e);
  const addBtn = el('button', { type: 'button', class: 'btn btn-small kb-add', id: `add-${kind}`, on: { click: () => addRow({}, true) } },
    el('span', { 'aria-hidden': 'true', text: '+ ' }), t(`kb.mon.add.${kind}`));
  const box = el('fieldset', { class: 'kb-mon', 'data-kind': kind },
    el('legend', { text: t(`kb.mon.title.${kind}`) }), el('p', { class: 'hint', text: t(`kb.help.mon.${kind}`) }), rows, addBtn, kind === 'kosten' ? cats : null);
  return {
    el: box,
    collect() {
      const problems = [];
      const entries = [];
      for (const li of rows.children) {
        const val = (f) => li.querySelector(`[data-mon="${f}"]`);
        const any = MON_FIELDS[kind].some(([f]) => val(f).value.trim());
        if (!any) continue;
        const original = li.dataset.original ? JSON.parse(li.dataset.original) : null;
        const e = original ? { ...original } : { id: li.dataset.entry, intervention: ctx.rec.id || '', kind };
        for (const [f, type] of MON_FIELDS[kind]) {
          const input = val(f);
          const raw = input.value.trim();
          showError(input, '');
          if (type === 'text' || type === 'date') { if (raw) e[f] = raw; else delete e[f]; continue; }
          let n = parseNumber(raw);
          if (Number.isNaN(n)) { const message = t('kb.mon.badNumber', { field: t(`kb.mon.${f}`) }); showError(input, message); problems.push({ input, message }); continue; }
          if (type === 'percent' && n !== undefined) {
            if (n < 0 || n > 100) { const message = t('kb.mon.badPercent', { field: t(`kb.mon.${f}`) }); showError(input, message); problems.push({ input, message }); continue; }
            n /= 100;
          }
          if (n === undefined) delete e[f]; else e[f] = n;
        }
        for (const f of ['date', 'label']) {
          if (!e[f]) { const input = val(f); const message = t('kb.form.missing', { field: t(`kb.mon.${f}`) }); showError(input, message); problems.push({ input, message }); }
        }
        if (kind === 'rendement') {
          for (const f of ['baseline', 'measured']) {
            if (e[f] === undefined && !problems.some((p) => p.input === val(f))) {
              const input = val(f); const message = t('kb.form.missing', { field: t(`kb.mon.${f}`) }); showError(input, message); problems.push({ input, message });
            }
          }
        }
        entries.push({ entry: e, changed: !original || JSON.stringify(e) !== JSON.stringify(original) });
      }
      ctx.pendingMonitoring = [...(ctx.pendingMonitoring || []).filter((p) => p.entry.kind !== kind), ...entries];
      return problems;
    },
  };
}

/** Send new and changed monitoring entries; resolves the API's answer (entries and summary) or an error. */
export async function saveMonitoring(ctx) {
  const changed = (ctx.pendingMonitoring || []).filter((p) => p.changed).map((p) => ({ ...p.entry, intervention: ctx.rec.id }));
  if (!changed.length) return { ok: true, body: null };
  const res = await api(`/api/v1/interventions/${encodeURIComponent(ctx.rec.id)}/monitoring`, { method: 'POST', body: { entries: changed } });
  if (res.ok) {
    ctx.monitoring = res.body.entries || [];
    ctx.monitoringResponse = res.body;
    ctx.pendingMonitoring = [];
  }
  return res;
}

// ---- practices of an archetype ----------------------------------------------------------------------------

function practicesPicker(ctx) {
  const chosen = [...(ctx.rec.practices || [])];
  const titles = ctx.practiceTitles || (ctx.practiceTitles = new Map());
  const list = el('ul', { class: 'kb-practice-list', id: 'practices-chosen', 'aria-live': 'polite' });
  const results = el('ul', { class: 'kb-practice-results', id: 'practices-results' });
  const q = el('input', { type: 'search', id: 'practices-q', autocomplete: 'off', 'aria-describedby': 'practices-q-hint' });
  const sameKind = el('input', { type: 'checkbox', id: 'practices-same-kind', checked: true });
  const status = el('p', { class: 'small muted', id: 'practices-status', 'aria-live': 'polite' });
  const paint = () => {
    list.replaceChildren(...chosen.map((id) => el('li', { 'data-id': id },
      el('a', { href: `/web/kennisbank/intervention.html?id=${encodeURIComponent(id)}`, target: '_blank', text: titles.get(id) || id }), ' ',
      el('button', { type: 'button', class: 'btn btn-link btn-small', 'aria-label': t('kb.form.practiceRemove', { title: titles.get(id) || id }),
        on: { click: () => { chosen.splice(chosen.indexOf(id), 1); paint(); mark(id, false); q.focus(); } } }, t('kb.form.remove')))));
    if (!chosen.length) list.append(el('li', { class: 'muted', text: t('kb.form.practicesNone') }));
  };
  // Linking or unlinking changes one button in place: a new search would replace the list under the
  // pointer and drop the keyboard focus.
  const mark = (id, on) => {
    const button = [...results.querySelectorAll('[data-add-practice]')].find((b) => b.dataset.addPractice === id);
    if (!button) return;
    button.disabled = on;
    button.textContent = on ? t('kb.form.practiceAdded') : t('kb.form.practiceAdd');
  };
  const add = (id) => {
    if (!chosen.includes(id)) chosen.push(id);
    paint();
    mark(id, true);
    (results.querySelector('[data-add-practice]:not([disabled])') || q).focus();
  };
  for (const id of chosen) {
    if (!titles.has(id)) api(`/api/v1/interventions/${encodeURIComponent(id)}`).then((r) => { if (r.ok) { titles.set(id, r.body.title); paint(); } });
  }
  let seq = 0;
  const search = async () => {
    const mine = ++seq;
    const kind = sameKind.checked ? (ctx.rec.kind || '') : '';
    const res = await api(`/api/v1/interventions${query({ q: q.value.trim(), type: 'praktijk', kind, limit: 20 })}`);
    if (mine !== seq) return;
    if (!res.ok) { status.textContent = t('kb.error.network'); return; }
    const hits = res.body.hits.filter((h) => h.id !== ctx.rec.id);
    status.textContent = t('kb.form.practicesFound', { n: res.body.total });
    results.replaceChildren(...hits.map((h) => {
      titles.set(h.id, h.title);
      const on = chosen.includes(h.id);
      return el('li', { 'data-id': h.id }, el('span', { text: `${h.title} ` }), el('span', { class: 'muted small', text: `(${label.kind(h.kind)}) ` }),
        el('button', { type: 'button', class: 'btn btn-small', disabled: on, 'data-add-practice': h.id,
          text: on ? t('kb.form.practiceAdded') : t('kb.form.practiceAdd'),
          on: { click: () => add(h.id) } }));
    }));
  };
  let timer = null;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 250); });
  sameKind.addEventListener('change', search);
  ctx.onKindChange = search;
  paint();
  search();
  return {
    el: el('fieldset', { class: 'kb-practices', id: 'practices-picker' },
      el('legend', { text: t('kb.field.practicesLinked') }),
      el('p', { class: 'hint', text: t('kb.help.practicesLinked') }),
      list,
      el('div', { class: 'field' }, el('label', { for: 'practices-q', text: t('kb.form.practicesSearch') }), q,
        el('span', { class: 'hint', id: 'practices-q-hint', text: t('kb.form.practicesSearchHint') })),
      el('p', { class: 'kb-check' }, sameKind, el('label', { for: 'practices-same-kind', text: t('kb.form.practicesSameKind') })),
      status, results),
    collect() { set(ctx.rec, 'practices', ctx.rec.type === 'archetype' ? [...chosen] : []); return []; },
  };
}

function typeField(ctx) {
  const current = ctx.rec.type || 'praktijk';
  const items = ['praktijk', 'archetype'].map((v) => el('li', { class: 'kb-check' },
    el('input', { type: 'radio', name: 'type', id: `f-type-${v}`, value: v, checked: current === v }),
    el('label', { for: `f-type-${v}` }, label.type(v), el('span', { class: 'hint', text: ` — ${t(`kb.help.type.${v}`)}` }))));
  const box = el('fieldset', { class: 'kb-checks', id: 'f-type' }, el('legend', { text: t('kb.field.type') }), el('ul', { class: 'kb-check-list' }, ...items));
  box.addEventListener('change', () => { quietly(() => ctx.sync?.()); ctx.onTypeChange?.(); });
  return { el: box, collect() { ctx.rec.type = box.querySelector('input:checked')?.value || 'praktijk'; return []; } };
}

// ---- the seven parts -------------------------------------------------------------------------------------

function sub(key, ...parts) {
  return { el: el('section', { class: 'kb-form-sub stack' }, el('h3', { text: t(key) }), ...parts.map((p) => p.el)), collect: () => parts.flatMap((p) => p.collect()) };
}

export const STEPS = [
  {
    key: 'aanleiding',
    build(ctx) {
      const parts = [];
      if (ctx.allowType) parts.push(typeField(ctx));
      parts.push(
        textField(ctx, { path: 'title', name: 'kb.field.title', hint: 'kb.help.title', required: true, maxlength: 200 }),
        kindField(ctx),
        textField(ctx, { path: 'summary', name: 'kb.field.summary', hint: 'kb.help.summary', multiline: true, rows: 3, maxlength: 1000 }),
        textField(ctx, { path: 'problem', name: 'kb.field.problem', hint: 'kb.help.problem', multiline: true, rows: 6 }),
        textField(ctx, { path: 'partner', name: 'kb.field.partner', hint: 'kb.help.partner', maxlength: 200 }),
        textField(ctx, { path: 'location', name: 'kb.field.location', hint: 'kb.help.location', maxlength: 200 }),
      );
      if (ctx.rec.type === 'archetype') parts.push(practicesPicker(ctx));
      return parts;
    },
    required: (r) => Boolean(r.title && r.kind),
    filled: (r) => Boolean(r.title && r.kind && r.problem),
  },
  {
    key: 'doelen',
    build(ctx) {
      return [
        listField(ctx, { path: 'goals', name: 'kb.field.goals', hint: 'kb.help.goals', placeholder: 'kb.ph.goal' }),
        effectPicker(ctx),
        textField(ctx, { path: 'intendedEffect', name: 'kb.field.intendedEffect', hint: 'kb.help.intendedEffect', multiline: true, rows: 3 }),
        listField(ctx, { path: 'otherEffects', name: 'kb.field.otherEffects', hint: 'kb.help.otherEffects' }),
        checkGroup(ctx, { path: 'themes', name: 'kb.field.themes', hint: 'kb.help.themes', options: THEMES, labelOf: label.theme }),
      ];
    },
    filled: (r) => Boolean((r.goals || []).length && (r.effects || []).length),
  },
  {
    key: 'doelgroep',
    build(ctx) {
      return [
        listField(ctx, { path: 'targetGroups', name: 'kb.field.targetGroups', hint: 'kb.help.targetGroups', suggestions: ctx.targetGroups || [], placeholder: 'kb.ph.targetGroup' }),
        radioGroup(ctx, { path: 'scale', name: 'kb.field.scale', hint: 'kb.help.scale', options: SCALES, labelOf: label.scale, hintOf: (v) => t(`kb.help.scale.${v}`) }),
      ];
    },
    filled: (r) => Boolean((r.targetGroups || []).length),
  },
  {
    key: 'aanpak',
    build(ctx) {
      return [
        textField(ctx, { path: 'approach', name: 'kb.field.approach', hint: 'kb.help.approach', multiline: true, rows: 6 }),
        listField(ctx, { path: 'steps', name: 'kb.field.steps', hint: 'kb.help.steps', ordered: true, placeholder: 'kb.ph.step' }),
        listField(ctx, { path: 'theoryOfChange.activities', name: 'kb.toc.activities', hint: 'kb.help.activities' }),
      ];
    },
    filled: (r) => Boolean(r.approach),
  },
  {
    key: 'bestanddelen',
    build(ctx) {
      return [
        ingredientsEditor(ctx),
        sub('kb.toc.title',
          { el: el('p', { class: 'hint', text: t('kb.help.toc') }), collect: () => [] },
          listField(ctx, { path: 'theoryOfChange.intermediateEffects', name: 'kb.toc.intermediate', hint: 'kb.help.intermediate' }),
          listField(ctx, { path: 'theoryOfChange.finalEffects', name: 'kb.toc.final', hint: 'kb.help.final' }),
          linksEditor(ctx),
          listField(ctx, { path: 'theoryOfChange.assumptions', name: 'kb.toc.assumptions', hint: 'kb.help.assumptions' })),
      ];
    },
    filled: (r) => Boolean((r.activeIngredients || []).length),
  },
  {
    key: 'inzet',
    build(ctx) {
      return [
        textField(ctx, { path: 'needs.people', name: 'kb.needs.people', hint: 'kb.help.needs.people', multiline: true, rows: 2 }),
        textField(ctx, { path: 'needs.money', name: 'kb.needs.money', hint: 'kb.help.needs.money', multiline: true, rows: 2 }),
        textField(ctx, { path: 'needs.partners', name: 'kb.needs.partners', hint: 'kb.help.needs.partners', multiline: true, rows: 2 }),
        textField(ctx, { path: 'needs.time', name: 'kb.needs.time', hint: 'kb.help.needs.time', multiline: true, rows: 2 }),
        monitoringEditor(ctx, 'kosten'),
      ];
    },
    filled: (r) => Boolean(r.needs && Object.keys(r.needs).length),
  },
  {
    key: 'resultaten',
    build(ctx) {
      return [monitoringEditor(ctx, 'resultaat'), monitoringEditor(ctx, 'rendement')];
    },
    filled: (r, ctx) => Boolean((ctx?.monitoring || []).some((e) => e.kind !== 'kosten')),
  },
];

/** Build one part into `host`; returns a collect() for it. */
export function buildStep(ctx, index, host) {
  const parts = STEPS[index].build(ctx);
  host.replaceChildren(...parts.map((p) => p.el));
  return () => parts.flatMap((p) => p.collect());
}

/** What the form needs besides the record: the effectordening, known kinds and target groups. */
export async function loadVocabulary(ctx) {
  const [effects, res] = await Promise.all([loadEffects(), api(`/api/v1/interventions${query({ limit: 1 })}`)]);
  ctx.effects = effects;
  const facets = res.ok ? res.body.facets || {} : {};
  ctx.kinds = (facets.kind || []).map((x) => x.value);
  ctx.targetGroups = (facets.targetGroup || []).map((x) => x.value);
  return ctx;
}

/** Recommended fields that are still empty, as step numbers and names (for the check before publishing). */
export function missing(rec, ctx) {
  const out = [];
  const check = (ok, step, key) => { if (!ok) out.push({ step, key }); };
  check(rec.title, 0, 'kb.field.title');
  check(rec.kind, 0, 'kb.field.kind');
  check(rec.problem, 0, 'kb.field.problem');
  check((rec.goals || []).length, 1, 'kb.field.goals');
  check((rec.effects || []).length, 1, 'kb.field.effects');
  check((rec.targetGroups || []).length, 2, 'kb.field.targetGroups');
  check(rec.approach, 3, 'kb.field.approach');
  check((rec.activeIngredients || []).length, 4, 'kb.step.5');
  check(rec.needs && Object.keys(rec.needs).length, 5, 'kb.step.6');
  check((ctx?.monitoring || []).length, 6, 'kb.step.7');
  return out;
}

/**
 * Save the record (POST when it has no id yet, else PUT) with the given state, then its new and changed
 * monitoring entries. Resolves {ok, res}; on success ctx.rec is the stored record (with id and version).
 */
export async function saveRecord(ctx, state) {
  const body = { ...ctx.rec, state: state || ctx.rec.state || 'draft' };
  const creating = !ctx.rec.id;
  if (creating) body.id = '';
  const res = await api(creating ? '/api/v1/interventions' : `/api/v1/interventions/${encodeURIComponent(ctx.rec.id)}`,
    { method: creating ? 'POST' : 'PUT', body });
  if (!res.ok) return { ok: false, res };
  ctx.rec = res.body;
  ctx.savedJSON = stable(contentOf(ctx.rec));
  const mon = await saveMonitoring(ctx);
  if (!mon.ok) return { ok: false, res: mon };
  if (!ctx.monitoringResponse) {
    const m = await api(`/api/v1/interventions/${encodeURIComponent(ctx.rec.id)}/monitoring`);
    if (m.ok) { ctx.monitoringResponse = m.body; ctx.monitoring = m.body.entries || []; }
  }
  return { ok: true, res, created: creating };
}

export function markSaved(ctx) { ctx.savedJSON = stable(contentOf(ctx.rec)); }

/** The record without bookkeeping fields: what "is there anything unsaved?" compares. */
function stable(v) {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

export function contentOf(rec) {
  const { version, createdAt, updatedAt, author, ...rest } = rec || {};
  return rest;
}

export function unsaved(ctx) {
  return stable(contentOf(ctx.rec)) !== ctx.savedJSON || (ctx.pendingMonitoring || []).some((p) => p.changed);
}

/** Leaving the page: send what is unsaved with keepalive, so the draft survives closing the tab. */
export function saveOnLeave(ctx) {
  if (!ctx.rec.id || !unsaved(ctx)) return;
  const headers = { 'Content-Type': 'application/json' };
  const tk = sessionStorage.getItem('hub.auth');
  if (!tk) return;
  headers.Authorization = `Bearer ${tk}`;
  try {
    fetch(`/api/v1/interventions/${encodeURIComponent(ctx.rec.id)}`, { method: 'PUT', headers, keepalive: true, body: JSON.stringify(ctx.rec) });
    const changed = (ctx.pendingMonitoring || []).filter((p) => p.changed).map((p) => ({ ...p.entry, intervention: ctx.rec.id }));
    if (changed.length) fetch(`/api/v1/interventions/${encodeURIComponent(ctx.rec.id)}/monitoring`, { method: 'POST', headers, keepalive: true, body: JSON.stringify({ entries: changed }) });
  } catch { /* nothing more to do while the page goes */ }
}
