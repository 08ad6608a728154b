"""The bench's vectorised PSZA + TDZA references (bench/python/zones_reference.py) equal nbaprops' rows.

``bench/python/bench_zones.py`` times nbaprops against an idiomatic pandas and an idiomatic Polars version of
the two shot-zone processors on the real 2023-24 season and refuses to report a ratio when the outputs
differ. These tests keep the references from drifting: a demo league's first 50 days (the 14 bootstrap days,
then dates with and without qualifying players/teams, November season-boundary dates and December dates),
backfilled by nbaprops, recomputed by each reference through its end-to-end path (read SQLite, compute,
executemany into scratch tables), compared row by row on every column but data_hash and the run stamps
(and data_hash too for the pandas variant that computes it).
The demo data, unlike the real shot chart, has assisted makes, points allowed, blocks, ratings and
inactive players, so the known-value (DECISION 6) and qualifying-game paths are covered. ~10–15 s.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOW_DAYS = 50


def _load_bench(name: str):
    """bench/python/<name>.py, loaded by path (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"nbaprops_{name}", ROOT / "bench" / "python" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zr = _load_bench("zones_reference")


@pytest.fixture(scope="module")
def window(tmp_path_factory):
    """A demo season generated and backfilled (togs, tdgs, pgs, tdza, psza) over its first 50 days."""
    import nbaprops
    from nbaprops.api.dates import iso

    root = tmp_path_factory.mktemp("bench_zones")
    wh = nbaprops.open(root / "wh")
    nbaprops.demo.generate(wh, seasons=[2023], seed=7)
    first = wh.schedule().season_start(2023)
    start, end = iso(first), iso(first + WINDOW_DAYS)
    result = nbaprops.backfill(
        wh,
        start,
        end,
        processors=["togs", "tdgs", "pgs", "tdza", "psza"],
        workers=2,
        resume=False,
        progress="none",
        checkpoint_dir=root / "ckpt",
    )
    assert result.exit_code == 0, result.summary_text
    units = result.units
    written = units[(units["status"] == "success")].groupby("processor").size()
    # The window must exercise both processors on real rows (not only bootstrap skips or empty dates).
    assert written.get("team_defense_zone_analysis", 0) >= 5 and written.get("player_shot_zone_analysis", 0) >= 10
    return root / "wh", start, end


def _check(kind: str, window, windows: str = "running") -> None:
    wh_dir, start, end = window
    hashed = kind == "pandas_hashed"
    if kind == "pandas":
        inputs, to_rows = zr.read_inputs(wh_dir), zr.pandas_rows

        def compute(inputs, start, end):
            return zr.zones_pandas(inputs, start, end, windows)
    elif hashed:
        inputs, compute, to_rows = zr.read_inputs(wh_dir), zr.zones_pandas_hashed, zr.pandas_rows
    else:
        inputs, compute, to_rows = zr.read_inputs_polars(wh_dir), zr.zones_polars, (lambda f: f.rows())
    out = compute(inputs, start, end)
    con = sqlite3.connect(wh_dir / "nba_precompute.sqlite")
    try:
        for table, key, columns in (
            (zr.PSZA_TABLE, zr.PSZA_KEY, zr.PSZA_COLUMNS),
            (zr.TDZA_TABLE, zr.TDZA_KEY, zr.TDZA_COLUMNS),
        ):
            # Every column of our table is either compared or listed as excluded, with a reason.
            ours = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            assert sorted(ours) == sorted(columns + list(zr.EXCLUDED)), table
            if hashed:
                columns = columns + ["data_hash"]
            name = f"test_{kind}_{windows}_{table}"
            zr.create_scratch_table(con, table, name)
            zr.write_rows(con, name, columns, to_rows(out[table]))
            con.commit()
            res = zr.compare_tables(con, table, name, key, columns, start, end)
            bad = {c: v for c, v in res["columns"].items() if v["mismatches"]}
            assert res["rows_ours"] > 0, f"{table}: nbaprops wrote no rows in {start}..{end}"
            assert res["agree"], (kind, table, {k: v for k, v in res.items() if k != "columns"}, bad)
    finally:
        con.close()


@pytest.mark.parametrize("windows", ["running", "rolling"])
def test_pandas_reference_equals_nbaprops(window, windows):
    """Both ways the pandas reference takes its window sums (running-sum differences, groupby().rolling())."""
    _check("pandas", window, windows)


def test_pandas_reference_with_data_hash_equals_nbaprops(window):
    """The like-with-like variant: the pandas reference also computes the legacy data_hash of every row
    (hashlib per row), and it equals ours, with every other compared column."""
    _check("pandas_hashed", window)


def test_data_hash_sorts_fields_as_the_legacy_sorts_field_value_strings():
    """A field that is a prefix of another and followed by a digit there ("x_1", "x_10") sorts by its
    "field:value" string, as the legacy sorts them, not by its name; text is stripped, missing values NULL."""
    import hashlib

    import pandas as pd

    frame = pd.DataFrame({"x_1": [1.5, None], "x_10": ["  a ", None], "games_in_sample": [3.0, None]})
    fields = ["x_1", "x_10", "games_in_sample"]
    expected = []
    for x1, x10, g in (("1.5", "a", "3"), ("NULL", "NULL", "NULL")):
        parts = sorted([f"x_1:{x1}", f"x_10:{x10}", f"games_in_sample:{g}"])
        assert parts[1].startswith("x_10:") and parts[2].startswith("x_1:")
        expected.append(hashlib.sha256("|".join(parts).encode()).hexdigest()[:16])
    assert zr.data_hash_pandas(frame, fields) == expected


def test_sqlite_floor_copies_what_our_commits_wrote(window):
    """The bench's SQLite floor copies, unit by unit, exactly what our last run committed: every row of the two
    tables in the window, their processor_failures rows, one run-ledger row per unit and the partition hashes;
    its scratch copies are dropped afterwards and our tables are left as they were."""
    bz = _load_bench("bench_zones")
    wh_dir, start, end = window
    tables = (zr.PSZA_TABLE, zr.TDZA_TABLE)

    def counts():
        con = sqlite3.connect(wh_dir / "nba_precompute.sqlite")
        con.execute("ATTACH DATABASE ? AS o", (str(wh_dir / "nba_orchestration.sqlite"),))
        try:
            out = {
                t: con.execute(
                    f'SELECT count(*) FROM "{t}" WHERE analysis_date BETWEEN ? AND ?', (start, end)
                ).fetchone()[0]
                for t in tables
            }
            out["processor_failures"] = con.execute(
                "SELECT count(*) FROM o.processor_failures WHERE processor IN (?, ?) AND analysis_date BETWEEN ? AND ?",
                (*tables, start, end),
            ).fetchone()[0]
            out["run_ledger"] = con.execute(
                "SELECT count(*) FROM o.run_ledger WHERE processor IN (?, ?) AND run_id = (SELECT run_id FROM "
                "o.run_ledger WHERE processor IN (?, ?) ORDER BY rowid DESC LIMIT 1)",
                tables * 2,
            ).fetchone()[0]
            out["nbaprops_partition_hashes"] = con.execute(
                "SELECT count(*) FROM nbaprops_partition_hashes WHERE table_name IN (?, ?) AND partition_date "
                "BETWEEN ? AND ?",
                (*(f"nba_precompute.{t}" for t in tables), start, end),
            ).fetchone()[0]
            out["scratch"] = (
                con.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'bench_floor_%'").fetchone()[0]
                + con.execute("SELECT count(*) FROM o.sqlite_master WHERE name LIKE 'bench_floor_%'").fetchone()[0]
            )
            return out
        finally:
            con.close()

    before = counts()
    floor = bz.bench_sqlite_floor(wh_dir, start, end, 1)
    assert counts() == before and before["scratch"] == 0
    assert floor["per_unit_rows"] == {k: v for k, v in before.items() if k != "scratch"}
    assert floor["units"] == before["run_ledger"] > 0 and floor["rows"] == before[zr.PSZA_TABLE] + before[zr.TDZA_TABLE]
    assert before["processor_failures"] > 0 and floor["per_unit_seconds"] > 0 and floor["seconds"] > 0


def test_pandas_reference_rejects_an_unknown_window_style(window):
    wh_dir, start, end = window
    with pytest.raises(ValueError, match="windows must be 'running' or 'rolling', not 'expanding'"):
        zr.zones_pandas(zr.read_inputs(wh_dir), start, end, "expanding")


def test_polars_reference_equals_nbaprops(window):
    pytest.importorskip(
        "polars",
        reason="polars is not installed (bench-only dependency: pip install -r "
        "requirements-dev.txt); the Polars zones reference is not checked",
    )
    _check("polars", window)


def test_py_round_is_pythons_round():
    """The vectorised round TDZA values are stored with: exactly Python's round(), not numpy's, on real ties
    (0.5375 is stored just below the tie: round → 0.537, numpy → 0.538) and on random ratios."""
    import random

    import numpy as np

    assert zr.py_round([43 / 80], 3)[0] == round(43 / 80, 3) == 0.537
    assert zr.np_round([43 / 80], 3)[0] == 0.538
    rng = random.Random(7)
    xs = [rng.randint(0, 900) / rng.randint(1, 900) * rng.choice([1, 100, -100]) for _ in range(20000)]
    xs += [k / 2000 for k in range(4000)] + [k / 16 for k in range(-200, 200)]
    for nd in (1, 2, 3):
        got = zr.py_round(np.array(xs), nd)
        assert got.tolist() == [round(x, nd) + 0.0 for x in xs], nd
