#!/usr/bin/env bash
# Load bench: the same C client (bench/loadclient.c, libwebsockets) against SessionHub and against a
# minimal Python relay (bench/relay.py), with the same parameters; prints both summaries side by side.
# Everything runs on 127.0.0.1 and stops by itself. Not part of scripts/test: it measures, it does
# not assert. See docs/BENCH.md.
#
#   bench/run.sh [--clients 1000] [--senders 100] [--rate 5] [--duration 20] [--type inc]
#                [--only hub|relay|both] [--hubctl PATH] [--perf] [--keep] [-- extra loadclient flags]
# --perf records the hub with `perf record -g` during the client run and prints its top symbols.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
BIN="$BENCH/bin"

CLIENTS=1000 SENDERS=100 RATE=5 DURATION=20 TYPE=inc ONLY=both HUBCTL="" KEEP=0 PERF=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS=$2; shift 2 ;;
    --senders) SENDERS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --type) TYPE=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --hubctl) HUBCTL=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --perf) PERF=1; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown flag $1 (see --help)" >&2; exit 64 ;;
  esac
done
case "$ONLY" in hub|relay|both) ;; *) echo "run.sh: --only must be hub, relay or both" >&2; exit 64 ;; esac

# Sockets: the client holds CLIENTS, the hub as many again (separate processes).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((CLIENTS + 200)) ]; then
  echo "run.sh: open-file limit $(ulimit -n) is too low for $CLIENTS clients" >&2; exit 1
fi

# 1. The C client.
mkdir -p "$BIN"
if [ ! -x "$BIN/loadclient" ] || [ "$BENCH/loadclient.c" -nt "$BIN/loadclient" ]; then
  echo "building bench/bin/loadclient (cc -O2, libwebsockets $(pkg-config --modversion libwebsockets))"
  cc -O2 -Wall -o "$BIN/loadclient" "$BENCH/loadclient.c" $(pkg-config --cflags --libs libwebsockets libuv) -lm
fi

# 2. Python websockets for the relay, in a venv under bench/bin (gitignored).
if [ "$ONLY" != hub ]; then
  if [ ! -x "$BIN/venv/bin/python" ] || ! "$BIN/venv/bin/python" -c 'import websockets' 2>/dev/null; then
    echo "installing Python websockets into bench/bin/venv"
    python3 -m venv "$BIN/venv"
    "$BIN/venv/bin/pip" install -q websockets
  fi
fi

TMP=$(mktemp -d /tmp/sessionhub-bench.XXXXXX)
HUB_PID="" RELAY_PID=""
cleanup() {
  [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null || true
  [ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null && wait "$RELAY_PID" 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

wait_for_line() { # file pattern seconds
  local i
  for i in $(seq $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "run.sh: no '$2' in $1 after $3 s" >&2; cat "$1" >&2; return 1
}

cpu_seconds() { # pid: user+system CPU seconds of the process so far
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

client() { # label port code [facilitator token]
  local label=$1 port=$2 code=$3 tok=${4:-}
  local args=(--port "$port" --code "$code" --clients "$CLIENTS" --senders "$SENDERS" --rate "$RATE"
              --duration "$DURATION" --type "$TYPE" --label "$label")
  [ -n "$tok" ] && args+=(--facilitator-token "$tok")
  "$BIN/loadclient" "${args[@]}" "${EXTRA[@]}"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"

# 3. The hub, with a temporary database and the counter plugin.
if [ "$ONLY" != relay ]; then
  if [ -z "$HUBCTL" ]; then
    if [ -x "$ROOT/.build/release/hubctl" ]; then HUBCTL="$ROOT/.build/release/hubctl"
    elif [ -x "$ROOT/.build/debug/hubctl" ]; then HUBCTL="$ROOT/.build/debug/hubctl"
    else echo "run.sh: no hubctl in .build/release or .build/debug (swift build first, or --hubctl PATH)" >&2; exit 1
    fi
  fi
  case "$HUBCTL" in */release/*) BUILD=release ;; */debug/*) BUILD=debug ;; *) BUILD=unknown ;; esac
  # A copy, so that a rebuild during the run does not swap the binary under us.
  cp "$HUBCTL" "$TMP/hubctl"
  echo "hub binary: $HUBCTL ($BUILD build)"
  DB="$TMP/hub.sqlite"
  PASSWORD="bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$PASSWORD" | SESSIONHUB_BCRYPT_COST=4 "$TMP/hubctl" facilitator add --db "$DB" \
    --email b@example.org --name Bench --password-stdin --role owner >/dev/null
  SESSIONHUB_BCRYPT_COST=4 "$TMP/hubctl" serve --db "$DB" --host 127.0.0.1 --port 0 \
    --plugins "$BENCH/plugins" --web "$ROOT/web" --log-level warning >"$TMP/hub.out" 2>"$TMP/hub.err" &
  HUB_PID=$!
  wait_for_line "$TMP/hub.out" "listening on" 60
  HUB_URL=$(sed -n 's/^listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$TMP/hub.out" | head -1)
  HUB_PORT=${HUB_URL##*:}

  TOKEN=$(curl -sf -X POST "$HUB_URL/api/v1/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"b@example.org\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  cat >"$TMP/agenda.yaml" <<'EOF'
series: bench
session: Load bench
lang: en
agenda:
  - plugin: counter
    title: Count
EOF
  SESSION=$(curl -sf -X POST "$HUB_URL/api/v1/sessions" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/yaml' --data-binary @"$TMP/agenda.yaml")
  SID=$(printf '%s' "$SESSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  CODE=$(printf '%s' "$SESSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')
  curl -sf -X POST "$HUB_URL/api/v1/sessions/$SID/start" -H "Authorization: Bearer $TOKEN" >/dev/null
  echo "hub: $HUB_URL, session $SID, code $CODE (the client's facilitator connection makes a1 current)"

  PERF_PID=""
  if [ "$PERF" = 1 ]; then
    perf record -q -g -F 499 -p "$HUB_PID" -o "$TMP/perf.data" 2>"$TMP/perf.err" &
    PERF_PID=$!
  fi
  CPU0=$(cpu_seconds "$HUB_PID")
  client hub "$HUB_PORT" "$CODE" "$TOKEN" | tee "$TMP/hub.result"
  CPU1=$(cpu_seconds "$HUB_PID")
  if [ -n "$PERF_PID" ]; then
    kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true
    echo "hub profile (perf, self time, top 25 symbols):"
    perf report -i "$TMP/perf.data" --stdio --no-children --sort symbol 2>/dev/null \
      | grep -E '^ +[0-9.]+%' | head -25 | cut -c1-160 || true
  fi
  HUB_RSS=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$HUB_PID/status")
  HUB_CPU=$(awk -v a="$CPU0" -v b="$CPU1" 'BEGIN { printf "%.2f", b - a }')
  echo "hub process: ${HUB_CPU} s CPU during the client run, peak RSS ${HUB_RSS} MB ($BUILD build)"
  curl -sf "$HUB_URL/metrics" >"$TMP/metrics.txt" || true
  grep -E '^sessionhub_(tick_seconds|input_ack_seconds)_(count|sum)' "$TMP/metrics.txt" | sed 's/^/hub metrics: /' || true
  echo "HUBPROC {\"cpu_s\":$HUB_CPU,\"rss_mb\":$HUB_RSS,\"build\":\"$BUILD\"}" >>"$TMP/hub.result"
  kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=""
  if grep -qiE 'error|fatal' "$TMP/hub.err"; then echo "hub stderr (errors):"; grep -iE 'error|fatal' "$TMP/hub.err" | head -5; fi
  echo
fi

# 4. The relay, same client parameters.
if [ "$ONLY" != hub ]; then
  "$BIN/venv/bin/python" "$BENCH/relay.py" --port 0 >"$TMP/relay.out" 2>"$TMP/relay.err" &
  RELAY_PID=$!
  wait_for_line "$TMP/relay.out" "listening on" 30
  RELAY_PORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/relay.out" | head -1)
  echo "relay: ws://127.0.0.1:$RELAY_PORT/ws (Python $("$BIN/venv/bin/python" -c 'import sys; print(sys.version.split()[0])'), websockets $("$BIN/venv/bin/python" -c 'import websockets; print(websockets.__version__)'))"
  CPU0=$(cpu_seconds "$RELAY_PID")
  client relay "$RELAY_PORT" RELAY | tee "$TMP/relay.result"
  CPU1=$(cpu_seconds "$RELAY_PID")
  RELAY_RSS=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$RELAY_PID/status")
  RELAY_CPU=$(awk -v a="$CPU0" -v b="$CPU1" 'BEGIN { printf "%.2f", b - a }')
  echo "relay process: ${RELAY_CPU} s CPU during the client run, peak RSS ${RELAY_RSS} MB"
  echo "HUBPROC {\"cpu_s\":$RELAY_CPU,\"rss_mb\":$RELAY_RSS,\"build\":\"python\"}" >>"$TMP/relay.result"
  kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null || true; RELAY_PID=""
  echo
fi

# 5. Side by side.
python3 - "$TMP/hub.result" "$TMP/relay.result" <<'EOF'
import json, os, sys
cols = []
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    r, p = None, {}
    for line in open(path):
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
        elif line.startswith("HUBPROC "):
            p = json.loads(line[8:])
    if r:
        r["proc"] = p
        cols.append(r)
if not cols:
    sys.exit("no RESULT lines")
def h(r, k, q): return "%.1f" % r[k][q] if r[k]["n"] else "-"
rows = [
    ("clients joined / asked", lambda r: "%d / %d" % (r["joined"], r["clients"])),
    ("join wall s", lambda r: "%.2f" % r["join_wall_s"]),
    ("join ms p50 / p99 / max", lambda r: "%s / %s / %s" % (h(r, "join_ms", "p50"), h(r, "join_ms", "p99"), h(r, "join_ms", "max"))),
    ("inputs sent / acked", lambda r: "%d / %d" % (r["sent"], r["acked"])),
    ("input->ack ms p50", lambda r: h(r, "ack_ms", "p50")),
    ("input->ack ms p95", lambda r: h(r, "ack_ms", "p95")),
    ("input->ack ms p99", lambda r: h(r, "ack_ms", "p99")),
    ("input->ack ms max", lambda r: h(r, "ack_ms", "max")),
    ("fan-out ms p50", lambda r: h(r, "fanout_ms", "p50")),
    ("fan-out ms p95", lambda r: h(r, "fanout_ms", "p95")),
    ("fan-out ms max", lambda r: h(r, "fanout_ms", "max")),
    ("input->all ms p50 / p95", lambda r: "%s / %s" % (h(r, "input_to_all_ms", "p50"), h(r, "input_to_all_ms", "p95"))),
    ("fan-out samples (incomplete)", lambda r: "%d (%d)" % (r["samples"], r["samples_incomplete"])),
    ("views per connection per s", lambda r: "%.1f" % r["views_per_conn_s"]),
    ("errors", lambda r: " ".join("%s=%d" % kv for kv in r["errors"].items()) or "none"),
    ("closes", lambda r: " ".join("%s=%d" % kv for kv in r["closes"].items()) or "none"),
    ("server CPU s during run", lambda r: "%.1f" % r["proc"]["cpu_s"] if r["proc"] else "-"),
    ("server peak RSS MB", lambda r: str(r["proc"].get("rss_mb", "-"))),
    ("client CPU s", lambda r: "%.1f" % r["client_cpu_s"]),
]
w = max(len(n) for n, _ in rows)
names = ["%s (%s)" % (c["label"], c["proc"].get("build", "?")) for c in cols]
cw = max(24, *(len(n) for n in names))
print("== side by side: %d clients, %d senders x %.0f/s, %.0f s ==" % (cols[0]["clients"], cols[0]["senders"], cols[0]["rate"], cols[0]["send_s"]))
print(" " * w + "  " + "".join(n.rjust(cw) for n in names))
for name, f in rows:
    print(name.ljust(w) + "  " + "".join(f(c).rjust(cw) for c in cols))
EOF
