"""Issue 17, health and metrics for operators (docs/OPERATIONS.md "Health and metrics").

/healthz answers 503 only when the node cannot accept inputs (test_durability.py covers that); a disk
nearly full, late or failing scheduled backups and a plugin failed for every session are a 200
`degraded` naming each problem with a stable code and a message, so a load balancer keeps the node.
/metrics carries per-plugin series (events, rejects, failures, restarts, answer time) and the event
log's (batch size, commit time, queue depth), and they move with real inputs and a real plugin kill.
The disk and backup checks watch SQLite's data folder and file copies: skipped on PostgreSQL (`SESSIONHUB_E2E_STORE=postgres`),
where backups are pg_dump's and refused by the hub (test_backup.py).
"""
import asyncio
import json
import os
import re
import shutil
import signal
import sqlite3
import time
import urllib.request
from pathlib import Path

import pytest

import agendas
from conftest import postgres_only, sqlite_only
from hubclient import Client, close_all, run, started_console
from hubprocess import ARTIFACTS, PLUGINS, finish, new_hub


SQLITE_BACKUPS = "backups copy the SQLite file (--backup-every, hubctl backup/restore); on PostgreSQL they are refused (test_backup.py)"


@pytest.fixture
def hubs():
    """Hubs a test starts, stopped at its end."""
    started = []
    yield started
    for h in started:
        finish(h)


def health(hub):
    status, body = hub.api("GET", "/healthz", token=None)
    assert isinstance(body, dict), body
    return status, body


def codes(body):
    return [p["code"] for p in body.get("problems", [])]


def wait_for_problem(hub, code, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        status, body = health(hub)
        if code in codes(body) or time.monotonic() > deadline:
            return status, body
        time.sleep(0.1)


def scrape(hub):
    """/metrics as {(series, labels text): value}; it needs no token (restrict it at the proxy)."""
    text = urllib.request.urlopen(hub.url + "/metrics", timeout=10).read().decode()
    values = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+)(\{[^}]*\})? (\S+)$", line)
        if m:
            values[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return values


def plugin_children(hub, script):
    """Pids of this hub's own plugin processes running `script` (never another test's)."""
    pids = []
    for task in Path("/proc/%d/task" % hub.proc.pid).iterdir():
        for pid in (task / "children").read_text().split():
            try:
                cmdline = Path("/proc/%s/cmdline" % pid).read_bytes().split(b"\0")
            except OSError:
                continue
            if any(arg.endswith(script.encode()) for arg in cmdline):
                pids.append(int(pid))
    return pids


def disk_nearly_full_hub(hubs, name):
    """A hub whose threshold is above any real free space (1 PiB): the check fires on this machine's real file system."""
    hub = new_hub(name, serve_args=["--min-free-disk-mb", str(1 << 30)])
    hubs.append(hub)
    return hub


@sqlite_only("the free disk under the --db file's folder; a PostgreSQL store's disk is its server's to watch")
def test_a_disk_below_min_free_disk_mb_is_a_200_naming_the_problem(hubs):
    status, body = health(hub := disk_nearly_full_hub(hubs, "test_health.disk"))
    assert status == 200 and body["status"] == "degraded", body
    assert codes(body) == ["disk_nearly_full"], body
    problem = body["problems"][0]
    assert "--min-free-disk-mb" in problem["message"] and problem["detail"].endswith("bytes free"), problem
    # The node still takes inputs: a degraded disk is no outage.
    session = hub.create_session(agendas.counter_only("Disk"))

    async def main():
        fac = await started_console(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="Schijf")
        await p.ok(p.input("a1", "inc"))
        await close_all([fac, p])
    run(main(), timeout=60)
    r = hub.hubctl("serve", "--min-free-disk-mb=-1", check=False)
    assert r.returncode != 0 and "--min-free-disk-mb" in r.stderr, r.stderr


@postgres_only("the hub on --store keeps no database on its own disk")
def test_on_a_postgresql_store_the_local_disk_is_not_reported(hubs):
    """The free space under the unused --db folder says nothing about PostgreSQL's disk (OPERATIONS.md)."""
    status, body = health(disk_nearly_full_hub(hubs, "test_health.disk_pg"))
    assert status == 200 and body["status"] == "ok", body


@sqlite_only(SQLITE_BACKUPS)
def test_backups_are_late_when_the_scheduled_copy_fails(hubs, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder's parent should be")
    # Every 1.08 s into a folder that cannot be created (its parent is a file, even for root).
    hub = new_hub("test_health.backup_fails", serve_args=["--backup-dir", str(blocker / "backups"), "--backup-every", "0.0003"])
    hubs.append(hub)
    status, body = wait_for_problem(hub, "backups_late")
    assert status == 200 and body["status"] == "degraded", body
    problem = next(p for p in body["problems"] if p["code"] == "backups_late")
    assert "failed" in problem["message"] and problem["detail"], problem
    assert "scheduled backup failed" in hub.log_tail(200)


@sqlite_only(SQLITE_BACKUPS)
def test_backups_are_late_when_the_newest_copy_is_old_and_fine_after_a_new_one(hubs):
    folder = ARTIFACTS / "test_health.backup_old.copies"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    old = folder / "hub-20200101T000000.000Z.sqlite"
    with sqlite3.connect(old) as db:
        db.execute("CREATE TABLE t (x)")
    stamp = time.mktime((2020, 1, 1, 0, 0, 0, 0, 0, 0))
    os.utime(old, (stamp, stamp))
    hub = new_hub("test_health.backup_old", serve_args=["--backup-dir", str(folder), "--backup-every", "1"])
    hubs.append(hub)
    status, body = health(hub)
    assert status == 200 and codes(body) == ["backups_late"], body
    assert "minutes old" in body["problems"][0]["message"], body
    # An owner's copy now is a new newest copy: nothing is late any more.
    status, made = hub.api("POST", "/api/v1/admin/backup")
    assert status == 201, made
    status, body = health(hub)
    assert (status, body) == (200, {"status": "ok"}), body


def test_a_plugin_failed_for_every_session_is_200_degraded_not_503(hubs, tmp_path):
    # A plugin whose process exits before its handshake: five failures in a row fail it for the hub.
    folder = tmp_path / "plugins"
    shutil.copytree(PLUGINS / "counter", folder / "counter", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PLUGINS / "counter", folder / "stillborn", ignore=shutil.ignore_patterns("__pycache__"))
    manifest = json.loads((folder / "stillborn" / "plugin.json").read_text())
    manifest.update(name="stillborn", command=["python3", "-c", "import sys; sys.exit(3)"])
    (folder / "stillborn" / "plugin.json").write_text(json.dumps(manifest))
    hub = new_hub("test_health.plugin_failed", plugins=folder)
    hubs.append(hub)
    session = hub.create_session("session: Uitval\nlang: nl\nagenda:\n  - plugin: counter\n    title: Tel\n"
                                 "  - plugin: stillborn\n    title: Dood\n")

    async def main():
        fac = await started_console(hub, session["code"])
        await fac.send_command("goto", activity="a2")  # the session asks for the plugin: it keeps failing
        status, body = await asyncio.to_thread(wait_for_problem, hub, "plugin_failed")
        assert status == 200 and body["status"] == "degraded", body
        problem = next(p for p in body["problems"] if p["code"] == "plugin_failed")
        assert problem["plugin"] == "stillborn" and "stillborn" in problem["message"] and problem["detail"], problem
        # The node still serves the rest of the session.
        await fac.ok(fac.command("goto", activity="a1"))
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="Levend")
        await p.ok(p.input("a1", "inc"))
        await close_all([fac, p])
    run(main(), timeout=90)
    metrics = scrape(hub)
    assert metrics[("sessionhub_plugin_failures_total", '{plugin="stillborn"}')] >= 5, metrics
    assert metrics[("sessionhub_plugin_restarts_total", '{plugin="stillborn"}')] >= 4, metrics


def test_metrics_per_plugin_and_of_the_event_log_move_with_inputs_and_a_plugin_restart(hubs):
    hub = new_hub("test_health.metrics")
    hubs.append(hub)
    session = hub.create_session(agendas.counter_only("Meten"))
    counter = '{plugin="counter"}'

    async def main():
        fac = await started_console(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="Meter")
        for _ in range(5):
            await p.ok(p.input("a1", "inc"))
        refused = await p.input("a1", "inc", {"by": 99})  # the counter plugin refuses it
        assert refused["t"] == "error", refused
        before = await asyncio.to_thread(scrape, hub)

        pids = plugin_children(hub, "counter.py")
        assert len(pids) == 1, pids
        os.kill(pids[0], signal.SIGKILL)  # a kill from outside: the host restarts the plugin and replays
        deadline = time.monotonic() + 30
        while True:
            reply = await p.input("a1", "inc")
            if reply["t"] == "ack":
                break
            assert time.monotonic() < deadline, reply
            await asyncio.sleep(0.2)
        await close_all([fac, p])
        return before
    before = run(main(), timeout=90)
    after = scrape(hub)

    def moved(series, labels=""):
        return after.get((series, labels), 0) - before.get((series, labels), 0)

    assert before[("sessionhub_plugin_events_total", counter)] >= 6, before
    assert before[("sessionhub_plugin_rejects_total", counter)] == 1, before
    assert before[("sessionhub_plugin_answer_seconds_count", counter)] >= 7, before  # start and events
    assert before.get(("sessionhub_plugin_restarts_total", counter), 0) == 0, "no restart before the kill"
    assert after[("sessionhub_plugin_failures_total", counter)] == 1, after
    assert after[("sessionhub_plugin_restarts_total", counter)] == 1, after
    # The new process got the replay of the logged inputs, and the new input, as events.
    assert moved("sessionhub_plugin_events_total", counter) >= 2, (before, after)
    assert moved("sessionhub_plugin_answer_seconds_count", counter) >= 2, (before, after)
    assert after[("sessionhub_plugin_answer_seconds_sum", counter)] > 0
    # The event log: every logged event went through a batch; nothing waits once all was acked.
    assert before[("sessionhub_eventlog_batch_size_count", "")] >= 1, before
    assert after[("sessionhub_eventlog_batch_size_sum", "")] >= before[("sessionhub_eventlog_batch_size_sum", "")] + 1
    assert after[("sessionhub_eventlog_commit_seconds_count", "")] == after[("sessionhub_eventlog_batch_size_count", "")]
    assert after[("sessionhub_eventlog_commit_seconds_sum", "")] > 0
    assert any(k[0] == "sessionhub_eventlog_batch_size_bucket" for k in after), after
    # Nothing waits for the log once everything was acked (the room's leaves may still be on their way).
    deadline = time.monotonic() + 10
    while scrape(hub)[("sessionhub_eventlog_queue_depth", "")] != 0:
        assert time.monotonic() < deadline, "the event log's queue depth stays above 0"
        time.sleep(0.1)


@sqlite_only(SQLITE_BACKUPS)
def test_hubctl_restore_is_in_the_audit_log_of_the_restored_database(hubs):
    hub = new_hub("test_health.restore_audit")
    hubs.append(hub)
    copy = hub.dir / "before-the-upgrade.sqlite"
    hub.hubctl("backup", "--db", hub.db, "--out", copy)
    finish(hub)
    r = hub.hubctl("restore", "--from", str(copy), "--db", str(hub.db), "--force", check=False)
    assert r.returncode == 0, r.stderr
    restores = hub.hubctl_json("audit", "--db", hub.db, "--action", "restore")
    assert [(e["action"], e.get("actor"), e.get("target")) for e in restores] == [("restore", None, copy.name)], restores
    # A refused restore (a damaged copy) changes nothing, so it records nothing either.
    bad = hub.dir / "bad.sqlite"
    bad.write_bytes(b"not a database" * 1000)
    r = hub.hubctl("restore", "--from", str(bad), "--db", str(hub.db), "--force", check=False)
    assert r.returncode == 1, r.stderr
    assert len(hub.hubctl_json("audit", "--db", hub.db, "--action", "restore")) == 1
