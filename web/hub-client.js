// The shell's WebSocket client for the wire protocol (CONTRACTS.md §1, docs/PROTOCOL.md).
//
// - join as participant (with name, function, org), as beamer (`as`), or as facilitator (`auth`);
// - the participant's rejoin token is kept in localStorage per join code, so a reload, a phone lock or a
//   network change rejoins as the same participant;
// - reconnects with backoff; every welcome replaces the whole state;
// - inputs go through a queue (localStorage for participants): made offline they wait, and after a rejoin
//   every unanswered one is resent with its original id; each is pending, then confirmed or failed;
// - close codes: 4001 kicked, 4002 deleted, 4003 bad token (forget it, join anew), 4004 too slow and 1012 the
//   session moved to another node (rejoin at once).
//
// Events (CustomEvent 'change', detail.what): welcome, view, session, presence, roster, queue, connection,
// ended (detail.reason: kicked, deleted, bad_token, not_found, unauthorized, join_failed), error.

const BACKOFF_MS = [300, 1000, 2000, 4000, 8000, 15000];
const HEARTBEAT_MS = 15000;
const SILENCE_MS = 35000;
const KEEP_CONFIRMED = 20;

function randomId(length = 8) {
  // crypto.getRandomValues works outside secure contexts (plain HTTP on a LAN); randomUUID does not.
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function store(kind) {
  try { return kind === 'session' ? window.sessionStorage : window.localStorage; } catch { return null; }
}

function readJSON(storage, key, fallback) {
  try { const v = storage?.getItem(key); return v ? JSON.parse(v) : fallback; } catch { return fallback; }
}

function writeJSON(storage, key, value) {
  try { if (value === null || value === undefined) storage?.removeItem(key); else storage?.setItem(key, JSON.stringify(value)); } catch { /* storage full or blocked */ }
}

export function tokenKey(code) { return `hub.token.${String(code).toUpperCase()}`; }
export function queueKey(code) { return `hub.queue.${String(code).toUpperCase()}`; }

/** The saved rejoin identity for a join code: {token, participant} or null. */
export function savedIdentity(code) { return readJSON(store('local'), tokenKey(code), null); }
export function forgetIdentity(code) { writeJSON(store('local'), tokenKey(code), null); }

/** The series token of someone recognised across a series (docs/SERIES.md "Participants who continue"), per series id. */
export function seriesTokenKey(series) { return `hub.seriesToken.${series}`; }
export function savedSeriesToken(series) { return series ? readJSON(store('local'), seriesTokenKey(series), null) : null; }
export function forgetSeriesToken(series) { if (series) writeJSON(store('local'), seriesTokenKey(series), null); }

export class HubError extends Error {
  constructor({ code, message, detail, id } = {}) {
    super(message || code || 'error');
    this.code = code || 'internal';
    this.detail = detail;
    this.id = id;
  }
}

export class HubClient extends EventTarget {
  /**
   * @param {object} o
   * @param {string} o.code join code
   * @param {'participant'|'beamer'} [o.as]
   * @param {string} [o.auth] facilitator token
   * @param {{name?:string, function?:string, org?:string, domain?:string, series?:boolean}} [o.profile] sent on a
   *   first join; `series`: opt in to one identity across the session's series
   * @param {string} [o.lang]
   * @param {string} [o.url] WebSocket URL (default: /ws on this origin)
   * @param {string} [o.series] the session's series id (from /api/v1/join/{code}): its saved series token is sent
   */
  constructor({ code, as = 'participant', auth = null, profile = {}, lang = 'nl', url = null, series = null } = {}) {
    super();
    this.series = series;
    this.code = String(code || '').trim().toUpperCase();
    this.as = auth ? 'facilitator' : as;
    this.auth = auth;
    this.profile = profile;
    this.lang = lang;
    // `?code=` lets a load balancer in front of several hubs send the socket to the node that runs the session
    // (docs/SCALING.md); the join message still carries the code.
    this.url = url || `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws?code=${encodeURIComponent(this.code)}`;
    this.ws = null;
    this.connection = 'idle';
    this.ended = null;
    this.attempt = 0;
    this.state = HubClient.emptyState();
    this.welcomeSeq = 0;
    this.lastMessageAt = 0;
    this.promises = new Map();
    this.commandsInFlight = new Map();
    this.persistQueue = this.as === 'participant';
    this.queue = this.persistQueue ? readJSON(store('local'), queueKey(this.code), []) : [];
    this.idPrefix = (this.as === 'facilitator' ? 'f' : 'i') + randomId(4);
    this.counter = 0;
    this.timers = { reconnect: null, heartbeat: null, retry: null };
    this.onOnline = () => this.wake();
    this.onOffline = () => this.setConnection('offline');
    this.onVisible = () => { if (document.visibilityState === 'visible') this.wake(); };
  }

  static emptyState() {
    return {
      joined: false, participant: null, role: null, token: null, session: null, seq: 0, status: null,
      agenda: [], current: { activity: null, phase: null }, groups: null, views: {}, presence: null, roster: null,
    };
  }

  // ---- lifecycle --------------------------------------------------------------------------------------

  start() {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    document.addEventListener('visibilitychange', this.onVisible);
    this.timers.heartbeat = setInterval(() => this.heartbeat(), 5000);
    this.open();
    return this;
  }

  stop() {
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    document.removeEventListener('visibilitychange', this.onVisible);
    clearInterval(this.timers.heartbeat);
    clearTimeout(this.timers.reconnect);
    clearTimeout(this.timers.retry);
    this.ended = this.ended || 'stopped';
    this.detach(1000);
  }

  /** Network back or page visible again: reconnect now instead of waiting for the backoff. */
  wake() {
    if (this.ended) return;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ping(); return; }
    if (this.ws && this.ws.readyState === WebSocket.CONNECTING) return;
    clearTimeout(this.timers.reconnect);
    this.attempt = 0;
    this.open();
  }

  open() {
    if (this.ended) return;
    clearTimeout(this.timers.reconnect);
    this.setConnection(this.state.joined || this.attempt > 0 ? 'reconnecting' : 'connecting');
    let ws;
    try { ws = new WebSocket(this.url); } catch { this.scheduleReconnect(); return; }
    this.ws = ws;
    ws.onopen = () => { this.lastMessageAt = Date.now(); this.sendJoin(); };
    ws.onmessage = (ev) => this.receive(ev.data);
    ws.onclose = (ev) => this.closed(ev.code, ev.reason);
    ws.onerror = () => { /* onclose follows */ };
  }

  /** Stop listening to the current socket and close it; its close event no longer reaches us. */
  detach(code = 1000) {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(code); } catch { /* already closed */ }
  }

  closed(code) {
    this.ws = null;
    this.state.joined = false;
    if (this.ended) return;
    switch (code) {
      case 4001: this.forgetToken(); this.end('kicked'); return;
      case 4002: this.end('deleted'); return;
      case 4003: this.forgetToken(); this.end('bad_token'); return;
      case 4004: case 1012: this.attempt = 0; this.open(); return;
      default: this.scheduleReconnect();
    }
  }

  scheduleReconnect() {
    if (this.ended) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.setConnection(this.attempt >= 3 || navigator.onLine === false ? 'offline' : 'reconnecting');
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = setTimeout(() => this.open(), delay);
  }

  end(reason, message = '') {
    this.ended = reason;
    clearTimeout(this.timers.reconnect);
    this.detach(1000);
    this.setConnection('ended');
    this.emit('ended', { reason, message });
  }

  heartbeat() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const quiet = Date.now() - this.lastMessageAt;
    if (quiet > SILENCE_MS) {
      // A dead connection that the browser has not noticed (a cut Wi-Fi, a NAT that forgot us).
      this.detach(4000);
      this.state.joined = false;
      this.scheduleReconnect();
    } else if (quiet > HEARTBEAT_MS) {
      this.ping();
    }
  }

  ping() { this.raw({ t: 'ping' }); }

  setConnection(c) {
    if (this.connection === c) return;
    this.connection = c;
    this.emit('connection', { connection: c });
  }

  get online() { return this.connection === 'open'; }

  emit(what, detail = {}) { this.dispatchEvent(new CustomEvent('change', { detail: { what, ...detail } })); }

  raw(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    try { this.ws.send(JSON.stringify(msg)); return true; } catch { return false; }
  }

  // ---- join -------------------------------------------------------------------------------------------

  sendJoin() {
    const msg = { t: 'join', code: this.code, lang: this.lang };
    // A facilitator gets the roster once and then only what changed (docs/PROTOCOL.md "roster-diff").
    if (this.auth) { msg.auth = this.auth; msg.features = ['roster-diff']; }
    else if (this.as === 'beamer') msg.as = 'beamer';
    else {
      const saved = savedIdentity(this.code);
      if (saved && saved.token) {
        msg.token = saved.token;
        if (this.state.seq) msg.lastSeq = this.state.seq;
      } else {
        for (const k of ['name', 'function', 'org', 'domain']) {
          const v = (this.profile[k] || '').trim();
          if (v) msg[k] = v;
        }
        // Recognised across the series: continue with the saved series token, or opt in now.
        const seriesToken = savedSeriesToken(this.series);
        if (seriesToken) msg.seriesToken = seriesToken;
        else if (this.series && this.profile.series) msg.series = true;
      }
    }
    this.raw(msg);
  }

  forgetToken() {
    if (this.as !== 'participant') return;
    forgetIdentity(this.code);
    // Unsent inputs belonged to that identity: they will not be sent any more.
    let changed = false;
    for (const e of this.queue) if (e.state === 'pending') { e.state = 'error'; e.error = { code: 'not_sent', message: '' }; changed = true; }
    if (changed) { this.saveQueue(); this.emit('queue'); }
  }

  // ---- receiving --------------------------------------------------------------------------------------

  receive(data) {
    this.lastMessageAt = Date.now();
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (!m || typeof m.t !== 'string') return;
    switch (m.t) {
      case 'welcome': return this.onWelcome(m);
      case 'ack': return this.onAnswer(m.id, null, m);
      case 'error': return this.onError(m);
      case 'view': return this.onView(m);
      case 'session': return this.onSession(m);
      case 'presence': this.state.presence = m; return this.emit('presence');
      case 'roster':
        if (typeof m.seq === 'number' && m.seq < this.welcomeSeq) return;
        this.state.roster = Array.isArray(m.participants) ? m.participants : [];
        return this.emit('roster');
      case 'roster-diff': return this.onRosterDiff(m);
      case 'pong': return;
      default: return; // unknown types are ignored (forward compatibility)
    }
  }

  onWelcome(m) {
    const s = m.state || {};
    const prev = this.state;
    this.state = {
      joined: true,
      participant: m.participant ?? null,
      role: m.role || this.as,
      token: m.token ?? null,
      session: m.session || null,
      seq: m.seq || 0,
      status: s.status || null,
      agenda: Array.isArray(s.agenda) ? s.agenda : [],
      current: s.current || { activity: null, phase: null },
      groups: s.groups ?? null,
      views: s.views || {},
      presence: prev.presence,
      roster: prev.roster,
    };
    this.welcomeSeq = this.state.seq;
    this.attempt = 0;
    if (m.token && this.as === 'participant') {
      writeJSON(store('local'), tokenKey(this.code), { token: m.token, participant: m.participant });
    }
    if (m.seriesToken && this.series && this.as === 'participant') writeJSON(store('local'), seriesTokenKey(this.series), m.seriesToken);
    this.setConnection('open');
    this.emit('welcome');
    this.flush();
  }

  /** Changed entries replace theirs (new ones go last, in join order); removed ids leave. */
  onRosterDiff(m) {
    const roster = Array.isArray(this.state.roster) ? [...this.state.roster] : [];
    const at = new Map(roster.map((p, i) => [p.id, i]));
    for (const p of Array.isArray(m.upsert) ? m.upsert : []) {
      if (!p || typeof p.id !== 'string') continue;
      if (at.has(p.id)) roster[at.get(p.id)] = p;
      else { at.set(p.id, roster.length); roster.push(p); }
    }
    const removed = new Set(Array.isArray(m.remove) ? m.remove : []);
    this.state.roster = removed.size ? roster.filter((p) => !removed.has(p.id)) : roster;
    this.emit('roster');
  }

  onView(m) {
    if (typeof m.seq === 'number' && m.seq <= this.welcomeSeq && m.seq !== 0) return;
    if (!m.activity || !m.audience) return;
    const byAudience = { ...(this.state.views[m.activity] || {}) };
    byAudience[m.audience] = m.view;
    this.state.views = { ...this.state.views, [m.activity]: byAudience };
    if (typeof m.seq === 'number') this.state.seq = Math.max(this.state.seq, m.seq);
    this.emit('view', { activity: m.activity, audience: m.audience });
  }

  onSession(m) {
    if (typeof m.seq === 'number' && m.seq < this.welcomeSeq) return;
    const previous = this.state.current?.activity;
    if ('status' in m) this.state.status = m.status;
    if (Array.isArray(m.agenda)) this.state.agenda = m.agenda;
    if (m.current) this.state.current = m.current;
    if ('groups' in m) this.state.groups = m.groups;
    if (typeof m.seq === 'number') this.state.seq = Math.max(this.state.seq, m.seq);
    this.emit('session', { activityChanged: previous !== this.state.current?.activity });
  }

  onError(m) {
    if ((m.code === 'rate_limited' || m.code === 'unavailable') && this.state.joined) {
      // The hub dropped the message without acting on it (its id is in the error): it is not an answer.
      // `unavailable`: the hub could not store it now (its log is not durable) and did not log it.
      // Everything still unanswered goes again a little later, with the same ids; the promises wait.
      this.retryLater();
      return;
    }
    if (m.id) { this.onAnswer(m.id, m, null); return; }
    if (!this.state.joined) {
      // An answer to the join.
      switch (m.code) {
        case 'session_not_found': this.end('not_found', m.message); return;
        case 'unauthorized':
          if (this.auth) { this.end('unauthorized', m.message); return; }
          if (m.detail === 'series_token') {
            // Not this series' token (or no longer valid): forget it and opt in anew, as a new participant.
            forgetSeriesToken(this.series);
            this.profile = { ...this.profile, series: true };
            this.sendJoin();
            return;
          }
          return; // a bad rejoin token: close 4003 follows
        case 'rate_limited': case 'unavailable': this.detach(1000); this.scheduleReconnect(); return;
        case 'too_large': case 'bad_message': case 'session_full': this.end('join_failed', m.message); return;
        default: break;
      }
    }
    this.emit('error', { error: new HubError(m) });
  }

  /** One resend of everything unanswered, 1.5 s from the first refusal: however many were refused, the
   *  resends do not multiply (each would send the whole queue again). */
  retryLater() {
    if (this.timers.retry) return;
    this.timers.retry = setTimeout(() => {
      this.timers.retry = null;
      if (this.state.joined) this.flush();
    }, 1500);
  }

  onAnswer(id, error, ack) {
    const entry = this.queue.find((e) => e.id === id) || this.commandsInFlight.get(id);
    const p = this.promises.get(id);
    this.promises.delete(id);
    this.commandsInFlight.delete(id);
    if (entry) {
      if (error) { entry.state = 'error'; entry.error = { code: error.code, message: error.message, detail: error.detail }; }
      else { entry.state = 'confirmed'; entry.seq = ack.seq; delete entry.error; }
      if (entry.kind === 'input') { this.trimQueue(); this.saveQueue(); this.emit('queue', { entry }); }
    }
    if (p) {
      if (error) p.reject(new HubError(error));
      else p.resolve(ack);
    }
  }

  // ---- sending ----------------------------------------------------------------------------------------

  nextId(kind) {
    this.counter += 1;
    return `${kind === 'command' ? 'c' : ''}${this.idPrefix}-${Date.now().toString(36)}-${this.counter}`;
  }

  /** Send an input for an activity. Resolves with the ack, rejects with a HubError. Queued while offline. */
  input(activity, type, payload = {}) {
    const entry = { kind: 'input', id: this.nextId('input'), activity, type, payload: payload || {}, state: 'pending', at: Date.now() };
    this.queue.push(entry);
    this.saveQueue();
    const promise = new Promise((resolve, reject) => this.promises.set(entry.id, { resolve, reject }));
    this.emit('queue', { entry });
    if (this.state.joined) this.transmit(entry);
    return promise;
  }

  /** An input for the current activity: resolves with the ack, rejects with a HubError. */
  send(type, payload = {}) {
    const activity = this.state.current?.activity;
    if (!activity) return Promise.reject(new HubError({ code: 'activity_closed', message: '' }));
    return this.input(activity, type, payload);
  }

  /** A function (type, payload) → promise for one activity: what the shell hands to a plugin element as `send`. */
  sender(activity) { return (type, payload) => this.input(activity, type, payload); }

  /** A facilitator command. Not kept across reloads; refused at once while the connection is down. */
  command(type, fields = {}) {
    if (!this.state.joined) return Promise.reject(new HubError({ code: 'offline', message: '' }));
    const entry = { kind: 'command', id: this.nextId('command'), type, fields, state: 'pending', at: Date.now() };
    this.commandsInFlight.set(entry.id, entry);
    const promise = new Promise((resolve, reject) => this.promises.set(entry.id, { resolve, reject }));
    this.transmit(entry);
    return promise;
  }

  transmit(entry) {
    if (entry.kind === 'command') return this.raw({ t: 'command', id: entry.id, type: entry.type, ...entry.fields });
    return this.raw({ t: 'input', id: entry.id, activity: entry.activity, type: entry.type, payload: entry.payload });
  }

  /** After a (re)join: every unanswered input and command again, with its original id, in order. */
  flush() {
    for (const e of this.queue) if (e.state === 'pending') this.transmit(e);
    for (const e of this.commandsInFlight.values()) this.transmit(e);
  }

  inputs(activity = null) { return this.queue.filter((e) => activity === null || e.activity === activity); }

  get pendingCount() { return this.queue.filter((e) => e.state === 'pending').length; }

  trimQueue() {
    const done = this.queue.filter((e) => e.state !== 'pending');
    if (done.length <= KEEP_CONFIRMED) return;
    const drop = new Set(done.slice(0, done.length - KEEP_CONFIRMED).map((e) => e.id));
    this.queue = this.queue.filter((e) => !drop.has(e.id));
  }

  saveQueue() { if (this.persistQueue) writeJSON(store('local'), queueKey(this.code), this.queue); }

  // ---- views ------------------------------------------------------------------------------------------

  /** {audience: view} of one activity for this connection (public, group:<id>, me, facilitator, as received). */
  viewsOf(activity) { return { ...(this.state.views[activity] || {}) }; }

  entry(activity) { return this.state.agenda.find((a) => a.id === activity) || null; }

  get currentEntry() { return this.state.current?.activity ? this.entry(this.state.current.activity) : null; }
}
