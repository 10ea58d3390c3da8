"""Acceptance of the plugin-host issue, against real hub and plugin processes.

Each test runs a hub whose `--plugins` folder is a copy made for the test, so it can add, change and
break plugins without touching the repository: the stand-ins of `plugins/`, the shipped plugins of the
repository's `plugins/` (timer, checkin, voting) and, where a test needs them, the misbehaving ones of
`bad-plugins/`.
"""
import asyncio
import json
import os
import shutil
import subprocess
import time

import pytest

import conftest
from conftest import E2E, REPO, Hub, find_hubctl
from hubclient import Client, close_all, join_many, run

BAD = E2E / "bad-plugins"
SHIPPED = REPO / "plugins"


def make_hub(request, plugins, timeout="2"):
    """A hub on a plugin folder assembled from `plugins` (paths of plugin folders)."""
    binary = find_hubctl()
    if not binary:
        pytest.fail("no hubctl binary", pytrace=False)
    workdir = conftest.ARTIFACTS / ("plugin_host." + request.node.name)
    shutil.rmtree(workdir, ignore_errors=True)
    folder = workdir / "plugins"
    folder.mkdir(parents=True)
    for p in plugins:
        shutil.copytree(p, folder / p.name, ignore=shutil.ignore_patterns("__pycache__"))
    hub = Hub(binary, workdir, plugins=folder)
    os.environ["SESSIONHUB_PLUGIN_TIMEOUT"] = timeout
    try:
        hub.bootstrap()
        hub.start()
    finally:
        os.environ.pop("SESSIONHUB_PLUGIN_TIMEOUT", None)
    hub.login()
    request.addfinalizer(lambda: conftest._finish(hub))
    return hub


def agenda(*items, title="Plugin host"):
    lines = ["session: %s" % title, "lang: nl", "agenda:"]
    for plugin, extra in items:
        lines += ["  - plugin: %s" % plugin, "    title: %s" % plugin.capitalize()]
        lines += ["    " + x for x in extra]
    return "\n".join(lines) + "\n"


async def facilitator(hub, code):
    f = Client(hub.ws_url, "fac")
    await f.connect()
    await f.join(code, auth=hub.token)
    return f


def plugin_status(hub, name):
    return next(p for p in hub.hubctl_json("plugins", "list")["plugins"] if p["name"] == name)


def plugin_pid(hub, name):
    """The pid of the running process of a Python plugin `name`.py of this hub (other hubs may run one too: the
    suites run side by side in scripts/test)."""
    out = subprocess.run(["pgrep", "-P", str(hub.proc.pid), "-f", "%s.py" % name], capture_output=True,
                         text=True).stdout.split()
    return int(out[-1]) if out else None


def test_a_plugin_copied_in_and_reloaded_is_usable_without_a_restart(request):
    hub = make_hub(request, [E2E / "plugins" / "counter"])
    bad = hub.dir / "agenda-echo.yaml"
    bad.write_text(agenda(("echo", [])))
    r = hub.hubctl("session", "create", "--agenda", bad, check=False)
    assert r.returncode != 0 and "unknown plugin `echo`" in r.stderr
    shutil.copytree(E2E / "plugins" / "echo", hub.plugins / "echo")
    listed = hub.hubctl_json("plugins", "reload")
    assert "echo" in [p["name"] for p in listed["plugins"]]
    session = hub.create_session(agenda(("echo", [])))

    async def main():
        f = await facilitator(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"])
        await f.ok(f.command("start"))
        await f.ok(f.command("next"))
        await p.ok(p.input("a1", "say", {"text": "hallo"}))
        await p.wait_view("a1", check=lambda v: v.get("n") == 1)
        await close_all([f, p])
    run(main())
    assert hub.alive()


def test_kill_minus_nine_of_a_plugin_keeps_the_room_and_its_state(request):
    hub = make_hub(request, [E2E / "plugins" / "counter", E2E / "plugins" / "echo"])
    session = hub.create_session(agenda(("counter", ["anonymity: named"]), ("echo", [])))
    code = session["code"]

    async def main():
        f = await facilitator(hub, code)
        room = await join_many(hub.ws_url, code, 30)
        try:
            await f.ok(f.command("start"))
            await f.ok(f.command("next"))
            await asyncio.gather(*(c.ok(c.input("a1", "inc")) for c in room))
            await f.wait_view("a1", check=lambda v: v["count"] == 30)
            echo_before = plugin_pid(hub, "echo")
            pid = plugin_pid(hub, "counter")
            assert pid and echo_before
            os.kill(pid, 9)
            started = time.monotonic()
            # The room keeps sending; inputs during the restart are refused with plugin_unavailable,
            # never lost silently, and accepted again once the plugin is back with its state.
            while True:
                reply = await room[0].input("a1", "inc")
                if reply["t"] == "ack":
                    break
                assert reply["code"] == "plugin_unavailable", reply
                assert time.monotonic() - started < 10, "plugin not back within 10 s"
                await asyncio.sleep(0.05)
            took = time.monotonic() - started
            print("plugin back after kill -9 in %.3f s" % took)
            await f.wait_view("a1", check=lambda v: v["count"] == 31)
            await asyncio.gather(*(c.ok(c.input("a1", "inc")) for c in room[1:]))
            await f.wait_view("a1", check=lambda v: v["count"] == 60)
            assert plugin_pid(hub, "echo") == echo_before, "the other plugin's process was not touched"
            status = plugin_status(hub, "counter")
            assert status["state"] == "running" and status["restarts"] == 1
            assert plugin_status(hub, "echo")["restarts"] == 0
        finally:
            await close_all(room + [f])
    run(main())


@pytest.mark.parametrize("plugin,trigger", [("crasher", "hang"), ("garbler", "garble")])
def test_a_hanging_or_garbling_input_is_refused_and_fails_only_its_sessions_instance(request, plugin, trigger):
    """The input a plugin hangs or garbles on is refused to its sender (`rejected`, `plugin_failed`) and never
    logged; after 3 such failures the activity is failed for this session, not the plugin for the hub
    (docs/PLUGINS.md "When a plugin fails"; tests/e2e/test_plugin_safety.py has the multi-session case)."""
    hub = make_hub(request, [BAD / plugin, E2E / "plugins" / "echo"], timeout="1")
    session = hub.create_session(agenda((plugin, []), ("echo", [])))
    code = session["code"]

    async def main():
        f = await facilitator(hub, code)
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(code)
        await f.ok(f.command("start"))
        await f.ok(f.command("next"))
        await p.ok(p.input("a1", "inc"))
        refused = 0
        deadline = time.monotonic() + 60
        while refused < 3:
            assert time.monotonic() < deadline, "never refused three times"
            reply = await p.input("a1", trigger, timeout=20)
            assert reply["t"] == "error", reply
            if reply["code"] == "rejected":
                assert reply["detail"] == "plugin_failed", reply
                refused += 1
            else:
                # While the plugin restarts (the backoff always applies).
                assert reply["code"] == "plugin_unavailable", reply
            await asyncio.sleep(0.3)
        # The facilitator is told: the agenda entry carries the activity's state.
        await f.wait_state(lambda s: any(a["id"] == "a1" and a.get("pluginState") == "failed" for a in s["agenda"]),
                           what="pluginState failed in the agenda")
        reply = await p.input("a1", "inc")
        assert reply["t"] == "error" and reply["code"] == "plugin_unavailable"
        assert plugin_status(hub, plugin)["state"] != "failed", "one session's inputs do not fail the plugin for the hub"
        # The rest of the room is unaffected.
        await f.ok(f.command("next"))
        await p.ok(p.input("a2", "say", {"text": "nog steeds hier"}))
        await close_all([f, p])
    run(main())
    exported = hub.export(session["id"])
    assert not [e for e in exported["events"] if e.get("type") == trigger], "a refused input was logged"
    status, body = hub.api("GET", "/healthz", token=None)
    assert status == 200 and body["status"] == "ok"


def test_the_python_checkin_plugin_works_with_thirty_clients(request):
    hub = make_hub(request, [SHIPPED / "checkin"])
    session = hub.create_session(agenda(("checkin", ["config: { question: Hoe kom je binnen?, mode: both }"])))
    code = session["code"]
    words = ["samen", "Samen ", "moe", "nieuwsgierig", "trots"]

    async def main():
        f = await facilitator(hub, code)
        beamer = Client(hub.ws_url, "beamer")
        await beamer.connect()
        await beamer.join(code, **{"as": "beamer"})
        room = await join_many(hub.ws_url, code, 30)
        try:
            await f.ok(f.command("start"))
            await f.ok(f.command("next"))
            await asyncio.gather(*(c.ok(c.input("a1", "checkin", {"word": words[i % 5], "mood": i % 5 + 1}))
                                   for i, c in enumerate(room)))
            view = await beamer.wait_view("a1", check=lambda v: v["total"] == 30)
            assert view["moods"] == [6, 6, 6, 6, 6]
            assert view["words"][0] == {"word": "samen", "count": 12}, "case and spaces are normalised"
            mine = await room[0].wait_view("a1", "me", check=lambda v: v is not None)
            assert mine == {"mine": {"word": "samen", "mood": 1}}
            bad = await room[1].input("a1", "checkin", {"mood": 9})
            assert bad["t"] == "error" and bad["code"] == "rejected" and bad["detail"] == "bad_mood"
        finally:
            await close_all(room + [f, beamer])
    run(main())


def test_upgrading_a_plugin_folder_switches_running_instances_by_replay(request):
    hub = make_hub(request, [E2E / "plugins" / "counter"])
    session = hub.create_session(agenda(("counter", ["anonymity: named"])))
    code = session["code"]

    async def main():
        f = await facilitator(hub, code)
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(code)
        await f.ok(f.command("start"))
        await f.ok(f.command("next"))
        for _ in range(3):
            await p.ok(p.input("a1", "inc"))
        manifest = hub.plugins / "counter" / "plugin.json"
        m = json.loads(manifest.read_text())
        m["version"] = "1.0.1"
        manifest.write_text(json.dumps(m))
        hub.hubctl("plugins", "reload")
        assert plugin_status(hub, "counter")["version"] == "1.0.1"
        # Nobody was dropped, and the next input lands on the replayed state of the new process.
        await p.ok(p.input("a1", "inc"))
        await f.wait_view("a1", check=lambda v: v["count"] == 4)
        assert p.ws is not None and f.ws is not None
        await close_all([f, p])
    run(main())


def test_manifest_errors_name_the_plugin_and_the_field(request):
    binary = find_hubctl()
    r = subprocess.run([binary, "plugins", "validate", str(BAD / "broken-manifest")], capture_output=True, text=True)
    assert r.returncode == 1
    assert "plugin `" in r.stderr and "protocol" in r.stderr and "version" in r.stderr
    ok = subprocess.run([binary, "plugins", "validate", str(SHIPPED)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    for name in ("timer", "checkin", "voting"):
        assert "%s 1.0.0: ok" % name in ok.stdout


def test_agenda_context_resolves_published_kennisbank_records_once_at_creation(request):
    """CONTRACTS §2 `context`: ids in the order written and facet filters resolve to published records;
    drafts and unknown ids are left out; the records are stored with the session, so a replay after a
    restart starts the plugin from the same context although the kennisbank changed meanwhile."""
    hub = make_hub(request, [E2E / "plugins" / "echo"])
    hub.hubctl_json("kennisbank", "import", E2E / "kennisbank" / "fixtures" / "kennisbank.jsonl")
    session = hub.create_session(agenda(
        ("echo", ["context:", "  kennisbank: [kb-fx-schuldhulp, kb-fx-concept, kb-onbekend, kb-fx-buurtbedrijf-noord]"]),
        ("echo", ["context:", "  kennisbank: {kind: buurtbeheerbedrijven, type: praktijk}"]),
    ))
    by_ids = ["kb-fx-schuldhulp", "kb-fx-buurtbedrijf-noord"]
    by_filter = ["kb-fx-buurtbedrijf-noord", "kb-fx-buurtbedrijf-zuid"]  # by title

    async def contexts(first):
        f = await facilitator(hub, session["code"])
        if first:
            await f.ok(f.command("start"))
            await f.ok(f.command("next"))
        else:
            await f.ok(f.command("goto", activity="a1"))
        a1 = await f.wait_view("a1", check=lambda v: "context" in v)
        await f.ok(f.command("goto" if not first else "next", **({"activity": "a2"} if not first else {})))
        a2 = await f.wait_view("a2", check=lambda v: "context" in v)
        await close_all([f])
        return a1["context"], a2["context"]
    assert run(contexts(True)) == (by_ids, by_filter)

    # Another practice of the same kind afterwards: a session created now would see it, this one must not.
    changed = hub.dir / "changed.jsonl"
    record = next(json.loads(l) for l in (E2E / "kennisbank" / "fixtures" / "kennisbank.jsonl").open() if '"kb-fx-buurtbedrijf-zuid"' in l)
    record["id"] = "kb-fx-buurtbedrijf-west"
    record["title"] = "Buurtbedrijf West"
    changed.write_text(json.dumps(record, ensure_ascii=False) + "\n")
    hub.hubctl_json("kennisbank", "import", changed)
    hub.restart()
    assert run(contexts(False)) == (by_ids, by_filter)
    later = hub.create_session(agenda(("echo", ["context:", "  kennisbank: {kind: buurtbeheerbedrijven, type: praktijk}"])))

    async def fresh():
        f = await facilitator(hub, later["code"])
        await f.ok(f.command("start"))
        await f.ok(f.command("next"))
        v = await f.wait_view("a1", check=lambda v: "context" in v)
        await close_all([f])
        return v["context"]
    assert run(fresh()) == ["kb-fx-buurtbedrijf-noord", "kb-fx-buurtbedrijf-west", "kb-fx-buurtbedrijf-zuid"]


def test_joins_during_the_restore_after_a_restart_replay_each_session_once(request):
    """A restart restores open sessions while the port is already open: participants joining at that moment
    must get the session being restored, not a second copy of it replayed into the same plugin process
    (found by the case-review suite: groups moved two steps on)."""
    hub = make_hub(request, [E2E / "plugins" / "counter"])
    sessions = [hub.create_session(agenda(("counter", []), title="Sessie %d" % n)) for n in range(6)]

    async def fill(session):
        f = await facilitator(hub, session["code"])
        await f.ok(f.command("start"))
        await f.ok(f.command("next"))
        ps = await join_many(hub.ws_url, session["code"], 5)
        for _ in range(20):
            await asyncio.gather(*(p.ok(p.input("a1", "inc", {})) for p in ps))
        await close_all([f] + ps)

    async def fill_all():
        await asyncio.gather(*(fill(s) for s in sessions))
    run(fill_all())
    hub.restart()

    async def rush(session, n):
        ps = await join_many(hub.ws_url, session["code"], 4, prefix="q%d-" % n, batch=4)
        seen = await ps[0].wait_view("a1", check=lambda v: v.get("count", 0) >= 100)
        await close_all(ps)
        return seen["count"]

    async def rush_all():
        return await asyncio.gather(*(rush(s, n) for n, s in enumerate(reversed(sessions))))
    assert run(rush_all()) == [100] * len(sessions)
    log = (hub.dir / ("serve-%d.stderr" % hub.starts)).read_text(errors="replace")
    for s in sessions:
        replays = [l for l in log.splitlines() if "plugin instances replayed" in l and s["id"] in l]
        assert len(replays) == 1, replays
