#include "nbaprops/processors/analytics/team_offense.hpp"

#include <map>

#include "nbaprops/core/error.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics {
using proc::py_round;

double possessions_1dp(double fga, double fta, double tov, double oreb) {
  return py_round(fga + 0.44 * fta + tov - oreb, 1);
}

std::optional<double> rating(double points, double poss) {
  if (poss <= 0) return std::nullopt;
  return py_round(points / poss * 100.0, 2);
}

namespace {
std::optional<int> whole_minutes(const std::optional<std::string>& m) {
  if (!m || m->empty()) return std::nullopt;
  auto colon = m->find(':');
  try {
    return std::stoi(m->substr(0, colon));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}
}  // namespace

double game_minutes(const std::optional<std::string>& team_minutes) {
  auto m = whole_minutes(team_minutes);
  return m ? *m / 5.0 : 48.0;
}

std::optional<double> pace(double poss, double gm) {
  if (gm <= 0) return std::nullopt;
  return py_round(poss * 48.0 / gm, 1);
}

std::optional<double> true_shooting(double points, double fga, double fta) {
  double denom = 2.0 * (fga + 0.44 * fta);
  if (denom <= 0) return std::nullopt;
  return py_round(points / denom, 3);
}

int overtime_periods(const std::optional<std::string>& team_minutes) {
  auto m = whole_minutes(team_minutes);
  if (!m || *m <= 240) return 0;
  return (*m - 240) / 25;
}

namespace {

const std::vector<std::string> kHashFields = {"game_id",
                                              "nba_game_id",
                                              "game_date",
                                              "team_abbr",
                                              "opponent_team_abbr",
                                              "season_year",
                                              "points_scored",
                                              "fg_attempts",
                                              "fg_makes",
                                              "three_pt_attempts",
                                              "three_pt_makes",
                                              "ft_attempts",
                                              "ft_makes",
                                              "rebounds",
                                              "assists",
                                              "turnovers",
                                              "personal_fouls",
                                              "team_paint_attempts",
                                              "team_paint_makes",
                                              "team_mid_range_attempts",
                                              "team_mid_range_makes",
                                              "points_in_paint_scored",
                                              "second_chance_points_scored",
                                              "offensive_rating",
                                              "pace",
                                              "possessions",
                                              "ts_pct",
                                              "home_game",
                                              "win_flag",
                                              "margin_of_victory",
                                              "overtime_periods",
                                              "players_inactive",
                                              "starters_inactive",
                                              "referee_crew_id"};

/// One team's box line, from the team box score or reconstructed from players.
struct TeamLine {
  int64_t pts = 0, fga = 0, fgm = 0, tpa = 0, tpm = 0, fta = 0, ftm = 0, oreb = 0, reb = 0, ast = 0, tov = 0, pf = 0;
  std::optional<std::string> minutes;
  std::optional<std::string> processed_at;
  std::optional<std::string> source_hash;
  bool found = false;
  bool reconstructed = false;
  int player_rows = 0;
};

struct Zones {
  int64_t paint_att = 0, paint_made = 0, mid_att = 0, mid_made = 0;
  bool found = false;
};

int64_t iv(const Table& t, size_t r, const char* c) { return t.get_int(r, c).value_or(0); }

}  // namespace

UnitOutput compute_team_offense(const Schedule& schedule, Date d, const TeamOffenseInputs& in) {
  const TableSchema& schema = catalog::get("nba_analytics.team_offense_game_summary");
  UnitOutput out(schema);
  auto games = schedule.games_on(d);
  if (games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }

  // Team box rows: keep the latest processed_at per (game_id, team_abbr)
  // (legacy dedup).
  std::map<std::string, TeamLine> lines;
  const Table& tb = in.team_box;
  for (size_t r = 0; r < tb.num_rows(); ++r) {
    std::string key = tb.get_text(r, "game_id").value_or("") + "|" + tb.get_text(r, "team_abbr").value_or("");
    auto pa = tb.get_text(r, "processed_at");
    TeamLine& l = lines[key];
    if (l.found && l.processed_at && pa && *pa <= *l.processed_at) continue;
    l = TeamLine{};
    l.found = true;
    l.processed_at = pa;
    l.pts = iv(tb, r, "points");
    l.fga = iv(tb, r, "fg_attempted");
    l.fgm = iv(tb, r, "fg_made");
    l.tpa = iv(tb, r, "three_pt_attempted");
    l.tpm = iv(tb, r, "three_pt_made");
    l.fta = iv(tb, r, "ft_attempted");
    l.ftm = iv(tb, r, "ft_made");
    l.oreb = iv(tb, r, "offensive_rebounds");
    l.reb = iv(tb, r, "total_rebounds");
    l.ast = iv(tb, r, "assists");
    l.tov = iv(tb, r, "turnovers");
    l.pf = iv(tb, r, "personal_fouls");
    l.minutes = tb.get_text(r, "minutes");
    l.source_hash = tb.get_text(r, "data_hash");
  }

  // Player rows: reconstruction fallback (per game here, where the legacy did
  // all-or-nothing per range) and inactive counts.
  std::map<std::string, TeamLine> rebuilt;
  std::map<std::string, int64_t> inactive;
  const Table& gb = in.gamebook;
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    std::string key = gb.get_text(r, "game_id").value_or("") + "|" + gb.get_text(r, "team_abbr").value_or("");
    std::string status = gb.get_text(r, "player_status").value_or("");
    if (status == "inactive") ++inactive[key];
    if (status != "active") continue;
    TeamLine& l = rebuilt[key];
    l.found = true;
    l.reconstructed = true;
    ++l.player_rows;
    l.pts += iv(gb, r, "points");
    l.fga += iv(gb, r, "field_goals_attempted");
    l.fgm += iv(gb, r, "field_goals_made");
    l.tpa += iv(gb, r, "three_pointers_attempted");
    l.tpm += iv(gb, r, "three_pointers_made");
    l.fta += iv(gb, r, "free_throws_attempted");
    l.ftm += iv(gb, r, "free_throws_made");
    l.oreb += iv(gb, r, "offensive_rebounds");
    l.reb += iv(gb, r, "total_rebounds");
    l.ast += iv(gb, r, "assists");
    l.tov += iv(gb, r, "turnovers");
    l.pf += iv(gb, r, "personal_fouls");
  }

  std::map<std::string, Zones> zones;
  const Table& z = in.shot_zones;
  for (size_t r = 0; r < z.num_rows(); ++r) {
    std::string key = z.get_text(r, "game_id").value_or("") + "|" + z.get_text(r, "team_abbr").value_or("");
    Zones& zz = zones[key];
    zz.found = true;
    zz.paint_att += iv(z, r, "paint_attempts");
    zz.paint_made += iv(z, r, "paint_makes");
    zz.mid_att += iv(z, r, "mid_range_attempts");
    zz.mid_made += iv(z, r, "mid_range_makes");
  }

  for (const Game* g : games) {
    const std::string gid = g->date_id();
    const TeamLine* side[2] = {nullptr, nullptr};
    const std::string teams[2] = {g->home, g->away};
    for (int i = 0; i < 2; ++i) {
      auto key = gid + "|" + teams[i];
      auto it = lines.find(key);
      if (it != lines.end()) {
        side[i] = &it->second;
      } else if (auto rb = rebuilt.find(key); rb != rebuilt.end() && rb->second.player_rows >= 5) {
        side[i] = &rb->second;
      }
    }
    if (!side[0] || !side[1]) {
      out.failures.push_back(
          {gid, "INCOMPLETE_UPSTREAM", "no team box score and fewer than 5 active player rows for " + gid});
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      const TeamLine& l = *side[i];
      const TeamLine& opp = *side[1 - i];
      const std::string& team = teams[i];
      size_t r = out.rows.add_row();
      Table& t = out.rows;
      t.set(r, "game_id", gid);
      t.set(r, "nba_game_id", g->nba_game_id);
      t.set(r, "game_date", d);
      t.set(r, "team_abbr", team);
      t.set(r, "opponent_team_abbr", teams[1 - i]);
      t.set(r, "season_year", g->season);
      t.set(r, "points_scored", l.pts);
      t.set(r, "fg_attempts", l.fga);
      t.set(r, "fg_makes", l.fgm);
      t.set(r, "three_pt_attempts", l.tpa);
      t.set(r, "three_pt_makes", l.tpm);
      t.set(r, "ft_attempts", l.fta);
      t.set(r, "ft_makes", l.ftm);
      t.set(r, "rebounds", l.reb);
      t.set(r, "assists", l.ast);
      t.set(r, "turnovers", l.tov);
      t.set(r, "personal_fouls", l.pf);
      auto zit = zones.find(gid + "|" + team);
      bool has_zones = zit != zones.end();
      if (has_zones) {
        t.set(r, "team_paint_attempts", zit->second.paint_att);
        t.set(r, "team_paint_makes", zit->second.paint_made);
        t.set(r, "team_mid_range_attempts", zit->second.mid_att);
        t.set(r, "team_mid_range_makes", zit->second.mid_made);
        t.set(r, "points_in_paint_scored", 2 * zit->second.paint_made);
      }
      // Legacy: "value if value else None" turned exact zeros into NULL; we
      // keep real zeros (DECISION 6) and use NULL only where the formula is
      // undefined.
      double p1 = possessions_1dp(static_cast<double>(l.fga), static_cast<double>(l.fta), static_cast<double>(l.tov),
                                  static_cast<double>(l.oreb));
      t.set(r, "possessions",
            static_cast<int64_t>(p1));  // legacy int() truncation
      t.col("offensive_rating").set_real(r, rating(static_cast<double>(l.pts), p1));
      t.col("pace").set_real(r, pace(p1, game_minutes(l.minutes)));
      t.col("ts_pct").set_real(
          r, true_shooting(static_cast<double>(l.pts), static_cast<double>(l.fga), static_cast<double>(l.fta)));
      t.set(r, "home_game", i == 0);
      t.set(r, "win_flag", l.pts > opp.pts);
      t.set(r, "margin_of_victory", l.pts - opp.pts);
      t.set(r, "overtime_periods", overtime_periods(l.minutes));
      // Legacy wrote NULL placeholders; we count inactive players from the
      // gamebook (DECISION 6).
      auto inact = inactive.find(gid + "|" + team);
      t.set(r, "players_inactive", inact == inactive.end() ? int64_t{0} : inact->second);
      if (!l.reconstructed) {
        if (l.processed_at) t.set(r, "source_nbac_boxscore_last_updated", *l.processed_at);
        t.set(r, "source_nbac_boxscore_rows_found", int64_t{2});
        t.set(r, "source_nbac_boxscore_completeness_pct", 100.0);
        if (l.source_hash) t.set(r, "source_nbac_boxscore_hash", *l.source_hash);
      }
      proc::Quality q;
      if (l.reconstructed) {
        q = {"silver", 85.0, {"backup_source_used", "reconstructed"}, {"reconstructed_team_from_players"}};
      } else {
        q = {"gold", 100.0, {}, {"nbac_team_boxscore"}};
      }
      if (!has_zones) q.issues.push_back("shot_zones_unavailable");
      proc::write_quality(t, r, q);
      t.set(r, "quality_used_fallback", l.reconstructed);
      t.set(r, "quality_reconstructed", l.reconstructed);
      t.set(r, "shot_zones_available", has_zones);
      if (has_zones) t.set(r, "shot_zones_source", "player_shot_zones");
      t.set(r, "primary_source_used", l.reconstructed ? "reconstructed_team_from_players" : "nbac_team_boxscore");
      t.set(r, "processed_with_issues", !has_zones);
    }
  }
  proc::fill_data_hash(out.rows, kHashFields);
  out.entities_processed = static_cast<int64_t>(out.rows.num_rows());
  if (out.rows.num_rows() == 0 && out.empty_reason.empty()) out.empty_reason = "no team box scores for " + d.iso();
  return out;
}

namespace {

const ProcessorInfo kInfo{.name = "team_offense_game_summary",
                          .code = "togs",
                          .phase = 3,
                          .output_table = "nba_analytics.team_offense_game_summary",
                          .entity = "teams",
                          .reads = {{"nba_raw.nbac_team_boxscore", WindowKind::kSameDate, 0, false},
                                    {"nba_raw.nbac_gamebook_player_stats", WindowKind::kSameDate, 0, true},
                                    {"nba_raw.player_shot_zones", WindowKind::kSameDate, 0, false}},
                          .legacy_job = "team_offense_game_summary",
                          .description =
                              "Team offensive line per game: possessions, pace, "
                              "offensive rating, TS%"};

class TeamOffenseProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    Table box = proc::read_window(ctx, "nba_raw.nbac_team_boxscore", ctx.date, ctx.date);
    Table gb = proc::read_window(ctx, "nba_raw.nbac_gamebook_player_stats", ctx.date, ctx.date);
    Table zones = proc::read_window(ctx, "nba_raw.player_shot_zones", ctx.date, ctx.date);
    return compute_team_offense(ctx.schedule, ctx.date, {box, gb, zones});
  }
};

}  // namespace

std::unique_ptr<Processor> make_team_offense_processor() { return std::make_unique<TeamOffenseProcessor>(); }

}  // namespace nbaprops::analytics
