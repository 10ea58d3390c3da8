#!/usr/bin/env python3
"""Stand-in poll plugin for the browser tests (stdlib only, JSON lines, CONTRACTS.md section 2).

Phases `open` (participants send `pick` {option}) and `shown`. The public view has the question,
the options and the total; the counts only after `$reveal`. Each participant sees its own pick
in its `participant:<id>` view.
"""
import json
import sys


class Poll:
    def __init__(self, config):
        self.question = config.get("question") or ""
        self.options = [str(o) for o in (config.get("options") or ["Ja", "Nee"])]
        self.picks = {}
        self.revealed = False

    def public(self):
        view = {"question": self.question, "options": self.options, "total": len(self.picks), "revealed": self.revealed}
        if self.revealed:
            counts = [0] * len(self.options)
            for i in self.picks.values():
                counts[i] += 1
            view["counts"] = counts
        return view

    def reduce(self, actor, etype, payload):
        if etype == "$reveal":
            self.revealed = True
            return {"public": self.public()}
        if etype == "pick":
            option = payload.get("option")
            if isinstance(option, bool) or not isinstance(option, int) or not 0 <= option < len(self.options):
                return ("bad_option", "Kies een van de opties.", "Choose one of the options.")
            pid = actor.get("id")
            self.picks[pid] = option
            return {"public": self.public(), "participant:" + pid: {"pick": option}}
        return {}


def main():
    # The same reducer serves the `plain` (no web module) and `broken` (a throwing one) stand-ins.
    name = sys.argv[1] if len(sys.argv) > 1 else "poll"
    polls = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        m = json.loads(line)
        t = m.get("t")
        if t == "hello":
            out = {"t": "ready", "name": name, "version": "1.0.0", "protocol": 1}
        elif t == "start":
            polls[m["instance"]] = Poll(m.get("config") or {})
            out = {"t": "views", "instance": m["instance"], "seq": 0, "views": {"public": polls[m["instance"]].public()}}
        elif t == "event":
            poll = polls.get(m["instance"])
            result = poll.reduce(m.get("actor") or {}, m.get("type"), m.get("payload") or {}) if poll else ("unknown", "Onbekend.", "Unknown.")
            if isinstance(result, tuple):
                out = {"t": "reject", "instance": m["instance"], "seq": m["seq"], "code": result[0],
                       "message": {"nl": result[1], "en": result[2]}}
            else:
                out = {"t": "views", "instance": m["instance"], "seq": m["seq"], "views": result}
        elif t == "stop":
            polls.pop(m.get("instance"), None)
            out = {"t": "stopped", "instance": m.get("instance")}
        else:
            continue
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
