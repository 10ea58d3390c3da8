// What the kennisbank pages share: their message catalogue (merged into the shell's), the header with the
// language switch and the login state, labels for the vocabulary (effects, domains, kinds, evidence levels),
// number and date formats, and the small login form the writing pages show.
import { catalogues, t, getLang, applyI18n, langSwitch, onLangChange } from '/web/i18n.js';
import { el } from '/web/shell.js';
import { api, login, token, who, setToken, invitation } from './api.js';
import { messages } from './messages.js';

for (const lang of Object.keys(messages)) Object.assign(catalogues[lang] || (catalogues[lang] = {}), messages[lang]);

export { t, getLang, el, onLangChange, applyI18n };

export const $ = (id) => document.getElementById(id);

/** Header: language switch, "ingelogd als … · Log uit", the current page marked in the navigation. */
export function initPage() {
  applyI18n(document);
  const sw = $('lang-switch');
  if (sw) langSwitch(sw);
  const here = document.body.dataset.page;
  for (const a of document.querySelectorAll('.kb-nav a')) {
    if (a.dataset.page === here) a.setAttribute('aria-current', 'page');
  }
  const account = $('account');
  const paint = () => {
    if (!account) return;
    const me = token() ? who() : null;
    account.replaceChildren();
    if (me) {
      account.append(
        el('span', { class: 'kb-who', text: t('kb.auth.as', { name: me.name || me.email || '' }) }),
        el('button', { type: 'button', class: 'btn btn-link btn-small', id: 'logout', text: t('kb.auth.logout'), on: { click: () => setToken(null) } }),
      );
    }
  };
  paint();
  window.addEventListener('kb-auth', paint);
  const revoked = () => {
    if ($('invite-invalid')) return;
    // Inside the page's first card, where the reader looks, not against the window's edge.
    const host = document.querySelector('#main .card:not([hidden])') || $('main');
    host?.prepend(el('p', { class: 'form-error', role: 'alert', id: 'invite-invalid', 'data-i18n': 'kb.invite.invalid', text: t('kb.invite.invalid') }));
  };
  if (invitation.invalid) revoked();
  window.addEventListener('kb-invite-invalid', revoked);
  onLangChange(() => { paint(); document.title = pageTitle(); });
  document.title = pageTitle();
}

function pageTitle() {
  const key = document.body.dataset.title;
  return key ? `${t(key)} · ${t('kb.brand')}` : t('kb.brand');
}

// ---- vocabulary ------------------------------------------------------------------------------------------

let effectsPromise = null;
let effectMap = new Map();

/** The effectordening, fetched once: [{id, domain, title:{nl,en}}]. */
export function loadEffects() {
  if (!effectsPromise) {
    effectsPromise = api('/api/v1/effects').then((res) => {
      const list = res.ok && res.body && Array.isArray(res.body.effects) ? res.body.effects : [];
      effectMap = new Map(list.map((e) => [e.id, e]));
      if (!res.ok) effectsPromise = null;
      return list;
    });
  }
  return effectsPromise;
}

export function effectTitle(id) {
  const e = effectMap.get(id);
  if (!e) return humanize(id);
  return (e.title && (e.title[getLang()] || e.title.nl)) || humanize(id);
}

export function effectDomain(id) { return effectMap.get(id)?.domain || ''; }

/** The domains in the effectordening's own order. */
export function domainsOf(effects) {
  const seen = [];
  for (const e of effects) if (!seen.includes(e.domain)) seen.push(e.domain);
  return seen;
}

export function humanize(slug) {
  const s = String(slug || '').replace(/[-_]+/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : '';
}

function vocab(prefix, value) {
  const key = `${prefix}.${value}`;
  const v = t(key);
  return v === key ? humanize(value) : v;
}

export const label = {
  domain: (v) => vocab('kb.domain', v),
  kind: (v) => vocab('kb.kindOf', v),
  evidence: (v) => vocab('kb.evidence', v),
  scale: (v) => vocab('kb.scale', v),
  theme: (v) => vocab('kb.theme', v),
  type: (v) => vocab('kb.type', v),
  state: (v) => vocab('kb.state', v),
  toolkitKind: (v) => vocab('kb.toolkitKind', v),
  barrier: (v) => vocab('kb.barrier', v),
  effect: (v) => effectTitle(v),
};

export const KNOWN_KINDS = [
  'buurtbeheerbedrijven', 'klushuizen', 'skaeve-huse', 'schuldhulpverlening', 'verkoop-huurwoningen',
  'sloop-en-nieuwbouw-in-aandachtswijken', 'woningtoewijzing-op-basis-van-inzet',
];
export const THEMES = ['schoon', 'heel', 'veilig', 'wonen', 'werken', 'leven'];
export const SCALES = ['complex', 'buurt', 'wijk'];
export const EVIDENCE = ['bewezen', 'aannemelijk', 'onbekend', 'tegengesproken'];

/** Lower case, diacritics off, words joined by '-': the form kinds take in the kennisbank. */
export function slugify(text) {
  return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}

/** For searching in lists: lower case without diacritics ("financiële" → "financiele"). */
export function fold(text) {
  return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

// ---- formats ---------------------------------------------------------------------------------------------

const locale = () => (getLang() === 'en' ? 'en-GB' : 'nl-NL');

export function fmtNumber(v, digits = 2) {
  if (v === undefined || v === null || Number.isNaN(Number(v))) return '–';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(Number(v));
}

export function fmtEuro(v) {
  if (v === undefined || v === null) return '–';
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(Number(v));
}

export function fmtPct(share) {
  if (share === undefined || share === null) return '–';
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(Number(share));
}

export function fmtDate(v) {
  if (v === undefined || v === null || v === '') return '';
  const d = typeof v === 'number' ? new Date(v) : new Date(`${v}T12:00:00`);
  if (Number.isNaN(d.getTime())) return String(v);
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

export function fmtDateTime(ms) {
  if (!ms) return '';
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}

export function fmtTime(ms) {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}

/** A number as people type it in Dutch or English: "1.250,5", "1250.5", "1 250". NaN when it is not one. */
export function parseNumber(text) {
  let s = String(text ?? '').trim().replace(/[\s\u00a0€%]/g, '');
  if (!s) return undefined;
  if (s.includes(',')) s = s.replace(/\./g, '').replace(',', '.');
  else if (/^-?\d{1,3}(\.\d{3})+$/.test(s)) s = s.replace(/\./g, '');
  return /^-?\d*\.?\d+$/.test(s) ? Number(s) : NaN;
}

/** A number for an input field, in the page's language. */
export function numberInput(v) {
  if (v === undefined || v === null) return '';
  return getLang() === 'en' ? String(v) : String(v).replace('.', ',');
}

/** Plain-language text for a failed request. */
export function errorText(res) {
  if (!res || res.status === 0) return t('kb.error.network');
  if (res.status === 401) return t('kb.error.login');
  if (res.status === 403) return t('kb.error.forbidden');
  if (res.status === 404) return t('kb.error.notFound');
  if (res.status === 422) return t('kb.error.invalid', { message: (res.errors && res.errors.length ? res.errors.join('; ') : res.message) });
  if (res.status === 413) return t('kb.error.tooBig');
  return t('kb.error.other', { status: res.status });
}

/** Turn "[word]" marks of the search snippets into <mark>; everything else stays text. */
export function snippetNodes(snippet) {
  const out = [];
  const re = /\[([^\]]*)\]/g;
  let last = 0;
  let m;
  while ((m = re.exec(snippet))) {
    if (m.index > last) out.push(document.createTextNode(snippet.slice(last, m.index)));
    out.push(el('mark', { text: m[1] }));
    last = re.lastIndex;
  }
  if (last < snippet.length) out.push(document.createTextNode(snippet.slice(last)));
  return out;
}

// ---- login -----------------------------------------------------------------------------------------------

/**
 * The login form of the writing pages, inside `host`. Resolves once someone is logged in (at once when a
 * token is already kept). `notice` is a catalogue key shown above the form.
 */
export function requireLogin(host, notice = 'kb.auth.intro') {
  if (token()) return Promise.resolve(who());
  return new Promise((resolve) => {
    const error = el('p', { class: 'form-error', role: 'alert', id: 'login-error', hidden: true });
    const email = el('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username', required: true });
    const password = el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const submit = el('button', { type: 'submit', id: 'login-submit', class: 'btn btn-primary btn-block', 'data-i18n': 'kb.auth.submit', text: t('kb.auth.submit') });
    const form = el('form', { class: 'stack', id: 'login-form', noValidate: true },
      el('div', { class: 'field' }, el('label', { for: 'login-email', 'data-i18n': 'kb.auth.email', text: t('kb.auth.email') }), email),
      el('div', { class: 'field' }, el('label', { for: 'login-password', 'data-i18n': 'kb.auth.password', text: t('kb.auth.password') }), password),
      error, submit);
    const card = el('section', { class: 'card kb-login', 'aria-labelledby': 'login-title' },
      el('h1', { id: 'login-title', 'data-i18n': 'kb.auth.title', text: t('kb.auth.title') }),
      el('p', { 'data-i18n': notice, text: t(notice) }),
      form);
    host.replaceChildren(card);
    host.hidden = false;
    email.focus();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      if (!email.value.trim() || !password.value) {
        error.textContent = t('kb.auth.missing');
        error.hidden = false;
        return;
      }
      submit.disabled = true;
      submit.textContent = t('kb.auth.busy');
      const res = await login(email.value.trim(), password.value);
      submit.disabled = false;
      submit.textContent = t('kb.auth.submit');
      if (res.ok && token()) {
        host.replaceChildren();
        host.hidden = true;
        resolve(who());
        return;
      }
      error.textContent = res.status === 0 ? t('kb.error.network') : t('kb.auth.failed');
      error.hidden = false;
      password.select();
    });
  });
}

/** Remember something small per browser (last wizard step of a draft, …). */
export const local = {
  get(key) { try { return localStorage.getItem(`kb.${key}`); } catch { return null; } },
  set(key, v) { try { if (v === null || v === undefined) localStorage.removeItem(`kb.${key}`); else localStorage.setItem(`kb.${key}`, String(v)); } catch { /* blocked */ } },
};
