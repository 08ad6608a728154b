"""The CLI contract (issue 13, finding 7) and the import guarantees seen from the command line
(findings 2 and 5): usage errors exit 2, an empty --dates is an error, a missing warehouse is an error
that says how to create one, read-only warehouses open read-only, empty inputs warn."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from nbaprops import cli

SHOT_HEADER = (
    "SEASON_1,SEASON_2,TEAM_ID,TEAM_NAME,PLAYER_ID,PLAYER_NAME,POSITION_GROUP,POSITION,GAME_DATE,GAME_ID,"
    "HOME_TEAM,AWAY_TEAM,EVENT_TYPE,SHOT_MADE,ACTION_TYPE,SHOT_TYPE,BASIC_ZONE,ZONE_NAME,ZONE_ABB,"
    "ZONE_RANGE,LOC_X,LOC_Y,SHOT_DISTANCE,QUARTER,MINS_LEFT,SECS_LEFT\n"
)


def shot_row(
    team_name, pid, name, mmddyyyy, gid, home, away, made="TRUE", kind="2PT Field Goal", zone="Restricted Area", feet=2
):
    # SHOT_DISTANCE decides paint (≤ 8 ft) vs mid-range for twos (legacy spec §6); 2 ft matches the default zone.
    return (
        f"2024,2023-24,1,{team_name},{pid},{name},G,SG,{mmddyyyy},{gid},{home},{away},Made Shot,{made},"
        f"Jump Shot,{kind},{zone},Center,C,8-16 ft.,0,1,{feet},1,11,1\n"
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["backfill", "--start-date", "2023-13-01"], "invalid date '2023-13-01'"),
        (["backfill", "--start-date", "2023-02-30"], "invalid date '2023-02-30'"),
        (["backfill", "--start-date", "20231201"], "invalid date '20231201'"),
        (["backfill", "--start-date", "2023-12-05", "--end-date", "2023-12-01"], "--end-date 2023-12-01 is before"),
        (["backfill", "--workers", "0"], "--workers: must be at least 1"),
        (["backfill", "--workers", "two"], "--workers: invalid integer 'two'"),
        (["backfill", "--dates", ""], "--dates: empty list of dates"),
        (["backfill", "--dates", " , "], "--dates: empty list of dates"),
        (["backfill", "--dates", "2023-12-01,,2023-12-03"], "empty date"),
        (["backfill", "--dates", "2023-12-01,yesterday"], "invalid date 'yesterday'"),
        (["preflight", "--end-date", "2023-1-1"], "invalid date '2023-1-1'"),
        (["coverage", "--start-date", "2024-04-31"], "invalid date '2024-04-31'"),
        (["export", "--date", "tomorrow"], "invalid date 'tomorrow'"),
        (["export", "--workers", "-1"], "must be at least 1"),
        (["demo", "--workers", "0"], "must be at least 1"),
        (["import", "shots", "x.csv", "--replace", "--keep-existing"], "not allowed with argument"),
        (["--log-level", "loud", "processors"], "unknown log level 'loud'"),
    ],
)
def test_usage_errors_exit_2(run_cli, tmp_path, argv, message):
    code, out, err = run_cli(*argv, *([] if argv[0] == "--log-level" else ["--warehouse", tmp_path / "wh"]))
    assert code == 2, (out, err)
    assert message in err, err
    assert not (tmp_path / "wh").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["backfill", "--start-date", "2023-12-01", "--processors", "nope"], "unknown processor 'nope'"),
        (["backfill", "--dates", "2023-12-01", "--processors", "psza,bogus"], "unknown processor 'bogus'"),
        (["preflight", "--start-date", "2023-12-01", "--processors", "phase9"], "phase9"),
        (["export", "--date", "2023-12-01", "--only", "no-such-type"], "no-such-type"),
        (["export", "--start-date", "2023-12-01"], "go together"),
    ],
)
def test_config_errors_exit_2(run_cli, demo_copy, argv, message):
    code, out, err = run_cli(*argv, "--warehouse", demo_copy.uri)
    assert code == 2, (out, err)
    assert "usage error" in err and message in err, err


@pytest.mark.parametrize(
    "command",
    [["backfill", "--start-date", "2023-12-01"], ["preflight"], ["coverage"], ["export", "--date", "2023-12-01"]],
)
def test_missing_warehouse_is_an_error_that_says_how_to_create_one(run_cli, tmp_path, command):
    missing = tmp_path / "no-such-warehouse"
    code, out, err = run_cli(*command, "--warehouse", missing)
    assert code == 2, (out, err)
    assert f"warehouse directory '{missing}' does not exist" in err
    assert "nbaprops generate --warehouse" in err and "nbaprops import" in err
    assert not missing.exists()  # never created as a side effect


def test_empty_range_and_header_only_file_warn(run_cli, demo_copy, tmp_path):
    code, out, err = run_cli(
        "backfill",
        "--warehouse",
        demo_copy.uri,
        "--start-date",
        "2023-07-01",
        "--end-date",
        "2023-07-04",
        "--processors",
        "psza",
        "--checkpoint-dir",
        tmp_path / "ck",
        "--progress",
        "none",
    )
    assert code == 0
    assert "WARNING - No game dates in 2023-07-01 .. 2023-07-04" in out
    header_only = tmp_path / "empty.csv"
    header_only.write_text(SHOT_HEADER)
    code, out, err = run_cli("import", "shots", header_only, "--warehouse", tmp_path / "new")
    assert code == 0
    assert f"WARNING - {header_only}: no rows to import (empty file); nothing was written" in out
    empty_box = tmp_path / "empty.json"
    empty_box.write_text('{"data": []}')
    code, out, err = run_cli("import", "boxscores", empty_box, "--warehouse", tmp_path / "new")
    assert code == 0 and "no rows to import" in out
    code, out, err = run_cli("import", "boxscores", tmp_path / "absent.json", "--warehouse", tmp_path / "new")
    assert code == 2 and "does not exist" in err


def _demo_game_csv(wh, day="2024-01-15"):
    """A one-game shot chart of the demo's first game on ``day`` (home team shots only)."""
    import nbaprops

    s = nbaprops.read(wh, "nba_raw.nbac_schedule", day, day).iloc[0]
    team = f"{s['arena_city']} {s['home_team_name']}"
    mmddyyyy = f"{day[5:7]}-{day[8:10]}-{day[0:4]}"
    rows = [
        shot_row(
            team, 900001, "Test Shooter", mmddyyyy, s["game_id"], s["home_team_tricode"], s["away_team_tricode"], made
        )
        for made in ("TRUE", "FALSE", "TRUE")
    ]
    game_id = f"{day.replace('-', '')}_{s['away_team_tricode']}_{s['home_team_tricode']}"
    return SHOT_HEADER + "".join(rows), game_id


def test_finding2_shots_over_a_gamebook_with_points_refuse_keep_or_replace(run_cli, demo_copy, tmp_path):
    """Finding 2 from the CLI: nothing is erased silently; --keep-existing and --replace say what
    they did; other games of the date are never touched."""
    import nbaprops

    text, game_id = _demo_game_csv(demo_copy)
    path = tmp_path / "one_game.csv"
    path.write_text(text)
    gb_table = "nba_raw.nbac_gamebook_player_stats"

    def day_rows(table):
        df = nbaprops.read(demo_copy, table, "2024-01-15", "2024-01-15")
        return df.sort_values(list(df.columns[:6])).reset_index(drop=True)

    before = {t: day_rows(t) for t in (gb_table, "nba_raw.player_shot_zones", "nba_raw.nbac_schedule")}
    with_points = int(before[gb_table]["points"].notna().sum())
    assert with_points > 100

    code, out, err = run_cli("import", "shots", path, "--warehouse", demo_copy.uri)
    assert code == 1
    assert "would erase data the warehouse already has, so nothing was written" in err
    assert re.search(
        rf"nba_raw.nbac_gamebook_player_stats: \d+ stored rows of 1 game \(first: {game_id} on "
        r"2024-01-15\) have ",
        err,
    ), err
    assert "minutes, minutes_decimal, points" in err and "assisted_makes" in err
    assert "--replace" in err and "--keep-existing" in err
    for t, df in before.items():
        assert day_rows(t).equals(df), t

    code, out, err = run_cli("import", "shots", path, "--warehouse", demo_copy.uri, "--keep-existing")
    assert code == 0, err
    assert "kept them and skipped the file's rows of those games (--keep-existing)" in out
    for t, df in before.items():
        assert day_rows(t).equals(df), t

    code, out, err = run_cli("import", "shots", path, "--warehouse", demo_copy.uri, "--replace")
    assert code == 0, err
    assert "replaced anyway (--replace)" in out
    gb = day_rows(gb_table)
    this_game = gb[gb["game_id"] == game_id]
    assert list(this_game["player_lookup"]) == ["testshooter"]
    other = before[gb_table][before[gb_table]["game_id"] != game_id].reset_index(drop=True)
    assert gb[gb["game_id"] != game_id].reset_index(drop=True).equals(other)  # the date's other games
    sched = day_rows("nba_raw.nbac_schedule")
    assert sched.equals(before["nba_raw.nbac_schedule"])  # the schedule is the authority on games


def test_read_only_warehouse_reads_and_refuses_writes(demo_dir, tmp_path):
    import nbaprops

    ro = nbaprops.open(demo_dir, read_only=True)
    df = nbaprops.read(ro, "nba_raw.nbac_schedule", "2024-01-15", "2024-01-15")
    assert len(df) > 0
    assert not nbaprops.coverage(ro, "2024-01-15", "2024-01-15").to_frame().empty
    box = tmp_path / "box.json"
    box.write_text(
        '{"data":[{"date":"2024-01-15","home_team":{"abbreviation":"PHI","players":[{"pts":3,'
        '"player":{"id":1,"first_name":"A","last_name":"B"}}]},'
        '"visitor_team":{"abbreviation":"HOU","players":[]}}]}'
    )
    with pytest.raises(nbaprops.StorageError, match=f"warehouse {demo_dir} is read-only"):
        nbaprops.import_boxscores(ro, box)
    with pytest.raises(nbaprops.StorageError, match="does not exist"):
        nbaprops.open(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()


def _read_only_mount_prefix(path) -> list[str] | None:
    """A command prefix that runs a shell with ``path`` bind-mounted read-only (root in a private
    mount namespace), or None when the machine does not allow it."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return None
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind '{path}' '{path}' && mount -o remount,ro,bind '{path}' '{path}'"],
        capture_output=True,
    )
    return None if probe.returncode else ["unshare", "-m", "sh", "-c"]


def test_unwritable_warehouse_opens_read_only_by_itself(demo_dir, tmp_path):
    """Finding 7: on a warehouse the user cannot write, `coverage` works and a write names the
    directory (before: "unable to open database file (in: PRAGMA journal_mode=WAL)")."""
    wh = tmp_path / "wh"
    shutil.copytree(demo_dir, wh)
    py = sys.executable
    cov = f"'{py}' -m nbaprops coverage --warehouse '{wh}' --start-date 2024-01-01 --end-date 2024-01-31"
    imp = f"'{py}' -m nbaprops import boxscores '{tmp_path / 'box.json'}' --warehouse '{wh}'"
    (tmp_path / "box.json").write_text('{"data":[]}')
    prefix = _read_only_mount_prefix(wh)
    if prefix is not None:  # root: a read-only bind mount (permission bits do not stop root)
        mount = f"mount --bind '{wh}' '{wh}' && mount -o remount,ro,bind '{wh}' '{wh}' && "
        run = lambda cmd: subprocess.run(prefix + [mount + cmd], capture_output=True, text=True, timeout=120)  # noqa: E731
    elif os.geteuid() != 0:
        for f in wh.iterdir():
            f.chmod(0o444)
        wh.chmod(0o555)
        run = lambda cmd: subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=120)  # noqa: E731
    else:
        pytest.skip("running as root without mount namespaces: cannot make a directory unwritable")
    try:
        r = run(cov)
        assert r.returncode in (0, 1), r.stderr  # 1 = gaps found; never a crash
        assert "COVERAGE 2024-01-01 to 2024-01-31" in r.stdout, r.stdout + r.stderr
        (tmp_path / "box.json").write_text(
            '{"data":[{"date":"2024-01-15","home_team":{"abbreviation":"PHI","players":[{"pts":3,'
            '"player":{"id":1,"first_name":"A","last_name":"B"}}]},'
            '"visitor_team":{"abbreviation":"HOU","players":[]}}]}'
        )
        r = run(imp)
        assert r.returncode == 1
        assert f"warehouse {wh} is read-only (the directory is not writable)" in r.stderr, r.stderr
        r = run(
            f"'{py}' -m nbaprops backfill --warehouse '{wh}' --start-date 2024-01-10 --end-date 2024-01-10 "
            f"--processors togs --checkpoint-dir '{tmp_path / 'ck'}'"
        )
        assert r.returncode == 2, r.stdout + r.stderr  # refused before any unit, as a configuration error
        assert f"warehouse {wh} is read-only (the directory is not writable)" in r.stderr, r.stderr
    finally:
        wh.chmod(0o755)


def test_a_backfill_of_tables_another_run_writes_says_warehouse_busy(demo_dir, tmp_path, run_cli):
    """Audit B finding 6: a second backfill of the same tables is refused, naming the run that writes them,
    as "warehouse busy" with exit 75 (EX_TEMPFAIL: the same command works once the other run ended), not as
    a usage error (exit 2). In Python it is a WarehouseBusyError, a StorageError."""
    import fcntl
    import json

    import nbaprops
    from nbaprops import _core

    assert issubclass(nbaprops.WarehouseBusyError, nbaprops.StorageError)
    assert not issubclass(_core.WarehouseBusyError, nbaprops.ConfigError)
    with pytest.raises(nbaprops.WarehouseBusyError, match="boom"):
        _core._raise_error("busy", "boom")
    wh = tmp_path / "wh"
    shutil.copytree(demo_dir, wh)
    (wh / ".nbaprops-locks").mkdir(exist_ok=True)
    lock = wh / ".nbaprops-locks" / "nba_analytics.team_offense_game_summary.lock"
    with open(lock, "w") as f:  # what a running backfill holds (flock; released with its process)
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        f.write(json.dumps({"run_id": "run_other", "started_at": "2026-01-01T00:00:00Z", "pid": 4242}))
        f.flush()
        args = ["--warehouse", wh, "--start-date", "2024-01-10", "--end-date", "2024-01-10", "--processors", "togs"]
        code, out, err = run_cli("backfill", *args, "--checkpoint-dir", tmp_path / "ck", "--progress", "none")
        assert code == cli.BUSY_EXIT == 75, out + err
        assert err.startswith(
            f"nbaprops: warehouse busy: warehouse {wh}: nba_analytics.team_offense_game_summary "
            "is being written by run run_other (started 2026-01-01T00:00:00Z, pid 4242)"
        ), err
        assert "usage error" not in err and "BACKFILL SUMMARY" not in out
        with pytest.raises(_core.WarehouseBusyError, match="run_other"):
            nbaprops.backfill(nbaprops.open(wh), "2024-01-10", "2024-01-10", processors="togs", progress="none")
    code, out, err = run_cli("backfill", *args, "--checkpoint-dir", tmp_path / "ck", "--progress", "none")
    assert code == 0, out + err  # released: the same command runs


def test_backfill_on_a_read_only_warehouse_refuses_before_any_unit(demo_dir, tmp_path, run_cli):
    """A backfill on a warehouse it cannot write refuses at once, naming the path and why, with the
    exit code of the other configuration errors (2); nothing runs, nothing is written, no checkpoint is
    touched. Reading commands (--status, --dry-run, coverage) still work."""
    import nbaprops

    ro = nbaprops.open(demo_dir, read_only=True)
    ledger = len(nbaprops.read(ro, "nba_orchestration.run_ledger"))
    with pytest.raises(
        nbaprops.ConfigError,
        match=f"warehouse {demo_dir} is read-only \\(opened read-only on "
        "request\\): a backfill writes .* nothing was run",
    ):
        nbaprops.backfill(ro, "2024-01-10", "2024-01-11", processors="togs", checkpoint_dir=tmp_path / "ck")
    assert not (tmp_path / "ck").exists() and len(nbaprops.read(ro, "nba_orchestration.run_ledger")) == ledger

    # One database file not writable (the directory is): the command line refuses with exit 2, before
    # resetting the checkpoint that --no-resume would delete.
    wh = tmp_path / "wh"
    shutil.copytree(demo_dir, wh)
    target = wh / "nba_precompute.sqlite"
    ck = tmp_path / "ck2"
    args = [
        "--warehouse",
        str(wh),
        "--start-date",
        "2024-01-10",
        "--end-date",
        "2024-01-11",
        "--processors",
        "psza",
        "--checkpoint-dir",
        str(ck),
        "--progress",
        "none",
    ]
    code, out, _ = run_cli("backfill", *args)
    assert code == 0, out
    stamp = {p.name: p.read_bytes() for p in ck.iterdir()}
    py = sys.executable
    cmd = " ".join(f"'{a}'" for a in [py, "-m", "nbaprops", "backfill", *args, "--no-resume"])
    status = " ".join(f"'{a}'" for a in [py, "-m", "nbaprops", "backfill", *args, "--status"])
    prefix = _read_only_mount_prefix(target)
    if prefix is not None:
        mount = f"mount --bind '{target}' '{target}' && mount -o remount,ro,bind '{target}' '{target}' && "
        run = lambda c: subprocess.run(prefix + [mount + c], capture_output=True, text=True, timeout=120)  # noqa: E731
    elif os.geteuid() != 0:
        target.chmod(0o444)
        run = lambda c: subprocess.run(["sh", "-c", c], capture_output=True, text=True, timeout=120)  # noqa: E731
    else:
        pytest.skip("running as root without mount namespaces: cannot make a file unwritable")
    try:
        r = run(cmd)
        assert r.returncode == 2, r.stdout + r.stderr
        assert f"warehouse {wh} is read-only (nba_precompute.sqlite is not writable)" in r.stderr, r.stderr
        assert "BACKFILL SUMMARY" not in r.stdout and "Processing" not in r.stdout, r.stdout
        r = run(status)
        assert r.returncode == 0 and "FRESHNESS" in r.stdout, r.stdout + r.stderr
    finally:
        target.chmod(0o644)
    assert {p.name: p.read_bytes() for p in ck.iterdir()} == stamp  # --no-resume reset nothing


def test_every_option_of_every_command_says_what_it_does():
    """`nbaprops <command> --help` documents each option (a bare `--seed SEED` tells a user nothing)."""
    parser = cli.build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a.choices, dict)]
    bare = [
        f"{name} {a.option_strings[0]}"
        for name, sub in commands.choices.items()
        for a in sub._actions
        if a.option_strings and not a.help
    ]
    assert bare == []
    assert all(a.help for a in parser._actions if a.option_strings)
