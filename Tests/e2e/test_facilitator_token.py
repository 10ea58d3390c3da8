"""A facilitator console whose token dies (logout, account removed, expiry) stops commanding the session
and receiving its roster (issue 13, found by the permission matrix): its next command gets `unauthorized`
and the close 4003, and an idle console is closed the same way within `--token-check-interval`.
On 4f1cf66 both consoles went on: commands were acked and the roster with names kept coming."""
import pytest

import agendas
from hubclient import Client, run
from hubprocess import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, finish, new_hub


@pytest.fixture(scope="module")
def hub():
    h = new_hub("test_facilitator_token", serve_args=("--token-check-interval", "1"))
    yield h
    finish(h)


def fresh_token(hub):
    status, body = hub.api("POST", "/api/v1/login", {"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}, token=None)
    assert status == 200, body
    return body["token"]


def test_a_logged_out_console_is_refused_at_its_next_command_and_closed(hub):
    session = hub.create_session(agendas.standard("Uitgelogd"))
    token = fresh_token(hub)

    async def main():
        fac = Client(hub.ws_url, "fac")
        await fac.connect()
        await fac.join(session["code"], auth=token)
        await fac.ok(fac.command("start"))
        status, _ = hub.api("POST", "/api/v1/logout", token=token)
        assert status == 204
        reply = await fac.command("next")
        assert reply["t"] == "error" and reply["code"] == "unauthorized", reply
        assert await fac.wait_closed() == 4003
    run(main())


def test_an_idle_console_is_closed_when_its_token_dies(hub):
    session = hub.create_session(agendas.standard("Stil"))
    token = fresh_token(hub)

    async def main():
        fac = Client(hub.ws_url, "fac")
        await fac.connect()
        await fac.join(session["code"], auth=token)
        other = Client(hub.ws_url, "other")  # a console on another token keeps its connection
        await other.connect()
        await other.join(session["code"], auth=hub.token)
        status, _ = hub.api("POST", "/api/v1/logout", token=token)
        assert status == 204
        assert await fac.wait_closed(timeout=15) == 4003
        assert any(e["code"] == "unauthorized" for e in fac.errors())
        await other.ok(other.command("start"))
        await other.close()
    run(main())
