#pragma once
/// @file transfer.hpp
/// Moving data between warehouses (`nbaprops copy`). Importing from an object
/// store is the importers' (importers.hpp: import_newest_schedule).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops {

/// What copy_partitions did for one table.
struct CopyReport {
  std::string table;
  int64_t partitions = 0;  ///< dates replaced in the destination
  int64_t rows = 0;        ///< rows written
};

/// Copies the partitions of @p tables within @p range from @p from into @p to.
/// Each table is one bulk read and one write_batch of at most @p
/// dates_per_batch dates (each batch, and so each partition, replaced
/// atomically). Only dates the source has rows for are replaced; the
/// destination's other partitions stay.
/// @param range nullopt copies every date. @throws ConfigError (unknown table),
/// StorageError, NetworkError, DataError. Thread-safety: as the warehouses'.
std::vector<CopyReport> copy_partitions(Warehouse& from, Warehouse& to, const std::vector<std::string>& tables,
                                        std::optional<DateRange> range, size_t dates_per_batch = 31);

}  // namespace nbaprops
