"""Acceptance 1 of the hub core issue, and every facilitator command of CONTRACTS.md section 1.

A room is many independent WebSocket clients (separate from the hub process) in one session made
with `hubctl session create`. The facilitator is a WebSocket client too, joining with `auth`.
What counts is what each client ends up seeing, so the tests compare the views every client holds.
"""
import asyncio

import agendas
from hubclient import Client, HubError, close_all, join_many, run

FUNCTIONS = ["wijkbeheerder", "woonconsulent", "huismeester", "sociaal domein"]


async def facilitator(hub, code, label="fac"):
    """A facilitator connection joined to the session with the hub's login token."""
    f = Client(hub.ws_url, label)
    await f.connect()
    welcome = await f.join(code, auth=hub.token)
    assert welcome["role"] == "facilitator"
    assert "token" not in welcome and "participant" not in welcome
    return f


def public_views(client, activities):
    """The public view of each activity as this client holds it, for comparing clients."""
    return {a: client.view(a, "public") for a in activities}


def test_fifty_clients_follow_the_facilitator_and_end_with_the_same_views(hub):
    """50 participants, a facilitator and a beamer; after the facilitator walks the agenda and the
    room sends inputs, every connection holds the same public views, equal to a late joiner's."""
    session = hub.create_session(agendas.standard("Room of fifty"))
    code = session["code"]
    activities = ["a1", "a2", "a3"]

    async def main():
        fac = await facilitator(hub, code)
        room = await join_many(hub.ws_url, code, 50, fields=lambda i: {
            "name": "Deelnemer %02d" % i, "function": FUNCTIONS[i % 4], "lang": "nl"})
        beamer = Client(hub.ws_url, "beamer")
        await beamer.connect()
        assert (await beamer.join(code, **{"as": "beamer"}))["role"] == "beamer"
        everyone = room + [fac, beamer]
        try:
            ids = [c.participant for c in room]
            assert len(set(ids)) == 50 and all(i.startswith("p_") for i in ids)

            await fac.ok(fac.command("start"))
            await fac.ok(fac.command("next"))
            await asyncio.gather(*(c.wait_state(lambda s: s["status"] == "open" and s["current"]["activity"] == "a1")
                                   for c in everyone))

            # Every participant adds one on the named counter.
            seqs = await asyncio.gather(*(c.ok(c.input("a1", "inc")) for c in room))
            assert len(set(seqs)) == 50, "every accepted input gets its own seq"
            await asyncio.gather(*(c.wait_view("a1", check=lambda v: v["count"] == 50) for c in everyone))
            assert sorted(fac.view("a1")["joined"]) == sorted(ids), "the plugin saw every $join, with real ids (named)"
            # Each audience's view is its own frame: the facilitator's may follow the public one.
            await fac.wait_view("a1", "facilitator", lambda v: v["byActor"] == {i: 1 for i in ids})
            for c in room:
                await c.wait_view("a1", "me", lambda v: v == {"mine": 1})

            # The facilitator freezes a1: participants may no longer send `inc` there.
            await fac.ok(fac.command("phase", activity="a1", phase="frozen"))
            refused = await room[0].input("a1", "inc")
            assert refused["t"] == "error" and refused["code"] == "phase_forbids", refused

            # On to the echo activity; a few say something.
            await fac.ok(fac.command("next"))
            await asyncio.gather(*(c.wait_state(lambda s: s["current"]["activity"] == "a2") for c in everyone))
            for i in range(5):
                await room[i].ok(room[i].input("a2", "say", {"text": "hallo %d" % i}))
            # Jump to the last activity and count by twos, then back and forth.
            await fac.ok(fac.command("goto", activity="a3"))
            await asyncio.gather(*(c.wait_state(lambda s: s["current"]["activity"] == "a3") for c in everyone))
            await asyncio.gather(*(c.ok(c.input("a3", "inc")) for c in room[:25]))
            await fac.ok(fac.command("prev"))
            await asyncio.gather(*(c.wait_state(lambda s: s["current"]["activity"] == "a2") for c in everyone))
            await fac.ok(fac.command("goto", activity="a3"))
            await asyncio.gather(*(c.wait_state(lambda s: s["current"] == {"activity": "a3", "phase": "counting"})
                                   for c in everyone))

            expected = {
                "a1": {"count": 50, "revealed": False, "phase": "frozen", "joined": ids, "notes": []},
                "a2": {"last": "hallo 4", "n": 5},
            }
            await asyncio.gather(*(c.wait_view("a3", check=lambda v: v["count"] == 50) for c in everyone))
            await asyncio.gather(*(c.wait_view("a2", check=lambda v: v == expected["a2"]) for c in everyone))
            await asyncio.gather(*(c.wait_view("a1", check=lambda v: v["phase"] == "frozen") for c in everyone))

            reference = public_views(fac, activities)
            assert reference["a1"]["count"] == 50 and sorted(reference["a1"]["joined"]) == sorted(ids)
            assert reference["a2"] == expected["a2"]
            for c in everyone:
                assert public_views(c, activities) == reference, "%s differs" % c.label
                assert c.state["agenda"] == fac.state["agenda"], "%s sees another agenda" % c.label
                assert not c.out_of_order, "%s got views older than ones it had: %s" % (c.label, c.out_of_order[:2])

            # A late joiner's welcome shows the same room.
            late = Client(hub.ws_url, "late")
            await late.connect()
            welcome = await late.join(code, name="Laat")
            assert welcome["state"]["current"] == {"activity": "a3", "phase": "counting"}
            # Its own join is an event too: every counter has one more `joined` entry, the rest is equal.
            seen = {a: dict(welcome["state"]["views"][a]["public"]) for a in activities}
            assert seen["a2"] == reference["a2"]
            for a in ("a1", "a3"):
                assert seen[a].pop("joined")[:-1] == reference[a]["joined"]
                assert seen[a] == {k: v for k, v in reference[a].items() if k != "joined"}
            everyone.append(late)
        finally:
            await close_all(everyone)
    run(main())


def test_acks_come_before_the_views_that_reflect_them(hub):
    """CONTRACTS.md: an ack is sent only after durability and before any view reflecting it."""
    session = hub.create_session(agendas.counter_only("Ack order"))

    async def main():
        fac = await facilitator(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="P")
        try:
            await fac.ok(fac.command("start"))
            await fac.ok(fac.command("next"))
            for _ in range(5):
                id = await p.send_input("a1", "inc")
                seq = await p.ok(p.reply(id))
                ack_at = next(i for i, f in enumerate(p.frames) if f.get("t") == "ack" and f.get("id") == id)
                first_view = next((i for i, f in enumerate(p.frames)
                                   if f.get("t") == "view" and f.get("seq", 0) >= seq), None)
                assert first_view is None or first_view > ack_at
            await p.wait_view("a1", check=lambda v: v["count"] == 5)
        finally:
            await close_all([fac, p])
    run(main())


def test_welcome_holds_exactly_the_audiences_of_each_connection_role(hub):
    """Participants get public, their group and `me`; facilitators public and facilitator; beamers public."""
    session = hub.create_session(agendas.standard("Audiences"))
    code = session["code"]

    async def main():
        fac = await facilitator(hub, code)
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(code, name="P")
        q = Client(hub.ws_url, "q")
        await q.connect()
        await q.join(code, name="Q")
        beamer = Client(hub.ws_url, "beamer")
        await beamer.connect()
        try:
            await fac.ok(fac.command("start"))
            await fac.ok(fac.command("next"))
            await p.wait_state(lambda s: s["current"]["activity"] == "a1")
            await p.ok(p.input("a1", "inc"))
            await fac.ok(fac.command("groups", mode="manual", assignments={"g1": [p.participant], "g2": [q.participant]}))
            await p.wait_view("a1", "group:g1", lambda v: v == {"groupCount": 1})
            await fac.wait_view("a1", "facilitator", lambda v: v["count"] == 1)

            welcomes = {}
            for who, fields in (("participant", {"token": p.token}), ("facilitator", {"auth": hub.token}),
                                ("beamer", {"as": "beamer"})):
                c = Client(hub.ws_url, "again-" + who)
                await c.connect()
                welcomes[who] = await c.join(code, **fields)
                await c.close()

            views = welcomes["participant"]["state"]["views"]
            assert set(views) == {"a1", "a2", "a3"}, "welcome.views holds every activity of the agenda"
            assert set(views["a1"]) == {"public", "group:g1", "me"}, views["a1"]
            assert views["a1"]["me"] == {"mine": 1} and views["a1"]["group:g1"] == {"groupCount": 1}
            assert welcomes["participant"]["state"]["groups"] == "g1"

            views = welcomes["facilitator"]["state"]["views"]
            assert set(views["a1"]) == {"public", "facilitator"}, views["a1"]
            assert welcomes["facilitator"]["state"]["groups"] == {"g1": [p.participant], "g2": [q.participant]}

            welcome = welcomes["beamer"]
            assert welcome["role"] == "beamer" and "participant" not in welcome and "token" not in welcome
            assert all(set(v) <= {"public"} for v in welcome["state"]["views"].values())
            # Live views follow the same rule: nobody but q's group sees group:g2.
            for c in (p, fac):
                assert all(aud in {"public", "group:g1", "me", "facilitator"} for aud in c.audiences()), c.audiences()
            assert not any(aud.startswith("group:") for aud in fac.audiences())
            assert not any(aud == "facilitator" for aud in p.audiences())
        finally:
            await close_all([fac, p, q, beamer])
    run(main())


def test_every_facilitator_command(hub):
    """start, goto, next, prev (at both ends), phase, inputs, reveal, reorder, groups (four modes),
    ungroup, kick and close, each with its visible effect and the documented refusals."""
    session = hub.create_session(agendas.standard("All commands"))
    code = session["code"]

    async def main():
        fac = await facilitator(hub, code)
        people = await join_many(hub.ws_url, code, 6, fields=lambda i: {
            "name": "P%d" % i, "function": ["wijkbeheerder", "huismeester", "woonconsulent"][i // 2],
            "org": ["Ymere", "Eigen Haard", "Rochdale"][i % 3]})
        ids = [c.participant for c in people]
        everyone = people + [fac]
        try:
            def code_of(reply):
                assert reply["t"] == "error", reply
                return reply["code"]

            # start: draft -> open; again: nothing to change, acked with the current seq.
            start_seq = await fac.ok(fac.command("start"))
            assert await fac.ok(fac.command("start")) == start_seq
            await fac.wait_state(lambda s: s["status"] == "open")

            # prev with nothing current, next from none takes the first, prev at the first, next at the last.
            assert code_of(await fac.command("prev")) == "activity_not_found"
            await fac.ok(fac.command("next"))
            await fac.wait_state(lambda s: s["current"] == {"activity": "a1", "phase": "counting"})
            assert code_of(await fac.command("prev")) == "activity_not_found"
            await fac.ok(fac.command("goto", activity="a3"))
            assert code_of(await fac.command("next")) == "activity_not_found"
            await fac.ok(fac.command("prev"))
            await fac.wait_state(lambda s: s["current"]["activity"] == "a2")
            assert code_of(await fac.command("goto", activity="a9")) == "activity_not_found"
            # goto to the current activity changes nothing: acked with the session's current seq.
            seq = await fac.ok(fac.command("goto", activity="a1"))
            assert await fac.ok(fac.command("goto", activity="a1")) == seq
            for c in everyone:
                await c.wait_state(lambda s: s["current"]["activity"] == "a1")

            # phase: the plugin receives $phase; the agenda and `current` show it; the gate applies.
            await fac.ok(fac.command("phase", activity="a1", phase="frozen"))
            await people[0].wait_state(lambda s: s["current"] == {"activity": "a1", "phase": "frozen"})
            await people[0].wait_view("a1", check=lambda v: v["phase"] == "frozen")
            assert [a["phase"] for a in people[0].state["agenda"]] == ["frozen", "open", "counting"]
            assert code_of(await people[0].input("a1", "inc")) == "phase_forbids"
            assert (await fac.input("a1", "reset"))["t"] == "ack", "the frozen phase lets the facilitator reset"
            assert code_of(await fac.command("phase", activity="a1", phase="no-such-phase")) == "bad_message"
            assert code_of(await fac.command("phase", activity="a7", phase="frozen")) == "activity_not_found"
            await fac.ok(fac.command("phase", activity="a1", phase="counting"))

            # inputs: closes input without changing the phase.
            await fac.ok(fac.command("inputs", activity="a1", open=False))
            await people[1].wait_state(lambda s: s["agenda"][0]["inputsOpen"] is False)
            assert people[1].state["agenda"][0]["phase"] == "counting"
            assert code_of(await people[1].input("a1", "inc")) == "activity_closed"
            seq = await fac.ok(fac.command("inputs", activity="a1", open=True))
            assert await fac.ok(fac.command("inputs", activity="a1", open=True)) == seq, "already open: not logged"
            await people[1].wait_state(lambda s: s["agenda"][0]["inputsOpen"] is True)
            await people[1].ok(people[1].input("a1", "inc"))

            # reveal: the plugin receives $reveal.
            await fac.ok(fac.command("reveal", activity="a1"))
            for c in everyone:
                await c.wait_view("a1", check=lambda v: v["revealed"] is True)

            # reorder: ids stay, next/prev follow the new order; a non-permutation is bad_message.
            await fac.ok(fac.command("reorder", order=["a3", "a1", "a2"]))
            await people[2].wait_state(lambda s: [a["id"] for a in s["agenda"]] == ["a3", "a1", "a2"])
            await fac.ok(fac.command("next"))
            await fac.wait_state(lambda s: s["current"]["activity"] == "a2")
            await fac.ok(fac.command("prev"))
            await fac.ok(fac.command("prev"))
            await fac.wait_state(lambda s: s["current"]["activity"] == "a3")
            assert code_of(await fac.command("prev")) == "activity_not_found"
            assert code_of(await fac.command("reorder", order=["a3", "a1"])) == "bad_message"
            assert code_of(await fac.command("reorder", order=["a3", "a1", "a1"])) == "bad_message"
            await fac.ok(fac.command("reorder", order=["a1", "a2", "a3"]))
            await fac.ok(fac.command("goto", activity="a1"))

            # groups: random.
            await fac.ok(fac.command("groups", mode="random", size=2))
            groups = await fac.wait_state(lambda s: len(s["groups"] or {}) == 3)
            groups = groups["groups"]
            assert sorted(groups) == ["g1", "g2", "g3"]
            assert sorted(sum(groups.values(), [])) == sorted(ids)
            assert all(len(m) == 2 for m in groups.values())
            for c in people:
                own = next(g for g, members in groups.items() if c.participant in members)
                await c.wait_state(lambda s, own=own: s["groups"] == own)
                await c.wait_view("a1", "group:" + own)
                assert not any(a.startswith("group:") and a != "group:" + own for a in c.audiences())

            # groups: function and org spread each kind evenly, so no group holds two of one kind.
            functions = {c.participant: ["wijkbeheerder", "huismeester", "woonconsulent"][i // 2]
                         for i, c in enumerate(people)}
            orgs = {c.participant: ["Ymere", "Eigen Haard", "Rochdale"][i % 3] for i, c in enumerate(people)}
            for mode, kind_of in (("function", functions), ("org", orgs)):
                before = fac.state_seq
                await fac.ok(fac.command("groups", mode=mode, size=2))
                state = await fac.wait_state(lambda s, before=before: fac.state_seq > before and len(s["groups"]) == 3)
                groups = state["groups"]
                assert sorted(sum(groups.values(), [])) == sorted(ids), mode
                for g, members in groups.items():
                    kinds = [kind_of[m] for m in members]
                    assert len(set(kinds)) == len(kinds), "%s groups should be mixed: %s" % (mode, groups)

            # groups: manual, exactly as given; an unknown participant is bad_message.
            assignment = {"g1": ids[:2], "g2": [ids[2]]}
            await fac.ok(fac.command("groups", mode="manual", assignments=assignment))
            await fac.wait_state(lambda s: s["groups"] == assignment)
            await people[5].wait_state(lambda s: s["groups"] is None)
            await people[2].wait_state(lambda s: s["groups"] == "g2")
            bad = await fac.command("groups", mode="manual", assignments={"g1": ["p_nobodyhere00"]})
            assert code_of(bad) == "bad_message"
            assert code_of(await fac.command("groups", mode="sideways", size=2)) == "bad_message"
            assert code_of(await fac.command("groups", mode="random")) == "bad_message"

            # ungroup; again changes nothing.
            seq = await fac.ok(fac.command("ungroup"))
            await fac.wait_state(lambda s: s["groups"] == {})
            await people[0].wait_state(lambda s: s["groups"] is None)
            assert await fac.ok(fac.command("ungroup")) == seq

            # kick: 4001 for the kicked one, $leave for the plugin, gone from roster and presence.
            victim = people[5]
            await fac.ok(fac.command("kick", participant=victim.participant))
            assert await victim.wait_closed() == 4001
            for c in people[:5] + [fac]:
                await c.wait_view("a1", check=lambda v: victim.participant not in v["joined"])
            await fac.wait_until(lambda: fac.roster and victim.participant not in
                                 [p["id"] for p in fac.roster["participants"]], what="roster without the kicked one")
            await fac.wait_until(lambda: fac.presence and fac.presence["count"] == 5, what="presence count 5")
            assert code_of(await fac.command("kick", participant="p_nobodyhere00")) == "bad_message"

            # unknown command type; close; afterwards every command is session_closed.
            assert code_of(await fac.command("dance")) == "unknown_type"
            await fac.ok(fac.command("close"))
            for c in people[:5] + [fac]:
                await c.wait_state(lambda s: s["status"] == "closed")
            assert code_of(await fac.command("goto", activity="a2")) == "session_closed"
            assert code_of(await people[0].input("a1", "inc")) == "session_closed"
        finally:
            await close_all(everyone)
    run(main())


def test_presence_and_roster(hub):
    """presence goes to everyone (byFunction and byGroup to facilitators only), roster to facilitators;
    both follow joins, disconnects and rejoins."""
    session = hub.create_session(agendas.standard("Presence"))
    code = session["code"]

    async def main():
        fac = await facilitator(hub, code)
        people = await join_many(hub.ws_url, code, 3, fields=lambda i: {
            "name": "N%d" % i, "function": ["wijkbeheerder", "wijkbeheerder", "huismeester"][i], "org": "Org%d" % i})
        beamer = Client(hub.ws_url, "beamer")
        await beamer.connect()
        await beamer.join(code, **{"as": "beamer"})
        try:
            await fac.wait_until(lambda: fac.presence and fac.presence["count"] == 3 and fac.presence["connected"] == 3,
                                 what="presence 3/3")
            assert fac.presence["byFunction"] == {"wijkbeheerder": 2, "huismeester": 1}
            assert "byGroup" in fac.presence
            await people[0].wait_until(lambda: people[0].presence and people[0].presence["count"] == 3, what="presence")
            assert "byFunction" not in people[0].presence and "byGroup" not in people[0].presence

            await fac.wait_until(lambda: fac.roster and len(fac.roster["participants"]) == 3, what="roster of 3")
            rows = {r["id"]: r for r in fac.roster["participants"]}
            assert rows[people[2].participant] == {"id": people[2].participant, "name": "N2", "function": "huismeester",
                                                   "org": "Org2", "group": None, "connected": True}
            assert all(f.get("t") != "roster" for f in people[0].frames), "roster is for facilitators only"
            assert all(f.get("t") != "roster" for f in beamer.frames)

            # A participant drops: connected goes down, count stays, the roster says so.
            await people[1].close()
            await fac.wait_until(lambda: fac.presence["connected"] == 2 and fac.presence["count"] == 3,
                                 what="presence 3 joined, 2 connected")
            await fac.wait_until(lambda: any(r["id"] == people[1].participant and r["connected"] is False
                                             for r in fac.roster["participants"]), what="roster shows the drop")
            # And comes back with its token: same row, connected again, no new participant.
            await people[1].rejoin(code)
            await fac.wait_until(lambda: fac.presence["connected"] == 3 and fac.presence["count"] == 3,
                                 what="presence back to 3/3")
            await fac.wait_until(lambda: len(fac.roster["participants"]) == 3 and all(
                r["connected"] for r in fac.roster["participants"]), what="roster all connected")
            # Groups show in byGroup and in the roster.
            await fac.ok(fac.command("groups", mode="manual", assignments={"g1": [people[0].participant]}))
            await fac.wait_until(lambda: fac.presence.get("byGroup") == {"g1": 1}, what="byGroup")
            await fac.wait_until(lambda: any(r["group"] == "g1" for r in fac.roster["participants"]), what="roster group")
        finally:
            await close_all(people + [fac, beamer])
    run(main())


def test_beamer_is_read_only(hub):
    """A beamer gets public views and may not send inputs or commands."""
    session = hub.create_session(agendas.standard("Beamer"))

    async def main():
        fac = await facilitator(hub, session["code"])
        beamer = Client(hub.ws_url, "beamer")
        await beamer.connect()
        try:
            await beamer.join(session["code"], **{"as": "beamer"})
            await fac.ok(fac.command("start"))
            await fac.ok(fac.command("next"))
            await beamer.wait_state(lambda s: s["current"]["activity"] == "a1")
            reply = await beamer.input("a1", "inc")
            assert reply["t"] == "error" and reply["code"] == "forbidden", reply
            reply = await beamer.command("next")
            assert reply["t"] == "error" and reply["code"] == "forbidden", reply
            await beamer.ping()
        finally:
            await close_all([fac, beamer])
    run(main())


def test_two_plugins_serve_one_session_side_by_side(hub):
    """counter and echo run as separate processes; each activity keeps its own views."""
    session = hub.create_session(agendas.standard("Side by side"))

    async def main():
        fac = await facilitator(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"])
        try:
            await fac.ok(fac.command("start"))
            await fac.ok(fac.command("goto", activity="a2"))
            await p.wait_state(lambda s: s["current"]["activity"] == "a2")
            await p.ok(p.input("a2", "say", {"text": "één"}))
            await p.ok(p.input("a2", "say", {"text": "twee"}))
            await fac.wait_view("a2", check=lambda v: v == {"last": "twee", "n": 2})
            assert fac.view("a1")["count"] == 0 and fac.view("a3")["count"] == 0
            # Input types belong to their plugin's phases: `inc` is no echo input.
            reply = await p.input("a2", "inc")
            assert reply["t"] == "error" and reply["code"] == "phase_forbids", reply
            status, body = hub.api("GET", "/api/v1/plugins")
            assert status == 200
            names = {x["name"] for x in body["plugins"]}
            assert {"counter", "echo"} <= names, body
        finally:
            await close_all([fac, p])
    run(main())

