// hub-plugin-poll: the browser tests' stand-in plugin (CONTRACTS.md §2b). Participants pick one option
// (with an optional comment); the counts show after the facilitator's reveal. Built from the shared
// components, styled with the shared tokens.
import '/web/components/hub-button.js';
import '/web/components/hub-bar-chart.js';
import '/web/components/hub-progress.js';

const TEXT = {
  nl: { pick: 'Kies één antwoord', yours: 'Jouw keuze: {o}', comment: 'Toelichting (niet verplicht)', total: '{n} keer gekozen', closed: 'Kiezen kan nu niet meer.', result: 'Uitslag', hidden: 'De uitslag komt zodra de facilitator hem laat zien.' },
  en: { pick: 'Pick one answer', yours: 'Your pick: {o}', comment: 'Comment (optional)', total: '{n} picks', closed: 'Picking is closed now.', result: 'Result', hidden: 'The result shows as soon as the facilitator reveals it.' },
};

class HubPluginPoll extends HTMLElement {
  #views = {};
  #role = 'participant';
  #lang = 'nl';
  #phase = 'open';
  #send = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    for (const href of ['/web/tokens.css', new URL('./poll.css', import.meta.url).href]) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      root.append(link);
    }
    this.main = document.createElement('section');
    root.append(this.main);
    this.comment = document.createElement('textarea');
    this.comment.id = 'comment';
    this.comment.dataset.keep = 'poll-comment';
    this.comment.maxLength = 500;
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set phase(p) { this.#phase = p; this.render(); }
  set send(fn) { this.#send = fn; }
  set config(_) {}
  set participant(_) {}

  t(key, params = {}) { return TEXT[this.#lang][key].replace(/\{(\w+)\}/g, (_, k) => String(params[k])); }

  el(tag, props = {}, ...kids) { const e = document.createElement(tag); Object.assign(e, props); e.append(...kids); return e; }

  render() {
    const pub = this.#views.public || {};
    const me = this.#views.me || {};
    const options = pub.options || [];
    const parts = [this.el('h2', { textContent: pub.question || '' })];
    if (this.#role === 'participant') {
      if (this.#phase === 'open') {
        const group = this.el('div', { className: 'options' });
        group.setAttribute('role', 'group');
        group.setAttribute('aria-label', this.t('pick'));
        options.forEach((label, i) => {
          const b = document.createElement('hub-button');
          b.textContent = label;
          b.dataset.option = String(i);
          b.setAttribute('variant', me.pick === i ? 'strong' : 'secondary');
          b.setAttribute('pressed', String(me.pick === i));
          b.addEventListener('click', () => this.pick(i));
          group.append(b);
        });
        const label = this.el('label', { htmlFor: 'comment', textContent: this.t('comment') });
        parts.push(this.el('p', { className: 'lead', textContent: this.t('pick') }), group, this.el('div', { className: 'field' }, label, this.comment));
      } else {
        parts.push(this.el('p', { className: 'note', textContent: this.t('closed') }));
      }
      if (typeof me.pick === 'number') parts.push(this.el('p', { className: 'mine', textContent: this.t('yours', { o: options[me.pick] ?? '' }) }));
    }
    if (pub.counts) {
      const chart = document.createElement('hub-bar-chart');
      chart.setAttribute('label', this.t('result'));
      chart.setAttribute('lang', this.#lang);
      chart.data = options.map((label, i) => ({ label, value: pub.counts[i] || 0 }));
      parts.push(chart);
    } else {
      parts.push(this.el('p', { className: 'note', textContent: this.t('hidden') }));
    }
    parts.push(this.el('p', { className: 'total', textContent: this.t('total', { n: pub.total || 0 }) }));
    const focused = this.shadowRoot.activeElement;
    const focusedOption = focused && focused.dataset ? focused.dataset.option : undefined;
    this.main.replaceChildren(...parts);
    if (focusedOption !== undefined) this.main.querySelector(`hub-button[data-option="${focusedOption}"]`)?.focus();
  }

  pick(i) {
    if (!this.#send) return;
    const comment = this.comment.value.trim();
    this.#send('pick', comment ? { option: i, comment } : { option: i }).catch(() => {});
  }
}

customElements.define('hub-plugin-poll', HubPluginPoll);
