// <hub-word-cloud label="…"></hub-word-cloud> with .words = [{word, count}]: the more often, the larger.
// A list, most frequent first, each with its count for screen readers.
import { shadow, define, el, HubElement } from './base.js';

class HubWordCloud extends HubElement {
  static observedAttributes = ['label', 'lang'];
  #words = [];
  constructor() {
    super();
    const root = shadow(this);
    this.caption = el('figcaption');
    this.list = el('ul', { class: 'cloud' });
    this.empty = el('p', { class: 'empty' });
    root.append(el('figure', {}, this.caption, this.list, this.empty));
  }
  get words() { return this.#words; }
  set words(v) { this.#words = Array.isArray(v) ? v.filter((w) => w && w.word).map((w) => ({ word: String(w.word), count: Number(w.count) || 1 })) : []; this.render(); }
  render() {
    const label = this.getAttribute('label') || '';
    this.caption.textContent = label;
    this.caption.hidden = !label;
    const words = [...this.#words].sort((a, b) => b.count - a.count);
    const max = Math.max(1, ...words.map((w) => w.count));
    this.list.setAttribute('aria-label', label || this.t('cloud.label'));
    this.list.replaceChildren(...words.map((w) => el('li', { class: `w${Math.max(1, Math.ceil((w.count / max) * 5))}` },
      w.word, el('span', { class: 'visually-hidden', text: ` (${this.t('cloud.count', { n: w.count })})` }))));
    this.empty.textContent = words.length ? '' : this.t('cloud.empty');
    this.empty.hidden = words.length > 0;
  }
}
define('hub-word-cloud', HubWordCloud);
export default HubWordCloud;
