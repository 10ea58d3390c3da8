"""Issue 21, the PostgreSQL store on the command line (docs/SCALING.md, docs/DECISIONS.md).

`hubctl serve --store postgres://…` serves a room and the kennisbank on PostgreSQL (the cluster scripts/test starts);
a --store that is not a postgres:// URL is a usage error; `hubctl backup` and `hubctl restore` refuse a PostgreSQL
store and point at pg_dump (those connect to nothing).
"""
import json
import os
import subprocess
import time
import urllib.parse

import pytest

import agendas
from hubclient import Client, close_all, join_many, run, started_console
from hubprocess import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, Hub, find_hubctl, finish

URL = "postgres://hub@127.0.0.1:1/hub"


def hubctl(*args, cwd):
    binary = find_hubctl()
    if binary is None:
        pytest.skip("no hubctl built")
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=30, cwd=cwd)


def test_a_hub_serves_a_room_and_the_kennisbank_on_postgres_and_keeps_acked_inputs_over_a_kill(tmp_path):
    """`hubctl facilitator add --store` and `hubctl serve --store` on the throw-away cluster of scripts/test, in a schema
    of its own: a room whose acknowledged inputs survive SIGKILL and restart, and a kennisbank search that folds
    diacritics (the conformance suite holds the rest; docs/SCALING.md)."""
    base = os.environ.get("SESSIONHUB_TEST_POSTGRES")
    if not base:
        pytest.skip("no PostgreSQL cluster (scripts/test starts one: SESSIONHUB_TEST_POSTGRES)")
    binary = find_hubctl()
    if binary is None:
        pytest.skip("no hubctl built")
    schema = "e2e_%d_%d" % (os.getpid(), int(time.time() * 1000) % 10**9)
    url = base + ("&" if "?" in base else "?") + "options=-csearch_path%3D" + schema
    hub = Hub(binary, tmp_path / "hub")
    r = subprocess.run([binary, "facilitator", "add", "--store", url, "--email", FACILITATOR_EMAIL, "--name", "Fac",
                        "--password-stdin", "--role", "owner"], input=FACILITATOR_PASSWORD + "\n", capture_output=True,
                       text=True, env=hub.env(), timeout=60)
    assert r.returncode == 0, r.stderr
    hub.serve_args = ["--store", url]
    try:
        hub.start()
        hub.login()
        # The editor's two writes (issue 20) on this store: a draft's agenda saved again, an activity added.
        draft = hub.create_session(agendas.counter_only("Concept"))
        status, edited = hub.api("PUT", "/api/v1/sessions/%s/agenda" % draft["id"], agendas.counter_only("Bewerkt"),
                                 content_type="application/yaml")
        assert status == 200 and edited["title"] == "Bewerkt" and edited["code"] == draft["code"], edited
        status, added = hub.api("POST", "/api/v1/sessions/%s/activities" % draft["id"], {"item": {"plugin": "counter", "title": "Erbij"}})
        assert status == 201 and [a["id"] for a in added["agenda"]] == ["a1", "a2"], added
        status, again = hub.api("POST", "/api/v1/sessions/%s/activities" % draft["id"], {"item": {"id": "a2x", "plugin": "counter", "title": "Eigen"}})
        assert status == 201, again
        status, twice = hub.api("POST", "/api/v1/sessions/%s/activities" % draft["id"], {"item": {"id": "a2x", "plugin": "counter", "title": "Nog eens"}})
        assert status == 409 and twice["error"]["code"] == "activity_exists", twice

        session = hub.create_session(agendas.counter_only("Op PostgreSQL"))

        async def room():
            fac = await started_console(hub, session["code"])
            people = await join_many(hub.ws_url, session["code"], 5)
            for c in people:
                for _ in range(3):
                    await c.ok(c.input("a1", "inc"))
            await close_all([fac, *people])
        run(room())
        hub.kill9()
        hub.start()

        async def after():
            viewer = Client(hub.ws_url, "after")
            await viewer.connect()
            await viewer.join(session["code"], name="Na de herstart")
            view = await viewer.wait_view("a1", check=lambda v: v["count"] == 15)
            await viewer.close()
            return view
        assert run(after())["count"] == 15, "every acknowledged input is back after SIGKILL"
        assert not (tmp_path / "hub" / "hub.sqlite").exists(), "no SQLite database was made instead"

        status, effects = hub.api("GET", "/api/v1/effects", token=None)
        assert status == 200, effects
        record = {"title": "Financiële steun voor het buurtcafé", "kind": "ontmoetingsplekken", "type": "praktijk",
                  "state": "published", "summary": "Een huiskamer voor de buurt.", "scale": "buurt", "themes": ["leven"],
                  "effects": [effects["effects"][0]["id"]],
                  "activeIngredients": [{"id": "wb-1", "statement": "Bewoners houden de sleutel", "evidence": {"level": "onbekend"}}]}
        status, made = hub.api("POST", "/api/v1/interventions", record)
        assert status == 201, made
        for query in ("financiele", "buurtcafe", "FINANCIËLE", "buurtc"):
            status, found = hub.api("GET", "/api/v1/interventions?q=" + urllib.parse.quote(query), token=None)
            assert status == 200 and [h["id"] for h in found["hits"]] == [made["id"]], (query, found)
        status, backup = hub.api("POST", "/api/v1/admin/backup")
        assert status == 501 and backup["error"]["code"] == "backup_unavailable", backup
    finally:
        finish(hub)


def test_the_facilitator_commands_work_offline_on_a_postgres_store(tmp_path):
    """`hubctl facilitator add/list/export/erase/remove --store`: the operator's account commands on PostgreSQL, as on
    the SQLite file (docs/SCALING.md); the audit log there records the export."""
    base = os.environ.get("SESSIONHUB_TEST_POSTGRES")
    if not base:
        pytest.skip("no PostgreSQL cluster (scripts/test starts one: SESSIONHUB_TEST_POSTGRES)")
    url = base + ("&" if "?" in base else "?") + "options=-csearch_path%%3De2e_accounts_%d_%d" % (os.getpid(), int(time.time() * 1000) % 10**9)
    binary = find_hubctl() or pytest.skip("no hubctl built")
    def ctl(*args, stdin=None):
        return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    for email, role in (("eigenaar@example.org", "owner"), ("collega@example.org", "co-facilitator")):
        r = ctl("facilitator", "add", "--store", url, "--email", email, "--name", "N", "--password-stdin", "--role", role, stdin="lang-genoeg-1\n")
        assert r.returncode == 0, r.stderr
    r = ctl("facilitator", "list", "--store", url, "--json")
    assert r.returncode == 0 and sorted(f["email"] for f in json.loads(r.stdout)) == ["collega@example.org", "eigenaar@example.org"], r
    r = ctl("facilitator", "export", "--store", url, "collega@example.org")
    assert r.returncode == 0 and json.loads(r.stdout)["account"]["email"] == "collega@example.org", r
    assert "passwordHash" not in r.stdout and "password_hash" not in r.stdout
    r = ctl("facilitator", "erase", "--store", url, "collega@example.org")
    assert r.returncode == 0, r.stderr
    r = ctl("facilitator", "remove", "--store", url, "eigenaar@example.org")
    assert r.returncode == 0, r.stderr
    r = ctl("facilitator", "list", "--store", url, "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == [], r
    r = ctl("facilitator", "remove", "--store", url, "niemand@example.org")
    assert r.returncode == 1 and "no facilitator" in r.stderr, r
    assert not list(tmp_path.iterdir()), "no SQLite database was made instead"


@pytest.mark.parametrize("value, reason", [
    ("./data/hub.sqlite", "a SQLite file is --db FILE"),
    ("postgres://hub@127.0.0.1:1/hub?sslmode=require", "sslmode require is not supported yet"),
    ("postgres://hub@127.0.0.1:1/hub?options=-x", "options: only -c name=value"),
])
def test_a_store_that_is_not_a_usable_postgres_url_is_a_usage_error(tmp_path, value, reason):
    r = hubctl("serve", "--store", value, "--port", "0", cwd=tmp_path)
    assert r.returncode == 64, r
    assert reason in r.stderr, r.stderr


def test_backup_and_restore_refuse_a_postgres_store_and_point_at_pg_dump(tmp_path):
    for args in (["backup", "--store", URL, "--out", "x.sqlite"], ["backup", "--db", URL, "--out", "x.sqlite"],
                 ["restore", "--from", "x.sqlite", "--db", URL]):
        r = hubctl(*args, cwd=tmp_path)
        assert r.returncode == 1, (args, r)
        assert "pg_dump" in r.stderr and "docs/SCALING.md" in r.stderr, r.stderr
    assert not (tmp_path / "x.sqlite").exists()
