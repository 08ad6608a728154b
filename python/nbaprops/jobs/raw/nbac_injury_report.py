"""Legacy-compatible raw backfill of injury-report (replaces backfill_jobs/raw/nbac_injury_report/nbac_injury_report_raw_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs.raw._common import main_for


def main(argv=None) -> int:
    return main_for("injury-report", "nbaprops.jobs.raw.nbac_injury_report", argv)


if __name__ == "__main__":
    raise SystemExit(main())
