"""The shared components of web/components/ as a plugin uses them, and the client's handling of a bad token."""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browserkit import csp_problems, wait_for
from test_shell import body, by_id, join, shown

MOUNT = """
const done = arguments[arguments.length - 1];
import('/web/components/index.js').then(() => {
  const box = document.createElement('div');
  box.id = 'components';
  document.body.append(box);
  const make = (tag, attrs = {}, props = {}) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    Object.assign(e, props);
    box.append(e);
    return e;
  };
  make('hub-button', { variant: 'primary', icon: 'check', id: 'b' }).textContent = 'Stuur je idee';
  make('hub-card', { heading: 'Vaste werkbegeleider', meta: 'Groep 2', id: 'card' }).textContent = 'Uit de buurt, kent de ploeg.';
  make('hub-timer', { id: 'timer', label: 'Pauze' }, { deadline: Date.now() + 90500 });
  make('hub-timer', { id: 'paused' }, { remaining: 61000 });
  make('hub-progress', { id: 'progress', value: '12', max: '20', label: 'Opkomst' });
  make('hub-bar-chart', { id: 'bars', label: 'Uitslag' }, { data: [{ label: 'Ja', value: 3 }, { label: 'Nee', value: 1 }] });
  make('hub-scale-chart', { id: 'scale', min: '1', max: '5', 'min-label': 'Slecht', 'max-label': 'Goed' }, { distribution: [1, 0, 2, 4, 1], mean: 3.5 });
  make('hub-word-cloud', { id: 'cloud' }, { words: [{ word: 'samen', count: 5 }, { word: '<b>buurt</b>', count: 1 }] });
  make('hub-status', { id: 'status' }, { state: 'error', message: 'Deze stemronde is gesloten. Wacht op de volgende vraag.' });
  make('hub-banner', { id: 'banner2', kind: 'reconnecting' });
  make('hub-qr', { id: 'qr2', code: arguments[0], url: 'http://example/s/' + arguments[0] });
  requestAnimationFrame(() => done('ok'));
}, (e) => done(String(e)));
"""

SHADOW_TEXT = "return document.getElementById(arguments[0]).shadowRoot.textContent.replace(/\\s+/g, ' ').trim()"


def test_components_render_labelled_and_accessible(web_hub, session, browsers):
    d = browsers(360, 740)
    d.get(web_hub.url + "/")
    wait_for(lambda: shown(d, "view-join"), message="page")
    assert d.execute_async_script(MOUNT, session["code"]) == "ok"
    text = lambda id_: d.execute_script(SHADOW_TEXT, id_)  # noqa: E731

    button = by_id(d, "b")
    assert button.size["height"] >= 44
    assert d.execute_script("return arguments[0].shadowRoot.querySelector('button').className", button) == "hub-button primary"
    assert "Vaste werkbegeleider" in text("card") and "Groep 2" in text("card")
    clock = wait_for(lambda: d.execute_script("return document.getElementById('timer').shadowRoot.querySelector('.clock').textContent"), message="timer")
    assert clock in ("1:31", "1:30", "1:29"), clock
    assert d.execute_script("return document.getElementById('timer').shadowRoot.querySelector('[role=timer]') !== null")
    assert "1:01" in text("paused") and "Gepauzeerd" in text("paused")
    assert "12 van 20 (60%)" in text("progress")
    assert d.execute_script("return document.getElementById('progress').shadowRoot.querySelector('[role=progressbar]').getAttribute('aria-valuenow')") == "12"
    bars = text("bars")
    assert "Ja" in bars and "3 (75%)" in bars and "Nee" in bars and "1 (25%)" in bars
    assert d.execute_script("return document.getElementById('bars').shadowRoot.querySelectorAll('svg rect.bar').length") == 2
    scale = text("scale")
    assert "gemiddeld 3,5" in scale and "Slecht" in scale and "Goed" in scale
    assert d.execute_script("return document.getElementById('scale').shadowRoot.querySelectorAll('svg rect.bar').length") == 5
    cloud = d.execute_script("return [...document.getElementById('cloud').shadowRoot.querySelectorAll('li')].map((l) => l.className + ':' + l.firstChild.textContent)")
    assert cloud == ["w5:samen", "w1:<b>buurt</b>"], cloud
    assert "Deze stemronde is gesloten" in text("status")
    assert "opnieuw" in text("banner2")
    wait_for(lambda: d.execute_script("const i = document.getElementById('qr2').shadowRoot.querySelector('img'); return i.complete && i.naturalWidth > 0"), message="qr")

    # A language switch re-renders the components that follow the shell's language.
    by_id(d, "lang-switch").click()
    wait_for(lambda: "12 of 20 (60%)" in text("progress"), message="progress in English")
    assert "mean 3.5" in text("scale") and "Paused" in text("paused") and "Reconnecting" in text("banner2")
    assert csp_problems(d) == []


def test_a_bad_rejoin_token_is_forgotten_and_the_join_form_says_so(web_hub, session, browsers):
    d = browsers(360, 740)
    join(d, web_hub.url, session["code"], name="Bram")
    d.execute_script("localStorage.setItem('hub.token.' + arguments[0], JSON.stringify({token: 'v1.forged.token', participant: 'p_x'}))", session["code"])
    d.refresh()
    wait_for(lambda: shown(d, "view-join"), message="join form after 4003")
    assert "verlopen" in by_id(d, "join-error").text
    assert d.execute_script("return localStorage.getItem('hub.token.' + arguments[0])", session["code"]) is None
    assert by_id(d, "join-name").get_attribute("value") == "Bram"  # the profile is remembered
    by_id(d, "join-name").send_keys(Keys.ENTER)
    wait_for(lambda: body(d, "participant"), timeout=20, message="joined again")
    time.sleep(0.2)
    assert d.find_elements(By.CSS_SELECTOR, "#view-lobby:not([hidden])")
