"""The real hub as a child process: `hubctl serve` on a temporary database, and helpers around it.

The e2e suites test what a user or another program sees: the `hubctl` binary, its exit codes and
output, the REST API and the WebSocket protocol. They never import or call hub code. Each hub gets
its own directory under `test-artifacts/e2e/` (database, HOME with the saved hubctl token, the
hub's stdout and stderr), kept after the run so a failure in CI can be read afterwards.

Binary: env `HUBCTL`, else the newer of `.build/release/hubctl` and `.build/debug/hubctl`.

Store: SQLite files by default. `SESSIONHUB_E2E_STORE=postgres` (with `SESSIONHUB_TEST_POSTGRES` from scripts/pg)
serves every hub with `--store` on a schema of its own in that cluster instead (issue 21; docs/SCALING.md).
"""
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import uuid
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
E2E = Path(__file__).resolve().parent
PLUGINS = E2E / "plugins"
ARTIFACTS = REPO / "test-artifacts" / "e2e"
LISTENING = re.compile(r"listening on (http://\S+?):(\d+)\b")
FACILITATOR_EMAIL = "f@example.org"
FACILITATOR_PASSWORD = "correct horse battery staple"


def postgres_store(name):
    """A `postgres://` URL of a new schema in the test cluster for a hub named `name`, when the e2e suites run on
    PostgreSQL (`SESSIONHUB_E2E_STORE=postgres`); None on SQLite."""
    if os.environ.get("SESSIONHUB_E2E_STORE", "sqlite") != "postgres":
        return None
    base = os.environ.get("SESSIONHUB_TEST_POSTGRES")
    if not base:
        raise HubFailed("SESSIONHUB_E2E_STORE=postgres needs a cluster: run under scripts/pg (SESSIONHUB_TEST_POSTGRES)")
    schema = "e2e_%s_%s" % (re.sub(r"[^a-z0-9]+", "_", name.lower())[-30:], uuid.uuid4().hex[:8])
    return base + ("&" if "?" in base else "?") + "options=-csearch_path%3D" + schema


def on_postgres():
    """Whether the e2e suites run on PostgreSQL (`SESSIONHUB_E2E_STORE=postgres`)."""
    return os.environ.get("SESSIONHUB_E2E_STORE", "sqlite") == "postgres"


def sqlite_only(why):
    """The pytest mark of a test of what only the SQLite store has (its file, its write lock, the disk under it, its
    backups): skipped when the suites run on PostgreSQL, with `why` as the reason (`@sqlite_only("...")`)."""
    import pytest
    return pytest.mark.skipif(on_postgres(), reason="SQLite only: " + why)


def postgres_only(why):
    """The pytest mark of the PostgreSQL counterpart of a `sqlite_only` test: skipped on SQLite, `why` the reason."""
    import pytest
    return pytest.mark.skipif(not on_postgres(), reason="PostgreSQL only: " + why)


def psql(hub, script, check=True):
    """Run an SQL script with `psql` in the hub's PostgreSQL schema (its `--store` URL); `:'p1'`... are the script's
    quoted variables `p1`...; returns the CompletedProcess (stdout: unaligned, tuples only, rows ended by NUL)."""
    assert hub.store, "psql needs a hub on PostgreSQL"
    r = subprocess.run(["psql", "-X", "-A", "-t", "-0", "-v", "ON_ERROR_STOP=1", "--dbname=" + hub.store], input=script,
                       capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError("psql exited %d: %s\n%s" % (r.returncode, r.stderr, script))
    return r


def stored_rows(hub, sql, *params):
    """The rows of one SELECT on what the hub stored, as tuples, read from outside the hub: its SQLite file
    (read-only), or on PostgreSQL its schema through `psql` (each row as JSON, so numbers stay numbers).
    The SQL must read the same on both: `?` placeholders, no dialect of one store."""
    if not hub.store:
        with sqlite3.connect("file:%s?mode=ro" % hub.db, uri=True, timeout=30) as db:
            return db.execute(sql, params).fetchall()
    numbers = iter(range(1, len(params) + 1))
    query = re.sub(r"\?", lambda _: ":'p%d'" % next(numbers), sql)
    variables = "".join("\\set p%d '%s'\n" % (i, str(v).replace("'", "\\'")) for i, v in enumerate(params, 1))
    r = psql(hub, variables + "SELECT row_to_json(q)::text FROM (%s) q;\n" % query)
    return [tuple(json.loads(line).values()) for line in r.stdout.split("\0") if line.strip()]


class WriteLock:
    """Another process holding the store's write lock, so that the hub's event log cannot store: SQLite's lock on the
    file (`BEGIN IMMEDIATE`), or on PostgreSQL an EXCLUSIVE lock on the `events` table in a transaction of a `psql` of
    its own (every insert into the log then waits). `take()`, `release()`, and `close()` at the end."""

    def __init__(self, hub):
        self.hub = hub
        self.db = None if hub.store else sqlite3.connect(str(hub.db), isolation_level=None, timeout=60, check_same_thread=False)
        self.proc = None

    def take(self):
        if self.db is not None:
            self.db.execute("BEGIN IMMEDIATE")
            return
        self.proc = subprocess.Popen(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "--dbname=" + self.hub.store],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.proc.stdin.write("BEGIN;\nLOCK TABLE events IN EXCLUSIVE MODE;\nSELECT 'locked';\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if line.strip() != "locked":
            self.proc.kill()
            raise AssertionError("psql did not lock the events table: %r %s" % (line, self.proc.stderr.read()))

    def release(self):
        if self.db is not None:
            self.db.execute("COMMIT")
            return
        self.proc.stdin.write("COMMIT;\n")
        self.proc.stdin.close()
        assert self.proc.wait(60) == 0, self.proc.stderr.read()
        self.proc = None

    def close(self):
        if self.db is not None:
            self.db.close()
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


def find_hubctl():
    """The hub binary under test: env HUBCTL, else the newer of the release and debug builds.

    The newer one, because a release binary left over from an earlier build must not silently
    stand in for the debug build that was just made (scripts/test sets HUBCTL anyway).
    None when nothing is built yet.
    """
    if os.environ.get("HUBCTL"):
        c = Path(os.environ["HUBCTL"])
        return str(c.resolve()) if c.is_file() and os.access(c, os.X_OK) else None
    built = [p for p in (REPO / ".build/release/hubctl", REPO / ".build/debug/hubctl")
             if p.is_file() and os.access(p, os.X_OK)]
    return str(max(built, key=lambda p: p.stat().st_mtime).resolve()) if built else None


def free_port():
    """A port that is free right now (for tests that must name the port before the hub starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubFailed(AssertionError):
    """The hub process did not start or died; carries the tail of its logs."""


class Hub:
    """One `hubctl serve` process on its own database, and helpers to talk to it.

    `url` and `ws_url` change when the hub restarts on another port, so tests read them after a
    restart instead of keeping copies.
    """

    def __init__(self, binary, workdir, plugins=PLUGINS, web=REPO / "web"):
        self.binary = binary
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.db = self.dir / "hub.sqlite"
        # The PostgreSQL store this hub serves instead of `db` (SESSIONHUB_E2E_STORE=postgres), kept across restarts.
        self.store = postgres_store(self.dir.name)
        self.home = self.dir / "home"
        self.home.mkdir(exist_ok=True)
        self.plugins = Path(plugins)
        self.web = Path(web)
        self.proc = None
        # Extra `hubctl serve` flags (limits and timeouts a test sets), kept across restarts.
        self.serve_args = []
        self.port = None
        self.url = None
        self.token = None
        self.starts = 0
        self._lines = None

    # ---- process ------------------------------------------------------------------------------

    def env(self, **extra):
        """The environment for hubctl: HOME in the hub's folder, so the saved token stays there."""
        env = dict(os.environ)
        env.pop("HUBCTL_TOKEN", None)
        env.pop("XDG_CONFIG_HOME", None)
        env["HOME"] = str(self.home)
        if self.url:
            env["HUBCTL_SERVER"] = self.url
        env.update(extra)
        return env

    def bootstrap(self, email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD, name="Fac", role="owner"):
        """Create a facilitator offline, as an operator does before the first start."""
        r = subprocess.run([self.binary, "facilitator", "add", *self.store_args(), "--email", email,
                            "--name", name, "--password-stdin", "--role", role],
                           input=password + "\n", capture_output=True, text=True, env=self.env(), timeout=60)
        if r.returncode != 0:
            raise HubFailed("facilitator add failed (%d): %s" % (r.returncode, r.stderr))

    def store_args(self):
        """`--store URL` on PostgreSQL, else `--db FILE`."""
        return ["--store", self.store] if self.store else ["--db", str(self.db)]

    def start(self, port=0, timeout=60):
        """Start `hubctl serve` and wait for its `listening on` line."""
        n = self.starts = self.starts + 1
        out = open(self.dir / ("serve-%d.stdout" % n), "w")
        err = open(self.dir / ("serve-%d.stderr" % n), "w")
        self.proc = subprocess.Popen(
            [self.binary, "serve", *self.store_args(), "--host", "127.0.0.1", "--port", str(port),
             "--plugins", str(self.plugins), "--web", str(self.web), *map(str, self.serve_args)],
            cwd=str(REPO), stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, text=True,
            env=self.env())
        self._lines = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc.stdout, out, self._lines), daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is not None:
                m = LISTENING.search(line)
                if m:
                    self.port = int(m.group(2))
                    self.url = "%s:%d" % (m.group(1), self.port)
                    return self
            if self.proc.poll() is not None and self._lines.empty():
                raise HubFailed("hub exited with %s before listening:\n%s" % (self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                self.kill9()
                raise HubFailed("no `listening on` line within %ss:\n%s" % (timeout, self.log_tail()))

    @staticmethod
    def _pump(pipe, sink, lines):
        """Copy the hub's stdout to its log file, and hand lines to `start` (the pipe must never fill)."""
        for line in pipe:
            sink.write(line)
            sink.flush()
            lines.put(line)
        sink.close()

    def stop(self, timeout=20):
        """SIGTERM (graceful: flush the log, close sockets with 1001), then SIGKILL if it hangs."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise HubFailed("hub did not stop within %ss of SIGTERM" % timeout)
        return self.proc.returncode if self.proc else None

    def kill9(self):
        """SIGKILL: the crash the durability tests survive."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, graceful=True, same_port=True):
        """Stop (SIGTERM, or SIGKILL when not graceful) and start again on the same database.

        Tries the same port first so that clients can reconnect to the URL they had; falls back to a
        fresh port if the old one cannot be bound yet.
        """
        old = self.port
        if graceful:
            self.stop()
        else:
            self.kill9()
        if same_port and old:
            try:
                return self.start(port=old, timeout=30)
            except HubFailed:
                if self.proc and self.proc.poll() is None:
                    raise
        return self.start(port=0)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=40):
        """The last lines of the latest run's stderr and stdout, for failure messages."""
        text = []
        for suffix in ("stderr", "stdout"):
            p = self.dir / ("serve-%d.%s" % (self.starts, suffix))
            if p.exists():
                text.append("--- %s ---\n%s" % (p.name, "".join(p.read_text(errors="replace").splitlines(True)[-n:])))
        return "\n".join(text)

    @property
    def ws_url(self):
        return self.url.replace("http://", "ws://", 1) + "/ws"

    # ---- hubctl and REST ----------------------------------------------------------------------

    def hubctl(self, *args, input=None, check=True, timeout=60, env=None):
        """Run `hubctl ARGS` against this hub (HUBCTL_SERVER and HOME set); returns CompletedProcess."""
        r = subprocess.run([self.binary, *map(str, args)], input=input, capture_output=True, text=True,
                           env=env or self.env(), timeout=timeout, cwd=str(self.dir))
        if check and r.returncode != 0:
            raise AssertionError("hubctl %s exited %d\nstdout: %s\nstderr: %s"
                                 % (" ".join(map(str, args)), r.returncode, r.stdout, r.stderr))
        return r

    def hubctl_json(self, *args, **kw):
        """Run a hubctl command with `--json` and parse its stdout as exactly one JSON value."""
        r = self.hubctl(*args, "--json", **kw)
        return json.loads(r.stdout)

    def login(self, email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD):
        """`hubctl login` (token saved under HOME), and keep the token for WebSocket `auth`."""
        r = self.hubctl("login", "--server", self.url, "--email", email, "--password-stdin", "--json",
                        input=password + "\n")
        self.token = json.loads(r.stdout)["token"]
        return self.token

    def create_session(self, yaml_text, name="agenda.yaml"):
        """`hubctl session create --agenda FILE --json`; returns {id, code, participantUrl, ...}."""
        path = self.dir / name
        path.write_text(yaml_text)
        return self.hubctl_json("session", "create", "--agenda", path)

    def api(self, method, path, body=None, token="default", content_type="application/json"):
        """One REST call; returns (status, parsed JSON or text). `token=None` sends no Authorization."""
        token = self.token if token == "default" else token
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def export(self, session):
        """`hubctl session export S --format json`, parsed."""
        return json.loads(self.hubctl("session", "export", session, "--format", "json").stdout)


class CheapHub(Hub):
    """A hub whose passwords use bcrypt cost 4: suites that log in many times (a dozen accounts, a fuzzer's
    logout examples) would spend seconds a login at the production cost in a debug build."""

    def env(self, **extra):
        return super().env(**{"SESSIONHUB_BCRYPT_COST": "4", **extra})


def new_hub(name, plugins=PLUGINS, serve_args=()):
    """A bootstrapped, started and logged-in hub in test-artifacts/e2e/NAME (emptied first);
    `serve_args` are extra `hubctl serve` flags."""
    binary = find_hubctl()
    if not binary:
        raise HubFailed("no hubctl binary: build with `swift build -c release` or set HUBCTL")
    workdir = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    shutil.rmtree(workdir, ignore_errors=True)
    hub = Hub(binary, workdir, plugins=plugins)
    hub.serve_args = list(serve_args)
    hub.bootstrap()
    hub.start()
    hub.login()
    return hub


def finish(h):
    """Stop the hub. Returns the log tail if it had crashed on its own during the tests, else None."""
    crashed = h.proc is not None and h.proc.poll() is not None and h.proc.returncode not in (0, -9, -15)
    tail = h.log_tail() if crashed else None
    try:
        h.stop()
    except HubFailed:
        h.kill9()
    return tail
