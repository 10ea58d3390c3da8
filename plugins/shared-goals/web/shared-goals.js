// hub-plugin-shared-goals (CONTRACTS.md §2b): the verkennend gesprek (docs/SHARED-GOALS.md).
// One element for every role: goals, parties and agreements come from the `public` view, the participant's own
// party, goals and marks from `me`, the room's progress from `facilitator`. What a screen shows follows the
// phase: doelen (write), delen (mark the goals you share), afspraken and vastleggen (the common goals).
// Every control is a real button, radio or text field, so all of it works with the keyboard alone; the element
// re-renders from its views, and the focus and what someone is typing survive each render.
import '/web/components/hub-status.js';
import { el } from '/web/shell.js';

const TEXT = {
  nl: {
    party: 'Voor welke partij zit je hier?', formal: 'Formele partners', informal: 'Informele partners',
    org: 'Organisatie (mag leeg)', orgHint: 'Bijvoorbeeld de naam van je corporatie of buurtvereniging.', setParty: 'Dit is mijn partij',
    partySet: 'Je partij staat.', youAre: (p) => `Je zit hier als ${p}.`, changeParty: 'Andere partij kiezen',
    kind: 'Wat schrijf je op?', kinds: { goal: 'Doel', wish: 'Wens' }, goalText: 'Jouw doel of wens',
    goalHint: (n, m) => `Hooguit ${n} tekens; ${m} doelen en wensen per persoon.`, add: 'Voeg toe', added: 'Toegevoegd.',
    full: (n) => `Je hebt je ${n} doelen en wensen opgeschreven. Trek er een in om een ander op te schrijven.`, cancel: 'Annuleer',
    mine: 'Jouw doelen en wensen', withdraw: 'Trek in', withdrawn: 'Ingetrokken.', none: 'Nog niets.',
    others: 'Wat anderen opschreven', goals: (n) => `${n} ${n === 1 ? 'doel' : 'doelen en wensen'}`,
    shareIntro: (n) => `Welke doelen van andere partijen deel jij? Een doel dat ${n} partijen delen, wordt een gedeeld doel.`,
    share: 'Dit deel ik ook', shared: 'Gedeeld', unshare: 'Niet meer delen', marked: 'Genoteerd.',
    yourGoal: 'jouw doel', yourParty: 'van jouw partij', parties: (n) => `${n} ${n === 1 ? 'partij' : 'partijen'}`,
    people: (n) => `${n} ${n === 1 ? 'persoon' : 'mensen'}`, sides: (i, f) => `${i} informeel, ${f} formeel`, common: 'Gedeelde doelen', commonHint: (n) => `Gedeeld door minstens ${n} partijen.`,
    noCommon: 'Nog geen gedeelde doelen.', supportedBy: 'Gedragen door', agreements: 'Afspraken', noAgreements: 'Nog geen afspraken.',
    agreementText: 'Nieuwe afspraak', addAgreement: 'Voeg afspraak toe', principles: 'Uitgangspunten om toe te voegen',
    remove: 'Verwijder', removed: 'Verwijderd.', publish: 'Leg vast in de gereedschapskist', publishing: 'Vastgelegd.',
    publishHint: 'De gedeelde doelen, wie ze dragen en de afspraken worden één item in de gereedschapskist.',
    published: 'Vastgelegd in de gereedschapskist.', closed: 'De gedeelde doelen zijn vastgelegd. Dank voor je inbreng!',
    progress: (p, w, m) => `${p} deelnemers met een partij · ${w} schreven doelen · ${m} deelden doelen`,
    partiesHere: 'Partijen aan tafel', waitShare: 'De facilitator opent zo het delen.', listening: 'De facilitator bespreekt de gedeelde doelen.',
    broken: 'Deze activiteit is verkeerd ingesteld.', chooseParty: 'Kies een partij.', goalOf: (r) => `van ${r}`,
  },
  en: {
    party: 'Which party do you represent here?', formal: 'Formal partners', informal: 'Informal partners',
    org: 'Organisation (optional)', orgHint: 'For example the name of your housing association or residents\' group.', setParty: 'This is my party',
    partySet: 'Your party is set.', youAre: (p) => `You are here as ${p}.`, changeParty: 'Choose another party',
    kind: 'What are you writing down?', kinds: { goal: 'Goal', wish: 'Wish' }, goalText: 'Your goal or wish',
    goalHint: (n, m) => `At most ${n} characters; ${m} goals and wishes per person.`, add: 'Add', added: 'Added.',
    full: (n) => `You have written your ${n} goals and wishes. Withdraw one to write another.`, cancel: 'Cancel',
    mine: 'Your goals and wishes', withdraw: 'Withdraw', withdrawn: 'Withdrawn.', none: 'Nothing yet.',
    others: 'What others wrote', goals: (n) => `${n} ${n === 1 ? 'goal' : 'goals and wishes'}`,
    shareIntro: (n) => `Which goals of other parties do you share? A goal that ${n} parties share becomes a common goal.`,
    share: 'I share this too', shared: 'Shared', unshare: 'Stop sharing', marked: 'Noted.',
    yourGoal: 'your goal', yourParty: 'from your party', parties: (n) => `${n} ${n === 1 ? 'party' : 'parties'}`,
    people: (n) => `${n} ${n === 1 ? 'person' : 'people'}`, sides: (i, f) => `${i} informal, ${f} formal`, common: 'Common goals', commonHint: (n) => `Shared by at least ${n} parties.`,
    noCommon: 'No common goals yet.', supportedBy: 'Supported by', agreements: 'Agreements', noAgreements: 'No agreements yet.',
    agreementText: 'New agreement', addAgreement: 'Add agreement', principles: 'Principles to add',
    remove: 'Remove', removed: 'Removed.', publish: 'Record in the gereedschapskist', publishing: 'Recorded.',
    publishHint: 'The common goals, who supports them and the agreements become one item in the gereedschapskist.',
    published: 'Recorded in the gereedschapskist.', closed: 'The common goals have been recorded. Thank you for your input!',
    progress: (p, w, m) => `${p} participants with a party · ${w} wrote goals · ${m} shared goals`,
    partiesHere: 'Parties at the table', waitShare: 'The facilitator will open the sharing shortly.', listening: 'The facilitator discusses the common goals.',
    broken: 'This activity is set up wrongly.', chooseParty: 'Choose a party.', goalOf: (r) => `from ${r}`,
  },
};

class HubPluginSharedGoals extends HTMLElement {
  #views = {};
  #role = 'beamer';
  #lang = 'nl';
  #phase = 'doelen';
  #send = null;
  #status = null;
  #editParty = false;
  #kind = 'goal';
  #partyDraft = null; // the role picked but not sent yet: views arriving meanwhile must not reset it

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: new URL('./shared-goals.css', import.meta.url).href }));
    this.main = el('section', { class: 'goals' });
    root.append(this.main);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r || 'beamer'; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set phase(p) { if (p !== this.#phase) this.#status = null; this.#phase = p || 'doelen'; this.render(); }
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

  tr(text) { return (text && (text[this.#lang] || text.nl)) || ''; }
  roleTitle(id) { const r = (this.pub.roles || []).find((x) => x.id === id); return r ? this.tr(r.title) : id; }
  label(p) { return p.org ? `${this.roleTitle(p.role)} (${p.org})` : this.roleTitle(p.role); }
  /** The party at index i of the public view's table (goals name their parties by index). */
  partyAt(i) { return (this.pub.parties || [])[i] || { role: '?', org: '' }; }
  authorOf(g) { return this.label(this.partyAt(g.party)); }
  /** "2 informeel, 3 formeel": the sides of the parties behind a goal, from their roles. */
  sides(g) {
    const side = (i) => ((this.pub.roles || []).find((r) => r.id === this.partyAt(i).role) || {}).side;
    const informal = g.parties.filter((i) => side(i) === 'informal').length;
    return this.t.sides(informal, g.parties.length - informal);
  }

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
    const active = this.shadowRoot.activeElement;
    const focusKey = active && active.dataset ? active.dataset.k : null;
    const caret = active && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : null;
    const drafts = {};
    for (const f of this.main.querySelectorAll('textarea[data-k], input[type=text][data-k]')) drafts[f.dataset.k] = f.value;

    const v = this.pub;
    this.main.className = `goals role-${this.#role} phase-${this.#phase}`;
    if (v.error) { this.main.replaceChildren(el('p', { class: 'error', role: 'alert', text: this.tr(v.error) || this.t.broken })); return; }
    if (!v.roles) { this.main.replaceChildren(); return; }
    const parts = [el('p', { class: 'title', text: this.tr(v.title) })];
    if (this.isFac) parts.push(...this.facilitator(v, drafts));
    else if (this.isParticipant) parts.push(...this.participantView(v, drafts));
    else parts.push(...this.beamer(v));
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

  // ---- participants

  participantView(v, drafts) {
    const t = this.t;
    const me = this.me;
    const out = [];
    if (v.published) return [el('p', { class: 'published', role: 'status', text: t.closed }), this.commonGoals(v)];
    const open = this.#phase === 'doelen' || this.#phase === 'delen';
    if (open && (!me.party || this.#editParty)) {
      out.push(this.partyForm(v, me, drafts));
      return out;
    }
    if (me.party) {
      const line = el('p', { class: 'you' }, t.youAre(this.label(me.party)));
      const mineEmpty = !(me.goals || []).length && !(me.marks || []).length;
      if (open && mineEmpty) {
        const change = el('button', { type: 'button', class: 'link', 'data-k': 'change-party', text: t.changeParty });
        change.addEventListener('click', () => { this.#editParty = true; this.#status = null; this.render(); });
        line.append(' ', change);
      }
      out.push(line);
    }
    if (this.#phase === 'doelen') {
      out.push(el('p', { class: 'prompt', text: this.tr(v.prompt) }));
      if ((me.goals || []).length < v.maxGoals) out.push(this.goalForm(v, drafts));
      else out.push(el('p', { class: 'hint', role: 'status', text: t.full(v.maxGoals) }));
      out.push(this.myGoals(v, me));
      const others = v.goals.filter((g) => !(me.goals || []).includes(g.id));
      if (others.length) {
        out.push(el('h2', { text: t.others }),
          el('ul', { class: 'list plain' }, ...others.map((g) => el('li', {}, el('span', { class: 'text', text: g.text }),
            el('span', { class: 'meta', text: ` · ${t.kinds[g.kind]} · ${t.goalOf(this.authorOf(g))}` })))));
      }
    } else if (this.#phase === 'delen') {
      out.push(el('p', { class: 'prompt', text: t.shareIntro(v.threshold) }), this.shareList(v, me));
    } else {
      out.push(el('p', { class: 'hint', text: t.listening }), this.commonGoals(v), this.agreements(v, false));
    }
    return out;
  }

  partyForm(v, me, drafts) {
    const t = this.t;
    const current = me.party || {};
    const chosen = () => this.#partyDraft || current.role || null;
    const form = el('form', { class: 'party' }, el('h2', { text: t.party }));
    for (const side of ['informal', 'formal']) {
      const roles = v.roles.filter((r) => r.side === side);
      if (!roles.length) continue;
      const fs = el('fieldset', { class: 'roles' }, el('legend', { text: side === 'formal' ? t.formal : t.informal }));
      for (const r of roles) {
        const input = el('input', { type: 'radio', name: 'role', value: r.id, id: `r-${r.id}`, checked: chosen() === r.id, 'data-k': `role-${r.id}` });
        input.addEventListener('change', () => { this.#partyDraft = r.id; });
        fs.append(el('label', { class: 'choice', for: `r-${r.id}` }, input, el('span', { text: this.tr(r.title) })));
      }
      form.append(fs);
    }
    let org = null;
    if (v.askOrg) {
      org = el('input', { type: 'text', id: 'org', maxLength: 80, 'data-k': 'org', 'data-keep': 'shared-goals-org', autocomplete: 'organization', 'aria-describedby': 'org-hint' });
      org.value = drafts.org !== undefined ? drafts.org : (current.org || '');
      form.append(el('label', { for: 'org', class: 'label', text: t.org }), org, el('p', { id: 'org-hint', class: 'hint', text: t.orgHint }));
    }
    const buttons = el('div', { class: 'buttons' }, el('button', { type: 'submit', class: 'primary', 'data-k': 'set-party', text: t.setParty }));
    if (me.party) {
      const cancel = el('button', { type: 'button', 'data-k': 'cancel-party', text: t.cancel });
      cancel.addEventListener('click', () => { this.#editParty = false; this.#partyDraft = null; this.render(); });
      buttons.append(cancel);
    }
    form.append(buttons);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!chosen()) { this.#status = { state: 'error', message: t.chooseParty }; this.render(); return; }
      const payload = { role: chosen() };
      if (org && org.value.trim()) payload.org = org.value;
      this.submit('party', payload, t.partySet, () => { this.#editParty = false; this.#partyDraft = null; });
    });
    return form;
  }

  goalForm(v, drafts) {
    const t = this.t;
    const form = el('form', { class: 'add' });
    const fs = el('fieldset', { class: 'kind' }, el('legend', { text: t.kind }));
    for (const k of ['goal', 'wish']) {
      const input = el('input', { type: 'radio', name: 'kind', value: k, id: `k-${k}`, checked: this.#kind === k, 'data-k': `kind-${k}` });
      input.addEventListener('change', () => { this.#kind = k; });
      fs.append(el('label', { class: 'choice', for: `k-${k}` }, input, el('span', { text: t.kinds[k] })));
    }
    const area = el('textarea', { id: 'goal-text', rows: 2, maxLength: v.maxLength, 'data-k': 'goal-text', 'data-keep': 'shared-goals-goal', 'aria-describedby': 'goal-hint' });
    area.value = drafts['goal-text'] || '';
    form.append(fs, el('label', { for: 'goal-text', class: 'label', text: t.goalText }), area,
      el('p', { id: 'goal-hint', class: 'hint', text: t.goalHint(v.maxLength, v.maxGoals) }),
      el('button', { type: 'submit', class: 'primary', 'data-k': 'add-goal', text: t.add }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit('goal', { kind: this.#kind, text: area.value }, t.added, () => {
        const field = this.main.querySelector('[data-k="goal-text"]');
        if (field) field.value = '';
      });
    });
    return form;
  }

  myGoals(v, me) {
    const t = this.t;
    const mine = v.goals.filter((g) => (me.goals || []).includes(g.id));
    const list = el('ul', { class: 'list mine' });
    for (const g of mine) {
      const b = el('button', { type: 'button', 'data-k': `withdraw-${g.id}`, text: t.withdraw, 'aria-label': `${t.withdraw}: ${g.text}` });
      b.addEventListener('click', () => this.submit('withdraw', { goal: g.id }, t.withdrawn));
      list.append(el('li', { 'data-goal': g.id }, el('span', { class: 'text', text: g.text }), el('span', { class: 'meta', text: ` · ${t.kinds[g.kind]}` }), b));
    }
    return el('section', { class: 'mine-box' }, el('h2', { text: t.mine }), mine.length ? list : el('p', { class: 'hint', text: t.none }));
  }

  shareList(v, me) {
    const t = this.t;
    const same = (p) => me.party && p.role === me.party.role && (p.org || '').toLowerCase() === (me.party.org || '').toLowerCase();
    const list = el('ul', { class: 'list share' });
    for (const g of v.goals) {
      const li = el('li', { 'data-goal': g.id, class: g.common ? 'common' : '' },
        el('span', { class: 'text', text: g.text }),
        el('span', { class: 'meta', text: ` · ${t.kinds[g.kind]} · ${t.goalOf(this.authorOf(g))} · ${t.parties(g.parties.length)}` }));
      if ((me.goals || []).includes(g.id)) li.append(el('span', { class: 'tag', text: t.yourGoal }));
      else if (same(this.partyAt(g.party))) li.append(el('span', { class: 'tag', text: t.yourParty }));
      else {
        const on = (me.marks || []).includes(g.id);
        const b = el('button', { type: 'button', class: on ? 'toggle on' : 'toggle', 'aria-pressed': on ? 'true' : 'false', 'data-k': `mark-${g.id}`,
          text: on ? `✓ ${t.shared}` : t.share, title: on ? t.unshare : t.share, 'aria-label': `${t.share}: ${g.text}` });
        b.addEventListener('click', () => this.submit('mark', { goal: g.id, shared: !on }, t.marked));
        li.append(b);
      }
      list.append(li);
    }
    return list;
  }

  // ---- shared parts

  commonGoals(v) {
    const t = this.t;
    const common = v.goals.filter((g) => g.common);
    const box = el('section', { class: 'common-box', 'aria-live': this.#role === 'beamer' ? 'polite' : null },
      el('h2', { text: t.common }), el('p', { class: 'hint', text: t.commonHint(v.threshold) }));
    if (!common.length) { box.append(el('p', { class: 'hint', text: t.noCommon })); return box; }
    box.append(el('ol', { class: 'list common' }, ...common.map((g) => el('li', { 'data-goal': g.id },
      el('span', { class: 'text', text: g.text }),
      el('span', { class: 'meta', text: ` · ${t.parties(g.parties.length)} (${this.sides(g)}) · ${t.people(g.people)}` }),
      el('span', { class: 'support' }, `${t.supportedBy}: `, ...g.parties.map((i) => el('span', { class: 'chip', text: this.label(this.partyAt(i)) })))))));
    return box;
  }

  agreements(v, editable) {
    const t = this.t;
    const box = el('section', { class: 'agreements-box' }, el('h2', { text: t.agreements }));
    if (!v.agreements.length) { box.append(el('p', { class: 'hint', text: t.noAgreements })); return box; }
    const list = el('ul', { class: 'list agreements' });
    for (const a of v.agreements) {
      const li = el('li', { 'data-agreement': a.id }, el('span', { class: 'text', text: this.tr(a.text) }));
      if (editable) {
        const b = el('button', { type: 'button', 'data-k': `drop-${a.id}`, 'data-input': 'agreement', text: t.remove, 'aria-label': `${t.remove}: ${this.tr(a.text)}` });
        b.addEventListener('click', () => this.submit('agreement', { id: a.id, text: '' }, t.removed));
        li.append(b);
      }
      list.append(li);
    }
    box.append(list);
    return box;
  }

  // ---- beamer

  beamer(v) {
    const t = this.t;
    const out = [];
    if (this.#phase === 'doelen' || this.#phase === 'delen') {
      out.push(el('p', { class: 'prompt', text: this.#phase === 'doelen' ? this.tr(v.prompt) : t.shareIntro(v.threshold) }));
      const here = v.roles.filter((r) => r.people);
      if (here.length) out.push(el('p', { class: 'here' }, `${t.partiesHere}: `, ...here.map((r) => el('span', { class: 'chip', text: `${this.tr(r.title)} ${r.people}` }))));
      out.push(el('p', { class: 'count', 'aria-live': 'polite', text: t.goals(v.goals.length) }));
      out.push(el('ul', { class: 'list wall' }, ...v.goals.slice(0, 40).map((g) => el('li', { 'data-goal': g.id, class: g.common ? 'common' : '' },
        el('span', { class: 'text', text: g.text }),
        el('span', { class: 'meta', text: this.#phase === 'delen' ? ` · ${t.parties(g.parties.length)}` : ` · ${this.roleTitle(this.partyAt(g.party).role)}` })))));
    } else {
      out.push(this.commonGoals(v), this.agreements(v, false));
    }
    if (v.published) out.push(el('p', { class: 'published', role: 'status', text: t.published }));
    return out;
  }

  // ---- facilitator

  facilitator(v, drafts) {
    const t = this.t;
    const f = this.fac;
    const out = [el('p', { class: 'progress', 'aria-live': 'polite', text: t.progress(f.people || 0, f.writing || 0, f.marking || 0) })];
    if ((v.parties || []).length) {
      out.push(el('p', { class: 'here' }, `${t.partiesHere}: `, ...v.parties.map((p) => el('span', { class: 'chip', text: `${this.label(p)} ${p.people}` }))));
    }
    if (this.#phase === 'afspraken' || this.#phase === 'vastleggen') out.push(this.commonGoals(v));
    const list = el('ul', { class: 'list fac' });
    for (const g of v.goals) {
      const li = el('li', { 'data-goal': g.id, class: g.common ? 'common' : '' }, el('span', { class: 'text', text: g.text }),
        el('span', { class: 'meta', text: ` · ${t.kinds[g.kind]} · ${t.goalOf(this.authorOf(g))} · ${t.parties(g.parties.length)} · ${t.people(g.people)}` }));
      if (!v.published && this.#phase !== 'vastleggen') {
        const b = el('button', { type: 'button', 'data-k': `remove-${g.id}`, 'data-input': 'remove', text: t.remove, 'aria-label': `${t.remove}: ${g.text}` });
        b.addEventListener('click', () => this.submit('remove', { goal: g.id }, t.removed));
        li.append(b);
      }
      list.append(li);
    }
    out.push(el('details', { class: 'all', open: this.#phase === 'doelen' || this.#phase === 'delen' },
      el('summary', { 'data-k': 'all-goals', text: t.goals(v.goals.length) }), list));
    if (this.#phase === 'afspraken' || this.#phase === 'vastleggen') {
      out.push(this.agreements(v, !v.published));
      if (!v.published) out.push(this.agreementForm(v, drafts));
    }
    if (this.#phase === 'vastleggen' && !v.published) {
      const publish = el('button', { type: 'button', class: 'primary', 'data-k': 'publish', 'data-input': 'publish', text: t.publish });
      publish.addEventListener('click', () => this.submit('publish', {}, t.publishing));
      out.push(el('p', { class: 'hint', text: t.publishHint }), publish);
    }
    if (v.published) out.push(el('p', { class: 'published', role: 'status', text: t.published }));
    return out;
  }

  agreementForm(v, drafts) {
    const t = this.t;
    const box = el('div', { class: 'agreement-form', 'data-input': 'agreement' });
    const area = el('textarea', { id: 'agreement', rows: 2, maxLength: 300, 'data-k': 'agreement', 'data-keep': 'shared-goals-agreement' });
    area.value = drafts.agreement || '';
    const add = el('button', { type: 'button', 'data-k': 'add-agreement', text: t.addAgreement });
    add.addEventListener('click', () => this.submit('agreement', { text: area.value }, t.added, () => {
      const field = this.main.querySelector('[data-k="agreement"]');
      if (field) field.value = '';
    }));
    box.append(el('label', { for: 'agreement', class: 'label', text: t.agreementText }), area, add);
    const taken = new Set(v.agreements.map((a) => a.principle).filter(Boolean));
    const open = v.principles.filter((p) => !taken.has(p.id));
    if (open.length) {
      const ul = el('ul', { class: 'principles', 'aria-label': t.principles });
      for (const p of open) {
        const b = el('button', { type: 'button', 'data-k': `principle-${p.id}`, text: `+ ${this.tr(p.text)}` });
        b.addEventListener('click', () => this.submit('agreement', { principle: p.id }, t.added));
        ul.append(el('li', {}, b));
      }
      box.append(el('h3', { text: t.principles }), ul);
    }
    return box;
  }
}

customElements.define('hub-plugin-shared-goals', HubPluginSharedGoals);
