#include "nbaprops/pipeline/coverage.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "nbaprops/core/schema.hpp"
#include "nbaprops/pipeline/freshness.hpp"

namespace nbaprops::pipeline {

std::vector<CoverageCell> CoverageReport::gaps() const {
  std::vector<CoverageCell> out;
  for (const auto& c : cells) {
    if (c.status != "ok" && c.status != "bootstrap" && c.status != "empty") out.push_back(c);
  }
  return out;
}

std::string CoverageReport::to_text() const {
  std::ostringstream os;
  std::vector<std::string> months;
  auto month_of = [](Date d) { return d.iso().substr(0, 7); };
  for (const auto& c : cells) {
    std::string m = month_of(c.date);
    if (std::find(months.begin(), months.end(), m) == months.end()) months.push_back(m);
  }
  std::sort(months.begin(), months.end());
  size_t name_w = 5;
  for (const auto& t : tables) name_w = std::max(name_w, t.size());
  os << "COVERAGE " << range.start.iso() << " to " << range.end.iso()
     << " (ok game dates / game dates per month; b = bootstrap dates, e = dates its producer ran with nothing to "
        "write, ! = gaps)\n";
  os << std::left << std::setw(static_cast<int>(name_w)) << "table";
  for (const auto& m : months) os << "  " << std::right << std::setw(11) << m;
  os << "\n";
  for (const auto& t : tables) {
    os << std::left << std::setw(static_cast<int>(name_w)) << t;
    for (const auto& m : months) {
      int ok = 0, total = 0, boot = 0, empty = 0, bad = 0;
      for (const auto& c : cells) {
        if (c.table != t || month_of(c.date) != m) continue;
        ++total;
        if (c.status == "ok")
          ++ok;
        else if (c.status == "bootstrap")
          ++boot;
        else if (c.status == "empty")
          ++empty;
        else
          ++bad;
      }
      std::string cell = std::to_string(ok) + "/" + std::to_string(total - boot - empty);
      if (boot) cell += " b" + std::to_string(boot);
      if (empty) cell += " e" + std::to_string(empty);
      if (bad) cell += "!";
      os << "  " << std::right << std::setw(11) << cell;
    }
    os << "\n";
  }
  auto g = gaps();
  if (g.empty()) {
    os << "No gaps.\n";
    return os.str();
  }
  os << "Gaps (" << g.size() << "):\n";
  std::map<std::string, int> shown;
  for (const auto& c : g) {
    int& k = shown[c.table];
    if (k++ >= 20) continue;
    os << "  " << c.table << " " << c.date.iso() << " " << c.status << ": ";
    if (c.status == "stale") {
      os << c.reason << " (" << c.found << " rows)\n";
    } else {
      os << "expected " << c.expected << ", found " << c.found;
      if (!c.reason.empty()) os << " (" << c.reason << ")";
      os << "\n";
    }
  }
  for (const auto& [t, k] : shown) {
    if (k > 20) os << "  " << t << ": … and " << (k - 20) << " more\n";
  }
  return os.str();
}

namespace {

/// (output table, date) → reason, for the stale units of the producers of
/// @p tables among @p processors (planned over @p range with their upstream
/// processors, so a stale upstream result shows downstream too).
std::map<std::pair<std::string, Date>, std::string> stale_cells(Warehouse& warehouse, const Schedule& schedule,
                                                                DateRange range, const std::vector<std::string>& tables,
                                                                const std::vector<const Processor*>& processors) {
  std::set<const Processor*> wanted;
  std::vector<const Processor*> todo;
  for (const Processor* p : processors) {
    if (std::find(tables.begin(), tables.end(), p->info().output_table) != tables.end()) todo.push_back(p);
  }
  while (!todo.empty()) {
    const Processor* p = todo.back();
    todo.pop_back();
    if (!wanted.insert(p).second) continue;
    for (const UpstreamRead& r : p->info().reads) {
      for (const Processor* up : processors) {
        if (up->info().output_table == r.table) todo.push_back(up);
      }
    }
  }
  std::map<std::pair<std::string, Date>, std::string> out;
  if (wanted.empty()) return out;
  PlanOptions opts;
  opts.range = range;
  for (const Processor* p : wanted) opts.processors.push_back(p->info().name);
  const Plan plan = make_plan(schedule, opts, processors);
  for (const UnitFreshness& u : check_freshness(warehouse, schedule, plan).with(Freshness::kStale)) {
    out.emplace(std::make_pair(u.processor->info().output_table, u.date), u.reason);
  }
  return out;
}

}  // namespace

CoverageReport coverage(Warehouse& warehouse, const Schedule& schedule, DateRange range,
                        const std::vector<std::string>& tables) {
  return coverage(warehouse, schedule, range, tables, registry::all());
}

CoverageReport coverage(Warehouse& warehouse, const Schedule& schedule, DateRange range,
                        const std::vector<std::string>& tables, const std::vector<const Processor*>& processors) {
  CoverageReport report;
  report.range = range;
  report.tables = tables;
  const std::vector<Date> dates = schedule.game_dates(range);
  // Latest ledger status per (output table, date), by finished_at (ISO text
  // sorts in time order; of equal ones, the later row). Every ledger row of
  // the range is read (raw imports record their tables too, under processor
  // names of their own), as a block (SQLite: from the file's pages, where it
  // can, instead of an index-ordered walk of every row): the columns resolved
  // once, keys by interned text.
  struct Latest {
    std::string status, reason;
  };
  std::map<std::pair<std::string, Date>, Latest> latest;
  {
    const Table t = warehouse.read_block(catalog::get("nba_orchestration.run_ledger"), range,
                                         {"output_table", "unit_date", "status", "finished_at", "reason"});
    const Column &table = t.col(0), &day = t.col(1), &status = t.col(2), &fin = t.col(3), &why = t.col(4);
    auto finished = [&](size_t r) { return fin.is_null(r) ? std::string_view() : std::string_view(fin.text_at(r)); };
    std::map<std::pair<const std::string*, int64_t>, size_t> newest;  // → row
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (table.is_null(r) || day.is_null(r) || status.is_null(r)) continue;
      const auto [it, first] = newest.try_emplace({table.text_ptr(r), day.int_at(r)}, r);
      if (!first && finished(r) >= finished(it->second)) it->second = r;
    }
    for (const auto& [key, r] : newest)
      latest[{*key.first, Date(static_cast<int32_t>(key.second))}] =
          Latest{status.text_at(r), why.is_null(r) ? std::string() : why.text_at(r)};
  }
  const auto stale = stale_cells(warehouse, schedule, range, tables, processors);
  for (const std::string& name : tables) {
    const TableSchema& schema = catalog::get(name);
    const Processor* producer = nullptr;
    for (const Processor* p : processors) {
      if (p->info().output_table == name) producer = p;
    }
    const bool skips_bootstrap = producer && producer->info().bootstrap == BootstrapPolicy::kSkip;
    auto counts = warehouse.partition_counts(schema, range);
    const RowExpectation rule = row_expectation(name);
    for (Date d : dates) {
      CoverageCell c{name, d, "", rule.expected(static_cast<int64_t>(schedule.games_on(d).size())), 0};
      auto it = counts.find(d);
      c.found = it == counts.end() ? 0 : it->second;
      auto lt = latest.find({name, d});
      const std::string last = lt == latest.end() ? std::string() : lt->second.status;
      auto st = stale.find({name, d});
      if (last == "failed" || last == "blocked") {
        c.status = "failed";
        c.reason = lt->second.reason;
      } else if (c.found == 0 && ((skips_bootstrap && schedule.is_bootstrap(d)) || last == "skipped_bootstrap")) {
        c.status = "bootstrap";
        c.expected = 0;
      } else if (c.found == 0 && last == "empty" && st == stale.end()) {
        // The producer ran and had nothing to write. A flat-minimum table
        // (precompute, predictions) legitimately holds no rows then; a raw or
        // analytics table with no rows on a game date is still missing, the
        // run's reason telling why.
        c.reason = lt->second.reason;
        if (rule.flat()) {
          c.status = "empty";
          c.expected = 0;
        } else {
          c.status = classify_cell(c.expected, c.found);
        }
      } else {
        c.status = classify_cell(c.expected, c.found);
        if (st != stale.end() && (c.status == "ok" || c.status == "partial" || last == "empty")) {
          c.status = "stale";
          c.reason = st->second;
        }
      }
      report.cells.push_back(std::move(c));
    }
  }
  return report;
}

}  // namespace nbaprops::pipeline
