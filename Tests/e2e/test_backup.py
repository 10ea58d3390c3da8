"""Issue 17, backup and restore (docs/OPERATIONS.md "Backup and restore").

A backup taken while a room of 30 sends inputs restores into a new hub that resumes the session; the
hub's own backups go only into --backup-dir, only for an owner, and --backup-every rotates them to
--backup-keep; `hubctl restore` checks the copy and refuses a database a running hub holds.
On PostgreSQL (`SESSIONHUB_E2E_STORE=postgres`) these copy SQLite files and are skipped; the hub and hubctl refuse
to back up there instead, with the advice to use pg_dump (docs/SCALING.md "Backups").
"""
import asyncio
import shutil
import sqlite3
import time

import pytest

import agendas
from hubclient import close_all, join_many, run, started_console
from conftest import postgres_only, sqlite_only
from hubprocess import ARTIFACTS, Hub, HubFailed, finish, new_hub
from test_durability import Sender, stored_inputs

ROOM = 30


def integrity(path):
    with sqlite3.connect("file:%s?mode=ro" % path, uri=True) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def backup_files(folder):
    return sorted(p.name for p in folder.glob("hub-*.sqlite")) if folder.exists() else []


@pytest.fixture
def hubs():
    """Hubs a test starts, stopped at its end."""
    started = []
    yield started
    for h in started:
        finish(h)


SQLITE_BACKUP = "a backup is a copy of the SQLite file; a PostgreSQL store is backed up with pg_dump (test_postgres_backups_are_refused_with_the_pg_dump_advice)"


@sqlite_only(SQLITE_BACKUP)
def test_a_backup_taken_while_30_clients_send_restores_into_a_hub_that_resumes_the_session(hubs):
    folder = ARTIFACTS / "test_backup.room" / "backups"
    hub = new_hub("test_backup.room", serve_args=["--backup-dir", str(folder)])
    hubs.append(hub)
    session = hub.create_session(agendas.counter_only("Backup room"))
    sid, code = session["id"], session["code"]

    target = ARTIFACTS / "test_backup.restored"
    shutil.rmtree(target, ignore_errors=True)
    restored = Hub(hub.binary, target)

    async def main():
        fac = await started_console(hub, code)
        people = await join_many(hub.ws_url, code, ROOM)
        senders = [Sender(c, pace=0.05) for c in people]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(s.run(stop)) for s in senders]
        while sum(len(s.acked()) for s in senders) < 3 * ROOM:
            await asyncio.sleep(0.1)
        # What was acked before the request left: all of it must be in the copy.
        before = {cid: seq for s in senders for cid, seq in s.acked().items()}
        status, made = await asyncio.to_thread(hub.api, "POST", "/api/v1/admin/backup")
        await asyncio.sleep(0.5)  # the room goes on sending after the copy
        stop.set()
        await asyncio.gather(*tasks)
        assert status == 201, made
        assert set(made) == {"file", "bytes"} and "/" not in made["file"], made
        copy = folder / made["file"]
        assert copy.stat().st_size == made["bytes"]
        assert backup_files(folder) == [made["file"]]
        assert integrity(copy) == "ok"

        # Into a new hub's data folder: the restore checks the copy and creates the database.
        r = await asyncio.to_thread(hub.hubctl, "restore", "--from", str(copy), "--db", str(restored.db), check=False)
        assert r.returncode == 0, r.stderr
        await asyncio.to_thread(finish, hub)
        await asyncio.to_thread(restored.start)
        hubs.append(restored)

        stored = stored_inputs(restored, sid)
        missing = [cid for cid in before if cid not in stored]
        assert not missing, "%d of %d inputs acked before the backup are not in it" % (len(missing), len(before))
        assert all(stored[cid] == [seq] for cid, seq in before.items())

        # The rejoin token's key is in the copy: the participant is recognised by the new hub.
        p = people[0]
        await p.reconnect(restored.ws_url)
        welcome = await p.join(code, token=p.token)
        after = await p.input("a1", "inc")
        assert welcome["role"] == "participant", welcome
        assert after["t"] == "ack", after
        assert after["seq"] > max(before.values())
        await close_all(people + [fac])

    run(main(), timeout=240)


@sqlite_only(SQLITE_BACKUP)
def test_hubctl_backup_while_the_hub_runs_and_restore_refuses_a_held_or_existing_database(hubs):
    hub = new_hub("test_backup.cli")
    hubs.append(hub)
    session = hub.create_session(agendas.counter_only("Offline copy"))
    out = hub.dir / "copy.sqlite"
    r = hub.hubctl("backup", "--db", str(hub.db), "--out", str(out), "--json", check=False)
    assert r.returncode == 0, r.stderr
    assert integrity(out) == "ok"
    with sqlite3.connect("file:%s?mode=ro" % out, uri=True) as db:
        assert db.execute("SELECT code FROM sessions WHERE id = ?", (session["id"],)).fetchone() == (session["code"],)

    # The running hub holds its database: even --force is refused, and nothing is touched.
    r = hub.hubctl("restore", "--from", str(out), "--db", str(hub.db), "--force", check=False)
    assert r.returncode == 1 and "running" in r.stderr, (r.returncode, r.stderr)
    assert hub.api("GET", "/api/v1/sessions/%s" % session["id"])[0] == 200

    finish(hub)
    r = hub.hubctl("restore", "--from", str(out), "--db", str(hub.db), check=False)
    assert r.returncode == 1 and "--force" in r.stderr, (r.returncode, r.stderr)
    r = hub.hubctl("restore", "--from", str(out), "--db", str(hub.db), "--force", check=False)
    assert r.returncode == 0, r.stderr
    assert list(hub.dir.glob("hub.sqlite.replaced-*")), "the replaced database is kept next to it"

    # A damaged copy is refused before anything is replaced.
    bad = hub.dir / "bad.sqlite"
    data = bytearray(out.read_bytes())
    data[4096:8192] = b"\xff" * 4096
    bad.write_bytes(bytes(data))
    r = hub.hubctl("restore", "--from", str(bad), "--db", str(hub.dir / "other.sqlite"), check=False)
    assert r.returncode == 1 and "integrity" in r.stderr, (r.returncode, r.stderr)
    assert not (hub.dir / "other.sqlite").exists()


@sqlite_only(SQLITE_BACKUP)
def test_only_an_owner_may_take_a_backup_and_only_into_the_backup_dir(hubs):
    folder = ARTIFACTS / "test_backup.owner" / "copies"
    hub = new_hub("test_backup.owner", serve_args=["--backup-dir", str(folder)])
    hubs.append(hub)
    hub.bootstrap(email="co@example.org", name="Co", role="co-facilitator")
    status, body = hub.api("POST", "/api/v1/login", {"email": "co@example.org", "password": "correct horse battery staple"}, token=None)
    assert status == 200, body
    co = body["token"]
    assert hub.api("POST", "/api/v1/admin/backup", token=co)[0] == 403
    assert hub.api("POST", "/api/v1/admin/backup", token=None)[0] == 401
    assert backup_files(folder) == []
    # A body naming a path is not read: the file name is always generated.
    status, made = hub.api("POST", "/api/v1/admin/backup", {"file": "../../escape.sqlite"})
    assert status == 201, made
    assert backup_files(folder) == [made["file"]]
    assert not (ARTIFACTS / "escape.sqlite").exists()


@sqlite_only(SQLITE_BACKUP)
def test_scheduled_backups_rotate_to_backup_keep(hubs):
    folder = ARTIFACTS / "test_backup.rotation" / "backups"
    # Every 0.36 s, keeping 2.
    hub = new_hub("test_backup.rotation", serve_args=["--backup-dir", str(folder), "--backup-every", "0.0001", "--backup-keep", "2"])
    hubs.append(hub)
    seen = set()
    deadline = time.monotonic() + 60
    while len(seen) < 5 and time.monotonic() < deadline:
        seen.update(backup_files(folder))
        time.sleep(0.05)
    assert len(seen) >= 5, "fewer than 5 scheduled backups in 60 s: %s\n%s" % (sorted(seen), hub.log_tail())
    finish(hub)
    kept = backup_files(folder)
    assert len(kept) == 2, kept
    assert kept == sorted(seen)[-2:], "the newest two are kept"
    assert all(integrity(folder / name) == "ok" for name in kept)


@postgres_only("the refusals of a hub on PostgreSQL, whose backups are the operator's pg_dump or pg_basebackup")
def test_postgres_backups_are_refused_with_the_pg_dump_advice(hubs):
    folder = ARTIFACTS / "test_backup.postgres" / "backups"
    shutil.rmtree(folder, ignore_errors=True)
    hub = new_hub("test_backup.postgres", serve_args=["--backup-dir", str(folder)])
    hubs.append(hub)
    hub.bootstrap(email="co@example.org", name="Co", role="co-facilitator")
    status, body = hub.api("POST", "/api/v1/login", {"email": "co@example.org", "password": "correct horse battery staple"}, token=None)
    assert status == 200, body
    # Still an owner's request: others are refused as on SQLite, before the store is asked.
    assert hub.api("POST", "/api/v1/admin/backup", token=body["token"])[0] == 403
    assert hub.api("POST", "/api/v1/admin/backup", token=None)[0] == 401
    # The owner gets 501 backup_unavailable, pointing at pg_dump; nothing is written, nothing audited as a backup.
    status, body = hub.api("POST", "/api/v1/admin/backup", {"file": "../../escape.sqlite"})
    assert status == 501 and body["error"]["code"] == "backup_unavailable", (status, body)
    assert "pg_dump" in body["error"]["message"], body
    assert backup_files(folder) == [] and not (ARTIFACTS / "escape.sqlite").exists()
    assert [e for e in hub.hubctl_json("audit") if e["action"] == "backup"] == []

    # Scheduled backups are refused at the start, before anything listens (`hubctl backup` and `restore` on a store
    # refuse the same way: test_store_option.py).
    r = hub.hubctl("serve", *hub.store_args(), "--port", "0", "--backup-dir", str(folder), "--backup-every", "1", check=False)
    assert r.returncode != 0 and "--backup-every" in r.stderr and "pg_dump" in r.stderr, (r.returncode, r.stderr)
    assert backup_files(folder) == []
