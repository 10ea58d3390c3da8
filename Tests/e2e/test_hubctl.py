"""Acceptance 6 and the `hubctl` contract (CONTRACTS.md section 3): what scripts written by
other people rely on. Exit codes (0, 64 usage, 69 unreachable, 1 other), `--json` printing exactly
one JSON value, errors on stderr, sessions named by id or by code, agenda errors naming the file,
the line and the field.
"""
import json
import re

import pytest

import agendas
from hubprocess import FACILITATOR_PASSWORD, free_port
from hubclient import Client, run


def one_json_value(text):
    """stdout of a --json command must be exactly one JSON value (json.loads refuses more)."""
    return json.loads(text)


def line_of(text, needle):
    """1-based line number of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def create_failing(hub, yaml_text, name):
    path = hub.dir / name
    path.write_text(yaml_text)
    r = hub.hubctl("session", "create", "--agenda", path, check=False)
    assert r.returncode != 0, "a bad agenda must fail: %s" % r.stdout
    assert r.returncode == 1, "validation failures exit 1, got %d" % r.returncode
    assert r.stdout.strip() == "", "errors go to stderr, stdout stays clean: %r" % r.stdout
    return path, r.stderr


def assert_names(stderr, path, line, field):
    """stderr names the file, a line and the field, on one line."""
    hits = [l for l in stderr.splitlines() if str(path.name) in l and field in l]
    assert hits, "no stderr line names %s and %s:\n%s" % (path.name, field, stderr)
    numbers = {int(n) for l in hits for n in re.findall(r"(?<![\w.])(\d+)(?![\w.])", l)}
    assert line in numbers, "expected line %d in:\n%s" % (line, "\n".join(hits))


def test_unknown_plugin_names_file_line_and_field(hub):
    text = """series: e2e
session: Unknown plugin
lang: en
agenda:
  - plugin: counter
    title: Fine
  - plugin: no-such-plugin
    title: Broken
"""
    path, stderr = create_failing(hub, text, "unknown-plugin.yaml")
    assert_names(stderr, path, line_of(text, "no-such-plugin"), "plugin")
    assert "no-such-plugin" in stderr


def test_wrong_config_type_names_file_line_and_field(hub):
    text = """series: e2e
session: Wrong config
lang: en
agenda:
  - plugin: echo
    title: Fine
  - plugin: counter
    title: Broken
    config: {step: three}
"""
    path, stderr = create_failing(hub, text, "wrong-config.yaml")
    assert_names(stderr, path, line_of(text, "step: three"), "step")


def test_wrong_config_type_in_block_style_points_at_the_key(hub):
    text = """session: Wrong config block
agenda:
  - plugin: counter
    title: Broken
    config:
      label: fine
      step: 11
"""
    path, stderr = create_failing(hub, text, "wrong-config-block.yaml")
    # The field is named; the line is that of `step` or at least of its `config`.
    hits = [l for l in stderr.splitlines() if path.name in l and "step" in l]
    assert hits, stderr
    numbers = {int(n) for l in hits for n in re.findall(r"(?<![\w.])(\d+)(?![\w.])", l)}
    assert numbers & {line_of(text, "step: 11"), line_of(text, "config:")}, stderr


def test_missing_title_and_unknown_config_key_are_named(hub):
    text = """session: Missing title
agenda:
  - plugin: counter
    config: {colour: red}
"""
    path, stderr = create_failing(hub, text, "missing-title.yaml")
    assert "title" in stderr and "colour" in stderr, stderr
    sessions = hub.hubctl_json("session", "list")
    assert all(s["title"] != "Missing title" for s in sessions), "a failed create creates nothing"


def test_session_lifecycle_by_id_and_by_code(hub):
    created = hub.create_session(agendas.standard("Lifecycle"))
    assert set(created) >= {"id", "code", "participantUrl", "facilitatorUrl", "beamerUrl"}
    sid, code = created["id"], created["code"]
    assert re.fullmatch(r"s_[a-z2-7]{12}", sid), sid
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}", code), code
    assert created["participantUrl"] == hub.url + "/s/" + code
    assert created["facilitatorUrl"] == hub.url + "/facilitate/" + sid
    assert created["beamerUrl"] == hub.url + "/beamer/" + code

    listed = one_json_value(hub.hubctl("session", "list", "--json").stdout)
    assert any(s["id"] == sid and s["code"] == code and s["status"] == "draft" for s in listed)

    for ref in (sid, code, code.lower()):
        shown = hub.hubctl_json("session", "show", ref)
        assert shown["id"] == sid and shown["title"] == "Lifecycle"
        assert [a["id"] for a in shown["agenda"]] == ["a1", "a2", "a3"]
        assert [a["plugin"] for a in shown["agenda"]] == ["counter", "echo", "counter"]
    text = hub.hubctl("session", "show", code).stdout
    assert "Lifecycle" in text and code in text

    assert hub.hubctl_json("session", "start", code)["status"] == "open"
    assert hub.hubctl_json("session", "show", sid)["status"] == "open"
    assert hub.hubctl_json("session", "close", sid)["status"] == "closed"

    exported = one_json_value(hub.hubctl("session", "export", code, "--format", "json").stdout)
    assert exported["session"]["id"] == sid
    types = [e["type"] for e in exported["events"]]
    assert types == ["start", "close"], types
    csv = hub.hubctl("session", "export", sid, "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("seq,") and len(csv.splitlines()) == 3
    md = hub.hubctl("session", "export", sid, "--format", "md").stdout
    assert md.startswith("# Lifecycle")
    out = hub.dir / "export.json"
    r = hub.hubctl("session", "export", sid, "--format", "json", "--out", out)
    assert r.stdout == "" and json.loads(out.read_text())["session"]["id"] == sid

    r = hub.hubctl("session", "delete", code, "--json")
    one_json_value(r.stdout)
    r = hub.hubctl("session", "show", sid, check=False)
    assert r.returncode == 1 and r.stderr.strip(), "a deleted session is not found"
    assert all(s["id"] != sid for s in hub.hubctl_json("session", "list"))


def test_delete_closes_live_connections_with_4002(hub):
    created = hub.create_session(agendas.counter_only("Delete live"))

    async def main():
        p = Client(hub.ws_url, "p")
        await p.connect()
        await p.join(created["code"], name="P")
        r = hub.hubctl("session", "delete", created["id"], check=False)
        assert r.returncode == 0, r.stderr
        assert await p.wait_closed() == 4002
    run(main())


def test_co_facilitator_cannot_delete(hub):
    """DECISIONS.md: deleting is for owners; a co-facilitator gets a refusal (exit 1)."""
    created = hub.create_session(agendas.counter_only("Not yours to delete"))
    hub.hubctl("facilitator", "add", *hub.store_args(), "--email", "co@example.org", "--name", "Co",
               "--password-stdin", "--role", "co-facilitator", input="co-password\n")
    r = hub.hubctl("login", "--server", hub.url, "--email", "co@example.org", "--password-stdin", "--json",
                   input="co-password\n")
    co_token = one_json_value(r.stdout)["token"]
    r = hub.hubctl("session", "delete", created["id"], "--token", co_token, check=False)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert hub.hubctl_json("session", "show", created["id"])["id"] == created["id"]
    # A co-facilitator may run it.
    assert hub.hubctl_json("session", "start", created["id"], "--token", co_token)["status"] == "open"


def test_series_create_list_show(hub):
    path = hub.dir / "series.yaml"
    path.write_text("id: leerkring-2027\ntitle: Leerkring Zuidoost 2027\nkind: leerkring\n"
                    "description: Vier lokale sessies in de wijk\n")
    series = hub.hubctl_json("series", "create", "--file", path)
    assert series["id"] == "leerkring-2027" and series["title"] == "Leerkring Zuidoost 2027"
    created = hub.create_session(agendas.counter_only("Eerste lokale sessie", series="leerkring-2027"))

    listed = one_json_value(hub.hubctl("series", "list", "--json").stdout)
    assert any(s["id"] == "leerkring-2027" for s in listed)
    shown = hub.hubctl_json("series", "show", "leerkring-2027")
    assert shown["title"] == "Leerkring Zuidoost 2027"
    assert [s["id"] for s in shown["sessions"]] == [created["id"]]
    assert "Eerste lokale sessie" in hub.hubctl("series", "show", "leerkring-2027").stdout
    # `series: X` in an agenda names an existing series by id or title, else creates it.
    hub.create_session(agendas.counter_only("Tweede", series="Leerkring Zuidoost 2027"))
    assert len(hub.hubctl_json("series", "show", "leerkring-2027")["sessions"]) == 2


def test_plugins_list_and_validate(hub):
    listed = one_json_value(hub.hubctl("plugins", "list", "--json").stdout)
    plugins = listed["plugins"] if isinstance(listed, dict) else listed
    by_name = {p["name"]: p for p in plugins}
    assert {"counter", "echo"} <= set(by_name)
    assert by_name["counter"]["version"] == "1.0.0"
    phases = [p if isinstance(p, str) else p["name"] for p in by_name["counter"]["phases"]]
    assert phases == ["counting", "frozen"]
    assert by_name["counter"]["state"] in ("running", "ready", "idle", "starting"), by_name["counter"]
    assert "counter" in hub.hubctl("plugins", "list").stdout
    reloaded = one_json_value(hub.hubctl("plugins", "reload", "--json").stdout)
    assert reloaded
    # Offline validation of a folder of plugins and of one plugin.
    assert hub.hubctl("plugins", "validate", hub.plugins, env=hub.env(HUBCTL_SERVER="http://127.0.0.1:1")).returncode == 0
    r = hub.hubctl("plugins", "validate", hub.plugins.parent / "bad-plugins" / "broken-manifest", check=False)
    assert r.returncode == 1 and "name" in r.stderr


def test_json_outputs_are_one_value_each(hub):
    created = hub.create_session(agendas.counter_only("JSON outputs"))
    for args in (("session", "list"), ("session", "show", created["id"]), ("series", "list"),
                 ("plugins", "list"), ("session", "start", created["code"])):
        one_json_value(hub.hubctl(*args, "--json").stdout)
    one_json_value(hub.hubctl("facilitator", "list", *hub.store_args(), "--json").stdout)
    r = hub.hubctl("login", "--server", hub.url, "--email", "f@example.org", "--password-stdin", "--json",
                   input=FACILITATOR_PASSWORD + "\n")
    assert set(one_json_value(r.stdout)) >= {"token"}


def test_exit_69_when_the_hub_is_unreachable(hub):
    nowhere = "http://127.0.0.1:%d" % free_port()
    for args in (("session", "list"), ("series", "list"), ("plugins", "list"), ("session", "show", "ABCDEF")):
        r = hub.hubctl(*args, "--server", nowhere, "--token", "whatever", check=False)
        assert r.returncode == 69, (args, r.returncode, r.stderr)
        assert r.stderr.strip(), "says why on stderr"
    r = hub.hubctl("login", "--server", nowhere, "--email", "f@example.org", "--password-stdin", check=False,
                   input="x\n")
    assert r.returncode == 69
    r = hub.hubctl("session", "list", check=False, env=hub.env(HUBCTL_SERVER=nowhere))
    assert r.returncode == 69, "HUBCTL_SERVER is honoured"


@pytest.mark.parametrize("args", [
    ("session", "create"),  # --agenda missing
    ("session", "export", "ABCDEF", "--format", "pdf"),
    ("session", "frobnicate"),
    ("login", "--email", "f@example.org"),  # --password-stdin missing
])
def test_exit_64_on_usage_errors(hub, args):
    r = hub.hubctl(*args, check=False)
    assert r.returncode == 64, (args, r.returncode, r.stderr)


def test_failures_exit_1(hub):
    r = hub.hubctl("session", "show", "NOPE22", check=False)
    assert r.returncode == 1 and r.stderr.strip()
    r = hub.hubctl("login", "--server", hub.url, "--email", "f@example.org", "--password-stdin", check=False,
                   input="wrong password\n")
    assert r.returncode == 1
    r = hub.hubctl("session", "list", "--token", "hub_revoked-or-made-up", check=False)
    assert r.returncode == 1
    r = hub.hubctl("session", "create", "--agenda", hub.dir / "does-not-exist.yaml", check=False)
    assert r.returncode == 1 and "does-not-exist.yaml" in r.stderr


def test_saved_token_is_per_home_and_server(hub):
    """`hubctl login` saved the token under HOME: without it (another HOME) commands are refused."""
    assert hub.hubctl("session", "list").returncode == 0
    elsewhere = hub.dir / "other-home"
    elsewhere.mkdir(exist_ok=True)
    r = hub.hubctl("session", "list", check=False, env=hub.env(HOME=str(elsewhere)))
    assert r.returncode == 1 and "login" in r.stderr
    r = hub.hubctl("session", "list", check=False, env=hub.env(HOME=str(elsewhere), HUBCTL_TOKEN=hub.token))
    assert r.returncode == 0, "HUBCTL_TOKEN is honoured"
