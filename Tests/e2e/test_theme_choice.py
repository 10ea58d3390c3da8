"""Acceptance of the theme-choice plugin (issue 19), against the real hub and the shipped `plugins/theme-choice`.

Here: every refusal code of docs/THEME-CHOICE.md, sent as an attacker would, and config errors at session creation;
20 participants and a facilitator through every phase (propose, merge duplicates, dots, reveal, confirm), the
series result `themes` and the report section read back over REST with their provenance (1); a recorded session
(ranking) that replays byte for byte to the views and outputs the room had, and a hub restart that gives every
audience its views back (2). The phone at 360 px, the keyboard-only facilitator, nl and en, and the CSP are in
browser/test_theme_choice_browser.py.
"""
import asyncio
import json
import subprocess
from pathlib import Path

import pytest

from conftest import shipped_hub
from hubclient import Client, close_all, run
from hubprocess import find_hubctl
from plugintest import gated, recording_hub, refused, room

STARTERS = ["Cultuurverschillen tussen organisaties overbruggen", "Actief burgerschap stimuleren",
            "Omgaan met belemmerende wet- en regelgeving"]


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("module", ("theme-choice",)) as h:
        yield h


def agenda(config, anonymity=None, title="Startsessie leerkring"):
    lines = ["series: e2e", "session: %s" % json.dumps(title), "lang: nl", "agenda:", "  - plugin: theme-choice", "    title: Themakeuze"]
    if anonymity:
        lines.append("    anonymity: %s" % anonymity)
    lines.append("    config: %s" % json.dumps(config, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def phase(fac, name):
    return fac.ok(fac.command("phase", activity="a1", phase=name))


def test_every_refusal_has_its_code_and_config_errors_are_caught_at_creation(hub):
    session = hub.create_session(agenda({"perPerson": 2, "maxLength": 30, "dots": 2}), name="rules.yaml")
    sid = session["id"]

    async def main():
        fac, (p0, p1) = await room(hub, session["code"], 2)
        a = "a1"
        try:
            await p0.ok(p0.input(a, "propose", {"text": "  Jongeren\u0007 en  wijk "}))
            for text in (None, 12, ["x"], {"nl": "x"}):
                refused(await p1.input(a, "propose", {"text": text}), "bad_text")
            refused(await p1.input(a, "propose", {"text": "   "}), "empty")
            refused(await p1.input(a, "propose", {"text": "x" * 31}), "too_long")
            refused(await p1.input(a, "propose", {"text": "x" * 60_000}), "too_long")
            refused(await p1.input(a, "propose", {"text": "JONGEREN EN WIJK"}), "duplicate")
            for starter in (3, -1, "0", 2 ** 63, 1.5, None):
                refused(await p1.input(a, "propose", {"starter": starter}), "unknown_starter")
            refused(await p1.input(a, "propose", {"text": "a", "starter": 0}), "bad_payload")
            refused(await p1.input(a, "propose", {"text": "a", "by": "p0"}), "bad_payload")
            await p1.ok(p1.input(a, "propose", {"starter": 1}))
            refused(await p0.input(a, "propose", {"starter": 1}), "duplicate")
            await p1.ok(p1.input(a, "propose", {"text": "Wonen"}))
            refused(await p1.input(a, "propose", {"text": "Werken"}), "too_many")
            # The facilitator's moves are the facilitator's, and ballots wait for their phase: the hub's gate.
            gated(await p0.input(a, "add", {"text": "Zorg"}))
            gated(await p0.input(a, "ballot", {"dots": {}}))
            gated(await fac.input(a, "confirm", {"themes": []}))
            themes = (await fac.wait_view(a, "facilitator", check=lambda v: len(v["themes"]) == 3))["themes"]
            t0, t1, t2 = [t["id"] for t in themes]
            refused(await fac.input(a, "merge", {"theme": t0, "into": t0}), "same_theme")
            for bad in ("t0", 7, None, "t" * 5000):
                refused(await fac.input(a, "merge", {"theme": bad, "into": t1}), "unknown_theme")
                refused(await fac.input(a, "remove", {"theme": bad}), "unknown_theme")
            refused(await fac.input(a, "merge", {"theme": t0, "into": t1, "text": "Wonen"}), "duplicate")
            await fac.ok(fac.input(a, "merge", {"theme": t2, "into": t0}))
            await fac.ok(fac.input(a, "add", {"text": "Zorg en welzijn"}))

            await phase(fac, "prioriteren")
            gated(await p0.input(a, "propose", {"text": "Te laat"}))
            for dots in ({t0: 3}, {t0: 1, t1: 1, "x": 0}):
                refused(await p0.input(a, "ballot", {"dots": dots}), "over_budget" if t0 in dots and dots[t0] == 3 else "unknown_theme")
            refused(await p0.input(a, "ballot", {"dots": {t0: 2}}), "no_stacking")
            for n in (-1, 0.5, "1", True, None):
                refused(await p0.input(a, "ballot", {"dots": {t0: n}}), "bad_ballot")
            refused(await p0.input(a, "ballot", {"dots": {t0: 0}}), "empty_ballot")
            refused(await p0.input(a, "ballot", {"dots": [1, 1]}), "bad_ballot")
            refused(await p0.input(a, "ballot", {"order": [t0]}), "bad_payload")
            await p0.ok(p0.input(a, "ballot", {"dots": {t0: 1, t1: 1}}))
            # Back to proposing: the list is fixed once a ballot is in.
            await phase(fac, "voorstellen")
            refused(await fac.input(a, "add", {"text": "Nog een"}), "list_fixed")
            refused(await fac.input(a, "remove", {"theme": t1}), "list_fixed")
            await phase(fac, "bevestigen")
            for themes in ([], [t0, t0], "t1", None):
                refused(await fac.input(a, "confirm", {"themes": themes}), "bad_choice")
            refused(await fac.input(a, "confirm", {"themes": [t0, "t999"]}), "unknown_theme")
            return await fac.ok(fac.input(a, "confirm", {"themes": [t1]}))
        finally:
            await close_all([fac, p0, p1])
    confirm = run(main())
    outputs = hub.export(sid)["outputs"]
    assert [(o["kind"], o["seq"]) for o in outputs] == [("series.result", confirm), ("report.section", confirm)], outputs
    assert outputs[0]["record"] == {"name": "themes", "items": [{"title": STARTERS[1], "votes": 1, "percent": 50, "place": 1}]}

    bad = [({"method": "vote"}, "config.method"), ({"dots": 0}, "config.dots"), ({"starters": ["x" * 121]}, "config.starters[0]"),
           ({"starters": ["a"] * 13}, "config.starters"), ({"choose": 21}, "config.choose"), ({"colour": "red"}, "config.colour")]
    for i, (config, field) in enumerate(bad):
        path = hub.dir / ("bad-%d.yaml" % i)
        path.write_text(agenda(config))
        r = hub.hubctl("session", "create", "--agenda", path, check=False)
        assert r.returncode != 0 and field in r.stderr, (config, r.stderr)


def test_twenty_participants_and_a_facilitator_choose_the_themes_of_the_series(hub):
    """Propose (starters taken over, duplicates refused), merge, dots blind until the reveal, confirm; the outputs
    read back over REST: the series result `themes` and the report section, under the confirm event."""
    session = hub.create_session(agenda({"title": "Thema's voor de leerkring", "dots": 3}), name="twenty.yaml")
    sid = session["id"]
    own = ["Jongeren in de wijk", "Eenzaamheid onder ouderen", "Schone straten", "Jongeren in de buurt", "Samenwerken met vrijwilligers"]

    async def main():
        fac, people = await room(hub, session["code"], 20)
        a = "a1"
        try:
            # One after the other, so that the list has a known order; then the rest at once, each a duplicate.
            for i, p in enumerate(people[:8]):
                await p.ok(p.input(a, "propose", {"starter": i} if i < 3 else {"text": own[i - 3]}))
            replies = await asyncio.gather(*(p.input(a, "propose", {"text": own[i % 5].upper()}) for i, p in enumerate(people[8:])))
            for r in replies:
                refused(r, "duplicate")
            view = await fac.wait_view(a, "facilitator", check=lambda v: len(v["themes"]) == 8)
            ids = {t["text"]: t["id"] for t in view["themes"]}
            # "Jongeren in de buurt" and "Jongeren in de wijk" are one theme.
            await fac.ok(fac.input(a, "merge", {"theme": ids["Jongeren in de buurt"], "into": ids["Jongeren in de wijk"], "text": "Jongeren"}))
            await phase(fac, "prioriteren")
            themes = (await people[0].wait_view(a, check=lambda v: len(v["themes"]) == 7))["themes"]
            order = [t["id"] for t in themes]
            assert [t["text"] for t in themes] == STARTERS + ["Jongeren", "Eenzaamheid onder ouderen", "Schone straten", "Samenwerken met vrijwilligers"]

            # Person i gives a dot to themes i%7, (i+1)%7 and (i+3)%7 of the list; person 0 changes their mind.
            def ballot(i):
                return {order[i % 7]: 1, order[(i + 1) % 7]: 1, order[(i + 3) % 7]: 1}
            acks = await asyncio.gather(*(p.ok(p.input(a, "ballot", {"dots": ballot(i)})) for i, p in enumerate(people)))
            await people[0].ok(people[0].input(a, "ballot", {"dots": {order[3]: 1}}))
            pub = await people[1].wait_view(a, check=lambda v: v["voters"] == 20)
            assert "results" not in pub and pub["fixed"], "results before the reveal"
            await fac.ok(fac.command("reveal", activity="a1"))
            pub = await people[1].wait_view(a, check=lambda v: v.get("results"))
            expected = [0] * 7
            for i in range(20):
                for id_ in (ballot(i) if i else {order[3]: 1}):
                    expected[order.index(id_)] += 1
            got = {r["id"]: r["votes"] for r in pub["results"]}
            assert [got[i] for i in order] == expected, (got, expected)
            assert sum(r["percent"] for r in pub["results"]) == 100
            top = [r["id"] for r in pub["results"]][:3]

            await phase(fac, "bevestigen")
            confirm = await fac.ok(fac.input(a, "confirm", {"themes": top}))
            final = await people[2].wait_view(a, check=lambda v: v.get("confirmed"))
            assert [c["id"] for c in final["confirmed"]] == top
            return confirm, top, acks, {t["id"]: t["text"] for t in themes}, expected, order
        finally:
            await close_all(people + [fac])
    confirm, top, acks, texts, expected, order = run(main())

    # Over REST: the session export holds both outputs under the confirm event of this activity, by the facilitator.
    status, export = hub.api("GET", "/api/v1/sessions/%s/export?format=json" % sid)
    assert status == 200, export
    outputs = export["outputs"]
    assert [(o["kind"], o["instance"], o["seq"]) for o in outputs] == [("series.result", "%s/a1" % sid, confirm), ("report.section", "%s/a1" % sid, confirm)]
    event = next(e for e in export["events"] if e["seq"] == confirm)
    assert event["activity"] == "a1" and event["type"] == "confirm" and event["role"] == "facilitator", event
    result = outputs[0]["record"]
    assert result["name"] == "themes" and [i["title"] for i in result["items"]] == [texts[t] for t in top]
    assert [i["votes"] for i in result["items"]] == sorted(expected, reverse=True)[:3]
    jongeren = next((i for i in result["items"] if i["title"] == "Jongeren"), None)
    if jongeren:
        assert jongeren["also"] == ["Jongeren in de wijk", "Jongeren in de buurt"]
    section = outputs[1]["record"]
    assert section["title"] == {"nl": "Gekozen thema's: Thema's voor de leerkring", "en": "Chosen themes: Thema's voor de leerkring"}
    assert section["text"]["nl"].startswith("20 deelnemers prioriteerden met stippen; gekozen:\n1. %s" % texts[top[0]]), section
    # Every accepted ballot is in the log.
    ballots = [e for e in export["events"] if e.get("type") == "ballot"]
    assert len(ballots) == 21 and {e["seq"] for e in ballots} >= set(acks)


# ---- 2: replay ---------------------------------------------------------------------------------------------


def test_a_recorded_session_replays_byte_for_byte_and_a_restart_gives_the_room_its_views_back(request):
    """The plugin runs behind `tee`, so the hub's own lines to it are recorded; a fresh plugin process fed that
    recording twice answers byte for byte the same, and its last views and outputs equal what the hub published and
    stored. Then the hub restarts and replays the log: every audience gets the same views."""
    hub, folder = recording_hub(request, "theme-choice")
    session = hub.create_session(agenda({"method": "ranking", "starters": ["Armoede", "Taal"]}), name="recorded.yaml")
    code, sid = session["code"], session["id"]

    async def main():
        fac, people = await room(hub, code, 8)
        a = "a1"
        try:
            await asyncio.gather(*(p.ok(p.input(a, "propose", {"starter": i} if i < 2 else {"text": "Thema %d" % i})) for i, p in enumerate(people[:6])))
            refused(await people[7].input(a, "propose", {"text": "thema  2"}), "duplicate")
            ids = [t["id"] for t in (await fac.wait_view(a, "facilitator", check=lambda v: len(v["themes"]) == 6))["themes"]]
            await fac.ok(fac.input(a, "merge", {"theme": ids[5], "into": ids[4]}))
            await fac.ok(fac.input(a, "remove", {"theme": ids[3]}))
            await phase(fac, "prioriteren")
            left = [i for i in ids if i not in (ids[5], ids[3])]
            await asyncio.gather(*(p.ok(p.input(a, "ballot", {"order": left[k % 4:] + left[:k % 4]})) for k, p in enumerate(people)))
            await people[2].ok(people[2].input(a, "ballot", {"order": [left[3], left[0]]}))  # changed, shorter
            await fac.ok(fac.command("reveal", activity=a))
            await phase(fac, "bevestigen")
            await fac.ok(fac.input(a, "confirm", {"themes": left[:2]}))
            await fac.ok(fac.input(a, "confirm", {"themes": left[:3]}))  # again: the later result replaces the earlier
            await fac.wait_view(a, "facilitator", check=lambda v: v["confirmations"] == 2)
            await fac.ping()
            return dict(fac.views)
        finally:
            await close_all(people + [fac])
    before = run(main())
    exported = hub.export(sid)

    hub.restart()

    async def again():
        fac = Client(hub.ws_url, "fac-again")
        await fac.connect()
        await fac.join(code, auth=hub.token)
        try:
            refused(await fac.input("a1", "confirm", {"themes": []}), "bad_choice")  # a use that needs the plugin
            await fac.ping()
            return dict(fac.views)
        finally:
            await fac.close()
    after = run(again())
    assert after[("a1", "public")] == before[("a1", "public")]
    assert after[("a1", "facilitator")] == before[("a1", "facilitator")]
    hub.stop()

    lines = [l for l in (folder / "theme-choice" / "recorded.jsonl").read_text().splitlines() if l.strip()]
    hello = [i for i, l in enumerate(lines) if json.loads(l)["t"] == "hello"]
    assert len(hello) == 2, "the restarted hub did not start the plugin again"
    first_run = "\n".join(lines[:hello[1]]) + "\n"
    assert sum(1 for l in first_run.splitlines() if json.loads(l)["t"] == "event") >= 20
    command = [str(Path(find_hubctl()).parent / "theme-choice-plugin")]
    one = subprocess.run(command, input=first_run, capture_output=True, text=True, timeout=60).stdout
    two = subprocess.run(command, input=first_run, capture_output=True, text=True, timeout=60).stdout
    assert one == two and one.count("\n") == first_run.count("\n")
    answers = [json.loads(l) for l in one.splitlines()]
    # Live, the plugin saw the refused inputs too (the hub logs only what the plugin accepted).
    assert [a["code"] for a in answers if a["t"] == "reject"] == ["duplicate"]
    last, outputs = {}, []
    for a in answers:
        if a["t"] == "views":
            last.update(a["views"])
            outputs += [(a["seq"], i, o) for i, o in enumerate(a.get("outputs", []))]
    views = {v["audience"]: v["view"] for v in exported["views"] if v["activity"] == "a1"}
    assert last["public"] == views["public"] and last["facilitator"] == views["facilitator"]
    stored = [(o["seq"], o["index"], {"kind": o["kind"], "record": o["record"]}) for o in exported["outputs"]]
    assert outputs == stored and [o[2]["kind"] for o in stored] == ["series.result", "report.section"] * 2
    replayed = "\n".join(lines[hello[1]:]) + "\n"
    tail = [json.loads(l) for l in subprocess.run(command, input=replayed, capture_output=True, text=True, timeout=60).stdout.splitlines()]
    assert [a["code"] for a in tail if a["t"] == "reject"] == ["bad_choice"], "a logged event was refused on replay"
