#!/usr/bin/env python3
"""Obstacles plugin (docs/OBSTACLES.md): the room inventories belemmeringen by category, weighs them (how often,
how much it blocks), attaches the solutions it found; publishing makes each solution a gereedschapskist item of
kind `les` or `tip` linked to its belemmering, and the top belemmeringen the series result `belemmeringen`.

Python standard library only, against the JSON-lines plugin protocol (CONTRACTS.md section 2), like card-deck.
A deterministic reducer: the same config and events always give the same views and outputs.
"""
import json
import sys
import unicodedata

NAME = "obstacles"
VERSION = "1.0.0"
PROTOCOL = 1

CATEGORIES = {
    "wet-en-regelgeving": {"nl": "Wet- en regelgeving", "en": "Laws and regulations"},
    "budget": {"nl": "Budget", "en": "Budget"},
    "cultuurverschillen": {"nl": "Cultuurverschillen", "en": "Cultural differences"},
    "samenwerking": {"nl": "Samenwerking", "en": "Collaboration"},
    "anders": {"nl": "Anders", "en": "Other"},
}
ORDER = list(CATEGORIES)
KINDS = ("les", "tip")
MAX_OBSTACLES = 100
MAX_SOLUTIONS = 200
MAX_SOLUTION = 600


class Refusal(Exception):
    def __init__(self, code, nl, en):
        super().__init__(code)
        self.code, self.nl, self.en = code, nl, en


def clean(text):
    """NFC, control characters out, whitespace collapsed, trimmed."""
    text = unicodedata.normalize("NFC", text)
    return " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in text).split())


def key(text):
    return clean(text).casefold()


def only(payload, allowed):
    if not isinstance(payload, dict) or set(payload) - set(allowed):
        raise Refusal("bad_payload", "Dit bericht past niet bij deze activiteit.", "This message does not fit this activity.")
    return payload


def text_of(value, limit):
    if not isinstance(value, str):
        raise Refusal("bad_text", "Schrijf een tekst.", "Write a text.")
    text = clean(value)
    if not text:
        raise Refusal("empty", "Schrijf eerst iets.", "Write something first.")
    if len(text) > limit:
        raise Refusal("too_long", "Hooguit %d tekens." % limit, "At most %d characters." % limit)
    return text


def whole(value, low, high):
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


class Instance:
    def __init__(self, config, anonymity):
        config = config if isinstance(config, dict) else {}
        self.top = config.get("top", 5)
        self.max_length = config.get("maxLength", 160)
        self.per_person = config.get("perPerson", 5)
        self.title = config.get("title") or ""
        self.themes = config.get("themes") or []
        self.anonymous = anonymity == "anonymous"
        self.obstacles = []  # {id, category, text, also, by, seqs}
        self.proposed = {}
        self.weights = {}  # obstacle id -> {participant: (often, blocks, seq)}
        self.solutions = []  # {id, obstacle, text, kind, seq}
        self.published = 0

    def find(self, oid):
        for o in self.obstacles:
            if isinstance(oid, str) and o["id"] == oid:
                return o
        raise Refusal("unknown_obstacle", "Die belemmering bestaat niet (meer).", "That obstacle does not exist (any more).")

    def unique(self, text, category, skip=()):
        k = key(text)
        for o in self.obstacles:
            if o["id"] not in skip and o["category"] == category and k in [key(t) for t in [o["text"]] + o["also"]]:
                raise Refusal("duplicate", "Deze belemmering staat er al: %s" % o["text"], "This obstacle is already listed: %s" % o["text"])

    def reduce(self, seq, actor, type_, payload):
        """Applies one event; returns the audiences that changed."""
        who = actor.get("id", "")
        if type_ in ("$join", "$leave", "$groups", "$reveal", "$phase"):
            return set()
        self.not_published()
        if type_ == "obstacle":
            p = only(payload, ("category", "text"))
            if not isinstance(p.get("category"), str) or p["category"] not in CATEGORIES:
                raise Refusal("unknown_category", "Kies een categorie uit de lijst.", "Choose a category from the list.")
            if self.proposed.get(who, 0) >= self.per_person:
                raise Refusal("too_many", "Je kunt %d belemmeringen noemen." % self.per_person, "You can name %d obstacles." % self.per_person)
            text = text_of(p.get("text"), self.max_length)
            self.unique(text, p["category"])
            if len(self.obstacles) >= MAX_OBSTACLES:
                raise Refusal("list_full", "De lijst is vol.", "The list is full.")
            self.obstacles.append({"id": "b%d" % seq, "category": p["category"], "text": text, "also": [], "seqs": [seq]})
            self.proposed[who] = self.proposed.get(who, 0) + 1
            return {"public", "facilitator", "participant:" + who}
        if type_ == "merge":
            p = only(payload, ("obstacle", "into"))
            gone, into = self.find(p.get("obstacle")), self.find(p.get("into"))
            if gone is into:
                raise Refusal("same_obstacle", "Kies twee verschillende belemmeringen.", "Choose two different obstacles.")
            into["also"] += [gone["text"]] + gone["also"]
            into["seqs"] = sorted(into["seqs"] + gone["seqs"] + [seq])
            # Weights move along, unless the person also weighed the one that stays; so do the solutions.
            kept = self.weights.setdefault(into["id"], {})
            for person, w in self.weights.pop(gone["id"], {}).items():
                kept.setdefault(person, w)
            for s in self.solutions:
                if s["obstacle"] == gone["id"]:
                    s["obstacle"] = into["id"]
            self.obstacles.remove(gone)
            return {"public", "facilitator"}
        if type_ == "remove":
            p = only(payload, ("obstacle",))
            gone = self.find(p.get("obstacle"))
            self.obstacles.remove(gone)
            self.weights.pop(gone["id"], None)
            self.solutions = [s for s in self.solutions if s["obstacle"] != gone["id"]]
            return {"public", "facilitator"}
        if type_ == "weigh":
            p = only(payload, ("obstacle", "often", "blocks"))
            o = self.find(p.get("obstacle"))
            if not whole(p.get("often"), 1, 5) or not whole(p.get("blocks"), 1, 5):
                raise Refusal("bad_weight", "Kies bij beide vragen 1 tot 5.", "Choose 1 to 5 for both questions.")
            self.weights.setdefault(o["id"], {})[who] = (p["often"], p["blocks"], seq)
            return {"public", "facilitator", "participant:" + who}
        if type_ == "solution":
            p = only(payload, ("obstacle", "text", "kind"))
            o = self.find(p.get("obstacle"))
            kind = p.get("kind", "tip")
            if not isinstance(kind, str) or kind not in KINDS:
                raise Refusal("bad_kind", "Kies les of tip.", "Choose lesson or tip.")
            text = text_of(p.get("text"), MAX_SOLUTION)
            if any(s["obstacle"] == o["id"] and key(s["text"]) == key(text) for s in self.solutions):
                raise Refusal("duplicate", "Deze oplossing staat er al.", "This solution is already listed.")
            if len(self.solutions) >= MAX_SOLUTIONS:
                raise Refusal("list_full", "De lijst is vol.", "The list is full.")
            self.solutions.append({"id": "o%d" % seq, "obstacle": o["id"], "text": text, "kind": kind, "seq": seq})
            return {"public", "facilitator"}
        if type_ == "publish":
            only(payload, ())
            if not self.obstacles:
                raise Refusal("nothing_yet", "Er zijn nog geen belemmeringen.", "There are no obstacles yet.")
            self.published = seq
            return {"public", "facilitator"}
        raise Refusal("unknown_input", "Dit kent deze activiteit niet.", "This activity does not know this.")

    def not_published(self):
        if self.published:
            raise Refusal("already_published", "De belemmeringen zijn al vastgelegd.", "The obstacles have been recorded already.")

    # ---- the weight -------------------------------------------------------------------------------------

    def weight(self, o):
        """How often (1–5) times how much it blocks (1–5), averaged over who weighed it: 1–25."""
        ws = list(self.weights.get(o["id"], {}).values())
        if not ws:
            return {"weighed": 0, "often": None, "blocks": None, "score": 0}
        n = len(ws)
        return {"weighed": n, "often": round(sum(w[0] for w in ws) / n, 2), "blocks": round(sum(w[1] for w in ws) / n, 2),
                "score": round(sum(w[0] * w[1] for w in ws) / n, 2)}

    def ranked(self):
        """Heaviest first; equal scores: more people weighed it, then the list's order."""
        rows = [dict(o, **self.weight(o)) for o in self.obstacles]
        order = sorted(range(len(rows)), key=lambda i: (-rows[i]["score"], -rows[i]["weighed"], i))
        return [rows[i] for i in order]

    # ---- views and outputs --------------------------------------------------------------------------------

    def listed(self, o):
        return {"id": o["id"], "category": o["category"], "text": o["text"], "also": o["also"],
                "solutions": [{"id": s["id"], "text": s["text"], "kind": s["kind"]} for s in self.solutions if s["obstacle"] == o["id"]]}

    def public_view(self):
        return {"title": self.title, "categories": [{"id": c, "title": CATEGORIES[c]} for c in ORDER], "maxLength": self.max_length,
                "perPerson": self.per_person, "top": self.top, "obstacles": [self.listed(o) for o in self.obstacles],
                "weights": [{"id": r["id"], "score": r["score"], "weighed": r["weighed"]} for r in self.ranked()],
                "published": bool(self.published)}

    def facilitator_view(self):
        return {"ranked": [{"id": r["id"], "text": r["text"], "category": r["category"], "score": r["score"], "often": r["often"],
                            "blocks": r["blocks"], "weighed": r["weighed"]} for r in self.ranked()],
                "solutions": len(self.solutions)}

    def views(self, changed, me=None):
        out = {}
        if "public" in changed:
            out["public"] = self.public_view()
        if "facilitator" in changed:
            out["facilitator"] = self.facilitator_view()
        for a in changed:
            if a.startswith("participant:"):
                who = a.split(":", 1)[1]
                out[a] = {"weights": {oid: {"often": w[who][0], "blocks": w[who][1]} for oid, w in sorted(self.weights.items()) if who in w},
                          "proposed": self.proposed.get(who, 0)}
        return out

    def outputs(self):
        items = []
        by_id = {o["id"]: o for o in self.obstacles}
        for s in self.solutions:
            o = by_id[s["obstacle"]]
            title = o["text"]
            short = s["text"] if len(s["text"]) <= 80 else s["text"][:79] + "…"
            record = {"kind": s["kind"], "title": "%s: %s" % (title, short),
                      "body": "Belemmering (%s): %s\n\n%s" % (CATEGORIES[o["category"]]["nl"].lower(), title, s["text"]),
                      "barriers": [o["category"], title]}
            if self.themes:
                record["themes"] = self.themes
            if not self.anonymous:
                record["provenance"] = [{"session": "", "seqs": sorted(set(o["seqs"] + [s["seq"]]))}]
            items.append({"kind": "gereedschapskist.item", "record": record})
        top = [{"title": r["text"], "category": r["category"], "score": r["score"], "often": r["often"], "blocks": r["blocks"],
                "weighed": r["weighed"], "solutions": [s["text"] for s in self.solutions if s["obstacle"] == r["id"]]}
               for r in self.ranked()[:self.top]]
        items.append({"kind": "series.result", "record": {"name": "belemmeringen", "items": top}})
        return items


# ---- the protocol ---------------------------------------------------------------------------------------


def answer_for(instances, m):
    t = m.get("t")
    instance = m.get("instance")
    if t == "hello":
        return {"t": "ready", "name": NAME, "version": VERSION, "protocol": PROTOCOL}
    if t == "start":
        inst = Instance(m.get("config"), m.get("anonymity"))
        instances[instance] = inst
        return {"t": "views", "instance": instance, "seq": 0, "views": inst.views({"public", "facilitator"})}
    if t == "event":
        seq = m.get("seq")
        inst = instances.get(instance)
        payload = m.get("payload")
        actor = m.get("actor") or {}
        try:
            if inst is None:
                raise Refusal("unknown_instance", "Onbekende activiteit.", "Unknown activity.")
            changed = inst.reduce(seq, actor, m.get("type"), payload if payload is not None else {})
        except Refusal as r:
            return {"t": "reject", "instance": instance, "seq": seq, "code": r.code, "message": {"nl": r.nl, "en": r.en}}
        except Exception as e:  # a bug must cost one input, not every session's instances of this process
            log("error", "event %s of %s: %s" % (seq, instance, e.__class__.__name__))
            return {"t": "reject", "instance": instance, "seq": seq, "code": "plugin_error",
                    "message": {"nl": "Er ging iets mis. Probeer het nog eens.", "en": "Something went wrong. Please try again."}}
        answer = {"t": "views", "instance": instance, "seq": seq, "views": inst.views(changed)}
        if m.get("type") == "publish":
            answer["outputs"] = inst.outputs()
        return answer
    if t == "stop":
        instances.pop(instance, None)
        return {"t": "stopped", "instance": instance}
    return None  # unknown host messages are ignored (docs/PLUGINS.md)


def log(level, message):
    sys.stdout.write(json.dumps({"t": "log", "level": level, "message": message}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main():
    instances = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            m = json.loads(line)
        except ValueError:
            log("warning", "a line that is not JSON")
            continue
        if not isinstance(m, dict):
            continue
        answer = answer_for(instances, m)
        if answer is not None:
            sys.stdout.write(json.dumps(answer, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
