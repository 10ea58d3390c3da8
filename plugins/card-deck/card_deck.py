#!/usr/bin/env python3
"""Card deck plugin (docs/CARD-DECK.md): the facilitator shows cards from a deck, the room responds per
card, and each card's result becomes a gereedschapskist checklist item.

Python standard library only, against the JSON-lines plugin protocol (CONTRACTS.md section 2), like
plugins/checkin. A deterministic reducer: the same config and events always give the same views and
outputs. The only file it reads is a deck under decks/, named by the config and read at `start`; a
shipped deck is never changed in place (a new version is a new file), so replays read the same cards.
"""
import json
import os
import re
import sys
import unicodedata

NAME = "card-deck"
VERSION = "1.0.0"
PROTOCOL = 1
DECKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "decks")

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
RESPONSE_KINDS = ("applies", "scale", "text")
APPLIES = ("yes", "partly", "no")
# Limits of a deck (docs/CARD-DECK.md); the config schema repeats those it can express.
MAX_CARDS = 60
MAX_QUESTIONS = 8
MAX_CATEGORIES = 20
MAX_TITLE = 120
MAX_PROMPT = 600
MAX_QUESTION = 300
MAX_NOTE = 1000
MAX_TEXTS_IN_VIEW = 200


class Refusal(Exception):
    def __init__(self, code, nl, en):
        super().__init__(code)
        self.code, self.nl, self.en = code, nl, en


class DeckError(Exception):
    pass


# ---- reading a deck ------------------------------------------------------------------------------------


def clean(text):
    """NFC, control characters out (newlines kept as spaces), whitespace collapsed, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return " ".join(text.split())


def localized(value, where, limit, required=True):
    """A string (both languages) or {nl, en} (one may be missing: the other stands in) → {nl, en}."""
    if value is None and not required:
        return None
    if isinstance(value, str):
        value = {"nl": value, "en": value}
    if not isinstance(value, dict) or set(value) - {"nl", "en"}:
        raise DeckError("%s: must be a text or {nl, en}" % where)
    out = {}
    for lang in ("nl", "en"):
        v = value.get(lang)
        if v is not None and not isinstance(v, str):
            raise DeckError("%s.%s: must be a text" % (where, lang))
        out[lang] = clean(v) if v else ""
    if not out["nl"]:
        out["nl"] = out["en"]
    if not out["en"]:
        out["en"] = out["nl"]
    if not out["nl"]:
        if required:
            raise DeckError("%s: is empty" % where)
        return None
    if max(len(out["nl"]), len(out["en"])) > limit:
        raise DeckError("%s: longer than %d characters" % (where, limit))
    return out


def kinds(value, where):
    if not isinstance(value, list) or not value or any(k not in RESPONSE_KINDS for k in value):
        raise DeckError("%s: must be a list of %s" % (where, ", ".join(RESPONSE_KINDS)))
    return [k for k in RESPONSE_KINDS if k in value]  # one order, whatever the deck wrote


def read_deck_file(name):
    if not isinstance(name, str) or not ID.match(name):
        raise DeckError("deck: not a deck name")
    try:
        with open(os.path.join(DECKS, name + ".json"), encoding="utf-8") as f:
            deck = json.load(f)
    except (OSError, ValueError) as e:
        raise DeckError("deck %s: cannot be read (%s)" % (name, e.__class__.__name__))
    if not isinstance(deck, dict):
        raise DeckError("deck %s: must be an object" % name)
    return deck


def build_deck(config):
    """The deck of one activity: the deck file's (when `deck` names one), with the config's fields on top."""
    base = read_deck_file(config["deck"]) if config.get("deck") is not None else {}
    merged = dict(base)
    for key in ("title", "cards", "categories", "respond", "scale", "intro"):
        if config.get(key) is not None:
            merged[key] = config[key]
    title = localized(merged.get("title") or {"nl": "Kaartendeck", "en": "Card deck"}, "title", MAX_TITLE)
    intro = localized(merged.get("intro"), "intro", MAX_PROMPT, required=False)
    respond = kinds(merged.get("respond", ["applies", "text"]), "respond")
    scale = merged.get("scale") or {}
    if not isinstance(scale, dict):
        raise DeckError("scale: must be an object")
    lo, hi = scale.get("min", 1), scale.get("max", 5)
    if any(isinstance(x, bool) or not isinstance(x, int) for x in (lo, hi)) or not 0 <= lo < hi <= 10:
        raise DeckError("scale: min and max must be whole numbers with 0 <= min < max <= 10")
    scale = {"min": lo, "max": hi,
             "minLabel": localized(scale.get("minLabel"), "scale.minLabel", 60, required=False),
             "maxLabel": localized(scale.get("maxLabel"), "scale.maxLabel", 60, required=False)}
    categories = []
    raw_categories = merged.get("categories") or []
    if not isinstance(raw_categories, list) or len(raw_categories) > MAX_CATEGORIES:
        raise DeckError("categories: at most %d" % MAX_CATEGORIES)
    for i, c in enumerate(raw_categories):
        if not isinstance(c, dict) or not isinstance(c.get("id"), str) or not ID.match(c["id"]):
            raise DeckError("categories[%d].id: use a-z, 0-9 and -" % i)
        categories.append({"id": c["id"], "title": localized(c.get("title") or c["id"], "categories[%d].title" % i, MAX_TITLE)})
    category_ids = [c["id"] for c in categories]
    if len(set(category_ids)) != len(category_ids):
        raise DeckError("categories: ids must differ")
    raw_cards = merged.get("cards")
    if not isinstance(raw_cards, list) or not raw_cards or len(raw_cards) > MAX_CARDS:
        raise DeckError("cards: 1 to %d cards" % MAX_CARDS)
    select = config.get("select")
    cards = []
    for i, c in enumerate(raw_cards):
        where = "cards[%d]" % i
        if not isinstance(c, dict):
            raise DeckError("%s: must be an object" % where)
        cid = c.get("id", "k%d" % (i + 1))
        if not isinstance(cid, str) or not ID.match(cid):
            raise DeckError("%s.id: use a-z, 0-9 and - (at most 40)" % where)
        category = c.get("category")
        if category is not None and category not in category_ids:
            raise DeckError("%s.category: not one of the categories" % where)
        questions = c.get("questions") or []
        if not isinstance(questions, list) or len(questions) > MAX_QUESTIONS:
            raise DeckError("%s.questions: at most %d" % (where, MAX_QUESTIONS))
        cards.append({
            "id": cid,
            "title": localized(c.get("title"), where + ".title", MAX_TITLE),
            "prompt": localized(c.get("prompt"), where + ".prompt", MAX_PROMPT, required=False),
            "questions": [localized(q, "%s.questions[%d]" % (where, k), MAX_QUESTION) for k, q in enumerate(questions)],
            "category": category,
            "respond": kinds(c["respond"], where + ".respond") if "respond" in c else respond,
        })
    ids = [c["id"] for c in cards]
    if len(set(ids)) != len(ids):
        raise DeckError("cards: ids must differ")
    if select is not None:
        if not isinstance(select, list) or not select or any(s not in ids for s in select) or len(set(select)) != len(select):
            raise DeckError("select: must list ids of the deck's cards, each once")
        by_id = {c["id"]: c for c in cards}
        cards = [by_id[s] for s in select]
    return {"title": title, "intro": intro, "categories": categories, "cards": cards, "scale": scale}


# ---- one activity --------------------------------------------------------------------------------------


def text_field(payload, key, limit, code_nl, code_en):
    v = payload.get(key)
    if not isinstance(v, str):
        raise Refusal("bad_text", code_nl, code_en)
    v = clean(v)
    if len(v) > limit:
        raise Refusal("too_long", "Maak je tekst korter: hooguit %d tekens." % limit,
                      "Make your text shorter: at most %d characters." % limit)
    return v


def card_id(payload):
    cid = payload.get("card")
    if not isinstance(cid, str) or len(cid) > 40:
        raise Refusal("unknown_card", "Die kaart zit niet in dit deck.", "That card is not in this deck.")
    return cid


class Instance:
    def __init__(self, config, anonymity):
        self.anonymous = anonymity == "anonymous"
        self.error = None
        try:
            if not isinstance(config, dict):
                raise DeckError("config: must be an object")
            self.deck = build_deck(config)
        except DeckError as e:
            self.error = str(e)
            self.deck = {"title": {"nl": "Kaartendeck", "en": "Card deck"}, "intro": None, "categories": [], "cards": [],
                         "scale": {"min": 1, "max": 5, "minLabel": None, "maxLabel": None}}
        max_length = config.get("maxLength") if isinstance(config, dict) else None
        self.max_length = max_length if isinstance(max_length, int) and not isinstance(max_length, bool) and 20 <= max_length <= 2000 else 500
        self.reveal_live = isinstance(config, dict) and config.get("reveal") == "live"
        self.output_lang = "en" if isinstance(config, dict) and config.get("outputLang") == "en" else "nl"
        extra = config if isinstance(config, dict) else {}
        self.themes = [t for t in extra.get("themes") or [] if isinstance(t, str)][:10]
        self.audience = [t for t in extra.get("audience") or [] if isinstance(t, str)][:10]
        self.cards = {c["id"]: c for c in self.deck["cards"]}
        self.order = [c["id"] for c in self.deck["cards"]]
        self.current = self.order[0] if self.order else None
        self.shown = [self.current] if self.current else []
        self.revealed = set()
        self.responses = {cid: {} for cid in self.order}  # card -> participant -> {applies, score, text, seq}
        self.notes = {}  # card -> (text, seq)
        self.published = False

    # -- inputs

    def reduce(self, seq, actor, etype, payload):
        """The audiences that changed, or raises Refusal; state changes only after every check passed."""
        role = actor.get("role")
        if role == "system":
            if etype == "$reveal" and self.current:
                self.revealed.add(self.current)
                return {"public"}
            return set()
        if self.error:
            raise Refusal("bad_deck", "Dit kaartendeck kon niet worden gelezen; de facilitator kan het niet gebruiken.",
                          "This card deck could not be read; the facilitator cannot use it.")
        if not isinstance(payload, dict):
            raise Refusal("bad_payload", "Dit bericht klopt niet.", "This message is not valid.")
        if etype == "respond":
            return self.respond(seq, actor, payload)
        if role != "facilitator":
            raise Refusal("facilitator_only", "Alleen de facilitator doet dit.", "Only the facilitator does this.")
        if etype == "show":
            return self.show(payload)
        if etype == "note":
            return self.note(seq, payload)
        if etype == "publish":
            return self.publish()
        raise Refusal("unknown_input", "Dit kaartendeck kent deze actie niet.", "This card deck does not know this action.")

    def respond(self, seq, actor, payload):
        if actor.get("role") != "participant":
            raise Refusal("participants_only", "Alleen deelnemers reageren op een kaart.", "Only participants respond to a card.")
        pid = actor.get("id")
        if not isinstance(pid, str) or not pid:
            raise Refusal("participants_only", "Alleen deelnemers reageren op een kaart.", "Only participants respond to a card.")
        if self.published:
            raise Refusal("deck_closed", "Dit deck is vastgelegd; reageren kan niet meer.",
                          "This deck has been recorded; responses are closed.")
        unknown = set(payload) - {"card", "applies", "score", "text"}
        if unknown:
            raise Refusal("bad_payload", "Dit antwoord bevat onbekende velden.", "This response has unknown fields.")
        cid = card_id(payload)
        card = self.cards.get(cid)
        if card is None:
            raise Refusal("unknown_card", "Die kaart zit niet in dit deck.", "That card is not in this deck.")
        if cid not in self.shown:
            raise Refusal("not_shown", "Deze kaart is nog niet aan de beurt.", "This card has not been shown yet.")
        answer = {}
        if "applies" in payload:
            if "applies" not in card["respond"]:
                raise Refusal("not_asked", "Op deze kaart wordt dat niet gevraagd.", "This card does not ask for that.")
            if payload["applies"] not in APPLIES:
                raise Refusal("bad_applies", "Kies ja, deels of nee.", "Choose yes, partly or no.")
            answer["applies"] = payload["applies"]
        if "score" in payload:
            if "scale" not in card["respond"]:
                raise Refusal("not_asked", "Op deze kaart wordt dat niet gevraagd.", "This card does not ask for that.")
            s, lo, hi = payload["score"], self.deck["scale"]["min"], self.deck["scale"]["max"]
            if isinstance(s, bool) or not isinstance(s, int) or not lo <= s <= hi:
                raise Refusal("bad_score", "Kies een score van %d tot %d." % (lo, hi), "Choose a score from %d to %d." % (lo, hi))
            answer["score"] = s
        if "text" in payload:
            if "text" not in card["respond"]:
                raise Refusal("not_asked", "Op deze kaart wordt dat niet gevraagd.", "This card does not ask for that.")
            text = text_field(payload, "text", self.max_length, "Schrijf je antwoord als tekst.", "Write your answer as text.")
            answer["text"] = text  # an empty text clears an earlier one
        if not answer or (set(answer) == {"text"} and not answer["text"] and pid not in self.responses[cid]):
            raise Refusal("empty", "Geef een antwoord.", "Give an answer.")
        previous = self.responses[cid].get(pid, {})
        merged = dict(previous, **answer, seq=seq)
        if merged.get("text") == "":
            del merged["text"]
        if set(merged) == {"seq"}:
            del self.responses[cid][pid]  # the only answer was a text, now cleared: no response left
        else:
            self.responses[cid][pid] = merged
        return {"public", "facilitator", "participant:" + pid}

    def show(self, payload):
        cid = card_id(payload)
        if cid not in self.cards:
            raise Refusal("unknown_card", "Die kaart zit niet in dit deck.", "That card is not in this deck.")
        self.current = cid
        if cid not in self.shown:
            self.shown.append(cid)
        return {"public", "facilitator"}

    def note(self, seq, payload):
        if self.published:
            raise Refusal("already_published", "Dit deck is al vastgelegd.", "This deck has already been recorded.")
        cid = card_id(payload)
        if cid not in self.cards:
            raise Refusal("unknown_card", "Die kaart zit niet in dit deck.", "That card is not in this deck.")
        text = text_field(payload, "text", MAX_NOTE, "Schrijf de afspraak als tekst.", "Write the agreement as text.")
        if text:
            self.notes[cid] = (text, seq)
        else:
            self.notes.pop(cid, None)
        return {"facilitator", "public"}

    def publish(self):
        if self.published:
            raise Refusal("already_published", "Dit deck is al vastgelegd.", "This deck has already been recorded.")
        self.published = True
        return {"public", "facilitator"}

    # -- results

    def tally(self, cid, texts=True):
        answers = [self.responses[cid][p] for p in sorted(self.responses[cid])]
        out = {"responses": len(answers)}
        card = self.cards[cid]
        if "applies" in card["respond"]:
            out["applies"] = {k: sum(1 for a in answers if a.get("applies") == k) for k in APPLIES}
        if "scale" in card["respond"]:
            lo, hi = self.deck["scale"]["min"], self.deck["scale"]["max"]
            scores = [a["score"] for a in answers if "score" in a]
            out["scale"] = {"counts": [sum(1 for s in scores if s == v) for v in range(lo, hi + 1)],
                            "mean": round(sum(scores) / len(scores), 2) if scores else None}
        if texts and "text" in card["respond"]:
            # By content, never by arrival: in anonymous activities the order must not tell who wrote what.
            out["texts"] = sorted((a["text"] for a in answers if a.get("text")), key=lambda t: (t.casefold(), t))[:MAX_TEXTS_IN_VIEW]
        return out

    def verdict(self, tally):
        """Where the room stands on a card: yes, partly or no (None without answers). From "applies to us?":
        the most chosen, a tie going to the less positive answer; on a card without it, from the mean score:
        its top third of the scale is yes, the middle third partly, the bottom third no."""
        counts = tally.get("applies")
        if counts and any(counts.values()):
            return max(reversed(APPLIES), key=lambda k: counts[k])
        mean = (tally.get("scale") or {}).get("mean")
        if mean is None:
            return None
        lo, hi = self.deck["scale"]["min"], self.deck["scale"]["max"]
        position = (mean - lo) * 3
        return "yes" if position >= 2 * (hi - lo) else "partly" if position >= hi - lo else "no"

    def views(self, audiences):
        out = {}
        if "public" in audiences:
            out["public"] = self.public_view()
        if "facilitator" in audiences:
            out["facilitator"] = self.facilitator_view()
        for a in sorted(audiences):
            if a.startswith("participant:"):
                pid = a[len("participant:"):]
                out[a] = {"responses": {cid: {k: v for k, v in self.responses[cid][pid].items() if k != "seq"}
                                        for cid in self.order if pid in self.responses[cid]}}
        return out

    def public_view(self):
        if self.error:
            return {"error": {"nl": "Dit kaartendeck kon niet worden gelezen.", "en": "This card deck could not be read."}}
        view = {
            "title": self.deck["title"],
            "intro": self.deck["intro"],
            "categories": self.deck["categories"],
            "scale": self.deck["scale"],
            "maxLength": self.max_length,
            "cards": [{"id": c["id"], "title": c["title"], "category": c["category"], "shown": c["id"] in self.shown,
                       "responses": len(self.responses[c["id"]])} for c in self.deck["cards"]],
            "published": self.published,
            "current": None,
        }
        if self.current:
            card = self.cards[self.current]
            current = dict(card, index=self.order.index(self.current) + 1)
            current["revealed"] = self.reveal_live or self.current in self.revealed
            if current["revealed"]:
                current["result"] = self.tally(self.current)
                current["verdict"] = self.verdict(current["result"])
            if self.current in self.notes:
                current["note"] = self.notes[self.current][0]
            view["current"] = current
        return view

    def facilitator_view(self):
        if self.error:
            return {"error": self.error}
        results = {}
        for cid in self.order:
            t = self.tally(cid, texts=cid == self.current)
            t["verdict"] = self.verdict(t)
            if cid in self.notes:
                t["note"] = self.notes[cid][0]
            results[cid] = t
        return {"results": results, "shown": list(self.shown)}

    def outputs(self):
        """One gereedschapskist checklist item per card shown, in deck order."""
        items = []
        for cid in self.order:
            if cid not in self.shown:
                continue
            items.append({"kind": "gereedschapskist.item", "record": self.checklist(cid)})
        return items

    def checklist(self, cid):
        lang = self.output_lang
        nl = lang == "nl"
        card, tally = self.cards[cid], self.tally(cid)
        tally["texts"] = sorted((a["text"] for a in self.responses[cid].values() if a.get("text")), key=lambda t: (t.casefold(), t))
        lines = []
        category = next((c["title"][lang] for c in self.deck["categories"] if c["id"] == card["category"]), None)
        head = ("Kaart %d van %d uit %s" if nl else "Card %d of %d from %s") % (
            self.order.index(cid) + 1, len(self.order), self.deck["title"][lang])
        lines.append(head + ((" · categorie: %s" if nl else " · category: %s") % category if category else ""))
        if card["prompt"]:
            lines += ["", card["prompt"][lang]]
        lines += ["", ("Reacties: %d" if nl else "Responses: %d") % tally["responses"]]
        if "applies" in tally:
            a = tally["applies"]
            words = {"yes": "ja" if nl else "yes", "partly": "deels" if nl else "partly", "no": "nee" if nl else "no"}
            lines.append(("Past dit bij ons? %s" if nl else "Applies to us? %s") % ", ".join("%s %d" % (words[k], a[k]) for k in APPLIES))
        if "scale" in tally and tally["scale"]["mean"] is not None:
            s = self.deck["scale"]
            mean = ("%.1f" % tally["scale"]["mean"])
            lines.append(("Score: gemiddeld %s op %d–%d" if nl else "Score: mean %s on %d–%d") % (mean.replace(".", ",") if nl else mean, s["min"], s["max"]))
        verdict = self.verdict(tally)
        if verdict:
            state = {"yes": ("op orde", "in place"), "partly": ("deels op orde", "partly in place"),
                     "no": ("nog niet op orde", "not in place yet")}[verdict][0 if nl else 1]
            lines.append(("Uitkomst: %s" if nl else "Outcome: %s") % state)
        mark = {"yes": "[x]", "partly": "[~]", "no": "[ ]", None: "[ ]"}[self.verdict(tally)]
        if card["questions"]:
            lines += ["", "Checklist:"] + ["%s %s" % (mark, q[lang]) for q in card["questions"]]
        else:
            lines += ["", "Checklist:", "%s %s" % (mark, card["title"][lang])]
        if cid in self.notes:
            lines += ["", ("Afspraak: %s" if nl else "Agreement: %s") % self.notes[cid][0]]
        if tally["texts"]:
            lines += ["", "Uit de zaal:" if nl else "From the room:"] + ["- %s" % t for t in tally["texts"]]
        record = {"kind": "checklist", "title": "%s: %s" % (self.deck["title"][lang], card["title"][lang]), "body": "\n".join(lines)}
        if self.themes:
            record["themes"] = self.themes
        if self.audience:
            record["audience"] = self.audience
        if not self.anonymous:
            # The inputs it came from; an anonymous activity names none (their order would link them to joins).
            seqs = sorted([r["seq"] for r in self.responses[cid].values()] + ([self.notes[cid][1]] if cid in self.notes else []))
            if seqs:
                record["provenance"] = [{"session": "", "seqs": seqs}]
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
            log("error", "deck of %s cannot be used: %s" % (instance, inst.error))
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
                    "message": {"nl": "Er ging iets mis in het kaartendeck. Probeer het nog eens.",
                                "en": "Something went wrong in the card deck. Please try again."}}
        answer = {"t": "views", "instance": instance, "seq": seq, "views": inst.views(changed)}
        if m.get("type") == "publish" and inst.published:
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
