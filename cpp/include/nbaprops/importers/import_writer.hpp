#pragma once
/// @file import_writer.hpp
/// Writing one import into the warehouse: every table it touches in ONE
/// all-or-nothing transaction (Warehouse::write_batch), replacing only what the
/// file covers (the stored rows whose key — usually game_id — a written row
/// has), and never silently erasing fields that the stored rows of the same
/// games carry and the file does not (a shot chart, which has no points or
/// minutes, over gamebook lines that have them). Reused by every raw importer:
///
/// ```cpp
/// ImportReport rep = write_import(wh, "gamebook.json", {
///     {&lines, {"game_id"}, {"points", "minutes"}},   // guard points and
///     minutes
///     {&teams, {"game_id"}, {}}}, opts);
/// ```
/// Thread-safe as the Warehouse is; the check of the stored rows reads before
/// the write transaction starts, so two imports of the same games running at
/// once are not serialised.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nbaprops/core/table.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::importers {

/// What an import does with stored rows of the games it covers that carry
/// guarded fields its own rows of those games leave NULL.
enum class OnRicher {
  kRefuse,   ///< default: write nothing; the error names the table, games and
             ///< fields, and the flags
  kReplace,  ///< `--replace`: overwrite them anyway (the stored fields are lost;
             ///< a warning says so)
  kKeep,     ///< `--keep-existing`: keep those games' stored rows, import
             ///< everything else
};

/// @return the OnRicher of "refuse" | "replace" | "keep". @throws ConfigError
/// otherwise.
OnRicher parse_on_richer(std::string_view name);

/// Options common to every import.
struct ImportOptions {
  OnRicher on_richer = OnRicher::kRefuse;
};

/// One table of an import.
struct ImportTable {
  const Table* rows = nullptr;           ///< rows to write (catalog schema)
  std::vector<std::string> replace_key;  ///< stored rows of the same date and key are replaced
  /// Fields a stored row must not lose: when a stored row of a covered key has
  /// one non-NULL and no written row of that key has it, OnRicher decides.
  std::vector<std::string> guarded;
  /// Stored rows with a written row's key always win and those written rows are
  /// dropped (for inferred rows, e.g. schedule games deduced from shots, that
  /// must never replace real ones).
  bool keep_stored = false;
  /// When set (e.g. "game_id" of the schedule keyed by game_code): a column
  /// that identifies a row on its own. A stored row of any date with a written
  /// row's value there but another replace key (a game re-dated, or home and
  /// away swapped) is deleted in the same transaction, so two rows never
  /// share the value.
  std::string unique_column;
};

/// What an import did.
struct ImportReport {
  std::map<std::string, int64_t> rows;  ///< rows written per table (every table of the import)
  std::vector<std::string> warnings;    ///< data-quality notes for the user (also logged)
};

/// Writes @p tables in one transaction. Rows of an empty import write nothing
/// and add a warning.
/// @param source the file name used in messages. @return rows per table and
/// warnings.
/// @throws DataError when guarded fields would be lost and @p opt says kRefuse
/// (nothing written; the message says how to force it), StorageError (naming
/// the table and step) on I/O failure.
ImportReport write_import(Warehouse& wh, std::string_view source, const std::vector<ImportTable>& tables,
                          const ImportOptions& opt = {});

}  // namespace nbaprops::importers
