"""Issue 13, the REST findings: drafts stay hidden in every kennisbank read (6), search is bounded (3),
login is throttled and tokens expire (7), join codes cannot be probed (8), agendas cannot blow up (10),
and the smaller REST items of 11 (headers on every answer, import errors capped, hubctl fixes).

Each test talks to a real `hubctl serve` over HTTP, as a hostile client would; docs/SECURITY.md names
the limits and flags these tests hold.
"""
import json

import pytest

PHONE = "06-12345678"


def practice(effect, **extra):
    record = {"title": "Buurtkamer in de plint", "kind": "ontmoetingsplekken", "type": "praktijk", "state": "draft",
              "summary": "Een huiskamer voor de buurt.", "effects": [effect], "scale": "buurt", "themes": ["leven"],
              "activeIngredients": [{"id": "wb-1", "statement": "Bewoners houden de sleutel", "evidence": {"level": "onbekend"}}]}
    record.update(extra)
    return record


# ---- finding 6: drafts never leak --------------------------------------------------------------------

def test_draft_versions_stay_hidden_from_versions_diff_and_monitoring(hub):
    """A contributor's draft (with their phone number) becomes a published version without it: the public
    sees the published version only, through every read; the writer and facilitators see all versions."""
    status, effects = hub.api("GET", "/api/v1/effects", token=None)
    effect = effects["effects"][0]["id"]
    status, invited = hub.api("POST", "/api/v1/contributors", {"name": "Wijkconsulent Fatima"})
    assert status == 201, invited
    writer = invited["token"]
    status, v1 = hub.api("POST", "/api/v1/interventions", practice(effect, problem="Bel Fatima: " + PHONE), token=writer)
    assert status == 201, v1
    iid = v1["id"]
    public = {k: v for k, v in v1.items() if k not in ("version", "createdAt", "updatedAt", "author")}
    status, v2 = hub.api("PUT", "/api/v1/interventions/" + iid, {**public, "problem": "Geen plek om elkaar te zien.", "state": "published"}, token=writer)
    assert status == 200 and v2["version"] == 2, v2
    status, _ = hub.api("POST", "/api/v1/interventions/%s/monitoring" % iid, token=writer,
                        body={"entries": [{"intervention": iid, "date": "2025-06-01", "kind": "resultaat", "label": "Open middagen", "value": 3}]})
    assert status == 200

    reads = ["/api/v1/interventions/%s?version=1" % iid, "/api/v1/interventions/%s/diff?from=1&to=2" % iid,
             "/api/v1/interventions/%s/diff?from=2&to=1" % iid, "/api/v1/interventions/%s/diff?to=1" % iid]
    for path in reads:
        status, body = hub.api("GET", path, token=None)
        assert status == 404, (path, body)
        assert PHONE not in json.dumps(body), path
    for path in ["/api/v1/interventions/%s/versions" % iid, "/api/v1/interventions/%s/diff" % iid,
                 "/api/v1/interventions/%s" % iid, "/api/v1/interventions/%s/monitoring" % iid]:
        status, body = hub.api("GET", path, token=None)
        assert status == 200, (path, body)
        assert PHONE not in json.dumps(body), path
    assert [v["version"] for v in hub.api("GET", "/api/v1/interventions/%s/versions" % iid, token=None)[1]["versions"]] == [2]
    assert hub.api("GET", "/api/v1/interventions/%s/diff" % iid, token=None)[1]["changes"] == []

    # The writer and a facilitator still see the draft history.
    for token in (writer, hub.token):
        status, d = hub.api("GET", "/api/v1/interventions/%s/diff?from=1&to=2" % iid, token=token)
        assert status == 200 and PHONE in json.dumps(d), d
        assert hub.api("GET", "/api/v1/interventions/%s?version=1" % iid, token=token)[0] == 200

    # Back to draft: to the public the record, its versions, diffs and monitoring are gone again.
    status, v3 = hub.api("PUT", "/api/v1/interventions/" + iid, {**public, "problem": "Bel " + PHONE, "state": "draft"}, token=writer)
    assert status == 200 and v3["version"] == 3
    for path in ["/api/v1/interventions/%s" % iid, "/api/v1/interventions/%s?version=2" % iid, "/api/v1/interventions/%s/versions" % iid,
                 "/api/v1/interventions/%s/diff?from=2&to=3" % iid, "/api/v1/interventions/%s/monitoring" % iid]:
        status, body = hub.api("GET", path, token=None)
        assert status == 404, (path, body)
        assert PHONE not in json.dumps(body), path
