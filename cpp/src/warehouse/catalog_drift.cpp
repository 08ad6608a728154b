#include "warehouse/catalog_drift.hpp"

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"

namespace nbaprops::warehouse_detail {

std::vector<const ColumnDef*> catalog_columns_missing(const TableSchema& schema,
                                                      std::map<std::string, std::string> stored,
                                                      const std::function<std::string(const ColumnDef&)>& type_of,
                                                      const std::string& where) {
  std::vector<const ColumnDef*> missing;
  for (const ColumnDef& col : schema.columns) {
    const auto it = stored.find(col.name);
    if (it == stored.end()) {
      missing.push_back(&col);
      continue;
    }
    if (const std::string declared = type_of(col); it->second != declared) {
      throw StorageError(where + " stores column " + col.name + " as " + (it->second.empty() ? "no type" : it->second) +
                         ", the catalog declares " + declared +
                         ": written by another version of nbaprops or by hand; nothing was written");
    }
    stored.erase(it);
  }
  if (!stored.empty()) {
    throw StorageError(where + " has column " + stored.begin()->first + " (" + stored.begin()->second +
                       "), which the catalog does not know: written by another version of nbaprops or by hand; "
                       "nothing was written");
  }
  return missing;
}

std::string column_names(const std::vector<const ColumnDef*>& columns) {
  std::string names;
  for (const ColumnDef* col : columns) names += (names.empty() ? "" : ", ") + col->name;
  return names;
}

void log_columns_added(const std::string& where, const std::vector<const ColumnDef*>& added) {
  NBAPROPS_LOG_WARN << where << " was written before its column(s) " << column_names(added)
                    << " joined the catalog: added (ALTER TABLE … ADD COLUMN); its stored rows read NULL there "
                       "until rewritten";
}

}  // namespace nbaprops::warehouse_detail
