"""Issue 21, acceptance 3: `hubctl migrate --from sqlite FILE --to postgres://…` moves the demo hub from SQLite to
PostgreSQL, and the kennisbank search gives the same results on both (docs/SCALING.md "Moving a hub to PostgreSQL").

The demo hub is the one `scripts/run` makes (demo series, sessions, kennisbank and gereedschapskist) in a folder of
its own; the test adds records with Dutch diacritics and a session with inputs, searches over REST, stops the hub,
migrates it into a fresh schema of the test cluster, serves that with `--store` and logs in with the same account.
Runs in the e2e pass on PostgreSQL only (SESSIONHUB_E2E_STORE=postgres under scripts/pg).
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import urllib.parse

import pytest

from hubclient import Client, close_all, run, started_console
from hubprocess import ARTIFACTS, REPO, Hub, find_hubctl, free_port, postgres_store
from test_scripts_run import ScriptRun

pytestmark = pytest.mark.skipif(
    os.environ.get("SESSIONHUB_E2E_STORE") != "postgres" or not os.environ.get("SESSIONHUB_TEST_POSTGRES"),
    reason="moving a hub to PostgreSQL needs the test cluster: SESSIONHUB_E2E_STORE=postgres under scripts/pg "
           "(the e2e pass on PostgreSQL of scripts/test)")

DEMO_EMAIL = "demo@sessionhub.local"

# Descriptions with the diacritics of Dutch practice, beside the demo kennisbank's own.
RECORDS = [
    ("Buurtbemiddeling in de Schilderswijk", "buurtbemiddeling", "published",
     "Bewoners worden geïnformeerd over bemiddeling; één gesprek in het buurtcafé, privé als het moet."),
    ("Zorgcoöperatie Hart van Zuid", "zorgcooperatie", "published",
     "Een coöperatie van bewoners: zorg dichtbij, geen café maar een huiskamer."),
    ("Reünie van buurtvaders", "ontmoetingsplekken", "published",
     "Eén keer per jaar een reünie in café De Hoek; de vaders worden persoonlijk geïnformeerd."),
    ("Café als huiskamer van de buurt", "ontmoetingsplekken", "published",
     "Het café is privé terrein en toch de plek waar de buurt elkaar treft; één tafel blijft vrij."),
    ("Geïnformeerde keuzes over schulden", "schuldhulp", "published",
     "Buurtbemiddeling en schuldhulp samen: één loket, privé gesprekken, bewoners goed geïnformeerd."),
    ("Concept: buurtbemiddeling privé", "buurtbemiddeling", "draft",
     "Nog niet af: bemiddeling bij burenruzies in de coöperatie."),
]

# Accents in and out, capitals, prefixes, several words.
QUERIES = [
    "Buurtbemiddeling", "buurtbemiddeling", "BUURTBEMIDDELING", "buurtbem", "coöperatie", "cooperatie", "coop",
    "één", "een", "EEN", "café", "cafe", "CAFÉ", "Cafè", "reünie", "reunie", "geïnformeerd", "geinformeerd", "geinf",
    "privé", "prive", "PRIVÉ", "buurt", "bewoners cafe", "financiele", "zorg coop", "werkzame bestanddelen",
]


def migrate(binary, *args, env=None):
    return subprocess.run([binary, "migrate", *args], capture_output=True, text=True, timeout=300, env=env)


def searches(hub):
    """Every query's hits (ids in order) and total: published to anyone, drafts too to a facilitator; the toolkit."""
    found = {}
    for q in QUERIES:
        quoted = urllib.parse.quote(q)
        for label, path, token in (("public", "/api/v1/interventions?limit=50&q=", None),
                                   ("drafts", "/api/v1/interventions?drafts=1&limit=50&q=", "default"),
                                   ("toolkit", "/api/v1/toolkit?limit=50&q=", None)):
            status, body = hub.api("GET", path + quoted, token=token)
            assert status == 200, (q, label, body)
            found[(label, q)] = (body["total"], [h["id"] for h in body["hits"]])
    return found


def same(value, url):
    """`value` as JSON text with the hub's URL left out, to compare the answers of two hubs on other ports."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False).replace(url, "HUB")


def sqlite_counts(db):
    """Rows per table in the stopped hub's file; closed again, or migrate would find the file in use."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return {t: c.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                for t in ("sessions", "events", "facilitators", "interventions", "intervention_versions", "toolkit_items", "audit")}
    finally:
        c.close()


def test_the_demo_hub_moves_to_postgres_and_searches_alike():
    binary = find_hubctl()
    if not binary:
        pytest.fail("no hubctl binary: build first or set HUBCTL", pytrace=False)
    workdir = ARTIFACTS / "migrate"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)

    # The demo hub, as scripts/run makes it, stopped again.
    demo = ScriptRun(workdir, free_port())
    try:
        demo.wait_for(r"Press Ctrl-C to stop", timeout=300)
    finally:
        demo.stop()
    db = workdir / "data" / "hub.sqlite"
    password = (workdir / "data" / "demo-password").read_text().strip()

    hub = Hub(binary, workdir / "hub", plugins=REPO / "plugins")
    target = hub.store or postgres_store("migrate")
    hub.store, hub.db = None, db
    try:
        hub.start()
        hub.login(DEMO_EMAIL, password)
        status, effects = hub.api("GET", "/api/v1/effects", token=None)
        assert status == 200, effects
        made = []
        for title, kind, state, summary in RECORDS:
            record = {"title": title, "kind": kind, "type": "praktijk", "state": state, "summary": summary, "scale": "buurt",
                      "themes": ["leven"], "effects": [effects["effects"][0]["id"]],
                      "activeIngredients": [{"id": "wb-1", "statement": "Bewoners houden de sleutel", "evidence": {"level": "onbekend"}}]}
            status, body = hub.api("POST", "/api/v1/interventions", record)
            assert status == 201, body
            made.append(body)
        # A second version of one, so that versions move too.
        changed = dict(made[0], summary=made[0]["summary"] + " Nu ook in de coöperatie.")
        status, body = hub.api("PUT", "/api/v1/interventions/%s" % made[0]["id"], changed)
        assert status == 200 and body["version"] == 2, body

        # The demo session with inputs: a check-in in words with accents, then closed.
        status, listed = hub.api("GET", "/api/v1/sessions")
        assert status == 200, listed
        demo_session = next(s for s in listed["sessions"] if s["title"].startswith("Wat werkt in buurtbeheerbedrijven"))

        async def room():
            fac = await started_console(hub, demo_session["code"])
            people = []
            for i, (name, word) in enumerate((("Zoë", "café"), ("Anaïs", "reünie"), ("Daniël", "één"))):
                c = Client(hub.ws_url, "p%d" % i)
                await c.connect()
                await c.join(demo_session["code"], name=name)
                await c.ok(c.input("a1", "checkin", {"word": word, "mood": 3 + i % 3}))
                people.append(c)
            await close_all([fac, *people])
        run(room())
        hub.hubctl("session", "close", demo_session["id"])

        before = searches(hub)
        assert before[("public", "buurtbemiddeling")][1][:1], "the records were indexed"
        assert before[("public", "cafe")] == before[("public", "café")] == before[("public", "CAFÉ")]
        url_before = hub.url
        sessions_before = hub.api("GET", "/api/v1/sessions")[1]
        export_before = hub.export(demo_session["id"])

        # A hub that runs keeps its file: refused, nothing copied.
        r = migrate(binary, "--from", "sqlite", str(db), "--to", target)
        assert r.returncode == 1 and "in use" in r.stderr, r
        hub.stop()
        counts = sqlite_counts(db)

        r = migrate(binary, "--from", "sqlite", str(db), "--to", target)
        assert r.returncode == 0, r
        print(r.stdout)
        assert r.stdout.startswith("migrated %d sessions, %d events, %d facilitators" % (
            counts["sessions"], counts["events"], counts["facilitators"])), r.stdout
        printed = dict(re.findall(r"^\s+(\w+)\s+(\d+)$", r.stdout, re.M))
        for table, n in counts.items():
            assert int(printed[table]) == n, (table, printed[table], n)

        # Once moved, the target is no longer empty: a second run is refused and changes nothing.
        r = migrate(binary, "--from", "sqlite", str(db), "--to", target)
        assert r.returncode == 1 and "not empty" in r.stderr, r

        hub.store = target
        hub.start()
        hub.login(DEMO_EMAIL, password)
        after = searches(hub)
        differ = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not differ, differ
        # The same, but for the hub's own URL in the links (another port).
        assert same(hub.api("GET", "/api/v1/sessions")[1], hub.url) == same(sessions_before, url_before)
        assert same(hub.export(demo_session["id"]), hub.url) == same(export_before, url_before)
        assert not (workdir / "hub" / "hub.sqlite").exists()
    finally:
        hub.stop()
