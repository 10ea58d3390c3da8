"""Accessibility audit (issue 20, docs/ACCESSIBILITY.md): axe-core in real Chromium over every page type and every
shipped plugin's participant, facilitator and beamer views, in every phase; 0 serious or critical violations, in
the light and the dark theme.

One hub loads every shipped plugin; one session has one activity per plugin. Simulated participants
(hubclient, over the wire protocol) and a facilitator connection give each view content before it is audited.
Chromium windows of 1280 × 720 follow the session: participant and console in each theme, the beamer; the
kennisbank and gereedschapskist pages run in a window of their own meanwhile. axe-core comes from the
selenium-axe-python wheel (axe-core/axe.min.js). Screenshots of each page and view land in
test-artifacts/accessibility/, with axe-report.json (every violation of any impact, axe's undecided results
and how far each beamer view runs past 720 px).

Also here: the contrast of the design tokens (web/tokens.css) in light, dark and beamer, without a browser;
and the join and vote flow by keyboard on a phone, read from Chromium's accessibility tree.
"""
import asyncio
import json
import re
import threading
import time
from pathlib import Path

import hubclient
from selenium.webdriver.common.by import By
from browserkit import ARTIFACTS, EMAIL, REPO, wait_for
from test_shell import body, by_id, login, shown

OUT = ARTIFACTS / "accessibility"
PLUGINS = ["checkin", "voting", "brainstorm", "case-review", "timer", "card-deck", "shared-agenda", "shared-goals", "theme-choice", "obstacles"]
AGENDA = """\
session: Toegankelijk in de wijk
lang: nl
agenda:
  - plugin: checkin
    title: Hoe kom je binnen?
    config: {question: "Hoe gaat het met je?", mode: both}
  - plugin: voting
    title: Wat werkt het best?
    config: {kind: single, question: "Wat werkt het best in jouw wijk?", options: [Schoonmaakploeg, Buurtconciërge, Huiskamer]}
  - plugin: brainstorm
    title: Werkzame bestanddelen
  - plugin: case-review
    title: Intervisie
    groups: {mode: random, size: 3}
    config: {method: incident}
  - plugin: timer
    title: Pauze
    config: {minutes: 5}
  - plugin: card-deck
    title: Inbedden in je organisatie
    config: {deck: implementatie, select: [draagvlak, eigenaarschap, middelen]}
  - plugin: shared-agenda
    title: Onze agenda voor de wijk
  - plugin: shared-goals
    title: Wat willen we samen?
    config: {threshold: 2}
  - plugin: theme-choice
    title: Welke thema's pakken we op?
  - plugin: obstacles
    title: Waar lopen we tegenaan?
"""
PEOPLE = ["Sanne", "Joost", "Ayse", "Kees"]

# What the simulated room sends in each activity, so that each view has content: (who, type, payload).
# `who` is "p" (every simulated participant, payload formatted with its index i) or "f" (the facilitator).
CONTENT = {
    "checkin": [("p", "checkin", lambda i: {"mood": 1 + i % 5, "word": ["moe", "blij", "nieuwsgierig", "druk"][i % 4]})],
    "voting": [("p", "ballot", lambda i: {"choice": i % 3})],
    "brainstorm": [("p", "card", lambda i: {"question": ["doelen", "aanpak"][i % 2], "text": "Idee %d van de wijk" % i})],
    "case-review": [("p", "propose", lambda i: {"title": "Casus %d" % i, "description": "Een gezin met schulden", "question": "Wat doe ik?"})],
    "timer": [("f", "start", lambda i: {})],
    "card-deck": [("f", "show", lambda i: {"card": "draagvlak"}),
                  ("p", "respond", lambda i: {"card": "draagvlak", "applies": ["yes", "no", "partly"][i % 3]})],
    "shared-agenda": [("p", "add", lambda i: {"lane": ["wonen", "werken", "leven"][i % 3], "goal": "Doel %d voor de wijk" % i})],
    "shared-goals": [("p", "party", lambda i: {"role": ["bewoner", "gemeente", "corporatie", "welzijn"][i % 4]}),
                     ("p", "goal", lambda i: {"text": "Een schone straat %d" % i})],
    "theme-choice": [("p", "propose", lambda i: {"text": "Thema %d van de wijk" % i})],
    "obstacles": [("p", "obstacle", lambda i: {"category": ["budget", "samenwerking", "anders", "wet-en-regelgeving"][i % 4], "text": "Belemmering %d" % i})],
}

AXE_JS = None


def axe_source():
    global AXE_JS
    if AXE_JS is None:
        import selenium_axe_python
        path = Path(selenium_axe_python.__file__).parent / "axe-core" / "axe.min.js"
        AXE_JS = path.read_text(encoding="utf-8")
        assert "axe.run" in AXE_JS or "runVirtualRule" in AXE_JS, path
    return AXE_JS


RUN_AXE = """
const done = arguments[arguments.length - 1];
const only = arguments[0], within = arguments[1];
const options = only ? { runOnly: { type: 'rule', values: only } } : {};
const nodes = (v) => v.nodes.map((n) => ({ target: n.target.map((t) => Array.isArray(t) ? t.join(' >> ') : t).join(' >> '),
                                          impact: n.impact, summary: (n.failureSummary || '').slice(0, 300) }));
axe.run(within ? { include: [[within]] } : document, options).then((r) => done({
  violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: nodes(v) })),
  // What axe could not decide (e.g. text over an image or a gradient): counted in the report, not failed.
  incomplete: r.incomplete.map((v) => ({ id: v.id, count: v.nodes.length, targets: nodes(v).slice(0, 5).map((n) => n.target),
    why: [...new Set(v.nodes.map((n) => (n.any[0] || n.all[0] || n.none[0] || {}).message || ''))].slice(0, 3) })),
})).catch((e) => done({ error: String(e) }));
"""


class Audit:
    """Every axe violation, per page and theme; the serious and critical ones fail the test."""

    def __init__(self, report="axe-report.json"):
        self.file = OUT / report
        self.found = []
        self.incomplete = []
        self.beamer_overflow = {}
        self.beamer_scale = {}
        self.pages = []
        self.spent = []  # (page, theme, screenshot s, axe s)
        self.lock = threading.Lock()
        self.errors = []
        OUT.mkdir(parents=True, exist_ok=True)

    def page(self, d, name, theme="light", within=None):
        """Screenshot and audit one page as `d` shows it: every rule in the light theme; in a dark window the
        colour contrast only (the other rules do not depend on the theme). `within`: a selector of the part to
        audit (its shadow trees included), when the rest of the page was audited in an earlier step."""
        t0 = time.monotonic()
        d.save_screenshot(str(OUT / ("%s%s.png" % (name, "-dark" if theme == "dark" else ""))))
        t1 = time.monotonic()
        if not d.execute_script("return !!window.axe"):
            d.execute_script(axe_source())
        result = d.execute_async_script(RUN_AXE, ["color-contrast"] if theme == "dark" else None, within)
        assert "error" not in result, "axe failed on %s: %s" % (name, result)
        with self.lock:
            self.pages.append("%s (%s)" % (name, theme))
            self.found.extend(dict(v, page=name, theme=theme) for v in result["violations"])
            self.incomplete.extend(dict(v, page=name, theme=theme) for v in result["incomplete"])
            self.spent.append((name, theme, t1 - t0, time.monotonic() - t1))
            self._save()  # after every page, so that a test that stops halfway still leaves its report
        return result

    def pages_at_once(self, *jobs):
        """Audit several windows at the same time (each Chromium runs its own axe): jobs of (driver, name, theme[, within])."""
        threads = [threading.Thread(target=self._job, args=job) for job in jobs]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if self.errors:
            raise self.errors[0]

    def _job(self, d, name, theme, within=None):
        try:
            self.page(d, name, theme, within)
        except Exception as e:  # noqa: BLE001 - raised again in the test's thread
            self.errors.append(e)

    def overflow(self, name, d):
        """How far a beamer view runs past the 720 px screen or out of its stage (a beamer cannot scroll, and the stage
        clips), and the scale the beamer chose to fit it, measured two frames on (the beamer refits on the frame after a
        view renders); a loaded machine may take longer, so this waits up to 3 s for it to fit before recording what is left."""
        measure = """
          const done = arguments[arguments.length - 1];
          requestAnimationFrame(() => requestAnimationFrame(() => {
            const stage = document.querySelector('.beamer-stage').getBoundingClientRect();
            const slot = document.getElementById('plugin-slot').getBoundingClientRect();
            const page = document.documentElement.scrollHeight - window.innerHeight;
            done([Math.max(page, Math.ceil(slot.bottom - stage.bottom), Math.ceil(stage.top - slot.top)),
                  Number(document.body.dataset.scale || 1)]);
          }));"""
        deadline = time.monotonic() + 3
        over, scale = d.execute_async_script(measure)
        while over > 0 and time.monotonic() < deadline:
            time.sleep(0.1)
            over, scale = d.execute_async_script(measure)
        with self.lock:
            if over > 0:
                self.beamer_overflow[name] = over
            self.beamer_scale[name] = scale
            self._save()

    def serious(self):
        return [v for v in self.found if v["impact"] in ("serious", "critical")]

    def report(self, violations):
        lines = []
        for v in violations:
            for n in v["nodes"][:6]:
                lines.append("%s [%s] %s on %s (%s): %s — %s" % (v["impact"], v["theme"], v["id"], v["page"], v["help"],
                                                              n["target"], n["summary"].replace("\n", " ")))
            if len(v["nodes"]) > 6:
                lines.append("   … and %d more nodes" % (len(v["nodes"]) - 6))
        return "\n".join(lines)

    def save(self):
        with self.lock:
            self._save()

    def _save(self):
        self.file.write_text(json.dumps({"pages": self.pages, "violations": self.found, "incomplete": self.incomplete,
                                                          "beamerOverflowPx": self.beamer_overflow, "beamerScale": self.beamer_scale}, indent=1, ensure_ascii=False))


class Room:
    """The simulated participants and a facilitator connection, on an asyncio loop of their own."""

    def __init__(self, hub, code):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.ws = hub.url.replace("http://", "ws://") + "/ws"
        self.code = code
        self.hub = hub
        self.people = []
        self.fac = None

    def call(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def open(self):
        async def go():
            self.fac = hubclient.Client(self.ws, "fac")
            await self.fac.connect()
            await self.fac.join(self.code, auth=self.hub.token)
            self.people = await hubclient.join_many(self.ws, self.code, len(PEOPLE), fields=lambda i: {"name": PEOPLE[i]})
        self.call(go())

    def command(self, type_, **fields):
        return self.call(self.fac.ok(self.fac.command(type_, **fields)))

    def fill(self, activity, plugin):
        async def go():
            for who, type_, payload in CONTENT[plugin]:
                senders = [self.fac] if who == "f" else self.people
                # Refusals are fine here (the views only need some content); the answers are awaited in order.
                await asyncio.gather(*(c.input(activity, type_, payload(i)) for i, c in enumerate(senders)))
        self.call(go())

    def close(self):
        try:
            self.call(hubclient.close_all(self.people + [self.fac]), timeout=10)
        except Exception:  # noqa: BLE001 - the hub may already be gone
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)


JS_FIND = """
const find = (root, sel) => { for (const n of root.querySelectorAll('*')) { if (n.matches(sel)) return n;
  if (n.shadowRoot) { const f = find(n.shadowRoot, sel); if (f) return f; } } return null; };
"""


def plugin_ready(d, plugin):
    """The plugin element of `plugin` is there and has drawn something."""
    return d.execute_script(JS_FIND + """
      const host = find(document, arguments[0]);
      return !!(host && host.shadowRoot && host.shadowRoot.textContent.trim().length > 0);
    """, "hub-plugin-" + plugin)


def phases(plugin):
    return [ph["name"] for ph in json.loads((REPO / "plugins" / plugin / "plugin.json").read_text()).get("phases", [])] or [None]


def phase_shown(d, plugin, phase):
    """The shell has handed `phase` to the plugin element (shell.js sets element.phase; a plugin whose setter keeps
    no getter reads undefined, and then the sleep after this wait stands in)."""
    return d.execute_script(JS_FIND + """const e = find(document, arguments[0]);
      return !!e && (e.phase === arguments[1] || e.phase === undefined);""", "hub-plugin-" + plugin, phase)


def window(browsers, scheme="light"):
    """A Chromium window whose page is exactly 1280 × 720 CSS pixels (the screenshots' size), in one colour scheme
    for its whole life: switching the emulated scheme under a live page left some computed colours of the old
    scheme behind for axe under load, so each theme has windows of its own."""
    d = browsers(1280, 720, mobile=False)
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
    media(d, scheme)
    return d


def media(d, scheme):
    """The colour scheme to emulate, always with reduced motion: no transition is caught halfway by axe or a screenshot."""
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": scheme}, {"name": "prefers-reduced-motion", "value": "reduce"}]})


def kennisbank_pages(hub, k, audit):
    """The kennisbank's search, reading, editing and writing pages and the gereedschapskist, as a logged-in
    facilitator (the console's sessionStorage keys, which the kennisbank pages share). Each page is loaded in the
    light scheme, then loaded again in the dark one (a fresh load, never a switch under a live page)."""
    status, found = hub.api("GET", "/api/v1/interventions")
    assert status == 200, (status, found)
    first = found["hits"][0]["id"]
    k.get(hub.url + "/web/kennisbank/index.html")
    k.execute_script("sessionStorage.setItem('hub.auth', arguments[0]);"
                     "sessionStorage.setItem('hub.facilitator', JSON.stringify({name: 'Fenna Facilitator', email: arguments[1]}));",
                     hub.token, EMAIL)
    for name, path, ready in (
            ("kennisbank-search", "index.html", "#hits > li"),
            ("gereedschapskist", "index.html?tab=toolkit", "#hits > li"),
            ("kennisbank-intervention", "intervention.html?id=%s" % first, "h1"),
            ("kennisbank-edit", "edit.html?id=%s" % first, "form"),
            ("kennisbank-wizard", "wizard.html", "#main h1")):
        for scheme in ("light", "dark"):
            media(k, scheme)
            k.get(hub.url + "/web/kennisbank/" + path)
            wait_for(lambda: k.execute_script(
                "return [...document.querySelectorAll(arguments[0])].some((e) => e.checkVisibility())", ready),
                message="%s ready" % name)
            time.sleep(0.2)
            audit.page(k, name, scheme)


def facilitator_pages(hub, k, audit):
    """The facilitator's home (templates, sessions, series), the agenda editor from a template and on a draft's agenda,
    and the console's "Activiteit toevoegen" open (issue 20), signed in with the kennisbank pages' token; each page
    loaded in the light scheme, then again in the dark one."""
    draft = hub.create_session("series: Leerkring Zuid\n" + AGENDA)
    for name, path, ready in (
            ("home", "/facilitate/", "#list-templates > li"),
            ("editor-template", "/facilitate/new?template=themabijeenkomst", "#items > li"),
            ("editor-edit", "/facilitate/new?edit=%s" % draft["id"], "body[data-editing] #items > li"),
            ("console-add-activity", "/facilitate/%s" % draft["id"], "#add-activity > summary")):
        for scheme in ("light", "dark"):
            media(k, scheme)
            k.get(hub.url + path)
            wait_for(lambda: k.execute_script(
                "return [...document.querySelectorAll(arguments[0])].some((e) => e.checkVisibility())", ready),
                message="%s ready" % name)
            if name == "console-add-activity":
                k.find_element(By.CSS_SELECTOR, "#add-activity > summary").click()
                wait_for(lambda: k.find_elements(By.CSS_SELECTOR, "#add-activity [data-path^='item.config.']"), message="the add-activity form")
            time.sleep(0.2)
            audit.page(k, name, scheme)


def test_every_page_and_plugin_view_has_no_serious_axe_violation_in_both_themes(shipped_hub, browsers):
    t0 = time.monotonic()
    hub = shipped_hub(*PLUGINS)
    session = hub.create_session(AGENDA)
    code = session["code"]
    hub.run("kennisbank", "import", REPO / "docs" / "examples" / "kennisbank.jsonl")
    hub.run("toolkit", "import", REPO / "docs" / "examples" / "gereedschapskist.jsonl")
    audit = Audit()

    # Participant and console in each theme, the beamer (one theme of its own: .beamer on <html>), the kennisbank.
    p, pd, f, fd = window(browsers), window(browsers, "dark"), window(browsers), window(browsers, "dark")
    b, k = window(browsers), window(browsers)
    themed = ((p, "light"), (pd, "dark"))
    consoles = ((f, "light"), (fd, "dark"))

    # The kennisbank and the gereedschapskist in a window of their own, while the others follow the session.
    kb_errors = []

    def kennisbank():
        try:
            kennisbank_pages(hub, k, audit)
            facilitator_pages(hub, k, audit)
        except BaseException as e:  # noqa: BLE001 - raised again in the test's thread
            kb_errors.append(e)
    kb = threading.Thread(target=kennisbank, daemon=True)
    kb.start()

    # Before the session starts: the join page, the login page, the beamer's join screen.
    for d, _ in themed:
        d.get(session["participantUrl"])
    for d, _ in consoles:
        d.get("%s/facilitate/%s" % (hub.url, session["id"]))
    b.get(session["beamerUrl"])
    for d, _ in themed:
        wait_for(lambda: shown(d, "view-join"), message="join form")
    for d, _ in consoles:
        wait_for(lambda: shown(d, "view-login"), message="login form")
    wait_for(lambda: body(b, "connection") == "open", message="beamer connected")
    audit.pages_at_once(*[(d, "join", t) for d, t in themed], *[(d, "login", t) for d, t in consoles], (b, "beamer-lobby", "light"))

    for d, name in ((p, "Fatima"), (pd, "Noor")):
        by_id(d, "join-name").send_keys(name)
        by_id(d, "join-submit").click()
    for d, _ in themed:
        wait_for(lambda: body(d, "participant"), message="welcome")
    for d, _ in consoles:
        login(d, hub.url, session["id"])
    audit.pages_at_once(*[(d, "participant-lobby", t) for d, t in themed], *[(d, "console-draft", t) for d, t in consoles])

    room = Room(hub, code)
    try:
        room.open()
        room.command("start")
        for n, plugin in enumerate(PLUGINS, start=1):
            activity = "a%d" % n
            room.command("next")
            room.fill(activity, plugin)
            if plugin == "voting":
                room.command("reveal", activity=activity)
            # Every phase of the manifest: the views differ per phase (brainstorm's five, shared-goals' four, …).
            for i, phase in enumerate(phases(plugin)):
                if i:
                    room.command("phase", activity=activity, phase=phase)
                for d, who in ((p, "participant"), (pd, "participant"), (f, "console"), (fd, "console"), (b, "beamer")):
                    wait_for(lambda: plugin_ready(d, plugin) and (not i or phase_shown(d, plugin, phase)),
                             message="%s view of %s in phase %s" % (who, plugin, phase))
                time.sleep(0.2)  # the views that follow the inputs and the phase change
                name = plugin if not i else "%s-%s" % (plugin, phase)
                audit.overflow("beamer-" + name, b)  # before axe, which moves things around while it runs
                # The first phase of an activity audits the whole page (the shell shows the new activity); later
                # phases change only the plugin's view, so only the plugin slot is audited again.
                within = "#plugin-slot" if i else None
                audit.pages_at_once(*[(d, "participant-" + name, t, within) for d, t in themed],
                                    *[(d, "console-" + name, t, within) for d, t in consoles], (b, "beamer-" + name, "light", within))
    finally:
        room.close()

    kb.join(120)
    assert not kb.is_alive(), "the kennisbank pages did not finish"
    if kb_errors:
        raise kb_errors[0]

    took = time.monotonic() - t0
    print("axe audited %d page views in %.1f s; %d violations of any impact (test-artifacts/accessibility/axe-report.json)"
          % (len(audit.pages), took, len(audit.found)))
    print("beamer views scaled to fit 1280 × 720: %r" % {k: z for k, z in audit.beamer_scale.items() if z < 1})
    print("seconds per page (screenshot/axe): " + ", ".join("%s %s %.1f/%.1f" % s for s in audit.spent))
    bad = audit.serious()
    assert not bad, "serious or critical axe violations:\n" + audit.report(bad)
    assert not audit.beamer_overflow, "beamer views that run past the 720 px screen (px): %r" % audit.beamer_overflow


# ---- the tokens themselves ------------------------------------------------------------------------------

def _luminance(hex_):
    h = hex_.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def themes():
    """{theme: {token: colour}} of web/tokens.css: light (:root), dark (light overridden by the media block), beamer."""
    css = re.sub(r"/\*.*?\*/", "", (REPO / "web" / "tokens.css").read_text(), flags=re.S)
    blocks = {}
    for m in re.finditer(r"([^{}]*)\{([^{}]*)\}", css):
        selector = m.group(1).strip()
        decls = dict(re.findall(r"--(color-[\w-]+):\s*(#[0-9a-fA-F]{3,6})", m.group(2)))
        if decls:
            blocks[selector] = decls
    light = blocks[":root"]
    dark = dict(light, **blocks[":root:not(.beamer)"])
    beamer = dict(light, **blocks[":root.beamer"])
    return {"light": light, "dark": dark, "beamer": beamer}


# (foreground, background, minimum): text pairs need 4.5:1; borders, focus rings, chart bars (non-text) and the
# accent, which is text only in the timer's large clock (WCAG large text), 3:1.
PAIRS = [
    ("text", "bg", 4.5), ("text", "surface", 4.5), ("muted", "bg", 4.5), ("muted", "surface", 4.5),
    ("primary", "surface", 4.5), ("primary", "bg", 4.5), ("on-primary", "primary", 4.5), ("on-header", "header", 4.5),
    ("on-accent", "accent", 4.5), ("accent", "surface", 3.0), ("accent", "bg", 3.0),
    ("ok", "surface", 4.5), ("warn", "surface", 4.5), ("error", "surface", 4.5),
    ("ok", "ok-bg", 4.5), ("warn", "warn-bg", 4.5), ("error", "error-bg", 4.5),
    ("text", "ok-bg", 4.5), ("text", "warn-bg", 4.5), ("text", "error-bg", 4.5),
    ("border", "surface", 3.0), ("border", "bg", 3.0), ("focus", "surface", 3.0), ("focus", "bg", 3.0),
    ("chart", "surface", 3.0), ("chart-2", "surface", 3.0),
]


def token_table():
    rows = []
    for theme, colours in themes().items():
        for fg, bg, minimum in PAIRS:
            a, b = colours["color-" + fg], colours["color-" + bg]
            rows.append((theme, fg, bg, a, b, contrast(a, b), minimum))
    return rows


def test_token_pairs_meet_wcag_aa_in_every_theme():
    rows = token_table()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "token-contrast.md").write_text("| theme | foreground | background | ratio | needs |\n|---|---|---|---|---|\n" + "".join(
        "| %s | `--color-%s` %s | `--color-%s` %s | %.2f | %.1f |\n" % (t, fg, a, bg, b, r, m) for t, fg, bg, a, b, r, m in rows))
    low = ["%s: --color-%s %s on --color-%s %s is %.2f:1, needs %.1f:1" % (t, fg, a, bg, b, r, m)
           for t, fg, bg, a, b, r, m in rows if r < m]
    assert not low, "\n".join(low)


# ---- what a screen reader gets: the accessibility tree of the join and vote flow ---------------------------

VOTE_AGENDA = """\
session: Stemmen in de wijk
lang: nl
agenda:
  - plugin: voting
    title: Wat werkt het best?
    config: {kind: single, question: "Wat werkt het best in jouw wijk?", options: [Schoonmaakploeg, Buurtconciërge, Huiskamer]}
"""


def ax_nodes(d):
    """Chromium's accessibility tree (DevTools protocol), the tree a screen reader reads: (role, name, focused)."""
    out = []
    for n in d.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]:
        if n.get("ignored"):
            continue
        props = {p["name"]: p.get("value", {}).get("value") for p in n.get("properties", [])}
        out.append(((n.get("role") or {}).get("value", ""), (n.get("name") or {}).get("value", ""), bool(props.get("focused")), props))
    return out


def focused(d):
    """(role, name, properties) of the focused element (through shadow roots) as the accessibility tree has it, as
    a screen reader announces a Tab stop. Headless windows never have the system focus, so the tree's own
    `focused` flag stays off: the element is found in the page and its node asked for."""
    found = d.execute_cdp_cmd("Runtime.evaluate", {"expression": """(() => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a === document.body ? null : a; })()"""})
    object_id = found.get("result", {}).get("objectId")
    if not object_id:
        return ("(document)", "", {})
    nodes = d.execute_cdp_cmd("Accessibility.getPartialAXTree", {"objectId": object_id, "fetchRelatives": False})["nodes"]
    for n in nodes:
        if not n.get("ignored"):
            props = {p["name"]: p.get("value", {}).get("value") for p in n.get("properties", [])}
            return (n.get("role") or {}).get("value", ""), (n.get("name") or {}).get("value", ""), props
    return None


def tab_to(d, want, limit=30, heard=None):
    """Tab until the focused node's role and name satisfy `want`; every stop on the way goes into `heard` (a Tab
    that leaves the focus on the document, as the first one in a fresh headless window may, is not a stop)."""
    from selenium.webdriver.common.keys import Keys
    from test_shell import key
    for _ in range(limit):
        key(d, Keys.TAB)
        now = wait_for(lambda: focused(d), timeout=5, message="a focused node")
        if heard is not None and now[0] != "(document)":
            heard.append(now[:2])
        if want(now):
            return now
    raise AssertionError("Tab never reached it; heard: %r" % heard)


def test_join_and_vote_by_keyboard_as_the_accessibility_tree_tells_it(shipped_hub, browsers):
    """The screen-reader pass that can run here: the join and vote flow by keyboard on a phone, each Tab stop read
    from Chromium's accessibility tree (role and accessible name), written to test-artifacts/accessibility/."""
    from selenium.webdriver.common.keys import Keys
    from test_shell import key
    hub = shipped_hub("voting")
    session = hub.create_session(VOTE_AGENDA)
    d = browsers(360, 740)
    heard = []
    d.get(session["participantUrl"])
    wait_for(lambda: shown(d, "view-join"), message="join form")
    assert d.execute_script("return document.documentElement.lang") == "nl"
    audit = Audit(report="axe-phone-report.json")  # axe on the phone layout too (the big audit runs at 1280 px)
    audit.page(d, "phone-join")

    # Join: from where the page put the focus, Tab to the name field, type, Tab to the button, Enter.
    start = focused(d)
    heard.append(("(focus on load) " + start[0], start[1]))
    tab_to(d, lambda f: f[0] == "textbox" and f[1].startswith("Je naam"), heard=heard)
    key(d, "Noor")
    tab_to(d, lambda f: f[0] == "button" and f[1] == "Doe mee", heard=heard)
    key(d, Keys.ENTER)
    wait_for(lambda: body(d, "participant"), message="welcome")
    lobby = [(r, n) for r, n, _, _ in ax_nodes(d) if n]
    assert ("heading", "Wacht op de facilitator") in lobby, lobby

    hub.command(session["code"], "start")
    hub.command(session["code"], "next")
    wait_for(lambda: any(r == "radio" for r, _, _, _ in ax_nodes(d)), message="the ballot in the accessibility tree")
    tree = ax_nodes(d)
    names = [(r, n) for r, n, _, _ in tree if n]
    assert ("heading", "Wat werkt het best?") in names, names
    radios = [n for r, n, _, _ in tree if r == "radio"]
    assert radios == ["Schoonmaakploeg", "Buurtconciërge", "Huiskamer"], radios
    group = [n for r, n, _, _ in tree if r in ("group", "radiogroup") and n]
    assert "Wat werkt het best in jouw wijk?" in group, group  # the fieldset's legend names the choice
    audit.page(d, "phone-ballot")

    # Vote: Tab into the group, ArrowDown to the second option, Space, Tab to the button, Enter.
    d.execute_script("document.getElementById('main').focus()")
    tab_to(d, lambda f: f[0] == "radio", heard=heard)
    key(d, Keys.ARROW_DOWN)
    now = focused(d)
    heard.append(now[:2])
    assert now[:2] == ("radio", "Buurtconciërge") and now[2].get("checked") in ("true", True), now
    tab_to(d, lambda f: f[0] == "button" and f[1] == "Stem", heard=heard)
    key(d, Keys.ENTER)
    confirmed = wait_for(lambda: [(r, n) for r, n, _, _ in ax_nodes(d) if "Je stem is binnen." in n or "Je stem staat vast." in n],
                         message="the confirmation in the accessibility tree")
    live = d.execute_script(JS_FIND + """
      const host = find(document, 'hub-plugin-voting');
      const s = host && host.shadowRoot.querySelector('hub-status');
      const region = s && (s.closest('[aria-live]') || (s.shadowRoot && s.shadowRoot.querySelector('[aria-live], [role=status], [role=alert]')));
      return region ? (region.getAttribute('aria-live') || region.getAttribute('role')) : null;
    """)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "join-and-vote-tab-stops.txt").write_text(
        "Tab stops of the join and vote flow on a 360 px phone (role: accessible name), from Chromium's accessibility tree\n"
        + "".join("%s: %s\n" % stop for stop in heard)
        + "after the vote: %r; live region of the status: %r\n" % (confirmed, live))
    nameless = [stop for stop in heard if not stop[1].strip()]
    assert not nameless, "Tab stops without an accessible name: %r" % nameless
    assert live, "the vote's confirmation is not in a live region"
    audit.page(d, "phone-voted")
    bad = audit.serious()
    assert not bad, "serious or critical axe violations on the phone:\n" + audit.report(bad)
