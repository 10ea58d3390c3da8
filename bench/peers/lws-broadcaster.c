/*
 * lws-broadcaster: peer for bench/fanout, a bare WebSocket broadcaster in C on libwebsockets 4.1 over
 * libuv (epoll). The same wire protocol and the same work as bench/peers/ws-relay.js and bench/relay.py:
 *   join    -> welcome (participant id, token, seq, state with one activity a1 and its public view),
 *              then presence; a participant's first join takes a seq, as in the hub
 *   input   -> seq += 1, count += 1, ack {id, seq} at once
 *   command -> ack with the current seq (a facilitator's `auth` is accepted, not checked)
 *   ping    -> pong
 *   tick    -> --tick-ms after the first change: one `view` {count} encoded once and queued, the same
 *              bytes, to every connection; presence when the number of connections changed
 * Each connection has a bounded outbox of shared, reference-counted frames (OUTBOX); one frame is
 * written per writable callback. A connection whose outbox is full is closed with 4004.
 * Left out on purpose, as in the other peers: durability, plugins, rate limits, auth, resent-id dedup
 * (loadclient never resends an input id). Only for 127.0.0.1.
 *
 * Build: cc -O2 -o bench/bin/lws-broadcaster bench/peers/lws-broadcaster.c $(pkg-config --cflags --libs libwebsockets libuv)
 * Usage: lws-broadcaster [--port 0] [--tick-ms 50]; prints `listening on ws://127.0.0.1:PORT`.
 */
#define _GNU_SOURCE
#include <uv.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define OUTBOX 256

typedef struct frame { int refs; size_t len; unsigned char buf[]; } frame_t; /* LWS_PRE + len bytes */

typedef struct pss {
    struct lws *wsi;
    struct pss *prev, *next; /* joined connections */
    int joined, closing;
    frame_t *out[OUTBOX];
    unsigned head, tail;     /* out[head % OUTBOX] is next to write; tail - head queued */
    char who[20];
} pss_t;

static struct { int port; double tick_ms; } cfg = { 0, 50 };
static int64_t seq, count, view_seq;
static int participants, nconns;
static int view_dirty, presence_dirty, tick_scheduled;
static pss_t *conns;
static uv_loop_t loop;
static uv_timer_t tick_timer;
static struct lws_context *context;

static frame_t *frame_new(const char *fmt, ...) {
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) return NULL;
    frame_t *f = malloc(sizeof *f + LWS_PRE + (size_t)n);
    if (!f) return NULL;
    f->refs = 0;
    f->len = (size_t)n;
    memcpy(f->buf + LWS_PRE, tmp, (size_t)n);
    return f;
}

static void frame_unref(frame_t *f) { if (--f->refs <= 0) free(f); }

static void enqueue(pss_t *p, frame_t *f) {
    if (!f || p->closing) return;
    if (p->tail - p->head >= OUTBOX) { /* too slow: the bounded outbox is full */
        p->closing = 1;
        lws_close_reason(p->wsi, 4004, (unsigned char *)"too slow", 8);
        lws_callback_on_writable(p->wsi);
        return;
    }
    f->refs++;
    p->out[p->tail++ % OUTBOX] = f;
    lws_callback_on_writable(p->wsi);
}

static void send_one(pss_t *p, frame_t *f) { /* a frame for one connection */
    if (!f) return;
    enqueue(p, f);
    if (!f->refs) free(f);
}

static void broadcast(frame_t *f) { /* encoded once, the same bytes to everyone */
    if (!f) return;
    for (pss_t *p = conns; p; p = p->next) enqueue(p, f);
    if (!f->refs) free(f);
}

static frame_t *presence(void) {
    return frame_new("{\"t\":\"presence\",\"count\":%d,\"connected\":%d}", participants, nconns);
}

static void on_tick(uv_timer_t *t) {
    (void)t;
    tick_scheduled = 0;
    if (view_dirty) {
        view_dirty = 0;
        broadcast(frame_new("{\"t\":\"view\",\"seq\":%lld,\"activity\":\"a1\",\"audience\":\"public\",\"view\":{\"count\":%lld}}",
                            (long long)view_seq, (long long)count));
    }
    if (presence_dirty) {
        presence_dirty = 0;
        broadcast(presence());
    }
}

static void schedule_tick(void) {
    if (tick_scheduled) return;
    tick_scheduled = 1;
    uv_timer_start(&tick_timer, on_tick, (uint64_t)cfg.tick_ms, 0);
}

/* Top-level string field of a small JSON object (no nesting needed for what clients send). */
static int field(const char *s, size_t len, const char *key, char *out, size_t cap) {
    char pat[24];
    int pl = snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *e = s + len;
    for (const char *p = s; p + pl < e; p++) {
        if (memcmp(p, pat, (size_t)pl)) continue;
        p += pl;
        while (p < e && *p == ' ') p++;
        if (p >= e || *p != '"') return 0;
        size_t n = 0;
        for (p++; p < e && *p != '"'; p++) {
            if (*p == '\\' && p + 1 < e) p++;
            if (n + 1 < cap) out[n++] = *p;
        }
        out[n] = 0;
        return 1;
    }
    return 0;
}

static void on_message(pss_t *p, const char *s, size_t len) {
    char t[16], id[72], act[16], auth[8];
    if (!field(s, len, "t", t, sizeof t)) {
        send_one(p, frame_new("{\"t\":\"error\",\"code\":\"bad_json\",\"message\":\"bad JSON\"}"));
        return;
    }
    if (!strcmp(t, "ping")) { send_one(p, frame_new("{\"t\":\"pong\"}")); return; }
    if (!strcmp(t, "join")) {
        if (p->joined) { send_one(p, frame_new("{\"t\":\"error\",\"code\":\"bad_message\",\"message\":\"already joined\"}")); return; }
        int fac = field(s, len, "auth", auth, sizeof auth);
        p->joined = 1;
        p->next = conns; p->prev = NULL;
        if (conns) conns->prev = p;
        conns = p;
        nconns++;
        if (!fac) {
            unsigned char r[6];
            lws_get_random(context, r, sizeof r);
            snprintf(p->who, sizeof p->who, "p_%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5]);
            seq++;
            participants++;
        }
        presence_dirty = 1;
        schedule_tick();
        static const char state_fmt[] =
            "\"seq\":%lld,\"state\":{\"status\":\"open\",\"agenda\":[{\"id\":\"a1\",\"plugin\":\"counter\",\"title\":\"Count\","
            "\"phase\":\"counting\",\"inputsOpen\":true,\"anonymity\":\"pseudonymous\",\"config\":{}}],"
            "\"current\":{\"activity\":\"a1\",\"phase\":\"counting\"},\"groups\":null,\"views\":{\"a1\":{\"public\":{\"count\":%lld}}}}";
        char state[1024];
        snprintf(state, sizeof state, state_fmt, (long long)seq, (long long)count);
        if (fac)
            send_one(p, frame_new("{\"t\":\"welcome\",\"role\":\"facilitator\",\"session\":{\"id\":\"s_relay\",\"code\":\"RELAY\","
                                  "\"title\":\"Relay\",\"lang\":\"en\"},%s}", state));
        else
            send_one(p, frame_new("{\"t\":\"welcome\",\"role\":\"participant\",\"session\":{\"id\":\"s_relay\",\"code\":\"RELAY\","
                                  "\"title\":\"Relay\",\"lang\":\"en\"},%s,\"participant\":\"%s\",\"token\":\"relay.%s\"}",
                                  state, p->who, p->who));
        send_one(p, presence());
        return;
    }
    if (!strcmp(t, "input") || !strcmp(t, "command")) {
        if (!field(s, len, "id", id, sizeof id)) id[0] = 0;
        for (char *q = id; *q; q++) if (*q == '"' || *q == '\\' || (unsigned char)*q < 0x20) *q = '_';
        if (!p->joined) {
            send_one(p, frame_new("{\"t\":\"error\",\"id\":\"%s\",\"code\":\"not_joined\",\"message\":\"join first\"}", id));
            return;
        }
        if (!strcmp(t, "command")) { send_one(p, frame_new("{\"t\":\"ack\",\"id\":\"%s\",\"seq\":%lld}", id, (long long)seq)); return; }
        if (!field(s, len, "activity", act, sizeof act) || strcmp(act, "a1")) {
            send_one(p, frame_new("{\"t\":\"error\",\"id\":\"%s\",\"code\":\"activity_not_found\",\"message\":\"no such activity\"}", id));
            return;
        }
        seq++; count++; view_seq = seq;
        view_dirty = 1;
        schedule_tick();
        send_one(p, frame_new("{\"t\":\"ack\",\"id\":\"%s\",\"seq\":%lld}", id, (long long)seq));
        return;
    }
    send_one(p, frame_new("{\"t\":\"error\",\"code\":\"unknown_type\",\"message\":\"unknown type\"}"));
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    pss_t *p = (pss_t *)user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        memset(p, 0, sizeof *p);
        p->wsi = wsi;
        break;
    case LWS_CALLBACK_RECEIVE:
        if (lws_frame_is_binary(wsi) || !lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi)) {
            lws_close_reason(wsi, 1009, (unsigned char *)"one small text frame", 20);
            return -1;
        }
        on_message(p, (const char *)in, len);
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (p->closing && p->head == p->tail) return -1;
        if (p->head != p->tail) {
            frame_t *f = p->out[p->head++ % OUTBOX];
            int n = lws_write(wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT); /* lws keeps what the socket did not take */
            frame_unref(f);
            if (n < 0) return -1;
            if (p->head != p->tail || p->closing) lws_callback_on_writable(wsi);
        }
        break;
    case LWS_CALLBACK_CLOSED:
        if (p->joined) {
            if (p->prev) p->prev->next = p->next; else conns = p->next;
            if (p->next) p->next->prev = p->prev;
            nconns--;
            presence_dirty = 1;
            schedule_tick();
        }
        while (p->head != p->tail) frame_unref(p->out[p->head++ % OUTBOX]);
        p->joined = 0;
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    { "sessionhub", callback, sizeof(pss_t), 4096, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

static uv_signal_t sigterm, sigint;
static void on_signal(uv_signal_t *s, int sig) { (void)s; (void)sig; uv_stop(&loop); }

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) cfg.port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--tick-ms")) cfg.tick_ms = atof(argv[i + 1]);
        else { fprintf(stderr, "usage: lws-broadcaster [--port 0] [--tick-ms 50]\n"); return 64; }
    }
    signal(SIGPIPE, SIG_IGN);
    lws_set_log_level(LLL_ERR, NULL);
    uv_loop_init(&loop);
    uv_timer_init(&loop, &tick_timer);
    uv_signal_init(&loop, &sigterm); uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_signal_init(&loop, &sigint); uv_signal_start(&sigint, on_signal, SIGINT);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    void *foreign_loops[1] = { &loop };
    info.port = cfg.port;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    info.count_threads = 1;
    info.foreign_loops = foreign_loops;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
    info.max_http_header_pool = 1024;
    info.timeout_secs = 60;
    /* No idle-validity pings: the clients ping, and lws' per-connection validity timers re-sort on every frame. */
    static const lws_retry_bo_t no_idle = { .secs_since_valid_ping = 0, .secs_since_valid_hangup = 0 };
    info.retry_and_idle_policy = &no_idle;
    context = lws_create_context(&info);
    if (!context) { fprintf(stderr, "lws-broadcaster: lws_create_context failed\n"); return 1; }
    struct lws_vhost *vh = lws_get_vhost_by_name(context, "default");
    int port = vh ? lws_get_vhost_listen_port(vh) : cfg.port;
    printf("listening on ws://127.0.0.1:%d\n", port);
    fflush(stdout);
    uv_run(&loop, UV_RUN_DEFAULT);
    return 0;
}
