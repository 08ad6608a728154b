// Check-only resume (freshness.hpp): which committed units are up to date,
// stale, missing or failed, computed without running anything — and a resume
// then recomputes what it called stale; a run on a read-only warehouse is
// refused before any unit.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>

#include "nbaprops/pipeline/freshness.hpp"
#include "nbaprops/pipeline/run_lock.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "pipeline_fakes.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::pipeline;
using namespace nbaprops::testing::pipeline_fakes;
using nbaprops::testing::TempDir;

namespace {

const UnitFreshness& unit(const FreshnessReport& r, const Processor* p, const char* date) {
  for (const auto& u : r.units) {
    if (u.processor == p && u.date == D(date)) return u;
  }
  throw std::runtime_error("no such unit");
}

/// One raw row of @p date changed in content (same teams, another opponent).
void change_raw(Warehouse& wh, Date date) {
  const TableSchema& schema = catalog::get(kRaw);
  Table t = wh.read(schema, DateRange{date, date});
  ASSERT_GT(t.num_rows(), 0u);
  t.set(0, "offense_team_abbr", std::string("XXX"));
  wh.replace_partition(schema, date, t);
}

/// The three fakes run over 2023-11-10 … 11-16 on a new warehouse holding the
/// small schedule's raw rows: every unit committed.
struct CommittedWeek {
  TempDir dir;
  std::filesystem::path path = dir.path() / "wh";
  std::unique_ptr<Warehouse> wh = open_warehouse(path.string());
  Schedule s = small_schedule();
  Fakes f;
  Plan plan;
  RunOptions ro;

  CommittedWeek() {
    load_raw(*wh, s);
    PlanOptions o;
    o.range = DateRange{D("2023-11-10"), D("2023-11-16")};
    plan = make_plan(s, o, f.abc());
    ro.checkpoint_dir = (dir.path() / "ck").string();
    EXPECT_EQ(run(*wh, s, plan, ro).exit_code(), 0);
  }
};

}  // namespace

TEST(Freshness, StaleUnitsAreTheChangedInputsAndTheirDependents) {
  TempDir dir;
  const std::string path = (dir.path() / "wh").string();
  auto wh = open_warehouse(path);
  Schedule s = small_schedule();
  load_raw(*wh, s);
  Fakes f;
  PlanOptions o;
  o.range = DateRange{D("2023-10-20"), D("2023-11-16")};
  const Plan plan = make_plan(s, o, f.abc());
  RunOptions ro;
  ro.checkpoint_dir = (dir.path() / "ck").string();

  // Nothing run yet: every unit is missing (fc's bootstrap date is skipped).
  FreshnessReport before = check_freshness(*wh, s, plan);
  EXPECT_EQ(before.count(Freshness::kMissing), before.units.size() - 1);
  EXPECT_EQ(unit(before, f.fc.get(), "2023-10-24").state, Freshness::kSkipped);

  ASSERT_EQ(run(*wh, s, plan, ro).exit_code(), 0);
  FreshnessReport fresh = check_freshness(*wh, s, plan);
  EXPECT_EQ(fresh.count(Freshness::kUpToDate), plan.units.size() - 1) << fresh.to_text();
  EXPECT_NE(fresh.to_text().find("Nothing stale, missing or failed."), std::string::npos);

  // A raw value changed by hand: the two units that read it are stale, and so
  // is fb, which reads fa's result of that date; nothing else.
  change_raw(*wh, D("2023-11-13"));
  FreshnessReport changed = check_freshness(*wh, s, plan);
  EXPECT_EQ(changed.count(Freshness::kStale), 3u) << changed.to_text();
  EXPECT_EQ(unit(changed, f.fa.get(), "2023-11-13").state, Freshness::kStale);
  EXPECT_EQ(unit(changed, f.fc.get(), "2023-11-13").state, Freshness::kStale);
  EXPECT_EQ(unit(changed, f.fa.get(), "2023-11-13").reason.rfind("inputs changed since its commit at ", 0), 0u);
  const UnitFreshness& fb = unit(changed, f.fb.get(), "2023-11-13");
  EXPECT_EQ(fb.state, Freshness::kStale);
  EXPECT_EQ(fb.reason, "upstream fake_a 2023-11-13 is stale");
  EXPECT_EQ(unit(changed, f.fa.get(), "2023-11-14").state, Freshness::kUpToDate);
  EXPECT_NE(changed.to_text().find("fake_a (1): 2023-11-13"), std::string::npos) << changed.to_text();

  // The check writes nothing and works read-only (no lock, no ledger row).
  {
    auto ro_wh = open_warehouse("sqlite://" + path + "?mode=ro");
    FreshnessReport again = check_freshness(*ro_wh, s, plan);
    EXPECT_EQ(again.count(Freshness::kStale), 3u);
  }

  // A resume recomputes the units whose own inputs changed; fa's new result
  // has the same content (the fakes copy the team only), so fb stays up to
  // date: the stale set bounds what a resume recomputes.
  RunResult resumed = run(*wh, s, plan, ro);
  ASSERT_EQ(resumed.exit_code(), 0);
  int recomputed = 0;
  for (const auto& u : resumed.units) recomputed += u.inputs_changed ? 1 : 0;
  EXPECT_EQ(recomputed, 2);
  EXPECT_EQ(f.control.calls_of("fb", D("2023-11-13")), 1);
  EXPECT_EQ(check_freshness(*wh, s, plan).count(Freshness::kStale), 0u);

  // A committed partition emptied: the unit is missing, and its dependent is
  // stale (the write recorded the partition's new hash, which fb reads).
  wh->replace_partition(catalog::get(kA), D("2023-11-10"), Table(catalog::get(kA)));
  FreshnessReport gone = check_freshness(*wh, s, plan);
  EXPECT_EQ(unit(gone, f.fa.get(), "2023-11-10").state, Freshness::kMissing);
  EXPECT_EQ(unit(gone, f.fa.get(), "2023-11-10").reason, "committed 2 rows, 0 stored");
  EXPECT_EQ(unit(gone, f.fb.get(), "2023-11-10").state, Freshness::kStale);
  EXPECT_EQ(gone.count(Freshness::kStale) + gone.count(Freshness::kMissing), 2u) << gone.to_text();
}

TEST(Freshness, ALatestFailedRunIsFailed) {
  CommittedWeek week;
  auto& [dir, path, wh, s, f, plan, ro] = week;
  f.control.fail.insert({"fa", D("2023-11-11")});
  ro.resume = false;
  ASSERT_EQ(run(*wh, s, plan, ro).exit_code(), 1);
  FreshnessReport r = check_freshness(*wh, s, plan);
  const UnitFreshness& fa = unit(r, f.fa.get(), "2023-11-11");
  EXPECT_EQ(fa.state, Freshness::kFailed);
  EXPECT_NE(fa.reason.find("failed: injected failure for fa 2023-11-11"), std::string::npos) << fa.reason;
  EXPECT_EQ(unit(r, f.fb.get(), "2023-11-11").state, Freshness::kFailed);  // blocked
  EXPECT_EQ(unit(r, f.fc.get(), "2023-11-11").state, Freshness::kUpToDate);
  EXPECT_NE(r.to_text().find("Failed dates"), std::string::npos) << r.to_text();
}

TEST(Freshness, AReadOnlyWarehouseIsCheckedButARunOnItIsRefused) {
  TempDir dir;
  const std::string path = (dir.path() / "wh").string();
  {
    auto wh = open_warehouse(path);
    load_raw(*wh, small_schedule());
    EXPECT_NO_THROW(require_writable(*wh));
  }
  auto ro = open_warehouse("sqlite://" + path + "?mode=ro");
  try {
    require_writable(*ro);
    FAIL() << "a read-only warehouse was accepted for a run";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("warehouse " + path + " is read-only (opened read-only on request)"),
              std::string::npos)
        << e.what();
  }
  Fakes f;
  PlanOptions o;
  o.range = DateRange{D("2023-11-10"), D("2023-11-16")};
  const Plan plan = make_plan(small_schedule(), o, f.abc());
  EXPECT_EQ(check_freshness(*ro, small_schedule(), plan).count(Freshness::kMissing), plan.units.size());
}

// The state a crash between a unit's two files can leave (see
// sqlite_warehouse.cpp, datasets()): its output committed, its ledger row not.
// The check reports it missing and a resume recomputes it — that unit only.
TEST(Freshness, AUnitCommittedWithoutItsLedgerRowIsRecomputed) {
  CommittedWeek week;
  auto& [dir, path, wh, s, f, plan, ro] = week;
  // Remove fa's ledger rows of 11-13 (its output stays), and the checkpoint: a
  // run killed inside a unit's commit marks nothing for it.
  std::filesystem::remove_all(ro.checkpoint_dir);
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  const Table none(ledger);
  wh->write_batch({TableWrite{&ledger, &none, {D("2023-11-13")}, {}, {{"processor", "fake_a"}}, false}});
  FreshnessReport r = check_freshness(*wh, s, plan);
  const UnitFreshness& fa = unit(r, f.fa.get(), "2023-11-13");
  EXPECT_EQ(fa.state, Freshness::kMissing);
  EXPECT_EQ(fa.reason, "4 rows stored, but no committed run-ledger row");
  EXPECT_EQ(r.count(Freshness::kMissing), 1u) << r.to_text();

  RunResult resumed = run(*wh, s, plan, ro);
  ASSERT_EQ(resumed.exit_code(), 0);
  EXPECT_EQ(f.control.calls_of("fa", D("2023-11-13")), 2);
  EXPECT_EQ(f.control.calls_of("fb", D("2023-11-13")), 1);  // fa's rows hash as before
  EXPECT_EQ(f.control.total_calls(), static_cast<int>(plan.units.size()) + 1);
  EXPECT_EQ(check_freshness(*wh, s, plan).count(Freshness::kUpToDate), plan.units.size());
}

// A ledger written before its date index ordered a date's rows by processor
// and time (Warehouse::newest_ledger_rows): the check answers the same without
// it and writes nothing; a resume rebuilds it, then skips every committed unit
// as before.
TEST(Freshness, AnOlderLedgerIndexIsRebuiltByTheNextRun) {
  CommittedWeek week;
  auto& [dir, path, wh, s, f, plan, ro] = week;
  wh.reset();
  auto orchestration = [&](const char* sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((path / "nba_orchestration.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    const bool row = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return row;
  };
  // The date index as a ledger written before it ordered a date's rows has it.
  const char* ordered = "SELECT 1 FROM pragma_index_info('ix_run_ledger_unit_date') WHERE name = 'finished_at'";
  ASSERT_TRUE(orchestration(ordered));
  orchestration("DROP INDEX ix_run_ledger_unit_date");
  orchestration("CREATE INDEX ix_run_ledger_unit_date ON run_ledger(unit_date)");
  ASSERT_FALSE(orchestration(ordered));

  wh = open_warehouse(path.string());
  EXPECT_EQ(check_freshness(*wh, s, plan).count(Freshness::kUpToDate), plan.units.size());
  EXPECT_FALSE(orchestration(ordered));
  const int calls = f.control.total_calls();
  ASSERT_EQ(run(*wh, s, plan, ro).exit_code(), 0);
  EXPECT_EQ(f.control.total_calls(), calls);  // every unit resumed
  EXPECT_TRUE(orchestration(ordered));
  EXPECT_EQ(check_freshness(*wh, s, plan).count(Freshness::kUpToDate), plan.units.size());
}
