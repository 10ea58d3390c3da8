"""The voting plugin (issue 8) in real Chromium: a keyboard-only vote on a phone, the reveal from the
facilitator console, and the revealed chart on the beamer.

The hub of this test loads a copy of the repository's plugins/voting instead of the stand-ins of this
folder (browserkit.PLUGINS is pointed at that copy for the test).
"""
import json
import time

import pytest
from selenium.webdriver.common.keys import Keys
from websockets.sync.client import connect

from browserkit import active_path, csp_problems, deep, screenshot, wait_for
from test_shell import body, by_id, key, login, shown

OPTIONS = ["Schoonmaakploeg", "Buurtconciërge", "Huiskamer"]
AGENDA = """\
session: Stemmen in de wijk
lang: nl
agenda:
  - plugin: voting
    title: Wat werkt het best?
    config: {kind: single, question: "Wat werkt het best in jouw wijk?", options: [Schoonmaakploeg, Buurtconciërge, Huiskamer]}
"""

SHADOW = """
const host = arguments[0];
return host && host.shadowRoot ? host.shadowRoot.textContent.replace(/\\s+/g, ' ').trim() : null;
"""


@pytest.fixture
def voting_hub(shipped_hub):
    return shipped_hub("voting")


def ws_vote(hub, code, name, choice):
    """One more participant, over the wire protocol, votes and leaves."""
    with connect(hub.url.replace("http://", "ws://") + "/ws", open_timeout=10) as ws:
        ws.send(json.dumps({"t": "join", "code": code, "name": name}))
        while json.loads(ws.recv(timeout=10))["t"] != "welcome":
            pass
        ws.send(json.dumps({"t": "input", "id": "b-" + name, "activity": "a1", "type": "ballot", "payload": {"choice": choice}}))
        while True:
            m = json.loads(ws.recv(timeout=10))
            if m["t"] in ("ack", "error") and m.get("id") == "b-" + name:
                assert m["t"] == "ack", m
                return m


def plugin(d):
    found = deep(d, "hub-plugin-voting")
    return found[0] if found else None


def plugin_text(d):
    return d.execute_script(SHADOW, plugin(d)) or ""


def chart_text(d):
    charts = deep(d, "hub-bar-chart")
    return d.execute_script(SHADOW, charts[0]) if charts else None


def test_keyboard_vote_on_a_phone_then_the_beamer_shows_the_revealed_chart(voting_hub, browsers):
    hub = voting_hub
    session = hub.create_session(AGENDA)
    code = session["code"]

    beamer = browsers(1280, 720, mobile=False)
    beamer.get(session["beamerUrl"])
    wait_for(lambda: body(beamer, "connection") == "open", message="beamer connected")

    # The phone joins with the keyboard: the name, then Enter.
    d = browsers(360, 740)
    d.get(session["participantUrl"])
    wait_for(lambda: shown(d, "view-join"), message="join form")
    by_id(d, "join-name").send_keys("Sanne de Vries", Keys.ENTER)
    pid = wait_for(lambda: body(d, "participant"), message="welcome")

    hub.command(code, "start")
    hub.command(code, "next")
    wait_for(lambda: plugin(d) and len(deep(d, "input[type=radio]")) == 3, message="the ballot")
    assert "anoniem" not in plugin_text(d) and "zonder naam" in plugin_text(d), plugin_text(d)  # pseudonymous explained
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than 360 px"
    screenshot(d, "voting-phone-ballot")

    # Tab into the radio group, move to the second option, Space, Tab to the button, Enter.
    d.execute_script("document.getElementById('main').focus()")
    for _ in range(40):
        key(d, Keys.TAB)
        if "input#o" in active_path(d):
            break
    assert "input#o0" in active_path(d), active_path(d)
    key(d, Keys.ARROW_DOWN)
    assert "input#o1" in active_path(d), active_path(d)
    key(d, Keys.SPACE)
    for _ in range(10):
        key(d, Keys.TAB)
        if active_path(d).endswith("button"):
            break
    assert active_path(d).endswith("button"), active_path(d)
    key(d, Keys.ENTER)
    confirmation = """
      const s = arguments[0].shadowRoot.querySelector('hub-status');
      return s ? [s.state || s.getAttribute('state'), s.shadowRoot ? s.shadowRoot.textContent.replace(/\\s+/g, ' ').trim() : ''] : null;
    """
    state = wait_for(lambda: (lambda s: s if s and s[0] == "confirmed" else None)(d.execute_script(confirmation, plugin(d))),
                     message="the confirmation", detail=lambda: d.execute_script(confirmation, plugin(d)))
    assert "Je stem is binnen." in state[1], state
    wait_for(lambda: "Je stem staat vast." in plugin_text(d), message="the ballot shown as final")
    assert d.execute_script("const r = arguments[0].shadowRoot; return r.querySelector('#o1').checked && r.querySelector('#o1').disabled", plugin(d))
    screenshot(d, "voting-phone-confirmed")

    # Four more votes over the wire: 1 × Schoonmaakploeg, 3 × Buurtconciërge, 1 × Huiskamer in all.
    for name, choice in (("Joost", 1), ("Ayse", 1), ("Kees", 2), ("Fatima", 0)):
        ws_vote(hub, code, name, choice)
    wait_for(lambda: "5 stemmen" in plugin_text(beamer), message="turnout on the beamer", detail=lambda: plugin_text(beamer))
    assert not deep(beamer, "hub-bar-chart"), "the beamer shows results before the reveal"
    assert "De uitslag volgt" in plugin_text(beamer)

    # The facilitator reveals from the console with R.
    f = browsers(1280, 900, mobile=False)
    login(f, hub.url, session["id"])
    wait_for(lambda: body(f, "current") == "a1", message="console on a1")
    f.execute_script("document.getElementById('main').focus()")
    t0 = time.monotonic()
    key(f, "r")
    wait_for(lambda: chart_text(beamer), timeout=10, message="the chart on the beamer")
    print("beamer showed the chart %.0f ms after R" % ((time.monotonic() - t0) * 1000))
    text = wait_for(lambda: (lambda t: t if t and "Buurtconciërge" in t and "3 (60%)" in t else None)(chart_text(beamer)),
                    message="labels and counts in the chart", detail=lambda: chart_text(beamer))
    rows = beamer.execute_script("""
      const chart = arguments[0];
      return [...chart.shadowRoot.querySelectorAll('ul li')].map((li) => li.textContent);
    """, deep(beamer, "hub-bar-chart")[0])
    assert rows == ["Schoonmaakploeg: 1 (20%)", "Buurtconciërge: 3 (60%)", "Huiskamer: 1 (20%)"], (rows, text)
    assert beamer.execute_script("return arguments[0].shadowRoot.querySelectorAll('svg rect.bar').length", deep(beamer, "hub-bar-chart")[0]) == 3
    for label in OPTIONS:
        assert label in text
    wait_for(lambda: chart_text(d), message="the chart on the phone too")
    beamer.execute_script("arguments[0].scrollIntoView({block: 'center'})", deep(beamer, "hub-bar-chart")[0])
    screenshot(beamer, "voting-beamer-revealed")
    screenshot(d, "voting-phone-revealed")
    screenshot(f, "voting-facilitator-revealed")
    for w in (d, beamer, f):
        assert csp_problems(w) == []

    events = hub.events(session["id"])
    ballots = sorted((e for e in events if e.get("type") == "ballot"), key=lambda e: e["seq"])
    assert [e["payload"]["choice"] for e in ballots] == [1, 1, 1, 2, 0]  # the phone's came first
    assert any(e["type"] == "reveal" for e in events)
    assert pid.startswith("p_")


@pytest.mark.parametrize("mode,says", [("anonymous", "Je stem is anoniem"), ("named", "Je naam staat bij je stem")])
def test_the_ballot_page_explains_the_anonymity_mode_that_applies(voting_hub, browsers, mode, says):
    """Issue 8: "Explain the three modes in the UI so a participant knows which applies"."""
    hub = voting_hub
    session = hub.create_session(AGENDA.replace("    config:", "    anonymity: %s\n    config:" % mode))
    d = browsers(360, 740)
    d.get(session["participantUrl"])
    wait_for(lambda: shown(d, "view-join"), message="join form")
    by_id(d, "join-name").send_keys("Zwaluwstaart Eenentwintig", Keys.ENTER)
    wait_for(lambda: body(d, "participant"), message="welcome")
    hub.command(session["code"], "start")
    hub.command(session["code"], "next")
    wait_for(lambda: plugin(d) and len(deep(d, "input[type=radio]")) == 3, message="the ballot")
    screenshot(d, "voting-phone-%s" % mode)
    text = plugin_text(d)
    assert says in text, "the %s activity is explained as: %r" % (mode, text[:200])
