// <hub-banner kind="offline|reconnecting|closed|kicked|deleted|error|info" message="…"></hub-banner>
// The connection or session state, never hidden. Without a kind it hides itself.
import { shadow, define, el, icon, HubElement } from './base.js';

const ICONS = { offline: 'wifi-off', reconnecting: 'refresh', closed: 'lock', kicked: 'door', deleted: 'x', error: 'alert', info: 'info' };

class HubBanner extends HubElement {
  static observedAttributes = ['kind', 'message', 'lang'];
  constructor() {
    super();
    const root = shadow(this);
    this.box = el('div', { class: 'hub-banner', role: 'status', 'aria-live': 'polite' });
    root.append(this.box);
  }
  get kind() { return this.getAttribute('kind') || ''; }
  set kind(v) { if (v) this.setAttribute('kind', v); else this.removeAttribute('kind'); }
  render() {
    const kind = this.kind;
    this.hidden = !kind;
    if (!kind) { this.box.replaceChildren(); return; }
    this.box.className = `hub-banner ${kind}`;
    const i = icon(ICONS[kind] || 'info');
    if (kind === 'reconnecting') i.classList.add('spin');
    this.box.replaceChildren(i, el('span', { class: 'text', text: this.getAttribute('message') || this.t(`banner.${kind}`) }));
  }
}
define('hub-banner', HubBanner);
export default HubBanner;
