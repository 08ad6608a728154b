// Partition hashes are computed a column at a time (PartitionHasher) and a row
// at a time (row_content_hash, RowHashBuilder for rows streamed from SQLite):
// every way must give the same value, or resume would see every input changed.
#include <gtest/gtest.h>

#include <cmath>
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
