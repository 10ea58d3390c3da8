#!/usr/bin/env python3
"""Yardstick relay for the load bench: a minimal broadcast relay in Python asyncio + `websockets`.

It speaks just enough of SessionHub's wire protocol (docs/PROTOCOL.md) for bench/loadclient to measure
it exactly as it measures the hub:

  join    -> welcome (participant id, token, seq, state with one activity a1 and its public view),
             then presence; a participant's first join takes a seq, as in the hub
  input   -> seq += 1, count += 1, ack {id, seq} at once; a resent id gets its first ack again
  command -> ack with the current seq (facilitator joins with `auth` are accepted, not checked)
  ping    -> pong
  tick    -> 50 ms after the first change, like the hub: one `view` {count} encoded once and
             broadcast to every connection; presence when the count of connections changed

What it leaves out on purpose: durability (no log, no fsync), plugins (the count lives here), rate
limits, auth. A connection whose unsent bytes exceed --max-buffer is closed with 4004, standing in
for the hub's bounded outbox. Only for 127.0.0.1.

Usage: relay.py [--port 0] [--tick-ms 50]; prints `listening on ws://127.0.0.1:PORT`.
"""
import argparse
import asyncio
import json
import secrets
import signal
import sys

from websockets.asyncio.server import broadcast, serve

ENC = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class Relay:
    def __init__(self, tick, max_buffer):
        self.tick_s = tick
        self.max_buffer = max_buffer
        self.seq = 0
        self.count = 0
        self.view_seq = 0
        self.conns = set()
        self.participants = 0
        self.accepted = {}  # (participant, client id) -> seq
        self.view_dirty = False
        self.presence_dirty = False
        self.tick_scheduled = False
        self.loop = None

    def schedule_tick(self):
        if not self.tick_scheduled:
            self.tick_scheduled = True
            self.loop.call_later(self.tick_s, self.tick)

    def tick(self):
        self.tick_scheduled = False
        for ws in [c for c in self.conns if c.transport.get_write_buffer_size() > self.max_buffer]:
            self.conns.discard(ws)
            asyncio.ensure_future(ws.close(4004, "too slow"))
        if self.view_dirty:
            self.view_dirty = False
            broadcast(self.conns, ENC({"t": "view", "seq": self.view_seq, "activity": "a1", "audience": "public",
                                       "view": {"count": self.count}}))
        if self.presence_dirty:
            self.presence_dirty = False
            broadcast(self.conns, ENC({"t": "presence", "count": self.participants, "connected": len(self.conns)}))

    def welcome(self, participant, role):
        state = {
            "status": "open",
            "agenda": [{"id": "a1", "plugin": "counter", "title": "Count", "phase": "counting", "inputsOpen": True,
                        "anonymity": "pseudonymous", "config": {}}],
            "current": {"activity": "a1", "phase": "counting"},
            "groups": None,
            "views": {"a1": {"public": {"count": self.count}}},
        }
        m = {"t": "welcome", "role": role, "session": {"id": "s_relay", "code": "RELAY", "title": "Relay", "lang": "en"},
             "seq": self.seq, "state": state}
        if participant:
            m["participant"] = participant
            m["token"] = "relay." + participant
        return ENC(m)

    async def handle(self, ws):
        who = None
        try:
            async for raw in ws:
                if not isinstance(raw, str):
                    await ws.close(1003)
                    return
                try:
                    m = json.loads(raw)
                    t = m["t"]
                except (ValueError, KeyError, TypeError):
                    await ws.send(ENC({"t": "error", "code": "bad_json", "message": "bad JSON"}))
                    continue
                if t == "ping":
                    await ws.send('{"t":"pong"}')
                elif t == "join":
                    if who is not None:
                        await ws.send(ENC({"t": "error", "code": "bad_message", "message": "already joined"}))
                        continue
                    if m.get("auth"):
                        who, role = "$fac", "facilitator"
                    else:
                        who, role = "p_" + secrets.token_hex(6), "participant"
                        self.seq += 1  # the hub logs a first join as an event
                        self.participants += 1
                    self.conns.add(ws)
                    self.presence_dirty = True
                    self.schedule_tick()
                    await ws.send(self.welcome(who if role == "participant" else None, role))
                    await ws.send(ENC({"t": "presence", "count": self.participants, "connected": len(self.conns)}))
                elif t in ("input", "command"):
                    cid = m.get("id")
                    if who is None:
                        await ws.send(ENC({"t": "error", "id": cid, "code": "not_joined", "message": "join first"}))
                        continue
                    key = (who, cid)
                    if key in self.accepted:
                        await ws.send(ENC({"t": "ack", "id": cid, "seq": self.accepted[key]}))
                        continue
                    if t == "command":
                        await ws.send(ENC({"t": "ack", "id": cid, "seq": self.seq}))
                        continue
                    if m.get("activity") != "a1":
                        await ws.send(ENC({"t": "error", "id": cid, "code": "activity_not_found", "message": "no such activity"}))
                        continue
                    self.seq += 1
                    self.count += 1
                    self.view_seq = self.seq
                    self.accepted[key] = self.seq
                    self.view_dirty = True
                    self.schedule_tick()
                    await ws.send(ENC({"t": "ack", "id": cid, "seq": self.seq}))
                else:
                    await ws.send(ENC({"t": "error", "code": "unknown_type", "message": "unknown type"}))
        except Exception:
            pass
        finally:
            if ws in self.conns:
                self.conns.discard(ws)
                self.presence_dirty = True
                self.schedule_tick()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tick-ms", type=float, default=50)
    ap.add_argument("--max-buffer", type=int, default=4 << 20, help="unsent bytes per connection before close 4004")
    args = ap.parse_args()
    relay = Relay(args.tick_ms / 1000.0, args.max_buffer)
    relay.loop = asyncio.get_running_loop()
    stop = relay.loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        relay.loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    async with serve(relay.handle, "127.0.0.1", args.port, max_size=64 << 10, compression=None,
                     ping_interval=30, ping_timeout=30, max_queue=64, backlog=4096) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on ws://127.0.0.1:{port}", flush=True)
        await stop
    print("relay stopped", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
