"""Acceptance 7 (second half): `scripts/run` brings up a hub, and a WebSocket client joins the demo
session with the join code it printed.

The script runs as a user would run it, with its data in a temporary folder (SESSIONHUB_DATA) so
the test never touches ./data, on a free port, with the binary the other suites test (HUBCTL, which
also makes it skip the build) and without the install steps (scripts/test did them already).
"""
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

import pytest

from hubprocess import ARTIFACTS, REPO, find_hubctl, free_port
from hubclient import Client, run


class ScriptRun:
    """`scripts/run` as a child process in its own process group, its stdout read line by line."""

    def __init__(self, workdir, port):
        self.workdir = workdir
        self.lines = []
        env = dict(os.environ, PORT=str(port), SESSIONHUB_DATA=str(workdir / "data"), HOME=str(workdir / "home"),
                   HUBCTL=find_hubctl(), SESSIONHUB_SKIP_INSTALL="1")
        env.pop("HUBCTL_SERVER", None)
        env.pop("HUBCTL_TOKEN", None)
        (workdir / "home").mkdir(parents=True, exist_ok=True)
        self.stderr = open(workdir / "scripts-run.stderr", "w")
        self.proc = subprocess.Popen(["bash", str(REPO / "scripts" / "run")], cwd=str(REPO), env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with open(self.workdir / "scripts-run.stdout", "a") as log:
            for line in self.proc.stdout:
                log.write(line)
                log.flush()
                self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern, timeout=180):
        """The first match of `pattern` in the script's output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                m = re.search(pattern, line)
                if m:
                    return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError("scripts/run printed no %r (exit %s):\n%s\n%s" % (
            pattern, self.proc.poll(), "\n".join(self.lines[-30:]),
            (self.workdir / "scripts-run.stderr").read_text()[-3000:]))

    def stop(self):
        """SIGTERM to the script, which stops its hub; the group is killed only if that hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                raise AssertionError("scripts/run did not stop within 30 s of SIGTERM")
        self.stderr.close()
        return self.proc.returncode


def port_open(port):
    try:
        urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=2)
        return True
    except Exception:
        return False


def test_scripts_run_serves_a_demo_session_that_a_client_joins():
    if not find_hubctl():
        pytest.fail("no hubctl binary: build first or set HUBCTL", pytrace=False)
    workdir = ARTIFACTS / "scripts_run"
    subprocess.run(["rm", "-rf", str(workdir)], check=True)
    workdir.mkdir(parents=True)
    port = free_port()

    codes = []
    for attempt in range(2):  # the second run reuses the demo account and the open demo session
        script = ScriptRun(workdir, port)
        try:
            code = script.wait_for(r"^join code:\s+([A-Z0-9]{6})\s*$").group(1)
            facilitator_url = script.wait_for(r"^facilitator:\s+(\S+)").group(1)
            beamer_url = script.wait_for(r"^beamer:\s+(\S+)").group(1)
            password = script.wait_for(r"log in as demo@sessionhub\.local with password (\S+)").group(1)
            assert facilitator_url.startswith("http://127.0.0.1:%d/facilitate/s_" % port)
            assert beamer_url == "http://127.0.0.1:%d/beamer/%s" % (port, code)
            assert password
            codes.append(code)

            async def join():
                c = Client("ws://127.0.0.1:%d/ws" % port, "demo-guest")
                await c.connect()
                welcome = await c.join(code.lower(), name="Gast", lang="nl")
                await c.close()
                return welcome
            welcome = run(join())
            assert welcome["role"] == "participant" and welcome["participant"].startswith("p_")
            assert welcome["session"]["code"] == code
            assert welcome["state"]["status"] in ("draft", "open")
            assert len(welcome["state"]["agenda"]) >= 2
            with urllib.request.urlopen(beamer_url, timeout=10) as r:
                assert r.status == 200
            # The leerkring session (docs/examples/demo-leerkring.yaml) with the card deck and shared goals, next to it.
            leerkring = script.wait_for(r"^\s+\(code ([A-Z0-9]{6}): a lokale sessie").group(1)
            codes.append(leerkring)

            async def join_leerkring():
                c = Client("ws://127.0.0.1:%d/ws" % port, "demo-leerkring")
                await c.connect()
                welcome = await c.join(leerkring, name="Gast", lang="nl")
                await c.close()
                return welcome
            plugins = [a.get("plugin") for a in run(join_leerkring())["state"]["agenda"]]
            assert {"card-deck", "shared-goals", "shared-agenda"} <= set(plugins), plugins
            # The demo leerkring as a journey from the template: its startsessie chooses themes with theme-choice.
            startsessie = script.wait_for(r"^\s+\(code ([A-Z0-9]{6}): the startsessie of the series").group(1)
            codes.append(startsessie)

            async def join_startsessie():
                c = Client("ws://127.0.0.1:%d/ws" % port, "demo-startsessie")
                await c.connect()
                welcome = await c.join(startsessie, name="Gast", lang="nl")
                await c.close()
                return welcome
            plugins = [a.get("plugin") for a in run(join_startsessie())["state"]["agenda"]]
            assert "theme-choice" in plugins, plugins
        finally:
            rc = script.stop()
        assert rc in (0, 143), "scripts/run exited %s after SIGTERM" % rc
        assert not port_open(port), "the hub must stop with the script"
        assert (workdir / "data" / "hub.sqlite").exists()
    assert codes[:3] == codes[3:], "a second run reuses the demo sessions and series instead of making others"
