#!/usr/bin/env python3
"""Shared goals plugin (docs/SHARED-GOALS.md): the verkennend gesprek. Each party (bewoner, corporatie,
gemeente, …) writes its goals and wishes, the room marks the goals of other parties it shares, the goals shared
by at least `threshold` parties are the common goals, the facilitator adds agreements ("één gezin, één plan,
één regisseur"), and publish files one gereedschapskist item.

Python standard library only, against the JSON-lines plugin protocol (CONTRACTS.md section 2), like
plugins/checkin and plugins/card-deck. A deterministic reducer: the same config and events always give the same
views and outputs; every line it writes has sorted keys, so two runs compare byte for byte.
"""
import hashlib
import json
import re
import sys
import unicodedata

NAME = "shared-goals"
VERSION = "1.0.0"
PROTOCOL = 1

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
GOAL_KINDS = ("goal", "wish")
ITEM_KINDS = ("agenda", "checklist", "les", "tip", "werkvorm", "template", "instrument")
# Limits (docs/SHARED-GOALS.md); the config schema repeats those it can express.
MAX_ROLES = 30
MAX_ORG = 80
MAX_GOALS_TOTAL = 300
MAX_PARTIES = 60  # distinct (role, organisation) pairs: bounds the views and the record (docs/SHARED-GOALS.md)
MAX_AGREEMENTS = 30
MAX_AGREEMENT = 300
MAX_PRINCIPLES = 10
MAX_TITLE = 120
MAX_PROMPT = 600

DEFAULT_ROLES = [
    ("bewoner", "Bewoner", "Resident", "informal"),
    ("vrijwilliger", "Vrijwilliger", "Volunteer", "informal"),
    ("ervaringsdeskundige", "Ervaringsdeskundige", "Expert by experience", "informal"),
    ("corporatie", "Woningcorporatie", "Housing association", "formal"),
    ("gemeente", "Gemeente", "Municipality", "formal"),
    ("welzijn", "Welzijn", "Social work", "formal"),
    ("zorg", "Zorg", "Care", "formal"),
    ("politie", "Politie", "Police", "formal"),
    ("onderwijs", "Onderwijs", "Education", "formal"),
    ("ondernemer", "Ondernemer", "Local business", "formal"),
]
# The consignes of gebiedsgericht werken (seeds: module gebiedsgericht werken), offered as agreements.
DEFAULT_PRINCIPLES = [
    ("een-plan", "Eén gezin, één plan, één regisseur.", "One family, one plan, one coordinator."),
    ("eigen-kracht", "Kijk eerst naar wat iemand (en zijn omgeving) zelf kan en nodig heeft om dat te kunnen.",
     "First look at what people (and those around them) can do themselves, and what they need to do it."),
    ("partners", "Vrijwilligers en ervaringsdeskundigen zijn geen hulpjes maar partners van de professional.",
     "Volunteers and experts by experience are not helpers but partners of the professional."),
    ("generalist", "Generalist naar buiten (in gezin en buurt), specialist naar binnen (in het team).",
     "A generalist outside (in the family and the neighbourhood), a specialist inside (in the team)."),
]


class Refusal(Exception):
    def __init__(self, code, nl, en):
        super().__init__(code)
        self.code, self.nl, self.en = code, nl, en


class ConfigError(Exception):
    pass


def clean(text):
    """NFC, control characters out (newlines become spaces), whitespace collapsed, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return " ".join(text.split())


def localized(value, where, limit, default=None):
    """A string (both languages) or {nl, en} (one may be missing: the other stands in) → {nl, en}."""
    if value is None:
        return default
    if isinstance(value, str):
        value = {"nl": value, "en": value}
    if not isinstance(value, dict) or set(value) - {"nl", "en"}:
        raise ConfigError("%s: must be a text or {nl, en}" % where)
    out = {}
    for lang in ("nl", "en"):
        v = value.get(lang)
        if v is not None and not isinstance(v, str):
            raise ConfigError("%s.%s: must be a text" % (where, lang))
        out[lang] = clean(v) if v else ""
    out["nl"] = out["nl"] or out["en"]
    out["en"] = out["en"] or out["nl"]
    if not out["nl"]:
        if default is not None:
            return default
        raise ConfigError("%s: is empty" % where)
    if max(len(out["nl"]), len(out["en"])) > limit:
        raise ConfigError("%s: longer than %d characters" % (where, limit))
    return out


def whole(config, key, lo, hi, default):
    v = config.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError("%s: a whole number from %d to %d" % (key, lo, hi))
    return v


def read_config(config):
    if not isinstance(config, dict):
        raise ConfigError("config: must be an object")
    out = {
        "title": localized(config.get("title"), "title", MAX_TITLE, {"nl": "Gedeelde doelen", "en": "Shared goals"}),
        "prompt": localized(config.get("prompt"), "prompt", MAX_PROMPT, {
            "nl": "Wat wil jouw partij in deze wijk bereiken? Schrijf je doelen en wensen op.",
            "en": "What does your party want to achieve in this neighbourhood? Write down your goals and wishes."}),
        "threshold": whole(config, "threshold", 2, 50, 2),
        "maxGoals": whole(config, "maxGoals", 1, 20, 5),
        "maxLength": whole(config, "maxLength", 20, 500, 200),
        "kind": config.get("kind", "agenda"),
        "outputLang": config.get("outputLang", "nl"),
    }
    if out["kind"] not in ITEM_KINDS:
        raise ConfigError("kind: one of %s" % ", ".join(ITEM_KINDS))
    if out["outputLang"] not in ("nl", "en"):
        raise ConfigError("outputLang: nl or en")
    raw_roles = config.get("roles")
    if raw_roles is None:
        roles = [{"id": i, "title": {"nl": nl, "en": en}, "side": side} for i, nl, en, side in DEFAULT_ROLES]
    else:
        if not isinstance(raw_roles, list) or not 1 <= len(raw_roles) <= MAX_ROLES:
            raise ConfigError("roles: 1 to %d roles" % MAX_ROLES)
        roles = []
        for i, r in enumerate(raw_roles):
            if isinstance(r, str):
                r = {"id": r}
            if not isinstance(r, dict) or not isinstance(r.get("id"), str) or not ID.match(r["id"]):
                raise ConfigError("roles[%d].id: use a-z, 0-9 and - (at most 40)" % i)
            side = r.get("side", "formal")
            if side not in ("formal", "informal"):
                raise ConfigError("roles[%d].side: formal or informal" % i)
            roles.append({"id": r["id"], "title": localized(r.get("title") or r["id"], "roles[%d].title" % i, 60), "side": side})
        ids = [r["id"] for r in roles]
        if len(set(ids)) != len(ids):
            raise ConfigError("roles: ids must differ")
    out["roles"] = roles
    raw_principles = config.get("principles")
    if raw_principles is None:
        principles = [{"id": i, "text": {"nl": nl, "en": en}} for i, nl, en in DEFAULT_PRINCIPLES]
    else:
        if not isinstance(raw_principles, list) or len(raw_principles) > MAX_PRINCIPLES:
            raise ConfigError("principles: at most %d" % MAX_PRINCIPLES)
        principles = []
        for i, p in enumerate(raw_principles):
            if isinstance(p, str) or (isinstance(p, dict) and "text" not in p and "id" not in p):
                p = {"text": p}
            if not isinstance(p, dict):
                raise ConfigError("principles[%d]: a text or {id, text}" % i)
            pid = p.get("id", "p%d" % (i + 1))
            if not isinstance(pid, str) or not ID.match(pid):
                raise ConfigError("principles[%d].id: use a-z, 0-9 and - (at most 40)" % i)
            principles.append({"id": pid, "text": localized(p.get("text"), "principles[%d].text" % i, MAX_AGREEMENT)})
        ids = [p["id"] for p in principles]
        if len(set(ids)) != len(ids):
            raise ConfigError("principles: ids must differ")
    out["principles"] = principles
    out["themes"] = [t for t in config.get("themes") or [] if isinstance(t, str)][:10]
    out["audience"] = [t for t in config.get("audience") or [] if isinstance(t, str)][:10]
    return out


def ref(payload, key, code, nl, en):
    """An id from a payload: a string of at most 40 characters, else the refusal `code`."""
    v = payload.get(key)
    if not isinstance(v, str) or len(v) > 40:
        raise Refusal(code, nl, en)
    return v


def text_field(payload, key, limit):
    v = payload.get(key)
    if not isinstance(v, str):
        raise Refusal("bad_text", "Schrijf dit als tekst.", "Write this as text.")
    v = clean(v)
    if len(v) > limit:
        raise Refusal("too_long", "Maak je tekst korter: hooguit %d tekens." % limit,
                      "Make your text shorter: at most %d characters." % limit)
    return v


def only(payload, allowed):
    if set(payload) - set(allowed):
        raise Refusal("bad_payload", "Dit bericht bevat onbekende velden.", "This message has unknown fields.")


UNKNOWN_GOAL = ("unknown_goal", "Dat doel bestaat niet (meer).", "That goal does not exist (any more).")


class Instance:
    def __init__(self, config, anonymity):
        self.anonymous = anonymity == "anonymous"
        self.named = anonymity == "named"
        self.error = None
        try:
            self.cfg = read_config(config)
        except ConfigError as e:
            self.error = str(e)
            self.cfg = read_config({})
        self.roles = {r["id"]: r for r in self.cfg["roles"]}
        self.principles = {p["id"]: p for p in self.cfg["principles"]}
        self.parties = {}  # participant -> {role, org, seq}
        self.goals = {}  # goal id -> {id, author, role, org, kind, text, seq, marks: {participant: seq}}
        self.counter = 0
        self.agreements = []  # [{id, text?, principle?, seq}]
        self.agreement_counter = 0
        self.published = False

    # ---- inputs

    def reduce(self, seq, actor, etype, payload):
        """The audiences that changed, or raises Refusal; state changes only after every check passed."""
        role = actor.get("role")
        if role == "system":
            return set()  # $phase, $reveal, $join, $leave, $groups: nothing here depends on them
        if self.error:
            raise Refusal("bad_config", "Deze activiteit is verkeerd ingesteld; de facilitator kan haar niet gebruiken.",
                          "This activity is set up wrongly; the facilitator cannot use it.")
        if not isinstance(payload, dict):
            raise Refusal("bad_payload", "Dit bericht klopt niet.", "This message is not valid.")
        if etype in ("party", "goal", "withdraw", "mark"):
            if role != "participant" or not isinstance(actor.get("id"), str) or not actor.get("id"):
                raise Refusal("participants_only", "Alleen deelnemers doen dit.", "Only participants do this.")
            if self.published:
                raise Refusal("closed", "De gedeelde doelen zijn vastgelegd; meedoen kan niet meer.",
                              "The shared goals have been recorded; input is closed.")
            return getattr(self, "on_" + etype)(seq, actor, payload)
        if etype in ("remove", "agreement", "publish"):
            if role != "facilitator":
                raise Refusal("facilitator_only", "Alleen de facilitator doet dit.", "Only the facilitator does this.")
            if self.published:
                raise Refusal("already_published", "De gedeelde doelen zijn al vastgelegd.", "The shared goals have already been recorded.")
            return getattr(self, "on_" + etype)(seq, actor, payload)
        raise Refusal("unknown_input", "Deze activiteit kent deze actie niet.", "This activity does not know this action.")

    def on_party(self, seq, actor, payload):
        only(payload, ("role", "org"))
        pid = actor["id"]
        rid = ref(payload, "role", "unknown_role", "Kies een van de partijen uit de lijst.", "Choose one of the parties in the list.")
        if rid not in self.roles:
            raise Refusal("unknown_role", "Kies een van de partijen uit de lijst.", "Choose one of the parties in the list.")
        org = ""
        if payload.get("org") is not None:
            if self.anonymous:
                raise Refusal("org_not_asked", "In deze anonieme activiteit vragen we geen organisatie.",
                              "This anonymous activity does not ask for an organisation.")
            org = text_field(payload, "org", MAX_ORG)
        elif self.named and isinstance(actor.get("org"), str):
            org = clean(actor["org"])[:MAX_ORG]  # named: the organisation given at joining stands in
        if self.has_inputs(pid):
            raise Refusal("party_locked", "Je hebt al doelen geschreven of gedeeld; je partij ligt vast.",
                          "You have already written or shared goals; your party is fixed.")
        known = {self.key(p) for q, p in self.parties.items() if q != pid}
        if (rid, org.casefold()) not in known and len(known) >= MAX_PARTIES:
            raise Refusal("too_many_parties", "Er zitten al %d partijen aan tafel; kies een partij die er al is." % MAX_PARTIES,
                          "There are already %d parties at the table; choose one that is already here." % MAX_PARTIES)
        self.parties[pid] = {"role": rid, "org": org, "seq": seq}
        return {"public", "facilitator", "participant:" + pid}

    def has_inputs(self, pid):
        return any(g["author"] == pid or pid in g["marks"] for g in self.goals.values())

    def party_of(self, pid):
        party = self.parties.get(pid)
        if party is None:
            raise Refusal("no_party", "Kies eerst voor welke partij je hier zit.", "First choose the party you represent.")
        return party

    def on_goal(self, seq, actor, payload):
        only(payload, ("text", "kind"))
        pid = actor["id"]
        party = self.party_of(pid)
        kind = payload.get("kind", "goal")
        if kind not in GOAL_KINDS:
            raise Refusal("bad_kind", "Kies doel of wens.", "Choose goal or wish.")
        text = text_field(payload, "text", self.cfg["maxLength"])
        if not text:
            raise Refusal("empty", "Schrijf eerst je doel op.", "Write your goal first.")
        mine = [g for g in self.goals.values() if g["author"] == pid]
        if len(mine) >= self.cfg["maxGoals"]:
            raise Refusal("too_many_goals", "Je hebt al %d doelen en wensen opgeschreven." % self.cfg["maxGoals"],
                          "You have already written %d goals and wishes." % self.cfg["maxGoals"])
        if any(g["fold"] == text.casefold() for g in mine):
            raise Refusal("duplicate_goal", "Dat doel heb je al opgeschreven.", "You have already written that goal.")
        if len(self.goals) >= MAX_GOALS_TOTAL:
            raise Refusal("room_full", "Er staan al %d doelen; meer passen er niet." % MAX_GOALS_TOTAL,
                          "There are already %d goals; no more fit." % MAX_GOALS_TOTAL)
        gid = self.new_goal_id(pid, text)
        self.goals[gid] = {"id": gid, "author": pid, "role": party["role"], "org": party["org"], "kind": kind,
                           "text": text, "fold": text.casefold(), "seq": seq, "marks": {}}
        return {"public", "facilitator", "participant:" + pid}

    def new_goal_id(self, pid, text):
        """`g1`, `g2`, … in the order written; in an anonymous activity a digest of author and text instead, so
        that no view tells in which order the goals came in (docs/SHARED-GOALS.md)."""
        if not self.anonymous:
            self.counter += 1
            return "g%d" % self.counter
        digest = hashlib.sha256(("%s\n%s" % (pid, text)).encode("utf-8")).hexdigest()
        gid, n = "g" + digest[:12], 1
        while gid in self.goals:  # the same digest twice: practically never, but ids must differ
            n += 1
            gid = "g%s-%d" % (digest[:12], n)
        return gid

    def goal(self, payload):
        gid = ref(payload, "goal", *UNKNOWN_GOAL)
        g = self.goals.get(gid)
        if g is None:
            raise Refusal(*UNKNOWN_GOAL)
        return g

    def on_withdraw(self, seq, actor, payload):
        only(payload, ("goal",))
        g = self.goal(payload)
        if g["author"] != actor["id"]:
            raise Refusal("not_yours", "Je kunt alleen je eigen doelen intrekken.", "You can only withdraw your own goals.")
        del self.goals[g["id"]]
        audiences = {"public", "facilitator", "participant:" + actor["id"]}
        return audiences | {"participant:" + p for p in g["marks"]}

    def on_mark(self, seq, actor, payload):
        only(payload, ("goal", "shared"))
        pid = actor["id"]
        g = self.goal(payload)
        shared = payload.get("shared", True)
        if not isinstance(shared, bool):
            raise Refusal("bad_payload", "Geef aan of je dit doel deelt: ja of nee.", "Say whether you share this goal: yes or no.")
        party = self.party_of(pid)
        if g["author"] == pid:
            raise Refusal("own_goal", "Dit is je eigen doel; het telt al voor jouw partij.", "This is your own goal; it already counts for your party.")
        if self.key(party) == self.key(g):
            raise Refusal("own_party", "Dit doel komt van je eigen partij; het telt al voor jullie.",
                          "This goal comes from your own party; it already counts for you.")
        if shared and pid in g["marks"]:
            raise Refusal("already_marked", "Je deelt dit doel al.", "You already share this goal.")
        if not shared and pid not in g["marks"]:
            raise Refusal("not_marked", "Je had dit doel niet gedeeld.", "You had not shared this goal.")
        if shared:
            g["marks"][pid] = seq
        else:
            del g["marks"][pid]
        return {"public", "facilitator", "participant:" + pid}

    def on_remove(self, seq, actor, payload):
        only(payload, ("goal",))
        g = self.goal(payload)
        del self.goals[g["id"]]
        return {"public", "facilitator", "participant:" + g["author"]} | {"participant:" + p for p in g["marks"]}

    def on_agreement(self, seq, actor, payload):
        """{text} or {principle} adds one; {id, text} changes one, {id, text: ""} removes it."""
        only(payload, ("id", "text", "principle"))
        if "id" in payload:
            aid = ref(payload, "id", "unknown_agreement", "Die afspraak bestaat niet (meer).", "That agreement does not exist (any more).")
            found = next((a for a in self.agreements if a["id"] == aid), None)
            if found is None or "principle" in payload:
                raise Refusal("unknown_agreement", "Die afspraak bestaat niet (meer).", "That agreement does not exist (any more).")
            text = text_field(payload, "text", MAX_AGREEMENT)
            if text:
                found.pop("principle", None)
                found.update(text=text, seq=seq)
            else:
                self.agreements.remove(found)
            return {"public", "facilitator"}
        if len(self.agreements) >= MAX_AGREEMENTS:
            raise Refusal("too_many_agreements", "Er staan al %d afspraken." % MAX_AGREEMENTS, "There are already %d agreements." % MAX_AGREEMENTS)
        if "principle" in payload:
            if "text" in payload:
                raise Refusal("bad_payload", "Een afspraak is een tekst of een uitgangspunt, niet allebei.",
                              "An agreement is a text or a principle, not both.")
            p = ref(payload, "principle", "unknown_principle", "Dat uitgangspunt staat niet in de lijst.", "That principle is not in the list.")
            if p not in self.principles:
                raise Refusal("unknown_principle", "Dat uitgangspunt staat niet in de lijst.", "That principle is not in the list.")
            if any(a.get("principle") == p for a in self.agreements):
                raise Refusal("duplicate_agreement", "Die afspraak staat er al.", "That agreement is already there.")
            entry = {"principle": p}
        else:
            text = text_field(payload, "text", MAX_AGREEMENT)
            if not text:
                raise Refusal("empty", "Schrijf eerst de afspraak op.", "Write the agreement first.")
            if any(a.get("text", "").casefold() == text.casefold() for a in self.agreements):
                raise Refusal("duplicate_agreement", "Die afspraak staat er al.", "That agreement is already there.")
            entry = {"text": text}
        self.agreement_counter += 1
        self.agreements.append(dict(entry, id="a%d" % self.agreement_counter, seq=seq))
        return {"public", "facilitator"}

    def on_publish(self, seq, actor, payload):
        only(payload, ())
        self.published = True
        return {"public", "facilitator"}

    # ---- results

    @staticmethod
    def key(party):
        return (party["role"], party["org"].casefold())

    def label(self, party, lang):
        title = self.roles[party["role"]]["title"][lang]
        return "%s (%s)" % (title, party["org"]) if party["org"] else title

    def sort_parties(self, parties):
        """One fixed order: by role as configured, then organisation (never by arrival)."""
        order = {r: i for i, r in enumerate(self.roles)}
        return sorted(parties, key=lambda p: (order[p["role"]], p["org"].casefold(), p["org"]))

    def table(self):
        """The parties at the table, each once with its number of people; the key of each → its index. (An
        author's or marker's party is locked, so every goal's parties are in it.)"""
        parties = {}
        for p in self.parties.values():
            parties.setdefault(self.key(p), {"role": p["role"], "org": p["org"], "people": 0})["people"] += 1
        ordered = self.sort_parties(parties.values())
        return ordered, {self.key(p): i for i, p in enumerate(ordered)}

    def goal_view(self, g, index):
        """A goal with the parties behind it (its author's and those of everyone who marked it, each once, as
        indices into the table) and the number of people."""
        keys = {self.key(g)} | {self.key(self.parties[pid]) for pid in g["marks"]}
        parties = sorted(index[k] for k in keys)
        return {"id": g["id"], "text": g["text"], "kind": g["kind"], "party": index[self.key(g)], "parties": parties,
                "people": 1 + len(g["marks"]), "common": len(parties) >= self.cfg["threshold"]}

    def ordered_goals(self, index):
        """Most parties first, then most people, then by text: never by arrival (an anonymous room must not be
        able to tell who wrote what from the order)."""
        views = [(self.goal_view(g, index), g["fold"]) for g in self.goals.values()]
        views.sort(key=lambda vf: (-len(vf[0]["parties"]), -vf[0]["people"], vf[1], vf[0]["text"], vf[0]["id"]))
        return [v for v, _ in views]

    def agreement_view(self, a):
        text = self.principles[a["principle"]]["text"] if "principle" in a else {"nl": a["text"], "en": a["text"]}
        return {"id": a["id"], "text": text, "principle": a.get("principle")}

    def views(self, audiences):
        out = {}
        if "public" in audiences:
            out["public"] = self.public_view()
        if "facilitator" in audiences:
            out["facilitator"] = self.facilitator_view()
        for a in sorted(audiences):
            if a.startswith("participant:"):
                pid = a[len("participant:"):]
                party = self.parties.get(pid)
                out[a] = {"party": {"role": party["role"], "org": party["org"]} if party else None,
                          "goals": sorted(g["id"] for g in self.goals.values() if g["author"] == pid),
                          "marks": sorted(g["id"] for g in self.goals.values() if pid in g["marks"])}
        return out

    def public_view(self):
        if self.error:
            return {"error": {"nl": "Deze activiteit is verkeerd ingesteld.", "en": "This activity is set up wrongly."}}
        c = self.cfg
        counts = {}
        for p in self.parties.values():
            counts[p["role"]] = counts.get(p["role"], 0) + 1
        parties, index = self.table()
        return {
            "title": c["title"], "prompt": c["prompt"], "threshold": c["threshold"], "maxGoals": c["maxGoals"],
            "maxLength": c["maxLength"], "askOrg": not self.anonymous,
            "roles": [dict(r, people=counts.get(r["id"], 0)) for r in c["roles"]],
            "principles": c["principles"],
            "parties": parties,
            "goals": self.ordered_goals(index),
            "agreements": [self.agreement_view(a) for a in self.agreements],
            "published": self.published,
        }

    def facilitator_view(self):
        if self.error:
            return {"error": self.error}
        with_goals = {g["author"] for g in self.goals.values()}
        marking = {p for g in self.goals.values() for p in g["marks"]}
        return {"people": len(self.parties), "writing": len(with_goals), "marking": len(marking),
                "marks": sum(len(g["marks"]) for g in self.goals.values())}

    def outputs(self):
        return [{"kind": "gereedschapskist.item", "record": self.record()}]

    def record(self):
        lang = self.cfg["outputLang"]
        nl = lang == "nl"
        n = self.cfg["threshold"]
        ordered, index = self.table()
        goals = self.ordered_goals(index)
        common = [g for g in goals if g["common"]]
        rest = [g for g in goals if not g["common"]]
        kind_word = {"goal": ("doel", "goal"), "wish": ("wens", "wish")}
        lines = [("Verkennend gesprek met %d %s: %s" if nl else "Exploratory conversation with %d %s: %s") % (
            len(ordered), ("partij" if len(ordered) == 1 else "partijen") if nl else ("party" if len(ordered) == 1 else "parties"),
            ", ".join(self.label(p, lang) for p in ordered) or "-")]
        lines += ["", ("Gedeelde doelen (gedeeld door minstens %d partijen):" if nl else "Common goals (shared by at least %d parties):") % n]
        if not common:
            lines.append("- geen" if nl else "- none")
        for number, g in enumerate(common, start=1):
            lines.append("%d. %s (%s)" % (number, g["text"], kind_word[g["kind"]][0 if nl else 1]))
            # Formal and informal partners counted apart: a goal only the professionals share reads differently.
            sides = [self.roles[ordered[k]["role"]]["side"] for k in g["parties"]]
            lines.append(("   Gedragen door %d partijen (%d informeel, %d formeel): %s" if nl else
                          "   Supported by %d parties (%d informal, %d formal): %s") % (
                len(g["parties"]), sides.count("informal"), sides.count("formal"),
                ", ".join(self.label(ordered[k], lang) for k in g["parties"])))
        if self.agreements:
            lines += ["", "Afspraken:" if nl else "Agreements:"]
            lines += ["- %s" % self.agreement_view(a)["text"][lang] for a in self.agreements]
        if rest:
            lines += ["", ("Ook genoemd (minder dan %d partijen):" if nl else "Also named (fewer than %d parties):") % n]
            for g in rest:
                lines.append("- %s (%s)" % (g["text"], ", ".join(self.label(ordered[k], lang) for k in g["parties"])))
        record = {"kind": self.cfg["kind"], "title": "%s: %s" % (self.cfg["title"][lang], "gedeelde doelen en afspraken" if nl else "common goals and agreements"),
                  "body": "\n".join(lines)}
        if self.cfg["themes"]:
            record["themes"] = self.cfg["themes"]
        if self.cfg["audience"]:
            record["audience"] = self.cfg["audience"]
        if not self.anonymous:
            # The inputs the common goals and agreements came from; an anonymous activity names none.
            seqs = set(a["seq"] for a in self.agreements)
            for g in common:
                raw = self.goals[g["id"]]
                seqs.add(raw["seq"])
                seqs.update(raw["marks"].values())
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
        inst = Instance(m.get("config") if m.get("config") is not None else {}, m.get("anonymity"))
        instances[instance] = inst
        if inst.error:
            log("error", "config of %s cannot be used: %s" % (instance, inst.error))
        return {"t": "views", "instance": instance, "seq": 0, "views": inst.views({"public", "facilitator"})}
    if t == "event":
        seq = m.get("seq")
        inst = instances.get(instance)
        payload = m.get("payload")
        try:
            if inst is None:
                raise Refusal("unknown_instance", "Onbekende activiteit.", "Unknown activity.")
            changed = inst.reduce(seq, m.get("actor") or {}, m.get("type"), payload if payload is not None else {})
        except Refusal as r:
            return {"t": "reject", "instance": instance, "seq": seq, "code": r.code, "message": {"nl": r.nl, "en": r.en}}
        except Exception as e:  # a bug must cost one input, not every session's instances of this process
            log("error", "event %s of %s: %s" % (seq, instance, e.__class__.__name__))
            return {"t": "reject", "instance": instance, "seq": seq, "code": "plugin_error",
                    "message": {"nl": "Er ging iets mis. Probeer het nog eens.", "en": "Something went wrong. Please try again."}}
        answer = {"t": "views", "instance": instance, "seq": seq, "views": inst.views(changed)}
        if m.get("type") == "publish":  # accepted: a refused publish returned above
            answer["outputs"] = inst.outputs()
        return answer
    if t == "stop":
        instances.pop(instance, None)
        return {"t": "stopped", "instance": instance}
    return None  # unknown host messages are ignored (docs/PLUGINS.md)


def log(level, message):
    sys.stdout.write(json.dumps({"t": "log", "level": level, "message": message}, ensure_ascii=False, sort_keys=True) + "\n")
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
