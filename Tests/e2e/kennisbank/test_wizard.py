"""Acceptance 7 of issue 6: on a laptop viewport (1366×900) a new user writes a praktijkbeschrijving through the
wizard, leaves at step 4, comes back to the saved draft, picks effects from the effectordening and publishes;
a faceted search by one of those effects finds it, and the facet counts on the page match the API and the
database. Screenshots of every step land in test-artifacts/kennisbank/<test>/."""
import re

import pytest

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from kbkit import NEWBIE, OWNER, screenshot, wait_for
from pages import (KB, all_css, click, css, errors_in_console, login, results_total, shown_facets, type_into, visible, wait,
                   wait_text)

TITLE = "Buurtmoestuin De Vlinderhof"
EFFECTS = ["meer-ontmoeting", "meer-sociale-cohesie", "beter-straatbeeld"]


def step_is(d, n):
    wait(d).until(lambda _: css(d, "#step-form").get_attribute("data-step") == str(n) and css(d, "#view-steps").is_displayed(),
                  f"step {n}")
    assert css(d, "#step-kicker").text == f"STAP {n} VAN 7" or css(d, "#step-kicker").text.lower() == f"stap {n} van 7"


def next_step(d, n):
    click(d, "#next")
    step_is(d, n)
    wait_text(d, "#save-status", "Concept bewaard")


def every_field_has_help(d):
    """Each input of the step is described by a help text (aria-describedby → a non-empty hint), or sits in a
    fieldset with one."""
    missing = []
    for el in all_css(d, "#step-body input, #step-body textarea, #step-body select"):
        if el.get_attribute("type") in ("checkbox", "radio") or el.get_attribute("data-list") or el.get_attribute("data-link"):
            continue
        ids = (el.get_attribute("aria-describedby") or "").split()
        texts = [d.execute_script("var e = document.getElementById(arguments[0]); return e ? e.textContent : ''", i) for i in ids]
        if not any(t.strip() for t in texts) and el.get_attribute("data-mon") not in ("euros", "hours"):
            missing.append(el.get_attribute("id"))
    return missing


def expected_counts(hub, filters, facets):
    """What the page should show per facet: the API's counts with every filter, except that a facet in which
    something is chosen counts without its own choice."""
    def query(fs):
        parts = [f"{k}={','.join(v)}" for k, v in fs.items()]
        return hub.get("/api/v1/interventions?limit=1&" + "&".join(parts))["facets"]
    base = query(filters)
    out = {}
    for facet in facets:
        counts = base.get(facet, [])
        if facet in filters:
            counts = query({k: v for k, v in filters.items() if k != facet}).get(facet, [])
        for c in counts:
            out[(facet, c["value"])] = c["count"]
    return out


def test_new_user_writes_a_practice_through_the_wizard(kb_hub, kb_browser, artifacts):
    hub = kb_hub
    d = kb_browser(1366, 900)
    before = hub.get("/api/v1/interventions?effect=meer-ontmoeting&limit=1")["total"]

    # A new user opens the wizard and logs in.
    d.get(hub.url + KB + "wizard.html")
    login(d, NEWBIE)
    visible(d, "#view-start")
    assert len(all_css(d, "#start-steps li")) == 7
    screenshot(d, artifacts / "00-start.png")
    click(d, "#start")
    step_is(d, 1)

    # Step 1: aanleiding. Title and kind are required: first the honest error, then the fix.
    click(d, "#next")
    visible(d, "#step-errors")
    assert "Titel" in css(d, "#step-errors").text
    assert d.switch_to.active_element.get_attribute("id") == "f-title"
    assert not every_field_has_help(d), every_field_has_help(d)
    type_into(d, "#f-title", TITLE)
    Select(css(d, "#f-kind")).select_by_value("__other")
    type_into(d, "#f-kind-other", "Buurtmoestuinen")
    type_into(d, "#f-summary", "Bewoners van drie portiekflats leggen samen een moestuin aan op een braakliggend veld.")
    type_into(d, "#f-problem", "Het veld tussen de flats lag er verwaarloosd bij en bewoners kenden elkaar nauwelijks.")
    type_into(d, "#f-partner", "Woonstichting Delta")
    type_into(d, "#f-location", "De Akkers, Veenhaven")
    screenshot(d, artifacts / "01-aanleiding.png")
    next_step(d, 2)
    iid = re.search(r"id=([^&]+)", d.current_url).group(1)
    rec = hub.get(f"/api/v1/interventions/{iid}", auth=NEWBIE)
    assert rec["state"] == "draft" and rec["type"] == "praktijk" and rec["kind"] == "buurtmoestuinen" and rec["version"] == 1
    # Drafts stay out of search.
    assert hub.get("/api/v1/interventions?q=Vlinderhof")["total"] == 0

    # Step 2: goals now; effects come later, after the break.
    assert not every_field_has_help(d), every_field_has_help(d)
    type_into(d, "#f-goals-rows input", "Dertig huishoudens doen mee aan de tuin" + Keys.ENTER, clear=True)
    d.switch_to.active_element.send_keys("Bewoners kennen hun buren bij naam")
    screenshot(d, artifacts / "02-doelen.png")
    next_step(d, 3)
    assert hub.get(f"/api/v1/interventions/{iid}", auth=NEWBIE)["goals"] == ["Dertig huishoudens doen mee aan de tuin", "Bewoners kennen hun buren bij naam"]

    # Step 3: doelgroep.
    type_into(d, "#f-targetGroups-rows input", "bewoners" + Keys.ENTER)
    d.switch_to.active_element.send_keys("kinderen")
    click(d, "#f-scale-buurt")
    screenshot(d, artifacts / "03-doelgroep.png")
    next_step(d, 4)

    # Step 4: aanpak. The user types, then leaves without pressing a button.
    assert not every_field_has_help(d), every_field_has_help(d)
    approach = "Een opbouwwerker begeleidt een tuingroep van bewoners; de corporatie levert grond, hekwerk en water."
    type_into(d, "#f-approach", approach)
    screenshot(d, artifacts / "04-aanpak-left.png")
    d.get(hub.url + KB + "index.html")
    results_total(d)
    # What was typed was kept as the page went (keepalive save), and it is still a draft.
    wait_for(lambda: hub.get(f"/api/v1/interventions/{iid}", auth=NEWBIE).get("approach") == approach, timeout=10, message="approach saved on leaving")
    assert hub.get(f"/api/v1/interventions/{iid}", auth=NEWBIE)["state"] == "draft"

    # Coming back: the wizard lists the draft; "Ga verder" resumes at step 4 with the text.
    d.get(hub.url + KB + "wizard.html")
    visible(d, f'#drafts li[data-id="{iid}"]')
    screenshot(d, artifacts / "05-back-drafts.png")
    click(d, f'[data-resume="{iid}"]')
    step_is(d, 4)
    assert css(d, "#f-approach").get_attribute("value") == approach
    assert "Welkom terug" in css(d, "#save-status").text

    # Back to step 2 through the stepper: pick effects from the effectordening, grouped by domain.
    click(d, '.kb-step-btn[data-step="2"]')
    step_is(d, 2)
    type_into(d, "#effects-filter", "ontmoeting")
    wait(d).until(lambda _: css(d, 'li[data-effect="meer-ontmoeting"]').is_displayed())
    assert not css(d, 'li[data-effect="beter-straatbeeld"]').is_displayed()
    click(d, "#effect-meer-ontmoeting")
    css(d, "#effects-filter").clear()
    css(d, "#effects-filter").send_keys(" ")
    css(d, "#effects-filter").send_keys(Keys.BACKSPACE)
    for eid in EFFECTS[1:]:
        domain = css(d, f'li[data-effect="{eid}"]').find_element("xpath", "ancestor::details[1]").get_attribute("data-domain")
        details = css(d, f'#effects-picker details[data-domain="{domain}"]')
        if not details.get_attribute("open"):
            details.find_element("css selector", "summary").click()
        click(d, f"#effect-{eid}")
    wait(d).until(lambda _: len(all_css(d, "#effects-chosen li")) == 3)
    assert css(d, "#effects-count").text == "3 effecten gekozen"
    screenshot(d, artifacts / "06-effecten.png")
    next_step(d, 3)
    assert hub.get(f"/api/v1/interventions/{iid}", auth=NEWBIE)["effects"] == EFFECTS
    # Still a draft: the effect facet does not count it yet.
    assert hub.get("/api/v1/interventions?effect=meer-ontmoeting&limit=1")["total"] == before
    next_step(d, 4)
    next_step(d, 5)

    # Step 5: werkzame bestanddelen with evidence, and the veranderingstheorie.
    assert not every_field_has_help(d), every_field_has_help(d)
    card = all_css(d, "li.kb-ingredient-form")[0]
    card.find_element("css selector", '[data-ing="statement"]').send_keys("Bewoners beslissen zelf wat er groeit")
    card.find_element("css selector", '[data-ing="why"]').send_keys("Wie meebeslist, komt terug en neemt de buren mee.")
    Select(card.find_element("css selector", '[data-ing="level"]')).select_by_value("aannemelijk")
    card.find_element("css selector", '[data-ing="sources"]').send_keys("Voorbeeldonderzoek naar buurttuinen (2024) https://example.org/buurttuinen")
    type_into(d, '[id="f-theoryOfChange-intermediateEffects-rows"] input', "Bewoners ontmoeten elkaar wekelijks in de tuin")
    type_into(d, '[id="f-theoryOfChange-finalEffects-rows"] input', "Meer ontmoeting")
    click(d, "#add-link")
    row = all_css(d, "li.kb-link-row")[0]
    Select(row.find_element("css selector", '[data-link="from"]')).select_by_visible_text("Bewoners ontmoeten elkaar wekelijks in de tuin")
    Select(row.find_element("css selector", '[data-link="to"]')).select_by_visible_text("Meer ontmoeting")
    row.find_element("css selector", '[data-link="ingredients"] input').click()
    screenshot(d, artifacts / "07-bestanddelen.png")
    next_step(d, 6)
    rec = hub.get(f"/api/v1/interventions/{iid}", auth=NEWBIE)
    assert rec["activeIngredients"][0]["evidence"] == {"level": "aannemelijk", "sources": [{"title": "Voorbeeldonderzoek naar buurttuinen (2024)", "url": "https://example.org/buurttuinen"}]}
    assert rec["theoryOfChange"]["links"] == [{"from": "Bewoners ontmoeten elkaar wekelijks in de tuin", "to": "Meer ontmoeting", "ingredients": [rec["activeIngredients"][0]["id"]]}]

    # Step 6: inzet en kosten, with one kosten registration.
    type_into(d, "#f-needs-people", "Een opbouwwerker een dag per week; tien vrijwilligers")
    click(d, "#add-kosten")
    row = all_css(d, "#mon-kosten li")[0]
    d.execute_script("arguments[0].value = '2026-06-30'", row.find_element("css selector", '[data-mon="date"]'))
    row.find_element("css selector", '[data-mon="label"]').send_keys("Grond, hekwerk en zaden 2026")
    row.find_element("css selector", '[data-mon="category"]').send_keys("materiaal")
    row.find_element("css selector", '[data-mon="euros"]').send_keys("12.500")
    row.find_element("css selector", '[data-mon="hours"]').send_keys("300")
    screenshot(d, artifacts / "08-inzet.png")
    next_step(d, 7)

    # Step 7: a direct result and an effect measurement; the net effect is shown as it is typed.
    click(d, "#add-resultaat")
    row = all_css(d, "#mon-resultaat li")[0]
    d.execute_script("arguments[0].value = '2026-09-30'", row.find_element("css selector", '[data-mon="date"]'))
    row.find_element("css selector", '[data-mon="label"]').send_keys("Huishoudens met een tuinbak")
    row.find_element("css selector", '[data-mon="value"]').send_keys("27")
    row.find_element("css selector", '[data-mon="unit"]').send_keys("huishoudens")
    row.find_element("css selector", '[data-mon="target"]').send_keys("30")
    click(d, "#add-rendement")
    row = all_css(d, "#mon-rendement li")[0]
    d.execute_script("arguments[0].value = '2026-09-30'", row.find_element("css selector", '[data-mon="date"]'))
    for f, v in (("label", "Bewoners die wekelijks buren spreken"), ("unit", "bewoners"), ("baseline", "10"), ("measured", "30"),
                 ("attribution", "50"), ("deadWeight", "20"), ("valuePerUnit", "100")):
        row.find_element("css selector", f'[data-mon="{f}"]').send_keys(v)
    # (30 − 10) × 50% × (1 − 20%) = 8; × € 100 = € 800.
    wait_text(d, ".kb-net", "= 8")
    assert "800" in css(d, ".kb-net").text
    screenshot(d, artifacts / "09-resultaten.png")
    click(d, "#next")
    visible(d, "#view-review")
    mon = hub.get(f"/api/v1/interventions/{iid}/monitoring", auth=NEWBIE)["summary"]
    assert mon["euros"] == 12500 and mon["hours"] == 300
    assert abs(mon["indicators"][0]["netEffect"] - 8) < 1e-9 and abs(mon["value"] - 800) < 1e-9
    assert abs(mon["ratio"] - 800 / 12500) < 1e-12
    assert mon["outputs"] == [{"label": "Huishoudens met een tuinbak", "unit": "huishoudens", "value": 27, "target": 30}]

    # Check and publish: the preview shows the description as it will be read.
    preview = css(d, "#review-preview article.kb-doc")
    assert TITLE in preview.text
    for eid in EFFECTS:
        assert preview.find_elements("css selector", f'[data-effect="{eid}"]')
    assert preview.find_elements("css selector", "figure.kb-chart")
    screenshot(d, artifacts / "10-review.png")
    click(d, "#publish")
    visible(d, "#view-done")
    screenshot(d, artifacts / "11-done.png")
    rec = hub.get(f"/api/v1/interventions/{iid}")
    assert rec["state"] == "published" and rec["effects"] == EFFECTS and rec["author"]
    assert hub.get("/api/v1/interventions?effect=meer-ontmoeting&limit=1")["total"] == before + 1

    # Faceted search by one of its effects finds it; every count on the page matches the API and the database.
    d.get(hub.url + KB + "index.html")
    results_total(d)
    details = css(d, '#facet-list details[data-domain="sociaal"]')
    if not details.get_attribute("open"):
        details.find_element("css selector", "summary").click()
    click(d, 'input[data-facet="effect"][data-value="meer-ontmoeting"]')
    wait(d).until(lambda _: "effect=meer-ontmoeting" in d.current_url)
    total = results_total(d)
    assert total == before + 1
    assert css(d, f'li.kb-hit[data-id="{iid}"]')
    # Show every long list in full, so every count is on the page.
    for more in all_css(d, ".kb-more"):
        if more.get_attribute("aria-expanded") == "false":
            d.execute_script("arguments[0].click()", more)
    shown = shown_facets(d)
    facets = ["kind", "type", "effect", "domain", "theme", "scale", "evidence", "targetGroup", "partner"]
    expected = expected_counts(hub, {"effect": ["meer-ontmoeting"]}, facets)
    # Every counted value is on the page with its count; the page may also offer a value at 0 (a domain whose
    # effects count elsewhere), never a wrong number.
    wrong = {k: (shown.get(k), expected.get(k)) for k in set(shown) | set(expected) if shown.get(k, 0) != expected.get(k, 0)}
    assert not wrong, wrong
    assert set(expected) <= set(shown), set(expected) - set(shown)
    # The same numbers counted in the database file itself.
    db_all = hub.db_facet_counts({"effect": ["meer-ontmoeting"]})
    db_free = hub.db_facet_counts({})
    for (facet, value), n in shown.items():
        db = db_free if facet == "effect" else db_all
        assert db[facet].get(value, 0) == n, (facet, value, n, db[facet].get(value))
    assert db_all["effect"]["meer-ontmoeting"] == total
    screenshot(d, artifacts / "12-facet-search.png")

    # A second effect in the same facet widens the search (OR), a theme narrows it (AND).
    box = css(d, 'input[data-facet="effect"][data-value="beter-straatbeeld"]')
    details = box.find_element("xpath", "ancestor::details[1]")
    if not details.get_attribute("open"):
        details.find_element("css selector", "summary").click()
    click(d, 'input[data-facet="effect"][data-value="beter-straatbeeld"]')
    wait(d).until(lambda _: results_total(d) == hub.get("/api/v1/interventions?effect=meer-ontmoeting,beter-straatbeeld&limit=1")["total"])
    assert css(d, f'li.kb-hit[data-id="{iid}"]')
    assert not errors_in_console(d), d.console


def test_wizard_in_english_and_drafts_private(kb_hub, kb_browser, artifacts):
    """The wizard in English, and a draft is nobody's business until it is published."""
    hub = kb_hub
    d = kb_browser(1366, 900, lang="en")
    d.get(hub.url + KB + "wizard.html?new=1")
    login(d, NEWBIE)
    visible(d, "#step-title")
    assert css(d, "#step-title").text == "Background"
    click(d, "#next")
    visible(d, "#step-errors")
    assert "Fill in Title." in css(d, "#step-errors").text
    type_into(d, "#f-title", "Draft in English")
    Select(css(d, "#f-kind")).select_by_index(1)
    click(d, "#save-draft")
    wait_text(d, "#save-status", "Draft saved")
    iid = re.search(r"id=([^&]+)", d.current_url).group(1)
    # Public reading does not show drafts; asking for drafts without a token does not either.
    assert hub.get("/api/v1/interventions?q=English")["total"] == 0
    assert hub.get("/api/v1/interventions?q=English&drafts=1")["total"] == 0
    # Switching language keeps what was typed.
    click(d, "#lang-switch")
    wait_text(d, "#step-title", "Aanleiding")
    assert css(d, "#f-title").get_attribute("value") == "Draft in English"
    screenshot(d, artifacts / "01-wizard-nl-after-switch.png")
    assert hub.get(f"/api/v1/interventions/{iid}", auth=NEWBIE)["state"] == "draft"
    assert not errors_in_console(d), d.console


def test_api_lists_drafts_for_a_token(kb_hub):
    hub = kb_hub
    r = hub.api("POST", "/api/v1/interventions", auth=NEWBIE,
                json={"id": "", "title": "Concept voor de lijst", "kind": "klushuizen", "type": "praktijk", "state": "draft"})
    assert r.status_code == 201
    assert hub.get("/api/v1/interventions?q=lijst")["total"] == 0
    assert hub.get("/api/v1/interventions?q=lijst&drafts=1", auth=NEWBIE)["total"] == 1
    iid = r.json()["id"]
    for path in ("", "/versions", "/diff", "/monitoring"):
        assert hub.api("GET", f"/api/v1/interventions/{iid}{path}").status_code == 404, "a draft is invisible without a token: " + path
    assert hub.get(f"/api/v1/interventions/{iid}", auth=NEWBIE)["state"] == "draft"
    again = hub.api("POST", "/api/v1/interventions", auth=NEWBIE,
                    json={"id": iid, "title": "Dubbel", "kind": "klushuizen", "type": "praktijk", "state": "draft"})
    assert again.status_code == 409, "POST never overwrites an existing record"
