"""A small WebSocket client of the SessionHub wire protocol (CONTRACTS.md section 1), for the e2e suites.

The suites drive the real hub the way browsers do, so this client only knows the contract, never
the hub's internals. It keeps what a browser keeps (the welcome, the latest view per activity and
audience, the session state, presence and roster) and also every frame it received, in order, so a
test can check ordering rules such as "an ack comes before any view that reflects it" and "after a
rejoin, only messages with seq greater than welcome.seq".

Everything is asyncio; tests are plain functions that call `run(coro)`, so no pytest plugin is needed.
"""
import asyncio
import itertools
import json
import uuid

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

DEFAULT_TIMEOUT = 15.0

# Message types whose `seq` says which events they reflect (PROTOCOL.md "seq").
SEQUENCED = ("view", "session", "roster")


class HubError(AssertionError):
    """The hub answered with an `error` frame where the test expected success."""

    def __init__(self, frame):
        super().__init__("hub error: %s" % json.dumps(frame, ensure_ascii=False))
        self.frame = frame


def run(coro, timeout=300):
    """Run one test's coroutine with an overall limit, so a hung hub fails the test instead of CI."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


class Client:
    """One WebSocket connection at a time to the hub, with the state a browser would keep.

    A Client can reconnect (`reconnect()`), which keeps its token and label but starts a new
    connection: replies, welcome and close code are per connection; `frames` keeps everything.
    """

    _labels = itertools.count(1)

    def __init__(self, ws_url, label=None):
        self.ws_url = ws_url
        self.label = label or "c%d" % next(self._labels)
        # Ids must be unique per sender across the whole session log (and per facilitator account
        # across tabs), so a random prefix keeps tests from colliding with each other's ids.
        self._id_prefix = "%s-%s" % (self.label, uuid.uuid4().hex[:6])
        self._next_id = itertools.count(1)
        self.ws = None
        self._reader = None
        self._cond = asyncio.Condition()
        self.frames = []  # every frame of every connection, parsed; non-JSON as {"t": "$raw", ...}
        self.texts = []  # the same frames as text, exactly as they came off the wire (for byte scans)
        self._reset_connection_state()
        # Identity outlives connections.
        self.participant = None
        self.token = None
        self.role = None
        self.session = None

    def _reset_connection_state(self):
        self.connection_start = len(self.frames)  # index of this connection's first frame
        self.replies = {}  # client id -> the ack or error frame with that id
        self.welcome = None
        self.welcome_seq = None
        self.views = {}  # (activity, audience) -> latest view
        self.view_seqs = {}  # (activity, audience) -> seq of that view
        self.state = None  # status, agenda, current, groups: from welcome, then `session`
        self.state_seq = -1
        self.presence = None
        self.roster = None
        self.seq = 0  # the highest seq this connection has seen
        self.stale = []  # views at or below welcome.seq, sessions and rosters below it (the hub must not send them)
        self.out_of_order = []  # views older than the one already held for that audience
        self.closed = False
        self.close_code = None
        self.close_reason = None

    # ---- connection -------------------------------------------------------------------------

    async def connect(self, url=None):
        """Open a new connection (after closing any old one) and start reading frames."""
        if url:
            self.ws_url = url
        await self.close()
        self._reset_connection_state()
        # No compression: the hub does not compress broadcasts, and the size limit is about the
        # message as sent. No proxy: the hub is on the loopback address. No size limit on what we
        # receive: a welcome of a big room is large.
        self.ws = await connect(self.ws_url, compression=None, proxy=None, max_size=None,
                                open_timeout=10, close_timeout=2, ping_interval=None)
        self._reader = asyncio.create_task(self._read(self.ws))
        return self

    async def reconnect(self, url=None):
        """A new connection to the same (or a restarted) hub; the token is kept for a rejoin."""
        return await self.connect(url)

    async def close(self):
        """Close the connection politely and wait for the reader to finish."""
        if self.ws is not None:
            try:
                await self.ws.close()
            except Exception:
                pass
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._reader.cancel()
            self._reader = None

    async def abort(self):
        """Drop the TCP connection without a close handshake, like a phone that loses its network."""
        if self.ws is not None:
            self.ws.transport.abort()
        await self.close()

    async def _read(self, ws):
        try:
            async for raw in ws:
                if isinstance(raw, bytes):
                    frame = {"t": "$binary", "raw": raw}
                    self.texts.append(raw.decode(errors="replace"))
                else:
                    self.texts.append(raw)
                    try:
                        frame = json.loads(raw)
                    except ValueError:
                        frame = {"t": "$raw", "raw": raw}
                    if not isinstance(frame, dict):
                        frame = {"t": "$raw", "raw": raw}
                async with self._cond:
                    self.frames.append(frame)
                    self._apply(frame)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        except Exception as e:  # an unexpected client-side failure must not hang the waiters
            async with self._cond:
                self.frames.append({"t": "$client_error", "error": repr(e)})
        finally:
            async with self._cond:
                if ws is self.ws:
                    self.closed = True
                    self.close_code = ws.close_code
                    self.close_reason = ws.close_reason
                self._cond.notify_all()

    def _apply(self, f):
        """Keep the latest state the way a browser would, and note frames that break ordering rules."""
        t = f.get("t")
        seq = f.get("seq") if isinstance(f.get("seq"), int) else None
        # docs/PROTOCOL.md "Rejoin": no `view` at or below welcome.seq; a `session` (plugin health) or a
        # `roster` (a connection came or went) may keep the welcome's seq, never go below it.
        if t in SEQUENCED and self.welcome_seq is not None and seq is not None and (
                seq < self.welcome_seq or (t == "view" and seq == self.welcome_seq)):
            self.stale.append(f)
        if seq is not None:
            self.seq = max(self.seq, seq)
        if t == "welcome":
            self.welcome = f
            self.welcome_seq = f.get("seq")
            self.role = f.get("role")
            self.session = f.get("session")
            if f.get("participant"):
                self.participant = f["participant"]
            if f.get("token"):
                self.token = f["token"]
            state = f.get("state") or {}
            self.state = {k: state.get(k) for k in ("status", "agenda", "current", "groups")}
            self.state_seq = f.get("seq", 0)
            for activity, audiences in (state.get("views") or {}).items():
                for audience, view in (audiences or {}).items():
                    self.views[(activity, audience)] = view
                    self.view_seqs[(activity, audience)] = f.get("seq", 0)
        elif t in ("ack", "error") and f.get("id") is not None:
            self.replies[f["id"]] = f
        elif t == "view":
            key = (f.get("activity"), f.get("audience"))
            if seq is not None and seq < self.view_seqs.get(key, -1):
                self.out_of_order.append(f)
            else:
                self.views[key] = f.get("view")
                self.view_seqs[key] = seq
        elif t == "session":
            if seq is None or seq >= self.state_seq:
                self.state = {k: f.get(k) for k in ("status", "agenda", "current", "groups")}
                self.state_seq = seq if seq is not None else self.state_seq
        elif t == "presence":
            self.presence = f
        elif t == "roster":
            self.roster = f

    # ---- waiting ------------------------------------------------------------------------------

    def mark(self):
        """An index into `frames`; pass it as `since` to wait only for frames that arrive later."""
        return len(self.frames)

    def this_connection(self):
        """The frames of the current connection."""
        return self.frames[self.connection_start:]

    async def wait_until(self, check, timeout=DEFAULT_TIMEOUT, what="condition", allow_closed=False):
        """Wait until `check()` returns something truthy and return it.

        Fails at once if the connection closes first (unless `allow_closed`), and after `timeout`
        with the last frames, so a failing test says what the hub sent instead.
        """
        async def waiting():
            async with self._cond:
                while True:
                    result = check()
                    if result:
                        return result
                    if self.closed and not allow_closed:
                        raise AssertionError("%s: connection closed (%s %s) while waiting for %s; last frames: %s"
                                             % (self.label, self.close_code, self.close_reason, what,
                                                self._tail()))
                    await self._cond.wait()
        try:
            return await asyncio.wait_for(waiting(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError("%s: timed out after %ss waiting for %s; last frames: %s"
                                 % (self.label, timeout, what, self._tail())) from None

    async def wait_frame(self, predicate, since=None, timeout=DEFAULT_TIMEOUT, what="frame"):
        """The first frame at or after index `since` for which `predicate(frame)` holds."""
        start = self.connection_start if since is None else since

        def find():
            for f in self.frames[start:]:
                if predicate(f):
                    return f
            return None
        return await self.wait_until(find, timeout, what, allow_closed=False)

    async def wait_type(self, t, since=None, timeout=DEFAULT_TIMEOUT):
        """The first frame of type `t` at or after `since`."""
        return await self.wait_frame(lambda f: f.get("t") == t, since, timeout, what="a %r frame" % t)

    async def wait_closed(self, timeout=DEFAULT_TIMEOUT):
        """Wait for the hub to close this connection; returns the close code."""
        await self.wait_until(lambda: self.closed, timeout, "the connection to close", allow_closed=True)
        return self.close_code

    async def wait_view(self, activity, audience="public", check=lambda v: True, timeout=DEFAULT_TIMEOUT):
        """Wait until the latest view for (activity, audience) satisfies `check`; returns it."""
        def ready():
            view = self.views.get((activity, audience))
            return view if view is not None and check(view) else None
        return await self.wait_until(ready, timeout, "view %s/%s to match" % (activity, audience))

    async def wait_state(self, check, timeout=DEFAULT_TIMEOUT, what="session state"):
        """Wait until the session state (from welcome and `session` frames) satisfies `check`."""
        return await self.wait_until(lambda: self.state is not None and check(self.state) and self.state,
                                     timeout, what)

    async def wait_seq(self, seq, timeout=DEFAULT_TIMEOUT):
        """Wait until this connection has seen a frame with at least this seq."""
        return await self.wait_until(lambda: self.seq >= seq, timeout, "seq %d" % seq)

    def _tail(self, n=6):
        tail = self.frames[-n:]
        return json.dumps([{k: v for k, v in f.items() if k != "state"} for f in tail], ensure_ascii=False,
                          default=repr)[:2000]

    # ---- sending ------------------------------------------------------------------------------

    def new_id(self):
        """A fresh client id, unique per sender as the contract asks."""
        return "%s-%d" % (self._id_prefix, next(self._next_id))

    async def send(self, message):
        """Send one JSON message as a text frame."""
        await self.ws.send(json.dumps(message, ensure_ascii=False))

    async def send_raw(self, data):
        """Send a text frame (str) or a binary frame (bytes) exactly as given."""
        await self.ws.send(data)

    async def join(self, code, expect="welcome", timeout=DEFAULT_TIMEOUT, **fields):
        """Send `join` and return the welcome, or the error when `expect="error"`."""
        since = self.mark()
        await self.send(dict({"t": "join", "code": code}, **fields))
        frame = await self.wait_frame(lambda f: f.get("t") in ("welcome", "error"), since, timeout, "welcome or error")
        if frame["t"] != expect:
            raise HubError(frame) if frame["t"] == "error" else AssertionError("expected %s, got %s" % (expect, frame))
        return frame

    async def rejoin(self, code, url=None, **fields):
        """Reconnect and join again with the saved token (and lastSeq), as a browser does after a drop."""
        last = self.seq
        await self.reconnect(url)
        return await self.join(code, token=self.token, lastSeq=last, **fields)

    async def reply(self, id, timeout=DEFAULT_TIMEOUT):
        """Wait for the ack or error that answers the message with this id."""
        return await self.wait_until(lambda: self.replies.get(id), timeout, "the reply to %s" % id)

    async def send_input(self, activity, type, payload=None, id=None):
        """Send an input without waiting; returns its id."""
        id = id or self.new_id()
        self.replies.pop(id, None)  # a resend waits for its own answer, not an earlier one
        await self.send({"t": "input", "id": id, "activity": activity, "type": type,
                         "payload": {} if payload is None else payload})
        return id

    async def input(self, activity, type, payload=None, id=None, timeout=DEFAULT_TIMEOUT):
        """Send an input and return its reply (ack or error)."""
        id = await self.send_input(activity, type, payload, id)
        return await self.reply(id, timeout)

    async def send_command(self, type, id=None, **fields):
        """Send a facilitator command without waiting; returns its id."""
        id = id or self.new_id()
        self.replies.pop(id, None)
        await self.send(dict({"t": "command", "id": id, "type": type}, **fields))
        return id

    async def command(self, type, id=None, timeout=DEFAULT_TIMEOUT, **fields):
        """Send a facilitator command and return its reply (ack or error)."""
        id = await self.send_command(type, id, **fields)
        return await self.reply(id, timeout)

    async def ok(self, awaitable):
        """Await an input or command reply and return its seq, failing the test on an error."""
        frame = await awaitable
        if frame.get("t") != "ack":
            raise HubError(frame)
        return frame["seq"]

    async def ping(self, timeout=DEFAULT_TIMEOUT):
        """Round trip through the hub: every frame sent before it has been handled when it returns."""
        since = self.mark()
        await self.send({"t": "ping"})
        return await self.wait_type("pong", since, timeout)

    # ---- reading state ------------------------------------------------------------------------

    def view(self, activity, audience="public"):
        """The latest view for this activity and audience, or None."""
        return self.views.get((activity, audience))

    def audiences(self):
        """Every audience this connection holds a view for."""
        return {audience for (_, audience) in self.views}

    def current(self):
        """The current activity id, or None."""
        return ((self.state or {}).get("current") or {}).get("activity")

    def errors(self, since=None):
        """Every error frame of this connection (or since a mark)."""
        start = self.connection_start if since is None else since
        return [f for f in self.frames[start:] if f.get("t") == "error"]


async def started_console(hub, code):
    """The owner's console joined to the session `code`, which it starts with its first activity current."""
    fac = Client(hub.ws_url, "fac")
    await fac.connect()
    await fac.join(code, auth=hub.token)
    await fac.ok(fac.command("start"))
    await fac.ok(fac.command("next"))
    return fac


def open_session(hub, agenda_yaml):
    """A session made from `agenda_yaml` on `hub`, started, with its first activity current; the facilitator
    connection that did it is closed again. Returns the session (id, code, URLs)."""
    session = hub.create_session(agenda_yaml)

    async def prepare():
        await (await started_console(hub, session["code"])).close()
    run(prepare())
    return session


async def join_many(ws_url, code, n, prefix="p", batch=25, **fields_for):
    """Connect and join `n` participants, `batch` at a time; returns the clients in order.

    `fields_for`, if given as `fields=callable(i) -> dict`, supplies each participant's join fields.
    """
    make_fields = fields_for.get("fields") or (lambda i: {"name": "%s%02d" % (prefix, i)})
    clients = [Client(ws_url, "%s%02d" % (prefix, i)) for i in range(n)]

    async def one(i):
        await clients[i].connect()
        await clients[i].join(code, **make_fields(i))
    for start in range(0, n, batch):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + batch))))
    return clients


async def close_all(clients):
    """Close every client, ignoring ones that are already gone."""
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
