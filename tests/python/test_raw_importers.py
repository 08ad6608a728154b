"""Raw (data-lake) importers from Python and the shell: every kind on the legacy samples through
`nbaprops import <kind>`, the public API's errors and the drop-in scripts' flags and exit codes."""

from __future__ import annotations

import json

import pytest

from conftest import require_shared


def _lake_file(root, rel: str, text: str):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_sources_list_every_kind_with_its_job():
    import nbaprops

    kinds = {s["kind"]: s for s in nbaprops.raw_sources()}
    assert set(kinds) == {
        "gamebook",
        "team-boxscore",
        "props",
        "game-lines",
        "injury-report",
        "bdl-boxscores",
        "bdl-stats",
    }
    assert kinds["gamebook"]["table"] == "nba_raw.nbac_gamebook_player_stats"
    assert kinds["gamebook"]["replace_key"] == ["game_id"]
    assert kinds["props"]["prefixes"] == ["odds-api/player-props-history/", "odds-api/player-props/"]
    import importlib

    for s in kinds.values():
        assert callable(importlib.import_module(f"nbaprops.jobs.raw.{s['job']}").main)


@pytest.mark.parametrize(
    "kind, rel, rows",
    [
        ("gamebook", "nbac_gamebook_pdf/exp_0173bcd1.json", 41),
        ("injury-report", "nbac_injury_report/exp_f4391904.json", 14),
        ("game-lines", "oddsa_game_lines_his/exp_b722994c.json", 8),
        ("bdl-boxscores", "bdl_box_scores/exp_7a649e12.json.gz", 384),
        ("bdl-stats", "bdl_player_box_scores/exp_1db4c01e.json", 30),
    ],
)
def test_cli_imports_each_sample_file(kind, rel, rows, tmp_path, capsys):
    import nbaprops
    from nbaprops.cli import main

    path = require_shared(f"legacy-samples/{rel}")
    assert main(["import", kind, str(path), "--warehouse", str(tmp_path / "wh")]) == 0
    out = capsys.readouterr().out
    assert f"{rows:,} rows" in out
    table = next(s["table"] for s in nbaprops.raw_sources() if s["kind"] == kind)
    assert len(nbaprops.read(nbaprops.open(tmp_path / "wh"), table)) == rows
    # Idempotent: a second import replaces what the file covers.
    assert main(["import", kind, str(path), "--warehouse", str(tmp_path / "wh")]) == 0
    assert len(nbaprops.read(nbaprops.open(tmp_path / "wh"), table)) == rows


def test_injury_report_names_from_a_lake_directory(tmp_path):
    import nbaprops

    text = require_shared("legacy-samples/nbac_injury_report/exp_f4391904.json").read_text()
    lake = tmp_path / "lake"
    _lake_file(lake, "nba-com/injury-report-data/2024-01-04/12/20240104_121438.json", text)
    # A re-scrape of the same hourly report: only the newest file of the hour folder is read.
    _lake_file(lake, "nba-com/injury-report-data/2024-01-04/12/20240104_120500.json", text)
    wh = nbaprops.open(tmp_path / "wh")
    r = nbaprops.import_raw(wh, "injury-report", lake, start="2024-01-04", end="2024-01-04")
    assert r.rows == 14 and len(r.files) == 1
    df = nbaprops.read(wh, "nba_raw.nbac_injury_report").set_index("player_name_original")
    assert df.loc["Duke Jr., David", "player_lookup"] == "daviddukejr"
    assert df.loc["Payton II, Gary", "player_full_name"] == "Gary Payton II"
    assert df.loc["Green, Draymond", "reason_category"] == "suspension"


def test_bad_file_is_a_data_error_and_nothing_is_written(tmp_path):
    import nbaprops

    text = require_shared("legacy-samples/nbac_gamebook_pdf/exp_0173bcd1.json").read_text()
    bad = json.loads(text)
    bad["active_players"][4]["stats"]["minutes"] = "355:00"
    lake = tmp_path / "lake"
    _lake_file(lake, "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20250805_151438.json", json.dumps(bad))
    wh = nbaprops.open(tmp_path / "wh")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(wh, "gamebook", lake, dates=["2024-04-10"])
    msg = str(e.value)
    assert "20240410-MEMCLE/20250805_151438.json" in msg and "Scotty Pippen Jr." in msg
    assert "minutes_decimal" in msg and "2024-04-10" in msg
    assert len(nbaprops.read(wh, "nba_raw.nbac_gamebook_player_stats")) == 0
    ledger = nbaprops.read(wh, "nba_orchestration.run_ledger")
    assert list(ledger["status"]) == ["failed"]


def test_job_script_flags_exit_codes_and_dry_run(tmp_path, capsys):
    import nbaprops
    from nbaprops.jobs.raw import bdl_boxscores

    text = require_shared("legacy-samples/bdl_box_scores/exp_7a649e12.json").read_text()
    lake = tmp_path / "lake"
    _lake_file(lake, "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json", text)
    _lake_file(lake, "ball-dont-lie/boxscores/2024-01-16/20240117_090000.json", text[: len(text) // 3])
    wh_dir = str(tmp_path / "wh")
    args = ["--source", str(lake), "--warehouse", wh_dir]
    assert bdl_boxscores.main(["--dates", "2024-01-15", "--dry-run", *args]) == 0
    assert "Total rows checked: 384" in capsys.readouterr().out
    assert len(nbaprops.read(nbaprops.open(wh_dir), "nba_raw.bdl_player_boxscores")) == 0
    # One good date, one truncated file: the good date is written, the bad one reported, exit 1.
    assert bdl_boxscores.main(["--start-date", "2024-01-15", "--end-date", "2024-01-16", *args]) == 1
    out = capsys.readouterr().out
    assert "Failed dates (1 total)" in out and "2024-01-16" in out and "truncated JSON" in out
    assert "Retry: python -m nbaprops.jobs.raw.bdl_boxscores --dates 2024-01-16" in out
    assert len(nbaprops.read(nbaprops.open(wh_dir), "nba_raw.bdl_player_boxscores")) == 384
    # No date flag at all is a usage error reported as exit 1.
    assert bdl_boxscores.main(args) == 1
