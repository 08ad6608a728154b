from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    return Path(os.environ.get("NBAPROPS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def require_shared(rel: str) -> Path:
    path = shared_data() / rel
    if not path.exists():
        pytest.skip(f"real data not found: {path} (set NBAPROPS_SHARED_DATA or place shared/ beside the project)")
    return path


@pytest.fixture
def warehouse(tmp_path):
    import nbaprops

    return nbaprops.open(tmp_path / "wh")


DEMO_SEASON = 2023

# Columns the runner stamps with the run's timestamp: they differ between runs by design.
RUN_STAMPS = frozenset({"created_at", "processed_at", "updated_at", "graded_at", "computed_at"})


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """One demo season generated and backfilled through every processor (shared, read-only)."""
    import nbaprops

    path = tmp_path_factory.mktemp("demo") / "wh"
    wh = nbaprops.open(path)
    nbaprops.demo.generate(wh, seasons=[DEMO_SEASON], seed=7)
    sched = wh.schedule()
    from nbaprops.api.dates import iso

    start, end = iso(sched.season_start(DEMO_SEASON)), iso(sched.season_end(DEMO_SEASON))
    result = nbaprops.backfill(
        wh, start, end, workers=2, progress="none", checkpoint_dir=tmp_path_factory.mktemp("ckpt")
    )
    assert result.exit_code == 0, result.summary_text
    (path / "_run.pkl").write_bytes(__import__("pickle").dumps(result.units))
    return path


@pytest.fixture(scope="session")
def demo(demo_dir):
    import nbaprops

    return nbaprops.open(demo_dir)


@pytest.fixture
def demo_copy(demo_dir, tmp_path):
    """A private copy of the backfilled demo warehouse that a test may change."""
    import shutil

    import nbaprops

    dst = tmp_path / "wh"
    shutil.copytree(demo_dir, dst)
    return nbaprops.open(dst)


def sql(wh, dataset: str, statement: str, params=()):
    """Run SQL directly on one dataset file of a SQLite warehouse (tests inject faults this way)."""
    import sqlite3

    con = sqlite3.connect(Path(wh.uri) / f"{dataset}.sqlite")
    try:
        cur = con.execute(statement, params)
        rows = cur.fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def content_rows(wh, table: str, start, end):
    """The rows of @table in [start, end] without the run-stamp columns (which differ between runs by
    design), sorted by every column: two warehouses' frames compare equal when their content is."""
    import nbaprops

    df = nbaprops.read(wh, table, start, end)
    df = df[[c for c in df.columns if c not in RUN_STAMPS and not c.endswith("_last_updated")]]
    return df.sort_values(list(df.columns)).reset_index(drop=True)


#: The legacy job scripts' "today" in their tests: their default range today−7 … yesterday is 2024-01-03 … 2024-01-09.
LEGACY_TODAY = "2024-01-10"


@pytest.fixture(scope="module")
def legacy_wh(demo_dir, tmp_path_factory):
    """One copy of the backfilled demo season per test module, for the legacy job scripts' runs (their reruns
    rewrite identical rows)."""
    dst = tmp_path_factory.mktemp("legacy") / "wh"
    shutil.copytree(demo_dir, dst)
    return dst


@pytest.fixture
def legacy_env(monkeypatch, legacy_wh, tmp_path):
    """The legacy job scripts' environment: today is LEGACY_TODAY, the warehouse is the module's copy, no XGBoost
    model, and a checkpoint directory of the test's own (returned)."""
    monkeypatch.setenv("NBAPROPS_TODAY", LEGACY_TODAY)
    monkeypatch.setenv("NBAPROPS_WAREHOUSE", str(legacy_wh))
    monkeypatch.setenv("NBAPROPS_CHECKPOINT_DIR", str(tmp_path / "ck"))
    monkeypatch.setenv("NBAPROPS_XGBOOST_MODEL", "none")
    return tmp_path / "ck"


@pytest.fixture
def run_cli(capsys):
    """Runs ``nbaprops.cli.main(argv)`` in-process; returns (exit code, stdout, stderr). The CLI's logging setup
    is undone afterwards."""
    from nbaprops import cli

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)

    def run(*argv):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as e:  # argparse
            code = e.code
        out = capsys.readouterr()
        return code, out.out, out.err

    yield run
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


#: A small demo league: five teams of one conference.
SMALL_LEAGUE = ["BOS", "BKN", "NYK", "PHI", "TOR"]


@pytest.fixture(scope="session")
def small_raw_dir(tmp_path_factory):
    """A small demo league's raw tables only (Phase 3 has not run, so a Phase 4 pre-flight refuses); shared,
    read-only: copy it to change it."""
    import nbaprops

    path = tmp_path_factory.mktemp("small-raw") / "wh"
    nbaprops.demo.generate(nbaprops.open(path), seasons=[DEMO_SEASON], seed=7, teams=SMALL_LEAGUE)
    return path
