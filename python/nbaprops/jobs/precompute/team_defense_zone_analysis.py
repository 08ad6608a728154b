"""Legacy-compatible backfill of team_defense_zone_analysis (replaces backfill_jobs/precompute/team_defense_zone_analysis/team_defense_zone_analysis_precompute_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs._legacy import main_for


def main(argv=None) -> int:
    return main_for(
        "tdza", 4, __name__ if __name__ != "__main__" else "nbaprops.jobs.precompute.team_defense_zone_analysis", argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
