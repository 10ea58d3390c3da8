// An activity's config as a form, generated from its plugin's configSchema (docs/PLUGINS.md, the schema subset).
// Common types get a control of their own: string (a text field, or a choice list with `enum`), integer and
// number, boolean (standard / yes / no, so "not set" stays possible), a list of strings (one per line). Every
// other property (objects, lists of objects, several types) gets a JSON text field; JSON is YAML too. Keys in
// the config that the schema does not name are kept in one JSON field, so an imported file loses nothing.
// Each field sits in a wrapper with data-path (`agenda[0].config.question`), where the editor shows the hub's error.
import { t, getLang } from '../i18n.js';
import { el } from '../shell.js';

let counter = 0;
const fid = () => `cfg-${++counter}`;

function types(s) { return s?.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]; }

/** What kind of control a property schema gets. */
export function controlKind(s) {
  const ty = types(s);
  if (ty.length !== 1) return 'json';
  if (ty[0] === 'string') return Array.isArray(s.enum) ? 'enum' : 'string';
  if (ty[0] === 'integer' || ty[0] === 'number') return 'number';
  if (ty[0] === 'boolean') return 'boolean';
  if (ty[0] === 'array' && types(s.items).length === 1 && types(s.items)[0] === 'string' && !s.items.enum) return 'lines';
  return 'json';
}

function localized(v) { return v && typeof v === 'object' ? (v[getLang()] || v.nl || v.en || '') : (v || ''); }

/** A labelled field: wrapper[data-path] > label, control, hint, error. */
export function field(path, labelText, control, hintText = '') {
  const id = control.id || (control.id = fid());
  const hint = hintText ? el('span', { class: 'hint', id: `${id}-hint`, text: hintText }) : null;
  const error = el('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  control.setAttribute('aria-describedby', [hint ? hint.id : '', error.id].filter(Boolean).join(' '));
  return el('div', { class: 'field', 'data-path': path }, el('label', { for: id, text: labelText }), control, hint, error);
}

/**
 * The config form of one activity. `config` is changed in place; `changed()` runs after every edit.
 * `schema` is the plugin's configSchema (or null for an unknown plugin: then everything is JSON).
 */
export function configForm(schema, config, path, changed) {
  const props = schema && typeof schema.properties === 'object' ? schema.properties : {};
  const required = new Set(Array.isArray(schema?.required) ? schema.required : []);
  const box = el('div', { class: 'config-form', 'data-path': path });
  for (const [name, s] of Object.entries(props)) {
    box.append(property(name, s || {}, config, `${path}.${name}`, required.has(name), changed));
  }
  box.append(rest(Object.keys(props), config, path, changed));
  return box;
}

function set(config, name, value, changed) {
  if (value === undefined) delete config[name]; else config[name] = value;
  changed();
}

function property(name, s, config, path, isRequired, changed) {
  const kind = controlKind(s);
  const label = `${name}${isRequired ? ' *' : ''}${kind === 'json' ? ' (JSON)' : ''}`;
  const hint = localized(s.description) || localized(s.title);
  const value = config[name];
  let control;
  switch (kind) {
    case 'enum': {
      control = el('select', {}, el('option', { value: '', text: t('ed.notSet') }),
        ...s.enum.map((v) => el('option', { value: String(v), text: String(v) })));
      control.value = value === undefined ? '' : String(value);
      control.addEventListener('change', () => set(config, name, control.value === '' ? undefined : control.value, changed));
      break;
    }
    case 'string':
      control = el('input', { type: 'text', value: value === undefined ? '' : String(value) });
      control.addEventListener('input', () => set(config, name, control.value === '' ? undefined : control.value, changed));
      break;
    case 'number':
      control = el('input', { type: 'number', inputMode: 'decimal', value: value === undefined ? '' : String(value) });
      if (typeof s.minimum === 'number') control.min = String(s.minimum);
      if (typeof s.maximum === 'number') control.max = String(s.maximum);
      control.step = types(s)[0] === 'integer' ? '1' : 'any';
      // The number goes to the hub as typed (2.5 for an integer too): the hub's validator says what is wrong.
      control.addEventListener('input', () => set(config, name, control.value === '' ? undefined : Number(control.value), changed));
      break;
    case 'boolean':
      control = el('select', {}, el('option', { value: '', text: t('ed.notSet') }),
        el('option', { value: 'true', text: t('ed.yes') }), el('option', { value: 'false', text: t('ed.no') }));
      control.value = value === undefined ? '' : String(value);
      control.addEventListener('change', () => set(config, name, control.value === '' ? undefined : control.value === 'true', changed));
      break;
    case 'lines':
      control = el('textarea', { rows: 3, value: Array.isArray(value) ? value.join('\n') : '' });
      control.addEventListener('input', () => {
        const lines = control.value.split('\n').map((l) => l.trim()).filter(Boolean);
        set(config, name, lines.length ? lines : undefined, changed);
      });
      return field(path, label, control, [t('ed.onePerLine'), hint].filter(Boolean).join(' '));
    default:
      control = jsonArea(value, (v) => set(config, name, v, changed));
  }
  return field(path, label, control, hint);
}

/** A JSON text field: a parse error is shown at the field itself and the last good value is kept. */
function jsonArea(value, commit) {
  const area = el('textarea', { rows: 4, class: 'mono', spellcheck: false, value: value === undefined ? '' : JSON.stringify(value, null, 2) });
  area.addEventListener('input', () => {
    const text = area.value.trim();
    const local = area.parentElement?.querySelector('.field-local');
    if (!text) { if (local) local.hidden = true; commit(undefined); return; }
    try {
      const v = JSON.parse(text);
      if (local) local.hidden = true;
      area.removeAttribute('aria-invalid');
      commit(v);
    } catch {
      if (local) { local.hidden = false; local.textContent = t('ed.badJSON'); }
      area.setAttribute('aria-invalid', 'true');
    }
  });
  queueMicrotask(() => {
    if (area.parentElement && !area.parentElement.querySelector('.field-local')) {
      area.parentElement.append(el('p', { class: 'field-error field-local', role: 'status', hidden: true }));
    }
  });
  return area;
}

/** Keys the schema does not list, as one JSON object, so that they survive an import and an export. */
function rest(known, config, path, changed) {
  const other = {};
  for (const [k, v] of Object.entries(config)) if (!known.includes(k)) other[k] = v;
  const area = jsonArea(Object.keys(other).length ? other : undefined, (v) => {
    for (const k of Object.keys(config)) if (!known.includes(k)) delete config[k];
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(config, v);
    changed();
  });
  const f = field(`${path}.*`, t('ed.otherConfig'), area, t('ed.otherConfigHint'));
  f.classList.add('config-other');
  return f;
}
