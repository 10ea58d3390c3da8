"""Intervisie continuity in a series (issue 18, acceptance 5; docs/CASE-REVIEW.md "Follow-up in a series"),
against the real hub, the shipped case-review plugin and its SQLite file.

A series of two sessions, each with an incidentmethode in two groups (g1, g2, formed by hand). In session 1
the inbrenger of g1 consents to keep the follow-up question, the inbrenger of g2 declines. In session 2 the
follow-up question reaches g1's case review only: g2, the facilitator and the beamer never receive it, and
the series, its reports and the exports never show it. After session 1's close a byte scan of the database
and its WAL finds none of the case texts, cards, leerpunten or the inbrengers' answers of either group.
A series where nobody consented starts its second session with nothing to look back on (`optional: true`).
"""
import asyncio
import json
import time
import uuid

import pytest

from conftest import scan_db, shipped_hub, stored_rows
from hubclient import Client, close_all, run

A = "intervisie"
QUESTION = "Wat heb je met het advies gedaan?"
QUESTION_EN = "What did you do with the advice?"

SERIES = """\
title: Intervisie Oost {tag}
kind: werkplaats
sessions:
  - session: Eerste intervisie
    date: 2027-03-01
    agenda:
      - id: intervisie
        plugin: case-review
        title: Intervisie
        config: {{ method: incident, followUp: true }}
  - session: Tweede intervisie
    date: 2027-04-01
    agenda:
      - id: intervisie
        plugin: case-review
        title: Intervisie
        config: {{ method: incident, followUp: true }}
        context: {{ from: {{ session: 1, activity: intervisie, result: follow-up, optional: true }} }}
"""


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("followup", ("case-review",)) as h:
        yield h


def create_series(hub, tag):
    path = hub.dir / ("series-%s.yaml" % tag)
    path.write_text(SERIES.format(tag=tag))
    made = hub.hubctl_json("series", "create", "--file", path)
    return made["id"], made["sessions"]


async def ok(client, type, payload=None):
    r = await client.input(A, type, payload or {}, timeout=30)
    assert r.get("t") == "ack", "%s %s %s refused: %s" % (client.label, type, payload, r)
    return r["seq"]


async def room(hub, code, prefix):
    """The facilitator, a beamer and four participants; g1 = the first two, g2 = the last two."""
    fac = Client(hub.ws_url, prefix + "-fac")
    await fac.connect()
    await fac.join(code, auth=hub.token)
    beamer = Client(hub.ws_url, prefix + "-beamer")
    await beamer.connect()
    await beamer.join(code, **{"as": "beamer"})
    people = [Client(hub.ws_url, "%s%d" % (prefix, i)) for i in range(4)]
    for i, c in enumerate(people):
        await c.connect()
        await c.join(code, name="Deelnemer %s%d" % (prefix, i))
    await fac.ok(fac.command("goto", activity=A))
    await fac.ok(fac.command("groups", mode="manual", assignments={
        "g1": [people[0].participant, people[1].participant], "g2": [people[2].participant, people[3].participant]}))
    for c, g in zip(people, ["g1", "g1", "g2", "g2"]):
        await c.wait_view(A, "me", lambda v, g=g: v.get("group") == g, timeout=20)
    return fac, beamer, people


def secret(texts, what):
    t = "%s-%s" % (what, uuid.uuid4().hex[:12])
    texts.append(t)
    return t


async def consult(fac, chair, owner, gid, texts, keep):
    """One group's case review up to the inbrenger's answer on the follow-up question: the owner's case, a
    question, an advice marked useful, the owner's reaction and a leerpunt; `keep` is the owner's answer."""
    await ok(owner, "propose", {"title": secret(texts, "Casus"), "description": secret(texts, "Beschrijving"),
                                "question": secret(texts, "Hulpvraag")})
    view = await chair.wait_view(A, "group:" + gid, lambda v: v.get("proposals"), timeout=20)
    await ok(chair, "choose-case", {"proposal": view["proposals"][0]["id"]})
    cards = {"vragen": (chair, "question"), "advies": (chair, "advice"), "reactie": (owner, "note")}
    for step in ("terugblik", "vragen", "analyse", "advies", "reactie"):
        await ok(chair, "advance")
        await chair.wait_view(A, "group:" + gid, lambda v, s=step: v["step"] == s, timeout=20)
        if step not in cards:
            continue
        writer, kind = cards[step]
        await ok(writer, "card", {"kind": kind, "text": secret(texts, "Kaart-" + step)})
        if step == "advies":
            view = await chair.wait_view(A, "group:" + gid, lambda v: any(c["kind"] == "advice" for c in v["cards"]), timeout=20)
            await ok(owner, "mark-useful", {"card": next(c["id"] for c in view["cards"] if c["kind"] == "advice")})
    await ok(chair, "advance")
    await chair.wait_view(A, "group:" + gid, lambda v: v["step"] == "leerpunten", timeout=20)
    await ok(chair, "leerpunt", {"title": secret(texts, "Leerpunt"), "text": secret(texts, "Leerpunttekst"), "barriers": ["budget"]})
    # Only the inbrenger answers; the answer is in the group's view, yes or no.
    r = await chair.input(A, "follow-up", {"consent": True}, timeout=30)
    assert r.get("t") == "error" and r.get("detail") == "not_case_owner", r
    await ok(owner, "follow-up", {"consent": True})
    if not keep:
        await ok(owner, "follow-up", {"consent": False})
    await owner.wait_view(A, "group:" + gid, lambda v: v.get("followUp") is keep, timeout=20)


def outputs_of(hub, sid):
    """The follow-up results session `sid` stored (read from the store: no API shows them)."""
    rows = stored_rows(hub, "SELECT record FROM outputs WHERE session_id = ? AND kind = 'series.result'", sid)
    return [json.loads(r[0]) for r in rows]


def test_the_follow_up_reaches_only_the_consenting_group_and_nothing_of_the_case_is_kept(hub):
    series, sessions = create_series(hub, "a")
    first, second = sessions[0], sessions[1]
    texts = []

    async def session_one():
        assert hub.hubctl_json("session", "start", first["id"])["status"] == "open"
        fac, beamer, people = await room(hub, first["code"], "a")
        try:
            await asyncio.gather(consult(fac, people[0], people[1], "g1", texts, keep=True),
                                 consult(fac, people[2], people[3], "g2", texts, keep=False))
            # Session 1 itself shows no look-back (it is the first), and the question is asked of the owner only.
            assert all("lookBack" not in (c.view(A, "group:" + g) or {}) for c, g in zip(people, ["g1", "g1", "g2", "g2"]))
        finally:
            await close_all([fac, beamer, *people])
    run(session_one(), timeout=120)
    # Kept with consent: g1's follow-up and nothing else; g2 said no after first saying yes.
    kept = outputs_of(hub, first["id"])
    assert kept and kept[-1]["name"] == "follow-up" and kept[-1]["audience"] == "group", kept
    assert [i["group"] for i in kept[-1]["items"]] == ["g1"], kept[-1]
    assert kept[-1]["items"][0]["question"] == {"nl": QUESTION, "en": QUESTION_EN}
    hub.hubctl("session", "close", first["id"])

    # After the close: no byte of any case text, card, leerpunt or answer in the database file or its WAL.
    deadline = time.monotonic() + 20
    while True:  # on PostgreSQL the schema's pg_dump (scan_db)
        found = scan_db(hub, lambda blob: [t for t in texts if t.encode() in blob])
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert len(texts) == 2 * 8, texts
    assert not found, "case text left in the database after close: %s" % found

    # The series, its reports and the exports never show the follow-up (it is only for the next session's group).
    shown = hub.hubctl_json("series", "show", series)
    assert not [r for r in shown["results"] if r["name"] == "follow-up"], shown["results"]
    assert QUESTION not in json.dumps(shown, ensure_ascii=False)

    assert hub.hubctl_json("session", "start", second["id"])["status"] == "open"

    async def session_two():
        fac, beamer, people = await room(hub, second["code"], "b")
        try:
            view = await people[0].wait_view(A, "group:g1", lambda v: v.get("lookBack"), timeout=20)
            assert view["lookBack"]["question"] == {"nl": QUESTION, "en": QUESTION_EN}
            assert view["lookBack"]["group"] == "g1" and view["lookBack"]["method"]["id"] == "incident"
            await people[1].wait_view(A, "group:g1", lambda v: v.get("lookBack"), timeout=20)
            g2 = await people[2].wait_view(A, "group:g2", lambda v: len(v.get("members", [])) == 2, timeout=20)
            assert "lookBack" not in g2
            # No frame to g2, the facilitator or the beamer carried the question.
            for c in (people[2], people[3], fac, beamer):
                await c.ping()
                assert not [t for t in c.texts if QUESTION in t or QUESTION_EN in t], "%s received the follow-up" % c.label
        finally:
            await close_all([fac, beamer, *people])
    run(session_two(), timeout=60)

    # Session 2's export keeps the reference its start resolved, without the items; no report holds the question.
    export = json.loads(hub.hubctl("session", "export", second["id"], "--format", "json").stdout)
    start = next(e for e in export["events"] if e["kind"] == "command" and e["type"] == "start")
    carried = start["payload"]["context"][A]["from"]
    assert carried["result"] == "follow-up" and carried["items"] == [] and carried["withheld"] is True, carried
    for sid in (first["id"], second["id"]):
        whole = json.loads(hub.hubctl("session", "export", sid, "--format", "json").stdout)
        assert not [o for o in whole["outputs"] if o["kind"] == "series.result"], whole["outputs"]
        for fmt in ("json", "md"):
            out = hub.hubctl("session", "export", sid, "--format", fmt).stdout
            assert QUESTION not in out and QUESTION_EN not in out, (sid, fmt)
            report = hub.hubctl("session", "report", sid, "--format", fmt).stdout
            assert QUESTION not in report and not [t for t in texts if t in report], (sid, fmt)


def test_without_any_consent_the_next_session_starts_with_nothing_to_look_back_on(hub):
    series, sessions = create_series(hub, "b")
    first, second = sessions[0], sessions[1]
    hub.hubctl("session", "start", first["id"])
    hub.hubctl("session", "close", first["id"])
    assert outputs_of(hub, first["id"]) == []
    # `optional: true`: the reference resolves to no items instead of refusing the start.
    assert hub.hubctl_json("session", "start", second["id"])["status"] == "open"

    async def look():
        fac, beamer, people = await room(hub, second["code"], "c")
        try:
            view = await people[0].wait_view(A, "group:g1", lambda v: len(v.get("members", [])) == 2, timeout=20)
            assert "lookBack" not in view
        finally:
            await close_all([fac, beamer, *people])
    run(look(), timeout=60)
