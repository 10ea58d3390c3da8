"""Series as journeys (issue 18, docs/SERIES.md): a leerkring from the template via hubctl; in its startsessie
15 participants propose and choose themes with the theme-choice tool (its series result `themes`); the chosen themes appear in
`series show` and, once session 2 starts, as its brainstorm's questions; a reference that does not resolve
refuses `start` with `context_unresolved`; bad shapes are refused at create with file:line."""
import asyncio
import json
import time

import pytest

from conftest import shipped_hub
from hubclient import Client, close_all, run
from hubprocess import REPO
from plugintest import room
from test_theme_choice import STARTERS

PLUGINS = ("voting", "brainstorm", "checkin", "timer", "case-review", "card-deck", "shared-goals", "shared-agenda",
           "theme-choice", "obstacles")


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("series", PLUGINS) as h:
        yield h


def create_leerkring(hub, title):
    return hub.hubctl_json("series", "create", "--template", "leerkring", "--templates", REPO / "templates",
                           "--title", title, "--start", "2027-02-01")


def test_leerkring_from_the_template_carries_the_chosen_themes_forward(hub):
    series = create_leerkring(hub, "Leerkring Noord 2027")
    assert series["id"] == "leerkring-noord-2027" and series["kind"] == "leerkring"
    assert series["kindTitle"]["nl"] == "Leerkring" and series["template"] == "leerkring"
    sessions = series["sessions"]
    assert [s["position"] for s in sessions] == [1, 2, 3, 4, 5]
    # The startsessie on --start, then every four weeks (`week:` in the template).
    assert [s["date"] for s in sessions] == ["2027-02-01", "2027-03-01", "2027-03-29", "2027-04-26", "2027-05-24"]
    assert all(s["status"] == "draft" and s["time"] and s["location"]["address"] and s["location"]["route"] for s in sessions)
    first, second, third = sessions[0], sessions[1], sessions[2]

    # A reference that does not resolve refuses `start`, naming the session, activity and result.
    status, body = hub.api("POST", "/api/v1/sessions/%s/start" % second["id"])
    assert status == 409 and body["error"]["code"] == "context_unresolved", body
    assert "session 1" in body["error"]["message"] and "`themes`" in body["error"]["message"], body
    refused = hub.hubctl("session", "start", third["id"], check=False)
    assert refused.returncode == 1 and "`belemmeringen`" in refused.stderr and "session 2" in refused.stderr, refused.stderr

    async def startsessie():
        fac, people = await room(hub, first["code"], 15)
        try:
            await fac.ok(fac.command("goto", activity="themes"))
            # Two take over a starter of the seeds, three propose their own; the facilitator merges the duplicate.
            for p, proposal in zip(people, [{"starter": 0}, {"starter": 2}, {"text": "Jongeren in de wijk"},
                                            {"text": "Eenzaamheid"}, {"text": "Jongeren in de buurt"}]):
                await p.ok(p.input("themes", "propose", proposal))
            view = await fac.wait_view("themes", "facilitator", lambda v: len(v["themes"]) == 5)
            ids = {t["text"]: t["id"] for t in view["themes"]}
            await fac.ok(fac.input("themes", "merge", {"theme": ids["Jongeren in de buurt"], "into": ids["Jongeren in de wijk"]}))
            await fac.ok(fac.command("phase", activity="themes", phase="prioriteren"))
            # Three dots each, all on different themes: jongeren 15, cultuurverschillen 12, eenzaamheid 11, wet 7.
            j, c, e, w = (ids[t] for t in ("Jongeren in de wijk", STARTERS[0], "Eenzaamheid", STARTERS[2]))

            def dots(i):
                return dict.fromkeys([j, c, e] if i < 8 else [j, c, w] if i < 12 else [j, e, w], 1)
            await asyncio.gather(*(p.ok(p.input("themes", "ballot", {"dots": dots(i)})) for i, p in enumerate(people)))
            await fac.ok(fac.command("reveal", activity="themes"))
            await fac.wait_view("themes", "public", lambda v: v.get("results"))
            await fac.ok(fac.command("phase", activity="themes", phase="bevestigen"))
            await fac.ok(fac.input("themes", "confirm", {"themes": [j, c, e, w]}))
        finally:
            await close_all([fac, *people])
    run(startsessie())

    chosen = ["Jongeren in de wijk", "Cultuurverschillen tussen organisaties overbruggen", "Eenzaamheid",
              "Omgaan met belemmerende wet- en regelgeving"]
    # The outputs are stored just after the confirm is acknowledged: wait for them.
    deadline = time.monotonic() + 10
    while True:
        shown = hub.hubctl_json("series", "show", series["id"])
        if shown["results"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert shown["themes"] == chosen
    assert shown["plannedThemes"] == series["plannedThemes"] != chosen
    result = next(r for r in shown["results"] if r["name"] == "themes")
    assert result["session"] == 1 and result["activity"] == "themes"
    assert [(i["title"], i["votes"]) for i in result["items"]] == list(zip(chosen, [15, 12, 11, 7]))
    assert shown["sessions"][0]["attendance"] == 15 and shown["sessions"][0]["status"] == "open"
    text = hub.hubctl("series", "show", series["id"]).stdout
    assert "Jongeren in de wijk" in text and "Leerkring" in text and "2027-03-01" in text

    # Session 2 starts now: its brainstorm's questions are the chosen themes.
    assert hub.hubctl_json("session", "start", second["id"])["status"] == "open"

    async def brainstorm_questions():
        fac = Client(hub.ws_url, "fac2")
        await fac.connect()
        await fac.join(second["code"], auth=hub.token)
        try:
            view = await fac.wait_view("thema-vragen", "public", lambda v: len(v["questions"]) == 4)
            return [q["nl"] for q in view["questions"]]
        finally:
            await fac.close()
    assert run(brainstorm_questions()) == chosen

    # The resolved value is logged with the start, so a replay starts from it.
    export = json.loads(hub.hubctl("session", "export", second["id"], "--format", "json").stdout)
    start = next(e for e in export["events"] if e["kind"] == "command" and e["type"] == "start")
    carried = start["payload"]["context"]["thema-vragen"]["from"]
    assert carried["session"] == 1 and carried["result"] == "themes" and [i["title"] for i in carried["items"]] == chosen


BAD = """title: Kapotte reeks
kind: leerkring
sessions:
  - session: Een
    agenda:
      - id: themes
        plugin: voting
        title: Thema's
        config: { kind: single, options: [a, b] }
  - session: Twee
    agenda:
      - plugin: brainstorm
        title: Vragen
        context: { from: { session: 2, activity: themes, result: themes } }
      - plugin: brainstorm
        title: Meer vragen
        context: { from: { session: 1, activity: nergens, result: "Geen naam" } }
      - plugin: timer
        title: Klaar
        context: { from: [1, 2] }
"""


def test_bad_references_are_refused_at_create_with_file_and_line(hub):
    path = hub.dir / "kapot.yaml"
    path.write_text(BAD)
    r = hub.hubctl("series", "create", "--file", path, check=False)
    assert r.returncode == 1, r.stdout
    lines = r.stderr.splitlines()
    for expected in ("%s:14: sessions[1].agenda[0].context.from.session:" % path,
                     "%s:17: sessions[1].agenda[1].context.from.activity:" % path,
                     "%s:17: sessions[1].agenda[1].context.from.result:" % path,
                     "%s:20: sessions[1].agenda[2].context.from:" % path):
        assert any(l.startswith(expected) for l in lines), (expected, r.stderr)
    assert "Kapotte reeks" not in hub.hubctl("series", "list").stdout
    # A kind outside the closed list, and `context.from` in a lone session's agenda.
    path.write_text(BAD.replace("kind: leerkring", "kind: cursus"))
    r = hub.hubctl("series", "create", "--file", path, check=False)
    assert r.returncode == 1 and ("%s:2: kind: must be one of: leerkring (Leerkring)" % path) in r.stderr, r.stderr
    lone = hub.dir / "lone.yaml"
    lone.write_text("session: Alleen\nagenda:\n  - plugin: timer\n    title: T\n    context: { from: { session: 1, activity: a1, result: x } }\n")
    r = hub.hubctl("session", "create", "--agenda", lone, check=False)
    assert r.returncode == 1 and ("%s:5: agenda[0].context.from:" % lone) in r.stderr, r.stderr


def test_the_programme_template_and_old_series_files(hub):
    made = hub.hubctl_json("series", "create", "--template", "themabijeenkomsten", "--templates", REPO / "templates",
                           "--title", "Themabijeenkomsten 2027", "--start", "2027-03-04")
    assert made["kind"] == "themabijeenkomst-programma" and len(made["sessions"]) == 4
    assert [s["date"] for s in made["sessions"]] == ["2027-03-04", "2027-04-29", "2027-06-24", "2027-08-19"]
    # The same series again: its sessions exist, so it is refused rather than doubled.
    r = hub.hubctl("series", "create", "--template", "themabijeenkomsten", "--templates", REPO / "templates",
                   "--title", "Themabijeenkomsten 2027", check=False)
    assert r.returncode == 1 and "already has its sessions" in r.stderr, r.stderr
    # A series file without `sessions` is the container it always was.
    old = hub.dir / "old.yaml"
    old.write_text((REPO / "docs/examples/demo-series.yaml").read_text())
    assert hub.hubctl_json("series", "create", "--file", old)["id"] == "demo"
    assert hub.hubctl_json("series", "show", "demo")["sessions"] == []
