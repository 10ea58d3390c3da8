// Pieces the three pages share: DOM helpers, the plugin slot (CONTRACTS.md §2b), kept drafts, a confirm dialog.
import { t, getLang } from './i18n.js';

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k.startsWith('aria-') || k.startsWith('data-') || k === 'role' || k === 'for' || k === 'lang') e.setAttribute(k, v === true ? '' : String(v));
    else e[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

export function icon(name) { return el('span', { class: `icon icon-${name}`, 'aria-hidden': 'true' }); }

export function show(section, all) { for (const s of all) s.hidden = s !== section; }

/** Announce a sentence to screen readers through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

export function groupNumber(groupId) {
  const m = /^g(\d+)$/.exec(String(groupId || ''));
  return m ? m[1] : String(groupId || '');
}

// ---- confirm dialog ---------------------------------------------------------------------------------------

/** A modal confirm with a title, a text and a (danger) button; resolves true or false. */
export function confirmDialog({ title, text, confirm }) {
  return new Promise((resolve) => {
    const yes = el('button', { type: 'button', class: 'btn btn-primary', text: confirm, 'data-action': 'confirm' });
    const no = el('button', { type: 'button', class: 'btn', text: t('common.cancel'), 'data-action': 'cancel' });
    const heading = el('h2', { text: title, id: 'dialog-title' });
    const dialog = el('dialog', { 'aria-labelledby': 'dialog-title', class: 'confirm' }, heading, el('p', { text }), el('div', { class: 'row' }, yes, no));
    const done = (value) => { dialog.close(); dialog.remove(); resolve(value); };
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

// ---- kept drafts: typed but unsent text survives a reload ---------------------------------------------------
// Every <input type=text…> and <textarea> with a key (data-keep, else id, else name), also inside open shadow
// roots, is saved to sessionStorage as it is typed, under the scope of the nearest [data-keep-scope]
// (the session code and activity). When an input is acknowledged whose payload holds that text, the draft
// is dropped. After a plugin renders, empty fields get their draft back.

const DRAFT = 'hub.draft.';
const KEEPABLE = new Set(['text', 'search', 'email', 'url', 'tel', 'number', '']);

function keepable(node) {
  if (!node || !node.tagName) return false;
  if (node.dataset && node.dataset.keep === 'off') return false;
  if (node.tagName === 'TEXTAREA') return true;
  return node.tagName === 'INPUT' && KEEPABLE.has((node.getAttribute('type') || '').toLowerCase());
}

function keyOf(node) { return (node.dataset && node.dataset.keep) || node.id || node.getAttribute('name') || ''; }

function scopeOf(node) {
  let n = node;
  while (n) {
    if (n.nodeType === 1 && n.hasAttribute('data-keep-scope')) return n.getAttribute('data-keep-scope');
    n = n.parentNode || (n instanceof ShadowRoot ? n.host : null);
  }
  return 'page';
}

function storage() { try { return window.sessionStorage; } catch { return null; } }

export function installDrafts() {
  const save = (e) => {
    const node = e.composedPath()[0];
    if (!keepable(node)) return;
    const key = keyOf(node);
    if (!key) return;
    const full = `${DRAFT}${scopeOf(node)}.${key}`;
    try { if (node.value) storage()?.setItem(full, node.value); else storage()?.removeItem(full); } catch { /* full */ }
  };
  document.addEventListener('input', save, true);
  document.addEventListener('change', save, true);
}

function* fields(root) {
  const all = root.querySelectorAll ? root.querySelectorAll('*') : [];
  for (const n of all) {
    if (keepable(n)) yield n;
    if (n.shadowRoot) yield* fields(n.shadowRoot);
  }
}

const restoreWindow = { start: 0, count: 0 };

/** Fill empty fields below root with their kept drafts. */
export function restoreDrafts(root) {
  const s = storage();
  if (!s || !root) return;
  for (const node of fields(root)) {
    const key = keyOf(node);
    if (!key || node.value) continue;
    const v = s.getItem(`${DRAFT}${scopeOf(node)}.${key}`);
    if (v) {
      node.value = v;
      // Tell the plugin, as typing would; but never feed a plugin that re-renders its fields on input
      // into an endless restore loop.
      const now = Date.now();
      if (now - restoreWindow.start > 1000) { restoreWindow.start = now; restoreWindow.count = 0; }
      if (++restoreWindow.count <= 20) node.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    }
  }
}

function strings(value, out = new Set()) {
  if (typeof value === 'string') out.add(value.trim());
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/** An input was confirmed: drafts of that scope whose text it carried are sent, so forget them. */
export function dropSentDrafts(scope, payload) {
  const s = storage();
  if (!s) return;
  const sent = strings(payload);
  const prefix = `${DRAFT}${scope}.`;
  for (let i = s.length - 1; i >= 0; i--) {
    const k = s.key(i);
    if (k && k.startsWith(prefix) && sent.has((s.getItem(k) || '').trim())) s.removeItem(k);
  }
}

export function clearDrafts(prefixScope) {
  const s = storage();
  if (!s) return;
  for (let i = s.length - 1; i >= 0; i--) {
    const k = s.key(i);
    if (k && k.startsWith(`${DRAFT}${prefixScope}`)) s.removeItem(k);
  }
}

// ---- the plugin slot --------------------------------------------------------------------------------------

const modules = new Map();

function loadModule(url) {
  if (!modules.has(url)) {
    const p = import(url);
    p.catch(() => modules.delete(url)); // a later mount may try again
    modules.set(url, p);
  }
  return modules.get(url);
}

function whenDefined(tag, ms) {
  return Promise.race([
    customElements.whenDefined(tag),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${tag} is not defined by its module`)), ms)),
  ]);
}

/**
 * Holds the current activity's plugin element: loads its module on demand, creates `hub-plugin-<name>`,
 * and sets views, phase, role, participant, lang, config and send; again whenever they change.
 * Whatever the plugin throws stays inside: the slot shows an error card instead.
 */
export class PluginSlot {
  constructor(container, { onMount } = {}) {
    this.container = container;
    this.key = null;
    this.element = null;
    this.failed = false;
    this.onMount = onMount;
    this.observer = null;
    this.token = 0;
  }

  clear() {
    this.token += 1;
    this.key = null;
    this.element = null;
    this.failed = false;
    this.observer?.disconnect();
    this.container.replaceChildren();
  }

  /**
   * @param {object} entry agenda entry {id, plugin, title, web?, config?}
   * @param {() => object} props function returning {views, phase, role, participant, lang, config, send}
   */
  async show(entry, props) {
    const key = `${entry.id}:${entry.plugin}`;
    this.props = props;
    if (this.key === key) { this.update(); return; }
    this.clear();
    this.key = key;
    const token = this.token;
    this.container.setAttribute('data-keep-scope', props().scope || entry.id);
    if (!entry.web) { this.neutral(entry); return; }
    this.container.replaceChildren(el('p', { class: 'muted', role: 'status', text: t('activity.loading') }));
    const tag = `hub-plugin-${entry.plugin}`;
    let element;
    try {
      if (!customElements.get(tag)) {
        await loadModule(entry.web);
        await whenDefined(tag, 4000);
      }
      if (token !== this.token) return;
      const Ctor = customElements.get(tag);
      element = new Ctor(); // direct construction: a throwing constructor throws here
      element.classList.add('plugin');
      element.setAttribute('data-activity', entry.id);
      this.assign(element, props());
      this.container.replaceChildren(element);
    } catch (err) {
      if (token !== this.token) return;
      this.fail(entry, err);
      return;
    }
    this.element = element;
    if (element.shadowRoot) {
      this.observer = new MutationObserver(() => this.restoreSoon());
      this.observer.observe(element.shadowRoot, { childList: true, subtree: true });
    }
    this.restoreSoon();
    this.onMount?.(element);
  }

  assign(element, p) {
    // `send` first, so a setter that renders can already offer the controls.
    element.send = p.send;
    element.role = p.role;
    element.participant = p.participant ?? null;
    element.lang = p.lang;
    element.config = p.config || {};
    // Extension of §2b: the activity's anonymity mode (agenda entry), for plugins that explain it.
    if (p.anonymity) element.anonymity = p.anonymity;
    element.phase = p.phase;
    element.views = p.views || {};
  }

  /** Set the properties again (views, phase, lang… changed). */
  update() {
    if (!this.element || this.failed || !this.props) return;
    try {
      this.assign(this.element, this.props());
      this.restoreSoon();
    } catch (err) {
      const entry = { title: this.props().title || '', plugin: this.element.localName.replace(/^hub-plugin-/, '') };
      this.fail(entry, err);
    }
  }

  restoreSoon() {
    if (this.restoring) return;
    this.restoring = true;
    queueMicrotask(() => { this.restoring = false; restoreDrafts(this.container); });
  }

  neutral(entry) {
    this.container.replaceChildren(el('div', { class: 'card center neutral', 'data-state': 'no-web' },
      icon('info'),
      el('h3', { text: entry.title || '' }),
      el('p', { class: 'muted', text: t('activity.noWeb') })));
  }

  fail(entry, err) {
    console.error(`plugin ${entry.plugin}:`, err);
    this.failed = true;
    this.element = null;
    this.observer?.disconnect();
    const message = err && err.message ? err.message : String(err);
    this.container.replaceChildren(el('div', { class: 'card error plugin-error', role: 'alert', 'data-state': 'plugin-error' },
      el('h3', { class: 'row' }, icon('alert'), el('span', { text: t('activity.loadFailed') })),
      el('p', { text: t('activity.loadFailedText') }),
      el('p', {}, el('button', { type: 'button', class: 'btn', text: t('common.reload'), on: { click: () => location.reload() } })),
      el('details', {}, el('summary', { text: t('activity.details') }), el('p', { class: 'small', text: `${entry.plugin}: ${message}` }))));
  }

  /** Language switch: re-render own cards and tell the plugin. */
  relabel(entry) {
    if (this.failed) { this.fail(entry, { message: this.container.querySelector('details p')?.textContent?.replace(/^[^:]*: /, '') || '' }); return; }
    if (!this.element && entry && !entry.web && this.key) { this.neutral(entry); return; }
    this.update();
  }
}

export function timeOf(ms) {
  return new Intl.DateTimeFormat(getLang() === 'en' ? 'en-GB' : 'nl-NL', { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}
