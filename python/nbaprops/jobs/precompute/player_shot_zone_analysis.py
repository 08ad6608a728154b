"""Legacy-compatible backfill of player_shot_zone_analysis (replaces backfill_jobs/precompute/player_shot_zone_analysis/player_shot_zone_analysis_precompute_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs._legacy import main_for


def main(argv=None) -> int:
    return main_for(
        "psza", 4, __name__ if __name__ != "__main__" else "nbaprops.jobs.precompute.player_shot_zone_analysis", argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
