// The agenda as YAML, written by the editor itself (no YAML library in the browser, no npm).
//
// The subset written (docs/WEB.md, "Agenda editor"):
// - block mappings and block sequences, two spaces per level; a sequence of mappings starts each item
//   with "- " and the first key on the same line;
// - empty mappings as {}, empty lists as [];
// - strings plain only when they are unambiguous words and sentences (a letter first, then letters, digits,
//   spaces and . , ( ) ' / -; not a YAML 1.1 boolean or null such as yes, no, on, off, y, n, null), else in
//   double quotes with JSON's escapes, which YAML reads the same; numbers, true, false and null as such.
// The hub reads the file (`POST /api/v1/sessions`, `hubctl session create`); the browser never parses YAML: an
// import goes through `POST /api/v1/agendas/validate`, which answers the document as JSON.

const RESERVED = new Set(['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null', '~']);
const PLAIN = /^[\p{L}][\p{L}\p{N} .,()'/-]*$/u;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function scalar(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  const s = String(v);
  const plain = PLAIN.test(s) && !RESERVED.has(s.toLowerCase()) && !s.endsWith(' ') && !/ -|:|#/.test(s);
  return plain ? s : JSON.stringify(s);
}

function key(k) { return PLAIN_KEY.test(k) && !RESERVED.has(k.toLowerCase()) ? k : JSON.stringify(k); }

function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

function empty(v) { return Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0; }

/** Lines for `value` as the value of a mapping key or sequence item at `indent`. */
function block(value, indent) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    const out = [];
    for (const item of value) {
      if (isObject(item) && !empty(item)) {
        const inner = mapping(item, indent + 2);
        out.push(pad + '- ' + inner[0].slice(indent + 2), ...inner.slice(1));
      } else if (Array.isArray(item) && !empty(item)) {
        out.push(pad + '-', ...block(item, indent + 2));
      } else {
        out.push(pad + '- ' + inline(item));
      }
    }
    return out;
  }
  return mapping(value, indent);
}

function mapping(obj, indent) {
  const pad = ' '.repeat(indent);
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if ((isObject(v) || Array.isArray(v)) && !empty(v)) out.push(`${pad}${key(k)}:`, ...block(v, indent + 2));
    else out.push(`${pad}${key(k)}: ${inline(v)}`);
  }
  return out;
}

function inline(v) {
  if (Array.isArray(v)) return '[]';
  if (isObject(v)) return '{}';
  return scalar(v);
}

/** The YAML text of an agenda document (a plain object, keys in the order to write). */
export function toYAML(doc) { return mapping(doc, 0).join('\n') + '\n'; }
