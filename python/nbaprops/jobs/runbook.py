"""The legacy runbook entry points: ``run_phase4_backfill.sh``, ``run_backfill.sh`` (installed console
scripts of those names) and ``nbaprops legacy-tree DIR`` (thin launchers at the legacy file paths).

- ``run_phase4_backfill.sh --start-date S --end-date E [--dry-run] [--start-from N] [--no-resume]``: the
  five Phase 4 processors (1 TDZA, 2 PSZA, 3 PCF, 4 PDC, 5 MLFS) from processor N on, as one
  dependency-ordered nbaprops run (the legacy ran five scripts one after the other). Unknown options
  exit 1 with ``Unknown option: X``, as the legacy. ``--warehouse`` is accepted in addition.
- ``run_backfill.sh <phase/job_name> [args...]``: runs the nbaprops counterpart of
  ``backfill_jobs/<phase>/<job>/<job>_<suffix>_backfill.py`` with the same arguments; ``--list``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import stat
import sys
from pathlib import Path
from typing import Optional, Sequence

from .. import errors
from ._legacy import DAILY_EXPORT, SCRIPTS, setup_logging

log = logging.getLogger("nbaprops.backfill")

#: Phase 4 processors in the legacy orchestrator's numbering (--start-from N).
PHASE4_ORDER = ("tdza", "psza", "pcf", "pdc", "mlfs")

#: run_backfill.sh: the module suffix of each legacy phase folder.
SUFFIX = {
    "scrapers": "scraper",
    "raw": "raw",
    "analytics": "analytics",
    "precompute": "precompute",
    "prediction": "prediction",
    "publishing": "publishing",
    "reference": "reference",
}


def legacy_files() -> dict[str, str]:
    """{legacy file path: our module} for every legacy Phase 3–6 script."""
    out = {s.legacy_path: s.module for s in SCRIPTS.values()}
    out[DAILY_EXPORT[1]] = DAILY_EXPORT[0]
    return out


# ------------------------------------------------------------------------------- run_phase4_backfill
PHASE4_HELP = """Phase 4 Backfill Orchestrator (nbaprops)

Usage: run_phase4_backfill.sh --start-date YYYY-MM-DD --end-date YYYY-MM-DD [options]

Options:
  --start-date    Start date for backfill (required)
  --end-date      End date for backfill (required)
  --dry-run       Check data availability without processing
  --start-from N  Start from processor N (1-5, for resuming)
  --no-resume     Ignore checkpoints, start fresh
  --warehouse DIR nbaprops warehouse (default $NBAPROPS_WAREHOUSE or ./warehouse)
  -h, --help      Show this help

Execution Order:
  1. team_defense_zone_analysis  } Run in PARALLEL
  2. player_shot_zone_analysis   }
  3. player_composite_factors    (depends on #1, #2)
  4. player_daily_cache          (depends on #1, #2, #3)
  5. ml_feature_store            (depends on ALL)

nbaprops runs the selected processors as one run in dependency order (a unit starts when the units
it reads have committed). Exit codes: 0 = every unit succeeded, 1 = a unit failed or was blocked,
the pre-flight refused or an option was wrong (legacy: 0 even after failed dates), 130 = interrupted.
"""


def run_phase4_backfill(argv: Optional[Sequence[str]] = None) -> int:
    """``run_phase4_backfill.sh``: the legacy flags, parsed as the legacy shell script did."""
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = {
        "start": None,
        "end": None,
        "dry_run": False,
        "start_from": 1,
        "no_resume": False,
        "warehouse": os.environ.get("NBAPROPS_WAREHOUSE", "warehouse"),
    }
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(PHASE4_HELP)
            return 0
        if a in ("--start-date", "--end-date", "--start-from", "--warehouse") and i + 1 < len(argv):
            key = {
                "--start-date": "start",
                "--end-date": "end",
                "--start-from": "start_from",
                "--warehouse": "warehouse",
            }[a]
            opts[key] = argv[i + 1]
            i += 2
            continue
        if a in ("--dry-run", "--no-resume"):
            opts[a[2:].replace("-", "_")] = True
            i += 1
            continue
        print(f"Unknown option: {a}")
        return 1
    if not opts["start"] or not opts["end"]:
        print("Error: --start-date and --end-date are required")
        return 1
    try:
        n = int(opts["start_from"])
        if not 1 <= n <= 5:
            raise ValueError
    except ValueError:
        print(f"Error: --start-from must be 1-5, got {opts['start_from']}")
        return 1
    chain = PHASE4_ORDER[n - 1 :]
    print("======================================")
    print("Phase 4 Backfill Orchestrator (nbaprops)")
    print("======================================")
    print("")
    print(f"Date range: {opts['start']} to {opts['end']}")
    print(f"Dry run: {'--dry-run' if opts['dry_run'] else 'No'}")
    print(f"Start from: Processor #{n}")
    print(f"No resume: {'--no-resume' if opts['no_resume'] else 'No (will use checkpoints)'}")
    print(f"Processors: {', '.join(chain)} (one run, dependency order)")
    print("")
    from ..cli import main as nbaprops_main

    args = [
        "backfill",
        "--warehouse",
        opts["warehouse"],
        "--start-date",
        opts["start"],
        "--end-date",
        opts["end"],
        "--processors",
        ",".join(chain),
        "--progress",
        "log",
    ]
    args += ["--dry-run"] if opts["dry_run"] else []
    args += ["--no-resume"] if opts["no_resume"] else []
    code = nbaprops_main(args)
    if code == 0:
        print("")
        print("======================================")
        print("Phase 4 Backfill Complete!")
        print("======================================")
    else:
        print(f"✗ Phase 4 backfill failed with exit code {code}")
        if code == 130:
            print("Backfill interrupted. Rerun the same command to resume (checkpoints), or use --start-from.")
    return code


def main_phase4() -> None:
    sys.exit(run_phase4_backfill())


# ------------------------------------------------------------------------------------- run_backfill
def _jobs_by_phase() -> dict[str, dict[str, str]]:
    """{phase: {job name: module}} for the jobs reachable as ``<phase>/<job>`` (the legacy lookup
    ``backfill_jobs/<phase>/<job>/<job>_<suffix>_backfill.py``)."""
    out: dict[str, dict[str, str]] = {}
    for path, module in legacy_files().items():
        parts = path.split("/")
        if len(parts) == 4 and parts[3] == f"{parts[2]}_{SUFFIX.get(parts[1], '')}_backfill.py":
            out.setdefault(parts[1], {})[parts[2]] = module
    return out


def run_backfill(argv: Optional[Sequence[str]] = None) -> int:
    """``run_backfill.sh <phase/job_name> [args...]``; ``--list`` lists the jobs."""
    argv = list(sys.argv[1:] if argv is None else argv)
    jobs = _jobs_by_phase()
    if not argv or argv[0] in ("--list", "-l"):
        if not argv:
            print("Usage: run_backfill.sh <phase/job_name> [args...]")
            print("")
        print("Available backfill jobs:\n")
        for phase in SUFFIX:
            if phase in jobs:
                print(f"{phase}/")
                for name in sorted(jobs[phase]):
                    print(f"  {name}")
                print("")
        return 0 if argv else 1
    job_path, rest = argv[0], argv[1:]
    parts = job_path.split("/")
    if len(parts) != 2 or not all(p and p.replace("_", "").isalpha() and p.islower() for p in parts):
        print(f"Error: Invalid job path format: {job_path}")
        print("Expected format: phase/job_name (e.g., raw/bdl_injuries)")
        return 1
    phase, name = parts
    if phase not in SUFFIX:
        print(f"Error: Unknown phase: {phase}")
        print("Valid phases: " + ", ".join(SUFFIX))
        return 1
    module = jobs.get(phase, {}).get(name)
    if module is None and phase == "raw":  # the raw importers' jobs, when this build has them
        candidate = f"nbaprops.jobs.raw.{name}"
        try:
            importlib.import_module(candidate)
            module = candidate
        except ImportError:
            module = None
    if module is None:
        print(f"Error: Backfill job not found: backfill_jobs/{phase}/{name}/{name}_{SUFFIX[phase]}_backfill.py")
        print("")
        print(f"Available jobs in {phase}:")
        for n in sorted(jobs.get(phase, {})) or ["(no jobs found)"]:
            print(f"  {n}")
        return 1
    print("Running backfill job:")
    print(f"  Phase:  {phase}")
    print(f"  Job:    {name}")
    print(f"  Module: {module}")
    if rest:
        print(f"  Args:   {' '.join(rest)}")
    print("")
    sys.stdout.flush()
    mod = importlib.import_module(module)
    return int(mod.main(rest))


def main_run_backfill() -> None:
    sys.exit(run_backfill())


# -------------------------------------------------------------------------------------- legacy-tree
LAUNCHER = '''#!{python}
"""nbaprops launcher for the legacy {path} (written by `nbaprops legacy-tree`)."""
import sys

from {module} import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''

SHELL = """#!/bin/sh
# nbaprops launcher for the legacy {path} (written by `nbaprops legacy-tree`).
exec "{python}" -c "import sys; from nbaprops.jobs.runbook import {func}; sys.exit({func}(sys.argv[1:]))" "$@"
"""


def write_legacy_tree(root: str | os.PathLike, python: Optional[str] = None) -> list[str]:
    """Writes thin launchers at the legacy paths under ``root``: every
    ``backfill_jobs/<phase>/<name>/<name>_<suffix>_backfill.py`` (plus ``__init__.py`` files, so
    ``python -m backfill_jobs....`` works from ``root``), ``bin/run_backfill.sh`` and
    ``bin/backfill/run_phase4_backfill.sh``. Existing launchers are overwritten; nothing else is touched.
    Returns the files written (relative to ``root``)."""
    root = Path(root)
    python = python or sys.executable
    written: list[str] = []

    def put(rel: str, text: str, executable: bool) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        if executable:
            tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        os.replace(tmp, path)
        written.append(rel)

    for rel, module in sorted(legacy_files().items()):
        put(rel, LAUNCHER.format(python=python, path=rel, module=module), True)
        parts = Path(rel).parent.parts
        for i in range(1, len(parts) + 1):
            init = Path(*parts[:i]) / "__init__.py"
            if not (root / init).exists():
                put(str(init), "", False)
    put("bin/run_backfill.sh", SHELL.format(python=python, path="bin/run_backfill.sh", func="run_backfill"), True)
    put(
        "bin/backfill/run_phase4_backfill.sh",
        SHELL.format(python=python, path="bin/backfill/run_phase4_backfill.sh", func="run_phase4_backfill"),
        True,
    )
    return written


def cmd_legacy_tree(args: argparse.Namespace) -> int:
    """``nbaprops legacy-tree DIR``."""
    if os.path.exists(args.dir) and not os.path.isdir(args.dir):
        raise errors.ConfigError(f"legacy-tree: {args.dir} exists and is not a directory")
    files = write_legacy_tree(args.dir)
    setup_logging()
    log.info(
        "Wrote %d launchers under %s (backfill_jobs/..., bin/run_backfill.sh, bin/backfill/run_phase4_backfill.sh)",
        len([f for f in files if not f.endswith("__init__.py")]),
        args.dir,
    )
    return 0
