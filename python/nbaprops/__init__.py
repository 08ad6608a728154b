"""nbaprops: fast, point-in-time-correct backfills of an NBA player-props pipeline.

A C++20 engine (``nbaprops._core``) with this Python face. Everything public is listed in ``__all__``
and below; each function has a NumPy-style docstring (``help(nbaprops.read)``).

Warehouse and data
    open(uri) -> Warehouse            open or create a SQLite warehouse directory (or bigquery://PROJECT)
    read(wh, table, start, end)       a table's rows as a DataFrame (whole numpy columns)
    query(wh, sql, params)            read-only SQL over every dataset, legacy table names
    catalog()                         every table and column
    demo.generate(wh, seasons, seed)  the deterministic demo league
    import_shots / import_schedule / import_boxscores   real formats into nba_raw
    import_raw(wh, kind, path) -> RawImport   the legacy data lake's files (raw_kinds() / raw_sources())
    import_schedule_from_store(wh, uri)       the newest schedule JSON under gs://bucket/prefix
    copy(source, destination, tables, start, end)   partitions between warehouses (SQLite ⇄ BigQuery)

Backfills
    plan(wh, start, end, processors=...) -> Plan
    preflight(wh, plan) -> PreflightReport
    backfill(wh, plan_or_start, end, ...) -> RunResult   (Ctrl-C / kernel interrupt stops cleanly)
    coverage(wh, start, end) -> CoverageReport;  monthly_counts / format_monthly
    freshness(wh, plan_or_start, end) -> FreshnessReport   which committed dates are stale (reads only)
    checkpoint_status / reset_checkpoint / resolve_checkpoint_dir / DEFAULT_CHECKPOINT_DIR
    processors()                      the processor registry

Predictions and exports
    set_xgboost_model(path or "none") / xgboost_model_id()
    export(wh, start, end, types, out_dir) -> ExportResult;  export_dates / export_types
    export_players(wh, out_dir) -> ExportResult   the player profiles (daily_export --players)

Logging and version
    configure_logging(level, file)    the native engine's log sinks;  __version__

Errors: NbaPropsError and its subclasses ConfigError, DataError, PreflightError, StorageError (and its
WarehouseBusyError), NetworkError, Cancelled, InternalError (each also a matching builtin: DataError is a ValueError …).

Quick start::

    import nbaprops
    wh = nbaprops.open("warehouse/")
    nbaprops.demo.generate(wh, seasons=[2023], seed=7)
    nbaprops.backfill(wh, "2023-10-17", "2023-11-30")
    df = nbaprops.read(wh, "nba_analytics.team_offense_game_summary", "2023-11-01", "2023-11-30")
    nbaprops.query(wh, "SELECT team_abbr, AVG(pace) FROM nba_analytics.team_offense_game_summary "
                       "GROUP BY team_abbr")
"""

from __future__ import annotations

import importlib as _importlib
import os as _os
from typing import TYPE_CHECKING, Any

from . import _core
from . import api as api  # nbaprops.api.<module> works after `import nbaprops`, as it did
from .errors import (
    Cancelled,
    ConfigError,
    DataError,
    InternalError,
    NbaPropsError,
    NetworkError,
    PreflightError,
    StorageError,
    WarehouseBusyError,
)

# The public names below live in modules that import pandas (about half a second): they are
# imported on first use (PEP 562), so that `nbaprops --help` and a command's argument errors answer
# at once. `import nbaprops; nbaprops.backfill(...)` and `from nbaprops import read` work as before.
_LAZY_BY_MODULE = {
    ".api.copy": ("copy", "import_schedule_from_store"),
    ".api.coverage": ("format_monthly", "monthly_counts"),
    ".api.exports": ("ExportResult", "export", "export_dates", "export_players", "export_types"),
    ".api.importers": ("import_boxscores", "import_schedule", "import_shots"),
    ".api.models": ("set_xgboost_model", "xgboost_model_id"),
    ".api.query": ("query",),
    ".api.raw": ("RawImport", "import_raw", "raw_kinds", "raw_sources"),
    ".api.runner": (
        "DEFAULT_CHECKPOINT_DIR",
        "CoverageReport",
        "FreshnessReport",
        "Plan",
        "PreflightReport",
        "RunResult",
        "backfill",
        "checkpoint_status",
        "coverage",
        "freshness",
        "plan",
        "preflight",
        "reset_checkpoint",
        "resolve_checkpoint_dir",
    ),
    ".api.warehouse": ("Warehouse", "catalog", "open", "read"),
}
#: name → (module, attribute of the module; None: the module itself).
_LAZY = {
    "demo": (".api.demo", None),
    **{name: (module, name) for module, names in _LAZY_BY_MODULE.items() for name in names},
}

if TYPE_CHECKING:  # what the lazy names are, for type checkers and IDEs
    from .api import demo
    from .api.copy import copy, import_schedule_from_store
    from .api.coverage import format_monthly, monthly_counts
    from .api.exports import ExportResult, export, export_dates, export_players, export_types
    from .api.importers import import_boxscores, import_schedule, import_shots
    from .api.models import set_xgboost_model, xgboost_model_id
    from .api.query import query
    from .api.raw import RawImport, import_raw, raw_kinds, raw_sources
    from .api.runner import (
        DEFAULT_CHECKPOINT_DIR,
        CoverageReport,
        FreshnessReport,
        Plan,
        PreflightReport,
        RunResult,
        backfill,
        checkpoint_status,
        coverage,
        freshness,
        plan,
        preflight,
        reset_checkpoint,
        resolve_checkpoint_dir,
    )
    from .api.warehouse import Warehouse, catalog, open, read


def __getattr__(name: str) -> Any:
    """Imports a public name's module on first use and keeps the name (PEP 562)."""
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'nbaprops' has no attribute {name!r}") from None
    value = _importlib.import_module(module, __name__)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__version__ = _core.__version__

# The native engine logs at warning and above unless told otherwise (NBAPROPS_LOG_LEVEL or
# configure_logging); per-unit debug lines stay quiet in scripts and notebooks.
_core.configure_logging(_os.environ.get("NBAPROPS_LOG_LEVEL", "warning"), "", True)


def configure_logging(level: str = "info", file: str = "", to_stderr: bool = True) -> None:
    """Configure the native engine's log sinks.

    Parameters
    ----------
    level : {"debug", "info", "warning", "error"}
        The lowest level written (default at import: ``$NBAPROPS_LOG_LEVEL`` or warning).
    file : str, optional
        Also append to this file ('' for none).
    to_stderr : bool
        Write to stderr.

    Raises
    ------
    ConfigError
        For an unknown level.
    """
    _core.configure_logging(level, file, to_stderr)


def processors() -> list[dict]:
    """The registered processors in dependency order.

    Returns
    -------
    list of dict
        One dict per processor: ``name``, ``code`` (``psza``), ``phase``, ``output_table``, ``entity``,
        ``reads`` (table, window kind, n, required), ``bootstrap`` (skip/run), ``legacy_job``,
        ``description``.
    """
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
    "WarehouseBusyError",
    "DEFAULT_CHECKPOINT_DIR",
    "CoverageReport",
    "ExportResult",
    "FreshnessReport",
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
    "export_players",
    "export_types",
    "format_monthly",
    "freshness",
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
    "query",
    "read",
    "reset_checkpoint",
    "resolve_checkpoint_dir",
    "set_xgboost_model",
    "xgboost_model_id",
]
