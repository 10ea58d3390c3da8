"""An ack means stored (issue 13, finding 2; docs/SECURITY.md "Durability: an ack means stored").

The hub acknowledges an input only once its event is in the database. These tests make writing fail or
stall the way an unlucky operator would (another process holding the SQLite write lock, or on PostgreSQL a lock
on the events table that makes the log's writes wait; a session deleted while its room types) and check the promise from outside: every acked input is in the database exactly
once, nothing is acked across a gap, and while the log cannot store the hub says so (`unavailable` to
senders, `/healthz` 503) instead of accepting what it may lose. The full-disk case mounts a 3 MB tmpfs
(root only; skipped elsewhere; SQLite's only).
"""
import asyncio
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest

import agendas
from conftest import sqlite_only
from hubclient import Client, close_all, join_many, run, started_console
from hubprocess import WriteLock, stored_rows

LOCK_SECONDS = 12  # longer than SQLite's 10 s busy timeout in the hub, so a write fails there, not only waits


def healthz(hub):
    """The status of GET /healthz."""
    try:
        with urllib.request.urlopen(hub.url + "/healthz", timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def stored_inputs(hub, sid):
    """client id -> list of seqs of the session's logged inputs, read from the store itself (the SQLite file, or the
    hub's PostgreSQL schema)."""
    found = {}
    for cid, seq in stored_rows(hub, "SELECT client_id, seq FROM events WHERE session_id = ? AND kind = 'input'", sid):
        found.setdefault(cid, []).append(seq)
    return found


def session_seqs(hub, sid):
    return [r[0] for r in stored_rows(hub, "SELECT seq FROM events WHERE session_id = ? ORDER BY seq", sid)]


class Sender:
    """Sends `inc` inputs without waiting for their replies (as a busy phone does), and keeps every reply."""

    def __init__(self, client, activity="a1", pace=0.15):
        self.client, self.activity, self.pace = client, activity, pace
        self.sent = []

    async def run(self, stop, limit=None):
        while not stop.is_set() and (limit is None or len(self.sent) < limit):
            try:
                self.sent.append(await self.client.send_input(self.activity, "inc"))
            except Exception:
                return  # the connection went away (a deleted session closes it)
            if self.pace:
                await asyncio.sleep(self.pace)

    def replies(self):
        return {i: self.client.replies.get(i) for i in self.sent}

    def acked(self):
        return {i: r["seq"] for i, r in self.replies().items() if r and r.get("t") == "ack"}

    def refused(self, code):
        return [i for i, r in self.replies().items() if r and r.get("t") == "error" and r.get("code") == code]


def assert_acked_stored_once(hub, sid, senders):
    """Every acked input is in the database exactly once, with the seq of its ack."""
    found = stored_inputs(hub, sid)
    missing, wrong = [], []
    for s in senders:
        for cid, seq in s.acked().items():
            if cid not in found:
                missing.append(cid)
            elif found[cid] != [seq]:
                wrong.append((cid, seq, found[cid]))
    acked = sum(len(s.acked()) for s in senders)
    assert not missing, "%d of %d acked inputs are not stored: %s" % (len(missing), acked, missing[:5])
    assert not wrong, "acked inputs stored with another seq or more than once: %s" % wrong[:5]
    return acked


def test_a_write_lock_held_by_another_process_loses_no_acked_input(own_hub):
    """SQLite's lock on the file, or on PostgreSQL a lock on the events table (hubprocess.WriteLock)."""
    hub = own_hub
    session = hub.create_session(agendas.counter_only("Lock"))
    other = hub.create_session(agendas.counter_only("Other"))
    sid, code = session["id"], session["code"]
    holder = WriteLock(hub)

    async def main():
        fac = await started_console(hub, code)
        people = await join_many(hub.ws_url, code, 3)
        senders = [Sender(c) for c in people]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(s.run(stop)) for s in senders]
        await asyncio.sleep(1)
        assert healthz(hub) == 200

        await asyncio.to_thread(holder.take)
        locked_at = time.monotonic()
        statuses = []
        while time.monotonic() - locked_at < LOCK_SECONDS:
            statuses.append(await asyncio.to_thread(healthz, hub))
            await asyncio.sleep(0.5)
        during = {i for s in senders for i in s.sent}
        # A delete writes what its session accepted first: while the log cannot store it is refused, not hung.
        deleted = await asyncio.to_thread(hub.api, "DELETE", "/api/v1/sessions/%s" % other["id"])
        await asyncio.to_thread(holder.release)

        # Durable again: healthz recovers and new inputs are accepted.
        for _ in range(200):
            if await asyncio.to_thread(healthz, hub) == 200:
                break
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*tasks)
        after = await people[0].input("a1", "inc")
        # Every input sent during the outage gets its answer (ack or unavailable), none is left hanging.
        for s in senders:
            for i in s.sent:
                await s.client.reply(i, timeout=30)
        assert all(s.replies()[i] for s in senders for i in s.sent if i in during)

        acked = assert_acked_stored_once(hub, sid, senders)
        assert acked > 0
        assert after["t"] == "ack", "new inputs are accepted again: %s" % after
        assert healthz(hub) == 200, "healthz stays 503 after the lock was released"
        assert 503 in statuses, "/healthz must answer 503 while the log cannot store: %s" % statuses
        unavailable = [i for s in senders for i in s.refused("unavailable")]
        assert unavailable, "inputs sent while the log could not store must be refused with `unavailable`"
        assert deleted[0] == 503 and deleted[1]["error"]["code"] == "unavailable", deleted
        for i in unavailable:
            assert i not in stored_inputs(hub, sid), "an input refused with `unavailable` was stored"
        seqs = session_seqs(hub, sid)
        assert seqs == list(range(1, len(seqs) + 1)), "the log has a gap"
        await close_all(people + [fac])
    try:
        run(main(), timeout=120)
    finally:
        holder.close()


def test_deleting_a_session_while_its_room_types_loses_nothing_of_another(own_hub):
    hub = own_hub
    keep = hub.create_session(agendas.counter_only("Keep"))
    gone = hub.create_session(agendas.counter_only("Gone"))

    async def main():
        rooms = {}
        for s in (keep, gone):
            fac = Client(hub.ws_url, "fac-" + s["code"])
            await fac.connect()
            await fac.join(s["code"], auth=hub.token)
            await fac.ok(fac.command("start"))
            await fac.ok(fac.command("next"))
            people = await join_many(hub.ws_url, s["code"], 8, prefix=s["code"])
            rooms[s["id"]] = (fac, people, [Sender(c, pace=0.06) for c in people])
        stop = asyncio.Event()
        tasks = [asyncio.create_task(x.run(stop)) for x in rooms[keep["id"]][2]]
        await asyncio.sleep(1)
        # The deleted room sends in bursts, so that its session has a backlog of jobs when the delete comes.
        for x in rooms[gone["id"]][2]:
            x.pace = 0
            tasks.append(asyncio.create_task(x.run(stop, limit=50)))
        await asyncio.sleep(0.05)
        status, _ = await asyncio.to_thread(hub.api, "DELETE", "/api/v1/sessions/%s" % gone["id"])
        assert status == 204
        await asyncio.sleep(1.5)
        stop.set()
        await asyncio.gather(*tasks)

        fac, people, senders = rooms[keep["id"]]
        for s in senders:
            for i in s.sent:
                await s.client.reply(i, timeout=30)
        acked = assert_acked_stored_once(hub, keep["id"], senders)
        assert acked == sum(len(s.sent) for s in senders), "every input of the kept session is acked"
        assert stored_inputs(hub, gone["id"]) == {}
        status, _ = await asyncio.to_thread(hub.api, "GET", "/api/v1/sessions/%s" % gone["id"])
        assert status == 404
        assert healthz(hub) == 200, "a deleted session is no outage of the log"
        await close_all([c for f, p, _ in rooms.values() for c in p + [f]])
    run(main(), timeout=120)


@sqlite_only("fills the disk under the --db file; PostgreSQL's files are on its server's disk")
def test_a_full_disk_loses_no_acked_input(own_hub, tmp_path):
    """The database on a 3 MB tmpfs that fills up (needs root for the mount; skipped without)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    hub = own_hub
    try:
        hub.stop()
        hub.db = mount / "hub.sqlite"
        hub.bootstrap()
        hub.start()
        hub.login()
        session = hub.create_session(agendas.counter_only("Full disk"))
        sid, code = session["id"], session["code"]

        async def main():
            fac = await started_console(hub, code)
            people = await join_many(hub.ws_url, code, 3)
            senders = [Sender(c) for c in people]
            stop = asyncio.Event()
            tasks = [asyncio.create_task(s.run(stop)) for s in senders]
            await asyncio.sleep(1)
            filler = mount / "filler"
            # Unbuffered: the write that finds the disk full raises, and close has nothing left to flush.
            with open(filler, "wb", buffering=0) as f:  # take every byte that is left
                try:
                    while True:
                        f.write(b"\0" * 65536)
                except OSError:
                    pass
            statuses = []
            for _ in range(16):
                statuses.append(await asyncio.to_thread(healthz, hub))
                await asyncio.sleep(0.5)
            os.remove(filler)
            for _ in range(200):
                if await asyncio.to_thread(healthz, hub) == 200:
                    break
                await asyncio.sleep(0.1)
            stop.set()
            await asyncio.gather(*tasks)
            after = await people[0].input("a1", "inc")
            for s in senders:
                for i in s.sent:
                    await s.client.reply(i, timeout=30)

            acked = assert_acked_stored_once(hub, sid, senders)
            assert acked > 0
            assert after["t"] == "ack", "new inputs are accepted again: %s" % after
            assert 503 in statuses, "/healthz must answer 503 while the disk is full: %s" % statuses
            assert [i for s in senders for i in s.refused("unavailable")], "inputs during the outage get `unavailable`"
            seqs = session_seqs(hub, sid)
            assert seqs == list(range(1, len(seqs) + 1)), "the log has a gap"
            await close_all(people + [fac])
        run(main(), timeout=120)
    finally:
        try:
            hub.stop()
        finally:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)
