#!/usr/bin/env python3
"""The data-plane targets (issue 10), measured in one run and printed as today / target / now.

    python bench/python/bench_targets.py [--out bench/results/targets.json]

Runs, each on a fresh copy of one generated demo league (seed 7):

Each cascade's wall time runs until its warehouse is closed (SQLite then checkpoints the write-ahead logs the
run left: a one-season run leaves all of its log behind, a four-season run checkpoints most of it on the way);
``wall_open`` in the JSON stops when ``backfill`` returns.

* the whole cascade over demo season 2023 with 1 and with 2 workers (the 1→2 speed-up), ``--speedup-rounds``
  times each (default 5; at least ``--repeats``), interleaved (w1, w2, w1, w2, …) so that a slow minute of a
  shared machine hits both sides; the speed-up is the median over rounds of that round's w1 over its w2, and
  every wall time is kept in the JSON (``walls``);
* the whole cascade over demo seasons 2021–2024 with 2 workers, ``--repeats`` times (the best is shown), each
  run in the same round as one season's w1 and w2 runs (w1, w2, four seasons, w1, w2, four seasons, …), so that
  the 4-to-1 ratio (the median over rounds, as the speed-up) compares runs made under the same load of a shared
  machine; every cascade runs in a child
  process so that its peak RSS and CPU seconds are its own; the wall time split into read (units reading their inputs
  through the run's cache), compute (the processors computing their output, less their reads), bookkeeping
  (the rest of the units' busy time: fingerprints, content hashes, failure and ledger rows) and write (each
  unit's one commit transaction), summed over units;
* one date (2025-03-12) of every processor on that 4-season warehouse (``--dates``, no resume);
* the machine probe (``bench_backfill.machine_probe``: a fixed CPython loop and a fixed SQLite insert) before and
  after, so that absolute seconds can be read against the machine they were measured on.

It then reads the figures the other benches of ``make bench`` left in ``bench/results/`` (the pandas
reference ratios of ``bench_backfill.py``, the PSZA/TDZA pandas and Polars comparisons of
``bench_zones.py``, the DataFrame read of ``bench_frames.py``) and prints the target table. A figure
whose bench did not run is shown as "-".
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbaprops

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_backfill import machine_probe  # noqa: E402

ROOT = Path(__file__).resolve().parents[1].parent
RESULTS = ROOT / "bench" / "results"

# The wall time runs until the warehouse is closed: SQLite copies what is still in the write-ahead logs into
# the database files then, work the run leaves behind (a short run leaves all of it: its logs stay under the
# size that triggers a checkpoint). "wall_open" stops when backfill returns.
CHILD = r"""
import gc, json, os, sys, time
import nbaprops
from nbaprops.api.dates import iso
wh = nbaprops.open(sys.argv[1])
s = wh.schedule()
t0, c0 = time.perf_counter(), os.times()
r = nbaprops.backfill(wh, iso(s.season_start(int(sys.argv[2]))), iso(s.season_end(int(sys.argv[3]))),
                      workers=int(sys.argv[4]), resume=False, progress="none", checkpoint_dir=sys.argv[5])
wall_open = time.perf_counter() - t0
u = r.units
fig = {"wall_open": wall_open, "exit": r.exit_code, "units": int(len(u)), "rows": int(u["rows"].sum()),
       "busy": float(u["seconds"].sum()), "read": float(u["read_seconds"].sum()),
       "write": float(u["write_seconds"].sum())}
if "compute_seconds" in u.columns:
    fig["processor_compute"] = float(u["compute_seconds"].sum())
del r, s, wh
gc.collect()
fig["wall"] = time.perf_counter() - t0
c1 = os.times()
fig["cpu"] = (c1.user - c0.user) + (c1.system - c0.system)
print(json.dumps(fig))
"""


def cascade(raw: Path, dst: Path, first: int, last: int, workers: int, ckpt: Path) -> dict:
    """The whole cascade in a child process: wall time, unit time split and the child's peak RSS."""
    shutil.copytree(raw, dst)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(dst), str(first), str(last), str(workers), str(ckpt)],
        check=True,
        capture_output=True,
        text=True,
    )
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    fig["peak_rss_mb"] = round(max(after, before) / 1024.0, 1)  # ru_maxrss is KiB on Linux
    # compute: the processors' own compute when the runner reports it, the rest of the busy time being the
    # runner's bookkeeping (fingerprints, content hashes, failure and ledger rows); else all of that together.
    fig["compute"] = fig.get("processor_compute", fig["busy"] - fig["read"] - fig["write"])
    fig["bookkeeping"] = fig["busy"] - fig["read"] - fig["compute"] - fig["write"]
    return fig


def best_of_runs(runs: list[dict]) -> dict:
    """The fastest of repeated cascade runs, with every run's wall time (``walls``)."""
    best = dict(min(runs, key=lambda f: f["wall"]))
    best["walls"] = [round(f["wall"], 3) for f in runs]
    best["cpus"] = [round(f["cpu"], 3) for f in runs]
    best["exit"] = max(f["exit"] for f in runs)  # any failed run fails the bench
    return best


def per_round(num: list[dict], den: list[dict], key: str = "wall") -> dict:
    """The median over rounds of num[i][key] / den[i][key], with every round's ratio: runs of one round met the
    same machine, while the fastest run of each side may come from different minutes (a calm minute on one side
    alone once read 2.39x for the 1-to-2 speed-up on 2 cores)."""
    rounds = [a[key] / b[key] for a, b in zip(num, den)]
    return {"median": statistics.median(rounds), "rounds": [round(x, 3) for x in rounds]}


def load(name: str) -> dict:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=RESULTS / "targets.json")
    ap.add_argument("--one-date", default="2025-03-12")
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="rounds of the cascades (one season with 1 and with 2 workers, four seasons with 2); the "
        "best run counts for seconds, the median round for ratios",
    )
    ap.add_argument(
        "--speedup-rounds",
        type=int,
        default=5,
        help="rounds of the one-season pair (1 and 2 workers) for the 1-to-2 speed-up, at least "
        "--repeats: its ratio of two short runs moves most with a shared machine's speed",
    )
    args = ap.parse_args()
    probe = {"before": machine_probe()}
    print(
        f"machine probe: CPython loop {probe['before']['python_loop_seconds']:.2f} s, "
        f"SQLite insert {probe['before']['sqlite_insert_seconds']:.2f} s",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="nbaprops-targets-"))
    try:
        raw1, raw4 = work / "raw1", work / "raw4"
        nbaprops.demo.generate(nbaprops.open(raw1), seasons=[2023], seed=7)
        nbaprops.demo.generate(nbaprops.open(raw4), seasons=[2021, 2022, 2023, 2024], seed=7)
        runs: dict[int, list[dict]] = {1: [], 2: []}
        fours = []
        repeats = max(args.repeats, 1)
        for i in range(max(repeats, args.speedup_rounds)):
            for workers in (1, 2):
                dst = work / f"c1w{workers}-{i}"
                runs[workers].append(cascade(raw1, dst, 2023, 2023, workers, work / f"k{workers}-{i}"))
                shutil.rmtree(dst, ignore_errors=True)
            if i >= repeats:
                continue  # a speed-up round only
            dst = work / "c4w2"  # the last copy stays for the one-date run
            shutil.rmtree(dst, ignore_errors=True)
            fours.append(cascade(raw4, dst, 2021, 2024, 2, work / f"k3-{i}"))
        one_w1, one_w2 = (best_of_runs(runs[w]) for w in (1, 2))
        four = best_of_runs(fours)
        # The 4-to-1 ratios pair each four-season run with the one-season run of its own round (zip stops at the
        # shorter list: the speed-up rounds after the last four-season run have none).
        speedup, four_to_one = per_round(runs[1], runs[2]), per_round(fours, runs[2])
        four_to_one_cpu = per_round(fours, runs[2], "cpu")
        print(
            f"1 season: w1 {one_w1['wall']:.1f} s, w2 {one_w2['wall']:.1f} s; "
            f"4 seasons w2 {four['wall']:.1f} s, {four['peak_rss_mb']:.0f} MB",
            flush=True,
        )
        wh = nbaprops.open(work / "c4w2")
        t0 = time.perf_counter()
        r = nbaprops.backfill(wh, dates=[args.one_date], resume=False, progress="none", checkpoint_dir=str(work / "k4"))
        one_date = time.perf_counter() - t0
        ok = all(x["exit"] == 0 for x in (one_w1, one_w2, four)) and r.exit_code == 0
    finally:
        shutil.rmtree(work, ignore_errors=True)

    probe["after"] = machine_probe()
    bf, zones, frames = load("latest.json"), load("zones.json"), load("frames.json")

    def ratio(d: dict, *path: str):
        for p in path:
            d = d.get(p, {}) if isinstance(d, dict) else {}
        return d if isinstance(d, (int, float)) else None

    def pair(a, *rest):
        """Ratios side by side ("a; b" or "a; b; c"), the missing ones left out; None when the first is missing."""
        if a is None or not any(x is not None for x in rest):
            return a
        return "; ".join(f"{x:.2f}x" for x in (a, *rest) if x is not None)

    def with_two(d: dict, name: str):
        return pair(*(ratio(d, f"{name}_vs_reference", k) for k in ("ratio", "ratio_2_workers")))

    def with_ceiling(d: dict, kind: str):
        # The ceilings: the ratio with reading and computing free, the rows still going into SQLite; first at
        # the fastest write of the rows measured, then at SQLite writing what our commits write, as they do.
        return pair(
            *(
                ratio(d, kind, k)
                for k in ("ratio_end_to_end", "ratio_end_to_end_ceiling", "ratio_end_to_end_ceiling_per_unit")
            )
        )

    busy = max(four["busy"], 1e-9)
    rows = [
        ("whole cascade, 4 demo seasons, 2 workers (s)", "101", "<= 20 (stretch 10)", four["wall"]),
        ("peak RSS, 4 seasons (MB)", "2800", "<= 1000", four["peak_rss_mb"]),
        (f"4 seasons / 1 season (2 workers; median of {len(fours)} rounds)", "3.9x", "<= 4.3x", four_to_one["median"]),
        ("  the same in CPU seconds (user + system, same runs)", "-", "-", four_to_one_cpu["median"]),
        (f"one date, every processor, 4-season warehouse ({args.one_date}) (s)", "4.2", "<= 0.5", one_date),
        (
            f"2 workers vs 1, whole cascade (1 season, median of {len(runs[1])} rounds)",
            "-",
            ">= 1.7x",
            speedup["median"],
        ),
        ("TOGS vs legacy-style pandas (1 worker; default 2 workers)", "2.3x", ">= 20x", with_two(bf, "togs")),
        ("PDC vs legacy-style pandas (1 worker; default 2 workers)", "2.4x", ">= 20x", with_two(bf, "pdc")),
        (
            "predictions vs legacy-style loop (1 worker; default 2 workers)",
            "0.7x",
            ">= 20x",
            with_two(bf, "predictions"),
        ),
        (
            "PSZA+TDZA vs vectorised pandas (e2e; ceilings: rows, as we commit)",
            "-",
            ">= 10x",
            with_ceiling(zones, "pandas"),
        ),
        (
            "  the same, pandas windows by groupby().rolling() (e2e; ceilings)",
            "-",
            ">= 10x",
            with_ceiling(zones, "pandas_rolling"),
        ),
        (
            "  the same, pandas also computing data_hash (e2e; ceilings)",
            "-",
            "reported",
            with_ceiling(zones, "pandas_hashed"),
        ),
        (
            "PSZA+TDZA vs Polars, compute (wall; CPU seconds)",
            "-",
            "reported",
            pair(ratio(zones, "polars", "ratio_compute"), ratio(zones, "polars", "ratio_compute_cpu")),
        ),
        ("PSZA+TDZA vs Polars, end to end", "-", "> 1x", ratio(zones, "polars", "ratio_end_to_end")),
        ("read 4-season PGS into a DataFrame vs pandas.read_sql", "1.2x", ">= 5x", ratio(frames, "ratio")),
        (
            "unit time share: read / compute / bookkeeping / write (4 seasons)",
            "-",
            "write dominates",
            f"{four['read'] / busy:.0%} / {four['compute'] / busy:.0%} / {four['bookkeeping'] / busy:.0%} / "
            f"{four['write'] / busy:.0%}",
        ),
    ]
    print(f"\n{'target':<66}{'today':>10}{'target':>22}{'now':>26}")
    for name, today, target, now in rows:
        shown = "-" if now is None else (now if isinstance(now, str) else f"{now:.2f}")
        print(f"{name:<66}{today:>10}{target:>22}  {shown:>24}")
    print(
        "machine probe (before; after), best of 3: CPython 10M-step loop "
        f"{probe['before']['python_loop_seconds']:.2f}; {probe['after']['python_loop_seconds']:.2f} s, "
        f"SQLite 200k-row in-memory insert {probe['before']['sqlite_insert_seconds']:.2f}; "
        f'{probe["after"]["sqlite_insert_seconds"]:.2f} s (bench/README.md "Machine probe")'
    )
    fig = {
        "one_season_w1": one_w1,
        "one_season_w2": one_w2,
        "four_seasons_w2": four,
        "speedup_1_to_2": speedup,
        "four_to_one": four_to_one,
        "four_to_one_cpu": four_to_one_cpu,
        "one_date_seconds": one_date,
        "machine_probe": probe,
        "ok": ok,
        "table": [{"name": n, "today": t, "target": g, "now": v} for n, t, g, v in rows],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fig, indent=2) + "\n")
    print(json.dumps(fig, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
