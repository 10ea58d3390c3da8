"""Fixtures that run the real hub: `hubctl serve` as a child process on a temporary database.

The e2e suites test what a user or another program sees: the `hubctl` binary, its exit codes and
output, the REST API and the WebSocket protocol. They never import or call hub code. Each hub gets
its own directory under `test-artifacts/e2e/` (database, HOME with the saved hubctl token, the
hub's stdout and stderr), kept after the run so a failure in CI can be read afterwards.

The process handling lives in `hubprocess.py`; import helpers from there. The names are also
available here for modules that do `from conftest import ...`.

Binary: env `HUBCTL`, else the newer of `.build/release/hubctl` and `.build/debug/hubctl`.
"""
import sys
from pathlib import Path

import pytest

from hubprocess import (ARTIFACTS, E2E, FACILITATOR_EMAIL, FACILITATOR_PASSWORD, PLUGINS, REPO,  # noqa: F401
                        Hub, HubFailed, find_hubctl, finish, free_port, new_hub)

_THIS = sys.modules[__name__]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: needs chromium and chromium-driver (selenium)")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def pytest_collectstart(collector):
    """Keep `import conftest` meaning this file for the modules of this folder.

    pytest imports every conftest.py under the plain name `conftest`, so the one in browser/
    replaces this one in sys.modules once that folder is collected; modules here that import from
    `conftest` would then get the wrong one.
    """
    path = getattr(collector, "path", None)
    if isinstance(collector, pytest.Module) and path is not None and Path(path).parent == E2E:
        sys.modules["conftest"] = _THIS


def _new_hub(name):
    try:
        return new_hub(name)
    except HubFailed as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="module")
def hub(request):
    """A hub shared by the tests of one module; each test makes its own session in it."""
    h = _new_hub(request.module.__name__)
    yield h
    _finish(h)


@pytest.fixture
def own_hub(request):
    """A hub for one test only: for tests that restart or kill it."""
    h = _new_hub("%s.%s" % (request.module.__name__, request.node.name))
    yield h
    _finish(h)


def _finish(h):
    """Stop the hub; a hub that crashed on its own during the tests is a failure worth reporting."""
    tail = finish(h)
    if tail is not None:
        pytest.fail("hub exited with %s during the tests:\n%s" % (h.proc.returncode, tail), pytrace=False)
