"""The BigQuery warehouse against the bqemulator (started here, on a loopback port): the cascade
matches the SQLite run table by table, copy round-trips, writes are atomic, requests are counted.

The emulator stands in for BigQuery's REST API; see tests/python/emulators/bq_main.py for how it is
started and why its spatial-extension step is skipped.
"""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

import nbaprops
from conftest import DEMO_SEASON
from emulators import FaultProxy, start_bigquery
from emulators.fixtures import PROJECT, bq_uri, require_package, table_hashes
from nbaprops.api.copy import request_count
from nbaprops.api.dates import iso, to_days

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: The cascade test runs every processor on every game date of demo season 2023 on BigQuery and on
#: SQLite, both from the raw tables only, and compares every table. By default the league is small
#: (the Atlantic division: only the games between these five teams, ~56 game dates, every table
#: written) so the whole season fits in CI; $NBAPROPS_BQ_CASCADE_LEAGUE=full runs the 30-team league
#: (~217 game dates; an hour or more on the emulator, see the README) and $NBAPROPS_BQ_CASCADE_DAYS=N
#: stops either after the season's first N days.
SMALL_LEAGUE = ("BOS", "BKN", "NYK", "PHI", "TOR")
FULL_LEAGUE = os.environ.get("NBAPROPS_BQ_CASCADE_LEAGUE", "small") == "full"
CASCADE_DAYS = int(os.environ.get("NBAPROPS_BQ_CASCADE_DAYS", "0"))
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


def _tables(datasets) -> list[str]:
    return nbaprops.api.copy.expand_tables(list(datasets))


def _run(wh, start, end, ckpt, workers=2):
    result = nbaprops.backfill(wh, start, end, workers=workers, progress="none", checkpoint_dir=ckpt)
    assert result.exit_code == 0, result.summary_text
    return result


@pytest.fixture(scope="module")
def cascade(raw_demo, emulator, tmp_path_factory):
    """(reference SQLite warehouse, BigQuery warehouse, first, last game date, figures): the whole
    season's cascade run on each, from the same raw tables."""
    if FULL_LEAGUE:
        source = raw_demo
    else:
        source = nbaprops.open(tmp_path_factory.mktemp("small") / "wh")
        nbaprops.demo.generate(source, seasons=[DEMO_SEASON], seed=7, teams=SMALL_LEAGUE)
    sched = source.schedule()
    season_start, season_end = sched.season_start(DEMO_SEASON), sched.season_end(DEMO_SEASON)
    first = iso(season_start)
    last = iso(min(season_start + CASCADE_DAYS - 1, season_end) if CASCADE_DAYS else season_end)
    raw = [t for t in _tables(["nba_raw"]) if t != SCHEDULE]
    proxy = FaultProxy(emulator.url)
    figures = {}
    try:
        bq = nbaprops.open(bq_uri(proxy.url))
        ref = nbaprops.open(tmp_path_factory.mktemp("lite") / "wh")
        t0 = time.perf_counter()
        for dst in (ref, bq):
            nbaprops.copy(source, dst, [SCHEDULE])
            nbaprops.copy(source, dst, raw, iso(season_start - 30), last)
        figures["seed_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        _run(ref, first, last, tmp_path_factory.mktemp("ckpt-lite"))
        figures["sqlite_seconds"] = time.perf_counter() - t0
        before = proxy.count()
        t0 = time.perf_counter()
        # More workers than cores: units wait on BigQuery, and concurrent units' writes share
        # one transaction (group commit).
        result = _run(bq, first, last, tmp_path_factory.mktemp("ckpt-bq"), workers=4)
        figures.update(
            seconds=time.perf_counter() - t0,
            requests=proxy.count() - before,
            units=len(result.units),
            dates=int(result.units["date"].nunique()),
            by_kind=_by_kind(proxy.requests[before:]),
        )
        yield ref, bq, first, last, figures
    finally:
        proxy.stop()


def _by_kind(requests) -> dict:
    """Request counts per kind (select, count query, transaction, load job, other)."""
    out: dict = {}
    for r in requests:
        if r.faulted == "token":
            continue
        if "upload" in r.path:
            k = "load job"
        elif r.method == "POST" and r.path.endswith("/queries"):
            body = r.body.decode()
            k = "transaction" if "BEGIN TRANSACTION" in body else "count query" if "COUNT(*)" in body else "select"
        else:
            k = f"{r.method} other"
        out[k] = out.get(k, 0) + 1
    return out


@pytest.mark.bq_cascade
def test_cascade_matches_sqlite(cascade):
    ref, bq, first, last, figures = cascade
    tables = _tables(("nba_raw",) + DERIVED_DATASETS)
    expected, got = table_hashes(ref, tables, first, last), table_hashes(bq, tables, first, last)
    derived = [t for t in tables if t.split(".")[0] in DERIVED_DATASETS]
    # Every processor's output has rows in the compared dates (the comparison is not vacuous).
    assert [t for t in derived if expected[t][0] == 0] == []
    assert [t for t in tables if expected[t] != got[t]] == []
    n = figures["units"]
    print(
        f"\nseeding {figures['seed_seconds']:.1f}s, SQLite {figures['sqlite_seconds']:.1f}s; "
        f"cascade {first}..{last} ({figures['dates']} game dates) on BigQuery: {n} units "
        f"(processor, date), {figures['seconds']:.1f}s, {figures['requests']} requests "
        f"({figures['requests'] / n:.2f} per unit): "
        + ", ".join(f"{k} {v} ({v / n:.2f})" for k, v in sorted(figures["by_kind"].items()))
    )
    # A unit's write is one transaction (its small tables — ledger row, failures, partition
    # hashes — inlined as INSERT … VALUES) plus one staging load job per larger output; the runner
    # adds one read and one count query per upstream table and run. Per-row or per-entity requests
    # would be hundreds per unit.
    assert figures["requests"] / n <= 2.5


@pytest.mark.bq_cascade
def test_partition_hashes_match_sqlite_and_resume_uses_them(cascade, emulator, tmp_path):
    """BigQuery records each written partition's content hash in the unit's transaction, equal to
    the SQLite backend's; a rerun on BigQuery then finds every unit up to date (with row-count
    fingerprints instead of hashes the first run's fingerprints would not match and every unit
    would be recomputed)."""
    ref, bq, first, last, _ = cascade
    for table in _tables(DERIVED_DATASETS):
        want, got = (w.partition_hashes(table, first, last) for w in (ref, bq))
        # Every partition with rows has a hash (written partitions left empty have one too),
        # and the two backends agree on every date.
        with_rows = ref.partition_counts(table, first, last).index
        assert len(with_rows) and with_rows.isin(want.index).all(), table
        pd.testing.assert_series_equal(got, want)
    proxy = FaultProxy(emulator.url)
    try:
        again = _run(_through(proxy, bq.uri + "&auth=none"), first, last, tmp_path)
        ran = again.units[~again.units["status"].isin(["skipped_bootstrap", "skipped_no_games"])]
        assert len(ran) and (ran["reason"] == "resumed").all(), ran[ran["reason"] != "resumed"].head()
        # Nothing was written but the ledger: no transaction; the only load jobs are the runner's
        # appends of the units' ledger rows (one per unit today, skipped ones included).
        assert not any(b"BEGIN TRANSACTION" in r.body for r in proxy.requests)
        loads = [r for r in proxy.requests if "upload" in r.path]
        assert all(b'"tableId":"run_ledger"' in r.body for r in loads)
        assert len(loads) <= len(again.units)
    finally:
        proxy.stop()


@pytest.mark.bq_cascade
def test_freshness_asks_bigquery_for_the_newest_ledger_rows_only(cascade, emulator):
    """A freshness report on BigQuery has BigQuery rank each unit's ledger rows (``ROW_NUMBER()``), so
    only the newest come back, whatever the ledger's history: one query for the commits, one for the
    failures. It gives every unit the state the SQLite reference gives it."""
    ref, bq, first, last, _ = cascade
    proxy = FaultProxy(emulator.url)
    try:
        got = nbaprops.freshness(_through(proxy, bq.uri + "&auth=none"), first, last).to_frame()
        ledger = [
            r.body
            for r in proxy.requests
            if r.method == "POST" and r.path.endswith("/queries") and b"run_ledger" in r.body
        ]
    finally:
        proxy.stop()
    assert len(ledger) == 2 and all(b"ROW_NUMBER() OVER" in b for b in ledger), ledger
    want = nbaprops.freshness(ref, first, last).to_frame()
    keys = ["processor", "date"]
    pd.testing.assert_frame_equal(
        got[keys + ["state", "rows"]].sort_values(keys).reset_index(drop=True),
        want[keys + ["state", "rows"]].sort_values(keys).reset_index(drop=True),
    )
    assert (got["state"].isin(["up_to_date", "skipped"])).all(), got["state"].value_counts()


def test_copy_round_trip_sqlite_bigquery_sqlite(cascade, emulator, tmp_path):
    ref, _bq, _first, _last, _ = cascade
    tables = _tables(("nba_raw",) + DERIVED_DATASETS)
    # 20 days from the first date every table has rows (one copy batch each).
    start = max(ref.partition_counts(t).index.min() for t in tables if "scoring_tier" not in t).date().isoformat()
    last = iso(to_days(start, "start") + 19)
    proxy = FaultProxy(emulator.url)
    try:
        bq2 = nbaprops.open(bq_uri(proxy.url, inline_cells=0))  # every table through a staging load
        copied = nbaprops.copy(ref, bq2, tables, start, last)
        back = nbaprops.open(tmp_path / "back")
        nbaprops.copy(bq2, back, tables, start, last)
        # One load job and one transaction per table with rows (its dates fit one batch), one
        # query per table read back: no per-date or per-row requests (distinct bodies, so a retry
        # under load does not count twice).
        with_rows = int((copied["rows"] > 0).sum())
        bodies = {r.body for r in proxy.requests if r.method == "POST" and r.path.endswith("/queries")}
        assert sum(b"BEGIN TRANSACTION" in b for b in bodies) == with_rows
        assert sum(b"BEGIN TRANSACTION" not in b for b in bodies) == len(tables)
        assert len({r.body for r in proxy.requests if "uploadType" in r.path}) == with_rows
    finally:
        proxy.stop()
    assert table_hashes(back, tables) == table_hashes(ref, tables, start, last)


def test_read_is_one_query_job_with_paging(cascade, emulator):
    _ref, bq, start, end, _ = cascade
    proxy = FaultProxy(emulator.url)
    try:
        paged = _through(proxy, bq.uri + "&auth=none", page_rows=100)
        df = nbaprops.read(paged, "nba_analytics.player_game_summary", start, end)
        pages = -(-len(df) // 100)
        assert pages >= 3
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


def _rest(emulator, method: str, path: str, body=None) -> dict:
    """One call to the emulator's REST API (project scope)."""
    import json
    import urllib.request

    req = urllib.request.Request(
        f"{emulator.url}/bigquery/v2/projects/{PROJECT}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")


TEAM_BOX_TABLE = "nbac_team_boxscore"


class _OlderVersion:
    """nba_raw.nbac_team_boxscore as this version creates it (``made``, its first date copied from the raw demo),
    and warehouses whose table an older version created with other fields (``warehouse(fields)``)."""

    def __init__(self, raw_demo, emulator):
        self.emulator = emulator
        self.table = "nba_raw." + TEAM_BOX_TABLE
        dates = raw_demo.partition_counts(self.table).index[:2]
        self.first, self.last = dates[0].date().isoformat(), dates[-1].date().isoformat()
        self.made = nbaprops.open(bq_uri(emulator.url))
        nbaprops.copy(raw_demo, self.made, self.table, self.first, self.first)
        self.ds = nbaprops._core.bigquery_dataset(self.made._native, self.table)
        self.fields = _rest(emulator, "GET", f"/datasets/{self.ds}/tables/{TEAM_BOX_TABLE}")["schema"]["fields"]
        nullable = [f["name"] for f in self.fields if f.get("mode") == "NULLABLE" and f["type"] in ("INT64", "FLOAT64")]
        self.dropped = nullable[-1]

    def warehouse(self, fields_of_old_version):
        """A warehouse whose table an older version created with @p fields_of_old_version, holding the rows of
        ``made`` (their values of those fields)."""
        wh = nbaprops.open(bq_uri(self.emulator.url))
        old_ds = nbaprops._core.bigquery_dataset(wh._native, self.table)
        _rest(self.emulator, "POST", "/datasets", {"datasetReference": {"projectId": PROJECT, "datasetId": old_ds}})
        body = {
            "tableReference": {"projectId": PROJECT, "datasetId": old_ds, "tableId": TEAM_BOX_TABLE},
            "schema": {"fields": fields_of_old_version},
            "timePartitioning": {"type": "DAY", "field": "game_date"},
        }
        _rest(self.emulator, "POST", f"/datasets/{old_ds}/tables", body)
        shared = ", ".join(
            f"`{f['name']}`" for f in fields_of_old_version if any(f["name"] == g["name"] for g in self.fields)
        )
        sql = (
            f"INSERT INTO `{PROJECT}.{old_ds}.{TEAM_BOX_TABLE}` ({shared}) "
            f"SELECT {shared} FROM `{PROJECT}.{self.ds}.{TEAM_BOX_TABLE}`"
        )
        done = _rest(self.emulator, "POST", "/queries", {"query": sql, "useLegacySql": False})
        assert not done.get("errors"), done
        return wh

    def without_dropped(self):
        return self.warehouse([f for f in self.fields if f["name"] != self.dropped])


def test_a_table_an_older_version_created_is_brought_to_the_catalog_or_refused(raw_demo, emulator, capfd):
    """As on SQLite: a stored table without a column the catalog added since (session 56 added
    ml_feature_store_v2.quality_tier and player_prop_predictions.model_version) gets it at the first write
    (ALTER TABLE … ADD COLUMN; the native warning, on stderr, names it), and the write goes through. A stored column of another
    type, or one the catalog does not know, refuses the write naming table and column, before any row is
    written. Before the first write, a read gives NULL in the column the table lacks, as on SQLite. Before,
    BigQuery failed the write and the read with its own message."""
    old = _OlderVersion(raw_demo, emulator)
    table, first, last, dropped = old.table, old.first, old.last, old.dropped

    wh = old.without_dropped()
    # Read before any write: the column the table lacks reads NULL (a query naming it failed before).
    stored, made_rows = nbaprops.read(wh, table), nbaprops.read(old.made, table)
    assert len(stored) == len(made_rows) > 0 and stored[dropped].isna().all()
    pd.testing.assert_frame_equal(stored.drop(columns=[dropped]), made_rows.drop(columns=[dropped]))
    capfd.readouterr()
    nbaprops.copy(raw_demo, wh, table, first, last)
    err = capfd.readouterr().err
    assert f"was written before its column(s) {dropped} joined the catalog: added" in err, err
    assert table_hashes(wh, [table], first, last) == table_hashes(raw_demo, [table], first, last)

    wh = old.warehouse(old.fields + [{"name": "legacy_extra", "type": "STRING", "mode": "NULLABLE"}])
    with pytest.raises(nbaprops.StorageError) as e:
        nbaprops.copy(raw_demo, wh, table, first, last)
    assert f"{table} (BigQuery table {PROJECT}." in str(e.value)
    assert "has column legacy_extra (STRING), which the catalog does not know" in str(e.value)
    assert "nothing was written" in str(e.value)
    assert len(nbaprops.read(wh, table)) == len(made_rows)  # as it was

    retyped = [dict(f, type="STRING") if f["name"] == dropped else f for f in old.fields]
    wh = old.warehouse(retyped)
    with pytest.raises(nbaprops.StorageError, match=f"stores column {dropped} as STRING, the catalog declares"):
        nbaprops.copy(raw_demo, wh, table, first, last)


def test_a_table_found_by_has_table_is_checked_with_the_columns_that_lookup_found(raw_demo, emulator, proxy, capfd):
    """has_table's tables.get answer carries the stored columns: the first write's check against the catalog
    uses them, so the table is looked up once, not twice (before, the write looked it up again), and the check
    still adds the column an older version's table lacks."""
    old = _OlderVersion(raw_demo, emulator)
    wh = _through(proxy, old.without_dropped().uri + "&auth=none")
    lookups = rf"GET .*/tables/{TEAM_BOX_TABLE}$"
    assert wh.has_table(old.table)
    assert proxy.count(lookups) == 1
    capfd.readouterr()
    nbaprops.copy(raw_demo, wh, old.table, old.first, old.last)
    assert f"was written before its column(s) {old.dropped} joined the catalog: added" in capfd.readouterr().err
    assert proxy.count(lookups) == 1
    assert table_hashes(wh, [old.table], old.first, old.last) == table_hashes(
        raw_demo, [old.table], old.first, old.last
    )


def test_a_run_ledger_an_older_version_created_is_read_with_null_in_the_columns_it_lacks(raw_demo, emulator):
    """Resume, freshness, coverage and the pre-flight find each unit's newest run-ledger rows with one ranked
    query. On a ledger table created without a column the catalog has (``reason`` here, as a table an older
    version made before a column joined would be) that query is refused; the rows are then read as ``read``
    reads such a table, NULL in the missing column, and the answer is the one a full ledger gives but for that
    column. Before, the freshness report failed with BigQuery's message."""
    ledger = "nba_orchestration.run_ledger"
    sched = "nba_raw.nbac_schedule"
    wh = nbaprops.open(bq_uri(emulator.url))
    stored = raw_demo.partition_counts(sched).index
    first, last = stored[0].date().isoformat(), stored[-1].date().isoformat()
    nbaprops.copy(raw_demo, wh, sched, first, last)
    wh.invalidate()
    ds = nbaprops._core.bigquery_dataset(wh._native, ledger)
    cat = nbaprops.catalog()
    fields = [
        {"name": r.column, "type": r.type, "mode": "REQUIRED" if r.required else "NULLABLE"}
        for r in cat[cat.table == ledger].itertuples()
        if r.column != "reason"
    ]
    assert wh.has_table("nba_orchestration.partition_hashes")  # the copy made the ledger's dataset
    body = {
        "tableReference": {"projectId": PROJECT, "datasetId": ds, "tableId": "run_ledger"},
        "schema": {"fields": fields},
        "timePartitioning": {"type": "DAY", "field": "unit_date"},
    }
    _rest(emulator, "POST", f"/datasets/{ds}/tables", body)
    start = wh.schedule().season_start(DEMO_SEASON)
    days = wh.schedule().game_dates(start + 20, start + 40)[:3]
    d1, d2, d3 = (iso(d) for d in days)
    rows = [  # (date, status, finished_at): d2's newest row is its failure, d3's its success
        (d1, "success", "2024-01-01 10:00:00"),
        (d2, "success", "2024-01-01 10:00:00"),
        (d2, "failed", "2024-01-02 10:00:00"),
        (d3, "failed", "2024-01-01 10:00:00"),
        (d3, "success", "2024-01-02 10:00:00"),
    ]
    values = ", ".join(
        f"('r', 'player_shot_zone_analysis', DATE '{d}', '{st}', {5 if st == 'success' else 0}, 'fp', TIMESTAMP '{t}')"
        for d, st, t in rows
    )
    sql = (
        f"INSERT INTO `{PROJECT}.{ds}.run_ledger` (run_id, processor, unit_date, status, rows_written, "
        f"input_fingerprint, finished_at) VALUES {values}"
    )
    done = _rest(emulator, "POST", "/queries", {"query": sql, "useLegacySql": False})
    assert not done.get("errors"), done
    got = nbaprops.freshness(wh, d1, d3, processors="psza").to_frame()
    assert [iso(to_days(d)) for d in got["date"]] == [d1, d2, d3]
    assert got["state"].tolist() == ["stale", "failed", "stale"]
    assert got["reason"].tolist() == [
        "inputs changed since its commit at 2024-01-01T10:00:00Z",
        "failed: no reason recorded",  # the newest row of d2, whose reason the table cannot hold
        "inputs changed since its commit at 2024-01-02T10:00:00Z",
    ]


def test_uri_is_validated():
    with pytest.raises(nbaprops.ConfigError, match="names no project"):
        nbaprops.open("bigquery://?location=US")
    with pytest.raises(nbaprops.ConfigError, match="unknown option 'colour'"):
        nbaprops.open("bigquery://p?colour=red")
    wh = nbaprops.open("bigquery://p?location=EU&dataset_prefix=dev_&auth=none&endpoint=http%3A%2F%2F127.0.0.1%3A9")
    assert wh.uri == "bigquery://p?location=EU&dataset_prefix=dev_&endpoint=http://127.0.0.1:9"
    assert nbaprops._core.bigquery_dataset(wh._native, "nba_raw.nbac_schedule") == "dev_nba_raw"


# -- Resilience: faults injected by our proxy in front of the emulator ---------------------------

TEAM_BOX = "nba_raw.nbac_team_boxscore"


@pytest.fixture(scope="module")
def loaded(raw_demo, emulator):
    """nbac_team_boxscore's first 20 dates in BigQuery (datasets of their own), and the expected rows."""
    dates = raw_demo.partition_counts(TEAM_BOX).index
    first, last = dates[0].date().isoformat(), dates[19].date().isoformat()
    uri = bq_uri(emulator.url)
    nbaprops.copy(raw_demo, nbaprops.open(uri), TEAM_BOX, first, last)
    return uri, first, last, table_hashes(raw_demo, [TEAM_BOX], first, last)


def _through(proxy, uri, **options):
    """The same datasets as ``uri``, reached through the proxy."""
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(uri)
    opts = dict(parse_qsl(parts.query))
    opts.update({"endpoint": proxy.url, **{k: str(v) for k, v in options.items()}})
    return nbaprops.open(f"bigquery://{parts.netloc}?" + "&".join(f"{k}={v}" for k, v in opts.items()))


def test_fault_429_then_success(loaded, proxy):
    uri, first, last, expected = loaded
    bq = _through(proxy, uri)
    proxy.add_fault(r"POST .*/queries$", "status", times=1, status=429)
    assert table_hashes(bq, [TEAM_BOX], first, last) == expected
    assert proxy.count(r"POST .*/queries$") == 2  # the 429, then the retried query
    assert request_count(bq) == proxy.count()


def test_fault_500_storm_exhausts_retries(loaded, proxy):
    uri, first, last, _ = loaded
    bq = _through(proxy, uri, max_attempts=3)
    proxy.add_fault(r"POST .*/queries$", "status", times=100, status=500)
    with pytest.raises(nbaprops.NetworkError) as e:
        nbaprops.read(bq, TEAM_BOX, first, last)
    msg = str(e.value)
    assert "gave up after 3 attempts" in msg and "injected HTTP 500" in msg
    assert TEAM_BOX in msg and first in msg and last in msg
    assert proxy.count() == 3


def test_fault_dropped_connection_mid_page(loaded, proxy):
    uri, first, last, expected = loaded
    bq = _through(proxy, uri, page_rows=50)
    rows = expected[TEAM_BOX][0]
    pages = -(-rows // 50)
    proxy.add_fault(r"GET .*/queries/.*pageToken", "drop", times=1)
    assert table_hashes(bq, [TEAM_BOX], first, last) == expected
    assert pages >= 3
    assert proxy.count() == pages + 1  # every page once, the dropped one twice
    assert len([r for r in proxy.requests if r.faulted == "drop"]) == 1


def test_fault_malformed_json_body(loaded, proxy):
    uri, first, last, expected = loaded
    bq = _through(proxy, uri)
    proxy.add_fault(r"POST .*/queries$", "malformed", times=1)
    assert table_hashes(bq, [TEAM_BOX], first, last) == expected
    assert proxy.count(r"POST .*/queries$") == 2
    proxy.clear()
    proxy.add_fault(r"POST .*/queries$", "malformed", times=1000)
    with pytest.raises(nbaprops.NetworkError, match="malformed JSON"):
        nbaprops.read(_through(proxy, uri, max_attempts=2), TEAM_BOX, first, last)


def test_4xx_fails_at_once_with_the_api_message_table_and_dates(loaded, proxy):
    uri, first, last, _ = loaded
    bq = _through(proxy, uri)
    proxy.add_fault(r"POST .*/queries$", "status", times=1, status=400)
    with pytest.raises(nbaprops.NetworkError) as e:
        bq.partition_counts(TEAM_BOX, first, last)
    assert "injected HTTP 400" in str(e.value) and TEAM_BOX in str(e.value)
    assert proxy.count() == 1


# -- Auth ------------------------------------------------------------------------------------------

SECRET = "ya29.do-not-print-me-0123456789"


def test_env_token_is_sent_and_never_printed(loaded, proxy, monkeypatch, tmp_path):
    uri, first, last, _ = loaded
    monkeypatch.setenv("NBAPROPS_BQ_TOKEN", SECRET)
    bq = _through(proxy, uri.replace("auth=none", "auth=token"))
    nbaprops.read(bq, TEAM_BOX, first, first)
    assert proxy.requests[0].headers.get("Authorization") == f"Bearer {SECRET}"
    assert SECRET not in bq.uri and SECRET not in repr(bq)
    proxy.add_fault(r"POST .*/queries$", "status", times=1, status=403)
    with pytest.raises(nbaprops.NetworkError) as e:
        nbaprops.read(bq, TEAM_BOX, first, last)
    assert SECRET not in str(e.value)


def _rsa_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key, pem


def test_service_account_jwt_exchanged_for_a_token(loaded, proxy, monkeypatch, tmp_path):
    import base64
    import json

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    uri, first, _last, _ = loaded
    key, pem = _rsa_pem()
    key_file = tmp_path / "sa.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "client_email": "bf@p.iam.gserviceaccount.com",
                "private_key_id": "k1",
                "private_key": pem,
                "token_uri": f"{proxy.url}/token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.delenv("NBAPROPS_BQ_TOKEN", raising=False)
    bq = _through(proxy, uri.replace("auth=none", "auth=service_account"))
    nbaprops.read(bq, TEAM_BOX, first, first)
    nbaprops.read(bq, TEAM_BOX, first, first)
    assert len(proxy.tokens.forms) == 1  # cached until a minute before expiry
    form = proxy.tokens.forms[0]
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    head, claims, sig = form["assertion"][0].split(".")
    pad = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))  # noqa: E731
    key.public_key().verify(pad(sig), f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    assert json.loads(pad(claims))["iss"] == "bf@p.iam.gserviceaccount.com"
    data = [r for r in proxy.requests if r.faulted != "token"]
    assert all(r.headers.get("Authorization") == f"Bearer {proxy.tokens.token}" for r in data)


def test_gcloud_adc_refresh_token_and_metadata_server(loaded, proxy, monkeypatch, tmp_path):
    import json

    uri, first, _last, _ = loaded
    monkeypatch.delenv("NBAPROPS_BQ_TOKEN", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    (tmp_path / "gcloud").mkdir()
    (tmp_path / "gcloud" / "application_default_credentials.json").write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "cid",
                "client_secret": "csecret",
                "refresh_token": "rtok",
                "token_uri": f"{proxy.url}/token",
            }
        )
    )
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    nbaprops.read(_through(proxy, uri.replace("auth=none", "auth=adc")), TEAM_BOX, first, first)
    assert proxy.tokens.forms[-1]["grant_type"] == ["refresh_token"]
    assert proxy.tokens.forms[-1]["refresh_token"] == ["rtok"]
    monkeypatch.setenv("GCE_METADATA_HOST", f"127.0.0.1:{proxy.port}")
    proxy.clear()
    nbaprops.read(_through(proxy, uri.replace("auth=none", "auth=metadata")), TEAM_BOX, first, first)
    meta = [r for r in proxy.requests if "/computeMetadata/" in r.path]
    assert len(meta) == 1 and meta[0].headers.get("Metadata-Flavor") == "Google"
    assert proxy.requests[-1].headers.get("Authorization") == f"Bearer {proxy.tokens.token}"
