// Runner: flow-graph execution of (processor, date) units over a TempDir SQLite
// warehouse with fake processors — statuses, blocking, retries,
// stop-on-failure, cancellation, pipelining, resume after a crash, idempotent
// reruns, ledger and failure rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "nbaprops/pipeline/checkpoint.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "pipeline_fakes.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::pipeline;
using namespace nbaprops::testing::pipeline_fakes;
using nbaprops::testing::TempDir;

namespace {

struct Env {
  TempDir dir;
  std::unique_ptr<Warehouse> wh;
  Schedule schedule = small_schedule();
  Fakes fakes;
  Plan plan;
  RunOptions opts;
  explicit Env(std::vector<std::string> procs = {}) {
    wh = open_warehouse((dir.path() / "wh").string());
    load_raw(*wh, schedule);
    PlanOptions o;
    o.range = DateRange{D("2023-10-20"), D("2023-11-16")};
    o.processors = std::move(procs);
    plan = make_plan(schedule, o, fakes.abc());
    opts.checkpoint_dir = (dir.path() / "ck").string();
    opts.retry_base_seconds = 0.01;
  }
  const UnitResult& unit(const RunResult& r, const Processor* p, const char* date) const {
    for (const auto& u : r.units) {
      if (u.processor == p && u.date == D(date)) return u;
    }
    throw std::runtime_error("no such unit");
  }
  Checkpoint checkpoint(const Processor* p) {
    return Checkpoint(opts.checkpoint_dir, p->info().name, *plan.checkpoint_range());
  }
};

/// One final game a day from 2023-11-01, @p days days.
Schedule daily_schedule(int days) {
  std::vector<Game> games;
  for (int i = 0; i < days; ++i) {
    Game g;
    g.nba_game_id = "00223001" + std::to_string(10 + i);
    g.date = D("2023-11-01") + i;
    g.season = 2023;
    g.home = "BOS";
    g.away = "NYK";
    g.status = GameStatus::kFinal;
    games.push_back(g);
  }
  return Schedule(std::move(games));
}

/// Records what allow_background_io was told, how many writes came while
/// background I/O was allowed or forbidden, and how many had come when the run
/// waited for the background I/O.
class IoRecorder final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  void write_batch(const std::vector<TableWrite>& w) override {
    ++(allowed_ ? writes_allowed : writes_forbidden);
    Forwarding::write_batch(w);
  }
  void allow_background_io(bool allow) override {
    calls.push_back(allow);
    allowed_ = allow;
    Forwarding::allow_background_io(allow);
  }
  void wait_for_background_io() override {
    writes_before_wait.push_back(writes_allowed + writes_forbidden);
    Forwarding::wait_for_background_io();
  }
  std::vector<bool> calls;
  std::atomic<int> writes_allowed{0}, writes_forbidden{0};
  std::vector<int> writes_before_wait;  ///< per wait_for_background_io call

 private:
  std::atomic<bool> allowed_{true};
};

/// Fails the commits of chosen (table, date) partitions: a number of times
/// with a transient error, or always. Over SQLite, whose writes take turns, a
/// run with two workers queues its commits.
class FailingCommits final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  void write_batch(const std::vector<TableWrite>& w) override {
    {
      std::lock_guard lock(mu_);
      const auto key = std::make_pair(w.front().schema->name, w.front().dates.front());
      if (failing.count(key)) throw StorageError("disk I/O error writing " + key.first);
      if (auto it = transient.find(key); it != transient.end() && it->second > 0) {
        --it->second;
        throw StorageError("database is locked", true);
      }
    }
    Forwarding::write_batch(w);
  }
  std::map<std::pair<std::string, Date>, int> transient;
  std::set<std::pair<std::string, Date>> failing;

 private:
  std::mutex mu_;
};

int64_t count_status(const RunResult& r, UnitStatus s) {
  return std::count_if(r.units.begin(), r.units.end(), [&](const UnitResult& u) { return u.status == s; });
}

}  // namespace

TEST(RunnerTest, AllOkExitsZeroWritesRowsLedgerAndCheckpoint) {
  Env env;
  env.opts.run_id = "run_all_ok";
  RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(r.exit_code(), 0) << r.summary_text();
  EXPECT_FALSE(r.cancelled);
  ASSERT_EQ(r.units.size(), 18u);
  EXPECT_EQ(count_status(r, UnitStatus::kSuccess), 17);
  const UnitResult& boot = env.unit(r, env.fakes.fc.get(), "2023-10-24");
  EXPECT_EQ(boot.status, UnitStatus::kSkippedBootstrap);
  EXPECT_EQ(boot.attempts, 0);
  EXPECT_EQ(env.fakes.control.calls_of("fc", D("2023-10-24")), 0);
  const UnitResult& a13 = env.unit(r, env.fakes.fa.get(), "2023-11-13");
  EXPECT_EQ(a13.rows, 4);  // 2 games × 2 teams
  EXPECT_EQ(a13.entities, 4);
  EXPECT_EQ(a13.attempts, 1);
  EXPECT_EQ(dump(*env.wh, kA).size(), 16u);
  EXPECT_EQ(dump(*env.wh, kB).size(), 16u);
  EXPECT_EQ(dump(*env.wh, kC).size(), 12u);  // no bootstrap date
  EXPECT_EQ(dump(*env.wh, kB).front(), "2023-10-24|DEN_fa_fb");
  // The runner stamps processed_at with the run's single timestamp.
  Table stamped = env.wh->read(catalog::get(kA), std::nullopt, {"processed_at"});
  ASSERT_EQ(stamped.num_rows(), 16u);
  for (size_t i = 0; i < stamped.num_rows(); ++i)
    EXPECT_EQ(stamped.get_text(i, "processed_at"), stamped.get_text(0, "processed_at"));
  // Ledger: one row per unit with its terminal status.
  Table ledger = env.wh->read(catalog::get("nba_orchestration.run_ledger"), std::nullopt);
  ASSERT_EQ(ledger.num_rows(), 18u);
  int boot_rows = 0;
  for (size_t i = 0; i < ledger.num_rows(); ++i) {
    EXPECT_EQ(*ledger.get_text(i, "run_id"), "run_all_ok");
    if (*ledger.get_text(i, "status") == "skipped_bootstrap") {
      ++boot_rows;
      EXPECT_EQ(*ledger.get_text(i, "processor"), "fake_c");
      EXPECT_EQ(*ledger.get_date(i, "unit_date"), D("2023-10-24"));
    }
    if (*ledger.get_text(i, "processor") == "fake_a" && *ledger.get_date(i, "unit_date") == D("2023-11-13")) {
      EXPECT_EQ(*ledger.get_int(i, "rows_written"), 4);
      EXPECT_EQ(*ledger.get_text(i, "output_table"), kA);
    }
  }
  EXPECT_EQ(boot_rows, 1);
  // Checkpoints: one per processor job over the plan range.
  EXPECT_EQ(env.checkpoint(env.fakes.fa.get()).successful_dates().size(), 6u);
  Checkpoint ckc = env.checkpoint(env.fakes.fc.get());
  EXPECT_EQ(ckc.successful_dates().size(), 5u);
  EXPECT_EQ(ckc.skipped_dates(), (std::vector<Date>{D("2023-10-24")}));
  auto s = r.summary();
  EXPECT_EQ(s["fake_a"]["success"], 6);
  EXPECT_EQ(s["fake_a"]["rows"], 16);
  EXPECT_EQ(s["fake_c"]["skipped_bootstrap"], 1);
  EXPECT_NE(r.summary_text().find("exit code 0"), std::string::npos);
}

// Audit B finding 1: a full disk between a unit's two files (its output's
// commits, the run logs' does not) must not report the unit failed while its
// partition was replaced. The run logs are written again on their own; if
// that fails too, the unit stays committed, says what is stored, and stays
// out of the checkpoint (a resume then decides by the ledger, as after a
// crash between the files).
TEST(RunnerTest, AFullDiskBetweenTheOutputAndTheRunLogsKeepsTheUnitCommitted) {
  FullDisk& disk = FullDisk::get();  // before the warehouse opens its files
  Env env({"fa"});
  env.opts.workers = 1;
  ASSERT_EQ(run(*env.wh, env.schedule, env.plan, env.opts).exit_code(), 0);
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  auto ledger_rows_of = [&](const std::string& run_id) {
    const Table t = env.wh->read(ledger, std::nullopt, {"run_id"});
    int n = 0;
    for (size_t i = 0; i < t.num_rows(); ++i) n += *t.get_text(i, "run_id") == run_id ? 1 : 0;
    return n;
  };
  // The run logs' file fails one write: the first unit's commit fails between
  // the files, and its run-log rows are written by a transaction of their own.
  env.opts.resume = false;
  env.opts.run_id = "run_once";
  disk.arm("nba_orchestration.sqlite-wal", 1);
  RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(disk.failed(), 1);
  disk.disarm();
  EXPECT_EQ(r.exit_code(), 0) << r.summary_text();
  EXPECT_EQ(count_status(r, UnitStatus::kSuccess), 6) << r.summary_text();
  EXPECT_EQ(ledger_rows_of("run_once"), 6);
  EXPECT_TRUE(r.warnings.empty()) << r.summary_text();
  EXPECT_EQ(env.checkpoint(env.fakes.fa.get()).successful_dates().size(), 6u);
  // The run logs' file full for the whole run: every output commits, no
  // ledger row does.
  env.opts.run_id = "run_full";
  disk.arm("nba_orchestration.sqlite-wal");
  r = run(*env.wh, env.schedule, env.plan, env.opts);
  disk.disarm();
  EXPECT_EQ(count_status(r, UnitStatus::kSuccess), 6) << r.summary_text();
  for (const UnitResult& u : r.units) {
    EXPECT_EQ(u.reason.rfind("rows committed, ledger row not written: ", 0), 0u) << u.reason;
    EXPECT_GT(u.rows, 0);
  }
  EXPECT_EQ(dump(*env.wh, kA).size(), 16u);
  EXPECT_EQ(ledger_rows_of("run_full"), 0);
  ASSERT_EQ(r.warnings.size(), 1u) << r.summary_text();
  EXPECT_NE(r.warnings.front().find("6 unit(s) committed their rows but not their run-ledger rows"), std::string::npos)
      << r.warnings.front();
  EXPECT_TRUE(env.checkpoint(env.fakes.fa.get()).successful_dates().empty());  // --no-resume emptied it
  // A resume finds run_once's ledger rows: same inputs, same row counts.
  env.opts.resume = true;
  env.opts.run_id = "run_resume";
  r = run(*env.wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(r.exit_code(), 0) << r.summary_text();
  for (const UnitResult& u : r.units) EXPECT_EQ(u.reason, "resumed");
}

// Audit B finding 7: checkpoints that cannot be written (here a directory
// where each file's temporary copy goes) fail every mark: the run goes on and
// says it once, with the count, not once per unit.
TEST(RunnerTest, CheckpointsThatCannotBeWrittenAreReportedOnceWithTheirCount) {
  Env env;
  for (const Processor* p : env.fakes.abc()) {
    const std::string json =
        Checkpoint::path_for(env.opts.checkpoint_dir, p->info().name, *env.plan.checkpoint_range());
    std::filesystem::create_directories(json.substr(0, json.size() - 5) + ".tmp");
  }
  const RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(r.exit_code(), 0) << r.summary_text();
  EXPECT_EQ(count_status(r, UnitStatus::kSuccess), 17);
  ASSERT_EQ(r.warnings.size(), 1u) << r.summary_text();
  EXPECT_NE(r.warnings.front().find(" checkpoint write(s) failed, the first: cannot write checkpoint "),
            std::string::npos)
      << r.warnings.front();
  EXPECT_NE(r.warnings.front().find("the run ledger has every committed unit"), std::string::npos);
  EXPECT_NE(r.summary_text().find("WARNING: "), std::string::npos);
}

TEST(RunnerTest, InjectedFailureBlocksOnlyItsDownstream) {
  Env env;
  env.fakes.control.fail.insert({"fa", D("2023-11-13")});
  env.fakes.control.empty.insert({"fc", D("2023-11-16")});
  RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(r.exit_code(), 1);
  const UnitResult& fa13 = env.unit(r, env.fakes.fa.get(), "2023-11-13");
  EXPECT_EQ(fa13.status, UnitStatus::kFailed);
  EXPECT_EQ(fa13.reason, "injected failure for fa 2023-11-13");
  const UnitResult& fb13 = env.unit(r, env.fakes.fb.get(), "2023-11-13");
  EXPECT_EQ(fb13.status, UnitStatus::kBlocked);
  EXPECT_EQ(fb13.reason, "upstream fake_a 2023-11-13 failed");
  EXPECT_EQ(env.fakes.control.calls_of("fb", D("2023-11-13")), 0);
  // Independent units commit: fb on other dates, fc (reads raw) on the same
  // date.
  EXPECT_EQ(env.unit(r, env.fakes.fb.get(), "2023-11-14").status, UnitStatus::kSuccess);
  EXPECT_EQ(env.unit(r, env.fakes.fc.get(), "2023-11-13").status, UnitStatus::kSuccess);
  const UnitResult& empty = env.unit(r, env.fakes.fc.get(), "2023-11-16");
  EXPECT_EQ(empty.status, UnitStatus::kEmpty);
  EXPECT_EQ(empty.reason, "no entity qualified");
  EXPECT_EQ(count_status(r, UnitStatus::kFailed), 1);
  EXPECT_EQ(count_status(r, UnitStatus::kBlocked), 1);
  EXPECT_EQ(r.failures().size(), 2u);
  auto errors = env.checkpoint(env.fakes.fa.get()).errors();
  EXPECT_EQ(errors.at(D("2023-11-13")), "failed: injected failure for fa 2023-11-13");
  EXPECT_TRUE(env.checkpoint(env.fakes.fb.get()).is_failed(D("2023-11-13")));
  std::string text = r.summary_text();
  EXPECT_NE(text.find("Retry: nbaprops backfill --processors fa --dates 2023-11-13"), std::string::npos) << text;
  EXPECT_NE(text.find("fake_b 2023-11-13 blocked: upstream fake_a 2023-11-13 failed"), std::string::npos) << text;
}

TEST(RunnerTest, TransientErrorsRetryWithBackoff) {
  Env env({"fa"});
  env.opts.max_retries = 2;
  env.fakes.control.transient[{"fa", D("2023-11-14")}] = 1;
  env.fakes.control.transient[{"fa", D("2023-11-16")}] = 10;
  RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  const UnitResult& ok = env.unit(r, env.fakes.fa.get(), "2023-11-14");
  EXPECT_EQ(ok.status, UnitStatus::kSuccess);
  EXPECT_EQ(ok.attempts, 2);
  EXPECT_EQ(ok.rows, 2);
  const UnitResult& bad = env.unit(r, env.fakes.fa.get(), "2023-11-16");
  EXPECT_EQ(bad.status, UnitStatus::kFailed);
  EXPECT_EQ(bad.attempts, 3);  // 1 + max_retries
  EXPECT_NE(bad.reason.find("database is locked"), std::string::npos);
  EXPECT_GE(bad.seconds, 0.01 + 0.02);  // backoff 0.01, 0.02
  EXPECT_EQ(env.fakes.control.calls_of("fa", D("2023-11-16")), 3);
  EXPECT_EQ(r.exit_code(), 1);
  Table ledger =
      env.wh->read(catalog::get("nba_orchestration.run_ledger"), DateRange{D("2023-11-14"), D("2023-11-14")});
  ASSERT_EQ(ledger.num_rows(), 1u);
  EXPECT_EQ(*ledger.get_int(0, "attempts"), 2);
}

TEST(RunnerTest, QueuedCommitsRetryTheWriteAloneAndAFailedOneBlocksItsDownstream) {
  Env env;
  ASSERT_TRUE(env.wh->writes_take_turns());  // two workers: commits go through the dataset's queue
  FailingCommits wh(*env.wh);
  env.opts.max_retries = 2;
  wh.transient[{kA, D("2023-11-14")}] = 1;
  wh.failing.insert({kA, D("2023-11-16")});
  RunResult r = run(wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(r.exit_code(), 1);
  // The retried commit writes the output computed once.
  const UnitResult& retried = env.unit(r, env.fakes.fa.get(), "2023-11-14");
  EXPECT_EQ(retried.status, UnitStatus::kSuccess) << retried.reason;
  EXPECT_EQ(retried.attempts, 2);
  EXPECT_EQ(retried.rows, 2);
  EXPECT_EQ(env.fakes.control.calls_of("fa", D("2023-11-14")), 1);
  EXPECT_EQ(env.unit(r, env.fakes.fb.get(), "2023-11-14").status, UnitStatus::kSuccess);
  // A commit that fails for good fails its unit (nothing stored) and blocks what reads it.
  const UnitResult& failed = env.unit(r, env.fakes.fa.get(), "2023-11-16");
  EXPECT_EQ(failed.status, UnitStatus::kFailed);
  EXPECT_EQ(failed.rows, 0);
  EXPECT_NE(failed.reason.find("disk I/O error"), std::string::npos) << failed.reason;
  const UnitResult& blocked = env.unit(r, env.fakes.fb.get(), "2023-11-16");
  EXPECT_EQ(blocked.status, UnitStatus::kBlocked);
  EXPECT_EQ(blocked.reason, "upstream fake_a 2023-11-16 failed");
  EXPECT_EQ(env.fakes.control.calls_of("fb", D("2023-11-16")), 0);
  EXPECT_EQ(count_status(r, UnitStatus::kFailed), 1);
  EXPECT_EQ(count_status(r, UnitStatus::kBlocked), 1);
  EXPECT_EQ(count_status(r, UnitStatus::kSuccess), 15);
  EXPECT_TRUE(env.checkpoint(env.fakes.fa.get()).is_failed(D("2023-11-16")));
  // Every unit has its ledger row: the failed one too, and no partition of it.
  Table ledger = env.wh->read(catalog::get("nba_orchestration.run_ledger"), std::nullopt);
  EXPECT_EQ(ledger.num_rows(), 18u);
  EXPECT_EQ(env.wh->read(catalog::get(kA), DateRange{D("2023-11-16"), D("2023-11-16")}).num_rows(), 0u);
  EXPECT_EQ(env.wh->read(catalog::get(kA), DateRange{D("2023-11-14"), D("2023-11-14")}).num_rows(), 2u);
}

TEST(RunnerTest, QueuedCommitsWriteWhatOneWorkerWrites) {
  Env two, one;
  one.opts.workers = 1;
  RunResult r2 = run(*two.wh, two.schedule, two.plan, two.opts);
  RunResult r1 = run(*one.wh, one.schedule, one.plan, one.opts);
  ASSERT_EQ(r2.exit_code(), 0) << r2.summary_text();
  ASSERT_EQ(r1.exit_code(), 0) << r1.summary_text();
  for (const char* table : {kA, kB, kC}) {
    EXPECT_EQ(two.wh->partition_hashes(catalog::get(table), std::nullopt),
              one.wh->partition_hashes(catalog::get(table), std::nullopt))
        << table;
    EXPECT_EQ(dump(*two.wh, table), dump(*one.wh, table)) << table;
  }
  // Successors start only after their upstream committed: each fb unit began
  // after the fa unit of its date ended (sequence numbers of the same run).
  for (const auto& u : r2.units) {
    if (u.processor != two.fakes.fb.get() || u.start_seq < 0) continue;
    EXPECT_GT(u.start_seq, two.unit(r2, two.fakes.fa.get(), u.date.iso().c_str()).end_seq) << u.date.iso();
  }
}

/// A processor computing its dates in turn (Processor::computes_dates_in_turn):
/// each unit holds its season state's lock while it computes, as PSZA and
/// TDZA do; its first date's unit takes long (a season's first read). Records
/// each unit's compute interval.
class InTurn : public Fake {
 public:
  struct State : CarriedState {
    std::mutex mu;
  };
  InTurn(Control& control, Date slow)
      : Fake("fake_turn", "ft", kA, {{kRaw, WindowKind::kSameDate, 0, true}}, control), slow_(slow) {}
  UnitOutput run(const UnitContext& ctx) const override {
    auto* state = dynamic_cast<State*>(ctx.carried);
    if (state == nullptr) throw std::runtime_error("no carried state");
    std::lock_guard lock(state->mu);
    const auto t0 = std::chrono::steady_clock::now();
    if (ctx.date == slow_) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    UnitOutput out = Fake::run(ctx);
    record(ctx.date, t0);
    return out;
  }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<State>(); }
  bool computes_dates_in_turn() const override { return true; }

  using Interval = std::pair<std::chrono::steady_clock::time_point, std::chrono::steady_clock::time_point>;
  std::map<Date, Interval> intervals() const {
    std::lock_guard lock(mu_);
    return intervals_;
  }

 private:
  void record(Date d, std::chrono::steady_clock::time_point t0) const {
    std::lock_guard lock(mu_);
    intervals_[d] = {t0, std::chrono::steady_clock::now()};
  }
  Date slow_;
  mutable std::mutex mu_;
  mutable std::map<Date, Interval> intervals_;
};

/// A fake that records when each of its units computed.
class Timed : public Fake {
 public:
  explicit Timed(Control& control) : Fake("fake_timed", "fe", kC, {{kRaw, WindowKind::kSameDate, 0, true}}, control) {}
  UnitOutput run(const UnitContext& ctx) const override {
    UnitOutput out = Fake::run(ctx);
    std::lock_guard lock(mu_);
    ended_[ctx.date] = std::chrono::steady_clock::now();
    return out;
  }
  std::map<Date, std::chrono::steady_clock::time_point> ended() const {
    std::lock_guard lock(mu_);
    return ended_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::map<Date, std::chrono::steady_clock::time_point> ended_;
};

// A processor computing its dates in turn starts its next date only after the
// one before computed: a second worker runs the other processors' ready units
// meanwhile instead of waiting on the state's lock (with the next date's unit
// taken first, as the earlier-ranked processor's, it would wait the whole
// 300 ms). A failed date does not hold back or block the dates after it.
TEST(RunnerTest, DatesComputedInTurnLeaveTheOtherWorkerToOtherUnits) {
  for (const bool fail_first : {false, true}) {
    SCOPED_TRACE(fail_first ? "first date fails" : "all succeed");
    TempDir dir;
    auto wh = open_warehouse((dir.path() / "wh").string());
    const Schedule schedule = small_schedule();
    load_raw(*wh, schedule);
    Control control;
    const Date first = D("2023-10-24");
    InTurn turn(control, first);
    Timed other(control);
    if (fail_first) control.fail.insert({"ft", first});
    PlanOptions o;
    o.range = DateRange{D("2023-10-20"), D("2023-11-16")};
    const Plan plan = make_plan(schedule, o, {&turn, &other});
    ASSERT_EQ(plan.processors.front(), &turn);  // the earlier rank: its units go first on a date
    RunOptions opts;
    opts.workers = 2;
    opts.checkpoint_dir = (dir.path() / "ck").string();
    const RunResult r = run(*wh, schedule, plan, opts);
    ASSERT_EQ(r.exit_code(), fail_first ? 1 : 0) << r.summary_text();
    const auto turns = turn.intervals();
    const auto others = other.ended();
    ASSERT_EQ(others.size(), 6u);
    ASSERT_EQ(turns.size(), fail_first ? 5u : 6u);
    // The state's units never computed at the same time, and went in date order.
    std::optional<InTurn::Interval> before;
    for (const auto& [d, span] : turns) {
      if (before) EXPECT_LE(before->second, span.first) << d.iso();
      before = span;
    }
    for (const auto& u : r.units) {
      if (u.processor != &turn || u.date == first) continue;
      EXPECT_EQ(u.status, UnitStatus::kSuccess) << u.date.iso() << ": " << u.reason;
    }
    if (fail_first) continue;  // the slow unit failed at once
    // Every other unit computed while the first date's long unit still ran.
    const auto slow_end = turns.at(first).second;
    for (const auto& [d, end] : others) EXPECT_LT(end, slow_end) << d.iso();
  }
}

TEST(RunnerTest, StopOnFailureStartsNothingNew) {
  Env env;
  env.opts.workers = 1;
  env.opts.stop_on_failure = true;
  env.fakes.control.fail.insert({"fa", D("2023-10-24")});
  RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_FALSE(r.cancelled);
  const UnitResult& failed = env.unit(r, env.fakes.fa.get(), "2023-10-24");
  ASSERT_EQ(failed.status, UnitStatus::kFailed);
  EXPECT_EQ(env.unit(r, env.fakes.fb.get(), "2023-10-24").status, UnitStatus::kBlocked);
  EXPECT_GT(count_status(r, UnitStatus::kCancelled), 0);
  for (const auto& u : r.units) {
    if (u.status == UnitStatus::kCancelled) {
      EXPECT_EQ(u.reason, "stopped after failure of fake_a 2023-10-24 (--stop-on-failure)");
      EXPECT_EQ(u.attempts, 0);
    }
    // Nothing started after the failure was recorded.
    if (u.start_seq >= 0) EXPECT_LT(u.start_seq, failed.end_seq) << u.processor->info().code << " " << u.date.iso();
  }
}

// poll's timeout: an infinite or huge one waits at most until the run ends,
// NaN and negative ones do not wait; every unit's event is returned once.
TEST(RunnerTest, PollTimeoutsOfAnySizeReturnOnceTheRunHasEnded) {
  Env env;
  auto handle = start_run(*env.wh, env.schedule, env.plan, env.opts);
  std::vector<UnitEvent> events;
  while (!handle->done()) {
    auto got = handle->poll(std::numeric_limits<double>::infinity());
    events.insert(events.end(), got.begin(), got.end());
  }
  for (double t : {1e300, std::numeric_limits<double>::quiet_NaN(), -1.0, 0.0}) {
    auto got = handle->poll(t);
    events.insert(events.end(), got.begin(), got.end());
  }
  RunResult r = handle->wait();
  EXPECT_EQ(r.exit_code(), 0) << r.summary_text();
  EXPECT_EQ(events.size(), r.units.size());
}

TEST(RunnerTest, CancellationFinishesRunningUnitsAndStartsNoNewOnes) {
  Env env;
  env.opts.workers = 1;
  env.fakes.control.sleep_ms = {{"fa", 20}, {"fb", 20}, {"fc", 20}};
  auto handle = start_run(*env.wh, env.schedule, env.plan, env.opts);
  std::vector<UnitEvent> events;
  while (events.empty()) {
    auto got = handle->poll(1.0);
    events.insert(events.end(), got.begin(), got.end());
  }
  handle->cancel();
  RunResult r = handle->wait();
  EXPECT_TRUE(handle->done());
  auto rest = handle->poll(0.0);
  events.insert(events.end(), rest.begin(), rest.end());
  EXPECT_EQ(events.size(), r.units.size());  // exactly one event per unit
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.exit_code(), 130);
  int64_t cancelled = count_status(r, UnitStatus::kCancelled);
  EXPECT_GT(cancelled, 0);
  for (const auto& u : r.units) {
    EXPECT_TRUE(u.status == UnitStatus::kSuccess || u.status == UnitStatus::kCancelled ||
                u.status == UnitStatus::kSkippedBootstrap)
        << to_string(u.status);
    if (u.status == UnitStatus::kCancelled) EXPECT_EQ(env.fakes.control.calls_of(u.processor->info().code, u.date), 0);
  }
  EXPECT_LT(env.fakes.control.total_calls(), 17);
  // Cancelled dates are not recorded as done: a resumed run does them.
  Checkpoint ck = env.checkpoint(env.fakes.fa.get());
  for (const auto& u : r.units) {
    if (u.processor == env.fakes.fa.get() && u.status == UnitStatus::kCancelled) EXPECT_FALSE(ck.is_committed(u.date));
  }
}

TEST(RunnerTest, DownstreamStartsBeforeUpstreamFinishesItsLastDate) {
  Env env({"fa", "fb"});
  env.opts.workers = 2;
  env.fakes.control.sleep_ms = {{"fa", 40}};
  RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  ASSERT_EQ(r.exit_code(), 0) << r.summary_text();
  int64_t last_fa_end = -1;
  int64_t first_fb_start = 1 << 30;
  for (const auto& u : r.units) {
    if (u.processor == env.fakes.fa.get()) last_fa_end = std::max(last_fa_end, u.end_seq);
    if (u.processor == env.fakes.fb.get()) first_fb_start = std::min(first_fb_start, u.start_seq);
  }
  EXPECT_LT(first_fb_start, last_fa_end) << "fb waited for all of fa: no date-level pipelining";
  // And every fb unit started after its own date's fa unit ended.
  for (const auto& u : r.units) {
    if (u.processor != env.fakes.fb.get()) continue;
    EXPECT_GT(u.start_seq, env.unit(r, env.fakes.fa.get(), u.date.iso().c_str()).end_seq);
  }
}

// Ready units run earliest date first, across processors: each processor's
// units start in date order (two threads may swap neighbours), and a date's
// downstream unit starts before the upstream's unit two dates later.
TEST(RunnerTest, ReadyUnitsRunEarliestDateFirst) {
  const Schedule s = daily_schedule(20);
  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  load_raw(*wh, s);
  Fakes f;
  f.control.sleep_ms = {{"fa", 5}, {"fb", 5}};
  PlanOptions o;
  o.range = DateRange{D("2023-11-01"), D("2023-11-20")};
  const Plan plan = make_plan(s, o, {f.fa.get(), f.fb.get()});
  RunOptions ro;
  ro.checkpoint_dir = (dir.path() / "ck").string();
  ro.workers = 2;
  RunResult r = run(*wh, s, plan, ro);
  ASSERT_EQ(r.exit_code(), 0) << r.summary_text();
  std::map<const Processor*, std::vector<const UnitResult*>> by_proc;
  for (const auto& u : r.units) {
    if (u.start_seq >= 0) by_proc[u.processor].push_back(&u);
  }
  for (auto& [p, units] : by_proc) {
    std::sort(units.begin(), units.end(), [](auto* a, auto* b) { return a->date < b->date; });
    ASSERT_EQ(units.size(), 20u) << p->info().code;
    for (size_t k = 2; k < units.size(); ++k) {
      EXPECT_LT(units[k - 2]->start_seq, units[k]->start_seq)
          << p->info().code << " " << units[k]->date.iso() << " started before " << units[k - 2]->date.iso();
    }
  }
  // fb of a date becomes ready when fa of that date has committed. Two workers
  // share one dataset, so their commits queue (at most two waiting, one being
  // written) while the other thread computes the next fa: fb of a date starts
  // before fa five dates later.
  const auto& fa = by_proc.at(f.fa.get());
  const auto& fb = by_proc.at(f.fb.get());
  constexpr size_t kAhead = 5;
  for (size_t k = 0; k + kAhead < fa.size(); ++k) {
    EXPECT_LT(fb[k]->start_seq, fa[k + kAhead]->start_seq)
        << "fb " << fb[k]->date.iso() << " waited behind later fa dates";
  }
}

TEST(RunnerTest, ResumeAfterCrashRetriesExactlyUnfinishedUnits) {
  // Reference: an uninterrupted run.
  Env ref;
  ASSERT_EQ(run(*ref.wh, ref.schedule, ref.plan, ref.opts).exit_code(), 0);

  Env env;
  env.opts.workers = 1;
  env.opts.stop_on_failure = true;  // the "crash": a failure, then nothing else starts
  env.fakes.control.fail.insert({"fa", D("2023-11-13")});
  RunResult first = run(*env.wh, env.schedule, env.plan, env.opts);
  ASSERT_EQ(first.exit_code(), 1);
  std::set<std::pair<const Processor*, Date>> unfinished, committed;
  for (const auto& u : first.units) {
    if (u.status == UnitStatus::kSuccess || u.status == UnitStatus::kEmpty)
      committed.insert({u.processor, u.date});
    else if (u.status != UnitStatus::kSkippedBootstrap)
      unfinished.insert({u.processor, u.date});
  }
  ASSERT_FALSE(unfinished.empty());
  ASSERT_FALSE(committed.empty());

  env.fakes.control.fail.clear();
  int calls_before = env.fakes.control.total_calls();
  RunResult second = run(*env.wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(second.exit_code(), 0) << second.summary_text();
  std::set<std::pair<const Processor*, Date>> ran;
  for (const auto& u : second.units) {
    if (u.attempts > 0) ran.insert({u.processor, u.date});
    if (committed.count({u.processor, u.date})) {
      EXPECT_EQ(u.status, UnitStatus::kSuccess);
      EXPECT_EQ(u.reason, "resumed");
      EXPECT_EQ(u.attempts, 0);
      EXPECT_GT(u.rows, 0);  // rows present in the committed partition
    }
  }
  EXPECT_EQ(ran, unfinished);
  EXPECT_EQ(env.fakes.control.total_calls() - calls_before, static_cast<int>(unfinished.size()));
  for (const char* t : {kA, kB, kC}) EXPECT_EQ(dump(*env.wh, t), dump(*ref.wh, t)) << t;
  EXPECT_TRUE(env.checkpoint(env.fakes.fa.get()).failed_dates().empty());
}

TEST(RunnerTest, RerunIsIdempotentAndReplacesFailureRows) {
  Env env;
  env.opts.resume = false;
  env.fakes.control.entity_failures = {{"fa", D("2023-11-10")}, {"fc", D("2023-11-10")}};
  RunResult one = run(*env.wh, env.schedule, env.plan, env.opts);
  ASSERT_EQ(one.exit_code(), 0);
  auto a1 = dump(*env.wh, kA), b1 = dump(*env.wh, kB), c1 = dump(*env.wh, kC);
  const TableSchema& fs = catalog::get("nba_orchestration.processor_failures");
  Table f1 = env.wh->read(fs, DateRange{D("2023-11-10"), D("2023-11-10")});
  ASSERT_EQ(f1.num_rows(), 2u);
  EXPECT_EQ(*f1.get_text(0, "failure_category"), "INSUFFICIENT_DATA");
  EXPECT_EQ(*f1.get_text(0, "entity_type"), "player");

  env.fakes.control.entity_failures = {{"fc", D("2023-11-10")}};  // fa is clean now
  RunResult two = run(*env.wh, env.schedule, env.plan, env.opts);
  ASSERT_EQ(two.exit_code(), 0);
  for (const auto& u : two.units) EXPECT_NE(u.reason, "resumed");  // resume = false reran everything
  EXPECT_EQ(dump(*env.wh, kA), a1);
  EXPECT_EQ(dump(*env.wh, kB), b1);
  EXPECT_EQ(dump(*env.wh, kC), c1);
  Table f2 = env.wh->read(fs, DateRange{D("2023-11-10"), D("2023-11-10")});
  ASSERT_EQ(f2.num_rows(), 1u);  // fa's stale row removed, fc's kept (replaced)
  EXPECT_EQ(*f2.get_text(0, "processor"), "fake_c");
  Table ledger = env.wh->read(catalog::get("nba_orchestration.run_ledger"), std::nullopt, {"run_id"});
  EXPECT_EQ(ledger.num_rows(), 36u);
  EXPECT_NE(one.run_id, two.run_id);
  // Same inputs → same input fingerprints (ledger column), unit by unit.
  for (size_t i = 0; i < one.units.size(); ++i) {
    EXPECT_EQ(one.units[i].input_fingerprint, two.units[i].input_fingerprint);
    if (one.units[i].attempts > 0) EXPECT_EQ(one.units[i].input_fingerprint.size(), 16u);
  }
  EXPECT_NE(env.unit(one, env.fakes.fa.get(), "2023-11-10").input_fingerprint,
            env.unit(one, env.fakes.fa.get(), "2023-11-11").input_fingerprint);
}

// The failure rows stored before a run are read while the first units
// compute (on a thread of their own with two workers). Where they cannot be
// read, every unit replaces its own rows: the run does not fail, and a rerun
// still clears the rows of a processor whose entities no longer fail.
TEST(RunnerTest, UnreadableStoredFailuresAreStillReplaced) {
  struct FailuresUnreadable : Forwarding {
    using Forwarding::Forwarding;
    [[nodiscard]] std::set<std::pair<Date, std::string>> distinct_by_date(const TableSchema& s, DateRange r,
                                                                          const std::string& c) override {
      if (s.name == "nba_orchestration.processor_failures") throw StorageError("injected: failures unreadable");
      return Forwarding::distinct_by_date(s, r, c);
    }
  };
  const TableSchema& fs = catalog::get("nba_orchestration.processor_failures");
  for (int workers : {1, 2}) {
    Env env;
    env.opts.resume = false;
    env.opts.workers = workers;
    env.fakes.control.entity_failures = {{"fa", D("2023-11-10")}, {"fc", D("2023-11-10")}};
    ASSERT_EQ(run(*env.wh, env.schedule, env.plan, env.opts).exit_code(), 0);
    ASSERT_EQ(env.wh->read(fs, DateRange{D("2023-11-10"), D("2023-11-10")}).num_rows(), 2u);
    env.fakes.control.entity_failures = {{"fc", D("2023-11-10")}};  // fa is clean now
    FailuresUnreadable broken(*env.wh);
    const RunResult two = run(broken, env.schedule, env.plan, env.opts);
    ASSERT_EQ(two.exit_code(), 0) << workers << " workers";
    const Table f2 = env.wh->read(fs, DateRange{D("2023-11-10"), D("2023-11-10")});
    ASSERT_EQ(f2.num_rows(), 1u) << workers << " workers";
    EXPECT_EQ(*f2.get_text(0, "processor"), "fake_c");
  }
}

TEST(RunnerTest, ExplicitDatesAlwaysRunAndAreRecorded) {
  Env env;
  PlanOptions o;
  o.dates = {D("2023-11-13"), D("2023-11-10")};
  o.processors = {"fa"};
  Plan p = make_plan(env.schedule, o, env.fakes.abc());
  ASSERT_EQ(run(*env.wh, env.schedule, p, env.opts).exit_code(), 0);
  RunResult again = run(*env.wh, env.schedule, p,
                        env.opts);  // resume = true, but --dates always run
  for (const auto& u : again.units) {
    EXPECT_EQ(u.attempts, 1);
    EXPECT_EQ(u.status, UnitStatus::kSuccess);
  }
  EXPECT_EQ(env.fakes.control.calls_of("fa", D("2023-11-13")), 2);
  Checkpoint ck(env.opts.checkpoint_dir, "fake_a", DateRange{D("2023-11-10"), D("2023-11-13")});
  EXPECT_EQ(ck.successful_dates(), (std::vector<Date>{D("2023-11-10"), D("2023-11-13")}));
  Table ledger = env.wh->read(catalog::get("nba_orchestration.run_ledger"), std::nullopt, {"input_fingerprint"});
  ASSERT_EQ(ledger.num_rows(), 4u);
  EXPECT_TRUE(ledger.get_text(0, "input_fingerprint").has_value());
}

TEST(RunnerTest, RejectsBadOptions) {
  Env env;
  env.opts.workers = 0;
  EXPECT_THROW(start_run(*env.wh, env.schedule, env.plan, env.opts), ConfigError);
}

TEST(RunnerTest, SeasonToDateWindowsWaitForAllEarlierDatesAndBlockOnAnyFailure) {
  // 20 consecutive game dates: windows of more than 8 units use the prefix-node
  // edges.
  Schedule s = daily_schedule(20);
  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  load_raw(*wh, s);
  Fakes f;
  Fake fe("fake_e", "fe", kB, {{kA, WindowKind::kSeasonToDate, 0, true}}, f.control);
  f.control.fail.insert({"fa", D("2023-11-12")});
  f.control.sleep_ms = {{"fa", 5}};
  PlanOptions o;
  o.range = DateRange{D("2023-11-01"), D("2023-11-20")};
  Plan plan = make_plan(s, o, {f.fa.get(), &fe});
  RunOptions ro;
  ro.checkpoint_dir = (dir.path() / "ck").string();
  ro.workers = 2;
  RunResult r = run(*wh, s, plan, ro);
  std::map<Date, const UnitResult*> fa, fe_units;
  for (const auto& u : r.units) (u.processor == f.fa.get() ? fa : fe_units)[u.date] = &u;
  ASSERT_EQ(fe_units.size(), 20u);
  for (const auto& [d, u] : fe_units) {
    if (d <= D("2023-11-12")) {
      // Window strictly before D: 11-12's own failure does not block 11-12.
      // (The fake reads fa's same-date partition, which may not exist yet, so
      // it commits success or empty.)
      EXPECT_TRUE(u->status == UnitStatus::kSuccess || u->status == UnitStatus::kEmpty) << d.iso();
      EXPECT_EQ(u->attempts, 1);
      for (const auto& [d2, a] : fa) {
        if (d2 < d) EXPECT_GT(u->start_seq, a->end_seq) << d.iso() << " started before fa " << d2.iso();
      }
    } else {
      EXPECT_EQ(u->status, UnitStatus::kBlocked) << d.iso();
      EXPECT_EQ(u->reason, "upstream fake_a 2023-11-12 failed");
    }
  }
  EXPECT_EQ(r.exit_code(), 1);
}

TEST(RunnerTest, CorruptCheckpointIsReportedAndNotTrusted) {
  Env env({"fa"});
  env.opts.write_ledger = false;  // no ledger history: resume could only come
                                  // from the checkpoint file
  ASSERT_EQ(run(*env.wh, env.schedule, env.plan, env.opts).exit_code(), 0);
  const std::string path = Checkpoint::path_for(env.opts.checkpoint_dir, "fake_a", *env.plan.checkpoint_range());
  {
    std::ofstream(path) << "not json";
  }
  RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  EXPECT_EQ(r.exit_code(), 0);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find(".corrupt-1"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.summary_text().find("WARNING: checkpoint"), std::string::npos);
  for (const auto& u : r.units) EXPECT_EQ(u.attempts, 1);  // nothing resumed from the corrupt file
  EXPECT_EQ(env.checkpoint(env.fakes.fa.get()).successful_dates().size(), 6u);
}

// A run with one worker uses one thread: the warehouse's background I/O (the
// SQLite checkpointer) is forbidden while it runs and allowed again after it;
// with two workers it stays allowed. Either way the run returns with that I/O
// done: it waits for the checkpoints its commits asked for once, after its
// last write (the ledger's included), so its seconds hold them and nothing of
// it runs behind the caller.
TEST(RunnerTest, OneWorkerForbidsBackgroundIoForTheRunAndEveryRunWaitsForIt) {
  for (const int workers : {1, 2}) {
    Env env;
    IoRecorder wh(*env.wh);
    env.opts.workers = workers;
    const RunResult r = run(wh, env.schedule, env.plan, env.opts);
    EXPECT_EQ(r.exit_code(), 0) << r.summary_text();
    EXPECT_EQ(wh.calls, (std::vector<bool>{workers > 1, true})) << workers << " workers";
    EXPECT_EQ(workers > 1 ? wh.writes_forbidden.load() : wh.writes_allowed.load(), 0) << workers << " workers";
    EXPECT_GT(workers > 1 ? wh.writes_allowed.load() : wh.writes_forbidden.load(), 0) << workers << " workers";
    EXPECT_EQ(wh.writes_before_wait, std::vector<int>{wh.writes_allowed + wh.writes_forbidden})
        << workers << " workers";
  }
}

// --workers N runs N units at once even on a machine with fewer cores (TBB
// caps an arena at the hardware threads unless the runner raises the limit):
// four independent units meet inside run() at the same time.
TEST(RunnerTest, WorkersBeyondTheCoreCountRunConcurrently) {
  Env env({"fa"});
  env.opts.workers = 4;
  env.fakes.control.rendezvous = 4;
  const RunResult r = run(*env.wh, env.schedule, env.plan, env.opts);
  ASSERT_EQ(r.exit_code(), 0) << r.summary_text();
  EXPECT_EQ(env.fakes.control.max_in_flight, 4);
}
