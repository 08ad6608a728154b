"""Legacy-compatible backfill of player_daily_cache (replaces backfill_jobs/precompute/player_daily_cache/player_daily_cache_precompute_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs._legacy import main_for


def main(argv=None) -> int:
    return main_for(
        "pdc", 4, __name__ if __name__ != "__main__" else "nbaprops.jobs.precompute.player_daily_cache", argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
