// hub-plugin-case-review (CONTRACTS.md §2b): intervisie in groups. Participants see their group's view
// (`group:<id>`: case, cards, leerpunten) and their own id and group (`me`); the facilitator sees every
// group's step, time left and counts (`facilitator`), never the content; the beamer sees the steps and
// timers (`public`). Timers count down on this device from the deadline in the view.
import '/web/components/hub-timer.js';
import { el } from '/web/shell.js';

const TEXT = {
  nl: {
    step: (i, n) => `Stap ${i} van ${n}`, you: 'Jij', member: (n) => `Groepslid ${n}`, youAre: 'Jouw rol', waitGroup: 'Wacht tot de facilitator groepen maakt.',
    group: (g) => `Groep ${g}`, members: 'Groepsleden', roles: { inbrenger: 'inbrenger', voorzitter: 'voorzitter', notulist: 'notulist', adviseur: 'adviseur' },
    proposals: 'Ingebrachte casussen', noProposals: 'Nog geen casus ingebracht.', propose: 'Breng een casus in', proposeAgain: 'Wijzig je casus',
    title: 'Titel', description: 'Korte beschrijving', question: 'Je vraag aan de groep', send: 'Stuur', votes: (n) => `${n} ${n === 1 ? 'stem' : 'stemmen'}`,
    vote: 'Stem op deze casus', voted: 'Jouw stem', choose: 'Kies deze casus', theCase: 'De casus', cards: 'Kaartjes',
    kinds: { question: 'Vraag', hypothesis: 'Hypothese', advice: 'Advies', note: 'Notitie' }, write: 'Schrijf je kaartje', kind: 'Soort',
    listen: 'In deze stap schrijf jij niet.', useful: 'Bruikbaar', markUseful: 'Markeer als bruikbaar', unmark: 'Niet meer bruikbaar',
    assign: (g) => `Rol toewijzen in groep ${g}`, who: 'Groepslid', role: 'Rol', assignSend: 'Wijs de rol toe',
    next: 'Volgende stap', nextAll: 'Alle groepen een stap verder', last: 'Dit is de laatste stap.', makeChair: 'Maak voorzitter', makeNotes: 'Maak notulist',
    leerpunten: 'Leerpunten', leerpunt: 'Schrijf een leerpunt', text: 'Tekst (zonder vertrouwelijke details)', les: 'Les', tip: 'Tip',
    barriers: 'Welke belemmering?', barrier: { 'wet-en-regelgeving': 'Wet- en regelgeving', budget: 'Budget', cultuurverschillen: 'Cultuurverschillen', samenwerking: 'Samenwerking', other: 'Anders' },
    consent: 'Geef toestemming om te delen', consentCase: 'Deel ook titel en vraag van de casus', consented: 'Toestemming gegeven', withCase: 'met casus',
    noConsent: 'Nog geen toestemming', withdraw: 'Trek toestemming in', publish: 'Deel in de gereedschapskist', published: 'Gedeeld', publishedN: (n) => `${n} gedeeld in de gereedschapskist`,
    pending: 'Bezig…', confirmed: 'Bevestigd', stepsLeft: 'Stappen', caseChosen: 'casus gekozen', noCase: 'nog geen casus',
    counts: (g) => `${g.members} leden · ${g.proposals} casussen · ${g.cards} kaartjes · ${g.leerpunten} leerpunten · ${g.published} gedeeld`,
    confidential: 'Wat in de groep gezegd wordt, blijft in de groep.', problems: 'De methode in de agenda klopt niet:', timeLeft: 'Tijd voor deze stap',
    lookBack: 'Terugblik op de vorige sessie', lookBackFrom: (m) => `Vorige keer (${m}) vroeg de inbrenger uit deze groep om deze vraag:`,
    followUp: 'Vervolgvraag voor de volgende sessie', followUpAsk: 'Mogen we je in de volgende sessie van de reeks, in deze groep, vragen wat je met het advies hebt gedaan? Alleen die vraag wordt bewaard, niet je casus, de adviezen of je antwoorden.',
    followUpYes: 'Ja, bewaar de vervolgvraag', followUpNo: 'Nee, bewaar niets', followUpKept: 'De vervolgvraag wordt bewaard voor de volgende sessie.', followUpNone: 'Er wordt niets bewaard.',
  },
  en: {
    step: (i, n) => `Step ${i} of ${n}`, you: 'You', member: (n) => `Member ${n}`, youAre: 'Your role', waitGroup: 'Wait for the facilitator to form groups.',
    group: (g) => `Group ${g}`, members: 'Members', roles: { inbrenger: 'case owner', voorzitter: 'chair', notulist: 'note taker', adviseur: 'adviser' },
    proposals: 'Cases brought in', noProposals: 'No case brought in yet.', propose: 'Bring a case', proposeAgain: 'Change your case',
    title: 'Title', description: 'Short description', question: 'Your question to the group', send: 'Send', votes: (n) => `${n} ${n === 1 ? 'vote' : 'votes'}`,
    vote: 'Vote for this case', voted: 'Your vote', choose: 'Choose this case', theCase: 'The case', cards: 'Cards',
    kinds: { question: 'Question', hypothesis: 'Hypothesis', advice: 'Advice', note: 'Note' }, write: 'Write your card', kind: 'Kind',
    listen: 'You do not write in this step.', useful: 'Useful', markUseful: 'Mark as useful', unmark: 'No longer useful',
    assign: (g) => `Assign a role in group ${g}`, who: 'Member', role: 'Role', assignSend: 'Assign the role',
    next: 'Next step', nextAll: 'All groups one step on', last: 'This is the last step.', makeChair: 'Make chair', makeNotes: 'Make note taker',
    leerpunten: 'Lessons learned', leerpunt: 'Write a lesson', text: 'Text (without confidential details)', les: 'Lesson', tip: 'Tip',
    barriers: 'Which barrier?', barrier: { 'wet-en-regelgeving': 'Laws and regulations', budget: 'Budget', cultuurverschillen: 'Cultural differences', samenwerking: 'Cooperation', other: 'Other' },
    consent: 'Consent to sharing', consentCase: 'Also share the case title and question', consented: 'Consent given', withCase: 'with the case',
    noConsent: 'No consent yet', withdraw: 'Withdraw consent', publish: 'Share in the toolkit', published: 'Shared', publishedN: (n) => `${n} shared in the toolkit`,
    pending: 'Sending…', confirmed: 'Confirmed', stepsLeft: 'Steps', caseChosen: 'case chosen', noCase: 'no case yet',
    counts: (g) => `${g.members} members · ${g.proposals} cases · ${g.cards} cards · ${g.leerpunten} lessons · ${g.published} shared`,
    confidential: 'What is said in the group stays in the group.', problems: 'The method in the agenda is invalid:', timeLeft: 'Time for this step',
    lookBack: 'Looking back at the previous session', lookBackFrom: (m) => `Last time (${m}) the case owner of this group asked for this question:`,
    followUp: 'Follow-up question for the next session', followUpAsk: 'May we ask you in the next session of the series, in this group, what you did with the advice? Only that question is kept, not your case, the advice or your answers.',
    followUpYes: 'Yes, keep the follow-up question', followUpNo: 'No, keep nothing', followUpKept: 'The follow-up question is kept for the next session.', followUpNone: 'Nothing is kept.',
  },
};
const BARRIERS = ['wet-en-regelgeving', 'budget', 'cultuurverschillen', 'samenwerking', 'other'];

class HubPluginCaseReview extends HTMLElement {
  #views = {};
  #role = 'participant';
  #lang = 'nl';
  #phase = 'working';
  #send = null;
  #status = null;
  #formKey = '';
  #form = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: new URL('./case-review.css', import.meta.url).href }));
    this.main = el('section', { class: 'case-review' });
    this.statusEl = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    root.append(this.main, this.statusEl);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  set role(r) { this.#role = r; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.#formKey = ''; this.render(); }
  set phase(p) { this.#phase = p; this.render(); }
  set send(fn) { this.#send = fn; this.render(); }
  set participant(_) {}
  set config(_) {}
  set anonymity(_) {}

  get t() { return TEXT[this.#lang]; }
  get pub() { return this.#views.public || {}; }
  loc(x) { return x ? (x[this.#lang] || x.nl || '') : ''; }

  /** Sends one input; shows pending, then confirmed or the hub's message. `done` runs after the ack. */
  submit(type, payload, done) {
    if (!this.#send) return;
    this.#status = { state: 'pending', message: this.t.pending };
    this.showStatus();
    this.#send(type, payload).then(
      () => { this.#status = { state: 'confirmed', message: this.t.confirmed }; if (done) done(); this.showStatus(); },
      (err) => { this.#status = { state: 'error', message: (err && err.message) || String(err) }; this.showStatus(); },
    );
  }

  showStatus() {
    const s = this.#status;
    this.statusEl.textContent = s ? s.message : '';
    this.statusEl.className = `status ${s ? s.state : ''}`;
  }

  button(text, type, payload, cls = '', done) {
    const b = el('button', { type: 'button', class: cls, 'data-input': type, text });
    b.addEventListener('click', () => this.submit(type, payload, done));
    return b;
  }

  render() {
    const pub = this.pub;
    if (!pub.stages) { this.main.replaceChildren(); return; }
    const parts = [];
    if (pub.method) parts.push(el('h2', { text: this.loc(pub.method.title) }));
    if ((pub.problems || []).length) {
      parts.push(el('div', { class: 'problems', role: 'alert' }, el('p', { text: this.t.problems }),
        el('ul', {}, ...pub.problems.map((p) => el('li', { text: p })))));
    }
    // The facilitator's controls are rebuilt on every view: keep their focus and chosen values (by data-k).
    const active = this.shadowRoot.activeElement;
    const focusKey = active && active.dataset ? active.dataset.k : null;
    const chosen = {};
    for (const f of this.main.querySelectorAll('select[data-k]')) chosen[f.dataset.k] = f.value;
    const opened = new Set([...this.main.querySelectorAll('details[open][data-k]')].map((d) => d.dataset.k));
    if (this.#role === 'facilitator') parts.push(...this.renderFacilitator(pub));
    else if (this.#role === 'participant') parts.push(...this.renderParticipant(pub));
    else parts.push(...this.renderBeamer(pub));
    this.main.replaceChildren(...parts);
    for (const d of this.main.querySelectorAll('details[data-k]')) if (opened.has(d.dataset.k)) d.open = true;
    for (const f of this.main.querySelectorAll('select[data-k]')) {
      if ([...f.options].some((o) => o.value === chosen[f.dataset.k])) f.value = chosen[f.dataset.k];
    }
    if (focusKey) this.main.querySelector(`[data-k="${CSS.escape(focusKey)}"]`)?.focus();
    this.showStatus();
  }

  timer(deadline, label) {
    const t = document.createElement('hub-timer');
    t.setAttribute('lang', this.#lang);
    t.setAttribute('label', label);
    if (deadline) t.setAttribute('deadline', String(deadline));
    return t;
  }

  stageTitle(pub, i) { const s = pub.stages[Math.min(i, pub.stages.length - 1)]; return s ? this.loc(s.title) : ''; }

  renderBeamer(pub) {
    return [el('ul', { class: 'groups' }, ...(pub.groups || []).map((g) => el('li', { class: 'progress' },
      el('strong', { text: this.t.group(g.group) }),
      el('span', { text: `${this.t.step(g.stage + 1, pub.stages.length)}: ${this.stageTitle(pub, g.stage)}` }),
      this.timer(g.deadline, this.t.timeLeft))))];
  }

  renderFacilitator(pub) {
    const f = this.#views.facilitator || {};
    const out = [];
    if (this.#send && pub.pace === 'lockstep' && this.#phase === 'working') out.push(this.button(this.t.nextAll, 'advance', {}, 'primary'));
    const list = el('ul', { class: 'groups' });
    for (const g of f.groups || []) {
      const li = el('li', { class: 'progress', 'data-group': g.group },
        el('strong', { text: this.t.group(g.group) }),
        el('span', { class: 'step', text: `${this.t.step(g.stage + 1, pub.stages.length)}: ${this.loc(g.title)}` }),
        this.timer(g.deadline, this.t.timeLeft),
        el('span', { class: 'facts', text: `${g.caseChosen ? this.t.caseChosen : this.t.noCase} · ${this.t.counts(g)}` }));
      if (this.#send && pub.pace !== 'lockstep' && this.#phase === 'working' && g.stage < pub.stages.length - 1) {
        const next = this.button(this.t.next, 'advance', { group: g.group }, 'small');
        next.dataset.k = `advance-${g.group}`;
        li.append(next);
      }
      if (this.#send && (this.#phase === 'working' || this.#phase === 'closing') && (g.roles || []).length) li.append(this.assignForm(g));
      list.append(li);
    }
    out.push(list);
    return out;
  }

  /** The facilitator appoints a voorzitter or notulist in a group (input `assign-role`); members by number, as the group sees them. */
  assignForm(g) {
    const t = this.t;
    const who = el('select', { id: `who-${g.group}`, 'data-k': `who-${g.group}`, 'data-keep': 'off' },
      ...g.roles.map((m, i) => el('option', { value: m.id, text: `${t.member(i + 1)} · ${t.roles[m.role] || m.role}` })));
    const role = el('select', { id: `role-${g.group}`, 'data-k': `role-${g.group}`, 'data-keep': 'off' },
      ...['voorzitter', 'notulist', 'adviseur'].map((r) => el('option', { value: r, text: t.roles[r] })));
    const form = el('form', { class: 'assign', 'data-input': 'assign-role', 'aria-label': t.assign(g.group) },
      el('label', { for: `who-${g.group}`, text: t.who }), who,
      el('label', { for: `role-${g.group}`, text: t.role }), role,
      el('button', { type: 'submit', class: 'small', 'data-k': `assign-${g.group}`, text: t.assignSend }));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit('assign-role', { group: g.group, participant: who.value, role: role.value }); });
    return el('details', { class: 'assign-box', 'data-k': `assign-box-${g.group}` }, el('summary', { 'data-input': 'assign-role', 'data-k': `assign-open-${g.group}`, text: t.assign(g.group) }), form);
  }

  renderParticipant(pub) {
    const me = this.#views.me || {};
    const gv = me.group ? this.#views[`group:${me.group}`] : null;
    if (!gv) { this.#formKey = ''; return [el('p', { class: 'hint', text: this.t.waitGroup })]; }
    const t = this.t;
    const stage = pub.stages[gv.stage] || pub.stages[0];
    const last = gv.stage >= pub.stages.length - 1;
    const mine = (gv.members.find((m) => m.id === me.id) || {}).role || 'adviseur';
    const chair = mine === 'voorzitter';
    const out = [
      el('p', { class: 'facts', text: `${t.group(gv.group)} · ${t.youAre}: ${t.roles[mine]}` }),
      el('h3', { class: 'stage', 'data-step': gv.step, text: `${t.step(gv.stage + 1, pub.stages.length)}: ${this.loc(stage.title)}` }),
      this.timer(gv.deadline, t.timeLeft),
      el('p', { class: 'purpose', text: this.loc(stage.purpose) }),
      el('p', { class: 'prompt', text: this.loc((stage.prompts || {})[mine]) }),
    ];
    // The previous session's follow-up question reaches only this group's view (docs/CASE-REVIEW.md).
    if (gv.lookBack) {
      out.push(el('section', { class: 'look-back', 'aria-label': t.lookBack }, el('h4', { text: t.lookBack }),
        el('p', { class: 'facts', text: t.lookBackFrom(this.loc(gv.lookBack.method.title)) }),
        el('p', { class: 'question follow-up-question', text: this.loc(gv.lookBack.question) })));
    }
    if (gv.case) {
      out.push(el('div', { class: 'case', 'aria-label': t.theCase }, el('strong', { text: gv.case.title }),
        gv.case.description ? el('p', { text: gv.case.description }) : null, el('p', { class: 'question', text: gv.case.question })));
    }
    const members = el('ul', { class: 'members', 'aria-label': t.members });
    gv.members.forEach((m, i) => {
      const li = el('li', {}, el('span', { text: `${m.id === me.id ? t.you : t.member(i + 1)} · ${t.roles[m.role]}` }));
      if (chair && m.id !== me.id && m.role !== 'inbrenger' && this.#phase !== 'closed') {
        li.append(this.button(t.makeNotes, 'assign-role', { participant: m.id, role: 'notulist' }, 'small'),
          this.button(t.makeChair, 'assign-role', { participant: m.id, role: 'voorzitter' }, 'small'));
      }
      members.append(li);
    });
    out.push(el('details', {}, el('summary', { text: `${t.members} (${gv.members.length})` }), members));
    if (gv.stage === 0) out.push(...this.intake(pub, gv, me, chair));
    else if (!last) out.push(...this.cards(pub, gv, me, mine, stage));
    else out.push(...this.leerpunten(gv, me, mine, chair));
    if (chair && !last && pub.pace !== 'lockstep' && this.#phase === 'working') out.push(this.button(t.next, 'advance', {}, 'primary next'));
    out.push(el('p', { class: 'hint', text: t.confidential }));
    return out;
  }

  /** A form that survives re-renders while its key (stage, role, phase) stays the same, so typing is never lost. */
  keep(key, make) {
    if (this.#formKey !== key || !this.#form) { this.#formKey = key; this.#form = make(); }
    return this.#form;
  }

  field(label, name, tag = 'input', props = {}) {
    const input = el(tag, Object.assign({ name, id: `f-${name}` }, props));
    return el('label', { class: 'field', for: `f-${name}` }, el('span', { text: label }), input);
  }

  intake(pub, gv, me, chair) {
    const t = this.t;
    const out = [el('h4', { text: t.proposals })];
    if (!gv.proposals.length) out.push(el('p', { class: 'hint', text: t.noProposals }));
    const list = el('ul', { class: 'proposals' });
    for (const p of gv.proposals) {
      const li = el('li', { 'data-id': p.id }, el('strong', { text: p.title }), p.description ? el('p', { text: p.description }) : null,
        el('p', { class: 'question', text: p.question }), el('span', { class: 'facts', text: t.votes(p.votes) }));
      if (this.#phase === 'working') {
        li.append(gv.votes[me.id] === p.id ? el('span', { class: 'badge', text: t.voted }) : this.button(t.vote, 'vote-case', { proposal: p.id }, 'small'));
        if (chair && pub.choice !== 'vote') li.append(this.button(t.choose, 'choose-case', { proposal: p.id }, 'small choose'));
      }
      list.append(li);
    }
    out.push(list);
    if (this.#phase === 'working') {
      const own = gv.proposals.some((p) => p.by === me.id);
      out.push(this.keep(`intake:${own}`, () => {
        const form = el('form', { class: 'propose' }, el('h4', { text: own ? t.proposeAgain : t.propose }),
          this.field(t.title, 'title', 'input', { maxLength: 120, required: true }),
          this.field(t.description, 'description', 'textarea', { maxLength: 2000, rows: 3 }),
          this.field(t.question, 'question', 'textarea', { maxLength: 500, rows: 2, required: true }),
          el('button', { type: 'submit', class: 'primary', text: t.send }));
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          const v = (n) => form.elements[n].value.trim();
          this.submit('propose', { title: v('title'), description: v('description'), question: v('question') }, () => form.reset());
        });
        return form;
      }));
    }
    return out;
  }

  cards(pub, gv, me, mine, stage) {
    const t = this.t;
    const out = [];
    const owner = mine === 'inbrenger';
    for (const s of pub.stages.slice(1, gv.stage + 1).reverse()) {
      const cards = gv.cards.filter((c) => c.step === s.id);
      if (!cards.length) continue;
      const list = el('ul', { class: 'cards', 'data-step': s.id });
      for (const c of cards) {
        const li = el('li', { class: `card kind-${c.kind}${c.useful ? ' useful' : ''}`, 'data-id': c.id },
          el('span', { class: 'kind', text: `${t.kinds[c.kind] || c.kind} · ${t.roles[c.role] || c.role}` }), el('p', { text: c.text }),
          c.useful ? el('span', { class: 'badge', text: t.useful }) : null);
        if (owner && c.kind === 'advice') li.append(this.button(c.useful ? t.unmark : t.markUseful, 'mark-useful', { card: c.id, useful: !c.useful }, 'small useful-toggle'));
        list.append(li);
      }
      out.push(el('h4', { text: this.loc(s.title) }), list);
    }
    if (this.#phase !== 'working') return out;
    if (!stage.who.includes(mine)) { out.unshift(el('p', { class: 'hint listen', text: t.listen })); this.#formKey = ''; return out; }
    out.unshift(this.keep(`card:${gv.step}:${mine}`, () => {
      const kinds = stage.kinds;
      const select = el('select', { name: 'kind', id: 'f-kind' }, ...kinds.map((k) => el('option', { value: k, text: t.kinds[k] || k })));
      const form = el('form', { class: 'card-form' }, kinds.length > 1 ? el('label', { class: 'field', for: 'f-kind' }, el('span', { text: t.kind }), select) : null,
        this.field(t.write, 'text', 'textarea', { maxLength: 1000, rows: 3, required: true }),
        el('button', { type: 'submit', class: 'primary', text: t.send }));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        this.submit('card', { kind: kinds.length > 1 ? select.value : kinds[0], text: form.elements.text.value.trim() }, () => { form.elements.text.value = ''; });
      });
      return form;
    }));
    return out;
  }

  /** The inbrenger decides whether one follow-up question is kept for the next session (input `follow-up`). */
  followUp(gv, owner) {
    const t = this.t;
    const state = gv.followUp === true ? t.followUpKept : gv.followUp === false ? t.followUpNone : '';
    const box = el('section', { class: 'follow-up', 'aria-label': t.followUp }, el('h4', { text: t.followUp }));
    if (owner && this.#phase !== 'closed') {
      box.append(el('p', { text: t.followUpAsk }),
        el('div', { class: 'choices' },
          this.button(t.followUpYes, 'follow-up', { consent: true }, `small${gv.followUp === true ? ' chosen' : ''}`),
          this.button(t.followUpNo, 'follow-up', { consent: false }, `small${gv.followUp === false ? ' chosen' : ''}`)));
      for (const b of box.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.classList.contains('chosen')));
    }
    if (state) box.append(el('p', { class: 'facts follow-up-state', text: state }));
    return box;
  }

  leerpunten(gv, me, mine, chair) {
    const t = this.t;
    const owner = mine === 'inbrenger';
    const out = [el('h4', { text: t.leerpunten })];
    const list = el('ul', { class: 'leerpunten' });
    for (const l of gv.leerpunten) {
      const state = l.published ? t.published : l.consent ? `${t.consented}${l.shareCase ? ` (${t.withCase})` : ''}` : t.noConsent;
      const li = el('li', { 'data-id': l.id, class: l.consent ? 'consented' : '' },
        el('strong', { text: `${l.kind === 'tip' ? t.tip : t.les}: ${l.title}` }), el('p', { text: l.text }),
        el('span', { class: 'facts', text: `${l.barriers.map((b) => t.barrier[b] || b).join(', ')} · ${state}` }));
      if (owner && !l.published && this.#phase !== 'closed') {
        if (!l.consent) {
          li.append(this.button(t.consent, 'consent', { leerpunt: l.id, consent: true }, 'small consent'),
            this.button(t.consentCase, 'consent', { leerpunt: l.id, consent: true, shareCase: true }, 'small'));
        } else li.append(this.button(t.withdraw, 'consent', { leerpunt: l.id, consent: false }, 'small'));
      }
      list.append(li);
    }
    out.push(list);
    if (gv.published) out.push(el('p', { class: 'facts', text: t.publishedN(gv.published) }));
    if (this.pub.followUp) out.push(this.followUp(gv, owner));
    if (this.#phase === 'closed') return out;
    if ((chair || owner) && gv.leerpunten.some((l) => l.consent && !l.published)) out.push(this.button(t.publish, 'publish', {}, 'primary publish'));
    out.push(this.keep('leerpunt', () => {
      const kind = el('select', { name: 'lkind', id: 'f-lkind' }, el('option', { value: 'les', text: t.les }), el('option', { value: 'tip', text: t.tip }));
      const boxes = el('fieldset', { class: 'barriers' }, el('legend', { text: t.barriers }),
        ...BARRIERS.map((b) => el('label', { class: 'check', for: `b-${b}` }, el('input', { type: 'checkbox', name: 'barrier', value: b, id: `b-${b}` }), el('span', { text: t.barrier[b] }))));
      const form = el('form', { class: 'leerpunt-form' }, el('h4', { text: t.leerpunt }),
        el('label', { class: 'field', for: 'f-lkind' }, el('span', { text: t.kind }), kind),
        this.field(t.title, 'ltitle', 'input', { maxLength: 120, required: true }),
        this.field(t.text, 'ltext', 'textarea', { maxLength: 2000, rows: 3, required: true }), boxes,
        el('button', { type: 'submit', class: 'primary', text: t.send }));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const barriers = [...form.querySelectorAll('input[name=barrier]:checked')].map((i) => i.value);
        this.submit('leerpunt', { kind: kind.value, title: form.elements.ltitle.value.trim(), text: form.elements.ltext.value.trim(), barriers }, () => form.reset());
      });
      return form;
    }));
    return out;
  }
}

customElements.define('hub-plugin-case-review', HubPluginCaseReview);
