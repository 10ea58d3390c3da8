"""Issue 17, acceptance 2: retention and purge (docs/PRIVACY.md "Retention").

Three brainstorm sessions on one hub: A (pseudonymous) publishes an archetype into the kennisbank and closes,
B (named: the cards show their writers) closes, C stays open. The hub makes a backup into its backup folder.
`hubctl purge --names-days 0 --inputs-days 0` then removes the names, functions and organisations and the
inputs of A and B: a byte scan of the database, its WAL and every backup finds none of them, C is untouched,
the published kennisbank item is the same over REST, and the purged sessions still load and export.
On PostgreSQL (`SESSIONHUB_E2E_STORE=postgres`) the scan reads the hub's schema's `pg_dump`; the hub takes no backups
there (refused, test_backup.py) and `hubctl purge --db` is SQLite's offline purge.
"""
import asyncio
import json
import sqlite3
import time

import pytest

from conftest import db_bytes, shipped_hub
from hubclient import Client, close_all
from test_brainstorm import CONFIG, FIXTURE, QUESTIONS, agenda, phase, run

PEOPLE = {
    "A": [("Ottoline Zeemeeuw-Brandaris", "Kwartiermaker Vogelwijk", "Woonstichting Klaproos-Achtien")],
    "B": [("Barend Kievitsbloem", "Buurtconciërge Oostzijde", "Coöperatie Pimpernel Wonen"),
          ("Hendrika Zilverschoon", "Opbouwwerker Kanaalzone", "Welzijn Duizendknoop")],
    "C": [("Lodewijk Open-Sessie", "Stadsdeelwethouder Ochtend", "Gemeente Ratelpopulier")],
}
# Only B's cards are scanned for: A's are published (the archetype holds them) and C's session is open.
CARDS = {"A": ["Schone straten door bewoners uit de Vogelwijk"],
         "B": ["Geheime zorg over de schulden van nummer 14", "Lekkage bij de familie op de hoek"],
         "C": ["Kaart uit de open sessie blijft staan"]}


@pytest.fixture
def hub(request):
    with shipped_hub(request.node.name, ("brainstorm",)) as h:
        h.hubctl_json("kennisbank", "import", FIXTURE)
        yield h


async def room(hub, code, people):
    fac = Client(hub.ws_url, "fac")
    await fac.connect()
    await fac.join(code, auth=hub.token)
    clients = []
    for i, (name, function, org) in enumerate(people):
        c = Client(hub.ws_url, "p%d" % i)
        await c.connect()
        await c.join(code, name=name, function=function, org=org)
        clients.append(c)
    await fac.ok(fac.command("start"))
    await fac.ok(fac.command("next"))
    return fac, clients


async def cards(fac, clients, texts):
    await fac.ok(fac.input("a1", "seed", {}))
    for i, t in enumerate(texts):
        p = clients[i % len(clients)]
        await p.ok(p.input("a1", "card", {"question": QUESTIONS[i % 4], "text": t}))


async def publish(fac, clients):
    await phase(fac, "clusteren")
    k = "k%d" % await fac.ok(fac.input("a1", "cluster", {"name": "Bewoners doen het werk"}))
    await phase(fac, "waarderen")
    await asyncio.gather(*(p.ok(p.input("a1", "dots", {"dots": {k: 1}})) for p in clients))
    await phase(fac, "toetsen")
    await fac.ok(fac.input("a1", "evidence", {"cluster": k, "level": "aannemelijk", "explanation": "Collectieve zelfwerkzaamheid",
                                              "sources": [{"title": "Sampson e.a. (1997)", "url": "https://doi.org/10.1126/science.277.5328.918"}]}))
    await phase(fac, "vastleggen")
    await fac.ok(fac.input("a1", "publish", {}))
    await fac.wait_view("a1", check=lambda v: v["published"] == 1)


def files(hub):
    """The database, its WAL and every backup the hub made."""
    found = [hub.db, hub.db.with_name(hub.db.name + "-wal")] + sorted((hub.dir / "backups").glob("hub-*.sqlite"))
    return [p for p in found if p.exists()]


def scan(hub, words):
    if hub.store:
        dump = db_bytes(hub)
        return ["pg_dump: %s" % w for w in words if w.encode() in dump]
    return ["%s: %s" % (p.name, w) for p in files(hub) for w in words if w.encode() in p.read_bytes()]


def test_a_purge_with_0_days_leaves_no_name_function_organisation_or_input_of_closed_sessions_in_the_files(hub):
    sessions = {}
    for key, anonymity in (("A", None), ("B", "named"), ("C", None)):
        sessions[key] = hub.create_session(agenda(CONFIG, anonymity=anonymity, title="Retentie %s" % key), name="%s.yaml" % key)

    async def main():
        for key in "ABC":
            fac, clients = await room(hub, sessions[key]["code"], PEOPLE[key])
            try:
                await cards(fac, clients, CARDS[key])
                if key == "A":
                    await publish(fac, clients)
            finally:
                await close_all(clients + [fac])
    run(main(), timeout=60)
    for key in "AB":
        hub.hubctl("session", "close", sessions[key]["id"])
    sid_a, sid_b, sid_c = (sessions[k]["id"] for k in "ABC")
    [filed] = [o["filed"] for o in hub.export(sid_a)["outputs"] if o.get("filed")]
    kb_id = filed.split("@")[0]
    status, item_before = hub.api("GET", "/api/v1/interventions/%s" % kb_id)
    assert status == 200, item_before
    status, made = hub.api("POST", "/api/v1/admin/backup")
    if hub.store:
        assert status == 501 and made["error"]["code"] == "backup_unavailable", made
        made = None
    else:
        assert status == 201, made
    backups = [made["file"]] if made else []

    purged_words = [w for k in "AB" for person in PEOPLE[k] for w in person]
    secret_cards = CARDS["B"]
    found = scan(hub, purged_words + secret_cards)
    if made:
        assert any(made["file"] in f for f in found), "the backup holds the names before the purge: %s" % found
    else:
        assert len(found) == len(purged_words + secret_cards), "the store holds the names before the purge: %s" % found

    # What would go: A and B, both kinds; C (open) never.
    dry = hub.hubctl_json("purge", "--names-days", "0", "--inputs-days", "0", "--dry-run")
    assert dry["dryRun"] and {s["session"]: s["kinds"] for s in dry["sessions"]} == {sid_a: ["names", "inputs"], sid_b: ["names", "inputs"]}, dry
    assert [b["file"] for b in dry["backups"]] == backups, dry
    assert scan(hub, purged_words + secret_cards) == found, "a dry run changes nothing"

    report = hub.hubctl_json("purge", "--names-days", "0", "--inputs-days", "0")
    assert not report["dryRun"] and report["scrubbed"] and {s["session"] for s in report["sessions"]} == {sid_a, sid_b}, report
    assert report["counts"]["joins"] == 3 and report["counts"]["inputs"] > 0, report
    assert [b["file"] for b in report["backups"]] == backups, report
    assert not made or report["backups"][0]["counts"]["joins"] == 3, report

    problems = scan(hub, purged_words + secret_cards)
    assert not problems, "purged data still in the files:\n" + "\n".join(problems)

    # The open session is untouched: its names and its card are still there, in the database and over the wire.
    for w in list(PEOPLE["C"][0]) + CARDS["C"]:
        if hub.store:
            assert w.encode() in db_bytes(hub), "the open session lost %s" % w
            continue
        assert any(w.encode() in p.read_bytes() for p in (hub.db, hub.db.with_name(hub.db.name + "-wal")) if p.exists()), "the open session lost %s" % w
    export_c = hub.export(sid_c)
    assert [p["name"] for p in export_c["participants"]] == [PEOPLE["C"][0][0]]
    assert any(e.get("payload", {}).get("text") == CARDS["C"][0] for e in export_c["events"])

    # The published item is intact.
    status, item_after = hub.api("GET", "/api/v1/interventions/%s" % kb_id)
    assert status == 200 and item_after == item_before, item_after
    assert CARDS["A"][0] in json.dumps(item_after, ensure_ascii=False)

    # The purged sessions load, replay and export; they say what was purged and when.
    for sid in (sid_a, sid_b):
        status, shown = hub.api("GET", "/api/v1/sessions/%s" % sid)
        assert status == 200 and shown["status"] == "closed", shown
        assert sorted(m["kind"] for m in shown["purged"]) == ["inputs", "names"], shown
        exported = hub.export(sid)
        assert all(p.get("name") is None and p.get("function") is None and p.get("org") is None for p in exported["participants"]), exported["participants"]
        inputs = [e for e in exported["events"] if e["kind"] == "input"]
        assert inputs and all(e["payload"] == {"purged": True} for e in inputs), inputs
        assert [e["seq"] for e in exported["events"] if "seq" in e] == sorted(e["seq"] for e in exported["events"] if "seq" in e)
        text = json.dumps(exported, ensure_ascii=False)
        assert not [w for w in purged_words + secret_cards if w in text]
    assert "purged:" in hub.hubctl("session", "show", sid_b).stdout
    [kept] = [o for o in hub.export(sid_a)["outputs"] if o.get("filed")]
    assert kept["filed"] == filed

    # One audit entry for the run, with its counts; the dry run left none. Nothing more is due.
    entries = hub.hubctl_json("audit", "--action", "purge")
    assert len(entries) == 1 and "2 sessions" in entries[0]["detail"], entries
    again = hub.hubctl_json("purge", "--names-days", "0", "--inputs-days", "0", "--dry-run")
    assert again["sessions"] == [] and again["backups"] == [], again

    if hub.store:  # no offline purge on PostgreSQL: what the running hub purged is all of it
        hub.stop()
        assert not scan(hub, purged_words + secret_cards)
        return
    # Offline on the stopped hub's file: refused while the hub holds it, then nothing left to do.
    r = hub.hubctl("purge", "--db", hub.db, "--names-days", "0", check=False)
    assert r.returncode == 1 and "running" in r.stderr, r.stderr
    hub.stop()
    offline = hub.hubctl_json("purge", "--db", hub.db, "--names-days", "0", "--inputs-days", "0")
    assert offline["sessions"] == [] and offline["backups"] == [], offline
    assert not scan(hub, purged_words + secret_cards)
    for path in files(hub):
        with sqlite3.connect("file:%s?mode=ro" % path, uri=True) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path


def test_series_and_agenda_retention_are_checked_and_shown(hub):
    status, series = hub.api("POST", "/api/v1/series", "title: Leerkring kort bewaard\nretention: {names: 0, inputs: never}\n",
                             content_type="application/yaml")
    assert status == 201 and series["retention"] == {"names": 0, "inputs": "never"}, series
    status, shown = hub.api("GET", "/api/v1/series/%s" % series["id"])
    assert status == 200 and shown["retention"] == {"names": 0, "inputs": "never"}, shown
    assert "retention: names 0, inputs never" in hub.hubctl("series", "show", series["id"]).stdout
    status, wrong = hub.api("POST", "/api/v1/series", {"title": "Fout", "retention": {"names": "soon"}})
    assert status == 400 and "retention.names" in wrong["error"]["message"], wrong

    bad = agenda(CONFIG, title="Retentie fout") + "retention:\n  names: -1\n  inputs: 400000\n"
    status, refused = hub.api("POST", "/api/v1/sessions", bad, content_type="application/yaml")
    assert status == 422 and sorted(e["field"] for e in refused["error"]["errors"]) == ["retention.inputs", "retention.names"], refused

    # A session of that series closes: its names are due at once (the series says 0 days), its inputs never.
    made = hub.create_session("series: %s\n" % series["id"] + agenda(CONFIG, title="In de reeks"), name="reeks.yaml")
    hub.hubctl("session", "start", made["id"])
    hub.hubctl("session", "close", made["id"])
    dry = hub.hubctl_json("purge", "--dry-run")
    assert [(s["session"], s["kinds"]) for s in dry["sessions"]] == [(made["id"], ["names"])], dry
    # The agenda's own rule wins over the series'.
    own = hub.create_session("series: %s\nretention: {names: 30}\n" % series["id"] + agenda(CONFIG, title="Eigen regel"), name="eigen.yaml")
    hub.hubctl("session", "start", own["id"])
    hub.hubctl("session", "close", own["id"])
    dry = hub.hubctl_json("purge", "--dry-run")
    assert [s["session"] for s in dry["sessions"]] == [made["id"]], dry


def test_the_hub_applies_its_flags_at_start(hub):
    """--retain-names-days 0: a restart purges the names of every closed session, and only the names."""
    made = hub.create_session(agenda(CONFIG, title="Bij de start"), name="start.yaml")

    async def main():
        fac, clients = await room(hub, made["code"], PEOPLE["C"])
        try:
            await cards(fac, clients, ["Een kaart die blijft"])
        finally:
            await close_all(clients + [fac])
    run(main(), timeout=30)
    hub.hubctl("session", "close", made["id"])
    hub.serve_args = ["--retain-names-days", "0", "--retain-inputs-days", "never"]
    hub.restart()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        shown = hub.hubctl_json("session", "show", made["id"])
        if shown.get("purged"):
            break
        time.sleep(0.2)
    assert [m["kind"] for m in shown.get("purged", [])] == ["names"], shown
    exported = hub.export(made["id"])
    assert [p.get("name") for p in exported["participants"]] == [None]
    assert any(e.get("payload", {}).get("text") == "Een kaart die blijft" for e in exported["events"]), "inputs stay: never"
    [entry] = hub.hubctl_json("audit", "--action", "purge")
    assert entry.get("actor") is None and entry["detail"].startswith("1 sessions (names 1, inputs 0)"), entry
