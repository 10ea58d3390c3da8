// The description wizard: a praktijkbeschrijving in seven guided steps, each saved as a draft (state "draft",
// POST the first time, PUT after), then a check with a preview and "Publiceren" (state "published").
// wizard.html                → start: what the seven steps are, and the drafts one can continue
// wizard.html?new=1          → step 1 of a new description (?type=archetype for an archetype)
// wizard.html?id=…[&step=N]  → continue a draft where it was left (the step is remembered per browser)
import { initPage, $, el, t, errorText, requireLogin, fmtTime, label, local, onLangChange } from './common.js';
import { STEPS, buildStep, loadVocabulary, saveRecord, missing, quietly, unsaved, saveOnLeave, markSaved } from './form.js';
import { renderIntervention } from './render.js';
import { api, query } from './api.js';
import { announce } from '/web/shell.js';

const params = new URLSearchParams(location.search);
const REVIEW = STEPS.length; // the screen after step 7
const views = ['view-start', 'view-steps', 'view-review', 'view-done'];

const ctx = {
  rec: { id: '', title: '', kind: '', type: params.get('type') === 'archetype' ? 'archetype' : 'praktijk', state: 'draft' },
  monitoring: [],
  monitoringResponse: null,
  savedJSON: '',
};
let step = 0;
let collect = () => [];
ctx.sync = () => collect();
let busy = false;
let previewTimer = null;

function show(id) {
  for (const v of views) $(v).hidden = v !== id;
  $('loading').hidden = true;
}

function stepName(i) { return i === REVIEW ? t('kb.wiz.reviewTitle') : t(`kb.step.${i + 1}`); }

// ---- start -----------------------------------------------------------------------------------------------

// Drafts started in this browser, remembered by id: the list below also works where the API does not list
// drafts (GET /interventions?drafts=1 needs the token to be read on public deployments).
function remembered() {
  try { return JSON.parse(local.get('drafts') || '[]'); } catch { return []; }
}
function rememberDraft(id, on = true) {
  const ids = remembered().filter((x) => x !== id);
  if (on) ids.unshift(id);
  local.set('drafts', JSON.stringify(ids.slice(0, 50)));
}

async function showStart() {
  show('view-start');
  $('start-steps').replaceChildren(...STEPS.map((s, i) => el('li', {}, el('strong', { text: t(`kb.step.${i + 1}`) }), ` — ${t(`kb.wiz.intro.${i + 1}`)}`)));
  const res = await api(`/api/v1/interventions${query({ drafts: 1, state: 'draft', limit: 50 })}`);
  const hits = res.ok ? [...(res.body.hits || [])] : [];
  // A contributor cannot list every draft, but the hub knows the descriptions they started.
  const me = await api('/api/v1/me');
  const mine = me.ok && Array.isArray(me.body.interventions) ? me.body.interventions : [];
  for (const id of [...new Set([...remembered(), ...mine])]) {
    if (hits.some((h) => h.id === id)) continue;
    const r = await api(`/api/v1/interventions/${encodeURIComponent(id)}`);
    if (r.ok && r.body.state === 'draft') hits.unshift(r.body);
    else if (r.ok || r.status === 404) rememberDraft(id, false);
  }
  $('drafts-card').hidden = !hits.length;
  $('drafts').replaceChildren(...hits.map((h) => el('li', { 'data-id': h.id },
    el('span', { class: 'kb-draft-title', text: h.title }), ' ', el('span', { class: 'muted small', text: `${label.kind(h.kind)}` }), ' ',
    el('a', { class: 'btn btn-small', href: `/web/kennisbank/wizard.html?id=${encodeURIComponent(h.id)}`, 'data-resume': h.id, text: t('kb.wiz.resume') }))));
}

// ---- steps -----------------------------------------------------------------------------------------------

function resumeStep() {
  const fromUrl = Number(params.get('step'));
  if (fromUrl >= 1 && fromUrl <= REVIEW + 1) return fromUrl - 1;
  const kept = Number(local.get(`wizard.step.${ctx.rec.id}`));
  if (kept >= 1 && kept <= REVIEW + 1) return kept - 1;
  const open = STEPS.findIndex((s) => !(s.filled ? s.filled(ctx.rec, ctx) : true));
  return open < 0 ? REVIEW : open;
}

function paintStepper() {
  $('stepper').replaceChildren(...[...STEPS.map((s, i) => i), REVIEW].map((i) => {
    const done = i < REVIEW && STEPS[i].filled && STEPS[i].filled(ctx.rec, ctx);
    const current = i === step;
    const b = el('button', { type: 'button', class: 'kb-step-btn', 'data-step': i + 1, 'aria-current': current ? 'step' : undefined,
      disabled: !ctx.rec.id && i > 0, on: { click: () => go(i) } },
    el('span', { class: 'kb-step-n', 'aria-hidden': 'true', text: done && !current ? '✓' : String(i + 1) }),
    el('span', { class: 'kb-step-name', text: stepName(i) }),
    done ? el('span', { class: 'visually-hidden', text: ` (${t('kb.wiz.stepDone')})` }) : null);
    return el('li', { class: `${current ? 'current' : ''} ${done ? 'done' : ''}` }, b);
  }));
}

function renderStep() {
  if (step === REVIEW) { renderReview(); return; }
  show('view-steps');
  $('step-kicker').textContent = t('kb.wiz.stepOf', { n: step + 1, total: STEPS.length });
  $('step-title').textContent = t(`kb.step.${step + 1}`);
  $('step-intro').textContent = t(`kb.wiz.intro.${step + 1}`);
  $('step-errors').hidden = true;
  $('step-form').dataset.step = String(step + 1);
  collect = buildStep(ctx, step, $('step-body'));
  $('prev').hidden = step === 0;
  $('next-label').textContent = step === STEPS.length - 1 ? t('kb.wiz.toReview') : t('kb.wiz.next');
  paintStepper();
  paintPreview();
  document.title = `${t('kb.wiz.stepOf', { n: step + 1, total: STEPS.length })}: ${t(`kb.step.${step + 1}`)} · ${t('kb.brand')}`;
}

function focusTitle(id) { const h = $(id); if (h) h.focus(); }

function showProblems(box, problems) {
  box.replaceChildren(el('p', { text: t('kb.form.problems', { n: problems.length }) }),
    el('ul', {}, ...problems.map((p) => el('li', {}, el('a', { href: `#${p.input.id}`, text: p.message,
      on: { click: (e) => { e.preventDefault(); p.input.focus(); } } })))));
  box.hidden = false;
  box.focus?.();
  problems[0].input.focus();
}

function status(kind, text) {
  const s = $('save-status');
  s.dataset.state = kind;
  s.textContent = text;
}

/** Collect this step, save the draft, and go to `target` (or stay, for "Bewaar concept"). */
async function go(target, { stay = false } = {}) {
  if (busy) return;
  if (step === REVIEW) { step = target; renderStep(); return; }
  const problems = collect();
  if (problems.length) { showProblems($('step-errors'), problems); return; }
  $('step-errors').hidden = true;
  busy = true;
  status('pending', t('kb.save.pending'));
  const out = await save();
  busy = false;
  if (!out) return;
  status('confirmed', t('kb.save.draftAt', { time: fmtTime(Date.now()) }));
  if (stay) { paintStepper(); paintPreview(); announce(t('kb.save.draftAt', { time: fmtTime(Date.now()) })); return; }
  step = target;
  remember();
  renderStep();
  focusTitle(step === REVIEW ? 'review-title' : 'step-title');
  announce(`${t('kb.save.draftAt', { time: fmtTime(Date.now()) })}. ${stepName(step)}`);
}

/** Save as it stands (state unchanged: a draft stays a draft). Logs in again when the token expired. */
async function save(state) {
  for (;;) {
    const out = await saveRecord(ctx, state);
    if (out.ok) {
      if (out.created) { remember(); rememberDraft(ctx.rec.id); }
      return out;
    }
    if (out.res.status === 401) {
      status('error', t('kb.save.loginAgain'));
      await requireLogin($('login-host'), 'kb.auth.again');
      status('pending', t('kb.save.pending'));
      continue;
    }
    status('error', t('kb.save.failed', { reason: errorText(out.res) }));
    return null;
  }
}

function remember() {
  if (!ctx.rec.id) return;
  local.set(`wizard.step.${ctx.rec.id}`, step + 1);
  const url = new URL(location.href);
  url.searchParams.delete('new');
  url.searchParams.delete('type');
  url.searchParams.set('id', ctx.rec.id);
  url.searchParams.set('step', String(step + 1));
  history.replaceState(null, '', url);
}

// ---- preview ---------------------------------------------------------------------------------------------

function paintPreview() {
  if ($('preview-pane').hidden) return;
  quietly(() => collect());
  $('preview').replaceChildren(renderIntervention(ctx.rec, { effects: ctx.effects, monitoring: ctx.monitoringResponse, preview: true }));
}

function togglePreview() {
  const open = $('preview-pane').hidden;
  $('preview-pane').hidden = !open;
  $('view-steps').classList.toggle('with-preview', open);
  $('toggle-preview').setAttribute('aria-expanded', String(open));
  $('toggle-preview').textContent = t(open ? 'kb.wiz.hidePreview' : 'kb.wiz.showPreview');
  paintPreview();
}

// ---- review and publish ----------------------------------------------------------------------------------

function renderReview() {
  show('view-review');
  const gaps = missing(ctx.rec, ctx);
  const box = $('review-missing');
  box.hidden = !gaps.length;
  box.replaceChildren(el('p', { text: t('kb.wiz.missingIntro') }),
    el('ul', {}, ...gaps.map((g) => el('li', {}, `${t(g.key)} `,
      el('button', { type: 'button', class: 'btn btn-link btn-small', text: t('kb.wiz.toStep', { n: g.step + 1 }), on: { click: () => go(g.step) } })))));
  $('review-preview').replaceChildren(renderIntervention(ctx.rec, { effects: ctx.effects, monitoring: ctx.monitoringResponse, preview: true }));
  $('publish-error').hidden = true;
  $('publish').disabled = false;
  document.title = `${t('kb.wiz.reviewTitle')} · ${t('kb.brand')}`;
}

async function publish() {
  if (busy) return;
  busy = true;
  $('publish').disabled = true;
  $('publish-status').dataset.state = 'pending';
  $('publish-status').textContent = t('kb.save.publishing');
  const before = ctx.rec.state;
  const out = await saveRecord(ctx, 'published');
  busy = false;
  $('publish').disabled = false;
  if (!out.ok) {
    ctx.rec.state = before;
    if (out.res.status === 401) { await requireLogin($('login-host'), 'kb.auth.again'); publish(); return; }
    $('publish-status').textContent = '';
    $('publish-error').textContent = t('kb.save.publishFailed', { reason: errorText(out.res) });
    $('publish-error').hidden = false;
    return;
  }
  local.set(`wizard.step.${ctx.rec.id}`, null);
  rememberDraft(ctx.rec.id, false);
  $('publish-status').textContent = '';
  show('view-done');
  $('done-view').href = `/web/kennisbank/intervention.html?id=${encodeURIComponent(ctx.rec.id)}`;
  const first = (ctx.rec.effects || [])[0];
  $('done-search').href = first ? `/web/kennisbank/index.html?effect=${encodeURIComponent(first)}` : `/web/kennisbank/index.html?kind=${encodeURIComponent(ctx.rec.kind)}`;
  focusTitle('done-title');
  announce(t('kb.wiz.doneTitle'));
}

// ---- start up --------------------------------------------------------------------------------------------

async function open() {
  await requireLogin($('login-host'));
  await loadVocabulary(ctx);
  const id = params.get('id');
  if (!id && !params.get('new')) { await showStart(); return; }
  if (id) {
    const [rec, mon] = await Promise.all([api(`/api/v1/interventions/${encodeURIComponent(id)}`), api(`/api/v1/interventions/${encodeURIComponent(id)}/monitoring`)]);
    if (!rec.ok) {
      $('loading').hidden = true;
      $('load-error').replaceChildren(el('p', { text: rec.status === 404 ? t('kb.wiz.missingDraft') : errorText(rec) }),
        el('a', { class: 'btn', href: '/web/kennisbank/wizard.html', text: t('kb.wiz.toStart') }));
      $('load-error').hidden = false;
      return;
    }
    ctx.rec = rec.body;
    if (ctx.rec.state === 'draft') rememberDraft(ctx.rec.id);
    if (mon.ok) { ctx.monitoringResponse = mon.body; ctx.monitoring = mon.body.entries || []; }
    markSaved(ctx);
    step = resumeStep();
    if (step > 0 || params.get('step')) status('confirmed', t('kb.wiz.resumed', { title: ctx.rec.title }));
  } else {
    markSaved(ctx);
    step = 0;
  }
  renderStep();
  focusTitle(step === REVIEW ? 'review-title' : 'step-title');
}

$('start').addEventListener('click', () => {
  const url = new URL(location.href);
  url.searchParams.set('new', '1');
  history.pushState(null, '', url);
  markSaved(ctx);
  step = 0;
  renderStep();
  focusTitle('step-title');
});
$('step-form').addEventListener('submit', (e) => { e.preventDefault(); go(step + 1); });
$('prev').addEventListener('click', () => go(Math.max(0, step - 1)));
$('save-draft').addEventListener('click', () => go(step, { stay: true }));
$('toggle-preview').addEventListener('click', togglePreview);
$('step-body').addEventListener('input', () => { clearTimeout(previewTimer); previewTimer = setTimeout(paintPreview, 400); });
$('step-body').addEventListener('change', () => { clearTimeout(previewTimer); previewTimer = setTimeout(paintPreview, 100); });
$('review-back').addEventListener('click', () => { step = STEPS.length - 1; remember(); renderStep(); focusTitle('step-title'); });
$('publish').addEventListener('click', publish);
// Leaving (closing the tab, following a link) or hiding the page (another app on a phone): what is typed
// is sent with keepalive, so the draft survives even when nobody pressed a button.
function leaving() {
  if ($('view-steps').hidden || busy) return;
  quietly(() => collect());
  if (unsaved(ctx)) saveOnLeave(ctx);
}
window.addEventListener('pagehide', leaving);
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') leaving(); });
window.addEventListener('popstate', () => location.reload());
onLangChange(() => {
  if (!$('view-steps').hidden) { quietly(() => collect()); renderStep(); } else if (!$('view-review').hidden) renderReview(); else if (!$('view-start').hidden) showStart();
});

initPage();
open();
