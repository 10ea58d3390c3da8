// hub-plugin-theme-choice (CONTRACTS.md §2b): choosing the themes of a series (docs/THEME-CHOICE.md).
// One element for every role: the list and, once revealed, the count come from `public` (big on the beamer);
// a participant's proposals and ballot from `me`; the live count and the list's proposers from `facilitator`.
// Every control is a real button, select, checkbox or text field, so all of it works with the keyboard alone;
// the element re-renders from its views, and the focus and what someone is typing survive each render.
import '/web/components/hub-status.js';
import '/web/components/hub-bar-chart.js';
import { el } from '/web/shell.js';

const TEXT = {
  nl: {
    heading: 'Welke thema\'s pakken we op?', themes: 'Thema\'s', none: 'Nog geen thema\'s. Stel er een voor!',
    count: (n) => `${n} ${n === 1 ? 'thema' : 'thema\'s'}`, also: (xs) => `ook: ${xs.join('; ')}`,
    starters: 'Voorbeelden om over te nemen', take: 'Neem over', taken: 'staat al op de lijst',
    yourTheme: 'Jouw thema', propose: 'Stel voor', proposed: 'Je thema staat op de lijst.', left: (n) => n > 0 ? `Je kunt nog ${n} ${n === 1 ? 'thema' : 'thema\'s'} voorstellen.` : 'Je hebt al je thema\'s voorgesteld.',
    maxHint: (n) => `Hooguit ${n} tekens`, fixed: 'De lijst staat vast: er wordt geprioriteerd.',
    dotsHead: (n) => `Verdeel je ${n} ${n === 1 ? 'stip' : 'stippen'}`, dotsLeft: (n) => `Nog ${n} over`,
    more: (x) => `Eén stip meer voor ${x}`, less: (x) => `Eén stip minder voor ${x}`, dotsOf: (n) => `${n} ${n === 1 ? 'stip' : 'stippen'}`,
    rankHead: 'Zet de thema\'s op volgorde: het belangrijkste bovenaan', up: (x) => `${x} omhoog`, down: (x) => `${x} omlaag`,
    sendBallot: 'Verstuur je keuze', changeBallot: 'Wijzig je keuze', ballotIn: 'Je keuze is binnen. Je kunt haar wijzigen zolang er geprioriteerd wordt.',
    sent: 'Je keuze is binnen.', emptyDots: 'Zet minstens één stip.',
    voters: (n) => `${n} ${n === 1 ? 'deelnemer heeft' : 'deelnemers hebben'} geprioriteerd`, hidden: 'De uitslag volgt als de facilitator die toont.',
    result: 'Uitslag', unit: (m) => m === 'ranking' ? 'punten' : 'stippen', chosen: 'Gekozen thema\'s', waitChoice: 'De facilitator kiest de thema\'s.',
    add: 'Thema toevoegen', addLabel: 'Tekst van het thema', addButton: 'Voeg toe', added: 'Thema toegevoegd.',
    merge: 'Dubbele samenvoegen', mergeTheme: 'Dit thema…', mergeInto: '…gaat op in', mergeName: 'Nieuwe naam (mag leeg)', mergeButton: 'Voeg samen', merged: 'Samengevoegd.',
    pick: 'Kies een thema', remove: 'Thema weghalen', removeLabel: 'Welk thema?', removeButton: 'Haal weg', removed: 'Weggehaald.',
    proposals: (n) => `${n}× voorgesteld`, live: 'Tussenstand (alleen voor jou)', revealHint: 'Toon de uitslag aan de zaal met R of de knop Onthul.',
    confirm: 'Bevestig de gekozen thema\'s', confirmHint: (n) => `Voorgeselecteerd: de ${n} met de meeste stemmen. Pas aan en bevestig; ze gaan naar de reeks en het verslag.`,
    confirmed: 'Bevestigd: de thema\'s staan in de reeks.', nothingPicked: 'Kies minstens één thema.',
  },
  en: {
    heading: 'Which themes do we take up?', themes: 'Themes', none: 'No themes yet. Propose one!',
    count: (n) => `${n} ${n === 1 ? 'theme' : 'themes'}`, also: (xs) => `also: ${xs.join('; ')}`,
    starters: 'Examples to take over', take: 'Take over', taken: 'already listed',
    yourTheme: 'Your theme', propose: 'Propose', proposed: 'Your theme is on the list.', left: (n) => n > 0 ? `You can propose ${n} more ${n === 1 ? 'theme' : 'themes'}.` : 'You have proposed all your themes.',
    maxHint: (n) => `At most ${n} characters`, fixed: 'The list is fixed: prioritising has begun.',
    dotsHead: (n) => `Spread your ${n} ${n === 1 ? 'dot' : 'dots'}`, dotsLeft: (n) => `${n} left`,
    more: (x) => `One more dot for ${x}`, less: (x) => `One dot less for ${x}`, dotsOf: (n) => `${n} ${n === 1 ? 'dot' : 'dots'}`,
    rankHead: 'Put the themes in order: the most important at the top', up: (x) => `${x} up`, down: (x) => `${x} down`,
    sendBallot: 'Send your choice', changeBallot: 'Change your choice', ballotIn: 'Your choice is in. You can change it while prioritising goes on.',
    sent: 'Your choice is in.', emptyDots: 'Place at least one dot.',
    voters: (n) => `${n} ${n === 1 ? 'participant has' : 'participants have'} prioritised`, hidden: 'The results follow when the facilitator shows them.',
    result: 'Results', unit: (m) => m === 'ranking' ? 'points' : 'dots', chosen: 'Chosen themes', waitChoice: 'The facilitator chooses the themes.',
    add: 'Add a theme', addLabel: 'Text of the theme', addButton: 'Add', added: 'Theme added.',
    merge: 'Merge duplicates', mergeTheme: 'This theme…', mergeInto: '…goes into', mergeName: 'New name (may stay empty)', mergeButton: 'Merge', merged: 'Merged.',
    pick: 'Choose a theme', remove: 'Remove a theme', removeLabel: 'Which theme?', removeButton: 'Remove', removed: 'Removed.',
    proposals: (n) => `proposed ${n}×`, live: 'Live count (only for you)', revealHint: 'Show the results to the room with R or the Reveal button.',
    confirm: 'Confirm the chosen themes', confirmHint: (n) => `Preselected: the ${n} with the most votes. Adjust and confirm; they go to the series and the report.`,
    confirmed: 'Confirmed: the themes are in the series.', nothingPicked: 'Choose at least one theme.',
  },
};

class HubPluginThemeChoice extends HTMLElement {
  #views = {};
  #role = 'beamer';
  #lang = 'nl';
  #phase = 'voorstellen';
  #send = null;
  #status = null;
  #draft = null; // the participant's unsent ballot: {dots: {id: n}} or {order: [ids]}
  #picked = null; // the facilitator's checked themes to confirm, and the list they were chosen from
  #sel = {}; // the facilitator's choice in each select, by its data-k

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: new URL('./theme-choice.css', import.meta.url).href }));
    this.main = el('section', { class: 'themes' });
    root.append(this.main);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r || 'beamer'; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set phase(p) { if (p !== this.#phase) { this.#status = null; this.#draft = null; } this.#phase = p || 'voorstellen'; this.render(); }
  set send(fn) { this.#send = fn; this.render(); }
  set participant(_) {}
  set config(_) {}
  set anonymity(_) {}

  get t() { return TEXT[this.#lang]; }
  get pub() { return this.#views.public || {}; }
  get fac() { return this.#views.facilitator || {}; }
  get me() { return this.#views.me || {}; }
  get isFac() { return this.#role === 'facilitator' && Boolean(this.#send); }
  get isParticipant() { return this.#role === 'participant' && Boolean(this.#send); }

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
    const typed = {};
    for (const f of this.main.querySelectorAll('input[type=text][data-k]')) typed[f.dataset.k] = f.value;

    const v = this.pub;
    this.main.className = `themes role-${this.#role} phase-${this.#phase}`;
    if (!v.themes) { this.main.replaceChildren(); return; }
    const parts = [el('h2', { text: v.title || this.t.heading })];
    // The beamer shows one thing at a time, big: the list, then the count once revealed, then the chosen themes.
    const beamer = !this.isFac && !this.isParticipant;
    if (v.confirmed) parts.push(this.chosen(v));
    if (this.#phase === 'voorstellen' || (!v.confirmed && !(beamer && v.results))) parts.push(this.list(v));
    if (this.isParticipant) parts.push(...this.participantForms(v));
    if (this.#phase !== 'voorstellen' && !this.isFac && !(beamer && v.confirmed)) parts.push(this.results(v));
    if (this.isFac) parts.push(...this.controls(v, typed));
    if (this.#status && this.#send) {
      const s = el('hub-status', { lang: this.#lang });
      s.setAttribute('state', this.#status.state);
      if (this.#status.message) s.setAttribute('message', this.#status.message);
      parts.push(s);
    }
    this.main.replaceChildren(...parts);

    for (const f of this.main.querySelectorAll('input[type=text][data-k]')) if (typed[f.dataset.k] && !f.value) f.value = typed[f.dataset.k];
    if (focusKey) {
      const again = this.main.querySelector(`[data-k="${focusKey}"]`);
      if (again && !again.disabled) {
        again.focus();
        if (caret && typeof again.setSelectionRange === 'function') try { again.setSelectionRange(caret[0], caret[1]); } catch (_) { /* not a text field */ }
      }
    }
  }

  /** The list as proposed (with what was merged into each theme); for the facilitator, how often each was proposed. */
  list(v) {
    const t = this.t;
    const byId = Object.fromEntries((this.fac.themes || []).map((x) => [x.id, x]));
    const box = el('section', { class: 'list', 'aria-live': this.#role === 'beamer' ? 'polite' : null },
      el('h3', { text: `${t.themes} (${t.count(v.themes.length)})` }));
    if (!v.themes.length) { box.append(el('p', { class: 'hint', text: t.none })); return box; }
    box.append(el('ul', { class: 'theme-list' }, ...v.themes.map((x) => {
      const li = el('li', { 'data-theme': x.id }, el('span', { class: 'text', text: x.text }));
      if (x.also.length) li.append(el('span', { class: 'also', text: t.also(x.also) }));
      if (this.isFac && byId[x.id]) li.append(el('span', { class: 'facts', text: t.proposals(byId[x.id].proposals) }));
      return li;
    })));
    if (v.fixed && this.#phase === 'voorstellen') box.append(el('p', { class: 'hint', text: t.fixed }));
    return box;
  }

  chosen(v) {
    return el('section', { class: 'chosen', 'aria-live': 'polite' }, el('h3', { text: this.t.chosen }),
      el('ol', {}, ...v.confirmed.map((r) => el('li', { 'data-theme': r.id }, el('span', { class: 'text', text: r.text }),
        el('span', { class: 'facts', text: `${r.votes} ${this.t.unit(v.method)}` })))));
  }

  /** The count: for the facilitator always (in `controls`), for the room once revealed. */
  results(v, live) {
    const t = this.t;
    const r = live || v.results;
    const box = el('section', { class: 'results', 'aria-live': 'polite' });
    box.append(el('p', { class: 'count', text: t.voters(live ? this.fac.voters || 0 : v.voters || 0) }));
    if (!r) { box.append(el('p', { class: 'hint', text: this.#phase === 'bevestigen' ? t.waitChoice : t.hidden })); return box; }
    if (!r.length) return box;
    const chart = el('hub-bar-chart', { lang: this.#lang });
    chart.setAttribute('label', `${live ? t.live : t.result} (${t.unit(v.method)})`);
    chart.data = r.map((x) => ({ label: x.text, value: x.votes }));
    box.append(chart);
    return box;
  }

  participantForms(v) {
    const t = this.t;
    if (this.#phase === 'voorstellen') return this.proposeForm(v);
    if (this.#phase === 'prioriteren' && v.themes.length) return [v.method === 'ranking' ? this.rankForm(v) : this.dotsForm(v)];
    return [];
  }

  proposeForm(v) {
    const t = this.t;
    const out = [];
    const left = (v.perPerson || 3) - (this.me.proposals || 0);
    if (v.fixed) return out;
    const open = (v.starters || []).filter((s) => !s.taken);
    if (open.length && left > 0) {
      out.push(el('section', { class: 'starters' }, el('h3', { text: t.starters }), el('ul', {}, ...open.map((s) => {
        const b = el('button', { type: 'button', 'data-k': `starter-${s.index}`, text: `${t.take}: ${s.text}` });
        b.addEventListener('click', () => this.submit('propose', { starter: s.index }, t.proposed));
        return el('li', {}, b);
      }))));
    }
    if (left > 0) {
      const field = el('input', { type: 'text', id: 'theme-text', 'data-k': 'theme-text', 'data-keep': 'theme-text', maxLength: v.maxLength || 120,
        autocomplete: 'off', 'aria-describedby': 'theme-hint' });
      const form = el('form', { class: 'propose' }, el('label', { for: 'theme-text', class: 'label', text: t.yourTheme }), field,
        el('p', { id: 'theme-hint', class: 'hint', text: t.maxHint(v.maxLength || 120) }),
        el('button', { type: 'submit', class: 'primary', 'data-k': 'propose', text: t.propose }));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        this.submit('propose', { text: field.value }, t.proposed, () => { field.value = ''; const k = this.main.querySelector('[data-k="theme-text"]'); if (k) k.value = ''; });
      });
      out.push(form);
    }
    out.push(el('p', { class: 'hint', text: t.left(left) }));
    return out;
  }

  /** Dots: − and + per theme; the ballot is sent as a whole. */
  dotsForm(v) {
    const t = this.t;
    const budget = v.dots || 3;
    const cap = v.stacking ? budget : 1;
    if (!this.#draft || !this.#draft.dots) this.#draft = { dots: { ...(this.me.dots || {}) } };
    const d = this.#draft.dots;
    const used = Object.values(d).reduce((a, b) => a + b, 0);
    const form = el('form', { class: 'ballot dots' }, el('h3', { text: t.dotsHead(budget) }),
      el('p', { class: 'left', 'aria-live': 'polite', text: t.dotsLeft(budget - used) }));
    const rows = el('ul', { class: 'dot-rows' });
    for (const x of v.themes) {
      const n = d[x.id] || 0;
      const less = el('button', { type: 'button', class: 'step', 'data-k': `less-${x.id}`, 'aria-label': t.less(x.text), text: '−', disabled: n === 0 });
      less.addEventListener('click', () => { d[x.id] = n - 1; this.render(); });
      const more = el('button', { type: 'button', class: 'step', 'data-k': `more-${x.id}`, 'aria-label': t.more(x.text), text: '+', disabled: n >= cap || used >= budget });
      more.addEventListener('click', () => { d[x.id] = n + 1; this.render(); });
      rows.append(el('li', { 'data-theme': x.id }, el('span', { class: 'text', text: x.text }),
        el('span', { class: 'stepper' }, less, el('span', { class: 'n', text: t.dotsOf(n) }), more)));
    }
    form.append(rows, el('button', { type: 'submit', class: 'primary', 'data-k': 'send-ballot', text: this.me.dots ? t.changeBallot : t.sendBallot }));
    if (this.me.dots) form.append(el('p', { class: 'hint', text: t.ballotIn }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const dots = Object.fromEntries(Object.entries(d).filter(([, n]) => n > 0));
      if (!Object.keys(dots).length) { this.#status = { state: 'error', message: t.emptyDots }; this.render(); return; }
      this.submit('ballot', { dots }, t.sent);
    });
    return form;
  }

  /** A ranking: ↑ and ↓ per theme; the whole order is sent. */
  rankForm(v) {
    const t = this.t;
    const ids = v.themes.map((x) => x.id);
    if (!this.#draft || !this.#draft.order) {
      const mine = (this.me.order || []).filter((id) => ids.includes(id));
      this.#draft = { order: [...mine, ...ids.filter((id) => !mine.includes(id))] };
    }
    const order = this.#draft.order.filter((id) => ids.includes(id));
    for (const id of ids) if (!order.includes(id)) order.push(id);
    this.#draft.order = order;
    const text = Object.fromEntries(v.themes.map((x) => [x.id, x.text]));
    const move = (i, by) => { const [x] = order.splice(i, 1); order.splice(i + by, 0, x); this.render(); };
    const list = el('ol', { class: 'rank-rows' }, ...order.map((id, i) => {
      const up = el('button', { type: 'button', class: 'step', 'data-k': `up-${id}`, 'aria-label': t.up(text[id]), text: '↑', disabled: i === 0 });
      up.addEventListener('click', () => move(i, -1));
      const down = el('button', { type: 'button', class: 'step', 'data-k': `down-${id}`, 'aria-label': t.down(text[id]), text: '↓', disabled: i === order.length - 1 });
      down.addEventListener('click', () => move(i, 1));
      return el('li', { 'data-theme': id }, el('span', { class: 'text', text: text[id] }), el('span', { class: 'stepper' }, up, down));
    }));
    const form = el('form', { class: 'ballot ranking' }, el('h3', { text: t.rankHead }), list,
      el('button', { type: 'submit', class: 'primary', 'data-k': 'send-ballot', text: this.me.order ? t.changeBallot : t.sendBallot }));
    if (this.me.order) form.append(el('p', { class: 'hint', text: t.ballotIn }));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit('ballot', { order: [...order] }, t.sent); });
    return form;
  }

  select(key, label, themes, empty) {
    const id = `sel-${key}`;
    const s = el('select', { id, 'data-k': key }, el('option', { value: '', text: empty }),
      ...themes.map((x) => el('option', { value: x.id, text: x.text })));
    return [el('label', { for: id, class: 'label', text: label }), s];
  }

  /** The facilitator's moves: add, merge and remove while proposing; the live count; confirming at the end. */
  controls(v, typed) {
    const t = this.t;
    const out = [];
    if (this.#phase === 'voorstellen') {
      const addField = el('input', { type: 'text', id: 'add-text', 'data-k': 'add-text', maxLength: v.maxLength || 120, autocomplete: 'off' });
      const add = el('form', { class: 'tool', 'data-input': 'add' }, el('h3', { text: t.add }),
        el('label', { for: 'add-text', class: 'label', text: t.addLabel }), addField, el('button', { type: 'submit', 'data-k': 'add', text: t.addButton }));
      add.addEventListener('submit', (e) => {
        e.preventDefault();
        this.submit('add', { text: addField.value }, t.added, () => { const f = this.main.querySelector('[data-k="add-text"]'); if (f) f.value = ''; });
      });
      const [fromLabel, from] = this.select('merge-theme', t.mergeTheme, v.themes, t.pick);
      const [intoLabel, into] = this.select('merge-into', t.mergeInto, v.themes, t.pick);
      const name = el('input', { type: 'text', id: 'merge-name', 'data-k': 'merge-name', maxLength: v.maxLength || 120, autocomplete: 'off' });
      const merge = el('form', { class: 'tool', 'data-input': 'merge' }, el('h3', { text: t.merge }), fromLabel, from, intoLabel, into,
        el('label', { for: 'merge-name', class: 'label', text: t.mergeName }), name, el('button', { type: 'submit', 'data-k': 'merge', text: t.mergeButton }));
      merge.addEventListener('submit', (e) => {
        e.preventDefault();
        const payload = { theme: from.value, into: into.value };
        if (name.value.trim()) payload.text = name.value;
        this.submit('merge', payload, t.merged, () => { const f = this.main.querySelector('[data-k="merge-name"]'); if (f) f.value = ''; });
      });
      const [goneLabel, gone] = this.select('remove-theme', t.removeLabel, v.themes, t.pick);
      const remove = el('form', { class: 'tool', 'data-input': 'remove' }, el('h3', { text: t.remove }), goneLabel, gone,
        el('button', { type: 'submit', 'data-k': 'remove', text: t.removeButton }));
      remove.addEventListener('submit', (e) => { e.preventDefault(); this.submit('remove', { theme: gone.value }, t.removed); });
      out.push(el('div', { class: 'tools' }, add, merge, remove));
      // The selects keep their choice across a re-render, as the text fields do.
      for (const s of [from, into, gone]) {
        const before = this.#sel[s.dataset.k];
        if (before && v.themes.some((x) => x.id === before)) s.value = before;
        s.addEventListener('change', () => { this.#sel[s.dataset.k] = s.value; });
      }
    }
    out.push(this.results(v, this.fac.results || []));
    if (this.#phase === 'prioriteren' && !v.revealed) out.push(el('p', { class: 'hint', text: t.revealHint }));
    if (this.#phase === 'bevestigen') out.push(this.confirmForm(v));
    return out;
  }

  confirmForm(v) {
    const t = this.t;
    const results = this.fac.results || [];
    const key = results.map((r) => r.id).join(',') + '|' + (this.fac.confirmed || []).join(',');
    if (!this.#picked || this.#picked.key !== key) {
      const start = (this.fac.confirmed || []).length ? this.fac.confirmed : results.slice(0, v.choose || 3).map((r) => r.id);
      this.#picked = { key, ids: new Set(start) };
    }
    const picked = this.#picked.ids;
    const fs = el('fieldset', { class: 'pick' }, el('legend', { text: t.confirm }));
    for (const r of results) {
      const box = el('input', { type: 'checkbox', id: `c-${r.id}`, 'data-k': `c-${r.id}`, checked: picked.has(r.id) });
      box.addEventListener('change', () => { if (box.checked) picked.add(r.id); else picked.delete(r.id); });
      fs.append(el('label', { class: 'choice', for: `c-${r.id}` }, box, el('span', { text: `${r.text} (${r.votes} ${t.unit(v.method)})` })));
    }
    const form = el('form', { class: 'confirm', 'data-input': 'confirm' }, fs, el('p', { class: 'hint', text: t.confirmHint(v.choose || 3) }),
      el('button', { type: 'submit', class: 'primary', 'data-k': 'confirm', text: t.confirm }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const themes = results.map((r) => r.id).filter((id) => picked.has(id));
      if (!themes.length) { this.#status = { state: 'error', message: t.nothingPicked }; this.render(); return; }
      this.submit('confirm', { themes }, t.confirmed);
    });
    return form;
  }
}

customElements.define('hub-plugin-theme-choice', HubPluginThemeChoice);
