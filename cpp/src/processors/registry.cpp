#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>

#include "nbaprops/core/error.hpp"
#include "nbaprops/processors/processor.hpp"

namespace nbaprops {

namespace registry {
namespace {

struct State {
  std::mutex mu;
  std::vector<std::unique_ptr<Processor>> items;
  std::vector<const Processor*> ordered;  // topological
};

State& state() {
  static State s;
  return s;
}

void reorder_locked(State& s) {
  // Kahn's algorithm over "reads the output table of"; stable by registration
  // order. A read of earlier dates only (a feedback read: predictions of D use
  // tier adjustments of D−1 and before, which are computed from graded
  // predictions) orders nothing when it closes a cycle: the runner's unit
  // edges order those dates.
  std::map<std::string, const Processor*> by_table;
  for (auto& p : s.items) by_table[p->info().output_table] = p.get();
  std::vector<const Processor*> out;
  std::set<const Processor*> done;
  auto ready = [&](const Processor& p, bool relax_feedback) {
    for (const auto& r : p.info().reads) {
      auto it = by_table.find(r.table);
      if (it == by_table.end() || it->second == &p || done.count(it->second)) continue;
      if (!(relax_feedback && !r.includes_same_date())) return false;
    }
    return true;
  };
  while (out.size() < s.items.size()) {
    bool progressed = false;
    for (bool relax : {false, true}) {
      for (auto& p : s.items) {
        if (done.count(p.get()) || !ready(*p, relax)) continue;
        out.push_back(p.get());
        done.insert(p.get());
        progressed = true;
        if (relax) break;  // one relaxed processor, then strict again
      }
      if (progressed) break;
    }
    if (!progressed) throw ConfigError("processor registry has a dependency cycle");
  }
  s.ordered = std::move(out);
}

}  // namespace

void add(std::unique_ptr<Processor> p) {
  State& s = state();
  std::lock_guard lock(s.mu);
  for (auto& q : s.items) {
    if (q->info().name == p->info().name || q->info().code == p->info().code) {
      throw ConfigError("processor '" + p->info().name + "' registered twice");
    }
  }
  s.items.push_back(std::move(p));
  reorder_locked(s);
}

std::vector<const Processor*> all() {
  register_builtins();
  State& s = state();
  std::lock_guard lock(s.mu);
  return s.ordered;
}

const Processor& find(const std::vector<const Processor*>& among, std::string_view key) {
  auto same = [&](std::string_view name) {
    return !name.empty() && name.size() == key.size() &&
           std::equal(name.begin(), name.end(), key.begin(),
                      [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
  };
  for (const Processor* p : among) {
    const auto& i = p->info();
    if (same(i.name) || same(i.code) || same(i.output_table) || same(i.legacy_job)) return *p;
  }
  std::string known;
  for (const Processor* p : among) known += (known.empty() ? "" : ", ") + p->info().name + " (" + p->info().code + ")";
  throw ConfigError("unknown processor '" + std::string(key) + "'; known: " + known);
}

const Processor& get(const std::string& key) { return find(all(), key); }

std::vector<const Processor*> upstream_of(const Processor& p) {
  std::vector<const Processor*> out;
  for (const Processor* q : all()) {
    if (q == &p) continue;
    for (const auto& r : p.info().reads) {
      if (r.table == q->info().output_table) {
        out.push_back(q);
        break;
      }
    }
  }
  return out;
}

}  // namespace registry
}  // namespace nbaprops
