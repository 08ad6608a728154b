#pragma once
/// @file schema.hpp
/// Table schemas, declared once (generated from the legacy BigQuery DDL
/// catalogue plus the tables nbaprops owns) and used for DDL, loaders, writers
/// and BigQuery schemas alike.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nbaprops/core/column_id.hpp"

namespace nbaprops {

/// Logical column type (BigQuery standard names).
enum class ColumnType { kString, kInt64, kFloat64, kNumeric, kBool, kDate, kTimestamp, kJson, kArray };

/// Physical storage of a column in memory: integers (INT64, BOOL, DATE as day
/// number), reals (FLOAT64, NUMERIC) or text (STRING, TIMESTAMP, JSON,
/// ARRAY<STRING> as JSON text).
enum class Storage { kInt, kReal, kText };

/// @return the storage class of a logical type.
Storage storage_of(ColumnType t) noexcept;
/// @return the BigQuery type name ("INT64", "NUMERIC(5,1)" needs the scale
/// separately).
const char* type_name(ColumnType t) noexcept;

/// One column of a table schema.
struct ColumnDef {
  std::string name;
  ColumnType type = ColumnType::kString;
  bool required = false;  ///< NOT NULL in the legacy DDL
  int precision = 0;      ///< NUMERIC(p,s): p (0 when not NUMERIC)
  int scale = 0;          ///< NUMERIC(p,s): s
  std::string description;
};

/// A table: `dataset.table` name, columns in DDL order, partition date column
/// and key.
struct TableSchema {
  std::string name;                      ///< qualified, e.g. "nba_analytics.team_offense_game_summary"
  std::string partition_column;          ///< DATE column the table is partitioned on
  std::vector<std::string> key_columns;  ///< the grain (not enforced, used for checks)
  std::vector<ColumnDef> columns;
  std::string description;
  /// Position in catalog::all(), which ColumnIds name (cols::<table>::kTable).
  int catalog_index = -1;

  /// Hash for name lookups by std::string or std::string_view without a
  /// temporary string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  /// Column name → index; filled by the catalog (and by build_index()); empty
  /// means linear search.
  std::unordered_map<std::string, int, NameHash, std::equal_to<>> by_name;
  /// Fills by_name from columns (call once after the columns are final).
  void build_index();

  /// @return "nba_analytics" of "nba_analytics.x".
  [[nodiscard]] std::string dataset() const;
  /// @return "x" of "nba_analytics.x".
  [[nodiscard]] std::string table() const;
  /// @return the index of @p column or -1.
  [[nodiscard]] int index_of(std::string_view column) const noexcept;
  /// @return the index of @p column. @throws ConfigError naming the table when
  /// absent.
  [[nodiscard]] int require(std::string_view column) const;
  /// @return the column definition. @throws ConfigError when absent.
  [[nodiscard]] const ColumnDef& column(std::string_view column) const;
};

namespace catalog {
/// @return every declared table (legacy tables first, then nbaprops-owned
/// ones). Thread-safe.
const std::vector<TableSchema>& all();
/// @return the schema of a qualified table name. @throws ConfigError listing
/// close names.
const TableSchema& get(std::string_view qualified_name);
/// @return true when the table is declared.
bool has(std::string_view qualified_name) noexcept;
/// @return the definition of catalogue column @p id (its name, for messages).
const ColumnDef& column(ColumnId id);
}  // namespace catalog

}  // namespace nbaprops
