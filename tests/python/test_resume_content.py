"""Content-aware resume: a unit is skipped only when the content of every input partition it reads is
unchanged since its last commit; a changed raw value recomputes exactly the units that read it (down
through Phase 5), and the tables end equal to a fresh run on the changed data."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd

import nbaprops

from conftest import content_rows, sql

RANGE = ("2024-01-08", "2024-01-20")
CHANGED = "2024-01-12"
PHASE5_TABLES = ["nba_predictions.player_prop_predictions", "nba_predictions.prediction_accuracy"]


def _units(result):
    u = result.units.copy()
    u["day"] = u["date"].dt.strftime("%Y-%m-%d")
    return u


def _keys(frame) -> set[tuple[str, str]]:
    return set(zip(frame["processor"], frame["date"].dt.strftime("%Y-%m-%d")))


def test_rerun_with_unchanged_inputs_is_all_up_to_date(demo_copy, tmp_path):
    # The check-only mode (`--status`, nbaprops.freshness, coverage) agrees: nothing is stale.
    unchanged = nbaprops.freshness(demo_copy, *RANGE)
    states = unchanged.to_frame()["state"]
    assert set(states) <= {"up_to_date", "skipped"} and (states == "up_to_date").sum() > 50, str(unchanged)
    assert "Nothing stale, missing or failed." in str(unchanged)
    cov = nbaprops.coverage(demo_copy, *RANGE)
    assert "stale" not in set(cov.to_frame()["status"]) and cov.gaps().empty, str(cov)
    r = nbaprops.backfill(demo_copy, *RANGE, progress="none", checkpoint_dir=tmp_path / "ck")
    assert r.exit_code == 0, r.summary_text
    ran = r.units[~r.units["status"].isin(["skipped_bootstrap", "skipped_no_games"])]
    assert len(ran) > 50
    assert (ran["reason"] == "resumed").all(), ran[ran["reason"] != "resumed"][["processor", "date", "reason"]]
    assert "units up to date" in r.summary_text


def test_changed_raw_value_recomputes_exactly_its_dependents(demo_copy, demo, tmp_path):
    # One player's points on one date, changed by hand in the raw gamebook (outside nbaprops).
    player = sql(
        demo_copy,
        "nba_raw",
        "SELECT player_lookup FROM nbac_gamebook_player_stats WHERE game_date = ? AND points > 10 "
        "ORDER BY player_lookup LIMIT 1",
        (CHANGED,),
    )[0][0]
    sql(
        demo_copy,
        "nba_raw",
        "UPDATE nbac_gamebook_player_stats SET points = points + 9 WHERE game_date = ? AND player_lookup = ?",
        (CHANGED, player),
    )
    stale, direct = _stale_before_resume(demo_copy, tmp_path)
    r = nbaprops.backfill(demo_copy, *RANGE, progress="none", checkpoint_dir=tmp_path / "ck")
    assert r.exit_code == 0, r.summary_text
    u = _units(r)
    recomputed = u[u["reason"] == "recomputed: inputs changed"]
    # The check-only mode predicted it: every unit whose own inputs changed is recomputed, and every
    # recomputed unit was reported stale (a stale upstream may recompute to the same content, so its
    # dependents can stay up to date: the stale set is what a resume may recompute).
    assert direct <= _keys(recomputed) <= stale, (sorted(stale - _keys(recomputed)), sorted(_keys(recomputed) - stale))
    assert set(nbaprops.freshness(demo_copy, *RANGE).to_frame()["state"]) <= {"up_to_date", "skipped"}
    resumed = u[u["reason"] == "resumed"]
    assert "recomputed: inputs changed" in r.summary_text
    keys = set(zip(recomputed["processor"], recomputed["day"]))
    # The changed date's player summary is recomputed; nothing dated before the change is.
    assert ("player_game_summary", CHANGED) in keys
    assert (recomputed["day"] >= CHANGED).all()
    assert (resumed["day"] < CHANGED).any()
    # Processors that read no gamebook data (directly or through a changed partition) are left alone.
    assert "upcoming_team_game_context" not in set(recomputed["processor"])
    assert (resumed["processor"] == "upcoming_team_game_context").sum() > 0
    # The change propagates through Phase 4 into Phase 5 (predictions read 90 days of PGS history;
    # grading reads the day's actual points).
    assert {"player_shot_zone_analysis", "player_prop_predictions", "prediction_accuracy"} <= set(
        recomputed["processor"]
    )
    # Every table equals a fresh, non-resumed run on the same changed data.
    shutil.copytree(demo_copy.uri, tmp_path / "fresh")
    fresh = nbaprops.open(tmp_path / "fresh")
    r2 = nbaprops.backfill(fresh, *RANGE, resume=False, progress="none", checkpoint_dir=tmp_path / "ck2")
    assert r2.exit_code == 0
    for t in [
        "nba_analytics.player_game_summary",
        "nba_precompute.player_shot_zone_analysis",
        "nba_predictions.ml_feature_store_v2",
        *PHASE5_TABLES,
    ]:
        pd.testing.assert_frame_equal(content_rows(demo_copy, t, *RANGE), content_rows(fresh, t, *RANGE), obj=t)
    # The player's new points reached the summary.
    pgs = nbaprops.read(demo_copy, "nba_analytics.player_game_summary", CHANGED, CHANGED)
    old = nbaprops.read(demo, "nba_analytics.player_game_summary", CHANGED, CHANGED)
    new_pts = pgs.loc[pgs["player_lookup"] == player, "points"].iloc[0]
    old_pts = old.loc[old["player_lookup"] == player, "points"].iloc[0]
    assert new_pts == old_pts + 9


def _stale_before_resume(wh, tmp_path) -> tuple[set, set]:
    """After the raw change: `--status`, nbaprops.freshness and coverage report, without running or
    writing anything, the units that read the changed value and their dependents in the range.
    Returns (stale units, units whose own inputs changed)."""
    ledger_before = len(nbaprops.read(wh, "nba_orchestration.run_ledger"))
    report = nbaprops.freshness(wh, *RANGE)
    frame = report.to_frame()
    stale = _keys(report.stale())
    direct = _keys(frame[frame["reason"].str.startswith("inputs changed")])
    assert ("player_game_summary", CHANGED) in direct
    assert all(day >= CHANGED for _, day in stale)
    assert "upcoming_team_game_context" not in {p for p, _ in stale}
    assert {"player_shot_zone_analysis", "player_prop_predictions", "prediction_accuracy"} <= {p for p, _ in stale}
    assert set(frame["state"]) <= {"up_to_date", "stale", "skipped"}
    assert f"player_game_summary (1): {CHANGED}" in str(report), str(report)

    # Coverage marks the same (table, date) cells stale, and nothing else.
    outputs = {p["name"]: p["output_table"] for p in nbaprops.processors()}
    cov = nbaprops.coverage(wh, *RANGE).to_frame()
    marked = cov[cov["status"] == "stale"]
    assert set(zip(marked["table"], marked["date"].dt.strftime("%Y-%m-%d"))) == {(outputs[p], d) for p, d in stale}
    assert (marked["reason"] != "").all()

    # The CLI: `backfill --status` and `coverage` print them; neither writes anything.
    base = [sys.executable, "-m", "nbaprops"]
    where = ["--warehouse", wh.uri, "--start-date", RANGE[0], "--end-date", RANGE[1]]
    st = subprocess.run(
        base + ["backfill", *where, "--status", "--checkpoint-dir", str(tmp_path / "ck")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert st.returncode == 0, st.stderr
    assert "FRESHNESS" in st.stdout and f"player_game_summary (1): {CHANGED}" in st.stdout, st.stdout
    cv = subprocess.run(base + ["coverage", *where], capture_output=True, text=True, timeout=300)
    assert cv.returncode == 1, cv.stdout + cv.stderr
    assert f"nba_analytics.player_game_summary {CHANGED} stale: inputs changed" in cv.stdout, cv.stdout
    assert len(nbaprops.read(wh, "nba_orchestration.run_ledger")) == ledger_before
    assert not (tmp_path / "ck").exists()
    return stale, direct
