// <hub-status state="pending|confirmed|error" message="…"></hub-status>: what happened to one input.
// pending: sent or kept for later, not yet confirmed; confirmed: the hub stored it; error: the hub's words.
import { shadow, define, el, icon, HubElement } from './base.js';

const ICONS = { pending: 'clock', queued: 'clock', confirmed: 'check', error: 'alert' };

class HubStatus extends HubElement {
  static observedAttributes = ['state', 'message', 'lang'];
  constructor() {
    super();
    const root = shadow(this);
    this.box = el('span', { class: 'hub-status', role: 'status' });
    root.append(this.box);
  }
  get state() { return this.getAttribute('state') || 'pending'; }
  set state(v) { this.setAttribute('state', v); }
  render() {
    const state = ICONS[this.state] ? this.state : 'pending';
    this.box.className = `hub-status ${state === 'queued' ? 'pending' : state}`;
    const text = (state === 'error' && this.getAttribute('message')) || this.getAttribute('message') || this.t(`status.${state}`);
    this.box.replaceChildren(icon(ICONS[state]), el('span', { text }));
  }
}
define('hub-status', HubStatus);
export default HubStatus;
