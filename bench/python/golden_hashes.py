#!/usr/bin/env python3
"""Golden content hashes of every output table: the guard that a refactor changed no value.

    python bench/python/golden_hashes.py --out bench/golden/before.json     # record
    python bench/python/golden_hashes.py --compare bench/golden/before.json # check (exit 1 on a difference)

Two scenarios, each built from scratch in a temporary directory:

* ``demo``: demo seasons 2022–2023 (seed 7), the whole cascade (every registered processor), 2 workers;
* ``real``: the real 2023-24 NBA.com shot chart (``../shared/data``; skipped with a message when absent),
  every processor over the season.

For each table in the warehouse a table hash is computed: every row rendered as text (columns in name
order, run-stamp columns left out: see ``is_run_stamp``), the rows sorted, SHA-256 over the lines. Row
order on disk, rowids and timestamps written by the run do not count; every stored value does.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import nbaprops
from nbaprops.api.dates import iso

ROOT = Path(__file__).resolve().parents[2]

#: Columns stamped by the run (wall-clock or run identity), not computed from the data.
RUN_STAMP_COLUMNS = frozenset({"created_at", "processed_at", "updated_at", "graded_at", "computed_at",
                               "run_id", "started_at", "finished_at", "duration_seconds", "seconds"})
#: Tables whose every row is run bookkeeping (ledgers): compared by their data columns only.
BOOKKEEPING_SUFFIXES = ("_last_updated",)


def is_run_stamp(column: str) -> bool:
    return column in RUN_STAMP_COLUMNS or column.endswith(BOOKKEEPING_SUFFIXES)


def shared_data() -> Path | None:
    env = os.environ.get("NBAPROPS_SHARED_DATA")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data"]:
        if cand.is_dir():
            return cand
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
                lines = sorted("\x1f".join("\x00" if v is None else repr(v) for v in row)
                               for row in con.execute(f'SELECT {sel} FROM "{name}"'))
                if not lines:
                    continue
                h = hashlib.sha256("\n".join(lines).encode()).hexdigest()
                out[f"{dataset}.{name}"] = {"rows": len(lines), "hash": h,
                                            "excluded": sorted(set(cols) - set(keep))}
        finally:
            con.close()
    return out


def run_demo(tmp: Path) -> dict[str, dict]:
    path = tmp / "demo"
    wh = nbaprops.open(path)
    nbaprops.demo.generate(wh, seasons=[2022, 2023], seed=7)
    sched = wh.schedule()
    result = nbaprops.backfill(wh, iso(sched.season_start(2022)), iso(sched.season_end(2023)), workers=2, resume=False,
                               progress="none", checkpoint_dir=str(tmp / "ckpt-demo"))
    print(f"demo: exit {result.exit_code}, {len(result.units)} units", file=sys.stderr)
    return table_hashes(path)


def run_real(tmp: Path) -> dict[str, dict] | None:
    data = shared_data()
    if data is None:
        print("real: ../shared/data absent, scenario skipped", file=sys.stderr)
        return None
    path = tmp / "real"
    wh = nbaprops.open(path)
    nbaprops.import_shots(wh, str(data / "shots" / "nba_shots_2023_24.csv.gz"))
    sched = wh.schedule()
    result = nbaprops.backfill(wh, iso(sched.season_start(2023)), iso(sched.season_end(2023)), workers=2, resume=False,
                               progress="none", checkpoint_dir=str(tmp / "ckpt-real"))
    print(f"real: exit {result.exit_code}, {len(result.units)} units", file=sys.stderr)
    return table_hashes(path)


def compare(before: dict, now: dict) -> list[str]:
    diffs = []
    for scenario, tables in before.items():
        if scenario == "meta" or tables is None or now.get(scenario) is None:
            continue
        for table in sorted(set(tables) | set(now[scenario])):
            a, b = tables.get(table), now[scenario].get(table)
            if a is None or b is None or a["hash"] != b["hash"]:
                diffs.append(f"{scenario}: {table}: before {a and (a['rows'], a['hash'][:12])} "
                             f"now {b and (b['rows'], b['hash'][:12])}")
    return diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="write the hashes to this JSON file")
    ap.add_argument("--compare", type=Path, help="compare with hashes recorded earlier; exit 1 on a difference")
    ap.add_argument("--scenarios", nargs="+", default=["demo", "real"], choices=["demo", "real"])
    args = ap.parse_args()
    result: dict = {"meta": {"git": os.popen(f"git -C {ROOT} rev-parse --short HEAD").read().strip()}}
    with tempfile.TemporaryDirectory(prefix="nbaprops-golden-") as tmp:
        for name in args.scenarios:
            t0 = time.perf_counter()
            result[name] = (run_demo if name == "demo" else run_real)(Path(tmp))
            result["meta"][f"{name}_seconds"] = round(time.perf_counter() - t0, 1)
    for name in args.scenarios:
        tables = result.get(name) or {}
        print(f"{name}: {len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows")
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
