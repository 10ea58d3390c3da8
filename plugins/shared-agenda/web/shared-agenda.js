// hub-plugin-shared-agenda (CONTRACTS.md §2b): the gezamenlijke agenda voor de wijk (docs/SHARED-AGENDA.md).
// One element for every role: the board (lanes wonen, werken, leven) comes from the `public` view, the lanes a
// group may write from its `group:<id>` view. Editing happens in one editor panel that is built when it opens
// and never rebuilt by a new view, so typing, focus and caret survive the room's edits: fields nobody touched
// follow the board live; a touched field keeps the version it was based on, and a save on an old version comes
// back as a conflict that shows both values, with "keep mine", "take the board's" and "merge".
import '/web/components/hub-status.js';
import { el } from '/web/shell.js';

const FIELDS = ['goal', 'owner', 'partners', 'timeframe', 'firstStep'];
const TEXT = {
  nl: {
    label: { goal: 'Doel', owner: 'Trekker (organisatie)', partners: 'Partners', timeframe: 'Termijn', firstStep: 'Eerste stap', lane: 'Lijn' },
    short: { owner: 'Trekker', partners: 'Partners', timeframe: 'Termijn', firstStep: 'Eerste stap' },
    hint: { goal: 'Wat willen we bereiken?', owner: 'Welke organisatie trekt dit?', partners: 'Wie doen er mee?', timeframe: 'Bijvoorbeeld: voor de zomer', firstStep: 'Wat is de eerste stap, en wie zet die?' },
    empty: 'Nog geen punten.', add: (lane) => `Nieuw punt bij ${lane}`, edit: 'Bewerk', editing: (goal) => `Bewerk: ${goal}`, adding: (lane) => `Nieuw punt bij ${lane}`,
    save: 'Bewaar', cancel: 'Sluit', remove: 'Haal van de agenda', saved: 'Bewaard.', added: 'Punt toegevoegd.', removed: 'Punt van de agenda gehaald.',
    gone: 'Dit punt is intussen van de agenda gehaald.', nothing: 'Je hebt niets gewijzigd.', needGoal: 'Geef het punt een doel.',
    changedMeanwhile: (v) => `Intussen gewijzigd op het bord: ${v}`,
    conflict: (f) => `${f}: iemand anders wijzigde dit tegelijk met jou.`, mine: 'Jouw versie', theirs: 'Nu op het bord',
    keepMine: 'Houd de mijne', keepTheirs: 'Neem die van het bord', merge: 'Voeg samen', merged: 'Samengevoegd: pas aan en bewaar.',
    conflictsLeft: 'Kies bij elk conflict welke versie blijft.', emptyValue: '(leeg)',
    who: { room: 'Iedereen kan punten toevoegen en bewerken.', groups: 'Elke groep schrijft in haar eigen lijn.', facilitator: 'De facilitator schrijft; jij kijkt mee.' },
    yourLane: (lanes) => `Jouw groep schrijft bij: ${lanes}.`, noLane: 'Je zit nog niet in een groep met een lijn; je kijkt mee.', group: (g) => `groep ${g}`,
    items: (n) => `${n} ${n === 1 ? 'punt' : 'punten'}`, publish: 'Leg vast in de gereedschapskist', publishing: 'Vastgelegd.',
    publishHint: 'De agenda komt als één item (soort agenda) in de gereedschapskist, af te drukken vanuit de gereedschapskist-export.',
    published: 'Vastgelegd in de gereedschapskist. Wijzigen kan niet meer.', print: 'Afdrukken',
    recordPhase: 'De facilitator legt de agenda nu vast.', stats: (s) => `${s.items} punten, ${s.edits} wijzigingen, ${s.removed} weggehaald`,
  },
  en: {
    label: { goal: 'Goal', owner: 'Owner (organisation)', partners: 'Partners', timeframe: 'Timeframe', firstStep: 'First step', lane: 'Lane' },
    short: { owner: 'Owner', partners: 'Partners', timeframe: 'Timeframe', firstStep: 'First step' },
    hint: { goal: 'What do we want to achieve?', owner: 'Which organisation leads this?', partners: 'Who takes part?', timeframe: 'For example: before the summer', firstStep: 'What is the first step, and who takes it?' },
    empty: 'No items yet.', add: (lane) => `New item for ${lane}`, edit: 'Edit', editing: (goal) => `Edit: ${goal}`, adding: (lane) => `New item for ${lane}`,
    save: 'Save', cancel: 'Close', remove: 'Take off the agenda', saved: 'Saved.', added: 'Item added.', removed: 'Item taken off the agenda.',
    gone: 'This item has been taken off the agenda meanwhile.', nothing: 'You changed nothing.', needGoal: 'Give the item a goal.',
    changedMeanwhile: (v) => `Changed on the board meanwhile: ${v}`,
    conflict: (f) => `${f}: someone else changed this at the same time as you.`, mine: 'Your version', theirs: 'Now on the board',
    keepMine: 'Keep mine', keepTheirs: 'Take the board\'s', merge: 'Merge', merged: 'Merged: adjust and save.',
    conflictsLeft: 'Choose which version stays for each conflict.', emptyValue: '(empty)',
    who: { room: 'Everyone can add and edit items.', groups: 'Each group writes in its own lane.', facilitator: 'The facilitator writes; you follow along.' },
    yourLane: (lanes) => `Your group writes in: ${lanes}.`, noLane: 'You are not in a group with a lane yet; you follow along.', group: (g) => `group ${g}`,
    items: (n) => `${n} ${n === 1 ? 'item' : 'items'}`, publish: 'Record in the gereedschapskist', publishing: 'Recorded.',
    publishHint: 'The agenda becomes one item (kind agenda) in the gereedschapskist, printable from the gereedschapskist export.',
    published: 'Recorded in the gereedschapskist. It can no longer be changed.', print: 'Print',
    recordPhase: 'The facilitator is recording the agenda now.', stats: (s) => `${s.items} items, ${s.edits} changes, ${s.removed} taken off`,
  },
};

class HubPluginSharedAgenda extends HTMLElement {
  #views = {};
  #role = 'beamer';
  #lang = 'nl';
  #phase = 'bouwen';
  #send = null;
  #status = null;
  #editor = null; // {item?, lane?, fields: {name: {input, base, from, touched, conflict}}, panel}

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: new URL('./shared-agenda.css', import.meta.url).href }));
    this.main = el('section', { class: 'agenda' });
    this.head = el('div', { class: 'head' });
    this.editorHost = el('div', { class: 'editor-host' });
    this.board = el('div', { class: 'board' });
    this.foot = el('div', { class: 'foot' });
    this.main.append(this.head, this.editorHost, this.board, this.foot);
    root.append(this.main);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r || 'beamer'; this.render(); }
  set lang(l) { const next = TEXT[l] ? l : 'nl'; if (next !== this.#lang) { this.#lang = next; this.close(); } this.render(); }
  set phase(p) { if (p !== this.#phase) this.#status = null; this.#phase = p; this.render(); }
  set send(fn) { this.#send = fn; this.render(); }
  set participant(_) {}
  set config(_) {}
  set anonymity(_) {}

  get t() { return TEXT[this.#lang]; }
  get pub() { return this.#views.public || {}; }
  tr(text) { return (text && (text[this.#lang] || text.nl)) || ''; }
  laneTitle(id) { const l = (this.pub.lanes || []).find((x) => x.id === id); return l ? this.tr(l.title) : id; }

  /** The lanes this connection may write in; the plugin checks again (not_your_lane, facilitator_only). */
  writable(lane) {
    const v = this.pub;
    if (!this.#send || v.published || !v.lanes) return false;
    if (this.#role === 'facilitator') return true;
    if (this.#role !== 'participant' || this.#phase !== 'bouwen' || v.editing === 'facilitator') return false;
    return v.editing !== 'groups' || this.myLanes().includes(lane);
  }

  myLanes() {
    const lanes = [];
    for (const [aud, view] of Object.entries(this.#views)) {
      if (aud.startsWith('group:') && view && Array.isArray(view.lanes)) lanes.push(...view.lanes);
    }
    return lanes;
  }

  item(id) {
    for (const lane of this.pub.lanes || []) for (const it of lane.items) if (it.id === id) return it;
    return null;
  }

  setStatus(state, message) { this.#status = { state, message }; this.renderFoot(); }

  render() {
    const v = this.pub;
    const t = this.t;
    this.main.className = `agenda role-${this.#role}`;
    if (!v.lanes) { this.head.replaceChildren(); this.board.replaceChildren(); return; }
    const head = [el('h2', { class: 'title', text: this.tr(v.title) })];
    if (this.#role !== 'beamer') head.push(el('p', { class: 'hint', text: t.who[v.editing] || '' }));
    if (this.#role === 'participant' && v.editing === 'groups') {
      const mine = this.myLanes();
      head.push(el('p', { class: 'hint', text: mine.length ? t.yourLane(mine.map((l) => this.laneTitle(l).toLowerCase()).join(', ')) : t.noLane }));
    }
    if (this.#role === 'participant' && this.#phase !== 'bouwen' && !v.published) head.push(el('p', { class: 'hint', text: t.recordPhase }));
    if (v.published) head.push(el('p', { class: 'published', role: 'status', text: t.published }));
    this.head.replaceChildren(...head);
    if (this.#editor) {
      // Published, or the phase, the mode or the groups no longer let this screen write there: the editor goes.
      const it = this.#editor.item ? this.item(this.#editor.item) : null;
      const lane = it ? it.fields.lane.value : this.#editor.lane;
      if (v.published || (lane && !this.writable(lane))) this.close();
    }
    this.syncEditor();
    this.renderBoard();
    this.renderFoot();
  }

  renderBoard() {
    const v = this.pub;
    const t = this.t;
    // Keep the focus on the button it was on (the board is rebuilt on every view).
    const active = this.shadowRoot.activeElement;
    const focusKey = active && this.board.contains(active) ? active.dataset.k : null;
    const lanes = v.lanes.map((lane) => {
      const title = this.tr(lane.title);
      const head = el('div', { class: 'lane-head' },
        el('h3', { id: `lane-${lane.id}`, text: title }),
        el('span', { class: 'count', text: `${t.items(lane.items.length)}${lane.group ? ` · ${t.group(lane.group)}` : ''}` }));
      const list = el('ol', { class: 'items', 'aria-labelledby': `lane-${lane.id}` });
      for (const it of lane.items) list.append(this.card(it));
      const parts = [head, lane.items.length ? list : el('p', { class: 'hint', text: t.empty })];
      if (this.writable(lane.id) && lane.items.length < (v.maxPerLane || 15)) {
        const add = el('button', { type: 'button', class: 'add', 'data-k': `add-${lane.id}`, 'data-input': 'add', text: `+ ${t.add(title.toLowerCase())}` });
        add.addEventListener('click', () => this.open({ lane: lane.id }));
        parts.push(add);
      }
      return el('section', { class: `lane lane-${lane.id}`, 'data-lane': lane.id, 'aria-labelledby': `lane-${lane.id}` }, ...parts);
    });
    this.board.replaceChildren(...lanes);
    if (focusKey) { const again = this.board.querySelector(`[data-k="${focusKey}"]`); if (again) again.focus(); }
  }

  card(it) {
    const t = this.t;
    const f = it.fields;
    const facts = el('dl', { class: 'facts' });
    for (const key of FIELDS.slice(1)) {
      if (!f[key].value && this.#role === 'beamer') continue;
      facts.append(el('dt', { text: t.short[key] }), el('dd', { text: f[key].value || '–' }));
    }
    const li = el('li', { class: `item${this.#editor && this.#editor.item === it.id ? ' open' : ''}`, 'data-item': it.id },
      el('h4', { class: 'goal', text: f.goal.value }), facts);
    if (this.writable(f.lane.value)) {
      const b = el('button', { type: 'button', class: 'edit', 'data-k': `edit-${it.id}`, 'data-input': 'edit remove', 'aria-label': t.editing(f.goal.value), text: t.edit });
      b.addEventListener('click', () => this.open({ item: it.id }));
      li.append(b);
    }
    return li;
  }

  renderFoot() {
    const t = this.t;
    const v = this.pub;
    const parts = [];
    if (this.#role === 'facilitator' && this.#send && v.lanes) {
      const stats = this.#views.facilitator;
      if (stats && typeof stats.edits === 'number') parts.push(el('p', { class: 'hint', text: t.stats(stats) }));
      const row = el('div', { class: 'actions' });
      if (this.#phase === 'vastleggen' && !v.published) {
        const publish = el('button', { type: 'button', class: 'primary', 'data-k': 'publish', 'data-input': 'publish', text: t.publish });
        publish.addEventListener('click', () => this.submit('publish', {}, t.publishing));
        parts.push(el('p', { class: 'hint', text: t.publishHint }));
        row.append(publish);
      }
      const print = el('button', { type: 'button', 'data-k': 'print', text: t.print });
      print.addEventListener('click', () => this.print());
      row.append(print);
      parts.push(row);
    }
    if (this.#status && this.#send) {
      const s = el('hub-status', { lang: this.#lang });
      s.setAttribute('state', this.#status.state);
      if (this.#status.message) s.setAttribute('message', this.#status.message);
      parts.push(s);
    }
    const active = this.shadowRoot.activeElement;
    const focusKey = active && this.foot.contains(active) ? active.dataset.k : null;
    this.foot.replaceChildren(...parts);
    if (focusKey) { const again = this.foot.querySelector(`[data-k="${focusKey}"]`); if (again) again.focus(); }
  }

  /** Prints the board alone: a page stylesheet hides everything around this element while printing. */
  print() {
    const link = el('link', { rel: 'stylesheet', href: new URL('./shared-agenda-print.css', import.meta.url).href, 'data-print': 'shared-agenda' });
    link.addEventListener('load', () => {
      window.addEventListener('afterprint', () => link.remove(), { once: true });
      window.print();
    }, { once: true });
    document.head.append(link);
  }

  submit(type, payload, done, after) {
    if (!this.#send) return Promise.resolve(false);
    this.setStatus('pending');
    return this.#send(type, payload).then(
      () => { this.setStatus('confirmed', done); if (after) after(); return true; },
      (err) => { this.setStatus('error', (err && err.message) || String(err)); return false; },
    );
  }

  // ---- the editor panel --------------------------------------------------------------------------------

  /** Opens the editor for one item ({item}) or a new item in a lane ({lane}). */
  open(what) {
    const t = this.t;
    const it = what.item ? this.item(what.item) : null;
    const ed = { item: what.item || null, lane: what.lane || null, fields: {} };
    const form = el('form', { class: 'editor', 'data-input': it ? 'edit' : 'add', 'aria-label': it ? t.editing(it.fields.goal.value) : t.adding(this.laneTitle(what.lane).toLowerCase()) });
    form.append(el('h3', { class: 'editor-title', text: it ? t.editing(it.fields.goal.value) : t.adding(this.laneTitle(what.lane).toLowerCase()) }));
    const limits = this.pub.limits || {};
    for (const key of [...FIELDS, 'lane']) {
      if (key === 'lane' && !it) continue;
      const id = `f-${key}`;
      let input;
      if (key === 'lane') {
        input = el('select', { id, 'data-k': id, 'data-keep': 'off' },
          ...(this.pub.lanes || []).map((l) => el('option', { value: l.id, text: this.tr(l.title) })));
      } else {
        const long = key === 'goal' || key === 'partners' || key === 'firstStep';
        input = el(long ? 'textarea' : 'input', { id, 'data-k': id, 'data-keep': 'off', maxLength: limits[key] || 300, placeholder: t.hint[key],
          'aria-describedby': `${id}-note` });
        if (long) input.rows = 2; else input.type = 'text';
      }
      const field = { input, base: 0, from: '', touched: false, conflict: null };
      field.note = el('div', { id: `${id}-note`, class: 'field-note', 'aria-live': 'polite' });
      input.addEventListener(key === 'lane' ? 'change' : 'input', () => { field.touched = true; });
      ed.fields[key] = field;
      form.append(el('div', { class: `field field-${key}` }, el('label', { for: id, text: t.label[key] }), input, field.note));
      if (it) { field.base = it.fields[key].v; field.from = it.fields[key].value; input.value = field.from; }
    }
    const save = el('button', { type: 'submit', class: 'primary', 'data-k': 'save', text: t.save });
    const cancel = el('button', { type: 'button', 'data-k': 'cancel', text: t.cancel });
    cancel.addEventListener('click', () => this.close(true));
    const row = el('div', { class: 'actions' }, save, cancel);
    if (it) {
      const remove = el('button', { type: 'button', class: 'danger', 'data-k': 'remove', 'data-input': 'remove', text: t.remove });
      remove.addEventListener('click', () => this.submit('remove', { item: it.id }, t.removed, () => this.close(true, it.fields.lane.value)));
      row.append(remove);
    }
    form.append(row);
    form.addEventListener('submit', (e) => { e.preventDefault(); this.save(); });
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); this.close(true); } });
    ed.panel = form;
    this.#editor = ed;
    this.#status = null;
    this.editorHost.replaceChildren(form);
    this.render();
    ed.fields.goal.input.focus();
  }

  /** Closes the editor; with `refocus`, the focus goes back to the item's edit button or the lane's add button. */
  close(refocus, laneAfterRemove) {
    const ed = this.#editor;
    this.#editor = null;
    this.editorHost.replaceChildren();
    if (!refocus || !ed) return;
    this.renderBoard();
    const key = ed.item && !laneAfterRemove ? `edit-${ed.item}` : `add-${laneAfterRemove || ed.lane}`;
    const target = this.board.querySelector(`[data-k="${key}"]`) || this.board.querySelector('button');
    if (target) target.focus();
  }

  /** Fields nobody touched follow the board; touched ones keep their base and say when the board moved on. */
  syncEditor() {
    const ed = this.#editor;
    if (!ed || !ed.item) return;
    const t = this.t;
    const it = this.item(ed.item);
    if (!it) {
      ed.panel.classList.add('gone');
      ed.panel.querySelector('[data-k="save"]').disabled = true;
      const r = ed.panel.querySelector('[data-k="remove"]');
      if (r) r.disabled = true;
      ed.fields.goal.note.textContent = t.gone;
      return;
    }
    for (const [key, field] of Object.entries(ed.fields)) {
      const cur = it.fields[key];
      if (field.conflict) { this.renderConflict(key, field, cur); continue; }
      if (!field.touched) {
        // Not typed in since it was last in step with the board: it follows the board (nothing typed is lost).
        if (field.input.value !== cur.value) field.input.value = cur.value;
        field.base = cur.v;
        field.from = cur.value;
        field.note.textContent = '';
      } else {
        field.note.textContent = cur.v !== field.base && cur.value !== field.input.value ? t.changedMeanwhile(this.shown(key, cur.value)) : '';
      }
    }
  }

  shown(key, value) { return key === 'lane' ? this.laneTitle(value) : (value || this.t.emptyValue); }

  renderConflict(key, field, cur) {
    const t = this.t;
    const c = field.conflict;
    const mine = el('div', { class: 'version mine' }, el('strong', { text: t.mine }), el('p', { 'data-value': 'mine', text: this.shown(key, c.mine) }));
    const theirs = el('div', { class: 'version theirs' }, el('strong', { text: t.theirs }), el('p', { 'data-value': 'theirs', text: this.shown(key, cur.value) }));
    const keep = el('button', { type: 'button', class: 'primary', 'data-k': `keep-mine-${key}`, text: t.keepMine });
    keep.addEventListener('click', () => {
      field.conflict = null;
      field.input.value = c.mine;
      field.base = cur.v;
      field.from = cur.value;
      field.touched = true;
      this.save([key]);
    });
    const take = el('button', { type: 'button', 'data-k': `keep-theirs-${key}`, text: t.keepTheirs });
    take.addEventListener('click', () => {
      field.conflict = null;
      field.input.value = cur.value;
      field.base = cur.v;
      field.from = cur.value;
      field.touched = false;
      this.syncEditor();
      field.input.focus();
      this.#status = null; // nothing was sent: no "confirmed" for it (shared/UI.md, "Honest state")
      this.renderFoot();
    });
    const actions = el('div', { class: 'actions' }, keep, take);
    if (key !== 'lane') {
      const merge = el('button', { type: 'button', 'data-k': `merge-${key}`, text: t.merge });
      merge.addEventListener('click', () => {
        field.conflict = null;
        field.input.value = [cur.value, c.mine].filter(Boolean).join(' / ');
        field.base = cur.v;
        field.from = cur.value;
        field.touched = true;
        this.syncEditor();
        field.input.focus();
        this.setStatus('pending', t.merged);
      });
      actions.append(merge);
    }
    const active = this.shadowRoot.activeElement;
    const focusKey = active && field.note.contains(active) ? active.dataset.k : null;
    field.note.replaceChildren(el('div', { class: 'conflict', role: 'group', 'aria-label': t.conflict(t.label[key]) },
      el('p', { class: 'conflict-head', text: t.conflict(t.label[key]) }), el('div', { class: 'versions' }, mine, theirs), actions));
    if (focusKey) { const again = field.note.querySelector(`[data-k="${focusKey}"]`); if (again) again.focus(); }
  }

  /** Sends what changed: a new item as one `add`, an item's changed fields as one `edit` each, on their base. */
  async save(only) {
    const ed = this.#editor;
    if (!ed) return;
    const t = this.t;
    const value = (key) => ed.fields[key].input.value.replace(/\s+/g, ' ').trim();
    if (!ed.item) {
      if (!value('goal')) { this.setStatus('error', t.needGoal); ed.fields.goal.input.focus(); return; }
      const payload = { lane: ed.lane };
      for (const key of FIELDS) if (value(key)) payload[key] = value(key);
      await this.submit('add', payload, t.added, () => this.close(true));
      return;
    }
    if (Object.values(ed.fields).some((f) => f.conflict)) { this.setStatus('error', t.conflictsLeft); return; }
    const keys = (only || Object.keys(ed.fields)).filter((key) => value(key) !== ed.fields[key].from.replace(/\s+/g, ' ').trim());
    if (!keys.length) { this.setStatus('confirmed', t.nothing); return; }
    this.setStatus('pending');
    const results = await Promise.all(keys.map((key) => {
      const field = ed.fields[key];
      const sent = value(key);
      return this.#send('edit', { item: ed.item, field: key, value: sent, base: field.base }).then(
        () => { field.touched = false; field.from = sent; return null; },
        (err) => {
          if (err && err.detail === 'conflict') { field.conflict = { mine: sent }; return 'conflict'; }
          return (err && err.message) || String(err);
        });
    }));
    if (this.#editor !== ed) return;
    const problems = results.filter((r) => r && r !== 'conflict');
    const conflicts = results.filter((r) => r === 'conflict').length;
    if (problems.length) this.setStatus('error', problems[0]);
    else if (conflicts) {
      this.setStatus('error', t.conflictsLeft);
      this.syncEditor();
      const first = ed.panel.querySelector('.conflict button');
      if (first) first.focus();
    } else {
      this.setStatus('confirmed', t.saved);
      this.close(true);
    }
  }
}

customElements.define('hub-plugin-shared-agenda', HubPluginSharedAgenda);
