"""Fixtures of the kennisbank browser tests (issue 6, acceptance 6 and 7).

kb_hub      a hub of this test's own with the demo kennisbank, gereedschapskist and monitoring loaded
kb_browser  open(width=1366, height=900, lang="nl") → headless Chromium; closed after the test; on a failure
            each window leaves a screenshot and its console log under test-artifacts/kennisbank/<test>/
artifacts   the folder test-artifacts/kennisbank/<test>/ for screenshots and PDFs
"""
import re
from pathlib import Path

import pytest

from kbkit import ARTIFACTS, Hub, chrome, console, find_hubctl, have_browser, screenshot

HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: needs chromium and chromium-driver (selenium)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            if "kb_browser" not in getattr(item, "fixturenames", ()):
                continue
            item.add_marker(pytest.mark.browser)
            if not have_browser():
                item.add_marker(pytest.mark.skip(reason="chromium or chromedriver missing (apt-get install chromium chromium-driver)"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _name(request):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)


@pytest.fixture
def artifacts(request):
    d = ARTIFACTS / _name(request)
    d.mkdir(parents=True, exist_ok=True)
    for old in d.glob("failure-*"):
        old.unlink()
    return d


@pytest.fixture
def kb_hub(artifacts):
    binary = find_hubctl()
    if not binary:
        pytest.fail("no hubctl binary: build it (swift build) or set HUBCTL", pytrace=False)
    hub = Hub(binary, artifacts / "hub").start()
    try:
        hub.load_demo()
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def kb_browser(request, artifacts):
    opened = []

    def open_(width=1366, height=900, lang="nl"):
        d = chrome(width, height, lang=lang)
        opened.append(d)
        return d

    yield open_
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for n, d in enumerate(opened):
        try:
            if failed:
                screenshot(d, artifacts / f"failure-{n}.png")
                lines = console(d)
                (artifacts / f"failure-{n}-console.log").write_text("\n".join(d.console or lines) + "\n")
        finally:
            d.quit()
