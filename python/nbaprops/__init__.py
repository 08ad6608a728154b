"""nbaprops: fast, point-in-time-correct backfills of an NBA player-props pipeline.

Quick start::

    import nbaprops
    wh = nbaprops.open("warehouse/")
    nbaprops.demo.generate(wh, seasons=[2023], seed=7)
    df = nbaprops.read(wh, "nba_analytics.team_offense_game_summary", "2023-11-01", "2023-11-30")
"""
from __future__ import annotations

from . import _core
from .api.warehouse import Warehouse, catalog, open, read
from .errors import (
    Cancelled,
    ConfigError,
    DataError,
    InternalError,
    NbaPropsError,
    NetworkError,
    PreflightError,
    StorageError,
)

__version__ = _core.__version__


def configure_logging(level: str = "info", file: str = "", to_stderr: bool = True) -> None:
    """Configure the native engine's log sinks (level debug/info/warning/error, optional file)."""
    _core.configure_logging(level, file, to_stderr)


def processors() -> list[dict]:
    """The registered processors in dependency order (name, code, phase, output table, reads…)."""
    return list(_core.processors())


__all__ = [
    "Cancelled",
    "ConfigError",
    "DataError",
    "InternalError",
    "NbaPropsError",
    "NetworkError",
    "PreflightError",
    "StorageError",
    "Warehouse",
    "__version__",
    "catalog",
    "configure_logging",
    "open",
    "processors",
    "read",
]
