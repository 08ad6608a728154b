"""Compatibility suite: every legacy Phase 3–5 script, run as a runbook line would run it — a dry run and
a tiny real run on the demo warehouse, with the clock fixed (NBAPROPS_TODAY). Each run checks that the
flags are accepted, that the date range is the legacy default, that every log line has a shape taken from
the legacy script (``LEGACY_SHAPES``, transcribed from najicham/nba-stats-scraper @ 779e8a78, plus the few
lines nbaprops adds, ``OUR_EXTRAS``), the exit code and the checkpoint effect.

The scripts run in-process (their ``main(argv)``) to keep the suite fast; one copy of the shared demo
warehouse serves the read-mostly runs (reruns write identical rows), tests that damage data get their own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LEGACY_TODAY

import nbaprops

TODAY = LEGACY_TODAY  # → the legacy default range today−7 … yesterday = 2024-01-03 … 2024-01-09
LAST7 = ("2024-01-03", "2024-01-09")

D = r"\d{4}-\d\d-\d\d"
N = r"-?\d+"
F = r"-?\d+\.\d"

# Shapes of the legacy log lines, per script family (regexes over the message, after "time - LEVEL - ").
_SUMMARY_COMMON = [r"=+", r""]
LEGACY_SHAPES: dict[str, list[str]] = {
    "day": [
        r"Day-by-day analytics backfill configuration:",
        rf"  Date range: {D} to {D}",
        r"  Dry run: (True|False)",
        r"  No resume: (True|False)",
        r"  Processing strategy: Day-by-day \(fixes BigQuery size limits\)",
        rf"Starting day-by-day analytics backfill from {D} to {D}",
        rf"Will process {N} days from {D} to {D}",
        rf"📂 Found checkpoint - resuming from {D}",
        rf"   Skipping {N} already-processed dates",
        rf"Processing {N} days individually \(day-by-day approach\)",
        r"Checkpoint: .+",
        rf"Processing day {N}/{N}: {D}",
        rf"  ✓ Success: {N} records( from {N} games)?",
        rf"  ✗ Failed: {D}",
        r"  ✗ Exception: .+",
        rf"Progress: {N}/{N} days \({F}% success\), {N} total records \(avg {N}/day\)",
        r"DAY-BY-DAY BACKFILL SUMMARY:",
        rf"  Total days: {N}",
        rf"  Successful days: {N}",
        rf"  Failed days: {N}",
        rf"  Success rate: {F}%",
        rf"  Total records processed: {N}",
        rf"  Average records per day: {F}",
        r"📊 Checkpoint Summary:",
        rf"   Total successful: {N}",
        rf"   Total failed: {N}",
        r"   Checkpoint file: .+",
        rf"  Failed dates \({N} total\):",
        rf"    {D}(, {D})*",
        rf"    \.\.\. and {N} more",
        r"  To retry failed days, use --dates parameter:",
        r"    python .+ --dates .+",
        rf"Processing {N} specific dates",
        rf"Processing date {N}/{N}: {D}",
        rf"  ✓ Success: {N} records",
        r"  ✓ Dry run complete",
        rf"  ✓ Dry run: {N} games available",
        r"SPECIFIC DATES PROCESSING SUMMARY:",
        rf"  Total dates: {N}",
        rf"  Successful: {N}",
        rf"  Failed: {N}",
        rf"  Total records: {N}",
        rf"  Average per date: {F}",
        r"  Failed dates: .+",
    ],
    "context": [
        r"Upcoming (Player|Team) Game Context Backfill",
        rf"Date Range: {D} to {D}",
        rf"Total Days: {N}",
        rf"Remaining Days: {N}",
        r"Mode: (DRY RUN|PRODUCTION)",
        r"Checkpoint: .+",
        rf"Processing date {N}/{N}: {D}",
        rf"📂 Found checkpoint - resuming from {D}",
        rf"   Skipping {N} already-processed dates",
        rf"✅ {D}: Processed {N} players \({N} failed\)",
        rf"✅ {D}: Processed {N} teams, {N} games",
        rf"⚠️  {D}: Processing failed( - .+)?",
        r"BACKFILL COMPLETE",
        rf"Days Processed: {N}/{N}",
        rf"Days Failed: {N}",
        rf"Total Players Processed: {N}",
        rf"Total Players Failed: {N}",
        rf"Total Teams: {N}",
        rf"Total Games: {N}",
        r"📊 Checkpoint Summary:",
        rf"   Total successful: {N}",
        rf"   Total failed: {N}",
        r"   Checkpoint file: .+",
        r"DRY RUN MODE - No data will be processed",
        rf"Would process (player|team) game context for {N} dates:",
        rf"  - {D}",
        rf"  \.\.\. and {N} more dates",
    ],
    "phase4": [
        rf"Starting (day-by-day precompute backfill|backfill|ML Feature Store backfill) from {D} to {D}",
        r"Fetching NBA schedule to find game dates\.\.\.",
        rf"Found {N} game dates out of {N} calendar days \(skipping {N} off-days\)",
        r"RESUMING from checkpoint: .+",
        rf"Processing {N} game dates \(of {N} total game dates\)",
        rf"  \(Skipping {N} off-days in the calendar range\)",
        rf"Processing game date {N}/{N}: {D}",
        rf"Processing date {N}/{N}: {D}",
        rf"  ✓ Success: {N} (teams|players)( processed)?",
        rf"  ✓ Success: {N} players, version=\S+",
        r"  ⏭ Skipped: bootstrap period",
        r"  ✗ Failed: .+",
        r"  ✗ Exception: .+",
        rf"Progress: {N}/{N} game dates( \({F}% success\))?",
        r"PHASE 4 BACKFILL SUMMARY - \w+( \(FINAL\))?:",
        rf"  Date range: {D} to {D}",
        rf"  Game dates processed: {N} \(skipped {N} off-days\)",
        rf"  Successful: {N}, Skipped: {N}, Failed: {N}",
        rf"  Successful days: {N}",
        rf"  Skipped \(bootstrap\): {N}",
        rf"  Failed days: {N}",
        rf"  Success rate: {F}%",
        rf"  Total (teams|players) processed: {N}",
        rf"  Total players: {N}",
        rf"  Average teams per day: {F}",
        rf"  Average players/day: {F}",
        r"  Failed dates.*",
        rf"    {D}(, {D})*",
        r"  To retry.*",
        r"    python .+",
        r"  Checkpoint: .+",
        rf"  ✓ Dry run: Phase 3 (available|NOT available) \({N} teams\)",
        rf"  ✓ Dry run: {N} players available",
        r"  ✓ Dry run: deps (OK|MISSING)",
        r"  ✓ Dry run: ALL Phase 4 dependencies available",
        r"  ⚠ Dry run: MISSING dependencies: .+",
        rf"Processing {N} specific dates",
        r"SPECIFIC DATES PROCESSING SUMMARY:",
        rf"  Total dates: {N}",
        rf"  Successful: {N}",
        rf"  Skipped: {N}",
        rf"  Failed: {N}",
        rf"  Total teams: {N}",
        rf"  ✓ Success: {N} teams",
        rf"  ✓ {D}: {N} players",
        rf"Summary: {N} success, {N} skipped, {N} failed",
        rf"{D}: \w+",
    ],
    "predictions": [
        rf"Starting Phase 5 prediction backfill from {D} to {D}",
        r"Fetching NBA schedule to find game dates\.\.\.",
        rf"Found {N} game dates out of {N} calendar days \(skipping {N} off-days\)",
        r"RESUMING from checkpoint: .+",
        rf"Processing {N} game dates \(of {N} total\)",
        r"Checkpoint: .+",
        rf"Processing game date {N}/{N}: {D}",
        rf"  ✓ Success: {N} predictions in {F}s",
        rf"  ⚠ Skipped: MLFS incomplete \({F}% coverage\)",
        r"  ⏭ Skipped: bootstrap period",
        r"  ✗ Failed: .+",
        rf"Progress: {N}/{N} game dates",
        r"PHASE 5 PREDICTION BACKFILL SUMMARY:",
        rf"  Game dates processed: {N}",
        rf"  Successful: {N}, Skipped: {N}, Failed: {N}",
        rf"  Total predictions generated: {N}",
        r"  Failed dates: \[.*\]",
        r"  ✓ Dry run: deps (OK|MISSING)",
        rf"Processing {N} specific dates",
        rf"Processing date {N}/{N}: {D}",
        rf"{D}: \w+",
    ],
    "grading": [
        rf"Starting Phase 5B grading backfill from {D} to {D}",
        r"Fetching game dates with predictions\.\.\.",
        rf"Found {N} game dates out of {N} calendar days \(skipping {N} off-days\)",
        r"RESUMING from checkpoint: .+",
        rf"Processing {N} game dates \(of {N} total\)",
        r"Checkpoint: .+",
        rf"Grading date {N}/{N}: {D}",
        rf"  ✓ Success: {N} graded, MAE=\S+, bias=\S+ in {F}s",
        r"  ⏭ Skipped: no predictions",
        r"  ✗ Failed: .+",
        rf"Progress: {N}/{N} game dates",
        r"PHASE 5B GRADING BACKFILL SUMMARY:",
        rf"  Game dates processed: {N}",
        rf"  Successful: {N}, Skipped: {N}, Failed: {N}",
        rf"  Total predictions graded: {N}",
        r"  Failed dates: \[.*\]",
        rf"  ✓ Dry run: {N} predictions \({N} systems\), {N} actuals",
        rf"Processing {N} specific dates",
        rf"{D}: success - {N} graded, MAE=\S+, bias=\S+",
    ],
    "tier": [
        rf"Backfilling scoring tier adjustments from {D} to {D}",
        rf"Processing {N} dates",
        rf"\[{N}/{N}\] Processing {D}",
        r"  Error: .+",
        r"SCORING TIER BACKFILL COMPLETE",
        rf"  Processed: {N} dates",
        rf"  Success: {N}, Skipped: {N}, Failed: {N}",
        rf"Computing adjustments as of {D}",
        rf"Processing {N} specific dates",
    ],
}
# The checkpoint status box the Phase 4-5 scripts print after "RESUMING from checkpoint" (legacy print_status).
CHECKPOINT_BOX = [
    r"CHECKPOINT STATUS: \w+",
    rf"Date range: {D} to {D}",
    rf"Total days: {N}",
    rf"Processed: {N}",
    rf"  Successful: {N}",
    rf"  Failed: {N}",
    rf"  Skipped: {N}",
    rf"Last success: {D}",
    rf"Resume from: {D} \({N} days remaining\)",
    r"Status: COMPLETE",
    r"File: .+",
]
for _family in ("phase4", "predictions", "grading"):
    LEGACY_SHAPES[_family] += CHECKPOINT_BOX
# Lines nbaprops adds (each documented in docs/legacy-compat.md).
OUR_EXTRAS = [
    r"Execution order: .+",
    r"Pre-flight \(nbaprops\): .+",
    rf"  nba_\w+\.\w+ {D}: .+",
    r"Failure reasons:",
    rf"  {D}: .+",
    r"    (failed|blocked|cancelled): .+",
    r"Skipping pre-flight checks .+",
    r"🔄 --no-resume specified, starting fresh \(\w+\)",
    rf"Weekly mode: {N} dates, every 7 calendar days from {D}",
    r"MLFS coverage .+",
    rf"  ✗ {D}: MLFS coverage .+",
    r".* date\(s\) skipped: .+",
    r"📂 Found checkpoint - all dates already processed",
    r"  ⏭ Skipped: no games",
]
_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ - (INFO|WARNING|ERROR|DEBUG) - ")

SCRIPTS = {  # code: (module, family)
    "pgs": ("nbaprops.jobs.analytics.player_game_summary", "day"),
    "tdgs": ("nbaprops.jobs.analytics.team_defense_game_summary", "day"),
    "togs": ("nbaprops.jobs.analytics.team_offense_game_summary", "day"),
    "upgc": ("nbaprops.jobs.analytics.upcoming_player_game_context", "context"),
    "utgc": ("nbaprops.jobs.analytics.upcoming_team_game_context", "context"),
    "tdza": ("nbaprops.jobs.precompute.team_defense_zone_analysis", "phase4"),
    "psza": ("nbaprops.jobs.precompute.player_shot_zone_analysis", "phase4"),
    "pcf": ("nbaprops.jobs.precompute.player_composite_factors", "phase4"),
    "pdc": ("nbaprops.jobs.precompute.player_daily_cache", "phase4"),
    "mlfs": ("nbaprops.jobs.precompute.ml_feature_store", "phase4"),
    "pred": ("nbaprops.jobs.prediction.player_prop_predictions", "predictions"),
    "grade": ("nbaprops.jobs.grading.prediction_accuracy", "grading"),
    "tier": ("nbaprops.jobs.grading.scoring_tier", "tier"),
}
JOB = {
    "pgs": "player_game_summary",
    "tdgs": "team_defense_game_summary",
    "togs": "team_offense_game_summary",
    "upgc": "upcoming_player_game_context",
    "utgc": "upcoming_team_game_context",
    "tdza": "team_defense_zone_analysis",
    "psza": "player_shot_zone_analysis",
    "pcf": "player_composite_factors",
    "pdc": "player_daily_cache",
    "mlfs": "ml_feature_store",
    "pred": "prediction_backfill",
    "grade": "grading_backfill",
    "tier": "scoring_tier_adjustments",
}


def run(code_or_module: str, argv: list[str], capsys) -> tuple[int, list[str]]:
    """Runs one job script's main(argv) in-process; returns (exit code, log messages)."""
    import importlib

    module = SCRIPTS[code_or_module][0] if code_or_module in SCRIPTS else code_or_module
    mod = importlib.import_module(module)
    try:
        code = mod.main(argv)
    except SystemExit as e:  # argparse usage errors
        code = int(e.code or 0)
    out = capsys.readouterr()
    lines = []
    for raw in (out.out + out.err).splitlines():
        lines.append(_PREFIX.sub("", raw))
    return code, lines


def assert_shapes(family: str, lines: list[str]) -> None:
    allowed = [re.compile(p) for p in LEGACY_SHAPES[family] + _SUMMARY_COMMON + OUR_EXTRAS]
    odd = [line for line in lines if not any(p.fullmatch(line) for p in allowed)]
    assert not odd, f"lines without a legacy shape ({family}):\n" + "\n".join(odd[:20])


def date_range_of(lines: list[str]) -> tuple[str, str]:
    for line in lines:
        m = re.search(rf"(?:from|Date [Rr]ange:) ({D}) to ({D})", line)
        if m:
            return m.group(1), m.group(2)
    raise AssertionError("no date range line:\n" + "\n".join(lines[:10]))


def checkpoint(ck: Path, code: str, start: str, end: str) -> Path:
    return ck / f"{JOB[code]}_{start}_{end}.json"


def test_a_job_script_refused_because_another_run_writes_its_table_exits_75(legacy_env, legacy_wh, capsys):
    """A legacy job script whose table another run is writing is refused as `nbaprops backfill` is: the holding
    run named, nothing run or written, exit 75 (EX_TEMPFAIL: a scheduler retries it), not 1 (a failed date)."""
    import fcntl

    from nbaprops import errors

    lock = Path(legacy_wh) / ".nbaprops-locks" / "nba_analytics.team_offense_game_summary.lock"
    lock.parent.mkdir(exist_ok=True)
    with open(lock, "w") as f:  # what a running backfill holds (flock; released with its process)
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        f.write(json.dumps({"run_id": "run_other", "started_at": "2026-01-01T00:00:00Z", "pid": 4242}))
        f.flush()
        code, lines = run("togs", ["--start-date", "2024-01-10", "--end-date", "2024-01-10"], capsys)
    assert code == errors.BUSY_EXIT == 75, "\n".join(lines)
    assert any(
        "nba_analytics.team_offense_game_summary is being written by run run_other (started 2026-01-01T00:00:00Z, "
        "pid 4242)" in line
        for line in lines
    ), "\n".join(lines)
    assert not checkpoint(legacy_env, "togs", "2024-01-10", "2024-01-10").exists()


# ------------------------------------------------------------------ last-7-days scripts (PGS, Phase 4, 5)
@pytest.mark.parametrize("code", ["pgs", "tdza", "psza", "pcf", "pdc", "mlfs", "pred", "grade"])
def test_default_range_is_the_last_seven_days(code, legacy_env, capsys):
    module, family = SCRIPTS[code]
    code_dry, dry = run(code, ["--dry-run"], capsys)
    assert code_dry == 0, "\n".join(dry)
    assert date_range_of(dry) == LAST7
    assert_shapes(family, dry)
    assert not checkpoint(legacy_env, code, *LAST7).exists()  # a dry run writes nothing

    rc, lines = run(code, ["--workers", "1"], capsys)  # the runbook line: no dates at all
    assert rc == 0, "\n".join(lines)
    assert_shapes(family, lines)
    assert date_range_of(lines) == LAST7
    starts = [
        i
        for i, line in enumerate(lines)
        if re.fullmatch(rf"(Processing (game date|day)|Grading date) {N}/{N}: {D}", line)
    ]
    assert len(starts) == 7
    # Each date's line opens it: the next line is that date's outcome, never another date's.
    for i in starts:
        assert lines[i + 1].startswith(("  ✓", "  ⏭", "  ⚠", "  ✗")), lines[i : i + 2]
    data = json.loads(checkpoint(legacy_env, code, *LAST7).read_text())
    assert data["start_date"] == LAST7[0] and data["end_date"] == LAST7[1]
    assert len(data["successful_dates"]) + len(data["skipped_dates"]) == 7 and not data["failed_dates"]

    # --start-date alone runs to yesterday (the legacy default end).
    rc, lines = run(code, ["--start-date", "2024-01-08", "--dry-run"], capsys)
    assert rc == 0 and date_range_of(lines) == ("2024-01-08", "2024-01-09")

    # Resume: a rerun skips every date silently (no "0 players processed").
    rc, lines = run(code, [], capsys)
    assert rc == 0
    assert not [
        line for line in lines if "Processing game date" in line or "Processing day" in line or "Grading date" in line
    ]
    assert_shapes(family, lines)


def test_a_dates_retry_never_rewrites_a_range_checkpoint(legacy_env, capsys):
    rc, _ = run("psza", ["--start-date", "2024-01-03", "--end-date", "2024-01-06"], capsys)
    assert rc == 0
    path = checkpoint(legacy_env, "psza", "2024-01-03", "2024-01-06")
    before = path.read_bytes()
    assert len(json.loads(before)["successful_dates"]) == 4
    rc, lines = run("psza", ["--dates", "2024-01-03,2024-01-06"], capsys)  # matches the range's endpoints
    assert rc == 0
    assert "Summary: 2 success, 0 skipped, 0 failed" in lines
    assert_shapes("phase4", lines)
    assert path.read_bytes() == before
    assert sorted(p.name for p in legacy_env.glob("*.json")) == [path.name]


# ------------------------------------------------------------------ TOGS / TDGS: --start-date required (exit 1)
@pytest.mark.parametrize("code", ["togs", "tdgs"])
def test_team_summaries_need_a_start_date_and_default_the_end_to_it(code, legacy_env, capsys):
    rc, lines = run(code, [], capsys)
    assert rc == 1 and "--start-date is required for range processing" in lines
    rc, lines = run(code, ["--start-date", "2024-01-07", "--dry-run"], capsys)
    assert rc == 0 and date_range_of(lines) == ("2024-01-07", "2024-01-07")
    assert_shapes("day", lines)
    # A calendar range with an off day (the demo has no games on 2023-12-24).
    rc, lines = run(code, ["--start-date", "2023-12-23", "--end-date", "2023-12-25", "--workers", "1"], capsys)
    assert rc == 0, "\n".join(lines)
    assert_shapes("day", lines)
    assert [line for line in lines if line.startswith("Processing day")] == [
        "Processing day 1/3: 2023-12-23",
        "Processing day 2/3: 2023-12-24",
        "Processing day 3/3: 2023-12-25",
    ]
    assert "  Total days: 3" in lines
    assert checkpoint(legacy_env, code, "2023-12-23", "2023-12-25").exists()
    rc, lines = run(code, ["--start-date", "2023-12-23", "--end-date", "2023-12-24", "--dates", "2023-12-23"], capsys)
    assert rc == 0 and "SPECIFIC DATES PROCESSING SUMMARY:" in lines


# ------------------------------------------------------------------ UPGC / UTGC: argparse-required start (exit 2)
@pytest.mark.parametrize("code", ["upgc", "utgc"])
def test_context_scripts_require_a_start_date_as_a_usage_error(code, legacy_env, capsys):
    rc, _ = run(code, [], capsys)
    assert rc == 2
    rc, lines = run(code, ["--start-date", "2024-01-08", "--dry-run"], capsys)
    assert rc == 0 and date_range_of(lines) == ("2024-01-08", "2024-01-08")
    assert "DRY RUN MODE - No data will be processed" in lines
    assert_shapes("context", lines)
    rc, lines = run(code, ["--start-date", "2024-01-08", "--end-date", "2024-01-09"], capsys)
    assert rc == 0, "\n".join(lines)
    assert_shapes("context", lines)
    assert "BACKFILL COMPLETE" in lines and "Days Processed: 2/2" in lines
    assert any(re.fullmatch(rf"✅ 2024-01-08: Processed {N} (players \(0 failed\)|teams, {N} games)", x) for x in lines)
    assert checkpoint(legacy_env, code, "2024-01-08", "2024-01-09").exists()


# ------------------------------------------------------------------ scoring tier: legacy range, --weekly, --as-of-date
def test_scoring_tier_weekly_steps_seven_calendar_days_and_as_of_date(legacy_env, capsys, monkeypatch):
    rc, lines = run("tier", ["--weekly", "--start-date", "2023-12-01", "--end-date", "2023-12-20"], capsys)
    assert rc == 0, "\n".join(lines)
    assert_shapes("tier", lines)
    assert [line for line in lines if re.fullmatch(rf"\[{N}/{N}\] Processing {D}", line)] == [
        "[1/3] Processing 2023-12-01",
        "[2/3] Processing 2023-12-08",
        "[3/3] Processing 2023-12-15",
    ]
    assert "SCORING TIER BACKFILL COMPLETE" in lines
    rc, lines = run("tier", ["--as-of-date", "2024-01-05"], capsys)
    assert rc == 0 and "Computing adjustments as of 2024-01-05" in lines and "[1/1] Processing 2024-01-05" in lines
    # Default: 2021-12-05 through the newest graded date (a dry run, with a clock after the season).
    monkeypatch.setenv("NBAPROPS_TODAY", "2024-07-01")
    rc, lines = run("tier", ["--dry-run"], capsys)
    assert rc == 0
    graded = nbaprops.export_dates(nbaprops.open(os.environ["NBAPROPS_WAREHOUSE"]))
    assert date_range_of(lines) == ("2021-12-05", graded[-1])


# ------------------------------------------------------------------ pre-flight refusal and the MLFS gate
def test_preflight_refusal_prints_the_legacy_header_and_our_reasons(demo_dir, tmp_path, monkeypatch, capsys):
    from conftest import sql

    wh = tmp_path / "wh"
    shutil.copytree(demo_dir, wh)
    monkeypatch.setenv("NBAPROPS_TODAY", TODAY)
    monkeypatch.setenv("NBAPROPS_CHECKPOINT_DIR", str(tmp_path / "ck"))
    sql(nbaprops.open(wh), "nba_analytics", "DELETE FROM team_defense_game_summary WHERE game_date = '2024-01-05'")
    rc, lines = run("tdza", ["--warehouse", str(wh)], capsys)
    assert rc == 1
    assert "❌ PRE-FLIGHT CHECK FAILED: Phase 3 data is incomplete!" in lines
    assert any(re.fullmatch(r"  nba_analytics\.team_defense_game_summary 2024-01-05: missing .+", x) for x in lines)
    assert "  2. Use --skip-preflight to bypass (NOT RECOMMENDED)" in lines
    assert not [x for x in lines if x.startswith("Processing game date")]
    # Said once, in the legacy's words: nbaprops.backfill does not log its own report of the refusal too.
    assert not [x for x in lines if "PRE-FLIGHT FAILED" in x], lines


def test_predictions_gate_skips_a_low_coverage_date_reports_it_and_goes_on(demo_dir, tmp_path, monkeypatch, capsys):
    from conftest import sql

    wh = tmp_path / "wh"
    shutil.copytree(demo_dir, wh)
    monkeypatch.setenv("NBAPROPS_TODAY", TODAY)
    monkeypatch.setenv("NBAPROPS_CHECKPOINT_DIR", str(tmp_path / "ck"))
    monkeypatch.setenv("NBAPROPS_XGBOOST_MODEL", "none")
    sql(
        nbaprops.open(wh),
        "nba_predictions",
        "DELETE FROM ml_feature_store_v2 WHERE game_date = '2024-01-05' AND rowid % 2 = 0",
    )
    sql(nbaprops.open(wh), "nba_predictions", "DELETE FROM player_prop_predictions WHERE game_date >= '2024-01-04'")
    rc, lines = run("pred", ["--warehouse", str(wh), "--start-date", "2024-01-04", "--end-date", "2024-01-06"], capsys)
    assert rc == 3, "\n".join(lines)  # EXIT_SKIPPED: nothing failed, a date was skipped
    assert_shapes("predictions", lines)
    assert any(re.fullmatch(rf"  ⚠ Skipped: MLFS incomplete \({F}% coverage\)", x) for x in lines)
    assert "  Successful: 2, Skipped: 1, Failed: 0" in lines and "  Failed dates: ['2024-01-05']" in lines
    preds = nbaprops.read(nbaprops.open(wh), "nba_predictions.player_prop_predictions", "2024-01-04", "2024-01-06")
    assert sorted(preds["game_date"].dt.strftime("%Y-%m-%d").unique()) == ["2024-01-04", "2024-01-06"]


# ------------------------------------------------------------------ runbook entry points
def test_backfill_start_from_resumes_the_chain_from_one_processor(legacy_env, capsys):
    from nbaprops.cli import main

    rc = main(
        [
            "backfill",
            "--processors",
            "phase4",
            "--start-from",
            "pcf",
            "--start-date",
            "2024-01-08",
            "--end-date",
            "2024-01-09",
            "--dry-run",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0 and "Processing 6 units: 3 processors × 2 game dates" in out
    assert "team_defense_zone_analysis" not in out.split("Processing 6 units")[1].split("\n", 1)[0]
    rc = main(["backfill", "--processors", "phase4", "--start-from", "upgc", "--start-date", "2024-01-08"])
    assert rc == 2 and "not one of the selected processors" in capsys.readouterr().err  # a usage error


def test_run_phase4_backfill_sh_flags(legacy_env, capsys):
    from nbaprops.jobs.runbook import run_phase4_backfill

    assert run_phase4_backfill(["--start-date", "2024-01-08"]) == 1
    assert "--start-date and --end-date are required" in capsys.readouterr().out
    assert run_phase4_backfill(["--start", "2024-01-08"]) == 1
    assert "Unknown option: --start" in capsys.readouterr().out
    assert run_phase4_backfill(["-h"]) == 0 and "--start-from N" in capsys.readouterr().out
    rc = run_phase4_backfill(["--start-date", "2024-01-08", "--end-date", "2024-01-09", "--start-from", "4"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "Processing 4 units: 2 processors × 2 game dates" in out and "Phase 4 Backfill Complete!" in out
    assert checkpoint(legacy_env, "pdc", "2024-01-08", "2024-01-09").exists()
    assert checkpoint(legacy_env, "mlfs", "2024-01-08", "2024-01-09").exists()
    assert not checkpoint(legacy_env, "pcf", "2024-01-08", "2024-01-09").exists()


def test_run_backfill_sh_and_legacy_tree_launchers(legacy_env, tmp_path, capsys):
    from nbaprops.jobs.runbook import run_backfill, write_legacy_tree

    assert run_backfill(["--list"]) == 0 and "  player_game_summary" in capsys.readouterr().out
    assert run_backfill(["raw/bdl_injuries"]) == 1
    assert "Backfill job not found" in capsys.readouterr().out
    rc = run_backfill(["analytics/team_offense_game_summary", "--start-date", "2024-01-08", "--dry-run"])
    out = capsys.readouterr().out
    assert rc == 0 and "Module: nbaprops.jobs.analytics.team_offense_game_summary" in out

    files = write_legacy_tree(tmp_path / "legacy")
    for rel in [
        "backfill_jobs/precompute/player_daily_cache/player_daily_cache_precompute_backfill.py",
        "backfill_jobs/prediction/player_prop_predictions_backfill.py",
        "backfill_jobs/ml_feedback/scoring_tier_backfill.py",
        "backfill_jobs/publishing/daily_export.py",
        "bin/run_backfill.sh",
        "bin/backfill/run_phase4_backfill.sh",
    ]:
        assert rel in files and os.access(tmp_path / "legacy" / rel, os.X_OK), rel
    # A runbook line, unchanged, from the legacy tree's root (one real subprocess).
    r = subprocess.run(
        [
            sys.executable,
            "backfill_jobs/precompute/team_defense_zone_analysis/team_defense_zone_analysis_precompute_backfill.py",
            "--dry-run",
        ],
        cwd=tmp_path / "legacy",
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"from {LAST7[0]} to {LAST7[1]}" in r.stdout
