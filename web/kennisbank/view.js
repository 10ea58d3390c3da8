// Read one intervention: intervention.html?id=…[&version=N][&compare=A,B]. The description in the WWidW format
// with its monitoring charts; the version list with a "compare versions" view on the diff endpoint; a print
// button (the print stylesheet in kb.css gives a clean A4 page without the navigation).
import { initPage, $, el, t, loadEffects, errorText, fmtDateTime, onLangChange, requireLogin } from './common.js';
import { renderIntervention } from './render.js';
import { renderDiff } from './diff.js';
import { api, token, who } from './api.js';
import { announce } from '/web/shell.js';

const params = new URLSearchParams(location.search);
const id = params.get('id') || '';
const version = params.get('version') ? Number(params.get('version')) : null;
let data = null; // {rec, monitoring, versions, practices, effects}
let lastDiff = null;

const enc = encodeURIComponent;

async function load() {
  if (!id) { fail({ status: 404 }); return; }
  const recRes = await api(`/api/v1/interventions/${enc(id)}${version ? `?version=${version}` : ''}`);
  if (recRes.status === 401) { await requireLogin($('login-host'), 'kb.auth.private'); load(); return; }
  if (!recRes.ok) { fail(recRes); return; }
  const rec = recRes.body;
  const [monRes, verRes, effects] = await Promise.all([
    api(`/api/v1/interventions/${enc(id)}/monitoring`),
    api(`/api/v1/interventions/${enc(id)}/versions`),
    loadEffects(),
  ]);
  const practices = new Map();
  await Promise.all((rec.practices || []).map(async (p) => {
    const r = await api(`/api/v1/interventions/${enc(p)}`);
    if (r.ok) practices.set(p, r.body.title);
  }));
  data = { rec, monitoring: monRes.ok ? monRes.body : null, versions: verRes.ok ? verRes.body.versions || [] : [], practices, effects };
  render();
  const cmp = (params.get('compare') || '').split(',').map(Number).filter(Boolean);
  if (cmp.length === 2) compare(cmp[0], cmp[1]);
}

function fail(res) {
  $('loading').hidden = true;
  $('error').replaceChildren(el('p', { text: res.status === 404 ? t('kb.view.missing') : errorText(res) }),
    el('a', { class: 'btn', href: '/web/kennisbank/index.html', text: t('kb.view.back') }));
  $('error').hidden = false;
}

function render() {
  if (!data) return;
  const { rec } = data;
  $('loading').hidden = true;
  document.title = `${rec.title} · ${t('kb.brand')}`;
  $('doc').replaceChildren(renderIntervention(rec, data));
  const latest = data.versions.length ? data.versions[data.versions.length - 1].version : rec.version;
  const banner = $('version-banner');
  if (version && version !== latest) {
    banner.replaceChildren(el('span', { text: t('kb.view.oldVersion', { n: version, latest }) }), ' ',
      el('a', { href: `?id=${enc(id)}`, text: t('kb.view.toLatest') }));
    banner.hidden = false;
  } else banner.hidden = true;
  $('edit').href = `/web/kennisbank/edit.html?id=${enc(id)}`;
  $('edit').hidden = false;
  $('print').hidden = false;
  $('versions-link').hidden = false;
  renderVersions(latest);
  if (lastDiff) $('diff').replaceChildren(renderDiff(lastDiff));
}

function renderVersions(latest) {
  const vs = data.versions;
  $('versions').hidden = !vs.length;
  $('version-list').replaceChildren(...[...vs].reverse().map((v) => {
    const current = (version || latest) === v.version;
    return el('li', { class: current ? 'current' : '', 'data-version': v.version },
      el('span', { class: 'kb-version-n', text: t('kb.doc.version', { n: v.version }) }), ' ',
      el('span', { class: 'muted', text: fmtDateTime(v.at) }), ' ',
      v.author ? el('span', { class: 'muted small', text: `· ${v.author === who()?.id && who()?.name ? who().name : v.author}` }) : null, ' ',
      current ? el('span', { class: 'chip', text: t('kb.versions.shown') })
        : el('a', { href: v.version === latest ? `?id=${enc(id)}` : `?id=${enc(id)}&version=${v.version}`, text: t('kb.versions.read') }));
  }));
  const options = (sel, chosen) => {
    sel.replaceChildren(...vs.map((v) => el('option', { value: String(v.version), selected: v.version === chosen, text: t('kb.doc.version', { n: v.version }) })));
  };
  const to = latest;
  const from = Math.max(1, to - 1);
  options($('compare-from'), Number($('compare-from').value) || from);
  options($('compare-to'), Number($('compare-to').value) || to);
  $('compare-form').hidden = vs.length < 2;
  if (vs.length < 2) $('diff').replaceChildren(el('p', { class: 'muted small', text: t('kb.versions.onlyOne') }));
}

async function compare(from, to) {
  $('compare-error').hidden = true;
  if (from === to) {
    $('compare-error').textContent = t('kb.versions.same');
    $('compare-error').hidden = false;
    return;
  }
  $('compare').disabled = true;
  const res = await api(`/api/v1/interventions/${enc(id)}/diff?from=${from}&to=${to}`);
  $('compare').disabled = false;
  if (!res.ok) {
    $('compare-error').textContent = errorText(res);
    $('compare-error').hidden = false;
    return;
  }
  lastDiff = res.body;
  $('diff').replaceChildren(renderDiff(lastDiff));
  $('compare-from').value = String(from);
  $('compare-to').value = String(to);
  const url = new URL(location.href);
  url.searchParams.set('compare', `${from},${to}`);
  history.replaceState(null, '', url);
  announce(t('kb.diff.summary', { from, to, n: (lastDiff.changes || []).length }));
}

$('compare-form').addEventListener('submit', (e) => {
  e.preventDefault();
  compare(Number($('compare-from').value), Number($('compare-to').value));
});
$('print').addEventListener('click', () => window.print());
onLangChange(() => render());
window.addEventListener('kb-auth', () => { if (!token()) render(); });

initPage();
load();
