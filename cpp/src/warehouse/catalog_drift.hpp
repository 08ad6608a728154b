#pragma once
/// @file catalog_drift.hpp
/// How a stored table is held against the catalog before a write, the same on
/// every backend: a catalog column the table lacks is added by the backend; a
/// stored column of another type, or one the catalog does not know, refuses
/// the write.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "nbaprops/core/schema.hpp"

namespace nbaprops::warehouse_detail {

/// The catalog columns of @p schema that the stored table lacks, in catalog
/// order.
/// @param stored the stored table's columns: name → type, in the backend's
///   words (an empty type reads "no type").
/// @param type_of a catalog column's type in the same words.
/// @param where the table as the errors name it.
/// @throws StorageError for a stored column of another type, or one the
///   catalog does not know (written by another version of nbaprops or by
///   hand): nothing was written.
std::vector<const ColumnDef*> catalog_columns_missing(const TableSchema& schema,
                                                      std::map<std::string, std::string> stored,
                                                      const std::function<std::string(const ColumnDef&)>& type_of,
                                                      const std::string& where);

/// "a, b": the names of @p columns.
std::string column_names(const std::vector<const ColumnDef*>& columns);

/// Logs that @p where lacked @p added, which were added (ALTER TABLE … ADD
/// COLUMN). It logs at every call: the callers add a table's columns once per
/// table and process, so the warning comes once.
void log_columns_added(const std::string& where, const std::vector<const ColumnDef*>& added);

}  // namespace nbaprops::warehouse_detail
