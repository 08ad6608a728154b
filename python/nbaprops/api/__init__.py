"""The only modules that import ``nbaprops._core``.

Its modules are imported on first use (``nbaprops.api.dates`` works right after ``import nbaprops``), as the
package's own public names are: most of them import pandas."""

from __future__ import annotations

import importlib as _importlib
import pkgutil as _pkgutil
from typing import Any

_MODULES = frozenset(m.name for m in _pkgutil.iter_modules(__path__))


def __getattr__(name: str) -> Any:
    """Imports the submodule ``name`` on first use (PEP 562)."""
    if name not in _MODULES:
        raise AttributeError(f"module 'nbaprops.api' has no attribute {name!r}")
    return _importlib.import_module(f".{name}", __name__)


def __dir__() -> list[str]:
    return sorted(set(globals()) | _MODULES)
