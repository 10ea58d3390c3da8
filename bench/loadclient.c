/*
 * loadclient: load and interop client for SessionHub's WebSocket protocol (docs/PROTOCOL.md),
 * written in C on libwebsockets so that it shares nothing with the hub's SwiftNIO stack.
 *
 * One process, one lws event loop, N client connections to ws://127.0.0.1:PORT/ws. Each joins the
 * session code as a participant; once every connection has its `welcome`, M of them send inputs at
 * a fixed rate each. Measured:
 *   - join time: connect started -> `welcome` received (per connection);
 *   - input -> ack: input frame written -> `ack` with the same id received;
 *   - fan-out: `ack` received at the sender -> every joined connection has received a `view` with
 *     seq >= the ack's seq (or a welcome that already reflects it), over sampled inputs;
 *   - frames and bytes by type, `error`s by code, closes by code.
 * It prints one human summary block and a last line `RESULT {json}`.
 *
 * Bounded: the run ends by itself (join timeout + --duration + drain, and a hard --max-seconds), and
 * the only target is 127.0.0.1.
 *
 * Build: cc -O2 -o bench/bin/loadclient bench/loadclient.c $(pkg-config --cflags --libs libwebsockets)
 */
#define _GNU_SOURCE
#include <uv.h>
#include <libwebsockets.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* ---------------------------------------------------------------- time */

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------- log-bucket histogram */
/* HDR-like: values (microseconds) below HSUB are exact; above, each power of two is split into HSUB
 * linear sub-buckets, so a reported percentile is within 1/HSUB (about 3 %) of the true value. */
#define HSUB_BITS 5
#define HSUB (1 << HSUB_BITS)
#define HBUCKETS (HSUB + (64 - HSUB_BITS) * HSUB)

typedef struct {
    uint64_t counts[HBUCKETS];
    uint64_t n;
    double sum;
    int64_t min, max;
} hist_t;

static void hist_init(hist_t *h) { memset(h, 0, sizeof(*h)); h->min = INT64_MAX; }

static int hist_index(uint64_t v) {
    if (v < HSUB) return (int)v;
    int e = 63 - __builtin_clzll(v); /* >= HSUB_BITS */
    int shift = e - HSUB_BITS;
    int sub = (int)((v >> shift) - HSUB);
    return HSUB + shift * HSUB + sub;
}

/* Highest value that falls into bucket i. */
static uint64_t hist_upper(int i) {
    if (i < HSUB) return (uint64_t)i;
    int shift = (i - HSUB) / HSUB;
    int sub = (i - HSUB) % HSUB;
    return (((uint64_t)(sub + HSUB + 1)) << shift) - 1;
}

static void hist_add(hist_t *h, int64_t v) {
    if (v < 0) v = 0;
    h->counts[hist_index((uint64_t)v)]++;
    h->n++;
    h->sum += (double)v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

static int64_t hist_pct(const hist_t *h, double p) {
    if (!h->n) return 0;
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->n);
    if (rank < 1) rank = 1;
    uint64_t c = 0;
    for (int i = 0; i < HBUCKETS; i++) {
        c += h->counts[i];
        if (c >= rank) {
            int64_t u = (int64_t)hist_upper(i);
            return u > h->max ? h->max : u;
        }
    }
    return h->max;
}

/* ----------------------------------------------------- tiny counters map */
#define MAXKEYS 32
typedef struct { char key[MAXKEYS][40]; uint64_t val[MAXKEYS]; int n; } counts_t;

static void counts_add(counts_t *c, const char *key) {
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->key[i], key)) { c->val[i]++; return; }
    if (c->n == MAXKEYS) key = "(other)";
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->key[i], key)) { c->val[i]++; return; }
    if (c->n < MAXKEYS) {
        snprintf(c->key[c->n], sizeof(c->key[0]), "%s", key);
        c->val[c->n++] = 1;
    }
}

static void counts_print(FILE *f, const counts_t *c) {
    if (!c->n) { fprintf(f, "none"); return; }
    for (int i = 0; i < c->n; i++) fprintf(f, "%s%s=%" PRIu64, i ? " " : "", c->key[i], c->val[i]);
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        if ((unsigned char)*s < 0x20) { fprintf(f, "\\u%04x", *s); continue; }
        fputc(*s, f);
    }
    fputc('"', f);
}

static void counts_json(FILE *f, const counts_t *c) {
    fputc('{', f);
    for (int i = 0; i < c->n; i++) {
        if (i) fputc(',', f);
        json_str(f, c->key[i]);
        fprintf(f, ":%" PRIu64, c->val[i]);
    }
    fputc('}', f);
}

/* ------------------------------------------- minimal top-level JSON scan */
/* Reads only the top-level keys we need (t, id, seq, code) and skips every other value, nested or
 * not, so a "seq" or "code" inside a view or the welcome's session object is never mistaken. */
typedef struct {
    char t[16];
    char id[72];
    char code[40];
    int64_t seq;
    int has_seq;
} msg_t;

static const char *skip_ws(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static const char *skip_string(const char *p, const char *e) { /* p at opening quote */
    p++;
    while (p < e && *p != '"') {
        if (*p == '\\') p++;
        p++;
    }
    return p < e ? p + 1 : e;
}

static const char *skip_value(const char *p, const char *e) {
    if (p >= e) return e;
    if (*p == '"') return skip_string(p, e);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < e) {
            if (*p == '"') { p = skip_string(p, e); continue; }
            if (*p == '{' || *p == '[') depth++;
            else if (*p == '}' || *p == ']') { depth--; if (depth == 0) return p + 1; }
            p++;
        }
        return e;
    }
    while (p < e && *p != ',' && *p != '}' && *p != ']') p++;
    return p;
}

static void copy_string(const char *p, const char *e, char *out, size_t cap) { /* p at opening quote */
    size_t n = 0;
    p++;
    while (p < e && *p != '"') {
        if (*p == '\\' && p + 1 < e) p++;
        if (n + 1 < cap) out[n++] = *p;
        p++;
    }
    out[n] = 0;
}

static int parse_msg(const char *s, size_t len, msg_t *m) {
    const char *p = s, *e = s + len;
    memset(m, 0, sizeof(*m));
    p = skip_ws(p, e);
    if (p >= e || *p != '{') return -1;
    p++;
    for (;;) {
        p = skip_ws(p, e);
        if (p >= e) return -1;
        if (*p == '}') return 0;
        if (*p == ',') { p++; continue; }
        if (*p != '"') return -1;
        const char *k = p + 1;
        const char *ke = skip_string(p, e);
        size_t klen = (size_t)(ke - k - 1);
        p = skip_ws(ke, e);
        if (p >= e || *p != ':') return -1;
        p = skip_ws(p + 1, e);
        if (p >= e) return -1;
        if (klen == 1 && k[0] == 't' && *p == '"') copy_string(p, e, m->t, sizeof m->t);
        else if (klen == 2 && !memcmp(k, "id", 2) && *p == '"') copy_string(p, e, m->id, sizeof m->id);
        else if (klen == 4 && !memcmp(k, "code", 4) && *p == '"') copy_string(p, e, m->code, sizeof m->code);
        else if (klen == 3 && !memcmp(k, "seq", 3) && (*p == '-' || (*p >= '0' && *p <= '9'))) {
            m->seq = strtoll(p, NULL, 10);
            m->has_seq = 1;
        }
        p = skip_value(p, e);
    }
}

/* ---------------------------------------------------------- configuration */
static struct {
    int port;
    const char *code;
    int clients, senders;
    double rate;          /* inputs per second per sender */
    double duration;      /* seconds of sending */
    double join_timeout;  /* seconds to wait for all welcomes */
    double drain;         /* seconds to wait for outstanding acks and views after sending */
    double max_seconds;   /* hard stop */
    const char *type, *activity, *payload, *label, *fac_token;
    double join_rate, join_burst; /* client-side pacing of handshakes + joins (hub: 200/s, burst 3000 per IP) */
    int connect_concurrency;
    double sample_ms;
    int verbose;
    int fac_stay;
    double progress;
    const char *evlib;
    int addresses;        /* spread connections over this many loopback source addresses (0: the kernel's choice) */
} cfg = {
    .port = 0, .code = NULL, .clients = 1000, .senders = 100, .rate = 5, .duration = 20,
    .join_timeout = 0, .drain = 5, .max_seconds = 0, .type = "inc", .activity = "a1", .payload = "{}",
    .label = "target", .fac_token = NULL, .join_rate = 190, .join_burst = 2900,
    .connect_concurrency = 200, .sample_ms = 20, .verbose = 0, .fac_stay = 1, .progress = 10, .evlib = "uv",
    .addresses = 0,
};
static char (*source_addr)[20]; /* 127.1.x.y, one per --addresses */

/* ------------------------------------------------------------ connections */
enum { C_IDLE, C_CONNECTING, C_OPEN, C_JOINED, C_CLOSED, C_FAILED };

#define RING 1024 /* outstanding inputs remembered per sender */

typedef struct conn {
    struct lws *wsi;
    int idx;
    int state;
    int is_fac;
    int attempts;
    int64_t t_connect;     /* connect started (first attempt) */
    int64_t retry_at;      /* >0: reconnect or re-join at this time */
    int retry_join;        /* retry is a re-sent join on the open connection */
    int want_join, want_close, want_cmd, self_closed;
    int due;               /* inputs due to be written */
    uint32_t next_n;       /* next input number */
    int64_t max_view_seq;  /* highest view seq seen (or welcome.seq) */
    int close_code;        /* from the peer's close frame, 0 if none */
    int sender;            /* index among senders, or -1 */
    int64_t *sent_at;      /* ring of send times by input number (senders only) */
    double bucket;         /* the hub's per-connection limit (20/s, burst 60) replayed on our own write times */
    int64_t bucket_at;
    uint32_t *sent_n;
    char *rx; size_t rxlen, rxcap;
} conn_t;

static conn_t *conns;      /* cfg.clients participants, then the facilitator */
static conn_t *fac;
static struct lws_context *context;
static uv_loop_t *uvloop; /* set with --evlib uv */

enum { P_FAC, P_JOIN, P_SEND, P_DRAIN, P_CLOSE, P_DONE };
static int phase = P_JOIN;
static int64_t t_join0, t_start, t_phase, t_send0, t_send_end, t_join_first, t_join_last, t_hard;
static int pending_retries, joined_at_send, started, inflight, joined_now, joined_total, join_failed, conn_errors_total, join_retries, lost_joined;
static int open_sockets;
static double bucket_tokens;
static int64_t bucket_last;
static int fac_ready, fac_failed, close_asked;
static char fac_result[64] = "";
static char fac_cmd_id[64];

static int *sender_conn; static int nsenders;
static uint64_t send_cursor;
static uint64_t sent, acked, refused, send_skipped, late_acks, over_limit_writes;
static hist_t h_join, h_ack, h_fan, h_e2e;
static counts_t errors, closes, conn_errors, frames, fac_frames;
static uint64_t bytes_in, fac_bytes_in, views_in, views_in_send;
static int64_t last_seq_seen;

/* fan-out samples */
#define MAXSAMPLES 4096
typedef struct { int64_t seq, t_ack, t_sent; int remaining; int active; } sample_t;
static sample_t samples[MAXSAMPLES];
static int nsamples, nactive;
static int64_t last_sample_t, last_sample_seq;
static uint64_t samples_done, samples_incomplete, samples_immediate;

static void set_phase(int p) {
    phase = p;
    t_phase = now_us();
    if (p == P_JOIN) t_join0 = t_phase;
    if (p == P_DONE && context) {
        lws_cancel_service(context);
        if (uvloop) uv_stop(uvloop); /* the loop is ours (a foreign loop to lws) */
    }
}

static void sample_conn_advance(int64_t old_seq, int64_t new_seq, int64_t now) {
    if (!nactive) return;
    for (int i = 0; i < nsamples; i++) {
        sample_t *s = &samples[i];
        if (!s->active || s->seq <= old_seq || s->seq > new_seq) continue;
        if (--s->remaining <= 0) {
            s->active = 0; nactive--; samples_done++;
            hist_add(&h_fan, now - s->t_ack);
            hist_add(&h_e2e, now - s->t_sent);
        }
    }
}

static void sample_new(int64_t seq, int64_t t_ack, int64_t t_sent) {
    if (nsamples == MAXSAMPLES) { /* compact */
        int j = 0;
        for (int i = 0; i < nsamples; i++) if (samples[i].active) samples[j++] = samples[i];
        nsamples = j;
        if (nsamples == MAXSAMPLES) return;
    }
    int remaining = 0;
    for (int i = 0; i < cfg.clients; i++)
        if (conns[i].state == C_JOINED && conns[i].max_view_seq < seq) remaining++;
    last_sample_t = t_ack;
    last_sample_seq = seq;
    if (!remaining) { /* every connection already had it (views raced the ack) */
        samples_done++; samples_immediate++;
        hist_add(&h_fan, 0);
        hist_add(&h_e2e, t_ack - t_sent);
        return;
    }
    samples[nsamples++] = (sample_t){ .seq = seq, .t_ack = t_ack, .t_sent = t_sent, .remaining = remaining, .active = 1 };
    nactive++;
}

/* ------------------------------------------------------------- sending */
static unsigned char txbuf[LWS_PRE + 4096];

static int send_text(struct lws *wsi, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf((char *)txbuf + LWS_PRE, sizeof(txbuf) - LWS_PRE, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(txbuf) - LWS_PRE) return -1;
    return lws_write(wsi, txbuf + LWS_PRE, (size_t)n, LWS_WRITE_TEXT) < n ? -1 : 0;
}

static int write_one(conn_t *c) {
    if (c->want_close) {
        c->want_close = 0;
        c->self_closed = 1;
        lws_close_reason(c->wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"bench done", 10);
        return -1;
    }
    if (c->want_join) {
        c->want_join = 0;
        if (c->is_fac)
            return send_text(c->wsi, "{\"t\":\"join\",\"code\":\"%s\",\"auth\":\"%s\",\"lang\":\"en\"}", cfg.code, cfg.fac_token);
        return send_text(c->wsi, "{\"t\":\"join\",\"code\":\"%s\",\"name\":\"bench %d\",\"lang\":\"en\"}", cfg.code, c->idx);
    }
    if (c->want_cmd) {
        c->want_cmd = 0;
        return send_text(c->wsi, "{\"t\":\"command\",\"id\":\"%s\",\"type\":\"goto\",\"activity\":\"%s\"}", fac_cmd_id, cfg.activity);
    }
    if (c->due > 0 && c->state == C_JOINED) {
        c->due--;
        uint32_t n = c->next_n++;
        int64_t t = now_us();
        if (c->sent_n[n % RING] != UINT32_MAX) late_acks++; /* overwritten before its ack came */
        c->sent_at[n % RING] = t;
        /* Would the hub's 20/s, burst 60 bucket refuse this write if it saw it when we wrote it? */
        c->bucket += (double)(t - c->bucket_at) / 1e6 * 20.0;
        if (c->bucket > 60) c->bucket = 60;
        c->bucket_at = t;
        if (c->bucket < 1) over_limit_writes++; else c->bucket -= 1;
        c->sent_n[n % RING] = n;
        sent++;
        return send_text(c->wsi, "{\"t\":\"input\",\"id\":\"b%d-%u\",\"activity\":\"%s\",\"type\":\"%s\",\"payload\":%s}",
                         c->idx, n, cfg.activity, cfg.type, cfg.payload);
    }
    return 0;
}

static int has_work(conn_t *c) {
    return c->want_close || c->want_join || c->want_cmd || (c->due > 0 && c->state == C_JOINED);
}

/* ---------------------------------------------------------- connecting */
static const struct lws_protocols protocols[];

/* No lws-side idle pings or hangups (the hub pings every 30 s and lws answers): without this every
 * received frame re-sorts a per-connection validity timer, which costs O(connections). */
static const lws_retry_bo_t no_idle_policy = { .secs_since_valid_ping = 0, .secs_since_valid_hangup = 0 };

static void start_connect(conn_t *c) {
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = context;
    ci.address = "127.0.0.1"; /* the only target, by design */
    ci.port = cfg.port;
    ci.path = "/ws";
    /* As a browser on the hub's own page: Host and Origin carry the port (the hub checks Origin against Host).
     * lws 4.1 writes the Origin header as "http://" + ci.origin, so ci.origin has no scheme. */
    static char host[32], origin[48];
    if (!host[0]) {
        snprintf(host, sizeof host, "127.0.0.1:%d", cfg.port);
        snprintf(origin, sizeof origin, "127.0.0.1:%d", cfg.port);
    }
    ci.host = host;
    ci.origin = origin;
    ci.local_protocol_name = "sessionhub-bench";
    ci.userdata = c;
    ci.pwsi = &c->wsi;
    ci.retry_and_idle_policy = &no_idle_policy;
    /* Many phones behind many addresses: the hub's per-address limits see each address apart. */
    if (cfg.addresses > 0) ci.iface = source_addr[c->idx % cfg.addresses];
    if (!c->attempts) c->t_connect = now_us();
    c->attempts++;
    c->state = C_CONNECTING;
    c->close_code = 0;
    c->self_closed = 0;
    inflight++;
    if (!lws_client_connect_via_info(&ci)) {
        /* CONNECTION_ERROR was (or will not be) called; make sure we count it once */
        if (c->state == C_CONNECTING) {
            inflight--;
            counts_add(&conn_errors, "connect_via_info failed");
            conn_errors_total++;
            c->state = C_IDLE;
            c->retry_at = now_us() + 1000000;
            pending_retries++;
        }
    }
}

static int take_token(int64_t now) {
    bucket_tokens += (double)(now - bucket_last) / 1e6 * cfg.join_rate;
    if (bucket_tokens > cfg.join_burst) bucket_tokens = cfg.join_burst;
    bucket_last = now;
    if (bucket_tokens < 1) return 0;
    bucket_tokens -= 1;
    return 1;
}

static void conn_lost(conn_t *c, int64_t now) {
    /* a joined connection that closed no longer counts for pending fan-out samples */
    if (c->state == C_JOINED && !c->is_fac) {
        joined_now--;
        if (nactive)
            for (int i = 0; i < nsamples; i++) {
                sample_t *s = &samples[i];
                if (s->active && c->max_view_seq < s->seq && --s->remaining <= 0) {
                    s->active = 0; nactive--; samples_done++;
                    hist_add(&h_fan, now - s->t_ack);
                    hist_add(&h_e2e, now - s->t_sent);
                }
            }
    }
}

/* ------------------------------------------------------------- receiving */
static void on_message(conn_t *c, const char *s, size_t len) {
    int64_t now = now_us();
    msg_t m;
    if (c->is_fac) fac_bytes_in += len; else bytes_in += len;
    if (parse_msg(s, len, &m) < 0 || !m.t[0]) {
        counts_add(c->is_fac ? &fac_frames : &frames, "(unparsed)");
        return;
    }
    counts_add(c->is_fac ? &fac_frames : &frames, m.t);
    if (m.has_seq && m.seq > last_seq_seen) last_seq_seen = m.seq;

    if (c->is_fac) {
        if (!strcmp(m.t, "welcome")) {
            c->state = C_JOINED;
            c->want_cmd = 1;
            lws_callback_on_writable(c->wsi);
        } else if ((!strcmp(m.t, "ack") || !strcmp(m.t, "error")) && !strcmp(m.id, fac_cmd_id)) {
            snprintf(fac_result, sizeof fac_result, "%s%s%s", m.t, m.code[0] ? " " : "", m.code);
            fac_ready = 1;
            if (!cfg.fac_stay) { c->want_close = 1; lws_callback_on_writable(c->wsi); }
        } else if (!strcmp(m.t, "error") && c->state != C_JOINED) {
            snprintf(fac_result, sizeof fac_result, "join error %s", m.code);
            fac_failed = 1;
        }
        return;
    }

    if (!strcmp(m.t, "view")) {
        views_in++;
        if (phase == P_SEND) views_in_send++;
        if (m.has_seq && m.seq > c->max_view_seq) {
            int64_t old = c->max_view_seq;
            c->max_view_seq = m.seq;
            if (c->state == C_JOINED) sample_conn_advance(old, m.seq, now);
        }
    } else if (!strcmp(m.t, "ack")) {
        int ci = -1; unsigned n = 0;
        if (sscanf(m.id, "b%d-%u", &ci, &n) == 2 && ci == c->idx && c->sent_n && c->sent_n[n % RING] == n) {
            int64_t ts = c->sent_at[n % RING];
            c->sent_n[n % RING] = UINT32_MAX;
            acked++;
            hist_add(&h_ack, now - ts);
            if (phase == P_SEND && m.has_seq && now - last_sample_t >= (int64_t)(cfg.sample_ms * 1000) && m.seq > last_sample_seq)
                sample_new(m.seq, now, ts);
        } else {
            counts_add(&errors, "(unmatched ack)");
        }
    } else if (!strcmp(m.t, "welcome")) {
        if (c->state != C_JOINED) {
            c->state = C_JOINED;
            joined_now++; joined_total++;
            hist_add(&h_join, now - c->t_connect);
            if (!t_join_first) t_join_first = now;
            t_join_last = now;
            c->max_view_seq = m.has_seq ? m.seq : 0;
        }
    } else if (!strcmp(m.t, "error")) {
        counts_add(&errors, m.code[0] ? m.code : "(no code)");
        if (c->state == C_OPEN) { /* the join was refused */
            if (!strcmp(m.code, "rate_limited") && c->attempts < 50) {
                join_retries++;
                c->attempts++;
                c->retry_join = 1;
                c->retry_at = now + 500000 + (rand() % 500000);
                pending_retries++;
            } else {
                join_failed++;
                c->state = C_FAILED;
                c->want_close = 1;
                lws_callback_on_writable(c->wsi);
            }
        } else if (m.id[0]) {
            int ci = -1; unsigned n = 0;
            if (sscanf(m.id, "b%d-%u", &ci, &n) == 2 && ci == c->idx && c->sent_n && c->sent_n[n % RING] == n) {
                c->sent_n[n % RING] = UINT32_MAX;
                refused++;
            }
        }
    }
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    conn_t *c = (conn_t *)user;
    int64_t now;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!c) break;
        {
            char why[40];
            unsigned status = wsi ? lws_http_client_http_response(wsi) : 0;
            if (status && status != 101) snprintf(why, sizeof why, "http %u", status);
            else snprintf(why, sizeof why, "%.39s", in ? (const char *)in : "connect error");
            counts_add(&conn_errors, why);
        }
        conn_errors_total++;
        if (c->state == C_CONNECTING) inflight--;
        c->wsi = NULL;
        if (c->is_fac) { fac_failed = 1; c->state = C_FAILED; snprintf(fac_result, sizeof fac_result, "connect failed"); break; }
        if (c->attempts < 50 && phase <= P_JOIN) {
            c->state = C_IDLE;
            c->retry_at = now_us() + 500000 + (rand() % 1000000);
            pending_retries++;
        } else {
            c->state = C_FAILED;
            join_failed++;
        }
        break;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!c) break;
        if (c->state == C_CONNECTING) inflight--;
        open_sockets++;
        c->state = C_OPEN;
        c->want_join = 1;
        lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!c) break;
        {
            int final = lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
            if (final && !c->rxlen) { on_message(c, (const char *)in, len); break; }
            if (c->rxlen + len > c->rxcap) {
                size_t cap = c->rxcap ? c->rxcap : 8192;
                while (cap < c->rxlen + len) cap *= 2;
                char *nb = realloc(c->rx, cap);
                if (!nb) return -1;
                c->rx = nb; c->rxcap = cap;
            }
            memcpy(c->rx + c->rxlen, in, len);
            c->rxlen += len;
            if (final) {
                on_message(c, c->rx, c->rxlen);
                c->rxlen = 0;
                if (c->rxcap > 65536) { free(c->rx); c->rx = NULL; c->rxcap = 0; }
            }
        }
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!c) break;
        if (write_one(c) < 0) return -1;
        if (has_work(c)) lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c && len >= 2) c->close_code = (((unsigned char *)in)[0] << 8) | ((unsigned char *)in)[1];
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!c) break;
        now = now_us();
        open_sockets--;
        if (!c->self_closed && (phase < P_CLOSE || c->close_code)) {
            char code[16];
            snprintf(code, sizeof code, "%d", c->close_code ? c->close_code : 1006);
            counts_add(c->is_fac ? &fac_frames : &closes, c->is_fac ? "(closed)" : code);
            if (c->state == C_JOINED && !c->is_fac && phase < P_CLOSE) lost_joined++;
        }
        conn_lost(c, now);
        if (c->state == C_CONNECTING) inflight--;
        if (c->state != C_FAILED) c->state = C_CLOSED;
        c->wsi = NULL;
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    { "sessionhub-bench", callback, 0, 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* ---------------------------------------------------------- the driver */
static lws_sorted_usec_list_t sul_tick;
static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
    if (interrupted) _exit(128 + sig); /* a second signal ends it at once */
    interrupted = 1;
}

static void begin_sending(int64_t now) {
    nsenders = 0;
    for (int i = 0; i < cfg.clients && nsenders < cfg.senders; i++) {
        conn_t *c = &conns[i];
        if (c->state != C_JOINED) continue;
        c->sender = nsenders;
        c->sent_at = calloc(RING, sizeof(int64_t));
        c->sent_n = malloc(RING * sizeof(uint32_t));
        c->bucket = 60;
        c->bucket_at = now;
        for (int k = 0; k < RING; k++) c->sent_n[k] = UINT32_MAX;
        sender_conn[nsenders++] = i;
    }
    t_send0 = now;
    t_send_end = now + (int64_t)(cfg.duration * 1e6);
    send_cursor = 0;
    set_phase(P_SEND);
}

static uint64_t outstanding(void) { return sent - acked - refused; }

static const char *phase_name[] = { "facilitator", "join", "send", "drain", "close", "done" };
static int64_t next_progress;

static void progress(int64_t now) {
    if (!cfg.progress || now < next_progress) return;
    next_progress = now + (int64_t)(cfg.progress * 1e6);
    fprintf(stderr, "[%7.1f s] %-11s joined %d/%d, open %d, sent %" PRIu64 ", acked %" PRIu64 ", views %" PRIu64 "\n",
            (now - t_start) / 1e6, phase_name[phase], joined_now, cfg.clients, open_sockets, sent, acked, views_in);
}

static void tick(lws_sorted_usec_list_t *sul) {
    int64_t now = now_us();
    (void)sul;
    progress(now);
    if (phase == P_DONE) { lws_sul_schedule(context, 0, &sul_tick, tick, 2 * LWS_US_PER_MS); return; }
    if (interrupted || now >= t_hard) set_phase(P_DONE);

    switch (phase) {
    case P_FAC:
        if (!fac->attempts) start_connect(fac);
        if (fac_failed || now - t_phase > 30000000) {
            fprintf(stderr, "loadclient: facilitator step failed (%s); going on without it\n", fac_result[0] ? fac_result : "timeout");
            set_phase(P_JOIN);
        } else if (fac_ready) {
            set_phase(P_JOIN);
        }
        break;
    case P_JOIN:
        for (int i = 0; pending_retries && i < cfg.clients; i++) { /* due retries */
            conn_t *c = &conns[i];
            if (!c->retry_at || c->retry_at > now) continue;
            if (!take_token(now)) break;
            c->retry_at = 0;
            pending_retries--;
            if (c->retry_join && c->state == C_OPEN && c->wsi) {
                c->retry_join = 0;
                c->want_join = 1;
                lws_callback_on_writable(c->wsi);
            } else if (c->state == C_IDLE && inflight < cfg.connect_concurrency) {
                start_connect(c);
            } else if (c->state == C_IDLE) {
                c->retry_at = now + 10000;
                pending_retries++;
            }
        }
        while (started < cfg.clients && inflight < cfg.connect_concurrency && take_token(now))
            start_connect(&conns[started++]);
        if (joined_total + join_failed >= cfg.clients || now - t_phase > (int64_t)(cfg.join_timeout * 1e6)) {
            if (joined_total < cfg.clients)
                fprintf(stderr, "loadclient: %d of %d joined before the join phase ended\n", joined_total, cfg.clients);
            if (joined_now > 0) begin_sending(now); else set_phase(P_CLOSE);
        }
        break;
    case P_SEND: {
        double interval = 1e6 / (cfg.rate * (nsenders ? nsenders : 1));
        int64_t until = now < t_send_end ? now : t_send_end;
        while (nsenders && t_send0 + (int64_t)(send_cursor * interval) <= until) {
            conn_t *c = &conns[sender_conn[send_cursor % nsenders]];
            send_cursor++;
            if (c->state != C_JOINED || !c->wsi) { send_skipped++; continue; }
            c->due++;
            lws_callback_on_writable(c->wsi);
        }
        if (now >= t_send_end) { joined_at_send = joined_now; set_phase(P_DRAIN); }
        break;
    }
    case P_DRAIN: {
        int pending_due = 0;
        for (int i = 0; i < nsenders; i++) pending_due += conns[sender_conn[i]].due > 0;
        if ((!pending_due && !outstanding() && !nactive) || now - t_phase > (int64_t)(cfg.drain * 1e6)) set_phase(P_CLOSE);
        break;
    }
    case P_CLOSE:
        if (!close_asked) {
            close_asked = 1;
            for (int i = 0; i <= cfg.clients; i++) {
                conn_t *c = &conns[i];
                if (c->wsi && (c->state == C_OPEN || c->state == C_JOINED || c->state == C_FAILED)) {
                    c->want_close = 1;
                    lws_callback_on_writable(c->wsi);
                }
            }
        }
        if (open_sockets <= 0 || now - t_phase > 3000000) set_phase(P_DONE);
        break;
    }
    /* keep a timer pending even when done: with an event library the loop only returns on an event */
    lws_sul_schedule(context, 0, &sul_tick, tick, 2 * LWS_US_PER_MS);
}

/* ---------------------------------------------------------------- report */
static double ms(int64_t us) { return (double)us / 1000.0; }

static void print_hist_line(const char *name, const hist_t *h, int with_p99) {
    if (!h->n) { printf("%-18s (none)\n", name); return; }
    printf("%-18s p50 %8.2f  p95 %8.2f", name, ms(hist_pct(h, 50)), ms(hist_pct(h, 95)));
    if (with_p99) printf("  p99 %8.2f", ms(hist_pct(h, 99)));
    printf("  max %8.2f  mean %8.2f  (n=%" PRIu64 ")\n", ms(h->max), h->sum / (double)h->n / 1000.0, h->n);
}

static void json_hist(const char *name, const hist_t *h) {
    printf("\"%s\":{\"n\":%" PRIu64 ",\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"max\":%.3f,\"mean\":%.3f}", name, h->n,
           ms(hist_pct(h, 50)), ms(hist_pct(h, 95)), ms(hist_pct(h, 99)), ms(h->n ? h->max : 0),
           h->n ? h->sum / (double)h->n / 1000.0 : 0.0);
}

static uint64_t counts_get(const counts_t *c, const char *key) {
    for (int i = 0; i < c->n; i++) if (!strcmp(c->key[i], key)) return c->val[i];
    return 0;
}

static void report(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    double cpu_sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    double join_wall = t_join_last > t_join0 ? (t_join_last - t_join0) / 1e6 : 0;
    double send_secs = t_send0 ? ((t_send_end < now_us() ? t_send_end : now_us()) - t_send0) / 1e6 : 0;
    samples_incomplete = (uint64_t)nactive;
    uint64_t unanswered = outstanding();

    printf("== loadclient %s: ws://127.0.0.1:%d/ws code %s ==\n", cfg.label, cfg.port, cfg.code);
    if (cfg.fac_token)
        printf("facilitator        goto %s: %s; connection %s during the run\n", cfg.activity, fac_result[0] ? fac_result : "no answer",
               cfg.fac_stay ? "stayed open" : "closed");
    printf("clients            %d asked, %d joined, %d failed, %d lost after joining; join retries %d; connect errors %d (",
           cfg.clients, joined_total, join_failed, lost_joined, join_retries, conn_errors_total);
    counts_print(stdout, &conn_errors);
    printf(")\n");
    printf("join wall time     %.2f s from first connect to last welcome (%.0f joins/s)\n", join_wall,
           join_wall > 0 ? joined_total / join_wall : 0);
    print_hist_line("join ms", &h_join, 1);
    printf("inputs             %" PRIu64 " sent by %d senders at %.1f/s each for %.1f s (%.0f/s), %" PRIu64 " acked, %" PRIu64
           " refused, %" PRIu64 " unanswered, %" PRIu64 " skipped\n",
           sent, nsenders, cfg.rate, send_secs, send_secs > 0 ? sent / send_secs : 0, acked, refused, unanswered, send_skipped);
    print_hist_line("input->ack ms", &h_ack, 1);
    printf("                   writes over 20/s burst 60 by our own clock: %" PRIu64 " (so any rate_limited comes from the hub's read timing)\n",
           over_limit_writes);
    printf("fan-out: ack at the sender -> all %d connections have a view with seq >= ack.seq\n", joined_at_send);
    print_hist_line("fan-out ms", &h_fan, 0);
    print_hist_line("input->all ms", &h_e2e, 0);
    printf("                   samples %" PRIu64 " done (%" PRIu64 " already everywhere at the ack), %" PRIu64 " incomplete\n",
           samples_done, samples_immediate, samples_incomplete);
    printf("views              %" PRIu64 " received, %.1f per connection per second while sending\n", views_in,
           (joined_at_send > 0 && send_secs > 0) ? views_in_send / (double)joined_at_send / send_secs : 0);
    printf("frames in          ");
    counts_print(stdout, &frames);
    printf("\nbytes in           %.2f MB (participants), %.2f MB (facilitator: ", bytes_in / 1e6, fac_bytes_in / 1e6);
    counts_print(stdout, &fac_frames);
    printf(")\nerrors             ");
    counts_print(stdout, &errors);
    printf("\ncloses             ");
    counts_print(stdout, &closes);
    printf("\nlast seq seen      %" PRId64 "\n", last_seq_seen);
    printf("client cpu         user %.2f s, sys %.2f s, max rss %ld MB, wall %.1f s\n", cpu_user, cpu_sys, ru.ru_maxrss / 1024,
           (now_us() - t_start) / 1e6);

    printf("RESULT {\"label\":");
    json_str(stdout, cfg.label);
    printf(",\"clients\":%d,\"joined\":%d,\"join_failed\":%d,\"lost\":%d,\"join_retries\":%d,\"connect_errors\":%d,"
           "\"join_wall_s\":%.3f,",
           cfg.clients, joined_total, join_failed, lost_joined, join_retries, conn_errors_total, join_wall);
    json_hist("join_ms", &h_join);
    printf(",\"senders\":%d,\"rate\":%.3f,\"send_s\":%.3f,\"sent\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"refused\":%" PRIu64
           ",\"unanswered\":%" PRIu64 ",\"over_limit_writes\":%" PRIu64 ",",
           nsenders, cfg.rate, send_secs, sent, acked, refused, unanswered, over_limit_writes);
    json_hist("ack_ms", &h_ack);
    putchar(',');
    json_hist("fanout_ms", &h_fan);
    putchar(',');
    json_hist("input_to_all_ms", &h_e2e);
    printf(",\"samples\":%" PRIu64 ",\"samples_incomplete\":%" PRIu64 ",\"views\":%" PRIu64
           ",\"views_per_conn_s\":%.3f,\"bytes_in\":%" PRIu64 ",\"frames\":",
           samples_done, samples_incomplete, views_in,
           (joined_at_send > 0 && send_secs > 0) ? views_in_send / (double)joined_at_send / send_secs : 0, bytes_in);
    counts_json(stdout, &frames);
    printf(",\"errors\":");
    counts_json(stdout, &errors);
    printf(",\"closes\":");
    counts_json(stdout, &closes);
    printf(",\"connect_error_kinds\":");
    counts_json(stdout, &conn_errors);
    printf(",\"facilitator\":%s,\"fac_bytes_in\":%" PRIu64 ",\"fac_frames\":", cfg.fac_token ? (cfg.fac_stay ? "\"stayed\"" : "\"left\"") : "null", fac_bytes_in);
    counts_json(stdout, &fac_frames);
    printf(",\"client_cpu_s\":%.3f,\"rate_limited\":%" PRIu64 "}\n", cpu_user + cpu_sys, counts_get(&errors, "rate_limited"));
    fflush(stdout);
}

/* ------------------------------------------------------------------ main */
static void usage(void) {
    fprintf(stderr,
            "usage: loadclient --port P --code CODE [options]\n"
            "  --clients N            connections, each a participant (default 1000)\n"
            "  --senders M            connections that send inputs (default 100)\n"
            "  --rate R               inputs per second per sender (default 5; the hub allows 20/s, bursts 60)\n"
            "  --duration S           seconds of sending (default 20)\n"
            "  --type T --activity A --payload JSON   the input (default inc, a1, {})\n"
            "  --facilitator-token T  join as facilitator first and make --activity current (goto)\n"
            "  --facilitator-stay 0|1 keep that connection open during the run, as a console would (default 1)\n"
            "  --join-rate R --join-burst B           client-side pacing of handshakes+joins (default 190/s, 2900)\n"
            "  --connect-concurrency C                handshakes in flight at once (default 200)\n"
            "  --join-timeout S       seconds to wait for every welcome (default 60 + clients/40)\n"
            "  --drain S              seconds to wait for acks and views after sending (default 5)\n"
            "  --max-seconds S        hard stop (default join-timeout + duration + drain + 40)\n"
            "  --sample-ms MS         at most one fan-out sample per MS (default 20)\n"
            "  --label NAME           name in the summary and RESULT line\n"
            "  --progress S           a progress line on stderr every S seconds (default 10, 0 for none)\n"
            "  --evlib uv|poll        event loop under libwebsockets (default uv: epoll; poll scans every socket)\n"
            "  --addresses K          bind connection i to the source address 127.1.x.y number i %% K (K <= 60000)\n"
            "  --verbose              libwebsockets warnings on stderr\n"
            "The target is always ws://127.0.0.1:P/ws.\n");
    exit(64);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define ARG(name) (!strcmp(a, name) && i + 1 < argc)
        if (ARG("--port")) cfg.port = atoi(argv[++i]);
        else if (ARG("--code")) cfg.code = argv[++i];
        else if (ARG("--clients")) cfg.clients = atoi(argv[++i]);
        else if (ARG("--senders")) cfg.senders = atoi(argv[++i]);
        else if (ARG("--rate")) cfg.rate = atof(argv[++i]);
        else if (ARG("--duration")) cfg.duration = atof(argv[++i]);
        else if (ARG("--type")) cfg.type = argv[++i];
        else if (ARG("--activity")) cfg.activity = argv[++i];
        else if (ARG("--payload")) cfg.payload = argv[++i];
        else if (ARG("--facilitator-token")) cfg.fac_token = argv[++i];
        else if (ARG("--join-rate")) cfg.join_rate = atof(argv[++i]);
        else if (ARG("--join-burst")) cfg.join_burst = atof(argv[++i]);
        else if (ARG("--connect-concurrency")) cfg.connect_concurrency = atoi(argv[++i]);
        else if (ARG("--join-timeout")) cfg.join_timeout = atof(argv[++i]);
        else if (ARG("--drain")) cfg.drain = atof(argv[++i]);
        else if (ARG("--max-seconds")) cfg.max_seconds = atof(argv[++i]);
        else if (ARG("--sample-ms")) cfg.sample_ms = atof(argv[++i]);
        else if (ARG("--label")) cfg.label = argv[++i];
        else if (!strcmp(a, "--verbose")) cfg.verbose = 1;
        else if (ARG("--evlib")) cfg.evlib = argv[++i];
        else if (ARG("--facilitator-stay")) cfg.fac_stay = atoi(argv[++i]);
        else if (ARG("--progress")) cfg.progress = atof(argv[++i]);
        else if (ARG("--addresses")) cfg.addresses = atoi(argv[++i]);
        else usage();
#undef ARG
    }
    if (cfg.port <= 0 || cfg.port > 65535 || !cfg.code || cfg.clients < 1 || cfg.clients > 100000 || cfg.senders < 0 ||
        cfg.rate <= 0 || cfg.duration <= 0 || cfg.duration > 3600 || cfg.join_rate <= 0 || cfg.connect_concurrency < 1)
        usage();
    /* Only safe characters go into the JSON we write by hand. */
    const char *checks[] = { cfg.code, cfg.type, cfg.activity, cfg.fac_token ? cfg.fac_token : "" };
    for (size_t k = 0; k < sizeof checks / sizeof *checks; k++)
        for (const char *p = checks[k]; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("_-.$", *p))) {
                fprintf(stderr, "loadclient: unexpected character in '%s'\n", checks[k]);
                return 64;
            }
    if (cfg.senders > cfg.clients) cfg.senders = cfg.clients;
    if (cfg.addresses < 0 || cfg.addresses > 60000) usage();
    if (cfg.addresses > 0) {
        source_addr = calloc((size_t)cfg.addresses, sizeof *source_addr);
        for (int k = 0; k < cfg.addresses; k++) snprintf(source_addr[k], sizeof source_addr[k], "127.1.%d.%d", k / 250, k % 250 + 1);
    }
    if (cfg.join_timeout <= 0) cfg.join_timeout = 60 + cfg.clients / 40.0;
    if (cfg.max_seconds <= 0) cfg.max_seconds = cfg.join_timeout + cfg.duration + cfg.drain + 40;

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < (rlim_t)cfg.clients + 64)
        fprintf(stderr, "loadclient: open-file limit %lu is below %d clients; raise ulimit -n\n", (unsigned long)rl.rlim_cur, cfg.clients);

    lws_set_log_level(cfg.verbose ? (LLL_ERR | LLL_WARN) : LLL_ERR, NULL);
    hist_init(&h_join); hist_init(&h_ack); hist_init(&h_fan); hist_init(&h_e2e);
    conns = calloc((size_t)cfg.clients + 1, sizeof(conn_t));
    sender_conn = calloc((size_t)cfg.senders + 1, sizeof(int));
    for (int i = 0; i <= cfg.clients; i++) { conns[i].idx = i; conns[i].sender = -1; }
    fac = &conns[cfg.clients];
    fac->is_fac = 1;
    snprintf(fac_cmd_id, sizeof fac_cmd_id, "bench-goto-%d-%lld", (int)getpid(), (long long)time(NULL));

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    info.count_threads = 1;
    /* No fd_limit_per_thread: with it lws 4.1 finds a socket's wsi by a linear scan (wsi_from_fd was a third of
     * our CPU at 4,000 connections); without it lws sizes a direct fd table from the open-file limit. */
    info.max_http_header_pool = (unsigned short)(cfg.connect_concurrency + 8);
    info.timeout_secs = 60;
    info.connect_timeout_secs = 30;
    static uv_loop_t loop;
    void *foreign_loops[1];
    if (!strcmp(cfg.evlib, "uv")) {
        if (uv_loop_init(&loop)) { fprintf(stderr, "loadclient: uv_loop_init failed\n"); return 1; }
        uvloop = &loop;
        foreign_loops[0] = uvloop;
        info.foreign_loops = foreign_loops;
        info.options |= LWS_SERVER_OPTION_LIBUV;
    }
    else if (strcmp(cfg.evlib, "poll")) usage();
    context = lws_create_context(&info);
    if (!context) { fprintf(stderr, "loadclient: lws_create_context failed\n"); return 1; }

    srand((unsigned)getpid());
    t_start = now_us();
    t_hard = t_start + (int64_t)(cfg.max_seconds * 1e6);
    bucket_tokens = cfg.join_burst;
    bucket_last = t_start;
    set_phase(cfg.fac_token ? P_FAC : P_JOIN);
    lws_sul_schedule(context, 0, &sul_tick, tick, 1);
    if (uvloop) {
        while (phase != P_DONE) uv_run(uvloop, UV_RUN_DEFAULT);
    } else {
        while (phase != P_DONE)
            if (lws_service(context, 0) < 0) break;
    }
    report();
    if (!uvloop) lws_context_destroy(context); /* with a foreign uv loop, exiting closes what is left */
    return joined_total > 0 ? 0 : 1;
}
