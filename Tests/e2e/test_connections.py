"""Issue 13, finding 5: connections are timed out and capped (docs/SECURITY.md "Connections").

Every test starts its own hub with the flags it needs (short timeouts, small caps), opens raw
sockets the way an attacker or a broken client would, and checks that the hub closes or refuses
them while real clients still join. No timings are asserted: a wait only bounds how long a test
may take before it fails.
"""
import asyncio
import re
import socket
import threading
import time
import urllib.request

import pytest

import agendas
import hubclient
from hubclient import Client, close_all, run
from hubprocess import HubFailed, finish, new_hub
from rawws import Closed, RawWS, connect_tcp, handshake_bytes, read_http_head, socket_closed_by_peer

BOUND = 30  # seconds a test waits for the hub before it fails
# A refused connection: 400 for a refused handshake (the WebSocket library answers every refused
# upgrade so), or None when the hub closed the socket at accept (the caps) before an answer.
REFUSED = (None, 400)


@pytest.fixture
def hub_with(request):
    """hub_with(*flags): a hub for this test only, started with extra `hubctl serve` flags."""
    hubs = []

    def start(*flags):
        try:
            h = new_hub("%s.%s" % (request.module.__name__, request.node.name), serve_args=flags)
        except HubFailed as e:
            pytest.fail(str(e), pytrace=False)
        hubs.append(h)
        return h
    yield start
    for h in hubs:
        finish(h)


def open_session(hub, agenda=None):
    """An open session with its first activity current."""
    return hubclient.open_session(hub, agenda or agendas.standard("Connections"))


def join_participants(hub, code, n):
    """n participants joined one after another (each settles before the next connects), on raw sockets."""
    clients = []
    for i in range(n):
        ws = RawWS(hub.url)
        ws.join(code, name="P%d" % i)
        clients.append(ws)
    return clients


def close_raw(clients):
    for c in clients:
        c.close()


def handshake_status(hub, headers=None):
    """The HTTP status of a WebSocket handshake (101 on success); the socket is left open on 101."""
    try:
        ws = RawWS(hub.url, headers=headers)
    except ConnectionRefusedError as e:
        return int(re.search(r"answered (\d+)", str(e)).group(1)), None
    except (OSError, Closed):
        return None, None  # closed at accept
    return ws.status, ws


def metric(hub, name):
    with urllib.request.urlopen(hub.url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    m = re.search(r"^%s(?:\{[^}]*\})? (\S+)$" % re.escape(name), text, re.M)
    return float(m.group(1)) if m else 0.0


async def flood_room(hub, code, done, pause, seconds=90):
    """Four participants send 30 KB inputs to activity a2 (made current by a facilitator) until `done()`
    or `seconds`; returns (senders, facilitator), still connected."""
    senders = []
    for i in range(4):
        c = Client(hub.ws_url, "s%d" % i)
        await c.connect()
        await c.join(code, name="S%d" % i)
        senders.append(c)
    fac = Client(hub.ws_url, "fac")
    await fac.connect()
    await fac.join(code, auth=hub.token)
    await fac.ok(fac.command("goto", activity="a2"))
    big = "x" * 30_000
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline and not done():
        await asyncio.gather(*(c.input("a2", "say", {"text": "%d %s" % (n + i, big)}) for i, c in enumerate(senders)))
        n += len(senders)
        await asyncio.sleep(pause)
    return senders, fac


# ---- timeouts ---------------------------------------------------------------------------------------


def test_slowloris_headers_are_cut_off(hub_with):
    """A connection that never finishes its request headers is closed after --header-timeout."""
    hub = hub_with("--header-timeout", "1")
    s = connect_tcp(hub.url)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    assert socket_closed_by_peer(s, BOUND), "a slowloris connection is still open after %ds" % BOUND
    s.close()
    # The hub still answers everyone else.
    assert hub.api("GET", "/healthz", token=None)[0] == 200


def test_idle_keep_alive_connection_is_closed(hub_with):
    """A keep-alive HTTP connection that sends nothing after its response is closed after --idle-timeout."""
    hub = hub_with("--idle-timeout", "1")
    s = connect_tcp(hub.url)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _, _ = read_http_head(s)
    assert status == 200
    assert socket_closed_by_peer(s, BOUND), "an idle keep-alive connection is still open after %ds" % BOUND
    s.close()


def test_websocket_that_never_joins_is_closed_with_1008(hub_with):
    """After the upgrade a `join` must succeed within --join-timeout; a joined connection stays."""
    hub = hub_with("--join-timeout", "1")
    session = open_session(hub)
    idle = RawWS(hub.url)
    joined = RawWS(hub.url)
    joined.join(session["code"], name="Stays")
    idle.sock.settimeout(BOUND)
    assert idle.wait_close() == 1008
    # The joined one outlived the deadline: it still answers.
    time.sleep(1.5)
    joined.send_json({"t": "ping"})
    assert joined.recv_json()["t"] in ("pong", "presence", "roster", "view", "session")
    idle.close()
    joined.close()


def test_client_that_never_reads_is_closed(hub_with):
    """A joined client that stops reading is closed (4004 or, when even that cannot be written, after
    --write-timeout), while the room carries on: a stuck socket write never blocks for ever."""
    hub = hub_with("--write-timeout", "2")
    session = open_session(hub, agendas.standard("Slow consumer"))
    code = session["code"]
    before = metric(hub, "sessionhub_connections")
    stuck = RawWS(hub.url, rcvbuf=4096)
    stuck.join(code, name="Never reads")

    async def flood():
        # Until the stuck one is gone (4 senders and the facilitator remain).
        senders, fac = await flood_room(hub, code, lambda: metric(hub, "sessionhub_connections") <= before + 5, pause=0.2)
        gone = metric(hub, "sessionhub_connections") <= before + 5
        # The room still works: one more input is acked.
        await senders[0].input("a2", "say", {"text": "after"})
        await close_all(senders + [fac])
        return gone
    assert run(flood(), timeout=150), "a client that never reads was still connected after 90 s of traffic"
    stuck.close()


def test_unjoined_connections_get_1001_on_sigterm(hub_with):
    hub = hub_with()
    session = open_session(hub)
    idle = RawWS(hub.url)
    joined = RawWS(hub.url)
    joined.join(session["code"], name="Joined")
    result = {}

    def read(name, ws):
        ws.sock.settimeout(BOUND)
        result[name] = ws.wait_close()
    threads = [threading.Thread(target=read, args=(n, w)) for n, w in (("idle", idle), ("joined", joined))]
    for t in threads:
        t.start()
    hub.stop()
    for t in threads:
        t.join(BOUND + 5)
    assert result == {"idle": 1001, "joined": 1001}


# ---- caps -------------------------------------------------------------------------------------------


def test_pending_cap_per_address_never_counts_joined_connections(hub_with):
    hub = hub_with("--max-pending-per-address", "4")
    session = open_session(hub)
    # Ten phones of one room join from one address: joined connections never count.
    clients = join_participants(hub, session["code"], 10)
    pending = []
    for _ in range(4):
        status, ws = handshake_status(hub)
        assert status == 101
        pending.append(ws)
    # The fifth unjoined connection from this address is refused (the handshake, or the TCP accept).
    status, ws = handshake_status(hub)
    assert status in REFUSED, status
    # One of them joins: it no longer counts, so another may connect.
    pending[0].join(session["code"], name="Late")
    status, ws = handshake_status(hub)
    assert status == 101
    pending.append(ws)
    for w in pending:
        w.close()
    close_raw(clients)


def test_overall_connection_cap(hub_with):
    hub = hub_with("--max-connections", "12")
    session = open_session(hub)
    clients = join_participants(hub, session["code"], 12)
    # The hub is full: the next connection, even a plain HTTP request, is closed at accept.
    s = connect_tcp(hub.url)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        status, _, _ = read_http_head(s)
    except Exception:
        status = None
    s.close()
    assert status is None, status
    clients[0].close()
    # A slot freed up: the hub answers again (the close may take a moment to be seen).
    deadline = time.monotonic() + BOUND
    while hub_status(hub) != 200:
        assert time.monotonic() < deadline, "no slot freed after a client left"
        time.sleep(0.2)
    close_raw(clients[1:])


def hub_status(hub):
    try:
        with urllib.request.urlopen(hub.url + "/healthz", timeout=5) as r:
            return r.status
    except Exception:
        return None


def test_forwarded_for_counts_only_behind_a_trusted_proxy(hub_with):
    """Behind --trusted-proxy each forwarded client has its own pending cap; from anyone else the
    header is ignored and the peer's address counts."""
    hub = hub_with("--max-pending-per-address", "2", "--trusted-proxy", "127.0.0.1/32")
    held = []
    for _ in range(2):
        status, ws = handshake_status(hub, {"X-Forwarded-For": "203.0.113.7"})
        assert status == 101
        held.append(ws)
    assert handshake_status(hub, {"X-Forwarded-For": "203.0.113.7"})[0] in REFUSED
    status, ws = handshake_status(hub, {"X-Forwarded-For": "203.0.113.8"})
    assert status == 101, "another client behind the same proxy has its own count"
    held.append(ws)
    for w in held:
        w.close()

    untrusted = hub_with("--max-pending-per-address", "2")
    held = []
    for i in range(2):
        status, ws = handshake_status(untrusted, {"X-Forwarded-For": "198.51.100.%d" % i})
        assert status == 101
        held.append(ws)
    status, _ = handshake_status(untrusted, {"X-Forwarded-For": "198.51.100.9"})
    assert status in REFUSED, "X-Forwarded-For from an untrusted peer must not dodge the cap"
    for w in held:
        w.close()


def test_join_rate_and_burst_are_flags(hub_with):
    """--join-burst 3 with a negligible --join-rate: the fourth handshake from one address is refused."""
    hub = hub_with("--join-rate", "0.01", "--join-burst", "3")
    held = []
    for _ in range(3):
        status, ws = handshake_status(hub)
        assert status == 101
        held.append(ws)
    assert handshake_status(hub)[0] in REFUSED
    for w in held:
        w.close()


def test_a_reader_too_slow_for_its_outbox_gets_4004(hub_with):
    """A client that falls behind by more than --outbox-frames is closed with 4004 once its socket
    takes the close frame again (here: when it reads again, within --write-timeout), while everyone
    else in the room keeps receiving every view."""
    hub = hub_with("--outbox-frames", "32", "--write-timeout", "120")
    session = open_session(hub, agendas.standard("Too slow"))
    code = session["code"]
    slow = RawWS(hub.url, rcvbuf=4096, timeout=BOUND)
    slow.join(code, name="Slow")

    async def flood():
        senders, fac = await flood_room(hub, code, lambda: metric(hub, "sessionhub_slow_consumers_total") >= 1, pause=0.1)
        # The burst cost the room nothing: one more input reaches every other screen.
        last = await senders[0].ok(senders[0].input("a2", "say", {"text": "after the burst"}))
        for c in senders + [fac]:
            await c.wait_until(lambda c=c: any(f.get("t") == "view" and f.get("activity") == "a2" and f.get("seq", 0) >= last
                                               for f in c.frames), 30, "the view after the burst")
        await close_all(senders + [fac])
        return metric(hub, "sessionhub_slow_consumers_total")
    assert run(flood(), timeout=150) >= 1, "no outbox overflowed"
    # It reads again: what was on the wire, then the close frame 4004.
    assert slow.wait_close() == 4004
    slow.close()


def proxied_handshake(hub, client, port=80):
    """A WebSocket handshake behind a PROXY protocol v1 line naming `client`; the HTTP status, or None."""
    s = connect_tcp(hub.url)
    s.sendall(("PROXY TCP4 %s 127.0.0.1 %d 80\r\n" % (client, port)).encode() + handshake_bytes(hub.url))
    try:
        status, _, _ = read_http_head(s)
    except Exception:
        status = None
    return status, s


def test_proxy_protocol_from_a_trusted_proxy_names_the_client(hub_with):
    hub = hub_with("--max-pending-per-address", "2", "--trusted-proxy", "127.0.0.1/32")
    held = []
    for _ in range(2):
        status, s = proxied_handshake(hub, "198.51.100.20")
        assert status == 101
        held.append(s)
    status, s = proxied_handshake(hub, "198.51.100.20")
    assert status in REFUSED, "the third pending connection of one proxied client"
    s.close()
    status, s = proxied_handshake(hub, "198.51.100.21")
    assert status == 101, "another client behind the proxy has its own count"
    held.append(s)
    # The proxy's own requests without a PROXY line are served as before.
    assert hub.api("GET", "/healthz", token=None)[0] == 200
    for s in held:
        s.close()

    # From a peer that is not trusted the line is not read: the request is malformed.
    untrusted = hub_with()
    status, s = proxied_handshake(untrusted, "198.51.100.22")
    s.close()
    assert status != 101


def test_a_request_body_that_trickles_in_keeps_its_connection_pending(hub_with):
    """A connection counts as pending until its first request is answered: slow uploads from one
    address are bounded by --max-pending-per-address like slow headers."""
    hub = hub_with("--max-pending-per-address", "2")
    held = []
    for _ in range(2):
        s = connect_tcp(hub.url)
        s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{\"email\":")
        held.append(s)
    time.sleep(0.5)
    s = connect_tcp(hub.url)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        status, _, _ = read_http_head(s)
    except Exception:
        status = None
    s.close()
    assert status in REFUSED, "a third connection while two uploads trickle in: %s" % status
    for h in held:
        h.close()
    # Once they are gone the address may connect again; an answered request settles its connection.
    deadline = time.monotonic() + BOUND
    while hub_status(hub) != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    keep = []
    for _ in range(4):
        k = connect_tcp(hub.url)
        k.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_http_head(k)[0] == 200, "answered keep-alive connections no longer count"
        keep.append(k)
    for k in keep:
        k.close()
