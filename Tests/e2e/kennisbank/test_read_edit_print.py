"""Acceptance 6 of issue 6: in Chromium, search the kennisbank, open a description, edit it, compare versions
and print it as a clean A4 page. Screenshots and the PDF land in test-artifacts/kennisbank/<test>/."""
import re

from selenium.webdriver.support.ui import Select

from kbkit import OWNER, print_pdf, screenshot
from pages import KB, all_css, click, css, errors_in_console, login, results_total, type_into, visible, wait, wait_text


def pick_target(hub, hits):
    """Of the search hits, the practice description with the most monitoring entries."""
    best, most = None, -1
    for h in hits:
        if h["type"] != "praktijk":
            continue
        n = len(hub.get(f"/api/v1/interventions/{h['id']}/monitoring")["entries"])
        if n > most:
            best, most = h["id"], n
    return best or hits[0]["id"]


def test_search_open_edit_compare_print(kb_hub, kb_browser, artifacts):
    hub = kb_hub
    d = kb_browser()

    # Search without the diaeresis: "financiele" finds "financiële", with the word marked in the snippet.
    d.get(hub.url + KB + "index.html")
    assert results_total(d) == hub.get("/api/v1/interventions")["total"]
    type_into(d, "#q", "financiele\n")
    api = hub.get("/api/v1/interventions?q=financiele&limit=100")
    assert api["total"] > 0
    wait(d).until(lambda _: "q=financiele" in d.current_url)
    assert results_total(d) == api["total"]
    marks = [m.text.lower() for m in all_css(d, ".kb-snippet mark")]
    assert any(m.startswith("financi") for m in marks), marks
    assert any("ë" in m for m in marks), f"the snippet shows the stored spelling: {marks}"
    screenshot(d, artifacts / "01-search.png")

    # Open the practice with the most monitoring.
    target = pick_target(hub, api["hits"])
    rec = hub.get(f"/api/v1/interventions/{target}")
    click(d, f'li.kb-hit[data-id="{target}"] a')
    visible(d, "article.kb-doc")
    assert css(d, "#kb-title").text == rec["title"]
    # The WWidW format: werkzame bestanddelen with evidence and sources, veranderingstheorie, needs, monitoring.
    ingredients = all_css(d, "li.kb-ingredient")
    assert len(ingredients) == len(rec.get("activeIngredients", []))
    for li, a in zip(ingredients, rec.get("activeIngredients", [])):
        assert a["statement"] in li.text
        level = (a.get("evidence") or {}).get("level")
        if level:
            assert li.find_element("css selector", ".kb-evidence").get_attribute("data-level") == level
        for s in (a.get("evidence") or {}).get("sources", []):
            assert s["title"] in li.text
    if rec.get("theoryOfChange"):
        assert css(d, "#sec-veranderingstheorie").is_displayed()
    mon = hub.get(f"/api/v1/interventions/{target}/monitoring")
    if mon["entries"]:
        assert len(all_css(d, "#sec-monitoring figure.kb-chart svg")) >= 2
        ratio = mon["summary"].get("ratio")
        if ratio is not None:
            shown = css(d, ".kb-ratio").get_attribute("data-ratio")
            assert abs(float(shown) - ratio) < 1e-9
        # Bars per year carry the API's numbers.
        years = {y["year"]: y for y in mon["summary"]["byYear"]}
        bars = all_css(d, 'rect[data-kind="euros"]')
        assert sorted(b.get_attribute("data-year") for b in bars) == sorted(years)
    assert not errors_in_console(d), d.console
    screenshot(d, artifacts / "02-read.png")

    # Edit: a new visitor has to log in first; change the summary, add a goal, save.
    click(d, "#edit")
    login(d, OWNER)
    visible(d, "#f-summary")
    new_summary = (rec.get("summary") or "") + " Aangepast in de browsertest."
    type_into(d, "#f-summary", new_summary)
    click(d, '[data-add="goals"]')
    d.switch_to.active_element.send_keys("Een extra doel uit de browsertest")
    screenshot(d, artifacts / "03-edit.png")
    click(d, "#save")
    wait_text(d, "#save-status", "versie 2")
    after = hub.get(f"/api/v1/interventions/{target}")
    assert after["version"] == 2
    assert after["summary"] == new_summary.strip()
    assert after["goals"][-1] == "Een extra doel uit de browsertest"
    assert after["state"] == "published"
    # Nothing else changed: the form writes back what it read.
    changed = {c["field"] for c in hub.get(f"/api/v1/interventions/{target}/diff?from=1&to=2")["changes"]}
    assert changed == {"summary", "goals"}, changed

    # Compare versions 1 and 2 on the page.
    click(d, "#view-link")
    visible(d, "article.kb-doc")
    wait(d).until(lambda _: len(all_css(d, "#version-list li")) == 2)
    Select(css(d, "#compare-from")).select_by_value("1")
    Select(css(d, "#compare-to")).select_by_value("2")
    click(d, "#compare")
    visible(d, ".kb-diff")
    fields = {s.get_attribute("data-field") for s in all_css(d, ".kb-diff-field")}
    assert fields == {"summary", "goals"}
    assert "browsertest" in " ".join(e.text for e in all_css(d, '.kb-diff-field[data-field="summary"] ins'))
    assert "Een extra doel" in css(d, '.kb-diff-field[data-field="goals"] .kb-diff-add').text
    screenshot(d, artifacts / "04-compare.png")

    # Print: the print stylesheet hides the navigation, the toolbar and the versions; A4 PDF.
    assert css(d, ".app-header").value_of_css_property("display") != "none"
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        for sel in (".app-header", ".kb-nav", "#toolbar", "#versions", "#print"):
            assert css(d, sel).value_of_css_property("display") == "none", sel
        assert css(d, "article.kb-doc").value_of_css_property("box-shadow") == "none"
        assert css(d, "body").value_of_css_property("background-color") in ("rgba(255, 255, 255, 1)", "rgb(255, 255, 255)")
        # Source links print their address.
        urls = [e for e in all_css(d, ".kb-print-url")]
        if urls:
            assert urls[0].value_of_css_property("display") == "inline"
        screenshot(d, artifacts / "05-print-media.png")
    finally:
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = print_pdf(d, artifacts / "06-description.pdf")
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 1
    # A4 media box: 595 × 842 points.
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box and abs(float(box.group(1)) - 595) < 2 and abs(float(box.group(2)) - 842) < 2, box
    assert not errors_in_console(d), d.console


def test_unchanged_save_keeps_the_version(kb_hub, kb_browser):
    """The edit form round-trips every field: saving without a change makes no new version (archetype too)."""
    hub = kb_hub
    ids = [h["id"] for h in hub.get("/api/v1/interventions?type=archetype&limit=1")["hits"]]
    rich = [h["id"] for h in hub.get("/api/v1/interventions?type=praktijk&evidence=bewezen,aannemelijk&limit=3")["hits"]]
    d = kb_browser()
    d.get(hub.url + KB + "edit.html?id=" + (ids + rich)[0])
    login(d, OWNER)
    for iid in ids + rich:
        before = hub.get(f"/api/v1/interventions/{iid}")
        d.get(hub.url + KB + "edit.html?id=" + iid)
        visible(d, "#f-title")
        wait(d).until(lambda _: css(d, "#save").text.strip())
        click(d, "#save")
        wait_text(d, "#save-status", f"versie {before['version']}")
        after = hub.get(f"/api/v1/interventions/{iid}")
        assert after["version"] == before["version"], hub.get(f"/api/v1/interventions/{iid}/diff")
    assert not errors_in_console(d), d.console


def test_toolkit_tab_and_language(kb_hub, kb_browser, artifacts):
    hub = kb_hub
    d = kb_browser()
    d.get(hub.url + KB + "index.html")
    results_total(d)
    click(d, "#tab-toolkit")
    wait(d).until(lambda _: "tab=toolkit" in d.current_url)
    api = hub.get("/api/v1/toolkit")
    assert results_total(d) == api["total"]
    barrier = api["facets"]["barrier"][0]
    click(d, f'input[data-facet="barrier"][data-value="{barrier["value"]}"]')
    wait(d).until(lambda _: results_total(d) == barrier["count"])
    first = all_css(d, "li.kb-tool")[0]
    first.find_element("css selector", "summary").click()
    assert first.find_element("css selector", ".kb-tool-body p").is_displayed()
    screenshot(d, artifacts / "01-toolkit.png")
    # English is a full translation: the tabs, the facets and the counts switch.
    click(d, "#lang-switch")
    wait_text(d, "#tab-kennisbank", "Knowledge base")
    assert css(d, "#results-count").text.endswith("items") or css(d, "#results-count").text.endswith("item")
    assert css(d, '[data-facet-block="barrier"] legend').text == "Barrier"
    screenshot(d, artifacts / "02-toolkit-en.png")
    assert not errors_in_console(d), d.console


def test_archetype_links_practices(kb_hub, kb_browser, artifacts):
    """An archetype is edited in the same form plus the practice descriptions it generalises."""
    hub = kb_hub
    kind = hub.get("/api/v1/interventions?type=praktijk")["facets"]["kind"][0]["value"]
    practices = hub.get(f"/api/v1/interventions?type=praktijk&kind={kind}&limit=100")["hits"]
    assert len(practices) >= 2
    d = kb_browser()
    d.get(hub.url + KB + "edit.html?new=archetype")
    login(d, OWNER)
    type_into(d, "#f-title", "Archetype uit de browsertest")
    Select(css(d, "#f-kind")).select_by_value(kind)
    visible(d, "#practices-picker")
    # The picker searches practices of the same kind.
    wait(d).until(lambda _: len(all_css(d, "#practices-results [data-add-practice]")) == len(practices))
    chosen = [p["id"] for p in practices[:2]]
    for pid in chosen:
        click(d, f'[data-add-practice="{pid}"]')
        wait(d).until(lambda _: all_css(d, f'#practices-chosen li[data-id="{pid}"]'))
        # Linking marks the result in place; the list is not rebuilt under the pointer.
        wait(d).until(lambda _: all_css(d, f'[data-add-practice="{pid}"][disabled]'))
        # The keyboard focus stays in the picker (the next result or the search field), not on the page.
        focused = d.switch_to.active_element
        assert focused.get_attribute("data-add-practice") or focused.get_attribute("id") == "practices-q"
    screenshot(d, artifacts / "01-archetype-form.png")
    click(d, "#save")
    wait_text(d, "#save-status", "gepubliceerd")
    iid = re.search(r"id=([^&]+)", d.current_url).group(1)
    rec = hub.get(f"/api/v1/interventions/{iid}")
    assert rec["type"] == "archetype" and rec["state"] == "published" and rec["practices"] == chosen
    # Reading it: the linked practices by title; its monitoring aggregates theirs.
    click(d, "#view-link")
    visible(d, "#sec-praktijken")
    links = [a.text for a in all_css(d, "#sec-praktijken a")]
    assert links == [p["title"] for p in practices[:2]]
    mon = hub.get(f"/api/v1/interventions/{iid}/monitoring")
    expected = sum(len(hub.get(f"/api/v1/interventions/{p}/monitoring")["entries"]) for p in chosen)
    assert len(mon["entries"]) == expected
    screenshot(d, artifacts / "02-archetype-read.png")
    assert not errors_in_console(d), d.console
