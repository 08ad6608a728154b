#!/usr/bin/env python3
"""nbaprops speed, measured as ratios in one run (DESIGN.md "Performance model"; never a timed unit test).

    python bench/python/bench_backfill.py [--seasons 2023] [--quick]      # what `make bench` runs

In one process, on one freshly generated demo league:

1. demo generation time; a full-cascade backfill with workers=1 and with workers=2 (each on its own fresh
   copy of the raw warehouse, progress="none"): wall time, units/s and rows/s per processor, 1→2 speed-up;
2. TOGS against a legacy-style per-date pandas reference (SELECT the date's team box rows from SQLite,
   ``tests/python/reference.py: team_offense_reference``, DELETE + INSERT the date into a scratch table),
   ratio reference / ours, and the outputs must agree;
3. PDC against a legacy-style per-date pandas reference of a subset of its columns (an approximation: the
   reference computes less than the engine), ratio reference / ours, and the shared columns must agree;
4. predictions against a legacy-style per-player Python loop of every system the engine writes (moving
   average, zone matchup, similarity, XGBoost evaluated per player with the xgboost package, ensemble), on
   the first ``--pred-dates`` prediction dates, ratio reference / ours; every system's predicted points,
   confidence and recommendation must agree;
5. a compact table on stdout, the figures as JSON in ``bench/results/latest.json``. For each comparison our
   side's wall time is split (``ours_split``): outside the engine (plan, pre-flight), the engine around the
   units, and the units' read / compute / bookkeeping / write.

Exit code 0 when every backfill succeeded and every compared output agrees, 1 otherwise (the ratios of a
comparison whose outputs disagree are not honest). See bench/README.md for what each figure means.
"""

from __future__ import annotations

# nbaprops before sqlite3: the libsqlite3 nbaprops was built with is then the one of this process, its
# sqlite3 module included (one copy per process: cmake/BundledSQLite.cmake).
import nbaprops

import argparse
import datetime as dt
import gzip
import importlib.util
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from nbaprops.api.dates import iso

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"
TOLERANCE = 1e-9  # both sides round to 1–4 decimals with Python's round(); equal values differ by 0


def load_reference():
    """tests/python/reference.py, imported by path (tests/ is not a package)."""
    path = ROOT / "tests" / "python" / "reference.py"
    spec = importlib.util.spec_from_file_location("nbaprops_bench_reference", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_of(n: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Fastest wall time of ``n`` calls of ``fn`` and that call's result."""
    runs = []
    for _ in range(max(n, 1)):
        t0 = time.perf_counter()
        out = fn()
        runs.append((time.perf_counter() - t0, out))
    return min(runs, key=lambda x: x[0])


def interleaved_best(n: int, fns: dict[str, Callable[[], Any]]) -> dict[str, tuple[float, Any]]:
    """Like :func:`best_of` for several functions at once, their calls taken in turn (a, b, c, a, b, c, …):
    a machine that speeds up or slows down during the comparison (this one's speed moves by half within
    minutes) then weighs on every side alike, where ``n`` calls of one side and then ``n`` of the next would
    put the change between them and into their ratio. Returns name → (fastest wall time, that call's result)."""
    runs: dict[str, list[tuple[float, Any]]] = {name: [] for name in fns}
    for _ in range(max(n, 1)):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            out = fn()
            runs[name].append((time.perf_counter() - t0, out))
    return {name: min(r, key=lambda x: x[0]) for name, r in runs.items()}


def machine_probe(repeats: int = 3) -> dict[str, float]:
    """Two fixed workloads that measure the machine, not nbaprops, best of ``repeats``: CPython running a
    10-million-step integer loop, and SQLite (C, no Python per row) inserting 200,000 generated rows into an
    in-memory table with an index on a date-like key that grows in order, as our partitions do. Absolute
    seconds from machines whose probes differ are not comparable; the ratios measured in one run are
    (bench/README.md "Machine probe")."""

    def python_loop() -> int:
        total = 0
        for i in range(10_000_000):
            total += i
        return total

    def sqlite_insert() -> None:
        con = sqlite3.connect(":memory:")
        con.execute("CREATE TABLE t (k INTEGER, d INTEGER, v REAL, s TEXT)")
        con.execute("CREATE INDEX ix_t_d ON t (d)")
        con.execute(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000) "
            "INSERT INTO t SELECT x, x / 1000, x * 0.37, printf('player%05d', x % 5000) FROM n"
        )
        con.close()

    return {
        "python_loop_seconds": round(best_of(repeats, python_loop)[0], 3),
        "sqlite_insert_seconds": round(best_of(repeats, sqlite_insert)[0], 3),
    }


def backfill_call(
    wh, dates: list[str], processor: str, workers: int, ckpt: Path, results: list[Any]
) -> Callable[[], Any]:
    """One timed side: a backfill of ``processor`` over ``dates`` with ``workers`` (2 is what a user gets
    without choosing), from scratch (``resume=False``); each call's RunResult is returned and appended to
    ``results`` (every run's exit code is checked)."""

    def call():
        results.append(
            nbaprops.backfill(
                wh,
                dates=dates,
                processors=[processor],
                workers=workers,
                resume=False,
                progress="none",
                checkpoint_dir=ckpt,
            )
        )
        return results[-1]

    return call


def rows_of(frame: pd.DataFrame) -> list[list[Any]]:
    """DataFrame → list of rows of plain Python values (sqlite3 does not bind numpy scalars), NaN → NULL."""
    cols = []
    for c in frame.columns:
        values = frame[c].to_numpy(dtype=object)
        cols.append(
            [
                None
                if (v is None or (isinstance(v, float) and v != v))
                else (v.item() if isinstance(v, np.generic) else v)
                for v in values
            ]
        )
    return [list(r) for r in zip(*cols)] if cols else []


def replace_partition(con: sqlite3.Connection, table: str, date_col: str, date: str, frame: pd.DataFrame) -> None:
    """The legacy write: DELETE the date, then INSERT its rows, one transaction per date."""
    cols = list(frame.columns)
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(cols)})")
    con.execute(f"DELETE FROM {table} WHERE {date_col} = ?", (date,))
    if len(frame):
        con.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows_of(frame)
        )
    con.commit()


def compare(
    merged: pd.DataFrame, pairs: list[tuple[str, str]], ties: dict[str, tuple[str, int]] | None = None
) -> dict[str, dict[str, Any]]:
    """Per column: rows compared, mismatches (|a−b| > TOLERANCE or NULL on one side only), max |a−b|.

    ``ties`` maps an output column to (unrounded reference column, decimals): a difference of exactly one
    unit in the last decimal where the unrounded reference value sits on a round-half boundary is counted
    as a ``half_way_tie`` instead of a mismatch (float summation order decides such ties; the exact
    decimal mean is .5 in the next digit)."""
    out = {}
    for ref_col, our_col in pairs:
        a = pd.to_numeric(merged[ref_col], errors="coerce").astype("float64").to_numpy()
        b = pd.to_numeric(merged[our_col], errors="coerce").astype("float64").to_numpy()
        both_null = np.isnan(a) & np.isnan(b)
        diff = np.abs(a - b)
        bad = ~both_null & ~(diff <= TOLERANCE)
        tie = np.zeros_like(bad)
        if ties and our_col in ties:
            raw_col, nd = ties[our_col]
            raw = pd.to_numeric(merged[raw_col], errors="coerce").astype("float64").to_numpy() * 10.0**nd
            on_half = np.abs(raw - np.floor(raw) - 0.5) < 1e-6
            tie = bad & on_half & (np.abs(diff - 10.0**-nd) < 1e-9)
        finite = diff[~np.isnan(diff)]
        out[our_col] = {
            "compared": int(len(a)),
            "mismatches": int((bad & ~tie).sum()),
            "max_abs_diff": float(finite.max()) if len(finite) else 0.0,
        }
        if ties and our_col in ties:
            out[our_col]["half_way_ties"] = int(tie.sum())
    return out


# ----------------------------------------------------------------------------------------------- part 1


def run_cascade(raw_dir: Path, wh_dir: Path, start: str, end: str, workers: int, ckpt: Path) -> dict[str, Any]:
    shutil.copytree(raw_dir, wh_dir)
    wh = nbaprops.open(wh_dir)
    t0 = time.perf_counter()
    result = nbaprops.backfill(wh, start, end, workers=workers, resume=False, progress="none", checkpoint_dir=ckpt)
    wall = time.perf_counter() - t0
    units = result.units
    procs: dict[str, Any] = {}
    for name in dict.fromkeys(units["processor"]):
        u = units[units["processor"] == name]
        busy = float(u["seconds"].sum())
        rows = int(u["rows"].sum())
        procs[name] = {
            "units": int(len(u)),
            "statuses": {k: int(v) for k, v in u["status"].value_counts().items()},
            "rows": rows,
            "busy_seconds": round(busy, 4),
            "units_per_s": round(len(u) / busy, 2) if busy > 0 else None,
            "rows_per_s": round(rows / busy, 1) if busy > 0 else None,
        }
    return {
        "workers": workers,
        "wall_seconds": round(wall, 3),
        "engine_seconds": round(result.seconds, 3),
        "exit_code": result.exit_code,
        "units": int(len(units)),
        "rows": int(units["rows"].sum()),
        "units_per_s": round(len(units) / wall, 2),
        "rows_per_s": round(units["rows"].sum() / wall, 1),
        "processors": procs,
        "_units": units,
        "_summary": result.summary_text,
    }


# ----------------------------------------------------------------------------------------------- part 2

TOGS_PAIRS = [
    ("possessions", "possessions"),
    ("pace", "pace"),
    ("offensive_rating", "offensive_rating"),
    ("ts_pct", "ts_pct"),
]
TOGS_EXTRA = [
    ("points_scored", "points_scored"),
    ("margin_of_victory", "margin_of_victory"),
    ("overtime_periods", "overtime_periods"),
]


def togs_reference(ref_mod, raw_db: Path, scratch_db: Path, dates: list[str]) -> int:
    """Legacy per-date style: one SELECT of the date's team box rows, pandas, DELETE + INSERT per date."""
    src = sqlite3.connect(raw_db)
    dst = sqlite3.connect(scratch_db)
    written = 0
    try:
        for d in dates:
            box = pd.read_sql_query("SELECT * FROM nbac_team_boxscore WHERE game_date = ?", src, params=(d,))
            out = ref_mod.team_offense_reference(box) if len(box) else box.iloc[0:0]
            replace_partition(dst, "ref_team_offense_game_summary", "game_date", d, out)
            written += len(out)
    finally:
        src.close()
        dst.close()
    return written


def bench_togs(ref_mod, wh_dir: Path, work: Path, dates: list[str], repeats: int) -> dict[str, Any]:
    wh = nbaprops.open(wh_dir)
    scratch = work / "reference.sqlite"
    results: list[Any] = []  # every run of ours, for the exit codes
    one, two = (backfill_call(wh, dates, "togs", w, work / f"ckpt-togs-w{w}", results) for w in (1, 2))
    timed = interleaved_best(
        repeats,
        {
            "reference": lambda: togs_reference(ref_mod, wh_dir / "nba_raw.sqlite", scratch, dates),
            "ours": one,
            "ours_2_workers": two,
        },
    )
    (ref_s, ref_rows), (our_s, best), (two_s, _) = timed["reference"], timed["ours"], timed["ours_2_workers"]
    exit_codes = sorted({r.exit_code for r in results})
    two_exit = max(exit_codes)
    our_rows = int(best.units["rows"].sum())

    con = sqlite3.connect(scratch)
    ref = pd.read_sql_query("SELECT * FROM ref_team_offense_game_summary", con)
    con.close()
    mine = nbaprops.read(wh, "nba_analytics.team_offense_game_summary", dates[0], dates[-1])
    mine = mine[mine["game_date"].dt.strftime("%Y-%m-%d").isin(dates)]
    merged = ref.merge(mine, on=["game_id", "team_abbr"], how="outer", suffixes=("_ref", ""), indicator=True)
    both = merged[merged["_merge"] == "both"]
    cols = compare(both, [(a + "_ref", b) for a, b in TOGS_PAIRS])
    extra = compare(both, [(a + "_ref", b) for a, b in TOGS_EXTRA])
    only_ref = int((merged["_merge"] == "left_only").sum())
    only_ours = int((merged["_merge"] == "right_only").sum())
    agree = (
        only_ref == 0
        and only_ours == 0
        and exit_codes == [0]
        and two_exit == 0
        and all(c["mismatches"] == 0 for c in cols.values())
    )
    return {
        "dates": len(dates),
        "repeats": repeats,
        "reference_seconds": round(ref_s, 4),
        "ours_seconds": round(our_s, 4),
        "ours_unit_seconds": round(float(best.units["seconds"].sum()), 4),
        "ours_split": our_split(best, our_s),
        "ratio": round(ref_s / our_s, 2),
        "ours_seconds_2_workers": round(two_s, 4),
        "ratio_2_workers": round(ref_s / two_s, 2),
        "reference_rows": ref_rows,
        "ours_rows": our_rows,
        "ours_exit_codes": sorted(set(exit_codes) | {two_exit}),
        "agree": agree,
        "rows_only_in_reference": only_ref,
        "rows_only_in_ours": only_ours,
        "columns": cols,
        "extra_columns_informational": extra,
    }


# ----------------------------------------------------------------------------------------------- part 3

PDC_PAIRS = [
    ("points_avg_last_5", "points_avg_last_5"),
    ("points_avg_last_10", "points_avg_last_10"),
    ("points_avg_season", "points_avg_season"),
    ("points_std_last_10", "points_std_last_10"),
    ("minutes_avg_last_10", "minutes_avg_last_10"),
    ("usage_rate_last_10", "usage_rate_last_10"),
    ("ts_pct_last_10", "ts_pct_last_10"),
    ("games_played_season", "games_played_season"),
    ("team_pace_last_10", "team_pace_last_10"),
    ("team_off_rating_last_10", "team_off_rating_last_10"),
]


def r4(x: float) -> float:
    return round(float(x), 4) if x == x else float("nan")


def pdc_reference(
    analytics_db: Path,
    scratch_db: Path,
    dates: list[str],
    season_of: dict[str, int],
    unrounded: list[pd.DataFrame] | None = None,
) -> int:
    """Legacy per-date style PDC subset (legacy-pcf-pdc.md B2/B3, with nbaprops' strictly-before-D windows,
    DECISION 1): per date three queries (season-to-date PGS, the date's UPGC universe, TOGS before D),
    pandas groupbys, DELETE + INSERT the date. No completeness gates, hashes, workload/zone copies.
    ``unrounded`` collects the means before rounding (only to classify round-half ties afterwards)."""
    src = sqlite3.connect(analytics_db)
    dst = sqlite3.connect(scratch_db)
    written = 0
    try:
        for d in dates:
            pgs = pd.read_sql_query(
                "SELECT player_lookup, game_date, points, minutes_played, usage_rate, ts_pct "
                "FROM player_game_summary WHERE season_year = ? AND game_date < ? AND is_active = 1 "
                "AND (minutes_played > 0 OR points > 0)",
                src,
                params=(season_of[d], d),
            )
            upgc = pd.read_sql_query(
                "SELECT player_lookup, team_abbr FROM upcoming_player_game_context WHERE game_date = ?",
                src,
                params=(d,),
            )
            togs = pd.read_sql_query(
                "SELECT team_abbr, game_date, pace, offensive_rating FROM team_offense_game_summary "
                "WHERE game_date < ?",
                src,
                params=(d,),
            )
            pgs = pgs[pgs["player_lookup"].isin(upgc["player_lookup"])]
            pgs = pgs.sort_values(["player_lookup", "game_date"], ascending=[True, False])
            pgs["rank"] = pgs.groupby("player_lookup").cumcount()
            pgs = pgs[pgs["rank"] < 82]
            season = pgs.groupby("player_lookup")
            l5 = pgs[pgs["rank"] < 5].groupby("player_lookup")
            l10 = pgs[pgs["rank"] < 10].groupby("player_lookup")
            out = pd.DataFrame(
                {
                    "games_played_season": season.size(),
                    "points_avg_last_5": l5["points"].mean(),
                    "points_avg_last_10": l10["points"].mean(),
                    "points_avg_season": season["points"].mean(),
                    "points_std_last_10": l10["points"].std(ddof=1),
                    "minutes_avg_last_10": l10["minutes_played"].mean(),
                    "usage_rate_last_10": l10["usage_rate"].mean(),
                    "ts_pct_last_10": l10["ts_pct"].mean(),
                }
            )
            out = out[out["games_played_season"] >= 5]
            togs = togs.sort_values(["team_abbr", "game_date"], ascending=[True, False])
            team = (
                togs[togs.groupby("team_abbr").cumcount() < 10]
                .groupby("team_abbr")[["pace", "offensive_rating"]]
                .mean()
            )
            out = out.join(upgc.drop_duplicates("player_lookup").set_index("player_lookup")["team_abbr"])
            out = out.join(
                team.rename(columns={"pace": "team_pace_last_10", "offensive_rating": "team_off_rating_last_10"}),
                on="team_abbr",
            )
            if unrounded is not None:
                unrounded.append(out.drop(columns="team_abbr").assign(cache_date=d))
            for c in out.columns:
                if c not in ("games_played_season", "team_abbr"):
                    out[c] = [r4(v) for v in out[c]]
            out = out.reset_index().rename(columns={"index": "player_lookup"})
            out.insert(1, "cache_date", d)
            replace_partition(dst, "ref_player_daily_cache", "cache_date", d, out)
            written += len(out)
    finally:
        src.close()
        dst.close()
    return written


def our_split(result, wall: float) -> dict[str, float]:
    """Where our side's wall time goes: outside the engine (plan, pre-flight, model load, in Python), the
    engine's own overhead around the units (graph, checkpoint, cache set-up), and the units' busy time split
    into read (through the run's cache), compute (the processor), bookkeeping (the runner's fingerprint, content
    hashes, failure and ledger rows) and write (the commit: SQLite insert, failures, ledger). Without the
    runner's compute_seconds column, compute is the busy time less read and write, and bookkeeping is 0."""
    u = result.units
    busy, read, write = (float(u[c].sum()) for c in ("seconds", "read_seconds", "write_seconds"))
    compute = float(u["compute_seconds"].sum()) if "compute_seconds" in u.columns else busy - read - write
    return {
        "wall": round(wall, 3),
        "outside_engine": round(wall - float(result.seconds), 3),
        "engine_outside_units": round(float(result.seconds) - busy, 3),
        "units_busy": round(busy, 3),
        "read": round(read, 3),
        "compute": round(compute, 3),
        "bookkeeping": round(busy - read - compute - write, 3),
        "write": round(write, 3),
        "units": int(len(u)),
        "rows": int(u["rows"].sum()),
    }


def timing_figures(
    dates: list[str],
    ref_s: float,
    our_s: float,
    ref_rows: int,
    result,
    agree: bool,
    compared: int,
    two_s: float,
    repeats: int,
) -> dict[str, Any]:
    """The figures every reference comparison reports: times (best of ``repeats`` each), ratios with one and
    with the default two workers, rows and agreement."""
    return {
        "dates": len(dates),
        "repeats": repeats,
        "reference_seconds": round(ref_s, 3),
        "ours_seconds": round(our_s, 3),
        "ours_seconds_2_workers": round(two_s, 3),
        "ratio_2_workers": round(ref_s / two_s, 2),
        "ours_unit_seconds": round(float(result.units["seconds"].sum()), 3),
        "ours_split": our_split(result, our_s),
        "ratio": round(ref_s / our_s, 2),
        "reference_rows": ref_rows,
        "ours_rows": int(result.units["rows"].sum()),
        "ours_exit_code": result.exit_code,
        "agree": agree,
        "rows_compared": compared,
    }


def bench_pdc(wh_dir: Path, work: Path, dates: list[str], season_of: dict[str, int], repeats: int) -> dict[str, Any]:
    wh = nbaprops.open(wh_dir)
    scratch = work / "reference.sqlite"
    unrounded: list[pd.DataFrame] = []

    def reference() -> int:
        unrounded.clear()
        return pdc_reference(wh_dir / "nba_analytics.sqlite", scratch, dates, season_of, unrounded)

    runs: list[Any] = []  # every run of ours
    one, two = (backfill_call(wh, dates, "pdc", w, work / f"ckpt-pdc-w{w}", runs) for w in (1, 2))
    timed = interleaved_best(repeats, {"reference": reference, "ours": one, "ours_2_workers": two})
    (ref_s, ref_rows), (our_s, result), (two_s, _) = timed["reference"], timed["ours"], timed["ours_2_workers"]
    two_exit = max(r.exit_code for r in runs)

    con = sqlite3.connect(scratch)
    ref = pd.read_sql_query("SELECT * FROM ref_player_daily_cache", con)
    con.close()
    mine = nbaprops.read(wh, "nba_precompute.player_daily_cache", dates[0], dates[-1])
    mine["cache_date"] = mine["cache_date"].dt.strftime("%Y-%m-%d")
    mine = mine[mine["cache_date"].isin(dates)]
    merged = ref.merge(mine, on=["player_lookup", "cache_date"], how="outer", suffixes=("_ref", ""), indicator=True)
    raw = pd.concat(unrounded)
    raw.index.name = "player_lookup"
    raw = raw.reset_index().rename(columns={c: c + "_raw" for c in raw.columns if c != "cache_date"})
    both = merged[merged["_merge"] == "both"].merge(raw, on=["player_lookup", "cache_date"], how="left")
    ties = {b: (a + "_raw", 4) for a, b in PDC_PAIRS if a != "games_played_season"}
    cols = compare(both, [(a + "_ref", b) for a, b in PDC_PAIRS], ties)
    only_ref = int((merged["_merge"] == "left_only").sum())
    only_ours = int((merged["_merge"] == "right_only").sum())
    agree = (
        only_ours == 0 and result.exit_code == 0 and two_exit == 0 and all(c["mismatches"] == 0 for c in cols.values())
    )
    our_cols = len(nbaprops.catalog().query("table == 'nba_precompute.player_daily_cache'"))
    return {
        "approximation": True,
        "note": (
            f"reference computes {len(PDC_PAIRS)} of the engine's {our_cols} columns (no completeness "
            "windows/gates, workload or shot-zone copies, hashes or metadata); the ratio understates"
        ),
        **timing_figures(dates, ref_s, our_s, ref_rows, result, agree, len(both), two_s, repeats),
        "rows_only_in_reference": only_ref,
        "rows_only_in_reference_note": "players the engine withholds by its completeness gate (INCOMPLETE_DATA), "
        "which the reference does not model",
        "rows_only_in_ours": only_ours,
        "columns": cols,
    }


# ----------------------------------------------------------------------------------------------- part 4


def _tuple_confidence(f: list[float]) -> float:
    c = 0.5
    c -= 0.15 if f[3] > 6.0 else (0.08 if f[3] > 4.0 else 0.0)
    games = int(f[4])
    c += 0.10 if games >= 3 else (0.05 if games == 2 else -0.10)
    return min(max(c, 0.2), 0.8)


def _tuple_rec(pred: float, conf: float, line: float | None) -> str:
    if line is None or abs(pred - line) <= 2.0 or conf <= 0.45:
        return "PASS"
    return "OVER" if pred > line else "UNDER"


def _moving_average(f: list[float]) -> float:
    base = 0.5 * f[0] + 0.3 * f[1] + 0.2 * f[2]
    adj = (-2.5 if f[5] > 70 else (-1.0 if f[5] > 50 else 0.0)) + 0.3 * f[6] + (-1.5 if f[16] == 1 else 0.0)
    adj += 0.3 * f[7] + (0.5 if f[15] == 1 else -0.5) + 0.4 * f[8]
    return min(max(base + adj, 0.0), 60.0)


def _zone_matchup(f: list[float]) -> float:
    s = (110.0 - f[13]) * 0.3
    zone = 0.0
    for m, u in zip((1.2, 1.0, 1.1, 0.8), (f[18], f[19], f[20], f[21])):
        zone += min(max(s * m, -3.0), 3.0) * (1.0 if u >= 0.40 else (0.7 if u >= 0.20 else 0.4))
    adj = zone + 0.4 * f[7] + (0.8 if f[15] == 1 else -0.8) + (-1.5 if f[5] > 70 else (-0.8 if f[5] > 50 else 0.0))
    return min(max(f[2] + adj, 0.0), 60.0)


def _clamp(x: float) -> float:
    return min(max(x, 0.0), 60.0)


def _pop_std(values: list[float]) -> float:
    if not values:
        return 0.0
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


def _opponent_tier(rating: float) -> int:
    return 1 if rating < 110 else (2 if rating < 115 else 3)


def _rest_bucket(days: int) -> int:
    return 0 if days <= 0 else (days if days <= 2 else 3)


def _form(diff: float) -> int:
    return 2 if diff >= 3 else (0 if diff <= -3 else 1)


def _similarity(f: list[float], days_rest, games: list[dict], line: float | None) -> dict | None:
    """Similarity Balanced V1 (legacy-mlfs-phase5-6.md §2.5) over the player's past games, newest first."""
    now = (
        _opponent_tier(f[13]),
        _rest_bucket(1 if days_rest is None else int(days_rest)),
        f[15] != 0,
        _form(f[0] - f[2]),
    )
    matched = []
    for g in games:
        gap_t, gap_r = abs(now[0] - g["tier"]), abs(now[1] - g["rest"])
        score = (40 if gap_t == 0 else (20 if gap_t == 1 else 0)) + (30 if gap_r == 0 else (15 if gap_r == 1 else 0))
        score += (15 if now[2] == g["home"] else 0) + (15 if now[3] == g["form"] else 5)
        if score >= 70:
            matched.append((score, g["points"]))
    matched = sorted(matched, key=lambda m: -m[0])[:20]
    if len(matched) < 5:
        return None
    num = den = sum_score = 0.0
    for score, pts in matched:
        num += pts * score / 100.0
        den += score / 100.0
        sum_score += score
    adj = [
        round((f[5] - 70.0) * 0.015, 2),
        round(0.4 * f[6], 2),
        round(0.8 * f[7], 2),
        round(0.8 * f[8], 2),
        round(0.8 if now[2] else -0.5, 2),
    ]
    total = round(adj[0] + adj[1] + adj[2] + adj[3] + adj[4], 2)
    pts = round(_clamp(num / den + total), 2)
    n, mean_score, sd = len(matched), sum_score / len(matched), _pop_std([m[1] for m in matched])
    c = 50 + (20 if n >= 15 else (15 if n >= 10 else (10 if n >= 7 else -15)))
    c += 20 if mean_score >= 85 else (15 if mean_score >= 75 else (10 if mean_score >= 70 else 5))
    c += 15 if sd < 4 else (8 if sd < 6 else (3 if sd < 8 else -5))
    c = round(min(max(c, 0.0), 100.0), 2)
    rec = "PASS"
    if line is not None and c >= 65:
        rec = "OVER" if pts - line >= 2.0 else ("UNDER" if pts - line <= -2.0 else "PASS")
    return {"points": pts, "confidence": c / 100.0, "rec": rec}


def _xgboost(raw: float, quality: float, f: list[float], line: float | None) -> dict:
    """XGBoost V1 (§2.6) around the model's raw prediction."""
    pts = round(_clamp(raw), 2)
    c = 70 + (10 if quality >= 90 else (7 if quality >= 80 else (5 if quality >= 70 else (2 if quality >= 60 else 0))))
    c += 10 if f[3] < 4 else (7 if f[3] < 6 else (5 if f[3] < 8 else 2))
    c = min(max(c, 0), 100)
    rec = "PASS"
    if line is not None and c >= 60:
        rec = "OVER" if pts - line >= 1.5 else ("UNDER" if pts - line <= -1.5 else "PASS")
    return {"points": pts, "confidence": c / 100.0, "rec": rec}


def _ensemble(parts: list[dict], line: float | None) -> dict | None:
    """Ensemble V1 (§2.7): confidence-weighted mean of the valid systems."""
    if len(parts) < 2:
        return None
    num = den = 0.0
    for p in parts:
        num += p["points"] * (p["confidence"] * 100.0)
        den += p["confidence"] * 100.0
    preds = [p["points"] for p in parts]
    pts = _clamp(num / den if den > 0 else sum(preds) / len(preds))
    sigma = _pop_std(preds)
    conf = den / len(parts) + (10 if sigma < 2.0 else (5 if sigma < 3.0 else (-5 if sigma < 6.0 else -10)))
    conf = min(max(conf + (5 if len(parts) == 4 else 0), 20.0), 95.0)
    rec = "PASS"
    if line is not None and conf >= 65 and abs(pts - line) >= 1.5:
        over = sum(p["rec"] == "OVER" for p in parts)
        under = sum(p["rec"] == "UNDER" for p in parts)
        rec = (
            "OVER"
            if over > len(parts) / 2
            else "UNDER"
            if under > len(parts) / 2
            else ("OVER" if pts > line else "UNDER")
        )
    return {"points": pts, "confidence": conf / 100.0, "rec": rec}


def _model_input(names: list[str], f: list[float], mlfs_names: list[str], extras: dict) -> list[float]:
    """The model's input row by feature name, in its training semantics (legacy spec §3.3): shot rates in
    percent, days_rest 1 = back-to-back, the PDC-only inputs with their training defaults."""
    derived = {
        "minutes_avg_last_10": extras.get("minutes_avg_last_10"),
        "opponent_def_rating_last_15": f[13],
        "opponent_pace_last_15": f[14],
        "is_home": (1.0 if extras["is_home"] else 0.0) if extras.get("is_home") is not None else f[15],
        "days_rest": extras["days_rest"] + 1.0 if extras.get("days_rest") is not None else 2.0,
        "paint_rate_last_10": f[18] * 100.0,
        "mid_range_rate_last_10": f[19] * 100.0,
        "three_pt_rate_last_10": f[20] * 100.0,
        "assisted_rate_last_10": (
            extras["assisted_rate_last_10"] * 100.0 if extras.get("assisted_rate_last_10") is not None else 60.0
        ),
        "team_pace_last_10": f[22],
        "team_off_rating_last_10": f[23],
        "usage_rate_last_10": extras["usage_rate_last_10"] if extras.get("usage_rate_last_10") is not None else 25.0,
    }
    by_name = dict(zip(mlfs_names, f))
    row = []
    for name in names:
        v = derived[name] if name in derived else by_name.get(name)
        row.append(float("nan") if v is None or not np.isfinite(v) else float(v))
    return row


def _history(rows: list[tuple], ratings: dict) -> list[dict]:
    """A player's games before D (rows newest first: date, points, opponent, home), as each was played."""
    keep = rows[:30]
    listed = sum(r[1] for r in keep) / len(keep) if keep else 0.0
    out = []
    for i, (gd, pts, opp, home) in enumerate(keep):
        prev = [r[1] for r in rows[i + 1 : i + 6]]
        out.append(
            {
                "points": pts,
                "tier": _opponent_tier(ratings.get((opp, gd), 112.0)),
                "rest": _rest_bucket((gd - rows[i + 1][0]).days - 1) if i + 1 < len(rows) else 3,
                "home": home,
                "form": _form(sum(prev) / len(prev) - listed) if prev else 1,
            }
        )
    return out


def predictions_reference(db_dir: Path, scratch_db: Path, dates: list[str], model_path: Path | None) -> int:
    """Legacy 5A style for all five systems (the legacy backfill's generate_predictions_for_player): per date,
    SELECT the feature rows, lines, PDC extras, 90 days of box scores and opponent ratings; then a Python loop
    over players — features as a dict, the similarity history built from the player's games, one call per
    system, the XGBoost model evaluated for that player alone (``Booster.inplace_predict`` on one row, as the
    legacy worker's ``model.predict(feature_vector)``) — and DELETE + INSERT the date."""
    import xgboost as xgb

    booster = None
    if model_path is not None:
        plain = scratch_db.parent / model_path.name.removesuffix(".gz")
        with gzip.open(model_path, "rb") as src, open(plain, "wb") as out:
            shutil.copyfileobj(src, out)
        booster = xgb.Booster(model_file=str(plain))
        # One thread: a one-row call is cheapest that way (OpenMP's team costs ~0.1 s per call on a busy machine).
        booster.set_param({"nthread": 1})
        limit = int(booster.attr("best_iteration")) + 1 if booster.attr("best_iteration") else 0
    pred = sqlite3.connect(db_dir / "nba_predictions.sqlite")
    ana = sqlite3.connect(db_dir / "nba_analytics.sqlite")
    pre = sqlite3.connect(db_dir / "nba_precompute.sqlite")
    dst = sqlite3.connect(scratch_db)
    written = 0
    try:
        for d in dates:
            lo = (dt.date.fromisoformat(d) - dt.timedelta(days=90)).isoformat()
            feats = pd.read_sql_query(
                "SELECT player_lookup, features, feature_names, feature_quality_score, "
                "days_rest, is_home FROM ml_feature_store_v2 WHERE game_date = ?",
                pred,
                params=(d,),
            ).drop_duplicates("player_lookup")
            ctx = (
                pd.read_sql_query(
                    "SELECT player_lookup, has_prop_line, current_points_line, points_avg_last_5, "
                    "points_avg_last_10 FROM upcoming_player_game_context WHERE game_date = ?",
                    ana,
                    params=(d,),
                )
                .drop_duplicates("player_lookup")
                .set_index("player_lookup")
            )
            pdc = (
                pd.read_sql_query(
                    "SELECT player_lookup, minutes_avg_last_10, assisted_rate_last_10, "
                    "usage_rate_last_10 FROM player_daily_cache WHERE cache_date = ?",
                    pre,
                    params=(d,),
                )
                .drop_duplicates("player_lookup")
                .set_index("player_lookup")
            )
            pgs = pd.read_sql_query(
                "SELECT player_lookup, game_date, game_id, team_abbr, opponent_team_abbr, points, "
                "minutes_played FROM player_game_summary WHERE game_date >= ? AND game_date < ? "
                "ORDER BY game_date",
                ana,
                params=(lo, d),
            )
            tdza = pd.read_sql_query(
                "SELECT team_abbr, analysis_date, defensive_rating_last_15 FROM "
                "team_defense_zone_analysis WHERE analysis_date >= ? AND analysis_date < ? "
                "ORDER BY analysis_date",
                pre,
                params=(lo, d),
            ).dropna()
            ratings = {(t, dt.date.fromisoformat(a)): r for t, a, r in tdza.itertuples(index=False)}
            pgs = pgs[pgs["minutes_played"].isna() | (pgs["minutes_played"] > 0)]
            games: dict[str, list[tuple]] = {}
            for g in pgs.itertuples(index=False):
                home = bool(g.team_abbr) and str(g.game_id).rsplit("_", 1)[-1] == g.team_abbr
                games.setdefault(g.player_lookup, []).append(
                    (
                        dt.date.fromisoformat(g.game_date),
                        0.0 if pd.isna(g.points) else float(g.points),
                        g.opponent_team_abbr or "",
                        home,
                    )
                )
            for k in games:  # newest first (a stable sort: a date's rows keep their stored order)
                games[k].sort(key=lambda r: r[0], reverse=True)
            rows = []
            for rec in feats.sort_values("player_lookup").itertuples(index=False):
                f = [float("nan") if v is None else float(v) for v in json.loads(rec.features)]
                line = None
                if rec.player_lookup in ctx.index:
                    c = ctx.loc[rec.player_lookup]
                    if pd.notna(c["current_points_line"]) and (pd.isna(c["has_prop_line"]) or c["has_prop_line"]):
                        line = round(float(c["current_points_line"]), 1)
                    elif pd.notna(c["points_avg_last_5"]):
                        line = round(float(c["points_avg_last_5"]) * 2) / 2
                    elif pd.notna(c["points_avg_last_10"]):
                        line = round(float(c["points_avg_last_10"]) * 2) / 2
                days_rest = None if pd.isna(rec.days_rest) else int(rec.days_rest)
                conf = _tuple_confidence(f)
                systems = {}
                for system, fn in (("moving_average_baseline_v1", _moving_average), ("zone_matchup_v1", _zone_matchup)):
                    pts = fn(f)
                    systems[system] = {"points": pts, "confidence": conf, "rec": _tuple_rec(pts, conf, line)}
                history = _history(games.get(rec.player_lookup, [])[:35], ratings)
                sim = _similarity(f, days_rest, history, line)
                if sim:
                    systems["similarity_balanced_v1"] = sim
                if booster is not None:
                    extras = pdc.loc[rec.player_lookup].to_dict() if rec.player_lookup in pdc.index else {}
                    extras = {k: (None if pd.isna(v) else v) for k, v in extras.items()}
                    extras.update(days_rest=days_rest, is_home=None if pd.isna(rec.is_home) else bool(rec.is_home))
                    x = np.array(
                        [_model_input(booster.feature_names, f, json.loads(rec.feature_names), extras)], np.float32
                    )
                    raw = float(
                        booster.inplace_predict(x, iteration_range=(0, limit), missing=np.nan, validate_features=False)[
                            0
                        ]
                    )
                    quality = 0.0 if pd.isna(rec.feature_quality_score) else float(rec.feature_quality_score)
                    systems["xgboost_v1"] = _xgboost(raw, quality, f, line)
                ens = _ensemble(list(systems.values()), line)
                if ens:
                    systems["ensemble_v1"] = ens
                for system, s in systems.items():
                    rows.append(
                        {
                            "player_lookup": rec.player_lookup,
                            "game_date": d,
                            "system_id": system,
                            "predicted_points": round(s["points"], 1),
                            "confidence_score": round(s["confidence"], 2),
                            "recommendation": s["rec"] if line is not None else "NO_LINE",
                        }
                    )
            replace_partition(dst, "ref_player_prop_predictions", "game_date", d, pd.DataFrame(rows))
            written += len(rows)
    finally:
        pred.close()
        ana.close()
        pre.close()
        dst.close()
    return written


def bench_predictions(wh_dir: Path, work: Path, dates: list[str], repeats: int) -> dict[str, Any]:
    wh = nbaprops.open(wh_dir)
    scratch = work / "reference.sqlite"
    model_id = nbaprops.xgboost_model_id()
    model_path = nbaprops.api.models.default_model_path() if model_id else None
    runs: list[Any] = []  # every run of ours
    one, two = (backfill_call(wh, dates, "pred", w, work / f"ckpt-pred-w{w}", runs) for w in (1, 2))
    timed = interleaved_best(
        repeats,
        {
            "reference": lambda: predictions_reference(wh_dir, scratch, dates, model_path),
            "ours": one,
            "ours_2_workers": two,
        },
    )
    (ref_s, ref_rows), (our_s, result), (two_s, _) = timed["reference"], timed["ours"], timed["ours_2_workers"]
    two_exit = max(r.exit_code for r in runs)
    con = sqlite3.connect(scratch)
    ref = pd.read_sql_query("SELECT * FROM ref_player_prop_predictions", con)
    con.close()
    mine = nbaprops.read(wh, "nba_predictions.player_prop_predictions", dates[0], dates[-1])
    mine["game_date"] = mine["game_date"].dt.strftime("%Y-%m-%d")
    mine = mine[mine["game_date"].isin(dates)]
    merged = ref.merge(
        mine, on=["player_lookup", "game_date", "system_id"], how="outer", suffixes=("_ref", ""), indicator=True
    )
    both = merged[merged["_merge"] == "both"]
    cols = compare(both, [("predicted_points_ref", "predicted_points"), ("confidence_score_ref", "confidence_score")])
    rec_mismatch = int((both["recommendation_ref"] != both["recommendation"]).sum())
    only_ref = int((merged["_merge"] == "left_only").sum())
    only_ours = int((merged["_merge"] == "right_only").sum())
    agree = (
        only_ref == 0
        and only_ours == 0
        and result.exit_code == 0
        and two_exit == 0
        and rec_mismatch == 0
        and all(c["mismatches"] == 0 for c in cols.values())
    )
    return {
        "approximation": False,
        "note": f"reference computes every system the engine writes ({', '.join(sorted(set(ref['system_id'])))}); "
        f"XGBoost model {model_id or 'none'} evaluated per player with the xgboost package",
        "systems": sorted(set(ref["system_id"])),
        **timing_figures(dates, ref_s, our_s, ref_rows, result, agree, len(both), two_s, repeats),
        "recommendation_mismatches": rec_mismatch,
        "rows_only_in_reference": only_ref,
        "rows_only_in_ours": only_ours,
        "columns": cols,
    }


# ----------------------------------------------------------------------------------------------- output


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def fmt(v: Any, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def print_report(fig: dict[str, Any]) -> None:
    g, c = fig["generation"], fig["cascade"]
    w1, w2 = c["workers_1"], c["workers_2"]
    print(
        f"\nnbaprops {fig['meta']['nbaprops']} · seasons {fig['meta']['seasons']} · {c['start']}..{c['end']}"
        f"{' (quick)' if fig['meta']['quick'] else ''} · {fig['meta']['cpus']} CPUs · "
        f"load avg at start {fig['meta']['loadavg_start']:.2f}"
    )
    if fig["meta"]["loadavg_start"] > 0.5 * (fig["meta"]["cpus"] or 1):
        print(
            "WARNING: the machine was busy when the run started; absolute times and the 1→2 speed-up are "
            "pessimistic (ratios measured back to back are less affected)"
        )
    print(f"demo generation: {g['seconds']:.2f} s ({g['games']:,} games, {sum(g['rows'].values()):,} raw rows)\n")
    hdr = (
        f"{'processor':<30}{'units':>6}{'rows':>8} | {'w1 busy s':>9}{'units/s':>9}{'rows/s':>10} | "
        f"{'w2 busy s':>9}{'units/s':>9}{'rows/s':>10}"
    )
    print(hdr)
    print("-" * len(hdr))
    for name, p1 in w1["processors"].items():
        p2 = w2["processors"].get(name, {})
        print(
            f"{name:<30}{p1['units']:>6}{p1['rows']:>8} | {p1['busy_seconds']:>9.2f}"
            f"{fmt(p1['units_per_s'], '.1f'):>9}{fmt(p1['rows_per_s'], ',.0f'):>10} | "
            f"{p2.get('busy_seconds', 0):>9.2f}{fmt(p2.get('units_per_s'), '.1f'):>9}"
            f"{fmt(p2.get('rows_per_s'), ',.0f'):>10}"
        )
    print("-" * len(hdr))
    for w in (w1, w2):
        print(
            f"full cascade, workers={w['workers']}: wall {w['wall_seconds']:.2f} s, {w['units']} units "
            f"({w['units_per_s']:.1f}/s), {w['rows']:,} rows ({w['rows_per_s']:,.0f}/s), exit {w['exit_code']}"
        )
    print(f"speed-up workers 1→2: {c['speedup_1_to_2']:.2f}×\n")
    t, p = fig["togs_vs_reference"], fig["pdc_vs_reference"]
    q = fig.get("predictions_vs_reference") or {}
    print(
        f"{'comparison (same data, same dates, best of N)':<46}{'dates':>6}{'reference s':>13}{'ours w1 s':>10}"
        f"{'ratio':>8}{'ours w2 s':>10}{'ratio':>8}  agree"
    )
    for label, c in (
        ("TOGS: legacy per-date pandas / nbaprops", t),
        ("PDC subset (approx.): pandas / nbaprops", p),
        ("Predictions, 5 systems: Python loop / ours", q),
    ):
        if c:
            print(
                f"{label:<46}{c['dates']:>6}{c['reference_seconds']:>13.3f}{c['ours_seconds']:>10.3f}"
                f"{c['ratio']:>7.1f}×{c['ours_seconds_2_workers']:>10.3f}{c['ratio_2_workers']:>7.1f}×  "
                f"{'yes' if c['agree'] else 'NO'}"
            )
    per = f"TOGS {1000 * t['ours_seconds'] / t['dates']:.1f} ms (reference {1000 * t['reference_seconds'] / t['dates']:.1f})"
    if p:
        per += f", PDC {1000 * p['ours_seconds'] / p['dates']:.1f} ms (reference {1000 * p['reference_seconds'] / p['dates']:.1f})"
    if q:
        per += (
            f", predictions {1000 * q['ours_seconds'] / q['dates']:.1f} ms "
            f"(reference {1000 * q['reference_seconds'] / q['dates']:.1f})"
        )
    print(
        f"  ours per date: {per}; legacy for context (spec §13): Phase 3 30–60 s/day, PDC 65.0 s/date, "
        "predictions ~30 s/date"
    )
    for label, c in (("TOGS", t), ("PDC", p), ("predictions", q)):
        x = (c or {}).get("ours_split")
        if x:
            print(
                f"  ours, {label}: wall {x['wall']:.3f} s = outside the engine {x['outside_engine']:.3f} (plan, "
                f"pre-flight) + engine around units {x['engine_outside_units']:.3f} + units {x['units_busy']:.3f} "
                f"(read {x['read']:.3f}, compute {x['compute']:.3f}, bookkeeping {x.get('bookkeeping', 0):.3f}, "
                f"write {x['write']:.3f}; {x['units']} units, "
                f"{x['rows']:,} rows)"
            )
    tc = ", ".join(f"{k} {v['mismatches']}" for k, v in t["columns"].items())
    print(f"  TOGS: {t['reference_rows']:,} vs {t['ours_rows']:,} rows, best of {t['repeats']}; mismatches: {tc}")
    if p:
        bad = sum(v["mismatches"] for v in p["columns"].values())
        tie = sum(v.get("half_way_ties", 0) for v in p["columns"].values())
        print(
            f"  PDC: {p['rows_compared']:,} rows × {len(p['columns'])} columns compared, {bad} mismatches, "
            f"{tie} last-digit round-half ties; "
            f"{p['rows_only_in_reference']:,} reference rows withheld by the engine's completeness gate; "
            f"{p['note']}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seasons", type=int, nargs="+", default=[2023], help="demo seasons (start years)")
    ap.add_argument("--quick", action="store_true", help="first ~6 weeks of the first season only")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="best-of-N for each side of the TOGS, PDC and predictions comparisons (default 3)",
    )
    ap.add_argument(
        "--pred-dates",
        type=int,
        default=12,
        help="prediction dates compared (the first N; the reference takes seconds per date; default 12)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON output (default {DEFAULT_OUT})")
    ap.add_argument("--keep", action="store_true", help="keep the temporary warehouses and print their path")
    args = ap.parse_args(argv)

    ref_mod = load_reference()
    work = Path(tempfile.mkdtemp(prefix="nbaprops-bench-"))
    ok = True
    try:
        meta = {
            "timestamp_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "nbaprops": nbaprops.__version__,
            "commit": git_commit(),
            "python": platform.python_version(),
            "sqlite": nbaprops._core.sqlite_library(),  # the one both sides use (one copy per process)
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "seasons": args.seasons,
            "seed": args.seed,
            "quick": args.quick,
            "loadavg_start": os.getloadavg()[0],
        }
        print(f"bench: working in {work}", flush=True)

        # 1a. generation
        raw = work / "raw"
        wh = nbaprops.open(raw)
        t0 = time.perf_counter()
        summary = nbaprops.demo.generate(wh, seasons=args.seasons, seed=args.seed)
        gen_s = time.perf_counter() - t0
        sched = wh.schedule()
        first, last = min(args.seasons), max(args.seasons)
        start_d, end_d = sched.season_start(first), sched.season_end(last)
        if start_d is None or end_d is None:
            raise SystemExit(f"the demo schedule has no season {first}..{last}")
        if args.quick:
            end_d = min(end_d, start_d + 45)
        start, end = iso(start_d), iso(end_d)
        del wh  # the copies below are fresh; the generated directory stays untouched
        print(f"generated {summary['games']:,} games in {gen_s:.2f} s; backfilling {start}..{end}", flush=True)

        # 1b. full cascade, fresh copies, workers 1 and 2
        runs = {}
        for w in (1, 2):
            runs[w] = run_cascade(raw, work / f"w{w}", start, end, w, work / f"ckpt-w{w}")
            print(f"  cascade workers={w}: {runs[w]['wall_seconds']:.1f} s, exit {runs[w]['exit_code']}", flush=True)
            if runs[w]["exit_code"] != 0:
                ok = False
                print(runs[w]["_summary"], file=sys.stderr)
        units1 = runs[1].pop("_units")
        for w in (1, 2):
            runs[w].pop("_units", None)
            runs[w].pop("_summary", None)

        # 2. TOGS vs the legacy-style reference, on the workers=1 warehouse, over the TOGS game dates
        togs_units = units1[units1["processor"] == "team_offense_game_summary"]
        togs_dates = sorted(
            togs_units.loc[togs_units["status"] != "skipped_no_games", "date"].dt.strftime("%Y-%m-%d").unique()
        )
        togs = bench_togs(ref_mod, work / "w1", work, togs_dates, args.repeats)
        print(
            f"  TOGS comparison: ratio {togs['ratio']:.1f}× (2 workers {togs['ratio_2_workers']:.1f}×), "
            f"agree {togs['agree']}",
            flush=True,
        )
        ok &= togs["agree"]

        # 3. PDC (subset) vs a legacy-style reference, over the dates PDC wrote
        pdc_units = units1[(units1["processor"] == "player_daily_cache") & (units1["status"] == "success")]
        pdc_dates = sorted(pdc_units["date"].dt.strftime("%Y-%m-%d").unique())
        pdc: dict[str, Any] = {}
        if pdc_dates:
            season_of = {}
            for d in pdc_dates:
                day = (dt.date.fromisoformat(d) - dt.date(1970, 1, 1)).days
                season_of[d] = next(
                    s
                    for s in sched.seasons()
                    if sched.season_start(s) is not None and sched.season_start(s) <= day <= sched.season_end(s)
                )
            pdc = bench_pdc(work / "w1", work, pdc_dates, season_of, args.repeats)
            print(
                f"  PDC comparison: ratio {pdc['ratio']:.1f}× (2 workers {pdc['ratio_2_workers']:.1f}×), "
                f"agree {pdc['agree']}",
                flush=True,
            )
            ok &= pdc["agree"]

        # 4. Predictions (every system) vs a legacy-style per-player Python loop, on the first prediction dates
        pred_units = units1[(units1["processor"] == "player_prop_predictions") & (units1["status"] == "success")]
        pred_dates = sorted(pred_units["date"].dt.strftime("%Y-%m-%d").unique())[: args.pred_dates]
        predictions: dict[str, Any] = {}
        if pred_dates:
            predictions = bench_predictions(work / "w1", work, pred_dates, args.repeats)
            print(
                f"  predictions comparison: ratio {predictions['ratio']:.1f}× "
                f"(2 workers {predictions['ratio_2_workers']:.1f}×), agree {predictions['agree']}",
                flush=True,
            )
            ok &= predictions["agree"]

        meta["loadavg_end"] = os.getloadavg()[0]
        fig = {
            "meta": meta,
            "generation": {"seconds": round(gen_s, 3), "games": summary["games"], "rows": summary["rows"]},
            "cascade": {
                "start": start,
                "end": end,
                "workers_1": runs[1],
                "workers_2": runs[2],
                "speedup_1_to_2": round(runs[1]["wall_seconds"] / runs[2]["wall_seconds"], 2),
            },
            "togs_vs_reference": togs,
            "pdc_vs_reference": pdc,
            "predictions_vs_reference": predictions,
            "ok": bool(ok),
        }
        print_report(fig)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        gitignore = args.out.parent / ".gitignore"
        if args.out.parent == DEFAULT_OUT.parent and not gitignore.exists():
            gitignore.write_text("*.json\n")
        args.out.write_text(json.dumps(fig, indent=2) + "\n")
        print(f"\nwrote {args.out}" + ("" if ok else "  — NOT OK: a backfill failed or outputs disagree"))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
