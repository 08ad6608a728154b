#pragma once
/// @file sqlite_checkpointer.hpp
/// Copies full write-ahead logs into their database files on a thread of its
/// own, so that no unit waits for it. A checkpoint copies up to 40 MB of
/// pages and syncs both files twice; done inline, after the commit that filled
/// the log, it stalled that unit for tens of milliseconds (every fourth rerun
/// of a season of TOGS took 0.10 s instead of 0.075 s). PASSIVE checkpoints
/// run beside the writers: SQLite lets writers append to the log while it is
/// copied, and restarts the log at a write transaction that began after a
/// checkpoint had copied every frame (SqliteWarehouse::checkpoint_full_logs
/// covers writers that never leave it that moment). A run with one worker
/// does not use it (Warehouse::allow_background_io).

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <map>
#include <string>
#include <thread>

namespace nbaprops::sqlite_detail {

class BackgroundCheckpointer {
 public:
  /// @param checkpoint copies the logs of the named attached files, each
  ///   given with the most frames its log was seen to hold (called on
  ///   the checkpointer's thread, one batch at a time; what it throws is
  ///   logged and dropped: a checkpoint left undone is done by a later one, or
  ///   by SQLite when the last connection closes).
  explicit BackgroundCheckpointer(std::function<void(const std::map<std::string, int>&)> checkpoint);
  /// Stops the thread after the batch it is copying (files still due are left
  /// to SQLite's checkpoint on close). In a child process forked after the
  /// thread started (which has no such thread) it only lets go of it.
  ~BackgroundCheckpointer();
  BackgroundCheckpointer(const BackgroundCheckpointer&) = delete;
  BackgroundCheckpointer& operator=(const BackgroundCheckpointer&) = delete;

  /// Asks for checkpoints of the attached files named in @p due, each with the
  /// frames its log held at the commit that asked; returns at once.
  void request(const std::map<std::string, int>& due);
  /// Waits until no checkpoint is due or running (in a forked child, which
  /// has no such thread: returns at once).
  void wait_idle();

 private:
  void run();

  std::function<void(const std::map<std::string, int>&)> checkpoint_;
  std::mutex mu_;
  std::condition_variable wake_;  ///< a request, or stop
  std::condition_variable idle_;  ///< a batch finished
  std::map<std::string, int> due_;
  bool busy_ = false;
  bool stop_ = false;
  int pid_;                              ///< the process the thread runs in
  std::unique_ptr<std::thread> thread_;  ///< last: started once the rest exists
};

}  // namespace nbaprops::sqlite_detail
