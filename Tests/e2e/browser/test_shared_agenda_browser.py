"""The shared-agenda plugin (issue 19) in real Chromium.

Acceptance 1: 20 participants over the wire protocol and a facilitator in Chromium who adds a point from the
console, runs into a conflict with a participant and keeps theirs, moves to `vastleggen` and publishes; the beamer
shows the board; the agenda item is read back over REST with its provenance. Acceptance 3: a participant on a 360 px
phone adds a point and resolves a conflict by merging, with the keyboard alone (nl); a second phone reads the board
in English; no window sees a CSP violation.

The hub of these tests loads a copy of the repository's plugins/shared-agenda (browserkit.PLUGINS is pointed at it).
"""
import asyncio

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browserkit import PluginView, active_path, csp_problems, deep, screenshot, wait_for
from test_brainstorm_browser import Crowd
from test_shell import body, by_id, join_phone, key, login, shown

A = "a1"
LANES = ["wonen", "werken", "leven"]


VIEW = PluginView("shared-agenda")
plugin, inside, text, status, confirmed, click = VIEW.plugin, VIEW.inside, VIEW.text, VIEW.status, VIEW.confirmed, VIEW.click


def agenda(config="{}"):
    return "\n".join(["series: e2e", "session: Leerkring wijkagenda", "lang: nl", "agenda:", "  - plugin: shared-agenda",
                      "    title: Onze agenda voor de wijk", "    config: %s" % config]) + "\n"


def field(d, name):
    return wait_for(lambda: (lambda e: e[0] if e else None)(inside(d, "#f-%s" % name)), message="field %s" % name)


def focused(d):
    """data-k of the element focused inside the plugin, or None."""
    return d.execute_script("const a = arguments[0].shadowRoot.activeElement; return a ? (a.dataset.k || a.id) : null;", plugin(d))


def board(view):
    return {it["id"]: {k: (f["value"], f["v"]) for k, f in it["fields"].items()} for lane in view["lanes"] for it in lane["items"]}


def test_twenty_participants_and_a_chromium_facilitator_record_the_agenda(shipped_hub, browsers):
    hub = shipped_hub("shared-agenda")
    session = hub.create_session(agenda('{"themes": [wonen, werken, leven], "audience": [bestuurders]}'))
    code, sid = session["code"], session["id"]
    crowd = Crowd(hub)
    people = crowd.join(code, 20)
    try:
        beamer = browsers(1280, 720, mobile=False)
        beamer.get(session["beamerUrl"])
        f = browsers(1280, 900, mobile=False)
        login(f, hub.url, sid)
        by_id(f, "btn-start").click()
        wait_for(lambda: body(f, "status") == "open", message="session open")
        by_id(f, "btn-next").click()
        wait_for(lambda: inside(f, '[data-k="add-wonen"]'), message="the board in the console")

        # The facilitator adds the first point from the console.
        click(f, '[data-k="add-wonen"]')
        field(f, "goal").send_keys("Samen één agenda voor Kanaleneiland")
        field(f, "owner").send_keys("Gemeente")
        field(f, "firstStep").send_keys("Partners uitnodigen")
        click(f, '[data-k="save"]')
        confirmed(f, "the new point", "Punt toegevoegd.")
        wait_for(lambda: "Samen één agenda voor Kanaleneiland" in text(beamer), message="the point on the beamer")

        # Twenty people add a point each and fill in its first step; all over the wire at once.
        async def fill():
            adds = await asyncio.gather(*(p.input(A, "add", {"lane": LANES[i % 3], "goal": "Punt van deelnemer %02d" % i,
                                                             "owner": "Organisatie %02d" % i}) for i, p in enumerate(people)))
            assert all(r["t"] == "ack" for r in adds), [r for r in adds if r["t"] != "ack"][:3]
            view = await people[0].wait_view(A, check=lambda v: len(board(v)) == 21)
            ids = {v["goal"][0]: i for i, v in board(view).items()}
            edits = await asyncio.gather(*(p.input(A, "edit", {"item": ids["Punt van deelnemer %02d" % i], "field": "firstStep",
                                                               "value": "Eerste stap %02d" % i, "base": 1}) for i, p in enumerate(people)))
            assert all(r["t"] == "ack" for r in edits), [r for r in edits if r["t"] != "ack"][:3]
        crowd.run(fill())
        wait_for(lambda: "Punt van deelnemer 19" in text(beamer) and "Eerste stap 19" in text(beamer), message="every point on the beamer")
        assert not inside(beamer, "button"), "controls on the beamer"

        # A conflict in the console: the facilitator edits the owner while a participant changes it first.
        click(f, '[data-k="edit-i1"]')
        owner = field(f, "owner")
        owner.clear()
        owner.send_keys("Gemeente, team wijken")
        crowd.run(people[0].ok(people[0].input(A, "edit", {"item": "i1", "field": "owner", "value": "Woonstichting De Linie", "base": 1})))
        wait_for(lambda: "Intussen gewijzigd op het bord: Woonstichting De Linie" in text(f), message="the warning before saving")
        click(f, '[data-k="save"]')
        wait_for(lambda: inside(f, ".conflict"), message="the conflict")
        conflict = inside(f, ".conflict")[0].text
        assert "Gemeente, team wijken" in conflict and "Woonstichting De Linie" in conflict, conflict
        screenshot(f, "shared-agenda-facilitator-conflict")
        click(f, '[data-k="keep-mine-owner"]')
        confirmed(f, "keep mine", "Bewaard.")
        wait_for(lambda: "Gemeente, team wijken" in text(beamer), message="the kept value on the beamer")

        f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="vastleggen"]').click()
        wait_for(lambda: body(f, "phase") == "vastleggen", message="phase vastleggen")
        late = crowd.run(people[1].input(A, "edit", {"item": "i2", "field": "owner", "value": "Te laat", "base": 1}))
        assert late["t"] == "error" and late["code"] == "phase_forbids", late
        click(f, '[data-k="publish"]')
        confirmed(f, "publish")
        wait_for(lambda: "Vastgelegd in de gereedschapskist" in text(beamer), message="published on the beamer")
        assert not inside(f, '[data-k="add-wonen"]'), "a published board still offers to add"
        screenshot(f, "shared-agenda-facilitator-published")
        # Afdrukken prints the board alone: the console around it and the board's own buttons stay off the paper.
        f.execute_script("window.print = () => { window.printed = true; };")
        click(f, '[data-k="print"]')
        wait_for(lambda: f.execute_script("return window.printed === true"), message="print")
        f.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            seen = f.execute_script("""
              const host = arguments[0], root = host.shadowRoot;
              const visible = (e) => getComputedStyle(e).visibility === 'visible' && getComputedStyle(e).display !== 'none';
              return [visible(document.getElementById('btn-start')), visible(root.querySelector('.item')),
                      [...root.querySelectorAll('button')].some(visible)];""", plugin(f))
            assert seen == [False, True, False], seen
            screenshot(f, "shared-agenda-print")
        finally:
            f.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        screenshot(beamer, "shared-agenda-beamer")
        assert csp_problems(f) == [] and csp_problems(beamer) == []
    finally:
        crowd.close()

    status_, export = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)
    assert status_ == 200
    (output,) = export["outputs"]
    status_, item = hub.api("GET", "/api/v1/toolkit/%s" % output["filed"].split("@")[0])
    assert status_ == 200 and item["kind"] == "agenda" and item["title"] == "Gezamenlijke agenda voor de wijk", item
    assert item["provenance"][0]["session"] == sid and item["provenance"][0]["activity"] == A and item["provenance"][0]["seqs"]
    assert item["themes"] == LANES and item["audience"] == ["bestuurders"]
    body_ = item["body"]
    assert "21 punten over wonen, werken en leven." in body_ and "1. Samen één agenda voor Kanaleneiland\n   Trekker: Gemeente, team wijken" in body_
    assert all("Punt van deelnemer %02d" % i in body_ and "Eerste stap: Eerste stap %02d" % i in body_ for i in range(20)), body_
    status_, found = hub.api("GET", "/api/v1/toolkit?kind=agenda")
    assert status_ == 200 and item["id"] in [h["id"] for h in found["hits"]]


def test_a_phone_adds_and_merges_a_conflict_with_the_keyboard_alone_and_a_second_phone_reads_english(shipped_hub, browsers):
    hub = shipped_hub("shared-agenda")
    session = hub.create_session(agenda())
    code = session["code"]
    crowd = Crowd(hub)
    try:
        (other,) = crowd.join(code, 1)
        d = join_phone(browsers, session["participantUrl"], "Sanne de Vries")
        en = join_phone(browsers, session["participantUrl"], "Sam", lang="en")
        hub.command(code, "start")
        hub.command(code, "next")
        crowd.run(other.ok(other.input(A, "add", {"lane": "wonen", "goal": "Meer sociale huur", "owner": "Woonstichting"})))
        wait_for(lambda: inside(d, '[data-k="edit-i1"]'), message="the board on the phone")
        assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than 360 px"

        # Tab to "+ Nieuw punt bij leven", Enter; type the goal, Tab, the owner, Enter saves.
        d.execute_script("document.getElementById('main').focus()")
        for _ in range(40):
            key(d, Keys.TAB)
            if focused(d) == "add-leven":
                break
        assert focused(d) == "add-leven", active_path(d)
        key(d, Keys.ENTER)
        wait_for(lambda: focused(d) == "f-goal", message="the focus in the new point's goal")
        small = d.execute_script("""
          return [...arguments[0].shadowRoot.querySelectorAll('button, input, textarea, select')]
            .map((e) => e.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length""", plugin(d))
        assert small == 0, "touch targets under 44 px"
        key(d, "Buurthuis elke dag open")
        key(d, Keys.TAB)
        assert focused(d) == "f-owner", active_path(d)
        key(d, "Welzijn Kanaleneiland", Keys.ENTER)
        confirmed(d, "the new point", "Punt toegevoegd.")
        assert focused(d) == "add-leven", "the focus goes back where the person was"

        # Edit the first point's owner; someone else changes it first; save: the conflict shows both; merge; save.
        d.execute_script("document.getElementById('main').focus()")
        for _ in range(40):
            key(d, Keys.TAB)
            if focused(d) == "edit-i1":
                break
        assert focused(d) == "edit-i1", active_path(d)
        key(d, Keys.ENTER)
        wait_for(lambda: focused(d) == "f-goal", message="the editor")
        key(d, Keys.TAB)
        assert focused(d) == "f-owner"
        key(d, Keys.END, " en huurdersvereniging")
        crowd.run(other.ok(other.input(A, "edit", {"item": "i1", "field": "owner", "value": "Gemeente", "base": 1})))
        wait_for(lambda: "Intussen gewijzigd op het bord: Gemeente" in text(d), message="the board moved on")
        key(d, Keys.ENTER)
        wait_for(lambda: focused(d) == "keep-mine-owner", message="the focus on the conflict's first choice")
        conflict = inside(d, ".conflict")[0].text
        assert "Jouw versie" in conflict and "Woonstichting en huurdersvereniging" in conflict and "Nu op het bord" in conflict
        assert "Gemeente" in conflict, conflict
        assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "the conflict is wider than 360 px"
        screenshot(d, "shared-agenda-phone-conflict")
        key(d, Keys.TAB)
        assert focused(d) == "keep-theirs-owner"
        key(d, Keys.TAB)
        assert focused(d) == "merge-owner"
        key(d, Keys.ENTER)
        wait_for(lambda: focused(d) == "f-owner", message="the merged field")
        assert field(d, "owner").get_attribute("value") == "Gemeente / Woonstichting en huurdersvereniging"
        key(d, Keys.ENTER)
        confirmed(d, "the merged owner", "Bewaard.")
        assert focused(d) == "edit-i1"

        wait_for(lambda: plugin(en) and "Housing" in text(en) and "Welzijn Kanaleneiland" in text(en), message="the board in English",
                 detail=lambda: text(en)[:300])
        assert "New item for living" in text(en) and "Edit" in text(en) and "Wonen" not in text(en)
        screenshot(en, "shared-agenda-phone-en")
        events = [e for e in hub.events(session["id"]) if e.get("type") in ("add", "edit") and e.get("kind") != "system"]
        assert [e["payload"] for e in events[1:]] == [
            {"lane": "leven", "goal": "Buurthuis elke dag open", "owner": "Welzijn Kanaleneiland"},
            {"item": "i1", "field": "owner", "value": "Gemeente", "base": 1},
            {"item": "i1", "field": "owner", "value": "Gemeente / Woonstichting en huurdersvereniging", "base": 2},
        ], events
        assert csp_problems(d) == [] and csp_problems(en) == []
    finally:
        crowd.close()
