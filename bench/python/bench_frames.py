#!/usr/bin/env python3
"""DataFrame reads: ``nbaprops.read`` against ``pandas.read_sql`` on the same SQLite file, as a ratio.

    python bench/python/bench_frames.py [--seasons 2021 2022 2023 2024] [--warehouse DIR] [--repeats 3]

Generates the demo league for ``--seasons`` (default the four seasons 2021–2024) into a temporary
warehouse and backfills ``player_game_summary`` (about 113,000 rows × 90 columns), unless
``--warehouse`` names one that already holds it. Then, best of ``--repeats`` rounds in one process,
each round timing the three reads back to back (so a change of machine load between rounds affects
all three alike):

* **ours** — ``nbaprops.read(wh, "nba_analytics.player_game_summary")``: every row and column into a
  DataFrame (nullable Int64, boolean, datetime64[ns] dates, object text); also with ``categorical=True``;
* **reference** — ``pandas.read_sql("SELECT * FROM player_game_summary ORDER BY game_date, player_lookup,
  game_id", con)`` on ``<warehouse>/nba_analytics.sqlite`` (the same rows in the same order).

Prints the times and **ratio = reference / ours** (the issue's target: ≥ 5), and checks that the frames
hold the same values. Exit code 0 when they agree, 1 otherwise. Figures go to
``bench/results/frames.json``.
"""

from __future__ import annotations

# nbaprops before sqlite3: the libsqlite3 nbaprops was built with is then the one of this process, its
# sqlite3 module included (one copy per process: cmake/BundledSQLite.cmake).
import nbaprops

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "bench" / "results" / "frames.json"
TABLE = "nba_analytics.player_game_summary"
ORDER = "game_date, player_lookup, game_id"


def best_of_rounds(repeats: int, fns: dict) -> tuple[dict, dict, dict]:
    """Best wall and CPU seconds of each function over ``repeats`` rounds (one call of each per round)."""
    wall = {k: float("inf") for k in fns}
    cpu = dict(wall)
    values = {}
    for _ in range(repeats):
        for key, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            values[key] = fn()
            wall[key] = min(wall[key], time.perf_counter() - t0)
            cpu[key] = min(cpu[key], time.process_time() - c0)
    return wall, cpu, values


def same_values(ours: pd.DataFrame, ref: pd.DataFrame) -> list[str]:
    """Columns whose values differ (dates compared as dates, NULL as NULL)."""
    bad = []
    for col in ours.columns:
        a, b = ours[col], ref[col]
        if pd.api.types.is_datetime64_any_dtype(a):
            b = pd.to_datetime(b)
        left = a.astype(object).where(a.notna(), None).tolist()
        right = b.astype(object).where(b.notna(), None).tolist()
        if left != right:
            bad.append(col)
    return bad


def prepare(seasons: list[int], path: Path) -> None:
    wh = nbaprops.open(path)
    t0 = time.perf_counter()
    nbaprops.demo.generate(wh, seasons=seasons, seed=7)
    sched = wh.schedule()
    from nbaprops.api.dates import iso

    start, end = iso(sched.season_start(min(seasons))), iso(sched.season_end(max(seasons)))
    result = nbaprops.backfill(
        wh, start, end, processors=["pgs"], progress="none", resume=False, checkpoint_dir=path.parent / "ckpt"
    )
    if result.exit_code != 0:
        raise SystemExit(f"backfill of player_game_summary failed:\n{result.summary_text}")
    print(f"prepared {path} ({time.perf_counter() - t0:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seasons", type=int, nargs="+", default=[2021, 2022, 2023, 2024])
    ap.add_argument("--warehouse", type=Path, help="an existing warehouse holding player_game_summary")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    tmp = None
    if args.warehouse is None:
        tmp = Path(tempfile.mkdtemp(prefix="nbaprops-bench-frames-"))
        args.warehouse = tmp / "wh"
        prepare(args.seasons, args.warehouse)
    try:
        wh = nbaprops.open(args.warehouse)
        load = os.getloadavg()[0]
        con = sqlite3.connect(f"file:{args.warehouse / 'nba_analytics.sqlite'}?mode=ro", uri=True)
        try:
            wall, cpu, frames = best_of_rounds(
                args.repeats,
                {
                    "ours": lambda: nbaprops.read(wh, TABLE),
                    "cat": lambda: nbaprops.read(wh, TABLE, categorical=True),
                    "ref": lambda: pd.read_sql(f"SELECT * FROM player_game_summary ORDER BY {ORDER}", con),
                },
            )
        finally:
            con.close()
        ours_s, cat_s, ref_s = wall["ours"], wall["cat"], wall["ref"]
        ours, cat, ref = frames["ours"], frames["cat"], frames["ref"]
        bad = sorted(set(same_values(ours, ref)) | set(same_values(cat, ref)))
        ratio = ref_s / ours_s
        fig = {
            "table": TABLE,
            "rows": len(ours),
            "columns": ours.shape[1],
            "ours_seconds": ours_s,
            "ours_categorical_seconds": cat_s,
            "ratio_categorical": ref_s / cat_s,
            "read_sql_seconds": ref_s,
            "ratio": ratio,
            "target": 5.0,
            "agree": not bad,
            "differing_columns": bad,
            "repeats": args.repeats,
            "loadavg_start": load,
            "loadavg_end": os.getloadavg()[0],
            "cpus": os.cpu_count(),
            "ours_cpu_seconds": cpu["ours"],
            "read_sql_cpu_seconds": cpu["ref"],
            "ratio_cpu": cpu["ref"] / cpu["ours"],
        }
        print(f"{TABLE}: {len(ours):,} rows × {ours.shape[1]} columns")
        print(f"  nbaprops.read      {ours_s:7.3f} s   (categorical=True: {cat_s:.3f} s, {ref_s / cat_s:.1f}×)")
        print(f"  pandas.read_sql    {ref_s:7.3f} s")
        print(f"  ratio              {ratio:7.1f}×  (target ≥ 5)")
        print(
            f"  CPU seconds        {cpu['ours']:.3f} vs {cpu['ref']:.3f} ({cpu['ref'] / cpu['ours']:.1f}×; ours on all its threads)"
        )
        if load > 0.5 * (os.cpu_count() or 1):
            print(f"  warning: load average {load:.1f} at start; the ratio is pessimistic (ours reads in parallel)")
        if bad:
            print(f"  DISAGREE on {len(bad)} columns: {', '.join(bad[:10])}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(fig, indent=2) + "\n")
        return 0 if not bad else 1
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
