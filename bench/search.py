#!/usr/bin/env python3
"""Search bench (issue 6, acceptance 2): p50/p95 latency of the hub's kennisbank search API next to the
same FTS5 query run through the `sqlite3` command line on the same database file, in one run.

    bench/search.py [--hubctl PATH] [--docs 10000] [--queries 200]

It starts its own hub on 127.0.0.1 with a temporary database, imports a generated corpus of `--docs`
descriptions (deterministic), then times `--queries` searches of two kinds, broad (words in 10–55 % of the
corpus, with and without diacritics and a facet filter) and specific (a neighbourhood name, ~17 matches),
through `GET /api/v1/interventions`, and the hub's same three statements (total, page, facet counts)
through the `sqlite3` command line (whose process start is included: a floor of a few ms).
It measures, it does not assert; goal from the issue: API p95 ≤ 20 ms. Loopback only, stops by itself.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ["buurtbeheerbedrijven", "klushuizen", "verkoop-huurwoningen", "skaeve-huse", "schuldhulpverlening"]
WORDS = ["financiële", "coördinator", "ideeën", "bewoners", "groen", "onderhoud", "veiligheid", "ontmoeting", "schulden",
         "corporatie", "wijkbeheerder", "huismeester", "buurthuis", "vrijwilligers", "leefbaarheid", "zwerfvuil"]
# Broad: every summary draws 12 of these 16 words, so each of these matches 10–55 % of the corpus.
QUERIES = [("financiele", None), ("financiële", None), ("coordinator", "klushuizen"), ("ideeen groen", None),
           ("veiligheid bewoners", "buurtbeheerbedrijven"), ("zwerfvuil", None), ("leefbaarheid", "skaeve-huse")]
# Specific: every description also names one of 600 neighbourhoods (about 17 descriptions each), as real
# descriptions name their wijk, partner and project; these queries look for one, with and without a filter.
SYLLABLES = ["berg", "hof", "veld", "dijk", "akker", "hoven", "meer", "bos", "kamp", "weide", "laan", "park", "zand", "broek",
             "haven", "donk", "rode", "wijk", "oord", "stein"]
PLACES = sorted({(a + b).capitalize() for a in SYLLABLES for b in SYLLABLES if a != b})[:600]
SPECIFIC = [(PLACES[i * 37 % len(PLACES)].lower(), None if i % 2 else KINDS[i % len(KINDS)]) for i in range(7)]


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hubctl", default=os.environ.get("HUBCTL") or next(
        (p for p in (os.path.join(ROOT, ".build/release/hubctl"), os.path.join(ROOT, ".build/debug/hubctl")) if os.path.exists(p)), None))
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    if not args.hubctl:
        sys.exit("no hubctl: build first or pass --hubctl")
    tmp = tempfile.mkdtemp(prefix="search-bench-")
    db = os.path.join(tmp, "hub.sqlite")
    env = dict(os.environ, HOME=tmp, SESSIONHUB_BCRYPT_COST="4")
    subprocess.run([args.hubctl, "facilitator", "add", "--db", db, "--email", "b@example.org", "--name", "Bench",
                    "--password-stdin", "--role", "owner"], input="benchbench\n", text=True, check=True, env=env, capture_output=True)
    hub = subprocess.Popen([args.hubctl, "serve", "--db", db, "--port", "0", "--plugins", os.path.join(tmp, "none"), "--web", os.path.join(ROOT, "web")],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        url = hub.stdout.readline().split("listening on ", 1)[1].strip()
        # Keep reading what the hub prints: a full pipe would stall it.
        threading.Thread(target=lambda: [None for _ in hub.stdout], daemon=True).start()
        env["HUBCTL_SERVER"] = url
        subprocess.run([args.hubctl, "login", "--email", "b@example.org", "--password-stdin"], input="benchbench\n", text=True,
                       check=True, env=env, capture_output=True)
        rng = random.Random(2026)
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(corpus, "w") as f:
            for n in range(args.docs):
                f.write(json.dumps({"id": "kb-%05d" % n, "title": "Praktijk %d" % n, "kind": rng.choice(KINDS), "type": "praktijk",
                                    "state": "published", "summary": " ".join(rng.choice(WORDS) for _ in range(12)),
                                    "location": rng.choice(PLACES),
                                    "themes": [rng.choice(["schoon", "heel", "veilig", "wonen", "werken", "leven"])]}, ensure_ascii=False) + "\n")
        t = time.monotonic()
        subprocess.run([args.hubctl, "kennisbank", "import", corpus], check=True, env=env, capture_output=True)
        print("imported %d descriptions in %.1f s" % (args.docs, time.monotonic() - t))

        results = {}
        for label, queries in (("broad", QUERIES), ("specific", SPECIFIC)):
            results[label] = run_queries(url, db, queries, args.queries)
        print("\n%-44s %8s %8s %8s" % ("", "p50 ms", "p95 ms", "max ms"))
        for label, (api, cli) in results.items():
            print("%-44s %8.2f %8.2f %8.2f" % ("API GET /api/v1/interventions, %s" % label, statistics.median(api), pct(api, 95), max(api)))
            print("%-44s %8.2f %8.2f %8.2f" % ("sqlite3 CLI (process start incl.), %s" % label, statistics.median(cli), pct(cli, 95), max(cli)))
        print("hub binary: %s" % args.hubctl)
    finally:
        hub.terminate()
        hub.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


def run_queries(url, db, queries, n):
    """Times n searches through the API and the same statements through the sqlite3 CLI."""
    api, cli = [], []
    for i in range(n):
        q, kind = queries[i % len(queries)]
        params = {"q": q, "limit": 20}
        if kind:
            params["kind"] = kind
        t = time.perf_counter()
        with urllib.request.urlopen(url + "/api/v1/interventions?" + urllib.parse.urlencode(params)) as r:
            total = json.load(r)["total"]
        api.append((time.perf_counter() - t) * 1000)
        match = " ".join('"%s"*' % w for w in q.split())
        # The hub's three statements (total, page with snippets, facet counts), as written in FacetedIndex.search.
        where = "t.rid IN (SELECT rowid FROM interventions_fts WHERE interventions_fts MATCH '%s') AND t.searchable = 1" % match
        if kind:
            where += " AND t.rid IN (SELECT rid FROM intervention_facets WHERE facet = 'kind' AND value IN ('%s'))" % kind
        restriction = where.split(" AND ", 1)[1]
        sql = "SELECT COUNT(*) FROM (SELECT t.rid FROM interventions t WHERE %s);" % where
        sql += (" SELECT t.id, t.title, json_extract(t.data, '$.kind'), json_extract(t.data, '$.type'), json_extract(t.data, '$.state'),"
                " json_extract(t.data, '$.summary'), snippet(interventions_fts, 1, '[', ']', '…', 12) FROM interventions_fts f"
                " JOIN interventions t ON t.rid = f.rowid WHERE interventions_fts MATCH '%s' AND %s ORDER BY f.rank, t.id LIMIT 20;" % (match, restriction))
        sql += (" SELECT facet, value, COUNT(*) AS n FROM intervention_facets WHERE rid IN (SELECT t.rid FROM interventions t WHERE %s)"
                " GROUP BY facet, value ORDER BY facet, n DESC, value;" % where)
        t = time.perf_counter()
        out = subprocess.run(["sqlite3", db, sql], capture_output=True, text=True, check=True).stdout
        cli.append((time.perf_counter() - t) * 1000)
        if i < len(queries):
            print("  %-24s kind=%-22s API total %5d   sqlite3 count %s" % (q, kind or "-", total, out.split("\n", 1)[0]))
    return api, cli


if __name__ == "__main__":
    main()
