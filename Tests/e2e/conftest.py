"""Fixtures that run the real hub: `hubctl serve` as a child process on a temporary database.

The e2e suites test what a user or another program sees: the `hubctl` binary, its exit codes and
output, the REST API and the WebSocket protocol. They never import or call hub code. Each hub gets
its own directory under `test-artifacts/e2e/` (database, HOME with the saved hubctl token, the
hub's stdout and stderr), kept after the run so a failure in CI can be read afterwards.

The process handling lives in `hubprocess.py`; import helpers from there. The names are also
available here for modules that do `from conftest import ...`.

Binary: env `HUBCTL`, else the newer of `.build/release/hubctl` and `.build/debug/hubctl`.
"""
import asyncio
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from hubprocess import (ARTIFACTS, E2E, FACILITATOR_EMAIL, FACILITATOR_PASSWORD, PLUGINS, REPO,  # noqa: F401
                        Hub, HubFailed, find_hubctl, finish, free_port, new_hub, on_postgres, postgres_only, psql,
                        sqlite_only, stored_rows)

SHIPPED = REPO / "plugins"

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


def pytest_collection_modifyitems(items):
    """Give each schemathesis test (test_schemathesis.py, one per API operation) its own node id.

    Under pytest 9 they all get `test_operation` as node id, so the JUnit report lists 46 tests of one
    name and the -q progress percentage counts them once; the operation label makes them distinct.
    """
    for item in items:
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "_id", None)  # pytest 9's structured node id
        if label and node_id is not None and getattr(node_id, "params", "") is None:
            item._id = node_id.with_params(label)


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


# ---- hubs on the shipped plugins ------------------------------------------------------------------------


@contextmanager
def shipped_hub(name, plugins=("voting",)):
    """A started, logged-in hub on its own database in test-artifacts/e2e/<first plugin>.<name> (emptied
    first), whose plugin folder holds copies of the repository's plugins/<p> for each p in `plugins`;
    stopped by `_finish` when the `with` block ends. A fixture yields it from inside the block."""
    binary = find_hubctl()
    if not binary:
        pytest.fail("no hubctl binary", pytrace=False)
    workdir = ARTIFACTS / ("%s.%s" % (plugins[0], re.sub(r"[^A-Za-z0-9_.-]+", "_", name)))
    shutil.rmtree(workdir, ignore_errors=True)
    folder = workdir / "plugins"
    folder.mkdir(parents=True)
    for plugin in plugins:
        shutil.copytree(SHIPPED / plugin, folder / plugin)
    h = Hub(binary, workdir, plugins=folder)
    try:
        h.bootstrap()
        h.start()
        h.login()
        yield h
    finally:
        # Also when a test fails: a hub left running would hold its port and plugins into the next suites.
        _finish(h)


# ---- anonymity after close: byte scans of the database -------------------------------------------------


def db_files(hub):
    """The database file and its WAL: what the byte scans read."""
    return [hub.db, hub.db.with_name(hub.db.name + "-wal")]


def pg_schema(hub):
    """The cluster's URL without options, and the hub's schema (hubprocess.postgres_store)."""
    base, _, query = hub.store.partition("?")
    return base, re.search(r"search_path%3D([A-Za-z0-9_]+)", query).group(1)


def pg_schema_dump(hub):
    """On PostgreSQL: every row of the hub's schema as `pg_dump` writes it (the files of the cluster belong to its
    own user; what the tables hold is what a byte scan of SQLite's file checks, not the WAL segments)."""
    base, schema = pg_schema(hub)
    r = subprocess.run(["pg_dump", "--data-only", "--schema=" + schema, "--dbname=" + base], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r.stdout


def db_bytes(hub):
    """The database file and its WAL (where they exist), as one byte string; on PostgreSQL the schema's dump."""
    if hub.store:
        return pg_schema_dump(hub)
    return b"".join(p.read_bytes() for p in db_files(hub) if p.exists())


def scan_db(hub, scan):
    """What `scan(bytes)` finds in the database file and in its WAL, each line prefixed with the file's name."""
    if hub.store:
        return ["pg_dump: %s" % p for p in scan(pg_schema_dump(hub))]
    return ["%s: %s" % (path.name, p) for path in db_files(hub) if path.exists() for p in scan(path.read_bytes())]


def assert_no_pseudonym_key(hub, sid):
    """The closed session's anonymous activities kept no pseudonym key in the database."""
    [(keys,)] = stored_rows(hub, "SELECT count(*) FROM activity_keys WHERE session_id = ?", sid)
    assert keys == 0, "the pseudonym key of the anonymous activity survived the close"


def close_and_rejoin(hub, loop, sid, code, client):
    """`hubctl session close`, then `client` (a hubclient.Client on `loop`) joins the closed session again;
    the views it then holds."""
    hub.hubctl("session", "close", sid)
    time.sleep(0.5)

    async def rejoin():
        await client.rejoin(code)
        await client.wait_state(lambda s: s["status"] == "closed")
        return dict(client.views)
    return loop.run_until_complete(asyncio.wait_for(rejoin(), 30))
