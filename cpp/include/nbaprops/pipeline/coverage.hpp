#pragma once
/// @file coverage.hpp
/// Coverage / gap report: tables × game dates against schedule expectations
/// (the same per-table rule as the pre-flight, row_expectation()), combined
/// with the latest run-ledger status.

#include <string>
#include <vector>

#include "nbaprops/pipeline/preflight.hpp"
#include "nbaprops/processors/processor.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::pipeline {

/// One cell: status is
/// - "failed": the latest run-ledger row for (table, date) is failed or blocked
/// (rows, if any, are stale);
/// - "bootstrap": no rows, and the date is a bootstrap date of a processor that
/// skips bootstrap
///   (or the latest ledger status is skipped_bootstrap) — expected 0;
/// - "empty": no rows, and the latest ledger row says the producer ran and had
/// nothing to write (a table whose rule is a flat minimum, RowExpectation::flat:
/// precompute and prediction tables) — expected 0, not a gap; reason is the
/// run's (e.g. "no team qualified …"). In other tables such a date is
/// "missing", with the run's reason;
/// - "missing" / "partial" / "ok": found against row_expectation(table) for the
/// date's games;
/// - "stale": rows are there ("ok" or "partial" by count), but the unit that
/// wrote them is stale (freshness.hpp): its inputs changed since it committed,
/// or an upstream unit it reads is itself stale, failed or missing.
struct CoverageCell {
  std::string table;
  Date date;
  std::string status;
  int64_t expected = 0;
  int64_t found = 0;
  std::string reason;  ///< why a "stale", "empty" or "missing" cell is one, when known ("" otherwise)
};

/// The report.
struct CoverageReport {
  std::vector<CoverageCell> cells;  ///< grouped by table (given order), then date
  std::vector<std::string> tables;
  DateRange range;
  /// @return cells whose status is not ok, bootstrap or empty.
  [[nodiscard]] std::vector<CoverageCell> gaps() const;
  /// @return a tables × months grid (`ok/game-dates` per month, `!` marks
  /// gaps), then the gaps (first 20 per table) with expected and found counts.
  [[nodiscard]] std::string to_text() const;
};

/// Builds the report for @p tables over the game dates of @p range: one
/// partition_counts per table plus one read of the run ledger, and for the
/// tables processors write, a check_freshness() of their producers and the
/// producers' upstream processors over the range (reads only). Bootstrap
/// policies come from the global registry.
/// @throws ConfigError (unknown table), StorageError.
CoverageReport coverage(Warehouse& warehouse, const Schedule& schedule, DateRange range,
                        const std::vector<std::string>& tables);
/// Same, with bootstrap policies taken from @p processors (tests, embedding).
CoverageReport coverage(Warehouse& warehouse, const Schedule& schedule, DateRange range,
                        const std::vector<std::string>& tables, const std::vector<const Processor*>& processors);

}  // namespace nbaprops::pipeline
