#pragma once
/// @file object_store.hpp
/// Files and objects: reading a local file (gzip-transparent) and a small
/// object-store interface over a local directory tree or a bucket
/// (`gs://bucket/prefix`), shared by importers (the legacy data lake), exports
/// (the API bucket) and model loading.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nbaprops::io {

/// Reads a whole file; `.gz` content (detected by its magic bytes) is
/// decompressed.
/// @throws StorageError (missing/unreadable, names the path), DataError
/// (corrupt gzip).
std::string read_file(const std::string& path);

/// Decompresses @p bytes when they start with the gzip magic, else returns them
/// unchanged.
/// @param name used in the error message. @throws DataError on corrupt or
/// truncated data.
std::string maybe_gunzip(std::string bytes, const std::string& name);

/// One object (or file) under a store.
struct ObjectInfo {
  std::string path;     ///< path relative to the store root, '/'-separated
  int64_t size = 0;     ///< bytes
  std::string updated;  ///< last modification, UTC ISO-8601 (for "newest file wins")
};

/// A tree of objects. Implementations are thread-safe.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  /// @return the store's URI (a directory path or gs://bucket/prefix).
  [[nodiscard]] virtual std::string uri() const = 0;
  /// @return every object whose relative path starts with @p prefix, sorted by
  /// path.
  [[nodiscard]] virtual std::vector<ObjectInfo> list(const std::string& prefix) = 0;
  /// @return the object's bytes as stored (no decompression). @throws
  /// StorageError, NetworkError.
  [[nodiscard]] virtual std::string read(const std::string& path) = 0;
  /// Writes an object atomically (readers see the old or the new bytes, never
  /// half).
  /// @param content_type e.g. "application/json"; @param cache_control e.g.
  /// "public, max-age=300" (metadata kept by buckets; ignored by a local
  /// directory).
  virtual void write(const std::string& path, std::string_view bytes, const std::string& content_type,
                     const std::string& cache_control) = 0;
};

/// A local directory laid out like a bucket.
class LocalObjectStore final : public ObjectStore {
 public:
  explicit LocalObjectStore(std::string root);
  [[nodiscard]] std::string uri() const override { return root_; }
  [[nodiscard]] std::vector<ObjectInfo> list(const std::string& prefix) override;
  [[nodiscard]] std::string read(const std::string& path) override;
  void write(const std::string& path, std::string_view bytes, const std::string& content_type,
             const std::string& cache_control) override;

 private:
  std::string root_;
};

/// Opens a store: a directory path, or `gs://bucket/prefix` (Google Cloud
/// Storage).
/// @throws ConfigError for an unsupported URI.
std::unique_ptr<ObjectStore> open_object_store(const std::string& uri);

}  // namespace nbaprops::io
