// Partition hashes are computed a column at a time (PartitionHasher) and a row
// at a time (row_content_hash, RowHashBuilder for rows streamed from SQLite):
// every way must give the same value, or resume would see every input changed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>
#include <map>

#include "nbaprops/core/content_hash.hpp"

using namespace nbaprops;

namespace {

const TableSchema& togs() { return catalog::get("nba_analytics.team_offense_game_summary"); }

/// The partition hashes of @p t summed a row at a time (row_content_hash).
std::map<Date, PartitionHash> row_by_row(const Table& t) {
  std::map<Date, PartitionHash> want;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    PartitionHash& ph = want[*t.get_date(r, "game_date")];
    ph.sum += row_content_hash(t, r);
    ++ph.rows;
  }
  return want;
}

}  // namespace

// NULLs of every storage, -0.0 and 0.0, empty and long texts, run stamps, and
// rows of one date not next to each other.
TEST(ContentHash, ColumnAtATimeEqualsRowByRow) {
  Table t(togs());
  const Date d = Date::parse("2024-01-10");
  for (int i = 0; i < 37; ++i) {
    const size_t r = t.add_row();
    t.set(r, "game_date", d + (i % 3));
    if (i % 4 != 0) t.set(r, "game_id", std::string(static_cast<size_t>(i % 9), static_cast<char>('a' + i % 26)));
    t.set(r, "team_abbr", i % 6 == 0 ? std::string() : "T" + std::to_string(i));
    if (i % 5 != 1) t.set(r, "points_scored", int64_t{i * 1000003 - 17});
    if (i % 7 != 2) t.set(r, "ts_pct", i % 2 ? -0.0 : (i % 3 ? 0.0 : 1.0 / (i + 1)));
    if (i % 2) t.set(r, "processed_at", "2026-01-01T00:00:0" + std::to_string(i % 10));
  }
  const auto want = row_by_row(t);
  const auto got = partition_hashes_of(t);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& [day, ph] : want) {
    EXPECT_EQ(got.at(day).rows, ph.rows);
    EXPECT_EQ(got.at(day).hex(), ph.hex()) << day.iso();
  }
  // -0.0 hashes as 0.0; a stamp column does not count.
  Table a = t.slice(0, 1), b = t.slice(0, 1);
  a.set(0, "ts_pct", 0.0);
  b.set(0, "ts_pct", -0.0);
  b.set(0, "processed_at", "another time");
  EXPECT_EQ(partition_hashes_of(a).begin()->second.hex(), partition_hashes_of(b).begin()->second.hex());
  // Stable across versions: a stored partition hash must keep its value.
  Table one(togs());
  one.add_row();
  one.set(0, "game_date", d);
  one.set(0, "game_id", "20240110_LAL_BOS");
  one.set(0, "points_scored", int64_t{112});
  one.set(0, "ts_pct", 0.571);
  EXPECT_EQ(partition_hashes_of(one).at(d).hex(), "d932e9495adb6465");
}

// The integer and real columns are hashed eight rows at a time where the CPU
// has AVX-512 (a clone of the column step picked when the library loads): the
// same values as one byte at a time, for every row count from 0 to 40 (full
// groups of eight and every tail), extreme integers, every kind of double
// (NaN, ±inf, subnormals, -0.0) and NULLs in any lane.
TEST(ContentHash, VectorColumnStepsEqualTheByteSteps) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> reals = {
      0.0, -0.0, 1.0, -2.5, inf, -inf, std::nan(""), 4.9e-324, -2.2250738585072014e-308, 1e308, 0.571, 3.0};
  const std::vector<int64_t> ints = {0,
                                     -1,
                                     1,
                                     std::numeric_limits<int64_t>::min(),
                                     std::numeric_limits<int64_t>::max(),
                                     255,
                                     256,
                                     -256,
                                     int64_t{1} << 40,
                                     112};
  const Date d = Date::parse("2024-01-10");
  for (size_t n = 0; n <= 40; ++n) {
    Table t(togs());
    for (size_t i = 0; i < n; ++i) {
      const size_t r = t.add_row();
      t.set(r, "game_date", d + static_cast<int>(i % 2));
      if ((i * 7 + n) % 5 != 0) t.set(r, "points_scored", ints[(i + n) % ints.size()]);
      if ((i * 3 + n) % 4 != 1) t.set(r, "ts_pct", reals[(i * 5 + n) % reals.size()]);
      if (i % 3 == 0) t.set(r, "possessions", int64_t{static_cast<int64_t>(i) - 20});
    }
    const auto want = row_by_row(t);
    const auto got = partition_hashes_of(t);
    ASSERT_EQ(got.size(), want.size()) << n << " rows";
    for (const auto& [day, ph] : want) {
      EXPECT_EQ(got.at(day).rows, ph.rows) << n << " rows";
      EXPECT_EQ(got.at(day).hex(), ph.hex()) << n << " rows, " << day.iso();
    }
  }
}

// Text columns are hashed several rows side by side over their common length:
// long texts of unequal lengths, NULLs and empty texts among them, in every
// position of a group and in the tail.
TEST(ContentHash, LongTextsSideBySideEqualRowByRow) {
  Table t(togs());
  const Date d = Date::parse("2024-01-10");
  for (int i = 0; i < 203; ++i) {
    const size_t r = t.add_row();
    t.set(r, "game_date", d + (i % 2));
    if (i % 11 != 3) {
      std::string text;
      const int len = (i * 37) % 301;
      for (int k = 0; k < len; ++k) text += static_cast<char>(32 + (i * 7 + k * 13) % 95);
      t.set(r, "game_id", text);
    }
    if (i % 5 == 0) t.set(r, "team_abbr", std::string(static_cast<size_t>(i), '\xff'));
  }
  const auto want = row_by_row(t);
  const auto got = partition_hashes_of(t);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [day, ph] : want) EXPECT_EQ(got.at(day).hex(), ph.hex()) << day.iso();
}
