"""GCS through the gcp-storage-emulator (started here, on a loopback port, in-memory): Phase 6
exports land byte-identical to the local tree with the legacy metadata, and `import schedule`
reads the newest schedule JSON under a prefix."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import nbaprops
from conftest import require_shared
from emulators import FaultProxy, start_gcs
from emulators.fixtures import require_package

BUCKET = "nba-props-platform-api"
GENERATED_AT = "2024-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def gcs():
    require_package("gcp_storage_emulator", "gcp-storage-emulator")
    emu = start_gcs(BUCKET)
    yield emu
    emu.stop()


@pytest.fixture
def bucket(gcs, monkeypatch):
    """The emulator behind our proxy, as the GCS endpoint of this test."""
    proxy = FaultProxy(gcs.url)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
    monkeypatch.delenv("NBAPROPS_BQ_TOKEN", raising=False)
    yield proxy
    proxy.stop()


def _graded_dates(demo, n):
    return nbaprops.export_dates(demo)[10 : 10 + n]


def _local_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _bucket_tree(uri: str) -> dict[str, bytes]:
    return {path: nbaprops._core.object_read(uri, path) for path, _size, _upd in nbaprops._core.object_list(uri, "")}


EXPECTED_CACHE = {
    "results/latest.json": "public, max-age=300",
    "best-bets/latest.json": "public, max-age=300",
    "predictions/today.json": "public, max-age=300",
    "tonight/all-players.json": "public, max-age=300",
    "systems/performance.json": "public, max-age=3600",
    "trends/what-matters.json": "public, max-age=43200",
    "trends/team-tendencies.json": "public, max-age=43200",
    "trends/quick-hits.json": "public, max-age=43200",
    "trends/deep-dive-current.json": "public, max-age=86400",
}


def _cache_control(path: str) -> str:
    """The legacy exporters' values (publishing/*_exporter.py upload_to_gcs calls)."""
    rel = path.split("v1/", 1)[1]
    if rel in EXPECTED_CACHE:
        return EXPECTED_CACHE[rel]
    if rel.startswith("tonight/player/"):
        return "public, max-age=300"
    return {
        "results": "public, max-age=86400",
        "best-bets": "public, max-age=86400",
        "predictions": "public, max-age=3600",
        "streaks": "public, max-age=3600",
        "trends": "public, max-age=3600",
        "live": "public, max-age=30",
        "live-grading": "public, max-age=30",
    }[rel.split("/")[0]]


def test_exports_land_byte_identical_with_legacy_metadata(demo, bucket, gcs, tmp_path):
    dates = _graded_dates(demo, 3)
    local = nbaprops.export(demo, dates=dates, out_dir=tmp_path / "out", generated_at=GENERATED_AT)
    assert local.ok
    uri = f"gs://{BUCKET}/exports/run1"
    remote = nbaprops.export(demo, dates=dates, out_dir=uri, generated_at=GENERATED_AT)
    assert remote.ok and sorted(remote.files) == sorted(local.files)
    # One multipart upload per object: no per-object metadata patch, no resumable sessions.
    assert bucket.count(r"POST /upload/storage/v1/b/.*uploadType=multipart") == len(remote.files)
    assert bucket.count() == len(remote.files)
    tree = _local_tree(tmp_path / "out")
    assert _bucket_tree(uri) == tree
    for path in tree:
        meta = gcs.object_meta(BUCKET, f"exports/run1/{path}")
        assert meta["contentType"] == "application/json", path
        assert meta.get("cacheControl") == _cache_control(path), path


def test_export_cli_and_legacy_daily_export_script_write_to_gs(demo, bucket, tmp_path):
    from nbaprops import cli
    from nbaprops.jobs.publishing import daily_export

    day = _graded_dates(demo, 1)[0]
    assert (
        cli.main(
            [
                "export",
                "--warehouse",
                demo.uri,
                "--date",
                day,
                "--only",
                "results",
                "--out",
                f"gs://{BUCKET}/cli",
                "--generated-at",
                GENERATED_AT,
            ]
        )
        == 0
    )
    assert (
        daily_export.main(
            [
                "--warehouse",
                demo.uri,
                "--date",
                day,
                "--only",
                "results",
                "--out",
                f"gs://{BUCKET}/legacy",
                "--generated-at",
                GENERATED_AT,
            ]
        )
        == 0
    )
    local = nbaprops.export(demo, day, types="results", out_dir=tmp_path / "out", generated_at=GENERATED_AT)
    tree = _local_tree(tmp_path / "out")
    assert local.ok and len(tree) == 2
    assert _bucket_tree(f"gs://{BUCKET}/cli") == tree
    assert _bucket_tree(f"gs://{BUCKET}/legacy") == tree


def test_import_schedule_reads_the_newest_json_under_a_prefix(bucket, tmp_path):
    path = require_shared("schedule/nbac_schedule_2024_25.json.gz")
    raw = path.read_bytes()
    doc = json.loads(gzip.decompress(raw))
    prefix = f"gs://{BUCKET}/nba-com/schedule/2024-25"
    # An older, smaller file first; the newest one (uploaded last) is the real schedule, gzipped.
    older = json.loads(json.dumps(doc))
    games = older["leagueSchedule"]["gameDates"] if "leagueSchedule" in older else older["games"]
    del games[len(games) // 2 :]
    nbaprops._core.object_write(prefix, "2024-10-01T00:00:00.json", json.dumps(older), "application/json", "")
    nbaprops._core.object_write(prefix, "notes.txt", "not a schedule", "text/plain", "")
    nbaprops._core.object_write(prefix, "2024-10-02T00:00:00.json.gz", raw, "application/json", "")
    from nbaprops import cli

    wh_dir = tmp_path / "wh"
    assert cli.main(["import", "schedule", prefix + "/", "--warehouse", str(wh_dir)]) == 0
    local = nbaprops.open(tmp_path / "local")
    nbaprops.import_schedule(local, path)
    table = "nba_raw.nbac_schedule"
    a = nbaprops.read(nbaprops.open(wh_dir), table).drop(columns=["processed_at", "source_file_path"], errors="ignore")
    b = nbaprops.read(local, table).drop(columns=["processed_at", "source_file_path"], errors="ignore")
    assert len(a) > 1000
    assert a.equals(b)


def test_import_schedule_with_no_json_under_the_prefix_fails_clearly(bucket, tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    with pytest.raises(nbaprops.StorageError, match=r"no schedule JSON .* under gs://"):
        nbaprops.import_schedule_from_store(wh, f"gs://{BUCKET}/nothing-here")


def test_gcs_retries_and_names_the_object(bucket):
    uri = f"gs://{BUCKET}/retry"
    bucket.add_fault(r"POST /upload/", "status", times=1, status=503)
    nbaprops._core.object_write(uri, "a.json", "{}", "application/json", "public, max-age=60")
    assert bucket.count(r"POST /upload/") == 2
    with pytest.raises(nbaprops.StorageError, match=r"gs://nba-props-platform-api/retry/missing.json"):
        nbaprops._core.object_read(uri, "missing.json")
