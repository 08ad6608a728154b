"""Legacy-compatible scoring-tier backfill (replaces backfill_jobs/ml_feedback/scoring_tier_backfill.py).

For each as-of date A, summarises the graded ``ensemble_v1`` predictions of A−29 … A per scoring
tier (the player's season scoring average in the ML feature store) into
``nba_predictions.scoring_tier_adjustments``: errors, hit rate and the points to add per tier.

Legacy flags kept: ``--as-of-date D`` computes the one as-of date D; ``--weekly`` computes every 7th
game date of the range (the first, the 8th, …) instead of every game date. Both become an explicit
``--dates`` list, so — as with ``--dates`` — they run without a checkpoint.

Defaults differ from the legacy script: without ``--start-date``/``--end-date`` the range is the
whole schedule of the warehouse (as for every nbaprops job), not 2021-12-05 through the newest graded
date. Dates before any grading simply come out empty ("no graded ensemble_v1 predictions …"). The
legacy created the table when missing; the warehouse does that on the first write.
"""
from __future__ import annotations

import argparse
import logging

from nbaprops import errors
from nbaprops.jobs._legacy import main_for

MODULE = "nbaprops.jobs.grading.scoring_tier"
CODE = "tier"


def _flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of-date", help="compute the adjustments of this one date, YYYY-MM-DD")
    parser.add_argument("--weekly", action="store_true",
                        help="compute every 7th game date of the range instead of every game date")


def _prepare(args) -> None:
    """Turns --as-of-date / --weekly into an explicit --dates list."""
    log = logging.getLogger("nbaprops.backfill")
    if args.as_of_date:
        if args.dates:
            raise errors.ConfigError("--as-of-date cannot be combined with --dates")
        if args.start_date or args.end_date or args.weekly:
            log.warning("--as-of-date %s given: the range and --weekly are ignored", args.as_of_date)
        args.dates = args.as_of_date
        return
    if not args.weekly:
        return
    if args.dates:
        raise errors.ConfigError("--weekly needs a range (--start-date/--end-date), not --dates")
    import nbaprops
    from nbaprops.cli import _range

    wh = nbaprops.open(args.warehouse)
    start, end, _ = _range(wh, args)
    game_dates = nbaprops.plan(wh, start, end, processors=[CODE]).dates
    weekly = game_dates[::7]
    if not weekly:
        raise errors.ConfigError(f"no game dates between {start} and {end}")
    log.info("Weekly mode: %d of %d game dates (%s … %s)", len(weekly), len(game_dates), weekly[0], weekly[-1])
    args.dates = ",".join(weekly)


def main(argv=None) -> int:
    return main_for(CODE, 5, MODULE, argv, add_flags=_flags, prepare=_prepare)


if __name__ == "__main__":
    raise SystemExit(main())
