#include "upgc_history.hpp"

#include <algorithm>
#include <functional>

#include "nbaprops/core/catalog_columns.hpp"

namespace nbaprops::analytics::upgc {

void DaySource::add(const std::string* processed_at, const std::string* data_hash) {
  ++rows;
  if (processed_at == nullptr) return;
  const TimestampKey k(*processed_at);
  if (processed != nullptr && k <= key) return;  // ties keep the first row
  key = k;
  processed = processed_at;
  hash = data_hash;
}

SourceStats source_over(std::span<const DaySource* const> days) {
  SourceStats s;
  const DaySource* best = nullptr;
  for (const DaySource* d : days) {
    s.rows += d->rows;
    if (d->processed != nullptr && (best == nullptr || d->key > best->key)) best = d;
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
  std::string_view best = cands.front().book;
  for (const auto& c : cands) {
    if (bookmaker_before(c.book, best)) best = c.book;
  }
  const PropCand* cur = nullptr;
  const PropCand* open = nullptr;
  for (const auto& c : cands) {
    if (c.book != best) continue;
    if (!cur || c.snap > cur->snap) cur = &c;
    if (!open || c.snap < open->snap) open = &c;
  }
  out.current = cur->line;
  out.opening = open->line;
  out.current_book = best;
  out.opening_book = best;
  return out;
}

namespace {

namespace gbps = cols::nbac_gamebook_player_stats;
namespace oprops = cols::odds_api_player_points_props;

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

/// The element of @p v (sorted by its .first or .lookup pointer) for @p key,
/// or nullptr.
template <class Vec, class KeyOf>
auto find_sorted(const Vec& v, const std::string* key, KeyOf key_of) -> decltype(&v.front()) {
  auto it = std::lower_bound(v.begin(), v.end(), key,
                             [&](const auto& e, const std::string* k) { return std::less<>()(key_of(e), k); });
  return it != v.end() && key_of(*it) == key ? &*it : nullptr;
}

}  // namespace

GamebookDay::GamebookDay(const Table& gb, const std::vector<size_t>& rows) {
  const Column& lookup = gb.col(gbps::player_lookup);
  const Column& team = gb.col(gbps::team_abbr);
  const Column& minutes = gb.col(gbps::minutes);
  const Column* decimal = proc::opt_col(gb, "minutes_decimal");
  const Column* points = proc::opt_col(gb, "points");
  const Column* processed = proc::opt_col(gb, "processed_at");
  const Column* hash = proc::opt_col(gb, "data_hash");
  std::unordered_map<const std::string*, size_t> index;  // lookup → players
  for (size_t r : rows) {
    source.add(proc::text_of(processed, r), proc::text_of(hash, r));
    const std::string* who = key_of(lookup, r);
    if (who == nullptr) continue;
    const auto [at, added] = index.try_emplace(who, players.size());
    if (added) players.push_back({.lookup = who});
    Entry& e = players[at->second];
    const auto mins = row_minutes(minutes, decimal, r);
    if (!mins || *mins <= 0) continue;
    const std::string* tm = team.is_null(r) ? nullptr : team.text_ptr(r);
    if (e.played) {
      // A second row of the date: the first one is the game; it only lends a
      // team when the first had none.
      if (e.team == nullptr) e.team = tm;
      continue;
    }
    e.played = true;
    e.minutes = *mins;
    e.points = proc::int_of(points, r);
    e.team = tm;
  }
  std::sort(players.begin(), players.end(),
            [](const Entry& a, const Entry& b) { return std::less<>()(a.lookup, b.lookup); });
}

const GamebookDay::Entry* GamebookDay::find(const std::string* lookup) const {
  return find_sorted(players, lookup, [](const Entry& e) { return e.lookup; });
}

PropsDay::PropsDay(const Table& props, const std::vector<size_t>& rows) {
  const Column& lookup = props.col(oprops::player_lookup);
  const Column& line = props.col(oprops::points_line);
  const Column& snap = props.col(oprops::snapshot_timestamp);
  const Column& book = props.col(oprops::bookmaker);
  const Column* tip = proc::opt_col(props, "game_start_time");
  const Column* processed = proc::opt_col(props, "processed_at");
  const Column* hash = proc::opt_col(props, "data_hash");
  // A player plays at most once per date, so the date identifies the game
  // whatever game_id format the props carry (§0, §10.1).
  // (player, candidate) in row order, grouped by player below (each player's
  // candidates stay in row order).
  std::vector<std::pair<const std::string*, PropCand>> cands;
  for (size_t r : rows) {
    const TimestampKey snap_key = snap.is_null(r) ? TimestampKey() : TimestampKey(snap.text_at(r));
    if (const std::string* t = proc::text_of(tip, r)) {
      const TimestampKey tip_key(*t);
      if (!tip_key.empty() && snap_key > tip_key) continue;  // after tip-off: not pre-game
    }
    source.add(proc::text_of(processed, r), proc::text_of(hash, r));
    const std::string* who = key_of(lookup, r);
    if (who == nullptr || line.is_null(r)) continue;
    cands.emplace_back(who,
                       PropCand{book.is_null(r) ? std::string_view() : book.text_at(r), snap_key, *line.get_real(r)});
  }
  proc::for_each_key_group(cands, std::less<>(), [&](const std::string* who, const std::vector<PropCand>& c) {
    lines.emplace_back(who, pick_prop_line(c));  // in key order
  });
}

const PropLine* PropsDay::line_of(const std::string* lookup) const {
  const auto* e = find_sorted(lines, lookup, [](const auto& x) { return x.first; });
  return e == nullptr ? nullptr : &e->second;
}

}  // namespace nbaprops::analytics::upgc
