"""The command line as a new user meets it: date errors worded as the Python API words them, a subcommand's
usage line for its own errors, every subcommand in --help, a mistyped copy source refused, and a refusal or an
empty range said once."""

from __future__ import annotations

import re
import shutil

import pytest

import nbaprops
from nbaprops import cli


@pytest.fixture
def raw(small_raw_dir, tmp_path):
    dst = tmp_path / "wh"
    shutil.copytree(small_raw_dir, dst)
    return dst


@pytest.mark.parametrize(
    ("flag", "value", "why"),
    [
        ("--start-date", "2023-11-31", "no such day"),
        ("--start-date", "2023-02-29", "no such day"),
        ("--end-date", "2023-13-01", "no such day"),
        ("--start-date", "2023-1-1", "bad format"),
        ("--start-date", "20231101", "bad format"),
        ("--start-date", "yesterday", "bad format"),
    ],
)
def test_a_date_error_says_why_as_the_python_api_does(run_cli, tmp_path, flag, value, why):
    code, out, err = run_cli("backfill", flag, value, "--warehouse", tmp_path / "wh")
    assert code == 2
    assert f"argument {flag}: invalid date '{value}' ({why}; expected YYYY-MM-DD)" in err
    with pytest.raises(nbaprops.DataError, match=why):
        nbaprops.api.dates.to_days(value, flag)


@pytest.mark.parametrize(
    "command",
    [
        ["backfill"],
        ["preflight"],
        ["coverage"],
        ["export"],
        ["copy", "--to", "x", "--tables", "all"],
        ["import", "gamebook", "lake/"],
    ],
)
def test_reversed_dates_print_the_subcommand_usage(run_cli, raw, command):
    flag = "--from" if command[0] == "copy" else "--warehouse"
    code, out, err = run_cli(*command, flag, raw, "--start-date", "2023-11-07", "--end-date", "2023-11-01")
    assert code == 2
    assert f"usage: nbaprops {command[0]} " in err
    assert f"nbaprops {command[0]}: error: --end-date 2023-11-01 is before --start-date 2023-11-07" in err


def test_import_validates_its_lake_dates(run_cli, raw, tmp_path):
    code, out, err = run_cli("import", "gamebook", tmp_path, "--warehouse", raw, "--start-date", "2024-02-30")
    assert code == 2 and "argument --start-date: invalid date '2024-02-30' (no such day" in err
    code, out, err = run_cli("import", "gamebook", tmp_path, "--warehouse", raw, "--dates", "2024-01-01,")
    assert code == 2 and "empty date" in err


def test_help_describes_every_subcommand(run_cli):
    code, out, err = run_cli("--help")
    assert code == 0
    commands = re.search(r"\{([a-z,-]+)\}", out).group(1).split(",")
    assert "copy" in commands and "legacy-tree" in commands
    description = " ".join(cli.build_parser().description.split())
    assert [c for c in commands if not re.search(rf"\b{c}\b", description)] == []


def test_copy_from_a_missing_source_exits_2_and_creates_nothing(run_cli, tmp_path):
    typo, dst = tmp_path / "whX", tmp_path / "wh_copy"
    code, out, err = run_cli("copy", "--from", typo, "--to", dst, "--tables", "all")
    assert code == 2, (out, err)
    assert f"--from: warehouse directory '{typo}' does not exist" in err and "nbaprops generate" in err
    assert not typo.exists() and not dst.exists()


def test_copy_validates_its_dates(run_cli, raw, tmp_path):
    code, out, err = run_cli("copy", "--from", raw, "--to", tmp_path / "c", "--tables", "all", "--dates", "2023-11-31")
    assert code == 2 and "invalid date '2023-11-31' (no such day" in err
    assert not (tmp_path / "c").exists()


def test_copy_from_an_existing_source_still_copies(run_cli, raw, tmp_path):
    code, out, err = run_cli(
        "copy", "--from", raw, "--to", tmp_path / "c", "--tables", "nba_raw.nbac_schedule", "--dates", "2023-10-25"
    )
    assert code == 0, err
    assert "nba_raw.nbac_schedule" in out and nbaprops.read(nbaprops.open(tmp_path / "c"), "nba_raw.nbac_schedule").size


@pytest.mark.parametrize("kind", ["shots", "schedule", "boxscores"])
def test_an_import_of_a_directory_says_it_is_a_directory(run_cli, raw, tmp_path, kind):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = run_cli("import", kind, folder, "--warehouse", raw)
    assert code == 2 and f"import file '{folder}' is a directory, not a file: give one {kind} file" in err, err


def test_only_sqlite_warehouses_are_checked_for_a_directory(tmp_path):
    cli.require_warehouse("bigquery://my-project?location=US")  # another backend: opened, not looked for
    with pytest.raises(cli.UsageError, match="does not exist"):
        cli.require_warehouse(f"sqlite://{tmp_path / 'missing'}")
    with pytest.raises(cli.UsageError, match="does not exist"):
        cli.require_warehouse(str(tmp_path / "missing"))


def test_a_refused_preflight_is_printed_once(run_cli, raw, tmp_path):
    code, out, err = run_cli(
        "backfill",
        "--warehouse",
        raw,
        "--start-date",
        "2023-11-01",
        "--end-date",
        "2023-11-30",
        "--processors",
        "phase4",
        "--progress",
        "none",
        "--checkpoint-dir",
        tmp_path / "ck",
    )
    assert code == 1
    assert (out + err).count("PRE-FLIGHT FAILED — nothing was written.") == 1, out + err
    assert "refused by the pre-flight" not in out + err  # the Python API's warning is not repeated here


def test_an_empty_range_warns_once(run_cli, raw, tmp_path):
    code, out, err = run_cli(
        "backfill",
        "--warehouse",
        raw,
        "--start-date",
        "2023-07-01",
        "--end-date",
        "2023-07-10",
        "--progress",
        "none",
        "--checkpoint-dir",
        tmp_path / "ck",
    )
    assert code == 0
    assert (out + err).count("No game dates in 2023-07-01 .. 2023-07-10") == 1, out + err
    code, out, err = run_cli(
        "backfill",
        "--warehouse",
        raw,
        "--dates",
        "2023-07-04",
        "--progress",
        "none",
        "--checkpoint-dir",
        tmp_path / "ck",
    )
    assert code == 0
    assert (out + err).count("No game dates in --dates 2023-07-04") == 1, out + err
