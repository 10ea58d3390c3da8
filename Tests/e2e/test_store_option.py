"""Issue 21, the PostgreSQL store on the command line (docs/SCALING.md, docs/DECISIONS.md).

`hubctl serve --store postgres://…` refuses, naming what the PostgreSQL store does not have yet; a --store that
is not a postgres:// URL is a usage error; `hubctl backup` and `hubctl restore` refuse a PostgreSQL store and
point at pg_dump. None of these connects to anything.
"""
import subprocess

import pytest

from hubprocess import find_hubctl

URL = "postgres://hub@127.0.0.1:1/hub"


def hubctl(*args, cwd):
    binary = find_hubctl()
    if binary is None:
        pytest.skip("no hubctl built")
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=30, cwd=cwd)


def test_serve_with_a_postgres_store_refuses_and_names_what_is_missing(tmp_path):
    r = hubctl("serve", "--store", URL, "--port", "0", cwd=tmp_path)
    assert r.returncode == 1, r
    assert "cannot serve yet" in r.stderr
    for missing in ("kennisbank", "RetentionStore", "PersonalDataStore", "backups"):
        assert missing in r.stderr, r.stderr
    assert "docs/SCALING.md" in r.stderr
    assert not (tmp_path / "data").exists(), "no SQLite database was made instead"


@pytest.mark.parametrize("value, reason", [
    ("./data/hub.sqlite", "a SQLite file is --db FILE"),
    ("postgres://hub@127.0.0.1:1/hub?sslmode=require", "sslmode require is not supported yet"),
    ("postgres://hub@127.0.0.1:1/hub?options=-x", "options: only -c name=value"),
])
def test_a_store_that_is_not_a_usable_postgres_url_is_a_usage_error(tmp_path, value, reason):
    r = hubctl("serve", "--store", value, "--port", "0", cwd=tmp_path)
    assert r.returncode == 64, r
    assert reason in r.stderr, r.stderr


def test_backup_and_restore_refuse_a_postgres_store_and_point_at_pg_dump(tmp_path):
    for args in (["backup", "--store", URL, "--out", "x.sqlite"], ["backup", "--db", URL, "--out", "x.sqlite"],
                 ["restore", "--from", "x.sqlite", "--db", URL]):
        r = hubctl(*args, cwd=tmp_path)
        assert r.returncode == 1, (args, r)
        assert "pg_dump" in r.stderr and "docs/SCALING.md" in r.stderr, r.stderr
    assert not (tmp_path / "x.sqlite").exists()
