// Helpers shared by the components: a shadow root with the shared stylesheet, a guarded define,
// the component's language (its own `lang` attribute, else the shell's) and re-rendering on a switch.
import { getLang, t, onLangChange } from '../i18n.js';

const SHEET = new URL('./components.css', import.meta.url).href;

export function shadow(host, options = {}) {
  const root = host.attachShadow({ mode: 'open', ...options });
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = SHEET;
  root.append(link);
  return root;
}

/** Define once; every observed attribute also becomes a property (min-label ↔ minLabel) unless the class has one. */
export function define(name, cls) {
  if (customElements.get(name)) return;
  for (const attr of cls.observedAttributes || []) {
    const prop = attr.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (prop === 'lang' || prop in cls.prototype) continue;
    Object.defineProperty(cls.prototype, prop, {
      get() { return this.getAttribute(attr); },
      set(v) {
        if (v === null || v === undefined || v === false) this.removeAttribute(attr);
        else this.setAttribute(attr, v === true ? '' : String(v));
      },
      configurable: true,
    });
  }
  customElements.define(name, cls);
}

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('aria-') || k.startsWith('data-') || k === 'role') e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export function icon(name) {
  const s = document.createElement('span');
  s.className = `icon icon-${name}`;
  s.setAttribute('aria-hidden', 'true');
  return s;
}

export function numberFormat(lang, value, digits = 0) {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'nl-NL', { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

/** Base class: `lang` attribute or the shell's language; render() again on a language switch. */
export class HubElement extends HTMLElement {
  #off = null;
  get lang() { const l = this.getAttribute('lang'); return l === 'en' || l === 'nl' ? l : getLang(); }
  set lang(v) { if (v) this.setAttribute('lang', v); else this.removeAttribute('lang'); }
  t(key, params) { return t(key, params, this.lang); }
  connectedCallback() { this.#off = onLangChange(() => this.render()); this.render(); }
  disconnectedCallback() { if (this.#off) this.#off(); this.#off = null; }
  attributeChangedCallback() { if (this.isConnected) this.render(); }
  render() {}
}
