#pragma once
/// @file content_hash.hpp
/// Content hashes of stored partitions: what resume compares to notice changed
/// inputs. A partition hash is order-independent (rows may come back in any
/// order) and leaves out run-stamp columns (when a row was written says nothing
/// about what it holds), so a rerun that writes the same values keeps the same
/// hash and its downstream units stay up to date.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"

namespace nbaprops {

/// FNV-1a's 64-bit offset basis and prime: the content hashes and the input
/// fingerprints (pipeline/fingerprint.hpp) are both built from them.
inline constexpr uint64_t kFnvOffset = 1469598103934665603ULL;
inline constexpr uint64_t kFnvPrime = 1099511628211ULL;

/// FNV-1a of @p text's bytes and then a 0xff end byte, continuing from @p h:
/// how a text cell enters a row hash, and a field an input fingerprint.
inline uint64_t fnv1a_text(uint64_t h, std::string_view text) noexcept {
  for (const unsigned char c : text) {
    h ^= c;
    h *= kFnvPrime;
  }
  h ^= 0xff;
  h *= kFnvPrime;
  return h;
}

/// @return true for columns stamped by the run rather than computed from data:
/// created_at, processed_at, updated_at, graded_at, computed_at, run_id and
/// every source_*_last_updated copy.
bool is_run_stamp_column(std::string_view column) noexcept;

/// Hash and row count of one partition.
struct PartitionHash {
  uint64_t sum = 0;  ///< sum (mod 2^64) of the rows' hashes
  int64_t rows = 0;
  /// @return 16 lowercase hex chars of the hash mixed with the row count.
  [[nodiscard]] std::string hex() const;
};

/// Hashes rows cell by cell over a fixed list of columns, exactly as
/// row_content_hash does for a Table with those columns: what a streaming
/// reader (SQLite rows, never materialised) uses to compute the same partition
/// hashes as partition_hashes_of.
class RowHashBuilder {
 public:
  /// @param column_names the row's columns in order (run-stamp columns are
  ///   kept in the numbering but not hashed).
  explicit RowHashBuilder(const std::vector<std::string>& column_names);
  /// The same over the columns @p chosen of @p shape (their names not copied).
  RowHashBuilder(const Table& shape, const std::vector<size_t>& chosen);
  /// @return false for a run-stamp column (its cells must not be passed).
  [[nodiscard]] bool hashed(size_t col) const noexcept { return hashed_[col] != 0; }
  /// Starts a row; then, for every hashed column in ascending order, exactly
  /// one of null / int64 / real / text; then finish().
  void start() noexcept;
  void null(size_t col) noexcept;
  void int64(size_t col, int64_t v) noexcept;
  void real(size_t col, double v) noexcept;
  void text(size_t col, std::string_view v) noexcept;
  [[nodiscard]] uint64_t finish() const noexcept;
  /// @return the hash state a row's cell of column @p col starts from is
  /// mixed with (for hashing a column of many rows at once).
  [[nodiscard]] uint64_t column_seed(size_t col) const noexcept { return seed_of_[col]; }

 private:
  void cell(size_t col) noexcept;
  /// Seeds column @p c with @p name (a run-stamp column stays unhashed).
  void add_name(size_t c, std::string_view name);

  std::vector<uint64_t> seed_of_;  ///< per column: FNV state after its name
  std::vector<uint8_t> hashed_;    ///< per column: 0 for a run-stamp column
  uint64_t h_ = 0;
};

/// @return the 64-bit FNV-1a hash of row @p row over every non-stamp column of
/// @p t (column name and value; NULL distinct from every value). Stable across
/// processes and platforms.
uint64_t row_content_hash(const Table& t, size_t row);

/// Partition hashes over chosen columns of Tables that share one column layout
/// (the parts of a cached table, say): columns are resolved once, here.
class PartitionHasher {
 public:
  /// @param shape a Table with the layout of those that will be added.
  /// @param columns the hashed columns, in order (empty: all of @p shape's);
  ///   run-stamp columns among them are left out. @throws DataError when
  ///   @p shape has no such column.
  PartitionHasher(const Table& shape, const std::vector<std::string>& columns);
  ~PartitionHasher();
  PartitionHasher(const PartitionHasher&) = delete;
  PartitionHasher& operator=(const PartitionHasher&) = delete;
  /// Adds each row of @p rows (NULL partition date: skipped) to its
  /// partition's hash in @p out. Nothing when the shape has no partition
  /// column.
  void add(const Table& rows, std::map<Date, PartitionHash>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// @return the partition hashes of @p rows over @p columns (empty: every
/// column), grouped by the schema's partition column. A hash over columns c
/// equals the hash of the same rows read with exactly the columns c. Thread-safe.
std::map<Date, PartitionHash> partition_hashes_of(const Table& rows, const std::vector<std::string>& columns = {});

}  // namespace nbaprops
