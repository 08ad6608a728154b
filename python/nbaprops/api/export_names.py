"""The legacy ``daily_export.py`` export names, without the modules that write them (the command line's help
reads them before any of those is imported)."""

from __future__ import annotations

import os

#: Every name the legacy ``daily_export.py --only`` accepted (types, then the shorthand groups).
ALL_LEGACY_TYPES: tuple[str, ...] = (
    "results",
    "performance",
    "best-bets",
    "predictions",
    "tonight",
    "tonight-players",
    "streaks",
    "trends-hot-cold",
    "trends-bounce-back",
    "trends-what-matters",
    "trends-team",
    "trends-quick-hits",
    "trends-deep-dive",
    "tonight-trend-plays",
    "live",
    "live-grading",
    "trends-daily",
    "trends-weekly",
    "trends-all",
)


def default_export_dir() -> str:
    """Where exports go when no directory is given (``nbaprops export`` without ``--out``,
    :func:`nbaprops.export` without ``out_dir``): ``$NBAPROPS_EXPORT_DIR``, else ``exports`` in the
    current directory."""
    return os.environ.get("NBAPROPS_EXPORT_DIR") or "exports"
