#include "nbaprops/core/content_hash.hpp"

#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

namespace nbaprops {

namespace {

constexpr uint64_t kFnvOffset = 1469598103934665603ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

inline void mix_bytes(uint64_t& h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= kFnvPrime;
  }
}

/// A final avalanche so that the per-row sums do not cancel structure
/// (splitmix64 finaliser).
inline uint64_t finalise(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

bool is_run_stamp_column(std::string_view c) noexcept {
  static constexpr std::string_view kStamps[] = {"created_at", "processed_at", "updated_at",
                                                 "graded_at",  "computed_at",  "run_id"};
  for (std::string_view s : kStamps) {
    if (c == s) return true;
  }
  constexpr std::string_view kSuffix = "_last_updated";
  return c.size() > kSuffix.size() && c.substr(0, 7) == "source_" && c.substr(c.size() - kSuffix.size()) == kSuffix;
}

std::string PartitionHash::hex() const {
  uint64_t h = finalise(sum ^ finalise(static_cast<uint64_t>(rows) + 0x9e3779b97f4a7c15ULL));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

/// The non-stamp columns of a table with the hash state after their names
/// (computed once per table).
struct RowHasher {
  std::vector<std::pair<size_t, uint64_t>> cols;
  explicit RowHasher(const Table& t) {
    for (size_t c = 0; c < t.num_columns(); ++c) {
      const std::string& name = t.column_names()[c];
      if (is_run_stamp_column(name)) continue;
      uint64_t seed = kFnvOffset;
      mix_bytes(seed, name.data(), name.size());
      cols.emplace_back(c, seed);
    }
  }
  [[nodiscard]] uint64_t hash(const Table& t, size_t row) const {
    uint64_t h = kFnvOffset;
    for (const auto& [c, seed] : cols) {
      h = (h ^ seed) * kFnvPrime;
      const Column& col = t.col(c);
      if (col.is_null(row)) {
        const unsigned char null_tag = 0xfe;
        mix_bytes(h, &null_tag, 1);
        continue;
      }
      switch (col.storage()) {
        case Storage::kInt: {
          const int64_t v = col.int_at(row);
          mix_bytes(h, &v, sizeof v);
          break;
        }
        case Storage::kReal: {
          double v = col.real_at(row);
          if (v == 0.0) v = 0.0;  // -0.0 and 0.0 are the same stored value
          mix_bytes(h, &v, sizeof v);
          break;
        }
        case Storage::kText: {
          const std::string& v = col.text_at(row);
          mix_bytes(h, v.data(), v.size());
          const unsigned char end = 0xff;
          mix_bytes(h, &end, 1);
          break;
        }
      }
    }
    return finalise(h);
  }
};

}  // namespace

uint64_t row_content_hash(const Table& t, size_t row) { return RowHasher(t).hash(t, row); }

std::map<Date, PartitionHash> partition_hashes_of(const Table& rows) {
  std::map<Date, PartitionHash> out;
  const int part = rows.index_of(rows.schema().partition_column);
  if (part < 0) return out;
  const Column& pc = rows.col(static_cast<size_t>(part));
  const RowHasher hasher(rows);
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    if (pc.is_null(r)) continue;
    PartitionHash& ph = out[Date(static_cast<int32_t>(pc.int_at(r)))];
    ph.sum += hasher.hash(rows, r);
    ++ph.rows;
  }
  return out;
}

}  // namespace nbaprops
