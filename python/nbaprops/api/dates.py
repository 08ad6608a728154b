"""Date helpers shared by the API: accept str / date / datetime / pandas Timestamp / numpy datetime64."""

from __future__ import annotations

import datetime as _dt
import sys
from typing import TYPE_CHECKING, Optional, Union

from .. import _core
from ..errors import ConfigError, DataError

if TYPE_CHECKING:
    import numpy

# numpy is not imported here (a job script's --help should not load it): a value can only be a numpy
# scalar once numpy is loaded, so the checks below look numpy up where it already is.
DateLike = Union[str, _dt.date, _dt.datetime, "numpy.datetime64"]

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
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.datetime64):
        if np.isnat(value):
            raise DataError(f"{what}: a missing date (NaT)")
        return int(value.astype("datetime64[D]").astype(np.int64))
    if (isinstance(value, int) or (np is not None and isinstance(value, np.integer))) and not isinstance(value, bool):
        raise DataError(
            f"{what}: invalid date {int(value)} (an integer; pass an ISO date such as '2024-01-15', a "
            f"datetime.date or a pandas.Timestamp; the native Schedule's day numbers convert with "
            f"nbaprops.api.dates.to_date({int(value)}))"
        )
    return int(_core.parse_date(str(value), what))


def check_order(start: Optional[int], end: Optional[int], start_name: str = "start", end_name: str = "end") -> None:
    """Raise ConfigError when both bounds are given (day numbers) and ``end`` comes before ``start``, as
    :func:`nbaprops.plan` and :func:`nbaprops.coverage` do, rather than answer for an empty range."""
    if start is not None and end is not None and end < start:
        raise ConfigError(f"{end_name} {iso(end)} is before {start_name} {iso(start)}")


def to_date(days: int) -> _dt.date:
    return _EPOCH + _dt.timedelta(days=int(days))


def iso(days: int) -> str:
    return to_date(days).isoformat()
