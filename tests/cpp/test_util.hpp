#pragma once
// Shared helpers for the C++ tests: temporary warehouses and the ../shared/data
// lookup.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace nbaprops::testing {

/// The real-data folder: $NBAPROPS_SHARED_DATA, else ../shared/data beside the
/// project.
inline std::filesystem::path shared_data_dir() {
  if (const char* env = std::getenv("NBAPROPS_SHARED_DATA")) return env;
  return NBAPROPS_SHARED_DATA_DEFAULT;
}

/// Skips the current test with a clear message when a real-data file is absent.
#define NBAPROPS_REQUIRE_SHARED_FILE(var, relpath)                                     \
  auto var = ::nbaprops::testing::shared_data_dir() / (relpath);                       \
  if (!std::filesystem::exists(var)) {                                                 \
    GTEST_SKIP() << "real data not found: " << var.string()                            \
                 << " (set NBAPROPS_SHARED_DATA or place shared/ beside the project)"; \
  }

/// A fresh temporary directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("nbaprops_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace nbaprops::testing
