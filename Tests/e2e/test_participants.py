"""Issue 13, finding 9: fake participants. A session holds at most --max-participants (then
`session_full`), and a facilitator can ask for `roster-diff` instead of the whole roster every
second (docs/PROTOCOL.md "roster-diff").
"""
import pytest

import agendas
from hubclient import Client, close_all, run
from hubprocess import HubFailed, finish, new_hub


@pytest.fixture(scope="module")
def small_hub(request):
    """A hub whose sessions take at most five participants."""
    try:
        h = new_hub(request.module.__name__ + ".small", serve_args=["--max-participants", "5"])
    except HubFailed as e:
        pytest.fail(str(e), pytrace=False)
    yield h
    finish(h)


def test_sixth_participant_gets_session_full_and_rejoins_still_work(small_hub):
    hub = small_hub
    session = hub.create_session(agendas.standard("Full room"))
    code = session["code"]

    async def go():
        people = []
        for i in range(5):
            c = Client(hub.ws_url, "p%d" % i)
            await c.connect()
            await c.join(code, name="P%d" % i)
            people.append(c)
        extra = Client(hub.ws_url, "extra")
        await extra.connect()
        err = await extra.join(code, expect="error", name="Six", lang="nl")
        assert err["code"] == "session_full", err
        assert err["message"] and "vol" in err["message"], err
        # The connection stays: it can still ping.
        await extra.ping()
        # A participant already in the session rejoins with its token past the cap.
        token, pid = people[0].welcome["token"], people[0].welcome["participant"]
        await people[0].close()
        again = Client(hub.ws_url, "again")
        await again.connect()
        w = await again.join(code, token=token)
        assert w["participant"] == pid
        # Facilitators and beamers are never refused for it.
        fac = Client(hub.ws_url, "fac")
        await fac.connect()
        await fac.join(code, auth=hub.token)
        beamer = Client(hub.ws_url, "beamer")
        await beamer.connect()
        await beamer.join(code, **{"as": "beamer"})
        await close_all(people[1:] + [extra, again, fac, beamer])
    run(go())


def apply_diff(roster, diff):
    """What a client does with a roster-diff (docs/PROTOCOL.md)."""
    roster = list(roster)
    at = {p["id"]: i for i, p in enumerate(roster)}
    for p in diff["upsert"]:
        if p["id"] in at:
            roster[at[p["id"]]] = p
        else:
            at[p["id"]] = len(roster)
            roster.append(p)
    gone = set(diff["remove"])
    return [p for p in roster if p["id"] not in gone]


def test_roster_diff_keeps_a_facilitator_in_step_with_the_full_roster(hub):
    """Two facilitators, one with `features: ["roster-diff"]`: after joins, a disconnect, groups and a
    kick, the diffs applied to the first roster equal the full roster the other one gets."""
    session = hub.create_session(agendas.standard("Roster diff"))
    code = session["code"]

    async def go():
        full = Client(hub.ws_url, "full")
        await full.connect()
        await full.join(code, auth=hub.token)
        diffs = Client(hub.ws_url, "diffs")
        await diffs.connect()
        await diffs.join(code, auth=hub.token, features=["roster-diff", "some-future-thing"])
        base = await diffs.wait_frame(lambda f: f.get("t") == "roster", what="the base roster")

        def current_diffs():
            return [f for f in diffs.frames if f.get("t") == "roster-diff"]
        people = []
        for i in range(6):
            c = Client(hub.ws_url, "p%d" % i)
            await c.connect()
            await c.join(code, name="P%d" % i, function="f%d" % (i % 2))
            people.append(c)
        await people[5].close()
        await full.ok(full.command("start"))
        await full.ok(full.command("groups", mode="random", size=2))
        kicked = people[0].welcome["participant"]
        # Wait until the diffs have shown the one to be kicked, so that its kick must be a `remove`.
        await diffs.wait_until(lambda: any(p["id"] == kicked for d in current_diffs() for p in d["upsert"]), what="kicked one upserted")
        await full.ok(full.command("kick", participant=kicked))

        def full_now():
            rosters = [f for f in full.frames if f.get("t") == "roster"]
            return rosters[-1]["participants"] if rosters else None

        # The kick must be in the full roster first: until then both may agree on the roster before it. A
        # client's wait wakes on its own frames only, so each is waited for on its own connection.
        await full.wait_until(lambda: (lambda want: want is not None and len(want) == 5 and kicked not in [p["id"] for p in want])(full_now()),
                              what="the full roster without the kicked one", timeout=30)

        def in_step():
            roster = base["participants"]
            for d in current_diffs():
                roster = apply_diff(roster, d)
            # The full roster as of the last event; connection changes after it show in both.
            return roster == full_now()
        await diffs.wait_until(in_step, what="roster-diff applied == full roster", timeout=30)
        assert not [f for f in diffs.frames if f.get("t") == "roster" and f is not base], \
            "a roster-diff connection gets the full roster only once"
        assert any(d["remove"] == [kicked] for d in current_diffs()), ("the kick is a remove", kicked, current_diffs())
        # Every diff is smaller than the whole list would be.
        assert all(len(d["upsert"]) <= 6 for d in current_diffs())
        await close_all(people[1:5] + [full, diffs])
    run(go())


def test_features_must_be_a_list_of_strings(hub):
    session = hub.create_session(agendas.standard("Features"))

    async def go():
        c = Client(hub.ws_url, "bad")
        await c.connect()
        err = await c.join(session["code"], expect="error", features="roster-diff")
        assert err["code"] == "bad_message", err
        await c.close()
    run(go())
