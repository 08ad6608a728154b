// results/{date}.json (legacy ResultsExporter, spec legacy-mlfs-phase5-6 §6.3).
#include <unordered_map>

#include "nbaprops/core/error.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

/// MLFS context of one (player, game): what results rows and breakdowns are
/// split by.
struct Context {
  bool is_home = false;              // NULL → false (legacy)
  int64_t days_rest = 1;             // NULL → 1 (legacy)
  std::optional<double> season_avg;  // features[2] points_avg_season
  bool back_to_back = false;         // features[16] > 0.5
};

std::unordered_map<std::string, Context> contexts(const Inputs& in, Date date) {
  std::unordered_map<std::string, Context> out;
  const Table& t = *in.mlfs.table;
  // Handles resolved once per table, read by row below.
  const Column& is_home = t.col(mlfs::is_home);
  const Column& days_rest = t.col(mlfs::days_rest);
  const Column& features = t.col(mlfs::features);
  const Column& player = t.col(mlfs::player_lookup);
  const Column& game = t.col(mlfs::game_id);
  const auto [begin, end] = in.mlfs.rows_on(date);
  for (size_t r = begin; r < end; ++r) {
    Context c;
    c.is_home = proc::bool_of(&is_home, r).value_or(false);
    c.days_rest = days_rest.get_int(r).value_or(1);
    if (auto f = features.get_text(r)) {
      Json arr = Json::parse(*f, nullptr, false);
      if (arr.is_discarded() || !arr.is_array()) {
        throw DataError("ml_feature_store_v2 " + date.iso() + " " + player.get_text(r).value_or("") +
                        ": features is not a JSON array");
      }
      if (arr.size() > 2 && arr[2].is_number()) c.season_avg = arr[2].get<double>();
      if (arr.size() > 16 && arr[16].is_number()) c.back_to_back = arr[16].get<double>() > 0.5;
    }
    out.emplace(player.get_text(r).value_or("") + "|" + game.get_text(r).value_or(""), c);
  }
  return out;
}

/// Legacy get_confidence_tier: a row without a confidence is "low" (and counts
/// in by_confidence.low).
std::string confidence_tier(std::optional<double> conf) {
  if (!conf) return "low";
  if (*conf >= 0.70) return "high";
  if (*conf >= 0.55) return "medium";
  return "low";
}

std::string player_tier(std::optional<double> season_avg) {
  if (season_avg && *season_avg >= 25) return "elite";
  if (season_avg && *season_avg >= 15) return "starter";
  return "role_player";
}

/// Result label of a row. Legacy: PASS for PASS, WIN/LOSS from
/// prediction_correct, otherwise "PUSH" — so NO_LINE (and HOLD) rows read as
/// pushes. Fixed (DECISION 6): "PUSH" only for an OVER/UNDER pick whose actual
/// equals the line; "NO_LINE" for rows without a line; null for any other
/// ungraded row.
Json result_label(const Graded& g) {
  if (g.recommendation == "PASS") return "PASS";
  if (g.correct) return *g.correct ? "WIN" : "LOSS";
  if (g.recommendation == "NO_LINE" || !g.line) return "NO_LINE";
  if (g.is_push()) return "PUSH";
  return nullptr;
}

/// One breakdown cell over OVER/UNDER rows.
struct Cell {
  int64_t total = 0, wins = 0, losses = 0, pushes = 0, errors = 0;
  double error_sum = 0;

  void add(const Graded& g) {
    ++total;
    if (g.correct && *g.correct) ++wins;
    if (g.correct && !*g.correct) ++losses;
    if (g.is_push()) ++pushes;
    if (g.abs_error) {
      ++errors;
      error_sum += *g.abs_error;
    }
  }
  [[nodiscard]] Json json() const {
    Json j;
    j["total"] = total;
    j["wins"] = wins;
    j["losses"] = losses;
    j["pushes"] = pushes;
    j["win_rate"] = number(total ? static_cast<double>(wins) / static_cast<double>(total) : 0.0, 3);
    j["avg_error"] = number(errors ? error_sum / static_cast<double>(errors) : 0.0, 2);
    return j;
  }
};

Json cells(const std::vector<std::pair<const char*, const Cell*>>& items) {
  Json j = Json::object();
  for (const auto& [name, cell] : items) j[name] = cell->json();
  return j;
}

/// Totals of the date.
struct Summary {
  int64_t recs = 0, correct = 0, incorrect = 0, pushes = 0, passes = 0, w3 = 0, w5 = 0, errors = 0, biases = 0;
  double error_sum = 0, bias_sum = 0;
  const Graded* best = nullptr;
  const Graded* worst = nullptr;

  void add(const Graded& g) {
    if (g.is_bet()) {
      ++recs;
      if (g.correct && *g.correct) ++correct;
      // Legacy: incorrect = recommendations − correct, so pushes counted as
      // incorrect. Fixed (DECISION 6): losses only; pushes are reported on
      // their own.
      if (g.correct && !*g.correct) ++incorrect;
      if (g.is_push()) ++pushes;
    }
    if (g.recommendation == "PASS") ++passes;
    if (g.within_3.value_or(false)) ++w3;
    if (g.within_5.value_or(false)) ++w5;
    if (g.abs_error) {
      ++errors;
      error_sum += *g.abs_error;
      if (!best || *g.abs_error < *best->abs_error) best = &g;
      if (!worst || *g.abs_error > *worst->abs_error) worst = &g;
    }
    if (g.signed_error) {
      ++biases;
      bias_sum += *g.signed_error;
    }
  }

  [[nodiscard]] Json json(size_t rows) const {
    const auto n = static_cast<double>(rows);
    Json j;
    j["total_predictions"] = static_cast<int64_t>(rows);
    j["recommendations"] = recs;
    j["correct"] = correct;
    j["incorrect"] = incorrect;
    j["pushes"] = pushes;
    j["pass_count"] = passes;
    j["win_rate"] = number(recs ? static_cast<double>(correct) / static_cast<double>(recs) : 0.0, 3);
    j["avg_mae"] = number(errors ? error_sum / static_cast<double>(errors) : 0.0, 2);
    j["avg_bias"] = number(biases ? bias_sum / static_cast<double>(biases) : 0.0, 2);
    j["within_3_points"] = w3;
    j["within_3_pct"] = number(rows == 0 ? 0.0 : static_cast<double>(w3) / n, 3);
    j["within_5_points"] = w5;
    j["within_5_pct"] = number(rows == 0 ? 0.0 : static_cast<double>(w5) / n, 3);
    return j;
  }

  /// The best and the worst prediction by absolute error.
  [[nodiscard]] Json highlights() const {
    Json h = Json::object();
    if (!best) return h;
    Json b;
    b["player"] = best->player_lookup;
    b["team"] = text(best->team);
    b["predicted"] = number(best->predicted, 2);
    b["actual"] = integer(best->actual);
    b["error"] = number(best->abs_error, 2);
    h["best_prediction"] = std::move(b);
    Json w;
    w["player"] = worst->player_lookup;
    w["team"] = text(worst->team);
    w["predicted"] = number(worst->predicted, 2);
    w["actual"] = integer(worst->actual);
    w["error"] = number(worst->abs_error, 2);
    w["minutes"] = number(worst->minutes, 1);
    h["worst_prediction"] = std::move(w);
    return h;
  }
};

/// The OVER/UNDER rows split by player tier, confidence, pick and context.
struct Breakdowns {
  Cell elite, starter, role, high, medium, low, over, under, home, away, b2b, rested;

  void add(const Graded& g, const Context& c, const std::string& conf_tier, const std::string& tier) {
    (tier == "elite" ? elite : tier == "starter" ? starter : role).add(g);
    (conf_tier == "high" ? high : conf_tier == "medium" ? medium : low).add(g);
    (g.recommendation == "OVER" ? over : under).add(g);
    (c.is_home ? home : away).add(g);
    if (c.back_to_back) b2b.add(g);
    if (c.days_rest >= 2) rested.add(g);
  }

  [[nodiscard]] Json json() const {
    Json j;
    j["by_player_tier"] = cells({{"elite", &elite}, {"starter", &starter}, {"role_player", &role}});
    j["by_confidence"] = cells({{"high", &high}, {"medium", &medium}, {"low", &low}});
    j["by_recommendation"] = cells({{"over", &over}, {"under", &under}});
    j["by_context"] = cells({{"home", &home}, {"away", &away}, {"back_to_back", &b2b}, {"rested", &rested}});
    return j;
  }
};

Json result_row(const Graded& g, const Context& c, const std::string& conf_tier, const std::string& tier) {
  Json r;
  r["player_lookup"] = g.player_lookup;
  r["game_id"] = g.game_id;
  r["team"] = text(g.team);
  r["opponent"] = text(g.opponent);
  // Legacy emitted these with `float(x) if x else None`, so an exact 0 became
  // null. Fixed (DECISION 6): number() keeps 0.
  r["predicted"] = number(g.predicted, 2);
  r["actual"] = integer(g.actual);
  r["line"] = number(g.line, 2);
  r["recommendation"] = text(g.recommendation);
  r["result"] = result_label(g);
  r["error"] = number(g.abs_error, 2);
  r["bias"] = number(g.signed_error, 2);
  r["confidence"] = number(g.confidence, 3);
  r["minutes"] = number(g.minutes, 1);
  r["confidence_tier"] = conf_tier;
  r["player_tier"] = tier;
  r["is_home"] = c.is_home;
  r["is_back_to_back"] = c.back_to_back;
  r["days_rest"] = c.days_rest;
  return r;
}

}  // namespace

Json results_payload(const Inputs& in, Date date, const std::string& generated_at) {
  const std::vector<Graded> rows = graded_rows(in, date);
  const auto ctx = contexts(in, date);
  Summary summary;
  Breakdowns breakdowns;
  Json results = Json::array();
  for (const Graded& g : rows) {
    auto it = ctx.find(g.player_lookup + "|" + g.game_id);
    const Context c = it == ctx.end() ? Context{} : it->second;
    const auto conf_tier = confidence_tier(g.confidence);
    const std::string tier = player_tier(c.season_avg);
    summary.add(g);
    if (g.is_bet()) breakdowns.add(g, c, conf_tier, tier);
    results.push_back(result_row(g, c, conf_tier, tier));
  }
  Json out;
  out["game_date"] = date.iso();
  out["generated_at"] = generated_at;
  out["summary"] = summary.json(rows.size());
  out["breakdowns"] = breakdowns.json();
  out["results"] = std::move(results);
  out["highlights"] = summary.highlights();
  return out;
}

}  // namespace nbaprops::exports::detail
