"""Read-only SQL over a warehouse, with every dataset attached under its legacy name.

``nbaprops.query(wh, "SELECT ... FROM nba_analytics.player_game_summary WHERE game_date = ?", [d])``
runs on a separate, read-only SQLite connection: each ``<dataset>.sqlite`` file of the warehouse is
attached read-only as ``<dataset>``, ``PRAGMA query_only`` is on, and an authorizer refuses every
statement that would change anything (so the refusal names what was attempted). Queries pasted from
the legacy BigQuery code keep working where SQLite understands them: a backquoted
`` `project.dataset.table` `` becomes ``dataset.table``, and ``@name`` parameters bind from a dict.
"""

from __future__ import annotations

import datetime as _dt
import re
import sqlite3
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import pandas as pd

from .. import _core
from ..errors import ConfigError, StorageError
from ._handle import engine_of
from .warehouse import Warehouse

Params = Union[Sequence[Any], Mapping[str, Any], None]

# Authorizer actions a read-only query may use (sqlite3 module constants).
_ALLOWED = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),
}
# The authorizer action codes of sqlite3.h and the name a refusal gives each ("create table"). Only these:
# the module's result codes (SQLITE_INTERRUPT, SQLITE_TOOBIG …) reuse the same small integers.
_AUTHORIZER_ACTIONS = (
    "CREATE_INDEX",
    "CREATE_TABLE",
    "CREATE_TEMP_INDEX",
    "CREATE_TEMP_TABLE",
    "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW",
    "CREATE_TRIGGER",
    "CREATE_VIEW",
    "DELETE",
    "DROP_INDEX",
    "DROP_TABLE",
    "DROP_TEMP_INDEX",
    "DROP_TEMP_TABLE",
    "DROP_TEMP_TRIGGER",
    "DROP_TEMP_VIEW",
    "DROP_TRIGGER",
    "DROP_VIEW",
    "INSERT",
    "PRAGMA",
    "READ",
    "SELECT",
    "TRANSACTION",
    "UPDATE",
    "ATTACH",
    "DETACH",
    "ALTER_TABLE",
    "REINDEX",
    "ANALYZE",
    "CREATE_VTABLE",
    "DROP_VTABLE",
    "FUNCTION",
    "SAVEPOINT",
    "RECURSIVE",
)
_ACTION_NAMES = {
    getattr(sqlite3, "SQLITE_" + n): n.lower().replace("_", " ")
    for n in _AUTHORIZER_ACTIONS
    if hasattr(sqlite3, "SQLITE_" + n)
}
# The schema-table writes a CREATE or DROP is checked for before its own action.
_SCHEMA_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})
_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"})
# PRAGMAs that only report (allowed without an argument).
_READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "database_list",
        "index_list",
        "index_info",
        "foreign_key_list",
        "query_only",
        "user_version",
        "schema_version",
        "compile_options",
        "collation_list",
        "function_list",
    }
)
_BACKQUOTED = re.compile(r"`([A-Za-z0-9_\-]+\.)?([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)`")
_DATE_COLUMNS: Optional[frozenset[str]] = None


def _date_columns() -> frozenset[str]:
    """Names declared DATE in some catalogued table (their query results become datetime64)."""
    global _DATE_COLUMNS
    if _DATE_COLUMNS is None:
        _DATE_COLUMNS = frozenset(name for t in _core.catalog() for name, typ, *_ in t["columns"] if typ == "DATE")
    return _DATE_COLUMNS


def legacy_sql(sql: str) -> str:
    """Rewrite BigQuery-style backquoted names: `` `project.dataset.table` `` → ``dataset.table``.

    Parameters
    ----------
    sql : str
        A statement, possibly pasted from the legacy code.

    Returns
    -------
    str
        The statement with every backquoted two- or three-part name replaced by ``dataset.table``.
    """
    return _BACKQUOTED.sub(lambda m: f"{m.group(2)}.{m.group(3)}", sql)


def datasets(wh: Warehouse) -> list[str]:
    """The datasets of a SQLite warehouse (``nba_raw``, ``nba_analytics`` …), as attached by :func:`query`.

    Parameters
    ----------
    wh : Warehouse
        An open warehouse.

    Returns
    -------
    list of str
        Dataset names, sorted; one per ``<dataset>.sqlite`` file in the warehouse directory.

    Raises
    ------
    ConfigError
        When the warehouse is not a SQLite directory.
    """
    root = Path(engine_of(wh).uri)
    if not root.is_dir():
        raise ConfigError(f"query needs a SQLite warehouse directory; {wh.uri!r} is not one")
    known = {t["name"].split(".")[0] for t in _core.catalog()}
    return sorted(p.stem for p in root.glob("*.sqlite") if p.stem in known)


def _bindable(value: Any) -> Any:
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        value = pd.Timestamp(value)
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return value.item()
    return value


def _bind(params: Params) -> Any:
    if params is None:
        return ()
    if isinstance(params, Mapping):
        return {str(k).lstrip("@:$"): _bindable(v) for k, v in params.items()}
    if isinstance(params, (str, bytes)):
        raise ConfigError("query params must be a sequence or a mapping, not a string")
    return [_bindable(v) for v in params]


def _connect(wh: Warehouse) -> tuple[sqlite3.Connection, list[str]]:
    """The read-only connection and the list the authorizer appends refused actions to."""
    names = datasets(wh)
    con = sqlite3.connect("file::memory:", uri=True, check_same_thread=False)
    try:
        for name in names:
            # The warehouse's own rule (immutable in a directory that cannot be written, where mode=ro
            # cannot open a WAL file without its -shm index), as nbaprops.read opens the files.
            uri = _core.read_only_uri(str(Path(wh.uri, f"{name}.sqlite").resolve()))
            con.execute("ATTACH DATABASE ? AS " + '"' + name.replace('"', '""') + '"', (uri,))
        con.execute("PRAGMA query_only = ON")
    except sqlite3.Error as e:
        con.close()
        raise StorageError(f"query: cannot attach the datasets of {wh.uri}: {e}") from e
    attempted: list[str] = []

    def authorize(
        action: int, arg1: Optional[str], arg2: Optional[str], db: Optional[str], trigger: Optional[str]
    ) -> int:
        if action in _ALLOWED or (
            action == sqlite3.SQLITE_PRAGMA and arg2 is None and (arg1 or "").lower() in _READ_PRAGMAS
        ):
            return sqlite3.SQLITE_OK
        if action in _SCHEMA_WRITES and (arg1 or "").lower() in _SCHEMA_TABLES:
            # CREATE and DROP first ask to write the schema table, then for the statement's own action:
            # that one is refused (and named) next. The schema table itself cannot be written from SQL.
            return sqlite3.SQLITE_OK
        what = _ACTION_NAMES.get(action, f"action {action}")
        if action == sqlite3.SQLITE_ALTER_TABLE:  # (database, table) rather than (table, …, database)
            db, arg1 = arg1, arg2
        target = ".".join(x for x in (db, arg1) if x and x != "main") or (arg1 or "")
        attempted.append(f"{what} {target}".strip())
        return sqlite3.SQLITE_DENY

    con.set_authorizer(authorize)
    return con, attempted


def connect(wh: Warehouse) -> sqlite3.Connection:
    """A read-only SQLite connection with every dataset of ``wh`` attached under its name.

    Parameters
    ----------
    wh : Warehouse
        An open SQLite warehouse.

    Returns
    -------
    sqlite3.Connection
        ``PRAGMA query_only`` is on and an authorizer refuses any statement that is not a read
        (sqlite3.DatabaseError "not authorized"); close it when done
        (``with contextlib.closing(connect(wh)) as con``).

    Raises
    ------
    ConfigError
        When the warehouse is not a SQLite directory.
    StorageError
        When a dataset file cannot be attached.
    """
    return _connect(wh)[0]


def query(wh: Warehouse, sql: str, params: Params = None) -> pd.DataFrame:
    """Run one read-only SQL statement over the warehouse and return its rows as a DataFrame.

    Parameters
    ----------
    wh : Warehouse
        An open SQLite warehouse; every dataset is attached under its legacy name, so tables read
        as ``nba_analytics.player_game_summary``.
    sql : str
        One ``SELECT`` (or ``WITH … SELECT``) statement. Backquoted BigQuery names
        (`` `nba-props-platform.nba_analytics.player_game_summary` ``) are accepted.
    params : sequence or mapping, optional
        Values bound to ``?`` placeholders (a sequence) or to ``:name`` / ``@name`` (a mapping).
        Dates and timestamps bind as ISO text, as the warehouse stores them.

    Returns
    -------
    pandas.DataFrame
        One column per result column. Columns named like a catalogued DATE column (``game_date`` …)
        whose values are all ISO dates come back as ``datetime64[ns]``.

    Raises
    ------
    ConfigError
        For a statement that would write (INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH, PRAGMA
        writes …: the message names what was attempted), for SQL that SQLite rejects (the message
        quotes SQLite's), and for params of the wrong shape.
    StorageError
        When a dataset file cannot be opened.

    Examples
    --------
    >>> nbaprops.query(wh, "SELECT team_abbr, AVG(pace) AS pace "
    ...                "FROM nba_analytics.team_offense_game_summary "
    ...                "WHERE game_date BETWEEN ? AND ? GROUP BY team_abbr", ["2023-11-01", "2023-11-30"])
    """
    if not isinstance(sql, str) or not sql.strip():
        raise ConfigError("query needs one SQL statement (a non-empty string)")
    statement = legacy_sql(sql)
    bound = _bind(params)
    con, attempted = _connect(wh)
    try:
        try:
            cur = con.execute(statement, bound)
            rows = cur.fetchall()
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError) as e:  # DatabaseError subclasses
            raise ConfigError(f"query: {e} in: {sql.strip()[:200]}") from None
        except sqlite3.DatabaseError as e:
            if attempted:
                raise ConfigError(
                    f"query is read-only: refused {', '.join(dict.fromkeys(attempted))} in: {sql.strip()[:200]}"
                ) from None
            if any(w in str(e) for w in ("readonly", "read-only", "may not be modified")):
                raise ConfigError(f"query is read-only: {e} in: {sql.strip()[:200]}") from None
            raise ConfigError(
                f"query failed: {e} in: {sql.strip()[:200]} (datasets: {', '.join(datasets(wh))})"
            ) from None
        columns = [d[0] for d in cur.description] if cur.description else []
    finally:
        con.close()
    frame = pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)
    dates = _date_columns()
    for i, name in enumerate(columns):
        col = frame.iloc[:, i]
        if name in dates and (col.dtype == object or pd.api.types.is_string_dtype(col)):
            parsed = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
            if parsed.notna().sum() == col.notna().sum():
                frame.isetitem(i, parsed.astype("datetime64[ns]"))
    return frame
