"""Shared helpers of the BigQuery/GCS tests: emulator availability, warehouse URIs, content hashes."""

from __future__ import annotations

import hashlib
import json
import importlib.util
import itertools

import pandas as pd
import pytest

from conftest import RUN_STAMPS

PROJECT = "nbaprops-test"
_counter = itertools.count()


def require_package(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{package} is not installed (pip install -r requirements-dev.txt)")


def bq_uri(endpoint: str, **options) -> str:
    """A bigquery:// URI on the emulator with a fresh dataset prefix (tests never share tables)."""
    opts = {
        "endpoint": endpoint,
        "auth": "none",
        "dataset_prefix": f"t{next(_counter)}_",
        "backoff_ms": 1,
        "max_attempts": 4,
    }
    opts.update(options)
    return f"bigquery://{PROJECT}?" + "&".join(f"{k}={v}" for k, v in opts.items() if v is not None)


def canonical(df: pd.DataFrame, timestamp_columns: set[str], json_columns: set[str] = frozenset()) -> pd.DataFrame:
    """Rows sorted; run stamps dropped, with the source_*_last_updated columns copied from them;
    TIMESTAMP text as UTC instants and JSON text as sorted compact JSON (BigQuery stores values, not
    text: '2023-10-02T19:00:00' and '2023-10-02T19:00:00Z' are one instant, '{"a": 1}' and
    '{"a":1}' one JSON value)."""
    stamps = RUN_STAMPS | {c for c in df.columns if c.startswith("source_") and c.endswith("_last_updated")}
    df = df.drop(columns=sorted(stamps & set(df.columns)))
    for c in timestamp_columns & set(df.columns):
        df[c] = pd.to_datetime(df[c], utc=True, format="ISO8601").astype("string")
    for c in json_columns & set(df.columns):
        df[c] = df[c].map(lambda v: v if v is None or v is pd.NA else json.dumps(json.loads(v), sort_keys=True))
    if len(df):
        df = df.sort_values(list(df.columns), na_position="first").reset_index(drop=True)
    return df


def content_hash(df: pd.DataFrame) -> str:
    """SHA-256 over the canonical rows (floats by repr, so any change of value changes the hash)."""
    h = hashlib.sha256(",".join(df.columns).encode())
    for row in df.itertuples(index=False):
        h.update(
            repr(
                tuple(None if v is pd.NA or v is None or (isinstance(v, float) and v != v) else v for v in row)
            ).encode()
        )
    return h.hexdigest()


def columns_of_type(type_name: str) -> dict[str, set[str]]:
    """{table: columns of that catalog type}."""
    import nbaprops

    cat = nbaprops.catalog()
    ts = cat[cat["type"] == type_name]
    return {t: set(g["column"]) for t, g in ts.groupby("table")}


def table_hashes(wh, tables, start=None, end=None) -> dict[str, tuple[int, str]]:
    """{table: (rows, content hash)} of the given tables."""
    import nbaprops

    ts, js = columns_of_type("TIMESTAMP"), columns_of_type("JSON")
    out = {}
    for t in tables:
        df = canonical(nbaprops.read(wh, t, start, end), ts.get(t, set()), js.get(t, set()))
        out[t] = (len(df), content_hash(df))
    return out
