#!/usr/bin/env python3
"""A plugin that answers `garble` with a line that is not JSON: the hub must treat it as failed,
restart it, and after repeated failures mark it failed. `inc` behaves. Standard library only."""
import json
import sys

counts = {}
for line in sys.stdin:
    if not line.strip():
        continue
    m = json.loads(line)
    t = m.get("t")
    if t == "hello":
        reply = {"t": "ready", "name": "garbler", "version": "1.0.0", "protocol": 1}
    elif t == "start":
        counts[m["instance"]] = 0
        reply = {"t": "views", "instance": m["instance"], "seq": 0, "views": {"public": {"count": 0}}}
    elif t == "event":
        if m.get("type") == "garble":
            sys.stdout.write("this is not { json\n")
            sys.stdout.flush()
            continue
        if m.get("type") == "inc":
            counts[m["instance"]] += 1
        reply = {"t": "views", "instance": m["instance"], "seq": m["seq"], "views": {"public": {"count": counts[m["instance"]]}}}
    elif t == "stop":
        reply = {"t": "stopped", "instance": m["instance"]}
    else:
        continue
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
