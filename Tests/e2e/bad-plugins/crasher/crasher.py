#!/usr/bin/env python3
"""A plugin that misbehaves on request, for the supervision tests of the plugin-host issue.

`inc` counts like a well-behaved plugin; `boom` kills the process before it answers (the hub must
restart it and replay the log, where the refused `boom` is absent); `hang` stops answering
altogether (the hub must notice the silence); `spew` writes megabytes of stderr and then raises (the
hub's log must stay bounded and show the backtrace at warning). Standard library only.
"""
import json
import os
import sys
import time


def spew():
    """Megabytes of stderr (ten lines of 512 KiB, 50,000 short ones), then a crash with a backtrace."""
    for _ in range(10):
        sys.stderr.write("x" * (512 * 1024) + "\n")
    for i in range(50000):
        sys.stderr.write("spew line %d\n" % i)
    sys.stderr.flush()
    raise RuntimeError("crasher spewed and crashed")


def main():
    counts = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        m = json.loads(line)
        t = m.get("t")
        if t == "hello":
            reply = {"t": "ready", "name": "crasher", "version": "1.0.0", "protocol": 1}
        elif t == "start":
            counts[m["instance"]] = 0
            reply = {"t": "views", "instance": m["instance"], "seq": 0, "views": {"public": {"count": 0}}}
        elif t == "event":
            if m.get("type") == "boom":
                os._exit(3)
            if m.get("type") == "spew":
                spew()
            if m.get("type") == "slow":
                time.sleep(0.3)
            if m.get("type") == "hang":
                while True:
                    time.sleep(3600)
            if m.get("type") == "inc":
                counts[m["instance"]] = counts.get(m["instance"], 0) + 1
            reply = {"t": "views", "instance": m["instance"], "seq": m["seq"],
                     "views": {"public": {"count": counts.get(m["instance"], 0)}}}
        elif t == "stop":
            reply = {"t": "stopped", "instance": m.get("instance")}
        else:
            continue
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
