#pragma once
/// @file preflight.hpp
/// Pre-flight (spec §7, fixed): before any write, one grouped count per
/// upstream table over the planned dates plus the lookback dates their windows
/// reach, compared with what the schedule says must exist. Expected dates
/// always come from the schedule, never from the table being checked (the
/// legacy fell back to PGS dates — circular). The row expectations per table
/// are shared with coverage reports (one implementation).

#include <cstdint>
#include <string>
#include <vector>

#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::pipeline {

/// How many rows a table must hold on a game date.
struct RowExpectation {
  int64_t per_game = 0;       ///< rows per game (schedule); 0 = use per_team_game
  int64_t per_team_game = 0;  ///< rows per team-game (2 team-games per game); 0 = use at_least
  int64_t at_least = 1;       ///< flat minimum on any game date when per_team_game is 0
  std::string rule;           ///< human-readable rule, e.g. "1 row per team-game"
  /// @return rows required on a date with @p games counted games (0 when games
  /// is 0).
  [[nodiscard]] int64_t expected(int64_t games) const noexcept;
  /// @return whether the rule is a flat minimum per game date (no per-game or
  /// per-team-game count).
  [[nodiscard]] bool flat() const noexcept { return per_game <= 0 && per_team_game <= 0; }
};

/// The per-table rule:
/// - `nba_raw.nbac_schedule`: 1 row per game.
/// - team tables of the raw and analytics datasets (name contains "team"): 1
/// per team-game (2 per game).
/// - player tables of the raw and analytics datasets (box scores, PGS, shot
/// zones, UPGC): ≥ 8 per
///   team-game (a team dresses at least 8 players).
/// - precompute / predictions tables (entity sets legitimately shrink early in
/// the season, spec §6):
///   at least 1 row on a game date.
/// - anything else: at least 1 row.
RowExpectation row_expectation(const std::string& table);

/// One cell of a pre-flight or coverage report.
struct PreflightCell {
  std::string table;
  Date date;
  /// "ok" | "missing" | "partial" | "empty": no rows, and the newest run-ledger
  /// row of the table's producer for the date says it ran and had nothing to
  /// write (e.g. TDZA before any team has played 15 games): not a problem.
  std::string status;
  int64_t expected = 0;  ///< rows the schedule requires (0 for an "empty" cell)
  int64_t found = 0;     ///< rows present
  bool required = true;  ///< false for optional reads (informative only, never blocks)
  std::string reason;    ///< an "empty" cell's reason from the ledger ("" otherwise)
};

/// The pre-flight result.
struct PreflightReport {
  std::vector<PreflightCell> cells;      ///< table × date, grouped by table then date
  std::vector<std::string> tables;       ///< upstream tables checked, in plan order
  std::vector<std::string> not_checked;  ///< upstream tables produced inside the plan (with producer)
  /// @return false when any required cell is missing or partial.
  [[nodiscard]] bool ok() const noexcept;
  /// @return the missing and partial cells (not the "empty" ones).
  [[nodiscard]] std::vector<PreflightCell> problems() const;
  /// @return a report: per table `✅|❌ <table>: a/b dates ok`, the
  /// missing/partial dates with expected and found counts (first 20 per table),
  /// then `PRE-FLIGHT OK` or `PRE-FLIGHT FAILED`.
  [[nodiscard]] std::string to_text() const;
};

/// Runs the pre-flight for @p plan. For every pending unit (P, D) and every
/// read of P on table T: the game dates its window reaches (D itself for
/// same-date reads; D−K … D−1 for K-day windows; season game dates before D,
/// within the lookback bound, for last-N-games and season-to-date windows).
/// Cells for (T, D') are skipped when a processor in the plan produces T and
/// has a pending unit on D' (that partition will be written by the run). One
/// partition_counts query per table. Bootstrap dates of a table whose producer
/// skips bootstrap (BootstrapPolicy::kSkip) are not expected (that producer
/// never writes them). A date without rows whose producer's newest run-ledger
/// row is "empty" is an "empty" cell, not a missing one (one ledger lookup
/// for those cells). @throws StorageError. Producers outside the plan are
/// looked up in the global registry.
PreflightReport preflight(Warehouse& warehouse, const Schedule& schedule, const Plan& plan);
/// Same, looking up producers outside the plan in @p processors (tests,
/// embedding).
PreflightReport preflight(Warehouse& warehouse, const Schedule& schedule, const Plan& plan,
                          const std::vector<const Processor*>& processors);

/// Classifies found against expected: "missing" (found 0), "partial" (found <
/// expected) or "ok".
std::string classify_cell(int64_t expected, int64_t found);

}  // namespace nbaprops::pipeline
