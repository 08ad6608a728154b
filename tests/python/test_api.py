"""The public face: every name in ``nbaprops.__all__`` is documented (NumPy style), listed by ``help``,
exercised here; every error class is reachable; ``_core.pyi`` declares everything ``_core`` exports; the
run options cross as one object."""

from __future__ import annotations

import ast
import inspect
import io
import json
import os
import pydoc
from pathlib import Path

import pandas as pd
import pytest

import nbaprops
from nbaprops import _core
from nbaprops.api import progress as progress_mod
from nbaprops.api import runner

STUB = Path(nbaprops.__file__).with_name("_core.pyi")
ERRORS = [
    "NbaPropsError",
    "ConfigError",
    "DataError",
    "PreflightError",
    "StorageError",
    "NetworkError",
    "Cancelled",
    "InternalError",
]


# --------------------------------------------------------------------------- typed, documented face


def _stub_names() -> tuple[set[str], dict[str, set[str]]]:
    tree = ast.parse(STUB.read_text())
    top: set[str] = set()
    members: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top.add(node.target.id)
        if isinstance(node, ast.ClassDef):
            members[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} | {
                n.target.id for n in node.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
            }
    return top, members


def test_core_stub_declares_every_attribute_of_the_native_module():
    top, members = _stub_names()
    exported = {n for n in dir(_core) if not (n.startswith("__") and n.endswith("__"))} | {"__version__"}
    assert exported - top == set(), "declare these in python/nbaprops/_core.pyi"
    assert top - exported == set(), "the stub declares names _core does not have"
    for name in sorted(n for n in exported if isinstance(getattr(_core, n), type)):
        cls = getattr(_core, name)
        if issubclass(cls, BaseException):
            continue
        own = {m for m in vars(cls) if not m.startswith("_") or m in ("__len__", "_inject_write_failure_after")}
        assert own - members[name] == set(), f"{name}: members missing from the stub"


def test_help_lists_the_api():
    text = pydoc.render_doc(nbaprops, renderer=pydoc.plaintext)
    for name in nbaprops.__all__:
        assert name in text or (name == "__version__" and "VERSION" in text), name
    assert "query(wh, sql, params)" in nbaprops.__doc__


def _public_functions():
    for name in nbaprops.__all__:
        obj = getattr(nbaprops, name)
        if inspect.isfunction(obj):
            yield name, obj
    yield "demo.generate", nbaprops.demo.generate
    for name, obj in vars(nbaprops.Warehouse).items():
        if not name.startswith("_"):
            yield f"Warehouse.{name}", obj.fget if isinstance(obj, property) else obj


@pytest.mark.parametrize(("name", "fn"), list(_public_functions()), ids=[n for n, _ in _public_functions()])
def test_public_functions_have_numpy_docstrings(name, fn):
    doc = inspect.getdoc(fn) or ""
    assert doc, f"{name} has no docstring"
    if isinstance(vars(nbaprops.Warehouse).get(name.split(".")[-1]), property):
        return  # a property: one line says what it is
    sections = [s for s in ("Parameters\n----------", "Returns\n-------") if s in doc]
    if len(inspect.signature(fn).parameters) > (1 if name.startswith("Warehouse.") else 0):
        assert "Parameters\n----------" in doc, f"{name}: no NumPy 'Parameters' section"
    assert sections, f"{name}: no NumPy sections"


def test_every_name_in_all_exists_and_is_tested_here():
    for name in nbaprops.__all__:
        assert hasattr(nbaprops, name), name
    functions = {n for n in nbaprops.__all__ if inspect.isfunction(getattr(nbaprops, n))}
    assert functions == set(FUNCTION_TESTS), "add a test to FUNCTION_TESTS for each public function"


def test_import_and_help_do_not_load_pandas():
    """The names that need pandas are imported on first use (``nbaprops.__getattr__``): importing the package,
    the command line's help and the legacy job scripts' help answer without it (about half a second less),
    and without numpy (0.1 s)."""
    import subprocess
    import sys

    mains = [
        "nbaprops.cli.main(['backfill', '--help'])",
        "nbaprops.cli.main(['export', '--help'])",
        "importlib.import_module('nbaprops.jobs.precompute.player_shot_zone_analysis').main(['--help'])",
        "importlib.import_module('nbaprops.jobs.publishing.daily_export').main(['--help'])",
        "importlib.import_module('nbaprops.jobs.raw.nbac_gamebook').main(['--help'])",
    ]
    code = (
        "import sys, contextlib, importlib, io, nbaprops, nbaprops.cli\n"
        + "".join(
            f"with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n    {m}\n"
            for m in mains
        )
        + "nbaprops.api.dates.to_date(5)\n"  # the api modules load on first use too, as before on import
        "print('pandas' in sys.modules, 'numpy' in sys.modules)\n"
        "nbaprops.backfill\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "True"]


def test_lazy_names_are_the_type_checking_imports():
    """``nbaprops._LAZY`` (what ``__getattr__`` imports) and the ``TYPE_CHECKING`` imports that type checkers
    read name the same objects, and every public name is either imported at once or lazy."""
    tree = ast.parse(Path(nbaprops.__file__).read_text())
    checked = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for imp in node.body:
                for alias in imp.names:
                    checked[alias.name] = ("." + imp.module, alias.name) if imp.module != "api" else (".api.demo", None)
    assert checked == nbaprops._LAZY
    eager = {n for n in vars(nbaprops) if not n.startswith("_")}
    assert set(nbaprops.__all__) - {"__version__"} <= eager | set(nbaprops._LAZY)


# --------------------------------------------------------------------------- each public function


def _t_open(demo, tmp_path):
    wh = nbaprops.open(tmp_path / "new")
    assert isinstance(wh, nbaprops.Warehouse) and Path(wh.uri).is_dir() and repr(wh).startswith("Warehouse(")


def _t_read(demo, tmp_path):
    df = nbaprops.read(demo, "nba_analytics.team_offense_game_summary", "2023-11-01", "2023-11-01")
    assert len(df) > 0 and (df["game_date"] == pd.Timestamp("2023-11-01")).all()


def _t_query(demo, tmp_path):
    n = nbaprops.query(demo, "SELECT COUNT(*) AS n FROM nba_raw.nbac_schedule")["n"].iloc[0]
    assert n == len(nbaprops.read(demo, "nba_raw.nbac_schedule"))


def _t_catalog(demo, tmp_path):
    cat = nbaprops.catalog()
    assert {"table", "column", "type", "required", "partition", "key", "description"} <= set(cat.columns)


def _t_processors(demo, tmp_path):
    assert [p["code"] for p in nbaprops.processors()][:3] == ["togs", "tdgs", "pgs"]


def _t_configure_logging(demo, tmp_path):
    with pytest.raises(nbaprops.ConfigError, match="nope"):
        nbaprops.configure_logging("nope")
    assert nbaprops.configure_logging("warning", "", True) is None


def _t_plan(demo, tmp_path):
    p = nbaprops.plan(demo, "2023-11-01", "2023-11-03", processors="togs,pgs")
    assert p.processors == ["team_offense_game_summary", "player_game_summary"] and len(p) == 2 * len(p.dates)
    assert list(p.units().columns) == ["processor", "date", "planned", "reason"] and str(p)


def _t_preflight(demo, tmp_path):
    report = nbaprops.preflight(demo, nbaprops.plan(demo, "2023-12-01", "2023-12-02", processors=["psza"]))
    assert report.ok and report.problems().empty and str(report)


def _t_backfill(demo_copy, tmp_path):
    r = nbaprops.backfill(
        demo_copy,
        "2023-12-01",
        "2023-12-02",
        processors=["pgs"],
        progress="none",
        resume=False,
        checkpoint_dir=tmp_path / "ck",
    )
    assert r.ok and r.exit_code == 0 and not r.cancelled and r.failed.empty
    assert r.summary.loc["player_game_summary", "success"] == 2 and r.run_id and str(r)


def _t_coverage(demo, tmp_path):
    cov = nbaprops.coverage(demo, "2023-11-01", "2023-11-30", tables=["nba_analytics.player_game_summary"])
    assert cov.gaps().empty and len(cov.to_frame()) > 0 and json.loads(cov.to_json()) and str(cov)


def _t_freshness(demo, tmp_path):
    report = nbaprops.freshness(demo, "2023-12-01", "2023-12-05", processors=["togs", "psza"])
    frame = report.to_frame()
    assert list(frame.columns) == ["processor", "date", "state", "reason", "rows", "committed_at"]
    assert set(frame["state"]) == {"up_to_date"} and report.stale().empty and "FRESHNESS" in str(report)


def _t_monthly_counts(demo, tmp_path):
    frame = nbaprops.monthly_counts(demo, "2023-11-01", "2023-11-30", tables=["nba_raw.nbac_schedule"])
    assert list(frame.columns) == ["2023-11", "total"] and frame.loc["nba_raw.nbac_schedule", "total"] > 0
    assert "nba_raw.nbac_schedule" in nbaprops.format_monthly(frame)


def _t_format_monthly(demo, tmp_path):
    assert nbaprops.format_monthly(pd.DataFrame()) == "(no tables)"


def _t_checkpoint_status(demo, tmp_path):
    text = nbaprops.checkpoint_status("player_game_summary", "2023-11-01", "2023-11-02", tmp_path / "none")
    assert str(tmp_path / "none") in text or "No checkpoint" in text or text


def _t_reset_checkpoint(demo_copy, tmp_path):
    ck = tmp_path / "ck"
    nbaprops.backfill(demo_copy, "2023-11-01", "2023-11-02", processors=["togs"], progress="none", checkpoint_dir=ck)
    job = next(p["legacy_job"] for p in nbaprops.processors() if p["code"] == "togs")
    assert nbaprops.reset_checkpoint(job, "2023-11-01", "2023-11-02", ck) is True
    assert nbaprops.reset_checkpoint(job, "2023-11-01", "2023-11-02", ck) is False


def _t_resolve_checkpoint_dir(demo, tmp_path, monkeypatch=None):
    assert nbaprops.resolve_checkpoint_dir(tmp_path) == str(tmp_path)
    old = os.environ.pop("NBAPROPS_CHECKPOINT_DIR", None)
    try:
        assert nbaprops.resolve_checkpoint_dir() == nbaprops.DEFAULT_CHECKPOINT_DIR == "/tmp/backfill_checkpoints"
        os.environ["NBAPROPS_CHECKPOINT_DIR"] = str(tmp_path / "env")
        assert nbaprops.resolve_checkpoint_dir() == str(tmp_path / "env")
    finally:
        os.environ.pop("NBAPROPS_CHECKPOINT_DIR", None)
        if old is not None:
            os.environ["NBAPROPS_CHECKPOINT_DIR"] = old


def _t_export(demo, tmp_path):
    r = nbaprops.export(demo, "2023-12-01", types="results", out_dir=tmp_path, generated_at="2024-01-01T00:00:00Z")
    assert r.ok and (tmp_path / "v1" / "results" / "2023-12-01.json").is_file()


def _t_export_dates(demo, tmp_path):
    dates = nbaprops.export_dates(demo)
    assert dates == sorted(dates) and "2023-12-01" in dates


def _t_export_players(demo, tmp_path):
    r = nbaprops.export_players(demo, tmp_path / "out", today="2024-01-10", min_games=60, generated_at="t")
    index = json.loads((tmp_path / "out" / "v1" / "players" / "index.json").read_text())
    profiled = [p["player_lookup"] for p in index["players"] if p["games_predicted"] >= 60]
    assert r.ok and sorted(r.files) == sorted(["v1/players/index.json"] + [f"v1/players/{p}.json" for p in profiled])


def _t_export_types(demo, tmp_path):
    assert nbaprops.export_types("results,best-bets") == ["results", "best-bets"]
    with pytest.raises(nbaprops.ConfigError):
        nbaprops.export_types(["no-such-type"])


def _t_import_shots(demo, tmp_path):
    from conftest import shared_data

    path = shared_data() / "shots" / "nba_shots_2023_24.csv.gz"
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a,shot,chart\n1,2,3,4\n")
    with pytest.raises(nbaprops.DataError):
        nbaprops.import_shots(nbaprops.open(tmp_path / "wh"), bad)
    if path.is_file():
        wh = nbaprops.open(tmp_path / "real")
        assert sum(nbaprops.import_shots(wh, path).values()) > 0


def _t_import_schedule(demo, tmp_path):
    from conftest import shared_data

    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(nbaprops.DataError):
        nbaprops.import_schedule(nbaprops.open(tmp_path / "wh"), bad)
    path = shared_data() / "schedule" / "nbac_schedule_2024_25.json.gz"
    if path.is_file():
        wh = nbaprops.open(tmp_path / "real")
        assert sum(nbaprops.import_schedule(wh, path).values()) > 0 and len(wh.schedule()) > 0


def _t_import_boxscores(demo, tmp_path):
    from conftest import shared_data

    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    with pytest.raises(nbaprops.DataError):
        nbaprops.import_boxscores(nbaprops.open(tmp_path / "wh"), bad)
    path = shared_data() / "boxscores" / "bdl_box_scores_2024_01_15.json.gz"
    if path.is_file():
        assert sum(nbaprops.import_boxscores(nbaprops.open(tmp_path / "real"), path).values()) > 0


def _t_set_xgboost_model(demo, tmp_path):
    before = nbaprops.xgboost_model_id()
    bad = tmp_path / "model.json"
    bad.write_text("{}")
    with pytest.raises(nbaprops.DataError, match="model.json"):
        nbaprops.set_xgboost_model(bad)
    assert nbaprops.set_xgboost_model(None) == "" and nbaprops.xgboost_model_id() == ""
    from nbaprops.api.models import default_model_path

    path = default_model_path()
    if before and path is not None:
        assert nbaprops.set_xgboost_model(path) == before


def _t_xgboost_model_id(demo, tmp_path):
    assert isinstance(nbaprops.xgboost_model_id(), str)


def _t_copy(demo, tmp_path):
    dst = nbaprops.open(tmp_path / "copy")
    df = nbaprops.copy(demo, dst, "nba_raw.nbac_team_boxscore", "2023-11-01", "2023-11-03")
    assert list(df.columns) == ["table", "partitions", "rows"] and df["partitions"].iloc[0] == 3
    pd.testing.assert_frame_equal(
        nbaprops.read(dst, "nba_raw.nbac_team_boxscore"),
        nbaprops.read(demo, "nba_raw.nbac_team_boxscore", "2023-11-01", "2023-11-03"),
    )


def _t_import_schedule_from_store(demo, tmp_path):
    with pytest.raises(nbaprops.StorageError, match="no schedule JSON"):
        nbaprops.import_schedule_from_store(nbaprops.open(tmp_path / "wh"), str(tmp_path / "empty"))


def _t_raw_sources(demo, tmp_path):
    sources = nbaprops.raw_sources()
    assert sources and all({"kind", "table", "job", "prefixes"} <= set(x) for x in sources)


def _t_raw_kinds(demo, tmp_path):
    assert nbaprops.raw_kinds() == [x["kind"] for x in nbaprops.raw_sources()]


def _t_import_raw(demo, tmp_path):
    wh = nbaprops.open(tmp_path / "wh")
    with pytest.raises(nbaprops.ConfigError):
        nbaprops.import_raw(wh, "no-such-kind", tmp_path)
    bad = tmp_path / "lake" / "nba-com" / "gamebooks-data" / "2024-04-10" / "20240410-MEMCLE" / "1.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    with pytest.raises(nbaprops.DataError, match="1.json"):
        nbaprops.import_raw(wh, "gamebook", tmp_path / "lake", dates=["2024-04-10"])
    assert nbaprops.read(wh, "nba_raw.nbac_gamebook_player_stats").empty


FUNCTION_TESTS = {
    "open": _t_open,
    "read": _t_read,
    "query": _t_query,
    "catalog": _t_catalog,
    "processors": _t_processors,
    "configure_logging": _t_configure_logging,
    "plan": _t_plan,
    "preflight": _t_preflight,
    "backfill": _t_backfill,
    "coverage": _t_coverage,
    "freshness": _t_freshness,
    "monthly_counts": _t_monthly_counts,
    "format_monthly": _t_format_monthly,
    "checkpoint_status": _t_checkpoint_status,
    "reset_checkpoint": _t_reset_checkpoint,
    "resolve_checkpoint_dir": _t_resolve_checkpoint_dir,
    "export": _t_export,
    "export_dates": _t_export_dates,
    "export_types": _t_export_types,
    "export_players": _t_export_players,
    "import_shots": _t_import_shots,
    "import_schedule": _t_import_schedule,
    "import_boxscores": _t_import_boxscores,
    "set_xgboost_model": _t_set_xgboost_model,
    "xgboost_model_id": _t_xgboost_model_id,
    "copy": _t_copy,
    "import_schedule_from_store": _t_import_schedule_from_store,
    "raw_sources": _t_raw_sources,
    "raw_kinds": _t_raw_kinds,
    "import_raw": _t_import_raw,
}
MUTATES = {"backfill", "reset_checkpoint"}


@pytest.mark.parametrize("name", sorted(FUNCTION_TESTS))
def test_public_function(name, request, tmp_path):
    wh = request.getfixturevalue("demo_copy" if name in MUTATES else "demo")
    FUNCTION_TESTS[name](wh, tmp_path)


def test_demo_generate_and_season_range(warehouse):
    with pytest.raises(ValueError):
        nbaprops.demo.generate(warehouse, seasons=[])
    summary = nbaprops.demo.generate(warehouse, seasons=[2023], seed=7)
    assert summary["games"] > 1000 and summary["rows"]["nba_raw.nbac_schedule"] == summary["games"]
    start, end = warehouse.season_range(2023)
    assert start == pd.Timestamp("2023-10-17") and end > pd.Timestamp("2024-04-01")
    with pytest.raises(nbaprops.ConfigError, match="season 1999 is not in the schedule.*2023"):
        warehouse.season_range(1999)
    counts = warehouse.partition_counts("nba_raw.nbac_schedule", "2023-11-01", "2023-11-30")
    assert counts.index.min() >= pd.Timestamp("2023-11-01") and counts.sum() > 0
    # Every partition written through nbaprops has its content hash recorded (16 hex digits; a
    # written-but-empty date, like Thanksgiving's, has the empty hash); different days' schedules
    # hash differently.
    hashes = warehouse.partition_hashes("nba_raw.nbac_schedule", "2023-11-01", "2023-11-30")
    assert counts.index.isin(hashes.index).all() and hashes.str.fullmatch("[0-9a-f]{16}").all()
    assert hashes[counts.index].nunique() == len(counts)
    assert warehouse.has_table("nba_raw.nbac_schedule") and not warehouse.has_table("nba_analytics.player_game_summary")
    warehouse.invalidate()
    assert len(warehouse.schedule()) == summary["games"]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name", ERRORS)
def test_error_classes_are_exported_with_two_bases(name):
    cls = getattr(nbaprops, name)
    assert cls is getattr(nbaprops.errors, name) is getattr(_core, name)
    assert issubclass(cls, nbaprops.NbaPropsError)
    if name != "NbaPropsError":
        assert len(cls.__bases__) == 2 and cls.__bases__[0] is nbaprops.NbaPropsError


def test_errors_raised_by_public_calls(warehouse, tmp_path):
    with pytest.raises(nbaprops.ConfigError):
        nbaprops.read(warehouse, "nba_raw.nope")
    with pytest.raises(nbaprops.ConfigError, match="read-only"):
        nbaprops.query(warehouse, "CREATE TABLE nba_raw.x (y INTEGER)")
    with pytest.raises(nbaprops.DataError):
        nbaprops.plan(warehouse, "2024-13-01", "2024-12-31")
    (tmp_path / "file").write_text("x")
    with pytest.raises(nbaprops.StorageError):
        nbaprops.open(tmp_path / "file" / "wh")
    # The remaining classes have no public trigger on a local warehouse; the native mapping raises them.
    for name, code in [
        ("PreflightError", "preflight"),
        ("NetworkError", "network"),
        ("Cancelled", "cancelled"),
        ("InternalError", "internal"),
    ]:
        with pytest.raises(getattr(nbaprops, name), match="boom"):
            _core._raise_error(code, "boom")


# --------------------------------------------------------------------------- run options, progress


def test_run_options_object_and_dict():
    o = _core.RunOptions()
    assert o.workers == 2 and o.resume and o.checkpoint_dir == nbaprops.DEFAULT_CHECKPOINT_DIR
    d = _core.RunOptions({"workers": 3, "stop_on_failure": True, "run_id": "abc", "cache_reads": False})
    assert (d.workers, d.stop_on_failure, d.run_id, d.cache_reads) == (3, True, "abc", False)
    assert "workers=3" in repr(d)
    with pytest.raises(nbaprops.ConfigError, match="unknown run option 'worker'.*workers"):
        _core.RunOptions({"worker": 3})
    with pytest.raises(nbaprops.ConfigError, match="run option 'workers'"):
        _core.RunOptions({"workers": "many"})


def test_start_run_takes_one_options_object(demo_copy, tmp_path):
    p = nbaprops.plan(demo_copy, "2023-11-01", "2023-11-02", processors=["togs"])
    for options in (
        {"workers": 1, "resume": False, "checkpoint_dir": str(tmp_path / "a")},
        _core.RunOptions({"workers": 1, "resume": False, "checkpoint_dir": str(tmp_path / "b")}),
    ):
        handle = _core.start_run(demo_copy._native, demo_copy.schedule(), p.native, options)
        result = runner._drive(handle, None)
        assert result.exit_code() == 0
    with pytest.raises(nbaprops.ConfigError, match="workers must be at least 1"):
        _core.start_run(demo_copy._native, demo_copy.schedule(), p.native, {"workers": 0})


def test_phase_bars_group_processors(monkeypatch):
    monkeypatch.setattr(progress_mod, "in_notebook", lambda: False)
    bars = progress_mod.BarProgress(
        {"team_offense_game_summary": 3, "player_game_summary": 3, "player_shot_zone_analysis": 2},
        phases={"team_offense_game_summary": 3, "player_game_summary": 3, "player_shot_zone_analysis": 4},
        by_phase=True,
        codes={"team_offense_game_summary": "togs", "player_game_summary": "pgs", "player_shot_zone_analysis": "psza"},
    )
    for bar in bars.bars.values():
        bar.fp = io.StringIO()
    assert set(bars.bars) == {"Phase 3", "Phase 4"}
    assert bars.bars["Phase 3"].total == 6 and bars.bars["Phase 4"].total == 2
    bars.update({"processor": "player_game_summary", "status": "success", "date": "2023-11-01"})
    bars.update({"processor": "player_game_summary", "status": "failed", "date": "2023-11-02"})
    bars.update({"processor": "unknown", "status": "success", "date": "2023-11-02"})
    assert bars.bars["Phase 3"].n == 2
    assert bars.postfix("Phase 3") == "togs 0/3 · pgs 2/3 (1 failed)"
    bars.close()


def test_make_progress_modes(monkeypatch):
    monkeypatch.setattr(progress_mod, "in_notebook", lambda: False)
    totals, entities = {"player_game_summary": 1}, {"player_game_summary": "players"}
    assert isinstance(progress_mod.make_progress(False, totals, entities), progress_mod.LegacyLogProgress)
    assert progress_mod.make_progress("none", totals, entities) is None
    bar = progress_mod.make_progress("bar", totals, entities, phases={"player_game_summary": 3})
    assert isinstance(bar, progress_mod.BarProgress) and not bar.by_phase  # per processor on a terminal
    bar.close()
    with pytest.raises(ValueError, match="unknown progress mode"):
        progress_mod.make_progress("fancy", totals, entities)
