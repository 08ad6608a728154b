// systems/performance.json (legacy SystemPerformanceExporter, spec
// legacy-mlfs-phase5-6 §6.4).
#include <algorithm>
#include <cmath>
#include <map>

#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

struct Meta {
  std::string display_name;
  bool primary = false;
  int rank = 99;
};

/// Display metadata; ids the legacy did not list (e.g. the worker's
/// "moving_average") rank 99.
Meta meta_of(const std::string& id) {
  static const std::map<std::string, Meta> kKnown = {
      {"ensemble_v1", {"Ensemble", true, 1}},
      {"xgboost_v1", {"XGBoost", false, 2}},
      {"moving_average_baseline_v1", {"Moving Average", false, 3}},
      {"similarity_balanced_v1", {"Similarity", false, 4}},
      {"zone_matchup_v1", {"Zone Matchup", false, 5}},
  };
  auto it = kKnown.find(id);
  return it == kKnown.end() ? Meta{id, false, 99} : it->second;
}

/// num / den, or nullopt (JSON null) when den is 0, as the legacy's SAFE_DIVIDE.
std::optional<double> safe_divide(int64_t num, int64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

/// Mean of the non-null values, or nullopt when there are none.
struct Mean {
  double sum = 0;
  int64_t n = 0;
  void add(std::optional<double> v) {
    if (v && std::isfinite(*v)) {
      sum += *v;
      ++n;
    }
  }
  [[nodiscard]] std::optional<double> get() const {
    if (!n) return std::nullopt;
    return sum / static_cast<double>(n);
  }
};

/// Sums and day-means of system_daily_performance rows over one window.
struct Window {
  int64_t predictions = 0, recommendations = 0, correct = 0, hc_count = 0, hc_correct = 0;
  Mean mae, bias, over_wr, under_wr, w3, w5;

  void add(const Table& t, size_t r) {
    predictions += t.get_int(r, "predictions_count").value_or(0);
    recommendations += t.get_int(r, "recommendations_count").value_or(0);
    correct += t.get_int(r, "correct_count").value_or(0);
    hc_count += t.get_int(r, "high_confidence_count").value_or(0);
    hc_correct += t.get_int(r, "high_confidence_correct").value_or(0);
    mae.add(t.get_real(r, "mae"));
    bias.add(t.get_real(r, "avg_bias"));
    over_wr.add(t.get_real(r, "over_win_rate"));
    under_wr.add(t.get_real(r, "under_win_rate"));
    w3.add(t.get_real(r, "within_3_pct"));
    w5.add(t.get_real(r, "within_5_pct"));
  }
  /// Σcorrect / Σrecommendations; null without recommendations (the legacy's
  /// SAFE_DIVIDE).
  [[nodiscard]] std::optional<double> win_rate() const { return safe_divide(correct, recommendations); }
  [[nodiscard]] Json json() const {
    Json j;
    j["predictions"] = predictions;
    j["recommendations"] = recommendations;
    j["correct"] = correct;
    j["win_rate"] = number(win_rate(), 3);
    j["mae"] = number(mae.get(), 2);
    j["bias"] = number(bias.get(), 2);
    return j;
  }
  [[nodiscard]] Json breakdown() const {
    Json j;
    j["over_win_rate"] = number(over_wr.get(), 3);
    j["under_win_rate"] = number(under_wr.get(), 3);
    j["within_3_pct"] = number(w3.get(), 3);
    j["within_5_pct"] = number(w5.get(), 3);
    j["high_confidence_win_rate"] = number(safe_divide(hc_correct, hc_count), 3);
    return j;
  }
};

struct System {
  std::string id;
  Meta meta;
  Window last_7, last_30, season;
};

Json pick(const std::vector<System>& systems, std::optional<double> (*value)(const System&),
          bool (*better)(double, double), int digits) {
  const System* chosen = nullptr;
  std::optional<double> best;
  for (const System& s : systems) {  // rank order: ties keep the better-ranked system
    auto v = value(s);
    if (!v) continue;
    if (!best || better(*v, *best)) {
      best = v;
      chosen = &s;
    }
  }
  if (!chosen) return nullptr;
  Json j;
  j["system_id"] = chosen->id;
  j["value"] = number(best, digits);
  return j;
}

}  // namespace

Json performance_payload(const Inputs& in, Date as_of, const std::string& generated_at) {
  const Table& t = *in.daily_perf.table;
  // The read holds this season's rows up to the loaded as-of date; keep those ≤
  // as_of of the same season (the fixed, season-bounded window — see load()).
  const Date season_start = Date::from_ymd(season_of(as_of), 10, 1);
  std::map<std::string, System> by_id;
  const auto& days = t.col("game_date");
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const Date d(static_cast<int32_t>(days.int_at(r)));
    if (d < season_start || d > as_of) continue;
    const std::string id = t.get_text(r, "system_id").value_or("");
    System& s = by_id[id];
    s.id = id;
    s.meta = meta_of(id);
    s.season.add(t, r);
    if (d > as_of - 30) s.last_30.add(t, r);
    if (d > as_of - 7) s.last_7.add(t, r);
  }
  std::vector<System> systems;
  systems.reserve(by_id.size());
  for (auto& [id, s] : by_id) systems.push_back(std::move(s));
  std::stable_sort(systems.begin(), systems.end(),
                   [](const System& a, const System& b) { return a.meta.rank < b.meta.rank; });

  Json list = Json::array();
  for (const System& s : systems) {
    Json j;
    j["system_id"] = s.id;
    j["display_name"] = s.meta.display_name;
    j["is_primary"] = s.meta.primary;
    j["rank"] = s.meta.rank;
    Json windows;
    windows["last_7_days"] = s.last_7.json();
    windows["last_30_days"] = s.last_30.json();
    windows["season"] = s.season.json();
    j["windows"] = std::move(windows);
    j["breakdown"] = s.season.breakdown();
    list.push_back(std::move(j));
  }

  Json comparison;
  comparison["best_mae"] =
      pick(systems, [](const System& s) { return s.season.mae.get(); }, [](double a, double b) { return a < b; }, 2);
  comparison["best_win_rate"] =
      pick(systems, [](const System& s) { return s.season.win_rate(); }, [](double a, double b) { return a > b; }, 3);
  comparison["lowest_bias"] = pick(
      systems, [](const System& s) { return s.season.bias.get(); },
      [](double a, double b) { return std::fabs(a) < std::fabs(b); }, 2);

  Json out;
  out["as_of_date"] = as_of.iso();
  out["generated_at"] = generated_at;
  out["systems"] = std::move(list);
  out["comparison"] = std::move(comparison);
  return out;
}

}  // namespace nbaprops::exports::detail
