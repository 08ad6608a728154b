#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/date.hpp"
#include "nbaprops/core/decimal.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/memory.hpp"
#include "nbaprops/core/sha256_batch.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/core/text_cursor.hpp"
#include "nbaprops/core/teams.hpp"
#include "nbaprops/processors/common.hpp"

#include <nlohmann/json.hpp>

using namespace nbaprops;

TEST(Date, CivilRoundTrip) {
  Date d = Date::from_ymd(2024, 2, 29);
  EXPECT_EQ(d.iso(), "2024-02-29");
  EXPECT_EQ(Date::parse("2024-02-29"), d);
  EXPECT_EQ(Date(0).iso(), "1970-01-01");
  EXPECT_EQ((d + 1).iso(), "2024-03-01");
  EXPECT_EQ(Date::parse("2024-03-01") - Date::parse("2023-03-01"), 366);
  EXPECT_EQ(d.compact(), "20240229");
  EXPECT_EQ(Date::parse("2024-01-15").iso_weekday(), 1);  // a Monday
}

TEST(Date, IsoAndCompactEqualPrintfForEveryDay1900To2100) {
  for (Date d = Date::from_ymd(1900, 1, 1); d <= Date::from_ymd(2100, 12, 31); d = d + 1) {
    char iso[16], compact[16];
    std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", d.year(), d.month(), d.day());
    std::snprintf(compact, sizeof compact, "%04d%02d%02d", d.year(), d.month(), d.day());
    ASSERT_EQ(d.iso(), iso);
    ASSERT_EQ(d.compact(), compact);
    ASSERT_EQ(Date::parse(d.iso()), d);
  }
}

// py_round formats with std::to_chars and parses with std::from_chars; the
// legacy-equivalent reference is printf("%.*f") + strtod (both exact). Same
// bits on random values of every magnitude, on exact decimal ties (2.675,
// 0.125) and on values around 2^52.
TEST(PyRound, BitIdenticalToPrintfAndStrtod) {
  const auto reference = [](double x, int n) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", n, x);
    double v = std::strtod(buf, nullptr);
    return v == 0.0 ? 0.0 : v;
  };
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-12, 60);
  for (int i = 0; i < 200000; ++i) {
    const double x = std::ldexp(unit(rng), exponent(rng));
    const int n = i % 7;
    ASSERT_EQ(std::bit_cast<uint64_t>(proc::py_round(x, n)), std::bit_cast<uint64_t>(reference(x, n)))
        << x << " to " << n;
  }
  // Decimal halves and their neighbours: the fast path must leave every
  // near-tie to the exact one.
  std::uniform_real_distribution<double> wide(-200.0, 200.0);
  for (int i = 0; i < 200000; ++i) {
    const int n = i % 5;
    const double p = std::pow(10.0, n);
    double x = (std::floor(wide(rng) * p) + 0.5) / p;
    if (i % 4 != 0) x = std::nextafter(x, (i % 8 == 2) ? 1e9 : -1e9);
    ASSERT_EQ(std::bit_cast<uint64_t>(proc::py_round(x, n)), std::bit_cast<uint64_t>(reference(x, n)))
        << x << " to " << n;
  }
  for (double x : {2.675, 0.125, -0.125, 0.5, 1.5, 2.5, -2.5, 1e-300, -0.0, 0x1p52 - 0.5, 0x1p52 + 1, 1e300}) {
    for (int n = 0; n < 6; ++n) EXPECT_EQ(proc::py_round(x, n), reference(x, n)) << x << " to " << n;
  }
  EXPECT_FALSE(std::signbit(proc::py_round(-0.001, 2)));  // no negative zero
  EXPECT_TRUE(std::isnan(proc::py_round(std::nan(""), 2)));
}

TEST(Date, ParseErrorsNameTheInput) {
  try {
    (void)Date::parse("2023-02-29", "--start-date");
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("--start-date"), std::string::npos);
    EXPECT_NE(m.find("2023-02-29"), std::string::npos);
    EXPECT_NE(m.find("no such day"), std::string::npos);
  }
  EXPECT_THROW((void)Date::parse("2024/01/15"), DataError);
  EXPECT_THROW((void)Date::parse("2024-1-15"), DataError);
  EXPECT_THROW((void)Date::parse("20x4-01-15"), DataError);
  EXPECT_THROW((void)Date::from_ymd(2024, 13, 1), DataError);
}

// try_parse is parse without the throw; try_parse_mdy reads what Python's
// strptime(text, "%m/%d/%Y") reads (the legacy's NBA.com date fields): one or
// two digits of month and day, exactly four of year, nothing around them.
TEST(Date, TryParseAndUsDatesAsStrptimeReadsThem) {
  EXPECT_EQ(Date::try_parse("2024-02-29"), Date::from_ymd(2024, 2, 29));
  for (const char* bad : {"2023-02-29", "2024-1-15", "2024/01/15", "20x4-01-15", "2024-01-15T", ""}) {
    EXPECT_EQ(Date::try_parse(bad), std::nullopt) << bad;
  }
  const Date jan4 = Date::from_ymd(2024, 1, 4);
  for (const char* ok : {"01/04/2024", "1/4/2024", "01/4/2024", "1/04/2024", "1/ 4/2024"}) {
    EXPECT_EQ(Date::try_parse_mdy(ok), jan4) << ok;
  }
  EXPECT_EQ(Date::try_parse_mdy("12/31/1999"), Date::from_ymd(1999, 12, 31));
  EXPECT_EQ(Date::try_parse_mdy("02/29/2024"), Date::from_ymd(2024, 2, 29));
  EXPECT_EQ(Date::try_parse_mdy("11-03-2023", '-'), Date::from_ymd(2023, 11, 3));
  // Refused: a two-digit year (sscanf's %d had read "01/04/24" as the year
  // 24) or five digits; anything before the month or after the year; a sign;
  // three digits of month; an empty field; no such day; another separator; a
  // space anywhere but before a one-digit day (strptime's %m takes none).
  for (const char* bad :
       {"01/04/24", "01/04/02024", "01/04/2024 ", "01/04/2024x", " 01/04/2024", "+1/04/2024", "001/04/2024", "1//2024",
        "/4/2024",  "13/01/2024",  "00/10/2024",  "02/30/2024",  "02/29/2023",  "04/00/2024", "01-04-2024",  "",
        "01/04",    "01/04/",      " 1/04/2024",  "01/ 04/2024", "01/4 /2024"}) {
    EXPECT_EQ(Date::try_parse_mdy(bad), std::nullopt) << "'" << bad << "'";
  }
  EXPECT_EQ(Date::try_parse_mdy("01/04/2024", '-'), std::nullopt);
}

TEST(Date, SeasonRule) {
  EXPECT_EQ(season_of(Date::parse("2024-06-15")), 2023);
  EXPECT_EQ(season_of(Date::parse("2024-10-01")), 2024);
  EXPECT_EQ(season_of(Date::parse("2024-09-30")), 2023);
  EXPECT_EQ(season_of(Date::parse("2021-12-22")), 2021);
}

TEST(Hash, Sha256KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, DataHashMatchesPythonJsonDumps) {
  // python: hashlib.sha256(json.dumps({"a": 1, "b": "x", "c": None, "d": 2.5,
  // "e": True,
  //          "f": "2024-01-15"}, sort_keys=True).encode()).hexdigest()[:16]
  const TableSchema& s = catalog::get("nba_analytics.team_offense_game_summary");
  Table t(s, {"team_abbr", "points_scored", "referee_crew_id", "ts_pct", "home_game", "game_date"});
  t.add_row();
  t.set(0, "team_abbr", "BOS");
  t.set(0, "points_scored", int64_t{110});
  t.set(0, "ts_pct", 0.5);
  t.set(0, "home_game", true);
  t.set(0, "game_date", Date::parse("2024-01-15"));
  std::string h =
      data_hash(t, 0, {"team_abbr", "points_scored", "referee_crew_id", "ts_pct", "home_game", "game_date"});
  // {"game_date": "2024-01-15", "home_game": true, "points_scored": 110,
  // "referee_crew_id": null, "team_abbr": "BOS", "ts_pct": 0.5}
  EXPECT_EQ(
      h,
      sha256_hex(
          R"({"game_date": "2024-01-15", "home_game": true, "points_scored": 110, "referee_crew_id": null, "team_abbr": "BOS", "ts_pct": 0.5})")
          .substr(0, 16));
  EXPECT_EQ(h.size(), 16u);
}

// fill_data_hash renders the rows' JSON side by side and hashes them in
// batches (sha256_hex16_rows): a table of a few rows (hashed in the caller's
// thread) and one of many (in parallel blocks), each with rows of very
// different lengths, get every row's own data_hash.
TEST(Hash, FillingTheDataHashEqualsEachRowsOwn) {
  const TableSchema& s = catalog::get("nba_analytics.team_offense_game_summary");
  const std::vector<std::string> fields = {"team_abbr", "points_scored", "ts_pct", "home_game", "game_date"};
  for (size_t n : {size_t{40}, size_t{150}}) {
    Table t(s);
    for (size_t i = 0; i < n; ++i) {
      const size_t r = t.add_row();
      t.set(r, "team_abbr", std::string(i % 7 == 3 ? 3000 : 3, static_cast<char>('A' + i % 26)));
      if (i % 5) t.set(r, "points_scored", static_cast<int64_t>(90 + i));
      t.set(r, "ts_pct", 0.001 * static_cast<double>(i));
      t.set(r, "home_game", i % 2 == 0);
      t.set(r, "game_date", Date::parse("2024-01-15") + static_cast<int>(i));
    }
    fill_data_hash(t, fields);
    for (size_t r = 0; r < n; ++r)
      EXPECT_EQ(*t.get_text(r, "data_hash"), data_hash(t, r, fields)) << n << " rows, row " << r;
  }
}

TEST(Hash, TheBufferedSixteenCharsAreTheStringOnes) {
  std::array<char, 16> out{};
  for (std::string_view s : {"", "abc", "{\"a\": 1}"}) {
    EXPECT_EQ(std::string(sha256_hex16(s, out)), sha256_hex16(s)) << s;
    EXPECT_EQ(sha256_hex16(s), sha256_hex(s).substr(0, 16)) << s;
  }
}

// The rows' data_hash is hashed kSha256BatchMax messages at a time (through
// the multi-buffer library when the build has it): every digest equals the
// one-by-one one, for messages of every length around SHA-256's 64-byte
// blocks and its 55/56-byte padding edge, in batches of every size, with
// messages of very different lengths side by side.
TEST(Hash, ABatchHashesEachMessageAsAlone) {
  std::mt19937 rng(11);
  std::vector<std::string> msgs;
  for (size_t len : {0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 500, 4096, 32768, 32769, 70000}) {
    std::string m(len, ' ');
    for (char& c : m) c = static_cast<char>(rng() & 0xff);
    msgs.push_back(std::move(m));
  }
  for (int i = 0; i < 200; ++i) {
    std::string m(rng() % 1200, ' ');
    for (char& c : m) c = static_cast<char>('a' + rng() % 26);
    msgs.push_back(std::move(m));
  }
  std::vector<std::array<char, 16>> out(kSha256BatchMax);
  std::vector<std::string_view> views;
  for (size_t batch = 1; batch <= kSha256BatchMax; ++batch) {
    for (size_t first = 0; first < msgs.size(); first += batch) {
      const size_t n = std::min(batch, msgs.size() - first);
      views.assign(msgs.begin() + static_cast<std::ptrdiff_t>(first),
                   msgs.begin() + static_cast<std::ptrdiff_t>(first + n));
      out.assign(kSha256BatchMax, std::array<char, 16>{});
      sha256_hex16_batch(views.data(), n, out.data());
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(std::string(out[i].data(), 16), sha256_hex16(msgs[first + i]))
            << "batch of " << batch << ", message " << first + i << " (" << msgs[first + i].size() << " bytes)";
      }
    }
  }
  std::vector<std::string_view> too_many(kSha256BatchMax + 1, "x");
  std::vector<std::array<char, 16>> room(kSha256BatchMax + 1);
  EXPECT_THROW(sha256_hex16_batch(too_many.data(), too_many.size(), room.data()), InternalError);
  const std::string engine(sha256_batch_engine());
  EXPECT_TRUE(engine == "sse" || engine == "avx2" || engine == "avx512" || engine == "openssl") << engine;
}

// The feature store writes its arrays with append_json_number_array and the
// readers parse them with parse_number_array; nlohmann is the reference for
// both (dump() wrote them before, nlohmann::json::parse read them).
TEST(JsonNumberArray, WritesExactlyWhatNlohmannDumpWrites) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> places(0, 9), len(0, 30), kind(0, 9);
  std::uniform_real_distribution<double> mag(-500.0, 500.0);
  std::uniform_int_distribution<uint64_t> bits;
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<double> v(static_cast<size_t>(len(rng)));
    for (double& x : v) {
      switch (kind(rng)) {
        case 0:  // any bit pattern: NaN, infinities, subnormals, huge and tiny values
          x = std::bit_cast<double>(bits(rng));
          break;
        case 1:
          x = kind(rng) < 5 ? 0.0 : -0.0;
          break;
        case 2:
          x = mag(rng) * 1e15;
          break;
        default:  // a rounded value, as the features are
          x = proc::py_round(mag(rng), places(rng));
      }
    }
    std::string ours;
    proc::append_json_number_array(ours, v.data(), v.size());
    ASSERT_EQ(ours, nlohmann::json(v).dump());
  }
  std::string twice = "x";
  const double one[] = {1.5};
  proc::append_json_number_array(twice, one, 1);
  EXPECT_EQ(twice, "x[1.5]");  // appends
}

// json_array writes plain items itself; nlohmann is the reference for every
// item, plain or not (quotes, backslashes, control and non-ASCII bytes).
TEST(JsonArray, WritesExactlyWhatNlohmannDumpWrites) {
  std::mt19937_64 rng(3);
  // Characters (UTF-8 sequences kept whole): plain ones and ones to escape.
  const std::vector<std::string> plain = {"a", "z", "_", " ", "-", "0", "9", "/", ":", ".", "{", "]", ","};
  const std::vector<std::string> other = {"\"", "\\", "\t", "\x01", "\x7f", "\xc3\xa9"};
  std::uniform_int_distribution<size_t> len(0, 12), count(0, 5), coin(0, 3);
  for (int trial = 0; trial < 5000; ++trial) {
    std::vector<std::string> items(count(rng));
    for (std::string& x : items) {
      const bool only_plain = coin(rng) != 0;  // mostly plain items, as the processors write
      for (size_t k = len(rng); k > 0; --k) {
        const auto& from = only_plain || coin(rng) != 0 ? plain : other;
        x += from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
      }
    }
    ASSERT_EQ(proc::json_array(items), nlohmann::json(items).dump());
  }
}

// Groups by key in key order, each key's values in their original order.
TEST(KeyGroups, EachKeyOnceInKeyOrderValuesInTheirOrder) {
  std::vector<std::pair<int, char>> items = {{3, 'a'}, {1, 'b'}, {3, 'c'}, {2, 'd'}, {1, 'e'}, {3, 'f'}};
  std::string seen;
  proc::for_each_key_group(items, std::less<>(), [&](int key, const std::vector<char>& values) {
    seen += std::to_string(key) + ":" + std::string(values.begin(), values.end()) + ";";
  });
  EXPECT_EQ(seen, "1:be;2:d;3:acf;");
  std::vector<std::pair<int, char>> none;
  proc::for_each_key_group(none, std::less<>(), [&](int, const std::vector<char>&) { FAIL() << "no groups"; });
}

// A JSON cell is hashed as its nlohmann re-serialisation (compact, ASCII); a
// compact array of plain strings and small integers is copied as it is.
TEST(Hash, JsonCellsHashAsTheirReserialisation) {
  const TableSchema& s = catalog::get("nba_analytics.player_game_summary");
  Table t(s, {"player_lookup", "quality_issues"});
  t.add_row();
  t.set(0, "player_lookup", "x");
  for (const char* text : {"[]",
                           "[\"a\"]",
                           "[\"a\",\"b c\"]",
                           "[1,22,333]",
                           "[\"a\",1]",
                           "[ ]",
                           "[\"a\", \"b\"]",
                           "[01]",
                           "[-0]",
                           "[-1]",
                           "[1.0]",
                           "[1e2]",
                           "[123456789012345678901]",
                           "[\"a\\u00e9\"]",
                           "[\"\xc3\xa9\"]",
                           "[\"a\\\"b\"]",
                           "[[1],[2]]",
                           "{\"k\": [1]}",
                           "[\"a\",]",
                           "[,]",
                           "[\"a\"",
                           "not json",
                           "[\"/\"]",
                           "[\"\"]",
                           "[true,null]"}) {
    SCOPED_TRACE(text);
    t.set(0, "quality_issues", std::string(text));
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    const std::string value =
        parsed.is_discarded() ? nlohmann::json(std::string(text)).dump(-1, ' ', true) : parsed.dump(-1, ' ', true);
    EXPECT_EQ(data_hash(t, 0, {"quality_issues"}), sha256_hex("{\"quality_issues\": " + value + "}").substr(0, 16));
  }
}

TEST(JsonNumberArray, ParsesWhatNlohmannParsesAndRefusesTheRest) {
  std::vector<double> out;
  auto same_as_nlohmann = [&](const std::string& text) {
    SCOPED_TRACE(text);
    ASSERT_TRUE(proc::parse_number_array(text, out));
    const auto j = nlohmann::json::parse(text);
    ASSERT_EQ(out.size(), j.size());
    for (size_t k = 0; k < out.size(); ++k) {
      if (j[k].is_null()) {
        EXPECT_TRUE(std::isnan(out[k]));
      } else {
        EXPECT_EQ(std::bit_cast<uint64_t>(out[k]), std::bit_cast<uint64_t>(j[k].get<double>())) << k;
      }
    }
  };
  for (const char* text : {"[]", " [ ] ", "[0]", "[-0]", "[-0.0]", "[1,2.5,-3e2,4E-1,null]", "[ 1 , null ,\t2\n]\r\n",
                           "[0.072727273,107.14,111.966]", "[12345678901234567890]", "[9007199254740993]",
                           "[1e308,2.2250738585072014e-308,5e-324]", "[0.1,0.2,0.30000000000000004]"}) {
    same_as_nlohmann(text);
  }
  // Round trips of random arrays as the feature store writes them.
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<uint64_t> bits;
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<double> v(25);
    for (double& x : v) x = std::bit_cast<double>(bits(rng));
    same_as_nlohmann(nlohmann::json(v).dump());
  }
  // Not a flat array of JSON numbers and nulls: refused (nlohmann then gives
  // the value or its error).
  for (const char* text :
       {"",    "[",     "]",       "[1,]",  "[,1]",   "[1 2]", "[01]", "[1.]", "[.5]", "[+1]",   "[1e]",
        "[-]", "[NaN]", "[\"1\"]", "[[1]]", "[true]", "[nul]", "{}",   "[1]x", "x[1]", "[1e999]"}) {
    EXPECT_FALSE(proc::parse_number_array(text, out)) << text;
  }
}

TEST(Catalog, LegacyTablesDeclared) {
  EXPECT_EQ(catalog::get("nba_analytics.team_offense_game_summary").columns.size(), 50u + 11u);
  EXPECT_EQ(catalog::get("nba_precompute.player_shot_zone_analysis").partition_column, "analysis_date");
  EXPECT_EQ(catalog::get("player_daily_cache").name, "nba_precompute.player_daily_cache");
  EXPECT_THROW((void)catalog::get("nba_analytics.nope"), ConfigError);
  size_t legacy_cols = 0;
  for (const auto& t : catalog::all()) {
    if (t.dataset() != "nba_orchestration" && t.name != "nba_raw.player_shot_zones" &&
        t.name != "nba_raw.team_shot_zones_allowed") {
      legacy_cols += t.columns.size();
    }
  }
  // 1,055 DDL columns + the 11 ALTER-added quality columns on the five Phase 3
  // tables, less the 4 that some CREATE statements already have, + the Phase 5
  // columns the legacy code writes outside the DDL (MLFS quality_tier,
  // predictions model_version, scoring_tier, tier_adjustment, adjusted_points).
  EXPECT_EQ(legacy_cols, 1055u + 5 * 11u - 4u + 5u);
}

// Every generated ColumnId names its catalogue column: the table's position in
// catalog::all() and the column's in its schema.
TEST(Catalog, GeneratedColumnIdsNameTheirColumns) {
  EXPECT_EQ(catalog::column(cols::player_shot_zone_analysis::data_hash).name, "data_hash");
  EXPECT_EQ(catalog::all()[cols::player_shot_zone_analysis::kTable].name, "nba_precompute.player_shot_zone_analysis");
  EXPECT_EQ(catalog::column(cols::run_ledger::finished_at).name, "finished_at");
  EXPECT_EQ(catalog::all()[cols::nbac_schedule::kTable].index_of("game_id"), cols::nbac_schedule::game_id.index);
  EXPECT_THROW((void)catalog::column(ColumnId{60000, 0}), InternalError);
}

// Table::col(ColumnId) maps a catalogue column to the table's own position (a
// projection's too), and refuses another table's column or one the projection
// lacks, naming both.
TEST(Table, ColumnIdsMapToTheProjectionAndRefuseOtherTables) {
  namespace pgs = cols::player_game_summary;
  Table full(catalog::get("nba_analytics.player_game_summary"));
  EXPECT_EQ(full.at(pgs::points), full.require("points"));
  Table proj(catalog::get("nba_analytics.player_game_summary"), {"points", "player_lookup"});
  EXPECT_EQ(proj.at(pgs::player_lookup), 1u);
  proj.resize(1);
  proj.set(0, pgs::points, int64_t{31});
  EXPECT_EQ(proj.get_int(0, pgs::points), 31);
  EXPECT_EQ(proj.get_int(0, "points"), 31);
  try {
    (void)proj.col(pgs::game_id);
    FAIL() << "a column the projection lacks";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("nba_analytics.player_game_summary.game_id is not in this table"),
              std::string::npos)
        << e.what();
  }
  Table other(catalog::get("nba_analytics.team_offense_game_summary"));
  try {
    (void)other.at(pgs::game_id);  // TOGS has a game_id, but this id is PGS's
    FAIL() << "another table's column id";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("table nba_analytics.team_offense_game_summary: catalogue column "
                                         "nba_analytics.player_game_summary.game_id"),
              std::string::npos)
        << e.what();
  }
}

TEST(Teams, TravelMiles) {
  EXPECT_EQ(teams().size(), 30u);
  EXPECT_EQ(*travel_miles("BOS", "BOS"), 0);
  int la_bos = *travel_miles("LAL", "BOS");
  EXPECT_NEAR(la_bos, 2600, 30);  // ~2,600 mi coast to coast
  EXPECT_EQ(*travel_miles("LAL", "LAC"), *travel_miles("LAC", "LAL"));
  EXPECT_FALSE(travel_miles("XXX", "BOS").has_value());
}

#include "nbaprops/core/names.hpp"

TEST(Names, PlayerLookup) {
  EXPECT_EQ(player_lookup("LeBron James Jr."), "lebronjamesjr");
  EXPECT_EQ(player_lookup("Nikola Jokić"), "nikolajokic");
  EXPECT_EQ(player_lookup("Luka Dončić"), "lukadoncic");
  EXPECT_EQ(player_lookup("Dāvis Bertāns"), "davisbertans");
  EXPECT_EQ(player_lookup("Jusuf Nurkić"), "jusufnurkic");
  EXPECT_EQ(player_lookup("Kristaps Porziņģis"), "kristapsporzingis");
  EXPECT_EQ(player_lookup("Shai Gilgeous-Alexander"), "shaigilgeousalexander");
  EXPECT_EQ(player_lookup("D'Angelo Russell"), "dangelorussell");
  EXPECT_EQ(player_lookup("Gary Trent Jr"), "garytrentjr");
  EXPECT_EQ(player_lookup("Marcus Morris Sr."), "marcusmorrissr");
  EXPECT_EQ(player_lookup("Jaren Jackson Jr. III"), "jarenjacksonjriii");
}

// python_float_repr lays the shortest digits out as Python's repr does:
// positional for decimal exponents -4 … 15, else scientific with at least two
// exponent digits (expected strings printed by CPython 3.11).
TEST(PythonFloatRepr, MatchesCPythonRepr) {
  const std::pair<double, const char*> cases[] = {
      {1e-4, "0.0001"},
      {5e-4, "0.0005"},
      {0.00012, "0.00012"},
      {1e5, "100000.0"},
      {1e10, "10000000000.0"},
      {1e15, "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {1e16, "1e+16"},
      {1.2345678901234567e16, "1.2345678901234568e+16"},
      {1e22, "1e+22"},
      {1.5e-5, "1.5e-05"},
      {1e-5, "1e-05"},
      {-2.5e-7, "-2.5e-07"},
      {0.1 + 0.2, "0.30000000000000004"},
      {123.45, "123.45"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {-7.0, "-7.0"},
  };
  for (const auto& [v, want] : cases) EXPECT_EQ(python_float_repr(v), want) << want;
}

// A TextCursor writes from the start of its buffer over the buffer's whole
// capacity, keeps what it wrote when a value makes the buffer grow, and gives
// back exactly the text written (not the buffer's size), whatever the buffer
// held before: a caller may clear and refill it between rows.
TEST(TextCursor, GrowsKeepingItsTextAndReusesTheBuffer) {
  std::string buf;
  std::string want;
  for (int round = 0; round < 3; ++round) {
    TextCursor out(buf);
    want.clear();
    for (size_t i = 0; i < 40; ++i) {
      const std::string piece(i * i * (round + 1), static_cast<char>('a' + i % 26));
      out.append(piece);
      out.append('|');
      char* p = out.room(kFloatReprMax);
      out.advance_to(write_python_float_repr(p, 0.25 * static_cast<double>(i)));
      append_python_float_repr(out, -1e-7 * static_cast<double>(i));
      const int64_t n = (i % 2 ? -1 : 1) * (int64_t{1} << (i + 20)) - static_cast<int64_t>(i);
      out.append_int(i == 39 ? std::numeric_limits<int64_t>::min() : n);
      want += piece + "|" + python_float_repr(0.25 * static_cast<double>(i)) +
              python_float_repr(-1e-7 * static_cast<double>(i)) +
              std::to_string(i == 39 ? std::numeric_limits<int64_t>::min() : n);
    }
    ASSERT_EQ(out.text(), want) << "round " << round;
    EXPECT_GE(buf.size(), want.size());
    buf.clear();  // another use between rows
    buf.append(static_cast<size_t>(round) * 1000, 'x');
  }
  std::string empty;
  TextCursor nothing(empty);
  nothing.append("");
  EXPECT_EQ(nothing.text(), "");
}

// append_python_float_repr's short path (values of at most four decimal
// places, laid out from their digits) writes what the shortest-digits path
// writes: decimals of every place count up to 6, both signs, small and near
// 2^50, values at the 1e-4 boundary, and random doubles of any exponent.
TEST(NearestInteger, IsNearbyintInTheDefaultRoundingMode) {
  // Ties to even, both signs, at and past the 2^51 bound of the inline path,
  // and what std::nearbyint does with NaN and the infinities.
  std::mt19937_64 rng(11);
  std::vector<double> values = {0.5,
                                1.5,
                                2.5,
                                -0.5,
                                -1.5,
                                -2.5,
                                0.49999999999999994,
                                1e-300,
                                -0.0,
                                0x1p51 - 0.5,
                                0x1p51,
                                0x1p51 + 1,
                                -0x1p51,
                                0x1p52 + 1,
                                1e300,
                                4503599627370495.5,
                                -4503599627370495.5};
  for (int i = 0; i < 100000; ++i) {
    values.push_back(static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000) / 8.0);
    values.push_back(std::bit_cast<double>(rng()));
  }
  for (double v : values) {
    const double want = std::nearbyint(v), got = nearest_integer(v);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << std::hexfloat << v;
    } else {
      EXPECT_EQ(got, want) << std::hexfloat << v;
    }
  }
  EXPECT_TRUE(std::isinf(nearest_integer(std::numeric_limits<double>::infinity())));
}

TEST(PythonFloatRepr, TheFewPlacesPathWritesTheShortestDigits) {
  std::mt19937_64 rng(20261205);
  std::vector<double> values = {1e-4,
                                std::nextafter(1e-4, 0.0),
                                std::nextafter(1e-4, 1.0),
                                0x1p50,
                                0x1p50 - 1,
                                0x1p50 + 2,
                                1e15,
                                1e15 + 1,
                                0.5,
                                0.1,
                                0.3,
                                2.675,
                                1.0 / 3.0,
                                100.0,
                                1e5};
  const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  for (int k = 0; k <= 6; ++k) {
    for (int i = 0; i < 20000; ++i) {
      const int64_t span = i % 3 == 0 ? 1000 : i % 3 == 1 ? 10000000 : (int64_t{1} << 50);
      const auto r = static_cast<int64_t>(rng() % static_cast<uint64_t>(span)) * (i % 2 ? -1 : 1);
      values.push_back(static_cast<double>(r) / pow10[k]);
    }
  }
  for (int i = 0; i < 100000; ++i) {
    const double v = std::bit_cast<double>(rng());
    if (std::isfinite(v)) values.push_back(v);
  }
  size_t short_path = 0;
  for (double v : values) {
    std::string got;
    append_python_float_repr(got, v);
    ASSERT_EQ(got, python_float_repr(v)) << std::hexfloat << v;
    if (std::fabs(v) >= 1e-4 && short_decimal(v, 4)) ++short_path;
  }
  EXPECT_GT(short_path, 60000u);  // the short path was taken (k ≤ 4 decimals)
  // short_decimal finds the fewest places.
  EXPECT_EQ(short_decimal(12.5, 4)->digits, 125);
  EXPECT_EQ(short_decimal(12.5, 4)->places, 1);
  EXPECT_EQ(short_decimal(-3.0, 4)->places, 0);
  EXPECT_FALSE(short_decimal(1.0 / 3.0, 9));
  EXPECT_FALSE(short_decimal(0x1p51, 0));  // too large to be sure
  // Its answer is the fewest places k <= max_places (and 9) whose digits,
  // the integer nearest v * 10^k while that is below 2^50, divide back to v:
  // the definition, tried place by place, on the same values at every bound.
  auto fewest = [](double x, int max_places) -> std::optional<ShortDecimal> {
    if (!std::isfinite(x)) return std::nullopt;
    for (int k = 0; k <= std::min(max_places, 9); ++k) {
      const double p = std::pow(10.0, k);
      if (!(std::fabs(x * p) < 0x1p50)) return std::nullopt;
      const double r = std::nearbyint(x * p);
      if (r / p == x) return ShortDecimal{static_cast<int64_t>(r), k};
    }
    return std::nullopt;
  };
  for (int bound = -1; bound <= 10; ++bound) {
    for (size_t i = 0; i < values.size(); i += 3) {
      const auto want = fewest(values[i], bound), got = short_decimal(values[i], bound);
      ASSERT_EQ(got.has_value(), want.has_value()) << std::hexfloat << values[i] << " at most " << bound;
      if (want) {
        ASSERT_EQ(got->digits, want->digits) << std::hexfloat << values[i] << " at most " << bound;
        ASSERT_EQ(got->places, want->places) << std::hexfloat << values[i] << " at most " << bound;
      }
    }
  }
}

namespace {
double resident_mb() { return static_cast<double>(resident_bytes()) / (1024.0 * 1024.0); }

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif
}  // namespace

TEST(Memory, ReleaseGivesAFinishedThreadsCellsBack) {
  // What a run leaves: table cells allocated and freed on a thread that is gone.
  if (kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer keeps freed memory in its quarantine";
  const double base = resident_mb();
  if (base <= 0) GTEST_SKIP() << "resident memory is unknown on this system";
  // Small cells (the scalable allocator's bins, ~110 MB) and texts (the C
  // heap, ~70 MB), touched, among which a few outlive the run (as interned
  // texts do), so that no heap shrinks by itself from its top.
  std::vector<std::string> survivors;
  std::thread([&survivors] {
    std::vector<Cells<int64_t>> cells;
    std::vector<std::string> texts;
    for (int i = 0; i < 30000; ++i) cells.emplace_back(64 + (i % 13) * 64, int64_t{i});
    for (int i = 0; i < 300000; ++i) {
      texts.emplace_back(200 + i % 50, 'x');
      if (i % 64 == 0) survivors.emplace_back(40, 'y');
    }
  }).join();
  const double held = resident_mb() - base;
  if (held < 32) GTEST_SKIP() << "the allocator gave the memory back by itself (" << held << " MB held)";
  release_free_memory();
  EXPECT_LT(resident_mb() - base, held / 2) << "held " << held << " MB before the release";
}

TEST(Memory, ReleaseOnlyAfterGrowth) {
  const size_t now = resident_bytes();
  if (now == 0) GTEST_SKIP() << "resident memory is unknown on this system";
  // A run that grew the process by less than the threshold keeps its pages.
  EXPECT_FALSE(release_free_memory_if_grown(now, size_t{1} << 30));
  // One that grew it by more (here: from 4 KB), or an unknown start, releases.
  EXPECT_TRUE(release_free_memory_if_grown(4096, 0));
  EXPECT_TRUE(release_free_memory_if_grown(0, size_t{1} << 30));
}

// The text pool's two lifetimes (table.hpp): pinned texts stay, cell texts go
// once no text Column or TextPoolUse exists. Each test runs in its own process
// (ctest), so no other test's columns are alive.

TEST(TextPool, CellTextsGoWhenNothingHoldsThemPinnedOnesStay) {
  const std::string* pinned = intern("pool-test-pinned");
  const std::string* cell = nullptr;
  const auto before = text_pool_stats();
  {
    Column c;
    c.resize(2);
    c.set_text(0, "pool-test-cell");
    c.set_text(1, "pool-test-pinned");  // already pinned: the same entry
    cell = c.text_ptr(0);
    EXPECT_EQ(c.text_ptr(1), pinned);
    EXPECT_EQ(intern_cell("pool-test-cell"), cell);  // equal text, equal pointer
    EXPECT_EQ(text_pool_stats().cells, before.cells + 1);
    EXPECT_EQ(reclaim_cell_texts(), 0u) << "a text column is alive";
    EXPECT_EQ(*c.text_ptr(0), "pool-test-cell");
  }
  EXPECT_GE(reclaim_cell_texts(), 1u);
  const auto after = text_pool_stats();
  EXPECT_EQ(after.cells, 0u);
  EXPECT_EQ(after.cell_bytes, 0u);
  EXPECT_GT(after.reclaims, before.reclaims);
  EXPECT_EQ(intern("pool-test-pinned"), pinned);
  EXPECT_EQ(*pinned, "pool-test-pinned");
  // Interned again, the text is a new entry with the right content.
  Column c;
  c.resize(1);
  c.set_text(0, "pool-test-cell");
  EXPECT_EQ(*c.text_ptr(0), "pool-test-cell");
  EXPECT_EQ(intern_cell("pool-test-cell"), c.text_ptr(0));
}

// unique_cell texts (row hashes, ids) skip the lookup: each is its own entry,
// with a cell's lifetime, and never the entry an interned equal text gets.
TEST(TextPool, UniqueCellTextsAreCellsWithoutALookup) {
  const auto before = text_pool_stats();
  {
    Column c;
    c.resize(3);
    c.set_unique_text(0, "pool-test-unique");
    c.set_unique_text(1, "pool-test-unique");
    c.set_text(2, "pool-test-unique");
    EXPECT_EQ(*c.text_ptr(0), "pool-test-unique");
    EXPECT_EQ(*c.text_ptr(1), "pool-test-unique");
    EXPECT_NE(c.text_ptr(0), c.text_ptr(1));  // no lookup: two entries
    EXPECT_NE(c.text_ptr(2), c.text_ptr(0));  // the indexed entry is a third
    EXPECT_EQ(intern_cell("pool-test-unique"), c.text_ptr(2));
    EXPECT_EQ(text_pool_stats().cells, before.cells + 3);
    EXPECT_EQ(text_pool_stats().cell_bytes, before.cell_bytes + 3 * std::string("pool-test-unique").size());
    EXPECT_EQ(reclaim_cell_texts(), 0u) << "a text column is alive";
  }
  EXPECT_GE(reclaim_cell_texts(), 3u);
  EXPECT_EQ(text_pool_stats().cells, 0u);
  // Pinning the text afterwards makes an indexed entry as usual.
  const std::string* pinned = intern("pool-test-unique");
  EXPECT_EQ(*pinned, "pool-test-unique");
  EXPECT_EQ(intern_cell("pool-test-unique"), pinned);
}

TEST(TextPool, ACellPinnedLaterKeepsItsAddressAcrossReclaims) {
  const std::string* first = nullptr;
  {
    Column c;
    c.resize(1);
    c.set_text(0, "pool-test-promoted");
    first = c.text_ptr(0);
    EXPECT_EQ(intern("pool-test-promoted"), first);  // pinned in place: cells already point to it
    c.set_text(0, "pool-test-neighbour");            // a cell in the same chunk
  }
  EXPECT_GE(reclaim_cell_texts(), 1u);
  EXPECT_EQ(*first, "pool-test-promoted");
  EXPECT_EQ(intern("pool-test-promoted"), first);
  EXPECT_EQ(intern_cell("pool-test-promoted"), first);
  EXPECT_EQ(reclaim_cell_texts(), 0u);  // nothing left to free
  EXPECT_EQ(intern_cell("pool-test-promoted"), first);
}

TEST(TextPool, ATextPoolUseOrAColumnAnywhereHoldsCellTexts) {
  {
    const TextPoolUse use;
    const std::string* p = intern_cell("pool-test-held");
    EXPECT_EQ(reclaim_cell_texts(), 0u);
    EXPECT_EQ(*p, "pool-test-held");
  }
  // A column alive in another thread holds them as well; copies and moves of
  // a column each hold until destroyed.
  std::optional<Column> kept;
  {
    Column c;
    c.resize(1);
    c.set_text(0, "pool-test-copied");
    kept.emplace(c);
    Column moved(std::move(c));
    EXPECT_EQ(reclaim_cell_texts(), 0u);
  }
  std::thread([&] { EXPECT_EQ(reclaim_cell_texts(), 0u); }).join();
  EXPECT_EQ(*kept->text_ptr(0), "pool-test-copied");
  kept.reset();
  EXPECT_GE(reclaim_cell_texts(), 2u);
  // A numeric column holds nothing.
  Column n(Storage::kInt);
  EXPECT_EQ(reclaim_cell_texts(), 0u);
  EXPECT_EQ(text_pool_stats().cells, 0u);
}

TEST(TextPool, ReclaimsRacingWithWritersNeverFreeALiveText) {
  // Writers fill columns while another thread keeps reclaiming: every text a
  // live column holds must read back intact (the sanitizer suite runs this
  // under AddressSanitizer).
  std::atomic<bool> stop{false};
  std::atomic<size_t> freed{0};
  std::thread reclaimer([&] {
    while (!stop.load()) freed += reclaim_cell_texts();
  });
  auto writer = [](int id) {
    for (int round = 0; round < 200; ++round) {
      Column c;
      c.resize(64);
      for (size_t r = 0; r < 64; ++r) c.set_text(r, "w" + std::to_string(id) + "-" + std::to_string(round * 64 + r));
      for (size_t r = 0; r < 64; ++r) {
        ASSERT_EQ(*c.text_ptr(r), "w" + std::to_string(id) + "-" + std::to_string(round * 64 + r));
      }
    }
  };
  std::thread a(writer, 1), b(writer, 2);
  a.join();
  b.join();
  stop = true;
  reclaimer.join();
  freed += reclaim_cell_texts();
  EXPECT_GT(freed.load(), 0u);
  EXPECT_EQ(text_pool_stats().cells, 0u);
}

TEST(TextPool, ABackgroundReclaimFreesThenRunsItsFollowUp) {
  std::atomic<bool> after{false};
  {
    Column c;
    c.resize(1);
    c.set_text(0, "pool-test-background");
  }
  reclaim_cell_texts_in_background([&] { after = true; });
  const auto st = text_pool_stats();  // waits for the job
  EXPECT_TRUE(after.load());
  EXPECT_EQ(st.cells, 0u);
}

TEST(Memory, BackgroundWorkRunsOneJobAtATimeAndFinishesBeforeAFork) {
  std::atomic<int> done{0};
  run_in_background([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    done = 1;
  });
  run_in_background([&] { done = done.load() == 1 ? 2 : -1; });  // waits for the first
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(done.load(), 2) << "fork() did not wait for the background job";
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  run_in_background([] { throw std::runtime_error("dropped"); });  // a throwing job ends quietly
  wait_for_background_work();
}
