// hub-plugin-card-deck (CONTRACTS.md §2b): the card deck (docs/CARD-DECK.md).
// One element for every role: the current card comes from the `public` view (big on the beamer), the
// participant's own answers from `me`, live results and agreements from `facilitator`.
// Every control is a real button, radio or text field, so all of it works with the keyboard alone; the
// element re-renders from its views, and what someone is typing, and the focus, survive each render.
import '/web/components/hub-status.js';
import '/web/components/hub-bar-chart.js';
import { el } from '/web/shell.js';

const TEXT = {
  nl: {
    card: (i, n) => `Kaart ${i} van ${n}`, waiting: 'Wacht op de eerste kaart.', questions: 'Om over door te praten',
    applies: 'Geldt dit voor ons?', answers: { yes: 'Ja', partly: 'Deels', no: 'Nee' },
    score: 'Hoe staat het ervoor?', text: 'Jouw toelichting', textHint: (n) => `Hooguit ${n} tekens`, send: 'Stuur je antwoord',
    change: 'Wijzig je antwoord', sent: 'Je antwoord is binnen.', yours: 'Jouw antwoord staat. Je kunt het wijzigen tot het deck is vastgelegd.',
    responses: (n) => `${n} ${n === 1 ? 'reactie' : 'reacties'}`, hidden: 'De uitslag volgt als de facilitator die toont.',
    result: 'Uitslag', mean: (m) => `Gemiddeld ${m}`, fromRoom: 'Uit de zaal', verdict: { yes: 'Op orde', partly: 'Deels op orde', no: 'Nog niet op orde' },
    note: 'Afspraak', noteLabel: 'Afspraak voor deze kaart', saveNote: 'Bewaar afspraak', noteSaved: 'Afspraak bewaard.',
    prev: 'Vorige kaart', next: 'Volgende kaart', goto: 'Ga naar kaart', show: 'Toon', shown: 'Kaart getoond.',
    revealHint: 'Toon de uitslag van deze kaart aan de zaal met R of de knop Onthul.',
    overview: 'Alle kaarten', notShown: 'nog niet getoond', publish: 'Leg vast in de gereedschapskist', publishing: 'Vastgelegd.',
    publishHint: 'Elke getoonde kaart wordt een checklist in de gereedschapskist, met de reacties en de afspraak.',
    published: 'Vastgelegd in de gereedschapskist. Reageren kan niet meer.', closed: 'Dit deck is vastgelegd. Dank voor je antwoorden!',
    recordPhase: 'De facilitator legt de uitkomst vast.', broken: 'Dit kaartendeck kon niet worden gelezen.', nothing: 'Kies minstens één antwoord.',
  },
  en: {
    card: (i, n) => `Card ${i} of ${n}`, waiting: 'Wait for the first card.', questions: 'To talk about',
    applies: 'Does this apply to us?', answers: { yes: 'Yes', partly: 'Partly', no: 'No' },
    score: 'How are we doing?', text: 'Your comment', textHint: (n) => `At most ${n} characters`, send: 'Send your answer',
    change: 'Change your answer', sent: 'Your answer is in.', yours: 'Your answer stands. You can change it until the deck is recorded.',
    responses: (n) => `${n} ${n === 1 ? 'response' : 'responses'}`, hidden: 'The results follow when the facilitator shows them.',
    result: 'Results', mean: (m) => `Mean ${m}`, fromRoom: 'From the room', verdict: { yes: 'In place', partly: 'Partly in place', no: 'Not in place yet' },
    note: 'Agreement', noteLabel: 'Agreement for this card', saveNote: 'Save agreement', noteSaved: 'Agreement saved.',
    prev: 'Previous card', next: 'Next card', goto: 'Go to card', show: 'Show', shown: 'Card shown.',
    revealHint: 'Show the results of this card to the room with R or the Reveal button.',
    overview: 'All cards', notShown: 'not shown yet', publish: 'Record in the gereedschapskist', publishing: 'Recorded.',
    publishHint: 'Every card shown becomes a checklist in the gereedschapskist, with the responses and the agreement.',
    published: 'Recorded in the gereedschapskist. Responses are closed.', closed: 'This deck has been recorded. Thank you for your answers!',
    recordPhase: 'The facilitator records the outcome.', broken: 'This card deck could not be read.', nothing: 'Choose at least one answer.',
  },
};
const APPLIES = ['yes', 'partly', 'no'];

class HubPluginCardDeck extends HTMLElement {
  #views = {};
  #role = 'beamer';
  #lang = 'nl';
  #phase = 'kaarten';
  #send = null;
  #status = null;
  #draft = null; // {card, applies, score, text}: what the participant chose but did not send yet

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: new URL('./card-deck.css', import.meta.url).href }));
    this.main = el('section', { class: 'deck' });
    root.append(this.main);
  }

  set views(v) {
    const before = (this.pub.current || {}).id;
    this.#views = v || {};
    // A new card: a participant's last status was about the previous one. (The facilitator's is about the move.)
    if (this.#role === 'participant' && before && (this.pub.current || {}).id !== before) this.#status = null;
    this.render();
  }
  set role(r) { this.#role = r || 'beamer'; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set phase(p) { if (p !== this.#phase) this.#status = null; this.#phase = p; this.render(); }
  set send(fn) { this.#send = fn; this.render(); }
  set participant(_) {}
  set config(_) {}
  set anonymity(_) {}

  get t() { return TEXT[this.#lang]; }
  get pub() { return this.#views.public || {}; }
  get fac() { return this.#views.facilitator || {}; }
  get mine() { return (this.#views.me || {}).responses || {}; }
  get isFac() { return this.#role === 'facilitator' && Boolean(this.#send); }
  get isParticipant() { return this.#role === 'participant' && Boolean(this.#send); }

  tr(text) { return (text && (text[this.#lang] || text.nl)) || ''; }
  category(id) { return (this.pub.categories || []).find((c) => c.id === id); }

  /** Sends one input; the status line says pending, then the confirmation or the hub's words. */
  submit(type, payload, done, after) {
    if (!this.#send) return;
    this.#status = { state: 'pending' };
    this.render();
    this.#send(type, payload).then(
      () => { this.#status = { state: 'confirmed', message: done }; if (after) after(); this.render(); },
      (err) => { this.#status = { state: 'error', message: (err && err.message) || String(err) }; this.render(); },
    );
  }

  render() {
    // Keep what the person was doing across a re-render: the focused control and the caret.
    const active = this.shadowRoot.activeElement;
    const focusKey = active && active.dataset ? active.dataset.k : null;
    const caret = active && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : null;
    const note = this.main.querySelector('[data-k="note"]');
    const noteDraft = note ? { card: note.dataset.card, value: note.value } : null;

    const v = this.pub;
    this.main.className = `deck role-${this.#role}`;
    if (v.error) { this.main.replaceChildren(el('p', { class: 'error', role: 'alert', text: this.tr(v.error) || this.t.broken })); return; }
    if (!v.cards) { this.main.replaceChildren(); return; }
    const card = v.current;
    const parts = [el('p', { class: 'deck-title', text: this.tr(v.title) })];
    if (!card) parts.push(el('p', { class: 'hint', text: this.t.waiting }));
    else parts.push(this.cardView(card, v));
    if (card && this.isParticipant && !v.published && this.#phase === 'kaarten') parts.push(this.form(card, v));
    if (card && this.isParticipant && this.#phase !== 'kaarten' && !v.published) parts.push(el('p', { class: 'hint', text: this.t.recordPhase }));
    if (card) parts.push(this.results(card));
    if (this.isFac) parts.push(...this.controls(card, v, noteDraft));
    if (v.published) parts.push(el('p', { class: 'published', role: 'status', text: this.#role === 'participant' ? this.t.closed : this.t.published }));
    if (this.#status && this.#send) {
      const s = el('hub-status', { lang: this.#lang });
      s.setAttribute('state', this.#status.state);
      if (this.#status.message) s.setAttribute('message', this.#status.message);
      parts.push(s);
    }
    this.main.replaceChildren(...parts);

    if (focusKey) {
      const again = this.main.querySelector(`[data-k="${focusKey}"]`);
      if (again) {
        again.focus();
        if (caret && typeof again.setSelectionRange === 'function') try { again.setSelectionRange(caret[0], caret[1]); } catch (_) { /* radios */ }
      }
    }
  }

  cardView(card, v) {
    const cat = this.category(card.category);
    const where = [this.t.card(card.index, v.cards.length)];
    if (cat) where.push(this.tr(cat.title));
    const article = el('article', { class: 'card', 'aria-live': this.#role === 'beamer' ? 'polite' : null, 'data-card': card.id },
      el('p', { class: 'where', text: where.join(' · ') }),
      el('h2', { text: this.tr(card.title) }));
    if (card.prompt) article.append(el('p', { class: 'prompt', text: this.tr(card.prompt) }));
    if ((card.questions || []).length) {
      article.append(el('h3', { text: this.t.questions }),
        el('ul', { class: 'questions' }, ...card.questions.map((q) => el('li', { text: this.tr(q) }))));
    }
    const count = (v.cards.find((c) => c.id === card.id) || {}).responses || 0;
    article.append(el('p', { class: 'count', 'aria-live': 'polite', text: this.t.responses(count) }));
    return article;
  }

  /** The participant's answer to the current card: radios and a text field, one send button. */
  form(card, v) {
    const t = this.t;
    const sent = this.mine[card.id];
    // Until the person touches the form it shows what the hub has (also after a rejoin); then their choices.
    if (!this.#draft || this.#draft.card !== card.id || !this.#draft.touched) this.#draft = { card: card.id, ...(sent || {}) };
    const d = this.#draft;
    const form = el('form', { class: 'respond', 'data-card': card.id });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const payload = { card: card.id };
      if (card.respond.includes('applies') && d.applies) payload.applies = d.applies;
      if (card.respond.includes('scale') && Number.isInteger(d.score)) payload.score = d.score;
      if (card.respond.includes('text') && (d.text || (sent && sent.text))) payload.text = d.text || '';
      if (Object.keys(payload).length === 1) { this.#status = { state: 'error', message: t.nothing }; this.render(); return; }
      this.submit('respond', payload, t.sent);
    });
    if (card.respond.includes('applies')) {
      const fs = el('fieldset', { class: 'applies' }, el('legend', { text: t.applies }));
      for (const a of APPLIES) {
        const input = el('input', { type: 'radio', name: 'applies', value: a, id: `a-${a}`, checked: d.applies === a, 'data-k': `applies-${a}` });
        input.addEventListener('change', () => { d.applies = a; d.touched = true; });
        fs.append(el('label', { class: 'choice', for: `a-${a}` }, input, el('span', { text: t.answers[a] })));
      }
      form.append(fs);
    }
    if (card.respond.includes('scale')) {
      const s = v.scale || { min: 1, max: 5 };
      const fs = el('fieldset', { class: 'scale' }, el('legend', { text: t.score }));
      const row = el('div', { class: 'points' });
      for (let x = s.min; x <= s.max; x++) {
        const input = el('input', { type: 'radio', name: 'score', value: String(x), id: `s-${x}`, checked: d.score === x, 'data-k': `score-${x}` });
        input.addEventListener('change', () => { d.score = x; d.touched = true; });
        row.append(el('label', { class: 'point', for: `s-${x}` }, input, el('span', { text: String(x) })));
      }
      fs.append(row);
      if (s.minLabel || s.maxLabel) fs.append(el('p', { class: 'ends' }, el('span', { text: this.tr(s.minLabel) }), el('span', { text: this.tr(s.maxLabel) })));
      form.append(fs);
    }
    if (card.respond.includes('text')) {
      const max = v.maxLength || 500;
      // The shell keeps unsent text per field key (docs/WEB.md): one key per card, so a draft stays with its card.
      const area = el('textarea', { id: 'answer-text', rows: 3, maxLength: max, 'data-k': 'text', 'data-keep': `text-${card.id}`, 'aria-describedby': 'answer-hint' });
      area.value = d.text || '';
      area.addEventListener('input', () => { d.text = area.value; d.touched = true; });
      form.append(el('label', { for: 'answer-text', class: 'label', text: t.text }), area, el('p', { id: 'answer-hint', class: 'hint', text: t.textHint(max) }));
    }
    form.append(el('button', { type: 'submit', class: 'primary', 'data-k': 'send', text: sent ? t.change : t.send }));
    if (sent) form.append(el('p', { class: 'hint', text: t.yours }));
    return form;
  }

  /** The tally of the current card: for the facilitator always, for the room once revealed. */
  results(card) {
    const t = this.t;
    const live = this.#role === 'facilitator' ? (this.fac.results || {})[card.id] : null;
    const r = live || (card.revealed ? card.result : null);
    const verdict = live ? live.verdict : card.verdict;
    const box = el('section', { class: 'results', 'aria-live': 'polite' });
    if (!r) {
      if (this.#role !== 'facilitator') box.append(el('p', { class: 'hint', text: t.hidden }));
      return box;
    }
    box.append(el('h3', { text: t.result }));
    if (verdict) box.append(el('p', { class: `verdict verdict-${verdict}`, text: t.verdict[verdict] }));
    if (r.applies) {
      const chart = el('hub-bar-chart', { lang: this.#lang });
      chart.setAttribute('label', t.applies);
      chart.data = APPLIES.map((a) => ({ label: t.answers[a], value: r.applies[a] }));
      box.append(chart);
    }
    if (r.scale) {
      const s = this.pub.scale || { min: 1 };
      const chart = el('hub-bar-chart', { lang: this.#lang });
      chart.setAttribute('label', r.scale.mean === null || r.scale.mean === undefined ? t.score : `${t.score} ${t.mean(this.number(r.scale.mean))}`);
      chart.data = r.scale.counts.map((n, i) => ({ label: String(s.min + i), value: n }));
      box.append(chart);
    }
    if ((r.texts || []).length) {
      box.append(el('h3', { text: t.fromRoom }), el('ul', { class: 'texts' }, ...r.texts.map((x) => el('li', { text: x }))));
    }
    const note = live ? live.note : card.note;
    if (note && this.#role !== 'facilitator') box.append(el('p', { class: 'note' }, el('strong', { text: `${t.note}: ` }), note));
    return box;
  }

  number(x) { return new Intl.NumberFormat(this.#lang === 'en' ? 'en-GB' : 'nl-NL', { maximumFractionDigits: 1 }).format(x); }

  /** The facilitator's moves: previous/next/any card, the agreement per card, the overview and publishing. */
  controls(card, v, noteDraft) {
    const t = this.t;
    const ids = v.cards.map((c) => c.id);
    const at = card ? ids.indexOf(card.id) : -1;
    const out = [];
    const nav = el('nav', { class: 'nav', 'data-input': 'show', 'aria-label': t.goto });
    const go = (id) => this.submit('show', { card: id }, t.shown);
    const prev = el('button', { type: 'button', 'data-k': 'prev', text: `← ${t.prev}`, disabled: at <= 0 });
    prev.addEventListener('click', () => go(ids[at - 1]));
    const next = el('button', { type: 'button', class: 'primary', 'data-k': 'next', text: `${t.next} →`, disabled: at >= ids.length - 1 });
    next.addEventListener('click', () => go(ids[at + 1]));
    const pick = el('select', { 'data-k': 'goto', id: 'goto', 'aria-label': t.goto },
      ...v.cards.map((c, i) => el('option', { value: c.id, selected: c.id === (card && card.id), text: `${i + 1}. ${this.tr(c.title)}` })));
    const show = el('button', { type: 'button', 'data-k': 'show', text: t.show });
    show.addEventListener('click', () => go(pick.value));
    nav.append(prev, next, el('span', { class: 'goto' }, pick, show));
    out.push(nav);
    if (card && !v.published) {
      const results = (this.fac.results || {})[card.id] || {};
      const area = el('textarea', { id: 'note', rows: 2, maxLength: 1000, 'data-k': 'note', 'data-card': card.id, 'data-keep': `note-${card.id}` });
      area.value = noteDraft && noteDraft.card === card.id ? noteDraft.value : (results.note || '');
      const save = el('button', { type: 'button', 'data-k': 'save-note', text: t.saveNote });
      save.addEventListener('click', () => this.submit('note', { card: card.id, text: area.value }, t.noteSaved));
      out.push(el('div', { class: 'note-form', 'data-input': 'note' }, el('label', { for: 'note', text: t.noteLabel }), area, save));
      if (!card.revealed) out.push(el('p', { class: 'hint', text: t.revealHint }));
    }
    const list = el('ol', { class: 'overview' });
    for (const c of v.cards) {
      const r = (this.fac.results || {})[c.id] || {};
      const facts = [c.shown ? t.responses(c.responses) : t.notShown];
      if (r.verdict) facts.push(t.verdict[r.verdict]);
      const li = el('li', { 'data-card': c.id, class: card && c.id === card.id ? 'current' : '' },
        el('span', { class: 'name', text: this.tr(c.title) }), el('span', { class: 'facts', text: facts.join(' · ') }));
      if (r.note) li.append(el('span', { class: 'note', text: `${t.note}: ${r.note}` }));
      list.append(li);
    }
    out.push(el('details', { class: 'all', open: this.#phase === 'vastleggen' }, el('summary', { text: t.overview }), list));
    if (this.#phase === 'vastleggen' && !v.published) {
      const publish = el('button', { type: 'button', class: 'primary', 'data-k': 'publish', 'data-input': 'publish', text: t.publish });
      publish.addEventListener('click', () => this.submit('publish', {}, t.publishing));
      out.push(el('p', { class: 'hint', text: t.publishHint }), publish);
    }
    return out;
  }
}

customElements.define('hub-plugin-card-deck', HubPluginCardDeck);
