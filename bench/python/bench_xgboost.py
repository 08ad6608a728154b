#!/usr/bin/env python3
"""XGBoost evaluator speed as a ratio in one run: nbaprops._core.XGBoostModel.predict_batch against
the xgboost package's Booster on the same rows (DESIGN.md "Performance model").

    python bench/python/bench_xgboost.py [--rows 100000] [--repeats 5]

For each shared model (v1: 6 features, 200 trees; v4: 21 features, 108 trees, default limit 88) it
times, best of N, on the same float32 rows (~5 % NaN): ours; ``Booster.inplace_predict`` (no DMatrix);
``Booster.predict`` including the DMatrix construction. Both sides use every core (TBB / OpenMP).
Prints the times, the ratios xgboost / ours (> 1 means ours is faster) and the largest absolute
difference of the predictions. Exit 1 if the predictions disagree by more than 1e-4 or the model
files / xgboost package are missing.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nbaprops import _core

ROOT = Path(__file__).resolve().parents[2]
MODELS = ["xgboost_points_v1_6features.json.gz", "xgboost_points_v4_21features.json.gz"]


def best_of(repeats: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    try:
        import xgboost as xgb
    except ImportError:
        print("bench_xgboost: the xgboost package (xgboost-cpu) is not installed", file=sys.stderr)
        return 1
    data = Path(os.environ.get("NBAPROPS_SHARED_DATA", ROOT.parent / "shared" / "data")) / "models"
    ok = True
    print(
        f"{'model':<34}{'trees':>6}{'ours s':>9}{'inplace s':>11}{'DMatrix s':>11}{'ratio ip':>10}"
        f"{'ratio dm':>10}{'max |diff|':>12}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name in MODELS:
            src = data / name
            if not src.is_file():
                print(f"bench_xgboost: {src} not found (set NBAPROPS_SHARED_DATA)", file=sys.stderr)
                return 1
            plain = Path(tmp) / name.removesuffix(".gz")
            with gzip.open(src, "rb") as f, open(plain, "wb") as out:
                shutil.copyfileobj(f, out)
            ours = _core.XGBoostModel.load(str(src))
            booster = xgb.Booster(model_file=str(plain))
            rng = np.random.default_rng(7)
            x = rng.uniform(0, 40, (args.rows, ours.num_features)).astype(np.float32)
            x[rng.random(x.shape) < 0.05] = np.nan
            limit = ours.default_tree_limit
            t_ours, p_ours = best_of(args.repeats, lambda: ours.predict_batch(x, tree_limit=limit))
            t_ip, p_ip = best_of(
                args.repeats,
                lambda: booster.inplace_predict(x, iteration_range=(0, limit), missing=np.nan, validate_features=False),
            )
            t_dm, _ = best_of(
                args.repeats,
                lambda: booster.predict(
                    xgb.DMatrix(
                        x, missing=np.nan, feature_names=booster.feature_names, feature_types=booster.feature_types
                    ),
                    iteration_range=(0, limit),
                ),
            )
            diff = float(np.max(np.abs(p_ours - np.asarray(p_ip, dtype=np.float64))))
            ok &= diff <= 1e-4
            print(
                f"{name.removesuffix('.json.gz'):<34}{limit:>6}{t_ours:>9.4f}{t_ip:>11.4f}{t_dm:>11.4f}"
                f"{t_ip / t_ours:>10.2f}{t_dm / t_ours:>10.2f}{diff:>12.2e}"
            )
    print(f"rows {args.rows}, best of {args.repeats}, cores {os.cpu_count()}, loadavg {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
