#include "upgc_history.hpp"

#include <algorithm>

namespace nbaprops::analytics::upgc {

void DaySource::add(const std::string* processed_at, const std::string* data_hash) {
  ++rows;
  if (processed_at == nullptr) return;
  std::string k = timestamp_key(*processed_at);
  if (processed != nullptr && k <= key) return;  // ties keep the first row
  key = std::move(k);
  processed = processed_at;
  hash = data_hash;
}

SourceStats SourceDays::over(Date from, Date to) const {
  SourceStats s;
  const DaySource* best = nullptr;
  for (auto it = days_.lower_bound(from.days()); it != days_.end() && it->first <= to.days(); ++it) {
    const DaySource& d = it->second;
    s.rows += d.rows;
    if (d.processed != nullptr && (best == nullptr || d.key > best->key)) best = &d;
  }
  if (best != nullptr) {
    s.last_updated = *best->processed;
    if (best->hash != nullptr) s.hash = *best->hash;
  }
  return s;
}

PropLine pick_prop_line(const std::vector<PropCand>& cands) {
  PropLine out;
  if (cands.empty()) return out;
  const std::string* best = &cands.front().book;
  for (const auto& c : cands) {
    if (bookmaker_before(c.book, *best)) best = &c.book;
  }
  const PropCand* cur = nullptr;
  const PropCand* open = nullptr;
  for (const auto& c : cands) {
    if (c.book != *best) continue;
    if (!cur || c.snap > cur->snap) cur = &c;
    if (!open || c.snap < open->snap) open = &c;
  }
  out.current = cur->line;
  out.opening = open->line;
  out.current_book = *best;
  out.opening_book = *best;
  return out;
}

namespace {

/// Minutes of a gamebook row: the "MM:SS" text, else minutes_decimal.
std::optional<double> row_minutes(const Column& text, const Column* decimal, size_t r) {
  std::optional<double> mins;
  if (!text.is_null(r)) mins = proc::parse_minutes(text.text_at(r));
  if (!mins) mins = proc::real_of(decimal, r);
  return mins;
}

/// A non-empty interned text cell, or nullptr.
const std::string* key_of(const Column& c, size_t r) {
  return c.is_null(r) || c.text_at(r).empty() ? nullptr : c.text_ptr(r);
}

}  // namespace

const GamebookHistory::Player* GamebookHistory::player(const std::string* lookup) const {
  auto it = players_.find(lookup);
  return it == players_.end() ? nullptr : &it->second;
}

void GamebookHistory::add_rows(const Table& gb, const std::vector<size_t>& rows) {
  const Column& date = gb.col("game_date");
  const Column& lookup = gb.col("player_lookup");
  const Column& team = gb.col("team_abbr");
  const Column& minutes = gb.col("minutes");
  const Column* decimal = proc::opt_col(gb, "minutes_decimal");
  const Column* points = proc::opt_col(gb, "points");
  const Column* processed = proc::opt_col(gb, "processed_at");
  const Column* hash = proc::opt_col(gb, "data_hash");
  for (size_t r : rows) {
    const Date d(static_cast<int32_t>(date.int_at(r)));
    days_.at(d).add(proc::text_of(processed, r), proc::text_of(hash, r));
    const std::string* who = key_of(lookup, r);
    if (who == nullptr) continue;
    Player& p = players_[who];
    if (p.row_dates.empty() || p.row_dates.back() != d) p.row_dates.push_back(d);
    const auto mins = row_minutes(minutes, decimal, r);
    if (!mins || *mins <= 0) continue;
    const std::string* tm = team.is_null(r) ? nullptr : team.text_ptr(r);
    if (!p.games.empty() && p.games.back().date == d) {
      // A second row of the date: the first one is the game; it only lends a
      // team when the first had none.
      if (p.games.back().team == nullptr) p.games.back().team = tm;
      continue;
    }
    p.games.push_back({d, *mins, proc::int_of(points, r), tm});
  }
}

const PropsHistory::Lines* PropsHistory::lines_of(const std::string* lookup) const {
  auto it = lines_.find(lookup);
  return it == lines_.end() ? nullptr : &it->second;
}

const PropLine* PropsHistory::line_on(const Lines* lines, Date d) {
  if (lines == nullptr) return nullptr;
  auto at = std::lower_bound(lines->begin(), lines->end(), d, [](const auto& e, Date x) { return e.first < x; });
  return at != lines->end() && at->first == d ? &at->second : nullptr;
}

void PropsHistory::add_rows(const Table& props, const std::vector<size_t>& rows) {
  const Column& date = props.col("game_date");
  const Column& lookup = props.col("player_lookup");
  const Column& line = props.col("points_line");
  const Column& snap = props.col("snapshot_timestamp");
  const Column& book = props.col("bookmaker");
  const Column* tip = proc::opt_col(props, "game_start_time");
  const Column* processed = proc::opt_col(props, "processed_at");
  const Column* hash = proc::opt_col(props, "data_hash");
  // A player plays at most once per date, so the date identifies the game
  // whatever game_id format the props carry (§0, §10.1).
  std::map<std::pair<const std::string*, int32_t>, std::vector<PropCand>> cands;
  for (size_t r : rows) {
    std::string snap_key = snap.is_null(r) ? std::string() : timestamp_key(snap.text_at(r));
    if (const std::string* t = proc::text_of(tip, r)) {
      const std::string tip_key = timestamp_key(*t);
      if (!tip_key.empty() && snap_key > tip_key) continue;  // after tip-off: not pre-game
    }
    const int32_t day = static_cast<int32_t>(date.int_at(r));
    days_.at(Date(day)).add(proc::text_of(processed, r), proc::text_of(hash, r));
    const std::string* who = key_of(lookup, r);
    if (who == nullptr || line.is_null(r)) continue;
    cands[{who, day}].push_back(
        {book.is_null(r) ? std::string() : book.text_at(r), std::move(snap_key), *line.get_real(r)});
  }
  // Each date is ingested once and after every earlier one: appending keeps a
  // player's lines in date order.
  for (const auto& [key, c] : cands) lines_[key.first].emplace_back(Date(key.second), pick_prop_line(c));
}

}  // namespace nbaprops::analytics::upgc
