"""Legacy-compatible raw backfill of props (replaces backfill_jobs/raw/odds_api_props/odds_api_props_raw_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs.raw._common import main_for


def main(argv=None) -> int:
    return main_for("props", "nbaprops.jobs.raw.odds_api_props", argv)


if __name__ == "__main__":
    raise SystemExit(main())
