// <hub-button variant="primary|strong|secondary|danger" icon="check" type="button|submit" disabled pressed>Text</hub-button>
// A real <button> inside; focus is delegated to it, so Tab, Enter and Space work as on any button.
import { shadow, define, HubElement } from './base.js';

class HubButton extends HubElement {
  static observedAttributes = ['variant', 'icon', 'disabled', 'pressed', 'label'];
  constructor() {
    super();
    const root = shadow(this, { delegatesFocus: true });
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'hub-button';
    this.button.setAttribute('part', 'button');
    this.iconEl = document.createElement('span');
    this.iconEl.setAttribute('aria-hidden', 'true');
    this.button.append(this.iconEl, document.createElement('slot'));
    root.append(this.button);
    this.button.addEventListener('click', (e) => {
      if (this.hasAttribute('disabled')) { e.stopPropagation(); return; }
      if (this.getAttribute('type') === 'submit') this.closest('form')?.requestSubmit();
    });
  }
  get disabled() { return this.hasAttribute('disabled'); }
  set disabled(v) { this.toggleAttribute('disabled', Boolean(v)); }
  focus(opts) { this.button.focus(opts); }
  render() {
    const variant = this.getAttribute('variant') || 'secondary';
    this.button.className = `hub-button ${variant}`;
    this.button.disabled = this.hasAttribute('disabled');
    const icon = this.getAttribute('icon');
    this.iconEl.className = icon ? `icon icon-${icon}` : '';
    this.iconEl.hidden = !icon;
    if (this.hasAttribute('pressed')) this.button.setAttribute('aria-pressed', this.getAttribute('pressed') === 'false' ? 'false' : 'true');
    else this.button.removeAttribute('aria-pressed');
    const label = this.getAttribute('label');
    if (label) this.button.setAttribute('aria-label', label); else this.button.removeAttribute('aria-label');
  }
}
define('hub-button', HubButton);
export default HubButton;
