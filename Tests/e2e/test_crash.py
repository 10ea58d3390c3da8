"""Acceptance 3: durability. Under a steady stream of inputs from 20 clients the hub is killed with
SIGKILL at a random moment and restarted on the same database; every input that had been
acknowledged is there afterwards, in order, and the clients resume where they were.

An ack promises durability (CONTRACTS.md: "An ack is sent only after its event is durable"), so the
check is strict: every (client id, seq) pair a client saw acked must be in the exported log with
that seq, the log's seqs run 1..N without gaps, and the counter's value equals the number of `inc`
events in the log (the plugin's state is rebuilt by replay, not kept elsewhere).

The kill moment is random; set E2E_SEED to repeat a run (the seed is printed).
"""
import asyncio
import os
import random

from websockets.exceptions import ConnectionClosed

import agendas
from hubclient import Client, close_all, join_many, run, started_console

CLIENTS = 20
PACE = 0.1  # seconds between one client's inputs: 10/s each, under the per-connection rate limit


async def stream(client, log, stop):
    """Send `inc` after `inc`, one in flight, recording each ack; stops when the hub goes away.

    `log` gets {"acked": [(id, seq), ...], "pending": id or None} for this client.
    """
    while not stop.is_set():
        id = client.new_id()
        log["pending"] = id
        try:
            await client.send_input("a1", "inc", id=id)
            reply = await client.reply(id, timeout=30)
        except (AssertionError, ConnectionClosed, OSError):
            return  # the hub died: this id may or may not be in the log
        assert reply["t"] == "ack", "%s: %s" % (client.label, reply)
        log["acked"].append((id, reply["seq"]))
        log["pending"] = None
        await asyncio.sleep(PACE)


def check_log(export, people, logs):
    """Every acked (id, seq) is in the log, per client in send order, seqs 1..N without gaps.

    Returns the number of `inc` events, which the counter must show.
    """
    events = export["events"]
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(events) + 1)), "seq must run 1..N without gaps: %s" % seqs[:50]
    incs = [e for e in events if e.get("type") == "inc"]
    for c in people:
        mine = [e for e in incs if e["actor"] == c.participant]
        acked = logs[c.label]["acked"]
        assert [(e.get("clientId"), e["seq"]) for e in mine[:len(acked)]] == acked, \
            "%s: acked inputs missing or out of order in the log" % c.label
        extra = mine[len(acked):]
        # At most the one input that was in flight at the kill, and only if it was that input.
        assert len(extra) <= 1, "%s: unexpected extra events %s" % (c.label, extra)
        if extra:
            assert extra[0].get("clientId") == logs[c.label]["pending"]
    return len(incs)


def test_sigkill_under_load_loses_no_acknowledged_input(own_hub):
    hub = own_hub
    seed = int(os.environ.get("E2E_SEED") or random.randrange(1 << 30))
    print("E2E_SEED=%d" % seed)
    rng = random.Random(seed)
    session = hub.create_session(agendas.counter_only("Crash"))
    code = session["code"]

    async def main():
        fac = await started_console(hub, code)
        people = await join_many(hub.ws_url, code, CLIENTS)
        logs = {c.label: {"acked": [], "pending": None} for c in people}
        total_acked = 0

        for rnd in range(2):
            stop = asyncio.Event()
            tasks = [asyncio.create_task(stream(c, logs[c.label], stop)) for c in people]
            await asyncio.sleep(rng.uniform(1.0, 3.0))
            await asyncio.to_thread(hub.kill9)
            await asyncio.wait_for(asyncio.gather(*tasks), 60)
            now_acked = sum(len(x["acked"]) for x in logs.values())
            assert now_acked > total_acked + CLIENTS, "round %d: the stream was too thin to mean much" % rnd
            total_acked = now_acked

            await asyncio.to_thread(hub.restart, graceful=False)
            incs = check_log(hub.export(session["id"]), people, logs)
            assert incs >= total_acked

            # The counter was rebuilt by replay: it equals the log.
            watcher = Client(hub.ws_url, "watcher")
            await watcher.connect()
            welcome = await watcher.join(code, auth=hub.token)
            assert welcome["state"]["status"] == "open"
            assert welcome["state"]["current"]["activity"] == "a1"
            assert welcome["state"]["views"]["a1"]["public"]["count"] == incs
            await watcher.close()

            # Clients resume: rejoin with their tokens, resend what was in flight (applied once).
            for c in people:
                before = c.participant
                welcome = await c.rejoin(code, hub.ws_url)
                assert welcome["participant"] == before
                pending = logs[c.label]["pending"]
                if pending:
                    reply = await c.input("a1", "inc", id=pending)
                    assert reply["t"] == "ack", reply
                    logs[c.label]["acked"].append((pending, reply["seq"]))
                    logs[c.label]["pending"] = None
            incs = check_log(hub.export(session["id"]), people, logs)
            total_acked = sum(len(x["acked"]) for x in logs.values())
            assert incs == total_acked, "after the resends every inc in the log is one a client saw acked"

        # And they carry on normally.
        for c in people:
            for _ in range(2):
                id = c.new_id()
                logs[c.label]["acked"].append((id, await c.ok(c.input("a1", "inc", id=id))))
        total = sum(len(x["acked"]) for x in logs.values())
        await people[0].wait_view("a1", check=lambda v: v["count"] == total, timeout=30)
        assert check_log(hub.export(session["id"]), people, logs) == total
        await close_all(people + [fac])
    run(main(), timeout=600)


def test_commands_and_joins_survive_sigkill(own_hub):
    """Not only inputs: the session's status, current activity, phase, groups and participants
    come back after a SIGKILL exactly as the acks promised."""
    hub = own_hub
    session = hub.create_session(agendas.standard("Crash state"))
    code = session["code"]

    async def main():
        fac = Client(hub.ws_url, "fac")
        await fac.connect()
        await fac.join(code, auth=hub.token)
        people = await join_many(hub.ws_url, code, 4)
        await fac.ok(fac.command("start"))
        await fac.ok(fac.command("goto", activity="a3"))
        await fac.ok(fac.command("phase", activity="a1", phase="frozen"))
        await fac.ok(fac.command("inputs", activity="a3", open=False))
        await fac.ok(fac.command("groups", mode="manual", assignments={"g1": [people[0].participant, people[1].participant]}))
        await fac.ok(fac.command("reorder", order=["a2", "a3", "a1"]))
        last = await fac.ok(fac.command("reveal", activity="a1"))

        await asyncio.to_thread(hub.restart, graceful=False)
        await fac.reconnect(hub.ws_url)
        welcome = await fac.join(code, auth=hub.token)
        state = welcome["state"]
        assert welcome["seq"] == last
        assert state["status"] == "open"
        assert state["current"] == {"activity": "a3", "phase": "counting"}
        assert [a["id"] for a in state["agenda"]] == ["a2", "a3", "a1"]
        by_id = {a["id"]: a for a in state["agenda"]}
        assert by_id["a1"]["phase"] == "frozen" and by_id["a3"]["inputsOpen"] is False
        assert state["groups"] == {"g1": [people[0].participant, people[1].participant]}
        assert state["views"]["a1"]["public"]["revealed"] is True
        assert len(state["views"]["a1"]["public"]["joined"]) == 4
        await fac.wait_until(lambda: fac.roster and len(fac.roster["participants"]) == 4, what="roster of 4")
        await close_all(people + [fac])
    run(main())
