"""Another process reading the warehouse while a backfill writes it (the write-ahead log's frames are
gathered and written a commit at a time, warehouse/sqlite_wal_vfs.hpp): it reads every commit whole,
never a page the log does not hold yet."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import DEMO_SEASON, sql

READER = r"""
import json, pathlib, sqlite3, sys, time
db, stop, ready = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
reads, errors, counts, checks = 0, [], [], 0
open(ready, "w").close()
last = False
while not last:
    last = stop.exists()  # one more read once the writer is done: it must see everything
    try:
        con = sqlite3.connect(db, timeout=30)
        n = con.execute("SELECT count(*) FROM player_shot_zone_analysis").fetchone()[0]
        per_date = con.execute(
            "SELECT count(*) FROM (SELECT analysis_date FROM player_shot_zone_analysis GROUP BY analysis_date)"
        ).fetchone()[0]
        if reads % 5 == 0 or last:
            checks += 1
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                errors.append("quick_check: " + ok)
        con.close()
        counts.append((n, per_date))
        reads += 1
    except Exception as e:  # noqa: BLE001 - every failure is what the test looks for
        errors.append(repr(e))
    time.sleep(0.002)
print(json.dumps({"reads": reads, "errors": errors, "counts": counts, "checks": checks}))
"""


def test_another_process_reads_every_commit_whole_while_a_backfill_writes(demo_copy, tmp_path):
    import nbaprops
    from nbaprops.api.dates import iso

    wh = demo_copy
    sched = wh.schedule()
    start, end = iso(sched.season_start(DEMO_SEASON)), iso(sched.season_end(DEMO_SEASON))
    sql(wh, "nba_precompute", "DELETE FROM player_shot_zone_analysis")
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(Path(wh.uri) / "nba_precompute.sqlite"), str(stop), str(ready)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ready.exists(), "the reader did not start"
        result = nbaprops.backfill(
            wh,
            start,
            end,
            processors=["psza"],
            workers=2,
            resume=False,
            progress="none",
            checkpoint_dir=tmp_path / "ckpt",
        )
        assert result.exit_code == 0, result.summary_text
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    seen = json.loads(out)
    assert seen["errors"] == []
    assert seen["reads"] >= 2 and seen["checks"] >= 1
    # Rows only came in (the table was emptied first): each read saw at least what the one before saw, and the
    # read after the writer returned saw the whole season as it left it.
    counts = seen["counts"]
    assert counts == sorted(counts)
    stored = sql(wh, "nba_precompute", "SELECT count(*), count(DISTINCT analysis_date) FROM player_shot_zone_analysis")
    assert tuple(counts[-1]) == tuple(stored[0])
    assert stored[0][0] > 0
