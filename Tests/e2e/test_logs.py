"""Issue 17, structured logs (docs/OPERATIONS.md "Logs"): with `--log-format json` every line the hub
writes to stderr is one JSON object (level, timestamp, label, message), and the lines of an HTTP request
carry its request id, those of a WebSocket connection its connection id."""
import asyncio
import json
import re
import time

import pytest

import agendas
from hubclient import Client, run, started_console
from hubprocess import WriteLock, finish, new_hub


@pytest.fixture
def json_hub():
    hub = new_hub("test_logs.json", serve_args=["--log-format", "json", "--log-level", "debug"])
    yield hub
    finish(hub)


def parsed_lines(hub):
    """Every non-empty line of the hub's stderr, each parsed as JSON (a line that is not fails the test)."""
    records = []
    for n, line in enumerate((hub.dir / "serve-1.stderr").read_text().splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                pytest.fail("stderr line %d is not JSON: %r" % (n, line[:300]))
    return records


def test_json_log_lines_parse_and_carry_request_and_connection_ids(json_hub):
    hub = json_hub
    session = hub.create_session(agendas.counter_only("Logs"))
    assert hub.api("GET", "/api/v1/sessions/%s" % session["id"])[0] == 200
    assert hub.api("GET", "/api/v1/sessions/no-such-session")[0] == 404

    async def room():
        fac = await started_console(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="Lotte")
        assert (await p.input("a1", "inc"))["t"] == "ack"
        await p.close()
        await fac.close()
    run(room(), timeout=60)
    finish(hub)

    records = parsed_lines(hub)
    assert records, "the hub logged nothing"
    for r in records:
        assert isinstance(r, dict) and {"level", "timestamp", "label", "message"} <= set(r), r
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["timestamp"]), r
        assert r["level"] in ("trace", "debug", "info", "notice", "warning", "error", "critical"), r

    requests = [r for r in records if r["message"] == "Request"]
    paths = [r.get("metadata", {}).get("hb.request.path") for r in requests]
    assert "/api/v1/login" in paths and "/api/v1/sessions/no-such-session" in paths, paths
    assert all(r.get("request") for r in requests), [r for r in requests if not r.get("request")][:3]
    assert len({r["request"] for r in requests}) == len(requests), "every request has its own id"

    sockets = [r for r in records if r["message"].startswith("websocket")]
    assert all(r.get("connection") for r in sockets), [r for r in sockets if not r.get("connection")][:3]
    by_connection = {}
    for r in sockets:
        by_connection.setdefault(r["connection"], []).append(r["message"])
    assert len(by_connection) >= 2, by_connection
    for messages in by_connection.values():
        assert messages[0] == "websocket connected" and messages[-1] == "websocket closed", messages
        assert "websocket joined" in messages, messages
    joined = [r for r in sockets if r["message"] == "websocket joined"]
    assert {r.get("session") for r in joined} == {session["id"]}, joined


STALL_HOLD = 4  # seconds the write lock is held: past the event log's 2 s stall limit, within SQLite's 10 s busy timeout


def test_the_event_logs_own_trouble_is_a_json_line_too(json_hub):
    """A stalled write of the event log is told through the hub's logger (it wrote plain `critical: …` lines)."""
    hub = json_hub
    session = hub.create_session(agendas.counter_only("Stall"))
    holder = WriteLock(hub)  # SQLite's lock on the file, or a lock on PostgreSQL's events table

    async def main():
        fac = await started_console(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="Stil")
        await asyncio.to_thread(holder.take)
        sent = await p.send_input("a1", "inc")
        await asyncio.sleep(STALL_HOLD)
        await asyncio.to_thread(holder.release)
        await p.reply(sent, timeout=30)
        await p.close()
        await fac.close()
    try:
        run(main(), timeout=90)
    finally:
        holder.close()
    finish(hub)
    records = parsed_lines(hub)
    stalls = [r for r in records if "has not finished" in r["message"]]
    assert stalls and all(r["level"] == "critical" for r in stalls), [r["message"] for r in records][-15:]
