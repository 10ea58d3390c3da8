"""Issue 17, acceptance 3: a person's data (docs/PRIVACY.md "Answering a request").

One session with a `named`, a `pseudonymous` and an `anonymous` brainstorm; Anne and Bob each write a card with
a text no one else writes in each. Then
- `hubctl participant export` (by id, and by the name Anne gave) returns exactly Anne's join and her two cards of
  the named and pseudonymous activities, as sent; none of the anonymous one, before and after the close;
- erasing a live session is refused (`session_not_closed`);
- after the close, `hubctl participant erase` blanks her join and inputs in place (their seq kept); a byte scan
  of the database file and its WAL finds none of her texts, her name, function or organisation, while Bob's
  are there; the closed session's views (what a viewer gets) no longer show her cards or name;
- a kennisbank record deleted with `hubctl kennisbank delete` (two versions) and a gereedschapskist item deleted
  over REST leave the file too, and only an owner may delete;
- a contributor erased by e-mail, and on the stopped hub's file (`--db`) Bob erased by name (hubctl renders the
  views with the plugins) and the facilitator exported and erased: their names and e-mail addresses leave the file;
- each of these actions is one audit entry.
"""
import asyncio
import json
import time

from conftest import db_bytes, shipped_hub
from hubprocess import FACILITATOR_EMAIL, stored_rows
from hubclient import Client, close_all, started_console

ANNE = {"name": "Annemarie Zwaluwnest", "function": "Wijkcoach Kievitsbloem", "org": "Stichting Ooievaarsnest"}
BOB = {"name": "Bob Reigerbos"}
AGENDA = """session: Inzage en vergetelheid
lang: nl
agenda:
  - plugin: brainstorm
    title: Genoemd
    anonymity: named
  - plugin: brainstorm
    title: Pseudoniem
    anonymity: pseudonymous
  - plugin: brainstorm
    title: Anoniem
    anonymity: anonymous
"""
CARDS = {  # activity -> (Anne's text, Bob's text)
    "a1": ("Annes kaart kolibrie-saffraan", "Bobs kaart pelikaan-kaneel"),
    "a2": ("Annes kaart toekan-vanille", "Bobs kaart flamingo-gember"),
    "a3": ("Annes kaart papegaai-kardemom", "Bobs kaart pinguin-anijs"),
}
PRACTICE = {"title": "Portiekgesprekken Zeearendstraat", "kind": "ontmoetingsplekken", "type": "praktijk", "state": "published",
            "summary": "Gesprekken met bewoners van de Zeearendstraat over hun portiek.", "scale": "buurt", "themes": ["leven"],
            "activeIngredients": [{"id": "wb-1", "statement": "Bewoners kennen elkaar bij naam", "evidence": {"level": "onbekend"}}]}


def audit_count(hub, action):
    return len(hub.hubctl_json("audit", "--action", action))


def export(hub, sid, pid):
    return json.loads(hub.hubctl("participant", "export", "--session", sid, "--participant", pid).stdout)


def sent_inputs(exported):
    return [(i["activity"], i["type"], i["payload"]) for i in exported["inputs"]]


def test_participant_export_and_erase_and_record_deletion():
    with shipped_hub("person-data", ("brainstorm",)) as hub:
        session = hub.create_session(AGENDA, name="inzage.yaml")
        sid, code = session["id"], session["code"]
        anne_cards = [("a1", "card", {"question": "doelen", "text": CARDS["a1"][0]}),
                      ("a2", "card", {"question": "doelen", "text": CARDS["a2"][0]})]

        async def room():
            fac = await started_console(hub, code)
            anne, bob = Client(hub.ws_url, "anne"), Client(hub.ws_url, "bob")
            await anne.connect()
            await anne.join(code, **ANNE)
            await bob.connect()
            await bob.join(code, **BOB)
            seqs = []
            for activity, (a_text, b_text) in CARDS.items():
                if activity != "a1":
                    await fac.ok(fac.command("goto", activity=activity))
                seqs.append(await anne.ok(anne.input(activity, "card", {"question": "doelen", "text": a_text})))
                await bob.ok(bob.input(activity, "card", {"question": "doelen", "text": b_text}))
            return fac, anne, bob, seqs
        loop = asyncio.new_event_loop()
        try:
            fac, anne, bob, seqs = loop.run_until_complete(asyncio.wait_for(room(), 30))
            pid, bob_pid = anne.participant, bob.participant

            # Export while the session runs: exactly her join and her two attributable cards, as sent.
            before = export(hub, sid, pid)
            assert before["participant"]["id"] == pid and before["participant"]["name"] == ANNE["name"], before
            assert before["participant"]["function"] == ANNE["function"] and before["participant"]["org"] == ANNE["org"]
            assert sent_inputs(before) == anne_cards, before["inputs"]
            assert [i["seq"] for i in before["inputs"]] == seqs[:2]
            assert before["anonymousActivities"] == ["a3"] and "not linkable" in before["note"]
            text = json.dumps(before, ensure_ascii=False)
            assert CARDS["a3"][0] not in text and bob_pid not in text and "Bob" not in text
            by_name = json.loads(hub.hubctl("participant", "export", "--name", " annemarie zwaluwnest ").stdout)
            assert by_name["matches"] == [before], by_name

            # A live session is not erased.
            live = hub.hubctl("participant", "erase", "--session", sid, "--participant", pid, check=False)
            assert live.returncode == 1 and "not closed" in live.stderr and "409" in live.stderr, (live.stdout, live.stderr)
            status, body = hub.api("POST", "/api/v1/sessions/%s/participants/%s/erase" % (sid, pid))
            assert status == 409 and body["error"]["code"] == "session_not_closed", (status, body)

            loop.run_until_complete(fac.ok(fac.command("close")))
            deadline = time.monotonic() + 15
            while audit_count(hub, "session.seal") < 1:
                assert time.monotonic() < deadline, "the session was not sealed"
                time.sleep(0.2)
            seqs_before = [e["seq"] for e in hub.export(sid)["events"] if "seq" in e]
            assert CARDS["a1"][0].encode() in db_bytes(hub)

            erased = hub.hubctl_json("participant", "erase", "--session", code, "--participant", pid)
            assert erased == {"session": sid, "participant": pid, "erasedEvents": 3}, erased

            # Gone from the file and the WAL; Bob's cards and name are there. Anne's anonymous card is sealed
            # under a pseudonym nobody can link to her, so it stays.
            data = db_bytes(hub)
            for secret in (CARDS["a1"][0], CARDS["a2"][0], ANNE["name"], ANNE["function"], ANNE["org"]):
                assert secret.encode() not in data, "%s is still in the database" % secret
            for kept in (CARDS["a1"][1], CARDS["a2"][1], CARDS["a3"][1], CARDS["a3"][0], BOB["name"]):
                assert kept.encode() in data, "%s was erased too" % kept

            # The log keeps its order; her events are there, blanked.
            after = export(hub, sid, pid)
            assert "name" not in after["participant"] and after["participant"]["erased"] is True, after
            assert [i["seq"] for i in after["inputs"]] == seqs[:2]
            assert all(i["payload"] == {"erased": True} for i in after["inputs"]), after["inputs"]
            session_export = hub.export(sid)
            assert [e["seq"] for e in session_export["events"] if "seq" in e] == seqs_before
            assert not [e for e in session_export["events"] if e.get("actor") == pid and e.get("activity") == "a3"]

            # What a viewer of the closed session now sees: her cards and name are not in the views, Bob's are.
            async def viewer():
                v = Client(hub.ws_url, "viewer")
                await v.connect()
                await v.join(code)
                await v.wait_until(lambda: ("a1", "public") in v.views and ("a2", "public") in v.views, what="the stored views")
                views = json.dumps([[a, b, view] for (a, b), view in v.views.items()], ensure_ascii=False)
                await v.close()
                return views
            shown = loop.run_until_complete(asyncio.wait_for(viewer(), 15))
            assert CARDS["a1"][1] in shown and CARDS["a2"][1] in shown and BOB["name"] in shown, shown[:2000]
            for secret in (CARDS["a1"][0], CARDS["a2"][0], ANNE["name"]):
                assert secret not in shown and secret not in json.dumps(session_export, ensure_ascii=False), secret
            loop.run_until_complete(close_all([fac, anne, bob]))
        finally:
            loop.close()

        # Kennisbank: a record with two versions, deleted with hubctl; a toolkit item over REST.
        status, effects = hub.api("GET", "/api/v1/effects", token=None)
        status, record = hub.api("POST", "/api/v1/interventions", dict(PRACTICE, effects=[effects["effects"][0]["id"]]))
        assert status == 201, record
        status, _ = hub.api("PUT", "/api/v1/interventions/" + record["id"], dict(record, summary="Nu met de Zeearendstraat-buurtkamer."))
        assert status == 200
        status, item = hub.api("POST", "/api/v1/toolkit", {"kind": "tip", "title": "Koffie bij Grutto", "body": "Zet koffie in de Gruttohoeve."})
        assert status == 201, item
        assert b"Zeearendstraat" in db_bytes(hub) and b"Gruttohoeve" in db_bytes(hub)
        hub.hubctl("kennisbank", "delete", record["id"])
        status, _ = hub.api("DELETE", "/api/v1/toolkit/" + item["id"])
        assert status == 204
        data = db_bytes(hub)
        assert b"Zeearendstraat" not in data and b"Gruttohoeve" not in data and b"Grutto" not in data
        assert hub.api("GET", "/api/v1/interventions/" + record["id"])[0] == 404
        assert hub.api("GET", "/api/v1/interventions?q=Zeearendstraat")[1]["total"] == 0
        assert hub.api("DELETE", "/api/v1/toolkit/" + item["id"])[0] == 404

        for action, n in (("participant.export", 3), ("participant.erase", 1), ("kennisbank.delete", 1), ("toolkit.delete", 1)):
            assert audit_count(hub, action) == n, (action, hub.hubctl_json("audit", "--action", action))
        entry = hub.hubctl_json("audit", "--action", "participant.erase")[0]
        assert entry["target"] == "%s/%s" % (sid, pid) and entry["actor"], entry

        # A contributor, erased by e-mail (owner, over REST).
        status, invited = hub.api("POST", "/api/v1/contributors", {"name": "Fenna Fuutenburg", "email": "fenna.fuut@example.org", "organisation": "Woonstad Futenhof"})
        assert status == 201, invited
        hub.hubctl("kennisbank", "erase-contributor", "fenna.fuut@example.org")

        # The operator, on the stopped hub's file: Bob erased by name (hubctl starts the plugins to render the
        # views), the facilitator's export and erasure.
        # On PostgreSQL (`SESSIONHUB_E2E_STORE=postgres`) `participant erase --db` has no counterpart: the running hub
        # erases Bob by name; the facilitator's export and erasure take --store.
        if hub.store:
            bob_erased = hub.hubctl_json("participant", "erase", "--name", BOB["name"])
        hub.stop()
        db = str(hub.db)
        if not hub.store:
            bob_erased = json.loads(hub.hubctl("participant", "erase", "--db", db, "--plugins", hub.plugins, "--name", BOB["name"], "--json").stdout)
        assert bob_erased == {"session": sid, "participant": bob_pid, "erasedEvents": 3}, bob_erased
        account = json.loads(hub.hubctl("facilitator", "export", FACILITATOR_EMAIL, *hub.store_args()).stdout)
        assert account["account"]["email"] == FACILITATOR_EMAIL and "passwordHash" not in account["account"], account["account"]
        assert sid in [x["id"] for x in account["sessions"]] and "login" in [e["action"] for e in account["audit"]]
        hub.hubctl("facilitator", "erase", FACILITATOR_EMAIL, *hub.store_args())
        data = db_bytes(hub)
        for gone in (CARDS["a1"][1], CARDS["a2"][1], BOB["name"], FACILITATOR_EMAIL, "Fenna Fuutenburg", "fenna.fuut@example.org", "Woonstad Futenhof"):
            assert gone.encode() not in data, "%s is still in the database" % gone
        assert CARDS["a3"][1].encode() in data, "the anonymous cards stay, sealed"
        for action, n in (("participant.erase", 2), ("contributor.erase", 1), ("facilitator.export", 1), ("facilitator.erase", 1)):
            if hub.store:
                assert stored_rows(hub, "SELECT count(*) FROM audit WHERE action = ?", action) == [(n,)], action
            else:
                assert len(hub.hubctl_json("audit", "--db", db, "--action", action)) == n, action
