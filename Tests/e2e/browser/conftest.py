"""Fixtures of the browser tests: a hub per test, a session in it, and headless Chromium windows.

Needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver; env CHROMIUM and
CHROMEDRIVER override), zbar-tools for the QR test, and selenium + websockets from Tests/e2e/requirements.txt.
"""
import json
import os
import re
import shutil
from pathlib import Path

import pytest

import browserkit
from browserkit import ARTIFACTS, REPO, Hub, chrome, console, find_hubctl, screenshot


def _have_browser():
    return Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists() and \
        Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")).exists()


HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: needs chromium and chromium-driver (selenium)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if not _have_browser():
                item.add_marker(pytest.mark.skip(reason="chromium or chromedriver missing (apt-get install chromium chromium-driver)"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _name(request):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)


@pytest.fixture
def web_hub(request):
    """A hub of its own for this test, with the stand-in plugins of this folder."""
    binary = find_hubctl()
    if not binary:
        pytest.fail("no hubctl binary: build it (swift build) or set HUBCTL", pytrace=False)
    hub = Hub(binary, ARTIFACTS / "browser" / _name(request))
    hub.bootstrap()
    hub.start()
    hub.login()
    yield hub
    hub.stop()


@pytest.fixture
def shipped_hub(request, monkeypatch):
    """shipped_hub(*plugins) → a started, logged-in hub of its own for this test whose plugin folder holds
    copies of the repository's plugins/<p> (browserkit.PLUGINS is pointed at it for the test); stopped after it."""
    started = []

    def start(*plugins):
        binary = find_hubctl()
        if not binary:
            pytest.fail("no hubctl binary: build it (swift build) or set HUBCTL", pytrace=False)
        hub = Hub(binary, ARTIFACTS / "browser" / _name(request))
        folder = hub.dir / "plugins"
        for plugin in plugins:
            shutil.copytree(REPO / "plugins" / plugin, folder / plugin)
        monkeypatch.setattr(browserkit, "PLUGINS", folder)
        hub.bootstrap()
        hub.start()
        hub.login()
        started.append(hub)
        return hub

    yield start
    for hub in started:
        hub.stop()


@pytest.fixture
def session(web_hub):
    """A session with the test agenda: {id, code, participantUrl, facilitatorUrl, beamerUrl}."""
    return web_hub.create_session()


@pytest.fixture
def browsers(request):
    """open(width, height, mobile=True, lang='nl') → a Chromium window; all are closed after the test.
    When the test failed, each window leaves a screenshot and its console log under test-artifacts/."""
    opened = []

    def open_(width=360, height=740, mobile=True, lang="nl"):
        d = chrome(width, height, mobile=mobile, lang=lang)
        opened.append(d)
        return d

    yield open_
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:  # every window as it was at the failure, before any of them closes
        logdir = ARTIFACTS / "browser" / _name(request)
        logdir.mkdir(parents=True, exist_ok=True)
        for i, d in enumerate(opened):
            try:
                screenshot(d, "failed-%s-%d" % (_name(request), i))
                (logdir / ("console-%d.json" % i)).write_text(json.dumps(console(d), indent=1))
            except Exception:  # noqa: BLE001 - a window that died already
                pass
    for d in opened:
        d.quit()
