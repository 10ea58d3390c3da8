"""Phone first: at 360 px wide nothing on the kennisbank pages scrolls sideways, the filters fold away, and
touch targets of the main controls are at least 44 px high."""
from kbkit import OWNER, screenshot
from pages import KB, all_css, click, css, login, results_total, visible, wait


def no_sideways_scroll(d):
    return d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_pages_fit_a_phone(kb_hub, kb_browser, artifacts):
    hub = kb_hub
    d = kb_browser(360, 740)
    d.get(hub.url + KB + "index.html")
    results_total(d)
    assert not css(d, "#facets").get_attribute("open"), "filters start folded on a phone"
    assert no_sideways_scroll(d)
    for sel in ("#search-submit", "#tab-toolkit", "#lang-switch"):
        assert css(d, sel).size["height"] >= 44, sel
    screenshot(d, artifacts / "01-search-phone.png")
    css(d, "#facets summary").click()
    wait(d).until(lambda _: css(d, "#facets").get_attribute("open"))
    assert no_sideways_scroll(d)

    target = max(hub.get("/api/v1/interventions?type=praktijk&limit=100")["hits"],
                 key=lambda h: len(hub.get(f"/api/v1/interventions/{h['id']}/monitoring")["entries"]))["id"]
    d.get(hub.url + KB + "intervention.html?id=" + target)
    visible(d, "article.kb-doc")
    wait(d).until(lambda _: all_css(d, "#version-list li"))
    assert no_sideways_scroll(d), d.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)")
    screenshot(d, artifacts / "02-read-phone.png")

    d.get(hub.url + KB + "edit.html?id=" + target)
    login(d, OWNER)
    visible(d, "#f-title")
    assert no_sideways_scroll(d), d.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)")
    screenshot(d, artifacts / "03-edit-phone.png")

    d.get(hub.url + KB + "wizard.html?new=1")
    visible(d, "#step-title")
    assert no_sideways_scroll(d), d.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)")
    assert css(d, "#next").size["height"] >= 44
    screenshot(d, artifacts / "04-wizard-phone.png")
