#include "nbaprops/core/memory.hpp"

#include <tbb/scalable_allocator.h>

#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>
#include <utility>
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

namespace {

/// The background thread of run_in_background.
class Janitor {
 public:
  void submit(std::function<void()> job) {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) thread_.join();
    thread_ = std::thread([job = std::move(job)] {
      try {
        job();
      } catch (...) {  // NOLINT(bugprone-empty-catch): documented, a job must not throw
      }
    });
  }
  void wait() noexcept {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) thread_.join();
  }
  Janitor() = default;
  Janitor(const Janitor&) = delete;
  Janitor& operator=(const Janitor&) = delete;
  ~Janitor() { wait(); }  // at exit: the job finishes before the statics it uses go

 private:
  std::mutex mu_;
  std::thread thread_;
};

Janitor& janitor() {
  static Janitor j;
  // A child process must not inherit a job in flight (its thread would not
  // exist there): forks wait for it.
  static const bool registered = [] { return pthread_atfork([] { janitor().wait(); }, nullptr, nullptr) == 0; }();
  (void)registered;
  return j;
}

}  // namespace

void run_in_background(std::function<void()> job) { janitor().submit(std::move(job)); }

void wait_for_background_work() noexcept { janitor().wait(); }

}  // namespace nbaprops
