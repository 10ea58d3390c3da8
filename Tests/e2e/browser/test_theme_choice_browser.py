"""The theme-choice plugin (issue 19) in real Chromium.

Acceptance 1 and 3 in one run: 20 participants (18 over the wire protocol, two on 360 px phones) and a facilitator
in Chromium who uses the plugin's controls by keyboard alone (merge two duplicates with the two lists and a new name,
reveal with R, confirm with the preselected themes); the Dutch phone takes over a starter and proposes a theme, then
spreads its dots, all by Tab and Enter; the English phone reads its strings in English; the beamer shows the list,
the count after the reveal and the chosen themes; no window sees a CSP violation; the series result is read back
over REST.

The hub of this test loads a copy of the repository's plugins/theme-choice (browserkit.PLUGINS is pointed at it).
"""
import asyncio
import json

from selenium.webdriver.common.keys import Keys

from browserkit import PluginView, csp_problems, deep, screenshot, wait_for
from test_brainstorm_browser import Crowd
from test_shell import body, by_id, join_phone, key, login

VIEW = PluginView("theme-choice")
plugin, inside, text, status, confirmed = VIEW.plugin, VIEW.inside, VIEW.text, VIEW.status, VIEW.confirmed
STARTER = "Cultuurverschillen tussen organisaties overbruggen"

FOCUS = """
let a = document.activeElement;
while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
return a ? (a.dataset.k || a.id || a.localName) : null;
"""


def agenda():
    config = {"title": "Thema's voor de leerkring", "dots": 3}
    return "\n".join(["series: e2e", "session: Startsessie leerkring", "lang: nl", "agenda:", "  - plugin: theme-choice",
                      "    title: Themakeuze", "    config: %s" % json.dumps(config)]) + "\n"


def tab_to(d, k, limit=80):
    """Tab (forwards) until the focused control inside the page has data-k (or id) `k`."""
    for _ in range(limit):
        if d.execute_script(FOCUS) == k:
            return
        key(d, Keys.TAB)
    raise AssertionError("Tab never reached %s (focus on %s)" % (k, d.execute_script(FOCUS)))


def into_plugin(d):
    """The console's B key puts the focus on the running activity's first control."""
    d.execute_script("document.getElementById('btn-reveal').focus()")
    key(d, "b")


def fits_and_targets(d):
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than 360 px"
    small = d.execute_script("""
      return [...arguments[0].shadowRoot.querySelectorAll('button, label.choice, input, select')]
        .filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length""", plugin(d))
    assert small == 0, "touch targets under 44 px"


def test_twenty_people_choose_themes_with_phones_and_a_keyboard_only_facilitator(shipped_hub, browsers):
    hub = shipped_hub("theme-choice")
    session = hub.create_session(agenda())
    code, sid = session["code"], session["id"]
    crowd = Crowd(hub)
    try:
        nl = join_phone(browsers, session["participantUrl"], "Sanne de Vries")
        en = join_phone(browsers, session["participantUrl"], "Sam", lang="en")
        if en.execute_script("return document.documentElement.lang") != "en":
            # The browser's language did not reach the page (card-deck's English phone sees the same on this
            # machine): the person switches, as anyone would, with the button in the header.
            by_id(en, "lang-switch").click()
            wait_for(lambda: en.execute_script("return document.documentElement.lang") == "en", message="the page in English")
        people = crowd.join(code, 18)
        beamer = browsers(1280, 720, mobile=False)
        beamer.get(session["beamerUrl"])
        f = browsers(1280, 900, mobile=False)
        login(f, hub.url, sid)
        hub.command(code, "start")
        hub.command(code, "next")

        # The Dutch phone, by keyboard alone: take over the first starter, then propose a theme of its own.
        wait_for(lambda: plugin(nl) and "Voorbeelden om over te nemen" in text(nl), message="the starters on the phone")
        fits_and_targets(nl)
        nl.execute_script("document.getElementById('main').focus()")
        tab_to(nl, "starter-0")
        key(nl, Keys.ENTER)
        confirmed(nl, "the starter")
        tab_to(nl, "theme-text")
        key(nl, "Jongeren in de wijk", Keys.ENTER)
        confirmed(nl, "the proposal", "Je thema staat op de lijst.")
        wait_for(lambda: "Je kunt nog 1 thema voorstellen." in text(nl), message="proposals left")
        screenshot(nl, "theme-choice-phone-propose")
        wait_for(lambda: plugin(en) and "Examples to take over" in text(en) and "Propose" in text(en), message="English strings")
        assert "Voorbeelden" not in text(en)

        own = ["Jongeren in de buurt", "Eenzaamheid", "Schone straten", "Werk voor statushouders", "Actief burgerschap stimuleren"]

        async def propose():
            for i, p in enumerate(people[:5]):
                await p.ok(p.input("a1", "propose", {"text": own[i]}))
        crowd.run(propose())
        wait_for(lambda: "Jongeren in de buurt" in text(beamer) and "Werk voor statushouders" in text(beamer), message="the list on the beamer")
        wait_for(lambda: inside(nl, "[data-k=starter-2]") and not inside(nl, "[data-k=starter-1]"),
                 message="a starter that is on the list is no longer offered")

        # The facilitator merges the two "Jongeren" themes, by keyboard alone: B, Tab, arrows, typing, Enter.
        pub = lambda: (crowd.people[0].view("a1") or {})  # noqa: E731
        wait_for(lambda: len(pub().get("themes", [])) == 7, message="seven themes")
        texts = [t["text"] for t in pub()["themes"]]
        wait_for(lambda: plugin(f) and inside(f, "[data-k=merge-theme]"), message="the merge form in the console")
        into_plugin(f)
        tab_to(f, "merge-theme")
        for _ in range(texts.index("Jongeren in de buurt") + 1):
            key(f, Keys.ARROW_DOWN)
        tab_to(f, "merge-into")
        for _ in range(texts.index("Jongeren in de wijk") + 1):
            key(f, Keys.ARROW_DOWN)
        tab_to(f, "merge-name")
        key(f, "Jongeren")
        tab_to(f, "merge")
        key(f, Keys.ENTER)
        confirmed(f, "the merge", "Samengevoegd.")
        wait_for(lambda: len(pub().get("themes", [])) == 6 and any(t["text"] == "Jongeren" for t in pub()["themes"]), message="merged")
        screenshot(f, "theme-choice-facilitator-merged")

        by_id(f, "phases").find_element("css selector", 'button[data-phase="prioriteren"]').send_keys(Keys.ENTER)
        wait_for(lambda: body(f, "phase") == "prioriteren", message="phase prioriteren")
        themes = [t["id"] for t in pub()["themes"]]

        # The Dutch phone spreads its three dots by keyboard: + on three themes, then send.
        wait_for(lambda: inside(nl, "[data-k=send-ballot]"), message="the dots on the phone")
        fits_and_targets(nl)
        nl.execute_script("document.getElementById('main').focus()")
        for t in themes[:3]:
            tab_to(nl, "more-%s" % t)
            key(nl, Keys.ENTER)
        wait_for(lambda: "Nog 0 over" in text(nl), message="no dots left")
        tab_to(nl, "send-ballot")
        key(nl, Keys.ENTER)
        confirmed(nl, "the ballot", "Je keuze is binnen.")
        screenshot(nl, "theme-choice-phone-dots")
        wait_for(lambda: inside(en, "[data-k=send-ballot]") and "Spread your 3 dots" in text(en), message="the dots in English")
        VIEW.click(en, "[data-k=more-%s]" % themes[1])
        VIEW.click(en, "[data-k=send-ballot]")
        confirmed(en, "the English ballot", "Your choice is in.")

        async def vote():
            await asyncio.gather(*(p.ok(p.input("a1", "ballot", {"dots": {themes[i % 6]: 1, themes[(i + 1) % 6]: 1}})) for i, p in enumerate(people)))
        crowd.run(vote())
        wait_for(lambda: "20 deelnemers hebben geprioriteerd" in text(beamer), message="20 voters on the beamer", detail=lambda: text(beamer)[:300])
        assert not deep(beamer, "hub-bar-chart"), "the count before the reveal"
        f.execute_script("document.getElementById('main').focus()")
        key(f, "r")
        wait_for(lambda: deep(beamer, "hub-bar-chart"), message="the count on the beamer")
        screenshot(beamer, "theme-choice-beamer-count")

        by_id(f, "phases").find_element("css selector", 'button[data-phase="bevestigen"]').send_keys(Keys.ENTER)
        wait_for(lambda: body(f, "phase") == "bevestigen", message="phase bevestigen")
        wait_for(lambda: len(inside(f, "input[type=checkbox]:checked")) == 3, message="three themes preselected")
        into_plugin(f)
        tab_to(f, "confirm")
        key(f, Keys.ENTER)
        confirmed(f, "the confirmation")
        wait_for(lambda: "Gekozen thema's" in text(beamer), message="the chosen themes on the beamer")
        wait_for(lambda: "Chosen themes" in text(en), message="the chosen themes in English")
        screenshot(beamer, "theme-choice-beamer-chosen")
        screenshot(f, "theme-choice-facilitator-confirmed")
        assert not any(w in text(beamer) for w in ("Voeg samen", "Bevestig de", "Verstuur")), "controls on the beamer"
        for d in (nl, en, beamer, f):
            assert csp_problems(d) == []
    finally:
        crowd.close()

    status_, export = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)
    assert status_ == 200
    (result,) = [o for o in export["outputs"] if o["kind"] == "series.result"]
    assert result["record"]["name"] == "themes" and len(result["record"]["items"]) == 3, result
    assert sum(1 for e in export["events"] if e.get("type") == "ballot") == 20
