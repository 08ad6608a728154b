#pragma once
/// @file processor.hpp
/// The processor interface and its registry. A processor computes one output
/// table for one date from upstream tables; it declares what it reads (table
/// and window relative to the run date D) so that planning, pre-flight,
/// dependency edges and docs come from one place.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops {

/// How an upstream table is read relative to the run date D.
enum class WindowKind {
  kSameDate,      ///< rows dated D (e.g. the day's box scores)
  kLastGames,     ///< each entity's last N games strictly before D
  kSeasonToDate,  ///< from the season's first game up to D − 1
  kDaysBefore,    ///< the K calendar days D−K … D−1
  kDaysThrough,   ///< the K calendar days before D and D itself: D−K … D (e.g.
                  ///< injury reports published before D's games)
};

/// One upstream read.
struct UpstreamRead {
  std::string table;  ///< qualified table name
  WindowKind kind = WindowKind::kSameDate;
  int n = 0;             ///< N games or K days (unused for kSameDate / kSeasonToDate)
  bool required = true;  ///< pre-flight checks required upstreams; optional ones only inform
  /// The columns the processor reads from this table (empty: not declared).
  /// When every read of a table in a plan declares them, the run loads the
  /// table once with their union and serves each read from that copy; a
  /// processor whose reads of a table declare columns cannot read any other
  /// column of it (proc::read_window refuses).
  std::vector<std::string> columns = {};
  /// Calendar days before D that the window can reach (for dependency edges and
  /// loading): 0 for same-date, K for days, 400 for season-to-date, and a
  /// generous bound for N games.
  [[nodiscard]] int lookback_days() const noexcept;
  /// @return true when the window includes D itself.
  [[nodiscard]] bool includes_same_date() const noexcept {
    return kind == WindowKind::kSameDate || kind == WindowKind::kDaysThrough;
  }
  /// The dates this read can reach for run date @p d: from the lookback bound
  /// (kept inside the season for last-N-games and season-to-date windows) to D
  /// or D−1. Empty (start > end) when nothing can be read.
  [[nodiscard]] DateRange window(const Schedule& schedule, Date d) const;
};

/// What to do on a season's bootstrap dates (days 0–13).
enum class BootstrapPolicy { kRun, kSkip };

/// Static description of a processor.
struct ProcessorInfo {
  std::string name;          ///< legacy table name, e.g. "team_offense_game_summary"
  std::string code;          ///< short code, e.g. "togs"
  int phase = 3;             ///< 3 analytics, 4 precompute, 5 predictions/grading, 6 exports
  std::string output_table;  ///< qualified output table
  std::string entity;        ///< "teams" or "players" (for log lines)
  std::vector<UpstreamRead> reads;
  BootstrapPolicy bootstrap = BootstrapPolicy::kRun;
  std::string legacy_job;  ///< legacy checkpoint job name (defaults to name)
  std::string description;
};

/// An entity (player/team) that could not be processed inside a unit; never
/// fails the unit.
struct EntityFailure {
  std::string entity_id;
  std::string category;  ///< INSUFFICIENT_DATA | EXPECTED_INCOMPLETE |
                         ///< INCOMPLETE_UPSTREAM | PROCESSING_ERROR
  std::string reason;
};

/// Result of running one unit (processor, date).
struct UnitOutput {
  explicit UnitOutput(const TableSchema& schema) : rows(schema) {}
  Table rows;  ///< rows for the date (partition column = D)
  std::vector<EntityFailure> failures;
  std::string empty_reason;        ///< why no entity qualified, when rows is empty
  int64_t entities_processed = 0;  ///< for the legacy "N players processed" lines
};

/// What a processor carries from one date to the next within a run: the
/// incremental half of "compute ranges, commit dates". Each upstream partition
/// is ingested once into per-entity, date-ordered histories; a date is then
/// answered by slicing them (a "last N games before D" window is the tail of a
/// slice, a season-to-D−1 count is a binary search), not by rescanning the
/// season. The runner owns one state per (processor, season) for the run and
/// drops it after that season's last unit; the season's units may run
/// concurrently, so implementations lock. A state only ever holds partitions
/// its units were allowed to read (declared windows, committed upstream).
class CarriedState {
 public:
  virtual ~CarriedState() = default;
};

/// What a unit sees: the warehouse (read-only by convention), the schedule and
/// the date.
struct UnitContext {
  Warehouse& warehouse;
  const Schedule& schedule;
  Date date;
  /// The running processor's declaration: when set, reads outside its declared
  /// windows are refused (a processor can read nothing it did not declare).
  const ProcessorInfo* info = nullptr;
  /// The processor's carried state for this date's season (see CarriedState),
  /// or nullptr: the unit then computes its date from its whole window.
  CarriedState* carried = nullptr;
};

/// A processor. Implementations are stateless and thread-safe: run() may be
/// called for many dates at once from TBB tasks. run() reads its inputs through
/// the context and returns rows; it never writes, never reads a clock and never
/// logs per row.
class Processor {
 public:
  virtual ~Processor() = default;
  [[nodiscard]] virtual const ProcessorInfo& info() const = 0;
  /// Computes the output rows for ctx.date. @throws Error subclasses for unit
  /// failures.
  [[nodiscard]] virtual UnitOutput run(const UnitContext& ctx) const = 0;
  /// A fresh carried state for one season, or nullptr when the processor
  /// computes each date from its window alone.
  [[nodiscard]] virtual std::unique_ptr<CarriedState> make_carried_state() const { return nullptr; }
  /// True when a unit holds its carried state's lock while it computes (so the
  /// next date's unit cannot catch the state up until this one is done): the
  /// runner then starts a season's next date only after this one computed,
  /// rather than letting it wait on that lock with a worker idle.
  [[nodiscard]] virtual bool computes_dates_in_turn() const { return false; }
};

namespace registry {
/// Registers a processor (called once per built-in by register_builtins()).
/// Thread-safe.
/// @throws ConfigError on a duplicate name or code.
void add(std::unique_ptr<Processor> p);
/// @return all processors in dependency (topological) order. Registers the
/// built-ins on first use.
std::vector<const Processor*> all();
/// @return the processor of @p among that @p key names: its name, short code,
/// output table or legacy job name, compared case-insensitively. @throws
/// ConfigError naming @p key and listing the names and codes of @p among.
const Processor& find(const std::vector<const Processor*>& among, std::string_view key);
/// @return find(all(), @p name_or_code).
const Processor& get(const std::string& name_or_code);
/// @return the processors whose output tables @p p reads (its direct upstream
/// processors).
std::vector<const Processor*> upstream_of(const Processor& p);
}  // namespace registry

/// Registers every built-in processor; idempotent. Defined in
/// processors/builtin.cpp.
void register_builtins();

}  // namespace nbaprops
