// hub-plugin-voting (CONTRACTS.md §2b): the ballot on the phone and the results on the beamer, both from
// the `public` view; the facilitator sees live results and turnout from the `facilitator` view.
// Every control is a real button or input, so the ballot works with the keyboard alone.
import '/web/components/hub-bar-chart.js';
import '/web/components/hub-scale-chart.js';
import '/web/components/hub-word-cloud.js';
import '/web/components/hub-status.js';
import { el } from '/web/shell.js';

const TEXT = {
  nl: {
    send: 'Stem', change: 'Wijzig je stem', voted: 'Je stem is binnen.', final: 'Je stem staat vast.', voters: (n) => `${n} ${n === 1 ? 'stem' : 'stemmen'}`,
    quorum: (n, q) => `${n} van ${q} nodig`, hidden: 'De uitslag volgt als de facilitator die toont.', deadline: 'Stemmen kan tot',
    pick: (lo, hi) => (lo === hi ? `Kies er ${hi}` : `Kies ${lo} tot ${hi}`), points: (left) => `Nog ${left} punten te verdelen`,
    dots: (left) => `Nog ${left} stippen`, words: (n) => `Geef maximaal ${n} woorden`, up: 'Omhoog', down: 'Omlaag', like: 'Eens',
    answer: 'Jouw antwoord', propose: 'Stel een optie voor', proposeSend: 'Voorstellen', notOpen: 'Wacht tot de facilitator het stemmen opent.',
    mode: { named: 'Je naam staat bij je stem.', pseudonymous: 'Je stem is zonder naam; de hub houdt wel bij dat jij hebt gestemd.', anonymous: 'Je stem is anoniem: na afloop is niet meer te zien wie wat stemde.' },
    results: 'Uitslag', mean: 'Gemiddelde', median: 'Mediaan', turnout: 'Opkomst per groep', reveal: 'Toon de uitslag met R of de knop Onthul.',
    controls: 'Bediening van de stemming', proposals: 'Voorstellen uit de zaal', noProposals: 'Nog geen voorstellen.',
    approve: 'Neem op', dismiss: 'Wijs af', status: { pending: 'wacht', approved: 'opgenomen', dismissed: 'afgewezen' },
    openVoting: 'Open het stemmen', openHint: 'Neem voorstellen op of wijs ze af en open dan het stemmen.',
    addOption: 'Nieuwe optie', addOptionSend: 'Voeg de optie toe', minutes: 'Stemmen sluit over (minuten)', setDeadline: 'Zet de sluitingstijd',
    save: 'Bewaar in de gereedschapskist', saved: (n) => `${n} keer bewaard in de gereedschapskist.`, done: 'Gelukt.',
  },
  en: {
    send: 'Vote', change: 'Change your vote', voted: 'Your vote is in.', final: 'Your vote is final.', voters: (n) => `${n} ${n === 1 ? 'vote' : 'votes'}`,
    quorum: (n, q) => `${n} of ${q} needed`, hidden: 'The results follow when the facilitator shows them.', deadline: 'Voting is open until',
    pick: (lo, hi) => (lo === hi ? `Choose ${hi}` : `Choose ${lo} to ${hi}`), points: (left) => `${left} points left to spread`,
    dots: (left) => `${left} dots left`, words: (n) => `Give at most ${n} words`, up: 'Up', down: 'Down', like: 'Agree',
    answer: 'Your answer', propose: 'Propose an option', proposeSend: 'Propose', notOpen: 'Wait until the facilitator opens the vote.',
    mode: { named: 'Your name is shown with your vote.', pseudonymous: 'Your vote carries no name; the hub does record that you voted.', anonymous: 'Your vote is anonymous: afterwards nobody can see who voted what.' },
    results: 'Results', mean: 'Mean', median: 'Median', turnout: 'Turnout by group', reveal: 'Show the results with R or the Reveal button.',
    controls: 'Vote controls', proposals: 'Proposals from the room', noProposals: 'No proposals yet.',
    approve: 'Accept', dismiss: 'Dismiss', status: { pending: 'waiting', approved: 'accepted', dismissed: 'dismissed' },
    openVoting: 'Open voting', openHint: 'Accept or dismiss proposals, then open voting.',
    addOption: 'New option', addOptionSend: 'Add the option', minutes: 'Voting closes in (minutes)', setDeadline: 'Set the closing time',
    save: 'Save to the gereedschapskist', saved: (n) => `Saved ${n} ${n === 1 ? 'time' : 'times'} to the gereedschapskist.`, done: 'Done.',
  },
};

class HubPluginVoting extends HTMLElement {
  #views = {};
  #role = 'participant';
  #lang = 'nl';
  #phase = 'vote';
  #send = null;
  #draft = null;
  #status = null;
  #anonymity = 'pseudonymous';
  #typed = {}; // the facilitator's half-typed fields (by data-k), kept across re-renders

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: new URL('./voting.css', import.meta.url).href }));
    this.main = el('section', { class: 'voting' });
    root.append(this.main);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set phase(p) { this.#phase = p; this.render(); }
  set send(fn) { this.#send = fn; }
  set participant(_) {}
  set config(_) {}
  set anonymity(a) { this.#anonymity = a || 'pseudonymous'; this.render(); }

  get t() { return TEXT[this.#lang]; }
  get pub() { return this.#views.public || {}; }
  get mine() { return (this.#views.me || {}).ballot; }

  submit(type, payload, done = this.t.voted, after = null) {
    if (!this.#send) return;
    this.#status = { state: 'pending' };
    this.render();
    this.#send(type, payload).then(
      () => { this.#status = { state: 'confirmed', message: done }; this.#draft = null; if (after) after(); this.render(); },
      (err) => { this.#status = { state: 'error', message: (err && err.message) || String(err) }; this.render(); },
    );
  }

  render() {
    const v = this.pub;
    if (!v.kind) { this.main.replaceChildren(); return; }
    const parts = [el('h2', { text: v.question || '' })];
    const facts = [this.t.voters(v.voters || 0)];
    if (v.quorum) facts.push(this.t.quorum(v.voters || 0, v.quorum));
    if (v.deadline) facts.push(`${this.t.deadline} ${new Date(v.deadline).toLocaleTimeString(this.#lang === 'en' ? 'en-GB' : 'nl-NL', { hour: '2-digit', minute: '2-digit' })}`);
    parts.push(el('p', { class: 'facts', 'aria-live': 'polite', text: facts.join(' · ') }));
    if (this.#role === 'participant' && this.#send) parts.push(...this.ballot(v));
    const results = this.#role === 'facilitator' ? (this.#views.facilitator || {}).results : v.results;
    if (results) parts.push(this.results(v, results));
    else if (this.#role !== 'facilitator') parts.push(el('p', { class: 'hidden-note', text: this.t.hidden }));
    if (this.#role === 'facilitator') {
      const f = this.#views.facilitator || {};
      const turnout = Object.entries(f.turnoutByGroup || {});
      if (turnout.length) parts.push(el('p', { class: 'facts', text: `${this.t.turnout}: ${turnout.map(([g, n]) => `${g} ${n}`).join(', ')}` }));
      if (!v.revealed) parts.push(el('p', { class: 'hidden-note', text: this.t.reveal }));
      if (this.#send) parts.push(this.controls(v, f));
    }
    // Views arrive while the facilitator types or tabs: keep the focus on the control it was on.
    const active = this.shadowRoot.activeElement;
    const focusKey = active && active.dataset ? active.dataset.k : null;
    this.main.replaceChildren(...parts);
    if (focusKey) this.shadowRoot.querySelector(`[data-k="${CSS.escape(focusKey)}"]`)?.focus();
  }

  /** The facilitator's inputs (plugin.json): proposals, open-voting, add-option, deadline, save; each marked data-input. */
  controls(v, f) {
    const t = this.t;
    const box = el('section', { class: 'controls', 'aria-label': t.controls });
    if (this.#phase === 'vote') {
      if (v.proposals !== undefined) {
        const list = (f.proposals || []).map((p) => el('li', { 'data-proposal': p.id },
          el('span', { text: p.text }), el('span', { class: 'facts', text: t.status[p.status] || p.status }),
          p.status === 'pending' && !v.votingOpen ? [
            el('button', { type: 'button', class: 'small', 'data-k': `approve-${p.id}`, 'data-input': 'approve', 'aria-label': `${t.approve}: ${p.text}`, text: t.approve,
              on: { click: () => this.submit('approve', { proposal: p.id }, t.done) } }),
            el('button', { type: 'button', class: 'small', 'data-k': `dismiss-${p.id}`, 'data-input': 'dismiss', 'aria-label': `${t.dismiss}: ${p.text}`, text: t.dismiss,
              on: { click: () => this.submit('dismiss', { proposal: p.id }, t.done) } })] : null));
        box.append(el('h3', { text: t.proposals }), list.length ? el('ul', { class: 'answers proposals' }, ...list) : el('p', { class: 'hint', text: t.noProposals }));
      }
      if (!v.votingOpen) {
        box.append(el('p', { class: 'hint', text: t.openHint }),
          el('button', { type: 'button', class: 'primary', 'data-k': 'open-voting', 'data-input': 'open-voting', text: t.openVoting,
            on: { click: () => this.submit('open-voting', {}, t.done) } }));
      }
      if (Array.isArray(v.options) && !['scale', 'wordcloud', 'open'].includes(v.kind)) {
        box.append(this.fieldForm('add-option', t.addOption, { type: 'text', maxLength: 120 }, t.addOptionSend,
          (value) => (value.trim() ? { text: value.trim() } : null)));
      }
      box.append(this.fieldForm('deadline', t.minutes, { type: 'number', min: '1', max: '600', step: '1', inputMode: 'numeric' }, t.setDeadline,
        (value) => (Number(value) > 0 ? { minutes: Number(value) } : null)));
    }
    box.append(el('p', {}, el('button', { type: 'button', 'data-k': 'save', 'data-input': 'save', text: t.save,
      on: { click: () => this.submit('save', {}, t.saved((f.saved || 0) + 1)) } })));
    if (f.saved) box.append(el('p', { class: 'hint', text: t.saved(f.saved) }));
    if (this.#status) box.append(el('hub-status', { state: this.#status.state, message: this.#status.message || '' }));
    return box;
  }

  /** One labelled field and its button; what is typed survives re-renders until the hub accepts it. */
  fieldForm(type, label, props, action, payload) {
    const id = `fac-${type}`;
    const input = el('input', { ...props, id, 'data-k': id, 'data-keep': 'off', value: this.#typed[id] || '',
      on: { input: () => { this.#typed[id] = input.value; } } });
    const form = el('form', { class: 'proposal fac-field', 'data-input': type },
      el('label', { for: id, text: label }), input, el('button', { type: 'submit', 'data-k': `${id}-send`, text: action }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const p = payload(input.value);
      if (p) this.submit(type, p, this.t.done, () => { delete this.#typed[id]; });
    });
    return form;
  }

  ballot(v) {
    const out = [el('p', { class: 'mode', text: this.t.mode[this.#anonymity] || '' })];
    if (this.#phase !== 'vote') return out;
    if (!v.votingOpen) {
      out.push(el('p', { class: 'hidden-note', text: this.t.notOpen }));
      if (v.proposals !== undefined) out.push(this.proposalForm());
      return out;
    }
    const done = this.mine && !v.changeable;
    const form = el('form', { class: `ballot kind-${v.kind}` });
    form.addEventListener('submit', (e) => { e.preventDefault(); const p = this.payload(v, form); if (p) this.submit('ballot', p); });
    const n = (v.options || []).length;
    const name = 'opt';
    switch (v.kind) {
      case 'single':
      case 'multiple': {
        const multi = v.kind === 'multiple';
        if (multi) form.append(el('p', { class: 'hint', text: this.t.pick(v.minPicks || 1, v.maxPicks || n) }));
        const chosen = new Set(this.mine ? this.mine.choices : []);
        const fs = el('fieldset', {}, el('legend', { class: 'visually-hidden', text: v.question || '' }));
        v.options.forEach((label, i) => {
          const input = el('input', { type: multi ? 'checkbox' : 'radio', name, value: String(i), id: `o${i}`, checked: chosen.has(i), disabled: done });
          fs.append(el('label', { class: 'option', for: `o${i}` }, input, el('span', { text: label })));
        });
        form.append(fs);
        break;
      }
      case 'scale': {
        const s = v.scale || { min: 1, max: 5 };
        const fs = el('fieldset', { class: 'scale' }, el('legend', { class: 'visually-hidden', text: v.question || '' }));
        for (let x = s.min; x <= s.max; x++) {
          const input = el('input', { type: 'radio', name, value: String(x), id: `s${x}`, checked: this.mine && this.mine.value === x, disabled: done });
          fs.append(el('label', { class: 'point', for: `s${x}` }, input, el('span', { text: String(x) })));
        }
        form.append(fs, el('p', { class: 'ends' }, el('span', { text: s.minLabel || '' }), el('span', { text: s.maxLabel || '' })));
        break;
      }
      case 'ranking': {
        if (!this.#draft || this.#draft.length !== n) this.#draft = this.mine ? [...this.mine.choices] : v.options.map((_, i) => i);
        const list = el('ol', { class: 'ranking' });
        this.#draft.forEach((opt, pos) => {
          const up = el('button', { type: 'button', class: 'small', text: '↑', disabled: pos === 0 || done, 'aria-label': `${this.t.up}: ${v.options[opt]}` });
          const down = el('button', { type: 'button', class: 'small', text: '↓', disabled: pos === n - 1 || done, 'aria-label': `${this.t.down}: ${v.options[opt]}` });
          up.addEventListener('click', () => this.move(pos, -1));
          down.addEventListener('click', () => this.move(pos, 1));
          list.append(el('li', {}, el('span', { text: v.options[opt] }), up, down));
        });
        form.append(list);
        break;
      }
      case 'points':
      case 'dots': {
        const budget = v.kind === 'points' ? v.points : v.dots;
        const prev = this.mine ? this.mine.choices : [];
        const rows = el('div', { class: 'spread' });
        const left = el('p', { class: 'hint', 'aria-live': 'polite' });
        const update = () => {
          const used = [...rows.querySelectorAll('input')].reduce((s, i) => s + (Number(i.value) || 0), 0);
          left.textContent = v.kind === 'points' ? this.t.points(budget - used) : this.t.dots(budget - used);
        };
        v.options.forEach((label, i) => {
          const input = el('input', { type: 'number', min: '0', max: String(v.kind === 'dots' && !v.stacking ? 1 : budget), step: '1', value: String(prev[i] || 0), id: `p${i}`, disabled: done });
          input.addEventListener('input', update);
          rows.append(el('label', { class: 'option', for: `p${i}` }, el('span', { text: label }), input));
        });
        form.append(left, rows);
        update();
        break;
      }
      case 'wordcloud': {
        form.append(el('p', { class: 'hint', text: this.t.words(v.maxWords || 3) }));
        for (let i = 0; i < (v.maxWords || 3); i++) {
          form.append(el('input', { type: 'text', maxLength: 40, class: 'word', 'aria-label': `${i + 1}`, value: (this.mine && this.mine.words[i]) || '', disabled: done }));
        }
        break;
      }
      case 'open': {
        form.append(el('label', { for: 'answer', text: this.t.answer }), el('textarea', { id: 'answer', maxLength: 280, rows: 3, value: (this.mine && this.mine.text) || '', disabled: done }));
        break;
      }
    }
    if (!done) form.append(el('button', { type: 'submit', class: 'primary', text: this.mine ? this.t.change : this.t.send }));
    else form.append(el('p', { class: 'hint', text: this.t.final }));
    out.push(form);
    if (this.#status) out.push(el('hub-status', { state: this.#status.state, message: this.#status.message || '' }));
    if (v.kind === 'open' && v.upvotes && v.answers) out.push(this.upvotes(v.answers));
    return out;
  }

  move(pos, delta) {
    const d = this.#draft;
    [d[pos], d[pos + delta]] = [d[pos + delta], d[pos]];
    this.render();
    const buttons = this.shadowRoot.querySelectorAll('ol.ranking li')[pos + delta]?.querySelectorAll('button');
    if (buttons) (delta < 0 ? buttons[0] : buttons[1]).focus();
  }

  payload(v, form) {
    const checked = [...form.querySelectorAll('input:checked')].map((i) => Number(i.value));
    switch (v.kind) {
      case 'single': return checked.length ? { choice: checked[0] } : null;
      case 'multiple': return { choices: checked };
      case 'scale': return checked.length ? { value: checked[0] } : null;
      case 'ranking': return { order: this.#draft };
      case 'points': return { points: [...form.querySelectorAll('input')].map((i) => Number(i.value) || 0) };
      case 'dots': return { dots: [...form.querySelectorAll('input')].map((i) => Number(i.value) || 0) };
      case 'wordcloud': return { words: [...form.querySelectorAll('input.word')].map((i) => i.value.trim()).filter(Boolean) };
      case 'open': return { text: form.querySelector('textarea').value };
      default: return null;
    }
  }

  proposalForm() {
    const input = el('input', { type: 'text', id: 'proposal', maxLength: 120 });
    const form = el('form', { class: 'proposal' }, el('label', { for: 'proposal', text: this.t.propose }), input, el('button', { type: 'submit', text: this.t.proposeSend }));
    form.addEventListener('submit', (e) => { e.preventDefault(); if (input.value.trim()) this.submit('propose', { text: input.value.trim() }); });
    return form;
  }

  upvotes(answers) {
    const list = el('ul', { class: 'answers' });
    for (const a of answers) {
      const b = el('button', { type: 'button', class: 'small', text: this.t.like, 'aria-label': `${this.t.like}: ${a.text}` });
      b.addEventListener('click', () => this.submit('upvote', { answer: a.id }));
      list.append(el('li', {}, el('span', { text: a.text }), b));
    }
    return list;
  }

  results(v, r) {
    const box = el('div', { class: 'results', 'aria-live': 'polite' }, el('h3', { text: this.t.results }));
    if (r.options) {
      const chart = el('hub-bar-chart', { label: '' });
      chart.setAttribute('lang', this.#lang);
      if (v.kind === 'points' || v.kind === 'ranking') chart.setAttribute('percent', 'false');
      box.append(chart);
      chart.data = r.options.map((o) => ({ label: o.label, value: o.points ?? o.count }));
    } else if (r.distribution) {
      const s = v.scale || { min: 1, max: 5 };
      const chart = el('hub-scale-chart');
      chart.setAttribute('min', String(s.min));
      chart.setAttribute('max', String(s.max));
      if (s.minLabel) chart.setAttribute('min-label', s.minLabel);
      if (s.maxLabel) chart.setAttribute('max-label', s.maxLabel);
      box.append(chart);
      chart.distribution = r.distribution.map((d) => d[1]);
      if (r.mean != null) chart.mean = r.mean;
      box.append(el('p', { class: 'facts', text: `${this.t.mean} ${r.mean == null ? '–' : r.mean.toFixed(1)} · ${this.t.median} ${r.median == null ? '–' : r.median}` }));
    } else if (r.words) {
      const cloud = el('hub-word-cloud');
      box.append(cloud);
      cloud.words = r.words;
    } else if (r.answers) {
      box.append(el('ol', { class: 'answers' }, ...r.answers.map((a) => el('li', {}, el('span', { text: a.text }), el('span', { class: 'count', text: String(a.upvotes) })))));
    }
    return box;
  }
}

customElements.define('hub-plugin-voting', HubPluginVoting);
