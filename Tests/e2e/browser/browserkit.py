"""Helpers of the browser tests: a hub process, a cuttable TCP proxy, headless Chromium, waits, QR decoding.

Each test starts its own hub (`hubctl serve --port 0`) on a fresh database under
test-artifacts/browser/<test>/ with the stand-in plugins of this folder, and drives Debian's chromium
through chromedriver with selenium. Nothing here imports hub code: the tests see what a browser sees.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from hubprocess import postgres_store

REPO = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
PLUGINS = HERE / "plugins"
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
EMAIL = "f@example.org"
PASSWORD = "browser-test-password"
LISTENING = re.compile(r"listening on (http://\S+?):(\d+)\b")

AGENDA = """\
session: Wat werkt in de wijk
lang: nl
agenda:
  - plugin: poll
    title: Wat werkt het best?
    config: { question: "Wat werkt het best in jouw wijk?", options: [Schoonmaakploeg, Buurtconciërge, Huiskamer] }
  - plugin: poll
    title: Doe je het nog eens?
    config: { question: "Doe je het nog eens?", options: [Ja, Nee] }
  - plugin: plain
    title: Koffiepauze
  - plugin: broken
    title: Kapotte activiteit
"""


def find_hubctl():
    for c in (os.environ.get("HUBCTL"), REPO / ".build/release/hubctl", REPO / ".build/debug/hubctl"):
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return str(Path(c).resolve())
    return None


def wait_for(predicate, timeout=15.0, interval=0.05, message="condition", detail=None):
    """Poll `predicate` until it returns something truthy; returns that value or raises AssertionError."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - a stale element or a page in transition: try again
            last_error = e
        if time.monotonic() > deadline:
            seen = ""
            if detail:
                try:
                    seen = "; seen: %r" % (detail(),)
                except Exception as e:  # noqa: BLE001
                    seen = "; seen: %r" % e
            raise AssertionError("timed out after %.1fs waiting for %s%s%s" % (
                timeout, message, " (last error: %r)" % last_error if last_error else "", seen))
        time.sleep(interval)


class Hub:
    """One `hubctl serve` on its own database, bootstrapped with a facilitator and logged in."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.dir = Path(workdir)
        shutil.rmtree(self.dir, ignore_errors=True)
        (self.dir / "home").mkdir(parents=True)
        self.db = self.dir / "hub.sqlite"
        # On PostgreSQL (SESSIONHUB_E2E_STORE=postgres) a schema of its own instead of `db`, as hubprocess.Hub.
        self.store = postgres_store("browser_" + self.dir.name)
        self.proc = None
        self.url = None
        self.port = None
        self.token = None
        self.starts = 0

    def env(self):
        env = dict(os.environ)
        env.pop("HUBCTL_TOKEN", None)
        env["HOME"] = str(self.dir / "home")
        env["SESSIONHUB_BCRYPT_COST"] = "4"
        if self.url:
            env["HUBCTL_SERVER"] = self.url
        return env

    def run(self, *args, input=None):
        r = subprocess.run([self.binary, *map(str, args)], input=input, capture_output=True, text=True,
                           env=self.env(), timeout=60, cwd=str(self.dir))
        if r.returncode != 0:
            raise AssertionError("hubctl %s exited %d: %s %s" % (" ".join(map(str, args)), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def store_args(self):
        """`--store URL` on PostgreSQL, else `--db FILE`."""
        return ["--store", self.store] if self.store else ["--db", str(self.db)]

    def bootstrap(self):
        self.run("facilitator", "add", *self.store_args(), "--email", EMAIL, "--name", "Fenna Facilitator",
                 "--password-stdin", "--role", "owner", input=PASSWORD + "\n")

    def start(self, port=0, timeout=60):
        self.starts += 1
        err = open(self.dir / ("serve-%d.stderr" % self.starts), "w")
        self.proc = subprocess.Popen(
            [self.binary, "serve", *self.store_args(), "--host", "127.0.0.1", "--port", str(port),
             "--plugins", str(PLUGINS), "--web", str(REPO / "web")],
            cwd=str(self.dir), stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, text=True, env=self.env())
        found = {}

        def pump():
            with open(self.dir / ("serve-%d.stdout" % self.starts), "w") as out:
                for line in self.proc.stdout:
                    out.write(line)
                    out.flush()
                    m = LISTENING.search(line)
                    if m and "url" not in found:
                        found["url"] = "%s:%s" % (m.group(1), m.group(2))
                        found["port"] = int(m.group(2))

        threading.Thread(target=pump, daemon=True).start()
        wait_for(lambda: found.get("url") or (self.proc.poll() is not None and _raise(self)), timeout, message="hub to listen")
        self.url, self.port = found["url"], found["port"]
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def login(self):
        status, body = self.api("POST", "/api/v1/login", {"email": EMAIL, "password": PASSWORD}, token=None)
        assert status == 200, (status, body)
        self.token = body["token"]
        return self.token

    def create_session(self, agenda=AGENDA):
        path = self.dir / "agenda.yaml"
        path.write_text(agenda)
        self.run("login", "--server", self.url, "--email", EMAIL, "--password-stdin", input=PASSWORD + "\n")
        return json.loads(self.run("session", "create", "--server", self.url, "--agenda", path, "--json"))

    def api(self, method, path, body=None, token="default"):
        token = self.token if token == "default" else token
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def events(self, session_id):
        status, body = self.api("GET", "/api/v1/sessions/%s/export?format=json" % session_id)
        assert status == 200, (status, body)
        return body["events"]

    def command(self, code, type_, **fields):
        """One facilitator command over the wire protocol (a facilitator connection of its own)."""
        from websockets.sync.client import connect
        with connect(self.url.replace("http://", "ws://") + "/ws", open_timeout=10) as ws:
            ws.send(json.dumps({"t": "join", "code": code, "auth": self.token}))
            while json.loads(ws.recv(timeout=10))["t"] != "welcome":
                pass
            ws.send(json.dumps({"t": "command", "id": "test-%s-%d" % (type_, time.monotonic_ns()), "type": type_, **fields}))
            while True:
                m = json.loads(ws.recv(timeout=10))
                if m["t"] in ("ack", "error") and m.get("id", "").startswith("test-"):
                    assert m["t"] == "ack", m
                    return m


def _raise(hub):
    raise AssertionError("hub exited with %s before listening: %s" % (
        hub.proc.returncode, (hub.dir / ("serve-%d.stderr" % hub.starts)).read_text(errors="replace")[-3000:]))


class Proxy:
    """A TCP proxy between the browser and the hub that the test can cut and restore.

    Cutting closes every live connection and stops listening, as a dead Wi-Fi does; Chromium's own
    network emulation does not cut WebSockets that are already open.
    """

    def __init__(self, target_port):
        self.target = target_port
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.conns = set()
        self.lock = threading.Lock()
        self.listener = None
        self.resume()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def resume(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        self.listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def cut(self):
        ls, self.listener = self.listener, None
        if ls:
            try:
                ls.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            ls.close()
        with self.lock:
            conns, self.conns = list(self.conns), set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def close(self):
        self.cut()

    def _accept(self, ls):
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# ---- the browser ----------------------------------------------------------------------------------------

CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def chrome(width=360, height=740, mobile=True, lang="nl"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--lang=%s" % lang, "--window-size=%d,%d" % (max(width, 500), height + 140)):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "nl-NL,nl" if lang == "nl" else "en-GB,en"})
    if mobile:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2, "touch": True}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    if not mobile:
        driver.set_window_size(width, height)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_PROBE})
    driver.set_script_timeout(15)
    driver.console = []
    return driver


def console(driver):
    """Browser console lines since the last call (kept on the driver so that nothing is lost)."""
    driver.console.extend(driver.get_log("browser"))
    return driver.console


def csp_problems(driver):
    lines = [e["message"] for e in console(driver) if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]
    try:
        lines += driver.execute_script("return window.__csp || []")
    except Exception:  # noqa: BLE001
        pass
    return lines


def screenshot(driver, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / ("%s.png" % name)
    driver.save_screenshot(str(path))
    return path


# JavaScript run in the page. `deep` walks open shadow roots.
JS_DEEP = """
const deep = (root, sel, out = []) => {
  for (const n of root.querySelectorAll('*')) {
    if (n.matches(sel)) out.push(n);
    if (n.shadowRoot) deep(n.shadowRoot, sel, out);
  }
  return out;
};
"""


def deep(driver, selector):
    """Elements matching `selector`, in the document and in every open shadow root."""
    return driver.execute_script(JS_DEEP + "return deep(document, arguments[0]);", selector)


def deep_text(driver, selector):
    return driver.execute_script(JS_DEEP + "return deep(document, arguments[0]).map((e) => e.textContent.trim());", selector)


def active_path(driver):
    """The chain of focused elements through shadow roots, innermost last, as tag[#id][data-option]."""
    return driver.execute_script("""
      const out = [];
      let a = document.activeElement;
      while (a) {
        out.push(a.localName + (a.id ? '#' + a.id : '') + (a.dataset && a.dataset.option !== undefined ? '[option=' + a.dataset.option + ']' : ''));
        a = a.shadowRoot ? a.shadowRoot.activeElement : null;
      }
      return out.join(' > ');
    """)


def visible_shell_texts(driver):
    """Visible text of the shell: text nodes outside plugin elements, user data ([data-raw]) and <kbd>."""
    return driver.execute_script("""
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const node = walker.currentNode;
        const text = node.textContent.replace(/\\s+/g, ' ').trim();
        if (!text) continue;
        const parent = node.parentElement;
        if (!parent || parent.closest('[data-raw], kbd, script, style, [class^="hub-plugin"], .plugin-slot, .visually-hidden, #announcer')) continue;
        if (!parent.checkVisibility || !parent.checkVisibility({ visibilityProperty: true })) continue;
        out.push(text);
      }
      // Labels drawn inside the shell's own components (banner, status) count too.
      for (const host of document.querySelectorAll('hub-banner, hub-status')) {
        if (host.closest('.plugin-slot') || !host.checkVisibility()) continue;
        const t = host.shadowRoot && host.shadowRoot.textContent.replace(/\\s+/g, ' ').trim();
        if (t) out.push(t);
      }
      for (const e of document.querySelectorAll('input[placeholder], select')) {
        if (!e.checkVisibility()) continue;
        if (e.tagName === 'SELECT') out.push(e.options[e.selectedIndex].text.trim());
      }
      return out;
    """)


def qr_decode(svg_text, workdir):
    """Decode the hub's QR SVG: draw its 1×1 modules into a PBM, scaled up with a quiet zone, and run zbarimg."""
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg_text)
    assert view, svg_text[:200]
    size = int(view.group(1))
    dark = set()
    for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", svg_text):
        dark.add((int(x), int(y)))
    for rect in re.findall(r"<rect ([^>]*)>", svg_text):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', rect))
        if attrs.get("fill", "").lower() in ("#000", "#000000", "black") and "x" in attrs:
            for dx in range(int(float(attrs.get("width", 1)))):
                for dy in range(int(float(attrs.get("height", 1)))):
                    dark.add((int(float(attrs["x"])) + dx, int(float(attrs["y"])) + dy))
    assert dark, "no modules found in the SVG"
    scale, quiet = 8, 4
    n = (size + 2 * quiet) * scale
    rows = []
    for py in range(n):
        y = py // scale - quiet
        rows.append(" ".join("1" if (px // scale - quiet, y) in dark else "0" for px in range(n)))
    path = Path(workdir) / "qr.pbm"
    path.write_text("P1\n%d %d\n%s\n" % (n, n, "\n".join(rows)))
    zbar = shutil.which("zbarimg")
    assert zbar, "zbarimg is missing: apt-get install zbar-tools"
    r = subprocess.run([zbar, "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (r.returncode, r.stderr)
    return r.stdout.strip()


class PluginView:
    """One plugin's web component in a page (`hub-plugin-NAME`, its shadow root), read and driven as the
    room-tool tests do: `plugin`, `inside`, `text`, its `hub-status` line, `confirmed`, `click`."""

    def __init__(self, name):
        self.tag = "hub-plugin-" + name

    def plugin(self, d):
        found = deep(d, self.tag)
        return found[0] if found else None

    def inside(self, d, selector):
        from selenium.webdriver.common.by import By
        host = self.plugin(d)
        return host.shadow_root.find_elements(By.CSS_SELECTOR, selector) if host else []

    def text(self, d):
        host = self.plugin(d)
        return d.execute_script("return arguments[0].shadowRoot.textContent.replace(/\\s+/g, ' ')", host) if host else ""

    def status(self, d):
        """[state, message] of the component's `hub-status`, or None."""
        return d.execute_script("""
          const s = arguments[0].shadowRoot.querySelector('hub-status');
          return s ? [s.getAttribute('state'), s.getAttribute('message') || (s.shadowRoot ? s.shadowRoot.textContent.trim() : '')] : null;
        """, self.plugin(d))

    def confirmed(self, d, what, message=None):
        """Waits for the status `confirmed` (with `message`, if given); a refusal fails at once."""
        def check():
            s = self.status(d)
            if s and s[0] == "error":
                raise AssertionError("%s refused: %s" % (what, s[1]))
            return s and s[0] == "confirmed" and (message is None or s[1] == message)
        wait_for(check, message="%s confirmed" % what, detail=lambda: self.status(d))

    def click(self, d, selector):
        """Clicks the first displayed match, again when a re-render replaced it under the click."""
        from selenium.common.exceptions import StaleElementReferenceException
        for _ in range(5):
            try:
                e = wait_for(lambda: (lambda found: found[0] if found and found[0].is_displayed() else None)(self.inside(d, selector)), message=selector)
                d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
                e.click()
                return
            except StaleElementReferenceException:
                pass
        raise AssertionError("%s kept being replaced" % selector)
