"""Every `error.message` is in the connection's language (CONTRACTS.md section 1), for facilitators
too: the refusals a facilitator meets in the console (a command's fields, closing a draft, a group id,
a second join) and the wire checks have a Dutch and an English text, not one English sentence for both.
"""
import json

import agendas
from hubclient import Client, close_all, run


async def joined(hub, code, lang, **fields):
    c = Client(hub.ws_url, "%s-%s" % (fields.get("as", "fac" if "auth" in fields else "p"), lang))
    await c.connect()
    await c.join(code, lang=lang, **fields)
    return c


async def raw_error(client, message):
    """Send one message as given and return the error that answers it (by id when it has one)."""
    since = client.mark()
    await client.send(message)
    if "id" in message:
        return await client.reply(message["id"])
    return await client.wait_frame(lambda f: f.get("t") == "error", since, what="error")


# (what is sent, the code it gets); `$p` is a participant id of the session.
FACILITATOR_CASES = [
    ({"t": "command", "id": "c1", "type": "close"}, "forbidden"),                       # a draft cannot close
    ({"t": "command", "id": "c2", "type": "explode"}, "unknown_type"),
    ({"t": "command", "id": "c3", "type": "goto"}, "bad_message"),                      # `activity` missing
    ({"t": "command", "id": "c4", "type": "prev"}, "activity_not_found"),               # no previous activity
    ({"t": "command", "id": "c5", "type": "phase", "activity": "a1", "phase": "nope"}, "bad_message"),
    ({"t": "command", "id": "c6", "type": "inputs", "activity": "a1"}, "bad_message"),  # `open` missing
    ({"t": "command", "id": "c7", "type": "reorder", "order": ["a1"]}, "bad_message"),
    ({"t": "command", "id": "c8", "type": "groups", "mode": "sideways", "size": 2}, "bad_message"),
    ({"t": "command", "id": "c9", "type": "groups", "mode": "random", "size": 0}, "bad_message"),
    ({"t": "command", "id": "c10", "type": "groups", "mode": "manual"}, "bad_message"),  # `assignments` missing
    ({"t": "command", "id": "c11", "type": "groups", "mode": "manual", "assignments": {"tafel": ["$p"]}}, "bad_message"),
    ({"t": "command", "id": "c12", "type": "groups", "mode": "manual", "assignments": {"g1": ["p_nobody"]}}, "bad_message"),
    ({"t": "command", "id": "c13", "type": "groups", "mode": "manual", "assignments": {"g1": ["$p"], "g2": ["$p"]}}, "bad_message"),
    ({"t": "command", "id": "c14", "type": "kick"}, "bad_message"),                     # `participant` missing
    ({"t": "command", "id": "c15", "type": "kick", "participant": "p_nobody"}, "bad_message"),
    ({"t": "command", "id": "c16"}, "bad_message"),                                      # `type` missing
    ({"t": "input", "id": "c17", "activity": "a1", "type": "inc"}, "bad_message"),       # `payload` missing
    ({"t": "explode", "id": "c18"}, "unknown_type"),
    ({"t": "join", "code": "$code"}, "bad_message"),                                     # already joined
]


def fill(message, participant, code):
    return json.loads(json.dumps(message).replace('"$p"', json.dumps(participant)).replace('"$code"', json.dumps(code)))


def test_facilitator_errors_are_in_the_connection_language(hub):
    session = hub.create_session(agendas.standard("Foutmeldingen"))
    code = session["code"]

    async def main():
        nl = await joined(hub, code, "nl", auth=hub.token)
        en = await joined(hub, code, "en", auth=hub.token)
        p = await joined(hub, code, "nl", name="Pien")
        try:
            english_in_dutch = []
            for message, want in FACILITATOR_CASES:
                message = fill(message, p.participant, code)
                dutch, english = await raw_error(nl, message), await raw_error(en, message)
                assert dutch["t"] == english["t"] == "error", (message, dutch, english)
                assert dutch["code"] == english["code"] == want, (message, dutch, english)
                if dutch["message"] == english["message"]:
                    english_in_dutch.append("%s: %s" % (message, dutch["message"]))
            assert not english_in_dutch, "the same (English) text on a Dutch connection:\n" + "\n".join(english_in_dutch)
            # One exact text each way, so "different" also means "right".
            dutch, english = await raw_error(nl, {"t": "command", "id": "d1", "type": "close"}), \
                await raw_error(en, {"t": "command", "id": "d1", "type": "close"})
            assert dutch["message"] == "Een sessie in voorbereiding kan niet sluiten: start haar eerst, of verwijder haar."
            assert english["message"] == "A session in draft cannot be closed: start it first, or delete it."
        finally:
            await close_all([nl, en, p])
    run(main(), timeout=60)


def test_before_join_the_join_lang_else_dutch(hub):
    """docs/PROTOCOL.md: the errors answering a `join` are in its `lang`; without one, and for anything
    else before joining, Dutch."""
    async def main():
        c = Client(hub.ws_url, "unjoined")
        await c.connect()
        try:
            english = await c.join("ZZZZZZ", expect="error", lang="en")
            assert english["code"] == "session_not_found"
            assert english["message"] == "There is no session with this code. Check the code.", english
            dutch = await c.join("ZZZZZZ", expect="error")
            assert dutch["message"] == "Er is geen sessie met deze code. Controleer de code.", dutch
            before = await c.input("a1", "inc")
            assert before["code"] == "not_joined" and before["message"] == "Doe eerst mee met een sessie.", before
            # A join refused for one of its own fields still answers in its language.
            long_name = await c.join("ZZZZZZ", expect="error", lang="en", name="n" * 81)
            assert long_name["code"] == "too_large" and long_name["message"] == "Field `name` is longer than 80 characters.", long_name
            dutch = await c.join("ZZZZZZ", expect="error", name="n" * 81)
            assert dutch["message"] == "Veld `name` is langer dan 80 tekens.", dutch
        finally:
            await c.close()
    run(main(), timeout=60)


def test_participant_field_errors_are_in_the_connection_language(hub):
    session = hub.create_session(agendas.standard("Veldfouten"))

    async def main():
        nl = await joined(hub, session["code"], "nl", name="Noor")
        en = await joined(hub, session["code"], "en", name="Ed")
        try:
            for message in ({"t": "input", "id": "x1", "activity": "a1", "type": "inc", "payload": []},
                            {"t": "input", "id": "x2", "activity": "a1", "type": "", "payload": {}},
                            {"t": "input", "id": "x3", "activity": "a1", "type": "i" * 65, "payload": {}}):
                dutch, english = await raw_error(nl, message), await raw_error(en, message)
                assert dutch["code"] == english["code"], (dutch, english)
                assert dutch["message"] != english["message"], (message, dutch)
            wrong = await raw_error(nl, {"t": "input", "id": "x4", "activity": "a1", "type": "inc"})
            assert wrong["message"] == "Veld `payload` ontbreekt.", wrong
        finally:
            await close_all([nl, en])
    run(main(), timeout=60)
