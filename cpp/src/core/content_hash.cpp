#include "nbaprops/core/content_hash.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace nbaprops {

namespace {

constexpr unsigned char kNullTag = 0xfe;  ///< a NULL cell's value byte
constexpr unsigned char kTextEnd = 0xff;  ///< ends a text cell's bytes (fnv1a_text's end byte)

inline void mix_bytes(uint64_t& h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= kFnvPrime;
  }
}

// A cell of a row: the state mixed with its column's seed (the column's name,
// see RowHashBuilder), then its value. Every way of hashing rows (a cell at a
// time, a column at a time) goes through these, so they agree.
inline uint64_t with_seed(uint64_t h, uint64_t seed) { return (h ^ seed) * kFnvPrime; }
inline uint64_t with_null(uint64_t h) {
  mix_bytes(h, &kNullTag, 1);
  return h;
}
inline uint64_t with_int(uint64_t h, int64_t v) {
  mix_bytes(h, &v, sizeof v);
  return h;
}
inline uint64_t with_real(uint64_t h, double v) {
  if (v == 0.0) v = 0.0;  // -0.0 and 0.0 are the same stored value
  mix_bytes(h, &v, sizeof v);
  return h;
}
inline uint64_t with_text(uint64_t h, std::string_view v) { return fnv1a_text(h, v); }

/// with_seed, then with_int of @p word (an 8-byte value's bytes, low first;
/// with_real's bytes are its bit pattern's) or with_null: one row's step of an
/// 8-byte column in RowHasher::hash_all, written so that a loop of it over
/// rows vectorises (each row's chain of multiplies is its own lane).
inline uint64_t mix_word(uint64_t h, uint64_t seed, uint64_t word, bool valid) {
  const uint64_t x = with_seed(h, seed);
  uint64_t y = x;
  for (int i = 0; i < 8; ++i) y = (y ^ ((word >> (8 * i)) & 0xff)) * kFnvPrime;
  return valid ? y : with_null(x);
}

// The integer and real column steps of hash_all, compiled twice: for x86-64-v4
// (AVX-512: eight rows' multiplies in one instruction) and for the baseline,
// the copy the CPU runs picked when the library loads. The same values either
// way (ContentHash.VectorColumnStepsEqualTheByteSteps).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NBAPROPS_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))
#else
#define NBAPROPS_VECTOR_CLONES
#endif

NBAPROPS_VECTOR_CLONES void mix_int_column(uint64_t* h, const int64_t* v, const uint8_t* valid, size_t n,
                                           uint64_t seed) {
  for (size_t r = 0; r < n; ++r) h[r] = mix_word(h[r], seed, static_cast<uint64_t>(v[r]), valid[r] != 0);
}

NBAPROPS_VECTOR_CLONES void mix_real_column(uint64_t* h, const double* v, const uint8_t* valid, size_t n,
                                            uint64_t seed) {
  for (size_t r = 0; r < n; ++r) {
    const uint64_t bits = v[r] == 0.0 ? 0 : std::bit_cast<uint64_t>(v[r]);  // -0.0 and 0.0 are the same stored value
    h[r] = mix_word(h[r], seed, bits, valid[r] != 0);
  }
}

#undef NBAPROPS_VECTOR_CLONES

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

RowHashBuilder::RowHashBuilder(const std::vector<std::string>& column_names)
    : seed_of_(column_names.size(), 0), hashed_(column_names.size(), 0) {
  for (size_t c = 0; c < column_names.size(); ++c) add_name(c, column_names[c]);
}

RowHashBuilder::RowHashBuilder(const Table& shape, const std::vector<size_t>& chosen)
    : seed_of_(chosen.size(), 0), hashed_(chosen.size(), 0) {
  for (size_t c = 0; c < chosen.size(); ++c) add_name(c, shape.column_names()[chosen[c]]);
}

void RowHashBuilder::add_name(size_t c, std::string_view name) {
  if (is_run_stamp_column(name)) return;
  uint64_t seed = kFnvOffset;
  mix_bytes(seed, name.data(), name.size());
  seed_of_[c] = seed;
  hashed_[c] = 1;
}

void RowHashBuilder::start() noexcept { h_ = kFnvOffset; }

void RowHashBuilder::cell(size_t col) noexcept { h_ = with_seed(h_, seed_of_[col]); }

void RowHashBuilder::null(size_t col) noexcept {
  cell(col);
  h_ = with_null(h_);
}

void RowHashBuilder::int64(size_t col, int64_t v) noexcept {
  cell(col);
  h_ = with_int(h_, v);
}

void RowHashBuilder::real(size_t col, double v) noexcept {
  cell(col);
  h_ = with_real(h_, v);
}

void RowHashBuilder::text(size_t col, std::string_view v) noexcept {
  cell(col);
  h_ = with_text(h_, v);
}

uint64_t RowHashBuilder::finish() const noexcept { return finalise(h_); }

namespace {

/// Hashes rows of Tables laid out like one shape over chosen columns of it (in
/// the order chosen; names resolved once).
struct RowHasher {
  RowHashBuilder builder;
  std::vector<size_t> cols;  ///< per hashed position: the column of the shape (stamps included)

  RowHasher(const Table& shape, std::vector<size_t> chosen) : builder(shape, chosen), cols(std::move(chosen)) {}
  explicit RowHasher(const Table& shape) : RowHasher(shape, all_columns(shape)) {}

  [[nodiscard]] uint64_t hash(const Table& t, size_t row) {
    builder.start();
    for (size_t k = 0; k < cols.size(); ++k) {
      if (!builder.hashed(k)) continue;
      const Column& col = t.col(cols[k]);
      if (col.is_null(row)) {
        builder.null(k);
        continue;
      }
      switch (col.storage()) {
        case Storage::kInt:
          builder.int64(k, col.int_at(row));
          break;
        case Storage::kReal:
          builder.real(k, col.real_at(row));
          break;
        case Storage::kText:
          builder.text(k, col.text_at(row));
          break;
      }
    }
    return builder.finish();
  }

  /// @return hash(t, r) of every row r of @p t, computed a column at a time:
  /// one row's FNV steps wait on each other, different rows' do not, so the
  /// CPU overlaps the rows of a column (row by row it could not).
  void hash_all(const Table& t, std::vector<uint64_t>& h) const {
    const size_t n = t.num_rows();
    h.assign(n, kFnvOffset);
    for (size_t k = 0; k < cols.size(); ++k) {
      if (!builder.hashed(k)) continue;
      const Column& col = t.col(cols[k]);
      const uint64_t seed = builder.column_seed(k);
      const auto& valid = col.valid();
      auto each = [&](auto&& value) {
        for (size_t r = 0; r < n; ++r) {
          const uint64_t x = with_seed(h[r], seed);
          h[r] = valid[r] ? value(x, r) : with_null(x);
        }
      };
      // mix_word reads a value's bytes low first, as with_int and with_real
      // read them from memory on a little-endian machine.
      constexpr bool kWords = std::endian::native == std::endian::little;
      switch (col.storage()) {
        case Storage::kInt:
          if constexpr (kWords) {
            mix_int_column(h.data(), col.ints().data(), valid.data(), n, seed);
          } else {
            each([&v = col.ints()](uint64_t x, size_t r) { return with_int(x, v[r]); });
          }
          break;
        case Storage::kReal:
          if constexpr (kWords) {
            mix_real_column(h.data(), col.reals().data(), valid.data(), n, seed);
          } else {
            each([&v = col.reals()](uint64_t x, size_t r) { return with_real(x, v[r]); });
          }
          break;
        case Storage::kText:
          mix_texts(h, col, seed);
          break;
      }
    }
    for (uint64_t& x : h) x = finalise(x);
  }

  /// The text column step of hash_all: with_seed then with_text (or
  /// with_null) of every row. FNV takes a text's bytes one after another,
  /// so kLanes rows are stepped side by side over their common length (their
  /// chains do not wait on each other); the values are those of one row at a
  /// time.
  static void mix_texts(std::vector<uint64_t>& h, const Column& col, uint64_t seed) {
    constexpr size_t kLanes = 4;
    const auto& valid = col.valid();
    const size_t n = h.size();
    size_t r = 0;
    for (; r + kLanes <= n; r += kLanes) {
      std::array<uint64_t, kLanes> x{};
      std::array<std::string_view, kLanes> text{};
      size_t common = SIZE_MAX;
      for (size_t k = 0; k < kLanes; ++k) {
        x[k] = with_seed(h[r + k], seed);
        if (valid[r + k]) text[k] = col.text_at(r + k);
        common = std::min(common, text[k].size());
      }
      for (size_t i = 0; i < common; ++i) {
        for (size_t k = 0; k < kLanes; ++k) x[k] = (x[k] ^ static_cast<unsigned char>(text[k][i])) * kFnvPrime;
      }
      for (size_t k = 0; k < kLanes; ++k) {
        if (!valid[r + k]) {
          h[r + k] = with_null(x[k]);
          continue;
        }
        mix_bytes(x[k], text[k].data() + common, text[k].size() - common);
        mix_bytes(x[k], &kTextEnd, 1);
        h[r + k] = x[k];
      }
    }
    for (; r < n; ++r) {
      const uint64_t x = with_seed(h[r], seed);
      h[r] = valid[r] ? with_text(x, col.text_at(r)) : with_null(x);
    }
  }

  static std::vector<size_t> all_columns(const Table& shape) {
    std::vector<size_t> all(shape.num_columns());
    for (size_t c = 0; c < all.size(); ++c) all[c] = c;
    return all;
  }
};

}  // namespace

uint64_t row_content_hash(const Table& t, size_t row) { return RowHasher(t).hash(t, row); }

struct PartitionHasher::Impl {
  RowHasher rows;
  size_t part;
  std::vector<uint64_t> hashes;  ///< per row of the Table being added (reused)
};

PartitionHasher::PartitionHasher(const Table& shape, const std::vector<std::string>& columns) {
  const int part = shape.index_of(shape.schema().partition_column);
  if (part < 0) return;  // not partitioned: no partition hashes
  std::vector<size_t> chosen;
  if (columns.empty()) {
    chosen = RowHasher::all_columns(shape);
  } else {
    for (const auto& c : columns) chosen.push_back(shape.require(c));
  }
  impl_ = std::make_unique<Impl>(Impl{RowHasher(shape, std::move(chosen)), static_cast<size_t>(part), {}});
}

PartitionHasher::~PartitionHasher() = default;

void PartitionHasher::add(const Table& rows, std::map<Date, PartitionHash>& out) {
  if (!impl_) return;
  const Column& pc = rows.col(impl_->part);
  impl_->rows.hash_all(rows, impl_->hashes);
  PartitionHash* ph = nullptr;  // the current run of one date's rows
  int64_t day = 0;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    if (pc.is_null(r)) continue;
    if (ph == nullptr || pc.int_at(r) != day) {
      day = pc.int_at(r);
      ph = &out[Date(static_cast<int32_t>(day))];
    }
    ph->sum += impl_->hashes[r];
    ++ph->rows;
  }
}

std::map<Date, PartitionHash> partition_hashes_of(const Table& rows, const std::vector<std::string>& columns) {
  std::map<Date, PartitionHash> out;
  PartitionHasher(rows, columns).add(rows, out);
  return out;
}

}  // namespace nbaprops
