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
    ddl = ", ".join(f'"{c}" {sql_type.get(t, "REAL" if t.startswith("NUMERIC") else "TEXT")}'
                    for c, t in zip(cols.column, cols.type))
    dataset, name = table.split(".")
    con = sqlite3.connect(Path(wh.uri) / f"{dataset}.sqlite")
    try:
        con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({ddl})')
        for r in rows:
            keys = list(r)
            con.execute(f'INSERT INTO "{name}" ({", ".join(chr(34) + k + chr(34) for k in keys)}) '
                        f'VALUES ({", ".join("?" for _ in keys)})', [r[k] for k in keys])
        con.commit()
    finally:
        con.close()


def graded(player, day, rec, pred, line, actual, conf, system="ensemble_v1", game=None, team="LAL"):
    err = None if pred is None or actual is None else pred - actual
    correct = None
    if rec in ("OVER", "UNDER") and line is not None and actual is not None and actual != line:
        correct = int((actual > line) == (rec == "OVER"))
    return {"player_lookup": player, "game_id": game or (GAME1 if day == D1 else GAME2), "game_date": day,
            "system_id": system, "team_abbr": team, "opponent_team_abbr": "BOS", "predicted_points": pred,
            "confidence_score": conf, "recommendation": rec, "line_value": line, "actual_points": actual,
            "minutes_played": 33.0, "absolute_error": None if err is None else abs(err), "signed_error": err,
            "prediction_correct": correct, "within_3_points": None if err is None else int(abs(err) <= 3),
            "within_5_points": None if err is None else int(abs(err) <= 5)}


def daily(day, system, preds, recs, correct, mae):
    return {"game_date": day, "system_id": system, "predictions_count": preds, "recommendations_count": recs,
            "correct_count": correct, "incorrect_count": recs - correct, "mae": mae, "avg_bias": 0.5,
            "over_win_rate": 0.5, "under_win_rate": 0.5, "within_3_pct": 0.4, "within_5_pct": 0.6,
            "high_confidence_count": 2, "high_confidence_correct": 1}


def prediction(player, rec, pred, line, conf):
    return {"prediction_id": f"{player}-{rec}", "system_id": "ensemble_v1", "player_lookup": player,
            "game_date": D2, "game_id": GAME2, "prediction_version": 1, "predicted_points": pred,
            "confidence_score": conf, "recommendation": rec, "current_points_line": line,
            "pace_adjustment": 0.0, "similar_games_count": 9, "is_active": 1, "created_at": "2024-01-16T10:00:00Z"}


@pytest.fixture
def graded_wh(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    put(wh, "nba_predictions.prediction_accuracy", [
        graded("p1", D1, "OVER", 25.0, 22.5, 27, 0.80),      # win
        graded("p2", D1, "UNDER", 18.0, 20.5, 22, 0.60),     # loss
        graded("p3", D1, "OVER", 20.0, 20.0, 20, 0.50),      # push, error exactly 0
        graded("p4", D1, "NO_LINE", 0.0, None, 0, 0.40),     # no line; predicted 0, actual 0
        graded("p1", D1, "OVER", 40.0, 22.5, 27, 0.99, system="xgboost_v1"),
        graded("p1", D2, "OVER", 30.0, 25.5, 31, 0.85),      # win; history before D2: 1/1
    ])
    put(wh, "nba_predictions.system_daily_performance", [
        daily("2023-03-01", "ensemble_v1", 1000, 1000, 0, 9.0),  # previous season: not in "season"
        daily(D1, "ensemble_v1", 4, 3, 1, 1.5),
        daily(D2, "ensemble_v1", 1, 1, 1, 1.0),
        daily(D2, "xgboost_v1", 1, 1, 0, 3.0),
    ])
    put(wh, "nba_predictions.player_prop_predictions", [
        prediction("p1", "OVER", 30.0, 25.5, 0.85),
        prediction("p2", "PASS", 12.0, 12.5, 0.91),
    ])
    features = [1.0] * 25
    put(wh, "nba_predictions.ml_feature_store_v2", [
        {"player_lookup": "p1", "game_id": GAME1, "game_date": D1, "features": json.dumps([*features[:2], 27.0,
         *features[3:16], 0.0, *features[17:]]), "feature_count": 25, "feature_version": "v1_baseline_25",
         "data_source": "phase4_partial", "is_home": 1, "days_rest": 2, "created_at": "2024-01-15T00:00:00Z"},
    ])
    put(wh, "nba_precompute.player_composite_factors", [
        {"player_lookup": "p1", "game_date": D2, "game_id": GAME2, "fatigue_score": 96}])
    put(wh, "nba_analytics.player_game_summary", [
        {"player_lookup": "p1", "game_date": D2, "game_id": GAME2, "player_full_name": "Player One",
         "team_abbr": "LAL", "opponent_team_abbr": "BOS", "season_year": 2023, "starter_flag": 1, "win_flag": 1,
         "is_active": 1}])
    return wh


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def no_temp_files(root: Path) -> bool:
    return not [p for p in root.rglob("*") if ".tmp" in p.name]


def test_export_api_writes_every_type_with_latest_only_for_the_last_date(graded_wh, tmp_path):
    out = tmp_path / "out"
    r = nbaprops.export(graded_wh, D1, D2, out_dir=out, generated_at=STAMP)
    assert r.ok and r.exit_code == 0
    assert r.type_status == {t: "success" for t in ("results", "performance", "best-bets", "predictions", "tonight",
                                                    "streaks", "trends-hot-cold", "live", "live-grading")}
    v1 = out / "v1"
    expected = {f"v1/{t}/{d}.json" for t in ("results", "best-bets", "predictions", "live", "live-grading")
                for d in (D1, D2)}
    expected |= {"v1/results/latest.json", "v1/best-bets/latest.json", "v1/predictions/today.json",
                 "v1/systems/performance.json", "v1/tonight/all-players.json", "v1/streaks/today.json",
                 "v1/trends/whos-hot-v2.json", "v1/live/latest.json", "v1/live-grading/latest.json"}
    assert set(r.files) == expected
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
    assert res["breakdowns"]["by_recommendation"]["over"] == {"total": 2, "wins": 1, "losses": 0, "pushes": 1,
                                                              "win_rate": 0.5, "avg_error": 1.0}
    assert res["highlights"]["worst_prediction"]["player"] == "p2"

    latest = v1 / "results" / "latest.json"
    assert latest.read_bytes() == (v1 / "results" / f"{D2}.json").read_bytes()
    assert (v1 / "predictions" / "today.json").read_bytes() == (v1 / "predictions" / f"{D2}.json").read_bytes()
    assert latest.read_text(encoding="utf-8").startswith('{\n  "game_date": "2024-01-16",\n  "generated_at"')

    perf = load(v1 / "systems" / "performance.json")
    assert perf["as_of_date"] == D2
    ens = perf["systems"][0]
    assert ens["system_id"] == "ensemble_v1" and ens["rank"] == 1 and perf["systems"][1]["rank"] == 2
    assert ens["windows"]["season"]["predictions"] == 5  # not the 1,000 of the previous season
    assert ens["windows"]["season"]["win_rate"] == 0.5 and ens["windows"]["season"]["mae"] == 1.25
    assert perf["comparison"]["best_mae"] == {"system_id": "ensemble_v1", "value": 1.25}

    bets = load(v1 / "best-bets" / f"{D2}.json")
    assert bets["total_picks"] == 1
    pick = bets["picks"][0]
    assert pick["player_full_name"] == "Player One" and pick["fatigue_level"] == "fresh"
    assert pick["player_historical_accuracy"] == 1.0 and pick["player_sample_size"] == 1
    assert pick["composite_score"] == pytest.approx(0.85 * 1.45 * 1.0, abs=1e-3)
    assert pick["rationale"] == ["High confidence", "Strong edge", "Well-rested"] and pick["result"] == "WIN"
    assert load(v1 / "best-bets" / f"{D1}.json")["picks"][0]["player_historical_accuracy"] == 0.85

    preds = load(v1 / "predictions" / f"{D2}.json")
    assert preds["total_games"] == 1 and preds["total_predictions"] == 2
    game = preds["games"][0]
    assert (game["home_team"], game["away_team"]) == ("LAL", "BOS")
    assert [p["player_lookup"] for p in game["predictions"]] == ["p2", "p1"]  # confidence desc
    assert game["predictions"][1]["team"] == "LAL" and game["predictions"][1]["is_home"] is True
    assert game["predictions"][1]["prediction"]["edge"] == 4.5
    assert game["recommendation_breakdown"] == {"over": 1, "under": 0, "pass": 1}

    frame = r.to_frame()
    assert len(frame) == 14 and set(frame["status"]) == {"success"}
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


def test_unsupported_types_are_rejected_with_the_supported_list(graded_wh, tmp_path):
    assert nbaprops.export_types() == ["results", "performance", "best-bets", "predictions", "tonight", "streaks",
                                       "trends-hot-cold", "live", "live-grading"]
    assert nbaprops.export_types("best-bets, results") == ["results", "best-bets"]
    for bad in ["tonight-players", "trends-all", "trends-daily", "tonight-trend-plays"]:
        with pytest.raises(nbaprops.ConfigError, match="supported types: results, performance, best-bets, predictions"):
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
    assert load(tmp_path / "out" / "v1" / "systems" / "performance.json")["systems"] == []


def _run(args):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=300)


def test_cli_export_range_with_only(graded_wh, tmp_path):
    out = tmp_path / "cli"
    r = _run(["-m", "nbaprops", "export", "--warehouse", graded_wh.uri, "--start-date", D1, "--end-date", D2,
              "--only", "results,best-bets", "--out", str(out), "--generated-at", STAMP])
    assert r.returncode == 0, r.stderr + r.stdout
    assert "Exporting date 1/2: 2024-01-15" in r.stdout
    assert f"✓ results: 4 results → v1/results/{D1}.json" in r.stdout
    assert f"✓ best-bets: 1 picks → v1/best-bets/{D2}.json, v1/best-bets/latest.json" in r.stdout
    assert "DAILY EXPORT SUMMARY:" in r.stdout and "Successful: 2, Partial: 0, Failed: 0" in r.stdout
    assert sorted(p.name for p in (out / "v1").iterdir()) == ["best-bets", "results"]
    assert load(out / "v1" / "results" / "latest.json")["generated_at"] == STAMP
    bad = _run(["-m", "nbaprops", "export", "--warehouse", graded_wh.uri, "--date", D1, "--only", "results,tonight-players",
                "--out", str(out)])
    assert bad.returncode == 2 and "supported types: results, performance, best-bets, predictions" in bad.stderr
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
    assert dt.datetime.fromisoformat(generated.replace("Z", "+00:00")).tzinfo is not None

    # Default date: yesterday of the (injectable) US/Eastern clock.
    r = subprocess.run([sys.executable, *module, "--only", "results", "--out", str(out)], capture_output=True,
                       text=True, timeout=300, env=dict(os.environ, NBAPROPS_TODAY="2024-02-02"))
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
    r = _run(module + ["--date", D1, "--out", str(blocked)])
    assert r.returncode == 1 and "Export failed: [" in r.stdout

    # Usage errors exit 2 (README); an export that cannot be done exits 1.
    for flags, message, code in [(["--players"], "not implemented", 1), (["--only", "trends-team"], "does not implement", 1),
                                 (["--date", "2024-13-01"], "2024-13-01", 2), (["--start-date", D1], "go together", 1)]:
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


def _season_history(wh, day: str) -> pd.DataFrame:
    """Oracle input: the demo season's played games strictly before ``day``, newest first."""
    pgs = nbaprops.read(wh, "nba_analytics.player_game_summary", "2023-07-01", day,
                        columns=["player_lookup", "game_date", "season_year", "points", "minutes_played",
                                 "points_line"])
    pgs = pgs[(pgs.game_date < pd.Timestamp(day)) & (pgs.season_year == 2023) & pgs.points.notna()
              & ~(pgs.minutes_played.notna() & (pgs.minutes_played <= 0))]
    return pgs.sort_values("game_date", ascending=False)


def _best_odds(props: pd.DataFrame, line: float) -> tuple:
    """Oracle: best American prices among each book's latest pre-game snapshot quoting ``line``."""
    pre = props[props.snapshot_timestamp <= props.game_start_time]
    latest = pre[pre.snapshot_timestamp == pre.groupby("bookmaker").snapshot_timestamp.transform("max")]
    at_line = latest[latest.points_line == line]
    return int(at_line.over_price_american.max()), int(at_line.under_price_american.max())


def _sort_key(p, confidence, ppg):
    """Oracle order from unrounded values: out last, lines first, confidence desc, season ppg desc."""
    c = confidence if p["has_line"] else None
    return (p["injury_status"] == "out", not p["has_line"], c is None, -(c or 0), ppg is None, -(ppg or 0),
            p["player_lookup"])


def test_cli_only_tonight_on_the_demo_matches_a_pandas_oracle(demo, tmp_path):
    out = tmp_path / "tonight"
    r = _run(["-m", "nbaprops", "export", "--warehouse", demo.uri, "--date", TONIGHT, "--only", "tonight",
              "--out", str(out), "--generated-at", STAMP])
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
        zip(sched.away_team_tricode, sched.home_team_tricode))
    assert all(g["game_time"].endswith(" ET") and g["game_status"] == "final" for g in doc["games"])
    upgc = nbaprops.read(demo, "nba_analytics.upcoming_player_game_context", TONIGHT, TONIGHT)
    players = {p["player_lookup"]: (g["game_id"], p) for g in doc["games"] for p in g["players"]}
    assert set(players) == set(upgc.player_lookup) and doc["total_players"] == len(upgc)
    assert {(k, v[0]) for k, v in players.items()} == set(zip(upgc.player_lookup, upgc.game_id))
    assert all(g["player_count"] == len(g["players"]) for g in doc["games"])
    with_lines = [p for _, p in players.values() if p["has_line"]]
    assert doc["total_with_lines"] == len(with_lines) > 0

    # Season figures from games strictly before the date.
    hist = _season_history(demo, TONIGHT)
    for lookup, (_, p) in players.items():
        h = hist[hist.player_lookup == lookup]
        assert p["games_played"] == len(h), lookup
        assert p["limited_data"] == (len(h) < 10)
        assert p["last_10_points"] == [int(x) for x in h.points.head(10)]
        if len(h):
            assert p["season_ppg"] == pytest.approx(h.points.mean(), abs=0.0051)
            assert p["season_mpg"] == pytest.approx(h.minutes_played.mean(), abs=0.0051)
            assert p["last_5_ppg"] == pytest.approx(h.points.head(5).mean(), abs=0.0051)
        else:
            assert p["season_ppg"] is None
        if p["has_line"]:
            lined = h.head(10)
            lined = lined[lined.points_line.notna()]
            expect = ["O" if a > b else "U" if a < b else "P" for a, b in zip(lined.points, lined.points_line)]
            assert p["last_10_results"] == expect
            assert p["last_10_record"] == f"{expect.count('O')}-{expect.count('U')}"
        else:
            assert "props" not in p and "last_10_results" not in p

    # Line = UPGC's current line (same book rule); odds = the best of the books' latest snapshots.
    props = nbaprops.read(demo, "nba_raw.odds_api_player_points_props", TONIGHT, TONIGHT)
    line_of = dict(zip(upgc.player_lookup, upgc.current_points_line))
    for p in with_lines:
        (prop,) = p["props"]
        assert prop["stat_type"] == "points" and prop["line"] == pytest.approx(float(line_of[p["player_lookup"]]))
        mine = props[props.player_lookup == p["player_lookup"]]
        assert (prop["over_odds"], prop["under_odds"]) == _best_odds(mine, prop["line"])
    assert {p["player_lookup"] for p in with_lines} == set(upgc.player_lookup[upgc.current_points_line.notna()])

    # Newest ensemble prediction; fatigue of the date; injury status; sorting.
    preds = nbaprops.read(demo, "nba_predictions.player_prop_predictions", TONIGHT, TONIGHT)
    ens = preds[preds.system_id == "ensemble_v1"].sort_values("created_at").groupby("player_lookup").tail(1)
    newest = {r.player_lookup: r for r in ens.itertuples()}
    pcf = nbaprops.read(demo, "nba_precompute.player_composite_factors", TONIGHT, TONIGHT)
    fatigue = dict(zip(pcf.player_lookup, pcf.fatigue_score))
    for lookup, (_, p) in players.items():
        if p["has_line"] and lookup in newest:
            assert p["prediction"]["predicted"] == pytest.approx(newest[lookup].predicted_points, abs=0.0051)
            assert p["prediction"]["recommendation"] == newest[lookup].recommendation
        score = fatigue.get(lookup)
        score = None if score is None or pd.isna(score) else int(score)
        assert p["fatigue_score"] == score
        assert p["fatigue_level"] == (None if score is None else "fresh" if score >= 95
                                      else "normal" if score >= 75 else "tired")
    assert any(p["prediction"] for p in with_lines)
    ppg = hist.groupby("player_lookup").points.mean()
    for g in doc["games"]:
        key = {p["player_lookup"]: _sort_key(p, newest[p["player_lookup"]].confidence_score
                                             if p["player_lookup"] in newest else None,
                                             ppg.get(p["player_lookup"]))
               for p in g["players"]}
        order = [p["player_lookup"] for p in g["players"]]
        assert order == sorted(order, key=key.get)
    # Injury status: the latest report of the date's games issued on or before the date.
    inj = nbaprops.read(demo, "nba_raw.nbac_injury_report", "2024-01-08", TONIGHT)
    inj = inj[inj.game_date == pd.Timestamp(TONIGHT)].sort_values(["report_date", "report_hour"])
    status = {r.player_lookup: r.injury_status.lower() for r in inj.groupby("player_lookup").tail(1).itertuples()}
    assert {k: p["injury_status"] for k, (_, p) in players.items()} == {k: status.get(k) for k in players}
    assert any(p["injury_status"] for _, p in players.values())


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
    sql(demo_copy, "nba_analytics", "UPDATE player_game_summary SET points = points + 7, "
        "minutes_played = minutes_played + 1, points_line = points_line - 3 WHERE game_date >= ?", (TONIGHT,))
    after = nbaprops.api.exports.build(nbaprops.open(demo_copy.uri), "tonight", TONIGHT, generated_at=STAMP)
    assert after == before
    # The same change to the day before does show (the check can fail).
    sql(demo_copy, "nba_analytics", "UPDATE player_game_summary SET points = points + 7 WHERE game_date = ?",
        ("2024-01-14",))
    changed = nbaprops.api.exports.build(nbaprops.open(demo_copy.uri), "tonight", TONIGHT, generated_at=STAMP)
    assert changed != before


# ---------------------------------------------------------------------------------------------
# The legacy types added in issue 14: one pytest per type through daily_export

BDL_RESPONSE = {"data": [
    {"id": 101, "date": D1, "status": "Final", "period": 4, "time": "",
     "home_team": {"abbreviation": "LAL", "players": [
         {"player": {"id": 1, "first_name": "Pat", "last_name": "One"}, "pts": 30, "reb": 7, "ast": 2, "min": "36:10"},
         {"player": {"id": 2, "first_name": "Sam", "last_name": "Two"}, "pts": 10, "min": "20:00"}]},
     "visitor_team": {"abbreviation": "BOS", "players": [
         {"player": {"id": 3, "first_name": "Lee", "last_name": "Three"}, "pts": 18, "min": "30:00"}]},
     "home_team_score": 110, "visitor_team_score": 104},
    {"id": 102, "date": D2, "status": "Final", "period": 4, "home_team": {}, "visitor_team": {}}]}


def _daily_export(wh, tmp_path, *flags):
    out = tmp_path / "out"
    r = _run(["-m", "nbaprops.jobs.publishing.daily_export", "--warehouse", wh.uri, "--out", str(out),
              "--generated-at", STAMP, *flags])
    assert r.returncode == 0, r.stdout + r.stderr
    return out / "v1", r.stdout


def _prop_games(wh, player, results, team="LAL", start=dt.date(2024, 1, 15)):
    """player_game_summary rows, newest first: one game per day back from ``start``."""
    rows = []
    for i, (points, line) in enumerate(results):
        day = (start - dt.timedelta(days=i)).isoformat()
        rows.append({"player_lookup": player, "player_full_name": player.title(), "game_id": f"{day}_BOS_{team}",
                     "game_date": day, "season_year": 2023, "team_abbr": team, "opponent_team_abbr": "BOS",
                     "points": points, "points_line": line,
                     "over_under_result": "OVER" if points > line else "UNDER" if points < line else "PUSH"})
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
    assert doc["streaks"]["over"] == [{"player_lookup": "hotone", "player_full_name": "Hotone", "team": "LAL",
                                       "streak_length": 4, "avg_margin": 4.5, "games": [
        {"game_date": f"2024-01-{15 - i}", "points": 25, "line": 20.5, "opponent": "BOS"} for i in range(4)]}]
    assert doc["streaks"]["under"] == [] and doc["summary"]["longest_over"] == 4


def test_daily_export_trends_hot_cold(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    _prop_games(wh, "a", [(25, 20.0)] * 5)                      # hit 1.0, streak 5, +5 → 8.1
    _prop_games(wh, "b", [(15, 20.0)] * 5, team="MIA")          # hit 0.0, streak 5, −5 → 10·(0.125+0.0625) = 1.9
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "trends-hot-cold")
    assert f"  Trends Hot/Cold: {v1 / 'trends' / 'whos-hot-v2.json'}" in out
    doc = load(v1 / "trends" / "whos-hot-v2.json")
    assert [p["player_lookup"] for p in doc["hot"]] == ["a", "b"]
    assert [p["player_lookup"] for p in doc["cold"]] == ["b", "a"]
    assert doc["hot"][0]["heat_score"] == 8.1 and doc["cold"][0]["heat_score"] == 1.9
    assert doc["cold"][0]["streak_direction"] == "under" and doc["cold"][0]["rank"] == 1
    assert doc["league_average"] == {"hit_rate": 0.5, "avg_margin": 0.0}
    assert doc["time_period"] == "last_30_days" and doc["total_qualifying_players"] == 2


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
    put(wh, "nba_raw.bdl_player_boxscores", [
        {"game_id": "20240115_BOS_LAL", "game_date": D1, "season_year": 2023, "game_status": "Final", "period": 4,
         "home_team_abbr": "LAL", "away_team_abbr": "BOS", "home_team_score": 110, "away_team_score": 104,
         "team_abbr": "LAL", "player_full_name": "Pat One", "player_lookup": "patone", "bdl_player_id": 1,
         "minutes": "36:10", "points": 30}])
    v1, _ = _daily_export(wh, tmp_path, "--date", D1, "--only", "live")
    doc = load(v1 / "live" / f"{D1}.json")
    assert doc["total_games"] == 1 and doc["games"][0]["players"][0]["name"] == "Pat One"


def test_daily_export_live_grading(tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    live = tmp_path / "live.json"
    live.write_text(json.dumps(BDL_RESPONSE))
    base = {"game_date": D1, "game_id": GAME1, "system_id": "ensemble_v1", "is_active": 1, "prediction_version": 1,
            "has_prop_line": 1, "line_source": "ACTUAL_PROP", "predicted_points": 24.0}
    put(wh, "nba_predictions.player_prop_predictions", [
        dict(base, player_lookup="patone", recommendation="OVER", current_points_line=22.5, confidence_score=0.7),
        dict(base, player_lookup="samtwo", recommendation="OVER", current_points_line=15.5, confidence_score=0.8),
        dict(base, player_lookup="nobody", recommendation="UNDER", current_points_line=12.5, confidence_score=0.9)])
    v1, out = _daily_export(wh, tmp_path, "--date", D1, "--only", "live-grading", "--live-file", str(live))
    assert f"  Live Grading: {v1 / 'live-grading' / D1}.json" in out
    doc = load(v1 / "live-grading" / f"{D1}.json")
    assert [(p["player_lookup"], p["status"]) for p in doc["predictions"]] == [
        ("patone", "correct"), ("samtwo", "incorrect"), ("nobody", "pending")]
    assert doc["summary"]["win_rate"] == 0.5 and doc["summary"]["avg_error"] == 10.0  # |24−30|, |24−10|
    assert doc["summary"]["graded"] == 2 and doc["summary"]["pending"] == 1 and doc["summary"]["games_final"] == 1


def test_daily_export_accepts_every_legacy_name_and_refuses_the_missing_ones_clearly(tmp_path):
    from nbaprops.api.exports import ALL_LEGACY_TYPES

    assert len(ALL_LEGACY_TYPES) == 19  # the legacy EXPORT_TYPES list: 16 types and 3 groups
    nbaprops.open(tmp_path / "wh")  # an empty warehouse opens; the names need none
    for name in ALL_LEGACY_TYPES:
        try:
            nbaprops.export_types(name)
        except nbaprops.ConfigError as e:
            assert "does not implement yet" in str(e), (name, e)
