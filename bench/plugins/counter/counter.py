#!/usr/bin/env python3
"""Counter plugin for the load bench (bench/run.sh), standard library only.

The smallest deterministic reducer that exercises the hub's input path: every participant
`inc` adds one to the count and returns the public view {"count": n}; system events ($join,
$phase, ...) change nothing and return no views, so joins cause no view broadcast.
JSON lines over stdin/stdout, CONTRACTS.md section 2.
"""
import json
import sys


def main():
    counts = {}
    out = sys.stdout
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            m = json.loads(line)
        except ValueError:
            continue
        t = m.get("t")
        if t == "hello":
            answer = {"t": "ready", "name": "counter", "version": "1.0.0", "protocol": 1}
        elif t == "start":
            counts[m["instance"]] = 0
            answer = {"t": "views", "instance": m["instance"], "seq": 0, "views": {"public": {"count": 0}}}
        elif t == "event":
            inst = m.get("instance")
            if inst not in counts:
                answer = {"t": "reject", "instance": inst, "seq": m.get("seq"), "code": "unknown_instance",
                          "message": {"nl": "Onbekende activiteit.", "en": "Unknown activity."}}
            elif m.get("type") == "inc":
                counts[inst] += 1
                answer = {"t": "views", "instance": inst, "seq": m["seq"], "views": {"public": {"count": counts[inst]}}}
            else:
                answer = {"t": "views", "instance": inst, "seq": m["seq"], "views": {}}
        elif t == "stop":
            counts.pop(m.get("instance"), None)
            answer = {"t": "stopped", "instance": m.get("instance")}
        else:
            continue
        out.write(dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
