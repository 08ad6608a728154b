#include "nbaprops/pipeline/runner.hpp"
#include "nbaprops/warehouse/cached_warehouse.hpp"

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <future>
#include <iomanip>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string_view>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/memory.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/workers.hpp"
#include "nbaprops/pipeline/checkpoint.hpp"
#include "nbaprops/pipeline/fingerprint.hpp"
#include "nbaprops/pipeline/run_lock.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::pipeline {

namespace ledger_col = cols::run_ledger;
namespace failure_col = cols::processor_failures;

namespace {

using Clock = std::chrono::steady_clock;

std::string utc_iso_now() { return iso_timestamp_now(true); }

std::string make_run_id() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "run_%04d%02d%02d_%02d%02d%02d_", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::random_device rd;
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", rd());
  return std::string(buf) + hex;
}

bool is_bad(UnitStatus s) { return s == UnitStatus::kFailed || s == UnitStatus::kBlocked; }

/// First date a window of @p r for run date @p d can reach.
Date window_start(const Schedule& schedule, const UpstreamRead& r, Date d) { return r.window(schedule, d).start; }

}  // namespace

std::map<std::string, DateRange> read_windows(const Schedule& schedule, const Plan& plan) {
  std::map<std::string, DateRange> out;
  for (const Unit& u : plan.units) {
    for (const UpstreamRead& r : u.processor->info().reads) {
      const Date from = window_start(schedule, r, u.date);
      const Date to = r.includes_same_date() ? u.date : u.date - 1;
      if (from > to) continue;
      auto [it, fresh] = out.try_emplace(r.table, DateRange{from, to});
      if (!fresh) it->second = DateRange{std::min(it->second.start, from), std::max(it->second.end, to)};
    }
  }
  return out;
}

std::map<std::string, std::vector<std::string>> read_projections(const Plan& plan) {
  std::map<std::string, std::set<std::string>> declared;
  std::set<std::string> undeclared;
  for (const Processor* p : plan.processors) {
    for (const UpstreamRead& r : p->info().reads) {
      if (r.columns.empty()) {
        undeclared.insert(r.table);
      } else {
        declared[r.table].insert(r.columns.begin(), r.columns.end());
      }
    }
  }
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [table, cols] : declared) {
    if (undeclared.count(table)) continue;
    const TableSchema& schema = catalog::get(table);
    auto& load = out[table];
    for (const ColumnDef& c : schema.columns) {  // schema order; the partition column always (the cache splits by it)
      if (cols.count(c.name) || c.name == schema.partition_column) load.push_back(c.name);
    }
  }
  return out;
}

std::string checkpoint_job(const Processor& p) {
  return p.info().legacy_job.empty() ? p.info().name : p.info().legacy_job;
}

// ---------------------------------------------------------------------------------------------
// RunResult

int RunResult::exit_code() const noexcept {
  if (cancelled) return 130;
  for (const auto& u : units) {
    if (is_bad(u.status)) return 1;
  }
  return 0;
}

std::map<std::string, std::map<std::string, int64_t>> RunResult::summary() const {
  std::map<std::string, std::map<std::string, int64_t>> out;
  for (const auto& u : units) {
    auto& m = out[u.processor->info().name];
    m[to_string(u.status)] += 1;
    m["rows"] += u.rows;
    m["entities"] += u.entities;
  }
  return out;
}

std::vector<UnitResult> RunResult::failures() const {
  std::vector<UnitResult> out;
  for (const auto& u : units) {
    if (is_bad(u.status)) out.push_back(u);
  }
  return out;
}

std::string RunResult::summary_text() const {
  std::ostringstream os;
  const std::string rule(80, '=');
  os << rule << "\n";
  os << "BACKFILL SUMMARY" << (run_id.empty() ? "" : " (run " + run_id + ")") << ":\n";
  // Processor order as first seen in the plan.
  std::vector<const Processor*> order;
  for (const auto& u : units) {
    if (std::find(order.begin(), order.end(), u.processor) == order.end()) order.push_back(u.processor);
  }
  const UnitStatus cols[] = {UnitStatus::kSuccess,        UnitStatus::kEmpty,   UnitStatus::kSkippedBootstrap,
                             UnitStatus::kSkippedNoGames, UnitStatus::kBlocked, UnitStatus::kFailed,
                             UnitStatus::kCancelled};
  const char* heads[] = {"success", "empty", "bootstrap", "no_games", "blocked", "failed", "cancelled"};
  os << std::left << std::setw(34) << "  processor";
  for (const char* h : heads) os << std::right << std::setw(10) << h;
  os << std::setw(12) << "rows" << "\n";
  auto sum = summary();
  for (const Processor* p : order) {
    auto& m = sum[p->info().name];
    os << std::left << std::setw(34) << ("  " + p->info().name);
    for (UnitStatus s : cols) os << std::right << std::setw(10) << m[to_string(s)];
    os << std::setw(12) << m["rows"] << "\n";
  }
  auto bad = failures();
  if (!bad.empty()) {
    os << "Failed or blocked units (" << bad.size() << " total):\n";
    for (size_t i = 0; i < bad.size() && i < 10; ++i) {
      os << "  " << bad[i].processor->info().name << " " << bad[i].date.iso() << " " << to_string(bad[i].status) << ": "
         << bad[i].reason << "\n";
    }
    if (bad.size() > 10) os << "  ... and " << (bad.size() - 10) << " more\n";
    std::map<const Processor*, std::set<Date>> retry;
    for (const auto& u : bad) retry[u.processor].insert(u.date);
    for (const Processor* p : order) {
      auto it = retry.find(p);
      if (it == retry.end()) continue;
      os << "Retry: nbaprops backfill --processors " << p->info().code << " --dates ";
      bool first = true;
      for (Date d : it->second) {
        os << (first ? "" : ",") << d.iso();
        first = false;
      }
      os << "  (or rerun the same range: resume retries failed dates)\n";
    }
  }
  int64_t up_to_date = 0, changed = 0;
  for (const auto& u : units) {
    up_to_date += u.reason == "resumed" ? 1 : 0;
    changed += u.inputs_changed ? 1 : 0;
  }
  if (up_to_date + changed > 0) {
    os << "Resume: " << up_to_date << " units up to date (inputs unchanged, skipped), " << changed
       << " recomputed: inputs changed\n";
  }
  for (const std::string& w : warnings) os << "WARNING: " << w << "\n";
  os << "Elapsed: " << std::fixed << std::setprecision(1) << seconds << " s" << (cancelled ? " (cancelled)" : "")
     << "; exit code " << exit_code() << "\n";
  os << rule << "\n";
  return os.str();
}

// ---------------------------------------------------------------------------------------------
// The run itself

struct RunHandle::State {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<UnitEvent> events;
  std::atomic<bool> done{false};
  std::atomic<bool> cancel{false};
  RunResult result;
  std::exception_ptr error;
  /// Resident bytes when the run started (0: unknown).
  const size_t resident_at_start = resident_bytes();

  /// Poller wake-ups are at most one per kWakeInterval: the poller (Python's
  /// main thread) woken per unit took a core from a worker thousands of times
  /// a run on a 2-core machine. A waiting poll looks at the queue every
  /// kWakeInterval, so an event queued without a wake-up waits at most that
  /// long.
  static constexpr std::chrono::milliseconds kWakeInterval{50};
  std::chrono::steady_clock::time_point last_wake{};  // guarded by mu

  void push(UnitEvent ev) {
    bool wake = false;
    {
      std::lock_guard lock(mu);
      events.push_back(std::move(ev));
      const auto now = std::chrono::steady_clock::now();
      if (now - last_wake >= kWakeInterval) {
        last_wake = now;
        wake = true;
      }
    }
    if (wake) cv.notify_all();
  }
};

namespace {

class Executor {
  using Node = tbb::flow::continue_node<tbb::flow::continue_msg>;

 public:
  /// @param cache the run's read cache in front of @p wh (or nullptr): its
  /// partitions no unfinished unit can read are released as the run advances.
  Executor(Warehouse& wh, const Schedule& schedule, const Plan& plan, const RunOptions& opts, RunHandle::State& state,
           CachedWarehouse* cache = nullptr)
      : wh_(wh), cache_(cache), schedule_(schedule), plan_(plan), opts_(opts), state_(state) {}

  RunResult execute() {
    auto t0 = Clock::now();
    RunResult result;
    result.run_id = opts_.run_id.empty() ? make_run_id() : opts_.run_id;
    run_id_ = result.run_id;
    stamp_ = utc_iso_now();
    const size_t n = plan_.units.size();
    res_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      res_[i].processor = plan_.units[i].processor;
      res_[i].date = plan_.units[i].date;
    }
    inputs_ = std::make_unique<InputFingerprints>(wh_, schedule_, read_windows(schedule_, plan_));
    // One writer per table: a second backfill of the same tables refuses,
    // naming this run.
    std::vector<std::string> outputs;
    for (const Processor* p : plan_.processors) outputs.push_back(p->info().output_table);
    const std::string uri = wh_.uri();
    const RunLock lock(n > 0 && uri.find("://") == std::string::npos ? uri : "", outputs, run_id_, stamp_);
    open_checkpoints();
    build_edges();
    expect_writes();
    start_loading_stored_failures(n > 0 ? opts_.workers : 1);
    for (const Unit& u : plan_.units) {
      ++carried_left_[{u.processor, season_of(u.date)}];
      read_floors_.insert(reads_from(u).days());
    }
    if (n > 0) {
      const int workers = std::max(1, opts_.workers);
      // One worker: one thread, the warehouse's housekeeping included (a
      // user who asked for one shares the machine, or measures one core).
      struct BackgroundIo {
        Warehouse& wh;
        BackgroundIo(Warehouse& w, bool allow) : wh(w) { wh.allow_background_io(allow); }
        ~BackgroundIo() { wh.allow_background_io(true); }
        BackgroundIo(const BackgroundIo&) = delete;
        BackgroundIo& operator=(const BackgroundIo&) = delete;
      } const background_io(wh_, workers > 1);
      if (workers > 1) make_commit_queues();
      WorkerArena arena(workers);
      arena.execute([&] {
        tbb::flow::graph g;
        std::vector<std::unique_ptr<Node>> nodes;
        nodes.reserve(n);
        done_.reserve(n);
        // Every unit node has a priority: earlier dates first, then the plan's
        // dependency order. TBB runs the ready task of the highest priority
        // next, whichever thread asks, so the run advances date by date across
        // all its processors (date-level pipelining: a date's downstream units
        // run before later dates' roots), no processor runs a season backwards
        // (its carried per-season state stays incremental), and the cache
        // releases dates behind the earliest unfinished one. (TBB's default,
        // a thread's newest task first, buried early roots under later ones.)
        int32_t last_day = plan_.units.front().date.days();
        for (const Unit& u : plan_.units) last_day = std::max(last_day, u.date.days());
        const auto n_proc = static_cast<tbb::flow::node_priority_t>(plan_.processors.size());
        std::map<const Processor*, tbb::flow::node_priority_t> rank;
        for (tbb::flow::node_priority_t k = 0; k < n_proc; ++k) rank[plan_.processors[k]] = k;
        std::vector<size_t> roots;
        tbb::flow::node_priority_t prefix_priority = 1;
        for (size_t i = 0; i < n; ++i) {
          const Unit& u = plan_.units[i];
          const auto days_before_last = static_cast<tbb::flow::node_priority_t>(last_day - u.date.days());
          const tbb::flow::node_priority_t priority =
              1 + days_before_last * n_proc + (n_proc - 1 - rank.at(u.processor));
          nodes.push_back(
              std::make_unique<Node>(g, [&, i](const tbb::flow::continue_msg&) { this->unit(i); }, priority));
          if (preds_[i].empty() && prefix_preds_[i].empty()) roots.push_back(i);
          prefix_priority = std::max(prefix_priority, priority + 1);
        }
        // A unit's successors wait for its done node, which finish_unit fires
        // once the unit is settled (committed, when it writes): in the unit's
        // own task, or in the task that committed it from the queue.
        for (size_t i = 0; i < n; ++i) {
          done_.push_back(std::make_unique<Node>(g, [](const tbb::flow::continue_msg&) {}, prefix_priority));
        }
        // Prefix nodes: prefix[U][k] completes once U's units on its k+1
        // earliest dates completed.
        std::map<const Processor*, std::vector<std::unique_ptr<Node>>> prefix;
        for (const Processor* up : prefix_needed_) {
          const auto& order = by_date_.at(up);
          auto& chain = prefix[up];
          chain.reserve(order.size());
          for (size_t k = 0; k < order.size(); ++k) {
            // Above every unit: a task without priority would wait until no
            // prioritized task is left.
            chain.push_back(std::make_unique<Node>(g, [](const tbb::flow::continue_msg&) {}, prefix_priority));
            tbb::flow::make_edge(*done_[order[k].second], *chain[k]);
            if (k > 0) tbb::flow::make_edge(*chain[k - 1], *chain[k]);
          }
        }
        for (size_t i = 0; i < n; ++i) {
          for (size_t p : preds_[i]) tbb::flow::make_edge(*done_[p], *nodes[i]);
          for (const auto& [up, k] : prefix_preds_[i]) tbb::flow::make_edge(*prefix[up][k], *nodes[i]);
        }
        link_carried_dates(g, nodes, prefix_priority, roots);
        for (size_t i : roots) nodes[i]->try_put(tbb::flow::continue_msg());
        g.wait_for_all();
        done_.clear();
        computed_.clear();
      });
    }
    finish_run();
    result.units = std::move(res_);
    result.warnings = std::move(warnings_);
    result.cancelled = state_.cancel.load();
    result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return result;
  }

 private:
  void open_checkpoints() {
    auto range = plan_.checkpoint_range();
    if (opts_.checkpoint_dir.empty() || !range) return;
    for (const Processor* p : plan_.processors) {
      const std::string job = checkpoint_job(*p);
      if (!opts_.resume) Checkpoint::reset(opts_.checkpoint_dir, job, *range);
      auto ck = std::make_unique<Checkpoint>(opts_.checkpoint_dir, job, *range, wh_.uri());
      ck->set_autosave_interval_ms(kCheckpointAutosaveMs);
      if (!ck->warning().empty()) warnings_.push_back(ck->warning());
      if (opts_.resume) {
        // Rows present in committed partitions, reported for resumed units (one
        // grouped count).
        resumed_rows_[p] = wh_.partition_counts(catalog::get(p->info().output_table), *range);
      }
      checkpoints_[p] = std::move(ck);
    }
    if (opts_.resume) {
      // The run writes the ledger: a ledger written before the index its
      // lookups use gets it now (Warehouse::newest_ledger_rows).
      const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
      if (opts_.write_ledger && wh_.has_table(ledger)) wh_.ensure_table(ledger);
      last_commit_ = load_last_commits(wh_, plan_.units);
    }
  }

  /// Dependency edges. For each read of unit i = (P, D) on a table written by U
  /// in the plan, the units of U dated in the window [from, to] are watched
  /// (their outcome blocks i). Edges: direct ones when the window holds at most
  /// kMaxDirectEdges units, otherwise one edge from U's prefix node at the
  /// window's last date (waits for all of U's earlier dates too — only
  /// ordering, not blocking) so season-to-date windows cost O(1) edges instead
  /// of O(dates).
  void build_edges() {
    constexpr size_t kMaxDirectEdges = 8;
    const size_t n = plan_.units.size();
    preds_.assign(n, {});
    prefix_preds_.assign(n, {});
    watch_.assign(n, {});
    for (size_t i = 0; i < n; ++i) by_date_[plan_.units[i].processor].push_back({plan_.units[i].date, i});
    for (auto& [p, v] : by_date_) std::sort(v.begin(), v.end());
    for (size_t i = 0; i < n; ++i) {
      const Unit& u = plan_.units[i];
      std::set<size_t> direct;
      std::map<const Processor*, size_t> via_prefix;
      for (const UpstreamRead& r : u.processor->info().reads) {
        const Processor* up = plan_.producer_of(r.table);
        if (!up) continue;
        const auto& order = by_date_[up];
        Date from = window_start(schedule_, r, u.date);
        Date to = r.includes_same_date() ? u.date : u.date - 1;
        if (up == u.processor) to = std::min(to, u.date - 1);  // a self-read only looks backwards
        auto lo = std::lower_bound(order.begin(), order.end(), std::make_pair(from, size_t{0}));
        auto hi = std::upper_bound(order.begin(), order.end(), std::make_pair(to, n));
        if (lo >= hi) continue;
        watch_[i].push_back(
            Watch{up, static_cast<size_t>(lo - order.begin()), static_cast<size_t>(hi - order.begin())});
        if (static_cast<size_t>(hi - lo) <= kMaxDirectEdges) {
          for (auto it = lo; it != hi; ++it) direct.insert(it->second);
        } else {
          size_t k = static_cast<size_t>(hi - order.begin()) - 1;
          auto& slot = via_prefix[up];
          slot = std::max(slot, k);
          prefix_needed_.insert(up);
        }
      }
      direct.erase(i);
      preds_[i].assign(direct.begin(), direct.end());
      prefix_preds_[i].assign(via_prefix.begin(), via_prefix.end());
    }
  }

  /// Tells the cache which partitions the run's units will replace (planned
  /// skips write nothing), so that no block load reads their stored rows; each
  /// unit settles its own (finish_unit).
  void expect_writes() {
    if (!cache_) return;
    std::map<std::string, std::vector<Date>> by_table;
    for (const Unit& u : plan_.units) {
      if (u.planned == UnitStatus::kPending) by_table[u.processor->info().output_table].push_back(u.date);
    }
    for (const auto& [table, dates] : by_table) cache_->expect_writes(table, dates);
  }

  /// The unit's input fingerprint and output.
  UnitOutput compute(const Unit& u, UnitResult& r) {
    if (r.input_fingerprint.empty()) {
      // Raw blocks the fingerprint is the first to reach load here: reading.
      const double load0 = CachedWarehouse::thread_load_seconds();
      r.input_fingerprint = inputs_->fingerprint(u);
      r.read_seconds += CachedWarehouse::thread_load_seconds() - load0;
    }
    const double read0 = proc::thread_read_seconds();
    const auto c0 = Clock::now();
    // Isolated: while this unit waits inside its own parallel loops, its
    // thread runs only their tasks, never another unit (which could need
    // the lock this unit holds on a carried history: a self-deadlock).
    UnitOutput out = tbb::this_task_arena::isolate(
        [&] { return u.processor->run(UnitContext{wh_, schedule_, u.date, &u.processor->info(), carried_state(u)}); });
    const double read = proc::thread_read_seconds() - read0;
    r.read_seconds += read;
    r.compute_seconds += std::chrono::duration<double>(Clock::now() - c0).count() - read;
    return out;
  }

  /// Runs unit @p i; never throws. Its output is committed here, or queued
  /// for the thread committing its dataset (commit_later), which then finishes
  /// the unit.
  void unit(size_t i) {
    const Unit& u = plan_.units[i];
    UnitResult& r = res_[i];
    r.started = Clock::now();
    r.started_at = utc_iso_now();
    std::optional<UnitOutput> out;
    try {
      out = decide_and_compute(u, r);
    } catch (const std::exception& e) {
      r.status = UnitStatus::kFailed;
      r.reason = e.what();
    } catch (...) {
      r.status = UnitStatus::kFailed;
      r.reason = "unknown error";
    }
    // Its compute is over (its carried state's lock free): the next date of a
    // processor computing its dates in turn may start (link_carried_dates).
    if (i < computed_.size() && computed_[i]) computed_[i]->try_put(tbb::flow::continue_msg());
    Prepared prep;
    if (out) {
      try {
        prep = prepare(u, r, *out);
      } catch (const std::exception& e) {  // out of memory: the unit fails, nothing is written
        out.reset();
        settle(r, UnitStatus::kFailed, e.what());
      }
    }
    // The unit's inputs are read: its season state and read-cache dates may go.
    release_carried(u);
    release_reads(u);
    if (out) {
      if (!commit_queues_.empty()) {
        commit_later(i, std::move(*out), std::move(prep));
        return;
      }
      commit_with_retries(u, r, *out, prep);
    }
    finish_unit(i);
  }

  /// A processor that computes a season's dates in turn
  /// (Processor::computes_dates_in_turn: each unit catches its carried state up
  /// to its date under the state's lock, which the unit before holds while it
  /// reads and computes) has the unit of its next date in the season wait for
  /// this one's compute here, in the graph, instead of on that lock with its
  /// worker idle (at a run's start the first unit reads the season's input
  /// block for tens of milliseconds): that worker runs other ready units
  /// meanwhile. (Processors whose units compute beside each other once caught
  /// up keep no such edge: it would put their computes in a line.) The
  /// edge leaves from the unit's computed node, fired by unit() as soon as the
  /// compute ends, on every path, before its commit; unit nodes that gain
  /// their first predecessor here are no longer roots.
  void link_carried_dates(tbb::flow::graph& g, const std::vector<std::unique_ptr<Node>>& nodes,
                          tbb::flow::node_priority_t priority, std::vector<size_t>& roots) {
    computed_.clear();
    computed_.resize(plan_.units.size());
    std::vector<bool> linked(plan_.units.size(), false);
    for (const auto& [proc, order] : by_date_) {
      if (!proc->computes_dates_in_turn()) continue;
      for (size_t k = 1; k < order.size(); ++k) {
        const size_t before = order[k - 1].second, next = order[k].second;
        if (season_of(order[k - 1].first) != season_of(order[k].first)) continue;  // a state of its own
        if (!computed_[before]) {
          computed_[before] = std::make_unique<Node>(g, [](const tbb::flow::continue_msg&) {}, priority);
        }
        tbb::flow::make_edge(*computed_[before], *nodes[next]);
        linked[next] = true;
      }
    }
    std::erase_if(roots, [&](size_t i) { return linked[i]; });
  }

  /// What a unit's commit needs from its rows besides the rows, worked out on
  /// the unit's own thread: a dataset's commits run one at a time
  /// (commit_later), so what is done before the queue shortens every other
  /// unit's wait for the file.
  struct Prepared {
    std::map<Date, PartitionHash> hashes;  ///< recorded with the rows, and for the downstream fingerprints
    std::vector<size_t> order;             ///< the rows in stored order (TableWrite::order); empty: none
    std::vector<uint8_t> constant;         ///< constant_columns of the rows in that order (TableWrite::constant)
    std::optional<Table> failures;         ///< the unit's failure rows as written (failure_rows)
    std::vector<size_t> failure_order;     ///< their stored order; empty: none
    std::vector<uint8_t> failure_constant;
  };

  /// The content hashes, stored order and constant columns of @p out's rows,
  /// and its failure rows as written, for unit @p u: work of the commit done
  /// before its turn, by the thread that computed the unit (with several
  /// workers the commits of a dataset are the run's critical path, and the
  /// computing thread otherwise waits for room in their queue). It counts as
  /// writing (r.write_seconds), as it did inside the commit.
  Prepared prepare(const Unit& u, UnitResult& r, const UnitOutput& out) const {
    Prepared p;
    p.hashes = partition_hashes_of(out.rows);
    const auto w0 = Clock::now();
    p.order = read_back_order_if_any(catalog::get(u.processor->info().output_table), out.rows);
    if (!p.order.empty()) p.constant = constant_columns(out.rows, p.order);
    p.failures.emplace(failure_rows(*u.processor, u.date, out.failures));
    p.failure_order = read_back_order_if_any(p.failures->schema(), *p.failures);
    if (!p.failure_order.empty()) p.failure_constant = constant_columns(*p.failures, p.failure_order);
    r.write_seconds += std::chrono::duration<double>(Clock::now() - w0).count();
    return p;
  }

  /// Records a settled unit (ledger, checkpoint, progress event) and releases
  /// its successors; never throws.
  void finish_unit(size_t i) {
    const Unit& u = plan_.units[i];
    UnitResult& r = res_[i];
    r.seconds = std::chrono::duration<double>(Clock::now() - r.started).count();
    if (r.status == UnitStatus::kFailed) {
      bool expected = false;
      if (first_failure_.compare_exchange_strong(expected, true)) {
        std::lock_guard lock(failure_mu_);
        first_failure_text_ = u.processor->info().name + " " + u.date.iso();
      }
    }
    // Before its successors are released: a partition the unit did not
    // replace is read from the base again.
    if (cache_) cache_->settle(u.processor->info().output_table, u.date);
    finish_bookkeeping(u, r, r.started_at);
    r.end_seq = seq_.fetch_add(1);
    NBAPROPS_LOG_DEBUG << "unit " << u.processor->info().name << " " << u.date.iso() << ": " << to_string(r.status)
                       << " rows=" << r.rows << " attempts=" << r.attempts
                       << (r.reason.empty() ? "" : " (" + r.reason + ")");
    state_.push(
        UnitEvent{u.processor->info().name, u.date, r.status, r.rows, r.seconds, r.reason, r.entities, r.attempts});
    done_[i]->try_put(tbb::flow::continue_msg());
  }

  /// Units queued for their dataset's commit. One thread at a time commits
  /// them (the one that found the queue idle drains it, isolated, then goes
  /// back to computing), so a unit whose dataset is being written hands over
  /// its output and frees its thread for the next unit instead of waiting for
  /// the file. A unit finding kMaxQueuedCommits outputs queued waits for
  /// room: outputs waiting to be written stay few, and a freed thread runs at
  /// most a few units ahead of the commits (the run still advances date by
  /// date: a downstream unit becomes ready when its upstream committed).
  struct Queued {
    size_t unit;
    UnitOutput out;
    Prepared prep;
    Clock::time_point since;  ///< when the unit began to wait (for room, then its turn)
  };
  struct CommitQueue {
    std::mutex mu;
    std::condition_variable room;
    std::deque<Queued> units;
    bool draining = false;
  };
  static constexpr size_t kMaxQueuedCommits = 2;

  /// With several workers, units writing a dataset whose writes take turns
  /// queue their commits for one of them (commit_later): one queue per output
  /// dataset, resolved here for each processor.
  void make_commit_queues() {
    if (!wh_.writes_take_turns()) return;
    std::map<std::string, CommitQueue*> by_dataset;
    for (const Processor* p : plan_.processors) {
      CommitQueue*& q = by_dataset[catalog::get(p->info().output_table).dataset()];
      if (q == nullptr) q = &commit_queues_.emplace_back();
      queue_of_[p] = q;
    }
  }

  void commit_later(size_t i, UnitOutput out, Prepared prep) {
    CommitQueue& q = *queue_of_.at(plan_.units[i].processor);
    const auto since = Clock::now();
    {
      std::unique_lock lock(q.mu);
      q.room.wait(lock, [&] { return !q.draining || q.units.size() < kMaxQueuedCommits; });
      q.units.push_back(Queued{i, std::move(out), std::move(prep), since});
      if (q.draining) return;
      q.draining = true;
    }
    for (;;) {
      std::optional<Queued> next;
      {
        std::lock_guard lock(q.mu);
        if (q.units.empty()) {
          q.draining = false;
          break;
        }
        next.emplace(std::move(q.units.front()));
        q.units.pop_front();
      }
      q.room.notify_all();
      const size_t k = next->unit;
      // A unit's seconds are the time spent on it: its wait in the queue is not.
      res_[k].started += Clock::now() - next->since;
      // Isolated: a thread waiting inside the commit's parallel work never
      // picks up a unit, which could queue behind this very drain.
      tbb::this_task_arena::isolate([&] { commit_with_retries(plan_.units[k], res_[k], next->out, next->prep); });
      finish_unit(k);
    }
    q.room.notify_all();
  }

  /// The output of @p u, or nothing when the unit is settled without one
  /// (planned skip, blocked, cancelled, resumed, failed).
  std::optional<UnitOutput> decide_and_compute(const Unit& u, UnitResult& r) {
    if (settled_without_running(u, r) || resumed(u, r)) return std::nullopt;
    return compute_with_retries(u, r);
  }

  /// Planned skips (bootstrap, no games) never run, whatever happens upstream;
  /// then a failed/blocked upstream blocks, a cancelled run or one stopped
  /// after a failure cancels, and a cancelled upstream cancels.
  /// @return whether @p r is settled.
  bool settled_without_running(const Unit& u, UnitResult& r) {
    if (u.planned != UnitStatus::kPending) {
      r.status = u.planned;
      r.reason = u.reason;
      return true;
    }
    const size_t i = static_cast<size_t>(&r - res_.data());
    const UnitResult* blocker = nullptr;
    const UnitResult* canceller = nullptr;
    for (const Watch& w : watch_[i]) {
      const auto& order = by_date_.at(w.processor);
      for (size_t k = w.lo; k < w.hi; ++k) {
        const UnitResult& up = res_[order[k].second];
        if (order[k].second == i) continue;
        if (is_bad(up.status) && !blocker) blocker = &up;
        if (up.status == UnitStatus::kCancelled && !canceller) canceller = &up;
      }
    }
    if (blocker) {
      r.status = UnitStatus::kBlocked;
      r.reason =
          "upstream " + blocker->processor->info().name + " " + blocker->date.iso() + " " + to_string(blocker->status);
      return true;
    }
    if (state_.cancel.load()) {
      r.status = UnitStatus::kCancelled;
      r.reason = "run cancelled";
      return true;
    }
    if (opts_.stop_on_failure && first_failure_.load()) {
      std::lock_guard lock(failure_mu_);
      r.status = UnitStatus::kCancelled;
      r.reason = "stopped after failure of " + first_failure_text_ + " (--stop-on-failure)";
      return true;
    }
    if (canceller) {
      r.status = UnitStatus::kCancelled;
      r.reason = "upstream " + canceller->processor->info().name + " " + canceller->date.iso() + " cancelled";
      return true;
    }
    return false;
  }

  /// Resume of a range plan (explicit --dates are always processed, as in the
  /// legacy): a date whose inputs hash as at its last commit, with the
  /// committed rows still there, is not run again. @return whether it was
  /// skipped.
  bool resumed(const Unit& u, UnitResult& r) {
    Checkpoint* ck = checkpoint(u.processor);
    if (!opts_.resume || !plan_.range || !ck) return false;
    int64_t rows = 0;
    if (auto it = resumed_rows_.find(u.processor); it != resumed_rows_.end()) {
      auto c = it->second.find(u.date);
      rows = c == it->second.end() ? 0 : c->second;
    }
    auto last = last_commit_.find({u.processor->info().name, u.date.days()});
    // A date the checkpoint records as failed or blocked is always retried
    // (legacy resume rule).
    if (last != last_commit_.end() && !ck->is_failed(u.date)) {
      r.input_fingerprint = inputs_->fingerprint(u);
      const LastCommit& lc = last->second;
      if (lc.up_to_date(r.input_fingerprint, rows)) {
        r.status = lc.empty ? UnitStatus::kEmpty : UnitStatus::kSuccess;
        r.reason = "resumed";
        r.rows = rows;
        return true;
      }
      r.inputs_changed = true;
      return false;
    }
    if (ck->is_committed(u.date) && rows > 0) {
      // A checkpoint without ledger history (a legacy file): trust it where
      // this warehouse holds the rows (legacy checkpoints carry no warehouse
      // key).
      r.status = UnitStatus::kSuccess;
      r.reason = "resumed";
      r.rows = rows;
      return true;
    }
    return false;
  }

  /// Computes the unit's output; a transient error is retried with
  /// exponential backoff (cancellable), any other fails the unit (nothing to
  /// commit then).
  std::optional<UnitOutput> compute_with_retries(const Unit& u, UnitResult& r) {
    r.start_seq = seq_.fetch_add(1);
    for (;;) {
      ++r.attempts;
      try {
        UnitOutput out = compute(u, r);
        stamp(out.rows);
        r.rows = static_cast<int64_t>(out.rows.num_rows());
        r.entities = out.entities_processed;
        if (r.rows > 0) {
          r.status = UnitStatus::kSuccess;
          r.reason = r.inputs_changed ? "recomputed: inputs changed" : "";
        } else {
          r.status = UnitStatus::kEmpty;
          r.reason = out.empty_reason.empty() ? "no rows produced" : out.empty_reason;
        }
        return out;
      } catch (const Error& e) {
        if (!retry_after(u, r, e)) return std::nullopt;
      }
    }
  }

  /// Commits the unit's output (one transaction); a transient error retries
  /// the commit alone (the output is kept), within the same budget of
  /// attempts as the compute; any other fails the unit. Never throws.
  void commit_with_retries(const Unit& u, UnitResult& r, const UnitOutput& out, const Prepared& prep) {
    const TableSchema& out_schema = catalog::get(u.processor->info().output_table);
    for (;;) {
      try {
        commit(u, r, out_schema, out, prep);
        return;
      } catch (const Error& e) {
        if (!retry_after(u, r, e)) return;
        ++r.attempts;
      } catch (const std::exception& e) {
        settle(r, UnitStatus::kFailed, e.what());
        return;
      } catch (...) {
        settle(r, UnitStatus::kFailed, "unknown error");
        return;
      }
    }
  }
  /// Settles a unit that wrote nothing: @p status (failed, cancelled) and why.
  static void settle(UnitResult& r, UnitStatus status, std::string reason) {
    r.status = status;
    r.reason = std::move(reason);
    r.rows = 0;
    r.entities = 0;
  }

  /// After error @p e in attempt r.attempts: waits out the backoff and
  /// returns true when a transient error may be retried; otherwise settles
  /// the unit as failed (or cancelled, when the run was cancelled during the
  /// backoff) and returns false.
  bool retry_after(const Unit& u, UnitResult& r, const Error& e) {
    const int attempt = r.attempts;
    if (e.transient() && attempt <= opts_.max_retries && !state_.cancel.load()) {
      double delay = opts_.retry_base_seconds * static_cast<double>(1 << std::min(attempt - 1, 20));
      NBAPROPS_LOG_WARN << u.processor->info().name << " " << u.date.iso() << ": transient error (attempt " << attempt
                        << "/" << (opts_.max_retries + 1) << "), retrying in " << delay << " s: " << e.what();
      sleep_cancellable(delay);
      if (!state_.cancel.load()) return true;
      settle(r, UnitStatus::kCancelled,
             "run cancelled during retry backoff (last error: " + std::string(e.what()) + ")");
      return false;
    }
    std::string reason = e.what();
    if (e.transient() && attempt > 1) reason += " (after " + std::to_string(attempt) + " attempts)";
    settle(r, UnitStatus::kFailed, std::move(reason));
    return false;
  }

  void sleep_cancellable(double seconds) {
    auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < until && !state_.cancel.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  /// Stamps created_at / processed_at / updated_at / graded_at / computed_at
  /// with the run's single timestamp when the output has them (processors never
  /// read the clock, so the runner owns these columns).
  void stamp(Table& rows) const {
    for (const char* col : {"created_at", "processed_at", "updated_at", "graded_at", "computed_at"}) {
      int idx = rows.index_of(col);
      if (idx < 0) continue;
      Column& c = rows.col(static_cast<size_t>(idx));
      const std::string* stamp = intern_cell(stamp_);
      for (size_t row = 0; row < rows.num_rows(); ++row) c.set_text_ptr(row, stamp);
    }
  }

  /// The failure rows of (processor, date) as written (the partition is shared
  /// by all processors: the write replaces this processor's rows only).
  Table failure_rows(const Processor& p, Date d, const std::vector<EntityFailure>& failures) const {
    const TableSchema& schema = catalog::get("nba_orchestration.processor_failures");
    Table t(schema);
    const std::string& e = p.info().entity;
    const std::string* entity_type = intern(e == "teams" ? "team" : (e == "players" ? "player" : e));
    const std::string* processor = intern(p.info().name);
    const std::string* run_id = intern_cell(run_id_);
    const std::string* stamp = intern_cell(stamp_);
    Column &c_proc = t.col(failure_col::processor), &c_date = t.col(failure_col::analysis_date),
           &c_entity = t.col(failure_col::entity_id), &c_type = t.col(failure_col::entity_type),
           &c_cat = t.col(failure_col::failure_category), &c_reason = t.col(failure_col::reason),
           &c_run = t.col(failure_col::run_id), &c_created = t.col(failure_col::created_at);
    t.resize(failures.size());
    for (size_t row = 0; row < failures.size(); ++row) {
      const EntityFailure& f = failures[row];
      c_proc.set_text_ptr(row, processor);
      c_date.set_int(row, int64_t{d.days()});
      c_entity.set_text(row, f.entity_id);
      if (!entity_type->empty()) c_type.set_text_ptr(row, entity_type);
      c_cat.set_text(row, f.category);
      c_reason.set_text(row, std::string_view(f.reason).substr(0, 1000));
      c_run.set_text_ptr(row, run_id);
      c_created.set_text_ptr(row, stamp);
    }
    return t;
  }

  /// The run-ledger row of a unit.
  Table ledger_row(const Unit& u, const UnitResult& r, const std::string& started_at) const {
    Table t(catalog::get("nba_orchestration.run_ledger"));
    size_t row = t.add_row();
    t.set(row, ledger_col::run_id, run_id_);
    t.set(row, ledger_col::processor, u.processor->info().name);
    t.set(row, ledger_col::output_table, u.processor->info().output_table);
    t.set(row, ledger_col::unit_date, u.date);
    t.set(row, ledger_col::status, to_string(r.status));
    t.set(row, ledger_col::rows_written, r.rows);
    t.set(row, ledger_col::attempts, int64_t{r.attempts});
    t.set(row, ledger_col::duration_ms, r.seconds * 1000.0);
    if (!r.input_fingerprint.empty()) t.set(row, ledger_col::input_fingerprint, r.input_fingerprint);
    if (!r.reason.empty()) t.set(row, ledger_col::reason, r.reason.substr(0, 2000));
    t.set(row, ledger_col::started_at, started_at);
    t.set(row, ledger_col::finished_at, utc_iso_now());
    return t;
  }

  /// One transaction per unit: its output partition, its failure rows and its
  /// ledger row commit together or not at all.
  void commit(const Unit& u, UnitResult& r, const TableSchema& out_schema, const UnitOutput& out,
              const Prepared& prep) {
    const Table& failures = prep.failures.value();  // built before the commit's turn (prepare)
    std::vector<TableWrite> writes{TableWrite{&out_schema, &out.rows, {u.date}, {}, {}, false, &prep.hashes}};
    if (!prep.order.empty()) {
      writes.front().order = &prep.order;
      writes.front().constant = &prep.constant;
    }
    // The unit's failure rows replace its stored ones; with none on either side
    // there is nothing to write (saves a DELETE per unit: a table copy each on
    // BigQuery).
    if (failures.num_rows() > 0 || has_stored_failures(u)) {
      writes.push_back(
          TableWrite{&failures.schema(), &failures, {u.date}, {}, {{"processor", u.processor->info().name}}, false});
      if (!prep.failure_order.empty()) {
        writes.back().order = &prep.failure_order;
        writes.back().constant = &prep.failure_constant;
      }
    }
    std::optional<Table> ledger;
    if (opts_.write_ledger) {
      r.seconds = std::chrono::duration<double>(Clock::now() - r.started).count();
      ledger.emplace(ledger_row(u, r, r.started_at));
      writes.push_back(TableWrite{&ledger->schema(), &*ledger, {u.date}, {}, {}, true});
    }
    const auto w0 = Clock::now();
    try {
      wh_.write_batch(writes);
      r.ledger_written = ledger.has_value();
    } catch (const PartialCommitError& e) {
      // The output's file committed, the run logs' file did not.
      if (e.stored().front() != PartialCommitError::Stored::kYes) throw;
      write_run_logs_alone(u, r, writes, e);
    }
    r.write_seconds += std::chrono::duration<double>(Clock::now() - w0).count();
    inputs_->note_committed(out_schema.name, u.date, prep.hashes);
  }

  /// After a commit of which the output's file committed and the run logs'
  /// file did not (@p first: a full disk between the two files' commits), the
  /// unit's rows are stored: it is committed. Its ledger and failure rows are
  /// written again, in a transaction of their own (transient errors retried as
  /// a commit's). If that fails too, the unit stays committed, its reason says
  /// what is stored and what is not, and its date stays out of the checkpoint:
  /// as after a crash between the two files, `--status` reports it missing and
  /// a resume recomputes it (or skips it where an older ledger row has the same
  /// inputs and row count). Never fails the unit.
  void write_run_logs_alone(const Unit& u, UnitResult& r, const std::vector<TableWrite>& writes,
                            const PartialCommitError& first) {
    using Stored = PartialCommitError::Stored;
    std::vector<TableWrite> rest;
    std::string lost;
    bool unknown = false;
    for (size_t i = 1; i < writes.size(); ++i) {
      unknown = unknown || first.stored()[i] == Stored::kUnknown;
      if (first.stored()[i] != Stored::kNo) continue;
      rest.push_back(writes[i]);
      const bool is_ledger = writes[i].schema->name == "nba_orchestration.run_ledger";
      lost += std::string(lost.empty() ? "" : " and ") + (is_ledger ? "ledger row" : "failure rows");
    }
    std::string why = first.what();
    for (int attempt = 1; !unknown && !rest.empty(); ++attempt) {
      try {
        wh_.write_batch(rest);
        r.ledger_written = opts_.write_ledger;
        NBAPROPS_LOG_WARN << u.processor->info().name << " " << u.date.iso() << ": its rows committed, its " << lost
                          << " did not (" << first.what() << "); written in a transaction of their own";
        return;
      } catch (const std::exception& e) {
        why = e.what();
        const auto* err = dynamic_cast<const Error*>(&e);
        if (!err || !err->transient() || attempt > opts_.max_retries || state_.cancel.load()) break;
        sleep_cancellable(opts_.retry_base_seconds * static_cast<double>(1 << std::min(attempt - 1, 20)));
      }
    }
    if (rest.empty() && !unknown) return;  // nothing of the unit's is missing
    r.run_logs_lost = true;
    r.ledger_written = true;  // nothing more is appended for it
    r.reason =
        "rows committed, " + (lost.empty() ? std::string("run-log rows possibly") : lost) + " not written: " + why;
    NBAPROPS_LOG_WARN << u.processor->info().name << " " << u.date.iso() << ": " << r.reason;
  }

  void finish_bookkeeping(const Unit& u, UnitResult& r, const std::string& started_at) {
    // A unit whose run-log rows were lost stays out of the checkpoint
    // (write_run_logs_alone).
    if (Checkpoint* ck = r.run_logs_lost ? nullptr : checkpoint(u.processor)) {
      try {
        switch (r.status) {
          case UnitStatus::kSuccess:
          case UnitStatus::kEmpty:
            // Units found up to date by their ledger fingerprint are recorded too
            // (the file may be new, or set aside as corrupt); those the
            // checkpoint itself resumed already are.
            if (r.reason != "resumed" || !ck->is_committed(u.date)) ck->mark_complete(u.date);
            break;
          case UnitStatus::kSkippedBootstrap:
            ck->mark_skipped(u.date);
            break;
          case UnitStatus::kFailed:
          case UnitStatus::kBlocked:
            ck->mark_failed(u.date, std::string(to_string(r.status)) + ": " + r.reason);
            break;
          default:
            break;  // no-games and cancelled dates are not recorded (cancelled
                    // ones rerun)
        }
      } catch (const std::exception& e) {
        checkpoint_failed(u.processor->info().name + " " + u.date.iso(), e);
      }
    }
    if (!opts_.write_ledger || r.ledger_written) return;
    // Units that wrote nothing (resumed as up to date, skipped) are recorded in
    // batches — resuming a season otherwise costs one append per unit, a
    // request each on BigQuery; a failed, blocked or cancelled unit is recorded
    // at once.
    const bool batched =
        r.reason == "resumed" || r.status == UnitStatus::kSkippedBootstrap || r.status == UnitStatus::kSkippedNoGames;
    try {
      const Table t = ledger_row(u, r, started_at);
      std::lock_guard lock(ledger_mu_);
      if (!pending_ledger_) pending_ledger_.emplace(t.schema());
      pending_ledger_->append_same(t);
      if (!batched || pending_ledger_->num_rows() >= kLedgerBatchRows) flush_ledger_locked();
    } catch (const std::exception& e) {
      NBAPROPS_LOG_WARN << "run ledger append failed for " << u.processor->info().name << " " << u.date.iso() << ": "
                        << e.what();
    }
  }

  /// After the last unit: the batched ledger rows, the checkpoints' last
  /// marks, the warnings about both, and the warehouse's background I/O the
  /// run's commits asked for.
  void finish_run() {
    flush_ledger();
    for (auto& [p, ck] : checkpoints_) {
      try {
        ck->flush();
      } catch (const std::exception& e) {
        checkpoint_failed(p->info().name + " (end of run)", e);
      }
    }
    if (const int64_t n = checkpoint_failures_.load(); n > 0) {
      warnings_.push_back(std::to_string(n) + " checkpoint write(s) failed, the first: " + first_checkpoint_error_ +
                          ". The checkpoint files may miss this run's dates; the run ledger has every committed "
                          "unit, so a resume still skips them");
    }
    // The checkpoints the run's commits asked of the warehouse's own thread
    // (two or more workers) are part of the run: it returns with the files
    // quiet, its seconds holding them, rather than copying logs behind the
    // caller's next step.
    wh_.wait_for_background_io();
    if (std::string lost = run_logs_lost_warning(); !lost.empty()) warnings_.push_back(std::move(lost));
  }

  /// A checkpoint write failed (@p what: the unit or processor): the first
  /// failure of the run is logged, later ones only counted (a checkpoint
  /// directory that cannot be written fails every write: one line per unit
  /// before); the summary says how many (execute). The run goes on: the run
  /// ledger, committed with each unit, is what a resume trusts.
  void checkpoint_failed(const std::string& what, const std::exception& e) {
    if (checkpoint_failures_.fetch_add(1) > 0) return;
    first_checkpoint_error_ = e.what();  // written once, read after the graph ended
    NBAPROPS_LOG_WARN << "checkpoint update failed for " << what << ": " << e.what()
                      << " (the run goes on; further checkpoint failures are counted in the summary, not logged)";
  }

  /// The warning of a run some of whose units committed their rows without
  /// their run-log rows (write_run_logs_alone); "" when none did.
  [[nodiscard]] std::string run_logs_lost_warning() const {
    std::vector<const UnitResult*> lost;
    for (const UnitResult& r : res_) {
      if (r.run_logs_lost) lost.push_back(&r);
    }
    if (lost.empty()) return "";
    std::string units;
    for (size_t i = 0; i < lost.size() && i < 5; ++i) {
      units += (i ? ", " : "") + lost[i]->processor->info().name + " " + lost[i]->date.iso();
    }
    if (lost.size() > 5) units += ", … and " + std::to_string(lost.size() - 5) + " more";
    return std::to_string(lost.size()) + " unit(s) committed their rows but not their run-ledger rows (" +
           lost.front()->reason + "): " + units +
           ". Their rows are this run's output; `--status` reports them missing and a resume recomputes them";
  }

  /// The (processor, date) pairs of the plan with failure rows stored before
  /// the run (in nba_orchestration.processor_failures): one read per run (a
  /// unit's failure rows are replaced only where some exist).
  using StoredFailures = std::set<std::pair<const Processor*, int32_t>>;

  [[nodiscard]] StoredFailures load_stored_failures() const {
    StoredFailures out;
    const TableSchema& schema = catalog::get("nba_orchestration.processor_failures");
    if (plan_.units.empty()) return out;
    Date lo = plan_.units.front().date, hi = lo;
    for (const Unit& u : plan_.units) lo = std::min(lo, u.date), hi = std::max(hi, u.date);
    // The (date, processor) pairs alone: a run's range of a table every run
    // appends to holds many rows a pair (a date's skipped players).
    const auto stored = wh_.distinct_by_date(schema, DateRange{lo, hi}, "processor");
    // Rows of processors outside the plan are never asked about.
    std::map<std::string_view, const Processor*> by_name;
    for (const Processor* p : plan_.processors) by_name.emplace(p->info().name, p);
    for (const auto& [day, name] : stored) {
      if (const auto it = by_name.find(name); it != by_name.end()) out.emplace(it->second, day.days());
    }
    return out;
  }

  /// Starts load_stored_failures: with two or more workers on a thread of its
  /// own, while the first units compute (it reads a whole range of a table,
  /// and no unit needs its answer before its commit); with one, in the first
  /// commit that asks. Only a commit with failure rows of its own writes
  /// without asking; a read after it may also find that unit's rows, which no
  /// later commit asks about.
  void start_loading_stored_failures(int workers) {
    stored_failures_ = std::async(workers > 1 ? std::launch::async : std::launch::deferred, [this] {
                         return load_stored_failures();
                       }).share();
  }

  /// Whether (u.processor, u.date) had failure rows stored before the run
  /// (waits for them to be read). Where they could not be read, every unit's
  /// failure rows are written (a replace of nothing stored changes nothing).
  [[nodiscard]] bool has_stored_failures(const Unit& u) const {
    try {
      return stored_failures_.get().count({u.processor, u.date.days()}) > 0;
    } catch (const std::exception& e) {
      std::call_once(stored_failures_warned_, [&] {
        NBAPROPS_LOG_WARN << "stored processor_failures rows not read (every unit replaces its own): " << e.what();
      });
      return true;
    }
  }

  /// Appends the buffered ledger rows (caller holds ledger_mu_).
  void flush_ledger_locked() {
    if (!pending_ledger_ || pending_ledger_->num_rows() == 0) return;
    Table rows = std::move(*pending_ledger_);
    pending_ledger_.reset();
    wh_.append(rows.schema(), rows);
  }
  void flush_ledger() {
    std::lock_guard lock(ledger_mu_);
    try {
      flush_ledger_locked();
    } catch (const std::exception& e) {
      warnings_.push_back(std::string("run ledger rows not appended: ") + e.what());
    }
  }

  /// The carried state of @p u's (processor, season), created on first use.
  CarriedState* carried_state(const Unit& u) {
    std::lock_guard lock(carried_mu_);
    const auto key = std::make_pair(u.processor, season_of(u.date));
    auto it = carried_.find(key);
    if (it == carried_.end()) it = carried_.emplace(key, u.processor->make_carried_state()).first;
    return it->second.get();
  }
  /// Counts @p u done; the season's state goes once its last unit finished
  /// (bounded memory: one season's histories per processor at a time).
  void release_carried(const Unit& u) {
    std::lock_guard lock(carried_mu_);
    const auto key = std::make_pair(u.processor, season_of(u.date));
    if (--carried_left_[key] == 0) carried_.erase(key);
  }

  /// The first date any declared read of @p u can reach (its own date when it
  /// reads nothing earlier).
  Date reads_from(const Unit& u) const {
    Date from = u.date;
    for (const UpstreamRead& r : u.processor->info().reads) {
      const DateRange w = r.window(schedule_, u.date);
      if (w.start <= w.end) from = std::min(from, w.start);
    }
    return from;
  }
  /// Counts @p u done for the read cache: once no unfinished unit can read
  /// before some date, the cache lets go of what lies before it (bounded
  /// memory over a multi-season range; released in steps of a few days).
  void release_reads(const Unit& u) {
    if (!cache_) return;
    std::optional<Date> floor;
    {
      std::lock_guard lock(floors_mu_);
      if (auto it = read_floors_.find(reads_from(u).days()); it != read_floors_.end()) read_floors_.erase(it);
      const int32_t next = read_floors_.empty() ? INT32_MAX : *read_floors_.begin();
      if (next >= released_floor_ + kReleaseStepDays) {
        released_floor_ = next;
        floor = Date(next);
      }
    }
    if (floor) cache_->release_before(*floor);
  }

  Checkpoint* checkpoint(const Processor* p) {
    auto it = checkpoints_.find(p);
    return it == checkpoints_.end() ? nullptr : it->second.get();
  }

  Warehouse& wh_;
  CachedWarehouse* cache_;
  const Schedule& schedule_;
  const Plan& plan_;
  const RunOptions& opts_;
  RunHandle::State& state_;
  std::string run_id_, stamp_;
  std::vector<UnitResult> res_;
  struct Watch {
    const Processor* processor;
    size_t lo, hi;  ///< [lo, hi) into by_date_[processor]
  };
  std::vector<std::vector<size_t>> preds_;                                      ///< direct unit edges
  std::vector<std::vector<std::pair<const Processor*, size_t>>> prefix_preds_;  ///< prefix-node edges
  std::vector<std::vector<Watch>> watch_;                                     ///< upstream units whose outcome matters
  std::map<const Processor*, std::vector<std::pair<Date, size_t>>> by_date_;  ///< units per processor by date
  std::set<const Processor*> prefix_needed_;
  std::vector<std::string> warnings_;
  std::map<const Processor*, std::unique_ptr<Checkpoint>> checkpoints_;
  std::atomic<int64_t> checkpoint_failures_{0};
  std::string first_checkpoint_error_;  ///< set by the first failure only
  std::map<const Processor*, std::map<Date, int64_t>> resumed_rows_;
  LastCommits last_commit_;
  std::unique_ptr<InputFingerprints> inputs_;
  std::mutex carried_mu_;
  std::map<std::pair<const Processor*, int>, std::unique_ptr<CarriedState>> carried_;
  std::map<std::pair<const Processor*, int>, size_t> carried_left_;
  static constexpr int32_t kReleaseStepDays = 7;
  std::mutex floors_mu_;
  std::multiset<int32_t> read_floors_;  ///< reads_from() of every unfinished unit
  int32_t released_floor_ = INT32_MIN / 2;
  std::atomic<int64_t> seq_{0};
  std::atomic<bool> first_failure_{false};
  std::mutex failure_mu_, ledger_mu_;
  static constexpr size_t kLedgerBatchRows = 500;
  /// Ledger rows not appended yet (under ledger_mu_).
  std::optional<Table> pending_ledger_;
  /// (processor, day) pairs with failure rows stored when the run started.
  std::shared_future<StoredFailures> stored_failures_;
  mutable std::once_flag stored_failures_warned_;
  std::string first_failure_text_;
  /// Per unit: fired when it is settled (its successors' edges start here).
  std::vector<std::unique_ptr<Node>> done_;
  /// Per unit of a processor computing its dates in turn, with a next date in
  /// its season: fired when its compute ended (link_carried_dates); null for
  /// the others.
  std::vector<std::unique_ptr<Node>> computed_;
  /// One per output dataset, when commits are queued (several workers, writes
  /// that take turns); empty: each unit commits in its own task.
  std::deque<CommitQueue> commit_queues_;
  std::map<const Processor*, CommitQueue*> queue_of_;  ///< each processor's queue
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// RunHandle

RunHandle::~RunHandle() {
  if (thread_.joinable()) {
    cancel();
    thread_.join();
  }
}

std::vector<UnitEvent> RunHandle::poll(double timeout_seconds) {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(state_->mu);
  // At most a day per call (a larger or infinite timeout would overflow the
  // clock's duration); NaN and negative timeouts do not wait.
  const double wait = timeout_seconds > 0 ? std::min(timeout_seconds, 86400.0) : 0.0;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait));
  // An event pushed without a wake-up (State::push) is seen at the next look,
  // at most kWakeInterval later.
  while (state_->events.empty() && !state_->done.load()) {
    const auto now = Clock::now();
    if (now >= deadline) break;
    state_->cv.wait_for(lock, std::min<Clock::duration>(deadline - now, State::kWakeInterval));
  }
  std::vector<UnitEvent> out(std::make_move_iterator(state_->events.begin()),
                             std::make_move_iterator(state_->events.end()));
  state_->events.clear();
  return out;
}

void RunHandle::cancel() noexcept {
  state_->cancel.store(true);
  state_->cv.notify_all();
}

bool RunHandle::done() const noexcept { return state_->done.load(); }

RunResult RunHandle::wait() {
  if (thread_.joinable()) {
    thread_.join();
    // The run's cache, outputs and carried state are gone, and so is its
    // thread (whose allocator caches held much of them). The texts its cells
    // interned go too when nothing else holds any (another run, a table being
    // read): a notebook backfilling season after season would otherwise keep
    // every text it ever read (~55 MB a demo season). Then give what the
    // allocators kept back before the caller goes on, when the run grew the
    // process by more than a small run's worth (a daily run would only fault
    // the same pages in again next time, and trimming a notebook's heap costs
    // milliseconds).
    // Both on a background thread: the caller goes on at once.
    reclaim_cell_texts_in_background(
        [since = state_->resident_at_start] { release_free_memory_if_grown(since, size_t{64} << 20); });
  }
  if (state_->error) std::rethrow_exception(state_->error);
  return state_->result;
}

std::unique_ptr<RunHandle> start_run(Warehouse& warehouse, const Schedule& schedule, const Plan& plan,
                                     const RunOptions& opts) {
  if (opts.workers < 1) throw ConfigError("workers must be at least 1 (got " + std::to_string(opts.workers) + ")");
  if (opts.max_retries < 0) throw ConfigError("max_retries must be ≥ 0");
  // A warehouse nobody can write refuses before any unit (not one failure per
  // unit).
  if (plan.pending() > 0) require_writable(warehouse);
  std::unique_ptr<RunHandle> h(new RunHandle());
  h->state_ = std::make_shared<RunHandle::State>();
  auto state = h->state_;
  h->thread_ = std::thread([&warehouse, &schedule, &plan, opts, state] {
    try {
      // The run's maps and carried state keep text pointers between tables.
      const TextPoolUse texts;
      // Load once (DESIGN): units read their windows from a run-scoped cache;
      // units write through it.
      std::unique_ptr<CachedWarehouse> cache;
      Warehouse* wh = &warehouse;
      if (opts.cache_reads && !plan.units.empty()) {
        cache = std::make_unique<CachedWarehouse>(warehouse, read_windows(schedule, plan), read_projections(plan));
        wh = cache.get();
      }
      Executor ex(*wh, schedule, plan, opts, *state, cache.get());
      state->result = ex.execute();
    } catch (...) {
      state->error = std::current_exception();
    }
    {
      std::lock_guard lock(state->mu);
      state->done.store(true);
    }
    state->cv.notify_all();
  });
  return h;
}

RunResult run(Warehouse& warehouse, const Schedule& schedule, const Plan& plan, const RunOptions& opts) {
  return start_run(warehouse, schedule, plan, opts)->wait();
}

}  // namespace nbaprops::pipeline
