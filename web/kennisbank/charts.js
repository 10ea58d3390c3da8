// Monitoring charts as plain SVG, no chart library: kosten per year (with the monetised value next to it),
// directe resultaten against their targets, and the parts of the maatschappelijk rendement:
//   net effect = (measured − baseline) × attributie × (1 − dead weight); value = net effect × value per unit;
//   rendement = Σ values ÷ Σ kosten.
// Every bar carries its number as text (readable without colour, and in print); each chart has a table
// with the same numbers for screen readers and for whoever wants to check the arithmetic.
import { el, t, fmtEuro, fmtNumber, fmtPct } from './common.js';

const NS = 'http://www.w3.org/2000/svg';
let uid = 0;

function s(tag, attrs = {}, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

function figure(id, caption, svgEl, table, note) {
  const cap = el('figcaption', { id: `${id}-cap`, text: caption });
  svgEl.setAttribute('role', 'img');
  svgEl.setAttribute('aria-labelledby', `${id}-cap`);
  if (table) svgEl.setAttribute('aria-describedby', `${id}-table`);
  const f = el('figure', { class: 'kb-chart', id }, cap, svgEl);
  if (note) f.append(el('p', { class: 'small muted', text: note }));
  if (table) {
    table.id = `${id}-table`;
    f.append(el('details', { class: 'kb-chart-table' }, el('summary', { text: t('kb.chart.numbers') }), table));
  }
  return f;
}

function table(head, rows, numeric = []) {
  return el('table', { class: 'kb-table' },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : undefined, class: numeric.includes(i) ? 'num' : undefined, text: c }))))));
}

function hatch(defs, id) {
  defs.append(s('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    s('rect', { width: 6, height: 6, class: 'kb-fill-2' }),
    s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'kb-hatch-line' })));
}

/** Kosten (euros) and maatschappelijke waarde per year, grouped vertical bars; hours under each year. */
export function costsByYear(byYear) {
  const id = `kb-chart-${++uid}`;
  const years = byYear || [];
  if (!years.length) return null;
  const W = 640; const H = 280; const top = 28; const bottom = 56; const left = 8;
  const max = Math.max(1, ...years.map((y) => Math.max(y.euros, y.value)));
  const slot = (W - left * 2) / years.length;
  const bw = Math.min(64, slot / 3);
  const h = (v) => Math.round(((H - top - bottom) * Math.max(0, v)) / max);
  const svgEl = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'kb-svg', focusable: 'false' });
  const defs = s('defs');
  hatch(defs, `${id}-hatch`);
  svgEl.append(defs);
  const base = H - bottom;
  svgEl.append(s('line', { x1: left, x2: W - left, y1: base, y2: base, class: 'kb-axis' }));
  years.forEach((y, i) => {
    const cx = left + slot * i + slot / 2;
    const x1 = cx - bw - 3; const x2 = cx + 3;
    svgEl.append(
      s('rect', { x: x1, y: base - h(y.euros), width: bw, height: h(y.euros), class: 'kb-fill-1', 'data-year': y.year, 'data-kind': 'euros' }),
      s('text', { x: x1 + bw / 2, y: base - h(y.euros) - 6, 'text-anchor': 'middle', class: 'kb-svg-value' }, fmtEuro(y.euros)),
      s('rect', { x: x2, y: base - h(y.value), width: bw, height: h(y.value), fill: `url(#${id}-hatch)`, class: 'kb-bar-2', 'data-year': y.year, 'data-kind': 'value' }),
      s('text', { x: x2 + bw / 2, y: base - h(y.value) - 6, 'text-anchor': 'middle', class: 'kb-svg-value' }, fmtEuro(y.value)),
      s('text', { x: cx, y: base + 20, 'text-anchor': 'middle', class: 'kb-svg-label' }, y.year),
      s('text', { x: cx, y: base + 40, 'text-anchor': 'middle', class: 'kb-svg-muted' }, t('kb.chart.hours', { n: fmtNumber(y.hours, 0) })),
    );
  });
  const legend = el('ul', { class: 'kb-legend' },
    el('li', {}, el('span', { class: 'kb-swatch kb-swatch-1', 'aria-hidden': 'true' }), t('kb.chart.costs')),
    el('li', {}, el('span', { class: 'kb-swatch kb-swatch-2', 'aria-hidden': 'true' }), t('kb.chart.value')));
  const f = figure(id, t('kb.chart.byYear'), svgEl,
    table([t('kb.chart.year'), t('kb.chart.costs'), t('kb.chart.hoursCol'), t('kb.chart.value')],
      years.map((y) => [y.year, fmtEuro(y.euros), fmtNumber(y.hours, 0), fmtEuro(y.value)]), [1, 2, 3]));
  f.insertBefore(legend, svgEl.nextSibling);
  return f;
}

/** Horizontal bars with their numbers; `target` draws a marker line and "x of target". */
function hbars(id, caption, rows, { format, withTarget = false }) {
  const W = 640; const row = 58; const labelH = 20; const barH = 20; const valueW = 250;
  const max = Math.max(1e-9, ...rows.map((r) => Math.max(Math.abs(r.value), withTarget && r.target ? r.target : 0)));
  const width = W - valueW - 8;
  const H = rows.length * row + 6;
  const svgEl = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'kb-svg', focusable: 'false' });
  rows.forEach((r, i) => {
    const y = i * row;
    const w = Math.max(r.value ? 3 : 0, Math.round((width * Math.abs(r.value)) / max));
    svgEl.append(
      s('text', { x: 0, y: y + 15, class: 'kb-svg-label' }, r.label),
      s('rect', { x: 0, y: y + labelH + 2, width, height: barH, class: 'kb-track', rx: 3 }),
      s('rect', { x: 0, y: y + labelH + 2, width: w, height: barH, class: 'kb-fill-1', rx: 3, 'data-value': r.value }),
    );
    let text = format(r.value, r);
    if (withTarget && r.target) {
      const tx = Math.round((width * r.target) / max);
      svgEl.append(s('line', { x1: tx, x2: tx, y1: y + labelH - 2, y2: y + labelH + barH + 6, class: 'kb-target' }));
      text = t('kb.chart.ofTarget', { value: fmtNumber(r.value), target: fmtNumber(r.target), unit: r.unit ? ` ${r.unit}` : '', pct: fmtPct(r.value / r.target) });
    }
    svgEl.append(s('text', { x: width + 8, y: y + labelH + 17, class: 'kb-svg-value' }, text));
  });
  return svgEl;
}

/** Directe resultaten against their targets. */
export function outputsVsTarget(outputs) {
  if (!outputs || !outputs.length) return null;
  const id = `kb-chart-${++uid}`;
  const fmt = (v, r) => `${fmtNumber(v)}${r.unit ? ` ${r.unit}` : ''}`;
  const svgEl = hbars(id, '', outputs.map((o) => ({ label: o.label, value: o.value, target: o.target, unit: o.unit })), { format: fmt, withTarget: true });
  return figure(id, t('kb.chart.outputs'), svgEl,
    table([t('kb.chart.output'), t('kb.chart.realised'), t('kb.chart.target'), t('kb.chart.share')],
      outputs.map((o) => [o.label, fmt(o.value, o), o.target ? fmt(o.target, o) : '–', o.target ? fmtPct(o.value / o.target) : '–']), [1, 2, 3]),
    t('kb.chart.targetNote'));
}

/** Kosten by category. */
export function costsByCategory(byCategory) {
  const entries = Object.entries(byCategory || {}).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return null;
  const id = `kb-chart-${++uid}`;
  const svgEl = hbars(id, '', entries.map(([k, v]) => ({ label: k, value: v })), { format: (v) => fmtEuro(v) });
  return figure(id, t('kb.chart.byCategory'), svgEl, table([t('kb.chart.category'), t('kb.chart.costs')], entries.map(([k, v]) => [k, fmtEuro(v)]), [1]));
}

/**
 * The rendement, part by part: per indicator the measured change, what is left after attributie and after
 * dead weight (the net effect), and its value; then Σ value ÷ Σ kosten.
 */
export function rendementParts(summary, entries = []) {
  const inds = summary && summary.indicators ? summary.indicators : [];
  if (!inds.length) return null;
  const perUnit = new Map((entries || []).map((e) => [e.id, e.valuePerUnit]));
  const id = `kb-chart-${++uid}`;
  const W = 640; const block = 122; const barH = 16; const width = 240;
  const H = inds.length * block + 4;
  const svgEl = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'kb-svg', focusable: 'false' });
  inds.forEach((ind, i) => {
    const y = i * block;
    const gross = ind.measured - ind.baseline;
    const afterAttr = gross * ind.attribution;
    const net = ind.netEffect;
    const max = Math.max(1e-9, Math.abs(gross));
    const w = (v) => Math.max(v ? 2 : 0, Math.round((width * Math.abs(v)) / max));
    const unit = ind.unit ? ` ${ind.unit}` : '';
    svgEl.append(s('text', { x: 0, y: y + 15, class: 'kb-svg-label' }, `${ind.label}`));
    const parts = [
      [t('kb.chart.gross'), gross, `${fmtNumber(ind.measured)} − ${fmtNumber(ind.baseline)} = ${fmtNumber(gross)}${unit}`, 'kb-fill-3'],
      [t('kb.chart.attrShort', { pct: fmtPct(ind.attribution) }), afterAttr, `× ${fmtPct(ind.attribution)} = ${fmtNumber(afterAttr)}`, 'kb-fill-3'],
      [t('kb.chart.netShort', { pct: fmtPct(ind.deadWeight) }), net, `× (1 − ${fmtPct(ind.deadWeight)}) = ${fmtNumber(net)}${unit}`, 'kb-fill-1'],
    ];
    parts.forEach(([name, v, txt, cls], k) => {
      const yy = y + 24 + k * (barH + 8);
      svgEl.append(
        s('text', { x: 0, y: yy + 13, class: 'kb-svg-muted' }, name),
        s('rect', { x: 150, y: yy, width: w(v), height: barH, class: cls, rx: 2, 'data-part': ['gross', 'attribution', 'net'][k] }),
        s('text', { x: 150 + w(v) + 6, y: yy + 13, class: 'kb-svg-value' }, txt),
      );
    });
    const vpu = perUnit.get(ind.entry);
    const valueText = ind.value === undefined || ind.value === null
      ? t('kb.chart.notMonetised')
      : t('kb.chart.valueLine', { net: fmtNumber(net), perUnit: fmtEuro(vpu ?? (net ? ind.value / net : 0)), value: fmtEuro(ind.value) });
    svgEl.append(s('text', { x: 150, y: y + 24 + 3 * (barH + 8) + 10, class: 'kb-svg-strong' }, valueText));
  });
  const rows = inds.map((ind) => [
    `${ind.label}${ind.date ? ` (${ind.date})` : ''}`, fmtNumber(ind.baseline), fmtNumber(ind.measured), fmtPct(ind.attribution), fmtPct(ind.deadWeight),
    fmtNumber(ind.netEffect), ind.value === undefined || ind.value === null ? '–' : fmtEuro(ind.value),
  ]);
  const f = figure(id, t('kb.chart.rendement'), svgEl,
    table([t('kb.chart.indicator'), t('kb.mon.baseline'), t('kb.mon.measured'), t('kb.mon.attribution'), t('kb.mon.deadWeight'), t('kb.chart.net'), t('kb.chart.value')], rows, [1, 2, 3, 4, 5, 6]),
    t('kb.chart.formula'));
  return f;
}

/** Σ value ÷ Σ kosten as two bars and the ratio in words. */
export function ratioBlock(summary) {
  if (!summary) return null;
  const id = `kb-chart-${++uid}`;
  const W = 640; const width = 300; const x0 = 210;
  const max = Math.max(1, summary.euros, summary.value);
  const w = (v) => Math.max(v ? 3 : 0, Math.round((width * v) / max));
  const svgEl = s('svg', { viewBox: `0 0 ${W} 76`, class: 'kb-svg', focusable: 'false' });
  const defs = s('defs');
  hatch(defs, `${id}-hatch`);
  svgEl.append(defs,
    s('text', { x: 0, y: 20, class: 'kb-svg-label' }, t('kb.chart.costs')),
    s('rect', { x: x0, y: 6, width: w(summary.euros), height: 20, class: 'kb-fill-1', rx: 3, 'data-total': 'euros' }),
    s('text', { x: x0 + 6 + w(summary.euros), y: 21, class: 'kb-svg-value' }, fmtEuro(summary.euros)),
    s('text', { x: 0, y: 60, class: 'kb-svg-label' }, t('kb.chart.value')),
    s('rect', { x: x0, y: 46, width: w(summary.value), height: 20, fill: `url(#${id}-hatch)`, class: 'kb-bar-2', rx: 3, 'data-total': 'value' }),
    s('text', { x: x0 + 6 + w(summary.value), y: 61, class: 'kb-svg-value' }, fmtEuro(summary.value)));
  const ratio = summary.ratio === undefined || summary.ratio === null
    ? t('kb.chart.noRatio')
    : t('kb.chart.ratio', { value: fmtEuro(summary.value), euros: fmtEuro(summary.euros), ratio: fmtNumber(summary.ratio, 2) });
  const f = figure(id, t('kb.chart.ratioTitle'), svgEl, null);
  f.append(el('p', { class: 'kb-ratio', 'data-ratio': summary.ratio ?? '', text: ratio }));
  return f;
}
