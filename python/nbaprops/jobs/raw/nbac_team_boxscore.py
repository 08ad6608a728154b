"""Legacy-compatible raw backfill of team-boxscore (replaces backfill_jobs/raw/nbac_team_boxscore/nbac_team_boxscore_backfill_job.py)."""

from __future__ import annotations

from nbaprops.jobs.raw._common import main_for


def main(argv=None) -> int:
    return main_for("team-boxscore", "nbaprops.jobs.raw.nbac_team_boxscore", argv)


if __name__ == "__main__":
    raise SystemExit(main())
