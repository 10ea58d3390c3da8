"""The crash loop (issue 13, "Prove it like trusted servers do"): an independent client drives several
sessions, one per shipped plugin, while a driver SIGKILLs the hub or one of its plugin processes at random
moments; after every kill, once the room works again, every acknowledged input must be in the database
exactly once, with the seq of its ack.

Shared by the short e2e form (Tests/e2e/test_chaos.py, 10 kills) and the full one (bench/chaos, 100 kills).
It only speaks the wire protocol (Python `websockets` through hubclient.py) and reads the SQLite file
read-only (on PostgreSQL, `SESSIONHUB_E2E_STORE=postgres`, the hub's schema with psql); it never imports hub code.

Each simulated phone keeps one input in flight and resends it, with the same id, until it gets an answer
that settles it: an `ack`, or a refusal that is not about the hub being busy (`rejected`, ...). Refusals
that only say "not now" (`plugin_unavailable`, `unavailable`, `rate_limited`) and lost connections are
retried, as the web shell does. So at the end sent = acked + refused, and the check is found = acked.
"""
import asyncio
import os
import random
import re
import shutil
import signal
import time
from pathlib import Path

from websockets.exceptions import ConnectionClosed

from hubclient import Client
from hubprocess import ARTIFACTS, REPO, Hub, HubFailed, find_hubctl, stored_rows

TRANSIENT = {"plugin_unavailable", "unavailable", "rate_limited", "internal"}
# A plugin killed this often since the hub started would count towards being marked failed for the hub
# (PluginHost.maxFailures = 5 in its window): the driver kills the hub instead.
PLUGIN_KILLS_PER_HUB = 3


def _checkin(rng, phone):
    return "checkin", {"mood": rng.randint(1, 5)}


def _voting(rng, phone):
    return "ballot", {"choice": rng.randint(0, 1)}


def _brainstorm(rng, phone):
    # A participant may hold 500 cards at a time: past 10, withdraw the oldest (its id is "c" + its seq).
    if len(phone.cards) >= 10:
        return "withdraw", {"card": phone.cards[0]}
    return "card", {"question": rng.choice(["doelen", "aanpak", "effect"]), "text": "Kaart %d" % len(phone.sent)}


def _case_review(rng, phone):
    return "propose", {"title": "Casus %d" % len(phone.sent), "description": "Beschrijving", "question": "Wat doe ik?"}


def _timer(rng, phone):
    return "set", {"minutes": rng.randint(1, 30)}


# plugin -> (agenda lines of its one activity, who sends, the input to send)
ROOMS = {
    "checkin": ("    config: {question: Hoe gaat het?}", "participant", _checkin),
    "voting": ("    config: {kind: single, options: [Ja, Nee], changeable: true}", "participant", _voting),
    "brainstorm": ("    config: {maxCards: 500}", "participant", _brainstorm),
    "case-review": ("    groups: {mode: random, size: 3}\n    config: {method: incident}", "participant", _case_review),
    "timer": ("    config: {minutes: 5}", "facilitator", _timer),
}


def agenda(plugin):
    return "session: Chaos %s\nlang: nl\nagenda:\n  - plugin: %s\n    title: %s\n%s\n" % (plugin, plugin, plugin, ROOMS[plugin][0])


class Phone:
    """One sender: one input in flight, resent with the same id until settled; reconnects by itself."""

    def __init__(self, chaos, room, client, role):
        self.chaos, self.room, self.client, self.role = chaos, room, client, role
        self.acked = {}  # client id -> seq
        self.refused = {}  # client id -> code
        self.sent = []  # client ids, in order
        self.cards = []  # brainstorm: this phone's cards not withdrawn yet
        self.last_ack = 0.0  # time.monotonic() of the latest ack

    async def connect(self):
        c = self.client
        await c.connect(self.chaos.hub.ws_url)
        if self.role == "facilitator":
            await c.join(self.room.code, auth=self.chaos.hub.token)
        elif c.token:
            await c.join(self.room.code, token=c.token)
        else:
            await c.join(self.room.code, name=c.label)

    def connected(self):
        # A failed reconnect leaves the old, closed socket in place with `closed` reset: ask the reader too.
        c = self.client
        return c.ws is not None and not c.closed and c._reader is not None and not c._reader.done()

    async def run(self, stop):
        rng = self.chaos.rng
        current = None
        while not stop.is_set() or current is not None:
            if stop.is_set() and self.chaos.final_deadline < time.monotonic():
                return
            if not self.connected():
                try:
                    await self.connect()
                except Exception:
                    await asyncio.sleep(0.2)
                    continue
            if current is None:
                if stop.is_set():
                    return
                type, payload = self.room.make(rng, self)
                current = (self.client.new_id(), type, payload)
                self.sent.append(current[0])
            id, type, payload = current
            try:
                await self.client.send_input(self.room.activity, type, payload, id=id)
                reply = await self.client.reply(id, timeout=5)
            except (AssertionError, ConnectionClosed, OSError, RuntimeError):
                await asyncio.sleep(0.1)  # no answer: the hub or the connection went away; resend
                continue
            if reply["t"] == "ack":
                self.acked[id] = reply["seq"]
                if type == "card":
                    self.cards.append("c%d" % reply["seq"])
                elif type == "withdraw" and payload["card"] in self.cards:
                    self.cards.remove(payload["card"])
                self.last_ack = time.monotonic()
                current = None
            elif reply.get("code") in TRANSIENT:
                await asyncio.sleep(0.2)
            else:
                self.refused[id] = "%s/%s:%s" % (self.room.plugin, reply.get("code"), reply.get("detail") or "")
                current = None
            await asyncio.sleep(self.chaos.pace)


class Room:
    def __init__(self, plugin, session):
        self.plugin = plugin
        self.id, self.code = session["id"], session["code"]
        self.activity = "a1"
        self.make = ROOMS[plugin][2]
        self.phones = []


class Chaos:
    """A hub on copies of every shipped plugin, one session per plugin, and the kill loop."""

    def __init__(self, name="chaos", seed=None, people=3, pace=0.15, log=print):
        self.seed = seed if seed is not None else random.randrange(1 << 30)
        self.rng = random.Random(self.seed)
        self.people, self.pace, self.log = people, pace, log
        self.hub = None
        self.rooms = []
        self.recoveries = []  # seconds from each kill until every phone of the affected rooms acked again
        self.kills = {"hub": 0, "plugin": 0}
        self.final_deadline = 0.0
        self.name = name

    # ---- set-up ------------------------------------------------------------------------------

    def start_hub(self):
        binary = find_hubctl()
        if not binary:
            raise HubFailed("no hubctl binary: build first or set HUBCTL")
        workdir = ARTIFACTS / self.name
        shutil.rmtree(workdir, ignore_errors=True)
        folder = workdir / "plugins"
        folder.mkdir(parents=True)
        for plugin in ROOMS:
            shutil.copytree(REPO / "plugins" / plugin, folder / plugin)
        self.hub = Hub(binary, workdir, plugins=folder)
        self.hub.bootstrap()
        self.hub.start()
        self.hub.login()
        self.plugin_kills = {}

    async def open_rooms(self):
        for plugin, (_, who, _) in ROOMS.items():
            room = Room(plugin, self.hub.create_session(agenda(plugin), name="%s.yaml" % plugin))
            fac = Client(self.hub.ws_url, "fac-" + plugin)
            await fac.connect()
            await fac.join(room.code, auth=self.hub.token)
            people = []
            for i in range(self.people):
                c = Client(self.hub.ws_url, "%s-%d" % (plugin, i))
                await c.connect()
                await c.join(room.code, name=c.label)
                people.append(c)
            await fac.ok(fac.command("start"))
            await fac.ok(fac.command("goto", activity="a1"))
            if who == "facilitator":
                room.phones = [Phone(self, room, fac, "facilitator")]
                await asyncio.gather(*(c.close() for c in people))
            else:
                room.phones = [Phone(self, room, c, "participant") for c in people]
                await fac.close()
            self.rooms.append(room)

    # ---- killing -----------------------------------------------------------------------------

    def plugin_processes(self):
        """(pid, plugin name) of the hub's plugin child processes."""
        hub_pid = self.hub.proc.pid
        found = []
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid != hub_pid:
                    continue
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, ValueError, IndexError):
                continue
            for plugin in ROOMS:
                if re.search(r"(^|/)%s(-plugin)?\b|%s\.py" % (re.escape(plugin), re.escape(plugin)), cmd):
                    found.append((int(d.name), plugin))
        return found

    def kill_something(self):
        """SIGKILL the hub (then restart it) or one plugin process; returns the rooms whose phones must
        ack again before the kill counts as recovered."""
        candidates = [(pid, p) for pid, p in self.plugin_processes() if self.plugin_kills.get(p, 0) < PLUGIN_KILLS_PER_HUB]
        if candidates and self.rng.random() < 0.4:
            pid, plugin = self.rng.choice(candidates)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.plugin_kills[plugin] = self.plugin_kills.get(plugin, 0) + 1
            self.kills["plugin"] += 1
            return [r for r in self.rooms if r.plugin == plugin], "plugin %s" % plugin
        self.hub.kill9()
        self.kills["hub"] += 1
        self.hub.restart(graceful=False)
        self.plugin_kills = {}
        return list(self.rooms), "hub"

    # ---- checking ----------------------------------------------------------------------------

    def phones(self):
        return [p for r in self.rooms for p in r.phones]

    def check_stored(self):
        """Every acked input is in the database exactly once with its ack's seq; each session's log runs
        1..N without a gap. Returns the number of acked inputs found."""
        rows = stored_rows(self.hub, "SELECT session_id, client_id, seq FROM events WHERE kind = 'input'")
        for room in self.rooms:
            seqs = [r[0] for r in stored_rows(self.hub, "SELECT seq FROM events WHERE session_id = ? ORDER BY seq", room.id)]
            assert seqs == list(range(1, len(seqs) + 1)), "session %s (%s): the log has a gap" % (room.id, room.plugin)
        stored = {}
        for sid, cid, seq in rows:
            stored.setdefault((sid, cid), []).append(seq)
        found = 0
        for room in self.rooms:
            for phone in room.phones:
                for cid, seq in phone.acked.items():
                    got = stored.get((room.id, cid))
                    assert got is not None, "%s: acked input %s (seq %d) is not stored (seed %d)" % (phone.client.label, cid, seq, self.seed)
                    assert got == [seq], "%s: acked input %s (seq %d) stored as %s (seed %d)" % (phone.client.label, cid, seq, got, self.seed)
                    found += 1
                for cid in phone.refused:
                    assert (room.id, cid) not in stored, "%s: refused input %s is stored" % (phone.client.label, cid)
        return found

    async def wait_recovered(self, rooms, since, limit=90):
        """Seconds from `since` until every phone of `rooms` has an ack after `since`."""
        deadline = time.monotonic() + limit
        while True:
            if all(p.last_ack > since for r in rooms for p in r.phones):
                return max(p.last_ack for r in rooms for p in r.phones) - since
            if time.monotonic() > deadline:
                late = [p.client.label for r in rooms for p in r.phones if p.last_ack <= since]
                raise AssertionError("not recovered %ds after a kill: %s (seed %d)\n%s" % (limit, late, self.seed, self.hub.log_tail(20)))
            await asyncio.sleep(0.05)

    # ---- the loop ----------------------------------------------------------------------------

    async def run(self, kills, gap=(0.3, 1.2)):
        """Open the rooms, then `kills` times: let them type, kill something, wait until every affected
        phone acked again and check the database. Returns the summary."""
        await self.open_rooms()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(p.run(stop)) for p in self.phones()]
        try:
            for k in range(kills):
                await asyncio.sleep(self.rng.uniform(*gap))
                killed_at = time.monotonic()
                rooms, what = await asyncio.to_thread(self.kill_something)
                took = await self.wait_recovered(rooms, killed_at)
                self.recoveries.append(took)
                found = self.check_stored()
                self.log("kill %d/%d: %s, recovered in %.2f s, %d acked inputs all stored once" % (k + 1, kills, what, took, found))
            self.final_deadline = time.monotonic() + 60
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 90)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*(p.client.close() for p in self.phones()), return_exceptions=True)
        return self.summary()

    def summary(self):
        phones = self.phones()
        sent = sum(len(p.sent) for p in phones)
        acked = sum(len(p.acked) for p in phones)
        refused = sum(len(p.refused) for p in phones)
        found = self.check_stored()
        [(stored,)] = stored_rows(self.hub, "SELECT count(*) FROM events WHERE kind = 'input'")
        return {"seed": self.seed, "stored": stored, "kills": dict(self.kills), "sent": sent, "acked": acked, "refused": refused, "found": found,
                "worst_recovery": max(self.recoveries or [0.0]),
                "median_recovery": sorted(self.recoveries)[len(self.recoveries) // 2] if self.recoveries else 0.0,
                "refusals": sorted({c for p in phones for c in p.refused.values()})}

    def stop_hub(self):
        if self.hub:
            try:
                self.hub.stop()
            except HubFailed:
                self.hub.kill9()
