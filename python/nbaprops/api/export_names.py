"""The legacy ``daily_export.py`` export names, without the modules that write them (the command line's help
reads them before any of those is imported)."""
from __future__ import annotations

#: Every name the legacy ``daily_export.py --only`` accepted (types, then the shorthand groups).
ALL_LEGACY_TYPES: tuple[str, ...] = (
    "results", "performance", "best-bets", "predictions", "tonight", "tonight-players", "streaks",
    "trends-hot-cold", "trends-bounce-back", "trends-what-matters", "trends-team", "trends-quick-hits",
    "trends-deep-dive", "tonight-trend-plays", "live", "live-grading", "trends-daily", "trends-weekly", "trends-all")
