"""Legacy-compatible raw backfill of gamebook (replaces backfill_jobs/raw/nbac_gamebook/nbac_gamebook_raw_backfill.py); plus --team-filter."""

from __future__ import annotations

from nbaprops.jobs.raw._common import main_for


def _flags(p) -> None:
    p.add_argument("--team-filter", help="comma-separated team codes: keep games where either team matches")


def main(argv=None) -> int:
    return main_for(
        "gamebook",
        "nbaprops.jobs.raw.nbac_gamebook",
        argv,
        extra=_flags,
        options=lambda a: {"team_filter": a.team_filter.split(",") if a.team_filter else None},
    )


if __name__ == "__main__":
    raise SystemExit(main())
