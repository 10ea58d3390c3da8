"""Issue 17, acceptance 4: the audit log of facilitator and operator actions (docs/PRIVACY.md, "The audit log").

Each audited action is done once against a real hub, through hubctl, REST or the WebSocket as a facilitator
does it; `hubctl audit --json` must then list it exactly once, with actor, action, target and time. A
participant's join and input never appear; a failed login records the e-mail address tried and never the
password. The log is append-only in the database itself, and its retention (`--audit-retention-days`)
removes what is older at start. On PostgreSQL (`SESSIONHUB_E2E_STORE=postgres`) a backup is refused (pg_dump's job)
and audits nothing, the operator's view is the hub's schema read with psql, and its triggers keep the log append-only.
"""
import asyncio
import json
import sqlite3
import time

import pytest

import agendas
from conftest import db_bytes, psql, stored_rows
from hubclient import Client, run
from hubprocess import FACILITATOR_EMAIL, FACILITATOR_PASSWORD

WRONG_PASSWORD = "Not-the-password-7319"
PRACTICE = {"title": "Buurtkamer in de plint", "kind": "ontmoetingsplekken", "type": "praktijk", "state": "published",
            "summary": "Een huiskamer voor de buurt.", "scale": "buurt", "themes": ["leven"],
            "activeIngredients": [{"id": "wb-1", "statement": "Bewoners houden de sleutel", "evidence": {"level": "onbekend"}}]}


def audit(hub, *args):
    """`hubctl audit --json` against the running hub (the owner's saved token)."""
    return hub.hubctl_json("audit", *args)


def newest_id(hub):
    entries = audit(hub, "--limit", "1")
    return entries[-1]["id"] if entries else 0


def test_each_audited_action_appears_once_with_actor_target_and_time(hub):
    before = newest_id(hub)
    start_ms = int(time.time() * 1000)

    # Logins: a failed one (hubctl), a good one (REST, for the facilitator's id).
    failed = hub.hubctl("login", "--server", hub.url, "--email", FACILITATOR_EMAIL, "--password-stdin",
                        input=WRONG_PASSWORD + "\n", check=False)
    assert failed.returncode != 0
    status, login = hub.api("POST", "/api/v1/login", {"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}, token=None)
    assert status == 200, login
    me = login["facilitator"]["id"]

    # A session's life: created (hubctl), started (REST), a participant kicked and the session closed
    # (WebSocket), exported (hubctl), deleted (REST).
    s = hub.create_session(agendas.standard(title="Audited", series="audit"))
    status, _ = hub.api("POST", "/api/v1/sessions/%s/start" % s["id"])
    assert status == 200

    async def room():
        fac, p = Client(hub.ws_url, "fac"), Client(hub.ws_url, "p")
        await fac.connect()
        await fac.join(s["code"], auth=hub.token)
        await fac.ok(fac.command("goto", activity="a1"))
        await p.connect()
        await p.join(s["code"], name="Anne de Vries", function="wijkbeheerder", org="Woonstad")
        await p.ok(p.input("a1", "inc"))
        pid = p.participant
        await fac.ok(fac.command("kick", participant=pid))
        await fac.ok(fac.command("close"))
        await fac.close()
        await p.close()
        return pid
    pid = run(room())
    hub.export(s["id"])
    status, _ = hub.api("DELETE", "/api/v1/sessions/" + s["id"])
    assert status == 204

    # The kennisbank: a published practice description (REST).
    status, effects = hub.api("GET", "/api/v1/effects", token=None)
    status, record = hub.api("POST", "/api/v1/interventions", dict(PRACTICE, effects=[effects["effects"][0]["id"]]))
    assert status == 201, record

    # Backups: one an owner asks the hub for (REST), one the operator makes of the file (hubctl). On PostgreSQL both
    # are refused (test_backup.py), and a refusal is no backup to audit.
    status, backup = hub.api("POST", "/api/v1/admin/backup")
    copy = hub.dir / "operator-copy.sqlite"
    if hub.store:
        assert status == 501 and backup["error"]["code"] == "backup_unavailable", backup
        assert hub.hubctl("backup", "--store", hub.store, "--out", copy, check=False).returncode == 1
    else:
        assert status == 201, backup
        hub.hubctl("backup", "--db", hub.db, "--out", copy)

    entries = [e for e in audit(hub) if e["id"] > before]
    expected = [
        ("login.failed", None, FACILITATOR_EMAIL),
        ("login", me, FACILITATOR_EMAIL),
        ("session.create", me, s["id"]),
        ("session.start", me, s["id"]),
        ("participant.kick", me, "%s/%s" % (s["id"], pid)),
        ("session.close", me, s["id"]),
        ("session.seal", None, s["id"]),
        ("session.export", me, s["id"]),
        ("session.delete", me, s["id"]),
        ("kennisbank.publish", me, record["id"]),
    ] + ([] if hub.store else [
        ("backup", me, backup["file"]),
        ("backup", None, str(copy)),
    ])
    got = [(e["action"], e.get("actor"), e.get("target")) for e in entries]
    assert got == expected, "each action once, in order, nothing else:\n%s" % json.dumps(entries, indent=1)
    for e in entries:
        assert e["at"] >= start_ms - 1000 and e["time"].endswith("Z"), e
        assert e.get("actorEmail") == (FACILITATOR_EMAIL if e.get("actor") else None), e
    # A participant's join and input are no facilitator's actions; the kick names them only as its target.
    assert all(e.get("actor") != pid for e in entries)
    # The address tried is kept, the password never: not in the log, not in the database file.
    assert WRONG_PASSWORD not in json.dumps(entries)
    assert WRONG_PASSWORD.encode() not in db_bytes(hub)

    # The same entries from the database file (the operator's view; on PostgreSQL the hub's schema), and the filters.
    if hub.store:
        offline = stored_rows(hub, "SELECT id, at, actor, action, target FROM audit WHERE id > ? ORDER BY id", before)
        assert offline == [(e["id"], e["at"], e.get("actor"), e["action"], e.get("target")) for e in entries]
    else:
        offline = [e for e in hub.hubctl_json("audit", "--db", hub.db) if e["id"] > before]
        assert offline == entries
    assert [e["action"] for e in audit(hub, "--action", "session.start") if e["id"] > before] == ["session.start"]
    assert audit(hub, "--since", "2099-01-01") == []
    assert [e for e in audit(hub, "--since", "1h") if e["id"] > before] == entries
    text = hub.hubctl("audit", "--action", "login.failed").stdout
    assert FACILITATOR_EMAIL in text and WRONG_PASSWORD not in text


def test_the_log_is_append_only_and_kept_per_its_retention(own_hub):
    """The database refuses to change an entry or delete a young one; the retention removes old ones at start."""
    hub = own_hub
    hub.stop()
    day = 86_400_000
    now = int(time.time() * 1000)
    if hub.store:
        psql(hub, "INSERT INTO audit (at, actor, action, target) VALUES (%d, NULL, 'test.old', 'x'), (%d, NULL, 'test.recent', 'y');\n"
             % (now - 40 * day, now - 10 * day))
        r = psql(hub, "UPDATE audit SET target = 'z' WHERE action = 'test.recent';\n", check=False)
        assert r.returncode != 0 and "append-only" in r.stderr, r.stderr
        r = psql(hub, "DELETE FROM audit WHERE action = 'facilitator.add';\n", check=False)
        assert r.returncode != 0 and "at least a day" in r.stderr, r.stderr
        assert stored_rows(hub, "SELECT target FROM audit WHERE action = 'test.recent'") == [("y",)]
    else:
        append_only_in_sqlite(hub, now, day)
    hub.serve_args = ["--audit-retention-days", "30"]
    hub.start()
    hub.login()
    actions = [e["action"] for e in hub.hubctl_json("audit")]
    assert "test.old" not in actions and "test.recent" in actions and "facilitator.add" in actions


def append_only_in_sqlite(hub, now, day):
    with sqlite3.connect(hub.db) as db:
        db.execute("INSERT INTO audit (at, actor, action, target) VALUES (?, NULL, 'test.old', 'x')", (now - 40 * day,))
        db.execute("INSERT INTO audit (at, actor, action, target) VALUES (?, NULL, 'test.recent', 'y')", (now - 10 * day,))
    with sqlite3.connect(hub.db) as db:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE audit SET target = 'z' WHERE action = 'test.recent'")
        with pytest.raises(sqlite3.DatabaseError, match="at least a day"):
            db.execute("DELETE FROM audit WHERE action = 'facilitator.add'")
