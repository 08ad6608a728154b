#pragma once
/// @file run_lock.hpp
/// Run locks: a backfill holds one advisory lock per output table it writes, in
/// the warehouse directory (`.nbaprops-locks/<table>.lock`), so a second
/// backfill that would write the same tables refuses at once, naming the other
/// run (its id, start time and process), instead of computing everything twice.
/// Locks are flock(2) locks: a killed run releases them with its process.

#include <string>
#include <vector>

#include "nbaprops/core/error.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::pipeline {

/// A backfill refused because another run is writing the same tables: not a
/// usage error (the command was right) and not a failure of this run (it never
/// started). The message names the other run (id, start time, process); run
/// again once it finished. Python: nbaprops.errors.WarehouseBusyError (a
/// StorageError); the command line says "warehouse busy" and exits 75
/// (EX_TEMPFAIL: try again later).
class WarehouseBusy : public StorageError {
 public:
  explicit WarehouseBusy(const std::string& m) : StorageError(m) {}
};

/// Refuses a backfill on a warehouse it cannot write, before any unit runs
/// (without it, every unit would fail on its own write). A SQLite warehouse is
/// read-only when opened so (`?mode=ro`) or when its directory or one of its
/// database files is not writable; other backends are left to their writes.
/// Thread-safe.
/// @throws ConfigError naming the warehouse path and why it cannot be written.
void require_writable(const Warehouse& warehouse);

/// The locks of one run. Not copyable; released on destruction.
class RunLock {
 public:
  /// Takes the lock of every table in @p tables under @p warehouse_dir (a
  /// SQLite warehouse directory; for other warehouses pass "" and nothing is
  /// locked). All or none: when one table is held by another run, the ones
  /// taken are released and WarehouseBusy names that run.
  /// @param run_id, started_at written into each lock file for the message of a
  /// refused run.
  RunLock(const std::string& warehouse_dir, std::vector<std::string> tables, const std::string& run_id,
          const std::string& started_at);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  std::vector<int> fds_;
};

}  // namespace nbaprops::pipeline
