#pragma once
/// @file
/// A TBB task arena that runs as many threads as the user asked for.

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace nbaprops {

/// `--workers N` as N threads. TBB caps every arena at the process's default
/// concurrency (the machine's hardware threads) unless a global_control raises
/// that limit, so on a 2-core machine an arena of 4 ran 2 tasks at a time: a
/// backfill against BigQuery, whose units mostly wait on requests, got half
/// the concurrency it asked for. This arena raises the limit for its lifetime
/// when @p workers exceeds it (and never lowers it: with fewer workers the
/// arena itself is the cap, and other runs in the process keep theirs). The
/// limit is process-wide and TBB applies the smallest of the live raises, so
/// two such arenas alive at once share the smaller request.
class WorkerArena {
 public:
  explicit WorkerArena(int workers) : arena_(std::max(1, workers)) {
    if (std::max(1, workers) > tbb::info::default_concurrency()) {
      raise_.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(workers));
    }
    arena_.initialize();
  }

  template <class F>
  decltype(auto) execute(F&& f) {
    return arena_.execute(std::forward<F>(f));
  }

 private:
  tbb::task_arena arena_;  ///< initialised only after the limit is raised
  std::optional<tbb::global_control> raise_;
};

}  // namespace nbaprops
