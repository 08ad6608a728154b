"""The core library's include layering (tools/check_layers.py, run by `make lint`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _checker():
    spec = importlib.util.spec_from_file_location("nbaprops_check_layers", ROOT / "tools" / "check_layers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_repository_keeps_its_layers():
    assert _checker().violations() == []


def test_an_upward_include_is_reported_with_file_and_line(tmp_path):
    check = _checker()
    _write(tmp_path, "cpp/src/core/ok.cpp", '#include "nbaprops/core/table.hpp"\n')
    _write(tmp_path, "cpp/src/pipeline/ok.cpp", '#include "nbaprops/processors/processor.hpp"\n')
    _write(tmp_path, "cpp/src/importers/bad.cpp", '#include <vector>\n\n#include "nbaprops/processors/common.hpp"\n')
    _write(tmp_path, "cpp/include/nbaprops/processors/bad.hpp", '#  include "nbaprops/pipeline/runner.hpp"\n')
    _write(tmp_path, "cpp/src/plugins/new.cpp", "int x;\n")
    found = check.violations(tmp_path)
    assert found == [
        "cpp/include/nbaprops/processors/bad.hpp:1: processors includes pipeline "
        "(allowed: ['core', 'io', 'models', 'schedule', 'warehouse'])",
        "cpp/src/importers/bad.cpp:3: importers includes processors (allowed: ['core', 'io', 'schedule', 'warehouse'])",
        "cpp/src/plugins/new.cpp: module 'plugins' is not in tools/check_layers.py LAYERS",
    ]
