"""One SQLite library per process (cmake/BundledSQLite.cmake).

nbaprops is built on SQLite's amalgamation, installed beside its module as libsqlite3.so.0. Two copies of SQLite in
one process would not see each other's file locks, so the dynamic loader must map exactly one: ours when nbaprops is
imported first (Python's sqlite3 module then uses it too), the system's when sqlite3 was imported first. Either way
the engine and the sqlite3 module work on the same warehouse files through that one library."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest

PROBE = r"""
import json, os, sys
if sys.argv[1] == "sqlite3-first":
    import sqlite3
    import nbaprops
else:
    import nbaprops
    import sqlite3
lib = nbaprops._core.sqlite_library()
with open("/proc/self/maps") as maps:
    mapped = sorted({os.path.realpath(line.split()[-1]) for line in maps if "libsqlite3" in line})
wh = nbaprops.open(sys.argv[2])
nbaprops.demo.generate(wh, seasons=[2023], seed=7)
engine_rows = len(nbaprops.read(wh, "nba_raw.nbac_schedule"))
con = sqlite3.connect(os.path.join(sys.argv[2], "nba_raw.sqlite"))
module_rows = con.execute("SELECT count(*) FROM nbac_schedule").fetchone()[0]
quick_check = con.execute("PRAGMA quick_check").fetchone()[0]
con.close()
print(json.dumps({"lib": lib, "mapped": mapped, "module_version": sqlite3.sqlite_version,
                  "engine_rows": engine_rows, "module_rows": module_rows, "quick_check": quick_check}))
"""


def probe(order: str, wh_dir) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, order, str(wh_dir)], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("order", ["nbaprops-first", "sqlite3-first"])
def test_one_sqlite_library_per_process(order, tmp_path):
    seen = probe(order, tmp_path / "wh")
    lib = seen["lib"]
    # Exactly one libsqlite3 mapped, the one the engine calls, and the sqlite3 module's too.
    assert seen["mapped"] == [os.path.realpath(lib["path"])], seen
    assert seen["module_version"] == lib["version"]
    if order == "nbaprops-first":
        # The library built with nbaprops, where this build has one.
        assert lib["bundled"] == lib["built_with_nbaprops"], lib
        if lib["built_with_nbaprops"]:
            assert lib["path"].endswith("/nbaprops/libsqlite3.so.0"), lib
    # The engine's rows, read back through Python's sqlite3 module in the same process.
    assert seen["engine_rows"] > 1000
    assert seen["module_rows"] == seen["engine_rows"]
    assert seen["quick_check"] == "ok"


def test_bundled_library_keeps_the_system_library_api():
    """Any module of the process may get our libsqlite3.so.0 in place of the system's: it exports every public
    function the system's does."""
    import nbaprops

    lib = nbaprops._core.sqlite_library()
    if not lib["built_with_nbaprops"]:
        pytest.skip("this build uses the system's libsqlite3 (NBAPROPS_BUNDLED_SQLITE=OFF or no amalgamation)")
    system = sorted(
        p
        for pattern in ("/usr/lib/*/libsqlite3.so.0", "/usr/lib64/libsqlite3.so.0", "/usr/lib/libsqlite3.so.0")
        for p in glob.glob(pattern)
    )
    if not system:
        pytest.skip("no system libsqlite3 to compare with")
    ours = os.path.join(os.path.dirname(nbaprops._core.__file__), "libsqlite3.so.0")

    def public(path: str) -> set[str]:
        out = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True, text=True, check=True)
        return {fields[-1] for fields in map(str.split, out.stdout.splitlines()) if fields}

    theirs = {name for name in public(system[0]) if name.startswith("sqlite3_")}
    assert len(theirs) > 200, system[0]
    missing = theirs - public(ours)
    assert not missing, sorted(missing)


def test_version_names_the_sqlite_library_in_use():
    import nbaprops

    # A fresh process, as the command line starts: nbaprops is imported first.
    probe = "import json, nbaprops; print(json.dumps(nbaprops._core.sqlite_library()))"
    lib = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout)
    out = subprocess.run([sys.executable, "-m", "nbaprops", "--version"], capture_output=True, text=True, check=True)
    origin = "bundled" if lib["built_with_nbaprops"] else "system"
    assert lib["bundled"] == lib["built_with_nbaprops"], lib
    assert out.stdout.strip() == f"nbaprops {nbaprops.__version__} (SQLite {lib['version']}, {origin})", out.stdout
