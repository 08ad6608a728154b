#include "nbaprops/pipeline/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "nbaprops/core/error.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"

namespace nbaprops::pipeline {

namespace fs = std::filesystem;

namespace {

std::string read_all(int fd) {
  std::string out;
  char buf[512];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

void require_writable(const Warehouse& warehouse) {
  const auto* sqlite = dynamic_cast<const SqliteWarehouse*>(&warehouse);
  if (sqlite == nullptr || !sqlite->read_only()) return;
  const std::string dir = sqlite->uri();
  throw ConfigError("warehouse " + dir + " is read-only (" + sqlite->read_only_reason() +
                    "): a backfill writes its results and run ledger there, so nothing was run. Make it writable, "
                    "or copy it to a writable directory: nbaprops copy --from " +
                    dir + " --to NEW_DIR --tables all");
}

RunLock::RunLock(const std::string& warehouse_dir, std::vector<std::string> tables, const std::string& run_id,
                 const std::string& started_at) {
  if (warehouse_dir.empty()) return;
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  const fs::path dir = fs::path(warehouse_dir) / ".nbaprops-locks";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return;  // a read-only warehouse: its writes fail on their own, with their
             // own message
  for (const std::string& table : tables) {
    const std::string path = (dir / (table + ".lock")).string();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const auto holder = nlohmann::json::parse(read_all(fd), nullptr, false);
      ::close(fd);
      for (int f : fds_) ::close(f);
      fds_.clear();
      std::string who = "another run";
      if (holder.is_object()) {
        who = "run " + holder.value("run_id", std::string("?")) + " (started " +
              holder.value("started_at", std::string("?")) + ", pid " + std::to_string(holder.value("pid", 0)) + ")";
      }
      throw WarehouseBusy("warehouse " + warehouse_dir + ": " + table + " is being written by " + who +
                          "; wait for it to finish (or stop it) and run again — "
                          "two backfills of the same "
                          "tables would compute everything twice");
    }
    const std::string me =
        nlohmann::json{{"run_id", run_id}, {"started_at", started_at}, {"pid", static_cast<int>(::getpid())}}.dump();
    if (::ftruncate(fd, 0) == 0) {
      ::lseek(fd, 0, SEEK_SET);
      [[maybe_unused]] const ssize_t w = ::write(fd, me.data(), me.size());
    }
    fds_.push_back(fd);
  }
}

RunLock::~RunLock() {
  for (int fd : fds_) {
    ::flock(fd, LOCK_UN);
    ::close(fd);
  }
}

}  // namespace nbaprops::pipeline
