#!/usr/bin/env python3
"""nbaprops PSZA + TDZA on a whole real season vs the vectorised pandas and Polars references (issue 10 targets).

    python bench/python/bench_zones.py [--repeats 3] [--out bench/results/zones.json] [--keep]

In one process, on the real 2023-24 NBA.com shot chart (``$NBAPROPS_SHARED_DATA`` or ``../shared/data``,
``shots/nba_shots_2023_24.csv.gz``) imported into a fresh temporary SQLite warehouse, whose Phase 3 tables
(togs, tdgs, pgs) are backfilled first (not timed):

1. ours: ``nbaprops.backfill(wh, start, end, processors=["tdza", "psza"], workers=2, resume=False,
   progress="none", skip_preflight=False)``, in-process, end to end; its compute time is the runner's
   per-unit compute seconds when it reports them, else the units' busy seconds less their read and write
   seconds, from the same backfill run with ``workers=1`` (with two workers a unit's busy seconds also hold
   its wait for the other unit's share of the carried season history);
2. the pandas and the Polars reference (``zones_reference.py``): compute only (inputs already in memory), and
   end to end (read PGS/TDGS/schedule from the same SQLite files with sqlite3, compute, write the rows into
   scratch tables of the same warehouse file with one prepared INSERT ``executemany`` in one transaction, with
   the warehouse's ``synchronous=NORMAL``);
   every compared column of every row must equal ours (read back from SQLite); pandas three times: its window sums
   as running-sum differences (``pandas``, the faster, which the targets are judged on) and as
   ``groupby().rolling()`` (``pandas_rolling``, as issue 10 words the reference; reported beside it); and once
   more with the legacy ``data_hash`` of every row added (``pandas_hashed``: hashlib per row; every other
   reference leaves that column out, see ``zones_reference.EXCLUDED``), so that it writes the columns we write, but
   the run stamps: like with like, reported beside the judged ``pandas`` figure, with no target of its own;
3. SQLite's own bulk-insert rate: our PSZA + TDZA rows (all columns) inserted with one prepared statement,
   ``executemany``, one transaction, into empty copies of the two tables; and SQLite's floor, the same rows
   copied by ``INSERT … SELECT … WHERE`` inside SQLite, with no client code per row and automatic checkpoints
   off (about the fastest an insert of these rows can be: any client hands SQLite every value, about the work
   of decoding it here; it bounds the end-to-end ratio an engine writing them to SQLite can reach), once in one
   transaction and once as our commits write them (one transaction per unit, with the unit's failure rows,
   run-ledger row and partition hash: the floor under our own commits);
4. a table on stdout and the figures as JSON (``bench/results/zones.json``).

Steps 1 and 2 run in ``--repeats`` rounds, each side once per round in turn (ours with 2 workers, every
reference, ours with 1 worker), so that a change of the machine's speed during the run weighs on every side.
Ratios are reference seconds / our seconds (> 1: nbaprops is faster), best of the rounds for each side.
Exit 1 when a backfill fails or a compared output disagrees; 0 otherwise (also when the real data is absent:
the run is then reported as skipped). See bench/README.md.
"""

from __future__ import annotations

# nbaprops before sqlite3: the libsqlite3 nbaprops was built with is then the one of this process, its
# sqlite3 module included (one copy per process: cmake/BundledSQLite.cmake).
import nbaprops

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nbaprops.api.dates import iso

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_backfill import best_of, git_commit  # noqa: E402
import zones_reference as zr  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "bench" / "results" / "zones.json"
SHOTS = "shots/nba_shots_2023_24.csv.gz"
SEASON = 2023
PHASE3 = ["togs", "tdgs", "pgs"]
TABLES = [(zr.PSZA_TABLE, zr.PSZA_KEY, zr.PSZA_COLUMNS), (zr.TDZA_TABLE, zr.TDZA_KEY, zr.TDZA_COLUMNS)]
#: Issue 10 targets: ours must be ≥ this many times faster (reference seconds / ours).
#: ``pandas_hashed`` has none: it is the like-with-like view of the judged ``pandas`` reference.
TARGETS = {
    "pandas": {"compute": 10.0, "end_to_end": 10.0},
    "pandas_rolling": {"compute": 10.0, "end_to_end": 10.0},
    "pandas_hashed": {"compute": None, "end_to_end": None},
    "polars": {"compute": None, "end_to_end": 1.0},
}
#: The references, in report order: name → (read inputs, compute, output frame → rows for executemany).
REFERENCES = {
    "pandas": (zr.read_inputs, zr.zones_pandas, zr.pandas_rows),
    "pandas_rolling": (
        zr.read_inputs,
        lambda inputs, start, end: zr.zones_pandas(inputs, start, end, "rolling"),
        zr.pandas_rows,
    ),
    "pandas_hashed": (zr.read_inputs, zr.zones_pandas_hashed, zr.pandas_rows),
    "polars": (zr.read_inputs_polars, zr.zones_polars, lambda frame: frame.rows()),
}
LABELS = {
    "pandas": "pandas vectorised reference",
    "pandas_rolling": "pandas, groupby().rolling()",
    "pandas_hashed": "pandas + data_hash (like for like)",
    "polars": "polars vectorised reference",
}
#: References that also compute data_hash (hashlib per row), so that it is written and compared too.
HASHED = {"pandas_hashed"}


def tables_of(kind: str) -> list[tuple[str, list[str], list[str]]]:
    """(table, key, written and compared columns) of a reference: ``TABLES``, plus data_hash when it hashes."""
    return [(t, key, cols + ["data_hash"] if kind in HASHED else cols) for t, key, cols in TABLES]


#: Per-phase seconds the runner may report per unit (preferred over busy seconds for "ours compute").
SPLIT_COLUMNS = ("read_seconds", "compute_seconds", "write_seconds")


def shared_data() -> Path:
    return Path(os.environ.get("NBAPROPS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def precompute_db(wh_dir: Path) -> Path:
    return wh_dir / "nba_precompute.sqlite"


def settle_wal(wh_dir: Path, names: tuple[str, ...] = ("nba_precompute.sqlite", "nba_orchestration.sqlite")) -> float:
    """Copies what the write-ahead logs of the files the runs write hold into the database files
    (``wal_checkpoint(TRUNCATE)``), untimed, between the sides of a round: each side then starts from empty logs
    and none pays for copying another's rows. A reference's own inline checkpoints (Python's ``sqlite3`` runs
    SQLite's default one at a commit past 1,000 log pages) stay in its seconds; ours defers its checkpoints to
    the warehouse's background thread, so what is left of them after our run is measured here and reported
    (``ours.checkpoint_after_seconds``). Returns the seconds the checkpoints took."""
    t0 = time.perf_counter()
    for name in names:
        con = sqlite3.connect(wh_dir / name)
        try:
            busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                print(f"bench_zones: the checkpoint of {name} was blocked (a reader held the log)", file=sys.stderr)
        finally:
            con.close()
    return time.perf_counter() - t0


def bookkeeping_rows(wh_dir: Path, start: str, end: str) -> dict[str, int]:
    """Rows our backfill writes besides the two tables, which the references do not write: the legacy's
    per-entity ``processor_failures`` rows (a player or team skipped on a date, and why) and one run-ledger row
    per unit (of the last run)."""
    con = sqlite3.connect(wh_dir / "nba_orchestration.sqlite")
    try:
        failures = con.execute(
            "SELECT count(*) FROM processor_failures WHERE processor IN (?, ?) AND analysis_date BETWEEN ? AND ?",
            (zr.PSZA_TABLE, zr.TDZA_TABLE, start, end),
        )
        ledger = con.execute(
            "SELECT count(*) FROM run_ledger WHERE run_id = (SELECT run_id FROM run_ledger ORDER BY rowid DESC LIMIT 1)"
        )
        return {"processor_failures": int(failures.fetchone()[0]), "run_ledger": int(ledger.fetchone()[0])}
    finally:
        con.close()


# ------------------------------------------------------------------------------------------------------ ours


def run_ours(wh, start: str, end: str, ckpt: Path, workers: int = 2) -> dict[str, Any]:
    c0, t0 = time.process_time(), time.perf_counter()
    result = nbaprops.backfill(
        wh,
        start,
        end,
        processors=["tdza", "psza"],
        workers=workers,
        resume=False,
        progress="none",
        skip_preflight=False,
        checkpoint_dir=ckpt,
    )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    units = result.units
    split = {c: round(float(units[c].sum()), 4) for c in SPLIT_COLUMNS if c in units.columns}
    busy = float(units["seconds"].sum())
    if "compute_seconds" in split:
        compute, basis = split["compute_seconds"], "sum of RunResult.units.compute_seconds"
    elif "read_seconds" in split and "write_seconds" in split:
        compute = busy - split["read_seconds"] - split["write_seconds"]
        basis = (
            f"sum of RunResult.units seconds − read_seconds − write_seconds (compute plus the unit's own "
            f"bookkeeping outside the read and the commit), {workers} worker{'s' if workers > 1 else ''}"
        )
    else:
        compute, basis = (
            busy,
            (
                "sum of RunResult.units.seconds (busy: read + compute + write of every unit, "
                "both workers; the runner reports no split)"
            ),
        )
    return {
        "workers": workers,
        "wall_seconds": wall,
        "cpu_seconds": round(cpu, 4),
        "engine_seconds": round(float(result.seconds), 4),
        "busy_seconds": round(busy, 4),
        "compute_seconds": compute,
        "compute_basis": basis,
        "unit_split_seconds": split,
        "exit_code": int(result.exit_code),
        "rows": int(units["rows"].sum()),
        "statuses": {f"{p}/{s}": int(n) for (p, s), n in units.groupby(["processor", "status"]).size().items()},
        "_summary": result.summary_text,
    }


# ------------------------------------------------------------------------------------------------ references


def run_reference(kind: str, wh_dir: Path, start: str, end: str) -> dict[str, Any]:
    """One end-to-end run: read from SQLite, compute, write the scratch tables; seconds of each step."""
    read, compute, to_rows = REFERENCES[kind]
    c0, t0 = time.process_time(), time.perf_counter()
    inputs = read(wh_dir)
    t1 = time.perf_counter()
    out = compute(inputs, start, end)
    t2 = time.perf_counter()
    con = sqlite3.connect(precompute_db(wh_dir))
    try:
        # The warehouse's durability (our connections set it on every file): no sync of the log at each commit.
        con.execute("PRAGMA synchronous=NORMAL")
        for table, _, columns in tables_of(kind):
            name = f"bench_{kind}_{table}"
            zr.create_scratch_table(con, table, name)
            zr.write_rows(con, name, columns, to_rows(out[table]))
        con.commit()
    finally:
        con.close()
    t3 = time.perf_counter()
    return {
        "end_to_end_seconds": t3 - t0,
        "end_to_end_cpu_seconds": time.process_time() - c0,
        "read_seconds": t1 - t0,
        "compute_seconds": t2 - t1,
        "write_seconds": t3 - t2,
        "rows": sum(len(out[t]) for t, _, _ in TABLES),
        "_inputs": inputs,
    }


def reference_round(kind: str, wh_dir: Path, start: str, end: str) -> dict[str, Any]:
    """One round of a reference: an end-to-end run, then its compute alone on the inputs that run read."""
    run = run_reference(kind, wh_dir, start, end)
    compute = REFERENCES[kind][1]
    c0, t0 = time.process_time(), time.perf_counter()
    compute(run["_inputs"], start, end)
    run["compute_only_seconds"], run["compute_only_cpu_seconds"] = time.perf_counter() - t0, time.process_time() - c0
    return run


def summarise_reference(kind: str, runs: list[dict[str, Any]], wh_dir: Path, start: str, end: str) -> dict[str, Any]:
    """The best of a reference's rounds, and its rows (the last round's scratch tables) compared with ours."""
    best = min(runs, key=lambda r: r["end_to_end_seconds"])
    con = sqlite3.connect(precompute_db(wh_dir))
    try:
        comparison = {
            t: zr.compare_tables(con, t, f"bench_{kind}_{t}", key, cols, start, end) for t, key, cols in tables_of(kind)
        }
    finally:
        con.close()
    return {
        "compute_seconds": min(r["compute_only_seconds"] for r in runs),
        "end_to_end_seconds": best["end_to_end_seconds"],
        "compute_cpu_seconds": round(min(r["compute_only_cpu_seconds"] for r in runs), 4),
        "end_to_end_cpu_seconds": round(min(r["end_to_end_cpu_seconds"] for r in runs), 4),
        "end_to_end_split_seconds": {
            k: round(best[k], 4) for k in ("read_seconds", "compute_seconds", "write_seconds")
        },
        "rows": best["rows"],
        "agree": all(c["agree"] for c in comparison.values()),
        "comparison": comparison,
    }


# --------------------------------------------------------------------------------------------- SQLite rate


def bench_sqlite_insert(wh_dir: Path, start: str, end: str, repeats: int) -> dict[str, Any]:
    """SQLite's own bulk-insert rate for our output: every row and column of our two tables, one prepared
    INSERT, executemany, one transaction, into empty copies (same DDL and index) in the same file, with the
    warehouse's synchronous=NORMAL."""
    con = sqlite3.connect(precompute_db(wh_dir))
    try:
        con.execute("PRAGMA synchronous=NORMAL")
        data = {}
        for table, _, _ in TABLES:
            cur = con.execute(f'SELECT * FROM "{table}" WHERE analysis_date BETWEEN ? AND ?', (start, end))
            data[table] = ([d[0] for d in cur.description], cur.fetchall())

        def insert() -> None:
            for table, (columns, rows) in data.items():
                zr.create_scratch_table(con, table, f"bench_bulk_{table}")
                con.commit()
            for table, (columns, rows) in data.items():
                zr.write_rows(con, f"bench_bulk_{table}", columns, rows)
            con.commit()

        seconds, _ = best_of(repeats, insert)
        c0 = time.process_time()
        insert()
        cpu = time.process_time() - c0
    finally:
        con.close()
    rows = sum(len(r) for _, r in data.values())
    return {
        "rows": rows,
        "columns": {t: len(c) for t, (c, _) in data.items()},
        "seconds": seconds,
        "cpu_seconds": round(cpu, 4),
        "rows_per_s": rows / seconds if seconds > 0 else None,
        "note": "includes the per-repeat DROP/CREATE of the two empty tables before the timed transaction",
    }


#: Our commits' bookkeeping tables in ``nba_orchestration.sqlite``, with each one's copy of a unit's rows from
#: the table of the same name (parameters: the unit's table, its date). The ledger keeps every run's rows: the
#: last one of each unit is copied.
BOOKKEEPING = {
    "processor_failures": "WHERE processor = ?1 AND analysis_date = ?2",
    "run_ledger": "WHERE rowid = (SELECT max(rowid) FROM o.run_ledger WHERE processor = ?1 AND unit_date = ?2)",
}
#: The partition content hashes each unit upserts beside its rows (one table per data file).
HASH_TABLE = "nbaprops_partition_hashes"


def floor_units(con: sqlite3.Connection, start: str, end: str) -> list[tuple[str, str]]:
    """The (table, date) units of our last run over [start, end]: one run-ledger row each, in commit order."""
    last = con.execute(
        "SELECT run_id FROM o.run_ledger WHERE processor IN (?, ?) ORDER BY rowid DESC LIMIT 1",
        (zr.PSZA_TABLE, zr.TDZA_TABLE),
    ).fetchone()
    if last is None:
        return []
    return con.execute(
        "SELECT processor, unit_date FROM o.run_ledger WHERE run_id = ? AND processor IN (?, ?) "
        "AND unit_date BETWEEN ? AND ? ORDER BY rowid",
        (last[0], zr.PSZA_TABLE, zr.TDZA_TABLE, start, end),
    ).fetchall()


def bench_sqlite_floor(wh_dir: Path, start: str, end: str, repeats: int) -> dict[str, Any]:
    """The fastest SQLite itself writes what our backfill writes, with no client code per row or value: rows
    copied by ``INSERT … SELECT … WHERE`` from our tables into empty copies (same DDL and index, same files,
    WAL and synchronous=NORMAL as the warehouse). The WHERE keeps SQLite from copying the stored records
    verbatim (its transfer optimisation), so every row is decoded and encoded again, as an insert of computed
    rows must be. Two shapes, each best of ``repeats``:

    * ``seconds`` — our PSZA + TDZA rows alone, both tables in one transaction: the floor of any engine writing
      these rows;
    * ``per_unit_seconds`` — what our commits write, as they write it: one transaction per (table, date) unit
      of our last run, holding the unit's rows, its ``processor_failures`` rows and run-ledger row (in
      ``nba_orchestration.sqlite``) and its partition content hash: the floor under our own commits.

    Automatic checkpoints are off while timing (ours defers them to a background thread) and the logs are
    checkpointed after each timed insert, untimed (``checkpoint_seconds``: the copy into the database files
    that follows either). The copies are (re)created and emptied outside the timing. The scan of the source
    rows is inside both figures and measured alone as ``scan_seconds``."""
    con = sqlite3.connect(precompute_db(wh_dir), isolation_level=None)
    # (attached database, table copied): each copy is bench_floor_<table> beside it.
    copies = [("main", t) for t, _, _ in TABLES] + [("o", t) for t in BOOKKEEPING] + [("main", HASH_TABLE)]
    try:
        con.execute("ATTACH DATABASE ? AS o", (str(wh_dir / "nba_orchestration.sqlite"),))
        for schema in ("main", "o"):
            con.execute(f"PRAGMA {schema}.synchronous=NORMAL")
        con.execute("PRAGMA wal_autocheckpoint=0")
        units = floor_units(con, start, end)

        def settle() -> float:
            t0 = time.perf_counter()
            for schema in ("main", "o"):
                con.execute(f"PRAGMA {schema}.wal_checkpoint(TRUNCATE)")
            return time.perf_counter() - t0

        checkpoints: list[float] = []  # after each timed insert

        def timed(insert) -> float:
            best = float("inf")
            for _ in range(max(repeats, 1)):
                for schema, table in copies:  # untimed: empty copies and empty logs
                    zr.create_scratch_table(con, table, f"bench_floor_{table}", schema)
                settle()
                t0 = time.perf_counter()
                insert()
                best = min(best, time.perf_counter() - t0)
                checkpoints.append(settle())
            return best

        def rows_only() -> None:
            con.execute("BEGIN")
            for table, _, _ in TABLES:
                con.execute(
                    f'INSERT INTO "bench_floor_{table}" SELECT * FROM "{table}" WHERE analysis_date BETWEEN ? AND ?',
                    (start, end),
                )
            con.execute("COMMIT")

        rows_sql = {
            t: f'INSERT INTO "bench_floor_{t}" SELECT * FROM "{t}" WHERE analysis_date = ?' for t, _, _ in TABLES
        }
        book_sql = [
            f'INSERT INTO o."bench_floor_{t}" SELECT * FROM o."{t}" {where}' for t, where in BOOKKEEPING.items()
        ]
        hash_sql = (
            f'INSERT INTO "bench_floor_{HASH_TABLE}" SELECT * FROM "{HASH_TABLE}" '
            "WHERE table_name = ? AND partition_date = ?"
        )

        def per_unit() -> None:
            for table, date in units:
                con.execute("BEGIN")
                con.execute(rows_sql[table], (date,))
                for sql in book_sql:
                    con.execute(sql, (table, date))
                con.execute(hash_sql, (f"nba_precompute.{table}", date))
                con.execute("COMMIT")

        def scan() -> None:
            for table, _, columns in TABLES:
                sums = ", ".join(f'count("{c}")' for c in columns)
                con.execute(
                    f'SELECT {sums} FROM "{table}" WHERE analysis_date BETWEEN ? AND ?', (start, end)
                ).fetchone()

        def count(schema: str, table: str) -> int:
            return con.execute(f'SELECT count(*) FROM {schema}."bench_floor_{table}"').fetchone()[0]

        seconds = timed(rows_only)
        rows = sum(count("main", t) for t, _, _ in TABLES)
        per_unit_seconds = timed(per_unit) if units else None
        copied = {t: count(schema, t) for schema, t in copies}
        scan_seconds, _ = best_of(repeats, scan)
        for schema, table in copies:
            con.execute(f'DROP TABLE IF EXISTS {schema}."bench_floor_{table}"')
    finally:
        con.close()
    return {
        "rows": rows,
        "seconds": seconds,
        "scan_seconds": scan_seconds,
        "rows_per_s": rows / seconds if seconds > 0 else None,
        "per_unit_seconds": per_unit_seconds,
        "units": len(units),
        "per_unit_rows": copied,
        "checkpoint_seconds": round(max(checkpoints), 4) if checkpoints else None,
        "note": "INSERT … SELECT … WHERE inside SQLite: no client binding; automatic checkpoints off while "
        "timing (checkpoint_seconds: the largest untimed checkpoint after a timed insert); includes "
        "the scan of the source rows",
    }


# ------------------------------------------------------------------------------------------------------ output


def r3(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def ratio(ref: float, ours: float) -> float | None:
    return round(ref / ours, 2) if ours > 0 else None


def per_reference(fig: dict[str, Any], key: str) -> str:
    """The ratio ``key`` of every reference that has one: "pandas 4.49×, pandas_rolling 4.40×, …"."""
    return ", ".join(f"{k} {fig[k][key]:.2f}×" for k in REFERENCES if fig.get(k) and fig[k].get(key))


def print_report(fig: dict[str, Any]) -> None:
    o, m = fig["ours"], fig["meta"]
    print(
        f"\nnbaprops {m['nbaprops']} · real {fig['season']} shots · {fig['start']}..{fig['end']} · "
        f"{m['cpus']} CPUs · load avg {m['loadavg_start']:.2f} → {m['loadavg_end']:.2f} · best of "
        f"{m['repeats']}"
    )
    if m["loadavg_start"] > 0.5 * (m["cpus"] or 1):
        print(
            "WARNING: the machine was busy; absolute seconds are pessimistic (ratios measured back to back "
            "are less affected)"
        )
    print(
        f"setup (not timed): import {fig['setup']['import_seconds']:.2f} s, phase 3 backfill "
        f"{fig['setup']['phase3_seconds']:.2f} s\n"
    )
    hdr = (
        f"{'PSZA+TDZA, whole season':<34}{'rows':>7}{'compute s':>11}{'e2e s':>9}"
        f"{'compute ×':>11}{'e2e ×':>9}{'target ×':>12}  agree"
    )
    print(hdr)
    print("-" * len(hdr))
    print(
        f"{'nbaprops (in-process backfill)':<34}{o['rows']:>7}{o['compute_seconds']:>11.3f}"
        f"{o['wall_seconds']:>9.3f}{'':>11}{'':>9}{'':>12}  exit {o['exit_code']}"
    )
    for kind in REFERENCES:
        r = fig.get(kind)
        if not r:
            print(f"{kind + ' (not run)':<34}")
            continue
        t = TARGETS[kind]
        target = " / ".join("-" if v is None else f"≥{v:g}" for v in (t["compute"], t["end_to_end"]))
        print(
            f"{LABELS[kind]:<34}{r['rows']:>7}{r['compute_seconds']:>11.3f}"
            f"{r['end_to_end_seconds']:>9.3f}{r['ratio_compute']:>10.2f}×{r['ratio_end_to_end']:>8.2f}×"
            f"{target:>12}  {'yes' if r['agree'] else 'NO'}"
        )
    print("-" * len(hdr))
    print(f"ours compute = {o['compute_basis']}; e2e = wall of the backfill call (engine {o['engine_seconds']:.3f} s)")
    b = o["bookkeeping_rows"]
    print(
        f"ours also writes {b['processor_failures']:,} processor_failures rows (the legacy's per-entity skips) "
        f"and {b['run_ledger']} run-ledger rows per run; the references write neither"
    )
    print(
        f"write-ahead logs checkpointed between the sides, untimed; left after our best run to copy into the "
        f"database files: {o['checkpoint_after_seconds']:.3f} s (the references' own checkpoints are in their "
        "seconds); e2e ratios with it counted in: " + per_reference(fig, "ratio_end_to_end_with_checkpoint")
    )
    cpu = ", ".join(
        f"{k} {fig[k]['end_to_end_cpu_seconds']:.3f} s (ratio {fig[k]['ratio_end_to_end_cpu']:.2f}×)"
        for k in REFERENCES
        if fig.get(k)
    )
    print(f"process CPU seconds end to end (less sensitive to a busy machine): ours {o['cpu_seconds']:.3f} s, {cpu}")
    for kind in REFERENCES:
        r = fig.get(kind)
        if r:
            s = r["end_to_end_split_seconds"]
            print(
                f"{kind} e2e split: read {s['read_seconds']:.3f} s, compute {s['compute_seconds']:.3f} s, "
                f"write {s['write_seconds']:.3f} s"
            )
            for table, c in r["comparison"].items():
                bad = {k: v for k, v in c["columns"].items() if v["mismatches"]}
                print(
                    f"  {table}: {c['rows_ours']:,} ours / {c['rows_reference']:,} reference rows, "
                    f"{len(c['columns'])} columns compared, only ours {c['only_ours']}, only reference "
                    f"{c['only_reference']}, mismatching cells {c['mismatches']}"
                    + (f" — {json.dumps(bad, default=str)[:400]}" if bad else "")
                )
    ceilings = per_reference(fig, "ratio_end_to_end_ceiling")
    if ceilings:
        print(
            f"e2e ratio ceiling (reference e2e / the fastest SQLite write of our rows measured here, "
            f"{fig['fastest_write_seconds']:.3f} s, i.e. with reading and computing free): {ceilings}"
        )
    bounds = per_reference(fig, "ratio_end_to_end_commit_bound")
    if bounds:
        commits = fig["ours"]["unit_split_seconds"]["write_seconds"]
        print(
            f"e2e ratio bound by our own commits (reference e2e / the {commits:.3f} s our run's commits took; a "
            f"dataset's commits take turns, so at best reading and computing hide behind them): {bounds}"
        )
    b = fig["sqlite_bulk_insert"]
    w = fig["ours_write_rate"]
    cols = ", ".join(f"{t} {n} cols" for t, n in b["columns"].items())
    print(
        f"SQLite bulk insert of our {b['rows']:,} rows ({cols}): {b['seconds']:.3f} s (CPU {b['cpu_seconds']:.3f} s)"
        f" = {b['rows_per_s']:,.0f} rows/s; ours: {w['rows_per_s']:,.0f} rows/s ({w['basis']})"
    )
    f = fig["sqlite_floor"]
    print(
        f"SQLite's own floor, INSERT … SELECT … WHERE of the same rows inside SQLite (no client code per row, "
        f"automatic checkpoints off, {f['checkpoint_seconds']:.3f} s of checkpoint after it, untimed): "
        f"{f['seconds']:.3f} s in one transaction = {f['rows_per_s']:,.0f} rows/s, of which scanning the source "
        f"{f['scan_seconds']:.3f} s"
    )
    if f.get("per_unit_seconds"):
        book = {t: n for t, n in f["per_unit_rows"].items() if t not in (zr.PSZA_TABLE, zr.TDZA_TABLE)}
        print(
            f"  as our commits write (one transaction per unit, {f['units']} units, with their "
            + ", ".join(f"{n:,} {t}" for t, n in book.items())
            + f" rows): {f['per_unit_seconds']:.3f} s; our commits took "
            f"{fig['ours']['unit_split_seconds'].get('write_seconds', float('nan')):.3f} s; e2e ratio bound: "
            + per_reference(fig, "ratio_end_to_end_ceiling_per_unit")
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeats", type=int, default=3, help="best-of-N for every timed side (default 3)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON output (default {DEFAULT_OUT})")
    ap.add_argument("--keep", action="store_true", help="keep the temporary warehouse and print its path")
    args = ap.parse_args(argv)

    shots = shared_data() / SHOTS
    if not shots.exists():
        print(
            f"bench_zones: SKIPPED — real data not found: {shots} (set NBAPROPS_SHARED_DATA or place shared/ "
            "beside the project)"
        )
        return 0
    try:
        import polars  # noqa: F401
    except ImportError:
        polars = None
        print(
            "bench_zones: polars is not installed (pip install -r requirements-dev.txt); the Polars reference "
            "is not run",
            file=sys.stderr,
        )

    work = Path(tempfile.mkdtemp(prefix="nbaprops-bench-zones-"))
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
            "polars": getattr(polars, "__version__", None) if polars else None,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "repeats": args.repeats,
            "loadavg_start": os.getloadavg()[0],
        }
        print(f"bench_zones: working in {work}", flush=True)
        wh_dir = work / "wh"
        wh = nbaprops.open(wh_dir)
        t0 = time.perf_counter()
        imported = nbaprops.import_shots(wh, shots)
        import_s = time.perf_counter() - t0
        sched = wh.schedule()
        start, end = iso(sched.season_start(SEASON)), iso(sched.season_end(SEASON))
        t0 = time.perf_counter()
        p3 = nbaprops.backfill(
            wh,
            start,
            end,
            processors=PHASE3,
            workers=2,
            resume=False,
            progress="none",
            checkpoint_dir=work / "ckpt-phase3",
        )
        phase3_s = time.perf_counter() - t0
        if p3.exit_code != 0:
            print(p3.summary_text, file=sys.stderr)
            raise SystemExit("bench_zones: the phase 3 backfill failed")
        print(
            f"  imported {sum(imported.values()):,} raw rows, phase 3 in {phase3_s:.1f} s; timing {start}..{end}",
            flush=True,
        )

        # Rounds, each side in turn (ours with 2 workers, every reference, ours with 1 worker): this machine's
        # speed moves within minutes, and a change between one side's runs and the next side's would otherwise
        # go into their ratio.
        kinds = [k for k in REFERENCES if k != "polars" or polars is not None]
        ours_runs, compute_runs, ref_runs = [], [], {k: [] for k in kinds}
        # Each side starts from checkpointed (empty) write-ahead logs (settle_wal); the inputs' file too, once:
        # the setup's Phase 3 rows then sit in the database file, as in a warehouse at rest, for every side.
        settle_wal(wh_dir, ("nba_analytics.sqlite", "nba_precompute.sqlite", "nba_orchestration.sqlite"))
        for _ in range(max(args.repeats, 1)):
            ours_runs.append(run_ours(wh, start, end, work / "ckpt-zones"))
            ours_runs[-1]["checkpoint_after_seconds"] = round(settle_wal(wh_dir), 4)
            for kind in kinds:
                ref_runs[kind].append(reference_round(kind, wh_dir, start, end))
                settle_wal(wh_dir)
            compute_runs.append(run_ours(wh, start, end, work / "ckpt-zones-1w", workers=1))
            compute_runs[-1]["checkpoint_after_seconds"] = round(settle_wal(wh_dir), 4)
        ours = min(ours_runs, key=lambda r: r["wall_seconds"])
        ours["wall_seconds_all"] = [round(r["wall_seconds"], 4) for r in ours_runs]
        # Compute is measured on one worker: with two, a unit's busy seconds also hold its wait for the other
        # unit's share of the season history and the machine's other work during the overlap.
        ours["compute_seconds_2_workers"] = round(min(r["compute_seconds"] for r in ours_runs), 4)
        ours["compute_seconds"] = min(r["compute_seconds"] for r in compute_runs)
        ours["compute_basis"] = compute_runs[0]["compute_basis"] + " (best of the one-worker runs)"
        ours["bookkeeping_rows"] = bookkeeping_rows(wh_dir, start, end)
        ours_runs += compute_runs
        if any(r["exit_code"] != 0 for r in ours_runs):
            ok = False
            print(ours_runs[-1]["_summary"], file=sys.stderr)
        for r in ours_runs:
            r.pop("_summary", None)
        print(f"  ours: {ours['wall_seconds']:.3f} s end to end, {ours['compute_seconds']:.3f} s compute", flush=True)

        bulk = bench_sqlite_insert(wh_dir, start, end, args.repeats)
        split = ours["unit_split_seconds"]
        write_rate = (
            {"rows_per_s": ours["rows"] / split["write_seconds"], "basis": "rows / write_seconds"}
            if split.get("write_seconds")
            else {
                "rows_per_s": ours["rows"] / ours["busy_seconds"],
                "basis": "rows / busy seconds incl. read and compute: a lower bound of the write rate",
            }
        )

        floor = bench_sqlite_floor(wh_dir, start, end, args.repeats)
        fastest_write = min(x for x in (split.get("write_seconds"), bulk["seconds"], floor["seconds"]) if x)
        fig: dict[str, Any] = {
            "season": f"{SEASON}-{(SEASON + 1) % 100:02d}",
            "start": start,
            "end": end,
            "setup": {"import_seconds": round(import_s, 3), "phase3_seconds": round(phase3_s, 3)},
            "compared_columns": {t: [c for c in cols if c not in key] for t, key, cols in TABLES},
            "not_compared": zr.EXCLUDED,
        }
        for kind in kinds:
            r = summarise_reference(kind, ref_runs[kind], wh_dir, start, end)
            r["ratio_compute"] = ratio(r["compute_seconds"], ours["compute_seconds"])
            # Our compute runs on one thread (the one-worker run), so its seconds are CPU seconds too; the
            # reference's may use every core (Polars does): CPU against CPU compares the work done.
            r["ratio_compute_cpu"] = ratio(r["compute_cpu_seconds"], ours["compute_seconds"])
            r["ratio_end_to_end"] = ratio(r["end_to_end_seconds"], ours["wall_seconds"])
            r["ratio_end_to_end_cpu"] = ratio(r["end_to_end_cpu_seconds"], ours["cpu_seconds"])
            # The same with our deferred checkpoint counted in (the rows copied into the database file, as the
            # reference's inline checkpoints do with most of its own): the conservative figure.
            r["ratio_end_to_end_with_checkpoint"] = ratio(
                r["end_to_end_seconds"], ours["wall_seconds"] + ours["checkpoint_after_seconds"]
            )
            # The end-to-end ratio even a backfill that read and computed in no time could reach: the rows must
            # still go into SQLite, at best as fast as the fastest insert of them measured here.
            r["ratio_end_to_end_ceiling"] = ratio(r["end_to_end_seconds"], fastest_write)
            # The same against SQLite writing what our commits write, as they write it (one transaction per unit,
            # with its failure rows, ledger row and partition hash): the bound on a backfill that keeps them.
            if floor.get("per_unit_seconds"):
                r["ratio_end_to_end_ceiling_per_unit"] = ratio(r["end_to_end_seconds"], floor["per_unit_seconds"])
            # A dataset's commits take turns, so our commits' seconds are a floor under our own wall time: the ratio
            # a run whose reading and computing hid entirely behind its commits would reach.
            if split.get("write_seconds"):
                r["ratio_end_to_end_commit_bound"] = ratio(r["end_to_end_seconds"], split["write_seconds"])
            r["targets"] = TARGETS[kind]
            r["compute_seconds"], r["end_to_end_seconds"] = r3(r["compute_seconds"]), r3(r["end_to_end_seconds"])
            ok &= r["agree"]
            fig[kind] = r
            print(
                f"  {kind}: compute {r['compute_seconds']:.3f} s, e2e {r['end_to_end_seconds']:.3f} s, "
                f"agree {r['agree']}",
                flush=True,
            )
        ours["wall_seconds"], ours["compute_seconds"] = r3(ours["wall_seconds"]), r3(ours["compute_seconds"])
        bulk["seconds"], bulk["rows_per_s"] = r3(bulk["seconds"]), round(bulk["rows_per_s"] or 0, 1)
        floor.update(
            seconds=r3(floor["seconds"]),
            scan_seconds=r3(floor["scan_seconds"]),
            per_unit_seconds=r3(floor["per_unit_seconds"]),
            rows_per_s=round(floor["rows_per_s"] or 0, 1),
        )
        meta["loadavg_end"] = os.getloadavg()[0]
        fig.update(
            {
                "meta": meta,
                "ours": ours,
                "ours_runs": ours_runs,
                "sqlite_bulk_insert": bulk,
                "sqlite_floor": floor,
                "fastest_write_seconds": r3(fastest_write),
                "ours_write_rate": {"rows_per_s": round(write_rate["rows_per_s"], 1), "basis": write_rate["basis"]},
                "ok": bool(ok),
            }
        )
        print_report(fig)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(fig, indent=2, default=str) + "\n")
        print(f"\nwrote {args.out}" + ("" if ok else "  — NOT OK: a backfill failed or outputs disagree"))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
