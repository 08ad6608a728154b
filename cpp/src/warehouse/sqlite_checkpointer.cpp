#include "warehouse/sqlite_checkpointer.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "nbaprops/core/logging.hpp"

namespace nbaprops::sqlite_detail {

BackgroundCheckpointer::BackgroundCheckpointer(std::function<void(const std::map<std::string, int>&)> checkpoint)
    : checkpoint_(std::move(checkpoint)), pid_(::getpid()), thread_(std::make_unique<std::thread>([this] { run(); })) {}

BackgroundCheckpointer::~BackgroundCheckpointer() {
  if (::getpid() != pid_) {
    (void)thread_.release();  // not this process's thread: joining it would fail
    return;
  }
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_->join();
}

void BackgroundCheckpointer::request(const std::map<std::string, int>& due) {
  if (due.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, frames] : due) {
      int& most = due_[name];
      most = std::max(most, frames);
    }
  }
  wake_.notify_one();
}

void BackgroundCheckpointer::wait_idle() {
  if (::getpid() != pid_) return;  // a forked child: the thread is not here
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return stop_ || (due_.empty() && !busy_); });
}

void BackgroundCheckpointer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !due_.empty(); });
    if (stop_) break;
    const std::map<std::string, int> due = std::exchange(due_, {});
    busy_ = true;
    lock.unlock();
    try {
      checkpoint_(due);
    } catch (const std::exception& e) {
      NBAPROPS_LOG_WARN << "background checkpoint failed (left to a later one): " << e.what();
    } catch (...) {
      NBAPROPS_LOG_WARN << "background checkpoint failed (left to a later one)";
    }
    lock.lock();
    busy_ = false;
    idle_.notify_all();
  }
  busy_ = false;
  idle_.notify_all();
}

}  // namespace nbaprops::sqlite_detail
