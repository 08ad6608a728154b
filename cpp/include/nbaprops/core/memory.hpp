#pragma once
/// @file memory.hpp
/// Giving the memory of a finished run back to the operating system.

#include <cstddef>

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

}  // namespace nbaprops
