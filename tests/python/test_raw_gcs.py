"""The raw importers read a gs:// lake (the gcp-storage-emulator, started here) exactly like a local
directory: same file selection (newest file per game), same rows."""

from __future__ import annotations

import gzip
import json

import pytest

import nbaprops
from conftest import require_shared
from emulators import start_gcs
from emulators.fixtures import require_package

BUCKET = "nba-scraped-data"


@pytest.fixture(scope="module")
def gcs():
    require_package("gcp_storage_emulator", "gcp-storage-emulator")
    emu = start_gcs(BUCKET)
    yield emu
    emu.stop()


def test_gamebooks_from_a_bucket_match_a_local_lake(gcs, monkeypatch, tmp_path):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.url)
    monkeypatch.delenv("NBAPROPS_BQ_TOKEN", raising=False)
    text = require_shared("legacy-samples/nbac_gamebook_pdf/exp_0173bcd1.json").read_text()
    stale = text.replace('"plus_minus": -13', '"plus_minus": -99')
    objects = {
        "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_040000.json.gz": gzip.compress(stale.encode()),
        "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20250805_151438.json": text.encode(),
    }
    uri = f"gs://{BUCKET}/lake"
    for path, data in objects.items():
        nbaprops._core.object_write(uri, path, data, "application/json", "")
        local = tmp_path / "lake" / path
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
    remote = nbaprops.import_raw(nbaprops.open(tmp_path / "wh1"), "gamebook", uri, dates=["2024-04-10"])
    local = nbaprops.import_raw(nbaprops.open(tmp_path / "wh2"), "gamebook", tmp_path / "lake", dates=["2024-04-10"])
    assert remote.rows == local.rows == 41
    assert [f[0] for f in remote.files] == [
        f"{uri}/nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20250805_151438.json"
    ]
    a = nbaprops.read(nbaprops.open(tmp_path / "wh1"), "nba_raw.nbac_gamebook_player_stats")
    b = nbaprops.read(nbaprops.open(tmp_path / "wh2"), "nba_raw.nbac_gamebook_player_stats")
    cols = [c for c in a.columns if c not in ("source_file_path", "processed_by_run_id")]
    assert a[cols].equals(b[cols])
    assert a.loc[a["player_lookup"] == "ggjackson", "plus_minus"].iloc[0] == -13
    assert json.loads(text)["game_code"] == "20240410/MEMCLE"
