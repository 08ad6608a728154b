"""Legacy-compatible backfill of player_game_summary (replaces backfill_jobs/analytics/player_game_summary/player_game_summary_analytics_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs._legacy import main_for


def main(argv=None) -> int:
    return main_for(
        "pgs", 3, __name__ if __name__ != "__main__" else "nbaprops.jobs.analytics.player_game_summary", argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
