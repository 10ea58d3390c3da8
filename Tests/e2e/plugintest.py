"""What the plugin suites share: a room of participants with a started console, the assertions on a plugin's
refusals, and a hub that records every line it sends one plugin (for byte-for-byte replay tests)."""
import asyncio
import json
import shutil

from hubclient import Client
from hubprocess import ARTIFACTS, REPO, Hub, find_hubctl


async def room(hub, code, n, prefix="p", names=None, orgs=None):
    """The owner's console and `n` participants (named `names[i]`, else "Deelnemer 00", …; organisation
    `orgs[i]` if given) joined to `code`, then the session started with its first activity current.
    Returns (console, participants)."""
    fac = Client(hub.ws_url, "fac")
    await fac.connect()
    await fac.join(code, auth=hub.token)
    people = [Client(hub.ws_url, "%s%02d" % (prefix, i)) for i in range(n)]
    await asyncio.gather(*(p.connect() for p in people))
    await asyncio.gather(*(p.join(code, name=names[i] if names else "Deelnemer %02d" % i, **({"org": orgs[i]} if orgs else {}))
                           for i, p in enumerate(people)))
    await fac.ok(fac.command("start"))
    await fac.ok(fac.command("next"))
    return fac, people


def refused(reply, detail):
    """The plugin refused the input with its code `detail` and a message."""
    assert reply["t"] == "error" and reply["code"] == "rejected" and reply.get("detail") == detail, reply
    assert reply.get("message"), reply


def gated(reply):
    """The hub refused the input before the plugin: the activity's phase does not take it."""
    assert reply["t"] == "error" and reply["code"] == "phase_forbids", reply


def recording_hub(request, plugin):
    """A started, logged-in hub in test-artifacts/e2e/<plugin>.recorded whose shipped plugin `plugin` runs behind
    `tee`: every line the hub sends it is appended to <plugins>/<plugin>/recorded.jsonl. Stopped when the test
    ends. Returns (hub, its plugins folder)."""
    from conftest import _finish
    workdir = ARTIFACTS / ("%s.recorded" % plugin)
    shutil.rmtree(workdir, ignore_errors=True)
    folder = workdir / "plugins"
    shutil.copytree(REPO / "plugins" / plugin, folder / plugin)
    manifest = json.loads((folder / plugin / "plugin.json").read_text())
    manifest["command"] = ["/bin/sh", "-c", 'exec tee -a recorded.jsonl | "$@"', "sh"] + manifest["command"]
    (folder / plugin / "plugin.json").write_text(json.dumps(manifest))
    hub = Hub(find_hubctl(), workdir, plugins=folder)
    request.addfinalizer(lambda: _finish(hub))
    hub.bootstrap()
    hub.start()
    hub.login()
    return hub, folder
