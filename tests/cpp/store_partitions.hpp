#pragma once
// Test helper: write a fixture table to a warehouse, partition by partition.

#include <set>
#include <vector>

#include "nbaprops/core/table.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::testing {

/// Replaces, in @p wh, every partition of @p t (dates from its partition
/// column) with @p t's rows.
inline void store_partitions(Warehouse& wh, const Table& t) {
  std::set<Date> dates;
  const char* date_col = t.schema().partition_column.c_str();
  for (size_t r = 0; r < t.num_rows(); ++r) dates.insert(*t.get_date(r, date_col));
  wh.replace_partitions(t.schema(), std::vector<Date>(dates.begin(), dates.end()), t);
}

}  // namespace nbaprops::testing
