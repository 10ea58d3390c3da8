// hub-plugin-timer: a countdown to the deadline in the view (CONTRACTS.md §2b). The plugin never counts;
// every screen counts down to the same deadline on its own clock.
const TEXT = {
  nl: { start: 'Start', pause: 'Pauzeer', resume: 'Hervat', reset: 'Opnieuw', paused: 'Gepauzeerd', ready: 'Klaar om te starten', done: 'De tijd is om', timer: 'Timer' },
  en: { start: 'Start', pause: 'Pause', resume: 'Resume', reset: 'Reset', paused: 'Paused', ready: 'Ready to start', done: 'Time is up', timer: 'Timer' },
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
    this.box.append(this.label, this.clock, this.state, this.controls);
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
    this.controls.replaceChildren();
    if (this.#role !== 'facilitator' || !this.#send) return;
    const button = (type, text, primary) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      if (primary) b.className = 'primary';
      b.addEventListener('click', () => this.#send(type, {}).catch(() => {}));
      this.controls.append(b);
    };
    if (v.running) button('pause', this.t.pause, true);
    else if (v.remainingMs !== v.durationMs) button('resume', this.t.resume, true);
    else button('start', this.t.start, true);
    button('reset', this.t.reset, false);
  }
}

customElements.define('hub-plugin-timer', HubPluginTimer);
