#pragma once
/// @file column_id.hpp
/// A catalogue column named at compile time: the generated
/// catalog_columns.hpp declares one ColumnId per column of every table
/// (cols::<table>::<column>), so code that writes or reads a catalogue table
/// names its columns without a lookup, and a misspelt name does not compile.

#include <cstdint>

namespace nbaprops {

/// A column of a catalogue table: the table's position in catalog::all() and
/// the column's position in its schema. Table::col(ColumnId) checks that the
/// table is that catalogue table's (or a projection of it) and maps the
/// position to its own.
struct ColumnId {
  uint16_t table;
  uint16_t index;
};

}  // namespace nbaprops
