// <hub-timer deadline="1796905800000" label="Pauze"></hub-timer>: counts down to a deadline (epoch ms) on this
// device's clock. Without a deadline it shows `remaining` (ms) as paused. Screen readers hear the label and
// the time left when they ask (role=timer), and an announcement at one minute and at the end.
import { shadow, define, el, HubElement } from './base.js';

export function formatClock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

class HubTimer extends HubElement {
  static observedAttributes = ['deadline', 'remaining', 'label', 'lang'];
  #tick = null;
  #announced = '';
  constructor() {
    super();
    const root = shadow(this);
    this.labelEl = el('span', { class: 'label' });
    this.clock = el('span', { class: 'clock', role: 'timer' });
    this.stateEl = el('span', { class: 'state' });
    this.live = el('span', { class: 'visually-hidden', 'aria-live': 'polite' });
    this.box = el('div', { class: 'hub-timer' }, this.labelEl, this.clock, this.stateEl, this.live);
    root.append(this.box);
  }
  get deadline() { const v = Number(this.getAttribute('deadline')); return Number.isFinite(v) && v > 0 ? v : null; }
  set deadline(v) { if (v) this.setAttribute('deadline', String(v)); else this.removeAttribute('deadline'); }
  get remaining() { const v = Number(this.getAttribute('remaining')); return Number.isFinite(v) ? v : 0; }
  set remaining(v) { this.setAttribute('remaining', String(v ?? 0)); }
  connectedCallback() { super.connectedCallback(); this.#tick = setInterval(() => this.update(), 250); }
  disconnectedCallback() { super.disconnectedCallback(); clearInterval(this.#tick); }
  left() { return this.deadline ? this.deadline - Date.now() : this.remaining; }
  render() {
    this.labelEl.textContent = this.getAttribute('label') || this.t('timer.label');
    this.update();
  }
  update() {
    const left = this.left();
    const text = formatClock(left);
    if (this.clock.textContent !== text) this.clock.textContent = text;
    this.clock.setAttribute('aria-label', this.t('timer.remaining', { time: text }));
    const done = this.deadline !== null && left <= 0;
    this.box.classList.toggle('done', done);
    this.stateEl.textContent = done ? this.t('timer.done') : (this.deadline ? '' : this.t('timer.paused'));
    const mark = done ? 'done' : (this.deadline && left <= 60000 && left > 55000 ? 'minute' : '');
    if (mark && mark !== this.#announced) {
      this.#announced = mark;
      this.live.textContent = mark === 'done' ? this.t('timer.done') : this.t('timer.oneMinute');
    }
  }
}
define('hub-timer', HubTimer);
export default HubTimer;
