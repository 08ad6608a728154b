#include "nbaprops/core/schema.hpp"

#include <array>
#include <cstdint>
#include <iterator>
#include <span>

#include "nbaprops/core/error.hpp"

namespace nbaprops {

Storage storage_of(ColumnType t) noexcept {
  switch (t) {
    case ColumnType::kInt64:
    case ColumnType::kBool:
    case ColumnType::kDate:
      return Storage::kInt;
    case ColumnType::kFloat64:
    case ColumnType::kNumeric:
      return Storage::kReal;
    default:
      return Storage::kText;
  }
}

const char* type_name(ColumnType t) noexcept {
  switch (t) {
    case ColumnType::kString:
      return "STRING";
    case ColumnType::kInt64:
      return "INT64";
    case ColumnType::kFloat64:
      return "FLOAT64";
    case ColumnType::kNumeric:
      return "NUMERIC";
    case ColumnType::kBool:
      return "BOOL";
    case ColumnType::kDate:
      return "DATE";
    case ColumnType::kTimestamp:
      return "TIMESTAMP";
    case ColumnType::kJson:
      return "JSON";
    case ColumnType::kArray:
      return "ARRAY";
  }
  return "STRING";
}

std::string TableSchema::dataset() const { return name.substr(0, name.find('.')); }
std::string TableSchema::table() const { return name.substr(name.find('.') + 1); }

void TableSchema::build_index() {
  by_name.clear();
  for (size_t i = 0; i < columns.size(); ++i) by_name.emplace(columns[i].name, static_cast<int>(i));
}

int TableSchema::index_of(std::string_view column) const noexcept {
  if (!by_name.empty()) {
    // Hot loops look columns up by literal names: a per-thread memo keyed by
    // (schema, name address) gives a candidate index, confirmed by comparing
    // the name itself (so a reused address can never return another column).
    struct Slot {
      const TableSchema* schema = nullptr;
      const char* name = nullptr;
      int idx = -1;
    };
    thread_local std::array<Slot, 1024> memo{};
    const auto a = reinterpret_cast<uintptr_t>(column.data()), b = reinterpret_cast<uintptr_t>(this);
    Slot& slot = memo[((a >> 3) ^ (a >> 13) ^ (b >> 5)) & (memo.size() - 1)];
    if (slot.schema == this && slot.name == column.data() && columns[static_cast<size_t>(slot.idx)].name == column) {
      return slot.idx;
    }
    auto it = by_name.find(column);
    if (it == by_name.end()) return -1;
    slot = Slot{this, column.data(), it->second};
    return it->second;
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

int TableSchema::require(std::string_view column) const {
  int i = index_of(column);
  if (i < 0) throw ConfigError("table " + name + " has no column '" + std::string(column) + "'");
  return i;
}

const ColumnDef& TableSchema::column(std::string_view c) const { return columns[require(c)]; }

namespace catalog {
namespace {

// The generated catalogue is plain constant data (literal strings, counts): see tools/gen_catalog.py.
struct CatalogColumn {
  const char* name;
  ColumnType type;
  bool required;
  int precision;
  int scale;
  const char* description;
};

struct CatalogTable {
  const char* name;
  const char* partition_column;
  const char* const* keys;
  size_t key_count;
  const CatalogColumn* columns;
  size_t column_count;
  const char* description;
};

#include "core/catalog_data.inc"

TableSchema schema_of(const CatalogTable& data) {
  TableSchema t;
  t.name = data.name;
  t.partition_column = data.partition_column;
  t.key_columns.assign(data.keys, data.keys + data.key_count);
  t.columns.reserve(data.column_count);
  for (const CatalogColumn& c : std::span(data.columns, data.column_count)) {
    t.columns.push_back(ColumnDef{c.name, c.type, c.required, c.precision, c.scale, c.description});
  }
  t.description = data.description;
  t.build_index();
  return t;
}

}  // namespace

const std::vector<TableSchema>& all() {
  static const std::vector<TableSchema> tables = [] {
    std::vector<TableSchema> t;
    t.reserve(std::size(kTables));
    for (const CatalogTable& data : kTables) {
      t.push_back(schema_of(data));
      t.back().catalog_index = static_cast<int>(t.size() - 1);
    }
    return t;
  }();
  return tables;
}

const ColumnDef& column(ColumnId id) {
  const auto& tables = all();
  if (id.table >= tables.size() || id.index >= tables[id.table].columns.size()) {
    std::string what = "column id (";
    what.append(std::to_string(id.table)).append(", ").append(std::to_string(id.index));
    throw InternalError(what.append(") is not in the catalogue"));
  }
  return tables[id.table].columns[id.index];
}

bool has(std::string_view qualified_name) noexcept {
  for (const auto& t : all()) {
    if (t.name == qualified_name) return true;
  }
  return false;
}

const TableSchema& get(std::string_view qualified_name) {
  for (const auto& t : all()) {
    if (t.name == qualified_name) return t;
  }
  // Accept the bare table name when it is unique.
  const TableSchema* found = nullptr;
  for (const auto& t : all()) {
    if (t.table() == qualified_name) {
      if (found) throw ConfigError("ambiguous table name '" + std::string(qualified_name) + "'");
      found = &t;
    }
  }
  if (found) return *found;
  std::string known;
  for (const auto& t : all()) known += (known.empty() ? "" : ", ") + t.name;
  throw ConfigError("unknown table '" + std::string(qualified_name) + "'; known tables: " + known);
}

}  // namespace catalog
}  // namespace nbaprops
