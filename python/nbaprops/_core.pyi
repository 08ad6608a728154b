"""Type stubs of ``nbaprops._core``, the private native module (use the ``nbaprops`` package).

Dates cross the boundary as day numbers (days since 1970-01-01); the API modules convert them.
Keep in step with ``bindings/*.cpp``: ``tests/python/test_api.py`` checks that every attribute of the
built module is declared here.
"""

from typing import Any, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

# ------------------------------------------------------------------ errors (bindings/errors.cpp)

class NbaPropsError(Exception):
    """Base class of every nbaprops error."""

class ConfigError(NbaPropsError, ValueError):
    """Invalid arguments or configuration."""

class DataError(NbaPropsError, ValueError):
    """Malformed input data (file, row, field, date named)."""

class PreflightError(NbaPropsError, RuntimeError):
    """Pre-flight found missing upstream data."""

class StorageError(NbaPropsError, OSError):
    """Warehouse storage failure."""

class WarehouseBusyError(StorageError):
    """Another run is writing the same tables of the warehouse (named in the message); run again once it
    finished. A StorageError."""

class NetworkError(NbaPropsError, ConnectionError):
    """Network failure."""

class Cancelled(NbaPropsError, KeyboardInterrupt):
    """The run was interrupted."""

class InternalError(NbaPropsError, RuntimeError):
    """A broken invariant: a bug in nbaprops."""

def _raise_error(code: str, message: str) -> None:
    """Raise the error class of ``code`` (config, data, preflight, storage, network, cancelled,
    internal, busy) with ``message``; an unknown code raises ValueError. Test hook."""

# ------------------------------------------------------------------ core (bindings/bind_core.cpp)

def configure_logging(level: str = "info", file: str = "", to_stderr: bool = True) -> None:
    """Configure the native log sinks (level: debug/info/warning/error; optional file)."""

def parse_date(text: str, what: str = "date") -> int:
    """Parse YYYY-MM-DD into a day number; DataError names ``what`` and the value."""

def date_iso(days: int, /) -> str:
    """Day number to YYYY-MM-DD."""

def season_of(days: int, /) -> int:
    """NBA season (start year) of a day number."""

def player_lookup(name: str, /) -> str:
    """The legacy player_lookup key of a player name."""

def text_pool_stats() -> dict[str, int]:
    """The interned-text pool: ``pinned`` and ``cells`` entries, ``cell_bytes`` (characters of the cells, freed when
    a run ends and nothing holds them) and ``reclaims`` so far."""

def catalog() -> list[dict[str, Any]]:
    """Every declared table: {name, partition_column, key_columns, columns: [(name, type, required,
    description)], description}."""

# ------------------------------------------------------------------ warehouse (bind_warehouse.cpp)

class Warehouse:
    """A warehouse (SQLite directory). Thread-safe."""

    @property
    def uri(self) -> str: ...
    def read(
        self,
        table: str,
        start: Optional[int] = None,
        end: Optional[int] = None,
        columns: Sequence[str] = ...,
        categorical: bool = False,
    ) -> dict[str, Any]:
        """Rows whose partition date (day number) is in [start, end] as numpy columns:
        {"table", "rows", "columns", "types", "data": {name: (kind, ...)}} (see ``_frames.to_frame``)."""
    def partition_counts(self, table: str, start: Optional[int] = None, end: Optional[int] = None) -> dict[int, int]:
        """Rows per partition day number (dates without rows are absent)."""
    def partition_hashes(self, table: str, start: Optional[int] = None, end: Optional[int] = None) -> dict[int, str]:
        """Recorded content hash (16 hex) per partition day number written through this
        library; partitions without a recorded hash are absent."""
    def has_table(self, table: str) -> bool: ...
    def _inject_write_failure_after(self, rows: int, /) -> None:
        """Test hook: the next write fails after ``rows`` rows (negative disables)."""
    def _inject_write_during_read(self, sql: str, /) -> None:
        """Test hook: ``sql`` runs once, on a connection of its own to the table's file, between the first and
        the second slice of the next read of several slices (a commit between two slices' snapshots)."""

def open_warehouse(uri: str) -> Warehouse:
    """Open (creating if needed) a warehouse directory or ``sqlite:///path``."""

def sqlite_library() -> dict[str, Any]:
    """The SQLite library this process loaded: ``version``, ``source_id``, ``path``, ``built_with_nbaprops``
    (this build bundles SQLite's amalgamation) and ``bundled`` (the library in use is that one: nbaprops was
    imported before anything loaded the system's)."""

def read_only_uri(file: str) -> str:
    """The URI that opens a SQLite warehouse file for reading only (immutable=1 in a directory that
    cannot be written, else mode=ro; ``file::memory:`` for a missing file)."""

# ------------------------------------------------------------------ schedule (bind_schedule.cpp)

class Schedule:
    """The league schedule built from nba_raw.nbac_schedule."""

    def game_dates(self, start: int, end: int, /) -> list[int]: ...
    def off_days(self, start: int, end: int, /) -> list[int]: ...
    def is_bootstrap(self, day: int, /) -> bool: ...
    def season_start(self, season: int, /) -> Optional[int]: ...
    def season_end(self, season: int, /) -> Optional[int]: ...
    def seasons(self) -> list[int]: ...
    def games(self) -> list[dict[str, Any]]:
        """Every game: nba_game_id, game_id, game_date (day), season, home, away, type, status,
        home_score, away_score, is_cup, counts."""
    def __len__(self) -> int: ...

def load_schedule(warehouse: Warehouse, /) -> Schedule:
    """Build the Schedule from the warehouse's nba_raw.nbac_schedule."""

# ------------------------------------------------------------------ processors (bind_processors.cpp)

def processors() -> list[dict[str, Any]]:
    """Registered processors in dependency order: name, code, phase, output_table, entity, reads
    [(table, window, n, required)], bootstrap, legacy_job, description."""

def set_xgboost_model(path: Optional[str], model_id: str = "") -> None:
    """Load the XGBoost model the predictions processor evaluates (None disables the system)."""

def load_xgboost_model_async(path: str, model_id: str) -> None:
    """Start loading the XGBoost model on a thread of the core's own; the first predictions unit waits for
    it (and fails with the load's error, naming the file)."""

def xgboost_model_id() -> str:
    """Id of the configured XGBoost model ('' when none; a model still loading counts)."""

# ------------------------------------------------------------------ pipeline (bind_pipeline.cpp)

class NativePlan:
    """Units (processor, date) of a backfill."""

    def processors(self) -> list[str]: ...
    def dates(self) -> list[int]: ...
    def size(self) -> int: ...
    def all_skipped_no_games(self) -> bool:
        """Whether every unit is planned skipped_no_games (an empty plan included)."""
    def units(self) -> list[dict[str, Any]]:
        """{processor, date (day), planned, reason} per unit."""
    def to_text(self) -> str: ...

def make_plan(
    warehouse: Warehouse,
    schedule: Schedule,
    start: Optional[int],
    end: Optional[int],
    dates: Sequence[int],
    processors: Sequence[str],
    /,
) -> NativePlan:
    """Plan [start, end] (or explicit dates) for a processor selection; ConfigError when end < start."""

class NativePreflightReport:
    def ok(self) -> bool: ...
    def to_text(self) -> str: ...
    def cells(self) -> list[tuple[str, int, str, int, int]]:
        """(table, day, status, expected, found) per upstream table and date."""

def preflight(warehouse: Warehouse, schedule: Schedule, plan: NativePlan, /) -> NativePreflightReport:
    """Check, before any write, the upstream rows the plan reads."""

class NativeRunResult:
    cancelled: bool
    seconds: float
    def exit_code(self) -> int: ...
    def summary_text(self) -> str: ...
    def warnings(self) -> list[str]:
        """The run's warnings (a checkpoint set aside, units whose run-ledger rows were lost …)."""
    def units(self) -> list[dict[str, Any]]:
        """{processor, date, status, rows, entities, attempts, seconds, reason, start_seq, end_seq}."""

class RunHandle:
    """A run executing in its own thread; poll its events from Python."""

    def poll(self, timeout: float, /) -> list[dict[str, Any]]:
        """Unit events ({processor, date, status, rows, seconds, reason, entities}) within ``timeout``
        seconds (the GIL is released while waiting)."""
    def done(self) -> bool: ...
    def cancel(self) -> None:
        """Start nothing new; running units finish and commit."""
    def wait(self) -> NativeRunResult: ...

class RunOptions:
    """Options of one backfill run (pipeline::RunOptions)."""

    workers: int
    stop_on_failure: bool
    resume: bool
    max_retries: int
    retry_base_seconds: float
    checkpoint_dir: str
    run_id: str
    write_ledger: bool
    cache_reads: bool
    def __init__(self, options: dict[str, Any] = ...) -> None:
        """Defaults, or the fields of a dict (an unknown key or a wrong type raises ConfigError)."""

def start_run(
    warehouse: Warehouse, schedule: Schedule, plan: NativePlan, options: Union[RunOptions, dict[str, Any]]
) -> RunHandle:
    """Start a run in its own thread; ``options`` is a RunOptions or a dict of its fields."""

def require_writable(warehouse: Warehouse) -> None:
    """Raise ConfigError naming the warehouse when a backfill could not write it (read-only)."""

def checkpoint_status(checkpoint_dir: str, job: str, start: int, end: int, /) -> str:
    """The legacy checkpoint status box of (job, start, end)."""

def checkpoint_reset(checkpoint_dir: str, job: str, start: int, end: int, /) -> bool:
    """Delete the checkpoint of (job, start, end); True if one existed."""

class NativeCoverageReport:
    def to_text(self) -> str: ...
    def cells(self) -> list[tuple[str, int, str, int, int, str]]:
        """(table, day, status, expected, found, reason) per table and game date."""

def coverage(
    warehouse: Warehouse, schedule: Schedule, start: int, end: int, tables: Sequence[str], /
) -> NativeCoverageReport:
    """Tables × game dates of [start, end] against the schedule."""

class NativeFreshnessReport:
    def to_text(self) -> str: ...
    def units(self) -> list[tuple[str, int, str, str, int, str]]:
        """(processor, day, state, reason, rows, committed_at) per unit, in plan order."""

def freshness(warehouse: Warehouse, schedule: Schedule, plan: NativePlan, /) -> NativeFreshnessReport:
    """Check-only resume: up_to_date / stale / missing / failed / skipped per unit; reads only."""

# ------------------------------------------------------------------ raw data (bind_data.cpp)

def generate_demo(
    warehouse: Warehouse, seasons: Sequence[int], seed: int = 7, teams: Sequence[str] = ...
) -> dict[str, Any]:
    """Generate the demo league's raw tables (only the games between ``teams`` when given);
    {seasons, games, rows: {table: n}}."""

def import_schedule(warehouse: Warehouse, path: str, on_richer: str = "refuse") -> dict[str, Any]:
    """NBA.com schedule JSON → nba_raw.nbac_schedule; {"rows": {table: n}, "warnings": [text]}.
    ``on_richer``: refuse | replace | keep (rows already holding richer data)."""

def import_shot_chart(warehouse: Warehouse, path: str, on_richer: str = "refuse") -> dict[str, Any]: ...
def import_bdl(warehouse: Warehouse, path: str, on_richer: str = "refuse") -> dict[str, Any]: ...

# ------------------------------------------------------------------ exports (bind_exports.cpp)

def export_types() -> list[str]: ...
def export_parse_types(names: Sequence[str]) -> list[str]:
    """Validate ``--only`` names (groups expand); ConfigError for unknown names."""

def export_build(
    warehouse: Warehouse,
    type: str,
    day: int,
    generated_at: str = "",
    top_n: int = 15,
    live_file: str = "",
    min_games: int = 5,
) -> str:
    """One payload as JSON text ({path: payload} for tonight-players and players)."""

def export_write(
    warehouse: Warehouse,
    days: Sequence[int],
    out_dir: str,
    types: Sequence[str] = ...,
    generated_at: str = "",
    workers: int = 2,
    live_file: str = "",
    players: bool = False,
    min_games: int = 5,
) -> dict[str, Any]:
    """Write the files of ``days`` (``players``: the player profiles instead of ``types``);
    {dates, type_status, files, generated_at, seconds, exit_code}."""

def export_calendar_days(start: int, end: int) -> list[int]: ...
def export_graded_dates(warehouse: Warehouse) -> list[int]: ...

# ------------------------------------------------------------------ models (bind_models.cpp)

class XGBoostModel:
    """A gradient-boosted regression tree ensemble read from XGBoost's native JSON."""

    @staticmethod
    def load(path: str) -> "XGBoostModel":
        """Load a .json or .json.gz model file (DataError names the file and field)."""
    @property
    def feature_names(self) -> list[str]: ...
    @property
    def num_features(self) -> int: ...
    @property
    def num_trees(self) -> int: ...
    @property
    def best_iteration(self) -> int: ...
    @property
    def default_tree_limit(self) -> int: ...
    @property
    def base_score(self) -> float: ...
    def predict_batch(self, rows: npt.ArrayLike, tree_limit: int = 0) -> npt.NDArray[np.float64]:
        """Predict rows (n_rows × num_features, float32, NaN = missing) with the first tree_limit trees."""
    def feature_index(self, name: str) -> int:
        """Column of a feature name, or -1."""

# ------------------------------------------------------------------ transfer (bind_transfer.cpp)

def copy_partitions(
    source: Warehouse,
    destination: Warehouse,
    tables: Sequence[str],
    start: Optional[int] = None,
    end: Optional[int] = None,
    dates_per_batch: int = 31,
) -> list[dict[str, Any]]:
    """Copy the source's partitions of ``tables`` in [start, end]; [{table, partitions, rows}]."""

def import_newest_schedule(warehouse: Warehouse, uri: str, /) -> tuple[dict[str, int], str]:
    """Import the newest schedule JSON under a store URI; (rows per table, file used)."""

def object_list(uri: str, prefix: str, /) -> list[tuple[str, int, str]]:
    """(path, size, updated) of the objects under ``uri`` whose path starts with ``prefix``."""

def object_read(uri: str, path: str, /) -> bytes:
    """The bytes of one object (no decompression)."""

def object_write(uri: str, path: str, data: str | bytes, content_type: str, cache_control: str, /) -> None:
    """Write one object (GCS: one multipart upload with its Content-Type and Cache-Control)."""

def bigquery_request_count(warehouse: Warehouse, /) -> int:
    """HTTP requests a BigQuery warehouse has sent (retries included, token requests excluded)."""

def bigquery_inject_write_failure(warehouse: Warehouse, /) -> None:
    """Test hook: the next write_batch's transaction fails after its DELETE statements."""

def bigquery_dataset(warehouse: Warehouse, table: str, /) -> str:
    """The BigQuery dataset holding ``table`` (prefix + dataset + suffix)."""

# ------------------------------------------------------------------ raw imports (bind_raw.cpp)

def raw_sources() -> list[dict[str, Any]]:
    """The legacy raw sources: {kind, table, legacy_processor, job, prefixes, compact_date, replace_key,
    selection} per kind."""

def import_raw(
    warehouse: Warehouse,
    kind: str,
    source: str,
    schedule: Optional[Schedule],
    dates: Sequence[int],
    dry_run: bool = False,
    all_snapshots: bool = False,
    write_ledger: bool = True,
    run_id: str = "",
    team_filter: Sequence[str] = ...,
) -> dict[str, Any]:
    """Import the legacy raw files of ``kind`` from ``source`` (a directory or gs:// store) for ``dates``;
    {kind, table, run_id, dry_run, rows, seconds, files, rows_by_date, dates}."""
