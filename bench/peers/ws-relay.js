#!/usr/bin/env node
// Peer for bench/fanout: a minimal broadcast relay on node and the `ws` library (Debian `node-ws`).
//
// The same wire protocol and the same work as bench/peers/lws-broadcaster.c and bench/relay.py, for
// bench/loadclient to measure exactly as it measures the hub (docs/PROTOCOL.md subset):
//   join    -> welcome (participant id, token, seq, state with one activity a1 and its public view),
//              then presence; a participant's first join takes a seq, as in the hub
//   input   -> seq += 1, count += 1, ack {id, seq} at once
//   command -> ack with the current seq (a facilitator's `auth` is accepted, not checked)
//   ping    -> pong
//   tick    -> --tick-ms after the first change: one `view` {count} encoded once and sent to every
//              connection; presence when the number of connections changed
// Left out on purpose, as in the other peers: durability, plugins, rate limits, auth, resent-id dedup
// (loadclient never resends an input id). A connection with more than --max-buffer unsent bytes is
// closed with 4004, standing in for the hub's bounded outbox. Only for 127.0.0.1.
//
// Usage: node ws-relay.js [--port 0] [--tick-ms 50] [--max-buffer 4194304]
'use strict';
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const tickMs = arg('--tick-ms', 50);
const maxBuffer = arg('--max-buffer', 4 << 20);

let seq = 0, count = 0, viewSeq = 0, participants = 0;
let viewDirty = false, presenceDirty = false, tickScheduled = false;
const conns = new Set();

const presence = () => JSON.stringify({ t: 'presence', count: participants, connected: conns.size });

function scheduleTick() {
  if (tickScheduled) return;
  tickScheduled = true;
  setTimeout(tick, tickMs);
}

function broadcast(text) {
  const bytes = Buffer.from(text); // encoded once, the same bytes to everyone
  for (const ws of conns) ws.send(bytes, { binary: false, compress: false });
}

function tick() {
  tickScheduled = false;
  for (const ws of conns) {
    if (ws.bufferedAmount > maxBuffer) { conns.delete(ws); ws.close(4004, 'too slow'); }
  }
  if (viewDirty) {
    viewDirty = false;
    broadcast(JSON.stringify({ t: 'view', seq: viewSeq, activity: 'a1', audience: 'public', view: { count } }));
  }
  if (presenceDirty) {
    presenceDirty = false;
    broadcast(presence());
  }
}

function welcome(participant, role) {
  const state = {
    status: 'open',
    agenda: [{ id: 'a1', plugin: 'counter', title: 'Count', phase: 'counting', inputsOpen: true,
               anonymity: 'pseudonymous', config: {} }],
    current: { activity: 'a1', phase: 'counting' },
    groups: null,
    views: { a1: { public: { count } } },
  };
  const m = { t: 'welcome', role, session: { id: 's_relay', code: 'RELAY', title: 'Relay', lang: 'en' }, seq, state };
  if (participant) { m.participant = participant; m.token = 'relay.' + participant; }
  return JSON.stringify(m);
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: arg('--port', 0), path: '/ws', perMessageDeflate: false,
                                  maxPayload: 64 << 10, backlog: 4096 });
wss.on('listening', () => console.log(`listening on ws://127.0.0.1:${wss.address().port}`));
wss.on('connection', (ws) => {
  let who = null;
  const send = (obj) => ws.send(JSON.stringify(obj));
  ws.on('message', (raw, isBinary) => {
    if (isBinary) { ws.close(1003); return; }
    let m;
    try { m = JSON.parse(raw); } catch { send({ t: 'error', code: 'bad_json', message: 'bad JSON' }); return; }
    const t = m && m.t;
    if (t === 'ping') { ws.send('{"t":"pong"}'); return; }
    if (t === 'join') {
      if (who !== null) { send({ t: 'error', code: 'bad_message', message: 'already joined' }); return; }
      let role;
      if (m.auth) { who = '$fac'; role = 'facilitator'; }
      else { who = 'p_' + crypto.randomBytes(6).toString('hex'); role = 'participant'; seq += 1; participants += 1; }
      conns.add(ws);
      presenceDirty = true;
      scheduleTick();
      ws.send(welcome(role === 'participant' ? who : null, role));
      ws.send(presence());
      return;
    }
    if (t === 'input' || t === 'command') {
      const id = m.id;
      if (who === null) { send({ t: 'error', id, code: 'not_joined', message: 'join first' }); return; }
      if (t === 'command') { send({ t: 'ack', id, seq }); return; }
      if (m.activity !== 'a1') { send({ t: 'error', id, code: 'activity_not_found', message: 'no such activity' }); return; }
      seq += 1; count += 1; viewSeq = seq;
      viewDirty = true;
      scheduleTick();
      send({ t: 'ack', id, seq });
      return;
    }
    send({ t: 'error', code: 'unknown_type', message: 'unknown type' });
  });
  ws.on('close', () => {
    if (conns.delete(ws)) { presenceDirty = true; scheduleTick(); }
  });
  ws.on('error', () => {});
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
