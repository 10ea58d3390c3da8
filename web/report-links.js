// The console's report downloads (docs/REPORTS.md): GET /api/v1/sessions/<id>/report?format=… with the
// facilitator's token (facilitate/auth.js; a plain link cannot carry it), saved as a file. Kept apart from facilitate.js.
import { getLang, onLangChange } from '/web/i18n.js';
import { token, saveAs } from '/web/facilitate/auth.js';

const WORDS = {
  nl: { label: 'Verslag', busy: 'Bezig…', pdf_unavailable: 'PDF kan deze server niet maken (geen Chromium); HTML werkt wel.', failed: 'Het verslag kon niet worden gemaakt.' },
  en: { label: 'Report', busy: 'Working…', pdf_unavailable: 'This server cannot make PDFs (no Chromium); HTML works.', failed: 'The report could not be made.' },
};
const EXT = { html: 'html', pdf: 'pdf', md: 'md', json: 'json' };

const box = document.getElementById('report-links');
const sessionId = decodeURIComponent((/^\/facilitate\/([^/?#]+)/.exec(location.pathname) || [])[1] || '');
const words = () => WORDS[getLang()] || WORDS.nl;
function label() {
  box.querySelector('[data-report-label]').textContent = words().label;
}

async function download(format, link) {
  const status = box.querySelector('[data-report-status]');
  status.textContent = words().busy;
  try {
    const tk = token();
    const res = await fetch(`/api/v1/sessions/${encodeURIComponent(sessionId)}/report?format=${format}&lang=${getLang()}`,
      { headers: tk ? { Authorization: `Bearer ${tk}` } : {} });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      const code = body && body.error && body.error.code;
      status.textContent = words()[code] || words().failed;
      return;
    }
    await saveAs(res, `verslag-${sessionId}.${EXT[format]}`);
    status.textContent = '';
  } catch {
    status.textContent = words().failed;
  }
  link.focus();
}

if (box && sessionId) {
  label();
  onLangChange(label);
  for (const link of box.querySelectorAll('[data-report]')) {
    link.addEventListener('click', (e) => { e.preventDefault(); download(link.dataset.report, link); });
  }
}
