// <hub-qr code="BK7M4Q" url="http://…/s/BK7M4Q"></hub-qr>: the join QR code that the hub draws as SVG.
import { shadow, define, el, HubElement } from './base.js';

class HubQr extends HubElement {
  static observedAttributes = ['code', 'url', 'lang'];
  constructor() {
    super();
    const root = shadow(this);
    this.img = el('img', { width: 37, height: 37, decoding: 'async' });
    root.append(el('div', { class: 'hub-qr' }, this.img));
  }
  render() {
    const code = (this.getAttribute('code') || '').trim();
    const src = code ? `/api/v1/sessions/${encodeURIComponent(code)}/qr.svg` : '';
    if (src && this.img.getAttribute('src') !== src) this.img.src = src;
    this.img.alt = this.t('qr.alt', { url: this.getAttribute('url') || code });
  }
}
define('hub-qr', HubQr);
export default HubQr;
