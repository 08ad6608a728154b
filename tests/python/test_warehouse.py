from __future__ import annotations

import pandas as pd

import nbaprops


def test_empty_table_reads_with_schema_columns(warehouse):
    df = nbaprops.read(warehouse, "nba_analytics.team_offense_game_summary")
    assert df.empty
    assert list(df.columns)[:4] == ["game_id", "nba_game_id", "game_date", "team_abbr"]


def test_catalog_has_every_legacy_table():
    cat = nbaprops.catalog()
    tables = set(cat["table"])
    assert "nba_precompute.player_shot_zone_analysis" in tables
    assert "nba_predictions.ml_feature_store_v2" in tables
    psza = cat[cat["table"] == "nba_precompute.player_shot_zone_analysis"]
    assert psza[psza["partition"]]["column"].tolist() == ["analysis_date"]
    togs = cat[cat["table"] == "nba_analytics.team_offense_game_summary"].set_index("column")
    assert togs.loc["offensive_rating", "type"] == "NUMERIC(6,2)"
    assert bool(togs.loc["game_id", "required"]) is True


def test_processors_are_listed_in_dependency_order():
    procs = nbaprops.processors()
    names = [p["name"] for p in procs]
    assert "team_offense_game_summary" in names
    togs = procs[names.index("team_offense_game_summary")]
    assert togs["code"] == "togs"
    assert togs["output_table"] == "nba_analytics.team_offense_game_summary"
    # Every processor comes after the processors whose tables it reads.
    produced = {}
    for i, p in enumerate(procs):
        for table, *_ in p["reads"]:
            if table in produced:
                assert produced[table] < i
        produced[p["output_table"]] = i


def test_partition_counts_is_a_series(warehouse):
    s = warehouse.partition_counts("nba_raw.nbac_schedule")
    assert isinstance(s, pd.Series)
    assert s.empty


def _closed_copy(src, dst) -> None:
    """A copy of warehouse ``src`` as a cleanly closed warehouse leaves it: database files only, no -wal
    or -shm (the last connection to close checkpoints the log and removes both)."""
    import shutil
    import sqlite3
    from pathlib import Path

    shutil.copytree(src, dst)
    for f in Path(dst).glob("*.sqlite"):
        con = sqlite3.connect(f)
        con.execute("SELECT count(*) FROM sqlite_master").fetchall()
        con.close()
    assert not list(Path(dst).glob("*-wal")) and not list(Path(dst).glob("*-shm"))


def test_read_only_uri_is_the_warehouses_rule(tmp_path):
    """Audit B finding 3: nbaprops.read's parallel slices and nbaprops.query open each file with the
    warehouse's own rule (mode=ro where the directory can be written, immutable=1 where it cannot,
    file::memory: for a missing file), through one function."""
    from nbaprops import _core

    f = tmp_path / "nba_raw.sqlite"
    f.write_bytes(b"")
    assert _core.read_only_uri(str(f)) == f"file:{f}?mode=ro"
    assert _core.read_only_uri(str(tmp_path / "missing.sqlite")) == "file::memory:"
    odd = tmp_path / "a?b%c#d"
    odd.mkdir()
    (odd / "x.sqlite").write_bytes(b"")
    assert _core.read_only_uri(str(odd / "x.sqlite")) == f"file:{tmp_path}/a%3Fb%25c%23d/x.sqlite?mode=ro"


def test_reads_and_queries_of_a_read_only_mounted_warehouse(demo_dir, tmp_path):
    """Audit B finding 3: on a read-only mount (a finished warehouse, cleanly closed: no -shm), read and
    query raised "unable to open database file" (the slices opened the plain path, query attached with
    mode=ro only). Run in a private mount namespace as root, or with permission bits otherwise."""
    import os
    import subprocess
    import sys

    from test_cli_contract import _read_only_mount_prefix

    wh = tmp_path / "wh"
    _closed_copy(demo_dir, wh)
    table = "nba_analytics.player_game_summary"
    expected = len(nbaprops.read(nbaprops.open(demo_dir, read_only=True), table))
    assert expected > 20000  # parallel slices, not one query
    script = (
        "import nbaprops\n"
        f"wh = nbaprops.open({str(wh)!r})\n"
        f"n = len(nbaprops.read(wh, {table!r}))\n"
        f"q = int(nbaprops.query(wh, 'SELECT count(*) AS n FROM {table}')['n'][0])\n"
        "print(n, q)\n"
    )
    cmd = f"'{sys.executable}' -c \"{script}\""
    prefix = _read_only_mount_prefix(wh)
    if prefix is not None:
        mount = f"mount --bind '{wh}' '{wh}' && mount -o remount,ro,bind '{wh}' '{wh}' && "
        r = subprocess.run(prefix + [mount + cmd], capture_output=True, text=True, timeout=300)
    elif os.geteuid() != 0:
        for f in wh.iterdir():
            f.chmod(0o444)
        wh.chmod(0o555)
        try:
            r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=300)
        finally:
            wh.chmod(0o755)
    else:
        import pytest

        pytest.skip("running as root without mount namespaces: cannot make a directory unwritable")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split() == [str(expected), str(expected)], r.stdout


def test_a_commit_between_the_slices_of_a_read_is_never_half_seen(demo_dir, tmp_path):
    """Audit B suspicion (finding 8): a read of several slices, each through its own connection (a warehouse
    opened read-only, where the single-snapshot page read is not used), compared only the table's extent (row
    count, rowid range) before and after. A rerun overwrites a partition in place, same rowids: the extent does
    not change, and the read returned rows of two commits. The file's data version changes on every commit:
    the read is repeated and every row comes from one commit."""
    import shutil

    from nbaprops.api._handle import engine_of

    shutil.copytree(demo_dir, tmp_path / "wh")
    wh = nbaprops.open(tmp_path / "wh", read_only=True)
    table = "nba_analytics.player_game_summary"
    before = nbaprops.read(wh, table, columns=["points"])
    assert len(before) > 20000 and before["points"].max() < 1000  # several slices; no value ≥ 1000 yet
    # Every row rewritten in place between the first slice's snapshot and the second's.
    engine_of(wh)._inject_write_during_read("UPDATE player_game_summary SET points = points + 1000")
    after = nbaprops.read(wh, table, columns=["points"])
    assert len(after) == len(before)
    assert (after["points"] >= 1000).all(), "rows of two commits in one read"
    assert (after["points"].to_numpy() == before["points"].to_numpy() + 1000).all()


def test_a_catalog_column_the_stored_table_lacks_reads_null(demo_dir, tmp_path):
    """A warehouse written before ml_feature_store_v2.quality_tier joined the catalog (read-only, or not
    written since) lacks the column: nbaprops.read returned the column's NAME in every row ('quality_tier'),
    SQLite taking the unknown double-quoted identifier for a string literal. It reads NULL, writable and
    read-only, whole table and a date range; the other columns are unchanged."""
    import sqlite3

    table = "nba_predictions.ml_feature_store_v2"
    before = nbaprops.read(nbaprops.open(demo_dir, read_only=True), table)
    assert len(before) > 0 and "quality_tier" in before.columns
    wh = tmp_path / "wh"
    _closed_copy(demo_dir, wh)
    con = sqlite3.connect(wh / "nba_predictions.sqlite")
    con.execute("ALTER TABLE ml_feature_store_v2 DROP COLUMN quality_tier")
    con.commit()
    con.close()
    others = [c for c in before.columns if c != "quality_tier"]
    dates = sorted(before["game_date"].unique())
    for read_only in (False, True):
        handle = nbaprops.open(wh, read_only=read_only)
        after = nbaprops.read(handle, table)
        assert list(after.columns) == list(before.columns)
        assert after["quality_tier"].isna().all(), after["quality_tier"].unique()[:5]
        pd.testing.assert_frame_equal(after[others], before[others])
        part = nbaprops.read(handle, table, start=dates[0], end=dates[len(dates) // 4], columns=["quality_tier"])
        assert len(part) > 0 and part["quality_tier"].isna().all()
    # A read-only handle and no write: the table still lacks the column.
    con = sqlite3.connect(wh / "nba_predictions.sqlite")
    names = {r[1] for r in con.execute("PRAGMA table_info(ml_feature_store_v2)")}
    con.close()
    assert "quality_tier" not in names
