"""Issue 13, finding 4: an `anonymous` activity's inputs cannot be linked to the people who sent them, live,
exported or after the close (docs/SECURITY.md "Anonymity", docs/DECISIONS.md "Sealing anonymous activities").

Every voter joins with a name and votes right away, so each ballot is sent right after its author's named
`join`: the worst case for order and time. The test knows each voter's pseudonym (the welcome's `aliases`),
its ballot's client id and seq (the ack), and checks
- every export before the close, the owner's and a co-facilitator's (json, csv, md): pseudonyms only, no
  client id, no seq, no exact time, not in the order of arrival; no `me` view, no view seq of a ballot;
- after the close: a resent ballot id is refused with `session_closed`;
- the database file and its WAL: no participant id, name or ballot id on the page of a ballot record; in
  every table, no row holding a ballot carries an exact time, the ballot's seq, or any order (a column or
  the rows' own order) that follows the order of arrival (on PostgreSQL, `SESSIONHUB_E2E_STORE=postgres`: the
  schema's `pg_dump`, a ballot's row in place of its page, and the tables' rows in their physical order);
- the exports after the close, and a rejoin of the closed session after a restart that still shows the results.
"""
import asyncio
import csv
import io
import json
import re
import sqlite3

from conftest import assert_no_pseudonym_key, db_bytes, scan_db, shipped_hub, stored_rows
from hubclient import Client, close_all, started_console

N = 10
HOUR = 3_600_000
NAMES = ["Zwaluwstaart %s" % w for w in ("Een", "Twee", "Drie", "Vier", "Vijf", "Zes", "Zeven", "Acht", "Negen", "Tien")]
PARTICIPANT = re.compile(rb"p_[a-z2-7]{12}")
# SQLite's record packs actor, role and type together; pg_dump's row has a tab between its columns.
BALLOT_RECORD = re.compile(rb"(x_[a-z2-7]{12})\t?participant\t?ballot")
CO_EMAIL, CO_PASSWORD = "co@example.org", "another horse battery staple"

AGENDA = """session: Anoniem stemmen
lang: nl
agenda:
  - plugin: voting
    title: Geheim
    anonymity: anonymous
    config: {"kind": "scale", "question": "Hoeveel vertrouwen heb je?", "min": 0, "max": 100}
"""


class Voter:
    def __init__(self, client, welcome, ballot_id, value):
        self.client = client
        self.participant = welcome["participant"]
        self.alias = welcome["aliases"]["a1"]
        self.ballot_id = ballot_id
        self.value = value
        self.seq = None


async def vote_one_by_one(hub, code):
    """Each voter joins with a name and sends its ballot before the next one joins. Listeners who do not vote
    join first, so that no ballot's seq is a small number that any counter could hold by chance."""
    listeners = []
    for i in range(N):
        c = Client(hub.ws_url, "listener%d" % i)
        await c.connect()
        await c.join(code, name="Luisteraar %d" % i)
        listeners.append(c)
    voters = []
    for i in range(N):
        c = Client(hub.ws_url, "anon%d" % i)
        await c.connect()
        welcome = await c.join(code, name=NAMES[i])
        v = Voter(c, welcome, "stem-%d-geheim" % i, 7 * i + 3)
        v.seq = await c.ok(c.input("a1", "ballot", {"value": v.value}, id=v.ballot_id))
        voters.append(v)
    await close_all(listeners)
    return voters


def by_arrival(voters):
    return [v.alias for v in sorted(voters, key=lambda v: v.seq)]


def check_export(exported, csv_text, md, voters, session_seq, who):
    """What every export must show of the anonymous activity, before and after the close."""
    ballots = [e for e in exported["events"] if e["type"] == "ballot"]
    assert len(ballots) == N, (who, ballots)
    aliases = [e["actor"] for e in ballots]
    assert sorted(aliases) == sorted(v.alias for v in voters), (who, aliases)
    for e in ballots:
        assert "seq" not in e and not e.get("clientId"), (who, e)
        assert e["at"] % HOUR == 0, "%s: an exact time on an anonymous ballot: %s" % (who, e)
    assert aliases != by_arrival(voters), "%s: the ballots are listed in the order they arrived" % who
    assert aliases == sorted(aliases), "%s: not in the sealed order (by pseudonym)" % who
    for v in exported["views"]:
        if v["activity"] == "a1":
            assert not v["audience"].startswith("participant:"), "%s: a `me` view of the anonymous activity: %s" % (who, v)
            assert v["seq"] == session_seq, "%s: the view keeps the seq of the last ballot: %s" % (who, v)
    # No participant id, name or ballot id outside the participant list and the join records.
    rest = dict(exported, participants=[], events=[e for e in exported["events"] if e["type"] != "join"])
    text = json.dumps(rest, ensure_ascii=False)
    for v in voters:
        for secret in (v.participant, v.ballot_id):
            assert secret not in text, "%s: %s in the export" % (who, secret)
    assert not [n for n in NAMES if n in text], who
    rows = [r for r in csv.DictReader(io.StringIO(csv_text)) if r["type"] == "ballot"]
    assert len(rows) == N and [r["actor"] for r in rows] == aliases, (who, rows)
    assert all(not r["seq"] and not r["client_id"] and int(r["at"]) % HOUR == 0 for r in rows), (who, rows)
    for line in csv_text.splitlines():
        if ",join," not in line:
            assert not [v for v in voters if v.participant in line or v.ballot_id in line], (who, line)
    for v in voters:
        assert v.ballot_id not in md, who
        if v.alias in md:
            assert v.participant not in md, who


def all_exports(hub, sid, token=None):
    if token is None:
        return (hub.export(sid), hub.hubctl("session", "export", sid, "--format", "csv").stdout,
                hub.hubctl("session", "export", sid, "--format", "md").stdout)
    got = []
    for fmt in ("json", "csv", "md"):
        status, body = hub.api("GET", "/api/v1/sessions/%s/export?format=%s" % (sid, fmt), token=token)
        assert status == 200, (fmt, status, body)
        got.append(body)
    return tuple(got)


def page_scan(voters):
    """Problems in raw bytes: a participant id, a name or a ballot id on the page (or WAL frame) of a ballot
    record of the anonymous activity, or a ballot record under a participant id."""
    def scan(blob):
        problems = []
        size = 4096
        for m in BALLOT_RECORD.finditer(blob):
            if blob.startswith(b"SQLite format 3\x00"):
                low = m.start() - m.start() % size
                page = blob[low:low + size]
            elif blob.startswith(b"--"):  # pg_dump: the row, one line of its table's COPY
                page = blob[blob.rfind(b"\n", 0, m.start()) + 1:blob.find(b"\n", m.end())]
            else:  # WAL: 32-byte header, frames of 24 + page
                low = 32 + (m.start() - 32) // (24 + size) * (24 + size) + 24
                page = blob[low:low + size]
            for p in set(PARTICIPANT.findall(page)):
                problems.append("participant %s on the page of the ballot of %s" % (p.decode(), m.group(1).decode()))
            for v in voters:
                if v.ballot_id.encode() in page:
                    problems.append("ballot id %s on the page of the ballot of %s" % (v.ballot_id, m.group(1).decode()))
            for n in NAMES:
                if n.encode() in page:
                    problems.append("name %s on the page of the ballot of %s" % (n, m.group(1).decode()))
        for v in voters:
            if re.search(re.escape(v.ballot_id.encode()), blob):
                problems.append("ballot id %s kept" % v.ballot_id)
        return problems
    return scan


def stored_tables(hub):
    """(table, has_rowid, rows) for every table of the store, each table's rows in their stored order: the SQLite
    file's (with the rowid first where there is one), or on PostgreSQL the hub's schema's, by physical place (ctid)."""
    if hub.store:
        for (table,) in stored_rows(hub, "SELECT table_name FROM information_schema.tables "
                                         "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"):
            yield table, False, stored_rows(hub, 'SELECT * FROM "%s" ORDER BY ctid' % table)
        return
    with sqlite3.connect("file:%s?mode=ro" % hub.db, uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0] or ""
            has_rowid = "WITHOUT ROWID" not in sql.upper() and "VIRTUAL" not in sql.upper()
            try:
                cur = db.execute("SELECT %s* FROM \"%s\"" % ("rowid, " if has_rowid else "", table))
            except sqlite3.Error:
                continue
            yield table, has_rowid, cur


def row_scan(hub, voters):
    """Problems in the rows of every table: a row that holds a voter's ballot (its pseudonym) with an exact
    time, the ballot's seq, or an order (a column, or the rows' own order) that follows the order of arrival."""
    problems = []
    alias_of = {v.alias: v for v in voters}
    arrival = by_arrival(voters)
    for table, has_rowid, cur in stored_tables(hub):
        rows = []
        for row in cur:
            texts = [c for c in row if isinstance(c, str)]
            hits = [a for a in alias_of if any(a in t for t in texts)]
            if len(hits) == 1 and any("ballot" in t or '"value"' in t for t in texts):
                rows.append((hits[0], row))
        if len(rows) < 2:
            continue
        for alias, row in rows:
            v = alias_of[alias]
            for c in row:
                if isinstance(c, int) and c > 10 ** 12 and c % HOUR:
                    problems.append("%s: the ballot of %s has an exact time %d" % (table, alias, c))
                if isinstance(c, int) and c == v.seq and not (has_rowid and c == row[0]):
                    problems.append("%s: the ballot of %s keeps its seq %d" % (table, alias, c))
        # Order: the rows as stored, and sorted by each integer column that varies.
        orders = {"the rows' order": [a for a, _ in rows]}
        for i in range(len(rows[0][1])):
            values = [r[i] for _, r in rows]
            if all(isinstance(x, int) for x in values) and len(set(values)) > 1:
                orders["column %d" % i] = [a for a, _ in sorted(rows, key=lambda r: r[1][i])]
        for what, order in orders.items():
            if [a for a in order if a in arrival] == [a for a in arrival if a in order]:
                problems.append("%s: %s follows the order in which the ballots arrived" % (table, what))
    return problems


def test_anonymous_ballots_cannot_be_linked_to_their_voters():
    with shipped_hub("anonymity", ("voting",)) as hub:
        hub.bootstrap(email=CO_EMAIL, password=CO_PASSWORD, name="Co", role="co-facilitator")
        status, co = hub.api("POST", "/api/v1/login", body={"email": CO_EMAIL, "password": CO_PASSWORD}, token=None)
        assert status == 200, co
        session = hub.create_session(AGENDA, name="anon.yaml")
        code, sid = session["code"], session["id"]
        loop = asyncio.new_event_loop()
        try:
            async def before_close():
                fac = await started_console(hub, code)
                voters = await vote_one_by_one(hub, code)
                assert all(v.participant.startswith("p_") and v.alias.startswith("x_") for v in voters)
                await fac.ok(fac.command("reveal", activity="a1"))
                await fac.wait_view("a1", "facilitator", check=lambda v: v and v.get("results", {}).get("voters") == N)
                return fac, voters
            fac, voters = loop.run_until_complete(asyncio.wait_for(before_close(), 120))

            # Before the close: the owner's and a co-facilitator's exports.
            for who, token in (("owner", None), ("co-facilitator", co["token"])):
                exported, csv_text, md = all_exports(hub, sid, token)
                check_export(exported, csv_text, md, voters, exported["session"]["seq"], who + " before close")

            hub.hubctl("session", "close", sid)

            async def after_close():
                await fac.wait_state(lambda s: s["status"] == "closed")
                # A resent ballot id is a new input now: refused, not acknowledged from a link kept in memory.
                again = await voters[3].client.input("a1", "ballot", {"value": voters[3].value}, id=voters[3].ballot_id)
                assert again["t"] == "error" and again["code"] == "session_closed", again
                await close_all([fac] + [v.client for v in voters])
            loop.run_until_complete(asyncio.wait_for(after_close(), 60))

            # The database and its WAL.
            problems = scan_db(hub, page_scan(voters)) + row_scan(hub, voters)
            assert not problems, "\n".join(problems[:20])
            assert len(BALLOT_RECORD.findall(db_bytes(hub))) >= N, "the scan no longer finds the sealed ballots"
            assert_no_pseudonym_key(hub, sid)

            # The exports after the close, and the closed session after a restart: rejoinable, results shown.
            for who, token in (("owner", None), ("co-facilitator", co["token"])):
                exported, csv_text, md = all_exports(hub, sid, token)
                check_export(exported, csv_text, md, voters, exported["session"]["seq"], who + " after close")
            hub.restart()

            async def rejoin():
                v = voters[5]
                welcome = await v.client.rejoin(code)
                assert welcome["state"]["status"] == "closed"
                views = welcome["state"]["views"]["a1"]
                assert views["public"]["results"]["voters"] == N, views
                assert "me" not in views, "the closed session still routes the own ballot: %s" % views
                await close_all([v.client])
            loop.run_until_complete(asyncio.wait_for(rejoin(), 60))
            exported, csv_text, md = all_exports(hub, sid)
            check_export(exported, csv_text, md, voters, exported["session"]["seq"], "owner after restart")
        finally:
            loop.close()
