// best-bets/{date}.json (legacy BestBetsExporter, spec legacy-mlfs-phase5-6
// §6.5).
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

/// The legacy methodology text (BestBetsExporter).
constexpr const char* kMethodology = "Ranked by composite score: confidence * edge_factor * historical_accuracy";

struct Candidate {
  const Graded* row = nullptr;
  double edge = 0, composite = 0;
  /// The player's graded ensemble OVER/UNDER picks before the date: the legacy
  /// ROUND(AVG(correct), 3) and COUNT(*), both null without any (its LEFT
  /// JOIN); the composite then uses the default factor.
  std::optional<double> history;
  std::optional<int64_t> sample;
};

/// player_lookup → value of @p column for the rows of @p s dated @p date (first
/// non-null wins).
std::unordered_map<std::string, size_t> rows_by_player(const Source& s, Date date, const char* column) {
  std::unordered_map<std::string, size_t> out;
  const Table& t = *s.table;
  const Column& value = t.col(column);  // handles resolved once, read by row below
  const Column& player = t.col("player_lookup");
  const auto [begin, end] = s.rows_on(date);
  for (size_t r = begin; r < end; ++r) {
    if (value.is_null(r)) continue;
    out.emplace(player.is_null(r) ? std::string() : player.text_at(r), r);
  }
  return out;
}

/// The legacy rationale texts (BestBetsExporter._build_rationale): each label
/// with its figure.
Json rationale(const Candidate& c, std::optional<int64_t> fatigue) {
  Json out = Json::array();
  const double conf = c.row->confidence.value_or(0);
  if (conf >= 0.80) {
    out.push_back("High confidence (" + percent0(conf) + ")");
  } else if (conf >= 0.70) {
    out.push_back("Good confidence (" + percent0(conf) + ")");
  }
  if (c.edge >= 4.0) {
    out.push_back("Strong edge (" + fixed(c.edge, 1) + " points)");
  } else if (c.edge >= 2.5) {
    out.push_back("Solid edge (" + fixed(c.edge, 1) + " points)");
  }
  if (c.history && c.sample && *c.sample >= 5) {
    const std::string detail = " (" + percent0(*c.history) + " accuracy, " + std::to_string(*c.sample) + " games)";
    if (*c.history >= 0.80) {
      out.push_back("Strong track record" + detail);
    } else if (*c.history >= 0.70) {
      out.push_back("Good track record" + detail);
    }
  }
  if (fatigue && *fatigue >= 95) out.push_back("Well-rested (fatigue: " + std::to_string(*fatigue) + ")");
  if (fatigue && *fatigue < 75) out.push_back("Elevated fatigue (fatigue: " + std::to_string(*fatigue) + ")");
  if (out.empty()) out.push_back("Meets minimum criteria");
  return out;
}

/// The legacy composite_score, round(_safe_float(x) or 0, 3): the 3-dp float,
/// but a value that rounds to 0 is falsy there and becomes the integer 0.
Json composite_json(double composite) {
  const Json x = number(composite, 3);
  if (x.is_number_float() && x.get<double>() == 0.0) return 0;
  return x;
}

const char* result_of(const Graded& g) {
  if (g.correct) return *g.correct ? "WIN" : "LOSS";
  if (!g.actual) return "PENDING";
  return "PUSH";
}

}  // namespace

std::optional<std::string> fatigue_level(std::optional<int64_t> score) {
  if (!score) return std::nullopt;
  if (*score >= 95) return "fresh";
  if (*score >= 75) return "normal";
  return "tired";
}

Json best_bets_payload(const Inputs& in, Date date, const BuildOptions& options, const std::string& generated_at) {
  const std::vector<Graded> rows = graded_rows(in, date);
  std::vector<Candidate> candidates;
  for (const Graded& g : rows) {
    // A pick needs a side, a prediction, a line and a confidence to be scored
    // at all.
    if (!g.is_bet() || !g.predicted || !g.line || !g.confidence) continue;
    Candidate c;
    c.row = &g;
    c.edge = std::fabs(*g.predicted - *g.line);
    const double edge_factor = std::min(1.5, 1.0 + c.edge / 10.0);
    if (auto it = in.picks.find(g.player_lookup); it != in.picks.end()) {
      const PickHistory& h = it->second;
      // Graded picks strictly before the date.
      const auto n = std::lower_bound(h.days.begin(), h.days.end(), date.days()) - h.days.begin();
      if (n > 0) {
        c.sample = n;
        c.history = exact_round(h.wins[static_cast<size_t>(n)], n, 3);
      }
    }
    // Legacy: COALESCE(historical_accuracy, 0.85), the rounded value.
    c.composite = *g.confidence * edge_factor * c.history.value_or(options.default_historical_accuracy);
    candidates.push_back(c);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.composite > b.composite; });
  if (candidates.size() > static_cast<size_t>(std::max(0, options.top_n))) {
    candidates.resize(static_cast<size_t>(std::max(0, options.top_n)));
  }

  const auto pgs_rows = rows_by_player(in.pgs_names, date, "player_full_name");
  const auto gamebook = rows_by_player(in.gamebook_names, date, "player_name");
  const auto fatigue = rows_by_player(in.composite, date, "fatigue_score");

  // Handles resolved once per table (rows_by_player above read the same
  // columns), read by row below.
  const Column& pgs_name = in.pgs_names.table->col(pgs::player_full_name);
  const Column& gamebook_name = in.gamebook_names.table->col(gps::player_name);
  const Column& fatigue_col = in.composite.table->col(pcf::fatigue_score);

  Json picks = Json::array();
  int rank = 0;
  for (const Candidate& c : candidates) {
    const Graded& g = *c.row;
    std::string name = g.player_lookup;  // fallback: no name source holds the player
    if (auto it = pgs_rows.find(g.player_lookup); it != pgs_rows.end()) {
      name = *pgs_name.get_text(it->second);
    } else if (auto gb = gamebook.find(g.player_lookup); gb != gamebook.end()) {
      name = *gamebook_name.get_text(gb->second);
    }
    std::optional<int64_t> fatigue_score;
    if (auto it = fatigue.find(g.player_lookup); it != fatigue.end()) {
      fatigue_score = fatigue_col.get_int(it->second);
    }
    Json p;
    p["rank"] = ++rank;
    p["player_lookup"] = g.player_lookup;
    p["player_full_name"] = name;
    p["game_id"] = g.game_id;
    p["team"] = text(g.team);
    p["opponent"] = text(g.opponent);
    p["recommendation"] = text(g.recommendation);
    p["line"] = number(g.line, 3);
    p["predicted"] = number(g.predicted, 3);
    p["edge"] = number(c.edge, 3);
    p["confidence"] = number(g.confidence, 3);
    p["composite_score"] = composite_json(c.composite);
    p["player_historical_accuracy"] = number(c.history, 3);
    p["player_sample_size"] = integer(c.sample);
    // The legacy passes the INT64 score through _safe_float (round(float(x),
    // 3)): a JSON float (97.0), not an integer.
    p["fatigue_score"] = fatigue_score ? number(static_cast<double>(*fatigue_score), 3) : Json(nullptr);
    p["fatigue_level"] = text(fatigue_level(fatigue_score));
    p["rationale"] = rationale(c, fatigue_score);
    p["result"] = result_of(g);
    p["actual"] = integer(g.actual);
    p["error"] = number(g.abs_error, 3);
    picks.push_back(std::move(p));
  }

  Json out;
  out["game_date"] = date.iso();
  out["generated_at"] = generated_at;
  out["methodology"] = kMethodology;
  out["total_picks"] = static_cast<int64_t>(picks.size());
  out["picks"] = std::move(picks);
  return out;
}

}  // namespace nbaprops::exports::detail
