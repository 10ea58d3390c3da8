#!/usr/bin/env python3
"""Check-in plugin: one word and/or a mood (1-5) per participant.

Written with the Python standard library only, against the JSON-lines plugin protocol of
CONTRACTS.md section 2, to show that the protocol (not the Swift SDK) is the contract.
A deterministic reducer: the same config and events always give the same views.
"""
import json
import sys
import unicodedata

PROTOCOL = 1


def normalise(word):
    """NFC, lower case, trimmed, inner whitespace collapsed: 'Samen ' and 'samen' count as one."""
    return " ".join(unicodedata.normalize("NFC", word).lower().split())


class Instance:
    def __init__(self, config):
        self.question = config.get("question") or ""
        self.mode = config.get("mode") or "both"
        self.max_len = int(config.get("maxWordLength") or 30)
        self.answers = {}  # participant pseudonym -> {"word": str|None, "mood": int|None}
        self.order = []  # first check-in order, for a stable word list

    def reduce(self, actor, etype, payload):
        if etype == "$phase":
            return "$phase"  # nothing changes, but the report keeps where the check-in stood
        if etype != "checkin":
            return None  # other system events ($join, $groups, ...) change nothing here
        pid = actor.get("id")
        if actor.get("role") != "participant":
            return ("participants_only", "Alleen deelnemers checken in.", "Only participants check in.")
        word = payload.get("word")
        mood = payload.get("mood")
        if word is not None:
            if not isinstance(word, str) or not normalise(word):
                return ("bad_word", "Geef één woord.", "Give one word.")
            if self.mode == "mood":
                return ("no_words", "Hier kies je alleen een stemming.", "Only a mood is asked here.")
            word = normalise(word)
            if len(word) > self.max_len or " " in word:
                return ("bad_word", "Geef één woord van maximaal %d tekens." % self.max_len,
                        "Give one word of at most %d characters." % self.max_len)
        if mood is not None:
            if isinstance(mood, bool) or not isinstance(mood, int) or not 1 <= mood <= 5:
                return ("bad_mood", "Kies een stemming van 1 tot 5.", "Choose a mood from 1 to 5.")
            if self.mode == "word":
                return ("no_mood", "Hier geef je alleen een woord.", "Only a word is asked here.")
        if word is None and mood is None:
            return ("empty", "Geef een woord of kies een stemming.", "Give a word or choose a mood.")
        if pid not in self.answers:
            self.order.append(pid)
        previous = self.answers.get(pid, {})
        self.answers[pid] = {
            "word": word if word is not None else previous.get("word"),
            "mood": mood if mood is not None else previous.get("mood"),
        }
        return pid

    def tallies(self):
        """The words, most frequent first (ties in first check-in order), and the moods 1-5."""
        counts = {}
        first_seen = []
        for pid in self.order:
            w = self.answers[pid].get("word")
            if w:
                if w not in counts:
                    first_seen.append(w)
                counts[w] = counts.get(w, 0) + 1
        words = sorted(first_seen, key=lambda w: (-counts[w], first_seen.index(w)))
        moods = [0, 0, 0, 0, 0]
        for a in self.answers.values():
            if a.get("mood"):
                moods[a["mood"] - 1] += 1
        return [(w, counts[w]) for w in words], moods

    def report(self):
        """The check-in's report.section (docs/REPORTS.md): the count, the words with their counts and
        the moods as labelled numbers; the hub draws the bars."""
        words, moods = self.tallies()
        n = len(self.answers)
        title = self.question or "Check-in"
        text = {"nl": "%d %s in." % (n, "deelnemer checkte" if n == 1 else "deelnemers checkten"),
                "en": "%d %s in." % (n, "participant checked" if n == 1 else "participants checked")}
        sections = [{"title": {"nl": title, "en": title}, "text": text,
                     "items": [{"label": w, "value": c} for w, c in words[:30]]}]
        if words:
            sections[0]["chart"] = "bars"
        if self.mode != "word" and any(moods):
            mean = sum((i + 1) * c for i, c in enumerate(moods)) / sum(moods)
            sections.append({
                "title": {"nl": "Stemming", "en": "Mood"},
                "text": {"nl": "Gemiddeld %.1f op een schaal van 1 tot 5." % mean,
                         "en": "Mean %.1f on a scale of 1 to 5." % mean},
                "items": [{"label": str(i + 1), "value": c} for i, c in enumerate(moods)],
                "chart": "bars"})
        return [{"kind": "report.section", "record": r} for r in sections]

    def views(self, me=None):
        words, moods = self.tallies()
        public = {
            "question": self.question,
            "mode": self.mode,
            "total": len(self.answers),
            "words": [{"word": w, "count": c} for w, c in words],
            "moods": moods,
        }
        views = {"public": public}
        if me is not None:
            views["participant:" + me] = {"mine": self.answers[me]}
        return views


def main():
    instances = {}
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            m = json.loads(line)
        except ValueError:
            print(json.dumps({"t": "log", "level": "warning", "message": "not JSON"}), file=out, flush=True)
            continue
        t = m.get("t")
        if t == "hello":
            answer = {"t": "ready", "name": "checkin", "version": "1.0.0", "protocol": PROTOCOL}
        elif t == "start":
            inst = Instance(m.get("config") or {})
            instances[m["instance"]] = inst
            answer = {"t": "views", "instance": m["instance"], "seq": 0, "views": inst.views()}
        elif t == "event":
            inst = instances.get(m["instance"])
            if inst is None:
                answer = {"t": "reject", "instance": m["instance"], "seq": m["seq"], "code": "unknown_instance",
                          "message": {"nl": "Onbekende activiteit.", "en": "Unknown activity."}}
            else:
                result = inst.reduce(m.get("actor") or {}, m.get("type"), m.get("payload") or {})
                if isinstance(result, tuple):
                    code, nl, en = result
                    answer = {"t": "reject", "instance": m["instance"], "seq": m["seq"], "code": code,
                              "message": {"nl": nl, "en": en}}
                elif result is None:
                    answer = {"t": "views", "instance": m["instance"], "seq": m["seq"], "views": {}}
                elif result == "$phase":
                    answer = {"t": "views", "instance": m["instance"], "seq": m["seq"], "views": {},
                              "outputs": inst.report()}
                else:
                    # Every check-in moves the report's numbers: one small section each time.
                    answer = {"t": "views", "instance": m["instance"], "seq": m["seq"], "views": inst.views(me=result),
                              "outputs": inst.report()}
        elif t == "stop":
            instances.pop(m.get("instance"), None)
            answer = {"t": "stopped", "instance": m.get("instance")}
        else:
            continue
        out.write(json.dumps(answer, ensure_ascii=False, separators=(",", ":")) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
