# Shared by scripts/run and scripts/test (sourced, not run). Installs only what is missing, quietly,
# so that a second run costs a few dpkg look-ups and a hash comparison.
#
# Environment:
#   SESSIONHUB_SKIP_INSTALL=1   skip the apt and venv steps (e.g. when scripts/test already did them)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/Tests/e2e/requirements.txt"
ARTIFACTS="$ROOT/test-artifacts"

# Debian packages: the system libraries the Swift package links (SQLite, libqrencode), the C load
# client's libwebsockets, Chromium and its driver for the browser suites (and the hub's PDF reports),
# zbar for decoding QR codes in them, poppler-utils' pdftotext for reading those PDFs in the report
# suite, the sqlite3 shell for operators, venv for the Python test dependencies, and HAProxy for the multi-node
# suite (Tests/e2e/test_multinode.py runs deploy/haproxy.cfg; PostgreSQL comes with scripts/pg when missing), and
# node-ws for bench/fanout's node peer (issue 16: `bench/fanout --quick` runs after this set-up).
APT_PACKAGES=(chromium chromium-driver haproxy libsqlite3-dev libqrencode-dev libwebsockets-dev node-ws poppler-utils python3-venv sqlite3 zbar-tools)
# What `scripts/run` needs of them: the libraries the hub links and the sqlite3 shell; no browser.
APT_RUN_PACKAGES=(libsqlite3-dev libqrencode-dev sqlite3)

section() {
    printf '\n== %s ==\n' "$*"
}

# Run a long step with its output in LOG and its progress on the terminal (scripts/progress.py):
# an updating line on a terminal, a line every 30 s elsewhere. progress LABEL LOG COMMAND...
progress() {
    local label=$1 log=$2
    shift 2
    (cd "$ROOT" && python3 scripts/progress.py "$label" "${log#"$ROOT/"}" -- "$@")
}

# Install the Debian packages that are missing (default: APT_PACKAGES); `apt-get update` once, only when
# something is. ensure_apt [PACKAGE...]
ensure_apt() {
    [ "${SESSIONHUB_SKIP_INSTALL:-}" = 1 ] && return 0
    local wanted=("$@") missing=() p
    [ ${#wanted[@]} -eq 0 ] && wanted=("${APT_PACKAGES[@]}")
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    mkdir -p "$ARTIFACTS"
    echo "installing Debian packages: ${missing[*]}"
    if ! { progress "apt-get update" "$ARTIFACTS/apt-update.log" "${sudo[@]}" apt-get update &&
           progress "apt-get install" "$ARTIFACTS/apt-install.log" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
               apt-get install -y --no-install-recommends "${missing[@]}"; }; then
        echo "warning: could not install ${missing[*]}; the steps that need them will fail" >&2
        return 1
    fi
    # Debian starts a packaged service on install: the tests run HAProxy themselves, so no system haproxy stays
    # running (with systemd; in a container policy-rc.d usually refuses the start already).
    if [[ " ${missing[*]} " == *" haproxy "* ]] && [ -d /run/systemd/system ]; then
        "${sudo[@]}" systemctl disable --now haproxy.service >/dev/null 2>&1 || true
    fi
}

# A virtualenv at .venv with the pinned test dependencies; reinstalled only when requirements.txt changes.
ensure_venv() {
    [ "${SESSIONHUB_SKIP_INSTALL:-}" = 1 ] && return 0
    if [ -e "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        rm -rf "$VENV"  # made by a Python that is gone
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV" 2>/dev/null || /usr/bin/python3 -m venv "$VENV" || {
            echo "error: cannot create $VENV (apt-get install python3-venv)" >&2
            return 1
        }
    fi
    local want have
    want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
    have=$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
        echo "installing Python packages from ${REQUIREMENTS#"$ROOT/"}"
        mkdir -p "$ARTIFACTS"
        progress "pip install" "$ARTIFACTS/pip-install.log" "$VENV/bin/python" -m pip install --disable-pip-version-check \
            --progress-bar off -r "$REQUIREMENTS" && echo "$want" >"$VENV/.requirements.sha256"
    fi
}

# `swift build --build-tests` (debug: hubctl, the plugins and the unit tests), its log in test-artifacts/.
build_debug() {
    mkdir -p "$ARTIFACTS"
    progress "swift build --build-tests" "$ARTIFACTS/build-debug.log" swift build --build-tests ||
        { echo "error: swift build --build-tests failed" >&2; return 1; }
}

# `swift build` (debug: hubctl and every shipped plugin, no tests), for the demo of scripts/run. It shares
# .build/debug with scripts/test, so after a test run it only links what changed.
build_demo() {
    mkdir -p "$ARTIFACTS"
    progress "swift build" "$ARTIFACTS/build-demo.log" swift build ||
        { echo "error: swift build failed" >&2; return 1; }
}

# `swift build -c release`, its log in test-artifacts/ (production and benchmarks: docs/OPERATIONS.md).
build_release() {
    mkdir -p "$ARTIFACTS"
    progress "swift build -c release" "$ARTIFACTS/build-release.log" swift build -c release ||
        { echo "error: swift build -c release failed" >&2; return 1; }
}

# Print the value at a path of a JSON document on stdin, e.g. json_get code; empty if absent.
json_get() {
    python3 -c '
import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[int(key)] if isinstance(value, list) else (value or {}).get(key)
print("" if value is None else value)
' "$@"
}
