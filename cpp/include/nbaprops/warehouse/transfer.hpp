#pragma once
/// @file transfer.hpp
/// Moving data between warehouses (`nbaprops copy`) and from an object store
/// into a warehouse
/// (`nbaprops import schedule gs://…`).

#include <cstdint>
#include <map>
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

/// Imports the newest NBA.com schedule JSON (`.json` or `.json.gz`; newest by
/// the store's update time, then by path) under @p uri (`gs://bucket/prefix` or
/// a directory) into nba_raw.nbac_schedule. @param source set to the URI of the
/// file imported (when not null).
/// @return rows written per table.
/// @throws StorageError when no schedule file is there, DataError on malformed
/// JSON.
std::map<std::string, int64_t> import_newest_schedule(Warehouse& wh, const std::string& uri, std::string* source);

}  // namespace nbaprops
