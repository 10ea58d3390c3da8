"""WebSocket edges with raw frames (issue 13, "Prove it like trusted servers do"; RFC 6455):
1009 whole and fragmented, 1007 invalid UTF-8, 1002 for an unmasked frame and for reserved bits,
control frames between fragments, ping -> pong, the keep-alive timeout, the Origin check, and
thousands of half-open handshakes while real clients still join.

One hub for the module with a small message limit (--max-message-bytes 4096) and a short ping
period, so that the limits are reached with small frames and the keep-alive test is short. Waits
only bound how long a test may take; no timing is asserted.
"""
import json
import socket
import struct
import threading
import time

import pytest

import agendas
from hubclient import Client, close_all, run
from hubprocess import HubFailed, finish, new_hub
from rawws import OP_BINARY, OP_CONT, OP_PING, OP_PONG, OP_TEXT, Closed, RawWS, close_code, connect_tcp

LIMIT = 4096
BOUND = 30


@pytest.fixture(scope="module")
def edge_hub(request):
    try:
        h = new_hub(request.module.__name__, serve_args=[
            "--max-message-bytes", str(LIMIT), "--ping-interval", "1", "--public-url", "https://hub.example.org"])
    except HubFailed as e:
        pytest.fail(str(e), pytrace=False)
    yield h
    finish(h)


@pytest.fixture(scope="module")
def code(edge_hub):
    return edge_hub.create_session(agendas.standard("Edges"))["code"]


def joined(hub, code, **kw):
    ws = RawWS(hub.url, timeout=BOUND, **kw)
    ws.join(code, name="Raw")
    return ws


def answer_pings_until_close(ws):
    """Reads to the server's close frame, answering its pings (a raw client must, to stay connected)."""
    while True:
        try:
            op, _, payload = ws.recv_frame()
        except Closed:
            return None
        if op == OP_PING:
            ws.send_frame(OP_PONG, payload)
        elif op == 0x8:
            return close_code(payload)


def still_works(ws):
    """A ping message gets its pong (control pings from the hub are answered on the way)."""
    ws.send_json({"t": "ping"})
    while True:
        op, _, payload = ws.recv_frame()
        if op == OP_PING:
            ws.send_frame(OP_PONG, payload)
        elif op == OP_TEXT and json.loads(payload)["t"] == "pong":
            return True


# ---- size: 1009 -------------------------------------------------------------------------------------


def test_a_frame_over_the_limit_closes_with_1009(edge_hub, code):
    ws = joined(edge_hub, code)
    ws.send_frame(OP_TEXT, json.dumps({"t": "ping", "pad": "x" * LIMIT}))
    assert answer_pings_until_close(ws) == 1009
    ws.close()


def test_fragments_adding_up_over_the_limit_close_with_1009(edge_hub, code):
    ws = joined(edge_hub, code)
    chunk = "x" * 1000
    ws.send_frame(OP_TEXT, '{"t":"ping","pad":"' + chunk, fin=False)
    for _ in range(5):
        ws.send_frame(OP_CONT, chunk, fin=False)
    ws.send_frame(OP_CONT, '"}', fin=True)
    assert answer_pings_until_close(ws) == 1009
    ws.close()


def test_a_message_just_under_the_limit_is_read(edge_hub, code):
    ws = joined(edge_hub, code)
    body = '{"t":"ping","pad":"%s"}'
    ws.send_frame(OP_TEXT, body % ("x" * (LIMIT - len(body) - 10)))
    assert still_works(ws)
    ws.close()


# ---- encoding and framing: 1007, 1002 ---------------------------------------------------------------


def test_invalid_utf8_closes_with_1007(edge_hub, code):
    ws = joined(edge_hub, code)
    ws.send_frame(OP_TEXT, b'{"t":"ping","x":"\xff\xfe"}')
    assert answer_pings_until_close(ws) == 1007
    ws.close()


def test_invalid_utf8_split_over_fragments_closes_with_1007(edge_hub, code):
    ws = joined(edge_hub, code)
    ws.send_frame(OP_TEXT, b'{"t":"ping","x":"\xc3', fin=False)  # a two-byte sequence cut in half...
    ws.send_frame(OP_CONT, b'("}', fin=True)                      # ...and continued by a non-continuation byte
    assert answer_pings_until_close(ws) == 1007
    ws.close()


def test_an_unmasked_client_frame_closes_with_1002(edge_hub, code):
    ws = joined(edge_hub, code)
    ws.send_frame(OP_TEXT, json.dumps({"t": "ping"}), masked=False)
    assert answer_pings_until_close(ws) == 1002
    ws.close()


@pytest.mark.parametrize("rsv", [1, 2, 4])
def test_reserved_bits_close_with_1002(edge_hub, code, rsv):
    ws = joined(edge_hub, code)
    ws.send_frame(OP_TEXT, json.dumps({"t": "ping"}), rsv=rsv)
    assert answer_pings_until_close(ws) == 1002
    ws.close()


def test_a_binary_frame_closes_with_1003(edge_hub, code):
    ws = joined(edge_hub, code)
    ws.send_frame(OP_BINARY, b"\x00\x01")
    assert answer_pings_until_close(ws) == 1003
    ws.close()


# ---- control frames ---------------------------------------------------------------------------------


def test_control_frames_between_fragments_are_answered_and_the_message_still_arrives(edge_hub, code):
    ws = joined(edge_hub, code)
    ws.send_frame(OP_TEXT, '{"t":', fin=False)
    ws.send_frame(OP_PING, b"between")
    ws.send_frame(OP_CONT, '"pi', fin=False)
    ws.send_frame(OP_PONG, b"unsolicited")
    ws.send_frame(OP_CONT, 'ng"}', fin=True)
    got_pong_frame = got_pong_message = False
    while not (got_pong_frame and got_pong_message):
        op, _, payload = ws.recv_frame()
        if op == OP_PONG and payload == b"between":
            got_pong_frame = True
        elif op == OP_PING:
            ws.send_frame(OP_PONG, payload)
        elif op == OP_TEXT and json.loads(payload)["t"] == "pong":
            got_pong_message = True
        elif op == 0x8:
            pytest.fail("closed with %s" % close_code(payload))
    ws.close()


def test_ping_gets_a_pong_with_the_same_payload(edge_hub, code):
    ws = joined(edge_hub, code)
    ws.send_frame(OP_PING, b"are you there")
    while True:
        op, _, payload = ws.recv_frame()
        if op == OP_PONG:
            assert payload == b"are you there"
            break
        if op == OP_PING:
            ws.send_frame(OP_PONG, payload)
    ws.close()


def test_a_client_that_answers_no_ping_is_closed_and_one_that_answers_stays(edge_hub, code):
    """--ping-interval 1: a ping unanswered by the next one closes the connection (1001)."""
    silent = joined(edge_hub, code)
    alive = joined(edge_hub, code)
    result = {}

    def keep_alive():
        deadline = time.monotonic() + 6
        try:
            while time.monotonic() < deadline:
                op, _, payload = alive.recv_frame()
                if op == OP_PING:
                    alive.send_frame(OP_PONG, payload)
                elif op == 0x8:
                    result["alive"] = close_code(payload)
                    return
        except (Closed, socket.timeout):
            pass
    t = threading.Thread(target=keep_alive)
    t.start()
    code_seen = None
    try:
        while True:
            op, _, payload = silent.recv_frame()
            if op == 0x8:
                code_seen = close_code(payload)
                break
    except Closed:
        code_seen = "EOF"
    t.join(BOUND)
    assert code_seen == 1001, code_seen
    assert "alive" not in result, "a client that answers pings was closed: %s" % result
    assert still_works(alive)
    silent.close()
    alive.close()


# ---- Origin -----------------------------------------------------------------------------------------


def test_origin_is_checked_on_ws(edge_hub, code):
    hub = edge_hub
    port = hub.port

    def status(origin):
        headers = {"Origin": origin} if origin is not None else None
        try:
            ws = RawWS(hub.url, headers=headers)
        except ConnectionRefusedError as e:
            return int(str(e).split("answered ")[1].split(":")[0])
        ws.close()
        return 101
    assert status(None) == 101, "no Origin: a non-browser client"
    assert status("http://127.0.0.1:%d" % port) == 101, "the host the page was served from"
    assert status("https://hub.example.org") == 101, "the --public-url origin"
    assert status("https://HUB.example.org:443") == 101, "default port and case do not matter"
    for bad in ("https://evil.example", "http://127.0.0.1:%d" % (port + 1), "https://hub.example.org.evil.example",
                "http://hub.example.org", "null"):
        assert status(bad) == 400, bad


# ---- many half-open handshakes ----------------------------------------------------------------------


def test_thousands_of_half_open_handshakes_while_real_clients_join(request):
    """An attacker on another address (127.0.0.2) opens 3,000 connections that never finish their
    handshake; the room on 127.0.0.1 still joins, and the half-open ones are cut off."""
    try:
        hub = new_hub(request.module.__name__ + ".half_open", serve_args=["--header-timeout", "2"])
    except HubFailed as e:
        pytest.fail(str(e), pytrace=False)
    held = []
    try:
        session = hub.create_session(agendas.standard("Half open"))
        partial = b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        def attack():
            started = time.monotonic()
            for _ in range(3000):
                s = socket.socket()
                s.bind(("127.0.0.2", 0))
                s.settimeout(5)
                try:
                    s.connect(("127.0.0.1", hub.port))
                    s.send(partial)
                except OSError:
                    s.close()  # refused or reset at the pending cap: the hub said no
                    continue
                s.setblocking(False)
                held.append(s)
            print("%d half-open connections made in %.1f s" % (len(held), time.monotonic() - started))
        attacker = threading.Thread(target=attack)
        attacker.start()
        while len(held) < 500 and attacker.is_alive():
            time.sleep(0.05)

        async def room():
            clients = []
            for i in range(20):
                c = Client(hub.ws_url, "p%d" % i)
                await c.connect()
                await c.join(session["code"], name="P%d" % i)
                clients.append(c)
            await close_all(clients)
            return len(clients)
        # The room joins while the attacker is still opening connections.
        assert run(room(), timeout=120) == 20
        attacker.join(120)
        # Every half-open connection is closed by the hub (refused at the pending cap, or cut off after
        # --header-timeout).
        deadline = time.monotonic() + 60
        open_ones = list(held)
        while open_ones and time.monotonic() < deadline:
            still = []
            for s in open_ones:
                try:
                    data = s.recv(4096)
                    if data and not data.startswith(b"HTTP/1.1 503"):
                        still.append(s)
                except BlockingIOError:
                    still.append(s)
                except OSError:
                    pass
            open_ones = still
            if open_ones:
                time.sleep(0.5)
        assert not open_ones, "%d half-open connections still open" % len(open_ones)
        assert hub.api("GET", "/healthz", token=None)[0] == 200
    finally:
        for s in held:
            s.close()
        finish(hub)
