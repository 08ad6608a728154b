"""Where the build's SQLite comes from (cmake/BundledSQLite.cmake): the amalgamation from a hash-checked download or
a local folder, else the system's library with a warning; never a failed configure for want of the download.

Each test configures the C++ core alone (no Python module, no tests) into a folder of its own: a few seconds."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake not installed")


def configure(tmp_path: Path, *defines: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NBAPROPS_CACHE_DIR=str(tmp_path / "cache"))
    return subprocess.run(
        ["cmake", "-S", str(ROOT), "-B", str(tmp_path / "build"), "-DNBAPROPS_BUILD_PYTHON=OFF"]
        + ["-DNBAPROPS_BUILD_TESTS=OFF", "-DCMAKE_CXX_COMPILER_LAUNCHER=", *defines],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_an_unreachable_download_falls_back_to_the_system_library(tmp_path):
    out = configure(tmp_path, "-DNBAPROPS_SQLITE_SDIST_URL=http://127.0.0.1:9/sqlean.tar.gz")
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert "cannot download http://127.0.0.1:9/sqlean.tar.gz" in text
    assert "nbaprops: the system's SQLite" in text
    assert not list((tmp_path / "cache").glob("*.tar.gz*"))  # nothing half-downloaded left in the cache


def test_a_file_with_another_hash_is_refused(tmp_path):
    wrong = tmp_path / "not-the-sdist.tar.gz"
    wrong.write_bytes(b"not SQLite")
    out = configure(tmp_path, f"-DNBAPROPS_SQLITE_SDIST_URL=file://{wrong}")
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert "SHA-256" in text and "expected 9764b565" in text
    assert "nbaprops: the system's SQLite" in text
    assert not list((tmp_path / "cache").glob("*.tar.gz*"))


def test_a_folder_that_is_not_the_amalgamation_fails_naming_the_file(tmp_path):
    fake = tmp_path / "amalgamation"
    fake.mkdir()
    (fake / "sqlite3.c").write_text("int main(void) { return 0; }\n")
    (fake / "sqlite3.h").write_text("\n")
    out = configure(tmp_path, f"-DNBAPROPS_SQLITE_AMALGAMATION_DIR={fake}")
    text = out.stdout + out.stderr
    assert out.returncode != 0
    assert f"{fake}/sqlite3.c is not SQLite 3.50.4's amalgamation" in " ".join(text.split())


def test_a_local_amalgamation_folder_is_built_from(tmp_path):
    # One this checkout's builds cut from the download already (the Python build or the C++ tests' build).
    found = sorted(ROOT.glob("build/*/_deps/sqlite-3.50.4/sqlite3.c"))
    if not found:
        pytest.skip("no build of this checkout has SQLite's amalgamation yet")
    out = configure(tmp_path, f"-DNBAPROPS_SQLITE_AMALGAMATION_DIR={found[0].parent}")
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert "nbaprops: SQLite 3.50.4 from its amalgamation" in text
    assert "downloading" not in text
