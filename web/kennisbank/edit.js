// Edit a description on one page, all seven parts of the WWidW format: edit.html?id=…, or edit.html?new=archetype
// (or ?new=praktijk) for a new one. Facilitators write archetypes here: the same form plus the practice
// descriptions the archetype generalises. "Bewaar" keeps the state; a draft can be published, a published
// description can be taken back to draft.
import { initPage, $, el, t, errorText, requireLogin, fmtTime, label, onLangChange } from './common.js';
import { STEPS, buildStep, loadVocabulary, saveRecord, quietly, unsaved, markSaved } from './form.js';
import { renderIntervention } from './render.js';
import { api } from './api.js';
import { announce } from '/web/shell.js';

const params = new URLSearchParams(location.search);
const ctx = {
  rec: { id: '', title: '', kind: '', type: params.get('new') === 'archetype' ? 'archetype' : 'praktijk', state: 'draft' },
  monitoring: [],
  monitoringResponse: null,
  allowType: true,
};
let collectors = [];
let busy = false;
let previewTimer = null;

ctx.sync = () => collectors.flatMap((c) => c());
ctx.onTypeChange = () => {
  // The first part shows the practices picker only for archetypes: rebuild it, keep what was typed.
  const host = document.querySelector('[data-part="1"] .kb-part-body');
  collectors[0] = buildStep(ctx, 0, host);
  paintHead();
};

function paintHead() {
  const r = ctx.rec;
  $('edit-kicker').textContent = `${label.type(r.type)} · ${label.state(r.state)}${r.version ? ` · ${t('kb.doc.version', { n: r.version })}` : ''}`;
  $('edit-title').textContent = r.id ? t('kb.edit.editing', { title: r.title || '' }) : t(r.type === 'archetype' ? 'kb.edit.newArchetype' : 'kb.edit.newPractice');
  document.title = `${$('edit-title').textContent} · ${t('kb.brand')}`;
  const published = r.state === 'published';
  $('save').textContent = published ? t('kb.edit.saveChanges') : t('kb.wiz.publish');
  $('secondary').textContent = published ? t('kb.edit.unpublish') : t('kb.wiz.saveDraft');
  $('view-link').hidden = !r.id;
  if (r.id) $('view-link').href = `/web/kennisbank/intervention.html?id=${encodeURIComponent(r.id)}`;
}

function render() {
  const sections = STEPS.map((s, i) => el('section', { class: 'card kb-part', id: `part-${i + 1}`, 'data-part': String(i + 1), 'aria-labelledby': `part-${i + 1}-h` },
    el('h2', { id: `part-${i + 1}-h` }, el('span', { class: 'kb-num', text: String(i + 1) }), ` ${t(`kb.step.${i + 1}`)}`),
    el('p', { class: 'kb-step-intro', text: t(`kb.wiz.intro.${i + 1}`) }),
    el('div', { class: 'kb-part-body stack' })));
  $('edit-sections').replaceChildren(...sections);
  collectors = STEPS.map((s, i) => buildStep(ctx, i, sections[i].querySelector('.kb-part-body')));
  $('edit-toc').replaceChildren(...STEPS.map((s, i) => el('li', {}, el('a', { href: `#part-${i + 1}`, text: `${i + 1}. ${t(`kb.step.${i + 1}`)}` }))));
  paintHead();
  paintPreview();
}

function status(kind, text) {
  $('save-status').dataset.state = kind;
  $('save-status').textContent = text;
}

async function save(state) {
  if (busy) return;
  const problems = ctx.sync();
  const box = $('edit-errors');
  if (problems.length) {
    box.replaceChildren(el('p', { text: t('kb.form.problems', { n: problems.length }) }),
      el('ul', {}, ...problems.map((p) => el('li', {}, el('a', { href: `#${p.input.id}`, text: p.message, on: { click: (e) => { e.preventDefault(); p.input.focus(); } } })))));
    box.hidden = false;
    problems[0].input.focus();
    return;
  }
  box.hidden = true;
  busy = true;
  status('pending', t(state === 'published' && ctx.rec.state !== 'published' ? 'kb.save.publishing' : 'kb.save.pending'));
  for (;;) {
    const out = await saveRecord(ctx, state);
    if (out.ok) break;
    if (out.res.status === 401) { await requireLogin($('login-host'), 'kb.auth.again'); continue; }
    busy = false;
    status('error', t('kb.save.failed', { reason: errorText(out.res) }));
    return;
  }
  busy = false;
  const url = new URL(location.href);
  url.searchParams.delete('new');
  url.searchParams.set('id', ctx.rec.id);
  history.replaceState(null, '', url);
  const msg = t(ctx.rec.state === 'published' ? 'kb.save.publishedAt' : 'kb.save.draftAt', { time: fmtTime(Date.now()) });
  status('confirmed', `${msg} (${t('kb.doc.version', { n: ctx.rec.version })})`);
  announce(msg);
  // Saved monitoring entries get their ids: rebuild the monitoring parts so they are no longer "new".
  render();
}

function paintPreview() {
  if ($('preview-pane').hidden) return;
  quietly(() => ctx.sync());
  $('preview').replaceChildren(renderIntervention(ctx.rec, { effects: ctx.effects, monitoring: ctx.monitoringResponse, preview: true }));
}

function togglePreview() {
  const open = $('preview-pane').hidden;
  $('preview-pane').hidden = !open;
  $('editor').classList.toggle('with-preview', open);
  $('toggle-preview').setAttribute('aria-expanded', String(open));
  $('toggle-preview').textContent = t(open ? 'kb.wiz.hidePreview' : 'kb.wiz.showPreview');
  paintPreview();
}

async function open() {
  await requireLogin($('login-host'));
  await loadVocabulary(ctx);
  const id = params.get('id');
  if (id) {
    const [rec, mon] = await Promise.all([api(`/api/v1/interventions/${encodeURIComponent(id)}`), api(`/api/v1/interventions/${encodeURIComponent(id)}/monitoring`)]);
    if (!rec.ok) {
      $('loading').hidden = true;
      $('load-error').replaceChildren(el('p', { text: rec.status === 404 ? t('kb.view.missing') : errorText(rec) }),
        el('a', { class: 'btn', href: '/web/kennisbank/index.html', text: t('kb.view.back') }));
      $('load-error').hidden = false;
      return;
    }
    ctx.rec = rec.body;
    if (mon.ok) { ctx.monitoringResponse = mon.body; ctx.monitoring = mon.body.entries || []; }
  }
  markSaved(ctx);
  $('loading').hidden = true;
  $('editor').hidden = false;
  render();
  $('edit-title').focus();
}

$('edit-form').addEventListener('submit', (e) => { e.preventDefault(); save('published'); });
$('secondary').addEventListener('click', () => save('draft'));
$('toggle-preview').addEventListener('click', togglePreview);
$('edit-sections').addEventListener('input', () => { clearTimeout(previewTimer); previewTimer = setTimeout(paintPreview, 400); });
$('edit-sections').addEventListener('change', () => { clearTimeout(previewTimer); previewTimer = setTimeout(paintPreview, 100); });
window.addEventListener('beforeunload', (e) => {
  if ($('editor').hidden) return;
  quietly(() => ctx.sync());
  if (unsaved(ctx)) { e.preventDefault(); e.returnValue = ''; }
});
onLangChange(() => { if (!$('editor').hidden) { quietly(() => ctx.sync()); render(); } });

initPage();
open();
