"""Generate cpp/src/core/catalog_data.inc (the catalogue's data) and cpp/include/nbaprops/core/catalog_columns.hpp
(every column's position, as compile-time ColumnIds) from the legacy DDL catalogue and nbaprops' own tables.

Usage: python tools/gen_catalog.py [--check] [path/to/legacy-schemas.json]
The output is committed; rerun only when the catalogue changes. --check writes nothing and exits 1 when a
committed file differs from what it would write (make lint runs it; without the legacy catalogue it says so
and exits 0).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK = "--check" in sys.argv[1:]
ARGS = [a for a in sys.argv[1:] if a != "--check"]
LEGACY = Path(ARGS[0]) if ARGS else ROOT.parent / "shared" / "spec" / "legacy-schemas.json"
OWN = ROOT / "tools" / "nbaprops_tables.json"
OUT = ROOT / "cpp" / "src" / "core" / "catalog_data.inc"
COLUMNS_OUT = ROOT / "cpp" / "include" / "nbaprops" / "core" / "catalog_columns.hpp"

# Grain of each legacy table (legacy-schemas.md, "Primary grain").
KEYS = {
    "nba_analytics.player_game_summary": ["player_lookup", "game_id"],
    "nba_analytics.team_defense_game_summary": ["game_id", "defending_team_abbr"],
    "nba_analytics.team_offense_game_summary": ["game_id", "team_abbr"],
    "nba_analytics.upcoming_player_game_context": ["player_lookup", "game_id"],
    "nba_analytics.upcoming_team_game_context": ["team_abbr", "game_id"],
    "nba_precompute.team_defense_zone_analysis": ["team_abbr", "analysis_date"],
    "nba_precompute.player_shot_zone_analysis": ["player_lookup", "analysis_date"],
    "nba_precompute.player_composite_factors": ["player_lookup", "game_date"],
    "nba_precompute.player_daily_cache": ["player_lookup", "cache_date"],
    "nba_predictions.ml_feature_store_v2": ["player_lookup", "game_date"],
    "nba_predictions.player_prop_predictions": ["game_id", "player_lookup", "system_id", "current_points_line"],
    "nba_predictions.system_daily_performance": ["game_date", "system_id"],
    "nba_predictions.prediction_accuracy": ["player_lookup", "game_id", "game_date", "system_id"],
    "nba_predictions.scoring_tier_adjustments": ["system_id", "scoring_tier", "as_of_date"],
    "nba_raw.nbac_schedule": ["game_id"],
    "nba_raw.nbac_gamebook_player_stats": ["game_id", "player_lookup"],
    "nba_raw.nbac_team_boxscore": ["game_id", "team_abbr"],
    "nba_raw.bdl_player_boxscores": ["game_id", "player_lookup"],
    "nba_raw.odds_api_player_points_props": ["game_id", "bookmaker", "player_lookup", "snapshot_timestamp"],
    "nba_raw.odds_api_game_lines": ["game_id", "snapshot_timestamp", "bookmaker_key", "market_key", "outcome_name"],
    "nba_raw.nbac_injury_report": ["report_date", "report_hour", "game_id", "player_lookup"],
    "nba_raw.bigdataball_play_by_play": ["game_id", "event_sequence"],
}

# Columns the legacy added with ALTER TABLE to the five Phase 3 tables
# (schemas/bigquery/analytics/source_coverage_quality_columns.sql), absent from the CREATE statements.
PHASE3_QUALITY = [
    ("quality_tier", "STRING", "gold|silver|bronze|poor|unusable"),
    ("quality_score", "FLOAT64", "Quality score 0-100"),
    ("quality_issues", "ARRAY<STRING>", "Quality issue codes"),
    ("data_sources", "ARRAY<STRING>", "Sources used"),
    ("quality_sample_size", "INT64", "Sample size behind the row"),
    ("quality_used_fallback", "BOOL", "A fallback source was used"),
    ("quality_reconstructed", "BOOL", "Row reconstructed from other sources"),
    ("quality_calculated_at", "TIMESTAMP", "When quality was computed"),
    ("quality_metadata", "JSON", "Quality details"),
]

# Columns the legacy code writes to Phase 5 tables whose CREATE statements lack them (added to the live
# tables by ALTER; legacy spec legacy-mlfs-phase5-6.md), appended after the DDL columns.
PHASE5_ALTER = {
    # §1.6/§1.9: the feature store writes quality_tier next to data_source.
    "nba_predictions.ml_feature_store_v2": [
        ("quality_tier", "STRING", "gold|silver|bronze|poor|unusable from feature_quality_score"),
    ],
    # §2.8/§7.1: the live table's model_version, which grading copies into prediction_accuracy.
    "nba_predictions.player_prop_predictions": [
        ("model_version", "STRING", "Version of the system or model behind the row"),
        # §5/§7.1 Phase 5C, ensemble rows only (types: the live table's, per the legacy schema checks).
        ("scoring_tier", "STRING", "STAR_30PLUS|STARTER_20_29|ROTATION_10_19|BENCH_0_9 by season average"),
        ("tier_adjustment", "FLOAT64", "Tier bias correction added, points (NULL when 0)"),
        ("adjusted_points", "FLOAT64", "predicted_points + tier_adjustment (NULL when 0)"),
    ],
}

TYPE_MAP = {
    "STRING": "kString",
    "INT64": "kInt64",
    "FLOAT64": "kFloat64",
    "BOOL": "kBool",
    "DATE": "kDate",
    "TIMESTAMP": "kTimestamp",
    "JSON": "kJson",
    "DATETIME": "kTimestamp",
}


def ctype(t: str) -> tuple[str, int, int]:
    m = re.fullmatch(r"NUMERIC(?:\((\d+),(\d+)\))?", t)
    if m:
        return "kNumeric", int(m.group(1) or 38), int(m.group(2) or 9)
    if t.startswith("ARRAY<"):
        return "kArray", 0, 0
    if t not in TYPE_MAP:
        raise SystemExit(f"unknown column type {t}")
    return TYPE_MAP[t], 0, 0


def cstr(s: str) -> str:
    return json.dumps(s, ensure_ascii=True)


def emit_table(
    index: int, name: str, partition: str, key: list[str], columns: list[tuple], desc: str
) -> tuple[str, str, list[str]]:
    """(the table's column and key arrays, its row of kTables): plain constant data, which compiles in
    a fraction of the time an initializer list of std::string-holding structs takes (schema.cpp builds
    the TableSchema objects from it once, at first use), and its column names in catalogue order."""
    cols = []
    names: dict[str, None] = {}
    for cname, ctype_s, required, cdesc in columns:
        if cname in names:
            continue
        names[cname] = None
        t, p, s = ctype(ctype_s)
        cols.append(
            f"    {{{cstr(cname)}, ColumnType::{t}, {'true' if required else 'false'}, {p}, {s}, {cstr(cdesc)}}}"
        )
    for k in key + [partition]:
        if k not in names:
            raise SystemExit(f"{name}: key/partition column {k} not declared")
    arrays = f"// {name}\nconstexpr CatalogColumn kColumns{index}[] = {{\n" + ",\n".join(cols) + "\n};\n"
    keys = f"kKeys{index}, std::size(kKeys{index})"
    if key:
        arrays += f"constexpr const char* kKeys{index}[] = {{{', '.join(cstr(k) for k in key)}}};\n"
    else:  # C++ has no empty arrays
        keys = "nullptr, 0"
    row = f"    {{{cstr(name)}, {cstr(partition)}, {keys}, kColumns{index}, std::size(kColumns{index}), {cstr(desc)}}}"
    return arrays, row, list(names)


def emit_columns(tables: list[tuple[str, list[str]]]) -> str:
    """The header of column ids: namespace cols::<table> holds one ColumnId per column, its catalogue
    position (so a processor names a column once, checked by the compiler, and looks nothing up)."""
    out = [
        "#pragma once\n",
        "// Generated by tools/gen_catalog.py from legacy-schemas.json and tools/nbaprops_tables.json.\n",
        "// Do not edit by hand. Every catalogue column as a ColumnId: cols::<table>::<column> is the column's\n",
        "// position in catalog::all()[table] (Table::col(ColumnId) maps it to the table's own projection).\n",
        "\n",
        '#include "nbaprops/core/column_id.hpp"\n',
        "\n",
        "namespace nbaprops::cols {\n",
    ]
    short = [name.split(".", 1)[1] for name, _ in tables]
    if len(set(short)) != len(short):
        raise SystemExit("two catalogue tables share a name: cols:: needs distinct table names")
    for t, ((name, cols), table) in enumerate(zip(tables, short)):
        out.append(f"\n// {name}\nnamespace {table} {{\n")
        out.append(f"inline constexpr uint16_t kTable = {t};\n")
        out += [f"inline constexpr ColumnId {c}{{kTable, {i}}};\n" for i, c in enumerate(cols)]
        out.append(f"}}  // namespace {table}\n")
    out.append("\n}  // namespace nbaprops::cols\n")
    return "".join(out)


def main() -> None:
    if CHECK and not LEGACY.exists():
        print(f"gen_catalog --check: {LEGACY} is absent; the generated catalogue files were not checked")
        return
    legacy = json.loads(LEGACY.read_text())
    own = json.loads(OWN.read_text())
    specs = []
    for name, spec in legacy.items():
        cols = [(c["name"], c["type"], c["mode"] == "REQUIRED", c.get("description", "")) for c in spec["columns"]]
        if name.startswith("nba_analytics."):
            cols += [(n, t, False, d) for n, t, d in PHASE3_QUALITY]
            cols += [
                ("is_production_ready", "BOOL", False, "Quality gate passed"),
                ("data_quality_issues", "ARRAY<STRING>", False, "Legacy alias of quality_issues"),
            ]
        cols += [(n, t, False, d) for n, t, d in PHASE5_ALTER.get(name, [])]
        specs.append((name, spec["partition_by"], KEYS[name], cols, f"legacy table {name}"))
    for name, spec in own.items():
        specs.append(
            (name, spec["partition_by"], spec["key"], [tuple(c) for c in spec["columns"]], spec["description"])
        )
    emitted = [emit_table(i, *spec) for i, spec in enumerate(specs)]
    outputs = {
        OUT: "// Generated by tools/gen_catalog.py from legacy-schemas.json and tools/nbaprops_tables.json.\n"
        "// Do not edit by hand. Included by schema.cpp, which defines CatalogColumn and CatalogTable.\n"
        + "".join(arrays for arrays, _, _ in emitted)
        + "constexpr CatalogTable kTables[] = {\n"
        + ",\n".join(row for _, row, _ in emitted)
        + "\n};\n",
        COLUMNS_OUT: emit_columns([(spec[0], names) for spec, (_, _, names) in zip(specs, emitted)]),
    }
    if CHECK:
        stale = [str(p.relative_to(ROOT)) for p, text in outputs.items() if not p.exists() or p.read_text() != text]
        if stale:
            raise SystemExit(
                f"gen_catalog --check: {', '.join(stale)} differ from the catalogue; run tools/gen_catalog.py"
            )
        print(f"gen_catalog --check: {len(outputs)} generated files up to date ({len(emitted)} tables)")
        return
    for path, text in outputs.items():
        path.write_text(text)
    print(f"wrote {OUT} and {COLUMNS_OUT} ({len(emitted)} tables)")


if __name__ == "__main__":
    main()
