"""The shared-goals plugin (issue 19) in real Chromium.

Acceptance 1: 20 participants over the wire protocol (each a party: bewoner, vrijwilliger, corporatie, …) and a
facilitator in Chromium who drives every phase from the console (doelen, delen, afspraken with a principle and
a typed agreement, vastleggen and publish); the beamer shows the goals, then the common goals; the gereedschapskist
item is read back over REST with its provenance. Acceptance 2: a participant on a 360 px phone chooses a party,
writes a wish and shares someone else's goal with the keyboard alone (nl); a second phone reads it in English;
no window sees a CSP violation.

The hub of these tests loads a copy of the repository's plugins/shared-goals (browserkit.PLUGINS is pointed at it).
"""
import asyncio
import json

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browserkit import PluginView, active_path, csp_problems, deep, screenshot, wait_for
from test_brainstorm_browser import Crowd
from test_shell import body, by_id, join_phone, key, login, shown

ROLES = ["bewoner", "vrijwilliger", "ervaringsdeskundige", "corporatie", "gemeente", "welzijn", "zorg"]
GOALS = ["Schone en hele straten", "Meer ontmoeting in de buurt", "Niemand valt tussen wal en schip", "Jongeren aan het werk",
         "Veilig over straat, ook 's avonds", "Betaalbaar wonen voor starters", "Eenzaamheid bij ouderen eerder zien",
         "Eén aanspreekpunt per gezin", "Groen dat bewoners zelf onderhouden", "Minder schulden bij jonge gezinnen"]


VIEW = PluginView("shared-goals")
plugin, inside, text, status, confirmed, click = VIEW.plugin, VIEW.inside, VIEW.text, VIEW.status, VIEW.confirmed, VIEW.click


def agenda(config=None):
    config = config or {"threshold": 3, "themes": ["leven"], "audience": ["wijkprofessionals", "bewoners"]}
    return "\n".join(["series: e2e", "session: Verkennend gesprek Lindeveld", "lang: nl", "agenda:", "  - plugin: shared-goals",
                      "    title: Wat willen we samen?", "    config: %s" % json.dumps(config)]) + "\n"


def focused(d):
    """The data-k of the control focused inside the plugin, or None."""
    host = plugin(d)
    return d.execute_script("const a = arguments[0].shadowRoot.activeElement; return a ? (a.dataset.k || a.localName) : null", host) if host else None


def tab_to(d, done, what, limit=60):
    for _ in range(limit):
        key(d, Keys.TAB)
        if done():
            return
    raise AssertionError("Tab never reached %s (at %s)" % (what, active_path(d)))


def test_twenty_parties_and_a_chromium_facilitator_fill_the_gereedschapskist(shipped_hub, browsers):
    hub = shipped_hub("shared-goals")
    session = hub.create_session(agenda())
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
        wait_for(lambda: plugin(f) and "0 deelnemers met een partij" in text(f), message="the plugin in the console", detail=lambda: text(f)[:200])

        async def write():
            await asyncio.gather(*(p.ok(p.input("a1", "party", {"role": ROLES[i % 7], **({"org": "Org %d" % (i % 2)} if i % 7 >= 3 else {})}))
                                   for i, p in enumerate(people)))
            for i, p in enumerate(people):
                await p.ok(p.input("a1", "goal", {"text": "%s (%02d)" % (GOALS[i % 10], i), "kind": "wish" if i % 4 == 0 else "goal"}))
        crowd.run(write())
        wait_for(lambda: "20 doelen en wensen" in text(beamer), message="the goals on the beamer", detail=lambda: text(beamer)[:300])
        assert "Bewoner 3" in text(beamer) and "Zorg 2" in text(beamer), text(beamer)[:400]
        wait_for(lambda: "20 deelnemers met een partij · 20 schreven doelen" in text(f), message="progress in the console")
        # The facilitator takes one goal off the wall (a duplicate, say) with its button.
        removed = "%s (%02d)" % (GOALS[19 % 10], 19)
        click(f, '[data-k="remove-g20"]')
        confirmed(f, "remove")
        wait_for(lambda: "19 doelen en wensen" in text(beamer) and removed not in text(beamer), message="the goal gone from the beamer")
        screenshot(beamer, "shared-goals-beamer-goals")

        f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="delen"]').click()
        wait_for(lambda: body(f, "phase") == "delen", message="phase delen")
        view = people[0].view("a1")
        goals = [g for g in view["goals"]]
        party = {i: (ROLES[i % 7], "Org %d" % (i % 2) if i % 7 >= 3 else "") for i in range(20)}
        author = {g["id"]: int(g["id"][1:]) - 1 for g in goals}

        async def share():
            seqs = {}
            for i, p in enumerate(people):
                for g in goals:
                    j = author[g["id"]]
                    if party[j] != party[i] and j < 10 and (i * 7 + j) % 4 == 0:
                        seqs[(i, g["id"])] = await p.ok(p.input("a1", "mark", {"goal": g["id"]}))
            return seqs
        marks = crowd.run(share())
        wait_for(lambda: "deelden doelen" in text(f) and " 0 deelden" not in text(f), message="marks in the console")
        public = crowd.run(people[0].wait_view("a1", check=lambda v: sum(g["people"] for g in v["goals"]) == 19 + len(marks)))
        common = [g for g in public["goals"] if g["common"]]
        assert 0 < len(common) < 19, [(g["text"], len(g["parties"])) for g in public["goals"]]
        screenshot(beamer, "shared-goals-beamer-sharing")

        f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="afspraken"]').click()
        wait_for(lambda: body(f, "phase") == "afspraken", message="phase afspraken")
        wait_for(lambda: "Gedeelde doelen" in text(beamer) and common[0]["text"] in text(beamer), message="common goals on the beamer")
        assert " informeel, " in text(beamer) and " formeel) · " in text(beamer), text(beamer)[:400]
        click(f, '[data-k="principle-een-plan"]')
        confirmed(f, "the principle")
        # The view with the new agreement re-renders the console (the principle's button goes): type after that.
        wait_for(lambda: not inside(f, '[data-k="principle-een-plan"]'), message="the principle taken")
        field = wait_for(lambda: (lambda e: e[0] if e else None)(inside(f, '[data-k="agreement"]')), message="the agreement field")
        field.send_keys("Elk kwartaal een wijkschouw met bewoners")
        click(f, '[data-k="add-agreement"]')
        confirmed(f, "the agreement")
        wait_for(lambda: "Elk kwartaal een wijkschouw" in text(beamer) and "Eén gezin, één plan" in text(beamer), message="agreements on the beamer")
        f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="vastleggen"]').click()
        wait_for(lambda: body(f, "phase") == "vastleggen", message="phase vastleggen")
        click(f, '[data-k="publish"]')
        confirmed(f, "publish")
        wait_for(lambda: "Vastgelegd in de gereedschapskist" in text(beamer), message="published on the beamer")
        assert not any(w in text(beamer) for w in ("Verwijder", "Leg vast", "Voeg afspraak toe")), "controls on the beamer"
        screenshot(beamer, "shared-goals-beamer-published")
        screenshot(f, "shared-goals-facilitator-published")
        f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="delen"]').click()
        wait_for(lambda: body(f, "phase") == "delen", message="back to sharing")
        late = crowd.run(people[2].input("a1", "mark", {"goal": goals[0]["id"]}))
        assert late["t"] == "error" and late.get("detail") == "closed", late
        assert csp_problems(f) == [] and csp_problems(beamer) == []
    finally:
        crowd.close()

    # The gereedschapskist, read back over REST: one agenda item with who supports each common goal.
    status_, export = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)
    assert status_ == 200
    (output,) = export["outputs"]
    status_, item = hub.api("GET", "/api/v1/toolkit/%s" % output["filed"].split("@")[0])
    assert status_ == 200 and item["kind"] == "agenda", item
    assert item["title"] == "Wat willen we samen?: gedeelde doelen en afspraken" or item["title"].endswith(": gedeelde doelen en afspraken"), item["title"]
    assert item["themes"] == ["leven"] and item["audience"] == ["wijkprofessionals", "bewoners"]
    body_ = item["body"]
    assert "Gedeelde doelen (gedeeld door minstens 3 partijen):" in body_, body_
    assert "informeel, " in body_ and " formeel): " in body_, body_
    for n, g in enumerate(common, start=1):
        assert "%d. %s" % (n, g["text"]) in body_, (g["text"], body_)
    assert "- Eén gezin, één plan, één regisseur.\n- Elk kwartaal een wijkschouw met bewoners" in body_
    assert removed not in body_
    events = hub.events(sid)
    goal_seqs = [e["seq"] for e in events if e.get("type") == "goal"]
    agreement_seqs = [e["seq"] for e in events if e.get("type") == "agreement"]
    common_ids = {g["id"] for g in common}
    expected = {goal_seqs[int(g[1:]) - 1] for g in common_ids} | {s for (i, g), s in marks.items() if g in common_ids} | set(agreement_seqs)
    prov = item["provenance"][0]
    assert prov["session"] == sid and prov["activity"] == "a1" and set(prov["seqs"]) == expected, (prov, sorted(expected))
    status_, found = hub.api("GET", "/api/v1/toolkit?kind=agenda")
    assert status_ == 200 and item["id"] in [h["id"] for h in found["hits"]], found


def test_a_phone_takes_part_with_the_keyboard_alone_and_a_second_phone_reads_english(shipped_hub, browsers):
    hub = shipped_hub("shared-goals")
    session = hub.create_session(agenda({"threshold": 2}))
    code = session["code"]
    d = join_phone(browsers, session["participantUrl"], "Sanne de Vries")
    en = join_phone(browsers, session["participantUrl"], "Sam", lang="en")
    hub.command(code, "start")
    hub.command(code, "next")
    wait_for(lambda: plugin(en) and "Which party do you represent here?" in text(en) and "Informal partners" in text(en),
             message="the party form in English", detail=lambda: text(en)[:300])
    assert "Resident" in text(en) and "Housing association" in text(en) and "Organisation (optional)" in text(en)
    wait_for(lambda: plugin(d) and inside(d, "input[type=radio]"), message="the party form")
    assert "Voor welke partij zit je hier?" in text(d) and "Informele partners" in text(d), text(d)[:300]
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than 360 px"

    def small(driver):
        return driver.execute_script("""
          return [...arguments[0].shadowRoot.querySelectorAll('button, label.choice, textarea, input[type=text]')]
            .map((e) => e.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length""", plugin(driver))
    assert small(d) == 0, "touch targets under 44 px"

    # The party: Tab into the roles, arrow from bewoner to vrijwilliger, Tab to the organisation, type, Enter.
    d.execute_script("document.getElementById('main').focus()")
    tab_to(d, lambda: "input#r-bewoner" in active_path(d), "the first role")
    key(d, Keys.ARROW_RIGHT)
    assert "input#r-vrijwilliger" in active_path(d), active_path(d)
    # Someone else takes a seat meanwhile: the view that brings re-renders the phone, and the choice stays.
    en.execute_script("arguments[0].shadowRoot.querySelector('#r-corporatie').click()", plugin(en))
    en.execute_script("arguments[0].shadowRoot.querySelector('[data-k=set-party]').click()", plugin(en))
    wait_for(lambda: "You are here as Housing association." in text(en), message="the English party set", detail=lambda: text(en)[:300])
    wait_for(lambda: d.execute_script("return arguments[0].shadowRoot.querySelector('#r-vrijwilliger').checked", plugin(d)), message="the choice kept")
    assert "input#r-vrijwilliger" in active_path(d), active_path(d)
    key(d, Keys.TAB)
    assert "input#org" in active_path(d), active_path(d)
    key(d, "Buurtvereniging Oost", Keys.ENTER)
    wait_for(lambda: "Je zit hier als Vrijwilliger (Buurtvereniging Oost)." in text(d), message="the party set", detail=lambda: text(d)[:300])
    # Until something is written the party can change: open the choice again and cancel, by keyboard.
    d.execute_script("document.getElementById('main').focus()")
    tab_to(d, lambda: focused(d) == "change-party", "Andere partij kiezen")
    key(d, Keys.ENTER)
    wait_for(lambda: inside(d, '[data-k="cancel-party"]'), message="the party form again")
    assert d.execute_script("return arguments[0].shadowRoot.querySelector('#r-vrijwilliger').checked", plugin(d))
    tab_to(d, lambda: focused(d) == "cancel-party", "Annuleer")
    key(d, Keys.ENTER)
    wait_for(lambda: inside(d, "#goal-text") and not inside(d, '[data-k="cancel-party"]'), message="back to writing")

    # A wish: Tab to the kind, arrow to "Wens", Tab to the text, type, Tab to the button, Enter.
    d.execute_script("document.getElementById('main').focus()")
    tab_to(d, lambda: "input#k-goal" in active_path(d), "the kind of goal")
    key(d, Keys.ARROW_RIGHT)
    assert "input#k-wish" in active_path(d), active_path(d)
    key(d, Keys.TAB)
    assert "textarea#goal-text" in active_path(d), active_path(d)
    key(d, "Een buurthuis dat elke dag open is")
    key(d, Keys.TAB)
    assert focused(d) == "add-goal", active_path(d)
    key(d, Keys.ENTER)
    confirmed(d, "the wish")
    wait_for(lambda: inside(d, '[data-k="withdraw-g1"]'), message="the wish in the own list")
    assert small(d) == 0, "touch targets under 44 px"
    screenshot(d, "shared-goals-phone-wish")

    # Someone else (a corporatie) writes a goal; in the delen phase the phone shares it with Tab and Enter.
    assert "partij" not in text(en) and "What does your party want to achieve" in text(en), text(en)[:300]
    field = wait_for(lambda: (lambda e: e[0] if e else None)(inside(en, "#goal-text")), message="the goal field (en)")
    field.send_keys("Affordable homes for young families")
    en.execute_script("arguments[0].shadowRoot.querySelector('[data-k=add-goal]').click()", plugin(en))
    confirmed(en, "the English goal")
    hub.command(code, "phase", activity="a1", phase="delen")
    wait_for(lambda: inside(d, '[data-k="mark-g2"]'), message="the share button")
    assert "jouw doel" in text(d) and "Welke doelen van andere partijen deel jij?" in text(d)
    d.execute_script("document.getElementById('main').focus()")
    tab_to(d, lambda: focused(d) == "mark-g2", "the share button")
    key(d, Keys.ENTER)
    confirmed(d, "the mark")
    wait_for(lambda: inside(d, '[data-k="mark-g2"][aria-pressed="true"]'), message="the goal shown as shared")
    assert focused(d) == "mark-g2", "the focus left the button it was on"
    wait_for(lambda: "2 parties" in text(en) and "your goal" in text(en), message="the English count", detail=lambda: text(en)[:400])
    screenshot(d, "shared-goals-phone-shared")
    screenshot(en, "shared-goals-phone-en")
    events = hub.events(session["id"])
    mine = [e["payload"] for e in events if e.get("type") in ("party", "goal", "mark")]
    assert mine[:3] == [{"role": "corporatie"}, {"role": "vrijwilliger", "org": "Buurtvereniging Oost"},
                        {"kind": "wish", "text": "Een buurthuis dat elke dag open is"}], mine
    assert mine[-1] == {"goal": "g2", "shared": True}, mine
    assert csp_problems(d) == [] and csp_problems(en) == []
