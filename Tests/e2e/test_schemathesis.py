"""Issue 13, "prove it like trusted servers do": REST fuzzing with schemathesis.

schemathesis (PyPI) reads web/openapi.json (the document the hub serves at /api/v1/openapi.json; the
first test checks that they are the same) and generates requests for every operation from its schemas:
a fixed number of examples per operation, valid and invalid ones (mode `all`), with a fixed seed
(`derandomize`), so every run sends the same requests (the slower coverage phase is off; it found
nothing more at 60 examples either). They go to a real hub with a logged-in facilitator's token. Every answer must be no 5xx, a
status the document lists for that operation, a documented content type and a body that matches the
documented schema (one documented 503 excepted: a search stopped at its time budget). One pytest test
per operation.

Generated path parameters (a session id, a record id, …) almost never name something that exists, so
they would only ever meet the 404. Two in three examples therefore get a real one instead, chosen from
the hub's data (sessions in each status, the example kennisbank and gereedschapskist, their monitoring
entries, effects, contributors, series) by a hash of the generated value, so the choice is as fixed as
the generation. POST /api/v1/logout gets a token of its own per example (it ends the token it is sent with).
Everything else uses the module's facilitator token; generated bodies create and delete sessions,
series, records and contributors in this module's own hub only.

Environment: `E2E_SCHEMATHESIS_EXAMPLES` (default 10) changes the number of generated examples per
operation, e.g. 200 for a longer run by hand.
"""
import json
import os
import shutil
import zlib

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

import agendas
from hubprocess import ARTIFACTS, CheapHub, FACILITATOR_EMAIL, FACILITATOR_PASSWORD, HubFailed, REPO, find_hubctl, finish

SPEC_PATH = REPO / "web" / "openapi.json"
# Hypothesis keeps caches in ./.hypothesis unless told otherwise: keep them with the other artifacts.
set_hypothesis_home_dir(str(ARTIFACTS / "hypothesis"))
EXAMPLES = int(os.environ.get("E2E_SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]

CONFIG = SchemathesisConfig.from_dict({
    "seed": 13,
    # The bearer token is ours (below), never a generated one: a random token only ever meets the 401.
    "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "with-security-parameters": False},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
})
schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx, value):
    """The imports take JSON Lines, documented as a string body: sent as its UTF-8 text."""
    return value.encode() if isinstance(value, str) else (json.dumps(value) + "\n").encode()


@pytest.fixture(scope="module")
def fuzz_hub():
    binary = find_hubctl()
    if not binary:
        pytest.fail("no hubctl binary", pytrace=False)
    workdir = ARTIFACTS / "test_schemathesis"
    shutil.rmtree(workdir, ignore_errors=True)
    h = CheapHub(binary, workdir)
    try:
        h.bootstrap()
        h.start()
        h.login()
    except HubFailed as e:
        finish(h)
        pytest.fail(str(e), pytrace=False)
    h.hubctl_json("kennisbank", "import", REPO / "docs" / "examples" / "kennisbank.jsonl")
    h.hubctl_json("toolkit", "import", REPO / "docs" / "examples" / "gereedschapskist.jsonl")
    yield h
    tail = finish(h)
    if tail is not None:
        pytest.fail("hub exited with %s during the fuzzing:\n%s" % (h.proc.returncode, tail), pytrace=False)


@pytest.fixture(scope="module")
def http():
    with requests.Session() as s:
        s.trust_env = False  # the hub is on the loopback address: no proxy from the environment
        yield s


def test_the_hub_serves_this_document(fuzz_hub, http):
    served = http.get(fuzz_hub.url + "/api/v1/openapi.json", timeout=30)
    assert served.status_code == 200
    assert served.json() == json.loads(SPEC_PATH.read_text())


@pytest.fixture(scope="module")
def known(fuzz_hub, http):
    """Real values for the path parameters, per parameter name (and per path for `id`)."""
    auth = {"Authorization": "Bearer " + fuzz_hub.token}

    def api(method, path, headers=auth, **kw):
        r = http.request(method, fuzz_hub.url + path, headers=headers, timeout=30, **kw)
        assert r.status_code < 300, (method, path, r.status_code, r.text)
        return r.json() if r.text else None
    sessions = []
    for status in ("draft", "open", "closed", "draft", "open"):
        s = api("POST", "/api/v1/sessions", data=agendas.standard("Fuzz %s" % status, series="fuzz"),
                headers={**auth, "Content-Type": "application/yaml"})
        if status != "draft":
            api("POST", "/api/v1/sessions/%s/start" % s["id"])
        if status == "closed":
            api("POST", "/api/v1/sessions/%s/close" % s["id"])
        sessions.append(s)
    examples = REPO / "docs" / "examples"
    records = [json.loads(l) for l in (examples / "kennisbank.jsonl").read_text().splitlines() if l.strip()]
    monitoring = [json.loads(l) for l in (examples / "monitoring.jsonl").read_text().splitlines() if l.strip()]
    for intervention in sorted({m["intervention"] for m in monitoring}):
        api("POST", "/api/v1/interventions/%s/monitoring" % intervention,
            json={"entries": [m for m in monitoring if m["intervention"] == intervention]})
    contributors = [api("POST", "/api/v1/contributors", json={"name": "Fuzz %d" % i})["contributor"]["id"] for i in range(3)]
    effects = [e["id"] for e in api("GET", "/api/v1/effects")["effects"]]
    return {
        "session": [s["id"] for s in sessions] + [s["code"] for s in sessions],
        "code": [s["code"] for s in sessions],
        "series": ["fuzz", "e2e"],
        "entry": [m["id"] for m in monitoring],
        "/api/v1/interventions/": [r["id"] for r in records],
        "/api/v1/toolkit/": [json.loads(l)["id"] for l in (examples / "gereedschapskist.jsonl").read_text().splitlines() if l.strip()],
        "/api/v1/effects/": effects,
        "/api/v1/contributors/": contributors,
    }


def with_known_values(case, known):
    """Two in three examples get real path values (see the module's doc), chosen by a hash of the generated ones."""
    params = case.path_parameters or {}
    for name, generated in list(params.items()):
        choices = known.get(name) or next((v for k, v in known.items() if k.startswith("/") and case.path.startswith(k)), None)
        h = zlib.crc32(repr(generated).encode())
        if choices and h % 3:
            params[name] = choices[(h // 3) % len(choices)]


def login(hub, http):
    r = http.post(hub.url + "/api/v1/login", json={"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture(scope="module")
def spare_tokens(fuzz_hub, http):
    """Tokens for the logout examples, made before the login examples: their failed logins would have this
    address throttled (429) by the time logout is fuzzed."""
    return [login(fuzz_hub, http) for _ in range(3 * EXAMPLES + 10)]


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=True,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_operation(case, fuzz_hub, http, known, spare_tokens):
    with_known_values(case, known)
    token = (spare_tokens.pop() if spare_tokens else login(fuzz_hub, http)) if case.path == "/api/v1/logout" else fuzz_hub.token
    response = case.call(base_url=fuzz_hub.url, session=http, headers={"Authorization": "Bearer " + token}, timeout=30)
    case.validate_response(response, checks=CHECKS[1:] if documented_5xx(case, response) else CHECKS)


# The 5xx a healthy hub answers on purpose, each documented: a search stopped at its time budget, which a debug
# build on a busy machine may meet; the backup of a PostgreSQL store, which is the operator's pg_dump.
DOCUMENTED_5XX = {503: "search_timeout", 501: "backup_unavailable"}


def documented_5xx(case, response):
    """Everything else must be no 5xx."""
    code = DOCUMENTED_5XX.get(response.status_code)
    if code is None or str(response.status_code) not in case.operation.definition.raw.get("responses", {}):
        return False
    try:
        return response.json()["error"]["code"] == code
    except (ValueError, KeyError, TypeError):
        return False
