"""Acceptance of the shared-goals plugin (issue 19), against the real hub and the shipped `plugins/shared-goals`.

Here: every refusal code of docs/SHARED-GOALS.md, sent as an attacker would (wrong types, huge and unknown ids,
marking your own goal or your own party's, marking twice, unknown fields, too many goals, inputs after publish),
config errors at session creation, anonymity (1); a recorded session that replays byte for byte to the views and
outputs the room had, and a hub restart that gives every audience its views back (2). The run with 20
participants and a Chromium facilitator, the phone at 360 px with the keyboard alone, nl and en, and the CSP are
in browser/test_shared_goals_browser.py.
"""
import asyncio
import json
import re
import subprocess
import sys

import pytest

from conftest import REPO, shipped_hub
from hubclient import Client, close_all, run
from plugintest import gated, recording_hub, refused, room


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("module", ("shared-goals",)) as h:
        yield h


def agenda(config, anonymity=None, title="Verkennend gesprek"):
    lines = ["series: e2e", "session: %s" % json.dumps(title), "lang: nl", "agenda:", "  - plugin: shared-goals", "    title: Gedeelde doelen"]
    if anonymity:
        lines.append("    anonymity: %s" % anonymity)
    lines.append("    config: %s" % json.dumps(config, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def phase(fac, name):
    return fac.ok(fac.command("phase", activity="a1", phase=name))


# ---- 1: refusals -------------------------------------------------------------------------------------------


def test_every_refusal_has_its_code_and_nothing_refused_reaches_the_log(hub):
    session = hub.create_session(agenda({"threshold": 2, "maxGoals": 2, "maxLength": 40}), name="rules.yaml")
    sid = session["id"]

    async def main():
        fac, (p0, p1, p2, p3) = await room(hub, session["code"], 4)
        a = "a1"
        try:
            # A party first: from the list, with an organisation of at most 80 characters.
            refused(await p0.input(a, "goal", {"text": "Schone straten"}), "no_party")
            for role in ("koning", 7, None, ["bewoner"], {"id": "bewoner"}, "b" * 5000, ""):
                refused(await p0.input(a, "party", {"role": role}), "unknown_role")
            refused(await p0.input(a, "party", {"role": "bewoner", "org": "x" * 81}), "too_long")
            refused(await p0.input(a, "party", {"role": "bewoner", "org": 5}), "bad_text")
            refused(await p0.input(a, "party", {"role": "bewoner", "vote": 1}), "bad_payload")
            await p0.ok(p0.input(a, "party", {"role": "gemeente"}))
            await p0.ok(p0.input(a, "party", {"role": "bewoner"}))  # changed before writing anything: fine
            await p1.ok(p1.input(a, "party", {"role": "corporatie", "org": "  Woon\u0007stad "}))
            await p2.ok(p2.input(a, "party", {"role": "bewoner"}))  # the same party as p0
            await p3.ok(p3.input(a, "party", {"role": "welzijn", "org": "Swel"}))
            me = await p1.wait_view(a, "me", check=lambda v: v.get("party"))
            assert me["party"] == {"role": "corporatie", "org": "Woon stad"}, me

            # Goals: text of the right size, a known kind, at most maxGoals each, no duplicates of your own.
            first = await p0.ok(p0.input(a, "goal", {"text": "  Schone\nstraten  "}))
            for text in (None, 12, ["x"], {"nl": "x"}):
                refused(await p1.input(a, "goal", {"text": text}), "bad_text")
            refused(await p1.input(a, "goal", {}), "bad_text")
            refused(await p1.input(a, "goal", {"text": "   "}), "empty")
            refused(await p1.input(a, "goal", {"text": "x" * 41}), "too_long")
            refused(await p1.input(a, "goal", {"text": "x" * 60_000}), "too_long")
            for kind in ("droom", "", 1, True, None):
                refused(await p1.input(a, "goal", {"text": "Meer groen", "kind": kind}), "bad_kind")
            refused(await p1.input(a, "goal", {"text": "Meer groen", "author": "p0"}), "bad_payload")
            await p1.ok(p1.input(a, "goal", {"text": "Meer groen", "kind": "wish"}))
            refused(await p1.input(a, "goal", {"text": "MEER  groen"}), "duplicate_goal")
            await p1.ok(p1.input(a, "goal", {"text": "Veilige stoep"}))
            refused(await p1.input(a, "goal", {"text": "Nog een"}), "too_many_goals")
            await p3.ok(p3.input(a, "goal", {"text": "Minder eenzaamheid"}))
            refused(await p0.input(a, "party", {"role": "gemeente"}), "party_locked")
            goals = (await p0.wait_view(a, check=lambda v: len(v["goals"]) == 4))["goals"]
            ids = {g["text"]: g["id"] for g in goals}
            assert set(ids) == {"Schone straten", "Meer groen", "Veilige stoep", "Minder eenzaamheid"}, ids
            # Withdraw: your own goals only; ids of any type or size are unknown.
            refused(await p0.input(a, "withdraw", {"goal": ids["Meer groen"]}), "not_yours")
            for goal in ("g999", 2 ** 63, 1e308, -1, None, ["g1"], "g" * 5000):
                refused(await p0.input(a, "withdraw", {"goal": goal}), "unknown_goal")
            await p1.ok(p1.input(a, "withdraw", {"goal": ids["Veilige stoep"]}))
            refused(await p1.input(a, "withdraw", {"goal": ids["Veilige stoep"]}), "unknown_goal")
            # The phase gate: no marks while writing, no goals while sharing, nobody but the facilitator removes.
            gated(await p2.input(a, "mark", {"goal": ids["Meer groen"]}))
            gated(await p2.input(a, "remove", {"goal": ids["Meer groen"]}))
            gated(await fac.input(a, "goal", {"text": "Van de facilitator"}))
            gated(await fac.input(a, "publish", {}))
            refused(await fac.input(a, "remove", {"goal": "g404"}), "unknown_goal")

            await phase(fac, "delen")
            gated(await p2.input(a, "goal", {"text": "Te laat"}))
            refused(await p0.input(a, "mark", {"goal": ids["Schone straten"]}), "own_goal")
            refused(await p2.input(a, "mark", {"goal": ids["Schone straten"]}), "own_party")  # p2 is a bewoner too
            for goal in ("g999", 2 ** 63, 1e308, None, {"id": "g1"}):
                refused(await p2.input(a, "mark", {"goal": goal}), "unknown_goal")
            for shared in ("yes", 1, None, [True]):
                refused(await p2.input(a, "mark", {"goal": ids["Meer groen"], "shared": shared}), "bad_payload")
            refused(await p2.input(a, "mark", {"goal": ids["Meer groen"], "shared": False}), "not_marked")
            mark = await p2.ok(p2.input(a, "mark", {"goal": ids["Meer groen"]}))
            refused(await p2.input(a, "mark", {"goal": ids["Meer groen"]}), "already_marked")
            refused(await p2.input(a, "mark", {"goal": ids["Meer groen"], "shared": True}), "already_marked")
            await p0.ok(p0.input(a, "mark", {"goal": ids["Meer groen"]}))  # a second bewoner: one more person, no more parties
            await p0.ok(p0.input(a, "mark", {"goal": ids["Minder eenzaamheid"]}))
            await p0.ok(p0.input(a, "mark", {"goal": ids["Minder eenzaamheid"], "shared": False}))
            await p1.ok(p1.input(a, "mark", {"goal": ids["Schone straten"]}))
            refused(await p2.input(a, "party", {"role": "gemeente"}), "party_locked")
            final = {"Meer groen": 3, "Schone straten": 2, "Minder eenzaamheid": 1}  # (views are coalesced: wait for the last state)
            view = await p3.wait_view(a, check=lambda v: {g["text"]: g["people"] for g in v["goals"]} == final)
            by_text = {g["text"]: g for g in view["goals"]}
            assert view["parties"] == [{"role": "bewoner", "org": "", "people": 2}, {"role": "corporatie", "org": "Woon stad", "people": 1},
                                       {"role": "welzijn", "org": "Swel", "people": 1}], view["parties"]
            assert by_text["Meer groen"]["parties"] == [0, 1] and by_text["Meer groen"]["party"] == 1
            assert by_text["Meer groen"]["people"] == 3 and by_text["Meer groen"]["common"]
            assert by_text["Minder eenzaamheid"]["people"] == 1 and not by_text["Minder eenzaamheid"]["common"]
            assert [g["text"] for g in view["goals"]] == ["Meer groen", "Schone straten", "Minder eenzaamheid"]
            assert "seq" not in json.dumps(view) and "author" not in json.dumps(view)
            mine = await p0.wait_view(a, "me", check=lambda v: len(v["marks"]) == 1)
            assert mine["marks"] == [ids["Meer groen"]] and mine["goals"] == [ids["Schone straten"]], mine

            # Agreements: the facilitator's, in the afspraken phase; texts or the configured principles.
            gated(await fac.input(a, "agreement", {"text": "Te vroeg"}))
            await phase(fac, "afspraken")
            gated(await p0.input(a, "mark", {"goal": ids["Schone straten"]}))
            refused(await fac.input(a, "agreement", {"principle": "geen"}), "unknown_principle")
            refused(await fac.input(a, "agreement", {"principle": 3}), "unknown_principle")
            refused(await fac.input(a, "agreement", {"principle": "een-plan", "text": "x"}), "bad_payload")
            refused(await fac.input(a, "agreement", {"text": "a" * 301}), "too_long")
            refused(await fac.input(a, "agreement", {"text": " "}), "empty")
            refused(await fac.input(a, "agreement", {"id": "a9", "text": "x"}), "unknown_agreement")
            refused(await fac.input(a, "agreement", {"id": 2 ** 63, "text": "x"}), "unknown_agreement")
            principle = await fac.ok(fac.input(a, "agreement", {"principle": "een-plan"}))
            refused(await fac.input(a, "agreement", {"principle": "een-plan"}), "duplicate_agreement")
            await fac.ok(fac.input(a, "agreement", {"text": "Elk kwartaal een wijkschouw"}))
            refused(await fac.input(a, "agreement", {"text": "elk kwartaal een WIJKSCHOUW"}), "duplicate_agreement")
            await fac.ok(fac.input(a, "agreement", {"text": "Weg ermee"}))
            await fac.ok(fac.input(a, "agreement", {"id": "a3", "text": ""}))
            changed = await fac.ok(fac.input(a, "agreement", {"id": "a2", "text": "Elk kwartaal een wijkschouw met bewoners"}))

            await phase(fac, "vastleggen")
            publish = await fac.ok(fac.input(a, "publish", {}))
            refused(await fac.input(a, "publish", {}), "already_published")
            refused(await fac.input(a, "agreement", {"text": "Te laat"}), "already_published")
            # Back to an earlier phase: the activity stays closed.
            await phase(fac, "delen")
            refused(await p3.input(a, "mark", {"goal": ids["Schone straten"]}), "closed")
            refused(await fac.input(a, "remove", {"goal": ids["Schone straten"]}), "already_published")
            await phase(fac, "doelen")
            refused(await p3.input(a, "goal", {"text": "Na afloop"}), "closed")
            refused(await p3.input(a, "party", {"role": "zorg"}), "closed")
            return first, mark, principle, changed, publish
        finally:
            await close_all([fac, p0, p1, p2, p3])
    first, mark, principle, changed, publish = run(main())
    exported = hub.export(sid)
    kinds = [e["type"] for e in exported["events"] if e.get("activity") == "a1"
             and e["type"] in ("party", "goal", "withdraw", "mark", "remove", "agreement", "publish")]
    assert kinds == ["party"] * 5 + ["goal"] * 4 + ["withdraw"] + ["mark"] * 5 + ["agreement"] * 5 + ["publish"], kinds
    (output,) = exported["outputs"]
    record = output["record"]
    assert output["seq"] == publish and record["kind"] == "agenda", output
    assert record["title"] == "Gedeelde doelen: gedeelde doelen en afspraken"
    body = record["body"]
    assert body.startswith("Verkennend gesprek met 3 partijen: Bewoner, Woningcorporatie (Woon stad), Welzijn (Swel)"), body
    assert "1. Meer groen (wens)\n   Gedragen door 2 partijen (1 informeel, 1 formeel): Bewoner, Woningcorporatie (Woon stad)" in body, body
    assert "2. Schone straten (doel)" in body and "Afspraken:\n- Eén gezin, één plan, één regisseur.\n- Elk kwartaal een wijkschouw met bewoners" in body
    assert "Ook genoemd (minder dan 2 partijen):\n- Minder eenzaamheid (Welzijn (Swel))" in body
    seqs = record["provenance"][0]["seqs"]
    assert first in seqs and mark in seqs and principle in seqs and changed in seqs, seqs
    status, item = hub.api("GET", "/api/v1/toolkit/%s" % output["filed"].split("@")[0])
    assert status == 200 and item["kind"] == "agenda" and item["body"] == body, (status, item)
    prov = item["provenance"][0]
    assert prov["session"] == sid and prov["activity"] == "a1" and prov["seqs"] == seqs, prov


def test_config_errors_are_caught_when_the_session_is_created(hub):
    bad = [
        ({"threshold": 1}, "config.threshold"),
        ({"threshold": 2 ** 63}, "config.threshold"),
        ({"maxGoals": 0}, "config.maxGoals"),
        ({"maxLength": 5000}, "config.maxLength"),
        ({"kind": "kennisbank"}, "config.kind"),
        ({"roles": []}, "config.roles"),
        ({"roles": [{"id": "x", "side": "both"}]}, "config.roles[0].side"),
        ({"principles": ["x" * 301]}, "config.principles[0]"),
        ({"colour": "red"}, "config.colour"),
    ]
    for i, (config, field) in enumerate(bad):
        path = hub.dir / ("bad-%d.yaml" % i)
        path.write_text(agenda(config))
        r = hub.hubctl("session", "create", "--agenda", path, check=False)
        assert r.returncode != 0 and field in r.stderr, (config, r.stderr)
    # Valid for the schema but not usable (two roles with one id): the room sees that, and inputs are refused.
    session = hub.create_session(agenda({"roles": ["bewoner", "bewoner"]}), name="dup.yaml")

    async def main():
        fac, (p0,) = await room(hub, session["code"], 1)
        try:
            view = await p0.wait_view("a1", check=lambda v: "error" in v)
            assert view["error"]["nl"] and view["error"]["en"]
            refused(await p0.input("a1", "party", {"role": "bewoner"}), "bad_config")
            refused(await fac.input("a1", "remove", {"goal": "g1"}), "bad_config")
        finally:
            await close_all([fac, p0])
    run(main())


def test_named_parties_take_the_join_organisation_and_anonymous_ones_give_none(hub):
    """docs/SHARED-GOALS.md: named → the organisation given at joining stands in; anonymous → no organisation is
    asked, the record lists roles only and names no input."""
    named = hub.create_session(agenda({"roles": ["corporatie", {"id": "bewoner", "side": "informal"}]}, anonymity="named"), name="named.yaml")
    anon = hub.create_session(agenda({}, anonymity="anonymous"), name="anon.yaml")

    async def with_names():
        fac, (p0, p1) = await room(hub, named["code"], 2, orgs=["Woonstad", "Buurtvereniging Oost"])
        try:
            await p0.ok(p0.input("a1", "party", {"role": "corporatie"}))
            await p1.ok(p1.input("a1", "party", {"role": "bewoner", "org": ""}))  # an empty organisation: none
            view = await fac.wait_view("a1", check=lambda v: len(v["parties"]) == 2)
            assert view["parties"] == [{"role": "corporatie", "org": "Woonstad", "people": 1}, {"role": "bewoner", "org": "", "people": 1}], view
            pub = await p0.wait_view("a1", check=lambda v: sum(r["people"] for r in v["roles"]) == 2)
            assert [r["id"] for r in pub["roles"]] == ["corporatie", "bewoner"] and pub["askOrg"]
        finally:
            await close_all([fac, p0, p1])
    run(with_names())

    async def without_names():
        fac, people = await room(hub, anon["code"], 3)
        try:
            refused(await people[0].input("a1", "party", {"role": "bewoner", "org": "Oost"}), "org_not_asked")
            for p, role in zip(people, ("bewoner", "gemeente", "welzijn")):
                await p.ok(p.input("a1", "party", {"role": role}))
            for p, text in zip(people, ("Zeker wel", "Amper", "misschien")):
                await p.ok(p.input("a1", "goal", {"text": text}))
            view = await people[0].wait_view("a1", check=lambda v: len(v["goals"]) == 3)
            assert [g["text"] for g in view["goals"]] == ["Amper", "misschien", "Zeker wel"] and not view["askOrg"], view
            assert all(re.fullmatch(r"g[0-9a-f]{12}", g["id"]) for g in view["goals"]), view["goals"]  # no counter
            await phase(fac, "delen")
            ids = {g["text"]: g["id"] for g in view["goals"]}
            await people[0].ok(people[0].input("a1", "mark", {"goal": ids["Amper"]}))
            await people[2].ok(people[2].input("a1", "mark", {"goal": ids["Amper"]}))
            await phase(fac, "vastleggen")
            return await fac.ok(fac.input("a1", "publish", {}))
        finally:
            await close_all([fac] + people)
    publish = run(without_names())
    (output,) = hub.export(anon["id"])["outputs"]
    assert "provenance" not in output["record"]
    assert "1. Amper (doel)\n   Gedragen door 3 partijen (1 informeel, 2 formeel): Bewoner, Gemeente, Welzijn" in output["record"]["body"], output["record"]["body"]
    status, item = hub.api("GET", "/api/v1/toolkit/%s" % output["filed"].split("@")[0])
    assert status == 200 and item["provenance"] == [{"session": anon["id"], "activity": "a1", "seqs": [publish]}], item


def test_at_most_60_parties_sit_at_the_table(hub):
    """The 61st distinct (role, organisation) is refused; joining a party that is already there still works."""
    session = hub.create_session(agenda({}), name="parties.yaml")

    async def main():
        fac, people = await room(hub, session["code"], 62)
        try:
            replies = await asyncio.gather(*(p.input("a1", "party", {"role": "gemeente", "org": "Afdeling %02d" % i}) for i, p in enumerate(people[:60])))
            assert all(r["t"] == "ack" for r in replies), [r for r in replies if r["t"] != "ack"][:2]
            refused(await people[60].input("a1", "party", {"role": "gemeente", "org": "Afdeling 60"}), "too_many_parties")
            await people[60].ok(people[60].input("a1", "party", {"role": "gemeente", "org": "afdeling 07"}))  # the same party, any case
            await people[59].ok(people[59].input("a1", "party", {"role": "welzijn"}))  # a move, not a new seat at the table
            refused(await people[61].input("a1", "party", {"role": "bewoner"}), "too_many_parties")
            view = await fac.wait_view("a1", check=lambda v: sum(p["people"] for p in v["parties"]) == 61)
            assert len(view["parties"]) == 60 and view["parties"][7] == {"role": "gemeente", "org": "Afdeling 07", "people": 2}, view["parties"][:8]
        finally:
            await close_all([fac] + people)
    run(main())


def test_limits_that_take_many_inputs_checked_on_the_reducer_itself():
    """300 goals fill the room (room_full), 30 agreements are the most (too_many_agreements); the public view of a
    full room with 60 parties, long texts and goals that every party shares stays bounded, and the item too.
    Runs the plugin's reducer in this process (views only at the end): the hub adds nothing to these checks, and
    a view per input would make this test slow without testing more."""
    sys.path.insert(0, str(REPO / "plugins" / "shared-goals"))
    try:
        import shared_goals
    finally:
        sys.path.pop(0)
    inst = shared_goals.Instance({"maxLength": 500, "maxGoals": 5}, "pseudonymous")
    codes, seq = [], 0

    def event(actor, role, type_, payload):
        nonlocal seq
        try:
            inst.reduce(seq + 1, {"id": actor, "role": role}, type_, payload)
            seq += 1
        except shared_goals.Refusal as r:
            assert r.nl and r.en
            codes.append(r.code)
    for i in range(60):
        event("p%02d" % i, "participant", "party", {"role": "gemeente", "org": "Afdeling %02d " % i + "x" * 66})
    for k in range(5):
        for i in range(60):
            event("p%02d" % i, "participant", "goal", {"text": ("Doel %d van %02d " % (k, i)) + "y" * 480})
    event("p00", "participant", "party", {"role": "bewoner"})  # locked
    event("p60", "participant", "party", {"role": "bewoner"})  # a 61st party
    event("p59", "participant", "goal", {"text": "Nog eentje"})  # over maxGoals
    event("p60", "participant", "goal", {"text": "Nog eentje"})  # no party
    for g in range(1, 301):
        for i in range(60):
            if g % 60 != (i + 1) % 60:  # every goal, by everyone but its author
                event("p%02d" % i, "participant", "mark", {"goal": "g%d" % g})
    for n in range(31):
        event("f", "facilitator", "agreement", {"text": "Afspraak %d " % n + "z" * 280})
    event("f", "facilitator", "twirl", {})
    event("f", "facilitator", "agreement", [1, 2])
    event("f", "facilitator", "publish", {})
    assert codes == ["party_locked", "too_many_parties", "too_many_goals", "no_party", "too_many_agreements", "unknown_input", "bad_payload"], codes
    answer = shared_goals.answer_for({"s/a1": inst}, {"t": "event", "instance": "s/a1", "seq": seq, "actor": {"role": "system"}, "type": "$reveal"})
    views = inst.views({"public", "facilitator"})
    public = views["public"]
    assert len(public["goals"]) == 300 and len(public["parties"]) == 60 and len(public["agreements"]) == 30
    assert all(len(g["parties"]) == 60 and g["people"] == 60 and g["common"] for g in public["goals"])
    line = json.dumps(dict(answer, views=views, outputs=inst.outputs()), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert len(json.dumps(public, ensure_ascii=False)) < 300_000, len(json.dumps(public))
    assert len(line.encode()) < 2_500_000, len(line)  # the worst case stays well below the hub's 4 MiB line limit
    # A goal's room-full refusal: a fresh activity with 300 goals from 60 people takes no 301st.
    full = shared_goals.Instance({"maxGoals": 20}, "pseudonymous")
    for i in range(16):
        full.reduce(i + 1, {"id": "q%d" % i, "role": "participant"}, "party", {"role": "bewoner"})
    for n in range(300):
        full.reduce(100 + n, {"id": "q%d" % (n % 16), "role": "participant"}, "goal", {"text": "Doel %d" % n})
    with pytest.raises(shared_goals.Refusal) as refusal:
        full.reduce(999, {"id": "q15", "role": "participant"}, "goal", {"text": "Doel 301"})
    assert refusal.value.code == "room_full"


# ---- 2: replay ---------------------------------------------------------------------------------------------


def test_a_recorded_session_replays_byte_for_byte_and_a_restart_gives_the_room_its_views_back(request):
    """The plugin runs behind `tee`, so the hub's own lines to it are recorded; a fresh plugin process fed that
    recording twice answers byte for byte the same, and its last views and outputs equal what the hub
    published and stored. Then the hub restarts and replays the log: every audience gets the same views."""
    hub, folder = recording_hub(request, "shared-goals")
    session = hub.create_session(agenda({"threshold": 3, "themes": ["leven"]}), name="recorded.yaml")
    code, sid = session["code"], session["id"]
    roles = ["bewoner", "vrijwilliger", "ervaringsdeskundige", "corporatie", "gemeente", "welzijn", "bewoner", "gemeente"]

    async def main():
        fac, people = await room(hub, code, 8)
        try:
            await asyncio.gather(*(p.ok(p.input("a1", "party", {"role": roles[i], **({"org": "Org %d" % (i % 2)} if i > 2 else {})}))
                                   for i, p in enumerate(people)))
            for i, p in enumerate(people):
                await p.ok(p.input("a1", "goal", {"text": "Doel %d" % (i % 4), "kind": "wish" if i % 3 == 0 else "goal"}))
            view = await fac.wait_view("a1", check=lambda v: len(v["goals"]) == 8)
            goals = view["goals"]
            await fac.ok(fac.input("a1", "remove", {"goal": goals[-1]["id"]}))
            await phase(fac, "delen")
            for i, p in enumerate(people):
                mine = {g["id"] for g in goals if view["parties"][g["party"]]["role"] == roles[i]}
                for g in goals[:-1]:
                    if g["id"] not in mine and (i + int(g["id"][1:])) % 2 == 0:
                        reply = await p.input("a1", "mark", {"goal": g["id"]})
                        assert reply["t"] == "ack" or reply.get("detail") == "own_party", reply
            refused(await people[0].input("a1", "mark", {"goal": "g404"}), "unknown_goal")
            await phase(fac, "afspraken")
            await fac.ok(fac.input("a1", "agreement", {"principle": "partners"}))
            await fac.ok(fac.input("a1", "agreement", {"text": "Maandelijks overleg"}))
            await phase(fac, "vastleggen")
            await fac.ok(fac.input("a1", "publish", {}))
            await fac.wait_view("a1", check=lambda v: v["published"])
            await fac.ping()
            return dict(fac.views), people[3]
        finally:
            await close_all(people + [fac])
    before, p3 = run(main())
    mine, token = dict(p3.views), p3.token
    exported = hub.export(sid)

    hub.restart()

    async def again():
        fac, p3 = Client(hub.ws_url, "fac-again"), Client(hub.ws_url, "p03-again")
        await fac.connect()
        await fac.join(code, auth=hub.token)
        try:
            refused(await fac.input("a1", "publish", {}), "already_published")  # a use that needs the plugin
            await fac.ping()
            await p3.connect()
            await p3.join(code, token=token)  # the participant's own view comes back too
            assert p3.view("a1", "me") == mine[("a1", "me")] and p3.view("a1", "me")["marks"], p3.views
            return dict(fac.views)
        finally:
            await close_all([fac, p3])
    after = run(again())
    assert after[("a1", "public")] == before[("a1", "public")]
    assert after[("a1", "facilitator")] == before[("a1", "facilitator")]
    hub.stop()

    recording = (folder / "shared-goals" / "recorded.jsonl").read_text()
    lines = [l for l in recording.splitlines() if l.strip()]
    hello = [i for i, l in enumerate(lines) if json.loads(l)["t"] == "hello"]
    assert len(hello) == 2, "the restarted hub did not start the plugin again"
    first_run = "\n".join(lines[:hello[1]]) + "\n"
    assert sum(1 for l in first_run.splitlines() if json.loads(l)["t"] == "event") >= 30
    command = ["python3", str(REPO / "plugins" / "shared-goals" / "shared_goals.py")]
    one = subprocess.run(command, input=first_run, capture_output=True, text=True, timeout=60).stdout
    two = subprocess.run(command, input=first_run, capture_output=True, text=True, timeout=60).stdout
    assert one == two and one.count("\n") == first_run.count("\n")
    answers = [json.loads(l) for l in one.splitlines()]
    assert "unknown_goal" in [a["code"] for a in answers if a["t"] == "reject"]
    last, outputs = {}, []
    for a in answers:
        if a["t"] == "views":
            last.update(a["views"])
            outputs += [(a["seq"], i, o) for i, o in enumerate(a.get("outputs", []))]
    views = {v["audience"]: v["view"] for v in exported["views"] if v["activity"] == "a1"}
    assert last["public"] == views["public"] and last["facilitator"] == views["facilitator"]
    stored = [(o["seq"], o["index"], {"kind": o["kind"], "record": o["record"]}) for o in exported["outputs"]]
    assert outputs == stored and len(stored) == 1
    assert "Gedeelde doelen (gedeeld door minstens 3 partijen)" in stored[0][2]["record"]["body"]
    replayed = "\n".join(lines[hello[1]:]) + "\n"
    rerun = subprocess.run(command, input=replayed, capture_output=True, text=True, timeout=60).stdout
    tail = [json.loads(l) for l in rerun.splitlines()]
    assert [a["code"] for a in tail if a["t"] == "reject"] == ["already_published"], "a logged event was refused on replay"
    assert [a for a in tail if a["t"] == "views"][-1]["views"]["public"] == views["public"]
    assert mine[("a1", "me")]["party"]["role"] == "corporatie"
