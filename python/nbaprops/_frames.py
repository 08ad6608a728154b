"""Conversion of native column dictionaries into pandas DataFrames (pandas stays in Python)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_EPOCH = np.datetime64("1970-01-01", "D")


def to_frame(native: dict[str, Any]) -> pd.DataFrame:
    """Build a DataFrame from ``_core`` column data: nullable ints (Int64), booleans (boolean),
    dates (datetime64[ns]), floats (NaN for NULL) and text (object, None for NULL)."""
    cols: dict[str, Any] = {}
    n = int(native["rows"])
    for name, typ in zip(native["columns"], native["types"]):
        values, valid = native["data"][name]
        mask = np.asarray(valid, dtype=bool)
        if typ == "DATE":
            arr = _EPOCH + np.asarray(values, dtype="int64").astype("timedelta64[D]")
            series = pd.Series(arr.astype("datetime64[ns]"))
            series[~mask] = pd.NaT
        elif typ == "BOOL":
            series = pd.Series(pd.arrays.BooleanArray(np.asarray(values, dtype="int64") != 0, ~mask))
        elif typ == "INT64":
            series = pd.Series(pd.arrays.IntegerArray(np.asarray(values, dtype="int64"), ~mask))
        elif typ in ("FLOAT64", "NUMERIC"):
            arr = np.asarray(values, dtype="float64").copy()
            arr[~mask] = np.nan
            series = pd.Series(arr)
        else:
            series = pd.Series(values, dtype="object")
        cols[name] = series
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n))
    frame.attrs["table"] = native.get("table")
    return frame
