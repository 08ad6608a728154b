// The Odds API lake files (historical wrapper or bare event): player points
// props → nba_raw.odds_api_player_points_props, game lines →
// nba_raw.odds_api_game_lines.
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/schema.hpp"
#include "raw_internal.hpp"

namespace nbaprops::importers::raw {
namespace {

namespace props = cols::odds_api_player_points_props;
namespace lines = cols::odds_api_game_lines;

/// One event snapshot, unwrapped.
struct Snapshot {
  const json* event = nullptr;
  bool historical = false;
  std::optional<Instant> timestamp, previous,
      next;  ///< wrapper timestamps (historical files)
  Instant commence;
  std::string home_name, away_name, home, away;
  std::string event_id;
  LakePath path;
};

std::optional<Instant> instant_field(const json& obj, const char* key, const Where& w) {
  auto text = opt_text(obj, key, w);
  if (!text) return std::nullopt;
  auto t = parse_instant(*text);
  if (!t) fail(w, key, "'" + *text + "'", "expected an ISO-8601 UTC timestamp");
  return t;
}

Snapshot unwrap(const json& root, const std::string& path, Where& w) {
  Snapshot s;
  s.path = parse_lake_path(path);
  if (!root.is_object()) fail(w, "(top level)", "", "expected a JSON object");
  if (root.contains("data")) {
    // Historical endpoint: {timestamp, previous_timestamp, next_timestamp,
    // data: event}.
    s.historical = true;
    s.timestamp = instant_field(root, "timestamp", w);
    if (!s.timestamp) fail(w, "timestamp", "", "missing field (historical snapshot)");
    s.previous = instant_field(root, "previous_timestamp", w);
    s.next = instant_field(root, "next_timestamp", w);
    s.event = &need(root, "data", w);
  } else {
    s.event = &root;
  }
  const json& e = *s.event;
  if (!e.is_object()) fail(w, "data", "", "expected one event object");
  s.event_id = need_text(e, "id", w);
  w.record = "event " + s.event_id;
  s.commence = *[&] {
    auto c = instant_field(e, "commence_time", w);
    if (!c) fail(w, "commence_time", "", "missing field");
    return c;
  }();
  s.home_name = need_text(e, "home_team", w);
  s.away_name = need_text(e, "away_team", w);
  s.home = team_code(s.home_name);
  s.away = team_code(s.away_name);
  // Legacy kept unknown names as given (props) or their first 3 letters (game
  // lines), giving game ids no other table has. Fixed: an unknown team is an
  // error.
  if (s.home.empty()) fail(w, "home_team", "'" + s.home_name + "'", "unknown team name");
  if (s.away.empty()) fail(w, "away_team", "'" + s.away_name + "'", "unknown team name");
  const json& books = need(e, "bookmakers", w);
  if (!books.is_array()) fail(w, "bookmakers", json_preview(books), "expected a list");
  return s;
}

/// Decimal → American odds, truncated like the legacy's int(): ≥ 2 →
/// +(d−1)·100, else −100/(d−1).
int64_t american(double decimal) {
  return decimal >= 2.0 ? static_cast<int64_t>((decimal - 1.0) * 100.0)
                        : static_cast<int64_t>(-100.0 / (decimal - 1.0));
}

/// An outcome of the known game-line markets: h2h and spreads name a team of
/// the game, totals Over / Under; spreads and totals carry their `point`.
/// Other markets are stored as given.
void check_line_outcome(const Snapshot& s, const std::string& market, const std::string& name,
                        std::optional<double> point, const Where& ow) {
  if (market == "h2h" || market == "spreads") {
    const std::string code = team_code(name);
    if (code.empty()) fail(ow, "name", "'" + name + "'", "unknown team name (a " + market + " outcome names a team)");
    if (code != s.away && code != s.home) {
      fail(ow, "name", "'" + name + "'", "not a team of this game (" + s.away_name + " @ " + s.home_name + ")");
    }
  } else if (market == "totals" && name != "Over" && name != "Under") {
    fail(ow, "name", "'" + name + "'", "expected Over or Under (a totals outcome)");
  }
  if ((market == "spreads" || market == "totals") && !point) {
    fail(ow, "point", "", "missing field (a " + market + " outcome has its line)");
  }
}

/// A player_points line with one side only (an Over without an Under, or the
/// reverse) is a line the book offered: stored as the legacy stores it, the
/// missing side's prices NULL, and named in a warning so that it is not silent.
void warn_one_sided(const Table& t, const std::vector<std::pair<size_t, Where>>& players) {
  const Column& over_price = t.col(props::over_price);
  const Column& under_price = t.col(props::under_price);
  for (const auto& [r, ow] : players) {
    const bool over = over_price.get_real(r).has_value();
    if (over && under_price.get_real(r)) continue;
    NBAPROPS_LOG_WARN << ow.file << ": record " << ow.record << " (date " << ow.date << "): no "
                      << (over ? "Under" : "Over") << " outcome for this player; the line is stored with a NULL "
                      << (over ? "under" : "over") << " price";
  }
}

/// An outcome whose line (`point`) is not the line of the player's first
/// outcome (an Under at 25.5 after the Over at 24.5): the legacy keeps the
/// first line seen and the later outcome's price, and so do we; a warning names
/// the outcome (file, bookmaker, player) and both lines so that it is not
/// silent.
void warn_line_differs(const Where& ow, const std::string& side, double point, double kept) {
  const std::string first = side == "Over" ? "Under" : "Over";
  NBAPROPS_LOG_WARN << ow.file << ": record " << ow.record << " (date " << ow.date << "): the " << side
                    << " line (point " << json(point).dump() << ") differs from the " << first << " line ("
                    << json(kept).dump() << ", the player's first outcome); the row keeps points_line "
                    << json(kept).dump() << ", as the legacy does";
}

}  // namespace

Parsed parse_player_props(const std::string& text, const std::string& path, const Schedule&) {
  static const TableSchema& schema = catalog::get("nba_raw.odds_api_player_points_props");
  Parsed out(schema);
  const json root = parse_json(text, path);
  Where w{path, "(file)", ""};
  Snapshot s = unwrap(root, path, w);
  // Path date (the game date) is authoritative; a bare file falls back to the
  // Eastern date of tip-off.
  const Date game_date = s.path.date ? *s.path.date : eastern_date(s.commence);
  w.date = game_date.iso();
  const std::optional<Instant> capture = s.path.stamp.empty() ? std::nullopt : parse_instant(s.path.stamp);
  // Snapshot: historical = the wrapper's timestamp; current = the capture time
  // in the file name.
  const std::optional<Instant> snap = s.historical ? s.timestamp : capture;
  if (!snap) fail(w, "snapshot_timestamp", path, "a current-odds file needs a YYYYMMDD_HHMMSS file name");
  std::string tag;
  if (auto p = s.path.file.find("snap-"); p != std::string::npos) {
    tag = s.path.file.substr(p, 9);
  }
  const bool historical = s.historical || path.find("player-props-history") != std::string::npos;
  const std::string game_id = standard_game_id(game_date, s.away, s.home);

  const json& books = s.event->at("bookmakers");
  for (size_t bi = 0; bi < books.size(); ++bi) {
    const json& b = books[bi];
    Where bw{path, "event " + s.event_id + " bookmakers[" + std::to_string(bi) + "]", w.date};
    const std::string book = need_text(b, "key", bw);
    bw.record += " " + book;
    const auto book_update = instant_field(b, "last_update", bw);
    auto mk = b.find("markets");
    if (mk == b.end() || mk->is_null()) continue;
    if (!mk->is_array()) fail(bw, "markets", json_preview(*mk), "expected a list");
    for (const json& m : *mk) {
      if (opt_text(m, "key", bw).value_or("") != "player_points") continue;
      const json& outcomes = need(m, "outcomes", bw);
      if (!outcomes.is_array()) fail(bw, "outcomes", json_preview(outcomes), "expected a list");
      // Over/Under outcomes pair by the player's name (`description`), in
      // first-seen order: each player's row and first outcome.
      std::vector<std::pair<size_t, Where>> players;
      std::map<std::string, size_t> row_of;
      for (size_t oi = 0; oi < outcomes.size(); ++oi) {
        const json& o = outcomes[oi];
        Where ow{path, bw.record + " player_points.outcomes[" + std::to_string(oi) + "]", w.date};
        // Legacy skipped an outcome without its player, leaving the other
        // side's row with one price and no sign of the loss. Refused.
        auto player = opt_text(o, "description", ow);
        if (!player || player->empty()) {
          fail(ow, "description", json_preview(o), "missing field (the player of a player_points outcome)");
        }
        ow.record += " '" + *player + "'";
        const std::string side = need_text(o, "name", ow);
        if (side != "Over" && side != "Under") fail(ow, "name", "'" + side + "'", "expected Over or Under");
        auto price = opt_json_number(o, "price", ow);
        if (!price) fail(ow, "price", "", "missing field");
        // Every outcome's line is a JSON number (the first one seen is stored).
        const auto point = opt_json_number(o, "point", ow);
        auto it = row_of.find(*player);
        size_t r;
        if (it == row_of.end()) {
          if (!point) fail(ow, "point", "", "missing field");
          // A name has letters (legacy stored "123" as a name and lookup).
          const std::string lookup = checked_player_lookup(*player, ow, "description");
          r = out.add(Where{path, bw.record + " '" + *player + "'", w.date});
          row_of[*player] = r;
          players.emplace_back(r, ow);
          Table& t = out.rows;
          t.set(r, props::game_id, game_id);
          t.set(r, props::odds_api_event_id, s.event_id);
          t.set(r, props::game_date, game_date);
          t.set(r, props::game_start_time, s.commence.iso());
          t.set(r, props::home_team_abbr, s.home);
          t.set(r, props::away_team_abbr, s.away);
          t.set(r, props::snapshot_timestamp, snap->iso());
          if (!tag.empty()) t.set(r, props::snapshot_tag, tag);
          if (capture) t.set(r, props::capture_timestamp, capture->iso());
          // int() of a timedelta in minutes truncates toward zero.
          t.set(r, props::minutes_before_tipoff, (s.commence.epoch - snap->epoch) / 60);
          t.set(r, props::bookmaker, book);
          t.set(r, props::player_name, *player);
          t.set(r, props::player_lookup, lookup);
          t.set(r, props::points_line, *point);
          if (book_update) t.set(r, props::bookmaker_last_update, book_update->iso());
          t.set(r, props::source_file_path, path);
          t.set(r, props::data_source, historical ? "historical" : "current");
          t.set(r, props::processed_at, kLoadStamp);
        } else {
          r = it->second;
        }
        const ColumnId price_col = side == "Over" ? props::over_price : props::under_price;
        if (out.rows.col(price_col).get_real(r))
          fail(ow, "name", "'" + side + "'", "a second " + side + " outcome for this player");
        if (const auto kept = out.rows.col(props::points_line).get_real(r); point && kept && *point != *kept) {
          warn_line_differs(ow, side, *point, *kept);
        }
        out.rows.set(r, price_col, *price);
        if (*price > 1.0)
          out.rows.set(r, side == "Over" ? props::over_price_american : props::under_price_american, american(*price));
      }
      warn_one_sided(out.rows, players);
    }
  }
  return out;
}

Parsed parse_game_lines(const std::string& text, const std::string& path, const Schedule&) {
  static const TableSchema& schema = catalog::get("nba_raw.odds_api_game_lines");
  Parsed out(schema);
  const json root = parse_json(text, path);
  Where w{path, "(file)", ""};
  Snapshot s = unwrap(root, path, w);
  // Legacy: game_date = the Eastern date of commence_time (a 01:00Z tip is the
  // previous ET day).
  const Date game_date = eastern_date(s.commence);
  w.date = game_date.iso();
  const json& books = s.event->at("bookmakers");
  // Current files have no wrapper: the snapshot is the latest bookmaker/market
  // update (legacy), else the file name's capture time. (Legacy fell back to
  // "now", which is not reproducible.)
  std::optional<Instant> snap = s.timestamp;
  if (!snap) {
    for (const json& b : books) {
      auto u = instant_field(b, "last_update", w);
      if (u && (!snap || u->epoch > snap->epoch)) snap = u;
      if (auto mk = b.find("markets"); mk != b.end() && mk->is_array()) {
        for (const json& m : *mk) {
          auto mu = instant_field(m, "last_update", w);
          if (mu && (!snap || mu->epoch > snap->epoch)) snap = mu;
        }
      }
    }
  }
  if (!snap && !s.path.stamp.empty()) snap = parse_instant(s.path.stamp);
  if (!snap)
    fail(w, "timestamp", "",
         "no snapshot time (no wrapper timestamp, last_update or file-name "
         "stamp)");
  const bool historical = s.historical || path.find("game-lines-history") != std::string::npos;
  // Legacy: game_id was the Odds API event id here (and an NBA.com id or
  // YYYYMMDD_AWAY_HOME in the props table). Fixed: the standard
  // YYYYMMDD_AWAY_HOME in every table; the event id stays in the props table's
  // odds_api_event_id.
  const std::string game_id = standard_game_id(game_date, s.away, s.home);
  const std::string sport_key = opt_text(*s.event, "sport_key", w).value_or("basketball_nba");
  const std::string sport_title = opt_text(*s.event, "sport_title", w).value_or("NBA");

  for (size_t bi = 0; bi < books.size(); ++bi) {
    const json& b = books[bi];
    Where bw{path, "event " + s.event_id + " bookmakers[" + std::to_string(bi) + "]", w.date};
    const std::string book = need_text(b, "key", bw);
    bw.record += " " + book;
    const std::string title = opt_text(b, "title", bw).value_or(book);
    auto book_update = instant_field(b, "last_update", bw);
    const json& markets = need(b, "markets", bw);
    if (!markets.is_array()) fail(bw, "markets", json_preview(markets), "expected a list");
    if (!book_update && !markets.empty()) book_update = instant_field(markets[0], "last_update", bw);
    if (!book_update) book_update = snap;
    for (size_t mi = 0; mi < markets.size(); ++mi) {
      const json& m = markets[mi];
      Where mw{path, bw.record + " markets[" + std::to_string(mi) + "]", w.date};
      const std::string market = need_text(m, "key", mw);
      mw.record += " " + market;
      auto market_update = instant_field(m, "last_update", mw);
      if (!market_update) market_update = book_update;
      const json& outcomes = need(m, "outcomes", mw);
      if (!outcomes.is_array()) fail(mw, "outcomes", json_preview(outcomes), "expected a list");
      for (size_t oi = 0; oi < outcomes.size(); ++oi) {
        const json& o = outcomes[oi];
        Where ow{path, mw.record + " outcomes[" + std::to_string(oi) + "]", w.date};
        const std::string name = need_text(o, "name", ow);
        ow.record += " '" + name + "'";
        auto price = opt_json_number(o, "price", ow);
        if (!price) fail(ow, "price", "", "missing field");
        const auto point = opt_json_number(o, "point", ow);
        check_line_outcome(s, market, name, point, ow);
        const size_t r = out.add(ow);
        Table& t = out.rows;
        t.set(r, lines::snapshot_timestamp, snap->iso());
        if (s.previous) t.set(r, lines::previous_snapshot_timestamp, s.previous->iso());
        if (s.next) t.set(r, lines::next_snapshot_timestamp, s.next->iso());
        t.set(r, lines::game_id, game_id);
        t.set(r, lines::sport_key, sport_key);
        t.set(r, lines::sport_title, sport_title);
        t.set(r, lines::commence_time, s.commence.iso());
        t.set(r, lines::game_date, game_date);
        t.set(r, lines::home_team, s.home_name);
        t.set(r, lines::away_team, s.away_name);
        t.set(r, lines::home_team_abbr, s.home);
        t.set(r, lines::away_team_abbr, s.away);
        t.set(r, lines::bookmaker_key, book);
        t.set(r, lines::bookmaker_title, title);
        t.set(r, lines::bookmaker_last_update, book_update->iso());
        t.set(r, lines::market_key, market);
        t.set(r, lines::market_last_update, market_update->iso());
        t.set(r, lines::outcome_name, name);
        t.set(r, lines::outcome_price, *price);
        t.col(lines::outcome_point).set_real(r, point);
        t.set(r, lines::source_file_path, path);
        t.set(r, lines::data_source, historical ? "historical" : "current");
        t.set(r, lines::created_at, kLoadStamp);
        t.set(r, lines::processed_at, kLoadStamp);
      }
    }
  }
  return out;
}

}  // namespace nbaprops::importers::raw
