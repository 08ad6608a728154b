from __future__ import annotations

import os
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
    result = nbaprops.backfill(wh, start, end, workers=2, progress="none",
                               checkpoint_dir=tmp_path_factory.mktemp("ckpt"))
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
