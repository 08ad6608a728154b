"""Legacy-compatible scoring-tier backfill (replaces backfill_jobs/ml_feedback/scoring_tier_backfill.py).

For each as-of date A, summarises the graded ``ensemble_v1`` predictions of A−29 … A per scoring
tier (the player's season scoring average in the ML feature store) into
``nba_predictions.scoring_tier_adjustments``: errors, hit rate and the points to add per tier.

Legacy flags and defaults kept: without dates the range is 2021-12-05 through the newest graded date;
``--as-of-date D`` computes the one as-of date D; ``--weekly`` computes every 7th calendar day of the
range (start, start+7, …), as the legacy did. Both become an explicit ``--dates`` list, so — as with
``--dates`` — they run without a checkpoint. Difference: a range computes the game dates of the range
(the legacy every calendar day); a weekly date without games is reported as skipped (no games). The
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
    from nbaprops.cli import _iso_date

    parser.add_argument(
        "--as-of-date",
        type=_iso_date,
        help="compute the adjustments of this one date, YYYY-MM-DD (malformed: usage error, exit 2)",
    )
    parser.add_argument(
        "--weekly",
        action="store_true",
        help="compute every 7th calendar day of the range (start, start+7, ...), as the legacy",
    )


def _prepare(args, script, wh, parser):
    """--as-of-date / --weekly become an explicit date list; otherwise the legacy default range."""
    from nbaprops.api.legacy import parse_date
    from nbaprops.jobs._legacy import calendar, default_dates

    log = logging.getLogger("nbaprops.backfill")
    if args.as_of_date:
        if args.dates:
            raise errors.ConfigError("--as-of-date cannot be combined with --dates")
        if args.start_date or args.end_date or args.weekly:
            log.warning("--as-of-date %s given: the range and --weekly are ignored", args.as_of_date)
        log.info("Computing adjustments as of %s", args.as_of_date)
        return None, None, [parse_date(args.as_of_date, "--as-of-date")]
    if args.weekly and args.dates:
        raise errors.ConfigError("--weekly needs a range (--start-date/--end-date), not --dates")
    start, end, dates = default_dates(script, wh, args, parser)
    if not args.weekly or dates:
        return start, end, dates
    weekly = calendar(start, end)[::7]
    log.info("Weekly mode: %d dates, every 7 calendar days from %s", len(weekly), weekly[0])
    return None, None, weekly


def main(argv=None) -> int:
    return main_for(CODE, 5, MODULE, argv, add_flags=_flags, prepare=_prepare)


if __name__ == "__main__":
    raise SystemExit(main())
