"""Issue 13, contract drift found by an independent client: messages that never reached connections
whose welcome already had the current seq.

- A participant put into a group after it joined gets that group's view without rejoining.
- A plugin-health `session` (same seq) reaches connections that joined at that seq.
"""
import os
import signal
from pathlib import Path

import agendas
from hubclient import Client, close_all, run, started_console


def test_a_participant_grouped_after_joining_gets_the_group_view(hub):
    session = hub.create_session(agendas.standard("Late group"))
    code = session["code"]

    async def go():
        fac = await started_console(hub, code)
        early = Client(hub.ws_url, "early")
        await early.connect()
        await early.join(code, name="Early")
        await fac.ok(fac.command("groups", mode="manual", assignments={"g1": [early.participant]}))
        await early.wait_view("a1", "group:g1")
        # Joins after the group view was made: its welcome.seq is above that view's seq.
        late = Client(hub.ws_url, "late")
        await late.connect()
        await late.join(code, name="Late")
        assert late.view("a1", "group:g1") is None
        await fac.ok(fac.command("groups", mode="manual", assignments={"g1": [early.participant, late.participant]}))
        view = await late.wait_view("a1", "group:g1", timeout=15)
        assert view == early.view("a1", "group:g1")
        await close_all([fac, early, late])
    run(go())


def plugin_children(hub_pid, script):
    """Pids of this hub's plugin processes running `script` (never another hub's)."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (d / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == hub_pid and script.encode() in cmd:
            pids.append(int(d.name))
    return pids


def test_plugin_health_session_reaches_connections_that_joined_at_the_current_seq(own_hub):
    hub = own_hub
    session = hub.create_session(agendas.counter_only("Plugin health"))
    code = session["code"]

    async def go():
        fac = await started_console(hub, code)
        # The last event before the plugin dies: these connections' welcome.seq is the current seq.
        watcher = Client(hub.ws_url, "watcher")
        await watcher.connect()
        await watcher.join(code, **{"as": "beamer"})
        fac2 = Client(hub.ws_url, "fac2")
        await fac2.connect()
        await fac2.join(code, auth=hub.token)
        seq = watcher.welcome["seq"]
        since_w, since_f = watcher.mark(), fac2.mark()
        pids = plugin_children(hub.proc.pid, "counter")
        assert pids, "no counter plugin process of this hub"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)

        def health(frame):
            return frame.get("t") == "session" and frame.get("seq") == seq and any("pluginState" in a for a in frame.get("agenda", []))
        for c, since in ((watcher, since_w), (fac2, since_f)):
            frame = await c.wait_frame(health, since, timeout=20, what="session with pluginState at seq %d" % seq)
            assert frame["agenda"][0]["pluginState"] in ("restarting", "failed"), frame
        await close_all([fac, watcher, fac2])
    run(go())
