"""The legacy job scripts after the compatibility audit: resumed dates, resume numbering and headers,
dry-run availability, --status with --dates, no-games dates in --dates, prediction counts, usage errors
and failure lines. Each test runs a script in-process on a copy of the demo season (small ranges)."""

from __future__ import annotations

import json
import logging
import re
import shutil

import pytest
from test_legacy_compat import assert_shapes, run

import nbaprops

TDZA = "nbaprops.jobs.precompute.team_defense_zone_analysis"


def legacy_checkpoint(ck_dir, job: str, start: str, end: str, done: list[str]) -> None:
    """A checkpoint file as the legacy scripts wrote it (no warehouse key, no ledger behind it)."""
    ck_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "job_name": job,
        "start_date": start,
        "end_date": end,
        "created_at": "2024-01-01T00:00:00",
        "last_updated": "2024-01-01T00:00:00",
        "last_successful_date": max(done),
        "successful_dates": done,
        "failed_dates": [],
        "skipped_dates": [],
        "stats": {"total_days": 7, "processed": len(done), "successful": len(done), "failed": 0, "skipped": 0},
    }
    (ck_dir / f"{job}_{start}_{end}.json").write_text(json.dumps(data))


def stored(legacy_wh, table: str, column: str, d: str, distinct: str = "") -> int:
    f = nbaprops.read(nbaprops.open(legacy_wh), table, d, d, columns=[distinct or column])
    return int(f[distinct].nunique()) if distinct else len(f)


def starts(lines: list[str]) -> list[str]:
    return [x for x in lines if re.fullmatch(r"(Processing (game date|day|date) |Grading date )\d+/\d+: .+", x)]


# ------------------------------------------------------------------ 1. resumed dates keep their counts
def test_dates_resumed_as_up_to_date_print_their_stored_counts_and_count_in_the_totals(legacy_env, legacy_wh, capsys):
    # A fresh checkpoint: the run ledger says both dates are up to date, so the runner skips them.
    rc, lines = run(TDZA, ["--start-date", "2024-01-08", "--end-date", "2024-01-09"], capsys)
    assert rc == 0, "\n".join(lines)
    teams = [
        stored(legacy_wh, "nba_precompute.team_defense_zone_analysis", "team_abbr", d)
        for d in ("2024-01-08", "2024-01-09")
    ]
    assert min(teams) > 0
    assert [x for x in lines if x.startswith("  ✓ Success")] == [f"  ✓ Success: {n} teams processed" for n in teams]
    assert f"  Total teams processed: {sum(teams)}" in lines
    assert_shapes("phase4", lines)


def test_the_general_cli_says_a_resumed_unit_is_up_to_date_with_its_stored_rows():
    from nbaprops.api.progress import outcome_line

    event = {
        "processor": "team_defense_zone_analysis",
        "date": "2024-01-08",
        "status": "success",
        "rows": 30,
        "entities": 0,
        "reason": "resumed",
        "seconds": 0.0,
    }
    assert outcome_line(event, "teams") == "  ✓ Up to date: 30 rows stored (resumed)"
    assert outcome_line(dict(event, status="empty", rows=0), "teams") == "  ✓ Up to date: 0 rows stored (resumed)"
    assert outcome_line(dict(event, reason="", entities=30), "teams") == "  ✓ Success: 30 teams processed"


# ------------------------------------------------------------------ 2. numbering from the resume offset
def test_a_resumed_phase4_run_numbers_from_the_resume_offset_and_prints_the_checkpoint_box(legacy_env, capsys):
    start, end = "2023-12-01", "2023-12-15"
    legacy_checkpoint(legacy_env, "team_defense_zone_analysis", start, end, [f"2023-12-0{i}" for i in range(1, 4)])
    rc, lines = run(TDZA, ["--start-date", start, "--end-date", end, "--workers", "1"], capsys)
    assert rc == 0, "\n".join(lines)
    i = lines.index("RESUMING from checkpoint: 2023-12-04")
    assert lines[i + 2] == "CHECKPOINT STATUS: team_defense_zone_analysis"
    assert "Processing 12 game dates (of 15 total game dates)" in lines
    assert starts(lines)[0] == "Processing game date 4/15: 2023-12-04"
    assert starts(lines)[-1] == "Processing game date 15/15: 2023-12-15"
    assert any(re.fullmatch(r"Progress: 10/12 game dates \(\d+\.\d% success\)", x) for x in lines)
    assert_shapes("phase4", lines)


# ------------------------------------------------------------------ 3. the header describes what runs
def test_checkpoint_dates_the_warehouse_does_not_hold_are_not_announced_as_resumed(legacy_env, legacy_wh, capsys):
    from conftest import sql

    start, end = "2023-11-20", "2023-11-26"
    wh = nbaprops.open(legacy_wh)
    sql(
        wh, "nba_precompute", "DELETE FROM team_defense_zone_analysis WHERE analysis_date BETWEEN ? AND ?", (start, end)
    )
    sql(
        wh,
        "nba_orchestration",
        "DELETE FROM run_ledger WHERE processor = 'team_defense_zone_analysis' AND unit_date BETWEEN ? AND ?",
        (start, end),
    )
    legacy_checkpoint(legacy_env, "team_defense_zone_analysis", start, end, ["2023-11-20", "2023-11-21", "2023-11-22"])
    rc, lines = run(TDZA, ["--start-date", start, "--end-date", end, "--workers", "1"], capsys)
    assert rc == 0, "\n".join(lines)
    assert not [x for x in lines if x.startswith("RESUMING")]
    assert "Processing 6 game dates (of 6 total game dates)" in lines  # 2023-11-23 has no games
    assert len(starts(lines)) == 6 and starts(lines)[0] == "Processing game date 1/6: 2023-11-20"


def test_an_all_done_phase3_range_with_an_off_day_processes_nothing_and_says_so(legacy_env, capsys):
    args = ["--start-date", "2023-12-23", "--end-date", "2023-12-25"]  # 2023-12-24: no games
    rc, _ = run("nbaprops.jobs.analytics.team_offense_game_summary", args, capsys)
    assert rc == 0
    rc, lines = run("nbaprops.jobs.analytics.team_offense_game_summary", args, capsys)
    assert rc == 0, "\n".join(lines)
    assert "📂 Found checkpoint - all dates already processed" in lines
    assert "   Skipping 3 already-processed dates" in lines
    assert "Processing 0 days individually (day-by-day approach)" in lines
    assert not starts(lines)
    assert_shapes("day", lines)


# ------------------------------------------------------------------ 4. Phase 4 dry-run availability
def test_phase4_dry_run_judges_every_planned_date_by_the_legacy_rule_and_skips_bootstrap(legacy_env, capsys):
    rc, lines = run(TDZA, ["--start-date", "2024-01-08", "--end-date", "2024-01-09", "--dry-run"], capsys)
    assert rc == 0
    assert [x for x in lines if "Dry run" in x] == ["  ✓ Dry run: Phase 3 available (30 teams)"] * 2
    # Season 2023-24 of the demo opens 2023-10-17: days 0-13 (through 2023-10-30) are bootstrap.
    rc, lines = run(
        "nbaprops.jobs.precompute.player_shot_zone_analysis",
        ["--start-date", "2023-10-30", "--end-date", "2023-10-31", "--dry-run"],
        capsys,
    )
    assert rc == 0
    i = lines.index("Processing game date 1/2: 2023-10-30")
    assert lines[i + 1] == "  ⏭ Skipped: bootstrap period"
    assert re.fullmatch(r"  ✓ Dry run: \d+ players available", lines[i + 3])
    assert_shapes("phase4", lines)


def test_dry_run_problem_cells_leave_out_empty_upstream_cells():
    # The dry run lists the pre-flight report's problems(): an upstream unit that ran and legitimately wrote no
    # rows ("empty") is not one.
    from nbaprops.api.dates import to_days
    from nbaprops.api.runner import PreflightReport

    day = to_days("2024-01-08")

    class Native:
        def cells(self):
            return [
                ("a", day, "ok", 1, 1, ""),
                ("b", day, "empty", 0, 0, "no team qualified"),
                ("c", day, "missing", 1, 0, ""),
            ]

    assert list(PreflightReport(Native()).problems()["table"]) == ["c"]


# ------------------------------------------------------------------ 5. --status is ignored with --dates
def test_status_with_dates_runs_the_dates(legacy_env, capsys):
    rc, lines = run("nbaprops.jobs.precompute.player_composite_factors", ["--dates", "2024-01-08", "--status"], capsys)
    assert rc == 0, "\n".join(lines)
    assert "2024-01-08: success" in lines
    assert not [x for x in lines if "CHECKPOINT STATUS" in x or "No checkpoint found" in x]


# ------------------------------------------------------------------ 6. an off day in Phase 4 --dates
def test_an_off_day_in_phase4_dates_is_reported_as_no_games_not_bootstrap(legacy_env, capsys):
    rc, lines = run(TDZA, ["--dates", "2023-12-22,2023-12-24"], capsys)
    assert rc == 0, "\n".join(lines)
    i = lines.index("Processing date 2/2: 2023-12-24")
    assert lines[i + 1] == "  ⏭ Skipped: no games"
    assert "  ⏭ Skipped: bootstrap period" not in lines
    assert_shapes("phase4", lines)
    rc, lines = run("nbaprops.jobs.precompute.player_composite_factors", ["--dates", "2023-12-24"], capsys)
    assert rc == 0 and "2023-12-24: skipped_no_games" in lines


# ------------------------------------------------------------------ 7. Phase 3 dry run: every calendar day
def test_phase3_dry_run_lists_every_calendar_day_as_the_real_run(legacy_env, capsys):
    rc, lines = run(
        "nbaprops.jobs.analytics.team_defense_game_summary",
        ["--start-date", "2023-12-23", "--end-date", "2023-12-25", "--dry-run"],
        capsys,
    )
    assert rc == 0
    assert starts(lines) == [
        "Processing day 1/3: 2023-12-23",
        "Processing day 2/3: 2023-12-24",
        "Processing day 3/3: 2023-12-25",
    ]
    assert "Processing 3 days individually (day-by-day approach)" in lines
    assert_shapes("day", lines)


# ------------------------------------------------------------------ 8. predictions count players
def test_prediction_success_lines_and_total_count_players(legacy_env, legacy_wh, capsys):
    rc, lines = run(
        "nbaprops.jobs.prediction.player_prop_predictions",
        ["--start-date", "2024-01-08", "--end-date", "2024-01-09", "--no-resume", "--workers", "1"],
        capsys,
    )
    assert rc == 0, "\n".join(lines)
    players = [
        stored(legacy_wh, "nba_predictions.player_prop_predictions", "", d, distinct="player_lookup")
        for d in ("2024-01-08", "2024-01-09")
    ]
    rows = stored(legacy_wh, "nba_predictions.player_prop_predictions", "player_lookup", "2024-01-08")
    assert rows > players[0] > 0  # several systems per player
    counts = [int(m.group(1)) for x in lines if (m := re.fullmatch(r"  ✓ Success: (\d+) predictions in .+", x))]
    assert counts == players
    assert f"  Total predictions generated: {sum(players)}" in lines
    # Resumed from the ledger (fresh checkpoint dir): still players, read from the stored predictions.
    shutil.rmtree(legacy_env)
    rc, lines = run(
        "nbaprops.jobs.prediction.player_prop_predictions",
        ["--start-date", "2024-01-08", "--end-date", "2024-01-09"],
        capsys,
    )
    assert rc == 0
    assert f"  Total predictions generated: {sum(players)}" in lines


# ------------------------------------------------------------------ 9. malformed --as-of-date: exit 2
def test_scoring_tier_malformed_as_of_date_is_a_usage_error(legacy_env, capsys):
    rc, lines = run("nbaprops.jobs.grading.scoring_tier", ["--as-of-date", "2023/11/19"], capsys)
    assert rc == 2
    assert any("argument --as-of-date: invalid date '2023/11/19'" in x for x in lines)


# ------------------------------------------------------------------ 10. failure lines, warnings, help
@pytest.mark.parametrize(
    "code,expected",
    [
        ("pcf", "  ✗ Failed: boom"),
        ("mlfs", "  ✗ Failed: boom"),
        ("pred", "  ✗ Failed: failed"),
        ("tdza", "  ✗ Exception: boom"),
    ],
)
def test_failure_lines_have_the_legacy_shape(code, expected, caplog):
    from nbaprops.jobs._legacy import SCRIPTS, LegacyReporter

    s = SCRIPTS[code]
    rep = LegacyReporter(
        s,
        "proc",
        ["2024-01-08"],
        explicit=False,
        game_dates={"2024-01-08"},
        games_on={},
        resumed=set(),
        numbering_total=1,
    )
    with caplog.at_level(logging.INFO, logger="nbaprops.backfill"):
        rep.begin()
        rep.update(
            {
                "processor": "proc",
                "date": "2024-01-08",
                "status": "failed",
                "reason": "boom",
                "rows": 0,
                "entities": 0,
                "seconds": 0.0,
            }
        )
    assert expected in [r.getMessage() for r in caplog.records]
    assert rep.tally.failed == [("2024-01-08", "failed - boom")]


def test_skip_preflight_warning_and_progress_help_say_what_happens(legacy_env, capsys):
    from nbaprops.jobs._legacy import SCRIPTS, build_parser

    rc, lines = run(TDZA, ["--start-date", "2024-01-08", "--end-date", "2024-01-08", "--skip-preflight"], capsys)
    assert rc == 0
    warning = [x for x in lines if x.startswith("Skipping pre-flight checks")]
    assert warning and "surface as failed units" not in warning[0] and "succeed with fewer or no rows" in warning[0]
    text = build_parser(SCRIPTS["tdza"], TDZA).format_help()
    assert "ignored" in " ".join(text.split()) and "legacy log lines" in " ".join(text.split())


# ------------------------------------------------------------------ 11. a missing warehouse: exit 2
def test_a_missing_warehouse_is_a_usage_error_and_nothing_is_created(legacy_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBAPROPS_WAREHOUSE")
    rc, lines = run(
        "nbaprops.jobs.precompute.player_composite_factors",
        ["--start-date", "2021-12-01", "--end-date", "2021-12-31"],
        capsys,
    )
    assert rc == 2
    assert any("warehouse directory 'warehouse' does not exist" in x for x in lines)
    assert not (tmp_path / "warehouse").exists()
    rc, lines = run(TDZA, ["--warehouse", "typo", "--dry-run"], capsys)
    assert rc == 2 and not (tmp_path / "typo").exists()
