"""The backfill runner on real processors: exit codes, blocking, resume, pre-flight, Ctrl-C."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd

import nbaprops

from conftest import content_rows, sql

FAIL_DATE = "2023-12-13"
RANGE = ("2023-12-08", "2023-12-20")
PROCS = ["togs", "pgs", "upgc", "utgc", "psza", "tdza", "pcf", "pdc", "mlfs", "tdgs"]


def test_injected_failure_blocks_only_downstream_then_resume_retries_exactly_those(demo_copy, demo, tmp_path):
    ck = tmp_path / "ck"
    sql(
        demo_copy,
        "nba_analytics",
        "CREATE TRIGGER inject_fail BEFORE INSERT ON team_offense_game_summary "
        f"WHEN NEW.game_date = '{FAIL_DATE}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    )
    r1 = nbaprops.backfill(demo_copy, *RANGE, processors=PROCS, resume=False, progress="none", checkpoint_dir=ck)
    assert r1.exit_code != 0
    u = r1.units.set_index(["processor", r1.units["date"].dt.strftime("%Y-%m-%d")])
    assert u.loc[("team_offense_game_summary", FAIL_DATE), "status"] == "failed"
    assert "injected failure" in u.loc[("team_offense_game_summary", FAIL_DATE), "reason"]
    # PDC reads TOGS strictly before its date (last 10 team games): blocked after D, not on D or before.
    pdc = r1.units[r1.units["processor"] == "player_daily_cache"].set_index("date")["status"]
    assert (pdc[pdc.index > FAIL_DATE] == "blocked").all() and (pdc.index > FAIL_DATE).any()
    assert (pdc[pdc.index <= FAIL_DATE] == "success").all()
    after = r1.units[(r1.units["processor"] == "player_daily_cache") & (r1.units["date"] > FAIL_DATE)]
    assert after["reason"].str.contains("team_offense_game_summary").all()
    # Processors that do not read TOGS are unaffected.
    for p in [
        "player_game_summary",
        "team_defense_zone_analysis",
        "player_shot_zone_analysis",
        "player_composite_factors",
        "upcoming_player_game_context",
    ]:
        assert (r1.units.loc[r1.units["processor"] == p, "status"] == "success").all(), p
    failed_or_blocked = set(map(tuple, r1.failed[["processor", "date"]].astype(str).values))
    # The old TOGS partition of the failed date is intact (atomic replace).
    assert len(nbaprops.read(demo_copy, "nba_analytics.team_offense_game_summary", FAIL_DATE, FAIL_DATE)) > 0

    sql(demo_copy, "nba_analytics", "DROP TRIGGER inject_fail")
    r2 = nbaprops.backfill(demo_copy, *RANGE, processors=PROCS, resume=True, progress="none", checkpoint_dir=ck)
    assert r2.exit_code == 0, r2.summary_text
    reran = r2.units[r2.units["reason"] != "resumed"]
    assert set(map(tuple, reran[["processor", "date"]].astype(str).values)) == failed_or_blocked
    # Same rows as the uninterrupted run of the fixture.
    for t in [
        "nba_analytics.team_offense_game_summary",
        "nba_precompute.player_daily_cache",
        "nba_predictions.ml_feature_store_v2",
    ]:
        pd.testing.assert_frame_equal(content_rows(demo, t, *RANGE), content_rows(demo_copy, t, *RANGE), obj=t)


def test_preflight_blocks_a_missing_upstream_date_and_names_it(demo_copy, tmp_path):
    sql(demo_copy, "nba_raw", "DELETE FROM nbac_gamebook_player_stats WHERE game_date = '2023-12-15'")
    before = len(nbaprops.read(demo_copy, "nba_orchestration.run_ledger"))
    p = nbaprops.plan(demo_copy, *RANGE, processors=["phase3"])
    report = nbaprops.preflight(demo_copy, p)
    assert not report.ok
    problems = report.problems()
    assert (
        (problems["table"] == "nba_raw.nbac_gamebook_player_stats")
        & (problems["date"] == pd.Timestamp("2023-12-15"))
        & (problems["status"] == "missing")
    ).any()
    assert "2023-12-15" in str(report)
    r = nbaprops.backfill(demo_copy, p, progress="none", checkpoint_dir=tmp_path / "ck")
    assert r.exit_code == 1 and "PRE-FLIGHT FAILED" in r.summary_text
    assert len(nbaprops.read(demo_copy, "nba_orchestration.run_ledger")) == before  # nothing written


def _run(args, **kw):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=300, **kw)


def test_legacy_phase3_script_flags_log_lines_and_checkpoint(demo_copy, tmp_path):
    ck = tmp_path / "ck"
    base = [
        "-m",
        "nbaprops.jobs.analytics.team_offense_game_summary",
        "--warehouse",
        demo_copy.uri,
        "--checkpoint-dir",
        str(ck),
    ]
    r = _run(base + ["--start-date", "2023-12-01", "--end-date", "2023-12-05", "--progress", "log"])
    assert r.returncode == 0, r.stderr + r.stdout
    out = r.stdout
    assert "Processing day 1/5: 2023-12-0" in out
    assert "  ✓ Success: " in out and " records" in out
    assert "DAY-BY-DAY BACKFILL SUMMARY:" in out
    assert "Processing 5 days individually (day-by-day approach)" in out
    path = ck / "team_offense_game_summary_2023-12-01_2023-12-05.json"
    data = json.loads(path.read_text())
    for key in [
        "job_name",
        "start_date",
        "end_date",
        "created_at",
        "last_updated",
        "last_successful_date",
        "successful_dates",
        "failed_dates",
        "skipped_dates",
        "stats",
        "errors",
    ]:
        assert key in data, key
    assert len(data["successful_dates"]) == 5 and data["failed_dates"] == []
    status = _run(base + ["--start-date", "2023-12-01", "--end-date", "2023-12-05", "--status"])
    assert status.returncode == 0 and "CHECKPOINT STATUS" in status.stdout
    bad = _run(base + ["--start-date", "2023-13-01", "--end-date", "2023-12-05"])
    assert bad.returncode == 2 and "--start-date" in (bad.stdout + bad.stderr)


def test_legacy_phase4_script_summary_block_and_dry_run(demo_copy, tmp_path):
    ck = tmp_path / "ck"
    base = [
        "-m",
        "nbaprops.jobs.precompute.player_composite_factors",
        "--warehouse",
        demo_copy.uri,
        "--checkpoint-dir",
        str(ck),
        "--progress",
        "log",
    ]
    ledger_before = len(nbaprops.read(demo_copy, "nba_orchestration.run_ledger"))
    dry = _run(base + ["--start-date", "2023-12-01", "--end-date", "2023-12-03", "--dry-run"])
    assert dry.returncode == 0, dry.stderr
    assert len(nbaprops.read(demo_copy, "nba_orchestration.run_ledger")) == ledger_before
    r = _run(base + ["--dates", "2023-12-01,2023-12-03", "--workers", "1"])
    assert r.returncode == 0, r.stderr + r.stdout
    assert "Processing date 1/2: 2023-12-01" in r.stdout  # legacy --dates wording
    assert "2023-12-01: success" in r.stdout and "2023-12-03: success" in r.stdout


def test_ctrl_c_stops_cleanly_with_exit_130(demo_copy, tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nbaprops",
            "backfill",
            "--warehouse",
            demo_copy.uri,
            "--no-resume",
            "--progress",
            "log",
            "--checkpoint-dir",
            str(tmp_path / "ck"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = ""
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stdout.readline()
        seen += line
        if "Processing game date" in line:
            break
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, seen + out
    ledger = nbaprops.read(demo_copy, "nba_orchestration.run_ledger")
    last = ledger[ledger["run_id"] == ledger["run_id"].iloc[-1]]
    assert "cancelled" in set(last["status"]) or len(last) > 0


def test_sigterm_stops_like_ctrl_c_with_a_summary_and_exit_130(demo_copy, tmp_path):
    """Audit B finding 4: SIGTERM (kill, timeout, a container stop) killed a backfill at once (exit 143, no
    summary, checkpoint marks lost). Now it stops as Ctrl-C does (legacy spec §2.6: 130 on SIGINT/SIGTERM):
    running units finish, the summary is printed, exit 130."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nbaprops",
            "backfill",
            "--warehouse",
            demo_copy.uri,
            "--no-resume",
            "--progress",
            "log",
            "--checkpoint-dir",
            str(tmp_path / "ck"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = ""
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stdout.readline()
        seen += line
        if "Processing game date" in line:
            break
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, seen + out
    assert "BACKFILL SUMMARY" in out and "Interrupted: running units finished, checkpoint saved" in out, out
    assert "(cancelled); exit code 130" in out, out
    assert list((tmp_path / "ck").glob("*.json")), "the checkpoints were saved"


def test_sigterm_cancels_a_python_backfill_on_the_main_thread_and_restores_the_handler(demo_copy, tmp_path):
    """Audit B finding 4, the Python API: on the main thread SIGTERM cancels the run as Ctrl-C does and the
    call returns a cancelled RunResult (exit code 130); the caller's SIGTERM handler is back afterwards."""
    script = f"""
import os, signal, sys
import nbaprops

class Started:
    def begin(self):
        print("started", flush=True)
    def update(self, event):
        pass
    def close(self):
        pass

def mine(signum, frame):
    pass

signal.signal(signal.SIGTERM, mine)
wh = nbaprops.open({demo_copy.uri!r})
r = nbaprops.backfill(wh, "2023-11-01", "2024-04-14", resume=False, progress=Started(), checkpoint_dir={str(tmp_path / "ck")!r})
print("result", r.exit_code, r.cancelled, signal.getsignal(signal.SIGTERM) is mine, flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = ""
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stdout.readline()
        seen += line
        if line.startswith("started") or not line:
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, seen + out
    assert "result 130 True True" in out, seen + out


def test_cli_processors_and_coverage(demo):
    r = _run(["-m", "nbaprops", "processors"])
    assert r.returncode == 0
    assert "togs" in r.stdout and "mlfs" in r.stdout
    cov = _run(
        [
            "-m",
            "nbaprops",
            "coverage",
            "--warehouse",
            demo.uri,
            "--start-date",
            "2023-12-01",
            "--end-date",
            "2023-12-31",
            "--format",
            "json",
            "--tables",
            "nba_analytics.team_offense_game_summary,nba_precompute.player_daily_cache",
        ]
    )
    assert cov.returncode == 0, cov.stdout + cov.stderr
    cells = json.loads(cov.stdout)
    assert cells and {c["status"] for c in cells} == {"ok"}
    months = _run(["-m", "nbaprops", "coverage", "--warehouse", demo.uri, "--format", "months"])
    assert months.returncode == 0 and "2023-12" in months.stdout


def test_resume_recomputes_committed_dates_whose_rows_are_gone(demo_copy, tmp_path):
    ck = tmp_path / "ck"
    r1 = nbaprops.backfill(
        demo_copy, "2023-12-01", "2023-12-05", processors=["togs"], resume=False, progress="none", checkpoint_dir=ck
    )
    assert r1.exit_code == 0
    sql(demo_copy, "nba_analytics", "DELETE FROM team_offense_game_summary WHERE game_date = '2023-12-03'")
    r2 = nbaprops.backfill(
        demo_copy, "2023-12-01", "2023-12-05", processors=["togs"], progress="none", checkpoint_dir=ck
    )
    assert r2.exit_code == 0
    reran = r2.units[r2.units["reason"] != "resumed"]["date"].dt.strftime("%Y-%m-%d").tolist()
    assert reran == ["2023-12-03"]
    assert len(nbaprops.read(demo_copy, "nba_analytics.team_offense_game_summary", "2023-12-03", "2023-12-03")) > 0
    # A different warehouse never trusts this checkpoint.
    other = nbaprops.open(tmp_path / "other")
    nbaprops.demo.generate(other, seasons=[2023], seed=7)
    r3 = nbaprops.backfill(other, "2023-12-01", "2023-12-05", processors=["togs"], progress="none", checkpoint_dir=ck)
    assert r3.exit_code == 0 and (r3.units["reason"] != "resumed").all()
    assert (r3.units["rows"] > 0).all()


def test_logging_to_a_file_and_a_corrupt_checkpoint_is_reported(demo_copy, tmp_path):
    ck = tmp_path / "ck"
    ck.mkdir()
    bad = ck / "team_offense_game_summary_2023-12-01_2023-12-02.json"
    bad.write_text("{ not json")
    log = tmp_path / "engine.log"
    nbaprops.configure_logging("warning", str(log), to_stderr=False)
    try:
        r = nbaprops.backfill(
            demo_copy, "2023-12-01", "2023-12-02", processors=["togs"], progress="none", checkpoint_dir=ck
        )
    finally:
        nbaprops.configure_logging("warning")
    assert r.exit_code == 0
    assert (ck / (bad.name + ".corrupt-1")).exists()  # set aside, never trusted
    text = log.read_text()
    assert "corrupt" in text and bad.name in text and " - warning - " in text
    assert "corrupt" in r.summary_text


def test_a_checkpoint_of_binary_bytes_is_reported_in_valid_text(demo_copy, tmp_path, run_cli):
    """Audit B finding 2: a checkpoint holding bytes that are not UTF-8 (a corrupted block). Before, the
    warning carried the JSON library's raw byte and every str of the summary raised UnicodeDecodeError:
    ``nbaprops.backfill`` lost the result of a run that had committed, the CLI crashed with exit 1, and
    ``--status`` crashed too after renaming the file. Now: a warning in our words, the summary, exit 0, and
    ``--status`` leaves the file where it is."""
    ck = tmp_path / "ck"
    ck.mkdir()
    bad = ck / "team_offense_game_summary_2023-12-01_2023-12-02.json"
    bad.write_bytes(b"\xcd\xff\xfe\x80 corrupted")
    r = nbaprops.backfill(
        demo_copy, "2023-12-01", "2023-12-02", processors=["togs"], progress="none", checkpoint_dir=ck
    )
    assert r.exit_code == 0, r.summary_text
    assert f"checkpoint {bad} is corrupt or invalid (not valid JSON at byte 1 (0xCD)); moved aside" in r.summary_text
    assert (ck / (bad.name + ".corrupt-1")).exists()

    bad.write_bytes(b"\xcd\xff\xfe\x80 corrupted")
    args = ["--warehouse", demo_copy.uri, "--start-date", "2023-12-01", "--end-date", "2023-12-02", "-p", "togs"]
    code, out, err = run_cli("backfill", *args, "--checkpoint-dir", ck, "--status")
    assert code == 0, out + err
    assert "a run moves it aside and starts fresh" in out, out
    assert bad.exists() and not (ck / (bad.name + ".corrupt-2")).exists()  # --status moved nothing

    code, out, err = run_cli("backfill", *args, "--checkpoint-dir", ck, "--progress", "none")
    assert code == 0, out + err
    assert "BACKFILL SUMMARY" in out and "(not valid JSON at byte 1 (0xCD))" in out, out
    assert (ck / (bad.name + ".corrupt-2")).exists()


def test_cli_import_boxscores(tmp_path):
    from conftest import require_shared

    path = require_shared("boxscores/bdl_box_scores_2024_01_15.json.gz")
    r = _run(["-m", "nbaprops", "import", "boxscores", str(path), "--warehouse", str(tmp_path / "wh")])
    assert r.returncode == 0, r.stderr
    assert "nba_raw.bdl_player_boxscores" in r.stdout and "384" in r.stdout


def test_a_runs_units_frame_is_built_at_its_first_read_and_kept(demo_copy, tmp_path):
    # backfill hands RunResult a function for ``units``: the frame is built when first read, once.
    r = nbaprops.backfill(
        demo_copy,
        "2023-12-08",
        "2023-12-09",
        processors=["togs"],
        resume=False,
        progress="none",
        checkpoint_dir=tmp_path / "ck",
    )
    assert callable(r.__dict__["_units"])
    assert r.exit_code == 0 and "team_offense_game_summary" in r.summary_text
    # A copy carries the frame itself, not the function building it.
    assert isinstance(copy.copy(r).__dict__["_units"], pd.DataFrame)
    frame = r.units
    assert isinstance(frame, pd.DataFrame) and r.units is frame
    assert list(frame["processor"].unique()) == ["team_offense_game_summary"]
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-12-08", "2023-12-09"]
    # Given a frame, the result keeps it as it is.
    given = pd.DataFrame({"status": []})
    assert nbaprops.RunResult(given, 0, False, 0.0, "").units is given
