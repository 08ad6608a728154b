"""Legacy-compatible Phase 6 export (replaces backfill_jobs/publishing/daily_export.py).

Same date flags: ``--date`` (default yesterday), ``--start-date``/``--end-date`` (every calendar day),
``--backfill-all`` (every graded date), ``--only`` (validated). Files go to a local tree that mirrors the
legacy GCS object paths (``<out>/v1/results/<date>.json`` …) instead of ``gs://nba-props-platform-api``.
Only results, performance, best-bets, predictions and tonight (``tonight/all-players.json``) are
implemented; the other legacy types and the player profiles (``--players``) are rejected with a message. Differences on purpose: any failed export
makes the exit code 1 (the legacy exited 1 only when a single-date run failed).
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from nbaprops import errors
from nbaprops.cli import _setup_logging, _warehouse_arg, add_export_flags, run_export

MODULE = "nbaprops.jobs.publishing.daily_export"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}",
                                     description="Phase 6 JSON exports (nbaprops, legacy-compatible flags)")
    add_export_flags(parser)
    parser.add_argument("--players", action="store_true",
                        help="legacy player-profile export: not implemented by nbaprops (rejected)")
    parser.add_argument("--min-games", type=int, default=5, help="legacy player-profile option (unused)")
    _warehouse_arg(parser)
    args = parser.parse_args(argv)
    _setup_logging()
    log = logging.getLogger("nbaprops.export")
    try:
        if args.players:
            import nbaprops

            raise errors.ConfigError("--players (player profile exports) is out of scope for nbaprops; "
                                     f"supported types: {', '.join(nbaprops.export_types())}")
        return run_export(args)
    except errors.NbaPropsError as e:
        log.error("%s", e)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
