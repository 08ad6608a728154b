#include "nbaprops/core/memory.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/scalable_allocator.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nbaprops {

namespace {

/// Each thread of TBB's pool cleans its own allocator buffers. A block of
/// small objects stays with the thread that carved it, and what other
/// threads free in it (a run's tables, freed after the run by the thread that
/// held them) is only taken back when that thread next allocates from it;
/// TBBMALLOC_CLEAN_ALL_BUFFERS, run on one thread, does not reach them.
void clean_pool_threads_buffers() {
  const int n = tbb::this_task_arena::max_concurrency();
  std::atomic<int> arrived{0};
  tbb::parallel_for(
      tbb::blocked_range<int>(0, n, 1),
      [&](const tbb::blocked_range<int>&) {
        scalable_allocation_command(TBBMALLOC_CLEAN_THREAD_BUFFERS, nullptr);
        arrived.fetch_add(1);
        // Holds this thread until every slot is taken, so each slot goes to
        // another thread; bounded, for a pool whose threads are busy elsewhere.
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
        while (arrived.load() < n && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      },
      tbb::simple_partitioner());
}

}  // namespace

size_t resident_bytes() noexcept {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long pages = 0, resident = 0;
  const bool ok = std::fscanf(f, "%lu %lu", &pages, &resident) == 2;
  std::fclose(f);
  const long page = sysconf(_SC_PAGESIZE);
  return ok && page > 0 ? static_cast<size_t>(resident) * static_cast<size_t>(page) : 0;
}

void release_free_memory() noexcept {
  // The command dereferences the allocator's state, which exists only after
  // a first scalable allocation (a process that never made one crashed here
  // under AddressSanitizer): make sure there was one.
  scalable_free(scalable_malloc(16));
  try {
    if (std::getenv("NBAPROPS_NO_POOL_CLEAN") == nullptr) clean_pool_threads_buffers();
  } catch (...) {  // a best effort: the shared caches are still cleaned below
  }
  scalable_allocation_command(TBBMALLOC_CLEAN_ALL_BUFFERS, nullptr);
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

bool release_free_memory_if_grown(size_t since, size_t growth) noexcept {
  const size_t now = resident_bytes();
  if (since != 0 && now != 0 && now <= since + growth) return false;
  release_free_memory();
  return true;
}

}  // namespace nbaprops
