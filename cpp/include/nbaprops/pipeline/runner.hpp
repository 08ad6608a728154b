#pragma once
/// @file runner.hpp
/// The backfill runner: executes a Plan as a `tbb::flow::graph` of units
/// (processor, date).
///
/// Dependencies are date-aware: unit (P, D) waits only for the upstream units
/// it reads — for each read of P on a table T written by processor U of the
/// plan, the units (U, D') with D' in [D − lookback_days, D] (D' = D only when
/// the window includes D). So PCF of Nov 20 can run while PSZA is still on
/// Dec 30. Concurrency is capped by a `tbb::task_arena` of `workers` threads.
///
/// Each unit: processor->run(ctx) → stamp `created_at`/`processed_at` (one
/// timestamp per run) when the output has them → `replace_partition(output, D,
/// rows)` (also when empty: DECISION 4) → entity failures replaced into
/// `nba_orchestration.processor_failures` for (processor, D) (stale rows of a
/// clean rerun are removed — legacy issue fixed) → one row appended to
/// `nba_orchestration.run_ledger` → checkpoint mark. Exactly one terminal
/// status per unit.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::pipeline {

/// A unit reached its terminal status (pushed to RunHandle's queue; one per
/// unit).
struct UnitEvent {
  std::string processor;  ///< processor name
  Date date;
  UnitStatus status = UnitStatus::kPending;
  int64_t rows = 0;      ///< rows committed
  double seconds = 0;    ///< wall time of the unit (all attempts)
  std::string reason;    ///< empty/skip/blocked/failed/cancelled reason
  int64_t entities = 0;  ///< entities processed (for "N players processed" lines)
  int attempts = 0;      ///< tries (0 when not run)
};

/// Run options.
/// Calendar days before the first planned date that the read cache covers (a
/// season-to-date window).
inline constexpr int32_t kCacheLookbackDays = 400;
/// Checkpoint files are rewritten at most this often during a run (and once at
/// its end).
inline constexpr int kCheckpointAutosaveMs = 1000;

/// The dates of each upstream table that the plan's units can read (their
/// declared windows, merged per table): what the run-scoped read cache loads,
/// and no more.
std::map<std::string, DateRange> read_windows(const Schedule& schedule, const Plan& plan);
/// Per table, the columns the run's cache loads it with: the union of the
/// columns the plan's reads of it declare (and its partition column), for the
/// tables every read of which declares them (UpstreamRead::columns).
std::map<std::string, std::vector<std::string>> read_projections(const Plan& plan);

struct RunOptions {
  int workers = 2;                  ///< concurrent units (task_arena size); ≥ 1
  bool stop_on_failure = false;     ///< after the first failure start nothing new
                                    ///< (rest: cancelled/blocked)
  bool resume = true;               ///< skip dates committed in the checkpoint, retry failed
                                    ///< ones. Range plans only: explicit `--dates` always run
                                    ///< (and are recorded).
  int max_retries = 3;              ///< retries of a unit after a transient Error (Error::transient())
  double retry_base_seconds = 0.5;  ///< backoff: base × 2^(attempt−1)
  std::string checkpoint_dir = "/tmp/backfill_checkpoints";  ///< "" disables checkpoints
  std::string run_id;                                        ///< ledger run id; generated (`run_<UTC
                                                             ///< yyyymmdd_HHMMSS>_<hex>`) if empty
  bool write_ledger = true;                                  ///< append one nba_orchestration.run_ledger row per unit
  /// Serve upstream reads from a run-scoped cache (one bulk read per table and
  /// projection, then memory; written partitions reloaded). Off only to measure
  /// or to debug.
  bool cache_reads = true;
};

/// Outcome of one unit.
struct UnitResult {
  const Processor* processor = nullptr;
  Date date;
  UnitStatus status = UnitStatus::kPending;
  int64_t rows = 0;            ///< rows committed (for resumed units: rows present in the partition)
  int attempts = 0;            ///< tries (0 when not run)
  double seconds = 0;          ///< time spent on the unit (not its wait for its dataset's commit queue)
  double read_seconds = 0;     ///< of seconds: reading inputs (through the run's cache)
  double compute_seconds = 0;  ///< of seconds: the processor computing its output, less its reads
  double write_seconds = 0;    ///< of seconds: the commit transaction (output, failures, ledger)
  std::string reason;
  int64_t entities = 0;
  int64_t start_seq = -1;         ///< global order counter when the unit started running (−1 if never)
  int64_t end_seq = -1;           ///< global order counter when it reached its terminal status
  std::string input_fingerprint;  ///< 16-hex FNV-1a of the upstream partition
                                  ///< counts its windows read
  // Internal bookkeeping of the runner.
  std::chrono::steady_clock::time_point started{};
  std::string started_at;
  bool ledger_written = false;  ///< the ledger row committed with the output
  /// The output committed but its run-log rows (ledger, failures) could not
  /// be written, with it or after it (a full disk between the two files'
  /// commits): the date stays out of the checkpoint, like a unit a crash
  /// interrupted there.
  bool run_logs_lost = false;
  bool inputs_changed = false;  ///< resume found a different input fingerprint
                                ///< than the last commit
};

/// Outcome of a run.
struct RunResult {
  std::vector<UnitResult> units;  ///< in plan order
  bool cancelled = false;         ///< cancel() was called (Ctrl-C)
  double seconds = 0;
  std::string run_id;
  std::vector<std::string> warnings;  ///< e.g. a corrupt checkpoint that was set aside
  /// @return 130 if cancelled; 1 if any unit failed or was blocked; else 0
  /// (DECISION 5).
  [[nodiscard]] int exit_code() const noexcept;
  /// @return processor → {status name → units, "rows" → rows committed,
  /// "entities" → entities}.
  [[nodiscard]] std::map<std::string, std::map<std::string, int64_t>> summary() const;
  /// @return units with status failed or blocked.
  [[nodiscard]] std::vector<UnitResult> failures() const;
  /// @return the summary block: a line of 80 `=`, `BACKFILL SUMMARY`, per
  /// processor counts and rows, failed/blocked dates (first 10 each, with
  /// reasons) and a `--dates` retry hint, exit code.
  [[nodiscard]] std::string summary_text() const;
};

/// A run in progress on its own std::thread. Events are pushed to a mutex +
/// condvar queue so a caller (e.g. the Python binding, on its own thread) can
/// poll them; no callback runs in TBB tasks.
class RunHandle {
 public:
  ~RunHandle();  ///< cancels and joins when wait() was not called
  RunHandle(const RunHandle&) = delete;
  RunHandle& operator=(const RunHandle&) = delete;

  /// Waits up to @p timeout_seconds for events and returns all queued ones
  /// (possibly none): at once when events are queued or the run has ended,
  /// else as soon as one is (within 50 ms: events wake a waiting poll at most
  /// every 50 ms, the first at once, and the waiting poll looks every 50 ms).
  std::vector<UnitEvent> poll(double timeout_seconds);
  /// Requests cancellation: running units finish (their writes are atomic),
  /// nothing new starts, the rest become cancelled, the checkpoint is saved.
  /// Thread-safe, idempotent.
  void cancel() noexcept;
  /// @return true when the run has finished (all terminal events are queued).
  [[nodiscard]] bool done() const noexcept;
  /// Joins the run thread and returns its result (idempotent). Rethrows an
  /// error that escaped the run (e.g. StorageError opening a checkpoint).
  RunResult wait();

  struct State;  ///< implementation detail (event queue, flags, result)

 private:
  friend std::unique_ptr<RunHandle> start_run(Warehouse&, const Schedule&, const Plan&, const RunOptions&);
  RunHandle() = default;
  std::shared_ptr<State> state_;
  std::thread thread_;
  bool joined_ = false;
};

/// Starts a run on a new thread. @p warehouse, @p schedule and @p plan must
/// outlive the handle.
/// @throws ConfigError (workers < 1).
std::unique_ptr<RunHandle> start_run(Warehouse& warehouse, const Schedule& schedule, const Plan& plan,
                                     const RunOptions& opts);

/// Runs to completion (= start_run(...)->wait()).
RunResult run(Warehouse& warehouse, const Schedule& schedule, const Plan& plan, const RunOptions& opts);

/// @return the checkpoint job name of @p p (ProcessorInfo::legacy_job, else its
/// name).
std::string checkpoint_job(const Processor& p);

}  // namespace nbaprops::pipeline
