#include "nbaprops/processors/predictions/feature_store.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "../precompute/phase4_util.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::predictions {
using proc::opt_bool;
using proc::opt_int;
using proc::opt_real;
using proc::opt_text;
using proc::py_round;

const std::vector<std::string>& mlfs_feature_names() {
  static const std::vector<std::string> kNames = {"points_avg_last_5",
                                                  "points_avg_last_10",
                                                  "points_avg_season",
                                                  "points_std_last_10",
                                                  "games_in_last_7_days",
                                                  "fatigue_score",
                                                  "shot_zone_mismatch_score",
                                                  "pace_score",
                                                  "usage_spike_score",
                                                  "rest_advantage",
                                                  "injury_risk",
                                                  "recent_trend",
                                                  "minutes_change",
                                                  "opponent_def_rating",
                                                  "opponent_pace",
                                                  "home_away",
                                                  "back_to_back",
                                                  "playoff_game",
                                                  "pct_paint",
                                                  "pct_mid_range",
                                                  "pct_three",
                                                  "pct_free_throw",
                                                  "team_pace",
                                                  "team_off_rating",
                                                  "team_win_pct"};
  return kNames;
}

const char* to_string(FeatureSource s) noexcept {
  switch (s) {
    case FeatureSource::kPhase4:
      return "phase4";
    case FeatureSource::kPhase3:
      return "phase3";
    case FeatureSource::kDefault:
      return "default";
    case FeatureSource::kCalculated:
      return "calculated";
  }
  return "default";
}

double rest_advantage(std::optional<int64_t> days_rest, std::optional<int64_t> opponent_days_rest) {
  if (!days_rest || !opponent_days_rest) return 0.0;
  return static_cast<double>(std::clamp<int64_t>(*days_rest - *opponent_days_rest, -2, 2));
}

double injury_risk(const std::optional<std::string>& player_status) {
  std::string s = player_status.value_or("");
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "probable") return 1.0;
  if (s == "questionable") return 2.0;
  if (s == "doubtful" || s == "out") return 3.0;
  return 0.0;  // available, '' and unknown
}

double recent_trend(const std::vector<std::optional<double>>& pts) {
  if (pts.size() < 5) return 0.0;
  const double recent = (pts[0].value_or(0) + pts[1].value_or(0) + pts[2].value_or(0)) / 3.0;
  const double older = (pts[3].value_or(0) + pts[4].value_or(0)) / 2.0;
  // Legacy: diff = older − recent over a newest-first list, so a positive trend
  // meant the player scored MORE in the older games. Fixed (DECISION 6): diff =
  // recent − older.
  const double diff = recent - older;
  if (diff >= 5) return 2.0;
  if (diff >= 2) return 1.0;
  if (diff <= -5) return -2.0;
  if (diff <= -2) return -1.0;
  return 0.0;
}

double minutes_change(double recent, double season) {
  if (recent == 0.0 || season == 0.0) return 0.0;
  const double pct = (recent - season) / season;
  if (pct >= 0.20) return 2.0;
  if (pct >= 0.10) return 1.0;
  if (pct <= -0.20) return -2.0;
  if (pct <= -0.10) return -1.0;
  return 0.0;
}

double pct_free_throw(const std::vector<std::optional<double>>& ft_makes,
                      const std::vector<std::optional<double>>& points) {
  if (points.size() < 5) return 0.15;
  double ft = 0, pts = 0;
  for (size_t i = 0; i < points.size() && i < 10; ++i) {
    pts += points[i].value_or(0);
    if (i < ft_makes.size()) ft += ft_makes[i].value_or(0);
  }
  if (pts == 0.0) return 0.15;
  return py_round(std::clamp(ft / pts, 0.0, 0.5), 9);
}

double team_win_pct(int64_t wins, int64_t games) {
  if (games < 5) return 0.5;
  return py_round(static_cast<double>(wins) / static_cast<double>(games), 9);
}

FeatureVector build_features(const Phase4Values& p4, const Phase3Values& p3) {
  FeatureVector f;
  using S = FeatureSource;
  auto chain = [&](int idx, std::optional<double> v4, std::optional<double> v3, double dflt) {
    if (v4) {
      f.values[idx] = *v4;
      f.sources[idx] = S::kPhase4;
    } else if (v3) {
      f.values[idx] = *v3;
      f.sources[idx] = S::kPhase3;
    } else {
      f.values[idx] = dflt;
      f.sources[idx] = S::kDefault;
    }
  };
  auto calc = [&](int idx, double v) {
    f.values[idx] = v;
    f.sources[idx] = S::kCalculated;
  };
  auto p3v = [&](int idx, double v) {
    f.values[idx] = v;
    f.sources[idx] = S::kPhase3;  // always tagged phase3, even when UPGC lacked the field
  };

  // Phase 3 fallbacks from PGS history before D.
  std::vector<std::optional<double>> pts, mins, fts;
  for (const auto& g : p3.last_10_games) {
    pts.push_back(g.points);
    mins.push_back(g.minutes);
    fts.push_back(g.ft_makes);
  }
  std::optional<double> p3_l10, p3_l5, p3_min_l10;
  if (!pts.empty()) {
    double s = 0;
    for (auto& x : pts) s += x.value_or(0);  // NULL points count as 0 (legacy)
    p3_l10 = s / static_cast<double>(pts.size());
  }
  if (pts.size() >= 5) {
    double s = 0;
    for (size_t i = 0; i < 5; ++i) s += pts[i].value_or(0);
    p3_l5 = s / 5.0;
  }
  if (!mins.empty()) {
    double s = 0;
    for (auto& x : mins) s += x.value_or(0);
    p3_min_l10 = s / static_cast<double>(mins.size());
  }

  chain(0, p4.points_avg_last_5, p3_l5, 10.0);
  chain(1, p4.points_avg_last_10, p3_l10, 10.0);
  chain(2, p4.points_avg_season, p3.points_avg_season, 10.0);
  chain(3, p4.points_std_last_10, std::nullopt, 5.0);
  chain(4, p4.games_in_last_7_days, std::nullopt, 3.0);
  chain(5, p4.fatigue_score, std::nullopt, 50.0);
  chain(6, p4.shot_zone_mismatch_score, std::nullopt, 0.0);
  chain(7, p4.pace_score, std::nullopt, 0.0);
  chain(8, p4.usage_spike_score, std::nullopt, 0.0);
  calc(9, rest_advantage(p3.days_rest, p3.opponent_days_rest));
  calc(10, injury_risk(p3.player_status));
  calc(11, recent_trend(pts));
  const double recent_min = p4.minutes_avg_last_10 ? *p4.minutes_avg_last_10 : p3_min_l10.value_or(0.0);
  calc(12, minutes_change(recent_min, p3.minutes_avg_season.value_or(0.0)));
  chain(13, p4.opponent_def_rating, std::nullopt, 112.0);
  chain(14, p4.opponent_pace, std::nullopt, 100.0);
  p3v(15, p3.home_game.value_or(false) ? 1.0 : 0.0);
  p3v(16, p3.back_to_back.value_or(false) ? 1.0 : 0.0);
  std::string phase = p3.season_phase.value_or("");
  std::transform(phase.begin(), phase.end(), phase.begin(), [](unsigned char c) { return std::tolower(c); });
  p3v(17, phase == "playoffs" ? 1.0 : 0.0);
  // Legacy: the PSZA row overwrote the PDC keys whenever it existed, even with
  // NULL values (then the feature fell to its default). Fixed (DECISION 6):
  // PSZA wins only when its value is present.
  auto zone = [&](std::optional<double> psza, std::optional<double> pdc) -> std::optional<double> {
    std::optional<double> v = (p4.has_psza && psza) ? psza : pdc;
    if (v) return *v / 100.0;
    return std::nullopt;
  };
  chain(18, zone(p4.paint_rate_last_10, p4.pdc_paint_rate_last_10), std::nullopt, 0.30);
  chain(19, zone(p4.mid_range_rate_last_10, std::nullopt), std::nullopt, 0.20);
  chain(20, zone(p4.three_pt_rate_last_10, p4.pdc_three_pt_rate_last_10), std::nullopt, 0.35);
  calc(21, pct_free_throw(fts, pts));
  chain(22, p4.team_pace_last_10, std::nullopt, 100.0);
  chain(23, p4.team_off_rating_last_10, std::nullopt, 112.0);
  calc(24, team_win_pct(p3.team_wins, p3.team_games));
  return f;
}

double feature_quality_score(const FeatureVector& f) {
  double sum = 0;
  for (auto s : f.sources) {
    switch (s) {
      case FeatureSource::kPhase4:
      case FeatureSource::kCalculated:
        sum += 100;
        break;
      case FeatureSource::kPhase3:
        sum += 75;
        break;
      case FeatureSource::kDefault:
        sum += 40;
        break;
    }
  }
  return py_round(sum / kMlfsFeatureCount, 2);
}

std::string feature_data_source(const FeatureVector& f) {
  int p4 = 0, p3 = 0;
  for (auto s : f.sources) {
    p4 += s == FeatureSource::kPhase4;
    p3 += s == FeatureSource::kPhase3;
  }
  const double s4 = p4 / static_cast<double>(kMlfsFeatureCount);
  const double s3 = p3 / static_cast<double>(kMlfsFeatureCount);
  if (s4 >= 0.90) return "phase4";
  if (s4 >= 0.50) return "phase4_partial";
  if (s3 >= 0.50) return "phase3";
  return "mixed";
}

std::string feature_quality_tier(double score) { return proc::tier_for_score(score); }

namespace {

const std::vector<std::string> kHashFields = {"player_lookup",
                                              "universal_player_id",
                                              "game_date",
                                              "game_id",
                                              "features",
                                              "feature_names",
                                              "feature_count",
                                              "feature_version",
                                              "feature_quality_score",
                                              "opponent_team_abbr",
                                              "is_home",
                                              "days_rest",
                                              "data_source",
                                              "early_season_flag",
                                              "insufficient_data_reason"};

/// Minimum rows per source for the completeness pct (legacy backfill
/// thresholds: 20 players, 20 teams).
constexpr double kMinRows = 20.0;

/// Source tracking of one Phase 4 table for D: rows, newest processed_at, pct,
/// latest hash.
struct SourceTrack {
  int64_t rows = 0;
  std::optional<std::string> last_updated, hash;
  double pct = 0;
};
SourceTrack track(const Table& t, const std::vector<size_t>& rows) {
  SourceTrack s;
  s.rows = static_cast<int64_t>(rows.size());
  if (t.index_of("processed_at") >= 0) {
    for (size_t r : rows) {
      auto pa = t.get_text(r, "processed_at");
      if (pa && (!s.last_updated || *s.last_updated < *pa)) s.last_updated = pa;
    }
  }
  s.hash = phase4_detail::latest_hash(t, rows);
  s.pct = py_round(std::min(static_cast<double>(s.rows) / kMinRows * 100.0, 100.0), 2);
  return s;
}
void write_track(Table& t, size_t i, const std::string& prefix, const SourceTrack& s) {
  if (s.last_updated) t.set(i, prefix + "_last_updated", *s.last_updated);
  t.set(i, prefix + "_rows_found", s.rows);
  t.set(i, prefix + "_completeness_pct", s.pct);
  if (s.hash) t.set(i, prefix + "_hash", *s.hash);
}

/// player_game_summary from the season's first MLFS window on, as per-player
/// date-ordered histories with running season sums (MLFS's carried state): a
/// date D reads its last 10 games within 60 days and its season averages from
/// the slices before D.
class MlfsPgsHistory final : public proc::SeasonHistory {
 public:
  struct Player {
    std::vector<std::pair<Date, RecentGame>> games;         ///< every row, stored order
    std::vector<Date> season_dates;                         ///< this season's rows
    std::vector<double> cum_points{0.0}, cum_minutes{0.0};  ///< running sums over season_dates (size + 1)
  };
  [[nodiscard]] const Player* player(const std::string* name) const {
    auto it = players_.find(name);
    return it == players_.end() ? nullptr : &it->second;
  }

 protected:
  void add_rows(const Table& p, const std::vector<size_t>& rows) override {
    const Column &c_date = p.col("game_date"), &c_player = p.col("player_lookup");
    const Column *c_points = proc::opt_col(p, "points"), *c_minutes = proc::opt_col(p, "minutes_played"),
                 *c_ft = proc::opt_col(p, "ft_makes"), *c_season = proc::opt_col(p, "season_year");
    const Date season_start_ = season_start();
    const int season = season_of(season_start_);
    for (size_t r : rows) {
      if (c_player.is_null(r)) continue;
      const Date gd(static_cast<int32_t>(c_date.int_at(r)));
      Player& h = players_[c_player.text_ptr(r)];
      const RecentGame g{proc::real_of(c_points, r), proc::real_of(c_minutes, r), proc::real_of(c_ft, r)};
      h.games.emplace_back(gd, g);
      if (gd >= season_start_ && proc::int_of(c_season, r).value_or(season) == season) {
        h.season_dates.push_back(gd);
        h.cum_points.push_back(h.cum_points.back() + g.points.value_or(0));
        h.cum_minutes.push_back(h.cum_minutes.back() + g.minutes.value_or(0));
      }
    }
  }

 private:
  std::unordered_map<const std::string*, Player> players_;  // interned player_lookup
};

/// PGS columns MLFS reads.
const std::vector<std::string> kPgsColumns = {"player_lookup", "game_date",      "season_year",
                                              "points",        "minutes_played", "ft_makes"};

UnitOutput compute_feature_store(const Schedule& schedule, Date d, const MlfsPgsHistory& pgs,
                                 const FeatureStoreInputs& in);

}  // namespace

UnitOutput compute_feature_store(const Schedule& schedule, Date d, const FeatureStoreInputs& in) {
  const int season = season_of(d);
  MlfsPgsHistory history;
  const Date season_start = schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
  history.start(std::min(season_start, d - 60), season_start);
  history.ingest(in.pgs, d - 1);
  return compute_feature_store(schedule, d, history, in);
}

namespace {

UnitOutput compute_feature_store(const Schedule& schedule, Date d, const MlfsPgsHistory& pgs,
                                 const FeatureStoreInputs& in) {
  const TableSchema& schema = catalog::get("nba_predictions.ml_feature_store_v2");
  UnitOutput out(schema);
  const int season = season_of(d);
  const Date season_start = pgs.season_start();

  // Roster and context: UPGC rows of D (first row per player wins), in player
  // order.
  std::map<std::string, size_t> roster;
  for (size_t r = 0; r < in.upgc.num_rows(); ++r) {
    if (in.upgc.get_date(r, "game_date") != d) continue;
    if (auto p = in.upgc.get_text(r, "player_lookup")) roster.emplace(*p, r);
  }
  if (roster.empty()) {
    // Legacy backfill took the roster from D's own box scores (PGS game_date =
    // D); that reads the day's results (DECISION 1), so the date is empty
    // without pre-game context.
    out.empty_reason = "no upcoming_player_game_context rows for " + d.iso();
    return out;
  }

  std::vector<size_t> pdc_rows, pcf_rows, psza_rows, tdza_rows;
  const auto pdc = proc::first_row_by(in.pdc, "player_lookup", "cache_date", d, &pdc_rows);
  const auto pcf = proc::first_row_by(in.pcf, "player_lookup", "game_date", d, &pcf_rows);
  const auto psza = proc::first_row_by(in.psza, "player_lookup", "analysis_date", d, &psza_rows);
  const auto tdza = proc::first_row_by(in.tdza, "team_abbr", "analysis_date", d, &tdza_rows);
  const SourceTrack t_pdc = track(in.pdc, pdc_rows), t_pcf = track(in.pcf, pcf_rows),
                    t_psza = track(in.psza, psza_rows), t_tdza = track(in.tdza, tdza_rows);

  // Team season record before D.
  // Legacy: the roster carried no team_abbr, so no team games were fetched and
  // team_win_pct was always 0.5. Fixed (DECISION 6): wins / games of the
  // player's team this season before D.
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> record;  // team → (wins, games)
  for (size_t r = 0; r < in.togs.num_rows(); ++r) {
    auto gd = in.togs.get_date(r, "game_date");
    auto team = in.togs.get_text(r, "team_abbr");
    if (!gd || !team || *gd >= d || *gd < season_start) continue;
    if (opt_int(in.togs, r, "season_year").value_or(season) != season) continue;
    auto& rec = record[*team];
    rec.first += opt_bool(in.togs, r, "win_flag").value_or(false) ? 1 : 0;
    ++rec.second;
  }

  const bool bootstrap_mode = (d - season_start) < 30;
  const int month = d.month();
  const bool boundary = month == 10 || month == 11 || month == 4;
  const std::string names_json = nlohmann::json(mlfs_feature_names()).dump();

  std::vector<std::pair<std::string, size_t>> players(roster.begin(), roster.end());
  Table& t = out.rows;
  t.resize(players.size());
  const Table& u = in.upgc;
  tbb::parallel_for(size_t{0}, players.size(), [&](size_t i) {
    const auto& [player, ur] = players[i];
    const std::string opponent = opt_text(u, ur, "opponent_team_abbr").value_or("");
    Phase4Values p4;
    auto pdc_it = pdc.find(player);
    if (pdc_it != pdc.end()) {
      const Table& c = in.pdc;
      size_t r = pdc_it->second;
      p4.points_avg_last_5 = opt_real(c, r, "points_avg_last_5");
      p4.points_avg_last_10 = opt_real(c, r, "points_avg_last_10");
      p4.points_avg_season = opt_real(c, r, "points_avg_season");
      p4.points_std_last_10 = opt_real(c, r, "points_std_last_10");
      p4.games_in_last_7_days = opt_real(c, r, "games_in_last_7_days");
      p4.minutes_avg_last_10 = opt_real(c, r, "minutes_avg_last_10");
      p4.team_pace_last_10 = opt_real(c, r, "team_pace_last_10");
      p4.team_off_rating_last_10 = opt_real(c, r, "team_off_rating_last_10");
      p4.pdc_paint_rate_last_10 = opt_real(c, r, "paint_rate_last_10");
      p4.pdc_three_pt_rate_last_10 = opt_real(c, r, "three_pt_rate_last_10");
    }
    auto pcf_it = pcf.find(player);
    if (pcf_it != pcf.end()) {
      size_t r = pcf_it->second;
      p4.fatigue_score = opt_real(in.pcf, r, "fatigue_score");
      p4.shot_zone_mismatch_score = opt_real(in.pcf, r, "shot_zone_mismatch_score");
      p4.pace_score = opt_real(in.pcf, r, "pace_score");
      p4.usage_spike_score = opt_real(in.pcf, r, "usage_spike_score");
    }
    auto psza_it = psza.find(player);
    if (psza_it != psza.end()) {
      size_t r = psza_it->second;
      p4.has_psza = true;
      p4.paint_rate_last_10 = opt_real(in.psza, r, "paint_rate_last_10");
      p4.mid_range_rate_last_10 = opt_real(in.psza, r, "mid_range_rate_last_10");
      p4.three_pt_rate_last_10 = opt_real(in.psza, r, "three_pt_rate_last_10");
    }
    auto tdza_it = tdza.find(opponent);
    if (tdza_it != tdza.end()) {
      p4.opponent_def_rating = opt_real(in.tdza, tdza_it->second, "defensive_rating_last_15");
      p4.opponent_pace = opt_real(in.tdza, tdza_it->second, "opponent_pace");
    }
    Phase3Values p3;
    p3.days_rest = opt_int(u, ur, "days_rest");
    p3.opponent_days_rest = opt_int(u, ur, "opponent_days_rest");
    p3.player_status = opt_text(u, ur, "player_status");
    p3.season_phase = opt_text(u, ur, "season_phase");
    p3.home_game = opt_bool(u, ur, "home_game");
    p3.back_to_back = opt_bool(u, ur, "back_to_back");
    // PGS history strictly before D: last 10 games within 60 days (any
    // season) and this season's averages (running sums).
    if (const MlfsPgsHistory::Player* h = pgs.player(intern(player))) {
      p3.last_10_games = proc::newest_first(h->games, d - 60, d, 10);
      const auto n_season = static_cast<size_t>(std::lower_bound(h->season_dates.begin(), h->season_dates.end(), d) -
                                                h->season_dates.begin());
      if (n_season > 0) {
        const double n = static_cast<double>(n_season);
        p3.points_avg_season = h->cum_points[n_season] / n;
        p3.minutes_avg_season = h->cum_minutes[n_season] / n;
      }
    }
    if (auto it = record.find(opt_text(u, ur, "team_abbr").value_or("")); it != record.end()) {
      p3.team_wins = it->second.first;
      p3.team_games = it->second.second;
    }
    const FeatureVector f = build_features(p4, p3);
    const double quality = feature_quality_score(f);

    t.set(i, "player_lookup", player);
    if (auto v = opt_text(u, ur, "universal_player_id")) t.set(i, "universal_player_id", *v);
    t.set(i, "game_date", d);
    if (auto v = opt_text(u, ur, "game_id")) t.set(i, "game_id", *v);
    t.set(i, "features", nlohmann::json(std::vector<double>(f.values.begin(), f.values.end())).dump());
    t.set(i, "feature_names", names_json);
    t.set(i, "feature_count", int64_t{kMlfsFeatureCount});
    t.set(i, "feature_version", kMlfsVersion);
    // feature_generation_time_ms: legacy wall-clock timing per player;
    // processors never read the clock (output must be deterministic), so NULL.
    t.set(i, "feature_quality_score", quality);
    if (!opponent.empty()) t.set(i, "opponent_team_abbr", opponent);
    if (p3.home_game) t.set(i, "is_home", *p3.home_game);
    if (p3.days_rest) t.set(i, "days_rest", *p3.days_rest);
    t.set(i, "data_source", feature_data_source(f));
    write_track(t, i, "source_daily_cache", t_pdc);
    write_track(t, i, "source_composite", t_pcf);
    write_track(t, i, "source_shot_zones", t_psza);
    write_track(t, i, "source_team_defense", t_tdza);
    t.set(i, "early_season_flag",
          false);  // bootstrap dates are skipped (no placeholder rows)
    // Own completeness as in legacy backfill mode (check skipped): 100 %,
    // expected = actual = the cached last-10 games.
    const int64_t cached = static_cast<int64_t>(p3.last_10_games.size());
    t.set(i, "expected_games_count", cached);
    t.set(i, "actual_games_count", cached);
    t.set(i, "completeness_percentage", 100.0);
    t.set(i, "missing_games_count", int64_t{0});
    auto is_ready = [](const Table& tab, const std::unordered_map<std::string, size_t>& idx, const std::string& k) {
      auto it = idx.find(k);
      return it != idx.end() && opt_bool(tab, it->second, "is_production_ready").value_or(false);
    };
    const bool r_pdc = is_ready(in.pdc, pdc, player), r_pcf = is_ready(in.pcf, pcf, player),
               r_psza = is_ready(in.psza, psza, player), r_tdza = is_ready(in.tdza, tdza, opponent);
    std::vector<std::string> issues;
    if (!r_pdc) issues.emplace_back("upstream_player_daily_cache_incomplete");
    if (!r_pcf) issues.emplace_back("upstream_player_composite_factors_incomplete");
    if (!r_psza) issues.emplace_back("upstream_player_shot_zone_incomplete");
    if (!r_tdza) issues.emplace_back("upstream_team_defense_zone_incomplete");
    t.set(i, "is_production_ready", issues.empty());
    t.set(i, "data_quality_issues", proc::json_array(issues));
    // DECISION 2: one bootstrap rule from the schedule (legacy: before Oct 31 /
    // 30 days from Oct 1).
    proc::write_processing_status(t, i, boundary, bootstrap_mode);
    t.set(i, "data_hash", phase4_detail::mixin_hash(t, i, kHashFields));
    // quality_tier: written by the legacy to a column added by ALTER; not in
    // our schema (see feature_quality_tier()). created_at/updated_at are
    // stamped by the runner.
  });
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  return out;
}

}  // namespace

namespace {

class FeatureStoreProcessor final : public Processor {
 public:
  FeatureStoreProcessor() {
    info_.name = "ml_feature_store_v2";
    info_.code = "mlfs";
    info_.phase = 4;
    info_.output_table = "nba_predictions.ml_feature_store_v2";
    info_.entity = "players";
    info_.legacy_job = "ml_feature_store";
    info_.reads = {{"nba_precompute.player_daily_cache", WindowKind::kSameDate, 0, true},
                   {"nba_precompute.player_composite_factors", WindowKind::kSameDate, 0, true},
                   {"nba_precompute.player_shot_zone_analysis", WindowKind::kSameDate, 0, true},
                   {"nba_precompute.team_defense_zone_analysis", WindowKind::kSameDate, 0, true},
                   // Phase 3 fallbacks and context.
                   {"nba_analytics.upcoming_player_game_context", WindowKind::kSameDate, 0, true},
                   {"nba_analytics.player_game_summary", WindowKind::kSeasonToDate, 0, false},
                   // Early in a season the 60-day fallback window reaches into the
                   // previous one.
                   {"nba_analytics.player_game_summary", WindowKind::kDaysBefore, 60, false},
                   {"nba_analytics.team_offense_game_summary", WindowKind::kSeasonToDate, 0, false}};
    // UTGC is not read: no MLFS feature uses team game context (legacy spec
    // §1.3). Legacy live mode wrote early-season placeholder rows (features
    // NULL, data_source early_season); the legacy backfill job skipped these
    // dates, as the runner does here.
    info_.bootstrap = BootstrapPolicy::kSkip;
    info_.description =
        "ML feature store: 25 features v1_baseline_25 with "
        "Phase 4 → Phase 3 → default fallbacks";
  }
  const ProcessorInfo& info() const override { return info_; }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<MlfsPgsHistory>(); }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    const int season = season_of(d);
    const Date start = ctx.schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
    Table upgc = proc::read_window(ctx, "nba_analytics.upcoming_player_game_context", d, d);
    Table pdc = proc::read_window(ctx, "nba_precompute.player_daily_cache", d, d);
    Table pcf = proc::read_window(ctx, "nba_precompute.player_composite_factors", d, d);
    Table psza = proc::read_window(ctx, "nba_precompute.player_shot_zone_analysis", d, d);
    Table tdza = proc::read_window(ctx, "nba_precompute.team_defense_zone_analysis", d, d);
    // The season's PGS history, carried from the dates before (or this unit's
    // own when run alone, or when the carried one began after this window).
    std::unique_ptr<CarriedState> own;
    const auto& pgs =
        proc::history_for<MlfsPgsHistory>(ctx, own, start, std::min(start, d - 60), d - 1, [&](Date from, Date to) {
          return proc::read_window(ctx, "nba_analytics.player_game_summary", from, to, kPgsColumns);
        });
    Table togs = proc::read_window(ctx, "nba_analytics.team_offense_game_summary", start, d - 1,
                                   {"team_abbr", "game_date", "season_year", "win_flag"});
    std::shared_lock lock(pgs.mutex());
    const Table no_pgs(catalog::get("nba_analytics.player_game_summary"));
    return compute_feature_store(ctx.schedule, d, pgs, {upgc, pdc, pcf, psza, tdza, no_pgs, togs});
  }

 private:
  ProcessorInfo info_;
};

}  // namespace

std::unique_ptr<Processor> make_feature_store_processor() { return std::make_unique<FeatureStoreProcessor>(); }

}  // namespace nbaprops::predictions
