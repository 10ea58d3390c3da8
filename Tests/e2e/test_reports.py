"""The session report (issue 18, acceptance 3 and 6; docs/REPORTS.md), against the real hub and the shipped
checkin, brainstorm, voting and case-review plugins.

Six simulated participants (with functions and organisations) check in, write and cluster brainstorm
cards and spread dots, vote, and run the incidentmethode in two groups, typing case texts that are
confidential. Then the report, while the session runs and after close, in all four formats:

- each activity's labels and counts are there as text (HTML, PDF text, Markdown, JSON);
- HTML and Markdown hold no raw JSON (no `{"`);
- none of the planted confidential texts is in any of them (byte scan; PDF via pdftotext);
- the HTML renders in Chromium (screenshot in test-artifacts/e2e/reports/) and prints to PDF on the server;
- hubctl writes each format with --out; a bad format and an unknown session answer their codes.
"""
import asyncio
import json
import shutil
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest

from conftest import shipped_hub
from hubclient import Client, close_all, run
from hubprocess import ARTIFACTS

PLUGINS = ("checkin", "brainstorm", "voting", "case-review")
FUNCTIONS = ["wijkagent", "wijkagent", "opbouwwerker", "opbouwwerker", "bewoner", None]
ORGS = ["Politie", "Politie", "Welzijn Noord", "Welzijn Noord", None, "Gemeente"]
OPTIONS = ["Marktplein", "Kerkplein", "Stationsplein"]
BRAINSTORM = {"intervention": {"kind": "buurtbeheerbedrijven", "title": "Archetype buurtbeheer"}, "dots": 3, "maxCards": 4, "maxLength": 120}

AGENDA = """series: Verslagreeks
session: Verslag in de wijk
lang: nl
agenda:
  - plugin: checkin
    title: Binnenkomen
    config: {question: "Hoe kom je binnen?", mode: both}
  - plugin: brainstorm
    title: Wat werkt
    config: %s
  - plugin: voting
    title: Kiezen
    config: {kind: single, question: "Welk plein eerst?", options: %s, seriesResult: themes, seriesResultTop: 2}
  - plugin: case-review
    title: Intervisie
    groups: {mode: random, size: 3}
    config: {method: incident}
""" % (json.dumps(BRAINSTORM), json.dumps(OPTIONS))


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("reports", PLUGINS) as h:
        yield h


def fetch(hub, sid, fmt, token="default"):
    """GET the report; returns (status, raw bytes, content type)."""
    req = urllib.request.Request("%s/api/v1/sessions/%s/report?format=%s" % (hub.url, sid, fmt))
    if token:
        req.add_header("Authorization", "Bearer " + (hub.token if token == "default" else token))
    try:
        with urllib.request.urlopen(req, timeout=90) as r:
            return r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("Content-Type", "")


def pdf_text(data, path):
    path.write_bytes(data)
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing (apt-get install poppler-utils; scripts/common.sh installs it)", pytrace=False)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=30).stdout


async def ok(client, activity, type, payload):
    r = await client.input(activity, type, payload, timeout=30)
    assert r.get("t") == "ack", "%s %s %s refused: %s" % (client.label, type, payload, r)
    return r["seq"]


async def run_session(hub, code, secrets):
    fac = Client(hub.ws_url, "fac")
    await fac.connect()
    await fac.join(code, auth=hub.token)
    people = [Client(hub.ws_url, "r%02d" % i) for i in range(6)]
    await asyncio.gather(*(p.connect() for p in people))
    await asyncio.gather(*(p.join(code, name="Deelnemer %02d" % i, **{k: v for k, v in (("function", FUNCTIONS[i]), ("org", ORGS[i])) if v})
                           for i, p in enumerate(people)))
    try:
        await fac.ok(fac.command("start"))
        await fac.ok(fac.command("next"))
        # a1 check-in: "samen" three times, "moe" twice, one mood only.
        words = ["samen", "samen", "moe", "samen", "moe", None]
        await asyncio.gather(*(ok(p, "a1", "checkin", dict({"mood": 3 + i % 3}, **({"word": w} if w else {})))
                               for i, (p, w) in enumerate(zip(people, words))))
        await fac.ok(fac.command("phase", activity="a1", phase="closed"))

        await fac.ok(fac.command("next"))
        # a2 brainstorm: cards, one cluster by the facilitator, dots, reveal.
        cards = [await ok(p, "a2", "card", {"question": "doelen", "text": "Schone straten %d" % i}) for i, p in enumerate(people[:4])]
        await ok(people[4], "a2", "card", {"question": "aanpak", "text": "Vaste koppels per straat"})
        await fac.ok(fac.command("phase", activity="a2", phase="clusteren"))
        k = await fac.ok(fac.input("a2", "cluster", {"name": "Bewoners doen mee", "cards": ["c%d" % c for c in cards[:3]]}))
        await fac.ok(fac.command("phase", activity="a2", phase="waarderen"))
        await asyncio.gather(*(ok(p, "a2", "dots", {"dots": {"k%d" % k: 2}}) for p in people[:5]))
        await fac.ok(fac.command("reveal", activity="a2"))

        await fac.ok(fac.command("next"))
        # a3 voting: 4 × Marktplein, 2 × Kerkplein, none for Stationsplein.
        await asyncio.gather(*(ok(p, "a3", "ballot", {"choice": 0 if i < 4 else 1}) for i, p in enumerate(people)))
        await fac.ok(fac.command("reveal", activity="a3"))

        await fac.ok(fac.command("next"))
        # a4 case review in two groups of three: confidential proposals and cards, one consented leerpunt each.
        mine = await asyncio.gather(*(p.wait_view("a4", "me", lambda v: v.get("group"), timeout=20) for p in people))
        groups = {}
        for p, m in zip(people, mine):
            groups.setdefault(m["group"], []).append((p, m["id"]))
        for gid, members in sorted(groups.items()):
            view = await members[0][0].wait_view("a4", "group:" + gid, lambda v: len(v.get("members", [])) == len(members), timeout=20)
            order = [next(c for c, i in members if i == m["id"]) for m in view["members"]]
            chair, owner = order[0], order[1]
            for c in order:
                secret = "GEHEIM-%s" % uuid.uuid4().hex[:12]
                secrets += [secret + "-titel", secret + "-vraag"]
                await ok(c, "a4", "propose", {"title": secret + "-titel", "description": "", "question": secret + "-vraag"})
            view = await chair.wait_view("a4", "group:" + gid, lambda v: len(v["proposals"]) == len(order), timeout=20)
            owner_id = next(i for c, i in members if c is owner)
            await ok(chair, "a4", "choose-case", {"proposal": next(p["id"] for p in view["proposals"] if p["by"] == owner_id)})
            await ok(chair, "a4", "advance", {})
            await ok(chair, "a4", "advance", {})
            card = "GEHEIM-kaart-%s" % uuid.uuid4().hex[:12]
            secrets.append(card)
            await ok(chair, "a4", "card", {"kind": "question", "text": card})
            for _ in range(4):
                await ok(chair, "a4", "advance", {})
            kept = "GEHEIM-leerpunt-%s" % uuid.uuid4().hex[:12]
            secrets.append(kept)
            await ok(order[2], "a4", "leerpunt", {"kind": "tip", "title": "Deelbaar leerpunt %s" % gid, "text": "Bel vroeg een collega.", "barriers": ["samenwerking"]})
            await ok(order[2], "a4", "leerpunt", {"kind": "les", "title": kept, "text": kept + " tekst", "barriers": ["budget"]})
            view = await chair.wait_view("a4", "group:" + gid, lambda v: len(v["leerpunten"]) == 2, timeout=20)
            shared = next(l["id"] for l in view["leerpunten"] if l["title"].startswith("Deelbaar"))
            await ok(owner, "a4", "consent", {"leerpunt": shared, "consent": True})
            await ok(chair, "a4", "publish", {})
        return fac, people, sorted(groups)
    except BaseException:
        await close_all([fac] + people)
        raise


def check_text(text, fmt, groups, secrets, final):
    """Each activity's labels and counts as text, and no confidential text."""
    leaked = [s for s in secrets if s in text]
    assert not leaked, "%s holds confidential text: %s" % (fmt, leaked)
    for label in ["Hoe kom je binnen?", "samen", "moe", "Welk plein eerst?", "Marktplein", "Kerkplein", "Stationsplein",
                  "Bewoners doen mee", "Intervisie", "Binnenkomen", "Wat werkt", "Kiezen", "wijkagent", "Politie", "Welzijn Noord"]:
        assert label in text, "%s: %r missing" % (fmt, label)
    for counts in ["6 deelnemers checkten in", "6 deelnemers stemden", "5 kaarten", "5 deelnemers verdeelden"]:
        assert counts in text, "%s: %r missing" % (fmt, counts)
    if final:
        assert "Leerpunten gedeeld in de gereedschapskist" in text and "Deelbaar leerpunt" in text, fmt


def test_a_session_report_holds_every_activitys_results_in_four_formats_and_no_confidential_text(hub):
    session = hub.create_session(AGENDA, name="report.yaml")
    sid, code = session["id"], session["code"]
    secrets = []
    out = ARTIFACTS / "reports"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    async def main():
        fac, people, groups = await run_session(hub, code, secrets)
        try:
            # While the session runs (the confidential inputs are still in the log): the report already holds it all.
            status, body, kind = fetch(hub, sid, "html")
            assert status == 200 and kind.startswith("text/html"), (status, body[:300])
            html = body.decode()
            check_text(html, "running html", groups, secrets, final=False)
            assert '{"' not in html
            await fac.ok(fac.command("phase", activity="a4", phase="closed"))
            await fac.ok(fac.command("close"))
        finally:
            await close_all([fac] + people)
        return groups

    groups = run(main(), timeout=120)
    assert len(groups) == 2 and len(secrets) == 2 * (6 + 2)

    texts = {}
    for fmt in ("html", "md", "json", "pdf"):
        status, body, kind = fetch(hub, sid, fmt)
        assert status == 200, (fmt, status, body[:300])
        assert not [s for s in secrets if s.encode() in body], "%s bytes hold confidential text" % fmt
        (out / ("report." + fmt)).write_bytes(body)
        texts[fmt] = pdf_text(body, out / "report.pdf") if fmt == "pdf" else body.decode()
    assert texts["pdf"] and body.startswith(b"%PDF")
    for fmt, text in texts.items():
        check_text(text, fmt, groups, secrets, final=True)
    for fmt in ("html", "md"):
        assert '{"' not in texts[fmt], "%s holds raw JSON" % fmt
    report = json.loads(texts["json"])
    assert report["attendance"]["total"] == 6
    assert {"label": "wijkagent", "count": 2} in report["attendance"]["byFunction"]
    assert [a["source"] for a in report["activities"]] == ["plugin"] * 4, [a["source"] for a in report["activities"]]
    vote = report["activities"][2]["sections"][0]
    assert [(i["label"]["nl"], i["value"]) for i in vote["items"]] == [("Marktplein", "4"), ("Kerkplein", "2"), ("Stationsplein", "0")]
    assert [p["kind"] for p in report["produced"]] == ["gereedschapskist", "gereedschapskist"], report["produced"]
    assert all(a["startedAt"] and a["minutes"] is not None for a in report["agenda"]), report["agenda"]
    assert "<svg" in texts["html"] and "<rect" in texts["html"]
    # The export's Markdown is the same prose.
    md_export = hub.hubctl("session", "export", sid, "--format", "md").stdout
    assert "```" not in md_export and '{"' not in md_export and "Marktplein: 4" in md_export

    # The HTML renders in Chromium: a screenshot of the first A4 page.
    shot = out / "report.png"
    chromium = shutil.which("chromium") or pytest.fail("no chromium", pytrace=False)
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=794,1123",
                    "--user-data-dir=%s" % (out / "profile"), "--screenshot=%s" % shot, (out / "report.html").as_uri()],
                   capture_output=True, timeout=60, check=True)
    assert shot.stat().st_size > 10_000

    # hubctl: every format to a file; the markdown to standard output.
    for fmt in ("html", "md", "json", "pdf"):
        target = hub.dir / ("hubctl-report." + fmt)
        r = hub.hubctl("session", "report", code, "--format", fmt, "--out", target)
        assert r.stdout == "" and target.stat().st_size > 1000, fmt
    assert hub.hubctl("session", "report", code, "--format", "md").stdout.startswith("# Verslag in de wijk")


def test_the_series_report_aggregates_attendance_themes_and_toolkit_items(hub):
    """Acceptance 4, on the series the first test's session belongs to (`series:` in its agenda)."""
    status, body = hub.api("GET", "/api/v1/series")
    series = next((x for x in body["series"] if x["title"] == "Verslagreeks"), None)
    if series is None:
        pytest.skip("the first test did not run")
    texts = {}
    for fmt in ("md", "html", "json"):
        req = urllib.request.Request("%s/api/v1/series/%s/report?format=%s" % (hub.url, series["id"], fmt))
        req.add_header("Authorization", "Bearer " + hub.token)
        with urllib.request.urlopen(req, timeout=60) as r:
            texts[fmt] = r.read().decode()
    view = json.loads(texts["json"])
    closed = [x for x in view["sessions"] if x["status"] == "closed"]
    assert closed and closed[0]["attendance"] == 6, view["sessions"]
    assert view["themes"] == ["Marktplein", "Kerkplein"], view["themes"]
    for fmt in ("md", "html"):
        text = texts[fmt]
        assert '{"' not in text, fmt
        assert "Verslag in de wijk" in text and "Marktplein" in text and "Kerkplein" in text, fmt
        assert text.count("Deelbaar leerpunt") == 2, fmt
        assert "a4" in text and "tk-" in text, fmt
    out = hub.dir / "series-report.md"
    hub.hubctl("series", "report", series["id"], "--format", "md", "--out", out)
    assert out.read_text().startswith("# Verslagreeks")


def test_bad_requests_answer_their_codes(hub):
    session = hub.create_session(AGENDA, name="bad.yaml")
    status, body, _ = fetch(hub, session["id"], "docx")
    assert status == 400 and json.loads(body)["error"]["code"] == "bad_format"
    status, body, _ = fetch(hub, "nosuchsession", "html")
    assert status == 404 and json.loads(body)["error"]["code"] == "session_not_found"
    status, body, _ = fetch(hub, session["id"], "html", token=None)
    assert status == 401
    r = hub.hubctl("session", "report", session["code"], "--format", "docx", check=False)
    assert r.returncode != 0 and "--format" in r.stderr
    # A session that never started: the agenda without times, each activity with no results or where its view
    # stands, as prose.
    status, body, _ = fetch(hub, session["id"], "md")
    text = body.decode()
    assert status == 200 and ("Nog geen resultaten" in text or "Stand van zaken" in text) and '{"' not in text, text


def test_without_chromium_the_pdf_answers_pdf_unavailable_and_html_still_works():
    with shipped_hub("reports-nochromium", ("checkin",)) as h:
        h.stop()
        plain = h.env
        h.env = lambda **extra: plain(SESSIONHUB_CHROMIUM="none", **extra)
        h.start()
        h.login()  # a new port: the saved token was for the old address
        session = h.create_session("session: Zonder PDF\nlang: nl\nagenda:\n  - plugin: checkin\n    title: In\n", name="nopdf.yaml")
        status, body, _ = fetch(h, session["id"], "pdf")
        assert status == 503 and json.loads(body)["error"]["code"] == "pdf_unavailable", (status, body[:300])
        r = h.hubctl("session", "report", session["code"], "--format", "pdf", "--out", h.dir / "x.pdf", check=False)
        assert r.returncode != 0 and "pdf_unavailable" in r.stderr, r.stderr
        status, body, _ = fetch(h, session["id"], "html")
        assert status == 200 and b"Zonder PDF" in body
