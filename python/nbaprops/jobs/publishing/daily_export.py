"""Legacy-compatible Phase 6 export (replaces backfill_jobs/publishing/daily_export.py).

Same flags and log lines: ``--date`` (default yesterday: US/Eastern, or ``$NBAPROPS_TODAY``),
``--start-date``/``--end-date`` (every calendar day), ``--backfill-all`` (every graded date), ``--only``
(the 19 legacy names; the groups trends-daily / trends-weekly / trends-all expand to their members),
``--players``/``--min-games`` (player profiles). Files go to a local tree that mirrors the legacy GCS object paths
(``<out>/v1/results/<date>.json`` …) instead of ``gs://nba-props-platform-api``; ``live`` and
``live-grading`` read the day's BallDontLie box scores from ``nba_raw.bdl_player_boxscores`` or a saved API
response (``--live-file``), never the network. Differences on purpose: any failed export makes the exit
code 1 (the legacy exited 1 only when a single-date run failed completely). ``--players`` writes the player
profiles (``players/index.json`` and ``players/<lookup>.json`` of every player with ``--min-games`` graded
dates) instead of daily data, as the legacy did; the next game is looked up from "today".
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from nbaprops import errors
from nbaprops.cli import add_export_flags
from nbaprops.jobs._legacy import setup_logging

MODULE = "nbaprops.jobs.publishing.daily_export"


def main(argv: Optional[Sequence[str]] = None) -> int:
    import os

    parser = argparse.ArgumentParser(
        prog=f"python -m {MODULE}",
        description="Phase 6 Daily Export - Export predictions to JSON (nbaprops; legacy-compatible flags)",
    )
    add_export_flags(parser)
    parser.add_argument(
        "--warehouse",
        "-w",
        default=os.environ.get("NBAPROPS_WAREHOUSE", "warehouse"),
        help="warehouse directory (SQLite); default $NBAPROPS_WAREHOUSE or ./warehouse",
    )
    args = parser.parse_args(argv)
    setup_logging()
    log = logging.getLogger("nbaprops.export")
    try:
        from nbaprops.api.exports import run_export

        return run_export(args, legacy=True)
    except errors.NbaPropsError as e:
        log.error("%s", e)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
