// hub-plugin-timer: a countdown to the deadline in the view (CONTRACTS.md §2b). The plugin never counts;
// every screen counts down to the same deadline on its own clock.
const TEXT = {
  nl: { start: 'Start', pause: 'Pauzeer', resume: 'Hervat', reset: 'Opnieuw', paused: 'Gepauzeerd', ready: 'Klaar om te starten', done: 'De tijd is om', timer: 'Timer',
    minutes: 'Duur (minuten)', set: 'Stel de duur in', refused: 'Niet gelukt: ' },
  en: { start: 'Start', pause: 'Pause', resume: 'Resume', reset: 'Reset', paused: 'Paused', ready: 'Ready to start', done: 'Time is up', timer: 'Timer',
    minutes: 'Duration (minutes)', set: 'Set the duration', refused: 'Did not work: ' },
};

function format(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(total / 60);
  const s = String(total % 60).padStart(2, '0');
  return `${m}:${s}`;
}

class HubPluginTimer extends HTMLElement {
  #views = {};
  #role = 'participant';
  #lang = 'nl';
  #send = null;
  #tick = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('./timer.css', import.meta.url).href;
    root.append(css);
    this.box = document.createElement('section');
    this.box.className = 'timer';
    this.label = document.createElement('h2');
    this.clock = document.createElement('p');
    this.clock.className = 'clock';
    this.clock.setAttribute('role', 'timer');
    this.state = document.createElement('p');
    this.state.className = 'state';
    this.state.setAttribute('aria-live', 'polite');
    this.controls = document.createElement('div');
    this.controls.className = 'controls';
    // The duration form lives outside `controls`, which is rebuilt on every view, so typing survives updates.
    this.setForm = document.createElement('form');
    this.setForm.className = 'set';
    this.setForm.dataset.input = 'set';
    this.setForm.hidden = true;
    this.setLabel = document.createElement('label');
    this.setLabel.htmlFor = 'minutes';
    this.minutes = document.createElement('input');
    Object.assign(this.minutes, { id: 'minutes', type: 'number', min: '0.5', max: '600', step: '0.5', inputMode: 'decimal' });
    this.minutes.dataset.keep = 'off';
    this.setButton = document.createElement('button');
    this.setButton.type = 'submit';
    this.setError = document.createElement('p');
    this.setError.className = 'state';
    this.setError.setAttribute('role', 'status');
    this.setForm.append(this.setLabel, this.minutes, this.setButton, this.setError);
    this.setForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const minutes = Number(this.minutes.value);
      if (!this.#send || !(minutes > 0)) return;
      this.#send('set', { minutes }).then(
        () => { this.minutes.value = ''; this.setError.textContent = ''; },
        (err) => { this.setError.textContent = this.t.refused + ((err && err.message) || String(err)); });
    });
    this.box.append(this.label, this.clock, this.state, this.controls, this.setForm);
    root.append(this.box);
  }

  set views(v) { this.#views = v || {}; this.render(); }
  get views() { return this.#views; }
  set role(r) { this.#role = r; this.render(); }
  set lang(l) { this.#lang = TEXT[l] ? l : 'nl'; this.render(); }
  set send(fn) { this.#send = fn; }
  set phase(_) {}
  set participant(_) {}
  set config(_) {}

  connectedCallback() { this.#tick = setInterval(() => this.renderClock(), 250); }
  disconnectedCallback() { clearInterval(this.#tick); }

  get t() { return TEXT[this.#lang]; }
  get view() { return this.#views.public || {}; }

  remaining() {
    const v = this.view;
    return v.running && v.deadline ? v.deadline - Date.now() : (v.remainingMs ?? 0);
  }

  renderClock() {
    const left = this.remaining();
    this.clock.textContent = format(left);
    this.box.classList.toggle('done', this.view.running && left <= 0);
  }

  render() {
    const v = this.view;
    this.label.textContent = v.label || this.t.timer;
    this.renderClock();
    this.state.textContent = v.running ? (this.remaining() <= 0 ? this.t.done : '') : (v.remainingMs === v.durationMs ? this.t.ready : this.t.paused);
    // A view replaces the buttons (start becomes pause): keep the focus in the controls.
    const hadFocus = this.controls.contains(this.shadowRoot.activeElement) ? this.shadowRoot.activeElement.dataset.input : null;
    this.controls.replaceChildren();
    const facilitator = this.#role === 'facilitator' && Boolean(this.#send);
    this.setForm.hidden = !facilitator;
    this.setLabel.textContent = this.t.minutes;
    this.setButton.textContent = this.t.set;
    if (!facilitator) return;
    const button = (type, text, primary) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.dataset.input = type;
      if (primary) b.className = 'primary';
      b.addEventListener('click', () => this.#send(type, {}).catch(() => {}));
      this.controls.append(b);
    };
    if (v.running) button('pause', this.t.pause, true);
    else if (v.remainingMs !== v.durationMs) button('resume', this.t.resume, true);
    else button('start', this.t.start, true);
    button('reset', this.t.reset, false);
    if (hadFocus) (this.controls.querySelector(`[data-input="${hadFocus}"]`) || this.controls.querySelector('button'))?.focus();
  }
}

customElements.define('hub-plugin-timer', HubPluginTimer);
