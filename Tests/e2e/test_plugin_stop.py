"""docs/PLUGINS.md: `stop` reaches a plugin's instances when their session closes (a closed session
is served from its saved views) and when an open session is deleted.

The e2e `counter` plugin writes `counter stopped <instance>` to stderr on `stop`; the hub logs stderr.
"""
import time

import agendas
from hubclient import Client, run, started_console


def hub_log(hub):
    return (hub.dir / ("serve-%d.stderr" % hub.starts)).read_text(errors="replace")


def wait_for_lines(hub, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    while not all(w in hub_log(hub) for w in wanted) and time.monotonic() < deadline:
        time.sleep(0.1)
    missing = [w for w in wanted if w not in hub_log(hub)]
    assert not missing, "not in the hub log: %s" % missing


def test_stop_is_sent_when_a_session_closes_and_when_it_is_deleted(hub):
    session = hub.create_session(agendas.standard("Stoppen"))
    sid = session["id"]
    counters = ["counter stopped %s/a1" % sid, "counter stopped %s/a3" % sid]

    async def main():
        f = await started_console(hub, session["code"])
        assert not any(c in hub_log(hub) for c in counters), "stop before the close"
        await f.ok(f.command("close"))
        await f.close()
    run(main(), timeout=60)
    wait_for_lines(hub, counters)
    assert hub_log(hub).count(counters[0]) == 1


def test_stop_is_sent_when_an_open_session_is_deleted(hub):
    session = hub.create_session(agendas.standard("Weg ermee"))
    sid = session["id"]

    async def main():
        f = await started_console(hub, session["code"])
        await f.close()
    run(main(), timeout=60)
    status, body = hub.api("DELETE", "/api/v1/sessions/%s" % sid)
    assert status == 204, (status, body)
    wait_for_lines(hub, ["counter stopped %s/a1" % sid, "counter stopped %s/a3" % sid])
