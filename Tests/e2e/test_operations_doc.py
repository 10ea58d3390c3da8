"""Issue 13 docs drift: docs/OPERATIONS.md names every `hubctl serve` flag and every series the hub
exports at /metrics, checked against the real binary and the real hub (not against a list kept here)."""
import re
import urllib.request
from pathlib import Path

import agendas
from hubclient import Client, run, started_console

REPO = Path(__file__).resolve().parents[2]
OPERATIONS = (REPO / "docs" / "OPERATIONS.md").read_text()


def test_every_serve_flag_is_in_operations(hub):
    help_text = hub.hubctl("serve", "--help").stdout
    flags = sorted(set(re.findall(r"^\s+(--[a-z][a-z-]+)", help_text, re.M)) - {"--help"})
    assert len(flags) > 20, help_text
    missing = [f for f in flags if "`%s" % f not in OPERATIONS]
    assert not missing, "hubctl serve flags missing from docs/OPERATIONS.md: %s" % missing


def test_every_hub_metric_is_in_operations(hub):
    session = hub.create_session(agendas.standard("Metrieken"))

    async def main():
        f = await started_console(hub, session["code"])
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(session["code"], name="Meter")
        await p.ok(p.input("a1", "inc"))
        await p.input("a1", "inc", {"by": 99})  # the counter refuses it
        await f.close()
        await p.close()
    run(main(), timeout=60)
    text = urllib.request.urlopen(hub.url + "/metrics", timeout=10).read().decode()
    exported = sorted(set(re.findall(r"^# TYPE (\S+) ", text, re.M)))
    declared = sorted(set(re.findall(r'label: "(sessionhub_[a-z_]+)"',
                                     "".join(p.read_text() for p in (REPO / "Sources").rglob("*.swift")))))
    assert "sessionhub_inputs_total" in exported and declared, (exported, declared)
    missing = [m for m in sorted(set(exported) | set(declared)) if "`%s`" % m not in OPERATIONS]
    assert not missing, "series missing from docs/OPERATIONS.md: %s" % missing
