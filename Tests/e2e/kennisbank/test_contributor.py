"""Issue 6, contributors: a facilitator invites a professional by link; the professional opens it (no account,
no password), lands in the wizard, writes a practice description as a draft, and finds it again from the
wizard's list after opening the link anew with nothing remembered. Revoking the invitation ends it, and the
page says so."""
import re

from selenium.webdriver.support.ui import Select

from kbkit import screenshot, wait_for
from pages import KB, click, css, type_into, visible, wait, wait_text


def test_a_contributor_writes_a_draft_from_an_invitation_link(kb_hub, kb_browser, artifacts):
    hub = kb_hub
    r = hub.api("POST", "/api/v1/contributors", auth=True, json={"name": "Woonconsulent Ilse", "organisation": "Woonstad"})
    assert r.status_code == 201, r.text
    invited = r.json()
    link = hub.url + invited["link"]

    d = kb_browser(1366, 900)
    d.get(link)
    visible(d, "#view-start")
    # The token left the address bar, and the header names the contributor.
    wait(d).until(lambda _: "invite=" not in d.current_url, "invite token out of the URL")
    wait_text(d, "#account", "Woonconsulent Ilse")
    screenshot(d, artifacts / "00-invited.png")
    click(d, "#start")
    wait(d).until(lambda _: css(d, "#step-form").get_attribute("data-step") == "1", "step 1")
    type_into(d, "#f-title", "Spreekuur in de portiek")
    Select(css(d, "#f-kind")).select_by_value("__other")
    type_into(d, "#f-kind-other", "Wijkspreekuren")
    type_into(d, "#f-summary", "Eens per maand houdt de woonconsulent spreekuur in de portiek zelf.")
    click(d, "#next")
    wait(d).until(lambda _: css(d, "#step-form").get_attribute("data-step") == "2", "step 2")
    wait_text(d, "#save-status", "Concept bewaard")
    iid = re.search(r"id=([^&]+)", d.current_url).group(1)
    headers = {"Authorization": "Bearer " + invited["token"]}
    rec = hub.api("GET", f"/api/v1/interventions/{iid}", headers=headers).json()
    assert (rec["state"], rec["type"], rec["author"]) == ("draft", "praktijk", invited["contributor"]["id"])
    assert hub.api("GET", f"/api/v1/interventions/{iid}").status_code == 404  # a draft, to the public

    # A new browser (nothing remembered): the link again, and the draft is listed to continue.
    d = kb_browser(1366, 900)
    d.get(link)
    visible(d, f'#drafts li[data-id="{iid}"]')
    screenshot(d, artifacts / "01-back.png")

    # Revoked: the link's token is refused, and the page says so in words (and that nothing was lost).
    assert hub.api("DELETE", f"/api/v1/contributors/{invited['contributor']['id']}", auth=True).status_code == 204
    d.get(link)
    wait_text(d, "#invite-invalid", "ingetrokken", timeout=15)
    assert "Woonconsulent Ilse" not in css(d, "#account").text
    screenshot(d, artifacts / "02-revoked.png")
    wait_for(lambda: hub.api("GET", "/api/v1/me", headers=headers).status_code == 401, message="token revoked")
