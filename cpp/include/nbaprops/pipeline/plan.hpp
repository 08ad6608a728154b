#pragma once
/// @file plan.hpp
/// A backfill plan: the units (processor, date) to run, with the dates that
/// will be skipped marked and why. Dates come from the schedule (game dates of
/// regular season, play-in and playoffs) or from an explicit `--dates` list
/// kept in the given order.

#include <optional>
#include <string>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/processors/processor.hpp"
#include "nbaprops/schedule/schedule.hpp"

namespace nbaprops::pipeline {

/// Status of a unit: planned (kPending or a skip) and terminal (after a run).
enum class UnitStatus {
  kPending,           ///< planned to run
  kSuccess,           ///< committed with rows > 0
  kEmpty,             ///< committed with 0 rows (no entity qualified; reason says why)
  kSkippedBootstrap,  ///< bootstrap date (days 0–13) of a processor whose policy
                      ///< is kSkip
  kSkippedNoGames,    ///< explicitly listed date without a counted game
  kBlocked,           ///< an upstream unit failed or was blocked (reason names it)
  kFailed,            ///< the unit raised an error (reason = error text)
  kCancelled,         ///< not run: the run was cancelled or stopped after a failure
};

/// @return the snake_case name ("success", "skipped_bootstrap", …) used in
/// ledgers and events.
const char* to_string(UnitStatus s) noexcept;
/// @return the status of a name produced by to_string. @throws ConfigError on
/// an unknown name.
UnitStatus parse_unit_status(const std::string& s);

/// One unit of work.
struct Unit {
  const Processor* processor = nullptr;
  Date date;
  UnitStatus planned = UnitStatus::kPending;  ///< kPending, kSkippedBootstrap or kSkippedNoGames
  std::string reason;                         ///< why it is skipped ("" when pending)
};

/// What to plan.
struct PlanOptions {
  std::optional<DateRange> range;       ///< game dates of this range (ignored when dates is set)
  std::vector<Date> dates;              ///< explicit dates (`--dates`), kept in this order
  std::vector<std::string> processors;  ///< names, codes, "phase3"/"phase4"/…, "all"; empty = all
};

/// A plan. Units are processor-major (dependency order), then in date order (or
/// `--dates` order).
struct Plan {
  std::vector<const Processor*> processors;  ///< selected processors, dependency order
  std::vector<Date> dates;                   ///< planned dates (game dates, or the explicit list)
  std::vector<Unit> units;                   ///< processors × dates
  std::optional<DateRange> range;            ///< the requested range (nullopt in `--dates` mode)

  /// @return the range checkpoints are keyed by: the requested range, or [min,
  /// max] of the dates.
  [[nodiscard]] std::optional<DateRange> checkpoint_range() const;
  /// @return the number of units.
  [[nodiscard]] size_t size() const noexcept { return units.size(); }
  /// @return units whose planned status is kPending.
  [[nodiscard]] size_t pending() const noexcept;
  /// @return the processor in the plan that writes @p table, or nullptr.
  [[nodiscard]] const Processor* producer_of(const std::string& table) const noexcept;
  /// @return a human-readable summary: range, dates, per processor
  /// pending/skipped counts and the skip reasons (first few dates each).
  [[nodiscard]] std::string to_text() const;
};

/// Resolves a selection against an explicit set of processors: names, codes,
/// output tables, legacy job names (registry::find, case-insensitive),
/// "phaseN", "all"/empty for everything; nothing is added implicitly.
/// @return the selected processors in dependency (topological) order. @throws
/// ConfigError.
std::vector<const Processor*> select_processors(const std::vector<const Processor*>& universe,
                                                const std::vector<std::string>& selection);

/// Plans over the globally registered processors (registry::all()).
/// Dates: opts.dates when non-empty (given order, duplicates removed; a listed
/// date without games becomes kSkippedNoGames), otherwise the schedule's game
/// dates in opts.range (off days are never planned). Bootstrap dates (DECISION
/// 2: days 0–13 after the season's first regular-season game) become
/// kSkippedBootstrap for processors whose policy is kSkip.
/// @throws ConfigError when neither range nor dates is given, or start > end,
/// or a bad selection.
Plan make_plan(const Schedule& schedule, const PlanOptions& opts);
/// Same, selecting from @p universe instead of the global registry (tests,
/// embedding).
Plan make_plan(const Schedule& schedule, const PlanOptions& opts, const std::vector<const Processor*>& universe);

}  // namespace nbaprops::pipeline
