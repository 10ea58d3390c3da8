"""The facilitator workspace end to end by keyboard alone (issue 20, acceptance 1).

A new facilitator signs in on /facilitate/, creates a session from a template (GET /api/v1/templates, the editor
prefilled), adds a vote with `proposals: true` in the editor, creates and starts the session; five participants
(WebSocket clients) propose, the facilitator approves two proposals and opens voting, the participants vote, the
facilitator reveals, saves the result to the gereedschapskist (checked over REST with its provenance), closes the
session and downloads its export from the home page (the file lands in Chromium's download folder and parses).

Only keys reach the pages: Tab, Shift+Tab, Enter, the arrow keys, typing and the console's own keys (B, R), sent
with ActionChains to whatever has the focus. No element.click(), no script that clicks or sets a value; scripts
only read where the focus is and what the page shows.
"""
import json
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from browserkit import EMAIL, PASSWORD, csp_problems, deep, screenshot, wait_for
from test_brainstorm_browser import Crowd
from test_shell import body, shown

PLUGINS = ("checkin", "brainstorm", "timer", "voting")
TEMPLATE = "themabijeenkomst"
PROPOSALS = ["Huiskamer in de wijk", "Klussendienst", "Buurtbudget", "Spreekuur op school", "Wijkwandeling"]

# The focused element, through open shadow roots; whether it matches a selector.
FOCUS = """
let a = document.activeElement;
while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
if (!a) return null;
return { matches: a.matches(arguments[0]), tag: a.localName, id: a.id, text: (a.textContent || '').trim().slice(0, 60),
  path: a.closest('[data-path]')?.dataset.path || null, value: a.value ?? null };
"""


def press(d, *keys):
    ActionChains(d).send_keys(*keys).perform()


def shift_tab(d):
    ActionChains(d).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()


def focus(d, selector="*"):
    return d.execute_script(FOCUS, selector)


def tab_to(d, selector, backwards=False, limit=250):
    """Tab (or Shift+Tab) until the focused element matches `selector`; returns what has the focus."""
    for _ in range(limit):
        info = focus(d, selector)
        if info and info["matches"]:
            return info
        shift_tab(d) if backwards else press(d, Keys.TAB)
    raise AssertionError("Tab never reached %s; the focus is on %r" % (selector, focus(d)))


def choose(d, selector, value):
    """Tab to a closed <select> and move to the option `value` with the arrow keys."""
    tab_to(d, selector)
    options = d.execute_script(
        "let a = document.activeElement; return [[...a.options].map((o) => o.value), a.selectedIndex];")
    target, now = options[0].index(value), options[1]
    for _ in range(abs(target - now)):
        press(d, Keys.ARROW_DOWN if target > now else Keys.ARROW_UP)
    wait_for(lambda: focus(d)["value"] == value, message="%s set to %s" % (selector, value))


def test_a_new_facilitator_runs_a_session_from_a_template_by_keyboard_alone(shipped_hub, browsers, tmp_path):
    started = time.monotonic()
    hub = shipped_hub(*PLUGINS)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    d = browsers(1280, 900, mobile=False)
    d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})

    # Sign in on the home page: the form has the focus.
    d.get(hub.url + "/facilitate/")
    wait_for(lambda: shown(d, "view-login") and focus(d, "#login-email")["matches"], message="the login form with the focus")
    press(d, EMAIL, Keys.TAB, PASSWORD, Keys.ENTER)
    wait_for(lambda: shown(d, "view-home") and deep(d, "[data-template='%s']" % TEMPLATE), message="the home page with the templates")
    screenshot(d, "workspace-home")

    # New session from the template: the editor opens with its agenda.
    tab_to(d, "a[data-template='%s']" % TEMPLATE)
    press(d, Keys.ENTER)
    wait_for(lambda: shown(d, "view-editor") and len(deep(d, "#items > li")) == 4, message="the editor with the template's four activities")
    assert d.find_element("id", "f-session").get_attribute("value") == "Themabijeenkomst: buurtbeheerbedrijven"

    # Add a vote with proposals: "Voeg toe" on Stemmen, then its config fields.
    tab_to(d, "#plugins li[data-plugin='voting'] button[data-action='add']")
    press(d, Keys.ENTER)
    wait_for(lambda: len(deep(d, "#items > li")) == 5 and focus(d)["path"] == "agenda[4].title", message="the new activity's title with the focus")
    config = "[data-path='agenda[4].config.%s'] %s"
    choose(d, config % ("kind", "select"), "single")
    tab_to(d, config % ("question", "input"))
    press(d, "Welke aanpak proberen we als eerste?")
    tab_to(d, config % ("options", "textarea"))
    press(d, "Buurtconciërge")
    choose(d, config % ("proposals", "select"), "true")
    wait_for(lambda: d.find_element("id", "check").get_attribute("data-state") == "ok", message="the hub accepting the agenda")
    yaml = d.find_element("id", "yaml-view").get_attribute("value")
    assert "proposals: true" in yaml and "kind: single" in yaml, yaml
    screenshot(d, "workspace-editor-from-template")

    # Create: the console of the new session opens; start it and go to the vote.
    tab_to(d, "#btn-create")
    press(d, Keys.ENTER)
    wait_for(lambda: shown(d, "view-console") and body(d, "status") == "draft", message="the console of the new session")
    sid = d.current_url.rstrip("/").split("/")[-1]
    status, detail = hub.api("GET", "/api/v1/sessions/%s" % sid)
    assert status == 200 and [a["plugin"] for a in detail["agenda"]] == [*PLUGINS, "voting"], detail
    vote = detail["agenda"][4]["id"]
    tab_to(d, "#btn-start")
    press(d, Keys.ENTER)
    wait_for(lambda: body(d, "status") == "open", message="the session open")
    tab_to(d, "[data-focus='goto-%s']" % vote)
    press(d, Keys.ENTER)
    wait_for(lambda: body(d, "current") == vote and deep(d, "hub-plugin-voting"), message="the vote current in the console")

    crowd = Crowd(hub)
    people = crowd.join(detail["code"], 5)
    try:
        async def propose():
            for p, text in zip(people, PROPOSALS):
                await p.ok(p.input(vote, "propose", {"text": text}))
        crowd.run(propose())
        wait_for(lambda: len(deep(d, "[data-input=approve]")) == 5, message="five proposals in the console")

        # Approve two: B puts the focus on the first control of the vote, the first open proposal's "Neem op".
        for n in (1, 2):
            press(d, "b")
            assert focus(d, "[data-input=approve]")["matches"], focus(d)
            press(d, Keys.ENTER)
            wait_for(lambda: len(deep(d, "[data-input=approve]")) == 5 - n, message="%d proposals approved" % n)
        tab_to(d, "[data-input='open-voting']")
        press(d, Keys.ENTER)
        public = crowd.run(people[0].wait_view(vote, check=lambda v: v.get("votingOpen")))
        assert public["options"] == ["Buurtconciërge", *PROPOSALS[:2]], public

        async def ballots():
            for i, p in enumerate(people):
                await p.ok(p.input(vote, "ballot", {"choice": [1, 1, 2, 0, 1][i]}))
        crowd.run(ballots())

        # Reveal with R (the focus is on a button, not in a field), then save to the gereedschapskist.
        press(d, "r")
        crowd.run(people[0].wait_view(vote, check=lambda v: v.get("revealed") and v.get("results")))
        tab_to(d, "[data-input='save']")
        press(d, Keys.ENTER)

        def filed():
            export = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)[1]
            return [o for o in export.get("outputs", []) if o["kind"] == "gereedschapskist.item" and o.get("filed")]
        saved = wait_for(filed, message="the result in the gereedschapskist")
        status, item = hub.api("GET", "/api/v1/toolkit/%s" % saved[0]["filed"].split("@")[0])
        assert status == 200 and item["title"] == "Resultaten: Welke aanpak proberen we als eerste?", item
        assert item["provenance"][0]["session"] == sid and item["provenance"][0]["activity"] == vote, item["provenance"]
        assert "Huiskamer in de wijk: 3 (60%)" in item["body"], item["body"]
        screenshot(d, "workspace-console-saved")

        # Close, confirmed in the dialog (its focus starts on "Annuleer").
        tab_to(d, "#btn-close", backwards=True)
        press(d, Keys.ENTER)
        wait_for(lambda: focus(d, "dialog[open] [data-action=cancel]")["matches"], message="the confirm dialog")
        shift_tab(d)
        assert focus(d, "dialog[open] [data-action=confirm]")["matches"]
        press(d, Keys.ENTER)
        wait_for(lambda: body(d, "status") == "closed", message="the session closed")
    finally:
        crowd.close()

    # Back home ("Mijn sessies") and download the export of the closed session.
    tab_to(d, "#home-link", backwards=True)
    press(d, Keys.ENTER)
    wait_for(lambda: shown(d, "view-home") and deep(d, "#list-closed li[data-session='%s']" % sid), message="the closed session on the home page")
    tab_to(d, "#list-closed li[data-session='%s'] [data-action=export]" % sid)
    press(d, Keys.ENTER)
    path = downloads / ("%s.json" % detail["code"])
    wait_for(lambda: path.exists() and path.stat().st_size > 0 and not list(downloads.glob("*.crdownload")), message="the export in the download folder")
    export = json.loads(path.read_text())
    assert export["session"]["id"] == sid and export["session"]["status"] == "closed", export["session"]
    assert sum(1 for e in export["events"] if e.get("type") == "ballot") == 5
    assert not csp_problems(d)
    print("workspace flow: %.1f s" % (time.monotonic() - started))


TWO = """\
session: Samen voorbereid
lang: nl
agenda:
  - plugin: checkin
    title: Welkom
    config: {question: "Hoe gaat het?", mode: word}
  - plugin: timer
    title: Pauze
    config: {minutes: 5}
"""


def test_a_co_facilitator_by_link_a_draft_edited_and_an_activity_added_live(shipped_hub, browsers):
    """Co-facilitators (ROLES.md "Co-facilitators invited by link"): the owner makes a link on the home page, a second
    browser becomes a co-facilitator with it, and each console shows who is in it. The owner edits the draft's agenda
    in the editor (PUT …/agenda) and, once the session runs, adds an activity from the console (POST …/activities)."""
    hub = shipped_hub("checkin", "timer")
    session = hub.create_session(TWO)
    sid = session["id"]
    owner, co = browsers(1280, 900, mobile=False), browsers(1280, 900, mobile=False)

    owner.get(hub.url + "/facilitate/")
    wait_for(lambda: shown(owner, "view-login"), message="the login form")
    press(owner, EMAIL, Keys.TAB, PASSWORD, Keys.ENTER)
    wait_for(lambda: shown(owner, "view-home") and not owner.find_element("id", "co-facilitators").get_attribute("hidden"), message="the owner's home")
    owner.find_element("id", "co-invite").click()
    link = wait_for(lambda: owner.find_element("id", "co-link").get_attribute("value"), message="the invitation link")
    assert link.startswith(hub.url + "/web/facilitate/invite.html#invite=fi1."), link

    # Edit the draft: remove the check-in, save; the session keeps its id and code.
    owner.find_element("css selector", "li[data-session='%s'] [data-action=edit]" % sid).click()
    wait_for(lambda: owner.find_elements("css selector", "body[data-editing] #items > li:nth-child(2)"), message="the draft in the editor")
    owner.find_element("css selector", "#items > li:nth-child(1) [data-action=remove]").click()
    wait_for(lambda: owner.find_element("id", "check").get_attribute("data-state") == "ok" and len(owner.find_elements("css selector", "#items > li")) == 1,
             message="one activity left, accepted")
    owner.find_element("id", "btn-create").click()
    wait_for(lambda: shown(owner, "view-console") and body(owner, "status") == "draft", message="the console after saving")
    status, detail = hub.api("GET", "/api/v1/sessions/%s" % sid)
    assert status == 200 and [a["title"] for a in detail["agenda"]] == ["Pauze"] and detail["code"] == session["code"], detail

    # The co-facilitator: the link, a name, an e-mail address and a password, then the same console.
    co.get(link)
    wait_for(lambda: co.find_element("id", "invite-name") == co.switch_to.active_element, message="the invitation form")
    press(co, "Ahmed Co", Keys.TAB, "ahmed@example.org", Keys.TAB, "een lang wachtwoord", Keys.ENTER)
    wait_for(lambda: shown(co, "view-home"), message="the co-facilitator's home")
    assert co.find_element("id", "co-facilitators").get_attribute("hidden") is not None  # inviting is an owner's right
    co.get("%s/facilitate/%s" % (hub.url, sid))
    wait_for(lambda: shown(co, "view-console"), message="the co-facilitator's console")
    wait_for(lambda: owner.find_element("id", "in-console").text == "In de console: Ahmed Co, Fenna Facilitator (jij)"
             or owner.find_element("id", "in-console").text == "In de console: Fenna Facilitator (jij), Ahmed Co",
             message="both in the owner's console", detail=lambda: owner.find_element("id", "in-console").text)
    assert "Ahmed Co (jij)" in co.find_element("id", "in-console").text

    # Live: start, then "Activiteit toevoegen" with a timer of 3 minutes.
    hub.command(session["code"], "start")
    wait_for(lambda: body(owner, "status") == "open", message="the session open")
    owner.find_element("css selector", "#add-activity > summary").click()
    plugin = wait_for(lambda: owner.find_elements("id", "add-plugin"), message="the add form")[0]
    Select(plugin).select_by_value("timer")
    wait_for(lambda: owner.find_element("id", "add-plugin").get_attribute("value") == "timer", message="the timer chosen")
    title = owner.find_element("id", "add-title")
    title.clear()
    title.send_keys("Nog een pauze")
    owner.find_element("css selector", "#add-activity [data-path='item.config.minutes'] input").send_keys("3")
    owner.find_element("css selector", "#add-activity [data-action=add-activity]").click()
    wait_for(lambda: "Nog een pauze staat nu als laatste op de agenda." in owner.find_element("id", "add-status").text, message="the activity added",
             detail=lambda: owner.find_element("id", "add-status").text + " " + owner.find_element("id", "add-problems").text)
    for d in (owner, co):
        wait_for(lambda: len(d.find_elements("css selector", "#agenda > li")) == 2 and body(d, "connection") == "open", message="the new agenda in both consoles")
    status, detail = hub.api("GET", "/api/v1/sessions/%s" % sid)
    assert [(a["id"], a["title"]) for a in detail["agenda"]][-1][1] == "Nog een pauze", detail["agenda"]
    hub.command(session["code"], "goto", activity=detail["agenda"][-1]["id"])
    wait_for(lambda: owner.find_elements("css selector", "hub-plugin-timer"), message="the added timer running in the console")
    assert not csp_problems(owner) and not csp_problems(co)
