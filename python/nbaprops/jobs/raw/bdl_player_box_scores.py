"""Legacy-compatible raw backfill of bdl-stats (replaces data_processors/raw/balldontlie/bdl_player_box_scores_processor.py (no legacy backfill script))."""

from __future__ import annotations

from nbaprops.jobs.raw._common import main_for


def main(argv=None) -> int:
    return main_for("bdl-stats", "nbaprops.jobs.raw.bdl_player_box_scores", argv)


if __name__ == "__main__":
    raise SystemExit(main())
