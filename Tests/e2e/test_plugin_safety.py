"""Issue 13, finding 1: one participant must not be able to take a plugin down for the whole hub.

Against the real hub and real plugin processes: the shipped Python `checkin` and Swift `voting`, and the
`crasher` of bad-plugins/ (an input type that kills its process). What each test shows:

- a payload nested ~510 deep (under Foundation's 512-level parse limit, over what stays encodable once
  wrapped for the plugin) is refused at the gateway (`too_large`, detail `max_depth_64`); the plugin never
  sees it, and `export?format=json` is never the body `null`;
- a points/dots ballot of [2^63-1, 2^63-1] is refused by the voting plugin, however often it is sent;
- an input that does crash its plugin is refused to its sender (`rejected`, detail `plugin_failed`) and never
  logged; resending it is refused without reaching the plugin again; the session whose inputs keep failing
  loses that activity, the other sessions keep it, and only several failing sessions fail the plugin hub-wide.
"""
import asyncio
import json
import time

import pytest

import conftest
from conftest import E2E, shipped_hub
from hubclient import Client, close_all, run
from test_plugin_host import make_hub, plugin_pid, plugin_status

MAX = 2**63 - 1


def deep(levels):
    v = {}
    for _ in range(levels - 1):
        v = {"a": v}
    return v


def agenda(items, title="Veiligheid"):
    lines = ["session: %s" % title, "lang: nl", "agenda:"]
    for plugin, config in items:
        lines += ["  - plugin: %s" % plugin, "    title: %s" % plugin.capitalize()]
        if config:
            lines.append("    config: %s" % json.dumps(config))
    return "\n".join(lines) + "\n"


async def room(hub, code, n):
    f = Client(hub.ws_url, "fac")
    await f.connect()
    await f.join(code, auth=hub.token)
    people = []
    for i in range(n):
        p = Client(hub.ws_url, "p%d" % i)
        await p.connect()
        await p.join(code, name="Deelnemer %d" % i)
        people.append(p)
    return f, people


def export_json(hub, sid):
    status, body = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)
    assert status == 200, (status, body)
    assert isinstance(body, dict) and body.get("events") is not None, "export json is %r" % (body,)
    return body


def test_deep_payloads_and_overflowing_ballots_hurt_no_plugin():
    with shipped_hub("plugin_safety", ("voting", "checkin")) as hub:
        points = {"kind": "points", "question": "Verdeel", "options": ["A", "B"], "points": 100}
        dots = {"kind": "dots", "question": "Stippen", "options": ["A", "B"], "dots": 3, "stacking": True}
        sessions = [hub.create_session(agenda([("checkin", None), ("voting", points), ("voting", dots)], title="S%d" % i))
                    for i in range(2)]

        async def main():
            a_fac, a = await room(hub, sessions[0]["code"], 2)
            b_fac, b = await room(hub, sessions[1]["code"], 2)
            try:
                for f in (a_fac, b_fac):
                    await f.ok(f.command("start"))
                    await f.ok(f.command("goto", activity="a1"))
                # The attacker's deep payloads, many times: refused at the gateway, naming the limit.
                for i in range(12):
                    reply = await a[0].input("a1", "checkin", {"word": "x", "deep": deep(510)})
                    assert reply["t"] == "error" and reply["code"] == "too_large", reply
                    assert reply.get("detail") == "max_depth_64", reply
                await a[1].ok(a[1].input("a1", "checkin", {"word": "hallo"}))
                await b[0].ok(b[0].input("a1", "checkin", {"word": "goedemorgen"}))
                # The overflowing ballots, many times, on both vote kinds.
                for f in (a_fac, b_fac):
                    await f.ok(f.command("goto", activity="a2"))
                for i in range(12):
                    reply = await a[0].input("a2", "ballot", {"points": [MAX, MAX]})
                    assert reply["t"] == "error" and reply["code"] == "rejected" and reply["detail"] == "points_total", reply
                await b[0].ok(b[0].input("a2", "ballot", {"points": [60, 40]}))
                await a[1].ok(a[1].input("a2", "ballot", {"points": [30, 70]}))
                for f in (a_fac, b_fac):
                    await f.ok(f.command("goto", activity="a3"))
                for i in range(12):
                    reply = await a[0].input("a3", "ballot", {"dots": [MAX, MAX]})
                    assert reply["t"] == "error" and reply["code"] == "rejected" and reply["detail"] == "over_budget", reply
                # Other sessions' voting keeps working, and so does the attacker's own room.
                await b[1].ok(b[1].input("a3", "ballot", {"dots": [2, 1]}))
                await a[1].ok(a[1].input("a3", "ballot", {"dots": [1, 1]}))
                await a[0].ok(a[0].input("a3", "ballot", {"dots": [0, 3]}))
            finally:
                await close_all([a_fac, b_fac] + a + b)
        run(main())

        for name in ("voting", "checkin"):
            status = plugin_status(hub, name)
            assert status["state"] == "running" and status["restarts"] == 0, status
        for s in sessions:
            body = export_json(hub, s["id"])
            assert all(json.dumps(e).count("{") < 70 for e in body["events"]), "no deep payload was logged"
        status, body = hub.api("GET", "/healthz", token=None)
        assert status == 200, body


def test_an_input_that_crashes_its_plugin_is_refused_and_fails_only_its_session(request):
    """The crasher's `boom` kills its process before it answers. Three sessions' rooms: A and C keep sending
    booms (new ids), B only counts. Instance thresholds: 3 failures fail an instance for its session; 3 sessions
    with a failed instance fail the plugin for the hub (docs/PLUGINS.md "When a plugin fails")."""
    hub = make_hub(request, [E2E / "bad-plugins" / "crasher", E2E / "plugins" / "echo"])
    sessions = [hub.create_session(agenda([("crasher", None), ("echo", None)], title=t)) for t in "ABCD"]
    codes = [s["code"] for s in sessions]

    async def until_ack(client, activity, type, payload=None, what=""):
        """Sends `type` with new ids until acked: while the plugin restarts (backoff), plugin_unavailable."""
        deadline = time.monotonic() + 30
        while True:
            reply = await client.input(activity, type, payload, timeout=20)
            if reply["t"] == "ack":
                return reply
            assert reply["code"] == "plugin_unavailable", (what, reply)
            assert time.monotonic() < deadline, "no ack for %s" % what
            await asyncio.sleep(0.1)

    async def boom(client, what):
        """One boom with a fresh id: refused as plugin_failed (after waiting out a restart, if any)."""
        deadline = time.monotonic() + 30
        while True:
            reply = await client.input("a1", "boom", {"n": 1}, timeout=20)
            if reply["t"] == "error" and reply["code"] == "plugin_unavailable":
                assert time.monotonic() < deadline, what
                await asyncio.sleep(0.1)
                continue
            return reply

    async def main():
        rooms = [await room(hub, code, 1) for code in codes]
        clients = [c for f, ps in rooms for c in [f] + ps]
        (a_fac, [a]), (b_fac, [b]), (c_fac, [c]), (d_fac, [d]) = rooms
        try:
            for f, _ in rooms:
                await f.ok(f.command("start"))
                await f.ok(f.command("goto", activity="a1"))
            await until_ack(b, "a1", "inc", what="B before")
            # A's first boom: refused to its sender, never logged.
            first = await boom(a, "A boom 1")
            assert first["t"] == "error" and first["code"] == "rejected" and first["detail"] == "plugin_failed", first
            reply = await boom(a, "A boom 2")
            assert reply["code"] == "rejected" and reply["detail"] == "plugin_failed", reply
            # B keeps counting while A is refused.
            await until_ack(b, "a1", "inc", what="B after A's booms")
            # A resend of the refused input (same id and payload) is refused from memory: the plugin's
            # process is not killed again.
            await until_ack(a, "a1", "inc", what="A between booms")
            pid = plugin_pid(hub, "crasher")
            restarts = plugin_status(hub, "crasher")["restarts"]
            for _ in range(5):
                again = await a.input("a1", "boom", {"n": 1}, id=first["id"])
                assert again["code"] == "rejected" and again["detail"] == "plugin_failed", again
            assert plugin_pid(hub, "crasher") == pid and plugin_status(hub, "crasher")["restarts"] == restarts
            # A third failure fails A's instance for A's session only.
            reply = await boom(a, "A boom 3")
            assert reply["code"] == "rejected" and reply["detail"] == "plugin_failed", reply
            await a_fac.wait_state(lambda s: any(x["id"] == "a1" and x.get("pluginState") == "failed" for x in s["agenda"]),
                                   what="a1 failed in A's agenda")
            reply = await a.input("a1", "inc")
            assert reply["t"] == "error" and reply["code"] == "plugin_unavailable", reply
            await a_fac.ok(a_fac.command("goto", activity="a2"))
            await a.ok(a.input("a2", "say", {"text": "nog hier"}))
            status = plugin_status(hub, "crasher")
            assert status["state"] != "failed" and status["failedInstances"] == ["%s/a1" % sessions[0]["id"]], status
            await until_ack(b, "a1", "inc", what="B after A failed")
            await b_fac.wait_view("a1", check=lambda v: v["count"] == 3)
            # A second session fails the same way: still not the plugin for the hub.
            for i in range(3):
                reply = await boom(c, "C boom %d" % i)
                assert reply["code"] == "rejected" and reply["detail"] == "plugin_failed", reply
            assert plugin_status(hub, "crasher")["state"] != "failed"
            await until_ack(b, "a1", "inc", what="B after C failed")
            await until_ack(d, "a1", "inc", what="D after C failed")
            # A third one: now the plugin is failed for the whole hub.
            for i in range(3):
                reply = await boom(d, "D boom %d" % i)
                assert reply["code"] == "rejected" and reply["detail"] == "plugin_failed", reply
            assert plugin_status(hub, "crasher")["state"] == "failed"
            await b_fac.wait_state(lambda s: any(x["id"] == "a1" and x.get("pluginState") == "failed" for x in s["agenda"]),
                                   what="a1 failed in B's agenda once the plugin failed hub-wide")
        finally:
            await close_all(clients)

    run(main())
    for s in sessions:
        body = export_json(hub, s["id"])
        assert not [e for e in body["events"] if e.get("type") == "boom"], "a boom was logged"
    # The node still stores inputs: 200, with the failed plugin named among its problems (issue 13, finding 11).
    status, body = hub.api("GET", "/healthz", token=None)
    assert status == 200 and body["status"] == "degraded", body
    assert [p["plugin"] for p in body["problems"] if p["code"] == "plugin_failed"] == ["crasher"], body
