"""The nbaprops exception classes. Each has two bases: ``NbaPropsError`` and the matching builtin
(``DataError`` is also a ``ValueError``, ``StorageError`` an ``OSError`` …), so callers can catch either.
``WarehouseBusyError`` is the ``StorageError`` of a backfill refused because another run writes the same tables."""

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
]
