#!/usr/bin/env python3
"""Golden content hashes of every output table: the guard that a refactor changed no value.

    python bench/python/golden_hashes.py --out bench/golden/before.json     # record
    python bench/python/golden_hashes.py --compare bench/golden/before.json # check (exit 1 on a difference)

Four scenarios, each built from scratch in a temporary directory:

* ``demo``: demo seasons 2022–2023 (seed 7), the whole cascade (every registered processor), 2 workers;
* ``real``: the real 2023-24 NBA.com shot chart (``../shared/data``; skipped with a message when absent),
  every processor over the season;
* ``exports``: the Phase 6 JSON files of the ``demo`` warehouse: every export type for every 9th graded
  date and the last three (``generated_at`` fixed), and the ``--players`` profiles; one hash per output
  folder (``v1/results``, ``v1/tonight/player``, …) over its files' names and bytes;
* ``raw``: the legacy's scraped samples (``../shared/data/legacy-samples``: gamebook, team box score,
  injury report, game lines, BallDontLie box scores and stats) and the real BallDontLie day
  (``boxscores/``) imported into an empty warehouse (the 2024-25 schedule first); skipped without the data.

For each table in the warehouse a table hash is computed: every row rendered as text (columns in name
order, run-stamp columns left out: see ``is_run_stamp``), the rows sorted, SHA-256 over the lines. Row
order on disk, rowids and timestamps written by the run do not count; every stored value does.
"""

from __future__ import annotations

# nbaprops before sqlite3: the libsqlite3 nbaprops was built with is then the one of this process, its
# sqlite3 module included (one copy per process: cmake/BundledSQLite.cmake).
import nbaprops

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from nbaprops.api.dates import iso

ROOT = Path(__file__).resolve().parents[2]

#: Columns stamped by the run (wall-clock or run identity), not computed from the data.
RUN_STAMP_COLUMNS = frozenset(
    {
        "created_at",
        "processed_at",
        "updated_at",
        "graded_at",
        "computed_at",
        "run_id",
        "started_at",
        "finished_at",
        "duration_seconds",
        "seconds",
    }
)
#: Tables whose every row is run bookkeeping (ledgers): compared by their data columns only.
BOOKKEEPING_SUFFIXES = ("_last_updated",)


def is_run_stamp(column: str) -> bool:
    return column in RUN_STAMP_COLUMNS or column.endswith(BOOKKEEPING_SUFFIXES)


def shared_data(scenario: str) -> Path | None:
    """The shared data directory, or None (saying that ``scenario`` is skipped)."""
    env = os.environ.get("NBAPROPS_SHARED_DATA")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data"]:
        if cand.is_dir():
            return cand
    print(f"{scenario}: ../shared/data absent, scenario skipped", file=sys.stderr)
    return None


def table_hashes(wh_dir: Path) -> dict[str, dict]:
    """{dataset.table: {rows, hash, columns_hashed}} for every non-empty table of the warehouse."""
    out: dict[str, dict] = {}
    for db in sorted(wh_dir.glob("*.sqlite")) + sorted(wh_dir.glob("*.db")):
        dataset = db.stem
        if dataset == "nba_orchestration":
            continue  # the run ledger and failure log are run bookkeeping (ids, durations)
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
                if name == "nbaprops_partition_hashes":
                    continue  # the file's own record of its partitions' content hashes (bookkeeping)
                cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
                keep = sorted(c for c in cols if not is_run_stamp(c))
                sel = ", ".join(f'"{c}"' for c in keep)
                lines = sorted(
                    "\x1f".join("\x00" if v is None else repr(v) for v in row)
                    for row in con.execute(f'SELECT {sel} FROM "{name}"')
                )
                if not lines:
                    continue
                h = hashlib.sha256("\n".join(lines).encode()).hexdigest()
                out[f"{dataset}.{name}"] = {"rows": len(lines), "hash": h, "excluded": sorted(set(cols) - set(keep))}
        finally:
            con.close()
    return out


def run_demo(tmp: Path) -> dict[str, dict]:
    path = tmp / "demo"
    wh = nbaprops.open(path)
    nbaprops.demo.generate(wh, seasons=[2022, 2023], seed=7)
    sched = wh.schedule()
    result = nbaprops.backfill(
        wh,
        iso(sched.season_start(2022)),
        iso(sched.season_end(2023)),
        workers=2,
        resume=False,
        progress="none",
        checkpoint_dir=str(tmp / "ckpt-demo"),
    )
    print(f"demo: exit {result.exit_code}, {len(result.units)} units", file=sys.stderr)
    return table_hashes(path)


def run_real(tmp: Path) -> dict[str, dict] | None:
    data = shared_data("real")
    if data is None:
        return None
    path = tmp / "real"
    wh = nbaprops.open(path)
    nbaprops.import_shots(wh, str(data / "shots" / "nba_shots_2023_24.csv.gz"))
    sched = wh.schedule()
    result = nbaprops.backfill(
        wh,
        iso(sched.season_start(2023)),
        iso(sched.season_end(2023)),
        workers=2,
        resume=False,
        progress="none",
        checkpoint_dir=str(tmp / "ckpt-real"),
    )
    print(f"real: exit {result.exit_code}, {len(result.units)} units", file=sys.stderr)
    return table_hashes(path)


#: Legacy samples imported by the ``raw`` scenario: (kind, glob under legacy-samples/).
RAW_SAMPLES = [
    ("gamebook", "nbac_gamebook_pdf/exp_*.json"),
    ("injury-report", "nbac_injury_report/exp_*.json"),
    ("game-lines", "oddsa_game_lines_his/exp_*.json"),
    ("game-lines", "odds_api_historical_game_lines/exp_*.json"),
    ("bdl-boxscores", "bdl_box_scores/exp_*.json"),
    ("bdl-stats", "bdl_player_box_scores/exp_*.json"),
    ("team-boxscore", "nbac_team_boxscore/exp_*.json"),
    ("props", "oddsa_player_props_his/exp_*.json"),
]


def file_hashes(root: Path) -> dict[str, dict]:
    """{folder: {rows: files, hash}}: each folder's files (names and bytes) under ``root``, one hash per folder."""
    folders: dict[str, list[str]] = {}
    for f in sorted(root.rglob("*")):
        if f.is_file():
            rel = f.relative_to(root)
            folders.setdefault(str(rel.parent), []).append(f"{rel.name} {hashlib.sha256(f.read_bytes()).hexdigest()}")
    return {
        folder: {"rows": len(lines), "hash": hashlib.sha256("\n".join(lines).encode()).hexdigest()}
        for folder, lines in folders.items()
    }


def run_exports(tmp: Path) -> dict[str, dict]:
    path = tmp / "demo"
    if not path.is_dir():
        run_demo(tmp)
    wh = nbaprops.open(path)
    dates = nbaprops.export_dates(wh)
    chosen = sorted(set(dates[::9] + dates[-3:]))
    out = tmp / "exports"
    stamp = "2024-01-01T00:00:00Z"
    r = nbaprops.export(wh, dates=chosen, out_dir=out, generated_at=stamp, workers=2)
    p = nbaprops.export_players(wh, out_dir=out, today=dates[-1], generated_at=stamp)
    print(f"exports: {len(chosen)} dates, exit {r.exit_code} / players exit {p.exit_code}", file=sys.stderr)
    return file_hashes(out)


def run_raw(tmp: Path) -> dict[str, dict] | None:
    data = shared_data("raw")
    if data is None:
        return None
    path = tmp / "raw"
    wh = nbaprops.open(path)
    nbaprops.import_schedule(wh, str(data / "schedule" / "nbac_schedule_2024_25.json.gz"))
    rows = 0
    for kind, pattern in RAW_SAMPLES:
        for f in sorted((data / "legacy-samples").glob(pattern)):
            rows += nbaprops.import_raw(wh, kind, f, run_id="golden").rows
    rows += sum(nbaprops.import_boxscores(wh, str(data / "boxscores" / "bdl_box_scores_2024_01_15.json.gz")).values())
    print(f"raw: {rows} rows imported", file=sys.stderr)
    return table_hashes(path)


SCENARIOS = {"demo": run_demo, "real": run_real, "exports": run_exports, "raw": run_raw}


def compare(before: dict, now: dict) -> list[str]:
    diffs = []
    for scenario, tables in before.items():
        if scenario == "meta" or tables is None or now.get(scenario) is None:
            continue
        for table in sorted(set(tables) | set(now[scenario])):
            a, b = tables.get(table), now[scenario].get(table)
            if a is None or b is None or a["hash"] != b["hash"]:
                diffs.append(
                    f"{scenario}: {table}: before {a and (a['rows'], a['hash'][:12])} "
                    f"now {b and (b['rows'], b['hash'][:12])}"
                )
    return diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="write the hashes to this JSON file")
    ap.add_argument("--compare", type=Path, help="compare with hashes recorded earlier; exit 1 on a difference")
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    args = ap.parse_args()
    result: dict = {"meta": {"git": os.popen(f"git -C {ROOT} rev-parse --short HEAD").read().strip()}}
    with tempfile.TemporaryDirectory(prefix="nbaprops-golden-") as tmp:
        for name in args.scenarios:
            t0 = time.perf_counter()
            result[name] = SCENARIOS[name](Path(tmp))
            result["meta"][f"{name}_seconds"] = round(time.perf_counter() - t0, 1)
    for name in args.scenarios:
        tables = result.get(name) or {}
        unit = ("folders", "files") if name == "exports" else ("tables", "rows")
        print(f"{name}: {len(tables)} {unit[0]}, {sum(t['rows'] for t in tables.values())} {unit[1]}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    if args.compare:
        diffs = compare(json.loads(args.compare.read_text()), result)
        for d in diffs:
            print("DIFFERENT", d)
        print("identical" if not diffs else f"{len(diffs)} table(s) differ")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
