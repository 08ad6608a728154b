#pragma once
/// @file memory.hpp
/// Giving the memory of a finished run back to the operating system.

#include <cstddef>
#include <functional>

namespace nbaprops {

/// This process's resident memory in bytes (Linux: /proc/self/statm), or 0
/// where unknown.
[[nodiscard]] size_t resident_bytes() noexcept;

/// Returns the free memory the allocators keep to the operating system: the
/// scalable allocator's caches (where table cells live) and, with glibc, the
/// C heap's free pages. A run calls it once its cache, carried state and
/// outputs are gone, so a notebook or service that runs backfills does not
/// hold the peak of the last one (a demo season: 390–450 MB resident after
/// the run, 220–240 MB with the release; it costs about 30 ms). Thread-safe:
/// other threads keep allocating.
void release_free_memory() noexcept;

/// release_free_memory() when the resident memory exceeds @p since (a
/// resident_bytes() taken before the work) by more than @p growth bytes, or
/// either is unknown. @return whether it released.
bool release_free_memory_if_grown(size_t since, size_t growth) noexcept;

/// Runs @p job on a background thread so that the caller goes on at once
/// (freeing a run's memory takes a few hundred milliseconds after a large
/// run). One job at a time: a new one first waits for the last. Jobs finish
/// before the process forks (pthread_atfork) and when it exits. @p job must
/// not throw (what it throws is dropped).
void run_in_background(std::function<void()> job);

/// Waits until the background job, if any, is done.
void wait_for_background_work() noexcept;

}  // namespace nbaprops
