"""Issue 20: the dry run `POST /api/v1/agendas/validate` and the plugin list the agenda editor reads.

One validator: the dry run answers the very problems `hubctl session create` prints (`file:line: field:
message`), and creates nothing. Bad input: a body that is not YAML, one over 4 MiB, a JSON body without
`agenda`, no token. `agenda` in the answer is the document as JSON with YAML's typing (the editor's import),
left out past the YAML budget (an alias bomb). `GET /api/v1/plugins` carries each manifest's `description`
and `configSchema`. Runs in a few seconds on one hub.
"""
import json

import agendas

BAD = """\
session: Kapot
lang: en
agenda:
  - plugin: counter
    title: Count
    config:
      step: 99
      label: fine
  - plugin: nope
    title: Unknown
  - plugin: counter
    title: ""
"""


def validate(hub, body, content_type="application/yaml", token="default"):
    return hub.api("POST", "/api/v1/agendas/validate", body, token=token, content_type=content_type)


def test_the_dry_run_gives_hubctls_problems_and_creates_nothing(hub):
    hub.login()
    before = hub.api("GET", "/api/v1/sessions")[1]["sessions"]
    status, answer = validate(hub, BAD)
    assert status == 200 and answer["ok"] is False, answer
    shown = ["agenda.yaml%s: %s: %s" % (":%d" % e["line"] if e.get("line") else "", e["field"], e["message"]) for e in answer["errors"]]
    path = hub.dir / "agenda.yaml"
    path.write_text(BAD)
    r = hub.hubctl("session", "create", "--agenda", "agenda.yaml", check=False)
    assert r.returncode != 0
    printed = [l for l in r.stderr.splitlines() if l.startswith("agenda.yaml:")]
    assert printed == shown, (printed, shown)
    assert {e["field"] for e in answer["errors"]} >= {"agenda[0].config.step", "agenda[1].plugin", "agenda[2].title"}
    assert hub.api("GET", "/api/v1/sessions")[1]["sessions"] == before


def test_a_good_agenda_is_ok_and_comes_back_as_json(hub):
    hub.login()
    text = agendas.counter_only(title="Droog") + "    config: {step: 2, label: \"007\"}\ndate: \"2026-12-02\"\n"
    status, answer = validate(hub, text)
    assert status == 200 and answer["ok"] is True and "errors" not in answer, answer
    doc = answer["agenda"]
    assert doc["session"] == "Droog" and doc["series"] == "e2e" and doc["date"] == "2026-12-02"
    assert doc["agenda"][0]["config"] == {"step": 2, "label": "007"}, doc  # YAML's typing: the quoted number stays text
    status, answer = validate(hub, {"agenda": text}, content_type="application/json")
    assert status == 200 and answer["ok"] is True


def test_bad_input(hub):
    hub.login()
    status, answer = validate(hub, "session: [unclosed\nagenda: {")
    assert status == 200 and answer["ok"] is False and answer["errors"][0]["field"] == "yaml" and "agenda" not in answer, answer
    status, answer = validate(hub, "just a sentence")
    assert status == 200 and answer["errors"][0]["field"] == "agenda", answer
    status, answer = validate(hub, {"agendas": "x"}, content_type="application/json")
    assert status == 400 and answer["error"]["code"] == "bad_message", answer
    status, answer = validate(hub, "session: x\n#" + "x" * (4 << 20))
    assert status == 413 and answer["error"]["code"] == "too_large", answer
    status, answer = validate(hub, agendas.counter_only(), token=None)
    assert status == 401 and answer["error"]["code"] == "unauthorized", answer
    # An alias bomb: the problems, and no document (past the budget nothing is expanded).
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 7):
        bomb += "%s: &%s [%s]\n" % (chr(97 + i), chr(97 + i), ", ".join(["*" + chr(96 + i)] * 10))
    bomb += "session: Bom\nagenda:\n  - plugin: counter\n    title: Boem\n    config: {label: *g}\n"
    status, answer = validate(hub, bomb)
    assert status == 200 and answer["ok"] is False and "agenda" not in answer, json.dumps(answer)[:500]


def test_the_plugin_list_has_descriptions_and_config_schemas(hub):
    hub.login()
    status, body = hub.api("GET", "/api/v1/plugins")
    assert status == 200
    for p in body["plugins"]:
        assert set(p["description"]) == {"nl", "en"} and p["configSchema"]["type"] == "object", p
    assert hub.api("GET", "/api/v1/plugins", token=None)[0] == 401
