"""Issue 13, "prove it like trusted servers do": the permission matrix.

Every client → hub WebSocket message (`join`, `input`, `command` with each command of CONTRACTS.md §1,
`ping`) and every REST write of web/openapi.json (each POST, PUT, PATCH and DELETE), sent by each role
in each session status, with the exact answer: the reply frame (`ack`, `welcome` with its role, or the
error code and, for a refused join, whether the connection is closed with 4003) or the HTTP status with
the error code. The tables below are the specification; they come from CONTRACTS.md §1 (the status
table, the check order "role, status, current activity, phase gate, input open", the close codes) and
docs/ROLES.md (connection roles, facilitator roles, "Who may send what: the permission matrix").

One hub for the module and many sessions in it: every cell whose answer changes the session (a
facilitator's command, `start`, `close`, `delete`, a logout) gets a fresh session or credential of its
own, so no cell depends on another. The other cells share one session per status. Each test is one row
of a table (a message or a route) and reports every cell of that row that differs, as a table.
"""
import asyncio
import json
import re
import shutil
import time

import pytest
from websockets.exceptions import ConnectionClosed

import agendas
from hubclient import Client
from hubprocess import ARTIFACTS, CheapHub, FACILITATOR_PASSWORD, HubFailed, REPO, find_hubctl, finish, on_postgres

STATUSES = ("draft", "open", "closed")

# ---- the WebSocket table -------------------------------------------------------------------------------
#
# Roles of a connection when it sends `input`, `command` or `ping`:
#   participant     joined with the join code (in `closed`: joined before the close, still connected)
#   owner           joined with `auth`: the token of an owner account
#   co-facilitator  joined with `auth`: the token of a co-facilitator account
#   beamer          joined with `as: "beamer"`
#   viewer          joined a closed session without a token: read-only results (ROLES.md)
#   refused         sent a `join` whose `auth` was refused (a revoked token): the connection stays, unjoined
#   unjoined        sent nothing before
WS_ROLES = ("participant", "owner", "co-facilitator", "beamer", "viewer", "refused", "unjoined")
FACILITATORS = ("owner", "co-facilitator")

# A facilitator's commands, owner and co-facilitator alike (ROLES.md: every command is both roles' right).
# Fields name the session's activities a1..a3 and its participant p; a fresh session per cell has a2
# current, so that `prev`, `next` and `goto a1` each change something.
COMMANDS = {
    #  command   fields                                                      draft        open   closed
    "start":   ({},                                                         ("ack",      "ack", "session_closed")),
    "goto":    ({"activity": "a1"},                                         ("ack",      "ack", "session_closed")),
    "next":    ({},                                                         ("ack",      "ack", "session_closed")),
    "prev":    ({},                                                         ("ack",      "ack", "session_closed")),
    "phase":   ({"activity": "a1", "phase": "frozen"},                      ("ack",      "ack", "session_closed")),
    "inputs":  ({"activity": "a1", "open": False},                          ("ack",      "ack", "session_closed")),
    "reveal":  ({"activity": "a1"},                                         ("ack",      "ack", "session_closed")),
    "reorder": ({"order": ["a2", "a1", "a3"]},                              ("ack",      "ack", "session_closed")),
    "groups":  ({"mode": "manual", "assignments": {"g1": ["$p"]}},          ("ack",      "ack", "session_closed")),
    "ungroup": ({},                                                         ("ack",      "ack", "session_closed")),
    "kick":    ({"participant": "$p"},                                      ("ack",      "ack", "session_closed")),
    "close":   ({},                                                         ("forbidden", "ack", "session_closed")),
}
NOBODY_IN_CLOSED = None  # a cell that cannot exist: the viewer exists only in a closed session


def _command_rows():
    """Each command by each role: facilitators as in COMMANDS; nobody else may send one (the role check
    comes first, so a participant's command is `forbidden` in every status, the unjoined's `not_joined`)."""
    rows = []
    for name, (_, by_status) in COMMANDS.items():
        rows += [("command " + name, role) + by_status for role in FACILITATORS]
        rows += [("command " + name, "participant", "forbidden", "forbidden", "forbidden"),
                 ("command " + name, "beamer", "forbidden", "forbidden", "forbidden"),
                 ("command " + name, "viewer", NOBODY_IN_CLOSED, NOBODY_IN_CLOSED, "forbidden"),
                 ("command " + name, "refused", "not_joined", "not_joined", "not_joined"),
                 ("command " + name, "unjoined", "not_joined", "not_joined", "not_joined")]
    return rows


WS_TABLE = [
    # message, role (of the joining connection for `join`: what it sends), draft, open, closed
    # -- join: which welcome (its role; `viewer` = role participant without id and token), or the error and
    #    whether the connection stays open or is closed with 4003 (CONTRACTS.md: 4003 for a bad `token`).
    ("join", "new participant (no token)",        "welcome participant", "welcome participant", "welcome viewer"),
    ("join", "participant (its own token)",       "welcome participant", "welcome participant", "welcome participant"),
    ("join", "owner (auth)",                      "welcome facilitator", "welcome facilitator", "welcome facilitator"),
    ("join", "co-facilitator (auth)",             "welcome facilitator", "welcome facilitator", "welcome facilitator"),
    ("join", "beamer (as: beamer)",               "welcome beamer",      "welcome beamer",      "welcome beamer"),
    # `auth` "makes this connection a facilitator" (CONTRACTS §1), whatever `as` says; a beamer has no participant.
    ("join", "as: beamer with an owner's auth",   "welcome facilitator", "welcome facilitator", "welcome facilitator"),
    ("join", "as: beamer with its own token",     "welcome beamer",      "welcome beamer",      "welcome beamer"),
    ("join", "another session's token",           "unauthorized 4003",   "unauthorized 4003",   "unauthorized 4003"),
    ("join", "kicked participant's token",        "unauthorized 4003",   "unauthorized 4003",   "unauthorized 4003"),
    ("join", "facilitator token as rejoin token", "unauthorized 4003",   "unauthorized 4003",   "unauthorized 4003"),
    ("join", "revoked facilitator token (auth)",  "unauthorized open",   "unauthorized open",   "unauthorized open"),
    ("join", "removed account's token (auth)",    "unauthorized open",   "unauthorized open",   "unauthorized open"),
    ("join", "expired facilitator token (auth)",  "unauthorized open",   "unauthorized open",   "unauthorized open"),
    ("join", "participant token as auth",         "unauthorized open",   "unauthorized open",   "unauthorized open"),
    ("join", "contributor token as auth",         "unauthorized open",   "unauthorized open",   "unauthorized open"),
    ("join", "unknown join code",                 "session_not_found open", "session_not_found open", "session_not_found open"),
    # -- input `inc` to the current activity a1 in its phase `counting`, input open: the gate lists `inc`
    #    for participants and facilitators. Draft: activity_closed; closed: session_closed (CONTRACTS §1).
    ("input listed", "participant",    "activity_closed", "ack",       "session_closed"),
    ("input listed", "owner",          "activity_closed", "ack",       "session_closed"),
    ("input listed", "co-facilitator", "activity_closed", "ack",       "session_closed"),
    ("input listed", "beamer",         "forbidden",       "forbidden", "forbidden"),
    ("input listed", "viewer",         NOBODY_IN_CLOSED,  NOBODY_IN_CLOSED, "session_closed"),
    ("input listed", "refused",        "not_joined",      "not_joined", "not_joined"),
    ("input listed", "unjoined",       "not_joined",      "not_joined", "not_joined"),
    # -- an input type the phase gate does not list for the sender's role: a participant's `reset`,
    #    a facilitator's `note` (counter plugin, phase `counting`).
    ("input unlisted", "participant",    "activity_closed", "phase_forbids", "session_closed"),
    ("input unlisted", "owner",          "activity_closed", "phase_forbids", "session_closed"),
    ("input unlisted", "co-facilitator", "activity_closed", "phase_forbids", "session_closed"),
    ("input unlisted", "beamer",         "forbidden",       "forbidden",     "forbidden"),
    ("input unlisted", "viewer",         NOBODY_IN_CLOSED,  NOBODY_IN_CLOSED, "session_closed"),
    ("input unlisted", "refused",        "not_joined",      "not_joined",    "not_joined"),
    ("input unlisted", "unjoined",       "not_joined",      "not_joined",    "not_joined"),
    # -- the same two inputs after `inputs a1 open: false`. The contract's order is "current activity,
    #    phase gate, input open": an unlisted type meets the phase gate first.
    ("input listed, input closed", "participant",    "activity_closed", "activity_closed", "session_closed"),
    ("input listed, input closed", "owner",          "activity_closed", "activity_closed", "session_closed"),
    ("input listed, input closed", "co-facilitator", "activity_closed", "activity_closed", "session_closed"),
    ("input listed, input closed", "beamer",         "forbidden",       "forbidden",       "forbidden"),
    ("input listed, input closed", "viewer",         NOBODY_IN_CLOSED,  NOBODY_IN_CLOSED,  "session_closed"),
    ("input listed, input closed", "refused",        "not_joined",      "not_joined",      "not_joined"),
    ("input listed, input closed", "unjoined",       "not_joined",      "not_joined",      "not_joined"),
    ("input unlisted, input closed", "participant",    "activity_closed", "phase_forbids", "session_closed"),
    ("input unlisted, input closed", "owner",          "activity_closed", "phase_forbids", "session_closed"),
    ("input unlisted, input closed", "co-facilitator", "activity_closed", "phase_forbids", "session_closed"),
    ("input unlisted, input closed", "beamer",         "forbidden",       "forbidden",     "forbidden"),
    ("input unlisted, input closed", "viewer",         NOBODY_IN_CLOSED,  NOBODY_IN_CLOSED, "session_closed"),
    ("input unlisted, input closed", "refused",        "not_joined",      "not_joined",    "not_joined"),
    ("input unlisted, input closed", "unjoined",       "not_joined",      "not_joined",    "not_joined"),
] + _command_rows() + [
    ("ping", role, "pong", "pong", "pong") for role in WS_ROLES if role != "viewer"
] + [("ping", "viewer", NOBODY_IN_CLOSED, NOBODY_IN_CLOSED, "pong")]

UNLISTED_TYPE = {"participant": "reset", "owner": "note", "co-facilitator": "note"}


# ---- the REST table ------------------------------------------------------------------------------------
#
# Roles of a request (its `Authorization: Bearer` token):
#   owner, co-facilitator  a facilitator account's login token (POST /api/v1/login)
#   contributor            a kennisbank contributor's invitation token (docs/KENNISBANK.md)
#   participant            a participant's rejoin token (the only token a participant, or someone holding
#                          another session's token, has; a beamer has none: see `none`)
#   revoked                an owner's token after POST /api/v1/logout
#   removed                the token of an account removed with `hubctl facilitator remove`
#   expired                an owner's token older than --token-max-days (a second hub where that is 3 s)
#   none                   no Authorization header (the beamer, anyone)
REST_ROLES = ("owner", "co-facilitator", "contributor", "participant", "revoked", "removed", "expired", "none")
U, F, C = "401 unauthorized", "403 forbidden", "409 session_closed"

REST_TABLE = [
    # route, session status ("-": no session), owner, co-facilitator, contributor, participant, revoked, removed,
    # expired, none
    ("POST /api/v1/login",                      "-",      "200", "200", "200", "200", "200", "200", "200", "200"),
    ("POST /api/v1/logout",                     "-",      "204", "204", U, U, U, U, U, U),
    ("POST /api/v1/sessions",                   "-",      "201", "201", U, U, U, U, U, U),
    ("POST /api/v1/agendas/validate",           "-",      "200", "200", U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/start",   "draft",  "200", "200", U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/start",   "open",   "200", "200", U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/start",   "closed", C, C, U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/close",   "draft",  F, F, U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/close",   "open",   "200", "200", U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/close",   "closed", C, C, U, U, U, U, U, U),
    # Editing the agenda (issue 20, PROTOCOL.md "Adding an activity live"): a draft's agenda; an activity until the close.
    ("PUT /api/v1/sessions/{session}/agenda",   "draft",  "200", "200", U, U, U, U, U, U),
    ("PUT /api/v1/sessions/{session}/agenda",   "open",   "409 not_draft", "409 not_draft", U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/activities", "draft", "201", "201", U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/activities", "open",  "201", "201", U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/activities", "closed", C, C, U, U, U, U, U, U),
    # Co-facilitators invited by link (ROLES.md): owners invite; accepting needs the link, not a token.
    ("POST /api/v1/facilitators/invites",       "-",      "201", F, U, U, U, U, U, U),
    # (The expired cell goes to another hub, whose key did not sign this hub's link.)
    ("POST /api/v1/facilitators/accept",        "-",      "201", "201", "201", "201", "201", "201", U, "201"),
    ("DELETE /api/v1/sessions/{session}",       "draft",  "204", F, U, U, U, U, U, U),
    ("DELETE /api/v1/sessions/{session}",       "open",   "204", F, U, U, U, U, U, U),
    ("DELETE /api/v1/sessions/{session}",       "closed", "204", F, U, U, U, U, U, U),
    ("POST /api/v1/series",                     "-",      "201", "201", U, U, U, U, U, U),
    ("POST /api/v1/plugins/reload",             "-",      "200", "200", U, U, U, U, U, U),
    # On PostgreSQL the backup is the operator's pg_dump: refused with 501 (docs/SCALING.md "Backups").
    ("POST /api/v1/admin/backup",               "-",      "501 backup_unavailable" if on_postgres() else "201", F, U, U, U, U, U, U),
    ("POST /api/v1/admin/purge",                "-",      "200", F, U, U, U, U, U, U),
    # The kennisbank: contributors write and monitor their own practice descriptions only (KENNISBANK.md).
    ("POST /api/v1/interventions (praktijk)",   "-",      "201", "201", "201", U, U, U, U, U),
    ("POST /api/v1/interventions (archetype)",  "-",      "201", "201", F, U, U, U, U, U),
    ("PUT /api/v1/interventions/{id} (a facilitator's)",  "-", "200", "200", F, U, U, U, U, U),
    ("PUT /api/v1/interventions/{id} (the contributor's)", "-", "200", "200", "200", U, U, U, U, U),
    ("POST /api/v1/interventions/{id}/monitoring (a facilitator's)",  "-", "200", "200", F, U, U, U, U, U),
    ("POST /api/v1/interventions/{id}/monitoring (the contributor's)", "-", "200", "200", "200", U, U, U, U, U),
    ("DELETE /api/v1/interventions/{id}/monitoring/{entry} (a facilitator's)",  "-", "200", "200", F, U, U, U, U, U),
    ("DELETE /api/v1/interventions/{id}/monitoring/{entry} (the contributor's)", "-", "200", "200", "200", U, U, U, U, U),
    ("POST /api/v1/toolkit",                    "-",      "201", "201", F, U, U, U, U, U),
    ("PUT /api/v1/toolkit/{id}",                "-",      "200", "200", F, U, U, U, U, U),
    ("POST /api/v1/kennisbank/import",          "-",      "200", "200", F, U, U, U, U, U),
    ("POST /api/v1/toolkit-import",             "-",      "200", "200", F, U, U, U, U, U),
    ("PUT /api/v1/effects/{id}",                "-",      "200", "200", F, U, U, U, U, U),
    ("DELETE /api/v1/effects/{id}",             "-",      "200", "200", F, U, U, U, U, U),
    ("POST /api/v1/contributors",               "-",      "201", "201", F, U, U, U, U, U),
    ("DELETE /api/v1/contributors/{id}",        "-",      "204", "204", F, U, U, U, U, U),
    # Owner-only reads (OWNER_READS): the audit log (docs/PRIVACY.md).
    ("GET /api/v1/audit",                       "-",      "200", F, U, U, U, U, U, U),
    # A person's data (docs/PRIVACY.md "Answering a request", docs/ROLES.md): owners only; erasure needs a closed
    # session (these sessions have no participant, so an owner's erasure or export of the close finds none).
    ("GET /api/v1/participants",                "-",      "200", F, U, U, U, U, U, U),
    ("GET /api/v1/sessions/{session}/participants/{participant}/export", "open", "404 participant_not_found", F, U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/participants/{participant}/erase", "open", "409 session_not_closed", F, U, U, U, U, U, U),
    ("POST /api/v1/sessions/{session}/participants/{participant}/erase", "closed", "404 participant_not_found", F, U, U, U, U, U, U),
    ("DELETE /api/v1/interventions/{id}",       "-",      "204", F, F, U, U, U, U, U),
    ("DELETE /api/v1/toolkit/{id}",             "-",      "204", F, F, U, U, U, U, U),
    ("POST /api/v1/contributors/{id}/erase",    "-",      "204", F, F, U, U, U, U, U),
]


# ---- the hub and its people ----------------------------------------------------------------------------

CO_EMAIL, GONE_EMAIL = "co@example.org", "gone@example.org"


@pytest.fixture(scope="module")
def mhub():
    binary = find_hubctl()
    if not binary:
        pytest.fail("no hubctl binary", pytrace=False)
    workdir = ARTIFACTS / "test_permissions"
    shutil.rmtree(workdir, ignore_errors=True)
    h = CheapHub(binary, workdir)
    try:
        h.bootstrap()
        h.bootstrap(email=CO_EMAIL, name="Co", role="co-facilitator")
        h.bootstrap(email=GONE_EMAIL, name="Gone", role="owner")
        h.start()
        h.login()
    except HubFailed as e:
        finish(h)
        pytest.fail(str(e), pytrace=False)
    yield h
    tail = finish(h)
    if tail is not None:
        pytest.fail("hub exited with %s during the tests:\n%s" % (h.proc.returncode, tail), pytrace=False)


CLIENTS = []  # every connection the module opens, closed when its loop ends


TOKEN_MAX_AGE = 3.0  # seconds, on the expiring hub


class Expiring:
    """A second hub whose facilitator tokens expire TOKEN_MAX_AGE seconds after their login
    (`--token-max-days`, through a wrapper that adds the flags to `serve`), and its owner's first token."""

    def __init__(self, binary):
        workdir = ARTIFACTS / "test_permissions.expiring"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        wrapper = workdir / "hubctl-expiring"
        flags = "--token-max-days %.9f --token-idle-hours %.9f" % (TOKEN_MAX_AGE / 86400, 0.9 * TOKEN_MAX_AGE / 3600)
        wrapper.write_text('#!/bin/sh\nif [ "$1" = serve ]; then exec "%s" "$@" %s; fi\nexec "%s" "$@"\n' % (binary, flags, binary))
        wrapper.chmod(0o755)
        self.hub = CheapHub(str(wrapper), workdir / "hub")
        self.hub.bootstrap()
        self.hub.start()
        self.token = login(self.hub, "f@example.org")
        self.expires = time.monotonic() + TOKEN_MAX_AGE + 0.5
        self.codes = {}

    def expired_token(self):
        """The first token, once it is past its maximum age (waits for that the first time)."""
        time.sleep(max(0.0, self.expires - time.monotonic()))
        return self.token

    def code(self, status):
        """The join code of a session in `status`, made with a token of its own (the first one expires)."""
        if status not in self.codes:
            fresh = login(self.hub, "f@example.org")
            s = ok_api(self.hub, "POST", "/api/v1/sessions", agendas.counter_only("Expiring %s" % status),
                       content_type="application/yaml", token=fresh)
            for step in {"draft": [], "open": ["start"], "closed": ["start", "close"]}[status]:
                ok_api(self.hub, "POST", "/api/v1/sessions/%s/%s" % (s["id"], step), token=fresh)
            self.codes[status] = s["code"]
        return self.codes[status]


@pytest.fixture(scope="module")
def expiring(mhub):
    try:
        ex = Expiring(mhub.binary)
    except HubFailed as e:
        pytest.fail(str(e), pytrace=False)
    yield ex
    finish(ex.hub)


@pytest.fixture(scope="module")
def loop():
    """One event loop for the module, so the shared sessions' connections live across tests."""
    lp = asyncio.new_event_loop()
    yield lp

    async def close_all():
        await asyncio.gather(*(c.close() for c in CLIENTS), return_exceptions=True)
    lp.run_until_complete(close_all())
    lp.close()


def login(hub, email):
    status, body = hub.api("POST", "/api/v1/login", {"email": email, "password": FACILITATOR_PASSWORD}, token=None)
    assert status == 200, (email, status, body)
    return body["token"]


def ok_api(hub, method, path, body=None, content_type="application/json", expect=(200, 201, 204), token="default"):
    status, answer = hub.api(method, path, body, content_type=content_type, token=token)
    assert status in expect, "%s %s → %s %s" % (method, path, status, answer)
    return answer


class People:
    """The credentials of every role, made once per module."""

    def __init__(self, hub, loop):
        self.owner = hub.token
        self.co = login(hub, CO_EMAIL)
        gone = login(hub, GONE_EMAIL)
        r = hub.hubctl("facilitator", "remove", *hub.store_args(), GONE_EMAIL, check=False)
        assert r.returncode == 0, r.stderr
        self.removed = gone
        self.revoked = login(hub, "f@example.org")
        status, _ = hub.api("POST", "/api/v1/logout", token=self.revoked)
        assert status == 204
        self.contributor = ok_api(hub, "POST", "/api/v1/contributors", {"name": "Bijdrager"})["token"]
        # A participant of another session: its rejoin token is the "another session's token".
        elsewhere = create_session(hub, "Elsewhere")
        p = loop.run_until_complete(joined(hub, elsewhere["code"], name="Elsewhere"))
        self.participant = p.token

    def rest_token(self, role):
        return {"owner": self.owner, "co-facilitator": self.co, "contributor": self.contributor,
                "participant": self.participant, "revoked": self.revoked, "removed": self.removed, "none": None}[role]


@pytest.fixture(scope="module")
def people(mhub, loop):
    return People(mhub, loop)


def create_session(hub, title):
    return ok_api(hub, "POST", "/api/v1/sessions", agendas.standard(title, series="permissions"), content_type="application/yaml")


async def create_session_async(hub, title):
    return await asyncio.to_thread(create_session, hub, title)


async def connected(hub, label=None):
    c = Client(hub.ws_url, label)
    CLIENTS.append(c)
    await c.connect()
    return c


async def joined(hub, code, label=None, **fields):
    c = await connected(hub, label)
    await c.join(code, **fields)
    return c


# ---- sessions in each status ---------------------------------------------------------------------------

class World:
    """A session in one status with a connection of every WebSocket role (the cells that change nothing)."""

    async def build(self, hub, people, status, inputs_open=True):
        self.status = status
        self.session = await create_session_async(hub, "Matrix %s%s" % (status, "" if inputs_open else ", input closed"))
        code = self.code = self.session["code"]
        owner = await joined(hub, code, "owner", auth=people.owner)
        co = await joined(hub, code, "co", auth=people.co)
        p = await joined(hub, code, "p", name="P")
        kicked = await joined(hub, code, "k", name="K")
        await owner.ok(owner.command("goto", activity="a1"))
        if not inputs_open:
            await owner.ok(owner.command("inputs", activity="a1", open=False))
        await owner.ok(owner.command("kick", participant=kicked.participant))
        self.kicked_token = kicked.token
        if status != "draft":
            await owner.ok(owner.command("start"))
        if status == "closed":
            await owner.ok(owner.command("close"))
        await p.wait_state(lambda s: s["status"] == status)
        self.clients = {"participant": p, "owner": owner, "co-facilitator": co,
                        "beamer": await joined(hub, code, "beamer", **{"as": "beamer"})}
        if status == "closed":
            self.clients["viewer"] = await joined(hub, code, "viewer", name="Viewer")
        return self


@pytest.fixture(scope="module")
def worlds(mhub, people, loop, expiring):
    async def build():
        made = await asyncio.gather(*(World().build(mhub, people, s) for s in STATUSES),
                                    *(World().build(mhub, people, s, inputs_open=False) for s in STATUSES))
        return dict(zip(STATUSES, made[:3])), dict(zip(STATUSES, made[3:]))
    return loop.run_until_complete(asyncio.wait_for(build(), 60))


async def command_session(hub, people, role, status):
    """A fresh session for one facilitator command: a2 current, participant p, in `status`; the facilitator's connection and p."""
    session = await create_session_async(hub, "Command %s %s" % (role, status))
    fac = await joined(hub, session["code"], role, auth=people.owner if role == "owner" else people.co)
    p = await joined(hub, session["code"], "p", name="P")
    await fac.ok(fac.command("goto", activity="a2"))
    if status == "open":
        await fac.ok(fac.command("start"))
    return fac, p


# ---- answers as table cells ----------------------------------------------------------------------------

def reply_cell(frame):
    return "ack" if frame.get("t") == "ack" else frame.get("code", json.dumps(frame))


async def join_cell(hub, code, expect_participant=None, **fields):
    """Join on a new connection; the answer as a cell: `welcome <role>` or `<code> 4003|open`."""
    c = await connected(hub, "joiner")
    try:
        since = c.mark()
        await c.send(dict({"t": "join", "code": code}, **fields))
        f = await c.wait_frame(lambda f: f.get("t") in ("welcome", "error"), since, what="welcome or error")
        if f["t"] == "welcome":
            role, pid, token = f.get("role"), f.get("participant"), f.get("token")
            if role == "participant" and not pid and not token:
                return "welcome viewer"
            if role == "participant" and pid and token:
                if expect_participant and pid != expect_participant:
                    return "welcome another participant"
                return "welcome participant"
            if role in ("facilitator", "beamer") and not pid and not token:
                return "welcome " + role
            return "welcome %s (participant %r, token %s)" % (role, pid, bool(token))
        # Refused: is the connection closed (4003), or still open and unjoined?
        try:
            await c.send({"t": "ping"})
        except ConnectionClosed:
            pass
        await c.wait_until(lambda: c.closed or any(x.get("t") == "pong" for x in c.frames[since:]),
                           what="a pong or the close", allow_closed=True)
        return "%s %s" % (f["code"], c.close_code if c.closed else "open")
    finally:
        await c.close()


def fill(value, p):
    """Command fields with `$p` replaced by the participant id."""
    if value == "$p":
        return p
    if isinstance(value, dict):
        return {k: fill(v, p) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, p) for v in value]
    return value


async def ws_cell(hub, people, worlds, expiring, message, role, status):
    w = worlds[1 if message.endswith("input closed") else 0][status]
    if role == "expired facilitator token (auth)":
        token = await asyncio.to_thread(expiring.expired_token)
        return await join_cell(expiring.hub, await asyncio.to_thread(expiring.code, status), auth=token)
    if message == "join":
        fields = {
            "new participant (no token)": {"name": "New"},
            "participant (its own token)": {"token": w.clients["participant"].token},
            "owner (auth)": {"auth": people.owner},
            "co-facilitator (auth)": {"auth": people.co},
            "beamer (as: beamer)": {"as": "beamer"},
            "as: beamer with an owner's auth": {"as": "beamer", "auth": people.owner},
            "as: beamer with its own token": {"as": "beamer", "token": w.clients["participant"].token},
            "another session's token": {"token": people.participant},
            "kicked participant's token": {"token": w.kicked_token},
            "facilitator token as rejoin token": {"token": people.owner},
            "revoked facilitator token (auth)": {"auth": people.revoked},
            "removed account's token (auth)": {"auth": people.removed},
            "participant token as auth": {"auth": w.clients["participant"].token},
            "contributor token as auth": {"auth": people.contributor},
            "unknown join code": {},
        }[role]
        code = "ZZZZZZ" if role == "unknown join code" else w.code
        expect = w.clients["participant"].participant if role == "participant (its own token)" else None
        return await join_cell(hub, code, expect, **fields)
    if message.startswith("command ") and role in FACILITATORS and status != "closed":
        name = message.split()[1]
        fac, p = await command_session(hub, people, role, status)
        try:
            return reply_cell(await fac.command(name, **fill(COMMANDS[name][0], p.participant)))
        finally:
            await asyncio.gather(fac.close(), p.close())
    if role not in ("refused", "unjoined"):
        return await send_cell(w.clients[role], message, role, w)
    # A connection made for the cell: one that has not joined is closed at the join deadline (--join-timeout).
    c = await connected(hub, role)
    try:
        if role == "refused":
            await c.join(w.code, expect="error", auth=people.revoked)
        return await send_cell(c, message, role, w)
    finally:
        await c.close()


async def send_cell(c, message, role, world):
    """`ping`, an input or a command (with the world's participant as the target) from connection `c`."""
    if message == "ping":
        return "pong" if (await c.ping()).get("t") == "pong" else "no pong"
    if message.startswith("input"):
        kind = "inc" if message.startswith("input listed") else UNLISTED_TYPE.get(role, "inc")
        return reply_cell(await c.input("a1", kind))
    name = message.split()[1]
    return reply_cell(await c.command(name, **fill(COMMANDS[name][0], world.clients["participant"].participant)))


def mismatches(rows, actual):
    """The cells that differ, as a small table for the failure message."""
    lines = []
    for (row, column), want in rows.items():
        got = actual[(row, column)]
        if got != want:
            lines.append("  %-40s %-8s expected %-24s got %s" % (row, column, want, got))
    return lines


WS_MESSAGES = list(dict.fromkeys(r[0] for r in WS_TABLE))

# Rows where the hub contradicts the contract today, each reported to the lead (issue 13). Strict: the
# day the hub follows the contract the row passes, and this mark must go.
KNOWN_DRIFT: dict[str, str] = {}


@pytest.mark.parametrize("message", [pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DRIFT[m]))
                                     if m in KNOWN_DRIFT else m for m in WS_MESSAGES])
def test_websocket_matrix(mhub, people, worlds, expiring, loop, message):
    cells = {}
    for row in WS_TABLE:
        if row[0] != message:
            continue
        for status, want in zip(STATUSES, row[2:]):
            if want is not NOBODY_IN_CLOSED:
                cells[(row[1], status)] = want

    async def run_all():
        sem = asyncio.Semaphore(8)

        async def one(key):
            async with sem:
                try:
                    return await ws_cell(mhub, people, worlds, expiring, message, *key)
                except (AssertionError, ConnectionClosed) as e:
                    return "no answer: %s" % str(e)[:200]
        keys = list(cells)
        return dict(zip(keys, await asyncio.gather(*(one(k) for k in keys))))
    actual = loop.run_until_complete(asyncio.wait_for(run_all(), 60))
    bad = mismatches(cells, actual)
    assert not bad, "%s: %d of %d cells differ from the matrix:\n%s" % (message, len(bad), len(cells), "\n".join(bad))


# ---- the REST cells ------------------------------------------------------------------------------------

PRACTICE = {"kind": "ontmoetingsplekken", "type": "praktijk", "state": "draft", "summary": "Een huiskamer voor de buurt."}


class Kennisbank:
    """Records the REST cells write to: a facilitator's and the contributor's practice description,
    a toolkit item; fresh monitoring entries, effects and contributors for the cells that delete them."""

    def __init__(self, hub, people):
        self.hub, self.people = hub, people
        self.facilitators = ok_api(hub, "POST", "/api/v1/interventions", dict(PRACTICE, title="Van een facilitator"))
        status, self.contributors = hub.api("POST", "/api/v1/interventions", dict(PRACTICE, title="Van een bijdrager"),
                                            token=people.contributor)
        assert status == 201, self.contributors
        self.toolkit = ok_api(hub, "POST", "/api/v1/toolkit", {"kind": "tip", "title": "Koffie", "body": "Zet koffie."})
        self.n = 0

    def fresh(self, prefix):
        self.n += 1
        return "%s-%d" % (prefix, self.n)

    def entry(self, record, token):
        """A new monitoring entry on `record`, written with `token` (the record's own author may)."""
        label = self.fresh("meting")
        status, body = self.hub.api("POST", "/api/v1/interventions/%s/monitoring" % record["id"],
                                    {"entries": [self.entry_body(record, label)]}, token=token)
        assert status == 200, body
        return next(e["id"] for e in body["entries"] if e["label"] == label)

    @staticmethod
    def entry_body(record, label):
        return {"id": "", "intervention": record["id"], "date": "2025-06-01", "kind": "resultaat", "label": label, "value": 1}


@pytest.fixture(scope="module")
def kb(mhub, people):
    return Kennisbank(mhub, people)


def session_in(hub, status, title):
    s = create_session(hub, title)
    if status in ("open", "closed"):
        ok_api(hub, "POST", "/api/v1/sessions/%s/start" % s["id"])
    if status == "closed":
        ok_api(hub, "POST", "/api/v1/sessions/%s/close" % s["id"])
    return s


def rest_request(hub, people, kb, route, role, status):
    """The request of one cell: (method, path, body, content type); fresh resources where the cell changes them."""
    method, template = route.split()[:2]
    token = people.rest_token(role)
    fac_rec, own_rec = kb.facilitators, kb.contributors
    record = own_rec if "contributor's" in route else fac_rec
    if template == "/api/v1/login":
        return method, template, {"email": "f@example.org", "password": FACILITATOR_PASSWORD}, token
    if template == "/api/v1/logout":
        # Logging out ends the token: a facilitator cell logs in afresh.
        fresh = {"owner": "f@example.org", "co-facilitator": CO_EMAIL}.get(role)
        return method, template, None, login(hub, fresh) if fresh else token
    if template in ("/api/v1/sessions", "/api/v1/agendas/validate"):
        return method, template, agendas.counter_only("Created by %s" % role), token
    if template.startswith("/api/v1/sessions/{session}"):
        s = session_in(hub, status, "REST %s %s" % (role, status))
        body = None
        if template.endswith("/agenda"):
            body = agendas.counter_only("Edited by %s" % role)
        elif template.endswith("/activities"):
            body = {"item": {"plugin": "counter", "title": "Added by %s" % role}}
        return method, template.replace("{session}", s["id"]).replace("{participant}", "p_aaaaaaaaaaaa"), body, token
    if template == "/api/v1/facilitators/invites":
        return method, template, None, token
    if template == "/api/v1/facilitators/accept":
        invite = ok_api(hub, "POST", "/api/v1/facilitators/invites", token=people.owner)["token"]
        return method, template, {"token": invite, "name": "Medefacilitator", "email": "%s@example.org" % kb.fresh("mede"),
                                  "password": "een lang wachtwoord"}, token
    if template == "/api/v1/participants":
        return method, template + "?name=Niemand", None, token
    if method == "DELETE" and template in ("/api/v1/interventions/{id}", "/api/v1/toolkit/{id}"):
        if "interventions" in template:
            made = ok_api(hub, "POST", "/api/v1/interventions", dict(PRACTICE, title=kb.fresh("Weg")))
        else:
            made = ok_api(hub, "POST", "/api/v1/toolkit", {"kind": "tip", "title": kb.fresh("Weg"), "body": "Weg."})
        return method, template.replace("{id}", made["id"]), None, token
    if template == "/api/v1/contributors/{id}/erase":
        made = ok_api(hub, "POST", "/api/v1/contributors", {"name": kb.fresh("Vergeten")})
        return method, "/api/v1/contributors/%s/erase" % made["contributor"]["id"], None, token
    if template == "/api/v1/series":
        return method, template, {"title": kb.fresh("Reeks")}, token
    if template in ("/api/v1/plugins/reload", "/api/v1/audit"):
        return method, template, None, token
    if template == "/api/v1/admin/backup":
        return method, template, None, token
    if template == "/api/v1/admin/purge":
        return method, template, {"dryRun": True}, token
    if template == "/api/v1/interventions":
        kind = "archetype" if "archetype" in route else "praktijk"
        return method, template, dict(PRACTICE, type=kind, title=kb.fresh("Nieuw")), token
    if template == "/api/v1/interventions/{id}":
        return method, "/api/v1/interventions/" + record["id"], dict(record, summary=kb.fresh("Bijgewerkt")), token
    if template == "/api/v1/interventions/{id}/monitoring":
        return (method, "/api/v1/interventions/%s/monitoring" % record["id"],
                {"entries": [kb.entry_body(record, kb.fresh("meting"))]}, token)
    if template == "/api/v1/interventions/{id}/monitoring/{entry}":
        author = people.contributor if record is own_rec else people.owner
        return method, "/api/v1/interventions/%s/monitoring/%s" % (record["id"], kb.entry(record, author)), None, token
    if template == "/api/v1/toolkit":
        return method, template, {"kind": "tip", "title": kb.fresh("Tip"), "body": "Een tip."}, token
    if template == "/api/v1/toolkit/{id}":
        return method, "/api/v1/toolkit/" + kb.toolkit["id"], dict(kb.toolkit, body=kb.fresh("Nieuwe tekst")), token
    if template == "/api/v1/kennisbank/import":
        line = dict(PRACTICE, id="kb-perm-import", title="Geïmporteerd")
        return method, template, (json.dumps(line) + "\n", "application/x-ndjson"), token
    if template == "/api/v1/toolkit-import":
        line = {"id": "gk-perm-import", "kind": "tip", "title": "Geïmporteerd", "body": "Een tip."}
        return method, template, (json.dumps(line) + "\n", "application/x-ndjson"), token
    if template == "/api/v1/effects/{id}":
        effect = kb.fresh("perm-effect")
        if method == "DELETE":
            ok_api(hub, "PUT", "/api/v1/effects/" + effect, {"domain": "sociaal", "title": {"nl": "Effect", "en": "Effect"}})
            return method, "/api/v1/effects/" + effect, None, token
        return method, "/api/v1/effects/" + effect, {"domain": "sociaal", "title": {"nl": "Effect", "en": "Effect"}}, token
    if template == "/api/v1/contributors":
        return method, template, {"name": kb.fresh("Bijdrager")}, token
    if template == "/api/v1/contributors/{id}":
        made = ok_api(hub, "POST", "/api/v1/contributors", {"name": kb.fresh("Weg")})
        return method, "/api/v1/contributors/" + made["contributor"]["id"], None, token
    raise AssertionError("no request for %s" % route)


def rest_cell(hub, people, kb, expiring, route, role, status):
    if role == "expired":
        # The request a tokenless cell sends, to the expiring hub with its expired token.
        method, path, body, _ = rest_request(hub, people, kb, route, "none", status)
        hub, token = expiring.hub, expiring.expired_token()
    else:
        method, path, body, token = rest_request(hub, people, kb, route, role, status)
    content_type = "application/json"
    if isinstance(body, tuple):
        body, content_type = body
    elif isinstance(body, str):
        content_type = "application/yaml"
    code, answer = hub.api(method, path, body, token=token, content_type=content_type)
    if code < 400:
        return str(code)
    error = answer.get("error", {}).get("code") if isinstance(answer, dict) else None
    return "%d %s" % (code, error or repr(answer)[:80])


def _documented_writes():
    spec = json.loads((REPO / "web" / "openapi.json").read_text())
    return {"%s %s" % (m.upper(), p) for p, item in spec["paths"].items() for m in item if m in ("post", "put", "patch", "delete")}


REST_ROUTES = list(dict.fromkeys((r[0], r[1]) for r in REST_TABLE))
# Reads that only an owner may make: in the table too.
OWNER_READS = {"GET /api/v1/audit", "GET /api/v1/participants", "GET /api/v1/sessions/{session}/participants/{participant}/export"}


def test_the_rest_table_covers_every_documented_write():
    """Every POST, PUT, PATCH and DELETE of web/openapi.json has rows, and every row is a documented write
    or an owner-only read."""
    rows = {re.sub(r" \(.*\)$", "", r[0]) for r in REST_TABLE}
    assert rows == _documented_writes() | OWNER_READS


def test_the_websocket_table_covers_every_command():
    """Every command type of CONTRACTS.md §1 has a row, and every role a cell."""
    contract = {"start", "goto", "next", "prev", "phase", "inputs", "reveal", "reorder", "groups", "ungroup", "kick", "close"}
    assert set(COMMANDS) == contract
    for message in WS_MESSAGES:
        if message != "join":
            assert {r[1] for r in WS_TABLE if r[0] == message} == set(WS_ROLES), message


@pytest.mark.parametrize("route,status", REST_ROUTES, ids=["%s %s" % r for r in REST_ROUTES])
def test_rest_matrix(mhub, people, kb, expiring, route, status):
    row = next(r for r in REST_TABLE if (r[0], r[1]) == (route, status))
    cells = {(role, status): want for role, want in zip(REST_ROLES, row[2:])}
    actual = {(role, st): rest_cell(mhub, people, kb, expiring, route, role, None if st == "-" else st) for role, st in cells}
    bad = mismatches(cells, actual)
    assert not bad, "%s (%s): %d of %d cells differ from the matrix:\n%s" % (route, status, len(bad), len(cells), "\n".join(bad))
