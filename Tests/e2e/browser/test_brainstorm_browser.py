"""The brainstorm plugin (issue 7) in real Chromium.

Acceptance 1: 30 participants over the wire protocol and a facilitator in Chromium who drives every phase from
the console and does the plugin's own work in its element (seed from the kennisbank, moderate, cluster by tapping
and "Verplaats naar…", merge duplicates, reveal, record evidence, publish); the kennisbank then holds an archetype
whose fields, werkzame bestanddelen, evidence levels, ranking and provenance are checked against what the test did.
Acceptance 5: a participant on a 360 px phone moves a card into a cluster without drag and drop.

The hub of these tests loads a copy of the repository's plugins/brainstorm (browserkit.PLUGINS is pointed at it).
"""
import asyncio
import json
import sys
import threading
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browserkit import EMAIL, PASSWORD, csp_problems, deep, screenshot, wait_for
from test_shell import body, by_id, login, shown

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hubclient import Client, close_all  # noqa: E402

FIXTURE = Path(__file__).resolve().parents[1] / "brainstorm" / "kennisbank.jsonl"
TITLE = "Archetype: buurtbeheerbedrijven"


def agenda(config, context=True):
    lines = ["session: Wat werkt in buurtbeheerbedrijven", "lang: nl", "agenda:", "  - plugin: brainstorm", "    title: Werkzame bestanddelen"]
    if context:
        lines += ["    context:", "      kennisbank: {kind: buurtbeheerbedrijven, type: praktijk}"]
    lines.append("    config: %s" % json.dumps(config, ensure_ascii=False))
    return "\n".join(lines) + "\n"


@pytest.fixture
def brainstorm_hub(shipped_hub):
    hub = shipped_hub("brainstorm")
    hub.run("login", "--server", hub.url, "--email", EMAIL, "--password-stdin", input=PASSWORD + "\n")
    hub.run("kennisbank", "import", FIXTURE)
    return hub


class Crowd:
    """WebSocket participants (and a facilitator connection) on an event loop of their own, so that the
    test's Selenium calls and the clients' reading go on at the same time."""

    def __init__(self, hub):
        self.hub = hub
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.people = []

    def run(self, coro, timeout=120):
        return asyncio.run_coroutine_threadsafe(asyncio.wait_for(coro, timeout), self.loop).result(timeout + 5)

    def join(self, code, n, names=None):
        ws = self.hub.url.replace("http://", "ws://") + "/ws"

        async def main():
            people = [Client(ws, "p%02d" % i) for i in range(n)]

            async def one(i):
                await people[i].connect()
                await people[i].join(code, name=names(i) if names else "Deelnemer %02d" % i)
            await asyncio.gather(*(one(i) for i in range(n)))
            return people
        self.people = self.run(main())
        return self.people

    def facilitator(self, code):
        async def main():
            f = Client(self.hub.url.replace("http://", "ws://") + "/ws", "fac-ws")
            await f.connect()
            await f.join(code, auth=self.hub.token)
            return f
        return self.run(main())

    def close(self, extra=()):
        self.run(close_all(self.people + list(extra)))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def plugin(d):
    found = deep(d, "hub-plugin-brainstorm")
    return found[0] if found else None


def inside(d, selector):
    """Elements in the plugin's shadow root."""
    host = plugin(d)
    return host.shadow_root.find_elements(By.CSS_SELECTOR, selector) if host else []


def one(d, selector, message=None):
    return wait_for(lambda: (lambda e: e[0] if e and e[0].is_displayed() else None)(inside(d, selector)), message=message or selector)


def plugin_text(d):
    host = plugin(d)
    return d.execute_script("return arguments[0].shadowRoot.textContent.replace(/\\s+/g, ' ')", host) if host else ""


def status(d):
    """The plugin's hub-status: (state, text) of the last input."""
    return d.execute_script("""
      const s = arguments[0].shadowRoot.querySelector('hub-status');
      return s ? [s.getAttribute('state'), s.shadowRoot ? s.shadowRoot.textContent.trim() : ''] : null;
    """, plugin(d))


def confirmed(d, what):
    """Wait until the plugin's last input is confirmed; fail with the hub's message on an error."""
    def check():
        s = status(d)
        if s and s[0] == "error":
            raise AssertionError("%s refused: %s" % (what, s[1]))
        return s and s[0] == "confirmed"
    try:
        wait_for(check, message="%s confirmed" % what, detail=lambda: status(d))
    except AssertionError as e:
        if "refused" in str(e):
            raise
        raise


def click(d, selector):
    """Click an element of the plugin; found again if a re-render replaced it in between."""
    from selenium.common.exceptions import StaleElementReferenceException
    for _ in range(5):
        try:
            e = one(d, selector)
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
            e.click()
            return
        except StaleElementReferenceException:
            time.sleep(0.05)
    raise AssertionError("%s kept being replaced" % selector)


def phase_button(f, name):
    """Click the console's phase button (found again if the console re-rendered it) and wait for the phase."""
    def press():
        f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="%s"]' % name).click()
        return True
    wait_for(press, message="phase button %s" % name)
    wait_for(lambda: body(f, "phase") == name, message="phase %s current" % name, detail=lambda: body(f, "phase"))
    wait_for(lambda: plugin(f) and inside(f, "header .phase"), message="plugin re-rendered")


# ---- the script of acceptance 1 -------------------------------------------------------------------------------

N = 30
GOALS = ["schonere straten", "werk voor bewoners", "meer sociale controle"]
APPROACH = ["bewoners vormen de ploeg", "vaste straten per koppel", "herstel dezelfde dag"]
NEEDS = [("people", "een vaste coördinator"), ("money", "meerjarige opdrachten"), ("time", "drie jaar adem")]


def first_card(i):
    return ("doelen", "Doel %02d: %s" % (i, GOALS[i % 3]), None)


def second_card(i):
    if i % 3 == 0:
        return ("aanpak", "Aanpak %02d: %s" % (i, APPROACH[(i // 3) % 3]), None)
    if i % 3 == 1:
        return ("effect", "Effect %02d: de buurt voelt schoner" % i, None)
    need, text = NEEDS[(i // 3) % 3]
    return ("nodig", "Nodig %02d: %s" % (i, text), need)


# Clusters made in the browser: the aanpak cards of these participants.
CLUSTERS = [("Bewoners doen het werk", [0, 3, 6]), ("Vaste straten en snel herstel", [9, 12, 15]), ("Perspectief voor de ploeg", [18, 21, 24])]
MOVED = 27  # its aanpak card goes into the first cluster with "Verplaats naar…"
HIDDEN = 29  # its second card is hidden by the facilitator
DUPLICATE = (2, 5)  # participant 5's goal is merged into participant 2's as a duplicate (same theme)


def spread(i, k):
    """Dots of participant i over the clusters k[0..2]: totals 30, 48 and 6."""
    if i < 12:
        return {k[0]: 2, k[1]: 1}
    if i < 24:
        return {k[1]: 3}
    return {k[2]: 1, k[0]: 1}


def test_thirty_participants_and_a_chromium_facilitator_make_an_archetype_in_the_kennisbank(brainstorm_hub, browsers):
    hub = brainstorm_hub
    config = {"intervention": {"kind": "buurtbeheerbedrijven", "title": TITLE}, "dots": 3, "maxCards": 4, "maxLength": 120}
    session = hub.create_session(agenda(config))
    code, sid = session["code"], session["id"]
    crowd = Crowd(hub)
    people = crowd.join(code, N)
    try:
        beamer = browsers(1280, 720, mobile=False)
        beamer.get(session["beamerUrl"])
        f = browsers(1280, 900, mobile=False)
        login(f, hub.url, sid)
        by_id(f, "btn-start").click()
        wait_for(lambda: body(f, "status") == "open", message="session open")
        by_id(f, "btn-next").click()
        wait_for(lambda: body(f, "current") == "a1", message="console on a1")
        wait_for(lambda: plugin(f) and "Verzamelen" in plugin_text(f), message="the brainstorm in the console")

        # Verzamelen: the facilitator seeds from the kennisbank, 30 people post two cards each.
        click(f, '[data-k="seed"]')
        confirmed(f, "seed")
        seqs = {}

        async def post():
            for k, make in enumerate((first_card, second_card)):
                payloads = [make(i) for i in range(N)]
                replies = await asyncio.gather(*(p.input("a1", "card", dict({"question": q, "text": t}, **({"need": n} if n else {})))
                                                 for p, (q, t, n) in zip(people, payloads)))
                for i, r in enumerate(replies):
                    assert r["t"] == "ack", r
                    seqs[(i, k)] = r["seq"]
            # One over the limit of 4 is refused; the last one is withdrawn by its writer and posted again.
            await people[7].ok(people[7].input("a1", "card", {"question": "effect", "text": "Effect 07: extra"}))
            extra = await people[7].ok(people[7].input("a1", "card", {"question": "effect", "text": "Effect 07: nog een"}))
            over = await people[7].input("a1", "card", {"question": "effect", "text": "Effect 07: te veel"})
            assert over["t"] == "error" and over["detail"] == "card_limit", over
            await people[7].ok(people[7].input("a1", "withdraw", {"card": "c%d" % extra}))
        crowd.run(post())
        card = {key: "c%d" % s for key, s in seqs.items()}
        wait_for(lambda: len(inside(f, ".wall li")) >= 2 * N + 1 + 8, message="the wall in the console", detail=lambda: len(inside(f, ".wall li")))
        click(f, '[data-k="hide-%s"]' % card[(HIDDEN, 1)])
        confirmed(f, "hide")
        screenshot(f, "brainstorm-facilitator-verzamelen")

        # Clusteren, in the browser: tap the cards, name the cluster, make it.
        phase_button(f, "clusteren")
        late = crowd.run(people[1].input("a1", "card", {"question": "doelen", "text": "Te laat"}))
        assert late["t"] == "error" and late["code"] == "phase_forbids", late
        for name, members in CLUSTERS:
            for i in members:
                click(f, '[data-card="%s"]' % card[(i, 1)])
            wait_for(lambda: len(inside(f, 'button.card.on')) == len(members), message="selection of %s" % name)
            field = one(f, '[data-k="cluster-name"]')
            field.send_keys(name)
            click(f, '[data-k="cluster-make"]')
            confirmed(f, "cluster %s" % name)
            wait_for(lambda: any(name in e.text for e in inside(f, ".cluster h3")), message="cluster %s shown" % name)
        clusters = f.execute_script("return [...arguments[0].shadowRoot.querySelectorAll('section.cluster')].map((s) => s.dataset.cluster)", plugin(f))
        assert len(clusters) == 3, clusters
        # "Verplaats naar…" for one card, and two goals merged as duplicates.
        click(f, '[data-card="%s"]' % card[(MOVED, 1)])
        from selenium.webdriver.support.ui import Select
        Select(one(f, '[data-k="move-to"]')).select_by_value(clusters[0])
        click(f, '[data-k="move-go"]')
        confirmed(f, "move")
        wait_for(lambda: inside(f, 'section.cluster[data-cluster="%s"] [data-card="%s"]' % (clusters[0], card[(MOVED, 1)])), message="moved card in its cluster")
        click(f, '[data-card="%s"]' % card[(DUPLICATE[0], 0)])
        click(f, '[data-card="%s"]' % card[(DUPLICATE[1], 0)])
        click(f, '[data-k="merge-cards"]')
        confirmed(f, "merge")
        wait_for(lambda: not inside(f, '[data-card="%s"]' % card[(DUPLICATE[1], 0)]), message="the duplicate folded into its card")
        screenshot(f, "brainstorm-facilitator-clusteren")

        # Waarderen: 30 spreads of 3 dots; blind until the facilitator reveals with R.
        phase_button(f, "waarderen")

        async def rate():
            over = await people[0].input("a1", "dots", {"dots": {clusters[0]: 4}})
            assert over["t"] == "error" and over["detail"] == "over_budget", over
            not_yet = await people[0].input("a1", "cluster", {"name": "Nog een"})
            assert not_yet["t"] == "error" and not_yet["code"] == "phase_forbids", not_yet
            acks = await asyncio.gather(*(p.ok(p.input("a1", "dots", {"dots": spread(i, clusters)})) for i, p in enumerate(people)))
            v = await people[3].wait_view("a1", check=lambda v: v["voters"] == N)
            assert all("dots" not in c for c in v["clusters"]), "dots on the wall before the reveal"
            return acks
        dot_seqs = crowd.run(rate())
        f.execute_script("document.getElementById('main').focus()")
        from test_shell import key
        key(f, "r")

        async def revealed():
            v = await people[9].wait_view("a1", check=lambda v: v["revealed"])
            return {c["id"]: (c["dots"], c["rank"]) for c in v["clusters"]}
        assert crowd.run(revealed()) == {clusters[0]: (30, 2), clusters[1]: (48, 1), clusters[2]: (6, 3)}
        wait_for(lambda: "48 stippen" in plugin_text(f), message="the ranking in the console")
        wait_for(lambda: "48 stippen" in plugin_text(beamer), message="the ranking on the beamer", detail=lambda: plugin_text(beamer)[:300])
        screenshot(beamer, "brainstorm-beamer-waarderen")
        screenshot(f, "brainstorm-facilitator-waarderen")

        # Toetsen: evidence in the browser, practice examples and doubts from the room.
        phase_button(f, "toetsen")
        evidence = {clusters[1]: ("bewezen", "Zichtbare wanorde lokt normovertreding uit; dat is in veldexperimenten aangetoond.",
                                  [("Keizer, Lindenberg & Steg (2008). The spreading of disorder", "https://doi.org/10.1126/science.1161405")]),
                    clusters[0]: ("aannemelijk", "Collectieve zelfwerkzaamheid hangt samen met minder wanorde.", [("Sampson e.a. (1997)", None)])}
        for k, (level, explanation, sources) in evidence.items():
            Select(one(f, '[data-k="ev-cluster"]')).select_by_value(k)
            Select(one(f, '[data-k="ev-level"]')).select_by_value(level)
            one(f, '[data-k="ev-expl"]').clear()
            one(f, '[data-k="ev-expl"]').send_keys(explanation)
            one(f, '[data-k="ev-sources"]').clear()
            one(f, '[data-k="ev-sources"]').send_keys("\n".join("%s | %s" % (t, u) if u else t for t, u in sources))
            click(f, '[data-k="ev-send"]')
            confirmed(f, "evidence for %s" % k)
            wait_for(lambda: any(level in e.text for e in inside(f, 'ol.ingredients li[data-cluster="%s"] .level' % k)), message="level shown")

        async def notes():
            await people[5].ok(people[5].input("a1", "practice", {"cluster": clusters[0], "text": "In de Molenwijk kent iedereen de ploeg bij naam"}))
            await people[6].ok(people[6].input("a1", "doubt", {"cluster": clusters[2], "text": "Stromen deelnemers echt door naar betaald werk?"}))
        crowd.run(notes())
        wait_for(lambda: "Stromen deelnemers echt door" in plugin_text(f), message="the doubt in the console")

        # Vastleggen: the draft on screen, then publish.
        phase_button(f, "vastleggen")
        wait_for(lambda: inside(f, "article.draft"), message="the draft")
        screenshot(f, "brainstorm-facilitator-vastleggen")
        click(f, '[data-k="publish"]')
        confirmed(f, "publish")
        wait_for(lambda: "Gepubliceerd in de kennisbank" in plugin_text(f), message="published")
        wait_for(lambda: "Gepubliceerd in de kennisbank" in plugin_text(beamer) and "Werkzame bestanddelen" in plugin_text(beamer), message="the archetype on the beamer")
        screenshot(beamer, "brainstorm-beamer-vastleggen")
        assert not any(w in plugin_text(beamer) for w in ("Publiceer", "Verberg", "Plak je kaart")), "controls on the beamer"
        assert csp_problems(f) == [] and csp_problems(beamer) == []
    finally:
        crowd.close()

    # The kennisbank, read back over REST, against the script above.
    status_, export = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)
    assert status_ == 200
    [out] = [o for o in export["outputs"] if o["kind"] == "kennisbank.intervention"]
    assert out.get("filed", "").endswith("@1"), out
    kb_id = out["filed"].split("@")[0]
    st, rec = hub.api("GET", "/api/v1/interventions/%s" % kb_id)
    assert st == 200, rec
    assert (rec["type"], rec["state"], rec["kind"], rec["title"], rec["version"]) == ("archetype", "published", "buurtbeheerbedrijven", TITLE, 1)
    assert rec["practices"] == ["kb-bs-buurtbedrijf-noord", "kb-bs-buurtbedrijf-zuid"]

    def by_seq(keys):
        return [t for _, t in sorted((seqs[key], text) for key, text in keys)]
    seeded_goals = ["Schonere straten in Noord", "Werkervaring voor bewoners", "Minder zwerfafval"]
    goals = by_seq([((i, 0), first_card(i)[1]) for i in range(N) if i != DUPLICATE[1]])
    assert rec["goals"] == seeded_goals + goals
    approach = by_seq([((i, 1), second_card(i)[1]) for i in range(N) if second_card(i)[0] == "aanpak"])
    assert rec["approach"].split("\n") == ["Schouw met bewoners", "Werven in de buurt", "Bewoners uit de buurt doen het werk",
                                           "Vaste koppels lopen elke dag dezelfde straten."] + approach
    effects = by_seq([((i, 1), second_card(i)[1]) for i in range(N) if second_card(i)[0] == "effect"]) + ["Effect 07: extra"]
    assert rec["intendedEffect"].split("\n") == ["Een straatbeeld waar bewoners trots op zijn"] + effects
    needs = {}
    for i in range(N):
        q, text, need = second_card(i)
        if q == "nodig" and i != HIDDEN:
            needs.setdefault(need, []).append((seqs[(i, 1)], text))
    assert rec["needs"]["people"].split("\n") == ["Een coördinator en twee voormannen"] + [t for _, t in sorted(needs.get("people", []))]
    assert rec["needs"]["money"].split("\n") == ["€ 180.000 per jaar"] + [t for _, t in sorted(needs.get("money", []))]
    assert rec["needs"]["partners"] == "Corporatie en gemeente"
    hidden_text = second_card(HIDDEN)[1]
    assert hidden_text not in json.dumps(rec, ensure_ascii=False)

    ingredients = rec["activeIngredients"]
    names = [c[0] for c in CLUSTERS]
    assert [a["statement"] for a in ingredients] == [names[1], names[0], names[2]]
    assert [(a["rank"], a["votes"]) for a in ingredients] == [(1, 48), (2, 30), (3, 6)]
    assert [a.get("evidence", {}).get("level") for a in ingredients] == ["bewezen", "aannemelijk", None]
    assert ingredients[0]["evidence"]["sources"] == [{"title": "Keizer, Lindenberg & Steg (2008). The spreading of disorder", "url": "https://doi.org/10.1126/science.1161405"}]
    assert ingredients[1]["evidence"] == {"level": "aannemelijk", "explanation": "Collectieve zelfwerkzaamheid hangt samen met minder wanorde.",
                                          "sources": [{"title": "Sampson e.a. (1997)"}]}
    for a, (name, members) in zip(ingredients, [CLUSTERS[1], CLUSTERS[0], CLUSTERS[2]]):
        for i in members + ([MOVED] if name == names[0] else []):
            assert second_card(i)[1] in a["why"], (name, i, a["why"])
    assert "Praktijkvoorbeelden: In de Molenwijk kent iedereen de ploeg bij naam" in ingredients[1]["why"]
    assert "Twijfels: Stromen deelnemers echt door naar betaald werk?" in ingredients[2]["why"]

    prov = [p for p in rec["provenance"] if p["session"] == sid]
    assert len(prov) == 1 and prov[0]["activity"] == "a1", rec["provenance"]
    events = {e["seq"]: e for e in export["events"]}
    got = set(prov[0]["seqs"])
    cards = {s for key, s in seqs.items() if key != (HIDDEN, 1)}
    assert cards <= got, sorted(cards - got)
    assert seqs[(HIDDEN, 1)] not in got
    assert set(dot_seqs) <= got
    assert all(events[s]["type"] in ("card", "dots", "seed") for s in got)
    print("archetype %s: %d goals, %d ingredients, %d provenance seqs" % (kb_id, len(rec["goals"]), len(ingredients), len(got)))


# ---- acceptance 5: the phone ---------------------------------------------------------------------------------


def test_a_phone_moves_a_card_into_a_cluster_by_tapping_without_drag_and_drop(brainstorm_hub, browsers):
    hub = brainstorm_hub
    session = hub.create_session(agenda({"intervention": {"kind": "buurtbeheerbedrijven"}, "participantsCluster": True}, context=False))
    code = session["code"]
    crowd = Crowd(hub)
    fac = crowd.facilitator(code)
    try:
        d = browsers(360, 740)
        d.get(session["participantUrl"])
        wait_for(lambda: shown(d, "view-join"), message="join form")
        by_id(d, "join-name").send_keys("Sanne de Vries", Keys.ENTER)
        wait_for(lambda: body(d, "participant"), message="welcome")
        crowd.run(fac.ok(fac.command("start")))
        crowd.run(fac.ok(fac.command("next")))

        # The phone writes its card with the form.
        text = one(d, "#card-text", "the card form")
        text.send_keys("Vaste koppels lopen elke dag dezelfde straten")
        click(d, '[data-k="card-send"]')
        confirmed(d, "card")
        wait_for(lambda: "Vaste koppels lopen" in plugin_text(d) and inside(d, "ul.mine li"), message="own card listed")
        assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than 360 px"
        screenshot(d, "brainstorm-phone-verzamelen")

        crowd.run(fac.ok(fac.command("phase", activity="a1", phase="clusteren")))
        k = "k%d" % crowd.run(fac.ok(fac.input("a1", "cluster", {"name": "Snel en zichtbaar"})))
        other = "k%d" % crowd.run(fac.ok(fac.input("a1", "cluster", {"name": "Vaste gezichten"})))
        v = crowd.run(fac.wait_view("a1", check=lambda v: len(v["clusters"]) == 2 and v["cards"]))
        card = v["cards"][0]["id"]
        assert v["cards"][0].get("cluster") is None

        # No drag events: record any that fire, then tap, choose, tap.
        d.execute_script("""
          window.__drags = 0;
          const host = arguments[0];
          for (const t of ['dragstart', 'drop']) host.shadowRoot.addEventListener(t, () => { window.__drags += 1; }, true);
        """, plugin(d))
        tile = one(d, '[data-card="%s"]' % card)
        size = tile.size
        assert size["height"] >= 44 and size["width"] >= 44, size
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", tile)
        tile.click()
        wait_for(lambda: one(d, '[data-card="%s"]' % card).get_attribute("aria-pressed") == "true", message="card selected")
        from selenium.webdriver.support.ui import Select
        pick = one(d, '[data-k="move-to"]')
        assert [o.text for o in Select(pick).options][1:] == ["Snel en zichtbaar", "Vaste gezichten", "Niet ingedeeld"]
        Select(pick).select_by_visible_text("Vaste gezichten")
        go = one(d, '[data-k="move-go"]')
        assert go.size["height"] >= 44
        screenshot(d, "brainstorm-phone-verplaats")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", go)
        go.click()
        confirmed(d, "move")
        wait_for(lambda: inside(d, 'section.cluster[data-cluster="%s"] [data-card="%s"]' % (other, card)), message="card in the cluster on the phone")
        assert not inside(d, 'section.pool [data-card="%s"]' % card)
        assert d.execute_script("return window.__drags") == 0
        moved = crowd.run(fac.wait_view("a1", check=lambda v: v["cards"][0].get("cluster") == other))
        assert [c["cards"] for c in moved["clusters"]] == [[], [card]]
        screenshot(d, "brainstorm-phone-moved")

        # And into the other cluster by keyboard alone: Space on the focused card, Shift+Tab back to the list,
        # an arrow key to choose, Tab to Verplaats, Enter.
        from test_shell import key

        def focused():
            return d.execute_script("const a = arguments[0].shadowRoot.activeElement; return a ? a.dataset.k || a.localName : null", plugin(d))
        d.execute_script("arguments[0].focus()", one(d, '[data-card="%s"]' % card))
        key(d, Keys.SPACE)
        wait_for(lambda: one(d, '[data-card="%s"]' % card).get_attribute("aria-pressed") == "true", message="selected by keyboard")
        assert focused() == "card-%s" % card, "the focus stays on the card after the re-render: %s" % focused()
        for _ in range(20):
            if focused() == "move-to":
                break
            key(d, Keys.SHIFT, Keys.TAB)
        assert focused() == "move-to", focused()
        key(d, Keys.ARROW_DOWN)
        assert Select(one(d, '[data-k="move-to"]')).first_selected_option.text == "Snel en zichtbaar"
        key(d, Keys.TAB)
        assert focused() == "move-go", focused()
        key(d, Keys.ENTER)
        crowd.run(fac.wait_view("a1", check=lambda v: v["cards"][0].get("cluster") == k))

        # Waarderen on the phone: two dots on one bestanddeel, one on the other, then save.
        crowd.run(fac.ok(fac.command("phase", activity="a1", phase="waarderen")))
        click(d, '[data-k="more-%s"]' % other)
        click(d, '[data-k="more-%s"]' % other)
        click(d, '[data-k="more-%s"]' % k)
        wait_for(lambda: "Nog 2 stippen te verdelen" in plugin_text(d), message="dots left", detail=lambda: plugin_text(d)[:300])
        click(d, '[data-k="dots-save"]')
        confirmed(d, "dots")
        crowd.run(fac.wait_view("a1", "facilitator", check=lambda v: v["dotsCast"] == 3 and v["voters"] == 1))
        assert "De uitslag volgt als de facilitator die toont." in plugin_text(d), "blind until the reveal"
        assert not inside(d, "ol.ranking")
        screenshot(d, "brainstorm-phone-waarderen")
        assert csp_problems(d) == []
    finally:
        crowd.close([fac])
