#pragma once
/// @file fingerprint.hpp
/// Input fingerprints of units, and the last committed fingerprint of each
/// unit: what content-aware resume compares, inside a run (the runner) and
/// without running anything (freshness.hpp: `--status`, coverage).
///
/// A unit's fingerprint hashes, for every upstream partition its declared
/// windows can read, that partition's content hash: the hash the warehouse
/// recorded when it was written, for tables that processors write; the hash of
/// the stored rows over the columns the read declares, for raw tables (which
/// users may change by hand, a re-import or an UPDATE; a column the read does
/// not declare cannot change the unit's output). Where no hash is recorded (a backend that keeps
/// none), the partition's row count stands in.

#include <cstdint>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::pipeline {

/// The input state of the tables a plan reads, loaded lazily (one read per
/// table over its window) and updated as units commit.
///
/// Thread-safety: fingerprint() and note_committed() may be called from many
/// threads at once. @p warehouse and @p schedule must outlive the object.
class InputFingerprints {
 public:
  /// @param warehouse where the inputs are read (only read: partition counts,
  ///   recorded partition hashes, rows of raw tables).
  /// @param schedule the schedule the windows are resolved against.
  /// @param windows the dates of each table the units can read
  ///   (pipeline::read_windows()); a table without an entry is loaded whole.
  InputFingerprints(Warehouse& warehouse, const Schedule& schedule, std::map<std::string, DateRange> windows);
  ~InputFingerprints();
  InputFingerprints(const InputFingerprints&) = delete;
  InputFingerprints& operator=(const InputFingerprints&) = delete;

  /// @return 16 hex chars: FNV-1a over (table, date, content token) of every
  ///   upstream partition the windows of @p u can read. Equal fingerprints mean
  ///   unchanged inputs (content, not just row counts).
  /// @throws StorageError, DataError (reading an input table).
  [[nodiscard]] std::string fingerprint(const Unit& u);

  /// Records that partition @p d of @p table was just committed with content
  /// @p hashes (partition_hashes_of its rows: the hash the warehouse records),
  /// so later fingerprints see it. A
  /// table no fingerprint has read yet is left alone (it is loaded when
  /// needed).
  void note_committed(const std::string& table, Date d, const std::map<Date, PartitionHash>& hashes);

 private:
  struct TableState;
  struct RawState;
  /// Days of raw content hashed at once, ahead of the unit asking (the run
  /// cache's block).
  static constexpr int kRawBlockDays = 120;
  TableState& state(const std::string& table);
  /// Reads the tokens of processor-written @p table over its window (no lock
  /// held).
  std::map<int32_t, std::string> load_tokens(const std::string& table);
  /// @return true when a registered processor writes @p table.
  bool produced(const std::string& table);
  RawState& raw_state(const UpstreamRead& r);
  /// Hashes the days of raw read @p r in @p w that @p st does not know yet
  /// (with st.mu held).
  void hash_raw(const UpstreamRead& r, DateRange w, RawState& st);
  /// Calls @p mix with (day, token) of each partition of raw read @p r in
  /// @p w, hashing the days not yet known first.
  void mix_raw(const UpstreamRead& r, DateRange w, const std::function<void(int32_t, const std::string&)>& mix);

  Warehouse& warehouse_;
  const Schedule& schedule_;
  std::map<std::string, DateRange> windows_;
  std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<TableState>> tables_;
  std::map<std::string, std::unique_ptr<RawState>> raws_;  // key: table + '|' + declared columns; guarded by mu_
  std::once_flag produced_once_;
  std::set<std::string> produced_;  // set once under produced_once_
};

/// The newest committed (success or empty) run-ledger row of a unit.
struct LastCommit {
  std::string fingerprint;  ///< its input fingerprint
  int64_t rows = 0;         ///< rows it committed
  std::string finished_at;  ///< ISO UTC timestamp (sorts in time order)
  bool empty = false;       ///< it committed an empty partition

  /// @return true when a unit committed like this is still up to date: its
  ///   inputs hash as they did then (@p fingerprint) and the partition still
  ///   holds the rows it committed (@p stored_rows). The rule resume skips by.
  [[nodiscard]] bool up_to_date(const std::string& fingerprint, int64_t stored_rows) const noexcept;
};

/// Last commits keyed by (processor name, unit date in days).
using LastCommits = std::map<std::pair<std::string, int32_t>, LastCommit>;

/// @return the (processor name, date) of each of @p units that is to run
///   (planned kPending): the units whose ledger history a run or a freshness
///   report asks about.
std::vector<std::pair<std::string, Date>> ledger_units(const std::vector<Unit>& units);

/// @return the newest committed ledger row that recorded a fingerprint of
///   each of @p units (ledger_units: `nba_orchestration.run_ledger` looked up
///   unit by unit where the warehouse can, see Warehouse::newest_ledger_rows).
/// @throws StorageError, DataError.
LastCommits load_last_commits(Warehouse& warehouse, const std::vector<Unit>& units);

}  // namespace nbaprops::pipeline
