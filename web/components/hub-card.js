// <hub-card heading="…" variant="note|error" meta="…">content</hub-card>: a brainstorm card, a case advice, a notice.
import { shadow, define, HubElement } from './base.js';

class HubCard extends HubElement {
  static observedAttributes = ['heading', 'variant', 'meta'];
  constructor() {
    super();
    const root = shadow(this);
    this.box = document.createElement('article');
    this.h = document.createElement('h3');
    this.metaEl = document.createElement('p');
    this.metaEl.className = 'meta';
    this.box.append(this.h, document.createElement('slot'), this.metaEl);
    root.append(this.box);
  }
  render() {
    this.box.className = `hub-card ${this.getAttribute('variant') || ''}`.trim();
    const heading = this.getAttribute('heading');
    this.h.textContent = heading || '';
    this.h.hidden = !heading;
    const meta = this.getAttribute('meta');
    this.metaEl.textContent = meta || '';
    this.metaEl.hidden = !meta;
  }
}
define('hub-card', HubCard);
export default HubCard;
