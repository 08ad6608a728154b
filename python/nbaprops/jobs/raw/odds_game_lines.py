"""Legacy-compatible raw backfill of game-lines (replaces backfill_jobs/raw/odds_game_lines/odds_game_lines_raw_backfill.py); plus --snapshot-mode latest|all."""

from __future__ import annotations

from nbaprops.jobs.raw._common import main_for


def _flags(p) -> None:
    p.add_argument(
        "--snapshot-mode",
        choices=["latest", "all"],
        default="latest",
        help="latest: the newest snapshot file per event (default); all: every snapshot",
    )


def main(argv=None) -> int:
    return main_for(
        "game-lines",
        "nbaprops.jobs.raw.odds_game_lines",
        argv,
        extra=_flags,
        options=lambda a: {"all_snapshots": a.snapshot_mode == "all"},
    )


if __name__ == "__main__":
    raise SystemExit(main())
