// hub-plugin-obstacles (CONTRACTS.md §2b): belemmeringen (docs/OBSTACLES.md).
// One element for every role: the list by category (later: heaviest first, with solutions) comes from `public`,
// a participant's own weights from `me`, the weights in detail from `facilitator`. Every control is a real
// select, text field or button, so all of it works with the keyboard alone; focus and typing survive re-renders.
import '/web/components/hub-status.js';
import { el } from '/web/shell.js';

const TEXT = {
  nl: {
    heading: 'Belemmeringen', none: 'Nog geen belemmeringen.', category: 'Categorie', yours: 'De belemmering', name: 'Noem',
    named: 'Je belemmering staat op de lijst.', left: (n) => n > 0 ? `Je kunt er nog ${n} noemen.` : 'Je hebt er genoeg genoemd.',
    often: 'Hoe vaak kom je dit tegen? (1–5)', blocks: 'Hoe erg houdt het je tegen? (1–5)', weigh: 'Weeg', weighed: 'Gewogen.',
    score: (s, n) => `gewicht ${String(s).replace('.', ',')} (${n}× gewogen)`, solution: 'Oplossing uit de zaal', kind: 'Soort',
    kinds: { tip: 'Tip', les: 'Les' }, add: 'Voeg oplossing toe', added: 'Oplossing toegevoegd.', also: (xs) => `ook: ${xs.join('; ')}`,
    merge: 'Dubbele samenvoegen', mergeWhat: 'Deze belemmering…', mergeInto: '…gaat op in', mergeButton: 'Voeg samen', merged: 'Samengevoegd.',
    remove: 'Belemmering weghalen', removeWhat: 'Welke?', removeButton: 'Haal weg', removed: 'Weggehaald.', pick: 'Kies een belemmering',
    publish: 'Leg vast in de gereedschapskist en de reeks', publishHint: (n) => `Elke oplossing wordt een les of tip in de gereedschapskist; de ${n} zwaarste belemmeringen gaan naar de reeks.`,
    published: 'Vastgelegd: de oplossingen staan in de gereedschapskist, de zwaarste belemmeringen in de reeks.', publishing: 'Vastgelegd.',
  },
  en: {
    heading: 'Obstacles', none: 'No obstacles yet.', category: 'Category', yours: 'The obstacle', name: 'Add',
    named: 'Your obstacle is on the list.', left: (n) => n > 0 ? `You can name ${n} more.` : 'You have named enough.',
    often: 'How often do you meet this? (1–5)', blocks: 'How much does it block you? (1–5)', weigh: 'Weigh', weighed: 'Weighed.',
    score: (s, n) => `weight ${s} (weighed ${n}×)`, solution: 'A solution from the room', kind: 'Kind',
    kinds: { tip: 'Tip', les: 'Lesson' }, add: 'Add solution', added: 'Solution added.', also: (xs) => `also: ${xs.join('; ')}`,
    merge: 'Merge duplicates', mergeWhat: 'This obstacle…', mergeInto: '…goes into', mergeButton: 'Merge', merged: 'Merged.',
    remove: 'Remove an obstacle', removeWhat: 'Which one?', removeButton: 'Remove', removed: 'Removed.', pick: 'Choose an obstacle',
    publish: 'Record in the gereedschapskist and the series', publishHint: (n) => `Every solution becomes a lesson or tip in the gereedschapskist; the ${n} heaviest obstacles go to the series.`,
    published: 'Recorded: the solutions are in the gereedschapskist, the heaviest obstacles in the series.', publishing: 'Recorded.',
  },
};

class HubPluginObstacles extends HTMLElement {
  #views = {};
  #role = 'beamer';
  #lang = 'nl';
  #phase = 'inventariseren';
  #send = null;
  #status = null;
  #sel = {};

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: new URL('./obstacles.css', import.meta.url).href }));
    this.main = el('section', { class: 'obstacles' });
    root.append(this.main);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r || 'beamer'; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set phase(p) { if (p !== this.#phase) this.#status = null; this.#phase = p || 'inventariseren'; this.render(); }
  set send(fn) { this.#send = fn; this.render(); }
  set participant(_) {}
  set config(_) {}
  set anonymity(_) {}

  get t() { return TEXT[this.#lang]; }
  get pub() { return this.#views.public || {}; }
  get isFac() { return this.#role === 'facilitator' && Boolean(this.#send); }
  get isParticipant() { return this.#role === 'participant' && Boolean(this.#send); }

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
    const active = this.shadowRoot.activeElement;
    const focusKey = active && active.dataset ? active.dataset.k : null;
    const typed = {};
    for (const f of this.main.querySelectorAll('input[type=text][data-k]')) typed[f.dataset.k] = f.value;
    const v = this.pub;
    this.main.className = `obstacles role-${this.#role}`;
    if (!v.obstacles) { this.main.replaceChildren(); return; }
    const parts = [el('h2', { text: v.title || this.t.heading })];
    if (this.isParticipant && this.#phase === 'inventariseren' && !v.published) parts.push(this.nameForm(v));
    parts.push(this.list(v));
    if (this.isFac) parts.push(...this.controls(v));
    if (v.published) parts.push(el('p', { class: 'published', role: 'status', text: this.t.published }));
    if (this.#status && this.#send) {
      const s = el('hub-status', { lang: this.#lang });
      s.setAttribute('state', this.#status.state);
      if (this.#status.message) s.setAttribute('message', this.#status.message);
      parts.push(s);
    }
    this.main.replaceChildren(...parts);
    for (const f of this.main.querySelectorAll('input[type=text][data-k]')) if (typed[f.dataset.k] && !f.value) f.value = typed[f.dataset.k];
    for (const s of this.main.querySelectorAll('select[data-k]')) {
      if (this.#sel[s.dataset.k] && [...s.options].some((o) => o.value === this.#sel[s.dataset.k])) s.value = this.#sel[s.dataset.k];
      s.addEventListener('change', () => { this.#sel[s.dataset.k] = s.value; });
    }
    if (focusKey) { const again = this.main.querySelector(`[data-k="${focusKey}"]`); if (again && !again.disabled) again.focus(); }
  }

  select(k, label, options, empty) {
    const s = el('select', { id: `s-${k}`, 'data-k': k }, ...(empty ? [el('option', { value: '', text: empty })] : []),
      ...options.map(([value, text]) => el('option', { value, text })));
    return [el('label', { for: `s-${k}`, class: 'label', text: label }), s];
  }

  nameForm(v) {
    const t = this.t;
    const left = (v.perPerson || 5) - ((this.#views.me || {}).proposed || 0);
    const [catLabel, cat] = this.select('category', t.category, v.categories.map((c) => [c.id, c.title[this.#lang]]));
    const field = el('input', { type: 'text', id: 'obstacle-text', 'data-k': 'obstacle-text', 'data-keep': 'obstacle-text', maxLength: v.maxLength || 160, autocomplete: 'off' });
    const form = el('form', { class: 'name' }, catLabel, cat, el('label', { for: 'obstacle-text', class: 'label', text: t.yours }), field,
      el('button', { type: 'submit', class: 'primary', 'data-k': 'name', text: t.name }), el('p', { class: 'hint', text: t.left(left) }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit('obstacle', { category: cat.value, text: field.value }, t.named, () => { const f = this.main.querySelector('[data-k="obstacle-text"]'); if (f) f.value = ''; });
    });
    return form;
  }

  /** By category while naming; heaviest first (with weights and solutions) from weighing on. */
  list(v) {
    const t = this.t;
    const box = el('section', { class: 'list', 'aria-live': this.#role === 'beamer' ? 'polite' : null });
    if (!v.obstacles.length) { box.append(el('p', { class: 'hint', text: t.none })); return box; }
    const byId = Object.fromEntries(v.obstacles.map((o) => [o.id, o]));
    const title = (c) => (v.categories.find((x) => x.id === c) || { title: { nl: c, en: c } }).title[this.#lang];
    if (this.#phase === 'inventariseren') {
      for (const c of v.categories) {
        const here = v.obstacles.filter((o) => o.category === c.id);
        if (!here.length) continue;
        box.append(el('section', { class: 'group' }, el('h3', { text: `${c.title[this.#lang]} (${here.length})` }),
          el('ul', { class: 'items' }, ...here.map((o) => this.item(o, t)))));
      }
      box.classList.add('groups');
      return box;
    }
    const ranked = (v.weights || []).map((w) => ({ ...byId[w.id], ...w })).filter((o) => o.text);
    box.append(el('ol', { class: 'items ranked' }, ...ranked.map((o) => {
      const li = this.item(o, t);
      li.prepend(el('span', { class: 'cat', text: title(o.category) }));
      li.append(el('span', { class: 'facts', text: t.score(o.score, o.weighed) }));
      if (o.solutions.length) li.append(el('ul', { class: 'solutions' }, ...o.solutions.map((s) => el('li', { text: `${t.kinds[s.kind]}: ${s.text}` }))));
      if (this.isParticipant && !v.published && this.#phase === 'wegen') li.append(this.weighForm(o));
      if (this.isParticipant && !v.published && this.#phase === 'oplossen') li.append(this.solutionForm(o));
      return li;
    })));
    return box;
  }

  item(o, t) {
    const li = el('li', { 'data-obstacle': o.id }, el('span', { class: 'text', text: o.text }));
    if (o.also && o.also.length) li.append(el('span', { class: 'also', text: t.also(o.also) }));
    return li;
  }

  weighForm(o) {
    const t = this.t;
    const mine = ((this.#views.me || {}).weights || {})[o.id] || {};
    const scale = [1, 2, 3, 4, 5].map((n) => [String(n), String(n)]);
    const [oftenLabel, often] = this.select(`often-${o.id}`, t.often, scale, '–');
    const [blocksLabel, blocks] = this.select(`blocks-${o.id}`, t.blocks, scale, '–');
    if (mine.often) often.value = String(mine.often);
    if (mine.blocks) blocks.value = String(mine.blocks);
    const form = el('form', { class: 'weigh' }, oftenLabel, often, blocksLabel, blocks, el('button', { type: 'submit', 'data-k': `weigh-${o.id}`, text: t.weigh }));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit('weigh', { obstacle: o.id, often: Number(often.value), blocks: Number(blocks.value) }, t.weighed); });
    return form;
  }

  solutionForm(o) {
    const t = this.t;
    const field = el('input', { type: 'text', id: `sol-${o.id}`, 'data-k': `sol-${o.id}`, 'data-keep': `sol-${o.id}`, maxLength: 600, autocomplete: 'off' });
    const [kindLabel, kind] = this.select(`kind-${o.id}`, t.kind, [['tip', t.kinds.tip], ['les', t.kinds.les]]);
    const form = el('form', { class: 'solution' }, el('label', { for: `sol-${o.id}`, class: 'label', text: t.solution }), field, kindLabel, kind,
      el('button', { type: 'submit', 'data-k': `add-${o.id}`, text: t.add }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit('solution', { obstacle: o.id, text: field.value, kind: kind.value }, t.added, () => { const f = this.main.querySelector(`[data-k="sol-${o.id}"]`); if (f) f.value = ''; });
    });
    return form;
  }

  controls(v) {
    const t = this.t;
    const out = [];
    const options = v.obstacles.map((o) => [o.id, o.text]);
    if (!v.published && this.#phase !== 'vastleggen') {
      const tools = el('div', { class: 'tools' });
      if (this.#phase !== 'oplossen') {
        const [whatLabel, what] = this.select('merge-obstacle', t.mergeWhat, options, t.pick);
        const [intoLabel, into] = this.select('merge-into', t.mergeInto, options, t.pick);
        const merge = el('form', { class: 'tool', 'data-input': 'merge' }, el('h3', { text: t.merge }), whatLabel, what, intoLabel, into,
          el('button', { type: 'submit', 'data-k': 'merge', text: t.mergeButton }));
        merge.addEventListener('submit', (e) => { e.preventDefault(); this.submit('merge', { obstacle: what.value, into: into.value }, t.merged); });
        tools.append(merge);
      }
      const [goneLabel, gone] = this.select('remove-obstacle', t.removeWhat, options, t.pick);
      const remove = el('form', { class: 'tool', 'data-input': 'remove' }, el('h3', { text: t.remove }), goneLabel, gone,
        el('button', { type: 'submit', 'data-k': 'remove', text: t.removeButton }));
      remove.addEventListener('submit', (e) => { e.preventDefault(); this.submit('remove', { obstacle: gone.value }, t.removed); });
      tools.append(remove);
      out.push(tools);
    }
    if (this.#phase === 'vastleggen' && !v.published) {
      const publish = el('button', { type: 'button', class: 'primary', 'data-k': 'publish', 'data-input': 'publish', text: t.publish });
      publish.addEventListener('click', () => this.submit('publish', {}, t.publishing));
      out.push(el('p', { class: 'hint', text: t.publishHint(v.top || 5) }), publish);
    }
    return out;
  }
}

customElements.define('hub-plugin-obstacles', HubPluginObstacles);
