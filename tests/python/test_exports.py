"""Phase 6 exports: the Python API, the `nbaprops export` CLI and the legacy daily_export script.

The processors that fill prediction_accuracy / system_daily_performance / player_prop_predictions
are tested on their own; here every source row is written by hand into a fresh warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

import nbaprops

STAMP = "2024-01-17T06:00:00.000000Z"
D1, D2 = "2024-01-15", "2024-01-16"
GAME1, GAME2 = "20240115_BOS_LAL", "20240116_BOS_LAL"


def put(wh, table: str, rows: list[dict]) -> None:
    """Insert rows into a catalog table of a SQLite warehouse (created with the catalog's columns)."""
    cat = nbaprops.catalog()
    cols = cat[cat.table == table]
    sql_type = {"DATE": "TEXT", "INT64": "INTEGER", "BOOL": "INTEGER", "FLOAT64": "REAL"}
    ddl = ", ".join(
        f'"{c}" {sql_type.get(t, "REAL" if t.startswith("NUMERIC") else "TEXT")}'
        for c, t in zip(cols.column, cols.type)
    )
    dataset, name = table.split(".")
    con = sqlite3.connect(Path(wh.uri) / f"{dataset}.sqlite")
    try:
        con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({ddl})')
        for r in rows:
            keys = list(r)
            con.execute(
                f'INSERT INTO "{name}" ({", ".join(chr(34) + k + chr(34) for k in keys)}) '
                f"VALUES ({', '.join('?' for _ in keys)})",
                [r[k] for k in keys],
            )
        con.commit()
    finally:
        con.close()


def graded(player, day, rec, pred, line, actual, conf, system="ensemble_v1", game=None, team="LAL"):
    err = None if pred is None or actual is None else pred - actual
    correct = None
    if rec in ("OVER", "UNDER") and line is not None and actual is not None and actual != line:
        correct = int((actual > line) == (rec == "OVER"))
    return {
        "player_lookup": player,
        "game_id": game or (GAME1 if day == D1 else GAME2),
        "game_date": day,
        "system_id": system,
        "team_abbr": team,
        "opponent_team_abbr": "BOS",
        "predicted_points": pred,
        "confidence_score": conf,
        "recommendation": rec,
        "line_value": line,
        "actual_points": actual,
        "minutes_played": 33.0,
        "absolute_error": None if err is None else abs(err),
        "signed_error": err,
        "prediction_correct": correct,
        "within_3_points": None if err is None else int(abs(err) <= 3),
        "within_5_points": None if err is None else int(abs(err) <= 5),
    }


def daily(day, system, preds, recs, correct, mae):
    return {
        "game_date": day,
        "system_id": system,
        "predictions_count": preds,
        "recommendations_count": recs,
        "correct_count": correct,
        "incorrect_count": recs - correct,
        "mae": mae,
        "avg_bias": 0.5,
        "over_win_rate": 0.5,
        "under_win_rate": 0.5,
        "within_3_pct": 0.4,
        "within_5_pct": 0.6,
        "high_confidence_count": 2,
        "high_confidence_correct": 1,
    }


def prediction(player, rec, pred, line, conf):
    return {
        "prediction_id": f"{player}-{rec}",
        "system_id": "ensemble_v1",
        "player_lookup": player,
        "game_date": D2,
        "game_id": GAME2,
        "prediction_version": 1,
        "predicted_points": pred,
        "confidence_score": conf,
        "recommendation": rec,
        "current_points_line": line,
        "pace_adjustment": 0.0,
        "similar_games_count": 9,
        "is_active": 1,
        "created_at": "2024-01-16T10:00:00Z",
    }


@pytest.fixture
def graded_wh(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    put(
        wh,
        "nba_predictions.prediction_accuracy",
        [
            graded("p1", D1, "OVER", 25.0, 22.5, 27, 0.80),  # win
            graded("p2", D1, "UNDER", 18.0, 20.5, 22, 0.60),  # loss
            graded("p3", D1, "OVER", 20.0, 20.0, 20, 0.50),  # push, error exactly 0
            graded("p4", D1, "NO_LINE", 0.0, None, 0, 0.40),  # no line; predicted 0, actual 0
            graded("p1", D1, "OVER", 40.0, 22.5, 27, 0.99, system="xgboost_v1"),
            graded("p1", D2, "OVER", 30.0, 25.5, 31, 0.85),  # win; history before D2: 1/1
        ],
    )
    put(
        wh,
        "nba_predictions.system_daily_performance",
        [
            daily("2023-03-01", "ensemble_v1", 1000, 1000, 0, 9.0),  # previous season: not in "season"
            daily(D1, "ensemble_v1", 4, 3, 1, 1.5),
            daily(D2, "ensemble_v1", 1, 1, 1, 1.0),
            daily(D2, "xgboost_v1", 1, 1, 0, 3.0),
        ],
    )
    put(
        wh,
        "nba_predictions.player_prop_predictions",
        [
            prediction("p1", "OVER", 30.0, 25.5, 0.85),
            prediction("p2", "PASS", 12.0, 12.5, 0.91),
        ],
    )
    features = [1.0] * 25
    put(
        wh,
        "nba_predictions.ml_feature_store_v2",
        [
            {
                "player_lookup": "p1",
                "game_id": GAME1,
                "game_date": D1,
                "features": json.dumps([*features[:2], 27.0, *features[3:16], 0.0, *features[17:]]),
                "feature_count": 25,
                "feature_version": "v1_baseline_25",
                "data_source": "phase4_partial",
                "is_home": 1,
                "days_rest": 2,
                "created_at": "2024-01-15T00:00:00Z",
            },
        ],
    )
    put(
        wh,
        "nba_precompute.player_composite_factors",
        [{"player_lookup": "p1", "game_date": D2, "game_id": GAME2, "fatigue_score": 96}],
    )
    put(
        wh,
        "nba_analytics.player_game_summary",
        [
            {
                "player_lookup": "p1",
                "game_date": D2,
                "game_id": GAME2,
                "player_full_name": "Player One",
                "team_abbr": "LAL",
                "opponent_team_abbr": "BOS",
                "season_year": 2023,
                "starter_flag": 1,
                "win_flag": 1,
                "is_active": 1,
            }
        ],
    )
    return wh


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def no_temp_files(root: Path) -> bool:
    return not [p for p in root.rglob("*") if ".tmp" in p.name]


def test_export_api_writes_every_type_with_latest_only_for_the_last_date(graded_wh, tmp_path):
    out = tmp_path / "out"
    r = nbaprops.export(graded_wh, D1, D2, out_dir=out, generated_at=STAMP)
    assert r.ok and r.exit_code == 0
    assert r.type_status == {t: "success" for t in nbaprops.export_types()}  # all 16 legacy types
    v1 = out / "v1"
    expected = {
        f"v1/{t}/{d}.json" for t in ("results", "best-bets", "predictions", "live", "live-grading") for d in (D1, D2)
    }
    expected |= {
        "v1/results/latest.json",
        "v1/best-bets/latest.json",
        "v1/predictions/today.json",
        "v1/systems/performance.json",
        "v1/tonight/all-players.json",
        "v1/streaks/today.json",
        "v1/trends/whos-hot-v2.json",
        "v1/live/latest.json",
        "v1/live-grading/latest.json",
        "v1/trends/bounce-back.json",
        "v1/trends/what-matters.json",
        "v1/trends/team-tendencies.json",
        "v1/trends/quick-hits.json",
        "v1/trends/deep-dive-current.json",
        "v1/trends/tonight-plays.json",
    }
    assert set(r.files) == expected  # no roster on D2: tonight-players writes no file
    assert all((out / f).is_file() for f in expected)
    assert no_temp_files(out)

    res = load(v1 / "results" / f"{D1}.json")
    assert list(res) == ["game_date", "generated_at", "summary", "breakdowns", "results", "highlights"]
    assert res["generated_at"] == STAMP
    s = res["summary"]
    assert (s["total_predictions"], s["recommendations"], s["correct"]) == (4, 3, 1)
    assert s["incorrect"] == 1 and s["pushes"] == 1  # legacy: incorrect 2 (the push counted as a loss)
    assert s["win_rate"] == 0.333 and s["avg_mae"] == 1.5 and s["within_3_pct"] == 0.75
    rows = {x["player_lookup"]: x for x in res["results"]}
    assert set(rows) == {"p1", "p2", "p3", "p4"}  # ensemble only
    assert rows["p3"]["result"] == "PUSH" and rows["p3"]["error"] == 0  # legacy: null for an exact 0
    assert rows["p4"]["result"] == "NO_LINE"  # legacy: "PUSH"
    assert rows["p4"]["predicted"] == 0 and rows["p4"]["actual"] == 0 and rows["p4"]["line"] is None
    assert rows["p1"]["player_tier"] == "elite" and rows["p1"]["is_home"] is True and rows["p1"]["days_rest"] == 2
    assert res["breakdowns"]["by_recommendation"]["over"] == {
        "total": 2,
        "wins": 1,
        "losses": 0,
        "pushes": 1,
        "win_rate": 0.5,
        "avg_error": 1.0,
    }
    assert res["highlights"]["worst_prediction"]["player"] == "p2"

    latest = v1 / "results" / "latest.json"
    assert latest.read_bytes() == (v1 / "results" / f"{D2}.json").read_bytes()
    assert (v1 / "predictions" / "today.json").read_bytes() == (v1 / "predictions" / f"{D2}.json").read_bytes()
    assert latest.read_text(encoding="utf-8").startswith('{\n  "game_date": "2024-01-16",\n  "generated_at"')

    perf = load(v1 / "systems" / "performance.json")
    assert perf["as_of_date"] == D2
    ens = perf["systems"][0]
    # The legacy entry: display name, description, no rank key (its ranking only sorts).
    assert list(ens) == ["system_id", "display_name", "description", "is_primary", "windows", "breakdown"]
    assert ens["system_id"] == "ensemble_v1" and ens["description"] == "Weighted combination of all prediction systems"
    xgb = perf["systems"][1]
    assert xgb["system_id"] == "xgboost_v1" and xgb["display_name"] == "XGBoost ML" and "rank" not in xgb
    assert ens["windows"]["season"]["predictions"] == 5  # not the 1,000 of the previous season
    assert ens["windows"]["season"]["win_rate"] == 0.5 and ens["windows"]["season"]["mae"] == 1.25
    assert perf["comparison"]["best_mae"] == {"system_id": "ensemble_v1", "value": 1.25}

    bets = load(v1 / "best-bets" / f"{D2}.json")
    assert bets["total_picks"] == 1
    pick = bets["picks"][0]
    assert pick["player_full_name"] == "Player One" and pick["fatigue_level"] == "fresh"
    assert pick["player_historical_accuracy"] == 1.0 and pick["player_sample_size"] == 1
    assert pick["composite_score"] == pytest.approx(0.85 * 1.45 * 1.0, abs=1e-3)
    # The legacy _safe_float writes the INT64 fatigue score as a float (96.0); counts and points stay integers.
    assert pick["fatigue_score"] == 96 and type(pick["fatigue_score"]) is float
    floats = ("line", "predicted", "edge", "confidence", "composite_score", "player_historical_accuracy", "error")
    assert all(type(pick[k]) is float for k in floats)
    assert all(type(pick[k]) is int for k in ("rank", "player_sample_size", "actual"))
    # The legacy rationale texts carry their figures; its methodology sentence.
    assert pick["rationale"] == [
        "High confidence (85%)",
        "Strong edge (4.5 points)",
        "Well-rested (fatigue: 96)",
    ]
    assert pick["result"] == "WIN"
    assert bets["methodology"] == "Ranked by composite score: confidence * edge_factor * historical_accuracy"
    # No graded pick before D1: null / null (0.85 only enters the composite).
    first = load(v1 / "best-bets" / f"{D1}.json")["picks"][0]
    assert first["player_historical_accuracy"] is None and first["player_sample_size"] is None

    preds = load(v1 / "predictions" / f"{D2}.json")
    assert preds["total_games"] == 1 and preds["total_predictions"] == 2
    game = preds["games"][0]
    assert (game["home_team"], game["away_team"]) == ("LAL", "BOS")
    assert [p["player_lookup"] for p in game["predictions"]] == ["p2", "p1"]  # confidence desc
    assert game["predictions"][1]["team"] == "LAL" and game["predictions"][1]["is_home"] is True
    assert game["predictions"][1]["prediction"]["edge"] == 4.5
    assert game["recommendation_breakdown"] == {"over": 1, "under": 0, "pass": 1}

    frame = r.to_frame()
    assert len(frame) == 2 * 5 + 11 and set(frame["status"]) == {"success"}  # 5 dated types, 11 once
    assert "DAILY EXPORT SUMMARY:" in r.summary_text()


def test_files_are_replaced_by_rename_never_rewritten_in_place(graded_wh, tmp_path):
    out = tmp_path / "out"
    target = out / "v1" / "results" / f"{D1}.json"
    target.parent.mkdir(parents=True)
    target.write_text("old contents", encoding="utf-8")
    keep = tmp_path / "old-inode"
    os.link(target, keep)  # a second name for the old file
    r = nbaprops.export(graded_wh, D1, types="results", out_dir=out, generated_at=STAMP)
    assert r.ok
    assert keep.read_text(encoding="utf-8") == "old contents"  # the old inode was never truncated
    assert os.stat(target).st_ino != os.stat(keep).st_ino
    assert load(target)["game_date"] == D1
    assert no_temp_files(out)
    # Single-date mode refreshes latest.json; the same call twice gives identical bytes.
    first = (out / "v1" / "results" / "latest.json").read_bytes()
    nbaprops.export(graded_wh, D1, types="results", out_dir=out, generated_at=STAMP)
    assert (out / "v1" / "results" / "latest.json").read_bytes() == first == target.read_bytes()


def test_unknown_types_are_rejected_with_the_valid_list(graded_wh, tmp_path):
    assert nbaprops.export_types() == [
        "results",
        "performance",
        "best-bets",
        "predictions",
        "tonight",
        "tonight-players",
        "streaks",
        "trends-hot-cold",
        "trends-bounce-back",
        "trends-what-matters",
        "trends-team",
        "trends-quick-hits",
        "trends-deep-dive",
        "tonight-trend-plays",
        "live",
        "live-grading",
    ]
    assert nbaprops.export_types("best-bets, results") == ["results", "best-bets"]
    for bad in ["bogus", "players"]:  # players is the --players run, not an --only name (legacy)
        with pytest.raises(nbaprops.ConfigError, match="valid types: results, performance, best-bets, predictions"):
            nbaprops.export(graded_wh, D1, types=bad, out_dir=tmp_path / "o")
    with pytest.raises(nbaprops.ConfigError, match="unknown export type 'bogus'"):
        nbaprops.export_types(["bogus"])
    assert not (tmp_path / "o").exists()
    with pytest.raises(nbaprops.ConfigError):
        nbaprops.export(graded_wh, D2, D1, out_dir=tmp_path / "o")  # start after end
    assert nbaprops.export_dates(graded_wh) == [D1, D2]


def test_empty_date_gives_zeroed_files(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    r = nbaprops.export(wh, "2024-02-01", out_dir=tmp_path / "out", generated_at=STAMP)
    assert r.ok
    res = load(tmp_path / "out" / "v1" / "results" / "2024-02-01.json")
    assert res["summary"]["total_predictions"] == 0 and res["summary"]["win_rate"] == 0
    assert res["results"] == [] and res["highlights"] == {}
    assert load(tmp_path / "out" / "v1" / "best-bets" / "2024-02-01.json")["picks"] == []
    perf = load(tmp_path / "out" / "v1" / "systems" / "performance.json")
    assert perf["systems"] == [] and perf["comparison"] == {}  # legacy _empty_response (was three nulls)


def test_performance_nulls_follow_the_legacy_sql(tmp_path):
    """A window without rows has null counts (the legacy's SUM(CASE WHEN <window> THEN x END) over no row), a
    null count column sums to null and its SAFE_DIVIDE is null; with systems, every comparison entry is written."""
    wh = nbaprops.open(tmp_path / "wh")
    quiet = daily("2023-12-20", "ensemble_v1", 7, 5, 3, 4.2)  # outside 7 days of D2, inside 30
    quiet["correct_count"] = None
    put(wh, "nba_predictions.system_daily_performance", [quiet])
    out = tmp_path / "out"
    assert nbaprops.export(wh, D2, types="performance", out_dir=out, generated_at=STAMP).ok
    perf = load(out / "v1" / "systems" / "performance.json")
    (ens,) = perf["systems"]
    assert ens["windows"]["last_7_days"] == {
        "predictions": None,
        "recommendations": None,
        "correct": None,
        "win_rate": None,
        "mae": None,
        "bias": None,
    }
    assert ens["windows"]["last_30_days"] == ens["windows"]["season"]
    assert ens["windows"]["season"] == {
        "predictions": 7,
        "recommendations": 5,
        "correct": None,
        "win_rate": None,
        "mae": 4.2,
        "bias": 0.5,
    }
    assert ens["breakdown"]["high_confidence_win_rate"] == 0.5
    assert perf["comparison"] == {
        "best_mae": {"system_id": "ensemble_v1", "value": 4.2},
        "best_win_rate": {"system_id": "ensemble_v1", "value": None},
        "lowest_bias": {"system_id": "ensemble_v1", "value": 0.5},
    }


def _run(args):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=300)


def test_cli_export_range_with_only(graded_wh, tmp_path):
    out = tmp_path / "cli"
    r = _run(
        [
            "-m",
            "nbaprops",
            "export",
            "--warehouse",
            graded_wh.uri,
            "--start-date",
            D1,
            "--end-date",
            D2,
            "--only",
            "results,best-bets",
            "--out",
            str(out),
            "--generated-at",
            STAMP,
        ]
    )
    assert r.returncode == 0, r.stderr + r.stdout
    assert "Exporting date 1/2: 2024-01-15" in r.stdout
    assert f"✓ results: 4 results → v1/results/{D1}.json" in r.stdout
    assert f"✓ best-bets: 1 picks → v1/best-bets/{D2}.json, v1/best-bets/latest.json" in r.stdout
    assert "DAILY EXPORT SUMMARY:" in r.stdout and "Successful: 2, Partial: 0, Failed: 0" in r.stdout
    assert sorted(p.name for p in (out / "v1").iterdir()) == ["best-bets", "results"]
    assert load(out / "v1" / "results" / "latest.json")["generated_at"] == STAMP
    bad = _run(
        [
            "-m",
            "nbaprops",
            "export",
            "--warehouse",
            graded_wh.uri,
            "--date",
            D1,
            "--only",
            "results,bogus",
            "--out",
            str(out),
        ]
    )
    assert bad.returncode == 2 and "valid types: results, performance, best-bets, predictions" in bad.stderr
    both = _run(["-m", "nbaprops", "export", "--warehouse", graded_wh.uri, "--date", D1, "--backfill-all"])
    assert both.returncode == 2 and "only one of" in both.stderr


def test_legacy_daily_export_backfill_all_default_date_and_failures(graded_wh, tmp_path):
    module = ["-m", "nbaprops.jobs.publishing.daily_export", "--warehouse", graded_wh.uri]
    out = tmp_path / "legacy"
    r = _run(module + ["--backfill-all", "--out", str(out)])
    assert r.returncode == 0, r.stderr + r.stdout
    assert "Backfilling all 2 dates with predictions" in r.stdout
    assert "[2/2] Exporting 2024-01-16" in r.stdout
    assert f"  Results: {out / 'v1' / 'results' / D2}.json" in r.stdout
    assert "BACKFILL COMPLETE" in r.stdout and "  Successful: 2" in r.stdout
    assert (out / "v1" / "results" / f"{D1}.json").is_file() and (out / "v1" / "predictions" / "today.json").is_file()
    generated = load(out / "v1" / "results" / f"{D1}.json")["generated_at"]
    # The legacy's datetime.now(timezone.utc).isoformat(): "+00:00", not "Z".
    assert generated.endswith("+00:00") and dt.datetime.fromisoformat(generated).tzinfo is not None

    # Default date: yesterday of the (injectable) US/Eastern clock.
    r = subprocess.run(
        [sys.executable, *module, "--only", "results", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, NBAPROPS_TODAY="2024-02-02"),
    )
    assert r.returncode == 0, r.stderr + r.stdout
    assert "No date specified, exporting yesterday: 2024-02-01" in r.stdout
    assert (out / "v1" / "results" / "2024-02-01.json").is_file()

    # A partial date (one type fails) and a failed single date (nothing can be written) both exit 1.
    partial = tmp_path / "partial"
    (partial / "v1" / "best-bets").mkdir(parents=True)
    (partial / "v1" / "best-bets" / f"{D1}.json").mkdir()  # a directory where the file must go
    r = _run(module + ["--date", D1, "--only", "results,best-bets", "--out", str(partial)])
    assert r.returncode == 1
    assert "  Best Bets error: " in r.stdout and "Export partial: {'results': " in r.stdout
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "v1").write_text("not a directory")
    r = _run(module + ["--date", D1, "--only", "results,best-bets", "--out", str(blocked)])
    assert r.returncode == 1 and "Export failed: [" in r.stdout

    # Usage errors exit 2 (README); an export that cannot be done exits 1.
    for flags, message, code in [
        (["--only", "trends-bogus"], "unknown export type 'trends-bogus'", 1),
        (["--date", "2024-13-01"], "2024-13-01", 2),
        (["--start-date", D1], "go together", 1),
    ]:
        r = _run(module + flags + ["--out", str(tmp_path / "x")])
        assert message in r.stdout + r.stderr, (flags, r.stdout + r.stderr)
        assert r.returncode == code, (flags, r.returncode, r.stdout + r.stderr)


def test_daily_export_console_script_is_installed():
    exe = shutil.which("daily_export")
    if exe is None:
        pytest.skip("console scripts are not on PATH in this environment")
    r = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--backfill-all" in r.stdout and "--only" in r.stdout


# ---------------------------------------------------------------------------------------------
# tonight/all-players.json on the backfilled demo season

TONIGHT = "2024-01-15"


def _history(wh, day: str) -> pd.DataFrame:
    """Oracle input: every player_game_summary row strictly before ``day`` (any season), newest first."""
    pgs = nbaprops.read(
        wh,
        "nba_analytics.player_game_summary",
        "2000-01-01",
        day,
        columns=["player_lookup", "game_date", "season_year", "points", "minutes_played", "over_under_result"],
    )
    pgs = pgs[pgs.game_date < pd.Timestamp(day)]
    return pgs.sort_values("game_date", ascending=False, kind="stable")


def _bq_avg(values, digits: int = 1):
    """Oracle: BigQuery's ROUND(AVG(x), digits) of INT64 / NUMERIC values (exact, half away from zero)."""
    vals = [Decimal(str(v)) for v in values if v is not None and not pd.isna(v)]
    if not vals:
        return None
    return float((sum(vals) / len(vals)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _best_odds(props: pd.DataFrame, line: float) -> tuple:
    """Oracle: best American prices among each book's latest pre-game snapshot quoting ``line``."""
    pre = props[props.snapshot_timestamp <= props.game_start_time]
    latest = pre[pre.snapshot_timestamp == pre.groupby("bookmaker").snapshot_timestamp.transform("max")]
    at_line = latest[latest.points_line.round(1) == round(line, 1)]
    if at_line.empty:
        return None, None
    return int(at_line.over_price_american.max()), int(at_line.under_price_american.max())


def _sort_key(p):
    """Oracle order (the legacy key (not has_line, out, -confidence, -season_ppg) over the written values):
    lines first, then OUT last within each group, confidence desc, season ppg desc; then player_lookup."""
    conf = p["prediction"]["confidence"] if p["has_line"] else None
    return (not p["has_line"], p["injury_status"] == "out", -(conf or 0), -(p["season_ppg"] or 0), p["player_lookup"])


def test_cli_only_tonight_on_the_demo_matches_a_pandas_oracle(demo, tmp_path):
    out = tmp_path / "tonight"
    r = _run(
        [
            "-m",
            "nbaprops",
            "export",
            "--warehouse",
            demo.uri,
            "--date",
            TONIGHT,
            "--only",
            "tonight",
            "--out",
            str(out),
            "--generated-at",
            STAMP,
        ]
    )
    assert r.returncode == 0, r.stderr + r.stdout
    path = out / "v1" / "tonight" / "all-players.json"
    doc = load(path)
    assert sorted(p.name for p in (out / "v1").iterdir()) == ["tonight"]
    assert f"✓ tonight: {doc['total_players']} players → v1/tonight/all-players.json" in r.stdout
    assert list(doc) == ["game_date", "generated_at", "total_players", "total_with_lines", "games"]
    assert doc["game_date"] == TONIGHT and doc["generated_at"] == STAMP

    # Games: the schedule's games of the date; roster: UPGC's (player, game) rows.
    sched = nbaprops.read(demo, "nba_raw.nbac_schedule", TONIGHT, TONIGHT)
    assert len(doc["games"]) == len(sched) > 0
    assert {(g["away_team"], g["home_team"]) for g in doc["games"]} == set(
        zip(sched.away_team_tricode, sched.home_team_tricode)
    )
    assert all(g["game_time"].endswith(" ET") and g["game_status"] == "final" for g in doc["games"])
    upgc = nbaprops.read(demo, "nba_analytics.upcoming_player_game_context", TONIGHT, TONIGHT)
    players = {p["player_lookup"]: (g["game_id"], p) for g in doc["games"] for p in g["players"]}
    assert set(players) == set(upgc.player_lookup) and doc["total_players"] == len(upgc)
    assert {(k, v[0]) for k, v in players.items()} == set(zip(upgc.player_lookup, upgc.game_id))
    assert all(g["player_count"] == len(g["players"]) for g in doc["games"])
    with_lines = [p for _, p in players.values() if p["has_line"]]
    assert doc["total_with_lines"] == len(with_lines) > 0

    # Season figures from the season's rows strictly before the date; last 5 / last 10 from the newest rows of
    # any season (legacy TonightAllPlayersExporter).
    hist = _history(demo, TONIGHT)
    for lookup, (_, p) in players.items():
        h = hist[hist.player_lookup == lookup]
        season = h[h.season_year == 2023]
        assert p["games_played"] == len(season), lookup
        assert p["limited_data"] == (len(season) < 10)
        assert p["season_ppg"] == _bq_avg(season.points) and p["season_mpg"] == _bq_avg(season.minutes_played)
        assert p["last_5_ppg"] == _bq_avg(h.points.head(5))
        last10 = h.head(10)
        assert p["last_10_points"] == [int(x) for x in last10.points if not pd.isna(x)]
        if p["has_line"]:
            expect = [{"OVER": "O", "UNDER": "U"}.get(r, "-") for r in last10.over_under_result]
            assert p["last_10_results"] == expect
            o, u = expect.count("O"), expect.count("U")
            assert p["last_10_record"] == (f"{o}-{u}" if o + u else None)
        else:
            assert "props" not in p and "prediction" not in p and "last_10_results" not in p

    # has_line / line = the newest ensemble prediction's current_points_line (real or estimated); odds = the best
    # of the books' latest snapshots at that line.
    preds = nbaprops.read(demo, "nba_predictions.player_prop_predictions", TONIGHT, TONIGHT)
    ens = preds[preds.system_id == "ensemble_v1"].sort_values("created_at").groupby("player_lookup").tail(1)
    newest = {r.player_lookup: r for r in ens.itertuples()}
    props = nbaprops.read(demo, "nba_raw.odds_api_player_points_props", TONIGHT, TONIGHT)
    lined = {k for k, r in newest.items() if not pd.isna(r.current_points_line)}
    assert {p["player_lookup"] for p in with_lines} == lined & set(players)
    estimated = {k for k, r in newest.items() if r.line_source == "ESTIMATED_AVG"}
    assert any(p["player_lookup"] in estimated for p in with_lines)
    for p in with_lines:
        (prop,) = p["props"]
        row = newest[p["player_lookup"]]
        assert prop["stat_type"] == "points" and prop["line"] == pytest.approx(float(row.current_points_line))
        mine = props[props.player_lookup == p["player_lookup"]]
        assert (prop["over_odds"], prop["under_odds"]) == _best_odds(mine, prop["line"])
        assert p["prediction"]["predicted"] == pytest.approx(row.predicted_points, abs=0.0051)
        assert p["prediction"]["recommendation"] == row.recommendation

    # Fatigue of the date ("normal" without a score); name; days_rest; sorting.
    pcf = nbaprops.read(demo, "nba_precompute.player_composite_factors", TONIGHT, TONIGHT)
    fatigue = dict(zip(pcf.player_lookup, pcf.fatigue_score))
    rest = {r.player_lookup: r.days_rest for r in upgc.itertuples()}
    for lookup, (_, p) in players.items():
        score = fatigue.get(lookup)
        score = None if score is None or pd.isna(score) else int(score)
        assert p["fatigue_score"] == score
        # The legacy's _safe_float writes the INT64 score as a float (97.0), days_rest as the INT64 it is.
        assert score is None or type(p["fatigue_score"]) is float
        assert p["days_rest"] is None or type(p["days_rest"]) is int
        assert p["fatigue_level"] == (
            "normal" if score is None else "fresh" if score >= 95 else "normal" if score >= 75 else "tired"
        )
        assert p["days_rest"] == (None if pd.isna(rest[lookup]) else int(rest[lookup]))
        assert isinstance(p["name"], str) and "player_full_name" not in p
    assert any(type(p["fatigue_score"]) is float for _, p in players.values())
    for g in doc["games"]:
        order = [p["player_lookup"] for p in g["players"]]
        assert order == [p["player_lookup"] for p in sorted(g["players"], key=_sort_key)]
    # Injury status: the latest report of the date's games issued on or before the date, else "available".
    inj = nbaprops.read(demo, "nba_raw.nbac_injury_report", "2024-01-08", TONIGHT)
    inj = inj[inj.game_date == pd.Timestamp(TONIGHT)].sort_values(["report_date", "report_hour"])
    status = {r.player_lookup: r.injury_status.lower() for r in inj.groupby("player_lookup").tail(1).itertuples()}
    assert {k: p["injury_status"] for k, (_, p) in players.items()} == {k: status.get(k, "available") for k in players}
    assert any(p["injury_status"] != "available" for _, p in players.values())


def test_tonight_range_writes_one_file_for_the_newest_date(demo, tmp_path):
    r = nbaprops.export(demo, "2024-01-13", TONIGHT, types="tonight", out_dir=tmp_path / "o", generated_at=STAMP)
    assert r.ok and r.files == ["v1/tonight/all-players.json"]
    assert [d["date"] for d in r.dates] == [TONIGHT]
    doc = load(tmp_path / "o" / "v1" / "tonight" / "all-players.json")
    assert doc == nbaprops.api.exports.build(demo, "tonight", TONIGHT, generated_at=STAMP)
    assert r.dates[0]["types"][0]["count"] == doc["total_players"]


def test_tonight_is_point_in_time(demo_copy):
    from conftest import sql

    before = nbaprops.api.exports.build(demo_copy, "tonight", TONIGHT, generated_at=STAMP)
    # Box scores of the date and later change: nothing in the file may move.
    sql(
        demo_copy,
        "nba_analytics",
        "UPDATE player_game_summary SET points = points + 7, "
        "minutes_played = minutes_played + 1, points_line = points_line - 3 WHERE game_date >= ?",
        (TONIGHT,),
    )
    after = nbaprops.api.exports.build(nbaprops.open(demo_copy.uri), "tonight", TONIGHT, generated_at=STAMP)
    assert after == before
    # The same change to the day before does show (the check can fail).
    sql(
        demo_copy,
        "nba_analytics",
        "UPDATE player_game_summary SET points = points + 7 WHERE game_date = ?",
        ("2024-01-14",),
    )
    changed = nbaprops.api.exports.build(nbaprops.open(demo_copy.uri), "tonight", TONIGHT, generated_at=STAMP)
    assert changed != before


# ---------------------------------------------------------------------------------------------
# The legacy types added in issue 14: one pytest per type through daily_export

BDL_RESPONSE = {
    "data": [
        {
            "id": 101,
            "date": D1,
            "status": "Final",
            "period": 4,
            "time": "",
            "home_team": {
                "abbreviation": "LAL",
                "players": [
                    {
                        "player": {"id": 1, "first_name": "Pat", "last_name": "One"},
                        "pts": 30,
                        "reb": 7,
                        "ast": 2,
                        "min": "36:10",
                    },
                    {"player": {"id": 2, "first_name": "Sam", "last_name": "Two"}, "pts": 10, "min": "20:00"},
                ],
            },
            "visitor_team": {
                "abbreviation": "BOS",
                "players": [
                    {"player": {"id": 3, "first_name": "Lee", "last_name": "Three"}, "pts": 18, "min": "30:00"}
                ],
            },
            "home_team_score": 110,
            "visitor_team_score": 104,
        },
        {"id": 102, "date": D2, "status": "Final", "period": 4, "home_team": {}, "visitor_team": {}},
    ]
}


def _daily_export(wh, tmp_path, *flags):
    out = tmp_path / "out"
    r = _run(
        [
            "-m",
            "nbaprops.jobs.publishing.daily_export",
            "--warehouse",
            wh.uri,
            "--out",
            str(out),
            "--generated-at",
            STAMP,
            *flags,
        ]
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return out / "v1", r.stdout


def _prop_games(wh, player, results, team="LAL", start=dt.date(2024, 1, 15)):
    """player_game_summary rows, newest first: one game per day back from ``start``."""
    rows = []
    for i, (points, line) in enumerate(results):
        day = (start - dt.timedelta(days=i)).isoformat()
        rows.append(
            {
                "player_lookup": player,
                "player_full_name": player.title(),
                "game_id": f"{day}_BOS_{team}",
                "game_date": day,
                "season_year": 2023,
                "team_abbr": team,
                "opponent_team_abbr": "BOS",
                "points": points,
                "points_line": line,
                "over_under_result": "OVER" if points > line else "UNDER" if points < line else "PUSH",
            }
        )
    put(wh, "nba_analytics.player_game_summary", rows)


def test_daily_export_streaks(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    _prop_games(wh, "hotone", [(25, 20.5)] * 4 + [(10, 20.5)])  # 4 OVERs: margins 4.5
    _prop_games(wh, "short", [(25, 20.5)] * 3)
    put(wh, "nba_predictions.prediction_accuracy", [])
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "streaks")
    assert f"  Streaks: {v1 / 'streaks' / 'today.json'}" in out
    doc = load(v1 / "streaks" / "today.json")
    assert list(doc) == ["generated_at", "as_of_date", "min_streak_length", "streaks", "summary"]
    assert doc["streaks"]["over"] == [
        {
            "player_lookup": "hotone",
            "player_full_name": "Hotone",
            "team": "LAL",
            "streak_length": 4,
            "avg_margin": 4.5,
            "games": [
                {"game_date": f"2024-01-{15 - i}", "points": 25, "line": 20.5, "opponent": "BOS"} for i in range(4)
            ],
        }
    ]
    assert doc["streaks"]["under"] == [] and doc["summary"]["longest_over"] == 4


def test_daily_export_trends_hot_cold(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    _prop_games(wh, "a", [(25, 20.0)] * 5)  # hit 1.0, streak 5, +5 → 8.1
    _prop_games(wh, "b", [(15, 20.0)] * 5, team="MIA")  # hit 0.0, streak 5, −5 → 10·(0.125+0.0625) = 1.9
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "trends-hot-cold")
    assert f"  Trends Hot/Cold: {v1 / 'trends' / 'whos-hot-v2.json'}" in out
    doc = load(v1 / "trends" / "whos-hot-v2.json")
    assert [p["player_lookup"] for p in doc["hot"]] == ["a", "b"]
    assert [p["player_lookup"] for p in doc["cold"]] == ["b", "a"]
    assert doc["hot"][0]["heat_score"] == 8.1 and doc["cold"][0]["heat_score"] == 1.9
    assert doc["cold"][0]["streak_direction"] == "under" and doc["cold"][0]["rank"] == 1
    assert doc["league_average"] == {"hit_rate": 0.5, "avg_margin": 0.0}
    assert doc["time_period"] == "last_30_days" and doc["total_qualifying_players"] == 2


def test_cli_live_file_with_wrong_typed_nodes_names_the_file_record_and_field(tmp_path):
    """A wrong-typed node or a cut live file fails the type with our own text (it was nlohmann's bare
    "[json.exception.type_error.306] cannot use value() with string", without file, record or field)."""
    wh = nbaprops.open(tmp_path / "wh")
    cases = {
        "team.json": (
            {
                "data": [
                    {"id": 1, "date": D1, "home_team": "BOS", "visitor_team": {"abbreviation": "DAL", "players": []}}
                ]
            },
            "record 0 field home_team is not an object",
        ),
        "players.json": (
            {"data": [{"id": 1, "date": D1, "home_team": {"abbreviation": "BOS", "players": ["x"]}}]},
            "record 0 field home_team.players[0] is not an object",
        ),
    }
    for name, (body, expect) in cases.items():
        live = tmp_path / name
        live.write_text(json.dumps(body))
        args = ["-m", "nbaprops", "export", "-w", wh.uri, "--date", D1, "--only", "live"]
        r = _run([*args, "--live-file", str(live), "--out", str(tmp_path / "o")])
        assert r.returncode == 1
        assert f"✗ live: failed - live file {live}: {expect}" in r.stdout + r.stderr, r.stdout + r.stderr
        assert "json.exception" not in r.stdout + r.stderr
    cut = tmp_path / "cut.json"
    cut.write_text('{"data": [\n')
    r = _run([*args, "--live-file", str(cut), "--out", str(tmp_path / "o")])
    assert f"live file {cut}: not valid JSON (parse error at byte 12)" in r.stdout + r.stderr, r.stdout + r.stderr
    assert "json.exception" not in r.stdout + r.stderr


def test_daily_export_live_from_a_saved_response_and_from_the_raw_table(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    live = tmp_path / "live.json"
    live.write_text(json.dumps(BDL_RESPONSE))
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "live", "--live-file", str(live))
    assert f"  Live Scores: {v1 / 'live' / D1}.json" in out
    doc = load(v1 / "live" / f"{D1}.json")
    assert load(v1 / "live" / "latest.json") == doc
    assert doc["poll_id"] == "20240117T060000Z" and doc["total_games"] == 1 and doc["games_final"] == 1
    game = doc["games"][0]
    assert (game["home_team"], game["away_team"], game["home_score"], game["away_score"]) == ("LAL", "BOS", 110, 104)
    assert [p["player_lookup"] for p in game["players"]] == ["patone", "leethree", "samtwo"]
    assert game["players"][0]["rebounds"] == 7 and game["players"][0]["minutes"] == "36:10"
    # The same day from nba_raw.bdl_player_boxscores.
    put(
        wh,
        "nba_raw.bdl_player_boxscores",
        [
            {
                "game_id": "20240115_BOS_LAL",
                "game_date": D1,
                "season_year": 2023,
                "game_status": "Final",
                "period": 4,
                "home_team_abbr": "LAL",
                "away_team_abbr": "BOS",
                "home_team_score": 110,
                "away_team_score": 104,
                "team_abbr": "LAL",
                "player_full_name": "Pat One",
                "player_lookup": "patone",
                "bdl_player_id": 1,
                "minutes": "36:10",
                "points": 30,
            }
        ],
    )
    v1, _ = _daily_export(wh, tmp_path, "--date", D1, "--only", "live")
    doc = load(v1 / "live" / f"{D1}.json")
    assert doc["total_games"] == 1 and doc["games"][0]["players"][0]["name"] == "Pat One"


def test_daily_export_live_grading(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    live = tmp_path / "live.json"
    live.write_text(json.dumps(BDL_RESPONSE))
    base = {
        "game_date": D1,
        "game_id": GAME1,
        "system_id": "ensemble_v1",
        "is_active": 1,
        "prediction_version": 1,
        "has_prop_line": 1,
        "line_source": "ACTUAL_PROP",
        "predicted_points": 24.0,
    }
    put(
        wh,
        "nba_predictions.player_prop_predictions",
        [
            dict(base, player_lookup="patone", recommendation="OVER", current_points_line=22.5, confidence_score=0.7),
            dict(base, player_lookup="samtwo", recommendation="OVER", current_points_line=15.5, confidence_score=0.8),
            dict(base, player_lookup="nobody", recommendation="UNDER", current_points_line=12.5, confidence_score=0.9),
        ],
    )
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "live-grading", "--live-file", str(live))
    assert f"  Live Grading: {v1 / 'live-grading' / D1}.json" in out
    doc = load(v1 / "live-grading" / f"{D1}.json")
    assert [(p["player_lookup"], p["status"]) for p in doc["predictions"]] == [
        ("patone", "correct"),
        ("samtwo", "incorrect"),
        ("nobody", "pending"),
    ]
    assert doc["summary"]["win_rate"] == 0.5 and doc["summary"]["avg_error"] == 10.0  # |24−30|, |24−10|
    assert doc["summary"]["graded"] == 2 and doc["summary"]["pending"] == 1 and doc["summary"]["games_final"] == 1


def test_daily_export_accepts_every_legacy_name(tmp_path):
    from nbaprops.api.exports import ALL_LEGACY_TYPES

    assert len(ALL_LEGACY_TYPES) == 19  # the legacy EXPORT_TYPES list: 16 types and 3 groups
    for name in ALL_LEGACY_TYPES:
        assert nbaprops.export_types(name), name
    assert nbaprops.export_types(",".join(ALL_LEGACY_TYPES)) == nbaprops.export_types()


# ---------------------------------------------------------------------------------------------
# The last legacy types, the trends groups and --players (issue 14), one daily_export run each


def _pgs(player, day, points, line=None, team="LAL", opp="BOS", season=2023, home=True, **extra):
    game = f"{day.replace('-', '')}_{opp}_{team}" if home else f"{day.replace('-', '')}_{team}_{opp}"
    result = None if line is None else "OVER" if points > line else "UNDER" if points < line else "PUSH"
    return dict(
        {
            "player_lookup": player,
            "player_full_name": player.title(),
            "game_id": game,
            "game_date": day,
            "season_year": season,
            "team_abbr": team,
            "opponent_team_abbr": opp,
            "points": points,
            "minutes_played": 30.0,
            "points_line": line,
            "over_under_result": result,
        },
        **extra,
    )


def _days_before(day: str, n: int) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=n)).isoformat()


def _tonight_schedule(wh, day=D1):
    """BOS @ LAL on ``day`` at 7:30 PM ET."""
    put(
        wh,
        "nba_raw.nbac_schedule",
        [
            {
                "game_id": "0022300601",
                "game_date": day,
                "season_year": 2023,
                "away_team_tricode": "BOS",
                "home_team_tricode": "LAL",
                "is_regular_season": 1,
                "game_status": 1,
                "game_date_est": f"{day}T19:30:00",
            }
        ],
    )


def test_daily_export_tonight_players(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    put(
        wh,
        "nba_analytics.upcoming_player_game_context",
        [
            {
                "player_lookup": p,
                "game_id": GAME1,
                "game_date": D1,
                "team_abbr": "LAL",
                "opponent_team_abbr": "BOS",
                "home_game": 1,
                "days_rest": 2,
                "back_to_back": 0,
            }
            for p in ("pat", "sam")
        ],
    )
    # pat: 20 and 10 before the date (season average 15.0), a game on the date itself is never read.
    put(
        wh,
        "nba_analytics.player_game_summary",
        [
            _pgs("pat", _days_before(D1, 3), 20, 18.5, fg_makes=8, fg_attempts=15),
            _pgs("pat", _days_before(D1, 1), 10, 18.5, home=False),
            _pgs("pat", D1, 40, 18.5),
        ],
    )
    put(
        wh,
        "nba_raw.nbac_injury_report",
        [
            {
                "report_date": D1,
                "report_hour": 17,
                "game_date": D1,
                "player_lookup": "pat",
                "team": "LAL",
                "injury_status": "Probable",
                "reason": "Knee",
            }
        ],
    )
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "tonight-players")
    assert "  Tonight Players: 2 exported" in out
    assert sorted(p.name for p in (v1 / "tonight" / "player").iterdir()) == ["pat.json", "sam.json"]
    doc = load(v1 / "tonight" / "player" / "pat.json")
    assert list(doc) == [
        "player_lookup",
        "player_full_name",
        "game_date",
        "generated_at",
        "games_played",
        "limited_data",
        "game_context",
        "quick_numbers",
        "fatigue",
        "current_streak",
        "tonights_factors",
        "recent_form",
        "prediction",
    ]
    assert doc["quick_numbers"]["season_ppg"] == 15.0 and doc["games_played"] == 2 and doc["limited_data"]
    assert [g["points"] for g in doc["recent_form"]] == [10, 20]
    assert doc["recent_form"][1]["fg"] == "8/15" and doc["recent_form"][0]["home_game"] is False
    assert doc["current_streak"] == {"type": "under", "length": 1}
    assert doc["game_context"]["injury_status"] == "Probable" and doc["game_context"]["injury_reason"] == "Knee"
    assert load(v1 / "tonight" / "player" / "sam.json")["game_context"]["injury_status"] == "available"


def test_daily_export_trends_bounce_back(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    # Ten 30s then 10: average 310/11 = 28.2, shortfall 18.2; no earlier bad games → rate 0.5 (default).
    rows = [_pgs("cold", _days_before(D1, i), 30, 20.5) for i in range(10, 0, -1)] + [_pgs("cold", D1, 10, 20.5)]
    put(wh, "nba_analytics.player_game_summary", rows)
    _tonight_schedule(wh)
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "trends-bounce-back")
    assert f"  Trends Bounce-Back: {v1 / 'trends' / 'bounce-back.json'}" in out
    doc = load(v1 / "trends" / "bounce-back.json")
    assert list(doc) == [
        "generated_at",
        "as_of_date",
        "shortfall_threshold",
        "total_candidates",
        "bounce_back_candidates",
        "league_baseline",
    ]
    (c,) = doc["bounce_back_candidates"]
    assert (c["player_lookup"], c["season_average"], c["shortfall"], c["bounce_back_rate"]) == ("cold", 28.2, 18.2, 0.5)
    assert c["last_game"] == {"date": D1, "result": 10, "opponent": "BOS", "margin": -18.2}
    assert c["tonight"] == {"opponent": "BOS", "game_time": "7:30 PM ET", "home": True} and c["rank"] == 1
    assert doc["league_baseline"] == {"avg_bounce_back_rate": None, "sample_size": 0}


def test_daily_export_trends_what_matters(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    # 20 daily games of 30 (OVER 25.5): a star at 100.0%, 19 back-to-backs (< 20: no rest factor).
    put(wh, "nba_analytics.player_game_summary", [_pgs("ace", _days_before(D1, i), 30, 25.5) for i in range(20)])
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "trends-what-matters")
    assert f"  Trends What Matters: {v1 / 'trends' / 'what-matters.json'}" in out
    doc = load(v1 / "trends" / "what-matters.json")
    assert list(doc["archetypes"]) == ["star", "scorer", "rotation", "role_player"]
    star = doc["archetypes"]["star"]
    assert (star["player_count"], star["overall_over_pct"], star["example_players"]) == (1, 100.0, ["Ace"])
    assert star["factors"] == {"rest": {}, "home_away": {}}
    assert doc["key_insights"] == ["No significant factor differences detected in current sample"]


def test_daily_export_trends_team(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    put(
        wh,
        "nba_analytics.team_offense_game_summary",
        [
            {
                "game_id": f"g{team}{i}",
                "game_date": _days_before(D1, 2 * i),
                "team_abbr": team,
                "opponent_team_abbr": "XXX",
                "season_year": 2023,
                "home_game": i % 2,
                "points_scored": pts,
                "pace": pace,
            }
            for team, pts, pace in (("LAL", 112, 101.0), ("BOS", 104, 97.0))
            for i in range(5)
        ],
    )
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "trends-team")
    assert f"  Trends Team: {v1 / 'trends' / 'team-tendencies.json'}" in out
    doc = load(v1 / "trends" / "team-tendencies.json")
    assert list(doc) == ["generated_at", "as_of_date", "pace", "defense_by_zone", "home_away", "back_to_back"]
    assert [(t["team"], t["pace"], t["vs_league"]) for t in doc["pace"]["kings"]] == [
        ("LAL", 101.0, 2.0),
        ("BOS", 97.0, -2.0),
    ]
    assert doc["pace"]["league_average"] == 99.0
    assert doc["defense_by_zone"] == {"paint": {"best": [], "worst": []}, "perimeter": {"best": [], "worst": []}}


def test_daily_export_trends_quick_hits(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    # Five players, 12 daily games each: two score 25 (OVER 20.5, stars), three 10 (UNDER, rotation).
    put(
        wh,
        "nba_analytics.player_game_summary",
        [_pgs(f"p{k}", _days_before(D1, i), 25 if k < 2 else 10, 20.5) for k in range(5) for i in range(12)],
    )
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "trends-quick-hits")
    assert f"  Trends Quick Hits: {v1 / 'trends' / 'quick-hits.json'}" in out
    doc = load(v1 / "trends" / "quick-hits.json")
    assert list(doc) == ["generated_at", "as_of_date", "stats", "total_available", "refresh_note"]
    # Only the b2b stat reaches 50 games (5 × 11); its rate equals the overall one → no stat qualifies.
    assert doc["stats"] == [] and doc["total_available"] == 0
    assert doc["refresh_note"] == "Stats refresh every Wednesday"


def test_daily_export_trends_deep_dive(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    put(
        wh,
        "nba_analytics.player_game_summary",
        [_pgs("x", _days_before(D1, i), 30 if i % 4 else 10, 20.5) for i in range(8)],
    )  # 6 OVER of 8 in January → 75%
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "trends-deep-dive")
    assert f"  Trends Deep Dive: {v1 / 'trends' / 'deep-dive-current.json'}" in out
    doc = load(v1 / "trends" / "deep-dive-current.json")
    assert list(doc) == ["generated_at", "month", "title", "subtitle", "hero_stat", "teaser", "slug", "cta"]
    assert (doc["month"], doc["title"], doc["slug"]) == (
        "January 2024",
        "The January Effect",
        "schedule-density-january-2024",
    )
    assert doc["hero_stat"]["value"] == "75%"


def test_daily_export_tonight_trend_plays(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    # Four OVERs in the four days before: a streak play (medium below 5 games).
    put(wh, "nba_analytics.player_game_summary", [_pgs("hot", _days_before(D1, i), 26, 20.5) for i in range(1, 5)])
    _tonight_schedule(wh)
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "tonight-trend-plays")
    assert f"  Tonight Trend Plays: {v1 / 'trends' / 'tonight-plays.json'}" in out
    doc = load(v1 / "trends" / "tonight-plays.json")
    assert (doc["game_date"], doc["games_tonight"], doc["total_trend_plays"]) == (D1, 1, 1)
    (play,) = doc["trend_plays"]
    assert (play["trend_type"], play["trend_direction"], play["confidence"]) == ("streak", "over", "medium")
    assert play["trend_details"] == {"streak_length": 4, "avg_margin": 5.5, "hit_rate_l10": 1.0}
    assert play["tonight"] == {"opponent": "BOS", "game_time": "7:30 PM ET", "home": True}
    assert doc["by_trend_type"] == {"streak": 1, "momentum": 0, "rest": 0}


TRENDS_LABELS = {
    "trends-hot-cold": "Trends Hot/Cold",
    "trends-bounce-back": "Trends Bounce-Back",
    "trends-what-matters": "Trends What Matters",
    "trends-team": "Trends Team",
    "trends-quick-hits": "Trends Quick Hits",
    "trends-deep-dive": "Trends Deep Dive",
    "tonight-trend-plays": "Tonight Trend Plays",
}


@pytest.mark.parametrize(
    "group, members, files",
    [
        (
            "trends-daily",
            ["trends-hot-cold", "trends-bounce-back", "tonight-trend-plays"],
            ["bounce-back.json", "tonight-plays.json", "whos-hot-v2.json"],
        ),
        (
            "trends-weekly",
            ["trends-what-matters", "trends-team", "trends-quick-hits"],
            ["quick-hits.json", "team-tendencies.json", "what-matters.json"],
        ),
        (
            "trends-all",
            list(TRENDS_LABELS),
            [
                "bounce-back.json",
                "deep-dive-current.json",
                "quick-hits.json",
                "team-tendencies.json",
                "tonight-plays.json",
                "what-matters.json",
                "whos-hot-v2.json",
            ],
        ),
    ],
)
def test_daily_export_trends_groups_write_exactly_their_members(tmp_path, group, members, files):
    wh = nbaprops.open(tmp_path / "wh")
    _tonight_schedule(wh)
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", group)
    assert sorted(p.relative_to(v1).as_posix() for p in v1.rglob("*.json")) == [f"trends/{f}" for f in files]
    labels = [
        line.split(" - ")[-1].split(":")[0].strip()
        for line in out.splitlines()
        if line.split(" - ")[-1].startswith("  ") and ": " in line
    ]
    assert labels == [TRENDS_LABELS[m] for m in members], out  # the legacy lines, in the legacy order
    assert "Export complete: {'" in out and " error: " not in out


def test_daily_export_players_writes_the_profiles(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    days = [_days_before(D1, i) for i in range(6)]
    put(
        wh,
        "nba_predictions.prediction_accuracy",
        [
            graded("pro", d, "OVER", 25.0, 22.5, 27 if i else 20, 0.7, game=f"{d.replace('-', '')}_BOS_LAL")
            for i, d in enumerate(days)
        ]  # 6 dates, 5 wins
        + [graded("few", d, "UNDER", 18.0, 20.5, 15, 0.6, game=f"{d.replace('-', '')}_BOS_LAL") for d in days[:3]],
    )
    put(
        wh,
        "nba_analytics.upcoming_player_game_context",
        [
            {
                "player_lookup": "pro",
                "game_id": "20240120_BOS_LAL",
                "game_date": "2024-01-20",
                "team_abbr": "LAL",
                "opponent_team_abbr": "BOS",
                "home_game": 1,
            }
        ],
    )
    out_dir = tmp_path / "out"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbaprops.jobs.publishing.daily_export",
            "--warehouse",
            wh.uri,
            "--out",
            str(out_dir),
            "--generated-at",
            STAMP,
            "--players",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, NBAPROPS_TODAY="2024-01-16"),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    for line in [
        "Exporting player profiles (min_games=5)",
        "Found 1 players with >= 5 games",
        "Exported 2 player profiles",
        "Player export complete: 2 profiles",
    ]:
        assert line in r.stdout, r.stdout
    players = out_dir / "v1" / "players"
    assert sorted(p.name for p in players.iterdir()) == ["index.json", "pro.json"]  # few: 3 dates < 5
    index = load(players / "index.json")
    assert [(p["player_lookup"], p["games_predicted"]) for p in index["players"]] == [("pro", 6), ("few", 3)]
    pro = load(players / "pro.json")
    assert pro["summary"]["win_rate"] == round(5 / 6, 3) and pro["our_track_record"]["overall"]["losses"] == 1
    assert pro["next_game"] == {
        "game_date": "2024-01-20",
        "game_id": "20240120_BOS_LAL",
        "opponent": "BOS",
        "home_game": True,
        "has_prediction": False,
    }
    assert not (out_dir / "v1" / "results").exists()  # profiles instead of daily data (legacy)
    # --min-games 3 gives "few" a profile too.
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbaprops.jobs.publishing.daily_export",
            "--warehouse",
            wh.uri,
            "--out",
            str(out_dir),
            "--players",
            "--min-games",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0 and "Player export complete: 3 profiles" in r.stdout, r.stdout + r.stderr
