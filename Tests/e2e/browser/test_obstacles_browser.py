"""The obstacles plugin (belemmeringen, issue 19) in real Chromium.

Acceptance 1: 20 participants over the wire protocol and a facilitator in Chromium who runs every phase from the
console (merge a duplicate with the plugin's two lists, the phase buttons, publish); the beamer follows; the lessons
and tips are read back over REST from the gereedschapskist with their provenance, the series result `belemmeringen`
from the session export. Acceptance 3: a 360 px phone names a belemmering, weighs it and adds a solution with the
keyboard alone (nl); a second phone reads it all in English; no window sees a CSP violation. The facilitator's
controls by keyboard alone are in test_console_controls.py.

The hub of these tests loads a copy of the repository's plugins/obstacles (browserkit.PLUGINS is pointed at it).
"""
import asyncio
import json

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from browserkit import PluginView, csp_problems, screenshot, wait_for
from test_brainstorm_browser import Crowd
from test_shell import body, by_id, join_phone, key, login
from test_theme_choice_browser import FOCUS

VIEW = PluginView("obstacles")
plugin, inside, text, confirmed, click = VIEW.plugin, VIEW.inside, VIEW.text, VIEW.confirmed, VIEW.click
CATEGORIES = ("wet-en-regelgeving", "budget", "cultuurverschillen", "samenwerking", "anders")


def agenda(config):
    return "\n".join(["series: e2e", "session: Leerkring belemmeringen", "lang: nl", "agenda:", "  - plugin: obstacles",
                      "    title: Belemmeringen", "    config: %s" % json.dumps(config, ensure_ascii=False)]) + "\n"


def to_phase(f, name):
    f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="%s"]' % name).click()
    wait_for(lambda: body(f, "phase") == name, message="phase " + name)


def test_twenty_participants_and_a_chromium_facilitator_fill_the_gereedschapskist_and_the_series(shipped_hub, browsers):
    hub = shipped_hub("obstacles")
    session = hub.create_session(agenda({"top": 3, "themes": ["leven"]}))
    code, sid = session["code"], session["id"]
    named = [("wet-en-regelgeving", "Privacyregels bij het delen van gegevens"), ("budget", "Geld stopt na één jaar"),
             ("cultuurverschillen", "Andere vergadercultuur bij de corporatie"), ("samenwerking", "Geen vaste contactpersoon"),
             ("anders", "Te weinig tijd"), ("wet-en-regelgeving", "Privacy-regels bij het delen van gegevens")]
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
        wait_for(lambda: plugin(f) and body(f, "phase") == "inventariseren", message="the inventory in the console")

        async def name_them():
            for i, (cat, words) in enumerate(named):
                await people[i].ok(people[i].input("a1", "obstacle", {"category": cat, "text": words}))
        crowd.run(name_them())
        wait_for(lambda: "Te weinig tijd" in text(beamer) and "Privacy-regels" in text(beamer), message="six on the beamer",
                 detail=lambda: text(beamer)[:300])
        view = crowd.run(people[0].wait_view("a1", check=lambda v: len(v["obstacles"]) == 6))
        ids = [o["id"] for o in view["obstacles"]]
        # The facilitator merges the duplicate (the sixth) into the first with the plugin's two lists.
        wait_for(lambda: inside(f, "select[data-k=merge-obstacle]"), message="the merge form")
        Select(inside(f, "select[data-k=merge-obstacle]")[0]).select_by_value(ids[5])
        Select(inside(f, "select[data-k=merge-into]")[0]).select_by_value(ids[0])
        click(f, '[data-k="merge"]')
        confirmed(f, "the merge", "Samengevoegd.")
        # The duplicate lives on as an "also" wording of the first: five obstacles on the phones and the beamer.
        merged_view = crowd.run(people[0].wait_view("a1", check=lambda v: len(v["obstacles"]) == 5))
        assert [o["id"] for o in merged_view["obstacles"]] == ids[:5] and merged_view["obstacles"][0]["also"] == [named[5][1]], merged_view
        wait_for(lambda: len(inside(beamer, "[data-obstacle]")) == 5, message="five obstacles on the beamer",
                 detail=lambda: text(beamer)[:300])

        to_phase(f, "wegen")
        # Person i weighs obstacle k with often (i + k) % 5 + 1 and blocks (k + 2) % 5 + 1.
        weights = {}

        async def weigh(i, p):
            for k, oid in enumerate(ids[:5]):
                if (i + k) % 3:
                    continue
                o, b = (i + k) % 5 + 1, (k + 2) % 5 + 1
                weights.setdefault(oid, []).append(o * b)
                await p.ok(p.input("a1", "weigh", {"obstacle": oid, "often": o, "blocks": b}))
        async def weigh_all():
            await asyncio.gather(*(weigh(i, p) for i, p in enumerate(people)))
        crowd.run(weigh_all())
        wait_for(lambda: "gewogen)" in text(beamer), message="weights on the beamer", detail=lambda: text(beamer)[:300])

        to_phase(f, "oplossen")

        async def solve():
            return await asyncio.gather(*(people[i].ok(people[i].input("a1", "solution", {
                "obstacle": ids[i % 5], "text": "Oplossing %d voor belemmering %d" % (i, i % 5), "kind": ["tip", "les"][i % 2]}))
                for i in range(10)))
        solutions = crowd.run(solve())
        wait_for(lambda: "Oplossing 9 voor belemmering 4" in text(beamer), message="solutions on the beamer")

        to_phase(f, "vastleggen")
        click(f, '[data-k="publish"]')
        confirmed(f, "publish")
        wait_for(lambda: "Vastgelegd" in text(beamer), message="published on the beamer", detail=lambda: text(beamer)[:300])
        assert not any(w in text(beamer) for w in ("Voeg samen", "Leg vast in")), "controls on the beamer"
        screenshot(f, "obstacles-facilitator-published")
        screenshot(beamer, "obstacles-beamer-published")
        assert csp_problems(f) == [] and csp_problems(beamer) == []
    finally:
        crowd.close()

    publish = [e["seq"] for e in hub.events(sid) if e.get("type") == "publish"]
    assert len(publish) == 1
    status, export = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)
    assert status == 200
    outputs = export["outputs"]
    assert [o["kind"] for o in outputs] == ["gereedschapskist.item"] * 10 + ["series.result"] and all(o["seq"] == publish[0] for o in outputs)
    for o, seq in zip(outputs[:10], sorted(solutions)):
        status, item = hub.api("GET", "/api/v1/toolkit/%s" % o["filed"].split("@")[0])
        assert status == 200 and item["kind"] in ("les", "tip") and item["themes"] == ["leven"], item
        prov = item["provenance"][0]
        assert prov["session"] == sid and prov["activity"] == "a1" and seq in prov["seqs"], prov
        assert item["barriers"][0] in CATEGORIES, item
    scores = {oid: round(sum(w) / len(w), 2) for oid, w in weights.items()}
    top = sorted(ids[:5], key=lambda oid: (-scores.get(oid, 0), -len(weights.get(oid, [])), ids.index(oid)))[:3]
    result = outputs[-1]["record"]
    assert result["name"] == "belemmeringen" and [i["score"] for i in result["items"]] == [scores[t] for t in top], (result, scores)
    assert all(len(i["solutions"]) == 2 for i in result["items"]), result
    merged = next((i for i in result["items"] if i["title"] == named[0][1]), None)
    assert merged is None or merged["category"] == "wet-en-regelgeving"


def fits_and_targets(d):
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than 360 px"
    small = d.execute_script("""
      return [...arguments[0].shadowRoot.querySelectorAll('button, input, select')]
        .filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length""", plugin(d))
    assert small == 0, "touch targets under 44 px"


def tab_to(d, k, limit=60):
    for _ in range(limit):
        if d.execute_script(FOCUS) == k:
            return
        key(d, Keys.TAB)
    raise AssertionError("Tab never reached %s (focus on %s)" % (k, d.execute_script(FOCUS)))


def test_a_phone_names_weighs_and_solves_by_keyboard_and_a_second_reads_english(shipped_hub, browsers):
    hub = shipped_hub("obstacles")
    session = hub.create_session(agenda({"title": "Waar lopen we tegenaan?"}))
    code = session["code"]
    nl = join_phone(browsers, session["participantUrl"], "Sanne")
    en = join_phone(browsers, session["participantUrl"], "Sam", lang="en")
    if en.execute_script("return document.documentElement.lang") != "en":
        by_id(en, "lang-switch").click()  # see test_theme_choice_browser.py
        wait_for(lambda: en.execute_script("return document.documentElement.lang") == "en", message="the page in English")
    beamer = browsers(1280, 720, mobile=False)
    beamer.get(session["beamerUrl"])
    hub.command(code, "start")
    hub.command(code, "next")

    # Name: the category list (arrow down to "Budget"), the text, Enter.
    wait_for(lambda: inside(nl, "[data-k=category]"), message="the form on the phone")
    fits_and_targets(nl)
    nl.execute_script("document.getElementById('main').focus()")
    tab_to(nl, "category")
    key(nl, Keys.ARROW_DOWN)
    tab_to(nl, "obstacle-text")
    key(nl, "Geld stopt na een jaar", Keys.ENTER)
    confirmed(nl, "the belemmering", "Je belemmering staat op de lijst.")
    wait_for(lambda: "Budget (1)" in text(beamer) and "Geld stopt na een jaar" in text(beamer), message="on the beamer")
    wait_for(lambda: "Category" in text(en) and "Laws and regulations" in text(en), message="English strings")

    hub.command(code, "phase", activity="a1", phase="wegen")
    wait_for(lambda: inside(nl, "select[data-k^=often-]"), message="the weighing on the phone")
    fits_and_targets(nl)
    oid = inside(nl, "select[data-k^=often-]")[0].get_attribute("data-k").split("-", 1)[1]
    nl.execute_script("document.getElementById('main').focus()")
    tab_to(nl, "often-" + oid)
    for _ in range(4):
        key(nl, Keys.ARROW_DOWN)
    tab_to(nl, "blocks-" + oid)
    for _ in range(3):
        key(nl, Keys.ARROW_DOWN)
    tab_to(nl, "weigh-" + oid)
    key(nl, Keys.ENTER)
    confirmed(nl, "the weight", "Gewogen.")
    wait_for(lambda: "gewicht 12 (1× gewogen)" in text(beamer), message="the weight on the beamer", detail=lambda: text(beamer)[:200])
    wait_for(lambda: "How often do you meet this?" in text(en), message="weighing in English")

    hub.command(code, "phase", activity="a1", phase="oplossen")
    wait_for(lambda: inside(nl, "[data-k=sol-%s]" % oid), message="the solution form")
    nl.execute_script("document.getElementById('main').focus()")
    tab_to(nl, "sol-" + oid)
    key(nl, "Wijkfonds aanvragen", Keys.ENTER)
    confirmed(nl, "the solution", "Oplossing toegevoegd.")
    wait_for(lambda: "Tip: Wijkfonds aanvragen" in text(beamer), message="the solution on the beamer")
    wait_for(lambda: "Add solution" in text(en) and "Tip: Wijkfonds aanvragen" in text(en), message="solutions in English")
    screenshot(nl, "obstacles-phone-solution")
    screenshot(beamer, "obstacles-beamer")
    events = [e for e in hub.events(session["id"]) if e.get("type") in ("obstacle", "weigh", "solution")]
    assert [e["payload"] for e in events] == [{"category": "budget", "text": "Geld stopt na een jaar"},
                                              {"obstacle": oid, "often": 4, "blocks": 3},
                                              {"obstacle": oid, "text": "Wijkfonds aanvragen", "kind": "tip"}], events
    for d in (nl, en, beamer):
        assert csp_problems(d) == []
