#include "nbaprops/processors/predictions/player_prop_predictions.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "nbaprops/core/error.hpp"
#include "nbaprops/models/xgboost.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/predictions/feature_store.hpp"
#include "nbaprops/processors/predictions/prediction_systems.hpp"

namespace nbaprops::predictions {
using proc::opt_bool;
using proc::opt_int;
using proc::opt_real;
using proc::opt_text;
using proc::py_round;

namespace {

constexpr const char* kOutput = "nba_predictions.player_prop_predictions";
constexpr int kHistoryDays = 90;  // similarity history: D−90 … D−1
constexpr size_t kHistoryGames = 30;

struct ModelSlot {
  std::mutex mu;
  std::shared_ptr<const models::XGBoostModel> model;
  std::string id;
};
ModelSlot& model_slot() {
  static ModelSlot slot;
  return slot;
}

/// The line a player's predictions are judged against.
struct Line {
  std::optional<double> value;
  bool actual = false;
  std::string method;  ///< estimation column when estimated
};
Line choose_line(const Table& upgc, const size_t* row) {
  Line l;
  if (!row) return l;
  const auto has = opt_bool(upgc, *row, "has_prop_line");
  if (auto v = opt_real(upgc, *row, "current_points_line"); v && has.value_or(true)) {
    l.value = py_round(*v, 1);
    l.actual = true;
    return l;
  }
  for (const char* c : {"points_avg_last_5", "points_avg_last_10"}) {
    if (auto v = opt_real(upgc, *row, c)) {
      l.value = round_to_half(*v);
      l.method = c;
      return l;
    }
  }
  return l;
}

/// "YYYYMMDD_AWAY_HOME" → HOME (empty when the id has another shape).
std::string home_of(const std::string& game_id) {
  auto p = game_id.rfind('_');
  return p == std::string::npos ? std::string() : game_id.substr(p + 1);
}

/// Similarity history of the given players: their games of D−90 … D−1 (minutes
/// > 0 or unknown), newest first, each described as it was when played.
std::unordered_map<std::string, std::vector<HistoricalGame>> build_history(
    const Table& pgs, const Table& tdza, Date d, const std::unordered_map<std::string, size_t>& players) {
  // Opponent defensive rating on each date: TDZA row (team, date) — computed
  // from games before it.
  std::unordered_map<std::string, double> def_rating;  // "TEAM@days" → rating
  auto rating_key = [](const std::string& team, Date date) { return team + "@" + std::to_string(date.days()); };
  if (tdza.index_of("defensive_rating_last_15") >= 0) {
    def_rating.reserve(tdza.num_rows());
    for (size_t r = 0; r < tdza.num_rows(); ++r) {
      auto team = tdza.get_text(r, "team_abbr");
      auto date = tdza.get_date(r, "analysis_date");
      auto v = tdza.get_real(r, "defensive_rating_last_15");
      if (team && date && v) def_rating[rating_key(*team, *date)] = *v;
    }
  }
  struct Played {
    Date date;
    double points;
    std::string opponent;
    bool home;
  };
  std::unordered_map<std::string, std::vector<Played>> games;
  for (size_t r = 0; r < pgs.num_rows(); ++r) {
    auto gd = pgs.get_date(r, "game_date");
    auto pl = pgs.get_text(r, "player_lookup");
    if (!gd || !pl || *gd >= d || *gd < d - kHistoryDays || !players.count(*pl)) continue;
    if (auto m = opt_real(pgs, r, "minutes_played"); m && *m <= 0) continue;  // did not play
    Played g{*gd, opt_real(pgs, r, "points").value_or(0.0), opt_text(pgs, r, "opponent_team_abbr").value_or(""), false};
    const std::string team = opt_text(pgs, r, "team_abbr").value_or("");
    g.home = !team.empty() && home_of(opt_text(pgs, r, "game_id").value_or("")) == team;
    games[*pl].push_back(std::move(g));
  }
  std::unordered_map<std::string, std::vector<HistoricalGame>> out;
  for (auto& [player, v] : games) {
    std::stable_sort(v.begin(), v.end(), [](const Played& a, const Played& b) { return a.date > b.date; });
    const size_t keep = std::min(v.size(), kHistoryGames);
    double listed = 0;
    for (size_t i = 0; i < keep; ++i) listed += v[i].points;
    const double listed_mean = keep ? listed / static_cast<double>(keep) : 0.0;
    auto& h = out[player];
    h.reserve(keep);
    for (size_t i = 0; i < keep; ++i) {
      HistoricalGame g;
      g.points = v[i].points;
      auto it = def_rating.find(rating_key(v[i].opponent, v[i].date));
      g.opponent = opponent_tier(it == def_rating.end() ? 112.0 : it->second);  // MLFS default when unknown
      g.rest = i + 1 < v.size() ? rest_bucket((v[i].date - v[i + 1].date) - 1) : RestBucket::kWellRested;
      g.is_home = v[i].home;
      // Form going into that game: its (up to) 5 previous games against the
      // listed mean (legacy used the games after it, i.e. the future of that
      // game).
      double sum = 0;
      size_t n = 0;
      for (size_t k = i + 1; k < v.size() && n < 5; ++k, ++n) sum += v[k].points;
      g.form = n == 0 ? Form::kNormal : form_of(sum / static_cast<double>(n) - listed_mean);
      h.push_back(g);
    }
  }
  return out;
}

/// The player's MLFS values that every one of his prediction rows repeats:
/// identity, completeness and processing status (read once per player, written
/// once per row).
struct Carried {
  std::optional<std::string> universal_player_id, game_id, data_quality_issues;
  std::optional<int64_t> expected_games, actual_games, missing_games;
  std::optional<double> completeness_pct;
  std::optional<bool> production_ready;
  bool season_boundary = false, bootstrap_mode = false;
};
Carried carried_from(const Table& mlfs, size_t r) {
  Carried c;
  c.universal_player_id = opt_text(mlfs, r, "universal_player_id");
  c.game_id = opt_text(mlfs, r, "game_id");
  c.data_quality_issues = opt_text(mlfs, r, "data_quality_issues");
  c.expected_games = opt_int(mlfs, r, "expected_games_count");
  c.actual_games = opt_int(mlfs, r, "actual_games_count");
  c.missing_games = opt_int(mlfs, r, "missing_games_count");
  c.completeness_pct = opt_real(mlfs, r, "completeness_percentage");
  c.production_ready = opt_bool(mlfs, r, "is_production_ready");
  c.season_boundary = opt_bool(mlfs, r, "season_boundary_detected").value_or(false);
  c.bootstrap_mode = opt_bool(mlfs, r, "backfill_bootstrap_mode").value_or(false);
  return c;
}
void write_carried(Table& t, size_t r, const Carried& c) {
  if (c.universal_player_id) t.set(r, "universal_player_id", *c.universal_player_id);
  if (c.game_id) t.set(r, "game_id", *c.game_id);
  t.col("expected_games_count").set_int(r, c.expected_games);
  t.col("actual_games_count").set_int(r, c.actual_games);
  t.col("missing_games_count").set_int(r, c.missing_games);
  t.col("completeness_percentage").set_real(r, c.completeness_pct);
  if (c.production_ready) t.set(r, "is_production_ready", *c.production_ready);
  if (c.data_quality_issues) t.set(r, "data_quality_issues", *c.data_quality_issues);
  proc::write_processing_status(t, r, c.season_boundary, c.bootstrap_mode);
}

std::string recommendation_or_no_line(const SystemPrediction& s, const Line& line) {
  return line.value ? s.recommendation : "NO_LINE";
}

}  // namespace

void set_xgboost_model(std::shared_ptr<const models::XGBoostModel> model, std::string model_id) {
  auto& slot = model_slot();
  std::lock_guard lock(slot.mu);
  slot.model = std::move(model);
  slot.id = slot.model ? std::move(model_id) : std::string();
}

std::pair<std::shared_ptr<const models::XGBoostModel>, std::string> xgboost_model() {
  auto& slot = model_slot();
  std::lock_guard lock(slot.mu);
  return {slot.model, slot.id};
}

double round_to_half(double x) { return py_round(x * 2.0, 0) / 2.0; }

UnitOutput compute_predictions(Date d, const PredictionInputs& in, const models::XGBoostModel* model,
                               const std::string& model_id) {
  const TableSchema& schema = catalog::get(kOutput);
  UnitOutput out(schema);
  const auto mlfs = proc::first_row_by(in.mlfs, "player_lookup", "game_date", d);
  if (mlfs.empty()) {
    out.empty_reason = "no ml_feature_store_v2 rows for " + d.iso();
    return out;
  }
  const auto upgc = proc::first_row_by(in.upgc, "player_lookup", "game_date", d);
  const auto pdc = proc::first_row_by(in.pdc, "player_lookup", "cache_date", d);
  const auto history = build_history(in.pgs, in.tdza, d, mlfs);

  // Players in name order, so rows (and reruns) are deterministic.
  std::vector<std::pair<std::string, size_t>> players(mlfs.begin(), mlfs.end());
  std::sort(players.begin(), players.end());

  struct PlayerResult {
    std::vector<std::pair<const char*, SystemPrediction>> systems;
    Line line;
    std::optional<std::string> failure;
    Features f{};
    std::optional<int64_t> days_rest;
    double quality = 0;
  };
  std::vector<PlayerResult> results(players.size());
  // 1. Features and lines per player; the model's input rows, one block for the
  // whole date.
  const size_t width = model ? static_cast<size_t>(model->num_features()) : 0;
  std::vector<float> model_rows(players.size() * width, std::nanf(""));
  tbb::parallel_for(size_t{0}, players.size(), [&](size_t i) {
    const auto& [player, mr] = players[i];
    PlayerResult& pr = results[i];
    Features& f = pr.f;
    try {
      auto text = in.mlfs.get_text(mr, "features");
      if (!text) throw DataError("features is NULL");
      auto j = nlohmann::json::parse(*text);
      if (!j.is_array() || j.size() != f.size()) {
        throw DataError("features has " + std::to_string(j.is_array() ? j.size() : 0) + " values, expected 25");
      }
      for (size_t k = 0; k < f.size(); ++k) f[k] = j[k].is_number() ? j[k].get<double>() : std::nan("");
    } catch (const std::exception& e) {
      // One bad stored row fails only its player (named with table, field and
      // date).
      pr.failure = std::string("nba_predictions.ml_feature_store_v2 ") + d.iso() + " player " + player +
                   " field features: " + e.what();
      return;
    }
    auto ur = upgc.find(player);
    pr.line = choose_line(in.upgc, ur == upgc.end() ? nullptr : &ur->second);
    pr.days_rest = opt_int(in.mlfs, mr, "days_rest");
    pr.quality = opt_real(in.mlfs, mr, "feature_quality_score").value_or(0.0);
    if (model) {
      ModelExtras x;
      auto pit = pdc.find(player);
      if (pit != pdc.end()) {
        x.minutes_avg_last_10 = opt_real(in.pdc, pit->second, "minutes_avg_last_10");
        x.assisted_rate_last_10 = opt_real(in.pdc, pit->second, "assisted_rate_last_10");
        x.usage_rate_last_10 = opt_real(in.pdc, pit->second, "usage_rate_last_10");
      }
      x.days_rest = pr.days_rest;
      x.is_home = opt_bool(in.mlfs, mr, "is_home");
      const std::vector<float> row = model_row(*model, f, x);
      std::copy(row.begin(), row.end(), model_rows.begin() + static_cast<std::ptrdiff_t>(i * width));
    }
  });
  // 2. The model over the whole block at once (the batched evaluator, identical
  // to per-row calls).
  const std::vector<double> model_points = model ? model->predict_batch(model_rows) : std::vector<double>{};
  // 3. The five systems per player.
  tbb::parallel_for(size_t{0}, players.size(), [&](size_t i) {
    const std::string& player = players[i].first;
    PlayerResult& pr = results[i];
    if (pr.failure) return;
    const Features& f = pr.f;
    const auto line = pr.line.value;
    SystemPrediction ma = moving_average(f, line);
    SystemPrediction zm = zone_matchup(f, line);
    static const std::vector<HistoricalGame> kNone;
    auto hit = history.find(player);
    SystemPrediction sim = similarity_balanced(f, pr.days_rest, hit == history.end() ? kNone : hit->second, line);
    std::optional<SystemPrediction> xgb;
    if (model) xgb = xgboost_system(model_points[i], pr.quality, f, line);
    std::vector<SystemPrediction> components = {ma, zm, sim};
    if (xgb) components.push_back(*xgb);
    SystemPrediction ens = ensemble(components, line);
    pr.systems.emplace_back(kSystemMovingAverage, std::move(ma));
    pr.systems.emplace_back(kSystemZoneMatchup, std::move(zm));
    pr.systems.emplace_back(kSystemSimilarity, std::move(sim));
    if (xgb) pr.systems.emplace_back(kSystemXgboost, std::move(*xgb));
    pr.systems.emplace_back(kSystemEnsemble, std::move(ens));
  });

  Table& t = out.rows;
  const std::string date_iso = d.iso();
  const nlohmann::json warnings =
      model ? nlohmann::json::array() : nlohmann::json::array({"xgboost_model_unavailable"});
  for (size_t i = 0; i < players.size(); ++i) {
    const auto& [player, mr] = players[i];
    const PlayerResult& pr = results[i];
    if (pr.failure) {
      out.failures.push_back({player, "PROCESSING_ERROR", *pr.failure});
      continue;
    }
    ++out.entities_processed;
    const Carried carried = carried_from(in.mlfs, mr);
    for (const auto& [system, s] : pr.systems) {
      if (!s.points) {
        // Legacy: a similarity result without a prediction was dropped at
        // write; so is an ensemble without two components (legacy stored 0.0
        // for it).
        continue;
      }
      const size_t r = t.add_row();
      t.set(r, "prediction_id", date_iso + "_" + player + "_" + system);
      t.set(r, "system_id", system);
      t.set(r, "player_lookup", player);
      t.set(r, "game_date", d);
      t.set(r, "prediction_version", int64_t{1});
      t.set(r, "predicted_points", py_round(*s.points, 1));
      t.set(r, "confidence_score", py_round(s.confidence, 2));
      t.set(r, "recommendation", recommendation_or_no_line(s, pr.line));
      t.set(r, "has_prop_line", pr.line.actual);
      if (pr.line.value) {
        t.set(r, "current_points_line", *pr.line.value);
        t.set(r, "line_margin", py_round(*s.points - *pr.line.value, 2));
        t.set(r, "line_source", pr.line.actual ? "ACTUAL_PROP" : "ESTIMATED_AVG");
        if (!pr.line.actual) {
          t.set(r, "estimated_line_value", *pr.line.value);
          t.set(r, "estimation_method", pr.line.method);
        }
      }
      auto put = [&](const char* col, std::optional<double> v) {
        if (v) t.set(r, col, py_round(*v, 2));
      };
      put("fatigue_adjustment", s.fatigue);
      put("shot_zone_adjustment", s.shot_zone);
      put("pace_adjustment", s.pace);
      put("usage_spike_adjustment", s.usage_spike);
      put("home_away_adjustment", s.home_away);
      put("other_adjustments", s.other);
      if (std::string(system) == kSystemSimilarity) {
        t.set(r, "similarity_baseline", py_round(*s.similarity_baseline, 1));
        t.set(r, "similar_games_count", int64_t{s.similar_games});
        put("avg_similarity_score", s.avg_similarity);
        put("min_similarity_score", s.min_similarity);
      }
      if (std::string(system) == kSystemXgboost) t.set(r, "ml_model_id", model_id);
      if (std::string(system) == kSystemEnsemble) {
        put("prediction_variance", s.variance);
        put("system_agreement_score", s.agreement_pct);
        t.set(r, "contributing_systems", int64_t{s.contributing});
      }
      if (!warnings.empty()) t.set(r, "warnings", warnings.dump());
      write_carried(t, r, carried);
      t.set(r, "is_active", true);
    }
  }
  if (t.num_rows() == 0 && out.empty_reason.empty()) out.empty_reason = "no player could be predicted on " + date_iso;
  return out;
}

namespace {

class PlayerPropPredictionsProcessor final : public Processor {
 public:
  PlayerPropPredictionsProcessor() {
    info_.name = "player_prop_predictions";
    info_.code = "pred";
    info_.phase = 5;
    info_.output_table = kOutput;
    info_.entity = "players";
    info_.legacy_job = "prediction_backfill";
    info_.reads = {{"nba_predictions.ml_feature_store_v2", WindowKind::kSameDate, 0, true},
                   {"nba_analytics.upcoming_player_game_context", WindowKind::kSameDate, 0, true},
                   {"nba_precompute.player_daily_cache", WindowKind::kSameDate, 0, false},
                   {"nba_analytics.player_game_summary", WindowKind::kDaysBefore, kHistoryDays, false},
                   {"nba_precompute.team_defense_zone_analysis", WindowKind::kDaysBefore, kHistoryDays, false}};
    info_.bootstrap = BootstrapPolicy::kSkip;
    info_.description =
        "Points predictions of five systems (moving average, "
        "zone matchup, similarity, XGBoost model, ensemble) "
        "per player against the prop line";
  }
  const ProcessorInfo& info() const override { return info_; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    Table mlfs = proc::read_window(
        ctx, "nba_predictions.ml_feature_store_v2", d, d,
        {"player_lookup", "universal_player_id", "game_date", "game_id", "features", "feature_quality_score", "is_home",
         "days_rest", "expected_games_count", "actual_games_count", "missing_games_count", "completeness_percentage",
         "is_production_ready", "data_quality_issues", "season_boundary_detected", "backfill_bootstrap_mode"});
    Table upgc = proc::read_window(ctx, "nba_analytics.upcoming_player_game_context", d, d,
                                   {"player_lookup", "game_date", "team_abbr", "has_prop_line", "current_points_line",
                                    "points_avg_last_5", "points_avg_last_10"});
    Table pdc = proc::read_window(
        ctx, "nba_precompute.player_daily_cache", d, d,
        {"player_lookup", "cache_date", "minutes_avg_last_10", "assisted_rate_last_10", "usage_rate_last_10"});
    Table pgs = proc::read_window(
        ctx, "nba_analytics.player_game_summary", d - kHistoryDays, d - 1,
        {"player_lookup", "game_date", "game_id", "team_abbr", "opponent_team_abbr", "points", "minutes_played"});
    Table tdza = proc::read_window(ctx, "nba_precompute.team_defense_zone_analysis", d - kHistoryDays, d - 1,
                                   {"team_abbr", "analysis_date", "defensive_rating_last_15"});
    auto [model, id] = xgboost_model();
    return compute_predictions(d, {mlfs, upgc, pdc, pgs, tdza}, model.get(), id);
  }

 private:
  ProcessorInfo info_;
};

}  // namespace

std::unique_ptr<Processor> make_player_prop_predictions_processor() {
  return std::make_unique<PlayerPropPredictionsProcessor>();
}

}  // namespace nbaprops::predictions
