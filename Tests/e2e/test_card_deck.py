"""Acceptance of the card-deck plugin (issue 19), against the real hub and the shipped `plugins/card-deck`.

Here: every refusal code of docs/CARD-DECK.md, sent as an attacker would (wrong types, huge and unknown card ids,
numbers out of range, unknown fields, responses after the deck closed), and config errors at session creation
(1); a recorded session that replays byte for byte to the views and outputs the room had, and a hub restart that
gives every audience its views back (2). The run with 20 participants and a Chromium facilitator, the phone at
360 px with the keyboard alone, nl and en, and the CSP are in browser/test_card_deck_browser.py.
"""
import asyncio
import json
import subprocess

import pytest

from conftest import REPO, shipped_hub
from hubclient import Client, close_all, run
from plugintest import gated, recording_hub, refused, room

DECK = {
    "title": {"nl": "Testdeck", "en": "Test deck"},
    "categories": [{"id": "wil", "title": {"nl": "Willen", "en": "Wanting it"}}],
    "scale": {"min": 1, "max": 5},
    "maxLength": 40,
    "cards": [
        {"id": "draagvlak", "title": "Draagvlak", "prompt": "Wie wil dit?", "category": "wil", "respond": ["applies", "text"],
         "questions": ["Wie twijfelt?"]},
        {"id": "middelen", "title": {"nl": "Middelen", "en": "Resources"}, "respond": ["scale", "text"]},
        {"id": "borging", "title": "Borging", "respond": ["applies"]},
    ],
}


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("module", ("card-deck",)) as h:
        yield h


def agenda(config, anonymity=None, title="Leerkring: inbedden"):
    lines = ["series: e2e", "session: %s" % json.dumps(title), "lang: nl", "agenda:", "  - plugin: card-deck", "    title: Kaarten"]
    if anonymity:
        lines.append("    anonymity: %s" % anonymity)
    lines.append("    config: %s" % json.dumps(config, ensure_ascii=False))
    return "\n".join(lines) + "\n"


# ---- 1: refusals -------------------------------------------------------------------------------------------


def test_every_refusal_has_its_code_and_nothing_refused_reaches_the_log(hub):
    session = hub.create_session(agenda(DECK), name="rules.yaml")
    sid = session["id"]

    async def main():
        fac, (p0, p1) = await room(hub, session["code"], 2)
        try:
            a = "a1"
            first = await p0.ok(p0.input(a, "respond", {"card": "draagvlak", "applies": "yes", "text": "  Veel\u0007  steun "}))
            mine = await p0.wait_view(a, "me", check=lambda v: "draagvlak" in v.get("responses", {}))
            assert mine["responses"]["draagvlak"] == {"applies": "yes", "text": "Veel steun"}, mine
            # Card ids: unknown, of the wrong type, absurdly long, or not shown yet.
            for card in ("onbekend", 7, None, ["draagvlak"], {"id": "draagvlak"}, "d" * 5000):
                refused(await p1.input(a, "respond", {"card": card, "applies": "yes"}), "unknown_card")
            refused(await p1.input(a, "respond", {"applies": "yes"}), "unknown_card")
            refused(await p1.input(a, "respond", {"card": "middelen", "score": 3}), "not_shown")
            # Values of the wrong kind or out of range.
            for applies in ("maybe", "YES", 1, True, None, ["yes"]):
                refused(await p1.input(a, "respond", {"card": "draagvlak", "applies": applies}), "bad_applies")
            refused(await p1.input(a, "respond", {"card": "draagvlak", "score": 3}), "not_asked")
            refused(await p1.input(a, "respond", {"card": "draagvlak", "text": "x" * 41}), "too_long")
            refused(await p1.input(a, "respond", {"card": "draagvlak", "text": "x" * 60_000}), "too_long")
            refused(await p1.input(a, "respond", {"card": "draagvlak", "text": 12}), "bad_text")
            refused(await p1.input(a, "respond", {"card": "draagvlak", "text": "   "}), "empty")
            refused(await p1.input(a, "respond", {"card": "draagvlak"}), "empty")
            refused(await p1.input(a, "respond", {"card": "draagvlak", "applies": "no", "vote": 1}), "bad_payload")
            # The facilitator's moves are the facilitator's: the hub's phase gate answers before the plugin.
            gated(await p1.input(a, "show", {"card": "middelen"}))
            gated(await p1.input(a, "publish", {}))
            gated(await fac.input(a, "respond", {"card": "draagvlak", "applies": "yes"}))
            refused(await fac.input(a, "show", {"card": "nergens"}), "unknown_card")
            refused(await fac.input(a, "note", {"card": "draagvlak", "text": "n" * 1001}), "too_long")
            refused(await fac.input(a, "note", {"card": "draagvlak", "text": {"nl": "x"}}), "bad_text")
            gated(await fac.input(a, "publish", {}))

            await fac.ok(fac.input(a, "show", {"card": "middelen"}))
            for score in (0, 6, -1, 2.5, "3", True, 2 ** 63, 1e308):
                refused(await p1.input(a, "respond", {"card": "middelen", "score": score}), "bad_score")
            refused(await p1.input(a, "respond", {"card": "middelen", "applies": "yes"}), "not_asked")
            await p1.ok(p1.input(a, "respond", {"card": "middelen", "score": 2}))
            await p1.ok(p1.input(a, "respond", {"card": "middelen", "score": 4, "text": "Geld tot 2027"}))
            await p1.ok(p1.input(a, "respond", {"card": "draagvlak", "applies": "partly"}))  # an earlier card, still open
            note = await fac.ok(fac.input(a, "note", {"card": "middelen", "text": "Begroting 2027 agenderen"}))
            live = await fac.wait_view(a, "facilitator", check=lambda v: v["results"]["middelen"].get("note"))
            assert live["results"]["middelen"]["scale"] == {"counts": [0, 0, 0, 1, 0], "mean": 4.0}, live
            pub = await p0.wait_view(a, check=lambda v: v["current"]["id"] == "middelen")
            assert "result" not in pub["current"], "results before the reveal"
            await fac.ok(fac.command("reveal", activity=a))
            pub = await p0.wait_view(a, check=lambda v: v["current"].get("revealed"))
            assert pub["current"]["result"]["texts"] == ["Geld tot 2027"] and pub["current"]["verdict"] == "yes", pub

            await fac.ok(fac.command("phase", activity=a, phase="vastleggen"))
            gated(await p0.input(a, "respond", {"card": "middelen", "score": 1}))
            publish = await fac.ok(fac.input(a, "publish", {}))
            refused(await fac.input(a, "publish", {}), "already_published")
            refused(await fac.input(a, "note", {"card": "middelen", "text": "Te laat"}), "already_published")
            # Back to the cards phase: the deck stays closed.
            await fac.ok(fac.command("phase", activity=a, phase="kaarten"))
            refused(await p0.input(a, "respond", {"card": "middelen", "score": 1}), "deck_closed")
            await fac.ok(fac.input(a, "show", {"card": "borging"}))  # looking back is allowed
            refused(await p0.input(a, "respond", {"card": "borging", "applies": "yes"}), "deck_closed")
            return first, note, publish
        finally:
            await close_all([fac, p0, p1])
    first, note, publish = run(main())
    exported = hub.export(sid)
    kinds = [e["type"] for e in exported["events"] if e.get("activity") == "a1" and e["type"] in ("respond", "show", "note", "publish")]
    assert kinds == ["respond", "show", "respond", "respond", "respond", "note", "publish", "show"], kinds
    # Two cards were shown: two checklist items, filed, with the inputs they came from.
    outputs = exported["outputs"]
    assert [o["kind"] for o in outputs] == ["gereedschapskist.item"] * 2 and all(o["seq"] == publish for o in outputs), outputs
    records = [o["record"] for o in outputs]
    assert [r["title"] for r in records] == ["Testdeck: Draagvlak", "Testdeck: Middelen"]
    assert all(r["kind"] == "checklist" for r in records)
    assert records[1]["provenance"][0]["seqs"][-1] == note
    assert "Afspraak: Begroting 2027 agenderen" in records[1]["body"] and "- Geld tot 2027" in records[1]["body"]
    assert "Uitkomst: deels op orde" in records[0]["body"] and "[~] Wie twijfelt?" in records[0]["body"], records[0]["body"]
    for o in outputs:
        item_id = o["filed"].split("@")[0]
        status, item = hub.api("GET", "/api/v1/toolkit/%s" % item_id)
        assert status == 200 and item["kind"] == "checklist", (status, item)
        prov = item["provenance"][0]
        assert prov["session"] == sid and prov["activity"] == "a1" and prov["seqs"], prov


def test_config_errors_are_caught_when_the_session_is_created(hub):
    bad = [
        ({"deck": "../../etc/passwd"}, "config.deck"),
        ({"deck": "implementatie", "maxLength": 5}, "config.maxLength"),
        ({"cards": [{"title": "x" * 121}]}, "config.cards[0].title"),
        ({"cards": [{"title": "Kaart", "respond": ["dance"]}]}, "config.cards[0].respond[0]"),
        ({"cards": [{"title": "Kaart"}] * 61}, "config.cards"),
        ({"cards": [{"prompt": "zonder titel"}]}, "config.cards[0].title"),
    ]
    for i, (config, field) in enumerate(bad):
        path = hub.dir / ("bad-%d.yaml" % i)
        path.write_text(agenda(config))
        r = hub.hubctl("session", "create", "--agenda", path, check=False)
        assert r.returncode != 0 and field in r.stderr, (config, r.stderr)
    # Valid for the schema, but not a deck (two cards with one id): the room sees that, and inputs are refused.
    session = hub.create_session(agenda({"cards": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}), name="dup.yaml")

    async def main():
        fac, (p0,) = await room(hub, session["code"], 1)
        try:
            view = await p0.wait_view("a1", check=lambda v: "error" in v)
            assert view["error"]["nl"] and view["error"]["en"]
            refused(await p0.input("a1", "respond", {"card": "a", "applies": "yes"}), "bad_deck")
            refused(await fac.input("a1", "show", {"card": "a"}), "bad_deck")
        finally:
            await close_all([fac, p0])
    run(main())


def test_an_anonymous_deck_shows_texts_by_content_and_its_checklist_names_no_input(hub):
    """docs/CARD-DECK.md: in an anonymous activity neither the views nor the items tell the order of arrival."""
    session = hub.create_session(agenda(DECK, anonymity="anonymous"), name="anon.yaml")
    sid = session["id"]

    async def main():
        fac, people = await room(hub, session["code"], 3)
        try:
            for p, text in zip(people, ("Zeker wel", "Amper", "misschien")):
                await p.ok(p.input("a1", "respond", {"card": "draagvlak", "applies": "yes", "text": text}))
            await fac.ok(fac.command("reveal", activity="a1"))
            view = await people[0].wait_view("a1", check=lambda v: v["current"].get("revealed"))
            assert view["current"]["result"]["texts"] == ["Amper", "misschien", "Zeker wel"], view
            assert "seq" not in json.dumps(view) and "seq" not in json.dumps(people[0].view("a1", "me")), view
            await fac.ok(fac.command("phase", activity="a1", phase="vastleggen"))
            return await fac.ok(fac.input("a1", "publish", {}))
        finally:
            await close_all([fac] + people)
    publish = run(main())
    (output,) = hub.export(sid)["outputs"]
    assert "provenance" not in output["record"]
    assert output["record"]["body"].endswith("Uit de zaal:\n- Amper\n- misschien\n- Zeker wel"), output["record"]["body"]
    status, item = hub.api("GET", "/api/v1/toolkit/%s" % output["filed"].split("@")[0])
    assert status == 200 and item["provenance"] == [{"session": sid, "activity": "a1", "seqs": [publish]}], item


# ---- 2: replay ---------------------------------------------------------------------------------------------


def test_a_recorded_session_replays_byte_for_byte_and_a_restart_gives_the_room_its_views_back(request):
    """The plugin runs behind `tee`, so the hub's own lines to it are recorded; a fresh plugin process fed that
    recording twice answers byte for byte the same, and its last views and outputs equal what the hub
    published and stored. Then the hub restarts and replays the log: every audience gets the same views."""
    hub, folder = recording_hub(request, "card-deck")
    session = hub.create_session(agenda({"deck": "implementatie", "select": ["draagvlak", "eigenaarschap", "middelen", "borging"],
                                         "themes": ["leven"]}), name="recorded.yaml")
    code, sid = session["code"], session["id"]
    cards = ["draagvlak", "eigenaarschap", "middelen", "borging"]

    async def main():
        fac, people = await room(hub, code, 8)
        try:
            await asyncio.gather(*(p.ok(p.input("a1", "respond", {"card": "draagvlak", "score": 1 + i % 5, "text": "Draagvlak %d" % i}))
                                   for i, p in enumerate(people)))
            for k, card in enumerate(cards[1:], start=1):
                await fac.ok(fac.input("a1", "show", {"card": card}))
                await asyncio.gather(*(p.ok(p.input("a1", "respond", {"card": card, "applies": ["yes", "partly", "no"][(i + k) % 3],
                                                                      **({"text": "Kaart %d, persoon %d" % (k, i)} if i % 2 else {})}))
                                       for i, p in enumerate(people)))
                if k == 2:
                    await fac.ok(fac.command("reveal", activity="a1"))
                    await fac.ok(fac.input("a1", "note", {"card": card, "text": "Budget na 2027 regelen"}))
            await people[3].ok(people[3].input("a1", "respond", {"card": "eigenaarschap", "applies": "yes"}))  # changed later
            await people[5].ok(people[5].input("a1", "respond", {"card": "middelen", "text": ""}))  # text cleared
            refused(await people[0].input("a1", "respond", {"card": "middelen", "applies": "misschien"}), "bad_applies")
            await fac.ok(fac.command("phase", activity="a1", phase="vastleggen"))
            await fac.ok(fac.input("a1", "publish", {}))
            await fac.wait_view("a1", check=lambda v: v["published"])
            await fac.ping()
            before = {(a, aud): v for (a, aud), v in fac.views.items()}
            mine = dict(people[3].views)
            return before, mine
        finally:
            await close_all(people + [fac])
    before, mine = run(main())
    exported = hub.export(sid)

    # A restart replays the log into a new plugin process: the same views for the facilitator and for a participant.
    hub.restart()

    async def again():
        fac = Client(hub.ws_url, "fac-again")
        await fac.connect()
        await fac.join(code, auth=hub.token)
        try:
            await fac.ok(fac.input("a1", "show", {"card": "borging"}))  # the current card again: a use that needs the plugin
            await fac.ping()
            return dict(fac.views)
        finally:
            await fac.close()
    after = run(again())
    assert after[("a1", "public")] == before[("a1", "public")]
    assert after[("a1", "facilitator")] == before[("a1", "facilitator")]
    hub.stop()

    recording = (folder / "card-deck" / "recorded.jsonl").read_text()
    lines = [l for l in recording.splitlines() if l.strip()]
    hello = [i for i, l in enumerate(lines) if json.loads(l)["t"] == "hello"]
    assert len(hello) == 2, "the restarted hub did not start the plugin again"
    first_run = "\n".join(lines[:hello[1]]) + "\n"  # what the first process was sent; the rest is the replay
    assert sum(1 for l in first_run.splitlines() if json.loads(l)["t"] == "event") >= 30
    command = ["python3", str(REPO / "plugins" / "card-deck" / "card_deck.py")]
    one = subprocess.run(command, input=first_run, capture_output=True, text=True, timeout=60).stdout
    two = subprocess.run(command, input=first_run, capture_output=True, text=True, timeout=60).stdout
    assert one == two and one.count("\n") == first_run.count("\n")
    answers = [json.loads(l) for l in one.splitlines()]
    # Live, the plugin saw the refused input too (the hub logs only what the plugin accepted).
    assert [a["code"] for a in answers if a["t"] == "reject"] == ["bad_applies"]
    last, outputs = {}, []
    for a in answers:
        if a["t"] == "views":
            last.update(a["views"])
            outputs += [(a["seq"], i, o) for i, o in enumerate(a.get("outputs", []))]
    views = {v["audience"]: v["view"] for v in exported["views"] if v["activity"] == "a1"}
    assert last["public"] == views["public"] and last["facilitator"] == views["facilitator"]
    stored = [(o["seq"], o["index"], {"kind": o["kind"], "record": o["record"]}) for o in exported["outputs"]]
    assert outputs == stored and len(stored) == 4
    # The restarted process was fed the same log: its replay answers equal the first process's answers.
    replayed = "\n".join(lines[hello[1]:]) + "\n"
    rerun = subprocess.run(command, input=replayed, capture_output=True, text=True, timeout=60).stdout
    tail = [json.loads(l) for l in rerun.splitlines()]
    assert not [a for a in tail if a["t"] == "reject"], "a logged event was refused on replay"
    assert [a for a in tail if a["t"] == "views"][-1]["views"]["public"] == views["public"]
    assert mine[("a1", "me")]["responses"]["eigenaarschap"]["applies"] == "yes"
