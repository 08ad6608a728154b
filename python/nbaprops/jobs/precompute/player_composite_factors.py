"""Legacy-compatible backfill of player_composite_factors (replaces backfill_jobs/precompute/player_composite_factors/player_composite_factors_precompute_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs._legacy import main_for


def main(argv=None) -> int:
    return main_for(
        "pcf", 4, __name__ if __name__ != "__main__" else "nbaprops.jobs.precompute.player_composite_factors", argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
