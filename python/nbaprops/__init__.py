"""nbaprops: fast, point-in-time-correct backfills of an NBA player-props pipeline.

Quick start::

    import nbaprops
    wh = nbaprops.open("warehouse/")
    nbaprops.demo.generate(wh, seasons=[2023], seed=7)
    df = nbaprops.read(wh, "nba_analytics.team_offense_game_summary", "2023-11-01", "2023-11-30")
"""
from __future__ import annotations

import os as _os

from . import _core
from .api import demo
from .api.copy import copy, import_schedule_from_store
from .api.coverage import format_monthly, monthly_counts
from .api.exports import ExportResult, export, export_dates, export_types
from .api.importers import import_boxscores, import_schedule, import_shots
from .api.models import set_xgboost_model, xgboost_model_id
from .api.raw import RawImport, import_raw, raw_kinds, raw_sources
from .api.runner import (
    CoverageReport,
    Plan,
    PreflightReport,
    RunResult,
    backfill,
    checkpoint_status,
    coverage,
    plan,
    preflight,
    reset_checkpoint,
)
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

# The native engine logs at warning and above unless told otherwise (NBAPROPS_LOG_LEVEL or
# configure_logging); per-unit debug lines stay quiet in scripts and notebooks.
_core.configure_logging(_os.environ.get("NBAPROPS_LOG_LEVEL", "warning"), "", True)


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
    "CoverageReport",
    "ExportResult",
    "Plan",
    "PreflightReport",
    "RawImport",
    "RunResult",
    "Warehouse",
    "__version__",
    "backfill",
    "catalog",
    "copy",
    "checkpoint_status",
    "configure_logging",
    "import_schedule_from_store",
    "coverage",
    "demo",
    "export",
    "export_dates",
    "export_types",
    "format_monthly",
    "import_boxscores",
    "import_raw",
    "import_schedule",
    "import_shots",
    "monthly_counts",
    "open",
    "plan",
    "preflight",
    "processors",
    "raw_kinds",
    "raw_sources",
    "read",
    "reset_checkpoint",
    "set_xgboost_model",
    "xgboost_model_id",
]
