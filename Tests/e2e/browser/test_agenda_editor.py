"""Issue 20, acceptance 2 and 3, in real Chromium.

Both pages are audited with axe-core (test_accessibility.Audit): no serious or critical violation; screenshots and
reports in test-artifacts/accessibility/.

2. The agenda editor (/facilitate/new): a facilitator builds an agenda from the installed plugins (the shipped
   voting and timer manifests, whose configSchemas give the form), types an error, sees the hub's own message at
   that field, fixes it, downloads the YAML; `hubctl session create` accepts that file unchanged, importing it
   gives the same YAML back, and "Maak de sessie aan" creates the session and opens its console.
3. The participant page of an `nl` session in an English-language Chromium is Dutch (the switch still works);
   after one visit the service worker has the shell, and with the hub stopped a reload still shows the page, in
   its offline state.
"""
import json

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browserkit import EMAIL, PASSWORD, chrome, csp_problems, wait_for
from test_accessibility import Audit
from test_shell import body, by_id, shown


def field(d, path):
    return d.find_element(By.CSS_SELECTOR, '[data-path="%s"]' % path)


def control(d, path):
    return field(d, path).find_element(By.CSS_SELECTOR, "input, select, textarea")


def field_error(d, path):
    e = field(d, path).find_element(By.CSS_SELECTOR, ".field-error")
    return e.text if e.is_displayed() else ""


def check_state(d):
    return by_id(d, "check").get_attribute("data-state")


def test_editor_shows_the_hubs_error_at_the_field_and_its_yaml_is_accepted_by_hubctl(shipped_hub, tmp_path):
    hub = shipped_hub("voting", "timer")
    d = chrome(width=1280, height=900, mobile=False)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        d.get(hub.url + "/facilitate/new")
        wait_for(lambda: shown(d, "view-login"), message="login form")
        by_id(d, "login-email").send_keys(EMAIL)
        by_id(d, "login-password").send_keys(PASSWORD)
        by_id(d, "login-submit").click()
        wait_for(lambda: shown(d, "view-editor") and d.find_elements(By.CSS_SELECTOR, '#plugins [data-plugin="timer"]'), message="editor")
        listed = by_id(d, "plugins").text
        assert "Een aftelklok op elk scherm" in listed and "Eén vraag voor de hele zaal" in listed, listed

        control(d, "session").send_keys("Buurtavond in de Kersenbuurt")
        d.find_element(By.CSS_SELECTOR, '#plugins [data-plugin="voting"] button').click()
        d.find_element(By.CSS_SELECTOR, '#plugins [data-plugin="timer"] button').click()
        wait_for(lambda: len(d.find_elements(By.CSS_SELECTOR, "#items > li")) == 2, message="two activities")
        title = control(d, "agenda[0].title")
        title.clear()
        title.send_keys("Wat pakken we eerst aan?")
        Select(control(d, "agenda[0].config.kind")).select_by_value("single")
        control(d, "agenda[0].config.question").send_keys("Wat pakken we eerst aan?")
        control(d, "agenda[0].config.options").send_keys("Speeltuin\nStraatverlichting\nOn: de bankjes")
        Select(control(d, "agenda[0].config.proposals")).select_by_value("true")
        Select(control(d, "agenda[0].anonymity")).select_by_value("anonymous")
        # The error: a timer of 9999 minutes; the schema allows at most 600.
        control(d, "agenda[1].config.minutes").send_keys("9999")
        message = wait_for(lambda: field_error(d, "agenda[1].config.minutes"), message="the hub's error at the minutes field")
        assert message == "agenda[1].config.minutes: must be at most 600", message
        assert control(d, "agenda[1].config.minutes").get_attribute("aria-invalid") == "true"
        assert check_state(d) == "errors" and "1" in by_id(d, "check-text").text
        audit = Audit(report="axe-agenda-editor.json")
        audit.page(d, "agenda-editor")  # with an error shown at its field
        assert not audit.serious(), audit.report(audit.serious())

        # Reorder: the timer first, then back.
        d.find_element(By.CSS_SELECTOR, '#items > li:nth-child(2) [data-action="up"]').click()
        wait_for(lambda: field_error(d, "agenda[0].config.minutes") == "agenda[0].config.minutes: must be at most 600", message="error follows the move")
        d.find_element(By.CSS_SELECTOR, '#items > li:nth-child(1) [data-action="down"]').click()
        minutes = control(d, "agenda[1].config.minutes")
        minutes.clear()
        minutes.send_keys("7.5")
        wait_for(lambda: check_state(d) == "ok", message="the hub accepts the fixed agenda")
        assert field_error(d, "agenda[1].config.minutes") == ""

        shown_yaml = by_id(d, "yaml-view").get_attribute("value")
        by_id(d, "btn-export").click()
        files = wait_for(lambda: [p for p in downloads.glob("*.yaml") if p.stat().st_size > 0], message="the downloaded YAML")
        exported = files[0].read_text()
        assert exported == shown_yaml and files[0].name == "buurtavond-in-de-kersenbuurt.yaml", (files[0].name, exported)
        hub.run("login", "--server", hub.url, "--email", EMAIL, "--password-stdin", input=PASSWORD + "\n")
        made = json.loads(hub.run("session", "create", "--server", hub.url, "--agenda", files[0], "--json"))
        detail = hub.api("GET", "/api/v1/sessions/%s" % made["id"])[1]
        assert [(a["plugin"], a["title"]) for a in detail["agenda"]] == [("voting", "Wat pakken we eerst aan?"), ("timer", "Timer")], detail["agenda"]

        # Import the same file: the editor shows the same agenda and writes the same YAML.
        d.execute_script("location.reload()")
        wait_for(lambda: shown(d, "view-editor") and d.find_elements(By.CSS_SELECTOR, '#plugins [data-plugin="timer"]'), message="editor again")
        by_id(d, "import-file").send_keys(str(files[0]))
        by_id(d, "btn-import").click()
        wait_for(lambda: control(d, "session").get_attribute("value") == "Buurtavond in de Kersenbuurt", message="the imported agenda")
        wait_for(lambda: check_state(d) == "ok", message="the imported agenda checks")
        again = by_id(d, "yaml-view").get_attribute("value")
        assert again == exported, "the import wrote another YAML:\n%s\n---- exported:\n%s" % (again, exported)

        by_id(d, "btn-create").click()
        wait_for(lambda: "/facilitate/s_" in d.current_url, message="the console of the new session")
        wait_for(lambda: shown(d, "view-console") and body(d, "status") == "draft", message="console")
        assert not csp_problems(d), csp_problems(d)
    finally:
        d.quit()


def test_participant_page_speaks_the_sessions_language_and_loads_offline(web_hub):
    session = web_hub.create_session()  # browserkit.AGENDA: lang nl
    d = chrome(lang="en")
    try:
        assert d.execute_script("return navigator.language").startswith("en")
        d.get("%s/s/%s" % (web_hub.url, session["code"]))
        wait_for(lambda: shown(d, "view-join") and d.execute_script("return document.documentElement.lang") == "nl", message="Dutch join form")
        assert by_id(d, "join-title").text == "Doe mee" and by_id(d, "lang-switch").text == "English"
        by_id(d, "join-name").send_keys("Ayse")
        by_id(d, "join-submit").click()
        wait_for(lambda: shown(d, "view-lobby"), message="lobby")
        assert by_id(d, "lobby-title").text == "Wacht op de facilitator"
        wait_for(lambda: d.execute_script("return document.documentElement.dataset.offlineReady === 'true' && !!navigator.serviceWorker.controller"),
                 message="the service worker in control")

        web_hub.stop()
        d.refresh()
        wait_for(lambda: shown(d, "view-offline"), timeout=20, message="the offline state, from the cache")
        assert by_id(d, "offline-title").text == "Geen verbinding met de hub"
        assert d.execute_script("return document.documentElement.lang") == "nl"
        audit = Audit(report="axe-participant-offline.json")
        audit.page(d, "participant-offline")
        assert not audit.serious(), audit.report(audit.serious())
        by_id(d, "lang-switch").click()
        wait_for(lambda: by_id(d, "offline-title").text == "No connection to the hub", message="the switch still works offline")
    finally:
        d.quit()


def test_home_lists_my_sessions_and_prints_a_join_sheet(web_hub, tmp_path):
    """Acceptance 1's pieces: /facilitate/ lists the sessions as live, upcoming and closed with a search; the export
    download, delete (confirmed) and duplicate (the editor with a copy of the agenda) work there; the join sheet
    shows title, URL, QR and code."""
    draft = web_hub.create_session()
    live = web_hub.create_session(web_hub_agenda("Live in de wijk"))
    web_hub.api("POST", "/api/v1/sessions/%s/start" % live["id"])
    d = chrome(width=1280, height=900, mobile=False)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        d.get(web_hub.url + "/facilitate/")
        wait_for(lambda: shown(d, "view-login"), message="login form")
        by_id(d, "login-email").send_keys(EMAIL)
        by_id(d, "login-password").send_keys(PASSWORD)
        by_id(d, "login-submit").click()
        row = lambda s: d.find_elements(By.CSS_SELECTOR, '[data-session="%s"]' % s["id"])
        wait_for(lambda: shown(d, "view-home") and row(draft) and row(live), message="the sessions")
        assert row(live)[0].find_element(By.XPATH, "..").get_attribute("id") == "list-open"
        assert row(draft)[0].find_element(By.XPATH, "..").get_attribute("id") == "list-draft"
        by_id(d, "search").send_keys("live in")
        wait_for(lambda: not row(draft) and row(live), message="the search")
        by_id(d, "search").clear()
        by_id(d, "search").send_keys(" ")
        wait_for(lambda: row(draft), message="all again")
        audit = Audit(report="axe-facilitate-home.json")
        audit.page(d, "facilitate-home")
        assert not audit.serious(), audit.report(audit.serious())

        row(live)[0].find_element(By.CSS_SELECTOR, '[data-action="export"]').click()
        wait_for(lambda: (downloads / ("%s.json" % live["code"])).exists(), message="the export download")
        assert live["id"] in (downloads / ("%s.json" % live["code"])).read_text()

        row(draft)[0].find_element(By.CSS_SELECTOR, '[data-action="delete"]').click()
        wait_for(lambda: d.find_elements(By.CSS_SELECTOR, 'dialog[open] [data-action="confirm"]'), message="the confirm dialog")
        d.find_element(By.CSS_SELECTOR, 'dialog[open] [data-action="confirm"]').click()
        wait_for(lambda: not row(draft), message="deleted")
        assert web_hub.api("GET", "/api/v1/sessions/%s" % draft["id"])[0] == 404

        # Duplicate: the editor with the session's agenda, titled as a copy.
        d.get(web_hub.url + "/facilitate/")
        wait_for(lambda: row(live), message="the sessions again")
        row(live)[0].find_element(By.CSS_SELECTOR, '[data-action="duplicate"]').click()
        wait_for(lambda: shown(d, "view-editor") and control(d, "session").get_attribute("value") == "Live in de wijk (kopie)", message="the copy in the editor")
        wait_for(lambda: len(d.find_elements(By.CSS_SELECTOR, "#items > li")) == 4 and check_state(d) == "ok", message="its four activities, checked")

        d.get("%s/web/facilitate/join-sheet.html?code=%s" % (web_hub.url, live["code"]))
        wait_for(lambda: by_id(d, "sheet-title").text == "Live in de wijk", message="the join sheet")
        assert by_id(d, "sheet-code").text == live["code"] and by_id(d, "sheet-url").text == "%s/s/%s" % (web_hub.url, live["code"])
        wait_for(lambda: d.execute_script("return document.getElementById('sheet-qr').naturalWidth > 0"), message="the QR code")
        audit.page(d, "join-sheet")
        assert not audit.serious(), audit.report(audit.serious())
        assert not csp_problems(d), csp_problems(d)
    finally:
        d.quit()


def web_hub_agenda(title):
    from browserkit import AGENDA
    return AGENDA.replace("session: Wat werkt in de wijk", "session: %s" % title)
