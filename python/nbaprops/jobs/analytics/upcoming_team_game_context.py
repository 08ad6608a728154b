"""Legacy-compatible backfill of upcoming_team_game_context (replaces backfill_jobs/analytics/upcoming_team_game_context/upcoming_team_game_context_analytics_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs._legacy import main_for


def main(argv=None) -> int:
    return main_for(
        "utgc", 3, __name__ if __name__ != "__main__" else "nbaprops.jobs.analytics.upcoming_team_game_context", argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
