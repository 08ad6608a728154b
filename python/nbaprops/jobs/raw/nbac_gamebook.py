"""Legacy-compatible raw backfill of gamebook (replaces backfill_jobs/raw/nbac_gamebook/nbac_gamebook_raw_backfill.py)."""
from __future__ import annotations

from nbaprops.jobs.raw._common import main_for


def main(argv=None) -> int:
    return main_for("gamebook", "nbaprops.jobs.raw.nbac_gamebook", argv)


if __name__ == "__main__":
    raise SystemExit(main())
