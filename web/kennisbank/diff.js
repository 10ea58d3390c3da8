// "Compare versions": the API says which top-level fields changed (GET …/diff?from=&to=); this turns each
// field's two values into readable lines and marks what was removed and added, by line and, for plain
// text, by word. Marks carry a sign and hidden words, so they read without colour too.
import { el, t, label } from './common.js';

/** A field's value as lines of text a person can compare. */
export function toLines(field, value) {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/\n+/).filter((s) => s.trim());
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) {
    return value.flatMap((v) => {
      if (typeof v === 'string') {
        if (field === 'effects') return [label.effect(v)];
        if (field === 'themes') return [label.theme(v)];
        return [v];
      }
      if (v && typeof v === 'object') return objectLines(v).map((l, i) => (i === 0 ? `• ${l}` : `   ${l}`));
      return [String(v)];
    });
  }
  if (typeof value === 'object') return objectLines(value);
  return [String(value)];
}

function objectLines(o, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(o)) {
    const name = prefix ? `${prefix}.${k}` : k;
    const key = t(`kb.fieldName.${name}`) === `kb.fieldName.${name}` ? name : t(`kb.fieldName.${name}`);
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x !== 'object')) out.push(`${key}: ${v.join('; ')}`);
      else for (const x of v) out.push(`${key}: ${objectLines(x).join(' · ')}`);
    } else if (typeof v === 'object') out.push(...objectLines(v, name));
    else out.push(`${key}: ${v}`);
  }
  return out;
}

/** Longest common subsequence diff of two token lists: [{op: 'same'|'del'|'add', text}]. */
export function diffTokens(a, b, key = (x) => x) {
  const ka = a.map(key); const kb = b.map(key);
  const n = a.length; const m = b.length;
  if (n * m > 4_000_000) return [...a.map((text) => ({ op: 'del', text })), ...b.map((text) => ({ op: 'add', text }))];
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i][j] = ka[i] === kb[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const out = [];
  let i = 0; let j = 0;
  while (i < n && j < m) {
    if (ka[i] === kb[j]) { out.push({ op: 'same', text: b[j] }); i++; j++; }
    else if (dp[i + 1][j] >= dp[i][j + 1]) out.push({ op: 'del', text: a[i++] });
    else out.push({ op: 'add', text: b[j++] });
  }
  while (i < n) out.push({ op: 'del', text: a[i++] });
  while (j < m) out.push({ op: 'add', text: b[j++] });
  return out;
}

function mark(op, text) {
  if (op === 'same') return document.createTextNode(text);
  const tag = op === 'del' ? 'del' : 'ins';
  return el(tag, {}, el('span', { class: 'visually-hidden', text: `[${t(op === 'del' ? 'kb.diff.removed' : 'kb.diff.added')}: ` }), text,
    el('span', { class: 'visually-hidden', text: ']' }));
}

/** Runs of the same operation as one piece, so a changed phrase is one mark, not one per word. */
function coalesce(ops) {
  const out = [];
  for (const d of ops) {
    const last = out[out.length - 1];
    if (last && last.op === d.op) last.text += d.text; else out.push({ ...d });
  }
  return out;
}

function wordDiff(a, b) {
  // Words with their trailing space as tokens: "De ploeg " · "bestaat ".
  const split = (s) => s.split(/(?<=\s)(?=\S)/).filter((x) => x !== '');
  // Compared without the trailing space, so "dreigt." at the end and "dreigt. " before new words are equal.
  return el('p', { class: 'kb-diff-words' }, ...coalesce(diffTokens(split(a), split(b), (w) => w.trimEnd())).map((d) => mark(d.op, d.text)));
}

/** One changed field: its name and its lines with removals and additions. */
export function renderChange(change) {
  const a = toLines(change.field, change.from);
  const b = toLines(change.field, change.to);
  const name = t(`kb.fieldName.${change.field}`) === `kb.fieldName.${change.field}` ? change.field : t(`kb.fieldName.${change.field}`);
  let body;
  if (typeof change.from === 'string' && typeof change.to === 'string' && a.length <= 1 && b.length <= 1) {
    body = wordDiff(change.from, change.to);
  } else {
    const ops = diffTokens(a, b);
    body = el('ul', { class: 'kb-diff-lines' }, ...ops.map((d) => el('li', { class: `kb-diff-${d.op}` },
      el('span', { class: 'kb-diff-sign', 'aria-hidden': 'true', text: d.op === 'del' ? '−' : d.op === 'add' ? '+' : ' ' }),
      mark(d.op, d.text))));
    if (!ops.length) body = el('p', { class: 'muted', text: t('kb.diff.emptyBoth') });
  }
  const note = change.from === undefined || change.from === null ? t('kb.diff.new') : change.to === undefined || change.to === null ? t('kb.diff.gone') : '';
  return el('section', { class: 'kb-diff-field', 'data-field': change.field },
    el('h3', {}, name, note ? el('span', { class: 'chip small', text: note }) : null), body);
}

export function renderDiff(diff) {
  const changes = diff.changes || [];
  return el('div', { class: 'kb-diff', 'data-from': diff.from, 'data-to': diff.to },
    el('p', { class: 'kb-diff-summary', text: changes.length ? t('kb.diff.summary', { from: diff.from, to: diff.to, n: changes.length }) : t('kb.diff.none', { from: diff.from, to: diff.to }) }),
    el('p', { class: 'small muted kb-diff-legend' },
      el('del', { text: t('kb.diff.removed') }), ' ', el('ins', { text: t('kb.diff.added') })),
    ...changes.map(renderChange));
}
