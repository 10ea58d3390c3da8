// "Activiteit toevoegen" in the console (issue 20; docs/PROTOCOL.md "Adding an activity live"): one agenda item for a
// session that is being prepared or runs, its config as the editor's form generated from the plugin's configSchema
// (facilitate/schema-form.js), checked by the hub's agenda validator when it is posted to
// POST /api/v1/sessions/<id>/activities. The hub appends it and loads the session again; the console's connection
// rejoins by itself and shows the new agenda. Kept apart from facilitate.js, like report-links.js.
import { t, getLang, onLangChange } from '/web/i18n.js';
import { el, announce } from '/web/shell.js';
import { api } from '/web/facilitate/auth.js';
import { configForm, field } from '/web/facilitate/schema-form.js';
import '/web/facilitate/messages.js';

const box = document.getElementById('add-activity');
const sessionId = decodeURIComponent((/^\/facilitate\/([^/?#]+)/.exec(location.pathname) || [])[1] || '');
let plugins = null;
let item = { plugin: '', title: '', config: {} };

const localized = (v) => (v && typeof v === 'object' ? v[getLang()] || v.nl || v.en || '' : v || '');

async function loadPlugins() {
  if (plugins) return;
  const res = await api('/api/v1/plugins');
  plugins = res.ok ? res.body.plugins || [] : [];
  if (!item.plugin && plugins[0]) item = { plugin: plugins[0].name, title: localized(plugins[0].title), config: {} };
  render();
}

function render() {
  const form = box.querySelector('form');
  const plugin = plugins?.find((p) => p.name === item.plugin);
  const select = el('select', { id: 'add-plugin' }, ...(plugins || []).map((p) => el('option', { value: p.name, text: `${localized(p.title)} (${p.name})` })));
  select.value = item.plugin;
  select.addEventListener('change', () => {
    const p = plugins.find((x) => x.name === select.value);
    item = { plugin: select.value, title: localized(p?.title), config: {} };
    render();
    box.querySelector('#add-plugin')?.focus();
  });
  const title = el('input', { id: 'add-title', type: 'text', value: item.title, 'data-keep': 'off', maxLength: 200 });
  title.addEventListener('input', () => { item.title = title.value; });
  form.replaceChildren(
    field('item.plugin', t('ed.plugin'), select, plugin ? localized(plugin.description) : ''),
    field('item.title', t('ed.itemTitle'), title),
    el('div', { class: 'field', 'data-path': 'item.config' }, el('p', { class: 'label', text: t('ed.config') }),
      el('p', { class: 'field-error', hidden: true }), configForm(plugin ? plugin.configSchema : null, item.config, 'item.config', () => {})),
    el('ul', { class: 'check-list', id: 'add-problems' }),
    el('button', { type: 'submit', class: 'btn btn-strong', 'data-action': 'add-activity', text: t('add.submit') }),
    el('p', { class: 'small', id: 'add-status', role: 'status', 'aria-live': 'polite' }));
}

async function submit(ev) {
  ev.preventDefault();
  const status = box.querySelector('#add-status');
  const list = box.querySelector('#add-problems');
  list.replaceChildren();
  status.textContent = t('add.busy');
  const res = await api(`/api/v1/sessions/${encodeURIComponent(sessionId)}/activities`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ item }),
  });
  if (res.status === 201) {
    const added = res.body.agenda?.[res.body.agenda.length - 1];
    const text = t('add.done', { title: added?.title || item.title });
    item = { plugin: item.plugin, title: localized(plugins.find((p) => p.name === item.plugin)?.title), config: {} };
    render();
    box.querySelector('#add-status').textContent = text;
    announce(text);
    return;
  }
  for (const p of res.body?.error?.errors || []) list.append(el('li', { text: `${p.field}: ${p.message}` }));
  status.textContent = t('add.failed', { message: res.body?.error?.message || `HTTP ${res.status}` });
}

if (box && sessionId) {
  // Nothing is added to a closed session: the panel goes when the console says the session closed.
  const follow = () => { box.hidden = document.body.dataset.status === 'closed'; };
  new MutationObserver(follow).observe(document.body, { attributes: true, attributeFilter: ['data-status'] });
  follow();
  box.addEventListener('toggle', () => { if (box.open) loadPlugins(); });
  box.querySelector('form').addEventListener('submit', submit);
  onLangChange(() => { if (plugins) render(); });
}
