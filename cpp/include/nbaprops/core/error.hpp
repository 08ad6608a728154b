#pragma once
/// @file error.hpp
/// The nbaprops error hierarchy. Every exception the core throws derives from
/// nbaprops::Error and carries an ErrorCode; the Python bindings translate them
/// in exactly one place (bindings/errors.cpp).

#include <stdexcept>
#include <string>

namespace nbaprops {

/// Machine-readable category of an Error; drives the Python exception class.
enum class ErrorCode {
  kConfig,     ///< bad arguments, unknown processor/table, bad CLI input
  kData,       ///< malformed input data (file, row, field, date named in the message)
  kPreflight,  ///< pre-flight found missing upstream data and policy says abort
  kStorage,    ///< warehouse I/O (SQLite, files)
  kNetwork,    ///< HTTP/BigQuery/GCS
  kCancelled,  ///< the run was interrupted (Ctrl-C)
  kInternal,   ///< a broken invariant: a bug in nbaprops
};

/// Base class of all nbaprops errors. Thread-safe to copy and throw across TBB
/// tasks.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  /// @return the error category.
  [[nodiscard]] ErrorCode code() const noexcept { return code_; }
  /// @return true for errors worth retrying (storage busy, network hiccups).
  [[nodiscard]] bool transient() const noexcept { return transient_; }
  Error& set_transient(bool value) noexcept {
    transient_ = value;
    return *this;
  }

 private:
  ErrorCode code_;
  bool transient_ = false;
};

/// Invalid configuration or arguments.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& m) : Error(ErrorCode::kConfig, m) {}
};
/// Malformed input data; the message names file, row, field and date where
/// known.
class DataError : public Error {
 public:
  explicit DataError(const std::string& m) : Error(ErrorCode::kData, m) {}
};
/// Pre-flight refused the run.
class PreflightError : public Error {
 public:
  explicit PreflightError(const std::string& m) : Error(ErrorCode::kPreflight, m) {}
};
/// Warehouse storage failure.
class StorageError : public Error {
 public:
  explicit StorageError(const std::string& m, bool transient = false) : Error(ErrorCode::kStorage, m) {
    set_transient(transient);
  }
};
/// Network failure (HTTP, BigQuery REST).
class NetworkError : public Error {
 public:
  explicit NetworkError(const std::string& m, bool transient = true) : Error(ErrorCode::kNetwork, m) {
    set_transient(transient);
  }
};
/// The operation was cancelled by the user.
class Cancelled : public Error {
 public:
  explicit Cancelled(const std::string& m = "cancelled") : Error(ErrorCode::kCancelled, m) {}
};
/// A broken internal invariant.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& m) : Error(ErrorCode::kInternal, m) {}
};

}  // namespace nbaprops

/// Programmer-error assertion: throws InternalError with the failed expression
/// and location.
#define NBAPROPS_ASSERT(cond)                                                                           \
  do {                                                                                                  \
    if (!(cond)) {                                                                                      \
      throw ::nbaprops::InternalError(std::string("assertion failed: " #cond " at ") + __FILE__ + ":" + \
                                      std::to_string(__LINE__));                                        \
    }                                                                                                   \
  } while (0)
