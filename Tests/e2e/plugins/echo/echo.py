#!/usr/bin/env python3
"""Stand-in plugin `echo`: the smallest plugin that still has state.

It sits beside `counter` in the test agendas so the suites can show two plugin processes serving
one session side by side, and activities of different plugins keeping their own views.
Standard library only, deterministic.
"""
import json
import sys

NAME = "echo"
VERSION = "1.0.0"
PROTOCOL = 1


def reply_to(message, instances):
    """The one reply to a hub message, or None for messages that need none."""
    t = message.get("t")
    if t == "hello":
        return {"t": "ready", "name": NAME, "version": VERSION, "protocol": PROTOCOL}
    if t == "start":
        instances[message["instance"]] = {"last": None, "n": 0}
        # The kennisbank records the agenda's `context` resolved to, by id (only when there are any).
        records = ((message.get("context") or {}).get("kennisbank") or {}).get("records") or []
        if records:
            instances[message["instance"]]["context"] = [r["id"] for r in records]
        return {"t": "views", "instance": message["instance"], "seq": 0,
                "views": {"public": dict(instances[message["instance"]])}}
    if t == "event":
        key, seq = message["instance"], message["seq"]
        state = instances.get(key)
        if state is None:
            return {"t": "reject", "instance": key, "seq": seq, "code": "unknown_instance",
                    "message": {"nl": "Onbekende activiteit.", "en": "Unknown activity."}}
        if message.get("type") == "say":
            text = (message.get("payload") or {}).get("text")
            if not isinstance(text, str):
                return {"t": "reject", "instance": key, "seq": seq, "code": "no_text",
                        "message": {"nl": "Zeg iets.", "en": "Say something."}}
            state["last"] = text
            state["n"] += 1
        # System events ($join, $phase, ...) change nothing here; they still get an answer.
        return {"t": "views", "instance": key, "seq": seq, "views": {"public": dict(state)}}
    if t == "stop":
        instances.pop(message.get("instance"), None)
        return {"t": "stopped", "instance": message.get("instance")}
    return None


def main():
    instances = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = reply_to(json.loads(line), instances)
        except ValueError:
            reply = {"t": "log", "level": "warning", "message": "echo: a line that is not JSON"}
        if reply is not None:
            sys.stdout.write(json.dumps(reply, ensure_ascii=False, separators=(",", ":")) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
