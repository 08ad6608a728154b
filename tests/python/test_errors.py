from __future__ import annotations

import builtins

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


def test_unknown_table_lists_known_ones(warehouse):
    with pytest.raises(nbaprops.ConfigError, match="unknown table 'nba_raw.nope'.*nba_raw.nbac_schedule"):
        nbaprops.read(warehouse, "nba_raw.nope")


def test_storage_error_on_unusable_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(nbaprops.StorageError):
        nbaprops.open(blocker / "wh")
