"""Several hubs on one PostgreSQL schema behind HAProxy (issue 21; docs/SCALING.md "Several hubs behind HAProxy").

`Cluster(name, nodes=3)` starts, in test-artifacts/e2e/NAME/:
- a fresh schema of the test cluster (`hubprocess.postgres_store`; needs `SESSIONHUB_E2E_STORE=postgres` and
  `SESSIONHUB_TEST_POSTGRES` from scripts/pg) with one facilitator (`hubctl facilitator add --store`);
- N `hubctl serve --store …` nodes (`node1/`, `node2/`, …), each on a free loopback port with `--node-url` its own
  address, `--public-url` HAProxy's, `--trusted-proxy 127.0.0.1/32` and the per-address limits raised for a few
  hundred clients that all come from 127.0.0.1;
- `haproxy -db -f deploy/haproxy.cfg`, the shipped file unchanged, on a free loopback port: the file's
  `SESSIONHUB_BIND` and `SESSIONHUB_NODE1..3` come from the environment (with fewer than 3 nodes the file's
  server lines repeat them). Its log is `haproxy.log`, and `haproxy_events` keeps each line with the moment it came.

`cluster.front` is a `Hub` without a process whose URL is HAProxy's: `front.login()`, `front.api(…)`,
`front.hubctl(…)` and `front.ws_url` go through the proxy like a browser or `hubctl` would. `cluster.psql(sql)`
queries the schema. `cluster.stop()` ends the nodes (SIGTERM) and HAProxy; every folder stays for reading.
"""
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

from hubprocess import ARTIFACTS, REPO, CheapHub, HubFailed, find_hubctl, free_port, postgres_store

HAPROXY_CFG = REPO / "deploy" / "haproxy.cfg"
SERVER_LINES = 3  # `server nodeN` lines in deploy/haproxy.cfg

# Every client of a test reaches the nodes through HAProxy (one address, 127.0.0.1, named in X-Forwarded-For) and
# the nodes relay to each other from 127.0.0.1 too: the per-address caps are for a room behind one NAT, these are
# for several hundred clients that reconnect at the same moment. `--join-code-misses` too: a join holds one of its
# address's lookup tokens until its session is found, and during a takeover (load and replay) far more than the
# default 60 joins from one address wait at once.
NODE_ARGS = ["--trusted-proxy", "127.0.0.1/32", "--max-pending-per-address", "5000",
             "--join-rate", "2000", "--join-burst", "10000", "--join-code-misses", "5000"]


def haproxy_binary():
    """The `haproxy` executable, or None (scripts/common.sh installs Debian's `haproxy`)."""
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if os.access(p, os.X_OK)), None)


def serve_supports(binary, flag):
    """Whether `hubctl serve --help` lists `flag`."""
    r = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=60)
    return flag in r.stdout + r.stderr


class Node(CheapHub):
    """One `hubctl serve` of the cluster: a `Hub` on the cluster's shared store, with `--node-url` its own address.

    bcrypt cost 4 (`CheapHub`): the bootstrap and the login are the only password hashes here.
    """

    def __init__(self, binary, workdir, store, public_url, extra_args=(), node_url=True, avoid=()):
        super().__init__(binary, workdir)
        self.store = store
        self.public_url = public_url
        self.avoid = set(avoid)  # ports named before this node starts (HAProxy's): never this node's
        self.extra_args = list(extra_args)
        self.with_node_url = node_url
        self.node_url = None

    def start_node(self, timeout=60):
        """Start on a free port named in `--node-url` (a port taken in between: another one, up to three times)."""
        for attempt in range(3):
            port = free_port()
            while port in self.avoid:
                port = free_port()
            self.node_url = "http://127.0.0.1:%d" % port
            self.serve_args = [*(["--node-url", self.node_url] if self.with_node_url else []),
                               "--public-url", self.public_url, *NODE_ARGS, *self.extra_args]
            try:
                return self.start(port=port, timeout=timeout)
            except HubFailed:
                if attempt == 2 or self.alive():
                    raise

    @property
    def address(self):
        """host:port, as HAProxy's server line wants it."""
        return self.node_url.split("://", 1)[1]


class Cluster:
    """N nodes on one schema and HAProxy in front (module docstring)."""

    def __init__(self, name, nodes=3, extra_args=(), node_url=True):
        assert 1 <= nodes <= SERVER_LINES, "deploy/haproxy.cfg names %d servers" % SERVER_LINES
        self.binary = find_hubctl()
        if not self.binary:
            raise HubFailed("no hubctl binary: build with `swift build` or set HUBCTL")
        self.haproxy = haproxy_binary()
        if not self.haproxy:
            raise HubFailed("no haproxy: apt-get install haproxy (scripts/test installs it)")
        self.store = postgres_store(name)
        if not self.store:
            raise HubFailed("a cluster needs the PostgreSQL store: SESSIONHUB_E2E_STORE=postgres under scripts/pg")
        self.dir = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        # HAProxy's port is named now (it is every node's --public-url) but bound only once the nodes run: a node
        # that drew the same free port would take it, and the clients would reach that node without any proxy.
        self.nodes = [Node(self.binary, self.dir / ("node%d" % (i + 1)), self.store, self.url, extra_args, node_url,
                           avoid={self.port}) for i in range(nodes)]
        # REST, hubctl and WebSockets through HAProxy; never started itself.
        self.front = CheapHub(self.binary, self.dir / "front")
        self.front.store = self.store
        self.front.url = self.url
        self.proxy = None
        self.haproxy_events = []  # (time.monotonic(), line) for each line HAProxy logged
        self._haproxy_lines = queue.Queue()

    # ---- start and stop -------------------------------------------------------------------------

    def start(self, timeout=90):
        """Bootstrap the facilitator, start the nodes side by side, then HAProxy; log in through HAProxy."""
        self.nodes[0].bootstrap()
        errors = []

        def one(node):
            try:
                node.start_node(timeout=timeout)
            except Exception as e:  # reported below, after every node had its chance
                errors.append(e)
        threads = [threading.Thread(target=one, args=(n,)) for n in self.nodes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            self.stop()
            raise errors[0]
        self.start_haproxy()
        self.front.login()
        for node in self.nodes:
            node.token = self.front.token
        self.check_haproxy_answers()
        return self

    def check_haproxy_answers(self, timeout=5):
        """The login above went through HAProxy: its log names a backend server for it. Anything else listening on
        HAProxy's port would make a failover test test nothing (and fail obscurely once its node is killed)."""
        deadline = time.monotonic() + timeout
        while not any(" hubs/node" in line for _, line in self.haproxy_events):
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise HubFailed("HAProxy (%s) did not log the login sent through %s; whatever answered was not it:\n%s"
                                % ("exited %s" % self.proxy.returncode if self.proxy.poll() is not None else "running",
                                   self.url, self.haproxy_log_tail()))
            time.sleep(0.05)

    def haproxy_env(self):
        """deploy/haproxy.cfg's variables: its bind address and one address per server line."""
        env = dict(os.environ, SESSIONHUB_BIND="127.0.0.1:%d" % self.port)
        for i in range(SERVER_LINES):
            env["SESSIONHUB_NODE%d" % (i + 1)] = self.nodes[i % len(self.nodes)].address
        return env

    def start_haproxy(self, timeout=20):
        """`haproxy -db -f deploy/haproxy.cfg` (foreground, its log on stdout); waits until it accepts connections."""
        env = self.haproxy_env()
        check = subprocess.run([self.haproxy, "-c", "-q", "-f", str(HAPROXY_CFG)], capture_output=True, text=True,
                               env=env, timeout=30)
        if check.returncode != 0:
            raise HubFailed("haproxy -c refuses deploy/haproxy.cfg:\n%s%s" % (check.stdout, check.stderr))
        log = open(self.dir / "haproxy.log", "w")
        self.proxy = subprocess.Popen([self.haproxy, "-db", "-f", str(HAPROXY_CFG)], stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env,
                                      cwd=str(self.dir))
        threading.Thread(target=self._pump, args=(self.proxy.stdout, log), daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                pass
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise HubFailed("haproxy did not listen on %s:\n%s" % (self.url, self.haproxy_log_tail()))
            time.sleep(0.05)

    def _pump(self, pipe, sink):
        for line in pipe:
            self.haproxy_events.append((time.monotonic(), line.rstrip("\n")))
            sink.write(line)
            sink.flush()
        sink.close()

    def haproxy_log_tail(self, n=30):
        return "\n".join(line for _, line in self.haproxy_events[-n:])

    def stop(self):
        """SIGTERM to every node (SIGKILL if one hangs) and to HAProxy. Returns the log tails of nodes that had
        crashed on their own (not SIGKILLed by the test)."""
        crashed = []
        for node in self.nodes:
            if node.proc is not None and node.proc.poll() not in (None, 0, -9, -15):
                crashed.append(node.log_tail())
            try:
                node.stop()
            except HubFailed:
                node.kill9()
        if self.proxy is not None and self.proxy.poll() is None:
            self.proxy.send_signal(signal.SIGTERM)
            try:
                self.proxy.wait(10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
                self.proxy.wait()
        return crashed

    # ---- looking inside -----------------------------------------------------------------------

    @property
    def ws_url(self):
        """HAProxy's WebSocket URL, without `?code`."""
        return self.url.replace("http://", "ws://", 1) + "/ws"

    def alive(self):
        """The nodes whose process still runs."""
        return [n for n in self.nodes if n.alive()]

    def node_by_url(self, node_url):
        return next((n for n in self.nodes if n.node_url == node_url), None)

    def psql(self, sql):
        """Rows of one query in the cluster's schema (psql -At), each a list of column strings."""
        r = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "--dbname=" + self.store, "-c", sql],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError("psql failed: %s\n%s" % (sql, r.stderr))
        return [line.split("|") for line in r.stdout.splitlines() if line]
