"""The engine's warehouse behind a :class:`nbaprops.Warehouse`, and the argument helpers every API function shares
(no pandas here: the raw importers' module uses it)."""

from __future__ import annotations

import os
from typing import Any, Iterable, Optional


def engine_of(wh: Any) -> Any:
    """The engine's warehouse behind ``wh``, for the functions that take a warehouse.

    Raises
    ------
    TypeError
        When ``wh`` is not an open warehouse; for a path or URI the message shows how to open it
        (opening is left to the caller: a mistyped path must not create an empty warehouse).
    """
    handle = getattr(wh, "_native", None)
    if handle is not None:
        return handle
    if isinstance(wh, (str, os.PathLike)):
        path = os.fspath(wh)
        raise TypeError(
            f"expected a nbaprops.Warehouse, got the path {path!r}; open it first: wh = nbaprops.open({path!r})"
        )
    raise TypeError(f"expected a nbaprops.Warehouse (from nbaprops.open), got {type(wh).__name__}")


def sqlite_dir(uri: Any) -> Optional[str]:
    """The directory of a SQLite warehouse URI (``path``, ``sqlite://path``, either with ``?options``); None for
    another backend (``bigquery://…``)."""
    path = os.fspath(uri)
    if path.startswith("sqlite://"):
        path = path[len("sqlite://") :]
    elif "://" in path:
        return None
    return path.split("?", 1)[0]


def name_list(names: Optional[Iterable[Any] | str]) -> list[str]:
    """Names (processors, tables, columns, tricodes, dates …) from a list or a comma-separated string: a string
    is never taken for the list of its characters. None gives an empty list; blanks are dropped."""
    if names is None:
        return []
    if isinstance(names, str):
        names = names.split(",")
    return [n for n in (str(x).strip() for x in names) if n]
