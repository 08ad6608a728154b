"""Check that the core library's modules include each other only downwards.

Usage: python tools/check_layers.py   (run by `make lint`; exit 1 on a violation)

Each module is a folder of cpp/src and cpp/include/nbaprops. A module may
include its own headers and those of the modules listed for it in LAYERS,
nothing else: the runner depends on the processors, the importers on the
warehouse, never the other way round. Bindings and tests sit above everything
and are not checked.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module -> the modules it may include (besides itself). Keep it a DAG: a new
# edge upwards means a utility belongs lower down (usually in core).
LAYERS: dict[str, set[str]] = {
    "core": set(),
    "io": {"core"},
    "schedule": {"core"},
    "models": {"core", "io"},
    "warehouse": {"core", "io"},
    "importers": {"core", "io", "schedule", "warehouse"},
    "synth": {"core", "schedule", "warehouse"},
    "processors": {"core", "io", "models", "schedule", "warehouse"},
    "pipeline": {"core", "io", "processors", "schedule", "warehouse"},
}

INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"nbaprops/([A-Za-z0-9_]+)/', re.MULTILINE)


def module_of(path: Path, root: Path = ROOT) -> str | None:
    for base in (root / "cpp" / "src", root / "cpp" / "include" / "nbaprops"):
        try:
            parts = path.relative_to(base).parts
        except ValueError:
            continue
        return parts[0] if len(parts) > 1 else None
    return None


def violations(root: Path = ROOT) -> list[str]:
    """Every include of @p root's cpp/ tree against LAYERS, as `file:line: why`."""
    out = []
    for path in sorted((root / "cpp").rglob("*")):
        if path.suffix not in {".cpp", ".hpp", ".inc", ".h"}:
            continue
        mod = module_of(path, root)
        if mod is None:
            continue
        if mod not in LAYERS:
            out.append(f"{path.relative_to(root)}: module '{mod}' is not in tools/check_layers.py LAYERS")
            continue
        text = path.read_text(encoding="utf-8")
        for m in INCLUDE.finditer(text):
            dep = m.group(1)
            if dep != mod and dep not in LAYERS[mod]:
                line = text.count("\n", 0, m.start()) + 1
                out.append(f"{path.relative_to(root)}:{line}: {mod} includes {dep} (allowed: {sorted(LAYERS[mod])})")
    return out


def main() -> int:
    bad = violations()
    for v in bad:
        print(v, file=sys.stderr)
    if bad:
        print(f"check_layers: {len(bad)} include(s) against the module layering", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
