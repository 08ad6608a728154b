#pragma once
/// @file freshness.hpp
/// Check-only resume: for every unit of a plan, whether its committed output is
/// still up to date with its inputs, computed the way a resume decides
/// (fingerprint.hpp) but without running anything, taking no run lock and
/// writing nothing (it works on a read-only warehouse). Behind `--status` and
/// the "stale" cells of the coverage report.

#include <cstdint>
#include <string>
#include <vector>

#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::pipeline {

/// The state of one unit's committed output.
enum class Freshness {
  kUpToDate,  ///< committed, inputs unchanged since, rows still stored: a resume skips it
  kStale,     ///< committed, but its inputs changed since (or an upstream unit of
              ///< the plan is itself not up to date, or its stored rows changed):
              ///< a resume recomputes it
  kMissing,   ///< never committed (no committed run-ledger row), or its rows are gone
  kFailed,    ///< its latest run failed or was blocked
  kSkipped,   ///< planned as skipped (bootstrap date, date without games): never runs
};

/// @return "up_to_date", "stale", "missing", "failed" or "skipped".
const char* to_string(Freshness f) noexcept;

/// One unit's verdict.
struct UnitFreshness {
  const Processor* processor = nullptr;
  Date date;
  Freshness state = Freshness::kMissing;
  /// Why: "inputs changed since its commit at <finished_at>", "upstream <name>
  /// <date> is stale", "committed 12 rows, 10 stored", the failure text…
  std::string reason;
  int64_t rows = 0;          ///< rows stored now in the unit's output partition
  std::string committed_at;  ///< finished_at of its last commit ("" if none)
};

/// The verdicts of a plan's units.
struct FreshnessReport {
  std::vector<UnitFreshness> units;  ///< in plan order
  std::optional<DateRange> range;    ///< the plan's checkpoint range

  /// @return how many units are in state @p f.
  [[nodiscard]] size_t count(Freshness f) const noexcept;
  /// @return the units in state @p f, in plan order.
  [[nodiscard]] std::vector<UnitFreshness> with(Freshness f) const;
  /// @return a per-processor count table (up_to_date, stale, missing, failed,
  ///   skipped), then each processor's stale, missing and failed dates (first
  ///   12 of each, with the first one's reason).
  [[nodiscard]] std::string to_text() const;
};

/// Checks every unit of @p plan against the warehouse as it is now.
///
/// A pending unit is kFailed when its newest run-ledger row (success, empty,
/// failed or blocked) is a failure; kMissing without a committed ledger row or
/// when its committed rows are all gone; kStale when its input fingerprint
/// differs from its last commit's, when the stored row count differs from the
/// committed one, or when a unit of the plan that it reads (within its declared
/// windows) is not up to date — its inputs may change when that one is
/// recomputed; kUpToDate otherwise. A resume recomputes every missing and
/// failed unit and every unit stale by its own inputs or rows; of the units
/// stale through an upstream one, only those whose upstream result really
/// changes (a recomputed upstream may hash as before). So the stale set bounds
/// what a resume recomputes. (One exception: a date that a legacy checkpoint
/// without ledger history records as done is skipped by a resume where rows
/// are stored; it shows here as missing, "rows stored, but no committed
/// run-ledger row".)
///
/// Reads only: the run ledger over the plan's range, one partition count and
/// partition-hash read per output and input table, the raw input tables over
/// the windows. Takes no run lock.
/// @throws StorageError, DataError.
FreshnessReport check_freshness(Warehouse& warehouse, const Schedule& schedule, const Plan& plan);

}  // namespace nbaprops::pipeline
