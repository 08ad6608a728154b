#include "nbaprops/processors/analytics/player_game_summary.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "game_lines.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics {
using proc::py_round;

std::optional<double> pgs_minutes_decimal(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const std::string& s = *text;
  if (s.empty() || s == "-" || s == "null" || s == "NULL" || s == "None") return std::nullopt;
  auto colon = s.find(':');
  const char* begin = s.c_str();
  char* end = nullptr;
  if (colon == std::string::npos) {
    double v = std::strtod(begin, &end);
    if (end == begin || *end != '\0') return std::nullopt;
    return v;
  }
  std::string mm = s.substr(0, colon), ss = s.substr(colon + 1);
  long m = std::strtol(mm.c_str(), &end, 10);
  if (mm.empty() || *end != '\0') return std::nullopt;
  long sec = std::strtol(ss.c_str(), &end, 10);
  if (ss.empty() || *end != '\0' || sec < 0 || sec > 59) return std::nullopt;
  return py_round(static_cast<double>(m) + static_cast<double>(sec) / 60.0, 2);
}

std::optional<double> pgs_minutes_played(std::optional<double> minutes_decimal) {
  if (!minutes_decimal) return std::nullopt;
  double whole = py_round(*minutes_decimal, 0);
  // Legacy: "int(round(m)) if m else None" — 0 minutes is NULL; kept (a
  // 0-minute active row has no playing time to report, and Phase 4 averages
  // skip NULL minutes).
  if (whole == 0) return std::nullopt;
  return whole;
}

std::optional<double> usage_rate(double fga, double fta, double tov, double minutes, double team_fga, double team_fta,
                                 double team_tov) {
  double team = team_fga + 0.44 * team_fta + team_tov;
  if (minutes <= 0 || team <= 0) return std::nullopt;
  return py_round(100.0 * (fga + 0.44 * fta + tov) * 48.0 / (minutes * team), 1);
}

std::optional<double> effective_fg(double fgm, double tpm, double fga) {
  if (fga <= 0) return std::nullopt;
  return py_round((fgm + 0.5 * tpm) / fga, 3);
}

std::string over_under(double points, double line) {
  // Legacy: 'OVER' if points >= line (a push counted as OVER). Fixed (DECISION
  // 6): a push is "PUSH".
  if (points > line) return "OVER";
  if (points < line) return "UNDER";
  return "PUSH";
}

namespace {

/// "YYYYMMDD_AWAY_HOME" → {away, home}; empty strings when unparseable.
std::pair<std::string, std::string> teams_of_game_id(const std::string& gid) {
  auto a = gid.find('_');
  if (a == std::string::npos) return {};
  auto b = gid.find('_', a + 1);
  if (b == std::string::npos) return {};
  return {gid.substr(a + 1, b - a - 1), gid.substr(b + 1)};
}

int book_rank(const std::string& book) {
  if (book == "draftkings") return 1;
  if (book == "fanduel") return 2;
  return 3;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::map<std::string, PointsLine> select_points_lines(const Table& props) {
  struct Snap {
    std::string ts;
    double line;
  };
  // key → book → eligible snapshots
  std::map<std::string, std::map<std::string, std::vector<Snap>>> snaps;
  for (size_t r = 0; r < props.num_rows(); ++r) {
    auto line = props.get_real(r, "points_line");
    auto player = props.get_text(r, "player_lookup");
    auto book = props.get_text(r, "bookmaker");
    if (!line || !player || !book || player->empty()) continue;
    auto home = props.get_text(r, "home_team_abbr");
    auto away = props.get_text(r, "away_team_abbr");
    if (!home || !away) {
      auto [a, h] = teams_of_game_id(props.get_text(r, "game_id").value_or(""));
      if (!home) home = h;
      if (!away) away = a;
    }
    auto snap = props.get_text(r, "snapshot_timestamp");
    if (!snap) snap = props.get_text(r, "capture_timestamp");
    auto start = props.get_text(r, "game_start_time");
    auto before = props.get_int(r, "minutes_before_tipoff");
    // Only pre-game snapshots qualify (closing line = latest snapshot ≤
    // tip-off).
    if (snap && start) {
      if (detail::normalize_ts(*snap) > detail::normalize_ts(*start)) continue;
    } else if (before && *before < 0) {
      continue;
    }
    snaps[*player + "|" + *away + "|" + *home][lower(*book)].push_back(
        {snap ? detail::normalize_ts(*snap) : std::string(), *line});
  }
  std::map<std::string, PointsLine> out;
  for (auto& [key, books] : snaps) {
    // Legacy: an arbitrary (unordered) snapshot of the preferred book, opening
    // never filled. Fixed (DECISION 6, spec §10.3): DraftKings → FanDuel →
    // alphabetical; closing = latest snapshot ≤ tip-off; opening = earliest
    // snapshot of the same book.
    const std::string* best = nullptr;
    for (const auto& [book, v] : books) {
      if (!best || book_rank(book) < book_rank(*best)) best = &book;  // map order = alphabetical tie-break
    }
    auto& v = books[*best];
    auto less = [](const Snap& a, const Snap& b) { return a.ts != b.ts ? a.ts < b.ts : a.line < b.line; };
    auto [lo, hi] = std::minmax_element(v.begin(), v.end(), less);
    out[key] = PointsLine{hi->line, *best, lo->line, *best};
  }
  return out;
}

namespace {

const std::vector<std::string> kHashFields = {
    // ids
    "player_lookup", "universal_player_id", "player_full_name", "game_id", "game_date", "team_abbr",
    "opponent_team_abbr", "season_year",
    // 16 box stats
    "points", "minutes_played", "assists", "offensive_rebounds", "defensive_rebounds", "steals", "blocks", "turnovers",
    "fg_attempts", "fg_makes", "three_pt_attempts", "three_pt_makes", "ft_attempts", "ft_makes", "plus_minus",
    "personal_fouls",
    // 8 zone / block / and1
    "paint_attempts", "paint_makes", "mid_range_attempts", "mid_range_makes", "paint_blocks", "mid_range_blocks",
    "three_pt_blocks", "and1_count",
    // 2 creation
    "assisted_fg_makes", "unassisted_fg_makes",
    // efficiency + flags
    "usage_rate", "ts_pct", "efg_pct", "starter_flag", "win_flag",
    // 7 prop fields
    "points_line", "over_under_result", "margin", "opening_line", "line_movement", "points_line_source",
    "opening_line_source",
    // status
    "is_active", "player_status"};

}  // namespace

UnitOutput compute_player_game_summary(const Schedule& schedule, Date d, const PlayerGameInputs& in) {
  const TableSchema& schema = catalog::get("nba_analytics.player_game_summary");
  UnitOutput out(schema);
  auto games = schedule.games_on(d);
  if (games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }
  std::map<std::string, const Game*> by_id;
  std::map<std::string, const Game*> by_team;
  for (const Game* g : games) {
    by_id[g->date_id()] = g;
    by_team[g->home] = g;
    by_team[g->away] = g;
  }

  const Table& gb = in.gamebook;
  // Active rows, one per (game_id, player_lookup): the latest processed_at wins
  // (legacy only logged duplicates; the output key must stay unique).
  struct Pick {
    size_t row;
    const Game* game;
    std::string lookup;
  };
  std::map<std::string, Pick> picks;  // "game_id|player_lookup" → row; map order = output order
  std::set<std::string> games_with_rows;
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    const std::string gid = gb.get_text(r, "game_id").value_or("");
    const std::string team = gb.get_text(r, "team_abbr").value_or("");
    const Game* g = nullptr;
    if (auto it = by_id.find(gid); it != by_id.end()) {
      g = it->second;
    } else if (auto jt = by_team.find(team); jt != by_team.end()) {
      g = jt->second;  // e.g. a gamebook row keyed by the NBA id (legacy after
                       // 2025-12-28)
    }
    if (g) games_with_rows.insert(g->date_id());
    // Legacy: DNP and inactive rows are never emitted.
    if (lower(gb.get_text(r, "player_status").value_or("")) != "active") continue;
    std::string lookup = gb.get_text(r, "player_lookup").value_or("");
    if (lookup.empty()) lookup = player_lookup(gb.get_text(r, "player_name").value_or(""));
    if (lookup.empty()) {
      out.failures.push_back({gid + "|" + team, "PROCESSING_ERROR", "gamebook row without a player name"});
      continue;
    }
    if (!g || (team != g->home && team != g->away)) {
      out.failures.push_back(
          {lookup, "INCOMPLETE_UPSTREAM", "game " + gid + " / team " + team + " not in the schedule of " + d.iso()});
      continue;
    }
    const std::string key = g->date_id() + "|" + lookup;
    auto it = picks.find(key);
    if (it != picks.end()) {
      auto a = gb.get_text(it->second.row, "processed_at").value_or("");
      if (gb.get_text(r, "processed_at").value_or("") <= a) continue;
    }
    picks[key] = Pick{r, g, lookup};
  }
  for (const Game* g : games) {
    if (!games_with_rows.count(g->date_id())) {
      out.failures.push_back({g->date_id(), "INCOMPLETE_UPSTREAM", "no gamebook rows for " + g->date_id()});
    }
  }

  const detail::DateTeamLines lines = detail::build_team_lines(in.team_box, gb);

  // Shot zones per player-game (latest processed_at per key) and the games the
  // source covers.
  const Table& z = in.shot_zones;
  std::map<std::string, size_t> zone_row;
  std::set<std::string> zone_games;
  for (size_t r = 0; r < z.num_rows(); ++r) {
    const std::string gid = z.get_text(r, "game_id").value_or("");
    zone_games.insert(gid);
    const std::string key = gid + "|" + z.get_text(r, "player_lookup").value_or("");
    auto it = zone_row.find(key);
    if (it != zone_row.end() &&
        z.get_text(r, "processed_at").value_or("") <= z.get_text(it->second, "processed_at").value_or("")) {
      continue;
    }
    zone_row[key] = r;
  }

  const auto props = select_points_lines(in.props);

  // Run-level source block (§9): PGS expected counts nbac 200, odds 100.
  // player_shot_zones replaces BigDataBall (source_bbd_*): its legacy
  // expectation (2000 PBP events) does not apply to one row per player-game, so
  // completeness stays NULL. BDL, NBA.com PBP and BettingPros are not read →
  // NULL.
  const detail::SourceBlock src_nbac = detail::source_block(gb, 200);
  const detail::SourceBlock src_bbd = detail::source_block(z, 0);
  const detail::SourceBlock src_odds = detail::source_block(in.props, 100);

  Table& t = out.rows;
  t.reserve(picks.size());
  for (const auto& [key, p] : picks) {
    const size_t g_r = p.row;
    const Game& g = *p.game;
    const std::string gid = g.date_id();
    const std::string team = gb.get_text(g_r, "team_abbr").value_or("");
    const bool home = team == g.home;
    const std::string opp = home ? g.away : g.home;
    std::vector<std::string> issues;
    std::vector<std::string> sources = {"nbac_gamebook"};

    const size_t r = t.add_row();
    t.set(r, "player_lookup", p.lookup);
    // No player registry in this project: the registry's first-assignment
    // format
    // "<lookup>_001" (collisions, which got _002, are not detected).
    t.set(r, "universal_player_id", p.lookup + "_001");
    if (auto name = gb.get_text(g_r, "player_name")) t.set(r, "player_full_name", *name);
    t.set(r, "game_id", gid);
    t.set(r, "game_date", d);
    t.set(r, "team_abbr", team);
    t.set(r, "opponent_team_abbr", opp);
    t.set(r, "season_year", gb.get_int(g_r, "season_year").value_or(g.season));

    // Box score: gamebook values as they are (NULL stays NULL — the shots-only
    // importer fills only FGM/FGA/3PM/3PA).
    auto pts = gb.get_int(g_r, "points");
    auto fga = gb.get_int(g_r, "field_goals_attempted");
    auto fgm = gb.get_int(g_r, "field_goals_made");
    auto tpa = gb.get_int(g_r, "three_pointers_attempted");
    auto tpm = gb.get_int(g_r, "three_pointers_made");
    auto fta = gb.get_int(g_r, "free_throws_attempted");
    auto ftm = gb.get_int(g_r, "free_throws_made");
    auto tov = gb.get_int(g_r, "turnovers");
    t.col("points").set_int(r, pts);
    t.col("assists").set_int(r, gb.get_int(g_r, "assists"));
    t.col("offensive_rebounds").set_int(r, gb.get_int(g_r, "offensive_rebounds"));
    t.col("defensive_rebounds").set_int(r, gb.get_int(g_r, "defensive_rebounds"));
    t.col("steals").set_int(r, gb.get_int(g_r, "steals"));
    t.col("blocks").set_int(r, gb.get_int(g_r, "blocks"));
    t.col("turnovers").set_int(r, tov);
    t.col("fg_attempts").set_int(r, fga);
    t.col("fg_makes").set_int(r, fgm);
    t.col("three_pt_attempts").set_int(r, tpa);
    t.col("three_pt_makes").set_int(r, tpm);
    t.col("ft_attempts").set_int(r, fta);
    t.col("ft_makes").set_int(r, ftm);
    t.col("plus_minus").set_int(r, gb.get_int(g_r, "plus_minus"));
    t.col("personal_fouls").set_int(r, gb.get_int(g_r, "personal_fouls"));

    auto minutes = pgs_minutes_decimal(gb.get_text(g_r, "minutes"));
    if (!minutes) minutes = gb.get_real(g_r, "minutes_decimal");
    // Schema NUMERIC(5,1), but the legacy wrote whole minutes (spec §3,
    // §10.16): kept for parity.
    t.col("minutes_played").set_real(r, pgs_minutes_played(minutes));
    if (!pts || !minutes) issues.push_back("partial_box_score");

    // Shot zones.
    bool zones_used = false;
    if (auto zit = zone_row.find(gid + "|" + p.lookup); zit != zone_row.end()) {
      const size_t zr = zit->second;
      zones_used = true;
      t.col("paint_attempts").set_int(r, z.get_int(zr, "paint_attempts"));
      t.col("paint_makes").set_int(r, z.get_int(zr, "paint_makes"));
      t.col("mid_range_attempts").set_int(r, z.get_int(zr, "mid_range_attempts"));
      t.col("mid_range_makes").set_int(r, z.get_int(zr, "mid_range_makes"));
      // Legacy: block zones only for blockers who also had a shot row. Our zone
      // table is per player, so every blocker with a row gets values; NULL when
      // the source has no block data.
      t.col("paint_blocks").set_int(r, z.get_int(zr, "blocks_paint"));
      t.col("mid_range_blocks").set_int(r, z.get_int(zr, "blocks_mid_range"));
      t.col("three_pt_blocks").set_int(r, z.get_int(zr, "blocks_three_pt"));
      t.col("and1_count").set_int(r, z.get_int(zr, "and1_count"));
      t.col("assisted_fg_makes").set_int(r, z.get_int(zr, "assisted_makes"));
      t.col("unassisted_fg_makes").set_int(r, z.get_int(zr, "unassisted_makes"));
      sources.push_back("player_shot_zones");
    } else if (zone_games.count(gid) && fga && *fga == 0) {
      // Legacy: NULL for a player without shot rows. The source covers this
      // game and the player took no field goal, so his zone attempts/makes are
      // 0, not unknown. Blocks/and-ones stay NULL.
      zones_used = true;
      for (const char* c : {"paint_attempts", "paint_makes", "mid_range_attempts", "mid_range_makes",
                            "assisted_fg_makes", "unassisted_fg_makes"}) {
        t.set(r, c, int64_t{0});
      }
    } else {
      issues.push_back("shot_zones_unavailable");
    }
    // Zones come from made/attempted shot locations, not estimates; NULL when
    // there are none.
    if (zones_used) t.set(r, "shot_zones_estimated", false);

    // Usage rate needs the team's FGA/FTA/TOV: the same-date team box, else the
    // sum of the team's active gamebook rows (PGS does not depend on TOGS
    // having run).
    const detail::TeamLine* tl = lines.find(gid, team);
    if (tl && fga && tov && minutes && tl->fga && tl->fta && tl->tov) {
      // Legacy: "round(u, 1) if u else None" turned 0 into NULL; we keep a real
      // 0 (DECISION 6).
      t.col("usage_rate")
          .set_real(r, usage_rate(static_cast<double>(*fga), static_cast<double>(fta.value_or(0)),
                                  static_cast<double>(*tov), *minutes, static_cast<double>(*tl->fga),
                                  static_cast<double>(*tl->fta), static_cast<double>(*tl->tov)));
      sources.push_back(tl->reconstructed ? "reconstructed_team_from_players" : "nbac_team_boxscore");
    }
    // Legacy: TS% only when FGA > 0 (FGA = 0 with free throws → NULL); kept.
    if (pts && fga && *fga > 0 && fta) {
      t.col("ts_pct").set_real(
          r, true_shooting(static_cast<double>(*pts), static_cast<double>(*fga), static_cast<double>(*fta)));
    }
    if (fga && fgm && tpm) {
      t.col("efg_pct").set_real(
          r, effective_fg(static_cast<double>(*fgm), static_cast<double>(*tpm), static_cast<double>(*fga)));
    }
    // Legacy proxy for starters (the gamebook has no starter flag): more than
    // 20 minutes.
    t.set(r, "starter_flag", minutes.has_value() && *minutes > 20.0);

    // Legacy: win_flag hard-coded FALSE. Fixed (DECISION 6, §10.2): from the
    // final scores — the schedule's, else the day's team lines. The column is
    // NOT NULL: FALSE plus an issue when unknown.
    std::optional<bool> win;
    if (g.home_score && g.away_score) {
      win = home ? *g.home_score > *g.away_score : *g.away_score > *g.home_score;
    } else if (const detail::TeamLine* ol = lines.find(gid, opp); tl && ol && tl->pts && ol->pts) {
      win = *tl->pts > *ol->pts;
    }
    if (!win) issues.push_back("win_flag_unknown");
    t.set(r, "win_flag", win.value_or(false));

    // Points prop.
    auto [away_t, home_t] = std::pair{g.away, g.home};
    if (auto pit = props.find(p.lookup + "|" + away_t + "|" + home_t); pit != props.end()) {
      const PointsLine& pl = pit->second;
      t.set(r, "points_line", pl.closing);
      t.set(r, "points_line_source", pl.source);
      t.set(r, "opening_line", pl.opening);
      t.set(r, "opening_line_source", pl.opening_source);
      t.set(r, "line_movement", py_round(pl.closing - pl.opening, 1));
      if (pts) {
        t.set(r, "over_under_result", over_under(static_cast<double>(*pts), pl.closing));
        t.set(r, "margin", py_round(static_cast<double>(*pts) - pl.closing, 2));
      }
      sources.push_back("odds_api_player_points_props");
    }

    t.set(r, "is_active", true);
    t.set(r, "player_status", "active");

    detail::write_source_block(t, r, "nbac", src_nbac);
    detail::write_source_block(t, r, "bbd", src_bbd);
    detail::write_source_block(t, r, "odds", src_odds);

    // Legacy: gamebook rows gold/100 with no issues. Partial box scores
    // (shots-only import) are downgraded to bronze so consumers can tell them
    // apart.
    proc::Quality q;
    const bool partial = std::find(issues.begin(), issues.end(), "partial_box_score") != issues.end();
    q.tier = partial ? "bronze" : "gold";
    q.score = partial ? 60.0 : 100.0;
    q.issues = issues;
    q.sources = sources;
    proc::write_quality(t, r, q);
    t.set(r, "primary_source_used", "nbac_gamebook");
    t.set(r, "processed_with_issues", !issues.empty());
    t.set(r, "quality_used_fallback",
          false);  // no BDL fallback path in this project
    t.set(r, "quality_reconstructed", false);
    // quality_sample_size: NULL as in the legacy (a single game).
    // quality_calculated_at: NULL — processors never read the clock;
    // processed_at (stamped by the runner) carries the time.
    t.set(r, "quality_metadata",
          std::string("{\"early_season\": false, \"sources_used\": ") + proc::json_array(sources) + "}");
    // source_bdl_*, source_nbac_pbp_*, source_bp_*: sources this project does
    // not read → NULL.
  }
  proc::fill_data_hash(t, kHashFields);
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0 && out.empty_reason.empty()) out.empty_reason = "no active gamebook rows for " + d.iso();
  return out;
}

namespace {

const ProcessorInfo kInfo{.name = "player_game_summary",
                          .code = "pgs",
                          .phase = 3,
                          .output_table = "nba_analytics.player_game_summary",
                          .entity = "players",
                          // Team totals for usage come from the same-date team box (or the players),
                          // not from TOGS.
                          .reads = {{"nba_raw.nbac_gamebook_player_stats", WindowKind::kSameDate, 0, true},
                                    {"nba_raw.nbac_team_boxscore", WindowKind::kSameDate, 0, false},
                                    {"nba_raw.player_shot_zones", WindowKind::kSameDate, 0, false},
                                    {"nba_raw.odds_api_player_points_props", WindowKind::kSameDate, 0, false}},
                          .legacy_job = "player_game_summary",
                          .description =
                              "Player box score per game: efficiency, usage, shot "
                              "zones, points-prop outcome"};

class PlayerGameSummaryProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    Table gb = proc::read_window(ctx, "nba_raw.nbac_gamebook_player_stats", ctx.date, ctx.date);
    Table box = proc::read_window(ctx, "nba_raw.nbac_team_boxscore", ctx.date, ctx.date);
    Table zones = proc::read_window(ctx, "nba_raw.player_shot_zones", ctx.date, ctx.date);
    Table props = proc::read_window(ctx, "nba_raw.odds_api_player_points_props", ctx.date, ctx.date);
    return compute_player_game_summary(ctx.schedule, ctx.date, {gb, box, zones, props});
  }
};

}  // namespace

std::unique_ptr<Processor> make_player_game_summary_processor() {
  return std::make_unique<PlayerGameSummaryProcessor>();
}

}  // namespace nbaprops::analytics
