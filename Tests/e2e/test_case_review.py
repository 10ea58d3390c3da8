"""Acceptance of the case-review (intervisie) plugin (issue 9), against the real hub and the shipped
`plugins/case-review`.

1. 25 participants in 5 groups (the agenda's `groups`) each run the incidentmethode with their own
   case and timer; every frame every client received is scanned for the other groups' case texts;
   the facilitator's view shows all five groups' steps.
2. After close, a byte scan of the database file, its WAL and every export (session JSON, CSV and
   Markdown; toolkit JSON Lines, CSV and Markdown) finds none of the distinctive case texts; the
   consented leerpunten are in the gereedschapskist with their belemmeringen and provenance.
3. A custom method from the agenda YAML runs; an invalid one is refused by `hubctl session create`
   naming the step and the field.
4. Role rules: only the case owner marks advice useful, only the chair (or the facilitator) advances.

Also: a hub killed with SIGKILL mid-step gives every group back its case, step, deadline and cards
(the plugin is a deterministic reducer; the hub replays the log into it).

The browser walk (acceptance 5) is browser/test_case_review_browser.py.
"""
import asyncio
import json
import re
import subprocess
import time
import uuid

import pytest

from conftest import db_bytes, scan_db, shipped_hub
from hubclient import Client, close_all, run

A = "a1"
INCIDENT = ["intake", "terugblik", "vragen", "analyse", "advies", "reactie", "leerpunten"]
KIND_FOR = {"terugblik": "note", "vragen": "question", "analyse": "hypothesis", "advies": "advice", "reactie": "note"}
WHO = {"terugblik": {"inbrenger", "voorzitter", "notulist", "adviseur"}, "vragen": {"voorzitter", "notulist", "adviseur"},
       "analyse": {"voorzitter", "notulist", "adviseur"}, "advies": {"voorzitter", "notulist", "adviseur"}, "reactie": {"inbrenger"}}


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("module", ("case-review",)) as h:
        yield h


@pytest.fixture
def fresh_hub(request):
    """A database of its own: the byte scan then covers only this session's rows."""
    with shipped_hub(request.node.name, ("case-review",)) as h:
        yield h


def agenda(config, groups="{mode: random, size: 5}", anonymity=None):
    lines = ["session: Intervisie in de wijk", "lang: nl", "agenda:", "  - plugin: case-review", "    title: Intervisie"]
    if anonymity:
        lines.append("    anonymity: %s" % anonymity)
    if groups:
        lines.append("    groups: %s" % groups)
    lines.append("    config: %s" % json.dumps(config, ensure_ascii=False))
    return "\n".join(lines) + "\n"


async def room(hub, code, n, prefix="d"):
    f = Client(hub.ws_url, "fac")
    await f.connect()
    await f.join(code, auth=hub.token)
    b = Client(hub.ws_url, "beamer")
    await b.connect()
    await b.join(code, **{"as": "beamer"})
    people = [Client(hub.ws_url, "%s%02d" % (prefix, i)) for i in range(n)]

    async def one(c, i):
        await c.connect()
        await c.join(code, name="Deelnemer %02d" % i)
    await asyncio.gather(*(one(c, i) for i, c in enumerate(people)))
    return f, b, people


async def ok(client, type, payload=None, activity=A):
    r = await client.input(activity, type, payload or {}, timeout=30)
    assert r.get("t") == "ack", "%s %s %s refused: %s" % (client.label, type, payload, r)
    return r["seq"]


async def refused(client, type, payload=None, activity=A):
    r = await client.input(activity, type, payload or {}, timeout=30)
    assert r.get("t") == "error" and r.get("code") == "rejected", "%s %s should be refused: %s" % (client.label, type, r)
    return r.get("detail")


async def me(client):
    """The client's own id as the plugin sees it and its group, from its `me` view."""
    v = await client.wait_view(A, "me", lambda v: v.get("group"), timeout=20)
    return v["id"], v["group"]


def gview(client, gid):
    return client.view(A, "group:" + gid) or {}


async def wait_group(client, gid, check, what="group view", timeout=20):
    try:
        return await client.wait_view(A, "group:" + gid, check, timeout=timeout)
    except AssertionError as e:
        raise AssertionError("%s: %s; view now: %s" % (what, e, json.dumps(gview(client, gid), ensure_ascii=False)[:1500])) from None


class Group:
    """One breakout group as the test drives it: clients with their plugin ids, roles from the group view."""

    def __init__(self, gid, members):
        self.gid = gid
        self.members = members  # [(client, plugin id)] in the group view's order
        self.texts = []  # every distinctive confidential text this group typed
        self.token = uuid.uuid4().hex[:10]

    def by_id(self, pid):
        return next(c for c, i in self.members if i == pid)

    def role_of(self, view, pid):
        return next(m["role"] for m in view["members"] if m["id"] == pid)

    def secret(self, what):
        t = "%s %s-%s" % (what, self.gid, uuid.uuid4().hex[:12])
        self.texts.append(t)
        return t


async def form_groups(people):
    ids = await asyncio.gather(*(me(c) for c in people))
    by_group = {}
    for c, (pid, gid) in zip(people, ids):
        by_group.setdefault(gid, {})[pid] = c
    groups = []
    for gid in sorted(by_group):
        c0 = next(iter(by_group[gid].values()))
        view = await wait_group(c0, gid, lambda v: len(v.get("members", [])) == len(by_group[gid]))
        groups.append(Group(gid, [(by_group[gid][m["id"]], m["id"]) for m in view["members"]]))
    return groups


async def run_incident(g, barrier, stagger, checkpoint):
    """One group: intake (everyone proposes, the chair picks the second member's case), every step of the
    incidentmethode with cards by the roles the step allows, a useful mark, two leerpunten of which the case
    owner consents to one, and the chair publishes it."""
    await asyncio.sleep(stagger)
    chair, chair_id = g.members[0]
    owner, owner_id = g.members[1]
    await asyncio.gather(*(ok(c, "propose", {"title": g.secret("Casustitel"), "description": g.secret("Beschrijving"),
                                               "question": g.secret("Hulpvraag")}) for c, _ in g.members))
    view = await wait_group(chair, g.gid, lambda v: len(v["proposals"]) == len(g.members), "all proposals")
    pick = next(p["id"] for p in view["proposals"] if p["by"] == owner_id)
    await ok(chair, "choose-case", {"proposal": pick})
    view = await wait_group(chair, g.gid, lambda v: v.get("case") is not None, "the chosen case")
    assert view["case"]["by"] == owner_id and g.role_of(view, owner_id) == "inbrenger" and g.role_of(view, chair_id) == "voorzitter"
    deadlines = {}
    for step in INCIDENT[1:-1]:
        before = int(time.time() * 1000)
        await ok(chair, "advance")
        view = await wait_group(chair, g.gid, lambda v, s=step: v["step"] == s, "step " + step)
        after = int(time.time() * 1000)
        minutes = next(s["minutes"] for s in chair.view(A, "public")["stages"] if s["id"] == step)
        assert before - 1000 <= view["deadline"] - minutes * 60_000 <= after + 1000, "deadline of %s: %s" % (step, view["deadline"])
        deadlines[step] = view["deadline"]
        writers = [(c, i) for c, i in g.members if g.role_of(view, i) in WHO[step]]
        await asyncio.gather(*(ok(c, "card", {"kind": KIND_FOR[step], "text": g.secret("Kaart-" + step)}) for c, _ in writers))
        view = await wait_group(chair, g.gid, lambda v, s=step, n=len(writers): len([c for c in v["cards"] if c["step"] == s]) == n,
                                "cards of " + step)
        # Every member's screen has the same step and deadline (the timer shows on every screen of the group).
        for c, _ in g.members:
            await wait_group(c, g.gid, lambda v, s=step: v["step"] == s, "%s sees step %s" % (c.label, step))
            assert gview(c, g.gid)["deadline"] == deadlines[step]
        if step == "advies":
            advice = next(c for c in view["cards"] if c["kind"] == "advice")
            await ok(owner, "mark-useful", {"card": advice["id"]})
            await wait_group(chair, g.gid, lambda v, k=advice["id"]: any(c["id"] == k and c["useful"] for c in v["cards"]), "useful mark")
        if step == "vragen":
            await barrier.wait()
            await checkpoint()
            await barrier.wait()
    await ok(chair, "advance")
    await wait_group(chair, g.gid, lambda v: v["step"] == "leerpunten", "leerpunten")
    writer, _ = g.members[2]
    shared = {"kind": "tip", "title": "Deelbaar leerpunt %s %s" % (g.gid, g.token),
              "text": "Betrek vroeg een collega uit het sociaal domein (%s)." % g.token, "barriers": ["samenwerking", "wet-en-regelgeving"]}
    kept = {"kind": "les", "title": g.secret("Niet gedeeld leerpunt"), "text": g.secret("Blijft in de groep"), "barriers": ["budget"]}
    s1 = await ok(writer, "leerpunt", shared)
    await ok(writer, "leerpunt", kept)
    view = await wait_group(chair, g.gid, lambda v: len(v["leerpunten"]) == 2, "two leerpunten")
    first = next(l["id"] for l in view["leerpunten"] if l["title"] == shared["title"])
    s2 = await ok(owner, "consent", {"leerpunt": first, "consent": True})
    await wait_group(chair, g.gid, lambda v: any(l["consent"] for l in v["leerpunten"]), "consent")
    await ok(chair, "publish")
    await wait_group(chair, g.gid, lambda v: v["published"] == 1, "published")
    return {"shared": shared, "seqs": [s1, s2], "deadlines": deadlines}


def scan(blob, texts):
    return sorted(t for t in texts if t.encode() in blob)


def test_five_groups_run_the_incident_method_confidentially_and_share_only_consented_leerpunten(fresh_hub):
    hub = fresh_hub
    created = hub.create_session(agenda({"method": "incident", "minutes": 40}))
    sid, code = created["id"], created["code"]

    async def main():
        f, beamer, people = await room(hub, code, 25)
        try:
            await f.ok(f.command("start"))
            await f.ok(f.command("goto", activity=A))
            groups = await form_groups(people)
            assert len(groups) == 5 and all(len(g.members) == 5 for g in groups), [len(g.members) for g in groups]
            barrier = asyncio.Barrier(5)
            seen = {}

            async def checkpoint():
                # Only once, by whichever group gets here first after all five reached `vragen`.
                if seen:
                    return
                seen["fac"] = await f.wait_view(A, "facilitator", lambda v: len(v.get("groups", [])) == 5 and
                                                all(g["step"] == "vragen" for g in v["groups"]), timeout=20)
            results = await asyncio.gather(*(run_incident(g, barrier, 0.15 * k, checkpoint) for k, g in enumerate(groups)))
            # Acceptance 1: the facilitator saw all five groups' steps, with each group's own timer.
            mid = seen["fac"]["groups"]
            assert sorted(x["group"] for x in mid) == [g.gid for g in groups]
            assert [x["deadline"] for x in mid] == [r["deadlines"]["vragen"] for r in results]
            assert len({x["deadline"] for x in mid}) == 5, "each group has its own timer: %s" % mid
            final = await f.wait_view(A, "facilitator", lambda v: all(g["step"] == "leerpunten" and g["published"] == 1 for g in v["groups"]))
            assert all(g["cards"] > 0 and g["caseChosen"] and g["leerpunten"] == 2 for g in final["groups"])
            beamer_public = await beamer.wait_view(A, "public", lambda v: len(v.get("groups", [])) == 5)
            assert {g["group"] for g in beamer_public["groups"]} == {g.gid for g in groups}
            # Every frame every client got: no other group's case text; the own group's is there.
            everything = [t for g in groups for t in g.texts]
            for g in groups:
                others = [t for o in groups if o is not g for t in o.texts]
                for c, _ in g.members:
                    wire = "\n".join(c.texts)
                    leaked = [t for t in others if t in wire]
                    assert not leaked, "%s (group %s) received other groups' case text: %s" % (c.label, g.gid, leaked[:3])
                    assert g.texts[0] in wire
            for who in (f, beamer):
                wire = "\n".join(who.texts)
                leaked = [t for t in everything if t in wire]
                assert not leaked, "%s received case text: %s" % (who.label, leaked[:3])
            # Acceptance 4 in a running group: an adviser may not mark advice useful nor advance.
            g = groups[0]
            view = gview(g.members[0][0], g.gid)
            adviser = next(c for c, i in g.members if g.role_of(view, i) == "adviseur")
            advice = next(c["id"] for c in view["cards"] if c["kind"] == "advice")
            assert await refused(adviser, "mark-useful", {"card": advice}) == "not_case_owner"
            assert await refused(adviser, "advance") == "not_chair"
            # The scan below can see case text: before close it is in the log (database or WAL).
            live = db_bytes(hub)
            assert scan(live, everything), "the byte scan finds no case text even before close"
            # The facilitator's export of the running session shows confidential inputs as the sealed log will.
            for fmt in ("json", "csv", "md"):
                running = hub.hubctl("session", "export", sid, "--format", fmt).stdout
                assert not [t for t in everything if t in running], "open-session export (%s) shows case text" % fmt
            await f.ok(f.command("close"))
            return groups, results
        finally:
            await close_all(people + [f, beamer])

    groups, results = run(main(), timeout=240)
    secrets = [t for g in groups for t in g.texts]
    assert len(secrets) > 5 * 20

    # Acceptance 2: the database file and its WAL, byte for byte, once the hub has sealed the log.
    # On PostgreSQL the schema's pg_dump (scan_db).
    deadline = time.monotonic() + 20
    while True:
        found = scan_db(hub, lambda blob: scan(blob, secrets))
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert not found, "case text left in the database after close: %s" % found[:3]

    # Every export.
    exports = {}
    for fmt in ("json", "csv", "md"):
        exports["session." + fmt] = hub.hubctl("session", "export", sid, "--format", fmt).stdout
    for fmt in ("jsonl", "csv", "md"):
        exports["toolkit." + fmt] = hub.hubctl("toolkit", "export", "--format", fmt).stdout
    for name, text in exports.items():
        assert not scan(text.encode(), secrets), "%s holds case text: %s" % (name, scan(text.encode(), secrets)[:3])
    # The session export still says what happened: outputs and redacted confidential inputs.
    session = json.loads(exports["session.json"])
    outputs = [o for o in session.get("outputs", []) if o.get("kind") == "gereedschapskist.item"]
    assert len(outputs) == 5, outputs

    # The consented leerpunten, filed in the gereedschapskist with tags and provenance; the others nowhere.
    items = [json.loads(line) for line in exports["toolkit.jsonl"].splitlines() if line.strip()]
    for g, r in zip(groups, results):
        mine = [i for i in items if i["title"] == r["shared"]["title"]]
        assert len(mine) == 1, "leerpunt of %s not in the gereedschapskist (filing landed? see docs/CASE-REVIEW.md): %s" % (
            g.gid, [i["title"] for i in items])
        item = mine[0]
        assert item["kind"] == "tip"
        assert sorted(item["barriers"]) == ["samenwerking", "wet-en-regelgeving"]
        assert r["shared"]["text"] in item["body"]
        prov = [p for p in item.get("provenance", []) if p.get("session") == sid]
        assert prov and prov[0].get("activity") == A and sorted(prov[0].get("seqs", [])) == sorted(r["seqs"]), item.get("provenance")
        status, api = hub.api("GET", "/api/v1/toolkit/%s" % item["id"])
        assert status == 200 and api["title"] == r["shared"]["title"] and api["barriers"] == item["barriers"]
    status, found = hub.api("GET", "/api/v1/toolkit?barrier=samenwerking&kind=tip&limit=100")
    assert status == 200
    assert {r["shared"]["title"] for r in results} <= {h["title"] for h in found["hits"]}


# ---- acceptance 3: a custom method from the agenda ----------------------------------------------------

CUSTOM = """\
session: Eigen intervisie
lang: nl
agenda:
  - plugin: case-review
    title: Snelle intervisie
    groups: {mode: random, size: 3}
    config:
      pace: own
      method:
        id: snel
        title: {nl: Snelle methode, en: Quick method}
        steps:
          - id: vragen
            title: {nl: Vragen, en: Questions}
            purpose: Alleen vragen.
            minutes: 4
            who: [adviseur, voorzitter]
            kinds: [question]
          - id: tips
            title: {nl: Tips, en: Tips}
            prompts: {adviseur: Geef een tip., inbrenger: Luister.}
            minutes: 2
            who: [adviseur]
            kinds: [advice]
"""


def test_a_custom_method_from_the_agenda_runs_and_an_invalid_one_is_refused_naming_step_and_field(hub, tmp_path):
    created = hub.create_session(CUSTOM)

    async def main():
        f, beamer, people = await room(hub, created["code"], 3, prefix="c")
        try:
            await f.ok(f.command("start"))
            await f.ok(f.command("goto", activity=A))
            (g,) = await form_groups(people)
            pub = people[0].view(A, "public")
            assert [s["id"] for s in pub["stages"]] == ["intake", "vragen", "tips", "leerpunten"]
            assert pub["method"]["title"] == {"nl": "Snelle methode", "en": "Quick method"}
            assert pub["stages"][2]["prompts"]["adviseur"] == {"nl": "Geef een tip.", "en": "Geef een tip."}
            chair, owner, adviser = g.members[0][0], g.members[1][0], g.members[2][0]
            await ok(owner, "propose", {"title": "Eigen casus", "question": "Wat doe ik?"})
            view = await wait_group(chair, g.gid, lambda v: v["proposals"])
            await ok(chair, "choose-case", {"proposal": view["proposals"][0]["id"]})
            await ok(chair, "advance")
            await wait_group(chair, g.gid, lambda v: v["step"] == "vragen")
            assert await refused(adviser, "card", {"kind": "advice", "text": "te vroeg"}) == "bad_kind"
            await ok(adviser, "card", {"kind": "question", "text": "Sinds wanneer?"})
            await ok(chair, "advance")
            view = await wait_group(chair, g.gid, lambda v: v["step"] == "tips")
            assert await refused(chair, "card", {"kind": "advice", "text": "mag niet"}) == "not_your_turn"
            await ok(adviser, "card", {"kind": "advice", "text": "Bel de huismeester"})
            await ok(chair, "advance")
            await wait_group(chair, g.gid, lambda v: v["step"] == "leerpunten")
            assert await refused(chair, "advance") == "last_step"
            fac = await f.wait_view(A, "facilitator", lambda v: v["groups"] and v["groups"][0]["step"] == "leerpunten")
            assert fac["groups"][0]["cards"] == 2
        finally:
            await close_all(people + [f, beamer])
    run(main(), timeout=120)

    # Invalid: a role that does not exist in step 2 (index 1), and a step without `kinds`.
    bad = CUSTOM.replace("who: [adviseur]\n", "who: [adviseurs]\n").replace("            kinds: [question]\n", "")
    path = tmp_path / "agenda.yaml"
    path.write_text(bad)
    r = hub.hubctl("session", "create", "--agenda", str(path), check=False)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    lines = bad.splitlines()
    who_line = next(i + 1 for i, l in enumerate(lines) if "adviseurs" in l)
    step0_line = next(i + 1 for i, l in enumerate(lines) if "- id: vragen" in l)
    assert re.search(r"agenda\.yaml:%d: agenda\[0\]\.config\.method\.steps\[1\]\.who\[0\]: must be one of .*adviseur" % who_line, r.stderr), r.stderr
    assert re.search(r"agenda\.yaml:%d: agenda\[0\]\.config\.method\.steps\[0\]\.kinds: is required" % step0_line, r.stderr), r.stderr

    # What a schema cannot say (two steps with one id) is the plugin's: the views name the step, inputs are refused.
    dup = CUSTOM.replace("- id: tips", "- id: vragen")
    created = hub.create_session(dup)

    async def dup_main():
        f, beamer, people = await room(hub, created["code"], 3, prefix="u")
        try:
            await f.ok(f.command("start"))
            await f.ok(f.command("goto", activity=A))
            pub = await f.wait_view(A, "public", lambda v: v.get("problems"))
            assert pub["problems"] == ["config.method.steps[1].id: `vragen` is already the id of steps[0]"]
            await people[0].wait_view(A, "me", lambda v: v.get("group"))
            assert await refused(people[0], "propose", {"title": "t", "question": "q"}) == "bad_method"
        finally:
            await close_all(people + [f, beamer])
    run(dup_main(), timeout=60)


# ---- acceptance 4: role rules ----------------------------------------------------------------------------


def test_only_the_case_owner_marks_useful_and_only_the_chair_or_facilitator_advances(hub):
    created = hub.create_session(agenda({"method": "incident"}, groups=None))

    async def main():
        f, beamer, people = await room(hub, created["code"], 8, prefix="r")
        try:
            await f.ok(f.command("start"))
            await f.ok(f.command("goto", activity=A))
            # Before any groups: nobody can take part.
            assert await refused(people[0], "propose", {"title": "t", "question": "q"}) == "not_in_group"
            assignments = {"g1": [c.participant for c in people[:4]], "g2": [c.participant for c in people[4:]]}
            await f.ok(f.command("groups", mode="manual", assignments=assignments))
            g1, g2 = await form_groups(people)
            chair, chair_id = g1.members[0]
            owner, owner_id = g1.members[1]
            adviser, notes = g1.members[2][0], g1.members[3]
            await ok(owner, "propose", {"title": "Casus R", "question": "Vraag R"})
            view = await wait_group(chair, "g1", lambda v: v["proposals"])
            assert await refused(adviser, "choose-case", {"proposal": view["proposals"][0]["id"]}) == "not_chair"
            await ok(chair, "choose-case", {"proposal": view["proposals"][0]["id"]})
            await ok(chair, "assign-role", {"participant": notes[1], "role": "notulist"})
            assert await refused(adviser, "assign-role", {"participant": notes[1], "role": "voorzitter"}) == "not_chair"
            # Advancing: the case owner and advisers may not; the chair may; the facilitator may, per group.
            assert await refused(owner, "advance") == "not_chair"
            assert await refused(adviser, "advance") == "not_chair"
            await ok(chair, "advance")
            await f.ok(f.input(A, "advance", {"group": "g1"}))
            await f.ok(f.input(A, "advance", {"group": "g1"}))
            await f.ok(f.input(A, "advance", {"group": "g1"}))
            view = await wait_group(chair, "g1", lambda v: v["step"] == "advies")
            assert {m["id"]: m["role"] for m in view["members"]} == {
                chair_id: "voorzitter", owner_id: "inbrenger", g1.members[2][1]: "adviseur", notes[1]: "notulist"}
            assert await refused(owner, "card", {"kind": "advice", "text": "eigen advies"}) == "not_your_turn"
            await ok(adviser, "card", {"kind": "advice", "text": "Advies R"})
            view = await wait_group(chair, "g1", lambda v: v["cards"])
            card = view["cards"][0]["id"]
            for who in (chair, adviser, notes[0]):
                assert await refused(who, "mark-useful", {"card": card}) == "not_case_owner"
            # Another group's member cannot reach this group's card: it is not in their group.
            assert await refused(g2.members[0][0], "mark-useful", {"card": card}) == "not_case_owner"
            await ok(owner, "mark-useful", {"card": card})
            await wait_group(chair, "g1", lambda v: v["cards"][0]["useful"])
            # The facilitator needs a known group; g2 has no case yet.
            assert (await f.input(A, "advance", {"group": "g7"}))["detail"] == "no_such_group"
            assert (await f.input(A, "advance", {"group": "g2"}))["detail"] == "no_case"
            # Wrong payloads are refused with a code, never a crash, and the plugin keeps running.
            for payload in ({"card": 12}, {}, {"card": None}):
                assert await refused(owner, "mark-useful", payload) == "no_such_card"
            assert await refused(adviser, "card", {"kind": "advice", "text": ""}) == "bad_text"
            assert await refused(adviser, "card", {"kind": "advice", "text": ["x"]}) == "bad_text"
            assert await refused(adviser, "leerpunt", {"title": "x", "text": "y", "barriers": ["budget"]}) == "not_leerpunten"
            await ok(adviser, "card", {"kind": "advice", "text": "Nog een advies"})
        finally:
            await close_all(people + [f, beamer])
    run(main(), timeout=120)


# ---- replay: a hub killed mid-intervisie gives every group back its case, step, timer and cards ------------


def test_a_hub_killed_mid_step_gives_every_group_back_its_step_timer_and_cards(fresh_hub):
    hub = fresh_hub
    created = hub.create_session(agenda({"method": "roddel"}, groups="{mode: random, size: 3}"))

    async def before():
        f, beamer, people = await room(hub, created["code"], 6, prefix="k")
        try:
            await f.ok(f.command("start"))
            await f.ok(f.command("goto", activity=A))
            groups = await form_groups(people)
            for g in groups:
                chair, owner = g.members[0][0], g.members[1][0]
                await ok(owner, "propose", {"title": g.secret("Casus"), "question": g.secret("Vraag")})
                view = await wait_group(chair, g.gid, lambda v: v["proposals"])
                await ok(chair, "choose-case", {"proposal": view["proposals"][0]["id"]})
                await ok(chair, "advance")
                await ok(chair, "advance")
                await wait_group(chair, g.gid, lambda v: v["step"] == "vragen")
                await ok(g.members[2][0], "card", {"kind": "question", "text": g.secret("Vraagkaart")})
            await ok(groups[0].members[0][0], "advance")  # the groups are at different steps now
            views = {}
            for g, step in zip(groups, ["roddelen", "vragen"]):
                views[g.gid] = await wait_group(g.members[0][0], g.gid, lambda v, s=step: v["step"] == s and v["cards"])
            fac = await f.wait_view(A, "facilitator", lambda v: [x["step"] for x in v["groups"]] == ["roddelen", "vragen"])
            return groups, views, fac
        finally:
            await close_all(people + [f, beamer])

    groups, views, fac = run(before(), timeout=90)
    hub.restart(graceful=False)
    # Reconnect once the hub has restored the session by itself at start (it does so once it listens), so that
    # what the clients see is the restore's replay, not a load their joins set off. (A join during the restore
    # waits for it: SessionRegistry.load hands one restore to every caller.)
    log = hub.dir / ("serve-%d.stderr" % hub.starts)
    deadline = time.monotonic() + 20
    while not re.search(r"events=\d+ plugin=case-review session=%s .*plugin instances replayed" % created["id"], log.read_text()):
        assert time.monotonic() < deadline, "the hub did not restore the session: %s" % log.read_text()[-2000:]
        time.sleep(0.05)

    async def after():
        f = Client(hub.ws_url, "fac2")
        await f.connect()
        await f.join(created["code"], auth=hub.token)
        people = []
        try:
            for g in groups:
                c = Client(hub.ws_url, "back-" + g.gid)
                c.token = g.members[0][0].token
                await c.connect()
                await c.join(created["code"], token=c.token)
                people.append(c)
                view = await wait_group(c, g.gid, lambda v: v.get("cards"))
                assert view == views[g.gid], "group %s changed over the restart" % g.gid
                assert [t for t in g.texts if t in json.dumps(view, ensure_ascii=False)] == g.texts
            again = await f.wait_view(A, "facilitator", lambda v: v.get("groups"))
            assert again == fac
            # And it goes on: the chair of the second group advances.
            await ok(people[1], "advance")
            await wait_group(people[1], groups[1].gid, lambda v: v["step"] == "roddelen")
        finally:
            await close_all(people + [f])
    run(after(), timeout=90)
