"""The BigQuery warehouse against the bqemulator (started here, on a loopback port): the cascade
matches the SQLite run table by table, copy round-trips, writes are atomic, requests are counted.

The emulator stands in for BigQuery's REST API; see tests/python/emulators/bq_main.py for how it is
started and why its spatial-extension step is skipped.
"""
from __future__ import annotations

import os
import time

import pytest

import nbaprops
from conftest import DEMO_SEASON
from emulators import FaultProxy, start_bigquery
from emulators.fixtures import PROJECT, bq_uri, require_package, table_hashes
from nbaprops.api.copy import request_count
from nbaprops.api.dates import iso

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: Days of the demo season the cascade test runs (from the first game): the 14-day bootstrap,
#: then enough dates for every processor to write rows. $NBAPROPS_BQ_CASCADE_DAYS overrides
#: (e.g. 200 for the whole season; see the README for the measured cost).
CASCADE_DAYS = int(os.environ.get("NBAPROPS_BQ_CASCADE_DAYS", "24"))
SCHEDULE = "nba_raw.nbac_schedule"
DERIVED_DATASETS = ("nba_analytics", "nba_precompute", "nba_predictions")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    require_package("bqemulator", "bqemulator")
    emu = start_bigquery(PROJECT, tmp_path_factory.mktemp("bqemulator"))
    yield emu
    emu.stop()


@pytest.fixture
def proxy(emulator):
    p = FaultProxy(emulator.url)
    yield p
    p.stop()


@pytest.fixture(scope="module")
def raw_demo(tmp_path_factory):
    """The raw tables of demo season 2023 in SQLite (generated once)."""
    wh = nbaprops.open(tmp_path_factory.mktemp("raw") / "wh")
    nbaprops.demo.generate(wh, seasons=[DEMO_SEASON], seed=7)
    return wh


@pytest.fixture(scope="module")
def cascade(raw_demo, emulator, tmp_path_factory):
    """The same raw slice in a fresh SQLite warehouse and in BigQuery, and the cascade over the
    first CASCADE_DAYS days run on both. Yields (sqlite, bigquery, start, end, per-run figures)."""
    sched = raw_demo.schedule()
    start = sched.season_start(DEMO_SEASON)
    start_iso = iso(start)
    end_iso = iso(min(start + CASCADE_DAYS - 1, sched.season_end(DEMO_SEASON)))
    lookback = iso(start - 30)
    raw = [t for t in nbaprops.api.copy.expand_tables("nba_raw") if t != SCHEDULE]
    proxy = FaultProxy(emulator.url)
    try:
        lite = nbaprops.open(tmp_path_factory.mktemp("lite") / "wh")
        bq = nbaprops.open(bq_uri(proxy.url))
        for dst in (lite, bq):
            nbaprops.copy(raw_demo, dst, [SCHEDULE])
            nbaprops.copy(raw_demo, dst, raw, lookback, end_iso)
        figures = {}
        for name, wh in (("sqlite", lite), ("bigquery", bq)):
            before = proxy.count()
            t0 = time.perf_counter()
            result = nbaprops.backfill(wh, start_iso, end_iso, workers=2, progress="none",
                                       checkpoint_dir=tmp_path_factory.mktemp(f"ckpt-{name}"))
            assert result.exit_code == 0, result.summary_text
            units = result.units
            figures[name] = {"seconds": time.perf_counter() - t0, "requests": proxy.count() - before,
                             "units": int(len(units)),
                             "written_units": int((units["status"].isin(["success", "empty"])).sum())}
        yield lite, bq, start_iso, end_iso, figures
    finally:
        proxy.stop()


def _tables(datasets) -> list[str]:
    return [t for t in nbaprops.api.copy.expand_tables(list(datasets))]


def test_cascade_matches_sqlite(cascade):
    lite, bq, start, end, figures = cascade
    tables = _tables(("nba_raw",) + DERIVED_DATASETS)
    expected, got = table_hashes(lite, tables), table_hashes(bq, tables)
    derived = [t for t in tables if t.split(".")[0] in DERIVED_DATASETS]
    assert sum(expected[t][0] for t in derived) > 0
    assert [t for t in tables if expected[t] != got[t]] == []
    # Every processor's output has rows in the window (the comparison is not vacuous).
    empty = [t for t in derived if expected[t][0] == 0 and "scoring_tier" not in t]
    assert empty == []
    bqf = figures["bigquery"]
    per_unit = bqf["requests"] / max(1, bqf["units"])
    print(f"\ncascade {start}..{end}: {bqf['units']} units; BigQuery {bqf['seconds']:.1f}s, "
          f"{bqf['requests']} requests ({per_unit:.2f} per unit); SQLite {figures['sqlite']['seconds']:.1f}s")
    # A unit costs a bounded number of round trips (its reads come from the runner's bulk load;
    # its write is one load job + one transaction): per-row or per-entity requests would blow this up.
    assert per_unit <= 4.0


def test_copy_round_trip_sqlite_bigquery_sqlite(cascade, emulator, tmp_path):
    lite, _bq, start, end, _ = cascade
    tables = _tables(("nba_raw",) + DERIVED_DATASETS)
    proxy = FaultProxy(emulator.url)
    try:
        bq2 = nbaprops.open(bq_uri(proxy.url))
        copied = nbaprops.copy(lite, bq2, tables)
        back = nbaprops.open(tmp_path / "back")
        nbaprops.copy(bq2, back, tables)
        # One read per table and one load + one transaction per batch of 31 dates: no per-date requests.
        batches = sum(-(-int(p) // 31) for p in copied["partitions"])
        assert proxy.count(r"/jobs\?uploadType") == batches
        assert proxy.count(r"POST .*/queries") <= batches + 2 * len(tables)
    finally:
        proxy.stop()
    assert table_hashes(back, tables) == table_hashes(lite, tables)


def test_read_is_one_query_job_with_paging(cascade, emulator):
    _lite, bq, start, end, _ = cascade
    uri = bq.uri.replace(bq.uri.split("endpoint=")[1].split("&")[0], "")  # same datasets, direct
    proxy = FaultProxy(emulator.url)
    try:
        paged = nbaprops.open(uri.replace("endpoint=", f"endpoint={proxy.url}") + "&auth=none&page_rows=500")
        df = nbaprops.read(paged, "nba_analytics.player_game_summary", start, end)
        pages = -(-len(df) // 500)
        assert len(df) > 1000
        assert proxy.count(r"POST .*/queries$") == 1
        assert proxy.count(r"GET .*/queries/") == pages - 1
        counts = paged.partition_counts("nba_analytics.player_game_summary", start, end)
        assert int(counts.sum()) == len(df)
        assert proxy.count(r"POST .*/queries$") == 2
    finally:
        proxy.stop()


def test_failed_write_leaves_the_old_rows(raw_demo, proxy):
    bq = nbaprops.open(bq_uri(proxy.url))
    table = "nba_raw.nbac_team_boxscore"
    dates = raw_demo.partition_counts(table).index[:3]
    first, last = dates[0].date().isoformat(), dates[-1].date().isoformat()
    nbaprops.copy(raw_demo, bq, table, first, last)
    before = table_hashes(bq, [table])
    nbaprops._core.bigquery_inject_write_failure(bq._native)
    with pytest.raises(nbaprops.NetworkError, match=r"nba_raw.nbac_team_boxscore.*injected write failure"):
        nbaprops.copy(raw_demo, bq, table, first, last)
    assert table_hashes(bq, [table]) == before
    # No staging table is left behind after the failure.
    ds = nbaprops._core.bigquery_dataset(bq._native, table).replace("nba_raw", "nbaprops_staging")
    import json
    import urllib.request

    with urllib.request.urlopen(f"{proxy.url}/bigquery/v2/projects/{PROJECT}/datasets/{ds}/tables") as r:
        assert json.loads(r.read()).get("tables", []) == []


def test_rows_outside_the_dates_are_refused_before_any_request(raw_demo, proxy):
    bq = nbaprops.open(bq_uri(proxy.url))
    with pytest.raises(nbaprops.ConfigError):
        nbaprops.copy(raw_demo, bq, "nba_raw.no_such_table")
    assert proxy.count() == 0


def test_partition_decorator_mode_reports_the_api_message_table_and_date(raw_demo, proxy):
    """write_mode=truncate (real BigQuery only) loads into table$YYYYMMDD; the emulator refuses
    decorators, and the error carries its message, the table and the date."""
    bq = nbaprops.open(bq_uri(proxy.url, write_mode="truncate", max_attempts=1))
    table = "nba_raw.nbac_team_boxscore"
    first = raw_demo.partition_counts(table).index[0].date().isoformat()
    with pytest.raises(nbaprops.NetworkError) as e:
        nbaprops.copy(raw_demo, bq, table, first, first)
    msg = str(e.value)
    assert table in msg and first in msg and "job" in msg


def test_uri_is_validated():
    with pytest.raises(nbaprops.ConfigError, match="names no project"):
        nbaprops.open("bigquery://?location=US")
    with pytest.raises(nbaprops.ConfigError, match="unknown option 'colour'"):
        nbaprops.open("bigquery://p?colour=red")
    wh = nbaprops.open("bigquery://p?location=EU&dataset_prefix=dev_&auth=none&endpoint=http%3A%2F%2F127.0.0.1%3A9")
    assert wh.uri == "bigquery://p?location=EU&dataset_prefix=dev_&endpoint=http://127.0.0.1:9"
    assert nbaprops._core.bigquery_dataset(wh._native, "nba_raw.nbac_schedule") == "dev_nba_raw"
