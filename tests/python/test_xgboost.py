"""The XGBoost JSON evaluator (nbaprops._core.XGBoostModel) against the xgboost package as oracle.

Real-model tests skip (with the path in the message) when ``../shared/data/models`` (or
``$NBAPROPS_SHARED_DATA/models``) is absent; oracle tests also skip when the ``xgboost`` package
(``xgboost-cpu`` in requirements-dev.txt) is not installed.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import require_shared
from nbaprops import _core, errors

V1 = "models/xgboost_points_v1_6features.json.gz"
V4 = "models/xgboost_points_v4_21features.json.gz"

# Plausible ranges per feature (spec legacy-mlfs-phase5-6 §3.3); anything unlisted is 0–40.
RANGES = {
    "points_std_last_10": (0.0, 12.0),
    "minutes_avg_last_10": (0.0, 42.0),
    "starter_rate_last_10": (0.0, 1.0),
    "fatigue_score": (0.0, 100.0),
    "shot_zone_mismatch_score": (-10.0, 10.0),
    "pace_score": (-3.0, 3.0),
    "usage_spike_score": (-3.0, 3.0),
    "opponent_def_rating_last_15": (100.0, 125.0),
    "opponent_pace_last_15": (94.0, 106.0),
    "is_home": (0.0, 1.0),
    "days_rest": (0.0, 7.0),
    "back_to_back": (0.0, 1.0),
    "paint_rate_last_10": (0.0, 100.0),
    "mid_range_rate_last_10": (0.0, 60.0),
    "three_pt_rate_last_10": (0.0, 100.0),
    "assisted_rate_last_10": (0.0, 100.0),
    "team_pace_last_10": (94.0, 106.0),
    "team_off_rating_last_10": (100.0, 125.0),
    "usage_rate_last_10": (5.0, 40.0),
}
INTEGRAL = {"is_home", "back_to_back", "days_rest", "fatigue_score"}


def plain_copy(rel: str, tmp_path: Path) -> Path:
    """Gunzips a shared model into tmp_path (xgboost reads plain JSON)."""
    src = require_shared(rel)
    dst = tmp_path / Path(rel).name.removesuffix(".gz")
    with gzip.open(src, "rb") as f, open(dst, "wb") as out:
        shutil.copyfileobj(f, out)
    return dst


def plausible_rows(model_json: dict, n: int, seed: int) -> np.ndarray:
    """n rows over plausible ranges; ~5 % NaN and ~5 % of cells set exactly on one of the model's
    split thresholds for that feature (the float32 strict-less-than edge)."""
    learner = model_json["learner"]
    names = learner["feature_names"]
    rng = np.random.default_rng(seed)
    x = np.empty((n, len(names)), dtype=np.float32)
    for j, name in enumerate(names):
        lo, hi = RANGES.get(name, (0.0, 40.0))
        col = rng.uniform(lo, hi, n)
        x[:, j] = np.round(col) if name in INTEGRAL else col
    thresholds: dict[int, list[float]] = {}
    for tree in learner["gradient_booster"]["model"]["trees"]:
        for left, feat, cond in zip(tree["left_children"], tree["split_indices"], tree["split_conditions"]):
            if left != -1:
                thresholds.setdefault(feat, []).append(cond)
    on_split = rng.random(x.shape) < 0.05
    for i, j in zip(*np.nonzero(on_split)):
        if j in thresholds:
            x[i, j] = np.float32(rng.choice(thresholds[j]))
    x[rng.random(x.shape) < 0.05] = np.nan
    return x


@pytest.mark.realdata
@pytest.mark.parametrize("rel", [V1, V4])
def test_matches_xgboost_booster(rel, tmp_path):
    path = plain_copy(rel, tmp_path)
    xgb = pytest.importorskip("xgboost", reason="the xgboost package (xgboost-cpu) is the oracle; not installed")
    booster = xgb.Booster(model_file=str(path))
    model = _core.XGBoostModel.load(str(require_shared(rel)))
    assert model.feature_names == booster.feature_names
    assert model.num_trees == booster.num_boosted_rounds()
    x = plausible_rows(json.loads(path.read_text()), 2000, seed=len(rel))
    assert np.isnan(x).any()
    dm = xgb.DMatrix(x, missing=np.nan, feature_names=booster.feature_names, feature_types=booster.feature_types)
    limits = {model.num_trees, model.default_tree_limit}
    assert len(limits) == (2 if rel == V4 else 1)
    for limit in limits:
        expected = booster.predict(dm, iteration_range=(0, limit)).astype(np.float64)
        got = model.predict_batch(x, tree_limit=limit)
        assert got.dtype == np.float64 and got.shape == (2000,)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4, err_msg=f"{rel} with {limit} trees")
    # tree_limit 0 means the default limit.
    np.testing.assert_array_equal(model.predict_batch(x), model.predict_batch(x, tree_limit=model.default_tree_limit))


@pytest.mark.realdata
def test_v1_spec_figure_and_metadata():
    model = _core.XGBoostModel.load(str(require_shared(V1)))
    assert model.num_features == 6 and model.num_trees == 200
    assert model.best_iteration == -1 and model.default_tree_limit == 200
    assert model.base_score == pytest.approx(10.486278, abs=1e-6)
    assert model.feature_index("minutes_avg_last_10") == 4
    got = model.predict_batch(np.array([[25, 24, 23, 6, 34, 1]], dtype=np.float32))
    assert got[0] == pytest.approx(21.16, abs=0.005)  # spec legacy-mlfs-phase5-6 §3.1


@pytest.mark.realdata
def test_v4_best_iteration_and_input_checks():
    model = _core.XGBoostModel.load(str(require_shared(V4)))
    assert model.num_trees == 108 and model.best_iteration == 87 and model.default_tree_limit == 88
    x64 = np.full((3, 21), 10.0)  # float64 and non-contiguous inputs are converted
    assert model.predict_batch(x64[:, :].T.copy().T).shape == (3,)
    with pytest.raises(errors.ConfigError, match="shape"):
        model.predict_batch(np.zeros((3, 20), dtype=np.float32))
    with pytest.raises(errors.ConfigError, match="shape"):
        model.predict_batch(np.zeros(21, dtype=np.float32))
    with pytest.raises(errors.ConfigError, match="tree_limit"):
        model.predict_batch(np.zeros((1, 21), dtype=np.float32), tree_limit=109)
    assert model.predict_batch(np.zeros((0, 21), dtype=np.float32)).shape == (0,)


def test_malformed_file_is_a_data_error_naming_file_and_field(tmp_path):
    doc = {
        "learner": {
            "objective": {"name": "reg:squarederror"},
            "learner_model_param": {"num_feature": "2", "base_score": "[5E-1]"},
        }
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(errors.DataError, match=r"broken\.json.*gradient_booster.*missing"):
        _core.XGBoostModel.load(str(path))
    with pytest.raises(errors.StorageError):
        _core.XGBoostModel.load(str(tmp_path / "absent.json"))
