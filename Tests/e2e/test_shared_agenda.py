"""Acceptance of the shared-agenda plugin (issue 19), against the real hub and the shipped `plugins/shared-agenda`.

Here: every refusal code of docs/SHARED-AGENDA.md, sent as an attacker would (unknown lanes, fields and item ids,
versions as huge numbers, oversized texts, unknown payload keys, edits after publishing), the three editing modes
(1); 10 participants editing one board for 30 s at one edit a second each, four of them on the same item, with no
edit lost: every accepted edit is in the session export, every refused one was answered as a conflict naming both
values and resolved by its sender, and the published gereedschapskist item equals the final board (2); the recorded
session replays byte for byte, and a hub restart gives the room its views back (3). The run with 20 participants and
a Chromium facilitator, the phone at 360 px by keyboard, nl and en, and the CSP are in
browser/test_shared_agenda_browser.py.
"""
import asyncio
import json
import re
import subprocess
import time

import pytest

from conftest import REPO, shipped_hub
from hubclient import Client, close_all, run
from plugintest import gated, recording_hub, refused, room

A = "a1"
FIELDS = ["goal", "owner", "partners", "timeframe", "firstStep"]
LANES = ["wonen", "werken", "leven"]
PLUGIN = REPO / "plugins" / "shared-agenda"


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("module", ("shared-agenda",)) as h:
        yield h


def agenda(config=None, groups=None, anonymity=None):
    lines = ["series: e2e", "session: Leerkring wijkagenda", "lang: nl", "agenda:", "  - plugin: shared-agenda",
             "    title: Gezamenlijke agenda"]
    if anonymity:
        lines.append("    anonymity: %s" % anonymity)
    if groups:
        lines.append("    groups: %s" % json.dumps(groups))
    if config is not None:
        lines.append("    config: %s" % json.dumps(config, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def items(view):
    """{item id: {field: (value, version)}} of a public view, lane included."""
    return {it["id"]: {k: (f["value"], f["v"]) for k, f in it["fields"].items()} for lane in view["lanes"] for it in lane["items"]}


def find(view, goal):
    return next(i for i, f in items(view).items() if f["goal"][0] == goal)


def printed(view, lang="nl"):
    """The body of the agenda item, written from a public view as docs/SHARED-AGENDA.md describes it."""
    labels = {"nl": ["Trekker", "Partners", "Termijn", "Eerste stap"], "en": ["Owner", "Partners", "Timeframe", "First step"]}[lang]
    count = sum(len(l["items"]) for l in view["lanes"])
    lines = [view["title"][lang], "", "%d %s over wonen, werken en leven." % (count, "punt" if count == 1 else "punten")]
    for lane in view["lanes"]:
        lines += ["", "## %s" % lane["title"][lang], ""]
        if not lane["items"]:
            lines.append("(nog geen punten)")
        for n, it in enumerate(lane["items"], start=1):
            lines.append("%d. %s" % (n, it["fields"]["goal"]["value"]))
            lines += ["   %s: %s" % (label, it["fields"][k]["value"] or "\u2013") for label, k in zip(labels, FIELDS[1:])]
    return "\n".join(lines)


# ---- 1: refusals and editing modes --------------------------------------------------------------------------


def test_every_refusal_has_its_code_and_nothing_refused_reaches_the_log(hub):
    session = hub.create_session(agenda({"maxPerLane": 2}), name="rules.yaml")
    sid = session["id"]

    async def main():
        fac, (p0, p1) = await room(hub, session["code"], 2)
        try:
            await p0.ok(p0.input(A, "add", {"lane": "wonen", "goal": "  Meer\u0007 sociale   huur ", "owner": "Woonstichting De Linie"}))
            view = await p1.wait_view(A, check=lambda v: v["lanes"][0]["items"])
            (item,) = view["lanes"][0]["items"]
            assert item["id"] == "i1" and item["fields"]["goal"] == {"value": "Meer sociale huur", "v": 1}, item
            assert item["fields"]["partners"] == {"value": "", "v": 1} and item["fields"]["lane"] == {"value": "wonen", "v": 1}
            # Lanes, fields and payload keys that do not exist.
            for lane in ("wonen ", "WONEN", "schoon", 1, None, ["wonen"], "w" * 10_000):
                refused(await p1.input(A, "add", {"lane": lane, "goal": "x"}), "unknown_lane")
            refused(await p1.input(A, "add", {"goal": "x"}), "unknown_lane")
            refused(await p1.input(A, "add", {"lane": "wonen", "goal": "x", "budget": 100}), "unknown_field")
            refused(await p1.input(A, "add", {"lane": "wonen", "goal": "   "}), "empty_goal")
            refused(await p1.input(A, "add", {"lane": "wonen", "owner": "Gemeente"}), "empty_goal")
            refused(await p1.input(A, "add", {"lane": "wonen", "goal": 7}), "bad_text")
            refused(await p1.input(A, "add", {"lane": "wonen", "goal": "g" * 201}), "too_long")
            refused(await p1.input(A, "add", {"lane": "wonen", "goal": "g", "timeframe": "t" * 81}), "too_long")
            refused(await p1.input(A, "add", {"lane": "wonen", "goal": "g" * 60_000}), "too_long")
            # Item ids, field names and versions as an attacker sends them.
            for iid in ("i2", "I1", "i1 ", 1, None, {"id": "i1"}, "i" * 5000, "__proto__"):
                refused(await p1.input(A, "edit", {"item": iid, "field": "owner", "value": "x", "base": 1}), "unknown_item")
            for field in ("Owner", "id", "v", "seq", "removed", "", 3, None, "x" * 3000):
                refused(await p1.input(A, "edit", {"item": "i1", "field": field, "value": "x", "base": 1}), "unknown_field")
            for base in (2, -1, 2 ** 63, 2 ** 64 + 1, -(2 ** 63), 1e308, 1.5, "1", True, None, [1], {"v": 1}):
                refused(await p1.input(A, "edit", {"item": "i1", "field": "owner", "value": "x", "base": base}), "bad_version")
            refused(await p1.input(A, "edit", {"item": "i1", "field": "owner", "value": "x"}), "bad_version")
            refused(await p1.input(A, "edit", {"item": "i1", "field": "owner", "value": 12, "base": 1}), "bad_text")
            refused(await p1.input(A, "edit", {"item": "i1", "field": "owner", "base": 1}), "bad_text")
            refused(await p1.input(A, "edit", {"item": "i1", "field": "owner", "value": "o" * 121, "base": 1}), "too_long")
            refused(await p1.input(A, "edit", {"item": "i1", "field": "goal", "value": " \n ", "base": 1}), "empty_goal")
            refused(await p1.input(A, "edit", {"item": "i1", "field": "lane", "value": "elders", "base": 1}), "unknown_lane")
            refused(await p1.input(A, "edit", {"item": "i1", "field": "owner", "value": "x", "base": 1, "force": True}), "bad_payload")
            refused(await p1.input(A, "remove", {"item": "i1", "all": True}), "bad_payload")
            gated(await p1.input(A, "publish", {}))
            gated(await p1.input(A, "rename", {}))

            # Two edits on version 1 of one field: the first applies, the second is a conflict naming both values.
            await p0.ok(p0.input(A, "edit", {"item": "i1", "field": "owner", "value": "Gemeente", "base": 1}))
            clash = await p1.input(A, "edit", {"item": "i1", "field": "owner", "value": "Welzijn Wijkteam", "base": 1})
            refused(clash, "conflict")
            assert "\u201cGemeente\u201d" in clash["message"] and "\u201cWelzijn Wijkteam\u201d" in clash["message"], clash
            # Another field of the same item on its own version is no conflict; the same value again is no conflict.
            await p1.ok(p1.input(A, "edit", {"item": "i1", "field": "partners", "value": "Welzijn Wijkteam", "base": 1}))
            await p1.ok(p1.input(A, "edit", {"item": "i1", "field": "owner", "value": "Gemeente", "base": 1}))
            # The sender resolves: keeps theirs on the current version.
            await p1.ok(p1.input(A, "edit", {"item": "i1", "field": "owner", "value": "Gemeente en Welzijn Wijkteam", "base": 2}))
            view = await p0.wait_view(A, check=lambda v: items(v)["i1"]["owner"] == ("Gemeente en Welzijn Wijkteam", 3))
            # Lanes hold maxPerLane items; a move into a full lane is refused too.
            await p0.ok(p0.input(A, "add", {"lane": "wonen", "goal": "Tweede"}))
            refused(await p0.input(A, "add", {"lane": "wonen", "goal": "Derde"}), "lane_full")
            await p0.ok(p0.input(A, "add", {"lane": "werken", "goal": "Werk"}))
            refused(await p0.input(A, "edit", {"item": "i3", "field": "lane", "value": "wonen", "base": 1}), "lane_full")
            await p0.ok(p0.input(A, "edit", {"item": "i3", "field": "lane", "value": "leven", "base": 1}))
            view = await p0.wait_view(A, check=lambda v: v["lanes"][2]["items"])
            assert [it["id"] for it in view["lanes"][2]["items"]] == ["i3"] and not view["lanes"][1]["items"]
            removed = await p1.ok(p1.input(A, "remove", {"item": "i2"}))
            refused(await p0.input(A, "edit", {"item": "i2", "field": "owner", "value": "x", "base": 1}), "item_removed")
            refused(await p0.input(A, "remove", {"item": "i2"}), "item_removed")

            await fac.ok(fac.command("phase", activity=A, phase="vastleggen"))
            gated(await p0.input(A, "edit", {"item": "i1", "field": "timeframe", "value": "2027", "base": 1}))
            refused(await fac.input(A, "publish", {"now": True}), "bad_payload")
            await fac.ok(fac.input(A, "edit", {"item": "i1", "field": "timeframe", "value": "Voor de zomer van 2027", "base": 1}))
            publish = await fac.ok(fac.input(A, "publish", {}))
            refused(await fac.input(A, "publish", {}), "already_published")
            refused(await fac.input(A, "edit", {"item": "i1", "field": "timeframe", "value": "Later", "base": 2}), "agenda_closed")
            refused(await fac.input(A, "add", {"lane": "leven", "goal": "Te laat"}), "agenda_closed")
            await fac.ok(fac.command("phase", activity=A, phase="bouwen"))
            refused(await p0.input(A, "edit", {"item": "i1", "field": "timeframe", "value": "Later", "base": 2}), "agenda_closed")
            final = await p0.wait_view(A, check=lambda v: v["published"])
            await fac.ok(fac.command("close"))
            gated_or_closed = await p0.input(A, "add", {"lane": "leven", "goal": "Na sluiten"})
            assert gated_or_closed["t"] == "error", gated_or_closed
            return removed, publish, final
        finally:
            await close_all([fac, p0, p1])
    removed, publish, final = run(main())
    exported = hub.export(sid)
    kinds = [e["type"] for e in exported["events"] if e.get("activity") == A and e.get("kind") != "system" and e["type"] in ("add", "edit", "remove", "publish")]
    assert kinds == ["add", "edit", "edit", "edit", "edit", "add", "add", "edit", "remove", "edit", "publish"], kinds
    (output,) = exported["outputs"]
    record = output["record"]
    assert output["seq"] == publish and record["kind"] == "agenda" and record["body"] == printed(final), record
    assert "   Termijn: Voor de zomer van 2027" in record["body"] and "Tweede" not in record["body"]
    assert removed not in record["provenance"][0]["seqs"]
    status, item = hub.api("GET", "/api/v1/toolkit/%s" % output["filed"].split("@")[0])
    assert status == 200 and item["kind"] == "agenda" and item["body"] == record["body"], (status, item)
    assert item["provenance"][0]["session"] == sid and item["provenance"][0]["activity"] == A
    assert item["themes"] == ["wonen", "leven"], item


def test_groups_write_their_own_lane_and_a_facilitator_agenda_is_the_facilitators(hub):
    session = hub.create_session(agenda({"editing": "groups", "laneGroups": {"leven": "g1", "wonen": "g2", "werken": "g2"}}))

    async def grouped():
        fac, people = await room(hub, session["code"], 4)
        try:
            loner = people[3]
            ids = [p.participant for p in people[:3]]
            await fac.ok(fac.command("groups", mode="manual", assignments={"g1": ids[:2], "g2": ids[2:]}))
            g1 = await people[0].wait_view(A, "group:g1", check=lambda v: v.get("lanes"))
            assert g1 == {"lanes": ["leven"]}, g1
            assert (await people[2].wait_view(A, "group:g2", check=lambda v: v.get("lanes"))) == {"lanes": ["wonen", "werken"]}
            await people[0].ok(people[0].input(A, "add", {"lane": "leven", "goal": "Ontmoeten in de buurt"}))
            refused(await people[0].input(A, "add", {"lane": "wonen", "goal": "Niet van ons"}), "not_your_lane")
            refused(await loner.input(A, "add", {"lane": "leven", "goal": "Zonder groep"}), "not_your_lane")
            refused(await people[2].input(A, "edit", {"item": "i1", "field": "owner", "value": "x", "base": 1}), "not_your_lane")
            refused(await people[0].input(A, "edit", {"item": "i1", "field": "lane", "value": "wonen", "base": 1}), "not_your_lane")
            refused(await people[2].input(A, "remove", {"item": "i1"}), "not_your_lane")
            await fac.ok(fac.input(A, "edit", {"item": "i1", "field": "lane", "value": "wonen", "base": 1}))  # the facilitator may
            await people[2].ok(people[2].input(A, "edit", {"item": "i1", "field": "owner", "value": "Buurtcentrum", "base": 1}))
            view = await fac.wait_view(A, check=lambda v: v["lanes"][0]["items"])
            assert [l.get("group") for l in view["lanes"]] == ["g2", "g2", "g1"]
            await fac.ok(fac.command("ungroup"))  # the old groups' views are blanked; the plugin goes by each input's group
            refused(await people[2].input(A, "add", {"lane": "wonen", "goal": "Na de groepen"}), "not_your_lane")
        finally:
            await close_all([fac] + people)
    run(grouped())

    session = hub.create_session(agenda({"editing": "facilitator"}))

    async def facilitated():
        fac, (p0,) = await room(hub, session["code"], 1)
        try:
            refused(await p0.input(A, "add", {"lane": "werken", "goal": "Ik ook"}), "facilitator_only")
            await fac.ok(fac.input(A, "add", {"lane": "werken", "goal": "Werkervaringsplekken", "firstStep": "Gesprek met het UWV"}))
            refused(await p0.input(A, "edit", {"item": "i1", "field": "goal", "value": "Anders", "base": 1}), "facilitator_only")
            view = await p0.wait_view(A, check=lambda v: v["lanes"][1]["items"])
            assert view["editing"] == "facilitator"
        finally:
            await close_all([fac, p0])
    run(facilitated())


def test_an_anonymous_agenda_names_no_input_and_bad_config_is_refused_at_creation(hub):
    session = hub.create_session(agenda({"outputLang": "en", "title": {"nl": "Agenda Kanaleneiland", "en": "Agenda Kanaleneiland"}},
                                        anonymity="anonymous"))

    async def main():
        fac, (p0,) = await room(hub, session["code"], 1)
        try:
            await p0.ok(p0.input(A, "add", {"lane": "leven", "goal": "Samen eten", "partners": "Buurthuis, vrijwilligers"}))
            await p0.ok(p0.input(A, "add", {"lane": "leven", "goal": "Avondwandeling"}))
            await p0.ok(p0.input(A, "add", {"lane": "leven", "goal": "Avondwandeling"}))  # the same twice: two points
            view = await p0.wait_view(A, check=lambda v: len(v["lanes"][2]["items"]) == 3)
            # Neither the order nor the ids tell when a point was added.
            leven = view["lanes"][2]["items"]
            assert [it["fields"]["goal"]["value"] for it in leven] == ["Avondwandeling", "Avondwandeling", "Samen eten"], leven
            assert all(re.fullmatch("i[0-9a-f]{10}", it["id"]) for it in leven) and len({it["id"] for it in leven}) == 3, leven
            await p0.ok(p0.input(A, "remove", {"item": leven[0]["id"]}))
            await fac.ok(fac.command("phase", activity=A, phase="vastleggen"))
            return await fac.ok(fac.input(A, "publish", {}))
        finally:
            await close_all([fac, p0])
    publish = run(main())
    (output,) = hub.export(session["id"])["outputs"]
    assert "provenance" not in output["record"]
    assert output["record"]["title"] == "Agenda Kanaleneiland"
    assert "2 items on housing, work and living." in output["record"]["body"] and "## Living" in output["record"]["body"]
    assert "   Partners: Buurthuis, vrijwilligers" in output["record"]["body"], output["record"]["body"]
    status, item = hub.api("GET", "/api/v1/toolkit/%s" % output["filed"].split("@")[0])
    assert status == 200 and item["provenance"] == [{"session": session["id"], "activity": A, "seqs": [publish]}], item

    bad = [({"editing": "everyone"}, "config.editing"), ({"maxPerLane": 0}, "config.maxPerLane"),
           ({"maxPerLane": 2 ** 63}, "config.maxPerLane"), ({"laneGroups": {"schoon": "g1"}}, "config.laneGroups"),
           ({"title": "t" * 121}, "config.title"), ({"lanes": ["wonen"]}, "config")]
    for i, (config, field) in enumerate(bad):
        path = hub.dir / ("bad-%d.yaml" % i)
        path.write_text(agenda(config))
        r = hub.hubctl("session", "create", "--agenda", path, check=False)
        assert r.returncode != 0 and field in r.stderr, (config, r.stderr)


# ---- 2 and 3: ten people on one board for 30 s, then its replay -------------------------------------------


SECONDS = 30
PEOPLE = 10
SHARED = 4  # participants 0-3 edit the same item: "a third of them"


@pytest.fixture(scope="module")
def edited_board(request):
    """A hub whose plugin runs behind `tee` (so the hub's lines to it are recorded), and a session in which ten
    participants edit one board for 30 s at one edit a second each; published at the end."""
    h, folder = recording_hub(request, "shared-agenda")
    session = h.create_session(agenda({"themes": ["wonen", "werken", "leven"], "audience": ["wijkprofessionals"]}), name="board.yaml")

    async def main():
        fac, people = await room(h, session["code"], PEOPLE, prefix="e")
        try:
            await fac.ok(fac.input(A, "add", {"lane": "wonen", "goal": "Samen één wijkagenda", "owner": "Gemeente"}))
            for i, p in enumerate(people[SHARED:]):
                await p.ok(p.input(A, "add", {"lane": LANES[i % 3], "goal": "Eigen punt %d" % i}))
            await fac.wait_view(A, check=lambda v: len(items(v)) == 1 + PEOPLE - SHARED)
            mine = {p: "i1" if i < SHARED else "i%d" % (i - SHARED + 2) for i, p in enumerate(people)}
            log = []  # (person, payload, reply)
            start = time.monotonic() + 0.5

            async def editor(i, p):
                pending = None  # a conflict to resolve: the sender keeps theirs or merges, on the current version
                for k in range(SECONDS):
                    await asyncio.sleep(max(0, start + k + 0.01 * i - time.monotonic()))
                    view = p.view(A)
                    item = mine[p]
                    if pending:
                        field, value, theirs = pending
                        if i % 2:  # merge both values (bounded: the timeframe holds 80 characters)
                            value = "%s / %s" % (theirs[:25], value[-45:])
                    else:
                        field = FIELDS[(k + i // 2) % 5] if i < SHARED else FIELDS[k % 5]
                        value = "p%02d e%02d %s" % (i, k, field)
                    base = items(view)[item][field][1]
                    payload = {"item": item, "field": field, "value": value, "base": base}
                    reply = await p.input(A, "edit", payload)
                    log.append((i, payload, reply))
                    pending = None
                    if reply["t"] == "error" and reply.get("detail") == "conflict":
                        now = re.search("Nu staat er: \u201c(.*?)\u201d", reply["message"])
                        pending = (field, value, now.group(1) if now else "")
            await asyncio.gather(*(editor(i, p) for i, p in enumerate(people)))
            took = time.monotonic() - start
            await fac.ok(fac.command("phase", activity=A, phase="vastleggen"))
            publish = await fac.ok(fac.input(A, "publish", {}))
            final = await fac.wait_view(A, check=lambda v: v["published"])
            await fac.ping()
            before = dict(fac.views)
            return log, took, publish, final, before
        finally:
            await close_all(people + [fac])
    log, took, publish, final, before = run(main())
    return {"hub": h, "session": session, "log": log, "took": took, "publish": publish, "final": final, "before": before,
            "folder": folder, "export": h.export(session["id"])}


def test_ten_people_edit_one_board_for_30_seconds_and_no_edit_is_lost(edited_board):
    log, final, exported = edited_board["log"], edited_board["final"], edited_board["export"]
    assert len(log) == PEOPLE * SECONDS and edited_board["took"] < SECONDS + 3, (len(log), edited_board["took"])
    acked = {r["seq"]: payload for _, payload, r in log if r["t"] == "ack"}
    conflicts = [(i, payload, r) for i, payload, r in log if r["t"] != "ack"]
    assert all(r["code"] == "rejected" and r.get("detail") == "conflict" for _, _, r in conflicts), [r for _, _, r in conflicts][:3]
    assert conflicts and all(i < SHARED for i, _, _ in conflicts), "conflicts only, and only on the shared item"
    assert len(acked) + len(conflicts) == len(log)

    # Every accepted edit is in the log, as sent; nothing else is.
    events = [e for e in exported["events"] if e.get("activity") == A and e["type"] in ("add", "edit", "remove")]
    logged_edits = {e["seq"]: e["payload"] for e in events if e["type"] == "edit"}
    assert logged_edits == acked

    # The log, applied by the rules, gives the final board: each logged edit was on the current version.
    board, history = {}, {}
    for e in sorted(events, key=lambda e: e["seq"]):
        p = e["payload"]
        if e["type"] == "add":
            iid = "i%d" % (len(board) + 1)
            board[iid] = {k: (p.get(k, ""), 1) for k in FIELDS}
            board[iid]["lane"] = (p["lane"], 1)
            for k in FIELDS:
                history.setdefault((iid, k), set()).add(p.get(k, ""))
        elif e["type"] == "edit":
            value, v = board[p["item"]][p["field"]]
            assert p["base"] == v or p["value"] == value, e
            if p["value"] != value:
                board[p["item"]][p["field"]] = (p["value"], v + 1)
                history[(p["item"], p["field"])].add(p["value"])
    assert board == items(final)

    # Every refused edit was answered with both values: the sender's and one the field really had.
    for _, payload, r in conflicts:
        mine = re.search("Jouw versie: \u201c(.*?)\u201d", r["message"])
        now = re.search("Nu staat er: \u201c(.*?)\u201d", r["message"])
        assert mine and mine.group(1) == payload["value"], r
        assert now and now.group(1) in history[(payload["item"], payload["field"])], r
    # Each conflict was resolved by its sender the next second: keep theirs, or merge both.
    by_person = {}
    for i, payload, r in log:
        by_person.setdefault(i, []).append((payload, r))
    for i, entries in by_person.items():
        for (payload, r), (after, _) in zip(entries, entries[1:]):
            if r["t"] != "ack":
                assert after["field"] == payload["field"] and payload["value"][-45:] in after["value"], (payload, after)

    # The published item is the final board, filed with the inputs it came from.
    (output,) = exported["outputs"]
    assert output["seq"] == edited_board["publish"] and output["record"]["body"] == printed(final)
    seqs = set(output["record"]["provenance"][0]["seqs"])
    assert seqs <= set(acked) | {e["seq"] for e in events if e["type"] == "add"}
    status, item = edited_board["hub"].api("GET", "/api/v1/toolkit/%s" % output["filed"].split("@")[0])
    assert status == 200 and item["kind"] == "agenda" and item["body"] == printed(final), item
    prov = item["provenance"][0]
    assert prov["session"] == edited_board["session"]["id"] and prov["activity"] == A and set(prov["seqs"]) == seqs
    assert item["themes"] == ["wonen", "werken", "leven"] and item["audience"] == ["wijkprofessionals"]
    status, found = edited_board["hub"].api("GET", "/api/v1/toolkit?kind=agenda")
    assert status == 200 and item["id"] in [h["id"] for h in found["hits"]], found


def test_the_recorded_board_replays_byte_for_byte_and_a_restart_gives_the_room_its_views_back(edited_board):
    h, session, folder = edited_board["hub"], edited_board["session"], edited_board["folder"]
    exported = edited_board["export"]
    h.restart()

    async def again():
        fac = Client(h.ws_url, "fac-again")
        await fac.connect()
        await fac.join(session["code"], auth=h.token)
        try:
            refused(await fac.input(A, "publish", {}), "already_published")  # a use that needs the plugin: a replay
            await fac.ping()
            return dict(fac.views)
        finally:
            await fac.close()
    after = run(again())
    before = edited_board["before"]
    assert after[(A, "public")] == before[(A, "public")] and after[(A, "facilitator")] == before[(A, "facilitator")]

    lines = [l for l in (folder / "shared-agenda" / "recorded.jsonl").read_text().splitlines() if l.strip()]
    hello = [i for i, l in enumerate(lines) if json.loads(l)["t"] == "hello"]
    assert len(hello) == 2, "the restarted hub did not start the plugin again"
    first_run = "\n".join(lines[:hello[1]]) + "\n"
    command = ["python3", str(PLUGIN / "shared_agenda.py")]
    one = subprocess.run(command, input=first_run, capture_output=True, text=True, timeout=60).stdout
    two = subprocess.run(command, input=first_run, capture_output=True, text=True, timeout=60).stdout
    assert one == two and one.count("\n") == first_run.count("\n")
    answers = [json.loads(l) for l in one.splitlines()]
    conflicts = sum(1 for _, _, r in edited_board["log"] if r["t"] != "ack")
    assert [a["code"] for a in answers if a["t"] == "reject"] == ["conflict"] * conflicts
    last, outputs = {}, []
    for a in answers:
        if a["t"] == "views":
            last.update(a["views"])
            outputs += [(a["seq"], i, o) for i, o in enumerate(a.get("outputs", []))]
    views = {v["audience"]: v["view"] for v in exported["views"] if v["activity"] == A}
    assert last["public"] == views["public"] == edited_board["final"] and last["facilitator"] == views["facilitator"]
    assert outputs == [(o["seq"], o["index"], {"kind": o["kind"], "record": o["record"]}) for o in exported["outputs"]]
    # The restarted process was fed the log again: nothing refused, the same board.
    replayed = "\n".join(lines[hello[1]:]) + "\n"
    rerun = [json.loads(l) for l in subprocess.run(command, input=replayed, capture_output=True, text=True, timeout=60).stdout.splitlines()]
    assert [a["code"] for a in rerun if a["t"] == "reject"] == ["already_published"], "a logged event was refused on replay"
    assert [a for a in rerun if a["t"] == "views"][-1]["views"]["public"] == views["public"]
