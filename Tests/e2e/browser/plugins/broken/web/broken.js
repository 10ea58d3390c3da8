// A plugin element whose constructor throws: the shell must contain it and show an error card.
class HubPluginBroken extends HTMLElement {
  constructor() {
    super();
    throw new Error('broken on purpose (browser test)');
  }
}
customElements.define('hub-plugin-broken', HubPluginBroken);
