"""Acceptance 2: reconnection. A participant who drops keeps its identity, gets a fresh welcome,
and an input it resends with the same id is applied once, also across hub restarts.

Phones lock and Wi-Fi in a community centre drops, so this is the everyday path, not an edge case.
The counter makes "applied once" visible: its count would grow twice for a double apply.
"""
import asyncio

import agendas
from hubclient import Client, close_all, join_many, run


async def open_room(hub, code, n=3):
    """A facilitator who starts the session and makes a1 current, and `n` joined participants."""
    fac = Client(hub.ws_url, "fac")
    await fac.connect()
    await fac.join(code, auth=hub.token)
    people = await join_many(hub.ws_url, code, n)
    await fac.ok(fac.command("start"))
    await fac.ok(fac.command("next"))
    for c in people:
        await c.wait_state(lambda s: s["current"]["activity"] == "a1")
    return fac, people


def assert_error(reply, code):
    assert reply.get("t") == "error" and reply.get("code") == code, reply


def test_rejoin_keeps_identity_and_a_resent_input_is_applied_once(hub):
    session = hub.create_session(agendas.counter_only("Rejoin"))
    code = session["code"]

    async def main():
        fac, people = await open_room(hub, code)
        dropper, others = people[0], people[1:]
        try:
            first_id = dropper.new_id()
            first_seq = await dropper.ok(dropper.input("a1", "inc", id=first_id))
            old_participant, old_token = dropper.participant, dropper.token
            await dropper.abort()  # no close handshake: the network just went away

            # The room goes on without it.
            for c in others:
                await c.ok(c.input("a1", "inc"))
                await c.ok(c.input("a1", "inc"))
            await fac.wait_view("a1", check=lambda v: v["count"] == 5)
            room_seq = fac.seq

            welcome = await dropper.rejoin(code)
            assert welcome["participant"] == old_participant
            assert welcome["role"] == "participant"
            assert welcome["seq"] >= room_seq
            state = welcome["state"]
            assert state["status"] == "open" and state["current"]["activity"] == "a1"
            assert state["views"]["a1"]["public"]["count"] == 5
            assert state["views"]["a1"]["me"] == {"mine": 1}
            assert welcome.get("token"), "a rejoin welcome carries the (possibly renewed) token"

            # Resending the acked id: the original ack, nothing applied again.
            again = await dropper.input("a1", "inc", id=first_id)
            assert again == {"t": "ack", "id": first_id, "seq": first_seq}
            again = await dropper.input("a1", "inc", id=first_id)
            assert again["t"] == "ack" and again["seq"] == first_seq
            # A new input after the resends lands on 6, not 7 or 8.
            new_seq = await dropper.ok(dropper.input("a1", "inc"))
            assert new_seq > welcome["seq"]
            view = await fac.wait_view("a1", "facilitator", lambda v: fac.view_seqs[("a1", "facilitator")] >= new_seq)
            assert view["count"] == 6 and view["byActor"][old_participant] == 2
            await dropper.wait_view("a1", "me", lambda v: v == {"mine": 2})

            # Nothing at or below welcome.seq arrives after the welcome.
            await dropper.ping()
            assert dropper.stale == [], dropper.stale
            # The old token still works: it was not replaced by a new one.
            second = Client(hub.ws_url, "second-device")
            await second.connect()
            assert (await second.join(code, token=old_token))["participant"] == old_participant
            await second.close()
        finally:
            await close_all([fac] + people)
    run(main())


def test_refused_input_is_not_remembered(hub):
    """A refused input is not logged: resending its id is a new attempt (CONTRACTS.md)."""
    session = hub.create_session(agendas.counter_only("Refused resend"))

    async def main():
        fac, people = await open_room(hub, session["code"], n=1)
        p = people[0]
        try:
            await fac.ok(fac.command("inputs", activity="a1", open=False))
            id = p.new_id()
            assert_error(await p.input("a1", "inc", id=id), "activity_closed")
            await fac.ok(fac.command("inputs", activity="a1", open=True))
            await p.wait_state(lambda s: s["agenda"][0]["inputsOpen"])
            await p.ok(p.input("a1", "inc", id=id))
            await p.wait_view("a1", check=lambda v: v["count"] == 1)
        finally:
            await close_all([fac, p])
    run(main())


def test_resend_across_hub_restarts_is_applied_once(own_hub):
    """An acked input survives a graceful restart and a SIGKILL; its resend gets the same seq."""
    hub = own_hub
    session = hub.create_session(agendas.counter_only("Restart resend"))
    code = session["code"]

    async def main():
        fac, (p,) = await open_room(hub, code, n=1)
        id1 = p.new_id()
        seq1 = await p.ok(p.input("a1", "inc", id=id1))
        await close_all([fac])

        await asyncio.to_thread(hub.restart, graceful=True)
        assert await p.wait_closed(timeout=20) == 1001, "SIGTERM closes sockets with 1001"
        welcome = await p.rejoin(code, hub.ws_url)
        assert welcome["state"]["views"]["a1"]["public"]["count"] == 1
        assert await p.input("a1", "inc", id=id1) == {"t": "ack", "id": id1, "seq": seq1}
        id2 = p.new_id()
        seq2 = await p.ok(p.input("a1", "inc", id=id2))

        await asyncio.to_thread(hub.restart, graceful=False)
        await p.wait_closed(timeout=20)
        welcome = await p.rejoin(code, hub.ws_url)
        assert welcome["state"]["views"]["a1"]["public"]["count"] == 2
        assert welcome["state"]["views"]["a1"]["me"] == {"mine": 2}
        assert await p.input("a1", "inc", id=id1) == {"t": "ack", "id": id1, "seq": seq1}
        assert await p.input("a1", "inc", id=id2) == {"t": "ack", "id": id2, "seq": seq2}
        seq3 = await p.ok(p.input("a1", "inc"))
        await p.wait_view("a1", check=lambda v: v["count"] == 3)
        await p.close()

        events = [e for e in hub.export(session["id"])["events"] if e.get("type") == "inc"]
        assert [e["seq"] for e in events] == [seq1, seq2, seq3]
        assert [e.get("clientId") for e in events][:2] == [id1, id2]
    run(main())


def test_bad_tokens_get_unauthorized_then_close_4003(hub):
    """Forged, tampered, foreign and garbage tokens: `error` unauthorized, then close 4003."""
    one = hub.create_session(agendas.counter_only("Token one"))
    other = hub.create_session(agendas.counter_only("Token two"))

    async def main():
        p = Client(hub.ws_url, "owner-of-token")
        await p.connect()
        await p.join(one["code"], name="P")
        good = p.token
        await p.close()
        # Flip one character of the signature at the end.
        last = good[-1]
        tampered = good[:-1] + ("A" if last != "A" else "B")
        forged = "v1.%s.p_aaaaaaaaaaaa.%s" % (one["id"], "x" * 43)
        cases = [("tampered", one["code"], tampered), ("forged", one["code"], forged),
                 ("garbage", one["code"], "not-a-token"), ("foreign session", other["code"], good)]
        for label, code, token in cases:
            c = Client(hub.ws_url, label)
            await c.connect()
            error = await c.join(code, token=token, expect="error")
            assert error["code"] == "unauthorized", (label, error)
            assert await c.wait_closed() == 4003, label
        # The good token still works afterwards.
        await p.connect()
        await p.join(one["code"], token=good)
        await p.close()
    run(main())


def test_kicked_participant_token_is_revoked(hub):
    session = hub.create_session(agendas.counter_only("Kick token"))
    code = session["code"]

    async def main():
        fac, people = await open_room(hub, code, n=2)
        victim, other = people
        try:
            await victim.ok(victim.input("a1", "inc"))
            token = victim.token
            await fac.ok(fac.command("kick", participant=victim.participant))
            assert await victim.wait_closed() == 4001
            # Kicking again changes nothing.
            assert (await fac.command("kick", participant=victim.participant))["t"] == "ack"
            await victim.connect()
            error = await victim.join(code, token=token, expect="error")
            assert error["code"] == "unauthorized"
            assert await victim.wait_closed() == 4003
            # The counter saw $leave; the room goes on.
            await fac.wait_view("a1", check=lambda v: victim.participant not in v["joined"])
            await other.ok(other.input("a1", "inc"))
            await fac.wait_view("a1", check=lambda v: v["count"] == 2)
        finally:
            await close_all([fac] + people)
    run(main())


def test_bad_facilitator_auth_is_unauthorized_and_the_connection_stays(hub):
    """A wrong `auth` is `unauthorized`, but the connection stays so the console can log in again."""
    session = hub.create_session(agendas.counter_only("Bad auth"))

    async def main():
        c = Client(hub.ws_url, "bad-auth")
        await c.connect()
        try:
            error = await c.join(session["code"], auth="hub_not-a-real-token", expect="error")
            assert error["code"] == "unauthorized"
            await c.ping()
            welcome = await c.join(session["code"], auth=hub.token)
            assert welcome["role"] == "facilitator"
        finally:
            await c.close()
    run(main())


def test_two_connections_of_one_participant_both_get_its_views(hub):
    """Phone and laptop: one participant joined twice, both see `me` and count once in the roster."""
    session = hub.create_session(agendas.counter_only("Two devices"))
    code = session["code"]

    async def main():
        fac, (phone,) = await open_room(hub, code, n=1)
        laptop = Client(hub.ws_url, "laptop")
        await laptop.connect()
        try:
            welcome = await laptop.join(code, token=phone.token)
            assert welcome["participant"] == phone.participant
            await phone.ok(phone.input("a1", "inc"))
            await asyncio.gather(phone.wait_view("a1", "me", lambda v: v == {"mine": 1}),
                                 laptop.wait_view("a1", "me", lambda v: v == {"mine": 1}))
            await fac.wait_until(lambda: fac.presence and fac.presence["count"] == 1 and fac.presence["connected"] == 2,
                                 what="presence 1 joined, 2 connected")
        finally:
            await close_all([fac, phone, laptop])
    run(main())
