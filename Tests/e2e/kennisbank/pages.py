"""Small page helpers shared by the kennisbank tests (selenium)."""
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from kbkit import console

KB = "/web/kennisbank/"


def wait(d, timeout=10):
    return WebDriverWait(d, timeout, poll_frequency=0.1)


def css(d, selector):
    return d.find_element(By.CSS_SELECTOR, selector)


def all_css(d, selector):
    return d.find_elements(By.CSS_SELECTOR, selector)


def visible(d, selector, timeout=10):
    return wait(d, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, selector)))


def clickable(d, selector, timeout=10):
    return wait(d, timeout).until(EC.element_to_be_clickable((By.CSS_SELECTOR, selector)))


def click(d, selector, timeout=10):
    """Click what the selector names once it can be clicked; if the page replaces the element between
    finding and clicking, find it again, as a person would."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            el = clickable(d, selector, max(0.1, deadline - time.monotonic()))
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
            el.click()
            return el
        except StaleElementReferenceException:
            if time.monotonic() >= deadline:
                raise


def text_of(d, selector):
    return css(d, selector).text


def wait_text(d, selector, needle, timeout=10):
    wait(d, timeout).until(lambda _: needle in (css(d, selector).text or ""), f"{needle!r} in {selector}")
    return css(d, selector).text


def login(d, who):
    """Fill the page's login form (shown by the writing pages when nobody is logged in)."""
    visible(d, "#login-email").send_keys(who[0])
    css(d, "#login-password").send_keys(who[2])
    click(d, "#login-submit")
    wait(d).until(lambda _: not all_css(d, "#login-form"), "login form gone")


def type_into(d, selector, text, clear=True):
    el = visible(d, selector)
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    if clear:
        el.clear()
    el.send_keys(text)
    return el


def results_total(d):
    wait(d).until(lambda _: css(d, "#hits").get_attribute("aria-busy") == "false" and css(d, "#results-count").get_attribute("data-total"),
                  "results")
    return int(css(d, "#results-count").get_attribute("data-total"))


def shown_facets(d):
    """Every facet option on the page: {(facet, value): count}."""
    out = {}
    for li in all_css(d, "li.kb-option"):
        out[(li.get_attribute("data-facet"), li.get_attribute("data-value"))] = int(li.get_attribute("data-count"))
    return out


def errors_in_console(d):
    """SEVERE console lines (script errors, CSP violations), without the 401 a login page may expect."""
    console(d)
    return [l for l in d.console if l.startswith("SEVERE") and "status of 401" not in l]
