"""Date helpers shared by the API: accept str / date / datetime / pandas Timestamp."""
from __future__ import annotations

import datetime as _dt
from typing import Union

from .. import _core

DateLike = Union[str, _dt.date, _dt.datetime]

_EPOCH = _dt.date(1970, 1, 1)


def to_days(value: DateLike, what: str = "date") -> int:
    """Day number (days since 1970-01-01) of an ISO string or a date; raises DataError naming ``what``."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return (value - _EPOCH).days
    return int(_core.parse_date(str(value), what))


def to_date(days: int) -> _dt.date:
    return _EPOCH + _dt.timedelta(days=int(days))


def iso(days: int) -> str:
    return to_date(days).isoformat()
