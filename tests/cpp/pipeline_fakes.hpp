#pragma once
// Test-only processors, schedule and warehouse helpers for the pipeline tests
// (plan, pre-flight, checkpoint, runner, coverage). Fakes are never registered
// globally: tests pass them as an explicit processor list (make_plan/coverage
// overloads), so the global registry stays clean.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/processors/processor.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::testing::pipeline_fakes {

/// Forwards every call to a warehouse; a test's subclass overrides what it
/// watches or breaks.
class Forwarding : public Warehouse {
 public:
  explicit Forwarding(Warehouse& base) : base_(base) {}
  [[nodiscard]] std::string uri() const override { return base_.uri(); }
  void ensure_table(const TableSchema& s) override { base_.ensure_table(s); }
  [[nodiscard]] bool has_table(const TableSchema& s) override { return base_.has_table(s); }
  [[nodiscard]] Table read(const TableSchema& s, std::optional<DateRange> r,
                           const std::vector<std::string>& c = {}) override {
    return base_.read(s, r, c);
  }
  [[nodiscard]] Table read_block(const TableSchema& s, DateRange r, const std::vector<std::string>& c) override {
    return base_.read_block(s, r, c);
  }
  void write_batch(const std::vector<TableWrite>& w) override { base_.write_batch(w); }
  void append(const TableSchema& s, const Table& rows) override { base_.append(s, rows); }
  [[nodiscard]] Table newest_ledger_rows(const LedgerLookup& q) override { return base_.newest_ledger_rows(q); }
  [[nodiscard]] bool short_reads_are_cheap() const override { return base_.short_reads_are_cheap(); }
  [[nodiscard]] std::map<Date, int64_t> partition_counts(const TableSchema& s, std::optional<DateRange> r) override {
    return base_.partition_counts(s, r);
  }
  [[nodiscard]] std::map<Date, std::string> partition_hashes(const TableSchema& s,
                                                             std::optional<DateRange> r) override {
    return base_.partition_hashes(s, r);
  }
  [[nodiscard]] std::map<Date, PartitionHash> content_hashes(const TableSchema& s, std::optional<DateRange> r,
                                                             const std::vector<std::string>& c) override {
    return base_.content_hashes(s, r, c);
  }
  [[nodiscard]] std::set<std::pair<Date, std::string>> distinct_by_date(const TableSchema& s, DateRange r,
                                                                        const std::string& c) override {
    return base_.distinct_by_date(s, r, c);
  }
  void allow_background_io(bool allow) override { base_.allow_background_io(allow); }
  void wait_for_background_io() override { base_.wait_for_background_io(); }
  [[nodiscard]] bool writes_take_turns() const override { return base_.writes_take_turns(); }

 private:
  Warehouse& base_;
};

inline Date D(const char* iso) { return Date::parse(iso); }

/// Season 2023-24 opens 2023-10-24 (bootstrap 10-24 … 11-06). Game dates: 10-24
/// (2 games), 11-10, 11-11, 11-13 (2 games), 11-14, 11-16; off days 11-12,
/// 11-15. A preseason game on 10-10.
inline Schedule small_schedule() {
  std::vector<Game> games;
  int id = 100;
  auto add = [&](const char* date, const char* away, const char* home, GameType type = GameType::kRegularSeason) {
    Game g;
    g.nba_game_id = "0022300" + std::to_string(id++);
    g.date = D(date);
    g.season = 2023;
    g.home = home;
    g.away = away;
    g.type = type;
    g.status = GameStatus::kFinal;
    g.home_score = 110;
    g.away_score = 100;
    games.push_back(g);
  };
  add("2023-10-10", "BOS", "NYK", GameType::kPreseason);
  add("2023-10-24", "LAL", "DEN");
  add("2023-10-24", "PHX", "GSW");
  add("2023-11-10", "BOS", "NYK");
  add("2023-11-11", "LAL", "DEN");
  add("2023-11-13", "PHX", "GSW");
  add("2023-11-13", "MIA", "CHI");
  add("2023-11-14", "BOS", "LAL");
  add("2023-11-16", "DEN", "PHX");
  return Schedule(std::move(games));
}

inline const char* kRaw = "nba_raw.team_shot_zones_allowed";
inline const char* kA = "nba_precompute.player_shot_zone_analysis";
inline const char* kB = "nba_precompute.player_daily_cache";
inline const char* kC = "nba_precompute.player_composite_factors";

/// Writes the raw input: one row per team-game (2 per game) on every game date
/// except @p skip; on @p half only the home side is written (a partial date).
inline void load_raw(Warehouse& wh, const Schedule& s, std::set<Date> skip = {}, std::set<Date> half = {}) {
  const TableSchema& schema = catalog::get(kRaw);
  wh.ensure_table(schema);
  Table t(schema);
  std::set<Date> dates;
  for (const Game& g : s.games()) {
    if (!g.counts() || skip.count(g.date)) continue;
    dates.insert(g.date);
    for (int side = 0; side < 2; ++side) {
      if (side == 1 && half.count(g.date)) continue;
      size_t r = t.add_row();
      t.set(r, "game_id", g.date_id());
      t.set(r, "game_date", g.date);
      t.set(r, "season_year", int64_t{g.season});
      t.set(r, "defending_team_abbr", side == 0 ? g.home : g.away);
      t.set(r, "offense_team_abbr", side == 0 ? g.away : g.home);
    }
  }
  wh.replace_partitions(schema, std::vector<Date>(dates.begin(), dates.end()), t);
}

/// Shared knobs and counters for the fakes.
struct Control {
  std::mutex mu;
  std::set<std::pair<std::string, Date>> fail;             ///< (code, date) → non-transient DataError
  std::map<std::pair<std::string, Date>, int> transient;   ///< (code, date) → transient errors left
  std::map<std::pair<std::string, Date>, int> calls;       ///< run() calls
  std::map<std::string, int> sleep_ms;                     ///< per code
  std::set<std::pair<std::string, Date>> entity_failures;  ///< (code, date) → report one EntityFailure
  std::set<std::pair<std::string, Date>> empty;            ///< (code, date) → produce no rows
  /// When > 0, each run() waits (up to 10 s) until this many run() calls are in
  /// flight at once; max_in_flight records the most seen.
  int rendezvous = 0;
  int in_flight = 0;
  int max_in_flight = 0;
  std::condition_variable cv;

  int calls_of(const std::string& code, Date d) {
    std::lock_guard lock(mu);
    auto it = calls.find({code, d});
    return it == calls.end() ? 0 : it->second;
  }
  int total_calls() {
    std::lock_guard lock(mu);
    int n = 0;
    for (auto& [k, v] : calls) n += v;
    return n;
  }
};

/// A fake: copies the entity column of its first read (same date) into its
/// output table, one row per upstream row, with player_lookup =
/// "<entity>_<code>"; optional windowed reads only count.
class Fake : public Processor {
 public:
  Fake(std::string name, std::string code, std::string out, std::vector<UpstreamRead> reads, Control& control,
       BootstrapPolicy bootstrap = BootstrapPolicy::kRun)
      : control_(control) {
    info_.name = std::move(name);
    info_.code = std::move(code);
    info_.phase = 4;
    info_.output_table = std::move(out);
    info_.entity = "players";
    info_.reads = std::move(reads);
    info_.bootstrap = bootstrap;
    info_.legacy_job = info_.name;
  }
  const ProcessorInfo& info() const override { return info_; }

  UnitOutput run(const UnitContext& ctx) const override {
    const std::pair<std::string, Date> key{info_.code, ctx.date};
    int sleep = 0;
    bool fail = false, transient = false, entity_fail = false, empty = false;
    {
      std::lock_guard lock(control_.mu);
      control_.calls[key] += 1;
      sleep = control_.sleep_ms.count(info_.code) ? control_.sleep_ms[info_.code] : 0;
      fail = control_.fail.count(key) > 0;
      auto it = control_.transient.find(key);
      if (it != control_.transient.end() && it->second > 0) {
        --it->second;
        transient = true;
      }
      entity_fail = control_.entity_failures.count(key) > 0;
      empty = control_.empty.count(key) > 0;
    }
    if (control_.rendezvous > 0) meet();
    if (sleep) std::this_thread::sleep_for(std::chrono::milliseconds(sleep));
    if (transient) throw StorageError("database is locked (injected)", true);
    if (fail) throw DataError("injected failure for " + info_.code + " " + ctx.date.iso());
    const TableSchema& out_schema = catalog::get(info_.output_table);
    UnitOutput out(out_schema);
    const UpstreamRead& first = info_.reads.front();
    const TableSchema& in_schema = catalog::get(first.table);
    Table in = ctx.warehouse.read(in_schema, DateRange{ctx.date, ctx.date});
    const std::string entity_col = in_schema.name == kRaw ? "defending_team_abbr" : "player_lookup";
    std::set<std::string> entities;
    for (size_t r = 0; r < in.num_rows(); ++r) entities.insert(*in.get_text(r, entity_col));
    if (empty) entities.clear();
    for (const std::string& e : entities) {
      size_t r = out.rows.add_row();
      out.rows.set(r, "player_lookup", e + "_" + info_.code);
      out.rows.set(r, out_schema.partition_column, ctx.date);
      if (out_schema.index_of("game_id") >= 0) out.rows.set(r, "game_id", ctx.date.compact() + "_X_Y");
    }
    out.entities_processed = static_cast<int64_t>(entities.size());
    if (entities.empty()) out.empty_reason = "no entity qualified";
    if (entity_fail) out.failures.push_back(EntityFailure{"someone", "INSUFFICIENT_DATA", "fewer than 10 games"});
    return out;
  }

 private:
  void meet() const {
    std::unique_lock lock(control_.mu);
    control_.max_in_flight = std::max(control_.max_in_flight, ++control_.in_flight);
    control_.cv.notify_all();
    control_.cv.wait_for(lock, std::chrono::seconds(10), [&] { return control_.max_in_flight >= control_.rendezvous; });
    --control_.in_flight;
  }

  ProcessorInfo info_;
  Control& control_;
};

/// fa ← raw (same date); fb ← fa (same date); fc ← raw (same date, skips
/// bootstrap); fd ← fa (3 days before D, strictly before).
struct Fakes {
  Control control;
  std::unique_ptr<Fake> fa, fb, fc, fd;
  Fakes() {
    fa = std::make_unique<Fake>("fake_a", "fa", kA, std::vector<UpstreamRead>{{kRaw, WindowKind::kSameDate, 0, true}},
                                control);
    fb = std::make_unique<Fake>("fake_b", "fb", kB, std::vector<UpstreamRead>{{kA, WindowKind::kSameDate, 0, true}},
                                control);
    fc = std::make_unique<Fake>("fake_c", "fc", kC, std::vector<UpstreamRead>{{kRaw, WindowKind::kSameDate, 0, true}},
                                control, BootstrapPolicy::kSkip);
    fd = std::make_unique<Fake>("fake_d", "fd", kB, std::vector<UpstreamRead>{{kA, WindowKind::kDaysBefore, 3, true}},
                                control);
  }
  /// fa, fb, fc (the runner/coverage universe; fd writes fb's table so it is
  /// used alone).
  std::vector<const Processor*> abc() const { return {fa.get(), fb.get(), fc.get()}; }
};

/// Rows of @p table as sorted "date|player_lookup" strings (timestamps
/// excluded).
inline std::vector<std::string> dump(Warehouse& wh, const std::string& table) {
  const TableSchema& s = catalog::get(table);
  Table t = wh.read(s, std::nullopt, {s.partition_column, "player_lookup"});
  std::vector<std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    out.push_back(t.get_date(r, s.partition_column)->iso() + "|" + *t.get_text(r, "player_lookup"));
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// A full disk for chosen SQLite files: a VFS over the default one, made the
/// default (for the test process's life), whose writes to a file whose name
/// ends with the armed suffix fail with SQLITE_FULL, as a write past the end
/// of a full file system does. Disarmed, it only forwards. Files are told
/// apart by their open handles (sqlite3_file*), whose method table is
/// replaced by one whose xWrite and xClose look first.
class FullDisk {
 public:
  /// The one instance, installed on first use (before the warehouse whose
  /// files it should fail opens them).
  static FullDisk& get() {
    static FullDisk* disk = new FullDisk();  // never unregistered: connections may outlive a test
    return *disk;
  }
  /// Writes to files named "*@p suffix" fail @p times times (-1: until
  /// disarmed).
  void arm(std::string suffix, int times = -1) {
    std::lock_guard lock(mu_);
    suffix_ = std::move(suffix);
    left_ = times;
    failed_ = 0;
  }
  void disarm() { arm("", 0); }
  /// Writes failed since arm().
  int failed() {
    std::lock_guard lock(mu_);
    return failed_;
  }

 private:
  FullDisk() {
    base_ = sqlite3_vfs_find(nullptr);
    vfs_ = *base_;
    vfs_.zName = "nbaprops_full_disk";
    vfs_.pAppData = this;
    vfs_.xOpen = &FullDisk::open;
    sqlite3_vfs_register(&vfs_, 1);
  }
  static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
    auto* self = static_cast<FullDisk*>(vfs->pAppData);
    const int rc = self->base_->xOpen(self->base_, name, f, flags, out);
    if (rc != SQLITE_OK || f->pMethods == nullptr) return rc;
    std::lock_guard lock(self->mu_);
    auto [it, fresh] = self->methods_.try_emplace(f->pMethods, *f->pMethods);
    if (fresh) {
      it->second.xWrite = &FullDisk::write;
      it->second.xClose = &FullDisk::close;
    }
    self->files_[f] = {f->pMethods, name ? std::string(name) : std::string()};
    f->pMethods = &it->second;
    return rc;
  }
  static int write(sqlite3_file* f, const void* data, int n, sqlite3_int64 at) {
    FullDisk& self = get();
    const sqlite3_io_methods* real = nullptr;
    {
      std::lock_guard lock(self.mu_);
      const auto& [methods, name] = self.files_.at(f);
      real = methods;
      const std::string& sfx = self.suffix_;
      if (self.left_ != 0 && !sfx.empty() && name.size() >= sfx.size() &&
          name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0) {
        if (self.left_ > 0) --self.left_;
        ++self.failed_;
        return SQLITE_FULL;
      }
    }
    return real->xWrite(f, data, n, at);
  }
  static int close(sqlite3_file* f) {
    FullDisk& self = get();
    const sqlite3_io_methods* real = nullptr;
    {
      std::lock_guard lock(self.mu_);
      auto it = self.files_.find(f);
      real = it->second.first;
      self.files_.erase(it);
    }
    f->pMethods = real;
    return real->xClose(f);
  }

  sqlite3_vfs* base_ = nullptr;
  sqlite3_vfs vfs_{};
  std::mutex mu_;
  std::map<const sqlite3_io_methods*, sqlite3_io_methods> methods_;
  std::map<sqlite3_file*, std::pair<const sqlite3_io_methods*, std::string>> files_;
  std::string suffix_;
  int left_ = 0, failed_ = 0;
};

}  // namespace nbaprops::testing::pipeline_fakes
