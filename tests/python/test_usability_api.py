"""The Python API as a new user meets it: a refused pre-flight and an empty range are visible, bad arguments are
refused before anything runs, a string is a list of names (never its characters), reversed dates raise, a mistyped
copy source creates nothing, and the docs name what exists."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SMALL_LEAGUE

import nbaprops
from nbaprops.api.models import default_model_path

PGS = "nba_analytics.player_game_summary"


@pytest.fixture
def raw(small_raw_dir, tmp_path):
    """A private copy of the raw-only warehouse."""
    dst = tmp_path / "wh"
    shutil.copytree(small_raw_dir, dst)
    return nbaprops.open(dst)


def _ledger_rows(wh) -> int:
    return len(nbaprops.read(wh, "nba_orchestration.run_ledger"))


# ---------------------------------------------------------------------------------------- item 1: refusal
def test_a_refused_preflight_is_logged_as_a_warning(raw, tmp_path, caplog):
    p = nbaprops.plan(raw, "2023-11-01", "2023-11-30", processors=["phase4"])
    with caplog.at_level(logging.WARNING, logger="nbaprops"):
        result = nbaprops.backfill(raw, p, progress="none", checkpoint_dir=tmp_path / "ck")
    assert result.exit_code == 1 and result.units.empty
    assert result.preflight is not None and not result.preflight.ok
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("nbaprops")]
    assert len(warnings) == 1, caplog.text
    text = warnings[0].getMessage()
    assert "refused by the pre-flight" in text and "result.summary_text" in text
    assert str(result.preflight) in text  # the report itself, as the core words it


def test_a_plain_script_sees_the_refusal_on_stderr(raw, tmp_path):
    # No logging configuration at all: Python's last-resort handler shows the warning.
    script = (
        f"import nbaprops\nwh = nbaprops.open({raw.uri!r})\n"
        "p = nbaprops.plan(wh, '2023-11-01', '2023-11-30', processors=['phase4'])\n"
        f"r = nbaprops.backfill(wh, p, workers=2, checkpoint_dir={str(tmp_path / 'ck')!r})\n"
        "print('exit', r.exit_code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NBAPROPS_XGBOOST_MODEL": "none"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "exit 1"
    assert "refused by the pre-flight" in done.stderr and "PRE-FLIGHT FAILED" in done.stderr


@pytest.mark.parametrize("progress", ["bars", "", "LOG", 1, 0.5, object()])
def test_an_unknown_progress_is_refused_before_anything_runs(raw, tmp_path, progress):
    refused = nbaprops.plan(raw, "2023-11-01", "2023-11-30", processors=["phase4"])
    runnable = nbaprops.plan(raw, "2023-10-24", "2023-10-25", processors=["togs"])
    for p in (refused, runnable):
        with pytest.raises(nbaprops.ConfigError, match="progress=") as info:
            nbaprops.backfill(raw, p, progress=progress, checkpoint_dir=tmp_path / "ck")
        assert isinstance(info.value, ValueError)
    assert _ledger_rows(raw) == 0  # nothing ran


@pytest.mark.parametrize("progress", [None, "none", "log", False])
def test_the_documented_progress_values_run(raw, tmp_path, progress):
    result = nbaprops.backfill(
        raw, "2023-10-24", "2023-10-25", processors="togs", progress=progress, checkpoint_dir=tmp_path / "ck"
    )
    assert result.exit_code == 0, result.summary_text
    assert _ledger_rows(raw) > 0


def test_log_progress_goes_to_the_backfill_logger_at_info(raw, tmp_path, caplog):
    # What the docstring promises: "log" lines are INFO records of nbaprops.backfill.
    with caplog.at_level(logging.INFO, logger="nbaprops.backfill"):
        nbaprops.backfill(
            raw, "2023-10-24", "2023-10-25", processors="togs", progress="log", checkpoint_dir=tmp_path / "ck"
        )
    lines = [r for r in caplog.records if r.name == "nbaprops.backfill" and r.levelno == logging.INFO]
    assert any(re.match(r"Processing day 1/\d+: 2023-10-2[45]", r.getMessage()) for r in lines), caplog.text
    doc = nbaprops.backfill.__doc__
    assert "``nbaprops.backfill``" in doc and "logging.basicConfig(level=logging.INFO)" in doc


def test_backfill_docstring_points_at_summary_text_and_preflight():
    doc = nbaprops.backfill.__doc__
    assert "result.summary_text" in doc and "``.preflight``" in doc


# ------------------------------------------------------------------------------------ item 4: empty range
def test_a_range_without_games_warns(raw, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="nbaprops"):
        result = nbaprops.backfill(raw, "2023-07-01", "2023-07-10", progress="none", checkpoint_dir=tmp_path / "ck")
    assert result.exit_code == 0
    assert "No game dates in 2023-07-01 .. 2023-07-10 according to the warehouse's schedule" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="nbaprops"):
        nbaprops.backfill(raw, dates=["2023-07-04"], progress="none", checkpoint_dir=tmp_path / "ck")
    assert "No game dates in --dates 2023-07-04" in caplog.text


def test_a_range_with_games_does_not_warn(raw, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="nbaprops"):
        result = nbaprops.backfill(
            raw, "2023-10-24", "2023-10-25", processors="togs", progress="none", checkpoint_dir=tmp_path / "ck"
        )
    assert result.exit_code == 0 and "No game dates" not in caplog.text


# ----------------------------------------------------------------------------------- item 6: "none" model
def test_set_xgboost_model_accepts_none_as_text():
    before = nbaprops.xgboost_model_id()
    try:
        for value in ("none", "None", "NONE"):
            assert nbaprops.set_xgboost_model(value) == ""
            assert nbaprops.xgboost_model_id() == ""
    finally:
        path = default_model_path()
        if before and path is not None:
            nbaprops.set_xgboost_model(path)


# --------------------------------------------------------------------- item 7: strings and reversed dates
def test_coverage_takes_a_comma_separated_string_of_tables(raw):
    one = nbaprops.coverage(raw, "2023-10-24", "2023-10-26", tables=PGS).to_frame()
    assert set(one["table"]) == {PGS}
    two = nbaprops.coverage(
        raw, "2023-10-24", "2023-10-26", tables=f"{PGS}, nba_analytics.team_offense_game_summary"
    ).to_frame()
    assert set(two["table"]) == {PGS, "nba_analytics.team_offense_game_summary"}
    listed = nbaprops.coverage(raw, "2023-10-24", "2023-10-26", tables=[PGS]).to_frame()
    assert one.equals(listed)


def test_monthly_counts_takes_a_string_of_tables_and_refuses_reversed_dates(raw):
    sched = "nba_raw.nbac_schedule"
    one = nbaprops.monthly_counts(raw, "2023-10-01", "2023-11-30", tables=sched)
    assert list(one.index) == [sched] and one.loc[sched, "total"] > 0
    assert one.equals(nbaprops.monthly_counts(raw, "2023-10-01", "2023-11-30", tables=[sched]))
    with pytest.raises(nbaprops.ConfigError, match="is before"):
        nbaprops.monthly_counts(raw, "2023-11-30", "2023-10-01", tables=sched)


def test_read_takes_a_string_of_columns(raw):
    df = nbaprops.read(raw, "nba_raw.nbac_schedule", "2023-10-24", "2023-10-26", "game_id")
    assert list(df.columns) == ["game_id"] and len(df) > 0
    df = nbaprops.read(raw, "nba_raw.nbac_schedule", "2023-10-24", "2023-10-26", "game_id, game_date")
    assert list(df.columns) == ["game_id", "game_date"]


def test_other_name_arguments_take_a_string(raw, tmp_path):
    from nbaprops.api.raw import date_list

    assert nbaprops.plan(raw, dates="2023-10-25, 2023-10-30", processors="togs").dates == ["2023-10-25", "2023-10-30"]
    assert [d.isoformat() for d in date_list(dates="2024-01-03,2024-01-01")] == ["2024-01-01", "2024-01-03"]
    result = nbaprops.export(
        raw, dates="2023-10-25", types="results", out_dir=tmp_path / "x", generated_at="2024-01-01T00:00:00Z"
    )
    assert [d["date"] for d in result.dates] == ["2023-10-25"]
    wh = nbaprops.open(tmp_path / "demo")
    as_text = nbaprops.demo.generate(wh, seasons="2023", teams="BOS,NYK,PHI")
    as_list = nbaprops.demo.generate(wh, seasons=2023, teams=["BOS", "NYK", "PHI"])
    assert as_text == as_list and as_text["seasons"] == [2023] and as_text["games"] > 0


def test_a_reversed_raw_import_range_is_refused_not_read_as_every_date(raw, tmp_path):
    # An empty list of dates means "every date folder found": a reversed range must not turn into that.
    lake = tmp_path / "lake"
    lake.mkdir()
    with pytest.raises(nbaprops.ConfigError, match="--end-date 2024-01-01 is before --start-date 2024-01-03"):
        nbaprops.import_raw(raw, "gamebook", lake, start="2024-01-03", end="2024-01-01", dry_run=True)


def test_read_refuses_reversed_dates(raw):
    with pytest.raises(nbaprops.ConfigError, match="end 2023-11-01 is before start 2023-11-07"):
        nbaprops.read(raw, "nba_raw.nbac_schedule", "2023-11-07", "2023-11-01")
    with pytest.raises(nbaprops.ConfigError, match="is before"):
        raw.partition_counts("nba_raw.nbac_schedule", "2023-11-07", "2023-11-01")
    assert len(nbaprops.read(raw, "nba_raw.nbac_schedule", "2023-10-25", "2023-10-25")) > 0


def test_copy_refuses_reversed_dates_and_creates_nothing(raw, tmp_path):
    dst = tmp_path / "copy"
    with pytest.raises(nbaprops.ConfigError, match="end 2023-11-01 is before start 2023-11-02"):
        nbaprops.copy(raw, dst, "nba_raw", "2023-11-02", "2023-11-01")
    assert not dst.exists()


# -------------------------------------------------------------------------------- item 3: missing source
def test_copy_from_a_missing_source_creates_nothing(raw, tmp_path):
    typo, dst = tmp_path / "typo", tmp_path / "copy"
    for source in (typo, str(typo), f"sqlite://{typo}"):
        with pytest.raises(nbaprops.ConfigError, match="source warehouse directory .* does not exist"):
            nbaprops.copy(source, dst, "all")
    assert not typo.exists() and not dst.exists()
    df = nbaprops.copy(Path(raw.uri), dst, "nba_raw.nbac_schedule", "2023-10-25", "2023-10-25")
    assert df["rows"].sum() > 0


# ------------------------------------------------------------------------------------- item 8: the docs
def test_help_lists_every_public_name():
    doc = nbaprops.__doc__
    missing = [n for n in nbaprops.__all__ if n != "__version__" and not re.search(rf"\b{re.escape(n)}\b", doc)]
    assert missing == []


def test_export_docstring_names_only_public_api():
    assert "EXPORT_TYPES" not in nbaprops.export.__doc__
    assert "export_types" in nbaprops.export.__doc__


def test_export_defaults_to_the_same_directory_as_the_cli(raw, tmp_path, monkeypatch):
    from nbaprops import cli

    monkeypatch.setenv("NBAPROPS_EXPORT_DIR", str(tmp_path / "env-exports"))
    result = nbaprops.export(raw, "2023-10-24", types="results", generated_at="2024-01-01T00:00:00Z")
    assert result.out_dir == tmp_path / "env-exports"
    assert (tmp_path / "env-exports" / "v1" / "results" / "2023-10-24.json").is_file()
    args = cli.build_parser().parse_args(["export", "--date", "2023-10-24"])
    assert args.out == str(tmp_path / "env-exports")
    monkeypatch.delenv("NBAPROPS_EXPORT_DIR")
    monkeypatch.chdir(tmp_path)
    result = nbaprops.export(raw, "2023-10-24", types="results", generated_at="2024-01-01T00:00:00Z")
    assert (tmp_path / "exports" / "v1" / "results" / "2023-10-24.json").is_file()
    assert cli.build_parser().parse_args(["export", "--date", "2023-10-24"]).out == "exports"


README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_quickstart_runs_as_written(tmp_path, monkeypatch):
    # The README's first Python block, as written, on a small league (same dates, same calls).
    text = README.read_text()
    block = re.search(r"## Using it from Python.*?```python\n(.*?)```", text, re.S).group(1)
    assert "demo.generate(wh, seasons=[2023], seed=7)" in block
    block = block.replace("seed=7)", f"seed=7, teams={SMALL_LEAGUE!r})")
    block = block.replace("workers=2)", f"workers=2, checkpoint_dir={str(tmp_path / 'ck')!r}, progress='none')")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NBAPROPS_XGBOOST_MODEL", "none")
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)  # noqa: S102 - the documentation's own example
    result = scope["result"]
    assert result.exit_code == 0, result.summary_text
    assert {"player_game_summary", "player_shot_zone_analysis"} <= set(result.summary.index)
    assert result.summary.loc["ml_feature_store_v2", "success"] > 0  # Phase 4 ran to its end
    assert "player_lookup" in scope["df"].columns and "table" in scope["gaps"].columns
