"""CONTRACTS.md §1: `roster` goes to facilitators on change, its `connected` flags included. A change of a
participant's connection adds no event, so the session's seq stays where the facilitator's `welcome` had
it: the roster must still go out (it went only after the next event, when some change moved the seq)."""
import agendas
from hubclient import Client, run


def test_a_participant_leaving_reaches_a_facilitator_welcomed_at_the_current_seq(hub):
    session = hub.create_session(agendas.standard("Wie is er?"))

    async def main():
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="Pim")
        f = Client(hub.ws_url, "fac")
        await f.connect()
        welcome = await f.join(session["code"], auth=hub.token)

        def pim():
            return next((e for e in ((f.roster or {}).get("participants") or []) if e["id"] == p.participant), None)
        await f.wait_until(lambda: pim() is not None and pim()["connected"], what="Pim connected in the roster")
        await p.close()
        await f.wait_until(lambda: pim() is not None and not pim()["connected"], timeout=10,
                           what="Pim disconnected in a roster after the welcome (seq %d)" % welcome["seq"])
        await f.close()
    run(main(), timeout=60)
