"""The obstacles plugin (belemmeringen, issue 19) on phones in real Chromium (acceptance 3): a 360 px phone names a
belemmering, weighs it and adds a solution with the keyboard alone (nl); a second phone reads it all in English; the
beamer shows the list; no window sees a CSP violation. The 20 participants and the outputs over REST are in
test_obstacles.py; the facilitator's controls by keyboard in test_console_controls.py.
"""
import json

from selenium.webdriver.common.keys import Keys

from browserkit import PluginView, csp_problems, screenshot, wait_for
from test_shell import by_id, join_phone, key
from test_theme_choice_browser import FOCUS

VIEW = PluginView("obstacles")
plugin, inside, text, confirmed = VIEW.plugin, VIEW.inside, VIEW.text, VIEW.confirmed


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
    session = hub.create_session("\n".join(["series: e2e", "session: Leerkring", "lang: nl", "agenda:", "  - plugin: obstacles",
                                            "    title: Belemmeringen", "    config: %s" % json.dumps({"title": "Waar lopen we tegenaan?"})]) + "\n")
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
