// <hub-bar-chart label="Uitslag"></hub-bar-chart> with .data = [{label, value}]: horizontal bars in SVG.
// Every bar carries its label and its number (and share), so the chart reads without colour;
// screen readers get the same as a list in the figure's description.
import { shadow, define, el, svg, numberFormat, HubElement } from './base.js';

const W = 600;
const ROW = 78;

class HubBarChart extends HubElement {
  static observedAttributes = ['label', 'lang', 'percent'];
  #data = [];
  constructor() {
    super();
    const root = shadow(this);
    this.caption = el('figcaption');
    this.body = el('div');
    this.desc = el('ul', { class: 'visually-hidden' });
    root.append(el('figure', {}, this.caption, this.body, this.desc));
  }
  get data() { return this.#data; }
  set data(v) { this.#data = Array.isArray(v) ? v.map((d) => ({ label: String(d.label ?? ''), value: Number(d.value) || 0 })) : []; this.render(); }
  render() {
    const label = this.getAttribute('label') || '';
    this.caption.textContent = label;
    this.caption.hidden = !label;
    const data = this.#data;
    const total = data.reduce((s, d) => s + d.value, 0);
    const max = Math.max(1, ...data.map((d) => d.value));
    const showPct = this.getAttribute('percent') !== 'false' && total > 0;
    const fmt = (d) => {
      const n = numberFormat(this.lang, d.value);
      return showPct ? `${n} (${Math.round((d.value / total) * 100)}%)` : n;
    };
    this.desc.replaceChildren(...data.map((d) => el('li', { text: `${d.label}: ${fmt(d)}` })));
    if (!data.length) { this.body.replaceChildren(el('p', { class: 'empty', text: this.t('chart.empty') })); return; }
    const height = data.length * ROW;
    const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${height}`, role: 'presentation', 'aria-hidden': 'true', focusable: 'false' });
    data.forEach((d, i) => {
      const y = i * ROW;
      const w = Math.max(d.value > 0 ? 6 : 0, Math.round((d.value / max) * (W - 150)));
      const top = d.value === max && d.value > 0;
      chart.append(
        svg('text', { x: 0, y: y + 24, 'font-size': 24 }, d.label),
        svg('rect', { class: 'track', x: 0, y: y + 34, width: W - 150, height: 30, rx: 4 }),
        svg('rect', { class: `bar${top ? ' top' : ''}`, x: 0, y: y + 34, width: w, height: 30, rx: 4 }),
        svg('text', { class: 'value', x: W - 140, y: y + 58, 'font-size': 24 }, fmt(d)),
      );
    });
    this.body.replaceChildren(chart);
  }
}
define('hub-bar-chart', HubBarChart);
export default HubBarChart;
