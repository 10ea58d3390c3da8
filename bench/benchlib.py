"""Pieces shared by the Python benches (bench/fanout, bench/store): building the C client, the server's process
tree and its CPU and RSS, starting a release hub on a temp database (or a PostgreSQL store) with the counter
plugin and a started session, and the machine's details for the results files."""
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
BIN = os.path.join(BENCH, "bin")
HZ = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def say(*a):
    print(*a, file=sys.stderr, flush=True)


def pkg(*names):
    return subprocess.check_output(["pkg-config", "--cflags", "--libs", *names], text=True).split()


def cc(src, out, libs):
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src):
        return
    say(f"building {os.path.relpath(out, ROOT)} (cc -O2)")
    subprocess.check_call(["cc", "-O2", "-Wall", "-o", out, src, *pkg(*libs), "-lm"])


def loadclient():
    """bench/bin/loadclient, built from bench/loadclient.c when it is missing or older."""
    os.makedirs(BIN, exist_ok=True)
    out = os.path.join(BIN, "loadclient")
    cc(os.path.join(BENCH, "loadclient.c"), out, ["libwebsockets", "libuv"])
    return out


def tree(pid):
    """pid and all its descendants (the hub's plugin processes)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def usage(pid):
    """(RSS bytes, CPU seconds) of the process tree."""
    rss = cpu = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/statm") as f:
                rss += int(f.read().split()[1]) * PAGE
            cpu += own_cpu(p)
        except (OSError, IndexError):
            pass
    return rss, cpu


def own_cpu(pid):
    """CPU seconds (user + system) of one process, without its children."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop_ = pid, 0, threading.Event()

    def run(self):
        while not self.stop_.wait(0.25):
            self.peak = max(self.peak, usage(self.pid)[0])


def wait_line(path, pattern, seconds, proc):
    end = time.time() + seconds
    while time.time() < end:
        try:
            with open(path) as f:
                m = re.search(pattern, f.read())
            if m:
                return m
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    with open(path) as f:
        sys.exit(f"{os.path.basename(sys.argv[0])}: no '{pattern}' in {path}:\n{f.read()[-2000:]}")


def http(url, body=None, token=None, ctype="application/json"):
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        req.add_header("Content-Type", ctype)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


AGENDA = b"series: bench\nsession: Fan-out bench\nlang: en\nagenda:\n  - plugin: counter\n    title: Count\n"


def start_hub(tmp, hubctl, store=None):
    """`hubctl serve` on a fresh SQLite file in a new folder under tmp, or on `store` (a postgres:// URL), with the
    counter plugin and an owner account. Returns (process, base URL, token, folder); the hub's database is
    folder/hub.sqlite when store is None."""
    tmp = tempfile.mkdtemp(prefix="hub.", dir=tmp)
    where = ["--store", store] if store else ["--db", os.path.join(tmp, "hub.sqlite")]
    password = "bench-" + os.urandom(6).hex()
    env = dict(os.environ, SESSIONHUB_BCRYPT_COST="4")
    subprocess.run([hubctl, "facilitator", "add", *where, "--email", "b@example.org", "--name", "Bench",
                    "--password-stdin", "--role", "owner"], input=password + "\n", text=True, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    out = os.path.join(tmp, "hub.out")
    proc = subprocess.Popen([hubctl, "serve", *where, "--host", "127.0.0.1", "--port", "0", "--plugins",
                             os.path.join(BENCH, "plugins"), "--web", os.path.join(ROOT, "web"), "--log-level", "warning"],
                            stdout=open(out, "w"), stderr=open(os.path.join(tmp, "hub.err"), "w"), env=env)
    url = wait_line(out, r"listening on (http://127\.0\.0\.1:\d+)", 60, proc).group(1)
    token = json.loads(http(url + "/api/v1/login", json.dumps({"email": "b@example.org", "password": password}).encode()))["token"]
    return proc, url, token, tmp


def start_session(url, token, agenda=AGENDA):
    """Creates and starts a session with the agenda; returns its join code."""
    s = json.loads(http(url + "/api/v1/sessions", agenda, token, "application/yaml"))
    http(f"{url}/api/v1/sessions/{s['id']}/start", b"", token)
    return s["code"]


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def hub_binary(args, tmp):
    """The hub under test, copied into tmp (a rebuild during the run cannot swap it): --hubctl PATH, else
    .build/release/hubctl, built first unless --no-build. Returns (path of the copy, its build)."""
    import shutil
    src = args.hubctl or os.path.join(ROOT, ".build", "release", "hubctl")
    if not args.hubctl and not args.no_build:
        say("swift build -c release --product hubctl (slow the first time)")
        # Through the machine's build lock, like every other build here: two Swift builds at once on two
        # cores starve each other and whatever is being measured.
        lock = ["flock", "/tmp/sessionhub-swift-build.lock", "nice", "-n", "5"] if shutil.which("flock") else []
        subprocess.check_call(lock + ["swift", "build", "-c", "release", "--product", "hubctl"], cwd=ROOT)
    hubctl = os.path.join(tmp, "hubctl")
    shutil.copy2(src, hubctl)
    real = os.path.realpath(src)
    build = "release" if "release" in real else ("debug" if "debug" in real else "?")
    say(f"hub binary: {src} ({build} build)")
    return hubctl, build


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


def machine():
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    mem = os.sysconf("SC_PHYS_PAGES") * PAGE / 2**30
    def ver(cmd):
        try:
            return subprocess.check_output(cmd, text=True, stderr=subprocess.STDOUT).strip().splitlines()[0]
        except (OSError, subprocess.CalledProcessError):
            return "?"
    return {"cpus": os.cpu_count(), "cpu": model, "mem_gib": round(mem, 1), "kernel": platform.release(),
            "os": ver(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]), "swift": ver(["swift", "--version"]),
            "node": ver(["node", "--version"]), "libwebsockets": ver(["pkg-config", "--modversion", "libwebsockets"]),
            "commit": ver(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])}
