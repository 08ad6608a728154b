"""Phase 5C scoring-tier feedback on the backfilled demo season: when tiers appear, the figures of one
as-of date against a pandas recomputation from prediction_accuracy and the feature store, and the
legacy scoring_tier_backfill script's --as-of-date and --weekly modes."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pandas as pd

import nbaprops
from conftest import RUN_STAMPS, sql

TIERS = "nba_predictions.scoring_tier_adjustments"
ACC = "nba_predictions.prediction_accuracy"
MLFS = "nba_predictions.ml_feature_store_v2"
LABELS = ["STAR_30PLUS", "STARTER_20_29", "ROTATION_10_19", "BENCH_0_9"]
MODULE = "nbaprops.jobs.grading.scoring_tier"


def _day(d: pd.Timestamp) -> str:
    return d.strftime("%Y-%m-%d")


def _first_graded(wh) -> pd.Timestamp:
    ens = nbaprops.read(wh, ACC, columns=["game_date", "system_id"])
    return ens.loc[ens["system_id"] == "ensemble_v1", "game_date"].min()


def _oracle(wh, as_of: pd.Timestamp) -> pd.DataFrame:
    """The tiers of ``as_of`` recomputed in pandas: ensemble rows of A−29 … A joined to the feature
    store on (player, date), tiered by features[2], hit rate over graded OVER/UNDER calls."""
    start = _day(as_of - pd.Timedelta(days=29))
    acc = nbaprops.read(wh, ACC, start, _day(as_of))
    acc = acc[(acc["system_id"] == "ensemble_v1") & acc["signed_error"].notna()]
    mlfs = nbaprops.read(wh, MLFS, start, _day(as_of), columns=["player_lookup", "game_date", "features"])
    m = acc.merge(mlfs, on=["player_lookup", "game_date"])
    avg = m["features"].map(lambda s: json.loads(s)[2] if isinstance(s, str) else None).astype(float)
    m["tier"] = np.select([avg >= 30, avg >= 20, avg >= 10], LABELS[:3], default="BENCH_0_9")
    m["correct"] = m["prediction_correct"].astype("float")
    g = m.groupby("tier").agg(
        n=("signed_error", "size"),
        bias=("signed_error", "mean"),
        mae=("absolute_error", "mean"),
        sd=("signed_error", "std"),
        hits=("correct", "sum"),
        calls=("correct", "count"),
    )
    return g[g["n"] >= 20]


def test_tiers_appear_once_ensemble_predictions_are_graded(demo, demo_dir):
    tiers = nbaprops.read(demo, TIERS)
    assert len(tiers) > 0
    assert set(tiers["system_id"]) == {"ensemble_v1"}
    assert set(tiers["scoring_tier"]) <= set(LABELS)
    assert (tiers["sample_size"] >= 20).all()
    assert (tiers["lookback_days"] == 30).all() and (tiers["model_version"] == "v1.0").all()
    assert tiers["projected_win_rate"].isna().all() and tiers["computed_at"].notna().all()
    assert not tiers.duplicated(["as_of_date", "scoring_tier"]).any()

    first = _first_graded(demo)
    assert tiers["as_of_date"].min() >= first  # nothing before the first graded ensemble prediction
    # Thirty days of grading in: the window is full and the common tiers have their 20 rows.
    full = tiers[tiers["as_of_date"] >= first + pd.Timedelta(days=29)]
    day = full["as_of_date"].min()
    assert day <= first + pd.Timedelta(days=33)
    assert len(full[full["as_of_date"] == day]) >= 2
    # Every tier unit of the season ran; the dates before any grading are empty with a reason.
    units = pickle.loads((Path(demo_dir) / "_run.pkl").read_bytes())
    units = units[units["processor"] == "scoring_tier_adjustments"]
    assert set(units["status"]) <= {"success", "empty"}
    early = units[units["date"] < first]
    assert len(early) and (early["status"] == "empty").all()
    assert early["reason"].str.contains("no graded ensemble_v1 predictions").all()


def test_figures_match_a_pandas_recomputation(demo):
    tiers = nbaprops.read(demo, TIERS)
    as_of = _first_graded(demo) + pd.Timedelta(days=45)
    as_of = tiers.loc[tiers["as_of_date"] >= as_of, "as_of_date"].min()
    got = tiers[tiers["as_of_date"] == as_of].set_index("scoring_tier")
    want = _oracle(demo, as_of)
    assert len(want) >= 2
    assert sorted(got.index) == sorted(want.index)
    w = want.loc[got.index]
    assert (got["sample_size"] == w["n"]).all()
    assert np.allclose(got["avg_signed_error"], w["bias"], atol=0.0051)
    assert np.allclose(got["recommended_adjustment"], -w["bias"], atol=0.0051)
    assert np.allclose(got["avg_absolute_error"], w["mae"], atol=0.0051)
    assert np.allclose(got["std_signed_error"], w["sd"], atol=0.0051)
    conf = np.minimum(1, w["n"] / 100) * np.maximum(0.3, 1 - w["sd"] / 20)
    assert np.allclose(got["adjustment_confidence"], conf, atol=0.00051)
    # A true hit rate over graded OVER/UNDER calls, not a share of all rows (DECISION 6).
    assert np.allclose(got["current_win_rate"], w["hits"] / w["calls"], atol=0.00051)
    assert (w["calls"] < w["n"]).any()  # PASS / push rows exist, so the two definitions differ
    bounds = {"STAR_30PLUS": (30, None), "STARTER_20_29": (20, 30), "ROTATION_10_19": (10, 20), "BENCH_0_9": (0, 10)}
    for tier, (lo, hi) in bounds.items():
        if tier in got.index:
            assert got.loc[tier, "tier_min_points"] == lo
            assert pd.isna(got.loc[tier, "tier_max_points"]) if hi is None else got.loc[tier, "tier_max_points"] == hi


def _run(args):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=300)


def test_legacy_script_as_of_date_and_weekly(demo_copy, tmp_path):
    assert any(
        e.name == "scoring_tier_backfill" and e.value == f"{MODULE}:main" for e in entry_points(group="console_scripts")
    )
    tiers = nbaprops.read(demo_copy, TIERS)
    as_of = _day(tiers["as_of_date"].iloc[len(tiers) // 2])
    before = tiers[tiers["as_of_date"] == as_of].drop(columns=sorted(RUN_STAMPS & set(tiers.columns)))
    sql(demo_copy, "nba_predictions", "DELETE FROM scoring_tier_adjustments WHERE as_of_date = ?", (as_of,))
    base = ["-m", MODULE, "--warehouse", demo_copy.uri, "--checkpoint-dir", str(tmp_path / "ck"), "--progress", "log"]

    r = _run(base + ["--as-of-date", as_of])
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"[1/1] Processing {as_of}" in r.stdout
    assert "SCORING TIER BACKFILL COMPLETE" in r.stdout and "  Success: 1, Skipped: 0, Failed: 0" in r.stdout
    after = nbaprops.read(demo_copy, TIERS, as_of, as_of).drop(columns=sorted(RUN_STAMPS & set(tiers.columns)))
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))

    start, end = _day(tiers["as_of_date"].min()), _day(tiers["as_of_date"].max())
    import datetime as _dt

    first, last = _dt.date.fromisoformat(start), _dt.date.fromisoformat(end)
    weekly = [(first + _dt.timedelta(days=i)).isoformat() for i in range(0, (last - first).days + 1, 7)]
    w = _run(base + ["--start-date", start, "--end-date", end, "--weekly"])
    assert w.returncode == 0, w.stdout + w.stderr  # legacy: every 7th calendar day
    assert f"Weekly mode: {len(weekly)} dates, every 7 calendar days from {start}" in w.stdout
    assert f"[{len(weekly)}/{len(weekly)}] Processing {weekly[-1]}" in w.stdout
    assert "SCORING TIER BACKFILL COMPLETE" in w.stdout and f"  Processed: {len(weekly)} dates" in w.stdout

    bad = _run(base + ["--as-of-date", as_of, "--dates", as_of])
    assert bad.returncode == 1 and "--as-of-date cannot be combined with --dates" in bad.stdout + bad.stderr
