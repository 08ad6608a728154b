"""Date helpers shared by the API: accept str / date / datetime / pandas Timestamp / numpy datetime64."""
from __future__ import annotations

import datetime as _dt
from typing import Union

import numpy as _np

from .. import _core
from ..errors import DataError

DateLike = Union[str, _dt.date, _dt.datetime, _np.datetime64]

_EPOCH = _dt.date(1970, 1, 1)


def to_days(value: DateLike, what: str = "date") -> int:
    """Day number (days since 1970-01-01) of an ISO string or a date; raises DataError naming ``what``.

    A datetime (pandas Timestamp included) or a numpy datetime64 of any unit (a DataFrame column's
    ``.values`` or ``.unique()``) counts by its calendar date. An integer is refused: it could be a day
    number, a year or a compact YYYYMMDD, and the message says what to pass instead.
    """
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return (value - _EPOCH).days
    if isinstance(value, _np.datetime64):
        if _np.isnat(value):
            raise DataError(f"{what}: a missing date (NaT)")
        return int(value.astype("datetime64[D]").astype(_np.int64))
    if isinstance(value, (int, _np.integer)) and not isinstance(value, bool):
        raise DataError(f"{what}: invalid date {int(value)} (an integer; pass an ISO date such as '2024-01-15', a "
                        f"datetime.date or a pandas.Timestamp; the native Schedule's day numbers convert with "
                        f"nbaprops.api.dates.to_date({int(value)}))")
    return int(_core.parse_date(str(value), what))


def to_date(days: int) -> _dt.date:
    return _EPOCH + _dt.timedelta(days=int(days))


def iso(days: int) -> str:
    return to_date(days).isoformat()
