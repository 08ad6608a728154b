#include "nbaprops/core/memory.hpp"

#include <tbb/scalable_allocator.h>

#include <cstdio>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nbaprops {

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
