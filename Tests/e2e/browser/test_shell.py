"""The web shell in real Chromium: participant, facilitator console and beamer (issue "Web shell").

Every test starts its own hub (fixture web_hub) and a session with four activities: two polls (the
stand-in plugin of plugins/poll), one plugin without a web module and one whose element throws.
"""
import re
import time
import urllib.request

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browserkit import (Proxy, active_path, csp_problems, deep, deep_text, qr_decode, screenshot,
                        visible_shell_texts, wait_for)

# ---- helpers ----------------------------------------------------------------------------------------------


def body(d, name):
    return d.find_element(By.TAG_NAME, "body").get_attribute("data-" + name) or ""


def by_id(d, id_):
    return d.find_element(By.ID, id_)


def shown(d, id_):
    return by_id(d, id_).is_displayed()


def join(d, base, code, name="", function="", org=""):
    """Open /s/<code>, fill the join form and wait until the hub welcomed us."""
    d.get("%s/s/%s" % (base, code))
    wait_for(lambda: shown(d, "view-join") or body(d, "participant"), message="join form")
    if not body(d, "participant"):
        assert by_id(d, "join-code").get_attribute("value") == code
        if name:
            by_id(d, "join-name").send_keys(name)
        if function:
            Select(by_id(d, "join-function")).select_by_value(function)
        if org:
            by_id(d, "join-org").send_keys(org)
        by_id(d, "join-submit").click()
    return wait_for(lambda: body(d, "participant"), message="welcome (participant id)")


def join_phone(browsers, url, name, lang="nl"):
    """A 360 px phone that opens a participant URL and joins with the keyboard (name, Enter)."""
    d = browsers(360, 740, lang=lang)
    d.get(url)
    wait_for(lambda: shown(d, "view-join"), message="join form (%s)" % lang)
    # The page speaks the session's language whatever the browser's (issue 20); a reader of another language
    # switches once the join info (with the session's language) has come.
    wait_for(lambda: by_id(d, "join-session").is_displayed(), message="join info (%s)" % lang)
    if d.execute_script("return document.documentElement.lang") != lang:
        by_id(d, "lang-switch").click()
        wait_for(lambda: d.execute_script("return document.documentElement.lang") == lang, message="switched to %s" % lang)
    by_id(d, "join-name").send_keys(name, Keys.ENTER)
    wait_for(lambda: body(d, "participant"), message="welcome (%s)" % lang)
    return d


def login(d, base, session_id):
    d.get("%s/facilitate/%s" % (base, session_id))
    wait_for(lambda: shown(d, "view-login"), message="login form")
    from browserkit import EMAIL, PASSWORD
    by_id(d, "login-email").send_keys(EMAIL)
    by_id(d, "login-password").send_keys(PASSWORD)
    by_id(d, "login-submit").click()
    wait_for(lambda: shown(d, "view-console") and body(d, "status"), message="facilitator console")


def key(d, *keys):
    """Press keys as a user does: on whatever has the focus."""
    ActionChains(d).send_keys(*keys).perform()


def option_buttons(d):
    return deep(d, "hub-button[data-option]")


def input_states(d):
    return [li.get_attribute("data-state") for li in d.find_elements(By.CSS_SELECTOR, "#inputs-list li")]


def start_first_activity(hub, session):
    hub.command(session["code"], "start")
    hub.command(session["code"], "next")


def no_horizontal_scroll(d):
    return d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


# ---- participant --------------------------------------------------------------------------------------------


def test_participant_joins_picks_with_the_keyboard_and_sees_it_confirmed(web_hub, session, browsers):
    d = browsers(360, 740)
    d.get(session["participantUrl"])
    wait_for(lambda: shown(d, "view-join"), message="join form")
    assert d.execute_script("return document.documentElement.lang") == "nl"
    assert no_horizontal_scroll(d), "the join form is wider than 360 px"
    for id_ in ("join-code", "join-name", "join-function", "join-org", "join-submit", "lang-switch"):
        assert by_id(d, id_).size["height"] >= 44, "%s is smaller than a 44 px target" % id_
    screenshot(d, "participant-join")
    # The keyboard alone: name, then Tab through function and organisation to the button.
    by_id(d, "join-name").send_keys("Sanne de Vries")
    by_id(d, "join-function").send_keys("woon")  # a select takes type-ahead
    by_id(d, "join-org").send_keys("Woonstichting De Linie", Keys.ENTER)
    pid = wait_for(lambda: body(d, "participant"), message="welcome")
    wait_for(lambda: shown(d, "view-lobby"), message="lobby")
    assert "Wacht op de facilitator" in by_id(d, "lobby-title").text
    assert "Sanne de Vries" in by_id(d, "lobby-who").text
    screenshot(d, "participant-lobby")

    start_first_activity(web_hub, session)
    wait_for(lambda: shown(d, "view-activity") and len(option_buttons(d)) == 3, message="the poll")
    assert by_id(d, "activity-title").text == "Wat werkt het best?"
    for b in option_buttons(d):
        assert b.size["height"] >= 44
    assert no_horizontal_scroll(d), "the activity is wider than 360 px"

    # Tab to the second option and press Enter.
    d.execute_script("document.getElementById('main').focus()")
    for _ in range(40):
        key(d, Keys.TAB)
        if "option=1" in active_path(d):
            break
    assert "option=1" in active_path(d), active_path(d)
    key(d, Keys.ENTER)
    wait_for(lambda: input_states(d) == ["confirmed"], message="the pick confirmed", detail=lambda: input_states(d))
    wait_for(lambda: any("Jouw keuze: Buurtconciërge" in t for t in deep_text(d, ".mine")), message="own pick shown")
    status = d.find_element(By.CSS_SELECTOR, "#inputs-list hub-status")
    assert status.get_attribute("state") == "confirmed"
    assert "Bevestigd" in d.execute_script("return arguments[0].shadowRoot.textContent", status)
    screenshot(d, "participant-activity")

    picks = [e for e in web_hub.events(session["id"]) if e.get("kind") == "input" and e.get("type") == "pick"]
    assert len(picks) == 1 and picks[0]["actor"] == pid and picks[0]["payload"]["option"] == 1


def test_reload_keeps_the_participant_and_the_unsent_text(web_hub, session, browsers):
    d = browsers(390, 844)
    pid = join(d, web_hub.url, session["code"], name="Kees", function="huismeester")
    start_first_activity(web_hub, session)
    wait_for(lambda: deep(d, "textarea#comment"), message="comment field")
    comment = deep(d, "textarea#comment")[0]
    comment.send_keys("Vooral de vaste gezichten in de buurt")

    d.refresh()
    wait_for(lambda: body(d, "participant") == pid, message="same participant after reload")
    wait_for(lambda: d.execute_script("const t = document.querySelector('hub-plugin-poll')?.shadowRoot?.querySelector('#comment'); return t && t.value")
             == "Vooral de vaste gezichten in de buurt", message="the typed text back after reload")

    # The facilitator sees one participant, not two.
    f = browsers(1280, 900, mobile=False)
    login(f, web_hub.url, session["id"])
    wait_for(lambda: len(f.find_elements(By.CSS_SELECTOR, "#roster-body tr")) == 1, message="one roster row")
    wait_for(lambda: "1 deelnemer," in by_id(f, "counts").text, message="count of one")
    assert f.find_element(By.CSS_SELECTOR, "#roster-body tr").get_attribute("data-participant") == pid

    # Once sent, the text is no longer a draft: a reload shows an empty field.
    option_buttons(d)[0].click()
    wait_for(lambda: input_states(d) == ["confirmed"], message="pick with comment confirmed")
    d.refresh()
    wait_for(lambda: body(d, "participant") == pid and deep(d, "textarea#comment"), message="reloaded")
    assert deep(d, "textarea#comment")[0].get_attribute("value") == ""
    picks = [e for e in web_hub.events(session["id"]) if e.get("type") == "pick"]
    assert picks[0]["payload"].get("comment") == "Vooral de vaste gezichten in de buurt"


def test_offline_input_is_queued_shown_pending_and_delivered_once(web_hub, session, browsers):
    proxy = Proxy(web_hub.port)
    try:
        d = browsers(390, 844)
        pid = join(d, proxy.url, session["code"], name="Ayse")
        start_first_activity(web_hub, session)
        wait_for(lambda: len(option_buttons(d)) == 3, message="the poll")

        proxy.cut()
        wait_for(lambda: by_id(d, "banner").get_attribute("kind") in ("reconnecting", "offline"), timeout=10, message="offline banner")
        option_buttons(d)[2].click()
        wait_for(lambda: input_states(d) == ["pending"], message="the pick pending")
        status = d.find_element(By.CSS_SELECTOR, "#inputs-list hub-status")
        assert status.get_attribute("state") in ("queued", "pending")
        wait_for(lambda: by_id(d, "banner").get_attribute("kind") == "offline", timeout=15, message="offline banner after retries")
        banner_text = d.execute_script("return document.getElementById('banner').shadowRoot.textContent")
        assert "Geen verbinding" in banner_text
        screenshot(d, "participant-offline")
        assert not [e for e in web_hub.events(session["id"]) if e.get("type") == "pick"], "sent while offline?"

        proxy.resume()
        t0 = time.monotonic()
        wait_for(lambda: input_states(d) == ["confirmed"], timeout=30, message="the pick confirmed after reconnect")
        print("confirmed %.1fs after the network came back" % (time.monotonic() - t0))
        wait_for(lambda: not by_id(d, "banner").get_attribute("kind"), message="banner gone")
        assert body(d, "participant") == pid
        picks = [e for e in web_hub.events(session["id"]) if e.get("type") == "pick"]
        assert len(picks) == 1, picks
        assert picks[0]["actor"] == pid and picks[0]["payload"]["option"] == 2
    finally:
        proxy.close()


# ---- facilitator and beamer ---------------------------------------------------------------------------------


def test_facilitator_runs_the_room_with_keys_and_everyone_follows(web_hub, session, browsers):
    p1 = browsers(360, 740)
    p2 = browsers(360, 740)
    join(p1, web_hub.url, session["code"], name="Sanne", function="wijkbeheerder", org="De Linie")
    pid2 = join(p2, web_hub.url, session["code"], name="Joost", function="huismeester", org="Woonlinie")
    beamer = browsers(1280, 720, mobile=False)
    beamer.get(session["beamerUrl"])
    wait_for(lambda: by_id(beamer, "count").get_attribute("data-count") == "2", message="beamer count 2")

    f = browsers(1280, 900, mobile=False)
    login(f, web_hub.url, session["id"])
    assert body(f, "status") == "draft"
    wait_for(lambda: len(f.find_elements(By.CSS_SELECTOR, "#roster-body tr")) == 2, message="roster of two")
    functions = {li.get_attribute("data-function"): li.text for li in f.find_elements(By.CSS_SELECTOR, "#by-function li")}
    assert set(functions) == {"wijkbeheerder", "huismeester"} and all(t.endswith("1") for t in functions.values()), functions
    by_id(f, "btn-start").click()
    wait_for(lambda: body(f, "status") == "open", message="session open")

    # → moves everyone to the first activity.
    f.execute_script("document.getElementById('main').focus()")
    t0 = time.monotonic()
    key(f, Keys.ARROW_RIGHT)
    for who in (p1, p2):
        wait_for(lambda: who.find_element(By.ID, "activity-title").text == "Wat werkt het best?", timeout=5, message="participant follows")
    wait_for(lambda: body(beamer, "current") == "a1", timeout=5, message="beamer follows")
    print("participants and beamer followed in %.0f ms" % ((time.monotonic() - t0) * 1000))
    assert body(f, "current") == "a1"

    # N and P.
    key(f, "n")
    wait_for(lambda: body(f, "current") == "a2" and p1.find_element(By.ID, "activity-title").text == "Doe je het nog eens?", timeout=5, message="N → a2")
    key(f, "p")
    wait_for(lambda: body(f, "current") == "a1" and body(beamer, "current") == "a1", timeout=5, message="P → a1")

    # A pick, then R reveals the counts on the facilitator view and the beamer.
    wait_for(lambda: len(option_buttons(p1)) == 3, message="poll on p1")
    option_buttons(p1)[0].click()
    wait_for(lambda: input_states(p1) == ["confirmed"], message="p1 pick confirmed")
    assert not deep(beamer, "hub-bar-chart")
    key(f, "r")
    wait_for(lambda: deep(f, "hub-bar-chart") and deep(beamer, "hub-bar-chart"), timeout=5, message="revealed")

    # Phases from GET /api/v1/plugins, and input open/close.
    f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="shown"]').click()
    wait_for(lambda: body(f, "phase") == "shown", message="phase shown")
    wait_for(lambda: any("Kiezen kan nu niet meer" in t for t in deep_text(p2, ".note")), message="participant sees the phase")
    by_id(f, "btn-inputs").click()
    wait_for(lambda: "invoer dicht" in f.find_element(By.CSS_SELECTOR, '#agenda li[data-activity="a1"]').text, message="input closed")
    wait_for(lambda: shown(p1, "activity-closed-note"), message="participant sees input closed")

    # Reorder: move the first activity down.
    f.find_element(By.CSS_SELECTOR, '#agenda li[data-activity="a1"] button[data-action="down"]').click()
    wait_for(lambda: f.find_element(By.CSS_SELECTOR, "#agenda li").get_attribute("data-activity") == "a2", message="reordered")

    # Groups mixed by function, size 1: two groups, shown in the roster, the counts and on the phones.
    Select(by_id(f, "group-mode")).select_by_value("function")
    size = by_id(f, "group-size")
    size.clear()
    size.send_keys("1")
    by_id(f, "btn-groups").click()
    wait_for(lambda: len(f.find_elements(By.CSS_SELECTOR, "#by-group li[data-group]")) == 2, message="two groups counted")
    wait_for(lambda: sorted(e.get_attribute("value") for e in f.find_elements(By.CSS_SELECTOR, "#roster-body select.group-select")) == ["g1", "g2"], message="groups in roster")
    wait_for(lambda: re.match(r"Groep [12]$", p1.find_element(By.ID, "activity-group").text), message="group chip on the phone",
             detail=lambda: p1.find_element(By.ID, "activity-group").text)
    assert "2 deelnemers, 2 verbonden" in by_id(f, "counts").text
    f.execute_script("window.scrollTo(0, 0)")
    screenshot(f, "facilitator-console")
    screenshot(beamer, "beamer-activity")
    screenshot(p1, "participant-group")
    # By hand: both in group 1.
    for sel in f.find_elements(By.CSS_SELECTOR, "#roster-body select.group-select"):
        Select(sel).select_by_value("g1")
    by_id(f, "btn-manual").click()
    wait_for(lambda: [" ".join(li.text.split()) for li in f.find_elements(By.CSS_SELECTOR, "#by-group li[data-group]")] == ["Groep 1 2"], message="one manual group of two",
             detail=lambda: [li.text for li in f.find_elements(By.CSS_SELECTOR, "#by-group li[data-group]")])
    wait_for(lambda: p2.find_element(By.ID, "activity-group").text == "Groep 1", message="manual group on the phone")
    by_id(f, "btn-ungroup").click()
    wait_for(lambda: not f.find_elements(By.CSS_SELECTOR, "#by-group li[data-group]"), message="groups dissolved")

    # Kick, with a confirm.
    # The roster re-renders when its (at most once a second) update arrives: click the row as it is then.
    wait_for(lambda: f.find_element(By.CSS_SELECTOR, '#roster-body tr[data-participant="%s"] button[data-action="kick"]' % pid2).click() or True,
             message="kick button clicked")
    dialog = wait_for(lambda: f.find_element(By.CSS_SELECTOR, "dialog[open]"), message="kick confirm")
    assert "Joost" in dialog.text
    dialog.find_element(By.CSS_SELECTOR, '[data-action="confirm"]').click()
    wait_for(lambda: shown(p2, "view-ended") and "uit de sessie gehaald" in by_id(p2, "ended-title").text, message="kicked participant told")
    wait_for(lambda: len(f.find_elements(By.CSS_SELECTOR, "#roster-body tr")) == 1, message="roster of one")

    # Close, with a confirm that can be cancelled.
    by_id(f, "btn-close").click()
    wait_for(lambda: f.find_element(By.CSS_SELECTOR, "dialog[open]"), message="close confirm").find_element(By.CSS_SELECTOR, '[data-action="cancel"]').click()
    assert body(f, "status") == "open"
    by_id(f, "btn-close").click()
    wait_for(lambda: f.find_element(By.CSS_SELECTOR, "dialog[open]"), message="close confirm").find_element(By.CSS_SELECTOR, '[data-action="confirm"]').click()
    wait_for(lambda: body(f, "status") == "closed", message="closed")
    wait_for(lambda: shown(p1, "view-closed"), message="participant sees closed")
    wait_for(lambda: "Bedankt" in by_id(beamer, "message").text, message="beamer thanks")
    for d in (p1, p2, f, beamer):
        assert csp_problems(d) == []


def test_beamer_shows_code_count_and_a_qr_that_decodes_to_the_participant_url(web_hub, session, browsers, tmp_path):
    b = browsers(1280, 720, mobile=False)
    b.get(session["beamerUrl"])
    wait_for(lambda: body(b, "connection") == "open", message="beamer connected")
    assert "beamer" in b.find_element(By.TAG_NAME, "html").get_attribute("class")
    assert by_id(b, "join-code").text == session["code"]
    url = "%s/s/%s" % (web_hub.url, session["code"])
    assert session["participantUrl"] == url
    assert by_id(b, "participant-url").text == url
    assert by_id(b, "join-code").size["height"] >= 60, "the code is not large"
    img_src = b.execute_script("return document.getElementById('qr').shadowRoot.querySelector('img').src")
    assert img_src.endswith("/api/v1/sessions/%s/qr.svg" % session["code"])
    wait_for(lambda: b.execute_script("const i = document.getElementById('qr').shadowRoot.querySelector('img'); return i.complete && i.naturalWidth > 0"), message="QR image loaded")
    assert b.execute_script("return document.getElementById('qr').getBoundingClientRect().width") >= 200
    svg = urllib.request.urlopen(img_src, timeout=10).read().decode()
    assert qr_decode(svg, tmp_path) == url
    wait_for(lambda: by_id(b, "count").get_attribute("data-count") == "0", message="count 0")
    screenshot(b, "beamer-lobby")

    p = browsers(360, 740)
    join(p, web_hub.url, session["code"], name="Mo")
    wait_for(lambda: by_id(b, "count").text == "1 deelnemer", timeout=5, message="live count 1")
    assert not b.find_elements(By.CSS_SELECTOR, "button, input, select, textarea"), "the beamer has controls"
    assert csp_problems(b) == []


# ---- languages ------------------------------------------------------------------------------------------------


def catalogues(d):
    return d.execute_async_script("const done = arguments[0]; import('/web/i18n.js').then((m) => done(m.catalogues), (e) => done(String(e)));")


def dutch_only(cat):
    """Pieces of Dutch catalogue strings that are not also English: what must not show in English."""
    out = set()
    english = set()
    for value in cat["en"].values():
        for v in (value.values() if isinstance(value, dict) else [value]):
            english.update(p.strip() for p in re.split(r"\{\w+\}", v) if p.strip())
    for key, value in cat["nl"].items():
        nl = list(value.values()) if isinstance(value, dict) else [value]
        en = cat["en"][key]
        en = list(en.values()) if isinstance(en, dict) else [en]
        for v in nl:
            if v in en:
                continue
            for piece in re.split(r"\{\w+\}", v):
                piece = piece.strip(" .,:;()")
                if len(piece) >= 3 and not any(piece in e for e in english):
                    out.add(piece)
    return out


def leftovers(texts, pieces):
    bad = []
    for text in texts:
        for piece in pieces:
            if text == piece or (len(piece) >= 8 and piece in text):
                bad.append((text, piece))
    return bad


def test_catalogues_have_the_same_keys_in_both_languages(web_hub, browsers):
    d = browsers(360, 740)
    d.get(web_hub.url + "/")
    cat = catalogues(d)
    assert isinstance(cat, dict), cat
    assert set(cat["nl"]) == set(cat["en"]), set(cat["nl"]) ^ set(cat["en"])
    for k in cat["nl"]:
        assert type(cat["nl"][k]) is type(cat["en"][k]), k
        if isinstance(cat["nl"][k], dict):
            assert set(cat["nl"][k]) == set(cat["en"][k]), k
        for lang in ("nl", "en"):
            v = cat[lang][k]
            assert all(s.strip() for s in (v.values() if isinstance(v, dict) else [v])), (lang, k)
        assert placeholders(cat["nl"][k]) == placeholders(cat["en"][k]), ("placeholders differ", k)


def placeholders(value):
    text = " ".join(value.values()) if isinstance(value, dict) else value
    return sorted(set(re.findall(r"\{(\w+)\}", text)) - {"n"})


def test_switching_to_english_changes_every_visible_shell_string(web_hub, session, browsers):
    d = browsers(390, 844)
    d.get(session["participantUrl"])
    wait_for(lambda: shown(d, "view-join"), message="join form")
    cat = catalogues(d)
    pieces = dutch_only(cat)
    nl_texts = visible_shell_texts(d)
    assert "Doe mee" in nl_texts
    by_id(d, "lang-switch").click()
    wait_for(lambda: d.execute_script("return document.documentElement.lang") == "en", message="lang=en")
    en_texts = visible_shell_texts(d)
    assert leftovers(en_texts, pieces) == [], "Dutch left on the English join form"
    assert by_id(d, "join-submit").text == "Join"
    assert by_id(d, "lang-switch").text == "Nederlands"

    # The choice is saved: the lobby, the activity and the other pages open in English.
    by_id(d, "join-name").send_keys("Lotte")
    by_id(d, "join-submit").click()
    wait_for(lambda: shown(d, "view-lobby"), message="lobby")
    assert by_id(d, "lobby-title").text == "Wait for the facilitator"
    assert leftovers(visible_shell_texts(d), pieces) == [], "Dutch left in the English lobby"
    start_first_activity(web_hub, session)
    wait_for(lambda: shown(d, "view-activity") and len(option_buttons(d)) == 3, message="activity")
    option_buttons(d)[0].click()
    wait_for(lambda: input_states(d) == ["confirmed"], message="confirmed")
    assert leftovers(visible_shell_texts(d), pieces) == [], "Dutch left on the English activity screen"
    assert "Confirmed" in d.execute_script("return document.querySelector('#inputs-list hub-status').shadowRoot.textContent")
    # The plugin got the language too.
    wait_for(lambda: any("Pick one answer" in t for t in deep_text(d, ".lead")), message="plugin in English")

    d.get("%s/facilitate/%s" % (web_hub.url, session["id"]))
    wait_for(lambda: shown(d, "view-login"), message="login")
    assert leftovers(visible_shell_texts(d), pieces) == [], "Dutch left on the English login"
    login_texts = visible_shell_texts(d)
    assert "Sign in" in login_texts
    from browserkit import EMAIL, PASSWORD
    by_id(d, "login-email").send_keys(EMAIL)
    by_id(d, "login-password").send_keys(PASSWORD)
    by_id(d, "login-submit").click()
    wait_for(lambda: shown(d, "view-console") and body(d, "status") == "open", message="console")
    wait_for(lambda: d.find_elements(By.CSS_SELECTOR, "#roster-body tr"), message="roster")
    assert leftovers(visible_shell_texts(d), pieces) == [], "Dutch left in the English console"
    # And back: every English shell string turns Dutch again.
    by_id(d, "lang-switch").click()
    wait_for(lambda: d.execute_script("return document.documentElement.lang") == "nl", message="lang=nl")
    assert by_id(d, "btn-next").text.strip() == "Volgende"

    d.get(session["beamerUrl"])
    wait_for(lambda: body(d, "connection") == "open", message="beamer")
    assert "deelnemer" in by_id(d, "count").text


# ---- security and robustness ------------------------------------------------------------------------------------

HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def test_csp_header_no_violations_and_a_script_name_renders_as_text(web_hub, session, browsers):
    for path in ("/", "/s/%s" % session["code"], "/beamer/%s" % session["code"], "/facilitate/%s" % session["id"],
                 "/web/participant.js", "/plugins/poll/web/poll.js"):
        with urllib.request.urlopen(web_hub.url + path, timeout=10) as r:
            csp = r.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp, (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (path, csp)

    p = browsers(360, 740)
    join(p, web_hub.url, session["code"], name=HOSTILE, org="<b>vet</b>")
    wait_for(lambda: shown(p, "view-lobby"), message="lobby")
    assert HOSTILE in by_id(p, "lobby-who").text
    assert not p.find_elements(By.CSS_SELECTOR, "#lobby-who *")
    start_first_activity(web_hub, session)
    wait_for(lambda: len(option_buttons(p)) == 3, message="plugin loaded")

    f = browsers(1280, 900, mobile=False)
    login(f, web_hub.url, session["id"])
    row = wait_for(lambda: f.find_element(By.CSS_SELECTOR, "#roster-body tr"), message="roster row")
    assert row.find_element(By.CSS_SELECTOR, "td .name").text == HOSTILE
    assert "<b>vet</b>" in row.text
    assert not f.find_elements(By.CSS_SELECTOR, "#roster-body img, #roster-body b, #roster-body script")

    b = browsers(1280, 720, mobile=False)
    b.get(session["beamerUrl"])
    wait_for(lambda: deep(b, "hub-plugin-poll"), message="beamer plugin")
    for d in (p, f, b):
        assert d.execute_script("return window.__xss === undefined")
        assert csp_problems(d) == [], csp_problems(d)


def test_a_failing_plugin_is_contained_and_one_without_web_module_gets_a_neutral_card(web_hub, session, browsers):
    d = browsers(360, 740)
    join(d, web_hub.url, session["code"], name="Fatima")
    web_hub.command(session["code"], "start")
    web_hub.command(session["code"], "goto", activity="a3")
    card = wait_for(lambda: d.find_element(By.CSS_SELECTOR, '#plugin-slot [data-state="no-web"]'), message="neutral card")
    assert "Koffiepauze" in card.text
    assert "{" not in card.text and "plain" not in card.text
    web_hub.command(session["code"], "goto", activity="a4")
    err = wait_for(lambda: d.find_element(By.CSS_SELECTOR, '#plugin-slot [data-state="plugin-error"]'), message="error card")
    assert err.get_attribute("role") == "alert"
    assert "Dit onderdeel kon niet laden" in err.text
    assert by_id(d, "activity-title").text == "Kapotte activiteit"
    screenshot(d, "participant-plugin-error")
    # The shell keeps working: the next activity loads as usual.
    web_hub.command(session["code"], "goto", activity="a1")
    wait_for(lambda: len(option_buttons(d)) == 3, message="poll after a broken plugin")
    assert csp_problems(d) == []


def test_a_hub_restart_is_a_reconnect_as_the_same_participant(web_hub, session, browsers):
    d = browsers(360, 740)
    pid = join(d, web_hub.url, session["code"], name="Noor")
    start_first_activity(web_hub, session)
    wait_for(lambda: len(option_buttons(d)) == 3, message="the poll")
    port = web_hub.port
    web_hub.stop()  # SIGTERM: the hub closes connections with 1001
    wait_for(lambda: by_id(d, "banner").get_attribute("kind") in ("reconnecting", "offline"), message="banner while the hub is down")
    web_hub.start(port=port)
    wait_for(lambda: body(d, "connection") == "open", timeout=30, message="reconnected")
    assert body(d, "participant") == pid
    wait_for(lambda: len(option_buttons(d)) == 3, message="the poll again")
    option_buttons(d)[1].click()
    wait_for(lambda: input_states(d) == ["confirmed"], message="input after the restart")
