"""A number that would stop Foundation's JSON decoder (a whole number between 2^53 and 2^63 written with more
than 128 digits after its point; SIGILL in swift-foundation of Swift 6.3) reaches no decoder: every REST body
that is decoded into a type is refused with 400 bad_message (an import's line with 422 invalid_import, nothing
imported), and the hub keeps serving. Before the fix each of
these requests stopped the hub (docs/SECURITY.md "Numbers")."""
import json

from hubprocess import on_postgres


def number(zeros):
    return "0." + "0" * zeros + "9007199254740993e%d" % (zeros + 17)


STOPS = number(113)


def bodies(effect):
    record = {"id": "kb-numbers", "title": "Buurtkamer", "kind": "ontmoetingsplekken", "type": "praktijk",
              "state": "draft", "summary": "Een huiskamer.", "effects": [effect], "scale": "buurt", "themes": ["leven"]}
    with_trailing_comma = json.dumps(record)[:-1] + ', "version": %s,}' % STOPS
    # An import is JSON lines: the line is refused as "not valid JSON" and nothing is imported (422).
    refused, bad_line = (400, "bad_message"), (422, "invalid_import")
    return [
        ("POST", "/api/v1/admin/purge", '{"namesDays": %s}' % STOPS, refused),
        ("POST", "/api/v1/admin/purge", '{"inputsDays": %s}' % STOPS, refused),
        ("POST", "/api/v1/kennisbank/import", '{"version": %s, "interventions": []}' % STOPS, bad_line),
        ("POST", "/api/v1/toolkit-import", '{"version": %s, "items": []}' % STOPS, bad_line),
        ("POST", "/api/v1/interventions", with_trailing_comma, refused),
        ("PUT", "/api/v1/interventions/kb-numbers", with_trailing_comma, refused),
        ("POST", "/api/v1/toolkit", '{"id": "tk-numbers", "version": %s,}' % STOPS, refused),
        ("POST", "/api/v1/login", '{"email": "a@b.nl", "password": %s}' % STOPS, refused),
        # 513 unclosed brackets stop Foundation's decoder too (found by the json fuzz target).
        ("POST", "/api/v1/admin/purge", "[" * 513, refused),
        ("POST", "/api/v1/interventions", '{"effects": ' + "[" * 600, refused),
    ]


def test_numbers_that_would_stop_the_decoder_are_refused_and_the_hub_lives(hub):
    status, effects = hub.api("GET", "/api/v1/effects", token=None)
    assert status == 200, effects
    for method, path, body, (expected, code) in bodies(effects["effects"][0]["id"]):
        status, answer = hub.api(method, path, body)
        assert hub.alive(), (method, path, hub.log_tail())
        assert status == expected and answer["error"]["code"] == code, (method, path, status, answer)
    # One digit fewer after the point is a number Foundation holds: the same purge body is read and answered.
    status, answer = hub.api("POST", "/api/v1/admin/purge", '{"namesDays": %s}' % number(112))
    assert hub.alive()
    assert status in (200, 400), answer
    status, _ = hub.api("GET", "/api/v1/sessions")
    assert status == 200
