// Tests of the demo league generator: schedule facts, box-score arithmetic,
// distributions, zones, props, injury reports, determinism and the warehouse
// write.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/processors/processor.hpp"
#include "nbaprops/synth/demo.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "test_util.hpp"

namespace nbaprops {
namespace {

constexpr int kSeason = 2023;

const Schedule& schedule_2023() {
  static const Schedule s = synth::generate_schedule(kSeason, 7);
  return s;
}

int minutes_to_seconds(const std::string& mmss) {
  auto colon = mmss.find(':');
  return std::stoi(mmss.substr(0, colon)) * 60 + std::stoi(mmss.substr(colon + 1));
}

Date nth_weekday(int y, int m, int wd, int n) {
  Date d = Date::from_ymd(y, m, 1);
  while (d.iso_weekday() != wd) d = d + 1;
  return d + 7 * (n - 1);
}

std::vector<const Game*> of_type(const Schedule& s, GameType t) {
  std::vector<const Game*> out;
  for (const auto& g : s.games()) {
    if (g.type == t) out.push_back(&g);
  }
  return out;
}

TEST(SynthSchedule, RegularSeasonHas1230GamesAnd82PerTeam41AtHome) {
  const Schedule& s = schedule_2023();
  std::map<std::string, int> games, home;
  int counted = 0;
  Date first = Date::from_ymd(2100, 1, 1), last;
  for (const auto& g : s.games()) {
    if (g.type != GameType::kRegularSeason || !g.counts()) continue;
    ++counted;
    ++games[g.home];
    ++games[g.away];
    ++home[g.home];
    first = std::min(first, g.date);
    last = std::max(last, g.date);
    ASSERT_EQ(g.nba_game_id.size(), 10u);
    EXPECT_EQ(g.nba_game_id.substr(0, 5), "00223");
    ASSERT_TRUE(g.home_score && g.away_score);
    EXPECT_NE(*g.home_score, *g.away_score);
  }
  EXPECT_EQ(counted, 1230);
  ASSERT_EQ(games.size(), 30u);
  for (const auto& code : nba_tricodes()) {
    EXPECT_EQ(games[code], 82) << code;
    EXPECT_EQ(home[code], 41) << code;
  }
  EXPECT_EQ(first.iso_weekday(), 2);  // a Tuesday
  EXPECT_TRUE(first == nth_weekday(2023, 10, 2, 3) || first == nth_weekday(2023, 10, 2, 4)) << first.iso();
  EXPECT_EQ(*s.season_start(kSeason), first);
  EXPECT_EQ(last.month(), 4);
  EXPECT_GE(last.day(), 8);
  EXPECT_LE(last.day(), 20);
}

TEST(SynthSchedule, NoGamesOnThanksgivingChristmasEveAndAllStarBreak) {
  const Schedule& s = schedule_2023();
  Date thanksgiving = Date::from_ymd(2023, 11, 23);
  EXPECT_TRUE(s.all_games_on(thanksgiving).empty());
  EXPECT_TRUE(s.all_games_on(Date::from_ymd(2023, 12, 24)).empty());
  // All-Star break: the longest run of days without counted games inside Feb is
  // ≥ 5 days and holds both All-Star events, which are not counted.
  auto dates = s.game_dates({Date::from_ymd(2024, 2, 1), Date::from_ymd(2024, 2, 29)});
  int gap = 0;
  Date gap_from, gap_to;
  for (size_t i = 1; i < dates.size(); ++i) {
    if (dates[i] - dates[i - 1] - 1 > gap) {
      gap = dates[i] - dates[i - 1] - 1;
      gap_from = dates[i - 1] + 1;
      gap_to = dates[i] - 1;
    }
  }
  EXPECT_GE(gap, 5);
  EXPECT_LE(gap, 8);
  auto all_star = of_type(s, GameType::kAllStar);
  ASSERT_EQ(all_star.size(), 2u);
  for (const Game* g : all_star) {
    EXPECT_TRUE(gap_from <= g->date && g->date <= gap_to) << g->date.iso();
    EXPECT_EQ(g->nba_game_id.substr(0, 5), "00323");
    EXPECT_TRUE(is_nba_tricode(g->home) && is_nba_tricode(g->away));
    EXPECT_FALSE(g->counts());
    EXPECT_TRUE(s.games_on(g->date).empty());
  }
}

TEST(SynthSchedule, PreseasonAndAllStarAreExcludedFromGameDates) {
  const Schedule& s = schedule_2023();
  auto pre = of_type(s, GameType::kPreseason);
  ASSERT_GE(pre.size(), 5u);
  auto start = *s.season_start(kSeason);
  for (const Game* g : pre) {
    EXPECT_LT(g->date, start);
    EXPECT_EQ(g->date.month(), 10);
    EXPECT_EQ(g->nba_game_id.substr(0, 5), "00123");
  }
  auto dates = s.game_dates({Date::from_ymd(2023, 8, 1), Date::from_ymd(2024, 7, 31)});
  EXPECT_EQ(dates.front(), start);
  std::set<Date> set(dates.begin(), dates.end());
  for (const Game* g : pre) EXPECT_FALSE(set.count(g->date)) << g->date.iso();
  for (const Game* g : of_type(s, GameType::kAllStar)) EXPECT_FALSE(set.count(g->date)) << g->date.iso();
}

TEST(SynthSchedule, CupNightsAreFlaggedRegularSeasonGamesInNovemberAndEarlyDecember) {
  const Schedule& s = schedule_2023();
  int cup = 0;
  for (const auto& g : s.games()) {
    if (!g.is_cup) continue;
    ++cup;
    EXPECT_EQ(g.type, GameType::kRegularSeason);
    EXPECT_TRUE(g.date.month() == 11 || (g.date.month() == 12 && g.date.day() <= 10)) << g.date.iso();
  }
  EXPECT_GE(cup, 40);
  EXPECT_LE(cup, 120);
}

TEST(SynthSchedule, OnePostponedGameIsExcludedAndReplayedLater) {
  const Schedule& s = schedule_2023();
  std::vector<const Game*> ppd;
  for (const auto& g : s.games()) {
    if (g.status == GameStatus::kPostponed) ppd.push_back(&g);
  }
  ASSERT_EQ(ppd.size(), 1u);
  const Game& p = *ppd[0];
  EXPECT_EQ(p.type, GameType::kRegularSeason);
  EXPECT_FALSE(p.home_score.has_value());
  for (const Game* g : s.games_on(p.date)) EXPECT_NE(g->nba_game_id, p.nba_game_id);
  int replays = 0;
  for (const auto& g : s.games()) {
    if (g.home == p.home && g.away == p.away && g.date > p.date && g.status == GameStatus::kFinal &&
        g.nba_game_id == "0022301231") {
      ++replays;
      EXPECT_GE(g.date - p.date, 21);
    }
  }
  EXPECT_EQ(replays, 1);
}

TEST(SynthSchedule, BackToBacksAreRealistic) {
  const Schedule& s = schedule_2023();
  std::map<std::string, std::vector<Date>> dates;
  for (const auto& g : s.games()) {
    if (g.type != GameType::kRegularSeason || !g.counts()) continue;
    dates[g.home].push_back(g.date);
    dates[g.away].push_back(g.date);
  }
  double total = 0;
  for (auto& [team, d] : dates) {
    int b2b = 0;
    for (size_t i = 1; i < d.size(); ++i) {
      ASSERT_GT(d[i] - d[i - 1], 0) << team << " plays twice on " << d[i].iso();
      if (d[i] - d[i - 1] == 1) ++b2b;
      if (i >= 2) EXPECT_GT(d[i] - d[i - 2], 2) << team << " three nights in a row ending " << d[i].iso();
    }
    EXPECT_GE(b2b, 6) << team;
    EXPECT_LE(b2b, 22) << team;
    total += b2b;
  }
  EXPECT_GE(total / 30, 11.0);
  EXPECT_LE(total / 30, 17.0);
}

TEST(SynthSchedule, PlayInAndBestOfSevenPlayoffsAreConsistent) {
  const Schedule& s = schedule_2023();
  auto season_end_regular = Date();
  for (const auto& g : s.games()) {
    if (g.type == GameType::kRegularSeason && g.counts()) season_end_regular = std::max(season_end_regular, g.date);
  }
  auto play_in = of_type(s, GameType::kPlayIn);
  ASSERT_EQ(play_in.size(), 6u);
  for (const Game* g : play_in) {
    EXPECT_GT(g->date, season_end_regular);
    EXPECT_EQ(g->nba_game_id.substr(0, 5), "00523");
    EXPECT_TRUE(g->counts());
  }
  // Series by (round, pair of teams).
  struct Series {
    std::map<std::string, int> wins;
    int games = 0;
    std::string label;
    std::vector<const Game*> list;
  };
  std::map<std::string, Series> series;
  for (const Game* g : of_type(s, GameType::kPlayoff)) {
    EXPECT_GT(g->date, play_in.back()->date);
    std::string a = std::min(g->home, g->away), b = std::max(g->home, g->away);
    auto& ser = series[g->label + ":" + a + "-" + b];
    ser.label = g->label;
    ++ser.games;
    ++ser.wins[*g->home_score > *g->away_score ? g->home : g->away];
    ser.list.push_back(g);
  }
  std::map<std::string, int> per_round;
  std::set<std::string> first_round_teams;
  for (const auto& [key, ser] : series) {
    ++per_round[ser.label];
    EXPECT_GE(ser.games, 4) << key;
    EXPECT_LE(ser.games, 7) << key;
    int max_w = 0, min_w = 7;
    for (const auto& [t, w] : ser.wins) max_w = std::max(max_w, w), min_w = std::min(min_w, w);
    EXPECT_EQ(max_w, 4) << key;
    if (ser.wins.size() == 2) EXPECT_LT(min_w, 4) << key;
    // The last game of a series is the clinching one: the series is not over
    // before it.
    EXPECT_EQ(ser.games, 4 + (ser.wins.size() == 2 ? min_w : 0)) << key;
    // Ids 004 + season + 00 + round + series + game number, game numbers 1..n
    // in date order.
    static const std::map<std::string, char> kRoundDigit = {
        {"First Round", '1'}, {"Conf. Semifinals", '2'}, {"Conf. Finals", '3'}, {"NBA Finals", '4'}};
    for (size_t k = 0; k < ser.list.size(); ++k) {
      const std::string& id = ser.list[k]->nba_game_id;
      EXPECT_EQ(id.substr(0, 7), "0042300") << id;
      EXPECT_EQ(id[7], kRoundDigit.at(ser.label)) << id;
      EXPECT_EQ(id[9], static_cast<char>('1' + k)) << id;
      if (k > 0) EXPECT_GT(ser.list[k]->date, ser.list[k - 1]->date) << id;
    }
    // 2-2-1-1-1: games 1, 2, 5, 7 at the same arena.
    EXPECT_EQ(ser.list[0]->home, ser.list[1]->home) << key;
    EXPECT_NE(ser.list[0]->home, ser.list[2]->home) << key;
    if (ser.label == "First Round") {
      first_round_teams.insert(ser.list[0]->home);
      first_round_teams.insert(ser.list[0]->away);
    }
  }
  EXPECT_EQ(per_round["First Round"], 8);
  EXPECT_EQ(per_round["Conf. Semifinals"], 4);
  EXPECT_EQ(per_round["Conf. Finals"], 2);
  EXPECT_EQ(per_round["NBA Finals"], 1);
  EXPECT_EQ(first_round_teams.size(), 16u);
  // Play-in winners are in the first round.
  int playin_teams_in_r1 = 0;
  std::set<std::string> playin_teams;
  for (const Game* g : play_in) playin_teams.insert(g->home), playin_teams.insert(g->away);
  for (const auto& t : playin_teams) playin_teams_in_r1 += first_round_teams.count(t) ? 1 : 0;
  EXPECT_EQ(playin_teams.size(), 8u);
  EXPECT_EQ(playin_teams_in_r1, 4);
}

TEST(SynthSchedule, EverySeasonYearHasTheFullShape) {
  for (int season = 2000; season <= 2030; season += 3) {
    for (uint64_t seed : {1u, 99u}) {
      Schedule s = synth::generate_schedule(season, seed);
      std::map<std::string, int> games, home;
      int ppd = 0;
      std::map<GameType, int> types;
      for (const auto& g : s.games()) {
        ppd += g.status == GameStatus::kPostponed;
        if (g.counts() || g.type != GameType::kRegularSeason) ++types[g.type];
        if (g.type != GameType::kRegularSeason || !g.counts()) continue;
        ++games[g.home], ++games[g.away], ++home[g.home];
        EXPECT_EQ(season_of(g.date), season);
      }
      EXPECT_EQ(types[GameType::kRegularSeason], 1230) << season;
      EXPECT_EQ(types[GameType::kPlayIn], 6) << season;
      EXPECT_EQ(types[GameType::kAllStar], 2) << season;
      EXPECT_GE(types[GameType::kPlayoff], 60) << season;
      EXPECT_LE(types[GameType::kPlayoff], 105) << season;
      EXPECT_EQ(ppd, 1) << season;
      for (const auto& [team, n] : games) {
        EXPECT_EQ(n, 82) << season << " " << team;
        EXPECT_EQ(home[team], 41) << season << " " << team;
      }
      EXPECT_TRUE(s.all_games_on(nth_weekday(season, 11, 4, 4)).empty()) << season;  // Thanksgiving
      EXPECT_TRUE(s.all_games_on(Date::from_ymd(season, 12, 24)).empty()) << season;
    }
  }
}

TEST(SynthSchedule, RoundTripsThroughTheScheduleTable) {
  const Schedule& s = schedule_2023();
  Schedule back = Schedule::from_table(s.to_table());
  ASSERT_EQ(back.games().size(), s.games().size());
  for (size_t i = 0; i < s.games().size(); ++i) {
    const Game& a = s.games()[i];
    const Game& b = back.games()[i];
    EXPECT_EQ(a.nba_game_id, b.nba_game_id);
    EXPECT_EQ(a.type, b.type) << a.nba_game_id;
    EXPECT_EQ(a.status, b.status) << a.nba_game_id;
    EXPECT_EQ(a.is_cup, b.is_cup) << a.nba_game_id;
  }
}

TEST(SynthSchedule, SameSeedSameScheduleOtherSeedOtherSchedule) {
  Table a = synth::generate_schedule(2021, 11).to_table();
  Table b = synth::generate_schedule(2021, 11).to_table();
  Table c = synth::generate_schedule(2021, 12).to_table();
  ASSERT_EQ(a.num_rows(), b.num_rows());
  size_t diff_ab = 0, diff_ac = 0;
  for (size_t r = 0; r < a.num_rows(); ++r) {
    for (size_t k = 0; k < a.num_columns(); ++k) diff_ab += a.cell_text(r, k) != b.cell_text(r, k);
  }
  for (size_t r = 0; r < std::min(a.num_rows(), c.num_rows()); ++r) {
    for (size_t k = 0; k < a.num_columns(); ++k) diff_ac += a.cell_text(r, k) != c.cell_text(r, k);
  }
  EXPECT_EQ(diff_ab, 0u);
  EXPECT_GT(diff_ac, 1000u);
  EXPECT_THROW(synth::generate_schedule(1999, 7), ConfigError);
  EXPECT_THROW(synth::generate_schedule(2031, 7), ConfigError);
}

/// One demo season written into a temporary warehouse, shared by the tests
/// below.
class SynthDemo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    wh_ = open_warehouse(dir_->path().string());
    summary_ = synth::generate_demo(*wh_, {{kSeason}, 7});
    auto read = [](const char* t) { return wh_->read(catalog::get(t), std::nullopt); };
    schedule_ = std::make_unique<Schedule>(Schedule::from_table(read("nba_raw.nbac_schedule")));
    gamebook_ = std::make_unique<Table>(read("nba_raw.nbac_gamebook_player_stats"));
    team_box_ = std::make_unique<Table>(read("nba_raw.nbac_team_boxscore"));
    zones_ = std::make_unique<Table>(read("nba_raw.player_shot_zones"));
    zones_allowed_ = std::make_unique<Table>(read("nba_raw.team_shot_zones_allowed"));
    props_ = std::make_unique<Table>(read("nba_raw.odds_api_player_points_props"));
    lines_ = std::make_unique<Table>(read("nba_raw.odds_api_game_lines"));
    injuries_ = std::make_unique<Table>(read("nba_raw.nbac_injury_report"));
  }
  static void TearDownTestSuite() {
    gamebook_.reset();
    team_box_.reset();
    zones_.reset();
    zones_allowed_.reset();
    props_.reset();
    lines_.reset();
    injuries_.reset();
    schedule_.reset();
    wh_.reset();
    dir_.reset();
  }
  static int64_t iv(const Table& t, size_t r, const char* c) { return t.get_int(r, c).value(); }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::unique_ptr<Warehouse> wh_;
  static inline synth::DemoSummary summary_;
  static inline std::unique_ptr<Schedule> schedule_;
  static inline std::unique_ptr<Table> gamebook_, team_box_, zones_, zones_allowed_, props_, lines_, injuries_;
};

TEST_F(SynthDemo, WritesEveryRawTableWithConsistentRowCounts) {
  EXPECT_EQ(summary_.seasons, std::vector<int>{kSeason});
  EXPECT_EQ(summary_.games, static_cast<int64_t>(schedule_->games().size()));
  std::set<Date> game_dates;
  for (Date d : schedule_->game_dates({Date::from_ymd(2023, 8, 1), Date::from_ymd(2024, 7, 31)})) game_dates.insert(d);
  int64_t counted = 0;
  for (Date d : game_dates) counted += static_cast<int64_t>(schedule_->games_on(d).size());
  for (const char* t :
       {"nba_raw.nbac_schedule", "nba_raw.nbac_gamebook_player_stats", "nba_raw.nbac_team_boxscore",
        "nba_raw.player_shot_zones", "nba_raw.team_shot_zones_allowed", "nba_raw.odds_api_player_points_props",
        "nba_raw.odds_api_game_lines", "nba_raw.nbac_injury_report"}) {
    auto counts = wh_->partition_counts(catalog::get(t), std::nullopt);
    int64_t total = 0;
    for (const auto& [d, n] : counts) {
      total += n;
      if (std::string(t) != "nba_raw.nbac_schedule") EXPECT_TRUE(game_dates.count(d)) << t << " " << d.iso();
    }
    EXPECT_EQ(total, summary_.rows.at(t)) << t;
    EXPECT_GT(total, 0) << t;
  }
  EXPECT_EQ(summary_.rows.at("nba_raw.nbac_schedule"), summary_.games);
  EXPECT_EQ(summary_.rows.at("nba_raw.nbac_team_boxscore"), 2 * counted);
  EXPECT_EQ(summary_.rows.at("nba_raw.team_shot_zones_allowed"), 2 * counted);
  EXPECT_EQ(summary_.rows.at("nba_raw.odds_api_game_lines"),
            16 * counted);  // 2 books × 2 markets × 2 outcomes × 2 snapshots
  // Per date: two team rows per counted game.
  auto tb = wh_->partition_counts(catalog::get("nba_raw.nbac_team_boxscore"), std::nullopt);
  for (Date d : game_dates) EXPECT_EQ(tb[d], 2 * static_cast<int64_t>(schedule_->games_on(d).size())) << d.iso();
  // Every game: 15 gamebook rows per team.
  EXPECT_EQ(summary_.rows.at("nba_raw.nbac_gamebook_player_stats"), 30 * counted);
}

TEST_F(SynthDemo, PlayerLinesAddUpAndMinutesSumTo240) {
  const Table& g = *gamebook_;
  std::map<std::pair<std::string, std::string>, int> seconds;
  std::set<std::string> statuses;
  for (size_t r = 0; r < g.num_rows(); ++r) {
    std::string status = *g.get_text(r, "player_status");
    statuses.insert(status);
    auto key = std::make_pair(*g.get_text(r, "game_id"), *g.get_text(r, "team_abbr"));
    if (status != "active") {
      EXPECT_FALSE(g.get_text(r, "minutes").has_value());
      EXPECT_FALSE(g.get_int(r, "points").has_value());
      EXPECT_TRUE(g.get_text(r, "dnp_reason").has_value());
      continue;
    }
    int64_t fgm = iv(g, r, "field_goals_made"), fga = iv(g, r, "field_goals_attempted");
    int64_t tpm = iv(g, r, "three_pointers_made"), tpa = iv(g, r, "three_pointers_attempted");
    int64_t ftm = iv(g, r, "free_throws_made"), fta = iv(g, r, "free_throws_attempted");
    ASSERT_EQ(iv(g, r, "points"), 2 * fgm + tpm + ftm) << r;
    ASSERT_LE(fgm, fga);
    ASSERT_LE(tpm, tpa);
    ASSERT_LE(tpa, fga);
    ASSERT_LE(tpm, fgm);
    ASSERT_LE(ftm, fta);
    ASSERT_EQ(iv(g, r, "total_rebounds"), iv(g, r, "offensive_rebounds") + iv(g, r, "defensive_rebounds"));
    ASSERT_LE(iv(g, r, "personal_fouls"), 6);
    int sec = minutes_to_seconds(*g.get_text(r, "minutes"));
    EXPECT_NEAR(*g.get_real(r, "minutes_decimal"), sec / 60.0, 0.006);
    seconds[key] += sec;
  }
  EXPECT_EQ(statuses, (std::set<std::string>{"active", "dnp", "inactive"}));
  // Team minutes: 240 (265, 290 … with overtime), in every game; ~6% of games
  // go to overtime.
  std::map<std::string, int> team_minutes;
  for (size_t r = 0; r < team_box_->num_rows(); ++r) {
    team_minutes[*team_box_->get_text(r, "game_id") + *team_box_->get_text(r, "team_abbr")] =
        minutes_to_seconds(*team_box_->get_text(r, "minutes"));
  }
  int ot = 0;
  for (const auto& [key, sec] : seconds) {
    ASSERT_EQ(sec, team_minutes.at(key.first + key.second)) << key.first << " " << key.second;
    ASSERT_EQ((sec / 60 - 240) % 25, 0);
    if (sec > 240 * 60) ++ot;
  }
  double ot_share = ot / static_cast<double>(seconds.size());
  EXPECT_GT(ot_share, 0.03);
  EXPECT_LT(ot_share, 0.10);
}

TEST_F(SynthDemo, TeamBoxIsTheSumOfPlayersAndMatchesTheSchedule) {
  const Table& g = *gamebook_;
  const char* sums[][2] = {{"field_goals_made", "fg_made"},
                           {"field_goals_attempted", "fg_attempted"},
                           {"three_pointers_made", "three_pt_made"},
                           {"three_pointers_attempted", "three_pt_attempted"},
                           {"free_throws_made", "ft_made"},
                           {"free_throws_attempted", "ft_attempted"},
                           {"offensive_rebounds", "offensive_rebounds"},
                           {"defensive_rebounds", "defensive_rebounds"},
                           {"assists", "assists"},
                           {"steals", "steals"},
                           {"blocks", "blocks"},
                           {"turnovers", "turnovers"},
                           {"personal_fouls", "personal_fouls"},
                           {"points", "points"}};
  std::map<std::string, std::map<std::string, int64_t>> agg;  // game|team → column → sum
  std::map<std::string, int64_t> pm;
  for (size_t r = 0; r < g.num_rows(); ++r) {
    if (*g.get_text(r, "player_status") != "active") continue;
    std::string key = *g.get_text(r, "game_id") + "|" + *g.get_text(r, "team_abbr");
    for (const auto& s : sums) agg[key][s[1]] += iv(g, r, s[0]);
    pm[key] += iv(g, r, "plus_minus");
  }
  std::map<std::string, const Game*> by_date_id;
  for (const auto& game : schedule_->games()) {
    if (game.counts()) by_date_id[game.date_id()] = &game;
  }
  const Table& t = *team_box_;
  ASSERT_EQ(t.num_rows(), agg.size());
  for (size_t r = 0; r < t.num_rows(); ++r) {
    std::string gid = *t.get_text(r, "game_id"), team = *t.get_text(r, "team_abbr");
    const auto& a = agg.at(gid + "|" + team);
    for (const auto& s : sums) ASSERT_EQ(iv(t, r, s[1]), a.at(s[1])) << gid << " " << team << " " << s[1];
    const Game* game = by_date_id.at(gid);
    bool home = *t.get_bool(r, "is_home");
    EXPECT_EQ(home, game->home == team);
    EXPECT_EQ(*t.get_text(r, "nba_game_id"), game->nba_game_id);
    int own = home ? *game->home_score : *game->away_score;
    int opp = home ? *game->away_score : *game->home_score;
    ASSERT_EQ(iv(t, r, "points"), own) << gid;
    ASSERT_EQ(iv(t, r, "plus_minus"), own - opp) << gid;
    ASSERT_EQ(pm.at(gid + "|" + team), 5 * (own - opp)) << gid;
    EXPECT_TRUE(t.get_text(r, "processed_at").has_value());
  }
}

TEST_F(SynthDemo, LeagueDistributionsAreRealistic) {
  const Table& g = *gamebook_;
  int64_t fgm = 0, fga = 0, tpm = 0, tpa = 0, ftm = 0, fta = 0;
  std::map<std::string, std::pair<int64_t, int>> pts;  // lookup → (points, games)
  std::map<std::string, double> mins;
  std::set<std::string> names;
  std::set<std::string> lookups;
  for (size_t r = 0; r < g.num_rows(); ++r) {
    names.insert(*g.get_text(r, "player_name"));
    lookups.insert(*g.get_text(r, "player_lookup"));
    EXPECT_EQ(*g.get_text(r, "player_lookup"), player_lookup(*g.get_text(r, "player_name")));
    if (*g.get_text(r, "player_status") != "active") continue;
    fgm += iv(g, r, "field_goals_made");
    fga += iv(g, r, "field_goals_attempted");
    tpm += iv(g, r, "three_pointers_made");
    tpa += iv(g, r, "three_pointers_attempted");
    ftm += iv(g, r, "free_throws_made");
    fta += iv(g, r, "free_throws_attempted");
    auto& p = pts[*g.get_text(r, "player_lookup")];
    p.first += iv(g, r, "points");
    ++p.second;
    mins[*g.get_text(r, "player_lookup")] += *g.get_real(r, "minutes_decimal");
  }
  EXPECT_EQ(names.size(), lookups.size());  // player_lookup is unique per player
  // A few mid-season trades: players who appear for two teams in the season.
  std::map<std::string, std::set<std::string>> teams_of;
  for (size_t r = 0; r < g.num_rows(); ++r)
    teams_of[*g.get_text(r, "player_lookup")].insert(*g.get_text(r, "team_abbr"));
  int traded = 0;
  for (const auto& [lookup, teams] : teams_of) traded += teams.size() > 1;
  EXPECT_GE(traded, 4);
  EXPECT_LE(traded, 10);
  EXPECT_GE(lookups.size(), 450u);
  double fg = static_cast<double>(fgm) / fga, tp = static_cast<double>(tpm) / tpa, ft = static_cast<double>(ftm) / fta;
  EXPECT_GT(fg, 0.45);
  EXPECT_LT(fg, 0.49);
  EXPECT_GT(tp, 0.33);
  EXPECT_LT(tp, 0.39);
  EXPECT_GT(ft, 0.74);
  EXPECT_LT(ft, 0.82);
  double top = 0;
  int bench = 0;
  for (const auto& [lookup, p] : pts) {
    double avg = static_cast<double>(p.first) / p.second;
    double avg_min = mins[lookup] / p.second;
    if (p.second >= 40) top = std::max(top, avg);
    if (p.second >= 20 && avg_min < 15) {
      ++bench;
      EXPECT_LT(avg, 8.0) << lookup << " averages " << avg << " in " << avg_min << " min";
    }
  }
  EXPECT_GE(top, 24.0);
  EXPECT_LE(top, 33.0);
  EXPECT_GT(bench, 30);
  // Team scoring around 114 a game.
  int64_t team_pts = 0;
  for (size_t r = 0; r < team_box_->num_rows(); ++r) team_pts += iv(*team_box_, r, "points");
  double avg_team = static_cast<double>(team_pts) / team_box_->num_rows();
  EXPECT_GT(avg_team, 106);
  EXPECT_LT(avg_team, 120);
}

TEST_F(SynthDemo, ShotZonesMatchTheBoxScore) {
  std::map<std::string, size_t> line;  // game|player → gamebook row
  const Table& g = *gamebook_;
  for (size_t r = 0; r < g.num_rows(); ++r) {
    if (*g.get_text(r, "player_status") == "active")
      line[*g.get_text(r, "game_id") + "|" + *g.get_text(r, "player_lookup")] = r;
  }
  const Table& z = *zones_;
  ASSERT_EQ(z.num_rows(), line.size());
  std::map<std::string, std::array<int64_t, 6>> allowed;  // game|defender → sums
  for (size_t r = 0; r < z.num_rows(); ++r) {
    std::string gid = *z.get_text(r, "game_id");
    size_t b = line.at(gid + "|" + *z.get_text(r, "player_lookup"));
    int64_t pa = iv(z, r, "paint_attempts"), pmk = iv(z, r, "paint_makes");
    int64_t ma = iv(z, r, "mid_range_attempts"), mm = iv(z, r, "mid_range_makes");
    int64_t ta = iv(z, r, "three_pt_attempts"), tm = iv(z, r, "three_pt_makes");
    ASSERT_EQ(pa + ma + ta, iv(g, b, "field_goals_attempted"));
    ASSERT_EQ(pmk + mm + tm, iv(g, b, "field_goals_made"));
    ASSERT_EQ(ta, iv(g, b, "three_pointers_attempted"));
    ASSERT_EQ(tm, iv(g, b, "three_pointers_made"));
    ASSERT_LE(pmk, pa);
    ASSERT_LE(mm, ma);
    ASSERT_EQ(iv(z, r, "assisted_makes") + iv(z, r, "unassisted_makes"), iv(g, b, "field_goals_made"));
    ASSERT_EQ(iv(z, r, "blocks_paint") + iv(z, r, "blocks_mid_range") + iv(z, r, "blocks_three_pt"),
              iv(g, b, "blocks"));
    ASSERT_LE(iv(z, r, "and1_count"), iv(g, b, "free_throws_attempted"));
    ASSERT_LE(iv(z, r, "and1_count"), pmk + mm);
    EXPECT_EQ(*z.get_text(r, "data_source"), "demo");
    EXPECT_EQ(*z.get_text(r, "team_abbr"), *g.get_text(b, "team_abbr"));
    auto& a = allowed[gid + "|" + *z.get_text(r, "opponent_team_abbr")];
    for (int k = 0; k < 6; ++k) a[k] += std::array<int64_t, 6>{pa, pmk, ma, mm, ta, tm}[k];
  }
  const Table& t = *zones_allowed_;
  ASSERT_EQ(t.num_rows(), allowed.size());
  const char* cols[6] = {"paint_attempts_allowed",  "paint_makes_allowed",       "mid_range_attempts_allowed",
                         "mid_range_makes_allowed", "three_pt_attempts_allowed", "three_pt_makes_allowed"};
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const auto& a = allowed.at(*t.get_text(r, "game_id") + "|" + *t.get_text(r, "defending_team_abbr"));
    for (int k = 0; k < 6; ++k) ASSERT_EQ(iv(t, r, cols[k]), a[k]) << cols[k];
  }
}

TEST_F(SynthDemo, PropsSitNearRecentScoringAverages) {
  // Points per player per date from the gamebook, to compute the
  // strictly-before last-10 average.
  std::map<std::string, std::vector<std::pair<Date, int64_t>>> log;
  const Table& g = *gamebook_;
  for (size_t r = 0; r < g.num_rows(); ++r) {
    if (*g.get_text(r, "player_status") != "active") continue;
    log[*g.get_text(r, "player_lookup")].push_back({*g.get_date(r, "game_date"), iv(g, r, "points")});
  }
  const Table& p = *props_;
  std::set<std::string> books;
  double abs_dev = 0;
  int checked = 0, far = 0;
  std::map<std::string, int> per_key;
  for (size_t r = 0; r < p.num_rows(); ++r) {
    double line = *p.get_real(r, "points_line");
    ASSERT_EQ(line - std::floor(line), 0.5);
    books.insert(*p.get_text(r, "bookmaker"));
    ++per_key[*p.get_text(r, "game_id") + *p.get_text(r, "player_lookup") + *p.get_text(r, "bookmaker")];
    int64_t before = *p.get_int(r, "minutes_before_tipoff");
    EXPECT_TRUE(before == 60 || before > 12 * 60) << before;
    Date d = *p.get_date(r, "game_date");
    const auto& games = log[*p.get_text(r, "player_lookup")];
    std::vector<int64_t> prior;
    for (const auto& [gd, pts] : games) {
      if (gd < d) prior.push_back(pts);
    }
    if (prior.size() < 10) continue;
    double avg = 0;
    for (size_t k = prior.size() - 10; k < prior.size(); ++k) avg += prior[k] / 10.0;
    abs_dev += std::abs(line - avg);
    far += std::abs(line - avg) > 2.6;
    ++checked;
  }
  EXPECT_EQ(books, (std::set<std::string>{"draftkings", "fanduel"}));
  for (const auto& [k, n] : per_key) ASSERT_EQ(n, 2) << k;  // opening + closing snapshot
  ASSERT_GT(checked, 10000);
  EXPECT_LT(abs_dev / checked, 1.0);
  EXPECT_EQ(far, 0);
}

TEST_F(SynthDemo, GameLinesAndInjuryReportsAreWellFormed) {
  const Table& l = *lines_;
  std::map<std::string, std::set<std::string>> outcomes;
  for (size_t r = 0; r < l.num_rows(); ++r) {
    std::string market = *l.get_text(r, "market_key");
    std::string name = *l.get_text(r, "outcome_name");
    if (market == "spreads") {
      EXPECT_TRUE(name == *l.get_text(r, "home_team") || name == *l.get_text(r, "away_team"));
    } else {
      EXPECT_EQ(market, "totals");
      EXPECT_TRUE(name == "Over" || name == "Under");
      EXPECT_GT(*l.get_real(r, "outcome_point"), 190);
    }
    outcomes[*l.get_text(r, "game_id") + *l.get_text(r, "bookmaker_key") + *l.get_text(r, "snapshot_timestamp")].insert(
        name);
  }
  for (const auto& [k, o] : outcomes) ASSERT_EQ(o.size(), 4u) << k;
  bool celtics = false;
  for (size_t r = 0; r < l.num_rows() && !celtics; ++r) celtics = *l.get_text(r, "home_team") == "Boston Celtics";
  EXPECT_TRUE(celtics);

  // Every inactive gamebook row is reported out or doubtful that day; active
  // players are never out.
  std::map<std::string, std::string> status;  // date id|lookup → injury status
  const Table& i = *injuries_;
  for (size_t r = 0; r < i.num_rows(); ++r) {
    EXPECT_EQ(*i.get_int(r, "report_hour"), 17);
    EXPECT_EQ(*i.get_date(r, "report_date"), *i.get_date(r, "game_date"));
    status[*i.get_text(r, "game_id") + "|" + *i.get_text(r, "player_lookup")] = *i.get_text(r, "injury_status");
  }
  std::map<std::string, int> seen;
  for (const auto& [k, s] : status) ++seen[s];
  for (const char* s : {"out", "doubtful", "questionable", "probable"}) EXPECT_GT(seen[s], 50) << s;
  const Table& g = *gamebook_;
  for (size_t r = 0; r < g.num_rows(); ++r) {
    std::string key = *g.get_text(r, "game_id") + "|" + *g.get_text(r, "player_lookup");
    std::string st = *g.get_text(r, "player_status");
    auto it = status.find(key);
    if (st == "inactive") {
      ASSERT_TRUE(it != status.end()) << key;
      EXPECT_TRUE(it->second == "out" || it->second == "doubtful") << key;
    } else if (it != status.end()) {
      EXPECT_TRUE(it->second == "questionable" || it->second == "probable") << key;
    }
  }
}

TEST_F(SynthDemo, TeamOffenseProcessorConsumesTheDemoTables) {
  // The first consumer of the raw set: TOGS gives one row per team with the box
  // score's points.
  const Processor& togs = registry::get("togs");
  Date d = Date::from_ymd(2024, 1, 15);
  auto games = schedule_->games_on(d);
  ASSERT_FALSE(games.empty());
  UnitOutput out = togs.run({*wh_, *schedule_, d});
  EXPECT_TRUE(out.failures.empty());
  ASSERT_EQ(out.rows.num_rows(), 2 * games.size());
  std::map<std::string, int64_t> pts;
  for (const Game* g : games) {
    pts[g->date_id() + g->home] = *g->home_score;
    pts[g->date_id() + g->away] = *g->away_score;
  }
  for (size_t r = 0; r < out.rows.num_rows(); ++r) {
    std::string key = *out.rows.get_text(r, "game_id") + *out.rows.get_text(r, "team_abbr");
    EXPECT_EQ(out.rows.get_int(r, "points_scored").value_or(-1), pts.at(key)) << key;
  }
}

/// Text cells compare by value (interned pointers are equal exactly when values
/// are).
bool same_texts(const Column& x, const Column& y) {
  if (x.size() != y.size()) return false;
  if (x.storage() != Storage::kText) return true;
  for (size_t r = 0; r < x.size(); ++r) {
    if (!x.is_null(r) && x.text_at(r) != y.text_at(r)) return false;
  }
  return true;
}

/// A warehouse that only keeps what is written (in memory), for byte-level
/// comparisons.
class CaptureWarehouse : public Warehouse {
 public:
  std::string uri() const override { return "capture://"; }
  void ensure_table(const TableSchema&) override {}
  bool has_table(const TableSchema& s) override { return tables.count(s.name) > 0; }
  Table read(const TableSchema& s, std::optional<DateRange>, const std::vector<std::string>& = {}) override {
    return tables.count(s.name) ? tables.at(s.name) : Table(s);
  }
  void write_batch(const std::vector<TableWrite>& ws) override {
    for (const TableWrite& w : ws) {
      EXPECT_FALSE(w.dates.empty());
      ++writes[w.schema->name];
      tables.insert_or_assign(w.schema->name, *w.rows);
    }
  }
  void append(const TableSchema& s, const Table& rows) override { tables.insert_or_assign(s.name, rows); }
  std::map<Date, int64_t> partition_counts(const TableSchema&, std::optional<DateRange>) override { return {}; }

  std::map<std::string, Table> tables;
  std::map<std::string, int> writes;
};

bool same_table(const Table& a, const Table& b) {
  if (a.num_rows() != b.num_rows() || a.num_columns() != b.num_columns()) return false;
  for (size_t c = 0; c < a.num_columns(); ++c) {
    const Column& x = a.col(c);
    const Column& y = b.col(c);
    if (x.valid() != y.valid() || x.ints() != y.ints() || x.reals() != y.reals() || !same_texts(x, y)) return false;
  }
  return true;
}

TEST(SynthDeterminism, SameSeedGivesIdenticalTablesAndAnotherSeedDiffers) {
  CaptureWarehouse a, b, c;
  synth::generate_demo(a, {{2022}, 3});
  synth::generate_demo(b, {{2022}, 3});
  synth::generate_demo(c, {{2022}, 4});
  ASSERT_EQ(a.tables.size(), 8u);
  for (const auto& [name, t] : a.tables) {
    EXPECT_EQ(a.writes[name], 1) << name;  // one write per table and season
    EXPECT_TRUE(same_table(t, b.tables.at(name))) << name;
    EXPECT_FALSE(same_table(t, c.tables.at(name))) << name;
  }
  // The written schedule is generate_schedule's (plus ET tip times and the demo
  // source tags).
  Schedule written = Schedule::from_table(a.tables.at("nba_raw.nbac_schedule"));
  EXPECT_TRUE(same_table(written.to_table(), synth::generate_schedule(2022, 3).to_table()));
  EXPECT_THROW(synth::generate_demo(a, {{}, 9}), ConfigError);
  EXPECT_THROW(synth::generate_demo(a, {{2031}, 9}), ConfigError);
  EXPECT_THROW(synth::generate_demo(a, {{1999, 2022}, 9}), ConfigError);
}

TEST(SynthDeterminism, SmallLeagueKeepsTheGamesBetweenItsTeamsWithTheirBoxScores) {
  CaptureWarehouse full, small;
  synth::generate_demo(full, {{2023}, 7});
  synth::DemoOptions opt{{2023}, 7, {"BOS", "NYK", "PHI"}};
  synth::generate_demo(small, opt);
  const std::set<std::string> teams{"BOS", "NYK", "PHI"};
  Schedule all = Schedule::from_table(full.tables.at("nba_raw.nbac_schedule"));
  Schedule kept = Schedule::from_table(small.tables.at("nba_raw.nbac_schedule"));
  std::set<std::string> ids;
  std::vector<Game> expected;
  for (const Game& g : all.games()) {
    if (teams.count(g.home) && teams.count(g.away)) expected.push_back(g);
  }
  ASSERT_GE(expected.size(), 12u);  // 4 regular-season games per division pair, and more
  EXPECT_TRUE(same_table(kept.to_table(), Schedule(expected).to_table()));
  for (const Game& g : kept.games()) ids.insert(g.date_id());
  // The box scores of the kept games are the full league's rows, in the same order.
  for (const char* t : {"nba_raw.nbac_gamebook_player_stats", "nba_raw.nbac_team_boxscore"}) {
    const Table& f = full.tables.at(t);
    Table only(f.schema(), f.column_names());
    const size_t gid = f.require("game_id");
    for (size_t r = 0; r < f.num_rows(); ++r) {
      if (ids.count(f.col(gid).text_at(r))) only.append_row(f, r);
    }
    EXPECT_GT(only.num_rows(), 0u) << t;
    EXPECT_TRUE(same_table(only, small.tables.at(t))) << t;
  }
  EXPECT_THROW(synth::generate_demo(small, {{2023}, 7, {"BOS", "XYZ"}}), ConfigError);
  EXPECT_THROW(synth::generate_demo(small, {{2023}, 7, {"BOS"}}), ConfigError);
}

}  // namespace
}  // namespace nbaprops
