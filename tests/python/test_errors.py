from __future__ import annotations

import builtins

import numpy as np
import pandas as pd
import pytest

import nbaprops
from nbaprops import _core, errors

CASES = [
    ("config", errors.ConfigError, ValueError),
    ("data", errors.DataError, ValueError),
    ("preflight", errors.PreflightError, RuntimeError),
    ("storage", errors.StorageError, OSError),
    ("network", errors.NetworkError, ConnectionError),
    ("cancelled", errors.Cancelled, KeyboardInterrupt),
    ("internal", errors.InternalError, RuntimeError),
]


@pytest.mark.parametrize(("code", "cls", "builtin"), CASES)
def test_each_code_maps_to_its_class_with_two_bases(code, cls, builtin):
    with pytest.raises(cls, match="boom on 2024-01-15") as info:
        _core._raise_error(code, "boom on 2024-01-15")
    assert isinstance(info.value, nbaprops.NbaPropsError)
    assert isinstance(info.value, builtin)
    assert cls.__module__ == "nbaprops.errors"


def test_plain_std_exceptions_still_map_to_builtins():
    with pytest.raises(builtins.ValueError):
        _core._raise_error("no-such-code", "x")


def test_bad_date_names_the_argument(warehouse):
    with pytest.raises(nbaprops.DataError, match=r"start: invalid date '2024-02-30'"):
        nbaprops.read(warehouse, "nba_raw.nbac_schedule", "2024-02-30", "2024-03-01")


def test_numpy_datetime64_of_any_unit_reads_as_its_date(warehouse):
    # A DataFrame column's .values / .unique() are datetime64[ns]; their text has a time part.
    from nbaprops.api.dates import to_days

    day = to_days("2024-01-15")
    for value in (
        np.datetime64("2024-01-15"),
        np.datetime64("2024-01-15T00:00:00.000000000"),
        pd.Series(pd.to_datetime(["2024-01-15 18:30"])).values[0],
        np.datetime64("2024-01-15T23:59", "m"),
    ):
        assert to_days(value) == day, value
    assert to_days(np.datetime64("1969-12-31T12:00")) == -1  # the calendar date, also before 1970
    table = "nba_raw.nbac_schedule"
    got = nbaprops.read(warehouse, table, np.datetime64("2024-01-15T00:00:00.000000000"), np.datetime64("2024-01-20"))
    assert list(got.columns) == list(nbaprops.read(warehouse, table, "2024-01-15", "2024-01-20").columns)
    with pytest.raises(nbaprops.DataError, match=r"start: a missing date \(NaT\)"):
        nbaprops.read(warehouse, table, np.datetime64("NaT"), "2024-01-20")


@pytest.mark.parametrize("value", [19737, np.int64(19737), 20240115])
def test_an_integer_date_is_refused_with_what_to_pass(warehouse, value):
    with pytest.raises(
        nbaprops.DataError,
        match=rf"start: invalid date {int(value)} \(an integer; pass an ISO date such as '2024-01-15'",
    ):
        nbaprops.read(warehouse, "nba_raw.nbac_schedule", value, "2024-01-20")


def test_unknown_table_lists_known_ones(warehouse):
    with pytest.raises(nbaprops.ConfigError, match="unknown table 'nba_raw.nope'.*nba_raw.nbac_schedule"):
        nbaprops.read(warehouse, "nba_raw.nope")


def test_storage_error_on_unusable_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(nbaprops.StorageError):
        nbaprops.open(blocker / "wh")


@pytest.mark.parametrize(
    "call",
    [
        lambda wh: nbaprops.plan(wh, "2024-01-15", "2024-01-16"),
        lambda wh: nbaprops.backfill(wh, "2024-01-15", "2024-01-16", progress="none"),
        lambda wh: nbaprops.freshness(wh, "2024-01-15", "2024-01-16"),
        lambda wh: nbaprops.read(wh, "nba_raw.nbac_schedule"),
        lambda wh: nbaprops.query(wh, "SELECT 1"),
        lambda wh: nbaprops.demo.generate(wh),
        lambda wh: nbaprops.import_raw(wh, "schedule", "nowhere"),
    ],
    ids=["plan", "backfill", "freshness", "read", "query", "demo", "import_raw"],
)
def test_a_path_in_place_of_a_warehouse_says_how_to_open_it_and_creates_nothing(tmp_path, call):
    path = tmp_path / "wh"
    with pytest.raises(TypeError, match=rf"got the path '{path}'; open it first: wh = nbaprops.open\('{path}'\)"):
        call(str(path))
    with pytest.raises(TypeError, match="got the path"):
        call(path)
    assert not path.exists()
    with pytest.raises(TypeError, match=r"expected a nbaprops.Warehouse \(from nbaprops.open\), got int"):
        call(7)
