#!/usr/bin/env python3
"""Shared agenda plugin (docs/SHARED-AGENDA.md): the gezamenlijke agenda voor de wijk, a board with the lanes
wonen, werken and leven that the room edits live, recorded as a gereedschapskist item of kind `agenda`.

Concurrent edits never lose a change: every field of every item carries a version, and an edit names the version
it was based on. An edit on the current version applies (the version goes up by one); an edit on an older version
is refused to its sender as a `conflict` whose message shows both values, and the sender chooses (keep theirs,
keep the current one, or merge) by sending again on the current version. A refused edit changes nothing, so
everything on the board is in the log, and the log replays to the same board.

Python standard library only, against the JSON-lines plugin protocol (CONTRACTS.md section 2), like
plugins/checkin and plugins/card-deck. A deterministic reducer: the same config and events give the same views
and outputs, byte for byte (keys sorted, no clock but the events' own).
"""
import hashlib
import json
import sys
import unicodedata

NAME = "shared-agenda"
VERSION = "1.0.0"
PROTOCOL = 1

LANES = ("wonen", "werken", "leven")
LANE_TITLES = {"wonen": {"nl": "Wonen", "en": "Housing"}, "werken": {"nl": "Werken", "en": "Work"},
               "leven": {"nl": "Leven", "en": "Living"}}
DEFAULT_GROUPS = {"wonen": "g1", "werken": "g2", "leven": "g3"}
# The text fields of an item and their longest value, in characters after cleaning (docs/SHARED-AGENDA.md).
FIELDS = (("goal", 200), ("owner", 120), ("partners", 300), ("timeframe", 80), ("firstStep", 300))
LIMITS = dict(FIELDS)
FIELD_NAMES = {"goal": ("Doel", "Goal"), "owner": ("Trekker", "Owner"), "partners": ("Partners", "Partners"),
               "timeframe": ("Termijn", "Timeframe"), "firstStep": ("Eerste stap", "First step"), "lane": ("Lijn", "Lane")}
EDITING = ("room", "groups", "facilitator")
MAX_VERSION = 2 ** 31  # far beyond any real board; bounds what a phone may send as `base`
DEFAULT_TITLE = {"nl": "Gezamenlijke agenda voor de wijk", "en": "Shared agenda for the neighbourhood"}


class Refusal(Exception):
    def __init__(self, code, nl, en):
        super().__init__(code)
        self.code, self.nl, self.en = code, nl, en


def clean(text):
    """NFC, control characters out (newlines become spaces), whitespace collapsed, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return " ".join(text.split())


def localized(value, default):
    if isinstance(value, str) and clean(value):
        return {"nl": clean(value)[:120], "en": clean(value)[:120]}
    if isinstance(value, dict):
        nl = clean(value["nl"]) if isinstance(value.get("nl"), str) else ""
        en = clean(value["en"]) if isinstance(value.get("en"), str) else ""
        if nl or en:
            return {"nl": (nl or en)[:120], "en": (en or nl)[:120]}
    return dict(default)


def strings(value, limit):
    return [clean(s)[:limit] for s in value if isinstance(s, str) and clean(s)][:10] if isinstance(value, list) else []


def quoted(text):
    return "\u201c%s\u201d" % text if text else "(leeg)"


def quoted_en(text):
    return "\u201c%s\u201d" % text if text else "(empty)"


BAD_PAYLOAD = ("bad_payload", "Dit bericht klopt niet.", "This message is not valid.")
UNKNOWN_ITEM = ("unknown_item", "Dat punt staat niet op deze agenda.", "That item is not on this agenda.")


def text_value(v, key):
    """A new value of the text field `key`: a string, cleaned, within the field's limit."""
    if not isinstance(v, str):
        raise Refusal("bad_text", "Schrijf dit veld als tekst.", "Write this field as text.")
    # Far too long before cleaning: refused without normalising the whole frame first.
    v = clean(v) if len(v) <= 4 * LIMITS[key] + 1000 else None
    if v is None or len(v) > LIMITS[key]:
        nl, en = FIELD_NAMES[key]
        raise Refusal("too_long", "%s: hooguit %d tekens." % (nl, LIMITS[key]), "%s: at most %d characters." % (en, LIMITS[key]))
    return v


class Instance:
    def __init__(self, config, anonymity):
        config = config if isinstance(config, dict) else {}
        self.anonymous = anonymity == "anonymous"
        self.title = localized(config.get("title"), DEFAULT_TITLE)
        self.editing = config.get("editing") if config.get("editing") in EDITING else "room"
        groups = config.get("laneGroups") if isinstance(config.get("laneGroups"), dict) else {}
        self.lane_groups = {lane: groups[lane] if isinstance(groups.get(lane), str) else DEFAULT_GROUPS[lane] for lane in LANES}
        per_lane = config.get("maxPerLane")
        self.max_per_lane = per_lane if isinstance(per_lane, int) and not isinstance(per_lane, bool) and 1 <= per_lane <= 40 else 15
        self.output_lang = "en" if config.get("outputLang") == "en" else "nl"
        self.themes = strings(config.get("themes"), 60)
        self.audience = strings(config.get("audience"), 60)
        self.barriers = strings(config.get("barriers"), 120)
        self.items = {}  # id -> {"fields": {name: {"value", "v", "seq"}}, "removed": bool, "seq": add seq}
        self.next_id = 1
        self.edits = 0  # accepted adds, edits and removes
        self.published = False
        self.groups = set()  # the group ids of the last $groups

    # -- inputs

    def reduce(self, seq, actor, etype, payload):
        """The audiences that changed, or raises Refusal; state changes only after every check passed."""
        role = actor.get("role")
        if role == "system":
            if etype == "$groups" and self.editing == "groups":
                return self.regroup(payload)
            return set()  # joins, phases, reveals change nothing here
        if not isinstance(payload, dict):
            raise Refusal(*BAD_PAYLOAD)
        if etype not in ("add", "edit", "remove", "publish"):
            raise Refusal("unknown_input", "Deze agenda kent deze actie niet.", "This agenda does not know this action.")
        if role not in ("participant", "facilitator"):
            raise Refusal("facilitator_only", "Alleen de facilitator doet dit.", "Only the facilitator does this.")
        if etype == "publish":
            if role != "facilitator":
                raise Refusal("facilitator_only", "Alleen de facilitator legt de agenda vast.", "Only the facilitator records the agenda.")
            if self.published:
                raise Refusal("already_published", "Deze agenda is al vastgelegd.", "This agenda has already been recorded.")
            if set(payload):
                raise Refusal(*BAD_PAYLOAD)
            self.published = True
            return {"public", "facilitator"}
        if self.published:
            raise Refusal("agenda_closed", "Deze agenda is vastgelegd; wijzigen kan niet meer.",
                          "This agenda has been recorded; it can no longer be changed.")
        if role == "participant" and self.editing == "facilitator":
            raise Refusal("facilitator_only", "Bij deze agenda schrijft alleen de facilitator.", "Only the facilitator writes on this agenda.")
        if etype == "add":
            return self.add(seq, actor, payload)
        if etype == "edit":
            return self.edit(seq, actor, payload)
        return self.remove(seq, actor, payload)

    def regroup(self, payload):
        """Each group's view names the lanes it writes in, so its members' screens offer them (the plugin still
        checks every input's `actor.group`). Groups that are gone get an empty view."""
        groups = payload.get("groups") if isinstance(payload, dict) and isinstance(payload.get("groups"), dict) else {}
        now = sorted(g for g in groups if isinstance(g, str))
        changed = {"group:" + g for g in set(now) | self.groups}
        self.groups = set(now)
        return changed

    def may_write(self, actor, lane):
        if actor.get("role") == "participant" and self.editing == "groups" and actor.get("group") != self.lane_groups[lane]:
            nl, en = LANE_TITLES[lane]["nl"], LANE_TITLES[lane]["en"]
            raise Refusal("not_your_lane", "De lijn %s is van een andere groep." % nl.lower(),
                          "The lane %s belongs to another group." % en.lower())

    def lane(self, value):
        if not isinstance(value, str) or value not in LANES:
            raise Refusal("unknown_lane", "Kies de lijn wonen, werken of leven.", "Choose the lane wonen, werken or leven.")
        return value

    def item(self, payload):
        iid = payload.get("item")
        if not isinstance(iid, str) or iid not in self.items:
            raise Refusal(*UNKNOWN_ITEM)
        item = self.items[iid]
        if item["removed"]:
            raise Refusal("item_removed", "Dit punt is intussen van de agenda gehaald.", "This item has been taken off the agenda meanwhile.")
        return iid, item

    def live_in(self, lane):
        return sum(1 for i in self.items.values() if not i["removed"] and i["fields"]["lane"]["value"] == lane)

    def add(self, seq, actor, payload):
        if set(payload) - {"lane"} - set(LIMITS):
            raise Refusal("unknown_field", "Een punt heeft alleen doel, trekker, partners, termijn en eerste stap.",
                          "An item has only a goal, owner, partners, timeframe and first step.")
        lane = self.lane(payload.get("lane"))
        self.may_write(actor, lane)
        values = {key: text_value(payload[key], key) if key in payload else "" for key, _ in FIELDS}
        if not values["goal"]:
            raise Refusal("empty_goal", "Geef het punt een doel.", "Give the item a goal.")
        if self.live_in(lane) >= self.max_per_lane:
            raise Refusal("lane_full", "Deze lijn is vol: hooguit %d punten." % self.max_per_lane,
                          "This lane is full: at most %d items." % self.max_per_lane)
        iid = self.new_id(lane, values["goal"])
        fields = {"lane": {"value": lane, "v": 1, "seq": seq}}
        for key, value in values.items():
            fields[key] = {"value": value, "v": 1, "seq": seq}
        self.items[iid] = {"fields": fields, "removed": False, "seq": seq}
        self.edits += 1
        return {"public", "facilitator"}

    def new_id(self, lane, goal):
        """`i1`, `i2`, … in the order points are added; in an anonymous activity an id from the point's lane and goal
        instead, which does not tell when it was added (docs/PLUGINS.md, "What the hub seals at close")."""
        if not self.anonymous:
            self.next_id += 1
            return "i%d" % (self.next_id - 1)
        n = 0
        while True:
            iid = "i" + hashlib.sha256(("%s\0%s\0%d" % (lane, goal, n)).encode("utf-8")).hexdigest()[:10]
            if iid not in self.items:
                return iid
            n += 1

    def edit(self, seq, actor, payload):
        if set(payload) - {"item", "field", "value", "base"}:
            raise Refusal(*BAD_PAYLOAD)
        iid, item = self.item(payload)
        field = payload.get("field")
        if not isinstance(field, str) or (field not in LIMITS and field != "lane"):
            raise Refusal("unknown_field", "Een punt heeft alleen doel, trekker, partners, termijn, eerste stap en lijn.",
                          "An item has only a goal, owner, partners, timeframe, first step and lane.")
        current = item["fields"][field]
        base = payload.get("base")
        if isinstance(base, bool) or not isinstance(base, int) or not 0 <= base <= MAX_VERSION or base > current["v"]:
            raise Refusal("bad_version", "Deze wijziging noemt geen versie van dit veld; laad de agenda opnieuw.",
                          "This change names no version of this field; reload the agenda.")
        if field == "lane":
            value = self.lane(payload.get("value"))
            self.may_write(actor, current["value"])
            self.may_write(actor, value)
        else:
            value = text_value(payload.get("value"), field)
            self.may_write(actor, item["fields"]["lane"]["value"])
            if field == "goal" and not value:
                raise Refusal("empty_goal", "Een punt houdt een doel.", "An item keeps a goal.")
        if value == current["value"]:
            return set()  # already so: nothing is lost and nothing changes
        if base != current["v"]:
            nl, en = FIELD_NAMES[field]
            shown_nl = LANE_TITLES[value]["nl"] if field == "lane" else value
            now_nl = LANE_TITLES[current["value"]]["nl"] if field == "lane" else current["value"]
            shown_en = LANE_TITLES[value]["en"] if field == "lane" else value
            now_en = LANE_TITLES[current["value"]]["en"] if field == "lane" else current["value"]
            raise Refusal("conflict",
                          "Iemand anders wijzigde %s intussen. Nu staat er: %s. Jouw versie: %s. Kies welke blijft, of voeg ze samen."
                          % (nl.lower(), quoted(now_nl), quoted(shown_nl)),
                          "Someone else changed the %s meanwhile. It now reads: %s. Your version: %s. Choose which stays, or merge them."
                          % (en.lower(), quoted_en(now_en), quoted_en(shown_en)))
        if field == "lane" and self.live_in(value) >= self.max_per_lane:
            raise Refusal("lane_full", "Deze lijn is vol: hooguit %d punten." % self.max_per_lane,
                          "This lane is full: at most %d items." % self.max_per_lane)
        item["fields"][field] = {"value": value, "v": current["v"] + 1, "seq": seq}
        self.edits += 1
        return {"public", "facilitator"}

    def remove(self, seq, actor, payload):
        if set(payload) - {"item"}:
            raise Refusal(*BAD_PAYLOAD)
        iid, item = self.item(payload)
        self.may_write(actor, item["fields"]["lane"]["value"])
        item["removed"] = True
        item["removedSeq"] = seq
        self.edits += 1
        return {"public", "facilitator"}

    # -- views and the record

    def board(self):
        """The live items per lane, in the order they were added; in an anonymous activity by goal."""
        lanes = {lane: [] for lane in LANES}
        for iid, item in self.items.items():
            if not item["removed"]:
                lanes[item["fields"]["lane"]["value"]].append(iid)
        if self.anonymous:
            for ids in lanes.values():
                ids.sort(key=lambda i: (self.items[i]["fields"]["goal"]["value"].casefold(), self.items[i]["fields"]["goal"]["value"], i))
        return lanes

    def views(self, audiences):
        out = {}
        if "public" in audiences:
            out["public"] = self.public_view()
        if "facilitator" in audiences:
            out["facilitator"] = {"edits": self.edits, "items": sum(1 for i in self.items.values() if not i["removed"]),
                                  "removed": sum(1 for i in self.items.values() if i["removed"])}
        for a in sorted(audiences):
            if a.startswith("group:"):
                gid = a[len("group:"):]
                out[a] = {"lanes": [lane for lane in LANES if self.lane_groups[lane] == gid]} if gid in self.groups else {}
        return out

    def public_view(self):
        board = self.board()
        lanes = []
        for lane in LANES:
            entry = {"id": lane, "title": LANE_TITLES[lane], "items": [
                {"id": iid, "fields": {k: {"value": f["value"], "v": f["v"]} for k, f in self.items[iid]["fields"].items()}}
                for iid in board[lane]]}
            if self.editing == "groups":
                entry["group"] = self.lane_groups[lane]
            lanes.append(entry)
        return {"title": self.title, "editing": self.editing, "lanes": lanes, "limits": LIMITS,
                "maxPerLane": self.max_per_lane, "published": self.published}

    def outputs(self):
        return [{"kind": "gereedschapskist.item", "record": self.record()}]

    def record(self):
        """The agenda as a printable text: one section per lane, one numbered point per item."""
        nl = self.output_lang == "nl"
        lang = self.output_lang
        board = self.board()
        count = sum(len(v) for v in board.values())
        lines = [self.title[lang], "",
                 ("%d %s over wonen, werken en leven." % (count, "punt" if count == 1 else "punten")) if nl else
                 ("%d %s on housing, work and living." % (count, "item" if count == 1 else "items"))]
        labels = [(key, FIELD_NAMES[key][0 if nl else 1]) for key, _ in FIELDS if key != "goal"]
        for lane in LANES:
            lines += ["", "## %s" % LANE_TITLES[lane][lang], ""]
            if not board[lane]:
                lines.append("(nog geen punten)" if nl else "(no items yet)")
            for n, iid in enumerate(board[lane], start=1):
                fields = self.items[iid]["fields"]
                lines.append("%d. %s" % (n, fields["goal"]["value"]))
                for key, label in labels:
                    lines.append("   %s: %s" % (label, fields[key]["value"] or "\u2013"))
        record = {"kind": "agenda", "title": "%s" % self.title[lang], "body": "\n".join(lines),
                  "themes": self.themes or [lane for lane in LANES if board[lane]] or list(LANES)}
        if self.audience:
            record["audience"] = self.audience
        if self.barriers:
            record["barriers"] = self.barriers
        if not self.anonymous:
            # The inputs the board came from: each live item's add and each field's last change.
            seqs = set()
            for lane in LANES:
                for iid in board[lane]:
                    seqs.add(self.items[iid]["seq"])
                    seqs.update(f["seq"] for f in self.items[iid]["fields"].values())
            if seqs:
                record["provenance"] = [{"session": "", "seqs": sorted(seqs)}]
        return record


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
        actor = m.get("actor") if isinstance(m.get("actor"), dict) else {}
        try:
            if inst is None:
                raise Refusal("unknown_instance", "Onbekende activiteit.", "Unknown activity.")
            changed = inst.reduce(seq, actor, m.get("type"), payload if payload is not None else {})
        except Refusal as r:
            return {"t": "reject", "instance": instance, "seq": seq, "code": r.code, "message": {"nl": r.nl, "en": r.en}}
        except Exception as e:  # a bug must cost one input, not every session's instances of this process
            log("error", "event %s of %s: %s" % (seq, instance, e.__class__.__name__))
            return {"t": "reject", "instance": instance, "seq": seq, "code": "plugin_error",
                    "message": {"nl": "Er ging iets mis in de agenda. Probeer het nog eens.",
                                "en": "Something went wrong in the agenda. Please try again."}}
        answer = {"t": "views", "instance": instance, "seq": seq, "views": inst.views(changed)}
        if m.get("type") == "publish" and actor.get("role") == "facilitator" and "public" in changed:
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
