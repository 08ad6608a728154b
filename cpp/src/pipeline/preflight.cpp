#include "nbaprops/pipeline/preflight.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/schema.hpp"

namespace nbaprops::pipeline {

namespace ledger_col = cols::run_ledger;

int64_t RowExpectation::expected(int64_t games) const noexcept {
  if (games <= 0) return 0;
  if (per_game > 0) return per_game * games;
  if (per_team_game > 0) return per_team_game * 2 * games;
  return at_least;
}

RowExpectation row_expectation(const std::string& table) {
  if (table == "nba_raw.nbac_schedule") {
    return RowExpectation{1, 0, 0, "1 row per game"};
  }
  const std::string dataset = table.substr(0, table.find('.'));
  const bool raw_or_analytics = dataset == "nba_raw" || dataset == "nba_analytics";
  if (raw_or_analytics && table.find("team") != std::string::npos) {
    return RowExpectation{0, 1, 0, "1 row per team-game (2 per game)"};
  }
  if (raw_or_analytics && (table.find("player") != std::string::npos || table.find("gamebook") != std::string::npos)) {
    return RowExpectation{0, 8, 0, "≥ 8 rows per team-game (16 per game)"};
  }
  return RowExpectation{0, 0, 1, "≥ 1 row per game date"};
}

std::string classify_cell(int64_t expected, int64_t found) {
  if (expected <= 0) return "ok";
  if (found <= 0) return "missing";
  if (found < expected) return "partial";
  return "ok";
}

namespace {

/// A cell that needs nothing done: rows there, or a producer that ran and had
/// nothing to write.
bool fine_cell(const PreflightCell& c) { return c.status == "ok" || c.status == "empty"; }

}  // namespace

bool PreflightReport::ok() const noexcept {
  return std::none_of(cells.begin(), cells.end(), [](const PreflightCell& c) { return c.required && !fine_cell(c); });
}

std::vector<PreflightCell> PreflightReport::problems() const {
  std::vector<PreflightCell> out;
  for (const auto& c : cells) {
    if (!fine_cell(c)) out.push_back(c);
  }
  return out;
}

std::string PreflightReport::to_text() const {
  std::ostringstream os;
  os << "PRE-FLIGHT: upstream tables × dates (expected rows from the "
        "schedule)\n";
  bool any_required_problem = false;
  for (const std::string& t : tables) {
    int64_t total = 0, good = 0, empty = 0;
    bool any_required = false;      // some date of t is read by a required read
    bool required_problem = false;  // … and one of those is not ok
    std::vector<const PreflightCell*> bad;
    for (const auto& c : cells) {
      if (c.table != t) continue;
      ++total;
      any_required = any_required || c.required;
      if (fine_cell(c)) {
        ++good;
        empty += c.status == "empty" ? 1 : 0;
      } else {
        bad.push_back(&c);
        required_problem = required_problem || c.required;
      }
    }
    const bool fine = bad.empty();
    any_required_problem = any_required_problem || required_problem;
    os << (fine ? "✅ " : (required_problem ? "❌ " : "⚠️ ")) << t << ": " << good << "/" << total << " dates ok"
       << (empty > 0 ? " (" + std::to_string(empty) + " ran with nothing to write)" : "")
       << (any_required ? "" : " (optional)") << "; rule: " << row_expectation(t).rule << "\n";
    size_t shown = 0;
    for (const PreflightCell* c : bad) {
      if (shown++ == 20) {
        os << "    … and " << (bad.size() - 20) << " more\n";
        break;
      }
      os << "    " << c->date.iso() << " " << c->status << ": expected " << c->expected << ", found " << c->found
         << (c->required ? "" : " (optional)") << "\n";
    }
  }
  for (const std::string& t : not_checked) os << "•  " << t << ": produced inside the plan (not checked)\n";
  os << (any_required_problem ? "PRE-FLIGHT FAILED: missing or partial upstream data (run the producers of those "
                                "dates first; to run anyway: --skip-preflight, or skip_preflight=True in Python)"
                              : "PRE-FLIGHT OK")
     << "\n";
  return os.str();
}

namespace {

/// Cells without rows whose producer ran and had nothing to write: the newest
/// run-ledger row of (producer, date) is "empty". Only for tables whose rule is
/// a flat minimum (precompute and prediction tables, whose entity sets
/// legitimately shrink to none early in a season); a raw or analytics table
/// holding nothing on a game date is missing whatever its producer said.
void mark_empty_cells(Warehouse& warehouse, std::vector<PreflightCell>& cells,
                      const std::function<const Processor*(const std::string&)>& producer_of) {
  LedgerLookup q{{}, {"success", "empty", "failed", "blocked"}, {}, {"processor", "unit_date", "status", "reason"}};
  std::vector<size_t> asked;
  for (size_t i = 0; i < cells.size(); ++i) {
    const PreflightCell& c = cells[i];
    if (c.status != "missing" || !row_expectation(c.table).flat()) continue;
    if (const Processor* p = producer_of(c.table)) {
      q.units.emplace_back(p->info().name, c.date);
      asked.push_back(i);
    }
  }
  if (asked.empty()) return;
  const Table t = warehouse.newest_ledger_rows(q);
  const Column &proc = t.col(ledger_col::processor), &day = t.col(ledger_col::unit_date),
               &status = t.col(ledger_col::status), &reason = t.col(ledger_col::reason);
  std::map<std::pair<std::string_view, int64_t>, std::string> empty;  // (processor, day) → reason
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (status.text_at(r) != "empty") continue;
    empty.emplace(std::make_pair(std::string_view(proc.text_at(r)), day.int_at(r)),
                  reason.is_null(r) ? std::string() : reason.text_at(r));
  }
  for (size_t k = 0; k < asked.size(); ++k) {
    PreflightCell& c = cells[asked[k]];
    const auto it = empty.find({q.units[k].first, c.date.days()});
    if (it == empty.end()) continue;
    c.status = "empty";
    c.expected = 0;
    c.reason = it->second;
  }
}

/// The dates a read of @p r for run date @p d can reach (its game dates are
/// the schedule's game dates in it; start > end when none).
DateRange window_of(const Schedule& schedule, const UpstreamRead& r, Date d) {
  if (r.kind == WindowKind::kSameDate) return DateRange{d, d};
  // Last-N-games and season-to-date windows stay inside the date's season
  // (UpstreamRead::window).
  return r.window(schedule, d);
}

/// @p ranges sorted and merged where they overlap or touch: the same dates,
/// each once. Empty ranges (start > end) are dropped.
std::vector<DateRange> merged(std::vector<DateRange> ranges) {
  std::erase_if(ranges, [](const DateRange& w) { return w.start > w.end; });
  std::sort(ranges.begin(), ranges.end(), [](const DateRange& a, const DateRange& b) { return a.start < b.start; });
  std::vector<DateRange> out;
  for (const DateRange& w : ranges) {
    if (!out.empty() && w.start <= out.back().end + 1) {
      out.back().end = std::max(out.back().end, w.end);
    } else {
      out.push_back(w);
    }
  }
  return out;
}

/// What a plan's units read of one table: the windows of all reads, and of the
/// required ones (a unit's reads of one table reach each game date once: the
/// windows are merged before their dates are listed).
struct TableReads {
  std::vector<DateRange> all, required;
};

}  // namespace

PreflightReport preflight(Warehouse& warehouse, const Schedule& schedule, const Plan& plan) {
  return preflight(warehouse, schedule, plan, registry::all());
}

PreflightReport preflight(Warehouse& warehouse, const Schedule& schedule, const Plan& plan,
                          const std::vector<const Processor*>& processors) {
  PreflightReport report;
  auto producer_of = [&](const std::string& table) {
    const Processor* p = plan.producer_of(table);
    if (!p) {
      for (const Processor* q : processors) {
        if (q->info().output_table == table) p = q;
      }
    }
    return p;
  };
  auto skips_bootstrap = [&](const std::string& table) {
    const Processor* p = producer_of(table);
    return p && p->info().bootstrap == BootstrapPolicy::kSkip;
  };
  // Dates each producer in the plan will write.
  std::map<std::string, std::set<Date>> produced;
  for (const Unit& u : plan.units) {
    if (u.planned == UnitStatus::kPending) produced[u.processor->info().output_table].insert(u.date);
  }
  // table → (required?, dates needed)
  std::vector<std::string> order;
  std::map<std::string, TableReads> reads;
  for (const Unit& u : plan.units) {
    if (u.planned != UnitStatus::kPending) continue;
    for (const UpstreamRead& r : u.processor->info().reads) {
      auto [it, fresh] = reads.try_emplace(r.table);
      if (fresh) order.push_back(r.table);
      const DateRange w = window_of(schedule, r, u.date);
      it->second.all.push_back(w);
      if (r.required) it->second.required.push_back(w);
    }
  }
  std::map<std::string, std::set<Date>> needed;
  std::map<std::string, std::set<Date>> required;  // dates some required read reaches
  std::set<std::string> inside;
  for (const std::string& t : order) {
    const TableReads& tr = reads.at(t);
    const bool boot_skip = skips_bootstrap(t);
    const bool produced_here = plan.producer_of(t) != nullptr;
    const std::set<Date>& made = produced[t];
    // A game date of the windows, unless its producer never writes it
    // (bootstrap) or the plan writes it (not checked).
    auto checked = [&](Date dd) {
      if (boot_skip && schedule.is_bootstrap(dd)) return false;  // never written on bootstrap dates
      if (produced_here && made.count(dd)) {
        inside.insert(t);
        return false;
      }
      return true;
    };
    auto& dates = needed[t];
    for (const DateRange& w : merged(tr.all)) {
      for (Date dd : schedule.game_dates(w)) {
        if (checked(dd)) dates.insert(dates.end(), dd);
      }
    }
    auto& req = required[t];
    for (const DateRange& w : merged(tr.required)) {
      for (Date dd : schedule.game_dates(w)) {
        if (checked(dd)) req.insert(req.end(), dd);
      }
    }
  }
  for (const std::string& t : order) {
    const auto& dates = needed[t];
    if (dates.empty()) {
      if (inside.count(t)) {
        report.not_checked.push_back(t + " (written by " + plan.producer_of(t)->info().name + ")");
      }
      continue;
    }
    report.tables.push_back(t);
    if (inside.count(t)) {
      report.not_checked.push_back(t + " (planned dates written by " + plan.producer_of(t)->info().name +
                                   "; earlier lookback dates checked)");
    }
    const TableSchema& schema = catalog::get(t);
    auto counts = warehouse.partition_counts(schema, DateRange{*dates.begin(), *dates.rbegin()});
    RowExpectation rule = row_expectation(t);
    for (Date d : dates) {
      int64_t games = static_cast<int64_t>(schedule.games_on(d).size());
      int64_t expected = rule.expected(games);
      auto it = counts.find(d);
      int64_t found = it == counts.end() ? 0 : it->second;
      report.cells.push_back(
          PreflightCell{t, d, classify_cell(expected, found), expected, found, required[t].count(d) > 0, {}});
    }
  }
  mark_empty_cells(warehouse, report.cells, producer_of);
  return report;
}

}  // namespace nbaprops::pipeline
