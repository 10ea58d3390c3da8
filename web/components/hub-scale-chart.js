// <hub-scale-chart min="1" max="5" min-label="Slecht" max-label="Goed" label="…"></hub-scale-chart>
// with .distribution = [counts for min..max] and optional .mean: columns per scale point in SVG,
// each with its count on top and its value below; the mean as a dashed line with its number.
import { shadow, define, el, svg, numberFormat, HubElement } from './base.js';

const W = 600;
const H = 300;

class HubScaleChart extends HubElement {
  static observedAttributes = ['min', 'max', 'min-label', 'max-label', 'label', 'lang'];
  #dist = [];
  #mean = null;
  constructor() {
    super();
    const root = shadow(this);
    this.caption = el('figcaption');
    this.body = el('div');
    this.desc = el('p', { class: 'visually-hidden' });
    root.append(el('figure', {}, this.caption, this.body, this.desc));
  }
  get distribution() { return this.#dist; }
  set distribution(v) { this.#dist = Array.isArray(v) ? v.map((n) => Number(n) || 0) : []; this.render(); }
  get mean() { return this.#mean; }
  set mean(v) { this.#mean = v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v); this.render(); }
  render() {
    const label = this.getAttribute('label') || '';
    this.caption.textContent = label;
    this.caption.hidden = !label;
    const min = Number(this.getAttribute('min') ?? 1) || 0;
    const dist = this.#dist;
    const n = dist.length || Math.max(1, (Number(this.getAttribute('max')) || 5) - min + 1);
    const total = dist.reduce((s, x) => s + x, 0);
    const peak = Math.max(1, ...dist);
    const fmt = (x, d = 0) => numberFormat(this.lang, x, d);
    const parts = dist.map((c, i) => `${fmt(min + i)}: ${fmt(c)}`);
    const meanText = this.#mean !== null ? this.t('chart.mean', { mean: fmt(this.#mean, 1) }) : '';
    this.desc.textContent = [this.t('chart.answers', { n: fmt(total) }), parts.join(', '), meanText].filter(Boolean).join('. ');
    if (!total) { this.body.replaceChildren(el('p', { class: 'empty', text: this.t('chart.empty') })); return; }
    const colW = W / n;
    const base = H - 70;
    const top = 40;
    const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true', focusable: 'false' });
    chart.append(svg('line', { class: 'axis', x1: 0, x2: W, y1: base, y2: base }));
    for (let i = 0; i < n; i++) {
      const c = dist[i] || 0;
      const h = Math.round((c / peak) * (base - top));
      const x = i * colW + colW * 0.15;
      chart.append(
        svg('rect', { class: `bar${c === peak ? ' top' : ''}`, x, y: base - h, width: colW * 0.7, height: h, rx: 4 }),
        svg('text', { class: 'value', x: i * colW + colW / 2, y: base - h - 8, 'font-size': 26, 'text-anchor': 'middle' }, fmt(c)),
        svg('text', { x: i * colW + colW / 2, y: base + 32, 'font-size': 26, 'text-anchor': 'middle' }, fmt(min + i)),
      );
    }
    const minLabel = this.getAttribute('min-label');
    const maxLabel = this.getAttribute('max-label');
    if (minLabel) chart.append(svg('text', { x: 0, y: H - 6, 'font-size': 22 }, minLabel));
    if (maxLabel) chart.append(svg('text', { x: W, y: H - 6, 'font-size': 22, 'text-anchor': 'end' }, maxLabel));
    if (this.#mean !== null && n > 1) {
      const mx = ((this.#mean - min) + 0.5) * colW;
      chart.append(
        svg('line', { class: 'mean', x1: mx, x2: mx, y1: top - 30, y2: base }),
        svg('text', { x: Math.min(W - 4, Math.max(4, mx)), y: top - 36 + 12, 'font-size': 22, 'text-anchor': mx > W - 120 ? 'end' : (mx < 120 ? 'start' : 'middle') }, meanText),
      );
    }
    this.body.replaceChildren(chart);
  }
}
define('hub-scale-chart', HubScaleChart);
export default HubScaleChart;
