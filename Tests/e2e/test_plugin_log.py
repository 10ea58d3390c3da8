"""Issue 13, finding 11: a plugin's stderr is capped and rate-limited in the hub's log, and its crash
backtrace is logged at warning.

The `crasher` plugin's `spew` input writes about 7 MB of stderr (ten lines of 512 KiB, 50,000 short
lines) and then raises, so Python prints a backtrace and exits 1. The hub's log must grow by far less
than that, say how many lines it dropped, and show the backtrace's last line at warning.
"""
import time

from conftest import E2E
from hubclient import Client, close_all, run
from test_plugin_host import agenda, facilitator, make_hub

BACKTRACE_END = "RuntimeError: crasher spewed and crashed"


def hub_log(hub):
    return (hub.dir / ("serve-%d.stderr" % hub.starts)).read_text(errors="replace")


def test_a_spewing_plugin_cannot_flood_the_hub_log_and_its_backtrace_is_a_warning(request):
    hub = make_hub(request, [E2E / "bad-plugins" / "crasher"])
    session = hub.create_session(agenda(("crasher", [])))
    before = len(hub_log(hub).encode())

    async def main():
        f = await facilitator(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="Spuier")
        try:
            await f.ok(f.command("start"))
            await f.ok(f.command("goto", activity="a1"))
            reply = await p.input("a1", "spew", timeout=30)
            assert reply["t"] == "error" and reply["code"] == "rejected" and reply.get("detail") == "plugin_failed", reply
        finally:
            await close_all([f, p])
    run(main(), timeout=90)

    # The backtrace arrives with the process's end: wait for it (bounded), never for a duration.
    deadline = time.monotonic() + 30
    while BACKTRACE_END not in hub_log(hub) and time.monotonic() < deadline:
        time.sleep(0.1)
    log = hub_log(hub)
    lines = log.splitlines()
    grown = len(log.encode()) - before
    assert grown < 512 * 1024, "the hub log grew by %d bytes for ~7 MB of plugin stderr" % grown
    assert max(len(line.encode()) for line in lines) < 4096, "a 512 KiB stderr line reached the log uncut"
    assert any("plugin log lines dropped" in line and "dropped=" in line for line in lines), "no dropped count"
    ends = [line for line in lines if BACKTRACE_END in line]
    assert any(" warning " in line for line in ends), ends or log[-2000:]
    assert any("Traceback (most recent call last):" in line and " warning " in line for line in lines)
