#pragma once
/// @file raw.hpp
/// Phase 2 from the legacy data lake: importers of the scraped files the legacy
/// raw processors read (NBA.com gamebooks, team box scores and injury reports;
/// Odds API player points props and game lines; balldontlie box scores), each
/// into its legacy `nba_raw` table with the legacy's columns and name
/// normalisation, from a single file, a local directory laid out like the
/// bucket
/// (`nba-scraped-data`) or a `gs://bucket/prefix` URL.
///
/// Trust rules, for every kind:
/// - all-or-nothing per import: every file is read, parsed and checked before
/// anything is written,
///   and the rows go to the warehouse in one Warehouse::write_batch
///   transaction;
/// - replace exactly what the files cover (the games, snapshots or reports:
/// RawSource::replace_key),
///   never whole dates, so other games of a date stay;
/// - range checks and consistency checks (made ≤ attempted, points = 2·2PM +
/// 3·3PM + FTM …);
/// - a duplicate record inside the imported files is an error, not a silent
/// overwrite;
/// - every error is a DataError naming the file, the record, the field, the
/// value and the date.
///
/// Where the legacy processors had bugs (spec "legacy-raw-formats.md"), the fix
/// is noted on the exact line in the sources and in docs/raw-importers.md.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::importers {

/// One importable source kind (a legacy raw processor and its lake folder).
struct RawSource {
  std::string kind;              ///< CLI kind, e.g. "gamebook"
  std::string table;             ///< target table, e.g. "nba_raw.nbac_gamebook_player_stats"
  std::string legacy_processor;  ///< legacy class, e.g. "NbacGamebookProcessor"
  std::string job;               ///< drop-in script: `python -m nbaprops.jobs.raw.<job>`
  /// Lake folders before the date segment, e.g. {"nba-com/gamebooks-data/"}.
  std::vector<std::string> prefixes;
  /// The date folder may be YYYYMMDD (team box scores; both forms are listed),
  /// else YYYY-MM-DD only.
  bool compact_date = false;
  /// The columns whose stored rows a write replaces (Warehouse
  /// TableWrite::replace_key).
  std::vector<std::string> replace_key;
  /// Which files of a date are read, in words (for docs and --help).
  std::string selection;
};

/// @return every supported kind, in documentation order. Thread-safe.
const std::vector<RawSource>& raw_sources();
/// @return the kind named @p kind. @throws ConfigError listing the supported
/// kinds.
const RawSource& raw_source(const std::string& kind);

/// Options of one import.
struct RawImportOptions {
  /// The dates whose lake folders are read; empty: every date folder found
  /// under the prefixes. Ignored when the source is a single file.
  std::vector<Date> dates;
  /// Parse and check everything, write nothing (not even the ledger).
  bool dry_run = false;
  /// Game lines: keep every snapshot (legacy `--snapshot-mode all`); default:
  /// the newest file per event folder (legacy `latest`).
  bool all_snapshots = false;
  /// Keep only games where either team is one of these tricodes (legacy
  /// gamebook `--team-filter`); empty: every game. Only for tables with
  /// home_team_abbr / away_team_abbr (ConfigError otherwise).
  std::vector<std::string> team_filter;
  /// Append one nba_orchestration.run_ledger row per date (status success /
  /// empty / failed).
  bool write_ledger = true;
  /// Ledger run id; empty: a new one (`raw_<kind>_<UTC stamp>`).
  std::string run_id;
};

/// What one file contributed.
struct RawFileReport {
  std::string path;    ///< path as listed (relative to the store) or as given
  int64_t rows = 0;    ///< rows kept from this file
  std::string status;  ///< "used", "superseded" (a newer file covers its games),
                       ///< "exhibition", "empty"
};

/// Outcome of an import (also of a dry run).
struct RawImportResult {
  std::string kind;
  std::string table;
  std::string run_id;
  bool dry_run = false;
  std::vector<RawFileReport> files;      ///< every file read, in processing order
  std::map<Date, int64_t> rows_by_date;  ///< rows (to be) written per partition date
  std::vector<Date> dates;               ///< requested dates (or the dates found)
  int64_t rows = 0;                      ///< rows (to be) written in total
  double seconds = 0;
};

/// Parses one lake file of @p kind into rows of the kind's table (no
/// deduplication across files, checks included).
/// @param text file content (already gunzipped).
/// @param path the file's lake path: its date, game and snapshot segments are
/// used when present
///   (e.g.
///   `odds-api/player-props-history/2024-01-24/<event>-ATLGSW/20240125_035540-snap-0355.json`),
///   and it is written to source_file_path.
/// @param schedule home/away and exhibition look-ups (may be empty; see each
/// kind's notes).
/// @throws DataError naming the file, record, field, value and date.
Table parse_raw_file(const std::string& kind, const std::string& text, const std::string& path,
                     const Schedule& schedule);

/// Imports @p source into the warehouse: a single file, a directory laid out
/// like the bucket, or `gs://bucket/prefix` (io::open_object_store). Files of
/// each date are chosen by the legacy rules (RawSource::selection); when
/// several files cover the same game / snapshot / report, the newest (by the
/// timestamp in its file name) wins. All files are parsed and checked before
/// one write_batch replaces the covered keys. With write_ledger, one run_ledger
/// row per date records success, empty (no file for the date) or failed (the
/// error text) — also when the import fails. Thread-safe when called on
/// distinct warehouses; the warehouse serialises writes itself.
/// @throws DataError (bad file content), StorageError / NetworkError (reading),
/// ConfigError (kind).
RawImportResult import_raw(Warehouse& warehouse, const std::string& kind, const std::string& source,
                           const Schedule& schedule, const RawImportOptions& options = {});

}  // namespace nbaprops::importers
