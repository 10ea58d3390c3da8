"""Acceptance 5: every cell of the contract's status table, with the exact answer.

| message | draft                    | open                        | closed                                |
|---------|--------------------------|-----------------------------|---------------------------------------|
| join    | welcome (lobby)          | welcome                     | welcome with status: closed (results) |
| input   | activity_closed          | accepted if the checks pass | session_closed                        |
| command | all but close (forbidden)| all                         | session_closed                        |

Each test makes its own session and brings it to the status of its column, so the cells do not
depend on each other.
"""
import pytest

import agendas
from hubclient import Client, close_all, run

STATUSES = ["draft", "open", "closed"]


async def session_in(hub, status):
    """A session in `status` with a1 current (from draft on), a facilitator and one participant."""
    session = hub.create_session(agendas.standard("Status %s" % status))
    fac = Client(hub.ws_url, "fac")
    await fac.connect()
    await fac.join(session["code"], auth=hub.token)
    p = Client(hub.ws_url, "p")
    await p.connect()
    await p.join(session["code"], name="Early")
    await fac.ok(fac.command("goto", activity="a1"))  # preparing the room works in draft
    if status in ("open", "closed"):
        await fac.ok(fac.command("start"))
        await p.ok(p.input("a1", "inc"))  # a result to read back later
    if status == "closed":
        await fac.ok(fac.command("close"))
    await p.wait_state(lambda s: s["status"] == status)
    return session, fac, p


def error_code(reply):
    assert reply["t"] == "error", reply
    return reply["code"]


# ---- join -------------------------------------------------------------------------------------

def test_join_draft_is_a_lobby_welcome(hub):
    async def main():
        session, fac, p = await session_in(hub, "draft")
        new = Client(hub.ws_url, "new")
        await new.connect()
        try:
            welcome = await new.join(session["code"], name="Lobby")
            assert welcome["state"]["status"] == "draft"
            assert welcome["participant"].startswith("p_") and welcome["token"]
            assert welcome["state"]["current"]["activity"] == "a1"
        finally:
            await close_all([fac, p, new])
    run(main())


def test_join_open_is_a_welcome(hub):
    async def main():
        session, fac, p = await session_in(hub, "open")
        new = Client(hub.ws_url, "new")
        await new.connect()
        try:
            welcome = await new.join(session["code"], name="Late")
            assert welcome["state"]["status"] == "open" and welcome["participant"].startswith("p_")
            assert welcome["state"]["views"]["a1"]["public"]["count"] == 1
        finally:
            await close_all([fac, p, new])
    run(main())


def test_join_closed_is_a_read_only_welcome_with_results(hub):
    async def main():
        session, fac, p = await session_in(hub, "closed")
        viewer = Client(hub.ws_url, "viewer")
        await viewer.connect()
        try:
            # Without a token: a read-only viewer with the results.
            welcome = await viewer.join(session["code"], name="Too late")
            assert welcome["state"]["status"] == "closed"
            assert welcome["state"]["views"]["a1"]["public"]["count"] == 1
            assert not welcome.get("token"), "nobody new joins a closed session"
            assert error_code(await viewer.input("a1", "inc")) == "session_closed"
            # With a token: the participant keeps its id and its own view.
            welcome = await p.rejoin(session["code"])
            assert welcome["state"]["status"] == "closed" and welcome["participant"] == p.participant
            assert welcome["state"]["views"]["a1"]["me"] == {"mine": 1}
            # A facilitator sees the closed session too.
            await fac.reconnect()
            welcome = await fac.join(session["code"], auth=hub.token)
            assert welcome["state"]["status"] == "closed"
        finally:
            await close_all([fac, p, viewer])
    run(main())


# ---- input ------------------------------------------------------------------------------------

def test_input_draft_is_activity_closed(hub):
    async def main():
        session, fac, p = await session_in(hub, "draft")
        try:
            assert error_code(await p.input("a1", "inc")) == "activity_closed"
            assert error_code(await fac.input("a1", "inc")) == "activity_closed"
        finally:
            await close_all([fac, p])
    run(main())


def test_input_open_is_accepted_when_the_checks_pass(hub):
    async def main():
        session, fac, p = await session_in(hub, "open")
        try:
            seq = await p.ok(p.input("a1", "inc"))
            assert seq > 0
            assert (await fac.input("a1", "inc"))["t"] == "ack", "facilitators may send inputs their gate lists"
            await fac.wait_view("a1", check=lambda v: v["count"] == 3)
        finally:
            await close_all([fac, p])
    run(main())


def test_input_closed_is_session_closed(hub):
    async def main():
        session, fac, p = await session_in(hub, "closed")
        try:
            assert error_code(await p.input("a1", "inc")) == "session_closed"
            assert error_code(await fac.input("a1", "inc")) == "session_closed"
        finally:
            await close_all([fac, p])
    run(main())


# ---- command ----------------------------------------------------------------------------------

def test_command_draft_all_but_close(hub):
    async def main():
        session, fac, p = await session_in(hub, "draft")
        try:
            for kind, fields in (("goto", {"activity": "a2"}), ("next", {}), ("prev", {}),
                                 ("phase", {"activity": "a1", "phase": "frozen"}),
                                 ("inputs", {"activity": "a1", "open": False}), ("reveal", {"activity": "a1"}),
                                 ("reorder", {"order": ["a2", "a1", "a3"]}),
                                 ("groups", {"mode": "manual", "assignments": {"g1": [p.participant]}}),
                                 ("groups", {"mode": "random", "size": 2}), ("ungroup", {})):
                reply = await fac.command(kind, **fields)
                assert reply["t"] == "ack", (kind, reply)
            assert error_code(await fac.command("close")) == "forbidden"
            await fac.wait_state(lambda s: s["status"] == "draft")
            assert (await fac.command("start"))["t"] == "ack"
            await p.wait_state(lambda s: s["status"] == "open")
        finally:
            await close_all([fac, p])
    run(main())


def test_command_open_all(hub):
    async def main():
        session, fac, p = await session_in(hub, "open")
        try:
            for kind, fields in (("start", {}), ("goto", {"activity": "a2"}), ("next", {}), ("prev", {}),
                                 ("phase", {"activity": "a1", "phase": "frozen"}),
                                 ("inputs", {"activity": "a1", "open": False}), ("reveal", {"activity": "a1"}),
                                 ("reorder", {"order": ["a2", "a1", "a3"]}),
                                 ("groups", {"mode": "random", "size": 1}), ("ungroup", {}),
                                 ("kick", {"participant": p.participant}), ("close", {})):
                reply = await fac.command(kind, **fields)
                assert reply["t"] == "ack", (kind, reply)
            await fac.wait_state(lambda s: s["status"] == "closed")
        finally:
            await close_all([fac, p])
    run(main())


@pytest.mark.parametrize("kind,fields", [
    ("start", {}), ("goto", {"activity": "a2"}), ("next", {}), ("prev", {}),
    ("phase", {"activity": "a1", "phase": "frozen"}), ("inputs", {"activity": "a1", "open": False}),
    ("reveal", {"activity": "a1"}), ("reorder", {"order": ["a2", "a1", "a3"]}),
    ("groups", {"mode": "random", "size": 2}), ("ungroup", {}), ("kick", {"participant": None}), ("close", {}),
])
def test_command_closed_is_session_closed(hub, kind, fields):
    async def main():
        session, fac, p = await session_in(hub, "closed")
        try:
            args = dict(fields, participant=p.participant) if kind == "kick" else fields
            assert error_code(await fac.command(kind, **args)) == "session_closed"
        finally:
            await close_all([fac, p])
    run(main())


def test_rest_start_and_close_follow_the_same_table(hub):
    """`hubctl session start|close` go through the same queue: close on a draft is refused."""
    session = hub.create_session(agendas.counter_only("REST status"))
    r = hub.hubctl("session", "close", session["id"], check=False)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert hub.hubctl_json("session", "start", session["code"])["status"] == "open"
    assert hub.hubctl_json("session", "start", session["code"])["status"] == "open"
    assert hub.hubctl_json("session", "close", session["id"])["status"] == "closed"
    r = hub.hubctl("session", "start", session["id"], check=False)
    assert r.returncode == 1, "starting a closed session is refused (session_closed)"
