"""Raw WebSocket over a plain socket, for the tests that need frames no library sends: unmasked or
reserved-bit frames, fragments with control frames between them, invalid UTF-8, handshakes left
half-open, clients that never read.

Only the standard library; blocking sockets with timeouts, so a test that waits too long fails
instead of hanging.
"""
import base64
import json
import os
import socket
import struct
from urllib.parse import urlparse

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class Closed(Exception):
    """The server closed the TCP connection (EOF or reset) without a close frame we could read."""


def connect_tcp(url, timeout=10, rcvbuf=None):
    """A TCP socket to the hub of `url` (http:// or ws://)."""
    u = urlparse(url)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        # Before connect, so that the window the server sees is small from the start.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((u.hostname, u.port))
    return s


def handshake_bytes(url, headers=None):
    u = urlparse(url)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = ["GET /ws HTTP/1.1", "Host: %s:%d" % (u.hostname, u.port), "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
    lines += ["%s: %s" % kv for kv in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_http_head(s):
    """The response head up to the blank line: (status, head text)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise Closed("closed during the HTTP response: %r" % data)
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    return status, head.decode(errors="replace"), rest


class RawWS:
    """One WebSocket connection on a raw socket."""

    def __init__(self, url, headers=None, timeout=10, rcvbuf=None):
        self.sock = connect_tcp(url, timeout=timeout, rcvbuf=rcvbuf)
        self.sock.sendall(handshake_bytes(url, headers))
        self.status, self.head, self.buffer = read_http_head(self.sock)
        if self.status != 101:
            self.sock.close()
            raise ConnectionRefusedError("handshake answered %d: %s" % (self.status, self.head))

    # ---- sending --------------------------------------------------------------------------------

    def send_frame(self, opcode, payload=b"", fin=True, masked=True, rsv=0):
        if isinstance(payload, str):
            payload = payload.encode()
        head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
        n = len(payload)
        mask_bit = 0x80 if masked else 0
        if n < 126:
            head += bytes([mask_bit | n])
        elif n < 1 << 16:
            head += bytes([mask_bit | 126]) + struct.pack("!H", n)
        else:
            head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
        if masked:
            key = os.urandom(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            head += key
        self.sock.sendall(head + payload)

    def send_json(self, message):
        self.send_frame(OP_TEXT, json.dumps(message))

    def send_close(self, code=1000):
        self.send_frame(OP_CLOSE, struct.pack("!H", code))

    # ---- receiving ------------------------------------------------------------------------------

    def _read(self, n):
        while len(self.buffer) < n:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError as e:
                raise Closed("reset") from e
            if not chunk:
                raise Closed("EOF")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv_frame(self):
        """(opcode, fin, payload) of the next frame from the server."""
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        return b0 & 0x0F, bool(b0 & 0x80), self._read(n)

    def recv_json(self):
        """The next text message (control frames other than close are skipped)."""
        while True:
            op, _, payload = self.recv_frame()
            if op == OP_TEXT:
                return json.loads(payload)
            if op == OP_CLOSE:
                raise Closed("close frame %s" % close_code(payload))

    def wait_close(self):
        """Reads until the server's close frame: its code, or None when the socket ended without one."""
        try:
            while True:
                op, _, payload = self.recv_frame()
                if op == OP_CLOSE:
                    return close_code(payload)
        except Closed:
            return None

    def join(self, code, **fields):
        """Sends `join` and returns the `welcome` (or raises with the error that came instead)."""
        self.send_json({"t": "join", "code": code, **fields})
        while True:
            m = self.recv_json()
            if m["t"] == "welcome":
                return m
            if m["t"] == "error":
                raise AssertionError("join refused: %r" % m)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def close_code(payload):
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None


def socket_closed_by_peer(s, timeout):
    """True when the peer closes `s` (EOF or reset) within `timeout` seconds; reads and drops data."""
    s.settimeout(timeout)
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
