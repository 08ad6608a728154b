"""Native columns → pandas DataFrames (pandas stays in Python; no per-row Python).

The binding hands over whole numpy columns already in pandas' layout (see ``bindings/convert.hpp``):
this module only wraps them in pandas arrays, without copying them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def _column(entry: tuple) -> Any:
    kind = entry[0]
    if kind == "int":
        return pd.arrays.IntegerArray(entry[1], entry[2])
    if kind == "bool":
        return pd.arrays.BooleanArray(entry[1], entry[2])
    if kind in ("date", "real"):
        return entry[1]
    if kind == "object":  # kept as object (None for NULL), not inferred as pandas' str dtype
        return pd.Series(entry[1], dtype=object, copy=False)
    if kind == "category":
        categories = pd.Index(entry[2], dtype="str" if entry[2] else "object")
        return pd.Categorical.from_codes(entry[1], dtype=pd.CategoricalDtype(categories), validate=False)
    raise ValueError(f"unknown native column kind {kind!r}")


def to_frame(native: dict[str, Any]) -> pd.DataFrame:
    """Build a DataFrame from ``_core`` columns.

    Parameters
    ----------
    native : dict
        ``{"table", "rows", "columns", "types", "data"}`` as returned by ``_core.Warehouse.read``.

    Returns
    -------
    pandas.DataFrame
        Nullable ints as ``Int64``, booleans as ``boolean``, dates as ``datetime64[ns]`` (NaT for NULL),
        floats as ``float64`` (NaN for NULL), STRING columns as ``category`` (when read with
        ``categorical=True``) and other text as ``object`` (None for NULL). ``attrs["table"]`` names
        the table.
    """
    n = int(native["rows"])
    data = native["data"]
    cols = {name: _column(data[name]) for name in native["columns"]}
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n), copy=False)
    frame.attrs["table"] = native.get("table")
    return frame
