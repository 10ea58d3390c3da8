// <hub-progress value="12" max="20" label="Opkomst"></hub-progress>: turnout, a count against a total.
import { shadow, define, el, numberFormat, HubElement } from './base.js';

class HubProgress extends HubElement {
  static observedAttributes = ['value', 'max', 'label', 'lang'];
  constructor() {
    super();
    const root = shadow(this);
    this.labelEl = el('span', { class: 'label' });
    this.textEl = el('span', { class: 'text' });
    this.fill = el('div', { class: 'fill' });
    this.track = el('div', { class: 'track', role: 'progressbar' }, this.fill);
    root.append(el('div', { class: 'hub-progress' }, el('div', { class: 'head' }, this.labelEl, this.textEl), this.track));
  }
  render() {
    const value = Math.max(0, Number(this.getAttribute('value')) || 0);
    const max = Math.max(0, Number(this.getAttribute('max')) || 0);
    const pct = max ? Math.min(100, Math.round((value / max) * 100)) : 0;
    const label = this.getAttribute('label') || this.t('progress.label');
    this.labelEl.textContent = label;
    const text = max ? this.t('progress.of', { value: numberFormat(this.lang, value), max: numberFormat(this.lang, max), pct }) : numberFormat(this.lang, value);
    this.textEl.textContent = text;
    this.track.setAttribute('aria-label', label);
    this.track.setAttribute('aria-valuemin', '0');
    this.track.setAttribute('aria-valuemax', String(max || value));
    this.track.setAttribute('aria-valuenow', String(value));
    this.track.setAttribute('aria-valuetext', text);
    this.fill.style.width = `${pct}%`; // CSSOM, allowed under the CSP
  }
}
define('hub-progress', HubProgress);
export default HubProgress;
