"""Participants who continue across a series, and trios (issue 18, acceptance 2; docs/SERIES.md "Participants who
continue" and "Trios"): three participants opt in at their first join and continue across sessions 1 and 2 with one
identity (the same participant id, their attendance in `series show`); their trio is formed once in session 2 and kept
with the series, and session 3 forms its trios around it; a participant who did not opt in is a new participant each
time; a forged, another series' or a rejoin token as `seriesToken` is refused with `unauthorized` (`series_token`)."""
import asyncio

import pytest

from conftest import shipped_hub
from hubclient import Client, HubError, close_all, run

SERIES = """title: Leerkring Trio
kind: leerkring
start: 2027-02-01
sessions:
  - session: Startsessie
    agenda:
      - id: wie
        plugin: checkin
        title: Wie zijn we?
  - session: Lokale sessie 1
    week: 4
    agenda:
      - id: trio
        plugin: timer
        title: In trio's
        groups: { mode: trio }
        config: { minutes: 5 }
  - session: Lokale sessie 2
    week: 8
    agenda:
      - id: intervisie
        plugin: timer
        title: Intervisie in trio's
        groups: { mode: trio }
        config: { minutes: 5 }
"""

OTHER = """title: Andere reeks
kind: werkplaats
sessions:
  - session: Enige
    agenda:
      - plugin: checkin
        title: Hoe gaat het?
"""


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("series-participants", ("checkin", "timer")) as h:
        yield h


def create(hub, name, text):
    path = hub.dir / name
    path.write_text(text, encoding="utf-8")
    return hub.hubctl_json("series", "create", "--file", path)


async def joined(hub, code, label, **fields):
    c = Client(hub.ws_url, label)
    await c.connect()
    welcome = await c.join(code, **fields)
    return c, welcome


async def refused(hub, code, token):
    c = Client(hub.ws_url, "forger")
    await c.connect()
    try:
        error = await c.join(code, expect="error", seriesToken=token)
        assert error["code"] == "unauthorized" and error.get("detail") == "series_token" and error.get("message"), error
        # Nobody joined, and the connection stays (the page joins again without the token, as a new participant).
        await c.ping()
        assert c.participant is None
    finally:
        await c.close()


def test_three_continue_with_one_identity_their_trio_is_kept_and_a_guest_is_new_each_time(hub):
    series = create(hub, "trio.yaml", SERIES)
    first, second, third = series["sessions"]
    other = create(hub, "other.yaml", OTHER)
    info = hub.api("GET", "/api/v1/join/%s" % second["code"], token=None)[1]
    assert info["series"] == {"id": series["id"], "title": "Leerkring Trio"} and info["trios"] is True, info
    # The startsessie forms no trios itself, but its series does: the join page asks the domain there too.
    assert hub.api("GET", "/api/v1/join/%s" % first["code"], token=None)[1].get("trios") is True

    domains = {"anna": "fysiek", "bram": "sociaal", "cato": "informeel"}

    async def scenario():
        fac = Client(hub.ws_url, "fac")
        await fac.connect()
        clients = [fac]
        try:
            # Session 1: three opt in (with their domain), a guest does not; a bad domain is refused.
            await fac.join(first["code"], auth=hub.token)
            await fac.ok(fac.command("start"))
            bad = Client(hub.ws_url, "bad")
            await bad.connect()
            clients.append(bad)
            error = await bad.join(first["code"], expect="error", series=True, domain="wijk")
            assert error["code"] == "bad_message" and "domain" in error["message"], error
            ids, tokens = {}, {}
            for name, domain in domains.items():
                c, w = await joined(hub, first["code"], name, name=name.title(), series=True, domain=domain)
                clients.append(c)
                ids[name], tokens[name] = w["participant"], w["seriesToken"]
                assert tokens[name].startswith("s1.") and w["token"] != tokens[name]
            guest, gw = await joined(hub, first["code"], "guest", name="Gast")
            clients.append(guest)
            assert "seriesToken" not in gw
            guest_ids = [gw["participant"]]
            # The series token in the session they joined already is a rejoin: same id, no second join.
            again, aw = await joined(hub, first["code"], "anna-again", seriesToken=tokens["anna"])
            clients.append(again)
            assert aw["participant"] == ids["anna"]
            presence = await fac.wait_frame(lambda f: f.get("t") == "presence" and f.get("count") == 4)
            assert presence["byDomain"] == {"fysiek": 1, "sociaal": 1, "informeel": 1, "": 1}, presence
            await close_all(clients[1:])
            clients = [fac]
            await fac.close()

            # Session 2: they continue with their series token, the guest joins anew; the trio forms when the
            # trio activity becomes current.
            fac = Client(hub.ws_url, "fac2")
            await fac.connect()
            clients = [fac]
            await fac.join(second["code"], auth=hub.token)
            await fac.ok(fac.command("start"))
            for name in domains:
                c, w = await joined(hub, second["code"], name, seriesToken=tokens[name])
                clients.append(c)
                assert w["participant"] == ids[name] and w["seriesToken"] == tokens[name]
                # Per-activity anonymity is unchanged: the (pseudonymous) activity knows them by a pseudonym.
                assert w["aliases"]["trio"] != ids[name], w["aliases"]
            # A forged token, another series' token and a rejoin token are refused and join as nobody's identity.
            forged = tokens["anna"][:-2] + ("AA" if not tokens["anna"].endswith("AA") else "BA")
            for bad_token in (forged, "s1.eA.%s.AAAA" % ids["anna"]):
                await refused(hub, second["code"], bad_token)
            o, ow = await joined(hub, other["sessions"][0]["code"], "other", series=True)
            clients.append(o)
            await refused(hub, second["code"], ow["seriesToken"])
            await refused(hub, second["code"], gw["token"])
            await fac.ok(fac.command("goto", activity="trio"))
            await fac.wait_state(lambda s: s["current"]["activity"] == "trio")
            groups = fac.state["groups"]
            assert sorted(map(sorted, groups.values())) == [sorted(ids.values())], groups
            guest2, g2 = await joined(hub, second["code"], "guest2", name="Gast")
            clients.append(guest2)
            guest_ids.append(g2["participant"])
            await close_all(clients[1:])
            clients = [fac]
            await fac.close()

            # Session 3: the three again, three newcomers who opt in, and the guest: the kept trio is together
            # again (as g1), the newcomers form a trio of their own, one fysiek, one sociaal, one informeel.
            fac = Client(hub.ws_url, "fac3")
            await fac.connect()
            clients = [fac]
            await fac.join(third["code"], auth=hub.token)
            await fac.ok(fac.command("start"))
            for name in domains:
                c, w = await joined(hub, third["code"], name, seriesToken=tokens[name])
                clients.append(c)
                assert w["participant"] == ids[name]
            new_ids = []
            for i, domain in enumerate(["sociaal", "informeel", "fysiek"]):
                c, w = await joined(hub, third["code"], "nieuw%d" % i, series=True, domain=domain)
                clients.append(c)
                new_ids.append(w["participant"])
            await fac.ok(fac.command("goto", activity="intervisie"))
            await fac.wait_state(lambda s: s["current"]["activity"] == "intervisie")
            groups = fac.state["groups"]
            assert sorted(groups["g1"]) == sorted(ids.values()) and sorted(groups["g2"]) == sorted(new_ids), groups
            assert len(groups) == 2, groups
            guest3, g3 = await joined(hub, third["code"], "guest3")
            clients.append(guest3)
            guest_ids.append(g3["participant"])
            roster = await fac.wait_frame(lambda f: f.get("t") == "roster" and len(f["participants"]) == 7)
            assert {p["id"]: p.get("domain") for p in roster["participants"]}[ids["bram"]] == "sociaal"
            return ids, new_ids, guest_ids
        finally:
            await close_all(clients)

    ids, new_ids, guest_ids = run(scenario())

    # The guest was a new participant each time; only those who opted in continue.
    assert len(set(guest_ids)) == 3 and not set(guest_ids) & set(ids.values())
    shown = hub.hubctl_json("series", "show", series["id"])
    people = {p["id"]: p for p in shown["seriesParticipants"]}
    assert set(people) == set(ids.values()) | set(new_ids), people
    for name, pid in ids.items():
        assert people[pid]["sessions"] == [1, 2, 3] and people[pid]["attended"] == 3, people[pid]
        assert people[pid]["domain"] == domains[name] and people[pid]["trio"] == "t1"
    assert all(people[p]["sessions"] == [3] and people[p]["trio"] == "t2" for p in new_ids)
    assert shown["trios"] == [{"trio": "t1", "members": sorted(ids.values(), key=lambda p: list(people).index(p))},
                              {"trio": "t2", "members": [p for p in people if p in new_ids]}]
    assert [s["seriesParticipants"] for s in shown["sessions"]] == [3, 3, 6]
    assert [s["attendance"] for s in shown["sessions"]] == [4, 4, 7]
    text = hub.hubctl("series", "show", series["id"]).stdout
    assert ("deelnemer %s  (sociaal, trio t1)  sessies 1, 2, 3" % ids["bram"]) in text, text
    # The series report counts them, without names.
    status, md = hub.api("GET", "/api/v1/series/%s/report?format=md" % series["id"])
    assert status == 200 and "Deelnemers die doorgaan" in md and "3 deelnemers bij 3 bijeenkomst(en)" in md, md
    assert "Anna" not in md and "2 trio('s)" in md
