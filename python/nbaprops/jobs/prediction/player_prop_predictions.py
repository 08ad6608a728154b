"""Legacy-compatible prediction backfill (replaces backfill_jobs/prediction/player_prop_predictions_backfill.py).

Legacy extras kept: ``--skip-mlfs-check`` and ``--min-mlfs-coverage`` (default 90). The coverage of a
date is its ML-feature-store players over its pre-game roster (upcoming_player_game_context); the
legacy divided by the day's box-score players, which are only known after the games. A date below the
threshold is skipped and reported (``⚠ Skipped: MLFS incomplete (…)``) and the other dates run, as in the
legacy; the exit code is then 3 (EXIT_SKIPPED) unless something failed (1). Because the runner cannot
leave single dates of a range out, a range with skipped dates runs its other dates as explicit dates,
without the range checkpoint (the legacy recorded the skipped dates as failed in it). The pre-flight's
Phase 4 presence check replaces the legacy single-midpoint count check.
"""

from __future__ import annotations

import argparse
import logging

from nbaprops.jobs._legacy import main_for

MODULE = "nbaprops.jobs.prediction.player_prop_predictions"


def _flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skip-mlfs-check", action="store_true", help="skip the ML feature store coverage check")
    parser.add_argument(
        "--min-mlfs-coverage",
        type=float,
        default=90.0,
        help="minimum MLFS players / pre-game roster per date, percent (default 90)",
    )


def mlfs_coverage(wh, dates: list[str]) -> dict[str, tuple[int, int]]:
    """{date: (MLFS players, roster players)} for the given game dates."""
    import nbaprops

    if not dates:
        return {}
    start, end = min(dates), max(dates)
    mlfs = nbaprops.read(wh, "nba_predictions.ml_feature_store_v2", start, end, columns=["player_lookup", "game_date"])
    roster = nbaprops.read(
        wh, "nba_analytics.upcoming_player_game_context", start, end, columns=["player_lookup", "game_date"]
    )

    def players_per_day(frame) -> dict[str, int]:
        if not len(frame):
            return {}
        days = frame["game_date"].dt.strftime("%Y-%m-%d")
        return frame.groupby(days)["player_lookup"].nunique().to_dict()

    m, r = players_per_day(mlfs), players_per_day(roster)
    out = {}
    for d in dates:
        out[d] = (int(m.get(d, 0)), int(r.get(d, 0)))
    return out


def _gate(args):
    from nbaprops.api.legacy import GateResult

    def check(ctx, log: logging.Logger) -> GateResult:
        units = ctx.plan.units()
        dates = sorted(units[units["planned"] == "pending"]["date"].dt.strftime("%Y-%m-%d").unique())
        if args.skip_mlfs_check:
            log.warning("Skipping the MLFS coverage check (--skip-mlfs-check)")
            return GateResult()
        verdict = GateResult()
        for d, (m, r) in mlfs_coverage(ctx.warehouse, dates).items():
            pct = 100.0 * m / r if r else 0.0
            if pct < args.min_mlfs_coverage:
                verdict.skip[d] = f"{pct:.1f}% coverage"
                log.warning(
                    "  ✗ %s: MLFS coverage %.1f%% (%d of %d players) < %.1f%% (incomplete_mlfs): skipped",
                    d,
                    pct,
                    m,
                    r,
                    args.min_mlfs_coverage,
                )
        if verdict.skip:
            all_dates = list(ctx.dates) if ctx.explicit else list(ctx.plan.dates)
            verdict.ok_dates = [d for d in all_dates if d not in verdict.skip]
            log.warning(
                "MLFS coverage below %.1f%% on %d date(s): skipped; backfill the feature store and retry "
                "them with --dates",
                args.min_mlfs_coverage,
                len(verdict.skip),
            )
        else:
            log.info("MLFS coverage OK on %d date(s) (≥ %.1f%%)", len(dates), args.min_mlfs_coverage)
        return verdict

    return check


def main(argv=None) -> int:
    return main_for("pred", 5, MODULE, argv, add_flags=_flags, gate=_gate)


if __name__ == "__main__":
    raise SystemExit(main())
