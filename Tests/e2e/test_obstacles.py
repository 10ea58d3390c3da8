"""Acceptance of the obstacles plugin (belemmeringen, issue 19), against the real hub and the shipped `plugins/obstacles`.

Here: every refusal code of docs/OBSTACLES.md over the wire and config errors at creation; a recorded session that
replays byte for byte to the views and outputs the room had (acceptance 3). The run with 20 participants and a Chromium
facilitator through every phase, read back over REST (acceptance 1), and the phones (360 px, keyboard only, nl and en)
are in browser/test_obstacles_browser.py; the facilitator's controls by keyboard in browser/test_console_controls.py.
"""
import asyncio
import json
import subprocess

import pytest

from conftest import REPO, shipped_hub
from hubclient import close_all, run
from plugintest import gated, recording_hub, refused, room


@pytest.fixture(scope="module")
def hub():
    with shipped_hub("module", ("obstacles",)) as h:
        yield h


def agenda(config):
    return "\n".join(["series: e2e", "session: Leerkring belemmeringen", "lang: nl", "agenda:", "  - plugin: obstacles",
                      "    title: Belemmeringen", "    config: %s" % json.dumps(config, ensure_ascii=False)]) + "\n"


def phase(fac, name):
    return fac.ok(fac.command("phase", activity="a1", phase=name))


def test_every_refusal_has_its_code_and_config_errors_are_caught_at_creation(hub):
    session = hub.create_session(agenda({"perPerson": 2, "maxLength": 30}), name="rules.yaml")

    async def main():
        fac, (p0, p1) = await room(hub, session["code"], 2)
        a = "a1"
        try:
            await p0.ok(p0.input(a, "obstacle", {"category": "budget", "text": " Geen\u0007 potje "}))
            for cat in ("geld", None, 1, ["budget"]):
                refused(await p1.input(a, "obstacle", {"category": cat, "text": "x"}), "unknown_category")
            for text, code in ((None, "bad_text"), (5, "bad_text"), ("  ", "empty"), ("x" * 31, "too_long"), ("GEEN POTJE", "duplicate")):
                refused(await p1.input(a, "obstacle", {"category": "budget", "text": text}), code)
            refused(await p1.input(a, "obstacle", {"category": "budget", "text": "a", "by": "p0"}), "bad_payload")
            await p1.ok(p1.input(a, "obstacle", {"category": "wet-en-regelgeving", "text": "Privacyregels"}))
            await p1.ok(p1.input(a, "obstacle", {"category": "anders", "text": "Geen potje"}))
            refused(await p1.input(a, "obstacle", {"category": "anders", "text": "Nog een"}), "too_many")
            gated(await p0.input(a, "weigh", {"obstacle": "b1", "often": 1, "blocks": 1}))
            gated(await p0.input(a, "merge", {"obstacle": "b1", "into": "b2"}))
            ids = [o["id"] for o in (await fac.wait_view(a, "public", check=lambda v: len(v["obstacles"]) == 3))["obstacles"]]
            refused(await fac.input(a, "merge", {"obstacle": ids[0], "into": ids[0]}), "same_obstacle")
            for bad in ("b0", 7, None):
                refused(await fac.input(a, "merge", {"obstacle": bad, "into": ids[1]}), "unknown_obstacle")
                refused(await fac.input(a, "remove", {"obstacle": bad}), "unknown_obstacle")
            await phase(fac, "wegen")
            for often, blocks in ((0, 3), (6, 3), (3, 2.5), ("3", 3), (True, 3), (3, None)):
                refused(await p0.input(a, "weigh", {"obstacle": ids[0], "often": often, "blocks": blocks}), "bad_weight")
            await p0.ok(p0.input(a, "weigh", {"obstacle": ids[0], "often": 4, "blocks": 5}))
            await phase(fac, "oplossen")
            refused(await p0.input(a, "solution", {"obstacle": ids[0], "text": "Fonds", "kind": "advies"}), "bad_kind")
            refused(await p0.input(a, "solution", {"obstacle": ids[0], "text": "x" * 601}), "too_long")
            await p0.ok(p0.input(a, "solution", {"obstacle": ids[0], "text": "Wijkfonds aanvragen", "kind": "tip"}))
            refused(await p1.input(a, "solution", {"obstacle": ids[0], "text": "wijkfonds  aanvragen"}), "duplicate")
            await phase(fac, "vastleggen")
            refused(await fac.input(a, "publish", {"top": 3}), "bad_payload")
            await fac.ok(fac.input(a, "publish", {}))
            refused(await fac.input(a, "publish", {}), "already_published")
            await phase(fac, "oplossen")
            refused(await p0.input(a, "solution", {"obstacle": ids[0], "text": "Te laat"}), "already_published")
        finally:
            await close_all([fac, p0, p1])
    run(main())
    for i, (config, field) in enumerate([({"top": 0}, "config.top"), ({"colour": "red"}, "config.colour"), ({"maxLength": 5}, "config.maxLength")]):
        path = hub.dir / ("bad-%d.yaml" % i)
        path.write_text(agenda(config))
        r = hub.hubctl("session", "create", "--agenda", path, check=False)
        assert r.returncode != 0 and field in r.stderr, (config, r.stderr)


def test_a_recorded_session_replays_byte_for_byte(request):
    hub, folder = recording_hub(request, "obstacles")
    session = hub.create_session(agenda({}), name="recorded.yaml")
    sid = session["id"]

    async def main():
        fac, people = await room(hub, session["code"], 6)
        a = "a1"
        try:
            await asyncio.gather(*(p.ok(p.input(a, "obstacle", {"category": "budget", "text": "Belemmering %d" % i})) for i, p in enumerate(people)))
            refused(await people[0].input(a, "obstacle", {"category": "budget", "text": "belemmering 1"}), "duplicate")
            ids = [o["id"] for o in (await fac.wait_view(a, check=lambda v: len(v["obstacles"]) == 6))["obstacles"]]
            await fac.ok(fac.input(a, "merge", {"obstacle": ids[1], "into": ids[0]}))
            await phase(fac, "wegen")
            await asyncio.gather(*(p.ok(p.input(a, "weigh", {"obstacle": ids[2 + i % 4], "often": 1 + i % 5, "blocks": 5 - i % 5})) for i, p in enumerate(people)))
            await phase(fac, "oplossen")
            await asyncio.gather(*(p.ok(p.input(a, "solution", {"obstacle": ids[2 + i % 4], "text": "Oplossing %d" % i})) for i, p in enumerate(people)))
            await phase(fac, "vastleggen")
            await fac.ok(fac.input(a, "publish", {}))
            await fac.ping()
        finally:
            await close_all(people + [fac])
    run(main())
    exported = hub.export(sid)
    hub.stop()
    recording = (folder / "obstacles" / "recorded.jsonl").read_text()
    command = ["python3", str(REPO / "plugins" / "obstacles" / "obstacles.py")]
    one = subprocess.run(command, input=recording, capture_output=True, text=True, timeout=60).stdout
    two = subprocess.run(command, input=recording, capture_output=True, text=True, timeout=60).stdout
    assert one == two and one.count("\n") == recording.count("\n")
    answers = [json.loads(l) for l in one.splitlines()]
    assert [a["code"] for a in answers if a["t"] == "reject"] == ["duplicate"]
    last, outputs = {}, []
    for a in answers:
        if a["t"] == "views":
            last.update(a["views"])
            outputs += [(a["seq"], i, o) for i, o in enumerate(a.get("outputs", []))]
    views = {v["audience"]: v["view"] for v in exported["views"] if v["activity"] == "a1"}
    assert last["public"] == views["public"] and last["facilitator"] == views["facilitator"]
    stored = [(o["seq"], o["index"], {"kind": o["kind"], "record": o["record"]}) for o in exported["outputs"]]
    assert outputs == stored and len(stored) == 7
