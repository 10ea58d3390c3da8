"""A heartbeat for long e2e runs (`-p progress_plugin`, scripts/test loads it).

pytest -q prints a dot per finished test, so a test that takes a minute (a crash loop, a 2,000-ballot
burst) leaves the terminal silent. After 30 s without a finished test this prints one line: how many
tests are done of how many, passed and failed so far, the test that runs and for how long.
"""
import os
import threading
import time

import pytest

PERIOD = float(os.environ.get("SESSIONHUB_PROGRESS_PERIOD", "30"))


class Heartbeat:
    def __init__(self, config):
        self.config = config
        self.total = 0
        self.passed = 0
        self.failed = 0
        self.current = None
        self.started = time.monotonic()
        self.quiet = time.monotonic()
        self.lock = threading.Lock()
        self.done = threading.Event()
        threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self):
        while not self.done.wait(1.0):
            with self.lock:
                if time.monotonic() - self.quiet < PERIOD:
                    continue
                self.quiet = time.monotonic()
                elapsed = int(time.monotonic() - self.started)
                test, since = self.current or ("?", time.monotonic())
                line = "e2e: %d of %d done (%d passed, %d failed), %d:%02d; running %s for %d s" % (
                    self.passed + self.failed, self.total, self.passed, self.failed, elapsed // 60, elapsed % 60,
                    test, time.monotonic() - since)
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line("")
                reporter.write_line(line)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        self.total = len(items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):
        """With pytest-xdist (`-n 2`, as scripts/test runs the suites) the workers collect, not this process."""
        self.total = len(ids)

    def pytest_runtest_logstart(self, nodeid, location):
        with self.lock:
            self.current = (nodeid, time.monotonic())

    def pytest_runtest_logreport(self, report):
        with self.lock:
            if report.when == "call" or report.outcome == "failed" or (report.when == "setup" and report.skipped):
                if report.passed and report.when == "call":
                    self.passed += 1
                elif report.failed:
                    self.failed += 1
                self.quiet = time.monotonic()

    def pytest_sessionfinish(self):
        self.done.set()


def pytest_configure(config):
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller, which reports every test, beats for all
    config.pluginmanager.register(Heartbeat(config), "sessionhub-heartbeat")
