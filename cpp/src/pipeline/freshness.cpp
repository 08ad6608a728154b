#include "nbaprops/pipeline/freshness.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/pipeline/fingerprint.hpp"
#include "nbaprops/pipeline/runner.hpp"

namespace nbaprops::pipeline {

namespace ledger_col = cols::run_ledger;

namespace {

using Key = std::pair<std::string, int32_t>;  // (processor name, day)

/// The newest ledger row of each of @p units among committed and failed ones,
/// when it is a failure: its reason.
std::map<Key, std::string> latest_failures(Warehouse& wh, const std::vector<Unit>& units) {
  const Table t = wh.newest_ledger_rows(LedgerLookup{ledger_units(units),
                                                     {"success", "empty", "failed", "blocked"},
                                                     {},
                                                     {"processor", "unit_date", "status", "reason"}});
  const Column &proc = t.col(ledger_col::processor), &day = t.col(ledger_col::unit_date),
               &status = t.col(ledger_col::status), &reason = t.col(ledger_col::reason);
  std::map<Key, std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const std::string& st = status.text_at(r);
    if (st != "failed" && st != "blocked") continue;
    out.emplace(Key{proc.text_at(r), static_cast<int32_t>(day.int_at(r))},
                st + ": " + (reason.is_null(r) ? std::string("no reason recorded") : reason.text_at(r)));
  }
  return out;
}

}  // namespace

const char* to_string(Freshness f) noexcept {
  switch (f) {
    case Freshness::kUpToDate:
      return "up_to_date";
    case Freshness::kStale:
      return "stale";
    case Freshness::kMissing:
      return "missing";
    case Freshness::kFailed:
      return "failed";
    case Freshness::kSkipped:
      return "skipped";
  }
  return "?";
}

size_t FreshnessReport::count(Freshness f) const noexcept {
  return static_cast<size_t>(std::count_if(units.begin(), units.end(), [f](const auto& u) { return u.state == f; }));
}

std::vector<UnitFreshness> FreshnessReport::with(Freshness f) const {
  std::vector<UnitFreshness> out;
  std::copy_if(units.begin(), units.end(), std::back_inserter(out), [f](const auto& u) { return u.state == f; });
  return out;
}

std::string FreshnessReport::to_text() const {
  constexpr Freshness kStates[] = {Freshness::kUpToDate, Freshness::kStale, Freshness::kMissing, Freshness::kFailed,
                                   Freshness::kSkipped};
  std::ostringstream os;
  os << "FRESHNESS";
  if (range) os << " " << range->start.iso() << " to " << range->end.iso();
  os << " (each unit's inputs now against its last commit; nothing was run)\n";
  std::vector<const Processor*> order;
  for (const auto& u : units) {
    if (std::find(order.begin(), order.end(), u.processor) == order.end()) order.push_back(u.processor);
  }
  os << std::left << std::setw(34) << "  processor";
  for (Freshness f : kStates) os << std::right << std::setw(12) << to_string(f);
  os << "\n";
  for (const Processor* p : order) {
    os << std::left << std::setw(34) << ("  " + p->info().name);
    for (Freshness f : kStates) {
      os << std::right << std::setw(12) << std::count_if(units.begin(), units.end(), [&](const UnitFreshness& u) {
        return u.processor == p && u.state == f;
      });
    }
    os << "\n";
  }
  for (Freshness f : {Freshness::kStale, Freshness::kMissing, Freshness::kFailed}) {
    const auto list = with(f);
    if (list.empty()) continue;
    os << (f == Freshness::kStale     ? "Stale dates (committed, inputs changed since: a resume recomputes them):\n"
           : f == Freshness::kMissing ? "Missing dates (no committed result: a resume computes them):\n"
                                      : "Failed dates (a resume retries them):\n");
    for (const Processor* p : order) {
      std::vector<const UnitFreshness*> mine;
      for (const auto& u : list) {
        if (u.processor == p) mine.push_back(&u);
      }
      if (mine.empty()) continue;
      os << "  " << p->info().name << " (" << mine.size() << "):";
      constexpr size_t kShown = 12;
      for (size_t i = 0; i < mine.size() && i < kShown; ++i) os << (i ? ", " : " ") << mine[i]->date.iso();
      if (mine.size() > kShown) os << " … and " << (mine.size() - kShown) << " more";
      os << "\n    " << mine.front()->date.iso() << ": " << mine.front()->reason << "\n";
    }
  }
  if (count(Freshness::kStale) + count(Freshness::kMissing) + count(Freshness::kFailed) == 0) {
    os << "Nothing stale, missing or failed.\n";
  }
  return os.str();
}

FreshnessReport check_freshness(Warehouse& warehouse, const Schedule& schedule, const Plan& plan) {
  FreshnessReport report;
  report.range = plan.checkpoint_range();
  const size_t n = plan.units.size();
  report.units.resize(n);
  if (n == 0 || !report.range) return report;
  const DateRange range = *report.range;
  const LastCommits last = load_last_commits(warehouse, plan.units);
  const std::map<Key, std::string> failures = latest_failures(warehouse, plan.units);
  InputFingerprints inputs(warehouse, schedule, read_windows(schedule, plan));
  std::map<const Processor*, std::map<Date, int64_t>> stored;
  for (const Processor* p : plan.processors) {
    stored[p] = warehouse.partition_counts(catalog::get(p->info().output_table), range);
  }
  // Units of each processor by date, for the upstream lookups.
  std::map<const Processor*, std::vector<std::pair<Date, size_t>>> by_date;
  for (size_t i = 0; i < n; ++i) by_date[plan.units[i].processor].push_back({plan.units[i].date, i});
  for (auto& [p, v] : by_date) std::sort(v.begin(), v.end());
  // Visited by date, then processors in dependency order, so every upstream
  // verdict is known before the units that read it: a read reaches D only for
  // a processor earlier in the order, and a feedback read (earlier dates only,
  // e.g. predictions reading tier adjustments) only dates already visited.
  std::map<const Processor*, size_t> rank;
  for (size_t k = 0; k < plan.processors.size(); ++k) rank[plan.processors[k]] = k;
  std::vector<size_t> visit(n);
  for (size_t i = 0; i < n; ++i) visit[i] = i;
  std::sort(visit.begin(), visit.end(), [&](size_t a, size_t b) {
    const Unit &x = plan.units[a], &y = plan.units[b];
    return std::make_pair(x.date, rank[x.processor]) < std::make_pair(y.date, rank[y.processor]);
  });

  for (const size_t i : visit) {
    const Unit& u = plan.units[i];
    const Processor* p = u.processor;
    UnitFreshness& f = report.units[i];
    f.processor = u.processor;
    f.date = u.date;
    if (u.planned != UnitStatus::kPending) {
      f.state = Freshness::kSkipped;
      f.reason = to_string(u.planned) + std::string(u.reason.empty() ? "" : ": " + u.reason);
      continue;
    }
    const auto& counts = stored[p];
    const auto c = counts.find(u.date);
    f.rows = c == counts.end() ? 0 : c->second;
    const Key key{p->info().name, u.date.days()};
    if (auto it = failures.find(key); it != failures.end()) {
      f.state = Freshness::kFailed;
      f.reason = it->second;
      continue;
    }
    const auto lc = last.find(key);
    if (lc == last.end()) {
      f.state = Freshness::kMissing;
      f.reason =
          f.rows > 0 ? std::to_string(f.rows) + " rows stored, but no committed run-ledger row" : "never committed";
      continue;
    }
    f.committed_at = lc->second.finished_at;
    const std::string fp = inputs.fingerprint(u);
    if (lc->second.fingerprint != fp) {
      f.state = Freshness::kStale;
      f.reason = "inputs changed since its commit at " + f.committed_at;
      continue;
    }
    if (!lc->second.up_to_date(fp, f.rows)) {
      f.state = f.rows == 0 ? Freshness::kMissing : Freshness::kStale;
      f.reason = "committed " + std::to_string(lc->second.rows) + " rows, " + std::to_string(f.rows) + " stored";
      continue;
    }
    f.state = Freshness::kUpToDate;
    // An upstream unit of the plan that is not up to date will change what
    // this one reads when it is recomputed.
    for (const UpstreamRead& r : p->info().reads) {
      const Processor* up = plan.producer_of(r.table);
      if (!up) continue;
      DateRange w = r.window(schedule, u.date);
      if (up == p) w.end = std::min(w.end, u.date - 1);  // a self-read only looks backwards
      const auto& order = by_date[up];
      auto lo = std::lower_bound(order.begin(), order.end(), std::make_pair(w.start, size_t{0}));
      for (auto it = lo; it != order.end() && it->first <= w.end; ++it) {
        const UnitFreshness& uf = report.units[it->second];
        if (uf.state == Freshness::kUpToDate || uf.state == Freshness::kSkipped) continue;
        f.state = Freshness::kStale;
        f.reason = "upstream " + up->info().name + " " + uf.date.iso() + " is " + to_string(uf.state);
        break;
      }
      if (f.state == Freshness::kStale) break;
    }
  }
  return report;
}

}  // namespace nbaprops::pipeline
