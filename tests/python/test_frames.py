"""nbaprops.read: whole numpy columns into pandas (dtypes, NULLs, order, projections, parallel slices),
compared value by value with pandas.read_sql on the same SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nbaprops
from nbaprops import _frames

PGS = "nba_analytics.player_game_summary"
ORDER = "game_date, player_lookup, game_id"  # PGS partition column, then its key


def reference(wh, table: str, where: str = "", params=(), columns: str = "*") -> pd.DataFrame:
    dataset, name = table.split(".")
    cat = nbaprops.catalog()
    cols = cat[cat["table"] == table]
    part = cols[cols["partition"]]["column"].iloc[0]
    keys = ", ".join(cols[cols["key"]]["column"])
    con = sqlite3.connect(f"file:{Path(wh.uri) / (dataset + '.sqlite')}?mode=ro", uri=True)
    try:
        return pd.read_sql(f"SELECT {columns} FROM {name} {where} ORDER BY {part}, {keys}", con, params=params)
    finally:
        con.close()


def as_python(s: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(s):
        return [None if pd.isna(v) else v.date().isoformat() for v in s]
    return s.astype(object).where(s.notna(), None).tolist()


def assert_same(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert list(ours.columns) == list(ref.columns)
    assert len(ours) == len(ref)
    for col in ours.columns:
        a, b = as_python(ours[col]), as_python(ref[col])
        if ours[col].dtype == "boolean":
            b = [None if v is None else bool(v) for v in b]
        assert a == b, f"column {col} differs"


def test_whole_table_matches_read_sql_in_order(demo):
    """~25k rows: read as parallel rowid slices, sorted back to (game_date, key) natively."""
    ours = nbaprops.read(demo, PGS)
    assert len(ours) > 20_000  # above the parallel-read threshold
    assert_same(ours, reference(demo, PGS))


def test_dtypes_follow_the_catalog(demo):
    df = nbaprops.read(demo, PGS, "2023-11-01", "2023-11-30")
    cat = nbaprops.catalog()
    types = cat[cat["table"] == PGS].set_index("column")["type"]
    for col in df.columns:
        t = types[col]
        if t == "INT64":
            assert df[col].dtype == "Int64", col
        elif t == "BOOL":
            assert df[col].dtype == "boolean", col
        elif t == "DATE":
            assert df[col].dtype == "datetime64[ns]", col
        elif t.startswith(("NUMERIC", "FLOAT64")):
            assert df[col].dtype == np.float64, col
        else:
            assert df[col].dtype == object, col
    assert df.attrs["table"] == PGS


def test_categorical_text(demo):
    df = nbaprops.read(demo, PGS, "2023-11-01", "2023-11-30", categorical=True)
    plain = nbaprops.read(demo, PGS, "2023-11-01", "2023-11-30")
    assert isinstance(df["player_lookup"].dtype, pd.CategoricalDtype)
    cats = list(df["player_lookup"].cat.categories)
    assert cats == sorted(cats)
    assert df["data_hash"].dtype == object  # hashes: distinct per row, not categories
    assert df["processed_at"].dtype == object  # TIMESTAMP stays text
    for col in ["player_lookup", "game_id", "team_abbr", "over_under_result"]:
        assert as_python(df[col]) == as_python(plain[col])
    assert df["over_under_result"].isna().sum() == plain["over_under_result"].isna().sum()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2023-11-08", "2023-11-08"),  # one date: index read
        ("2023-10-01", "2024-03-31"),  # most of it: rowid scan
        ("2023-12-01", None),
        (None, "2023-11-05"),
    ],
)
def test_ranges_match_read_sql(demo, start, end):
    ours = nbaprops.read(demo, PGS, start, end)
    lo, hi = start or "0000-01-01", end or "9999-12-31"
    ref = reference(demo, PGS, "WHERE game_date BETWEEN ? AND ?", (lo, hi))
    assert_same(ours, ref)
    if len(ours):
        assert ours["game_date"].min() >= pd.Timestamp(lo.replace("0000", "1970"))


def test_projection_without_the_sort_columns_keeps_the_order(demo):
    ours = nbaprops.read(demo, PGS, columns=["points", "minutes_played"])
    assert list(ours.columns) == ["points", "minutes_played"]
    assert_same(ours, reference(demo, PGS, columns="points, minutes_played"))


# One column of every kind: DATE, STRING, INT64, NUMERIC, BOOL, FLOAT64, JSON, TIMESTAMP.
KINDS = [
    "game_date",
    "player_lookup",
    "game_id",
    "points",
    "minutes_played",
    "starter_flag",
    "quality_score",
    "quality_metadata",
    "processed_at",
    "points_line",
]


def test_page_reads_and_their_sqlite_fallbacks_match_read_sql(demo_copy):
    """Whole-table reads decode the file's pages (sqlite_file); layouts they do not read (a row on overflow
    pages, a log held back by an older reader, a read-only warehouse) go through SQLite. Same values, NULLs
    and order either way."""
    wh = demo_copy
    path = Path(wh.uri) / "nba_analytics.sqlite"

    def check():
        assert_same(nbaprops.read(wh, PGS, columns=KINDS), reference(wh, PGS, columns=", ".join(KINDS)))

    con = sqlite3.connect(path, isolation_level=None)
    try:
        # A NULL of every kind (the partition date too: NULL sorts first) and a whole number in a
        # NUMERIC column (stored as an integer, read as a float).
        con.execute(
            "UPDATE player_game_summary SET points = NULL, minutes_played = NULL, starter_flag = NULL, "
            "quality_score = NULL, quality_metadata = NULL, processed_at = NULL, player_lookup = NULL "
            "WHERE rowid % 97 = 0"
        )
        con.execute("UPDATE player_game_summary SET game_date = NULL WHERE rowid = 5")
        con.execute("UPDATE player_game_summary SET minutes_played = 30.0, points = -(1 << 40) WHERE rowid % 89 = 1")
        ro = nbaprops.open(wh.uri, read_only=True)  # never checkpoints: always the SQLite path
        assert_same(nbaprops.read(ro, PGS, columns=KINDS), reference(wh, PGS, columns=", ".join(KINDS)))
        check()
        frame = nbaprops.read(wh, PGS, columns=KINDS)
        assert pd.isna(frame["game_date"].iloc[0]) and frame["minutes_played"].dtype == np.float64
        assert (frame["minutes_played"] == 30.0).any() and (frame["points"] == -(1 << 40)).any()

        reader = sqlite3.connect(path, isolation_level=None)  # an older snapshot holds the log back
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM player_game_summary").fetchone()
        con.execute("UPDATE player_game_summary SET points = 7 WHERE rowid % 101 = 0")
        check()
        reader.execute("COMMIT")
        reader.close()

        con.execute("UPDATE player_game_summary SET quality_metadata = ? WHERE rowid = 77", ("x" * 6000,))
        check()  # a row on overflow pages

        con.execute("DELETE FROM player_game_summary")
        empty = nbaprops.read(wh, PGS)
        assert empty.empty and empty["game_date"].dtype == "datetime64[ns]" and empty["points"].dtype == "Int64"
    finally:
        con.close()


def test_nulls_come_out_as_pandas_missing_values(demo):
    df = nbaprops.read(demo, PGS, "2023-11-01", "2023-11-30")
    assert df["over_under_result"].isna().any()  # no prop line: NULL text
    assert df["over_under_result"].dropna().isin(["OVER", "UNDER"]).all()
    assert all(v is None for v in df.loc[df["over_under_result"].isna(), "over_under_result"])
    assert df["source_bdl_last_updated"].isna().all()
    assert df["points_line"].isna().any() and df["points_line"].dtype == np.float64
    null_ints = nbaprops.read(demo, "nba_raw.nbac_gamebook_player_stats", "2023-11-01", "2023-11-01")
    assert null_ints["points"].isna().any() and null_ints["points"].dtype == "Int64"


def test_empty_table_has_the_schema_columns(warehouse):
    df = nbaprops.read(warehouse, "nba_analytics.team_offense_game_summary")
    assert df.empty and df["game_date"].dtype == "datetime64[ns]" and df["points_scored"].dtype == "Int64"
    cat = nbaprops.read(warehouse, "nba_analytics.team_offense_game_summary", categorical=True)
    assert isinstance(cat["team_abbr"].dtype, pd.CategoricalDtype)


def test_unknown_column_is_a_config_error(demo):
    with pytest.raises(nbaprops.ConfigError, match="no_such_column"):
        nbaprops.read(demo, PGS, columns=["points", "no_such_column"])


def test_to_frame_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="kind"):
        _frames.to_frame({"rows": 1, "columns": ["x"], "data": {"x": ("blob", None)}, "table": "t"})


def test_to_frame_wraps_numpy_columns_without_copies():
    values = np.array([1, 2, 3], dtype=np.int64)
    mask = np.array([False, True, False])
    days = np.array([0, 1, 2], dtype="int64").astype("M8[D]").astype("M8[ns]")
    native = {
        "table": "t",
        "rows": 3,
        "columns": ["i", "d", "c"],
        "data": {
            "i": ("int", values, mask),
            "d": ("date", days),
            "c": ("category", np.array([0, -1, 1], dtype=np.int32), ["a", "b"]),
        },
    }
    df = _frames.to_frame(native)
    assert df["i"].tolist()[0] == 1 and pd.isna(df["i"].iloc[1])
    assert np.shares_memory(df["i"].array._data, values)
    assert df["c"].tolist()[0] == "a" and pd.isna(df["c"].iloc[1]) and df["c"].iloc[2] == "b"
    assert df["d"].iloc[2] == pd.Timestamp("1970-01-03")


LEDGER = "nba_orchestration.run_ledger"


def _process_locks(path: Path) -> int:
    """POSIX locks this process holds on @path (Linux /proc/locks)."""
    ino, pid = path.stat().st_ino, os.getpid()
    count = 0
    for line in Path("/proc/locks").read_text().splitlines():
        f = line.split()
        # "1: POSIX  ADVISORY  READ 4553 fe:00:2253325 1073741826 1073742335" (blocked waiters: "->")
        if "->" not in f and f[1] == "POSIX" and f[4] == str(pid) and f[5].split(":")[-1] == str(ino):
            count += 1
    return count


def _in_other_process(code: str, *args) -> str:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


# Another process: open a dataset file, read, close. A closing connection that finds no other
# process's lock on the file takes it for the last one: it checkpoints and deletes the log that this
# process's connections are still writing to.
_OPEN_READ_CLOSE = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    "print(c.execute('SELECT count(*) FROM ' + sys.argv[2]).fetchone()[0]); c.close()"
)


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks to see the process's locks")
def test_writes_after_page_reads_in_the_same_process(demo_copy, tmp_path):
    """Page reads go through SQLite's own file handles: they leave every lock the process's other
    connections hold on the file in place (closing a descriptor of our own would drop them all), so
    another process closing its connection keeps the log, and writes made after the reads land."""
    wh = demo_copy
    files = {name: Path(wh.uri) / f"{name.split('.')[0]}.sqlite" for name in (PGS, LEDGER)}
    log = tmp_path / "native.log"
    nbaprops.configure_logging("debug", str(log), False)
    holder = sqlite3.connect(files[PGS], isolation_level=None)  # another connection holding locks
    try:
        holder.execute("BEGIN")
        holder.execute("SELECT count(*) FROM player_game_summary").fetchone()  # a read lock, latest snapshot
        locks = {t: _process_locks(f) for t, f in files.items()}
        assert locks[PGS] > 0
        for _ in range(3):
            assert_same(nbaprops.read(wh, PGS, columns=KINDS), reference(wh, PGS, columns=", ".join(KINDS)))
            assert len(nbaprops.read(wh, LEDGER)) > 0
            assert {t: _process_locks(f) for t, f in files.items()} == locks
        ledger = len(nbaprops.read(wh, LEDGER))
        pgs_rows = int(_in_other_process(_OPEN_READ_CLOSE, files[PGS], "player_game_summary"))
        assert pgs_rows == len(nbaprops.read(wh, PGS))
        for f in files.values():
            assert Path(str(f) + "-wal").exists(), f"{f.name}: log deleted by another process's close"

        # Writes in this process after the reads, the holder still reading: one date recomputed
        # (a fresh run, no resume).
        r = nbaprops.backfill(
            wh,
            dates=["2023-11-08"],
            processors="player_game_summary",
            resume=False,
            progress="none",
            checkpoint_dir=tmp_path / "ck",
        )
        assert r.exit_code == 0, r.summary_text
        after = len(nbaprops.read(wh, LEDGER))
        assert after > ledger
        # Another process sees them (and closes again), and both files pass SQLite's integrity check.
        assert int(_in_other_process(_OPEN_READ_CLOSE, files[LEDGER], "run_ledger")) == after
        assert int(_in_other_process(_OPEN_READ_CLOSE, files[PGS], "player_game_summary")) == pgs_rows
        holder.execute("COMMIT")
        check = (
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])"
        )
        for f in files.values():
            assert _in_other_process(check, f) == "ok"
        assert_same(nbaprops.read(wh, PGS, columns=KINDS), reference(wh, PGS, columns=", ".join(KINDS)))
        assert {t: _process_locks(f) for t, f in files.items()}[PGS] > 0
    finally:
        holder.close()
        nbaprops.configure_logging(os.environ.get("NBAPROPS_LOG_LEVEL", "warning"), "", True)
    # The reads above took the page path (not SQLite's).
    text = log.read_text()
    for t in (PGS, LEDGER):
        assert f"reading {t} through SQLite" not in text, text[-2000:]
        assert f"read {t} from its pages" in text, text[-2000:]
