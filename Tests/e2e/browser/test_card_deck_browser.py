"""The card-deck plugin (issue 19) in real Chromium.

Acceptance 1: 20 participants over the wire protocol and a facilitator in Chromium who walks the deck from the
console (next card, reveal with R, an agreement, the phase buttons, publish); the beamer shows the current card;
the checklist items are read back over REST with their provenance. Acceptance 3: a participant on a 360 px phone
answers with the keyboard alone (nl), a second phone reads the card in English; no window sees a CSP violation.

The hub of these tests loads a copy of the repository's plugins/card-deck (browserkit.PLUGINS is pointed at it).
"""
import asyncio
import json

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browserkit import PluginView, active_path, csp_problems, deep, screenshot, wait_for
from test_brainstorm_browser import Crowd
from test_shell import body, by_id, join_phone, key, login, shown

CARDS = ["draagvlak", "eigenaarschap", "middelen", "borging"]


VIEW = PluginView("card-deck")
plugin, inside, text, status, confirmed, click = VIEW.plugin, VIEW.inside, VIEW.text, VIEW.status, VIEW.confirmed, VIEW.click


def agenda(select=CARDS):
    config = {"deck": "implementatie", "select": select, "themes": ["leven"], "audience": ["wijkprofessionals"]}
    return "\n".join(["series: e2e", "session: Leerkring inbedden", "lang: nl", "agenda:", "  - plugin: card-deck",
                      "    title: Inbedden in je organisatie", "    config: %s" % json.dumps(config)]) + "\n"


def current_card(d):
    found = inside(d, "article.card")
    return found[0].get_attribute("data-card") if found else None


def answer(i, k):
    return {"card": CARDS[k], **({"score": 1 + (i + k) % 5} if CARDS[k] == "draagvlak" else {"applies": ["yes", "partly", "no"][(i * k) % 3]}),
            **({"text": "Kaart %d: opmerking %02d" % (k, i)} if i % 4 == 0 else {})}


def test_twenty_participants_and_a_chromium_facilitator_fill_the_gereedschapskist(shipped_hub, browsers):
    hub = shipped_hub("card-deck")
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
        wait_for(lambda: plugin(f) and current_card(f) == "draagvlak", message="the first card in the console")
        wait_for(lambda: "Draagvlak" in text(beamer) and "Kaart 1 van 4" in text(beamer), message="the first card on the beamer",
                 detail=lambda: text(beamer)[:200])

        seqs = {}
        for k, card in enumerate(CARDS):
            if k:
                click(f, '[data-k="next"]')
                confirmed(f, "next card")
                wait_for(lambda: current_card(beamer) == card, message="card %s on the beamer" % card)
                wait_for(lambda: current_card(f) == card, message="card %s in the console" % card)
                # Each card has its own agreement field: the one typed for an earlier card does not follow.
                assert f.execute_script("return arguments[0].shadowRoot.querySelector('[data-k=note]').value", plugin(f)) == ""

            async def respond():
                replies = await asyncio.gather(*(p.input("a1", "respond", answer(i, k)) for i, p in enumerate(people)))
                assert all(r["t"] == "ack" for r in replies), [r for r in replies if r["t"] != "ack"][:3]
                return [r["seq"] for r in replies]
            seqs[card] = crowd.run(respond())
            wait_for(lambda: "20 reacties" in text(beamer), message="the count on the beamer", detail=lambda: text(beamer)[:300])
            if k == 2:
                # The tally is blind on the beamer until the facilitator reveals it with R.
                assert not deep(beamer, "hub-bar-chart") and "De uitslag volgt" in text(beamer)
                f.execute_script("document.getElementById('main').focus()")
                key(f, "r")
                wait_for(lambda: deep(beamer, "hub-bar-chart"), message="the tally on the beamer")
                field = wait_for(lambda: (lambda e: e[0] if e else None)(inside(f, '[data-k="note"]')), message="the agreement field")
                field.send_keys("Budget voor na 2027 agenderen bij de directie")
                click(f, '[data-k="save-note"]')
                confirmed(f, "the agreement")
                notes = [e["seq"] for e in hub.events(sid) if e.get("type") == "note"]
                screenshot(beamer, "card-deck-beamer-revealed")
        screenshot(f, "card-deck-facilitator-cards")

        # A late change of mind is fine while the deck is open; after publishing it is refused.
        seqs["eigenaarschap"][1] = crowd.run(people[1].ok(people[1].input("a1", "respond", {"card": "eigenaarschap", "applies": "no"})))
        f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="vastleggen"]').click()
        wait_for(lambda: body(f, "phase") == "vastleggen", message="phase vastleggen")
        click(f, '[data-k="publish"]')
        confirmed(f, "publish")
        wait_for(lambda: "Vastgelegd in de gereedschapskist" in text(beamer), message="published on the beamer")
        assert not any(w in text(beamer) for w in ("Volgende kaart", "Leg vast", "Bewaar afspraak")), "controls on the beamer"
        screenshot(f, "card-deck-facilitator-published")
        f.find_element(By.CSS_SELECTOR, '#phases button[data-phase="kaarten"]').click()
        wait_for(lambda: body(f, "phase") == "kaarten", message="back to the cards")
        late = crowd.run(people[2].input("a1", "respond", {"card": "borging", "applies": "yes"}))
        assert late["t"] == "error" and late.get("detail") == "deck_closed", late
        assert csp_problems(f) == [] and csp_problems(beamer) == []
    finally:
        crowd.close()

    # The gereedschapskist, read back over REST: one checklist per card, with the inputs it came from.
    status_, export = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)
    assert status_ == 200
    filed = [o["filed"].split("@")[0] for o in export["outputs"]]
    assert len(filed) == 4, export["outputs"]
    items = []
    for item_id in filed:
        status_, item = hub.api("GET", "/api/v1/toolkit/%s" % item_id)
        assert status_ == 200, item
        items.append(item)
    assert [i["kind"] for i in items] == ["checklist"] * 4
    assert [i["title"] for i in items] == ["Inbedden in je organisatie: %s" % t for t in ("Draagvlak", "Eigenaarschap", "Middelen", "Borging")]
    for item, card in zip(items, CARDS):
        prov = item["provenance"][0]
        assert prov["session"] == sid and prov["activity"] == "a1", prov
        assert set(seqs[card]) == set(prov["seqs"]) - set(notes), (card, prov)  # each response's last input, and the note
        assert item["themes"] == ["leven"] and item["audience"] == ["wijkprofessionals"]
        assert "Reacties: 20" in item["body"], item["body"]
    assert "Afspraak: Budget voor na 2027 agenderen bij de directie" in items[2]["body"]
    # Eigenaarschap (k=1): yes for i%3==0 (7), partly 7, no 6; participant 1 changed partly → no: 7, 6, 7 → a tie goes to the less positive.
    assert "Past dit bij ons? ja 7, deels 6, nee 7" in items[1]["body"] and "Uitkomst: nog niet op orde" in items[1]["body"], items[1]["body"]
    status_, found = hub.api("GET", "/api/v1/toolkit?kind=checklist")
    assert status_ == 200 and len([r for r in found["hits"] if r["id"] in filed]) == 4, found


def test_a_phone_answers_with_the_keyboard_alone_and_a_second_phone_reads_english(shipped_hub, browsers):
    hub = shipped_hub("card-deck")
    session = hub.create_session(agenda(["eigenaarschap", "draagvlak"]))
    code = session["code"]
    d = join_phone(browsers, session["participantUrl"], "Sanne de Vries")
    en = join_phone(browsers, session["participantUrl"], "Sam", lang="en")
    hub.command(code, "start")
    hub.command(code, "next")
    wait_for(lambda: plugin(d) and inside(d, "input[type=radio]"), message="the answer form")
    assert "Geldt dit voor ons?" in text(d) and "Eigenaarschap" in text(d), text(d)[:300]
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than 360 px"
    small = d.execute_script("""
      return [...arguments[0].shadowRoot.querySelectorAll('button, label.choice, textarea')]
        .map((e) => e.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length""", plugin(d))
    assert small == 0, "touch targets under 44 px"

    # Tab into the radio group, arrow to "Deels", Tab to the text field, type, Tab to the button, Enter.
    d.execute_script("document.getElementById('main').focus()")
    for _ in range(40):
        key(d, Keys.TAB)
        if "input#a-yes" in active_path(d):
            break
    assert "input#a-yes" in active_path(d), active_path(d)
    key(d, Keys.ARROW_RIGHT)
    assert "input#a-partly" in active_path(d), active_path(d)
    key(d, Keys.TAB)
    assert "textarea#answer-text" in active_path(d), active_path(d)
    key(d, "De trekker gaat in mei weg")
    key(d, Keys.TAB)
    assert active_path(d).endswith("button"), active_path(d)
    key(d, Keys.ENTER)
    confirmed(d, "the answer")
    assert "Je antwoord is binnen." in status(d)[1]
    wait_for(lambda: "Wijzig je antwoord" in text(d), message="the answer shown as given")
    screenshot(d, "card-deck-phone-answered")

    wait_for(lambda: plugin(en) and "Does this apply to us?" in text(en) and "Ownership" in text(en), message="the card in English",
             detail=lambda: text(en)[:300])
    assert "Send your answer" in text(en) and "Geldt" not in text(en)
    screenshot(en, "card-deck-phone-en")
    events = hub.events(session["id"])
    mine = [e for e in events if e.get("type") == "respond"]
    assert [e["payload"] for e in mine] == [{"card": "eigenaarschap", "applies": "partly", "text": "De trekker gaat in mei weg"}], mine
    assert csp_problems(d) == [] and csp_problems(en) == []
