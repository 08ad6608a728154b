"""The interned-text pool gives a run's texts back when the run ends (table.hpp: intern_cell).

Runs in a fresh interpreter with NBAPROPS_TEXT_POOL_POISON=1: a reclaim overwrites the texts it frees
instead of freeing them, so a text pointer kept past its run (a static, a cache) would show up as the
poison text in a later run's rows and change the table hashes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import importlib.util, json, sys
from pathlib import Path
import nbaprops
from nbaprops import _core

spec = importlib.util.spec_from_file_location("golden", Path(sys.argv[1]) / "bench" / "python" / "golden_hashes.py")
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)
wh_dir, ckpt = Path(sys.argv[2]), sys.argv[3]
before = golden.table_hashes(wh_dir)
wh = nbaprops.open(wh_dir)
out = {"exit": [], "stats": []}
for start, end in (("2023-11-01", "2023-11-12"), ("2023-11-06", "2023-11-20")):
    r = nbaprops.backfill(wh, start, end, workers=2, resume=False, progress="none", checkpoint_dir=ckpt)
    out["exit"].append(r.exit_code)
    out["stats"].append(_core.text_pool_stats())
out["same"] = golden.table_hashes(wh_dir) == before
print(json.dumps(out))
"""


def test_reruns_after_reclaims_give_identical_tables_and_leave_no_cell_texts(demo_dir, tmp_path):
    wh_dir = tmp_path / "wh"
    shutil.copytree(demo_dir, wh_dir)
    env = dict(os.environ, NBAPROPS_TEXT_POOL_POISON="1")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT), str(wh_dir), str(tmp_path / "ck")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["exit"] == [0, 0]
    first, second = out["stats"]
    # Each run's end freed its cell texts; what stays pinned is names and constants, a few thousand.
    assert first["cells"] == 0 and second["cells"] == 0
    assert second["reclaims"] >= first["reclaims"] + 1 >= 2
    assert 0 < second["pinned"] < 50_000
    assert out["same"], "rerunning after a reclaim changed a table"
