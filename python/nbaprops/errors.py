"""The nbaprops exception classes. Each has two bases: ``NbaPropsError`` and the matching builtin
(``DataError`` is also a ``ValueError``, ``StorageError`` an ``OSError`` …), so callers can catch either.
``WarehouseBusyError`` is the ``StorageError`` of a backfill refused because another run writes the same tables;
``BUSY_EXIT`` the exit code of a command refused so, from ``nbaprops`` and from the legacy job scripts alike."""

from __future__ import annotations

from ._core import (
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
    "BUSY_EXIT",
]

#: Exit code of a command refused because another run is writing the same tables: nothing ran, and the same
#: command works once that run ended (sysexits' EX_TEMPFAIL, "try again later"; a scheduler retries it).
BUSY_EXIT = 75
