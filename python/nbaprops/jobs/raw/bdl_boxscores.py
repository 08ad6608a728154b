"""Legacy-compatible raw backfill of bdl-boxscores (replaces backfill_jobs/raw/bdl_boxscores/bdl_boxscores_raw_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs.raw._common import main_for


def main(argv=None) -> int:
    return main_for("bdl-boxscores", "nbaprops.jobs.raw.bdl_boxscores", argv)


if __name__ == "__main__":
    raise SystemExit(main())
