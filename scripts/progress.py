#!/usr/bin/env python3
"""Show that a long step is alive: run a command, keep its whole output in a log, and print its progress.

    progress.py LABEL LOG -- COMMAND...
    progress.py --stream EXCLUDE LABEL LOG -- COMMAND...

On a terminal: one line, rewritten in place, with the label, the elapsed time and the command's latest
progress (a Swift build's `[done/total]` count and what it compiles, else its last output line).
Elsewhere (CI, a pipe): the same line once every 30 s. Either way a closing line says how long it took;
when the command fails the tail of the log follows. Exits with the command's exit code.

With --stream the command's lines are shown as they come (but those matching the regular expression
EXCLUDE), and after 30 s without a line a heartbeat says how long it runs and how many tests passed and
failed so far (Swift Testing's and XCTest's result lines are counted).

Used by scripts/common.sh for the package installs and the Swift builds: one way for every step.
"""
import os
import re
import subprocess
import sys
import threading
import time

PERIOD = float(os.environ.get("SESSIONHUB_PROGRESS_PERIOD", "30"))  # seconds between lines off a terminal
STEP = re.compile(r"^\[(\d+)/(\d+)\]\s*(.*)")
PASSED = re.compile(r"(✔ Test (?!run with).* passed|Test Case .* passed \()")
FAILED = re.compile(r"(✘ Test (?!run with).* failed|Test Case .* failed \()")


def stream(exclude, label, log_path, command):
    """Lines through, a heartbeat when quiet; the command's exit code."""
    drop = re.compile(exclude) if exclude else None
    counts = {"passed": 0, "failed": 0, "quiet": time.monotonic()}
    lock = threading.Lock()
    start = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        done = threading.Event()

        def ticker():
            while not done.wait(1.0):
                with lock:
                    if time.monotonic() - counts["quiet"] < PERIOD:
                        continue
                    elapsed = int(time.monotonic() - start)
                    sys.stdout.write("%s: still running, %d:%02d, %d passed, %d failed so far\n" % (
                        label, elapsed // 60, elapsed % 60, counts["passed"], counts["failed"]))
                    sys.stdout.flush()
                    counts["quiet"] = time.monotonic()
        threading.Thread(target=ticker, daemon=True).start()
        for raw in proc.stdout:
            text = raw.decode("utf-8", "replace")
            log.write(text)
            log.flush()
            with lock:
                counts["passed"] += bool(PASSED.search(text))
                counts["failed"] += bool(FAILED.search(text))
                if drop is None or not drop.search(text):
                    sys.stdout.write(text)
                    sys.stdout.flush()
                    counts["quiet"] = time.monotonic()
        rc = proc.wait()
        done.set()
    return rc


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--stream":
        if len(sys.argv) < 7 or sys.argv[5] != "--":
            sys.exit("usage: progress.py --stream EXCLUDE LABEL LOG -- COMMAND...")
        sys.exit(stream(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[6:]))
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: progress.py LABEL LOG -- COMMAND...")
    label, log_path, command = sys.argv[1], sys.argv[2], sys.argv[4:]
    tty = sys.stdout.isatty()
    width = max(40, min(os.get_terminal_size().columns if tty else 120, 160))
    state = {"step": None, "last": ""}
    lock = threading.Lock()
    start = time.monotonic()

    def status():
        elapsed = int(time.monotonic() - start)
        step = state["step"]
        if step:
            done, total, what = step
            what = re.sub(r"\s+", " ", what)
            return "%s: [%d/%d] %d:%02d %s" % (label, done, total, elapsed // 60, elapsed % 60, what)
        last = re.sub(r"\s+", " ", state["last"]).strip()
        return "%s: %d:%02d %s" % (label, elapsed // 60, elapsed % 60, last)

    def show():
        with lock:
            line = status()
            if tty:
                sys.stdout.write("\r\033[K" + line[: width - 1])
            else:
                sys.stdout.write(line[:width] + "\n")
            sys.stdout.flush()

    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        done = threading.Event()

        def ticker():
            while not done.wait(1.0 if tty else PERIOD):
                show()
        threading.Thread(target=ticker, daemon=True).start()

        for raw in proc.stdout:
            text = raw.decode("utf-8", "replace")
            log.write(text)
            log.flush()
            for part in text.replace("\r", "\n").splitlines():
                part = part.strip()
                if not part:
                    continue
                m = STEP.match(part)
                with lock:
                    if m:
                        state["step"] = (int(m.group(1)), int(m.group(2)), m.group(3))
                    state["last"] = part
        rc = proc.wait()
        done.set()

    elapsed = int(time.monotonic() - start)
    with lock:
        if tty:
            sys.stdout.write("\r\033[K")
        verdict = "done" if rc == 0 else "failed (exit %d)" % rc
        sys.stdout.write("%s: %s in %d:%02d (log: %s)\n" % (label, verdict, elapsed // 60, elapsed % 60, log_path))
        sys.stdout.flush()
    if rc != 0:
        with open(log_path, errors="replace") as f:
            tail = f.readlines()[-60:]
        sys.stdout.write("".join(tail))
        sys.stdout.flush()
    sys.exit(rc)


if __name__ == "__main__":
    main()
