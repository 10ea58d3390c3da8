"""Helpers of the kennisbank browser tests: a hub of one's own, its REST API, demo data, and headless Chromium.

Each test starts its own `hubctl serve` on a fresh database (`--port 0`), with two accounts made by
`hubctl facilitator add`: the owner f@example.org and a new user n@example.org who has never written
anything. Demo data comes from docs/examples/ (kennisbank, gereedschapskist, monitoring) when those files
exist, else from fixtures/ next to this file (env KB_FIXTURE=1 forces the fixtures).

Binary: env HUBCTL, else .build/debug/hubctl, else .build/release/hubctl.
Browser: env CHROMIUM / CHROMEDRIVER, else /usr/bin/chromium and /usr/bin/chromedriver.
"""
import base64
import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

from hubprocess import postgres_store

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
ARTIFACTS = REPO / "test-artifacts" / "kennisbank"
FIXTURES = HERE / "fixtures"
LISTENING = re.compile(r"listening on (http://\S+)")

OWNER = ("f@example.org", "Fac", "correct horse battery staple")
NEWBIE = ("n@example.org", "Noor Nieuw", "nieuw wachtwoord voor noor")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def find_hubctl():
    for c in (os.environ.get("HUBCTL"), REPO / ".build/debug/hubctl", REPO / ".build/release/hubctl"):
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return str(Path(c).resolve())
    return None


def have_browser():
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def data_file(name):
    """docs/examples/<name> when it exists (and KB_FIXTURE is not set), else fixtures/<name>."""
    demo = REPO / "docs" / "examples" / name
    if demo.exists() and not os.environ.get("KB_FIXTURE"):
        return demo
    return FIXTURES / name


class Hub:
    """One `hubctl serve` on its own database under test-artifacts/kennisbank/<test>/."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("hub.sqlite*"):
            old.unlink()
        self.db = self.dir / "hub.sqlite"
        # On PostgreSQL (SESSIONHUB_E2E_STORE=postgres): a schema of its own in the test cluster instead of `db`.
        self.store = postgres_store("kb_" + self.dir.name)
        self.home = self.dir / "home"
        self.home.mkdir(exist_ok=True)
        self.proc = None
        self.url = None
        self.tokens = {}
        self._log = None

    def env(self):
        return {**os.environ, "HOME": str(self.home), "SESSIONHUB_BCRYPT_COST": "4"}

    def add_account(self, email, name, password, role):
        r = subprocess.run([self.binary, "facilitator", "add", *self.store_args(), "--email", email, "--name", name,
                            "--password-stdin", "--role", role],
                           input=password + "\n", capture_output=True, text=True, env=self.env(), timeout=60)
        assert r.returncode == 0, f"facilitator add failed: {r.stdout}\n{r.stderr}"

    def store_args(self):
        return ["--store", self.store] if self.store else ["--db", str(self.db)]

    def start(self):
        self.add_account(*OWNER, role="owner")
        self.add_account(*NEWBIE, role="co-facilitator")
        self._log = open(self.dir / "hub.log", "w")
        self.proc = subprocess.Popen(
            [self.binary, "serve", *self.store_args(), "--port", "0", "--plugins", str(REPO / "plugins"), "--web", str(REPO / "web")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env(), cwd=str(REPO))
        found = {}
        done = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self._log.write(line)
                self._log.flush()
                m = LISTENING.search(line)
                if m and "url" not in found:
                    found["url"] = m.group(1)
                    done.set()
            done.set()

        threading.Thread(target=pump, daemon=True).start()
        done.wait(60)
        if "url" not in found:
            self.stop()
            raise AssertionError("hub did not start:\n" + (self.dir / "hub.log").read_text()[-3000:])
        self.url = found["url"]
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self._log:
            self._log.close()

    # ---- REST ---------------------------------------------------------------------------------------------

    def token(self, who=OWNER):
        if who[0] not in self.tokens:
            r = requests.post(self.url + "/api/v1/login", json={"email": who[0], "password": who[2]}, timeout=10)
            r.raise_for_status()
            self.tokens[who[0]] = r.json()["token"]
        return self.tokens[who[0]]

    def api(self, method, path, auth=False, **kw):
        headers = kw.pop("headers", {})
        if auth:
            headers["Authorization"] = "Bearer " + self.token(OWNER if auth is True else auth)
        r = requests.request(method, self.url + path, headers=headers, timeout=20, **kw)
        return r

    def get(self, path, **kw):
        r = self.api("GET", path, **kw)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text[:300]}"
        return r.json()

    # ---- demo data ----------------------------------------------------------------------------------------

    def load_demo(self):
        """Import the kennisbank and the gereedschapskist with hubctl, and the monitoring entries over REST."""
        token = self.token()
        for collection, name in (("kennisbank", "kennisbank.jsonl"), ("toolkit", "gereedschapskist.jsonl")):
            f = data_file(name)
            if not f.exists():
                continue
            r = subprocess.run([self.binary, collection, "import", str(f), "--server", self.url, "--token", token],
                               capture_output=True, text=True, env=self.env(), timeout=120)
            assert r.returncode == 0, f"{collection} import failed: {r.stdout}\n{r.stderr}"
        f = data_file("monitoring.jsonl")
        if f.exists():
            by = defaultdict(list)
            for line in f.read_text().splitlines():
                if line.strip():
                    e = json.loads(line)
                    by[e["intervention"]].append(e)
            for iid, entries in by.items():
                r = self.api("POST", f"/api/v1/interventions/{iid}/monitoring", auth=True, json={"entries": entries})
                assert r.status_code == 200, f"monitoring import for {iid}: {r.status_code} {r.text[:300]}"
        return self

    # ---- the database itself, read-only -------------------------------------------------------------------

    def db_facet_counts(self, filters):
        """Facet → {value: count} over published interventions matching `filters` (facet → [values]),
        counted straight from the database file, not through the API."""
        if self.store:
            return self.pg_facet_counts(filters)
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            where = ["t.searchable = 1"]
            args = []
            for facet, values in filters.items():
                where.append(f"t.rid IN (SELECT rid FROM intervention_facets WHERE facet = ? AND value IN ({','.join('?' * len(values))}))")
                args += [facet, *values]
            sql = (f"SELECT f.facet, f.value, COUNT(DISTINCT f.rid) FROM intervention_facets f JOIN interventions t ON t.rid = f.rid "
                   f"WHERE {' AND '.join(where)} GROUP BY f.facet, f.value")
            out = defaultdict(dict)
            for facet, value, n in con.execute(sql, args):
                out[facet][value] = n
            return out
        finally:
            con.close()


    def pg_facet_counts(self, filters):
        """db_facet_counts on PostgreSQL: the same query with psql (the values are the tests' own, quoted)."""
        base, _, query = self.store.partition("?")
        schema = re.search(r"search_path%3D([A-Za-z0-9_]+)", query).group(1)
        quote = lambda v: "'" + v.replace("'", "''") + "'"
        where = ["t.searchable"]
        for facet, values in filters.items():
            where.append(f"t.rid IN (SELECT rid FROM intervention_facets WHERE facet = {quote(facet)} AND value IN ({', '.join(map(quote, values))}))")
        sql = (f"SET search_path TO {schema}; SELECT f.facet, f.value, COUNT(DISTINCT f.rid) FROM intervention_facets f "
               f"JOIN interventions t ON t.rid = f.rid WHERE {' AND '.join(where)} GROUP BY f.facet, f.value;")
        r = subprocess.run(["psql", "-qAt", "-F", "\t", "--dbname=" + base], input=sql, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        out = defaultdict(dict)
        for line in r.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                out[parts[0]][parts[1]] = int(parts[2])
        return out


# ---- Chromium ----------------------------------------------------------------------------------------------

def chrome(width=1366, height=900, lang="nl"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
              f"--lang={lang}", "--force-device-scale-factor=1"):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"intl.accept_languages": "nl-NL,nl" if lang == "nl" else "en-GB,en"})
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
    d.set_window_size(width, height)
    d.console = []
    return d


def console(driver):
    """Browser console lines since the last call (kept on driver.console too)."""
    lines = [f"{e['level']} {e['message']}" for e in driver.get_log("browser")]
    driver.console.extend(lines)
    return lines


def screenshot(driver, path, full=True):
    """A PNG of the page; full=True captures the whole document height, not only the viewport."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not full:
        driver.save_screenshot(str(path))
        return path
    width = driver.execute_script("return window.innerWidth")
    height = driver.execute_script("return Math.max(document.documentElement.scrollHeight, window.innerHeight)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": min(height, 16000), "deviceScaleFactor": 1, "mobile": False})
    try:
        data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path.write_bytes(base64.b64decode(data))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return path


def print_pdf(driver, path):
    """Print the page as Chromium does (A4, the page's own @page size) and save the PDF."""
    data = driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True,
                                                      "printBackground": False, "displayHeaderFooter": False})["data"]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = base64.b64decode(data)
    path.write_bytes(pdf)
    return pdf


def wait_for(predicate, timeout=10, interval=0.1, message="condition"):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = predicate()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - the page may be re-rendering
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message} (last: {last!r})")
