#include "nbaprops/core/memory.hpp"

#include <tbb/scalable_allocator.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
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
  scalable_allocation_command(TBBMALLOC_CLEAN_ALL_BUFFERS, nullptr);
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

bool release_free_memory_if_grown(size_t growth) noexcept {
  // The resident memory after the last release: what the process keeps
  // (interned texts, open warehouses, the interpreter).
  // 0 before the first release: the first call releases.
  static std::atomic<size_t> kept{0};
  const size_t now = resident_bytes();
  const size_t base = kept.load();
  if (base != 0 && now != 0 && now <= base + growth) return false;
  release_free_memory();
  kept.store(resident_bytes());
  return true;
}

}  // namespace nbaprops
