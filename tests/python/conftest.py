from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    return Path(os.environ.get("NBAPROPS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def require_shared(rel: str) -> Path:
    path = shared_data() / rel
    if not path.exists():
        pytest.skip(f"real data not found: {path} (set NBAPROPS_SHARED_DATA or place shared/ beside the project)")
    return path


@pytest.fixture
def warehouse(tmp_path):
    import nbaprops

    return nbaprops.open(tmp_path / "wh")
