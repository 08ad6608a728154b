#include "nbaprops/processors/analytics/team_defense.hpp"

#include <algorithm>
#include <map>

#include "game_lines.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics {
using detail::NullableSum;
using detail::TeamLine;

std::optional<double> defensive_rating(double opp_points, double opp_fga, double opp_fta, double opp_tov,
                                       double opp_oreb) {
  // Legacy TDGS divides by the unrounded possessions (TOGS rounds them to 1 dp
  // first).
  return rating(opp_points, opp_fga + 0.44 * opp_fta - opp_oreb + opp_tov);
}

namespace {

// TDGS HASH_FIELDS: ids, opponent box, zones, points by zone, defensive
// actions, ratings, context and placeholders (everything except
// source/quality/metadata columns).
const std::vector<std::string> kHashFields = {"game_id",
                                              "game_date",
                                              "defending_team_abbr",
                                              "opponent_team_abbr",
                                              "season_year",
                                              "points_allowed",
                                              "opp_fg_attempts",
                                              "opp_fg_makes",
                                              "opp_three_pt_attempts",
                                              "opp_three_pt_makes",
                                              "opp_ft_attempts",
                                              "opp_ft_makes",
                                              "opp_rebounds",
                                              "opp_assists",
                                              "turnovers_forced",
                                              "fouls_committed",
                                              "opp_paint_attempts",
                                              "opp_paint_makes",
                                              "opp_mid_range_attempts",
                                              "opp_mid_range_makes",
                                              "points_in_paint_allowed",
                                              "mid_range_points_allowed",
                                              "three_pt_points_allowed",
                                              "second_chance_points_allowed",
                                              "fast_break_points_allowed",
                                              "blocks_paint",
                                              "blocks_mid_range",
                                              "blocks_three_pt",
                                              "steals",
                                              "defensive_rebounds",
                                              "defensive_rating",
                                              "opponent_pace",
                                              "opponent_ts_pct",
                                              "home_game",
                                              "win_flag",
                                              "margin_of_victory",
                                              "overtime_periods",
                                              "players_inactive",
                                              "starters_inactive",
                                              "referee_crew_id"};

/// Zone attempts/makes allowed by one defender in one game.
struct ZonesAllowed {
  std::optional<int64_t> paint_att, paint_made, mid_att, mid_made;
  std::string source;
};

/// Blocks by zone of one team in one game (Σ over its players).
struct Blocks {
  NullableSum paint, mid, three;
};

struct ZoneSums {
  NullableSum paint_att, paint_made, mid_att, mid_made;
};

std::optional<int64_t> times(int64_t k, std::optional<int64_t> v) {
  return v ? std::optional<int64_t>(k * *v) : std::nullopt;
}

}  // namespace

UnitOutput compute_team_defense(const Schedule& schedule, Date d, const TeamDefenseInputs& in) {
  const TableSchema& schema = catalog::get("nba_analytics.team_defense_game_summary");
  UnitOutput out(schema);
  auto games = schedule.games_on(d);
  if (games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }

  const detail::DateTeamLines lines = detail::build_team_lines(in.team_box, in.gamebook);

  // Zones allowed: the project's per-defender table first (latest processed_at
  // per key) …
  std::map<std::string, std::pair<std::string, ZonesAllowed>> allowed;  // key → (processed_at, zones)
  const Table& za = in.zones_allowed;
  for (size_t r = 0; r < za.num_rows(); ++r) {
    std::string key = za.get_text(r, "game_id").value_or("") + "|" + za.get_text(r, "defending_team_abbr").value_or("");
    std::string pa = za.get_text(r, "processed_at").value_or("");
    auto it = allowed.find(key);
    if (it != allowed.end() && pa <= it->second.first) continue;
    ZonesAllowed z{za.get_int(r, "paint_attempts_allowed"), za.get_int(r, "paint_makes_allowed"),
                   za.get_int(r, "mid_range_attempts_allowed"), za.get_int(r, "mid_range_makes_allowed"),
                   "team_shot_zones_allowed"};
    allowed[key] = {pa, z};
  }
  // … else the opponent's own player zones (Σ per shooting team), and blocks
  // per blocking team.
  std::map<std::string, ZoneSums> shooting;
  std::map<std::string, Blocks> blocks;
  const Table& pz = in.shot_zones;
  for (size_t r = 0; r < pz.num_rows(); ++r) {
    std::string key = pz.get_text(r, "game_id").value_or("") + "|" + pz.get_text(r, "team_abbr").value_or("");
    ZoneSums& s = shooting[key];
    s.paint_att.add(pz.get_int(r, "paint_attempts"));
    s.paint_made.add(pz.get_int(r, "paint_makes"));
    s.mid_att.add(pz.get_int(r, "mid_range_attempts"));
    s.mid_made.add(pz.get_int(r, "mid_range_makes"));
    Blocks& b = blocks[key];
    b.paint.add(pz.get_int(r, "blocks_paint"));
    b.mid.add(pz.get_int(r, "blocks_mid_range"));
    b.three.add(pz.get_int(r, "blocks_three_pt"));
  }

  const detail::SourceBlock src_box = detail::source_block(in.team_box, 4);
  const detail::SourceBlock src_gb = detail::source_block(in.gamebook, 80);

  Table& t = out.rows;
  for (const Game* g : games) {
    const std::string gid = g->date_id();
    const std::string teams[2] = {g->home, g->away};
    const TeamLine* side[2] = {lines.find(gid, teams[0]), lines.find(gid, teams[1])};
    if (!side[0] || !side[1]) {
      out.failures.push_back(
          {gid, "INCOMPLETE_UPSTREAM", "no team box score and fewer than 5 active player rows for " + gid});
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      const TeamLine& own = *side[i];
      const TeamLine& opp = *side[1 - i];
      const std::string& team = teams[i];
      const std::string& opp_team = teams[1 - i];
      const std::string key = gid + "|" + team;
      std::vector<std::string> issues;
      std::vector<std::string> sources;

      const size_t r = t.add_row();
      t.set(r, "game_id", gid);
      t.set(r, "game_date", d);
      t.set(r, "defending_team_abbr", team);
      t.set(r, "opponent_team_abbr", opp_team);
      t.set(r, "season_year", g->season);

      // The opponent's offense (NULL where the source lacks the stat, e.g.
      // shots-only gamebooks).
      t.col("points_allowed").set_int(r, opp.pts);
      t.col("opp_fg_attempts").set_int(r, opp.fga);
      t.col("opp_fg_makes").set_int(r, opp.fgm);
      t.col("opp_three_pt_attempts").set_int(r, opp.tpa);
      t.col("opp_three_pt_makes").set_int(r, opp.tpm);
      t.col("opp_ft_attempts").set_int(r, opp.fta);
      t.col("opp_ft_makes").set_int(r, opp.ftm);
      t.col("opp_rebounds").set_int(r, opp.reb);
      t.col("opp_assists").set_int(r, opp.ast);
      t.col("turnovers_forced").set_int(r, opp.tov);
      t.col("fouls_committed").set_int(r, own.pf);
      t.col("three_pt_points_allowed").set_int(r, times(3, opp.tpm));

      // Zones allowed = the opponent's shooting zones.
      std::optional<ZonesAllowed> zones;
      if (auto it = allowed.find(key); it != allowed.end()) {
        zones = it->second.second;
      } else if (auto jt = shooting.find(gid + "|" + opp_team); jt != shooting.end()) {
        zones = ZonesAllowed{jt->second.paint_att.value(), jt->second.paint_made.value(), jt->second.mid_att.value(),
                             jt->second.mid_made.value(), "player_shot_zones"};
      }
      if (zones) {
        t.col("opp_paint_attempts").set_int(r, zones->paint_att);
        t.col("opp_paint_makes").set_int(r, zones->paint_made);
        t.col("opp_mid_range_attempts").set_int(r, zones->mid_att);
        t.col("opp_mid_range_makes").set_int(r, zones->mid_made);
        t.col("points_in_paint_allowed").set_int(r, times(2, zones->paint_made));
        t.col("mid_range_points_allowed").set_int(r, times(2, zones->mid_made));
        sources.push_back(zones->source);
      } else {
        issues.push_back("shot_zones_unavailable");
      }
      // second_chance_points_allowed, fast_break_points_allowed: NULL — no
      // source (legacy NULL too).

      // Blocks by zone: Σ of the defender's players (NULL when the zone source
      // lacks block data).
      if (auto bt = blocks.find(key); bt != blocks.end()) {
        t.col("blocks_paint").set_int(r, bt->second.paint.value());
        t.col("blocks_mid_range").set_int(r, bt->second.mid.value());
        t.col("blocks_three_pt").set_int(r, bt->second.three.value());
      }

      // Defensive actions: Σ over the defender's active gamebook rows (legacy).
      // Legacy: COALESCE to 0 when absent. Fixed (DECISION 6): the team box
      // value when there are no gamebook rows, else NULL.
      std::string actions = "none";
      std::optional<int64_t> stl, dreb;
      if (auto rb = lines.rebuilt.find(key); rb != lines.rebuilt.end()) {
        stl = rb->second.stl;
        dreb = rb->second.dreb;
        actions = "nbac_gamebook";
      } else if (!own.reconstructed && (own.stl || own.dreb)) {
        stl = own.stl;
        dreb = own.dreb;
        actions = "nbac_team_boxscore";
      }
      t.col("steals").set_int(r, stl);
      t.col("defensive_rebounds").set_int(r, dreb);
      if (!stl && !dreb) issues.push_back("missing_defensive_actions");

      // Ratings from the opponent's box.
      if (opp.pts && opp.fga && opp.fta && opp.tov && opp.oreb) {
        const double fga = static_cast<double>(*opp.fga), fta = static_cast<double>(*opp.fta);
        const double tov = static_cast<double>(*opp.tov), oreb = static_cast<double>(*opp.oreb);
        t.col("defensive_rating").set_real(r, defensive_rating(static_cast<double>(*opp.pts), fga, fta, tov, oreb));
        // Legacy: opponent_pace = raw opponent possessions (the ×48/48 is a
        // no-op; §10.6); kept.
        t.set(r, "opponent_pace", possessions_1dp(fga, fta, tov, oreb));
      } else {
        issues.push_back("partial_box_score");
      }
      if (opp.pts && opp.fga && opp.fta) {
        t.col("opponent_ts_pct")
            .set_real(r, true_shooting(static_cast<double>(*opp.pts), static_cast<double>(*opp.fga),
                                       static_cast<double>(*opp.fta)));
      }

      t.set(r, "home_game", i == 0);
      // Legacy: win/margin from plus_minus (primary) or points (reconstructed).
      // Fixed (§10.2): from the final scores in the schedule, else from the two
      // team lines; NULL when unknown.
      std::optional<int64_t> own_score, opp_score;
      if (g->home_score && g->away_score) {
        own_score = i == 0 ? *g->home_score : *g->away_score;
        opp_score = i == 0 ? *g->away_score : *g->home_score;
      } else if (own.pts && opp.pts) {
        own_score = own.pts;
        opp_score = opp.pts;
      }
      if (own_score && opp_score) {
        t.set(r, "win_flag", *own_score > *opp_score);
        t.set(r, "margin_of_victory", *own_score - *opp_score);
      }
      // Legacy: overtime_periods always 0 (TODO). Fixed (DECISION 6): from the
      // team minutes of the box score as in TOGS; NULL when only player rows
      // exist (no team minutes).
      const auto& minutes = own.minutes ? own.minutes : opp.minutes;
      if (minutes) t.set(r, "overtime_periods", overtime_periods(minutes));
      // Legacy: NULL placeholder. As in TOGS we count the defender's inactive
      // gamebook rows; NULL when the team has no gamebook rows at all.
      // starters_inactive, referee_crew_id: no source → NULL.
      if (lines.gamebook_rows.count(key)) {
        auto in_it = lines.inactive.find(key);
        t.set(r, "players_inactive", in_it == lines.inactive.end() ? int64_t{0} : in_it->second);
      }

      const bool recon = own.reconstructed || opp.reconstructed;
      std::string offense_src = recon ? "reconstructed_team_from_players" : "nbac_team_boxscore";
      sources.insert(sources.begin(), offense_src);
      if (actions == "nbac_gamebook") sources.push_back("nbac_gamebook");
      proc::Quality q;
      if (recon) {
        q = {"silver", 85.0, {"backup_source_used", "reconstructed"}, {}};
      } else {
        q = {"gold", 100.0, {}, {}};
      }
      for (auto& s : issues) q.issues.push_back(s);
      if (std::find(issues.begin(), issues.end(), "partial_box_score") != issues.end()) {
        q.tier = "bronze";
        q.score = 60.0;
      }
      q.sources = sources;
      proc::write_quality(t, r, q);
      t.set(r, "quality_used_fallback", recon);
      t.set(r, "quality_reconstructed", recon);
      t.set(r, "quality_metadata", std::string("{\"sources_used\": ") + proc::json_array(sources) + "}");
      t.set(r, "primary_source_used", offense_src + "+" + actions);
      // Legacy: processed_with_issues = no defensive actions (≈ always FALSE);
      // now any data issue.
      t.set(r, "processed_with_issues", !issues.empty());
      if (!own.reconstructed) detail::write_source_block(t, r, "team_boxscore", src_box);
      detail::write_source_block(t, r, "gamebook_players", src_gb);
      // source_bdl_players_*: BDL is not an input of this project → NULL.
    }
  }
  proc::fill_data_hash(t, kHashFields);
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0 && out.empty_reason.empty()) out.empty_reason = "no team lines for " + d.iso();
  return out;
}

namespace {

const ProcessorInfo kInfo{.name = "team_defense_game_summary",
                          .code = "tdgs",
                          .phase = 3,
                          .output_table = "nba_analytics.team_defense_game_summary",
                          .entity = "teams",
                          .reads = {{"nba_raw.nbac_team_boxscore", WindowKind::kSameDate, 0, false},
                                    {"nba_raw.nbac_gamebook_player_stats", WindowKind::kSameDate, 0, true},
                                    {"nba_raw.player_shot_zones", WindowKind::kSameDate, 0, false},
                                    {"nba_raw.team_shot_zones_allowed", WindowKind::kSameDate, 0, false}},
                          .legacy_job = "team_defense_game_summary",
                          .description =
                              "Team defensive line per game: opponent offense, "
                              "defensive rating, zones allowed, blocks"};

class TeamDefenseProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    Table box = proc::read_window(ctx, "nba_raw.nbac_team_boxscore", ctx.date, ctx.date);
    Table gb = proc::read_window(ctx, "nba_raw.nbac_gamebook_player_stats", ctx.date, ctx.date);
    Table zones = proc::read_window(ctx, "nba_raw.player_shot_zones", ctx.date, ctx.date);
    Table allowed = proc::read_window(ctx, "nba_raw.team_shot_zones_allowed", ctx.date, ctx.date);
    return compute_team_defense(ctx.schedule, ctx.date, {box, gb, zones, allowed});
  }
};

}  // namespace

std::unique_ptr<Processor> make_team_defense_processor() { return std::make_unique<TeamDefenseProcessor>(); }

}  // namespace nbaprops::analytics
