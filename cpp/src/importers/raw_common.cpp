// Helpers shared by the raw (data-lake) importers.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/core/teams.hpp"
#include "nbaprops/importers/importers.hpp"
#include "json_input.hpp"
#include "raw_internal.hpp"

namespace nbaprops::importers::raw {

void fail(const Where& w, const std::string& field, const std::string& value, const std::string& problem) {
  std::string msg = w.file + ": ";
  if (!w.record.empty()) msg += "record " + w.record + ", ";
  msg += "field " + field;
  if (!value.empty()) msg += " = " + (value.size() > 80 ? value.substr(0, 80) + "…" : value);
  if (!w.date.empty()) msg += " (date " + w.date + ")";
  msg += ": " + problem;
  throw DataError(msg);
}

json parse_json(const std::string& text, const std::string& file) {
  try {
    return parse_json_limited(text, file);
  } catch (const json::parse_error& e) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      throw DataError(file + ": empty file (" + std::to_string(text.size()) + " bytes), not a JSON document");
    }
    throw DataError(file + ": malformed or truncated JSON (byte " + std::to_string(e.byte) + " of " +
                    std::to_string(text.size()) + ") " + plain_json_error(e));
  }
}

const json& need(const json& obj, const char* key, const Where& w) {
  if (!obj.is_object()) fail(w, key, json_preview(obj), "the record is not a JSON object");
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) fail(w, key, "", "missing field");
  return *it;
}

namespace {

template <class T>
std::optional<T> number_from_text(const std::string& s) {
  T v{};
  const char* b = s.data();
  const char* e = s.data() + s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(*b))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(e[-1]))) --e;
  if (b == e) return std::nullopt;
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e) return std::nullopt;
  return v;
}

const json* find_value(const json& obj, const char* key, const Where& w) {
  if (!obj.is_object()) fail(w, key, json_preview(obj), "the record is not a JSON object");
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

std::optional<int64_t> opt_int(const json& obj, const char* key, const Where& w) {
  const json* v = find_value(obj, key, w);
  if (!v) return std::nullopt;
  // An unsigned value above INT64_MAX would wrap to a negative number, a float
  // beyond ±2^53 is not an exact count: both are refused, never stored.
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    fail(w, key, json_preview(*v), "integer out of range");
  }
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) fail(w, key, json_preview(*v), "expected a whole number");
    if (std::fabs(d) > 9.0e15) fail(w, key, json_preview(*v), "integer out of range");
    return static_cast<int64_t>(d);
  }
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    if (s.empty() || s == "-") return std::nullopt;
    if (auto n = number_from_text<int64_t>(s)) return n;
    if (auto d = number_from_text<double>(s); d && std::isfinite(*d) && *d == std::floor(*d)) {
      fail(w, key, "'" + s + "'", "integer out of range");
    }
    fail(w, key, "'" + s + "'", "expected a whole number");
  }
  fail(w, key, json_preview(*v), "expected a whole number");
}

std::optional<double> opt_real(const json& obj, const char* key, const Where& w) {
  const json* v = find_value(obj, key, w);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    if (s.empty() || s == "-") return std::nullopt;
    if (auto n = number_from_text<double>(s)) return n;
    fail(w, key, "'" + s + "'", "expected a number");
  }
  fail(w, key, json_preview(*v), "expected a number");
}

std::optional<double> opt_json_number(const json& obj, const char* key, const Where& w) {
  const json* v = find_value(obj, key, w);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) fail(w, key, "'" + v->get<std::string>() + "'", "expected a JSON number, not text");
  fail(w, key, json_preview(*v), "expected a number");
}

std::optional<std::string> opt_text(const json& obj, const char* key, const Where& w) {
  const json* v = find_value(obj, key, w);
  if (!v) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number()) return v->dump();
  fail(w, key, json_preview(*v), "expected text");
}

std::string need_text(const json& obj, const char* key, const Where& w) {
  auto t = opt_text(obj, key, w);
  if (!t || t->empty()) fail(w, key, "", "missing field");
  return *t;
}

namespace {

/// The player-name rule of every importer: nullptr when @p lookup (a
/// player_lookup) names a player, else what is wrong with the name.
const char* player_name_problem(const std::string& lookup) {
  if (lookup.empty()) return "no letters or digits in the player name";
  if (std::none_of(lookup.begin(), lookup.end(), [](unsigned char c) { return std::isalpha(c); })) {
    return "a number, not a player name (no letters)";
  }
  return nullptr;
}

}  // namespace

std::string checked_player_lookup(const std::string& name, const Where& w, const std::string& field,
                                  const std::string& given) {
  std::string lookup = player_lookup(name);
  if (const char* problem = player_name_problem(lookup)) {
    fail(w, field, "'" + (given.empty() ? name : given) + "'", problem);
  }
  return lookup;
}

std::string checked_player_lookup(const std::string& name, const RowRef& at, const std::string& field) {
  std::string lookup = player_lookup(name);
  if (const char* problem = player_name_problem(lookup)) at.fail(field, name, problem);
  return lookup;
}

std::string team_code(const std::string& name_or_code) {
  std::string key;
  for (char c : name_or_code) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (key.empty()) return "";
  // Legacy: "la clippers" / "la lakers" are spelled out as "los angeles …"
  // before the look-up.
  if (key == "laclippers") key = "losangelesclippers";
  if (key == "lalakers") key = "losangeleslakers";
  for (const TeamInfo& t : teams()) {
    std::string full;
    for (char c : t.city + t.name) {
      if (std::isalnum(static_cast<unsigned char>(c)))
        full.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (t.tricode == "LAC") full = "losangelesclippers";  // teams() spells the city "LA"
    std::string code = t.tricode;
    std::transform(code.begin(), code.end(), code.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (key == full || key == code) return t.tricode;
  }
  return "";
}

std::string standard_game_id(Date d, const std::string& away, const std::string& home) {
  return d.compact() + "_" + away + "_" + home;
}

std::string Instant::iso() const {
  const int64_t days = epoch >= 0 ? epoch / 86400 : -((-epoch + 86399) / 86400);
  const int64_t sec = epoch - days * 86400;
  const Date d(static_cast<int32_t>(days));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", d.iso().c_str(), static_cast<int>(sec / 3600),
                static_cast<int>(sec / 60 % 60), static_cast<int>(sec % 60));
  return buf;
}

namespace {
bool digits(const std::string& s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<Instant> make_instant(int y, int mo, int d, int h, int mi, int s, int offset_minutes) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  Date day;
  try {
    day = Date::from_ymd(y, mo, d);
  } catch (const Error&) {
    return std::nullopt;
  }
  return Instant{int64_t{day.days()} * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + s - int64_t{offset_minutes} * 60};
}
}  // namespace

std::optional<Instant> parse_instant(const std::string& t) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  // File-name stamp YYYYMMDD_HHMMSS.
  if (t.size() >= 15 && t[8] == '_' && digits(t, 0, 4, y) && digits(t, 4, 2, mo) && digits(t, 6, 2, d) &&
      digits(t, 9, 2, h) && digits(t, 11, 2, mi) && digits(t, 13, 2, s)) {
    return make_instant(y, mo, d, h, mi, s, 0);
  }
  if (!(t.size() >= 10 && digits(t, 0, 4, y) && t[4] == '-' && digits(t, 5, 2, mo) && t[7] == '-' &&
        digits(t, 8, 2, d))) {
    return std::nullopt;
  }
  size_t p = 10;
  if (p < t.size() && (t[p] == 'T' || t[p] == ' ')) {
    if (!(digits(t, p + 1, 2, h) && t.size() > p + 3 && t[p + 3] == ':' && digits(t, p + 4, 2, mi)))
      return std::nullopt;
    p += 6;
    if (p < t.size() && t[p] == ':') {
      if (!digits(t, p + 1, 2, s)) return std::nullopt;
      p += 3;
    }
    if (p < t.size() && t[p] == '.') {
      ++p;
      while (p < t.size() && std::isdigit(static_cast<unsigned char>(t[p]))) ++p;
    }
  }
  int offset = 0;
  if (p < t.size()) {
    if (t[p] == 'Z' || t[p] == 'z') {
      ++p;
    } else if (t[p] == '+' || t[p] == '-') {
      int oh, om;
      if (!digits(t, p + 1, 2, oh)) return std::nullopt;
      size_t q = p + 3;
      if (q < t.size() && t[q] == ':') ++q;
      if (!digits(t, q, 2, om)) return std::nullopt;
      offset = (t[p] == '-' ? -1 : 1) * (oh * 60 + om);
      p = q + 2;
    }
  }
  if (p != t.size()) return std::nullopt;
  return make_instant(y, mo, d, h, mi, s, offset);
}

namespace {
/// The n-th (1-based) Sunday of a month.
Date nth_sunday(int year, int month, int n) {
  Date first = Date::from_ymd(year, month, 1);
  int offset = (7 - first.iso_weekday()) % 7;  // iso_weekday: Monday 1 … Sunday 7
  return first + (offset + 7 * (n - 1));
}
}  // namespace

Date eastern_date(Instant t) {
  const int64_t day = t.epoch >= 0 ? t.epoch / 86400 : -((-t.epoch + 86399) / 86400);
  const int year = Date(static_cast<int32_t>(day)).year();
  // US DST (since 2007): from the 2nd Sunday of March 02:00 EST (07:00 UTC) to
  // the 1st Sunday of November 02:00 EDT (06:00 UTC).
  const int64_t dst_start = int64_t{nth_sunday(year, 3, 2).days()} * 86400 + int64_t{7} * 3600;
  const int64_t dst_end = int64_t{nth_sunday(year, 11, 1).days()} * 86400 + int64_t{6} * 3600;
  const int64_t offset = (t.epoch >= dst_start && t.epoch < dst_end) ? -4 * 3600 : -5 * 3600;
  const int64_t local = t.epoch + offset;
  return Date(static_cast<int32_t>(local >= 0 ? local / 86400 : -((-local + 86399) / 86400)));
}

LakePath parse_lake_path(const std::string& path) {
  LakePath out;
  std::vector<std::string> seg;
  size_t b = 0;
  while (b <= path.size()) {
    size_t e = path.find('/', b);
    if (e == std::string::npos) e = path.size();
    if (e > b) seg.push_back(path.substr(b, e - b));
    b = e + 1;
  }
  if (seg.empty()) return out;
  out.file = seg.back();
  int y, mo, d;
  for (size_t i = 0; i + 1 < seg.size(); ++i) {
    const std::string& s = seg[i];
    // YYYY-MM-DD, or YYYYMMDD (the second is tried only when the first fails).
    std::optional<Date> date = Date::try_parse(s);
    if (!date && s.size() == 8 && digits(s, 0, 4, y) && digits(s, 4, 2, mo) && digits(s, 6, 2, d) && y > 1900) {
      try {
        date = Date::from_ymd(y, mo, d);
      } catch (const Error&) {
        date.reset();
      }
    }
    if (date) {
      out.date = date;
      if (i + 2 < seg.size()) out.group = seg[i + 1];
      break;
    }
  }
  if (out.file.size() >= 15 && out.file[8] == '_' && parse_instant(out.file.substr(0, 15)))
    out.stamp = out.file.substr(0, 15);
  return out;
}

LakeFile open_lake_file(const std::string& text, const std::string& path) {
  LakeFile f{parse_json(text, path), parse_lake_path(path), {}};
  f.w = Where{path, "(file)", f.lp.date ? f.lp.date->iso() : ""};
  return f;
}

void run_checks(const Table& t, const std::vector<Where>& where, const Checks& checks) {
  for (const Range& rg : checks.ranges) {
    const Column& c = t.col(rg.column);
    for (size_t r = 0; r < t.num_rows(); ++r) {
      auto v = c.get_real(r);
      if (!v) continue;
      if (!std::isfinite(*v) || *v < rg.min || *v > rg.max) {
        char range[96];
        std::snprintf(range, sizeof range, "outside the plausible range [%g, %g]", rg.min, rg.max);
        fail(where[r], rg.column, t.cell_text(r, static_cast<size_t>(t.require(rg.column))), range);
      }
    }
  }
  for (const auto& [made, attempted] : checks.made_attempted) {
    const Column& m = t.col(made);
    const Column& a = t.col(attempted);
    for (size_t r = 0; r < t.num_rows(); ++r) {
      auto mv = m.get_int(r), av = a.get_int(r);
      if (mv && av && *mv > *av) {
        fail(where[r], made, std::to_string(*mv), std::string("more than ") + attempted + " = " + std::to_string(*av));
      }
    }
  }
}

const Game* find_game(const Schedule& s, Date date, const std::string& away, const std::string& home) {
  for (const Game* g : s.all_games_on(date)) {
    if (g->away == away && g->home == home) return g;
  }
  return nullptr;
}

const Game* find_game_by_id(const Schedule& s, const std::string& nba_game_id, std::optional<Date> date) {
  auto strip = [](const std::string& id) {
    size_t i = id.find_first_not_of('0');
    return i == std::string::npos ? std::string() : id.substr(i);
  };
  const std::string want = strip(nba_game_id);
  if (want.empty()) return nullptr;
  if (date) {
    for (const Game* g : s.all_games_on(*date)) {
      if (strip(g->nba_game_id) == want) return g;
    }
  }
  for (const Game& g : s.games()) {
    if (strip(g.nba_game_id) == want) return &g;
  }
  return nullptr;
}

bool is_exhibition(const Game* g) { return g && (g->type == GameType::kPreseason || g->type == GameType::kAllStar); }

bool is_exhibition_game(const Schedule& s, Date date, const std::string& away, const std::string& home) {
  if (is_exhibition_tricode(away) || is_exhibition_tricode(home)) return true;
  const auto games = s.all_games_on(date);
  return !games.empty() && std::all_of(games.begin(), games.end(), [](const Game* g) { return is_exhibition(g); });
}

}  // namespace nbaprops::importers::raw
