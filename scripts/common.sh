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
# client's libwebsockets, Chromium and its driver for the browser suites, zbar for decoding QR codes
# in them, the sqlite3 shell for operators, and venv for the Python test dependencies.
APT_PACKAGES=(chromium chromium-driver libsqlite3-dev libqrencode-dev libwebsockets-dev python3-venv sqlite3 zbar-tools)

section() {
    printf '\n== %s ==\n' "$*"
}

# Install the Debian packages that are missing; `apt-get update` once, only when something is.
ensure_apt() {
    [ "${SESSIONHUB_SKIP_INSTALL:-}" = 1 ] && return 0
    local missing=() p
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    echo "installing Debian packages: ${missing[*]}"
    if ! { "${sudo[@]}" apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
        echo "warning: could not install ${missing[*]}; the steps that need them will fail" >&2
        return 1
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
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS" &&
            echo "$want" >"$VENV/.requirements.sha256"
    fi
}

# `swift build --build-tests` (debug: hubctl, the plugins and the unit tests), its log in test-artifacts/.
build_debug() {
    mkdir -p "$ARTIFACTS"
    local log="$ARTIFACTS/build-debug.log" start=$SECONDS
    echo "swift build --build-tests (log: ${log#"$ROOT/"})"
    if (cd "$ROOT" && swift build --build-tests) >"$log" 2>&1; then
        echo "built in $((SECONDS - start)) s"
    else
        tail -n 60 "$log"
        echo "error: swift build --build-tests failed" >&2
        return 1
    fi
}

# `swift build -c release`, its log in test-artifacts/; prints the tail of the log when it fails.
build_release() {
    mkdir -p "$ARTIFACTS"
    local log="$ARTIFACTS/build-release.log" start=$SECONDS
    echo "swift build -c release (log: ${log#"$ROOT/"})"
    if (cd "$ROOT" && swift build -c release) >"$log" 2>&1; then
        echo "built in $((SECONDS - start)) s"
    else
        tail -n 60 "$log"
        echo "error: swift build -c release failed" >&2
        return 1
    fi
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
