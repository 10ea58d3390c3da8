// hub-plugin-checkin: one word and/or a mood from 1 to 5 (CONTRACTS.md §2b). The participant's own answer
// comes back in the `me` view; the beamer shows the word list and the mood distribution.
const TEXT = {
  nl: { word: 'Jouw woord', send: 'Stuur', mood: 'Hoe zit je erbij?', moods: ['Slecht', 'Matig', 'Gaat wel', 'Goed', 'Top'], yours: 'Jij gaf', total: (n) => `${n} ingecheckt`, pending: 'Versturen…', confirmed: 'Ontvangen', closed: 'De check-in is gesloten.', words: 'Woorden', distribution: 'Stemming' },
  en: { word: 'Your word', send: 'Send', mood: 'How are you doing?', moods: ['Bad', 'Poor', 'Okay', 'Good', 'Great'], yours: 'You gave', total: (n) => `${n} checked in`, pending: 'Sending…', confirmed: 'Received', closed: 'The check-in is closed.', words: 'Words', distribution: 'Mood' },
};

class HubPluginCheckin extends HTMLElement {
  #views = {};
  #role = 'participant';
  #lang = 'nl';
  #phase = 'open';
  #config = {};
  #send = null;
  #status = '';

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('./checkin.css', import.meta.url).href;
    root.append(css);
    this.main = document.createElement('section');
    root.append(this.main);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set phase(p) { this.#phase = p; this.render(); }
  set config(c) { this.#config = c || {}; this.render(); }
  set send(fn) { this.#send = fn; }
  set participant(_) {}

  get t() { return TEXT[this.#lang]; }

  submit(payload) {
    if (!this.#send) return;
    this.#status = this.t.pending;
    this.render();
    this.#send('checkin', payload).then(
      () => { this.#status = this.t.confirmed; this.render(); },
      (err) => { this.#status = (err && err.message) || String(err); this.render(); },
    );
  }

  el(tag, props = {}, ...children) {
    const e = document.createElement(tag);
    Object.assign(e, props);
    e.append(...children);
    return e;
  }

  render() {
    const pub = this.#views.public || {};
    const mode = pub.mode || this.#config.mode || 'both';
    const parts = [];
    if (pub.question) parts.push(this.el('h2', { textContent: pub.question }));
    if (this.#role === 'participant' && this.#send) {
      if (this.#phase !== 'open') {
        parts.push(this.el('p', { className: 'note', textContent: this.t.closed }));
      } else {
        if (mode !== 'mood') {
          const input = this.el('input', { type: 'text', id: 'word', maxLength: 40, autocomplete: 'off' });
          input.dataset.keep = 'checkin-word';
          const form = this.el('form', { className: 'word' },
            this.el('label', { htmlFor: 'word', textContent: this.t.word }), input,
            this.el('button', { type: 'submit', className: 'primary', textContent: this.t.send }));
          form.addEventListener('submit', (e) => { e.preventDefault(); if (input.value.trim()) this.submit({ word: input.value.trim() }); });
          parts.push(form);
        }
        if (mode !== 'word') {
          const group = this.el('fieldset', { className: 'moods' }, this.el('legend', { textContent: this.t.mood }));
          this.t.moods.forEach((label, i) => {
            const b = this.el('button', { type: 'button', textContent: `${i + 1} · ${label}` });
            b.addEventListener('click', () => this.submit({ mood: i + 1 }));
            group.append(b);
          });
          parts.push(group);
        }
      }
      const mine = (this.#views.me || {}).mine;
      if (mine) parts.push(this.el('p', { className: 'mine', textContent: `${this.t.yours}: ${[mine.word, mine.mood && this.t.moods[mine.mood - 1]].filter(Boolean).join(' · ')}` }));
      if (this.#status) parts.push(this.el('p', { className: 'status', role: 'status', textContent: this.#status }));
    }
    parts.push(this.results(pub, mode));
    this.main.replaceChildren(...parts);
  }

  results(pub, mode) {
    const box = this.el('div', { className: 'results' });
    box.setAttribute('aria-live', 'polite');
    box.append(this.el('p', { className: 'total', textContent: this.t.total(pub.total || 0) }));
    if (mode !== 'mood') {
      const words = this.el('ul', { className: 'words' });
      words.setAttribute('aria-label', this.t.words);
      const max = Math.max(1, ...(pub.words || []).map((w) => w.count));
      for (const w of pub.words || []) {
        const li = this.el('li', { textContent: w.word });
        li.className = `size-${Math.min(5, Math.ceil((w.count / max) * 5))}`;
        li.title = String(w.count);
        words.append(li);
      }
      box.append(words);
    }
    if (mode !== 'word') {
      const moods = pub.moods || [0, 0, 0, 0, 0];
      const max = Math.max(1, ...moods);
      const chart = this.el('ol', { className: 'bars' });
      chart.setAttribute('aria-label', this.t.distribution);
      moods.forEach((n, i) => {
        const bar = this.el('span', { className: `bar w-${Math.round((n / max) * 10)}` });
        chart.append(this.el('li', {}, this.el('span', { className: 'label', textContent: this.t.moods[i] }), bar, this.el('span', { className: 'count', textContent: String(n) })));
      });
      box.append(chart);
    }
    return box;
  }
}

customElements.define('hub-plugin-checkin', HubPluginCheckin);
