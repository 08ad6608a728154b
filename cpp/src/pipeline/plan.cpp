#include "nbaprops/pipeline/plan.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "nbaprops/core/error.hpp"

namespace nbaprops::pipeline {

const char* to_string(UnitStatus s) noexcept {
  switch (s) {
    case UnitStatus::kPending:
      return "pending";
    case UnitStatus::kSuccess:
      return "success";
    case UnitStatus::kEmpty:
      return "empty";
    case UnitStatus::kSkippedBootstrap:
      return "skipped_bootstrap";
    case UnitStatus::kSkippedNoGames:
      return "skipped_no_games";
    case UnitStatus::kBlocked:
      return "blocked";
    case UnitStatus::kFailed:
      return "failed";
    case UnitStatus::kCancelled:
      return "cancelled";
  }
  return "?";
}

UnitStatus parse_unit_status(const std::string& s) {
  for (UnitStatus u :
       {UnitStatus::kPending, UnitStatus::kSuccess, UnitStatus::kEmpty, UnitStatus::kSkippedBootstrap,
        UnitStatus::kSkippedNoGames, UnitStatus::kBlocked, UnitStatus::kFailed, UnitStatus::kCancelled}) {
    if (s == to_string(u)) return u;
  }
  throw ConfigError("unknown unit status '" + s + "'");
}

std::optional<DateRange> Plan::checkpoint_range() const {
  if (range) return range;
  if (dates.empty()) return std::nullopt;
  auto [lo, hi] = std::minmax_element(dates.begin(), dates.end());
  return DateRange{*lo, *hi};
}

size_t Plan::pending() const noexcept {
  return static_cast<size_t>(
      std::count_if(units.begin(), units.end(), [](const Unit& u) { return u.planned == UnitStatus::kPending; }));
}

const Processor* Plan::producer_of(const std::string& table) const noexcept {
  for (const Processor* p : processors) {
    if (p->info().output_table == table) return p;
  }
  return nullptr;
}

std::string Plan::to_text() const {
  std::ostringstream os;
  if (range) {
    os << "Plan: " << range->start.iso() << " to " << range->end.iso() << ", " << dates.size() << " game dates of "
       << range->days() << " calendar days (skipping " << (range->days() - static_cast<int>(dates.size()))
       << " off-days)\n";
  } else {
    os << "Plan: " << dates.size() << " explicit dates";
    for (size_t i = 0; i < dates.size() && i < 10; ++i) os << (i ? "," : " ") << dates[i].iso();
    if (dates.size() > 10) os << ",…";
    os << "\n";
  }
  os << "Units: " << units.size() << " (" << pending() << " to run)\n";
  for (const Processor* p : processors) {
    std::map<std::string, std::vector<const Unit*>> by_reason;
    size_t run = 0;
    for (const Unit& u : units) {
      if (u.processor != p) continue;
      if (u.planned == UnitStatus::kPending) {
        ++run;
      } else {
        by_reason[std::string(to_string(u.planned))].push_back(&u);
      }
    }
    os << "  " << p->info().name << " (" << p->info().code << ", phase " << p->info().phase << "): " << run
       << " to run";
    for (auto& [status, list] : by_reason) os << ", " << list.size() << " " << status;
    os << "\n";
    for (auto& [status, list] : by_reason) {
      for (size_t i = 0; i < list.size() && i < 3; ++i) {
        os << "      " << list[i]->date.iso() << " " << status << ": " << list[i]->reason << "\n";
      }
      if (list.size() > 3) os << "      … and " << (list.size() - 3) << " more " << status << "\n";
    }
  }
  return os.str();
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// Kahn's algorithm over "reads the output table of", stable by the given
/// order. A read of earlier dates only (a feedback read, e.g. predictions of D
/// reading tier adjustments of D−1 and before) orders nothing when it closes a
/// cycle; the runner's unit edges order those dates.
std::vector<const Processor*> topo_sort(const std::vector<const Processor*>& items) {
  std::map<std::string, const Processor*> by_table;
  for (const Processor* p : items) by_table[p->info().output_table] = p;
  std::vector<const Processor*> out;
  std::set<const Processor*> done;
  auto ready = [&](const Processor* p, bool relax_feedback) {
    for (const auto& r : p->info().reads) {
      auto it = by_table.find(r.table);
      if (it == by_table.end() || it->second == p || done.count(it->second)) continue;
      if (!(relax_feedback && !r.includes_same_date())) return false;
    }
    return true;
  };
  while (out.size() < items.size()) {
    bool progressed = false;
    for (bool relax : {false, true}) {
      for (const Processor* p : items) {
        if (done.count(p) || !ready(p, relax)) continue;
        out.push_back(p);
        done.insert(p);
        progressed = true;
        if (relax) break;  // one relaxed processor, then strict again
      }
      if (progressed) break;
    }
    if (!progressed) throw ConfigError("selected processors have a dependency cycle");
  }
  return out;
}

}  // namespace

std::vector<const Processor*> select_processors(const std::vector<const Processor*>& universe,
                                                const std::vector<std::string>& selection) {
  std::set<const Processor*> chosen;
  bool any_key = false;
  for (const std::string& raw : selection) {
    std::string key = lower(raw);
    if (key.empty()) continue;
    any_key = true;
    if (key == "all") {
      chosen.insert(universe.begin(), universe.end());
      continue;
    }
    if (key.rfind("phase", 0) == 0 && key.size() == 6 && std::isdigit(static_cast<unsigned char>(key[5]))) {
      int phase = key[5] - '0';
      bool any = false;
      for (const Processor* p : universe) {
        if (p->info().phase == phase) {
          chosen.insert(p);
          any = true;
        }
      }
      if (!any) throw ConfigError("no processors registered for " + key);
      continue;
    }
    chosen.insert(&registry::find(universe, raw));
  }
  if (!any_key) chosen.insert(universe.begin(), universe.end());
  std::vector<const Processor*> picked;
  for (const Processor* p : universe) {
    if (chosen.count(p)) picked.push_back(p);
  }
  return topo_sort(picked);
}

Plan make_plan(const Schedule& schedule, const PlanOptions& opts) { return make_plan(schedule, opts, registry::all()); }

Plan make_plan(const Schedule& schedule, const PlanOptions& opts, const std::vector<const Processor*>& universe) {
  Plan plan;
  plan.processors = select_processors(universe, opts.processors);
  if (!opts.dates.empty()) {
    std::set<Date> seen;
    for (Date d : opts.dates) {
      if (seen.insert(d).second) plan.dates.push_back(d);
    }
  } else if (opts.range) {
    if (opts.range->start > opts.range->end) {
      throw ConfigError("start date " + opts.range->start.iso() + " is after end date " + opts.range->end.iso());
    }
    plan.range = opts.range;
    plan.dates = schedule.game_dates(*opts.range);
  } else {
    throw ConfigError(
        "a plan needs a date range (--start-date/--end-date) or "
        "explicit --dates");
  }
  plan.units.reserve(plan.processors.size() * plan.dates.size());
  for (const Processor* p : plan.processors) {
    for (Date d : plan.dates) {
      Unit u{p, d, UnitStatus::kPending, {}};
      if (schedule.games_on(d).empty()) {
        u.planned = UnitStatus::kSkippedNoGames;
        u.reason = "no games scheduled on " + d.iso();
      } else if (p->info().bootstrap == BootstrapPolicy::kSkip && schedule.is_bootstrap(d)) {
        u.planned = UnitStatus::kSkippedBootstrap;
        int season = season_of(d);
        auto start = schedule.season_start(season);
        char label[16];
        std::snprintf(label, sizeof label, "%d-%02d", season, (season + 1) % 100);
        u.reason = "bootstrap period: day " + std::to_string(start ? d - *start : 0) + " of season " + label +
                   (start ? " (first game " + start->iso() + ", days 0-13 skipped)" : std::string());
      }
      plan.units.push_back(std::move(u));
    }
  }
  return plan;
}

}  // namespace nbaprops::pipeline
