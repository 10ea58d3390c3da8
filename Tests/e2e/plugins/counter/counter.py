#!/usr/bin/env python3
"""Stand-in plugin `counter` for the end-to-end suites (CONTRACTS.md section 2).

It exercises every part of the plugin protocol that the hub core must route: participant and
facilitator inputs, a plugin refusal with its own code, every system event ($join, $leave,
$groups, $reveal, $phase) and every kind of audience (public, facilitator, group:<g>,
participant:<id>). Its views are chosen so that a test can tell from the outside what the hub
delivered to the plugin, and in which order.

Standard library only, and deterministic: no clock, no randomness. The hub replays the log after a
restart and expects the same views, and the crash tests rely on that.
"""
import json
import sys

NAME = "counter"
VERSION = "1.0.0"
PROTOCOL = 1
MAX_BY = 10
MAX_NOTE = 200


class Refusal(Exception):
    """A refused input: the hub answers the client with `rejected` and this code in `detail`."""

    def __init__(self, code, nl, en):
        super().__init__(code)
        self.code = code
        self.message = {"nl": nl, "en": en}


class Counter:
    """One activity instance: a pure reducer over the events the hub sends it."""

    def __init__(self, config):
        self.step = config.get("step", 1)
        self.label = config.get("label", "")
        self.count = 0
        self.by_actor = {}  # actor id -> how much that actor added since the last reset
        self.joined = []  # participant ids from $join, in join order, minus $leave
        self.groups = {}  # group id -> [participant ids], from $groups
        self.revealed = False
        self.phase = "counting"  # the manifest's first phase: where every instance starts
        self.notes = []

    def reduce(self, actor, etype, payload):
        """Apply one event; returns the audiences whose views to send, or raises Refusal."""
        if etype == "inc":
            by = payload.get("by", self.step)
            if isinstance(by, bool) or not isinstance(by, int) or by < 1:
                raise Refusal("bad_by", "Ophogen kan alleen met 1 tot 10.", "You can only add 1 to 10.")
            if by > MAX_BY:
                raise Refusal("too_much", "Maximaal 10 tegelijk.", "At most 10 at a time.")
            self.count += by
            who = actor.get("id", "")
            self.by_actor[who] = self.by_actor.get(who, 0) + by
            if actor.get("role") == "participant":
                return ["participant:" + who]
            return []
        if etype == "reset":
            self.count = 0
            self.by_actor = {}
            return []
        if etype == "note":
            text = payload.get("text")
            if not isinstance(text, str) or not text.strip():
                raise Refusal("empty_note", "Schrijf eerst iets op.", "Write something first.")
            if len(text) > MAX_NOTE:
                raise Refusal("note_too_long", "Maximaal 200 tekens.", "At most 200 characters.")
            self.notes.append(text)
            return []
        if etype == "$join":
            pid = payload.get("participant")
            if pid and pid not in self.joined:
                self.joined.append(pid)
            return []
        if etype == "$leave":
            pid = payload.get("participant")
            if pid in self.joined:
                self.joined.remove(pid)
            return []
        if etype == "$groups":
            groups = payload.get("groups") or {}
            self.groups = {g: list(members) for g, members in groups.items()}
            return []
        if etype == "$reveal":
            self.revealed = True
            return []
        if etype == "$phase":
            self.phase = payload.get("phase", self.phase)
            return []
        raise Refusal("unknown_input", "Onbekende invoer.", "Unknown input.")

    def views(self, extra=()):
        """Every shared view, plus the per-participant views named in `extra`."""
        views = {
            "public": {
                "count": self.count,
                "revealed": self.revealed,
                "phase": self.phase,
                "joined": list(self.joined),
                "notes": list(self.notes),
            },
            "facilitator": {"count": self.count, "byActor": dict(sorted(self.by_actor.items()))},
        }
        for g, members in sorted(self.groups.items()):
            views["group:" + g] = {"groupCount": sum(self.by_actor.get(m, 0) for m in members)}
        for audience in extra:
            views[audience] = {"mine": self.by_actor.get(audience.split(":", 1)[1], 0)}
        return views


def answer(message, instances):
    """The one reply to a hub message, or None for messages that need none."""
    t = message.get("t")
    if t == "hello":
        return {"t": "ready", "name": NAME, "version": VERSION, "protocol": PROTOCOL}
    if t == "start":
        instance = Counter(message.get("config") or {})
        instances[message["instance"]] = instance
        return {"t": "views", "instance": message["instance"], "seq": 0, "views": instance.views()}
    if t == "event":
        key, seq = message["instance"], message["seq"]
        instance = instances.get(key)
        if instance is None:
            return {"t": "reject", "instance": key, "seq": seq, "code": "unknown_instance",
                    "message": {"nl": "Onbekende activiteit.", "en": "Unknown activity."}}
        try:
            extra = instance.reduce(message.get("actor") or {}, message.get("type"), message.get("payload") or {})
        except Refusal as r:
            return {"t": "reject", "instance": key, "seq": seq, "code": r.code, "message": r.message}
        return {"t": "views", "instance": key, "seq": seq, "views": instance.views(extra)}
    if t == "stop":
        instances.pop(message.get("instance"), None)
        # The hub logs stderr: the tests read when `stop` came (test_plugin_stop.py).
        sys.stderr.write("counter stopped %s\n" % message.get("instance"))
        return {"t": "stopped", "instance": message.get("instance")}
    return None


def main():
    instances = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            reply = {"t": "log", "level": "warning", "message": "counter: a line that is not JSON"}
        else:
            reply = answer(message, instances)
        if reply is not None:
            sys.stdout.write(json.dumps(reply, ensure_ascii=False, separators=(",", ":")) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
