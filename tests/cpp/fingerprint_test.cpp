// InputFingerprints: raw blocks are loaded by whichever unit finds them free.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nbaprops/pipeline/fingerprint.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "pipeline_fakes.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::pipeline;
namespace pf = nbaprops::testing::pipeline_fakes;

namespace {

const char* const kZones = "nba_raw.player_shot_zones";

/// Forwards to a base warehouse; content hashes of the gated table wait until
/// open() (the first caller announces itself), those of any other table are
/// recorded.
class GatedWarehouse final : public pf::Forwarding {
 public:
  GatedWarehouse(Warehouse& base, std::string gated) : Forwarding(base), gated_(std::move(gated)) {}

  std::map<Date, PartitionHash> content_hashes(const TableSchema& s, std::optional<DateRange> r,
                                               const std::vector<std::string>& c) override {
    std::unique_lock lock(mu_);
    if (s.name == gated_) {
      gate_entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
    } else {
      others_.push_back(s.name);
      cv_.notify_all();
    }
    lock.unlock();
    return Forwarding::content_hashes(s, r, c);
  }

  /// Waits up to @p limit for @p pred (under the lock). @return pred().
  template <class Pred>
  bool wait_for(std::chrono::milliseconds limit, Pred pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return pred(*this); });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool gate_entered_ = false;        // guarded by mu_
  std::vector<std::string> others_;  // guarded by mu_

 private:
  std::string gated_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

/// Writes one player_shot_zones row per team-game of the schedule (the raw
/// table of pipeline_fakes is written by pf::load_raw).
void load_zones(Warehouse& wh, const Schedule& s) {
  const TableSchema& schema = catalog::get(kZones);
  wh.ensure_table(schema);
  Table t(schema);
  std::vector<Date> dates;
  for (const Game& g : s.games()) {
    if (!g.counts()) continue;
    if (dates.empty() || dates.back() != g.date) dates.push_back(g.date);
    for (const bool home : {true, false}) {
      const std::string& team = home ? g.home : g.away;
      const size_t r = t.add_row();
      t.set(r, "game_id", g.date_id());
      t.set(r, "game_date", g.date);
      t.set(r, "season_year", int64_t{g.season});
      t.set(r, "player_lookup", "p_" + team);
      t.set(r, "team_abbr", team);
      t.set(r, "opponent_team_abbr", home ? g.away : g.home);
      t.set(r, "paint_attempts", int64_t{7});
    }
  }
  wh.replace_partitions(schema, dates, t);
}

}  // namespace

TEST(InputFingerprints, AUnitLoadsTheRawBlockNoOtherUnitIsLoadingInsteadOfWaiting) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse base(dir.path());
  const Schedule schedule = pf::small_schedule();
  pf::load_raw(base, schedule);
  load_zones(base, schedule);
  pf::Control control;
  // Reads the gated table first: a unit that waited for its reads in declared
  // order would not reach the zones while another unit loads the gated one.
  const pf::Fake fake("fake_two_raw", "f2", pf::kA,
                      {{pf::kRaw, WindowKind::kSameDate, 0, true}, {kZones, WindowKind::kSameDate, 0, false}}, control);
  const Unit a{&fake, pf::D("2023-11-10")}, b{&fake, pf::D("2023-11-11")};
  const std::map<std::string, DateRange> windows = {{pf::kRaw, {pf::D("2023-10-01"), pf::D("2023-11-30")}},
                                                    {kZones, {pf::D("2023-10-01"), pf::D("2023-11-30")}}};
  std::string want_a, want_b;
  {
    InputFingerprints serial(base, schedule, windows);
    want_a = serial.fingerprint(a);
    want_b = serial.fingerprint(b);
  }

  GatedWarehouse gated(base, pf::kRaw);
  InputFingerprints fps(gated, schedule, windows);
  auto first = std::async(std::launch::async, [&] { return fps.fingerprint(a); });
  ASSERT_TRUE(gated.wait_for(std::chrono::seconds(10), [](GatedWarehouse& g) { return g.gate_entered_; }));
  auto second = std::async(std::launch::async, [&] { return fps.fingerprint(b); });
  // The second unit hashes the zones while the first still holds the gated
  // table's block.
  const bool zones_while_gated = gated.wait_for(std::chrono::seconds(10), [](GatedWarehouse& g) {
    return std::find(g.others_.begin(), g.others_.end(), kZones) != g.others_.end();
  });
  gated.open();
  EXPECT_TRUE(zones_while_gated);
  // Same fingerprints as one unit after the other.
  EXPECT_EQ(first.get(), want_a);
  EXPECT_EQ(second.get(), want_b);
  EXPECT_NE(want_a, want_b);
}

// A season-to-date read mixes the season's tokens once: each unit goes on from
// the state an earlier unit of the same window start left. Its fingerprints
// equal those of a fresh InputFingerprints per unit, in date order, in reverse
// order, with two reads (the second's prefix starts from the first's state)
// and after a partition inside earlier windows was committed again.
TEST(InputFingerprints, ASeasonToDateReadGoesOnFromTheStateOfAnEarlierUnit) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Schedule schedule = pf::small_schedule();
  pf::load_raw(wh, schedule);
  const TableSchema& psza = catalog::get(pf::kA);
  wh.ensure_table(psza);
  std::vector<Date> days;
  Table rows(psza);
  for (const char* iso : {"2023-10-25", "2023-11-01", "2023-11-10", "2023-11-11", "2023-11-13", "2023-11-14"}) {
    days.push_back(pf::D(iso));
    for (int i = 0; i <= static_cast<int>(days.size() % 3); ++i) {
      const size_t r = rows.add_row();
      rows.set(r, "player_lookup", "p" + std::to_string(i));
      rows.set(r, "analysis_date", days.back());
    }
  }
  wh.replace_partitions(psza, days, rows);
  pf::Control control;
  const pf::Fake one("fake_season", "fs", pf::kB, {{pf::kA, WindowKind::kSeasonToDate, 0, true}}, control);
  const pf::Fake two("fake_two", "ft", pf::kC,
                     {{pf::kRaw, WindowKind::kSeasonToDate, 0, true}, {pf::kA, WindowKind::kSeasonToDate, 0, true}},
                     control);
  const std::map<std::string, DateRange> windows = {{pf::kA, {pf::D("2023-10-01"), pf::D("2023-11-30")}},
                                                    {pf::kRaw, {pf::D("2023-10-01"), pf::D("2023-11-30")}}};
  const std::vector<Date> dates = {pf::D("2023-11-02"), pf::D("2023-11-10"), pf::D("2023-11-12"),
                                   pf::D("2023-11-14"), pf::D("2023-11-16"), pf::D("2023-11-20")};
  const PartitionHash changed{0x1234, 3};
  for (const pf::Fake* fake : {&one, &two}) {
    // What a fresh InputFingerprints gives each unit (nothing to go on from),
    // before and after the 11-10 partition is committed again.
    std::vector<std::string> want, want_after;
    for (const Date d : dates) {
      InputFingerprints fresh(wh, schedule, windows);
      want.push_back(fresh.fingerprint(Unit{fake, d}));
      fresh.note_committed(pf::kA, pf::D("2023-11-10"), {{pf::D("2023-11-10"), changed}});
      want_after.push_back(fresh.fingerprint(Unit{fake, d}));
    }
    EXPECT_NE(want.front(), want.back());
    EXPECT_EQ(want.front(), want_after.front());  // 11-02's window ends before 11-10
    EXPECT_NE(want.back(), want_after.back());
    InputFingerprints forward(wh, schedule, windows);
    for (size_t i = 0; i < dates.size(); ++i) {
      EXPECT_EQ(forward.fingerprint(Unit{fake, dates[i]}), want[i]) << fake->info().name << " " << dates[i].iso();
    }
    forward.note_committed(pf::kA, pf::D("2023-11-10"), {{pf::D("2023-11-10"), changed}});
    for (size_t i = 0; i < dates.size(); ++i) {
      EXPECT_EQ(forward.fingerprint(Unit{fake, dates[i]}), want_after[i]) << fake->info().name << " " << dates[i].iso();
    }
    InputFingerprints backward(wh, schedule, windows);
    for (size_t i = dates.size(); i-- > 0;) {
      EXPECT_EQ(backward.fingerprint(Unit{fake, dates[i]}), want[i]) << fake->info().name << " " << dates[i].iso();
    }
  }
}
