// hub-plugin-brainstorm (CONTRACTS.md §2b): the werkzame-bestanddelen brainstorm (docs/BRAINSTORM.md).
// One element for every role: the wall of cards per question and the clusters come from the `public` view,
// the own cards and dots from `me`, moderation and live totals from `facilitator`.
// Clustering works three ways: drag a card onto a cluster (laptop); tap cards to select them, then
// "Verplaats naar…" (phone); or Tab to a card, Space to select, Tab to the move bar (keyboard).
// The element re-renders from its views; typed text, the selection and the focus survive each render.
import '/web/components/hub-status.js';
import { el } from '/web/shell.js';

const TEXT = {
  nl: {
    phases: { verzamelen: 'Verzamelen', clusteren: 'Clusteren', waarderen: 'Waarderen', toetsen: 'Toetsen', vastleggen: 'Vastleggen' },
    mode: {
      named: 'Je naam staat bij je kaarten.',
      pseudonymous: 'Je kaarten staan zonder naam op de wand.',
      anonymous: 'Je kaarten zijn anoniem: na afloop is niet meer te zien wie wat schreef.',
    },
    question: 'Vraag', need: 'Soort', needs: { people: 'Mensen', money: 'Geld', partners: 'Partners', time: 'Tijd' },
    yourCard: 'Jouw kaart', post: 'Plak je kaart', posted: 'Je kaart hangt op de wand.', left: (n, max) => `Nog ${n} van ${max} kaarten`,
    mine: 'Jouw kaarten', edit: 'Pas aan', save: 'Bewaar', withdraw: 'Trek in', cancel: 'Annuleer', hiddenCard: 'verborgen door de facilitator',
    wall: 'De wand', cards: (n) => `${n} ${n === 1 ? 'kaart' : 'kaarten'}`, fromKb: (t) => `uit de kennisbank: ${t}`, dup: (n) => `+${n} dubbel`,
    seed: (n) => `Voeg toe uit de kennisbank (${n})`, seedNone: 'Geen (nieuwe) beschrijvingen uit de kennisbank', seeded: 'Kaarten uit de kennisbank toegevoegd.',
    hide: 'Verberg', unhide: 'Toon weer', hiddenList: 'Verborgen',
    loose: 'Niet ingedeeld', newCluster: 'Nieuw cluster', clusterName: 'Naam van het cluster', make: 'Maak cluster', made: 'Cluster gemaakt.',
    select: (t) => `Kies kaart: ${t}`, selected: (n) => `${n} ${n === 1 ? 'kaart' : 'kaarten'} gekozen`, moveTo: 'Verplaats naar…', move: 'Verplaats',
    moved: 'Verplaatst.', clear: 'Wis keuze', mergeCards: 'Voeg samen als dubbel', merged: 'Samengevoegd.', rename: 'Hernoem', renamed: 'Hernoemd.',
    mergeInto: 'Voeg samen met…', mergeCluster: 'Voeg samen', onlyFac: 'De facilitator ordent de kaarten. Kijk mee op het scherm.',
    dropHere: 'Sleep kaarten hierheen', dots: (n) => `${n} ${n === 1 ? 'stip' : 'stippen'}`, dotsLeft: (n) => `Nog ${n} ${n === 1 ? 'stip' : 'stippen'} te verdelen`,
    more: (c) => `Een stip meer voor ${c}`, less: (c) => `Een stip minder voor ${c}`, saveDots: 'Bewaar mijn stippen', dotsSaved: 'Je stippen zijn binnen.',
    dotsHint: 'Hoe wezenlijk is dit voor het effect? Verdeel je stippen.', voters: (n) => `${n} ${n === 1 ? 'deelnemer heeft' : 'deelnemers hebben'} gestemd`,
    blind: 'De uitslag volgt als de facilitator die toont.', showTotals: 'Toon tussenstand', hideTotals: 'Verberg tussenstand', revealHint: 'Toon de uitslag aan de zaal met R of Onthul.',
    levels: { bewezen: 'bewezen', aannemelijk: 'aannemelijk', onbekend: 'onbekend', tegengesproken: 'tegengesproken' },
    evidence: 'Wat zegt onderzoek?', level: 'Bewijskracht', explanation: 'Toelichting', sources: 'Bronnen (één per regel: titel | link)',
    record: 'Leg vast', recorded: 'Vastgelegd.', cluster: 'Bestanddeel', practice: 'Praktijkvoorbeeld', doubt: 'Twijfel', noteKind: 'Soort aanvulling',
    addNote: 'Voeg toe', noted: 'Je aanvulling is binnen.', practices: 'Praktijkvoorbeelden', doubts: 'Twijfels', noClusters: 'Nog geen clusters.',
    draft: 'Concept archetype-interventiebeschrijving', title: 'Titel', summary: 'Samenvatting', problem: 'Aanleiding', saveDraft: 'Bewaar concept', draftSaved: 'Concept bewaard.',
    publish: 'Publiceer in de kennisbank', published: (n) => (n === 1 ? 'Gepubliceerd in de kennisbank.' : `Gepubliceerd in de kennisbank (${n}×).`), publishedNow: 'Gepubliceerd.',
    goals: 'Doelen', approach: 'Aanpak', effect: 'Beoogd effect', whatNeeded: 'Wat is nodig', ingredients: 'Werkzame bestanddelen', votes: (n) => `${n} ${n === 1 ? 'stip' : 'stippen'}`,
    waitPublish: 'De facilitator legt het resultaat vast in de kennisbank.',
  },
  en: {
    phases: { verzamelen: 'Collect', clusteren: 'Cluster', waarderen: 'Rate', toetsen: 'Confront', vastleggen: 'Publish' },
    mode: {
      named: 'Your name is shown with your cards.',
      pseudonymous: 'Your cards are on the wall without your name.',
      anonymous: 'Your cards are anonymous: afterwards nobody can see who wrote what.',
    },
    question: 'Question', need: 'Kind', needs: { people: 'People', money: 'Money', partners: 'Partners', time: 'Time' },
    yourCard: 'Your card', post: 'Post your card', posted: 'Your card is on the wall.', left: (n, max) => `${n} of ${max} cards left`,
    mine: 'Your cards', edit: 'Edit', save: 'Save', withdraw: 'Withdraw', cancel: 'Cancel', hiddenCard: 'hidden by the facilitator',
    wall: 'The wall', cards: (n) => `${n} ${n === 1 ? 'card' : 'cards'}`, fromKb: (t) => `from the kennisbank: ${t}`, dup: (n) => `+${n} duplicate`,
    seed: (n) => `Add from the kennisbank (${n})`, seedNone: 'No (new) kennisbank descriptions', seeded: 'Cards from the kennisbank added.',
    hide: 'Hide', unhide: 'Show again', hiddenList: 'Hidden',
    loose: 'Not grouped', newCluster: 'New cluster', clusterName: 'Name of the cluster', make: 'Make cluster', made: 'Cluster made.',
    select: (t) => `Select card: ${t}`, selected: (n) => `${n} ${n === 1 ? 'card' : 'cards'} selected`, moveTo: 'Move to…', move: 'Move',
    moved: 'Moved.', clear: 'Clear selection', mergeCards: 'Merge as duplicate', merged: 'Merged.', rename: 'Rename', renamed: 'Renamed.',
    mergeInto: 'Merge with…', mergeCluster: 'Merge', onlyFac: 'The facilitator groups the cards. Follow along on the screen.',
    dropHere: 'Drag cards here', dots: (n) => `${n} ${n === 1 ? 'dot' : 'dots'}`, dotsLeft: (n) => `${n} ${n === 1 ? 'dot' : 'dots'} left to spread`,
    more: (c) => `One more dot for ${c}`, less: (c) => `One dot less for ${c}`, saveDots: 'Save my dots', dotsSaved: 'Your dots are in.',
    dotsHint: 'How essential is this for the effect? Spread your dots.', voters: (n) => `${n} ${n === 1 ? 'participant has' : 'participants have'} voted`,
    blind: 'The results follow when the facilitator shows them.', showTotals: 'Show interim totals', hideTotals: 'Hide interim totals', revealHint: 'Show the results to the room with R or Reveal.',
    levels: { bewezen: 'proven (bewezen)', aannemelijk: 'plausible (aannemelijk)', onbekend: 'unknown (onbekend)', tegengesproken: 'contradicted (tegengesproken)' },
    evidence: 'What does research say?', level: 'Evidence level', explanation: 'Explanation', sources: 'Sources (one per line: title | link)',
    record: 'Record', recorded: 'Recorded.', cluster: 'Ingredient', practice: 'Practice example', doubt: 'Doubt', noteKind: 'Kind of note',
    addNote: 'Add', noted: 'Your note is in.', practices: 'Practice examples', doubts: 'Doubts', noClusters: 'No clusters yet.',
    draft: 'Draft archetype intervention description', title: 'Title', summary: 'Summary', problem: 'Problem', saveDraft: 'Save draft', draftSaved: 'Draft saved.',
    publish: 'Publish to the kennisbank', published: (n) => (n === 1 ? 'Published to the kennisbank.' : `Published to the kennisbank (${n}×).`), publishedNow: 'Published.',
    goals: 'Goals', approach: 'Approach', effect: 'Intended effect', whatNeeded: 'What it takes', ingredients: 'Active ingredients', votes: (n) => `${n} ${n === 1 ? 'dot' : 'dots'}`,
    waitPublish: 'The facilitator records the result in the kennisbank.',
  },
};
const LEVELS = ['bewezen', 'aannemelijk', 'onbekend', 'tegengesproken'];
const NEEDS = ['people', 'money', 'partners', 'time'];

class HubPluginBrainstorm extends HTMLElement {
  #views = {};
  #role = 'beamer';
  #lang = 'nl';
  #phase = 'verzamelen';
  #send = null;
  #selected = new Set();
  #editing = null;
  #status = null;
  #localDots = null;
  #showTotals = false;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: new URL('./brainstorm.css', import.meta.url).href }));
    this.main = el('section', { class: 'brainstorm' });
    root.append(this.main);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set phase(p) { if (p !== this.#phase) { this.#selected.clear(); this.#status = null; this.#localDots = null; } this.#phase = p; this.render(); }
  set send(fn) { this.#send = fn; this.render(); }
  set participant(_) {}
  set config(_) {}
  set anonymity(_) {}

  get t() { return TEXT[this.#lang]; }
  get pub() { return this.#views.public || {}; }
  get fac() { return this.#views.facilitator || {}; }
  get me() { return this.#views.me || {}; }
  get canAct() { return Boolean(this.#send) && this.#role !== 'beamer'; }
  get isFac() { return this.#role === 'facilitator'; }
  get canCluster() { return this.canAct && (this.isFac || (this.#role === 'participant' && this.pub.participantsCluster)); }

  q(id) { return (this.pub.questions || []).find((x) => x.id === id); }
  qText(q) { return (q && (this.#lang === 'en' && q.en ? q.en : q.nl)) || ''; }
  card(id) { return (this.pub.cards || []).find((c) => c.id === id); }

  /** Sends one input; the status line says pending, then the confirmation or the hub's words. */
  submit(type, payload, done, after) {
    if (!this.#send) return Promise.resolve();
    this.#status = { state: 'pending' };
    this.render();
    return this.#send(type, payload).then(
      () => { this.#status = { state: 'confirmed', message: done }; if (after) after(); this.render(); },
      (err) => { this.#status = { state: 'error', message: (err && err.message) || String(err) }; this.render(); },
    );
  }

  field(key) { return this.main.querySelector(`[data-k="${key}"]`); }
  value(key) { const f = this.field(key); return f ? f.value : ''; }

  render() {
    // Keep what the person was doing across a re-render: field values, the focused control, the caret.
    const values = {};
    for (const f of this.main.querySelectorAll('input[data-k], textarea[data-k], select[data-k]')) values[f.dataset.k] = f.value;
    const active = this.shadowRoot.activeElement;
    const focusKey = active && active.dataset ? active.dataset.k : null;
    const caret = active && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : null;
    const opened = new Set([...this.main.querySelectorAll('details[open][data-k]')].map((d) => d.dataset.k));

    const v = this.pub;
    if (!v.questions) { this.main.replaceChildren(); return; }
    const parts = [el('header', {},
      el('h2', { text: v.title }),
      el('p', { class: 'phase', text: this.t.phases[this.#phase] || this.#phase }))];
    if (this.#role === 'participant') parts.push(el('p', { class: 'mode', text: this.t.mode[v.anonymity] || '' }));
    switch (this.#phase) {
      case 'verzamelen': parts.push(...this.collect(v)); break;
      case 'clusteren': parts.push(...this.clustering(v)); break;
      case 'waarderen': parts.push(...this.rating(v)); break;
      case 'toetsen': parts.push(...this.confront(v)); break;
      case 'vastleggen': parts.push(...this.publishing(v)); break;
      default: parts.push(this.wall(v, false));
    }
    if (this.isFac && (this.fac.hidden || []).length) parts.push(this.hiddenList());
    if (this.#status && this.canAct) parts.push(el('hub-status', { state: this.#status.state, message: this.#status.message || '' }));
    this.main.replaceChildren(...parts);
    for (const d of this.main.querySelectorAll('details[data-k]')) if (opened.has(d.dataset.k)) d.open = true;

    for (const [k, val] of Object.entries(values)) {
      const f = this.field(k);
      if (!f || !val) continue;
      if (f.tagName === 'SELECT') { if ([...f.options].some((o) => o.value === val)) f.value = val; } else if (!f.value) f.value = val;
    }
    if (focusKey) {
      const f = this.field(focusKey);
      if (f) {
        f.focus({ preventScroll: true });
        if (caret && typeof f.setSelectionRange === 'function') { try { f.setSelectionRange(caret[0], caret[1]); } catch { /* not a text field */ } }
      }
    }
  }

  // ---- verzamelen ----

  collect(v) {
    const out = [];
    if (this.canAct) out.push(this.cardForm(v));
    if (this.#role === 'participant') out.push(this.myCards(v));
    if (this.isFac) out.push(this.seedButton());
    out.push(this.wall(v, this.isFac));
    return out;
  }

  cardForm(v) {
    const t = this.t;
    const mine = (this.me.cards || []).length;
    const qSel = el('select', { id: 'card-q', 'data-k': 'card-q', on: { change: () => this.render() } },
      ...(v.questions || []).map((q) => el('option', { value: q.id, text: this.qText(q) })));
    const qNow = this.value('card-q') || (v.questions[0] || {}).id;
    qSel.value = qNow;
    const needed = (this.q(qNow) || {}).field === 'needs';
    const text = el('textarea', { id: 'card-text', 'data-k': 'card-text', 'data-keep': 'brainstorm-card', rows: 2, maxLength: v.maxLength });
    const form = el('form', { class: 'card-form', 'data-input': 'card', on: { submit: (e) => {
      e.preventDefault();
      const payload = { question: qSel.value, text: text.value };
      if (needed) payload.need = this.value('card-need') || 'people';
      this.submit('card', payload, t.posted, () => { const f = this.field('card-text'); if (f) f.value = ''; });
      text.value = '';
    } } },
    el('label', { for: 'card-q', text: t.question }), qSel,
    needed ? [el('label', { for: 'card-need', text: t.need }),
      el('select', { id: 'card-need', 'data-k': 'card-need' }, ...NEEDS.map((n) => el('option', { value: n, text: t.needs[n] })))] : null,
    el('label', { for: 'card-text', text: t.yourCard }), text,
    el('button', { type: 'submit', class: 'primary', 'data-k': 'card-send', text: t.post }));
    if (this.#role === 'participant') form.append(el('p', { class: 'hint', text: t.left(Math.max(0, v.maxCards - mine), v.maxCards) }));
    return form;
  }

  myCards(v) {
    const t = this.t;
    const ids = this.me.cards || [];
    const list = el('ul', { class: 'mine' });
    for (const id of ids) {
      const c = this.card(id);
      if (this.#editing === id && c) {
        const f = el('textarea', { 'data-k': `edit-${id}`, rows: 2, maxLength: v.maxLength, value: c.text });
        list.append(el('li', {}, f,
          el('button', { type: 'button', 'data-k': `save-${id}`, text: t.save, on: { click: () => this.submit('edit', { card: id, text: f.value }, t.posted, () => { this.#editing = null; }) } }),
          el('button', { type: 'button', 'data-k': `cancel-${id}`, text: t.cancel, on: { click: () => { this.#editing = null; this.render(); } } })));
      } else {
        list.append(el('li', {},
          el('span', { class: 'text', text: c ? `${this.qText(this.q(c.q))} — ${c.text}` : t.hiddenCard }),
          c ? el('button', { type: 'button', class: 'small', 'data-k': `edit-btn-${id}`, text: t.edit, on: { click: () => { this.#editing = id; this.render(); } } }) : null,
          el('button', { type: 'button', class: 'small', 'data-k': `withdraw-${id}`, text: t.withdraw, on: { click: () => this.submit('withdraw', { card: id }, t.posted) } })));
      }
    }
    return el('section', { class: 'mine-box' }, el('h3', { text: t.mine }), ids.length ? list : null);
  }

  seedButton() {
    const open = (this.fac.records || []).filter((r) => !r.seeded).length;
    return el('p', {}, el('button', { type: 'button', 'data-k': 'seed', 'data-input': 'seed', disabled: !open, text: open ? this.t.seed(open) : this.t.seedNone,
      on: { click: () => this.submit('seed', {}, this.t.seeded) } }));
  }

  /** The wall: cards per question (with the cluster they are in, if any). */
  wall(v, moderation) {
    const t = this.t;
    const box = el('section', { class: 'wall', 'aria-label': t.wall });
    for (const q of v.questions || []) {
      const cards = (v.cards || []).filter((c) => c.q === q.id);
      box.append(el('section', { class: 'question' },
        el('h3', { text: `${this.qText(q)} · ${t.cards(cards.length)}` }),
        el('ul', { class: 'cards', 'aria-live': 'polite' }, ...cards.map((c) => el('li', {}, this.cardFace(c, moderation))))));
    }
    return box;
  }

  cardFace(c, moderation) {
    const t = this.t;
    const face = el('div', { class: `card${c.sources ? ' kb' : ''}` },
      el('span', { class: 'text', text: c.text }),
      c.need ? el('span', { class: 'meta', text: t.needs[c.need] }) : null,
      c.by ? el('span', { class: 'meta', text: c.by }) : null,
      c.sources ? el('span', { class: 'meta', text: t.fromKb(c.sources.map((s) => s.title).join(', ')) }) : null,
      c.duplicates ? el('span', { class: 'meta', text: t.dup(c.duplicates) }) : null);
    if (moderation && this.#editing === c.id) {
      // The facilitator corrects a card in place (input `edit`); Escape or Annuleer leaves it as it was.
      const f = el('textarea', { 'data-k': `fac-edit-${c.id}`, 'data-keep': 'off', rows: 2, maxLength: this.pub.maxLength, value: c.text, 'aria-label': `${t.edit}: ${c.text}` });
      const stop = () => { this.#editing = null; this.render(); this.field(`fac-edit-btn-${c.id}`)?.focus(); };
      f.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); stop(); } });
      face.append(el('div', { class: 'row', 'data-input': 'edit' }, f,
        el('button', { type: 'button', class: 'small', 'data-k': `fac-save-${c.id}`, text: t.save,
          on: { click: () => this.submit('edit', { card: c.id, text: f.value }, t.recorded, () => { this.#editing = null; }) } }),
        el('button', { type: 'button', class: 'small', 'data-k': `fac-cancel-${c.id}`, text: t.cancel, on: { click: stop } })));
    } else if (moderation) {
      face.append(el('button', { type: 'button', class: 'small', 'data-k': `fac-edit-btn-${c.id}`, 'data-input': 'edit', text: t.edit, 'aria-label': `${t.edit}: ${c.text}`,
        on: { click: () => { this.#editing = c.id; this.render(); this.field(`fac-edit-${c.id}`)?.focus(); } } }));
    }
    if (moderation) face.append(el('button', { type: 'button', class: 'small', 'data-k': `hide-${c.id}`, 'data-input': 'hide', text: t.hide, 'aria-label': `${t.hide}: ${c.text}`,
      on: { click: () => this.submit('hide', { card: c.id }, t.recorded) } }));
    return face;
  }

  hiddenList() {
    const t = this.t;
    return el('details', { class: 'hidden-list', 'data-k': 'hidden-list', 'data-input': 'unhide' }, el('summary', { text: `${t.hiddenList} (${this.fac.hidden.length})` }),
      el('ul', {}, ...this.fac.hidden.map((h) => el('li', {}, el('span', { text: h.text }),
        el('button', { type: 'button', class: 'small', 'data-k': `unhide-${h.id}`, 'data-input': 'unhide', text: t.unhide,
          on: { click: () => this.submit('unhide', h.kind === 'card' ? { card: h.id } : { note: h.id }, t.recorded) } })))));
  }

  // ---- clusteren ----

  clustering(v) {
    const t = this.t;
    const out = [];
    const may = this.canCluster;
    for (const id of [...this.#selected]) if (!this.card(id)) this.#selected.delete(id);
    if (this.canAct && !may) out.push(el('p', { class: 'hint', text: t.onlyFac }));
    if (may) out.push(this.moveBar(v));
    const clusters = el('section', { class: 'clusters' });
    for (const k of v.clusters || []) {
      const cards = k.cards.map((id) => this.card(id)).filter(Boolean);
      const box = el('section', { class: 'cluster', 'data-cluster': k.id, 'aria-label': k.name },
        el('h3', { text: `${k.name} · ${t.cards(cards.length)}` }),
        el('ul', { class: 'cards' }, ...cards.map((c) => el('li', {}, may ? this.selectable(c) : this.cardFace(c, false)))));
      if (may) {
        box.append(this.clusterTools(v, k));
        this.dropZone(box, k.id);
      }
      clusters.append(box);
    }
    if (!(v.clusters || []).length) clusters.append(el('p', { class: 'hint', text: t.noClusters }));
    out.push(clusters);
    const loose = (v.cards || []).filter((c) => !c.cluster);
    const pool = el('section', { class: 'pool', 'aria-label': t.loose }, el('h3', { text: `${t.loose} · ${t.cards(loose.length)}` }));
    for (const q of v.questions || []) {
      const cards = loose.filter((c) => c.q === q.id);
      if (!cards.length) continue;
      pool.append(el('h4', { text: this.qText(q) }),
        el('ul', { class: 'cards' }, ...cards.map((c) => el('li', {}, may ? this.selectable(c) : this.cardFace(c, this.isFac)))));
    }
    if (may) this.dropZone(pool, null);
    out.push(pool);
    return out;
  }

  /** A card as a toggle button: tap or Space selects it; it can also be dragged onto a cluster. */
  selectable(c) {
    const t = this.t;
    const on = this.#selected.has(c.id);
    const b = el('button', { type: 'button', class: `card select${on ? ' on' : ''}${c.sources ? ' kb' : ''}`, 'data-k': `card-${c.id}`, 'data-card': c.id,
      'aria-pressed': String(on), 'aria-label': t.select(c.text), draggable: true,
      on: {
        click: () => { if (this.#selected.has(c.id)) this.#selected.delete(c.id); else this.#selected.add(c.id); this.render(); },
        dragstart: (e) => { e.dataTransfer.setData('text/plain', c.id); e.dataTransfer.effectAllowed = 'move'; },
      } },
    el('span', { class: 'text', text: c.text }),
    c.sources ? el('span', { class: 'meta', text: t.fromKb(c.sources.map((s) => s.title).join(', ')) }) : null,
    c.duplicates ? el('span', { class: 'meta', text: t.dup(c.duplicates) }) : null);
    return b;
  }

  dropZone(box, cluster) {
    box.classList.add('drop');
    box.addEventListener('dragover', (e) => { e.preventDefault(); box.classList.add('over'); });
    box.addEventListener('dragleave', () => box.classList.remove('over'));
    box.addEventListener('drop', (e) => {
      e.preventDefault();
      box.classList.remove('over');
      const id = e.dataTransfer.getData('text/plain');
      if (id) this.submit('move', { card: id, cluster }, this.t.moved);
    });
  }

  async moveSelected(target) {
    const ids = [...this.#selected];
    this.#selected.clear();
    for (const id of ids) await this.submit('move', { card: id, cluster: target || null }, this.t.moved);
  }

  moveBar(v) {
    const t = this.t;
    const n = this.#selected.size;
    const bar = el('section', { class: `move-bar${n ? ' active' : ''}`, 'aria-label': t.moveTo });
    const name = el('input', { type: 'text', id: 'cluster-name', 'data-k': 'cluster-name', 'data-keep': 'off', maxLength: 120, placeholder: t.clusterName });
    bar.append(el('form', { class: 'row', 'data-input': 'cluster', on: { submit: (e) => {
      e.preventDefault();
      const cards = [...this.#selected];
      this.#selected.clear();
      this.submit('cluster', { name: name.value, cards }, t.made, () => { const f = this.field('cluster-name'); if (f) f.value = ''; });
      name.value = '';
    } } }, el('label', { for: 'cluster-name', class: 'visually-hidden', text: t.clusterName }), name,
    el('button', { type: 'submit', 'data-k': 'cluster-make', text: t.make })));
    if (n) {
      const sel = el('select', { id: 'move-to', 'data-k': 'move-to', 'aria-label': t.moveTo },
        el('option', { value: '', text: t.moveTo, disabled: true }),
        ...(v.clusters || []).map((k) => el('option', { value: k.id, text: k.name })),
        el('option', { value: '-', text: t.loose }));
      const keep = this.value('move-to');
      sel.value = keep && [...sel.options].some((o) => o.value === keep) ? keep : '';
      bar.append(el('p', { class: 'selected', role: 'status', text: t.selected(n) }),
        el('div', { class: 'row' }, sel,
          el('button', { type: 'button', class: 'primary', 'data-k': 'move-go', 'data-input': 'move', text: t.move, on: { click: () => {
            const target = this.value('move-to');
            if (target) this.moveSelected(target === '-' ? null : target);
          } } }),
          n >= 2 ? el('button', { type: 'button', 'data-k': 'merge-cards', 'data-input': 'merge', text: t.mergeCards, on: { click: async () => {
            const [into, ...rest] = [...this.#selected];
            this.#selected.clear();
            for (const id of rest) await this.submit('merge', { card: id, into }, t.merged);
          } } }) : null,
          el('button', { type: 'button', class: 'small', 'data-k': 'clear', text: t.clear, on: { click: () => { this.#selected.clear(); this.render(); } } })));
    }
    return bar;
  }

  clusterTools(v, k) {
    const t = this.t;
    const name = el('input', { type: 'text', 'data-k': `rename-${k.id}`, 'data-keep': 'off', maxLength: 120, 'aria-label': `${t.rename}: ${k.name}` });
    const others = (v.clusters || []).filter((x) => x.id !== k.id);
    const into = el('select', { 'data-k': `into-${k.id}`, 'aria-label': `${t.mergeInto} ${k.name}` },
      el('option', { value: '', text: t.mergeInto }), ...others.map((x) => el('option', { value: x.id, text: x.name })));
    return el('details', { class: 'tools', 'data-k': `tools-${k.id}` }, el('summary', { 'data-input': 'rename merge', text: `${t.rename} / ${t.mergeCluster}` },),
      el('div', { class: 'row', 'data-input': 'rename' }, name, el('button', { type: 'button', class: 'small', 'data-k': `rename-go-${k.id}`, text: t.rename,
        on: { click: () => this.submit('rename', { cluster: k.id, name: name.value }, t.renamed) } })),
      others.length ? el('div', { class: 'row', 'data-input': 'merge' }, into, el('button', { type: 'button', class: 'small', 'data-k': `merge-go-${k.id}`, text: t.mergeCluster,
        on: { click: () => { if (into.value) this.submit('merge', { cluster: k.id, into: into.value }, t.merged); } } })) : null);
  }

  // ---- waarderen ----

  rating(v) {
    const t = this.t;
    const out = [];
    const clusters = v.clusters || [];
    if (this.#role === 'participant' && this.canAct) {
      if (!this.#localDots) this.#localDots = { ...(this.me.dots || {}) };
      const dots = this.#localDots;
      const used = Object.values(dots).reduce((a, b) => a + b, 0);
      out.push(el('p', { class: 'hint', text: t.dotsHint }), el('p', { class: 'left', role: 'status', text: t.dotsLeft(v.dots - used) }));
      const list = el('ul', { class: 'dots' });
      for (const k of clusters) {
        const n = dots[k.id] || 0;
        list.append(el('li', {},
          el('span', { class: 'name', text: k.name }),
          el('button', { type: 'button', class: 'small', 'data-k': `less-${k.id}`, 'aria-label': t.less(k.name), text: '−', disabled: n <= 0,
            on: { click: () => { dots[k.id] = Math.max(0, n - 1); this.render(); } } }),
          el('span', { class: 'count', text: String(n), 'aria-label': t.dots(n) }),
          el('button', { type: 'button', class: 'small', 'data-k': `more-${k.id}`, 'aria-label': t.more(k.name), text: '+', disabled: used >= v.dots,
            on: { click: () => { dots[k.id] = n + 1; this.render(); } } })));
      }
      out.push(list, el('button', { type: 'button', class: 'primary', 'data-k': 'dots-save', text: t.saveDots,
        on: { click: () => this.submit('dots', { dots: Object.fromEntries(Object.entries(dots).filter(([, x]) => x > 0)) }, t.dotsSaved) } }));
    }
    out.push(el('p', { class: 'facts', 'aria-live': 'polite', text: t.voters(v.voters || 0) }));
    if (v.revealed) out.push(this.ranking(clusters));
    else if (this.isFac) {
      out.push(el('p', { class: 'hint', text: t.revealHint }),
        el('button', { type: 'button', class: 'small', 'data-k': 'totals', 'aria-pressed': String(this.#showTotals), text: this.#showTotals ? t.hideTotals : t.showTotals,
          on: { click: () => { this.#showTotals = !this.#showTotals; this.render(); } } }));
      if (this.#showTotals) out.push(this.ranking(this.fac.totals || []));
    } else {
      out.push(el('p', { class: 'hint', text: t.blind }));
      if (this.#role === 'beamer') out.push(el('ul', { class: 'names' }, ...clusters.map((k) => el('li', { text: k.name }))));
    }
    return out;
  }

  ranking(clusters) {
    const ranked = [...clusters].sort((a, b) => (a.rank || 0) - (b.rank || 0));
    const max = Math.max(1, ...ranked.map((k) => k.dots || 0));
    return el('ol', { class: 'ranking', 'aria-live': 'polite' }, ...ranked.map((k) => el('li', {},
      el('span', { class: 'name', text: k.name }),
      el('span', { class: `bar w-${Math.round(((k.dots || 0) / max) * 10)}` }),
      el('span', { class: 'count', text: this.t.votes(k.dots || 0) }))));
  }

  // ---- toetsen ----

  confront(v) {
    const t = this.t;
    const out = [];
    const clusters = this.sorted(v);
    if (this.canAct && clusters.length) {
      if (this.isFac) out.push(this.evidenceForm(clusters));
      out.push(this.noteForm(clusters));
    }
    out.push(this.clusterList(clusters, true));
    return out;
  }

  sorted(v) {
    const clusters = [...(v.clusters || [])];
    return v.revealed ? clusters.sort((a, b) => (a.rank || 0) - (b.rank || 0)) : clusters;
  }

  evidenceForm(clusters) {
    const t = this.t;
    const pick = el('select', { id: 'ev-cluster', 'data-k': 'ev-cluster', on: { change: () => this.prefill() } },
      ...clusters.map((k) => el('option', { value: k.id, text: k.name })));
    const level = el('select', { id: 'ev-level', 'data-k': 'ev-level' }, ...LEVELS.map((l) => el('option', { value: l, text: t.levels[l] })));
    const expl = el('textarea', { id: 'ev-expl', 'data-k': 'ev-expl', 'data-keep': 'off', rows: 2, maxLength: 2000 });
    const sources = el('textarea', { id: 'ev-sources', 'data-k': 'ev-sources', 'data-keep': 'off', rows: 2 });
    const form = el('form', { class: 'evidence-form', 'data-input': 'evidence', on: { submit: (e) => {
      e.preventDefault();
      const list = sources.value.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
        const [title, url] = line.split('|').map((x) => x.trim());
        return url ? { title, url } : { title };
      });
      this.submit('evidence', { cluster: pick.value, level: level.value, explanation: expl.value, sources: list }, t.recorded);
    } } },
    el('h3', { text: t.evidence }),
    el('label', { for: 'ev-cluster', text: t.cluster }), pick,
    el('label', { for: 'ev-level', text: t.level }), level,
    el('label', { for: 'ev-expl', text: t.explanation }), expl,
    el('label', { for: 'ev-sources', text: t.sources }), sources,
    el('button', { type: 'submit', class: 'primary', 'data-k': 'ev-send', text: t.record }));
    const keep = this.value('ev-cluster');
    if (keep && clusters.some((k) => k.id === keep)) pick.value = keep;
    return form;
  }

  /** Fills the evidence form with what is recorded for the chosen cluster. */
  prefill() {
    const k = (this.pub.clusters || []).find((x) => x.id === this.value('ev-cluster'));
    const ev = (k && k.evidence) || {};
    this.field('ev-level').value = ev.level || 'onbekend';
    this.field('ev-expl').value = ev.explanation || '';
    this.field('ev-sources').value = (ev.sources || []).map((s) => (s.url ? `${s.title} | ${s.url}` : s.title)).join('\n');
  }

  noteForm(clusters) {
    const t = this.t;
    const pick = el('select', { id: 'note-cluster', 'data-k': 'note-cluster' }, ...clusters.map((k) => el('option', { value: k.id, text: k.name })));
    const kind = el('select', { id: 'note-kind', 'data-k': 'note-kind' }, el('option', { value: 'practice', text: t.practice }), el('option', { value: 'doubt', text: t.doubt }));
    const text = el('textarea', { id: 'note-text', 'data-k': 'note-text', rows: 2, maxLength: this.pub.maxLength });
    const keep = this.value('note-cluster');
    if (keep && clusters.some((k) => k.id === keep)) pick.value = keep;
    return el('form', { class: 'note-form', 'data-input': 'practice doubt', on: { submit: (e) => {
      e.preventDefault();
      this.submit(kind.value, { cluster: pick.value, text: text.value }, t.noted, () => { const f = this.field('note-text'); if (f) f.value = ''; });
      text.value = '';
    } } },
    el('label', { for: 'note-cluster', text: t.cluster }), pick,
    el('label', { for: 'note-kind', text: t.noteKind }), kind,
    el('label', { for: 'note-text', text: `${t.practice} / ${t.doubt}` }), text,
    el('button', { type: 'submit', 'data-k': 'note-send', text: t.addNote }));
  }

  clusterList(clusters, notes) {
    const t = this.t;
    return el('ol', { class: 'ingredients' }, ...clusters.map((k) => el('li', { 'data-cluster': k.id },
      el('h3', {}, el('span', { text: k.name }), k.evidence ? el('span', { class: `level level-${k.evidence.level}`, text: t.levels[k.evidence.level] }) : null,
        typeof k.dots === 'number' ? el('span', { class: 'count', text: t.votes(k.dots) }) : null),
      k.evidence && k.evidence.explanation ? el('p', { text: k.evidence.explanation }) : null,
      k.evidence && (k.evidence.sources || []).length ? el('ul', { class: 'sources' }, ...k.evidence.sources.map((s) => el('li', {},
        s.url ? el('a', { href: s.url, rel: 'noopener noreferrer', target: '_blank', text: s.title }) : el('span', { text: s.title })))) : null,
      notes && k.practices.length ? el('div', {}, el('h4', { text: t.practices }), el('ul', {}, ...k.practices.map((n) => this.note(n)))) : null,
      notes && k.doubts.length ? el('div', {}, el('h4', { text: t.doubts }), el('ul', {}, ...k.doubts.map((n) => this.note(n)))) : null)));
  }

  note(n) {
    return el('li', {}, el('span', { text: n.by ? `${n.text} — ${n.by}` : n.text }),
      this.isFac && this.canAct ? el('button', { type: 'button', class: 'small', 'data-k': `hide-${n.id}`, 'data-input': 'hide', text: this.t.hide,
        on: { click: () => this.submit('hide', { note: n.id }, this.t.recorded) } }) : null);
  }

  // ---- vastleggen ----

  publishing(v) {
    const t = this.t;
    const out = [];
    const d = (this.isFac ? this.fac.draft : v.draft) || v.draft;
    if (this.isFac && this.canAct) {
      const title = el('input', { type: 'text', id: 'draft-title', 'data-k': 'draft-title', 'data-keep': 'off', maxLength: 200, placeholder: d ? d.title : '' });
      const summary = el('textarea', { id: 'draft-summary', 'data-k': 'draft-summary', 'data-keep': 'off', rows: 2 });
      const problem = el('textarea', { id: 'draft-problem', 'data-k': 'draft-problem', 'data-keep': 'off', rows: 2 });
      out.push(el('form', { class: 'draft-form', 'data-input': 'draft', on: { submit: (e) => {
        e.preventDefault();
        const payload = {};
        if (title.value.trim()) payload.title = title.value;
        if (summary.value.trim()) payload.summary = summary.value;
        if (problem.value.trim()) payload.problem = problem.value;
        this.submit('draft', payload, t.draftSaved);
      } } },
      el('label', { for: 'draft-title', text: t.title }), title,
      el('label', { for: 'draft-summary', text: t.summary }), summary,
      el('label', { for: 'draft-problem', text: t.problem }), problem,
      el('button', { type: 'submit', 'data-k': 'draft-save', text: t.saveDraft })),
      el('button', { type: 'button', class: 'primary', 'data-k': 'publish', 'data-input': 'publish', text: t.publish, on: { click: () => this.submit('publish', {}, t.publishedNow) } }));
    } else if (this.#role === 'participant') out.push(el('p', { class: 'hint', text: t.waitPublish }));
    if (v.published) out.push(el('p', { class: 'published', role: 'status', text: t.published(v.published) }));
    if (d) out.push(this.draftView(d));
    return out;
  }

  draftView(d) {
    const t = this.t;
    const needs = d.needs || {};
    const lines = (s) => (s || '').split('\n').filter(Boolean);
    return el('article', { class: 'draft', 'aria-label': t.draft },
      el('h3', { text: d.title }),
      d.summary ? el('p', { text: d.summary }) : null,
      d.problem ? el('p', { text: d.problem }) : null,
      (d.goals || []).length ? [el('h4', { text: t.goals }), el('ul', {}, ...d.goals.map((g) => el('li', { text: g })))] : null,
      d.approach ? [el('h4', { text: t.approach }), el('ul', {}, ...lines(d.approach).map((g) => el('li', { text: g })))] : null,
      d.intendedEffect ? [el('h4', { text: t.effect }), el('ul', {}, ...lines(d.intendedEffect).map((g) => el('li', { text: g })))] : null,
      Object.keys(needs).length ? [el('h4', { text: t.whatNeeded }), el('ul', {}, ...NEEDS.filter((n) => needs[n]).map((n) => el('li', { text: `${t.needs[n]}: ${lines(needs[n]).join('; ')}` })))] : null,
      (d.activeIngredients || []).length ? [el('h4', { text: t.ingredients }), el('ol', { class: 'ingredients' }, ...d.activeIngredients.map((a) => el('li', {},
        el('strong', { text: a.statement }), ' ',
        a.evidence ? el('span', { class: `level level-${a.evidence.level}`, text: t.levels[a.evidence.level] }) : null, ' ',
        el('span', { class: 'count', text: t.votes(a.votes || 0) }),
        a.evidence && a.evidence.explanation ? el('p', { text: a.evidence.explanation }) : null)))] : null);
  }
}

customElements.define('hub-plugin-brainstorm', HubPluginBrainstorm);
