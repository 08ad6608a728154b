// BigQuery backend without a server: URI options, schema mapping, the NDJSON
// writer and the REST row reader (round trip of every type), HTTP helpers.
#include <gtest/gtest.h>

#include <cmath>

#include "io/http.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/warehouse/bigquery_warehouse.hpp"
#include "warehouse/bigquery_internal.hpp"

using namespace nbaprops;

namespace {

/// What BigQuery's REST API answers for NDJSON rows it stored: every scalar as
/// a string (TIMESTAMP as int64 microseconds), NULL as null, arrays as [{"v":
/// …}].
nlohmann::json as_rest_rows(const std::string& ndjson, const Table& like) {
  nlohmann::json rows = nlohmann::json::array();
  size_t pos = 0;
  while (pos < ndjson.size()) {
    const size_t nl = ndjson.find('\n', pos);
    auto obj = nlohmann::json::parse(ndjson.substr(pos, nl - pos));
    pos = nl + 1;
    nlohmann::json f = nlohmann::json::array();
    for (size_t i = 0; i < like.num_columns(); ++i) {
      const std::string& name = like.column_names()[i];
      if (!obj.contains(name)) {
        f.push_back({{"v", like.def(i).type == ColumnType::kArray ? nlohmann::json::array() : nlohmann::json()}});
        continue;
      }
      const auto& v = obj[name];
      if (v.is_array()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& e : v) arr.push_back({{"v", e.is_string() ? e.get<std::string>() : e.dump()}});
        f.push_back({{"v", arr}});
      } else if (like.def(i).type == ColumnType::kTimestamp) {
        f.push_back(
            {{"v", v.get<std::string>() == "2024-01-15T19:30:00.250000Z" ? "1705347000250000" : "1705347000000000"}});
      } else if (like.def(i).type == ColumnType::kJson) {
        f.push_back({{"v", v.dump()}});
      } else {
        f.push_back({{"v", v.is_string() ? v.get<std::string>() : v.dump()}});
      }
    }
    rows.push_back({{"f", f}});
  }
  return rows;
}

}  // namespace

TEST(BigQueryOptions, ParsesEveryKeyAndDecodes) {
  auto o = BigQueryOptions::parse(
      "bigquery://"
      "my-proj?location=EU&dataset_prefix=dev_&dataset_suffix=_x&endpoint=http%"
      "3A%2F%2F127.0.0.1%3A9050%2F"
      "&auth=none&write_mode=truncate&max_attempts=3&backoff_ms=5&timeout_s=7&"
      "page_rows=100");
  EXPECT_EQ(o.project, "my-proj");
  EXPECT_EQ(o.location, "EU");
  EXPECT_EQ(o.dataset_prefix, "dev_");
  EXPECT_EQ(o.dataset_suffix, "_x");
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:9050");
  EXPECT_EQ(o.auth, "none");
  EXPECT_EQ(o.write_mode, BigQueryWriteMode::kPartitionTruncate);
  EXPECT_EQ(o.max_attempts, 3);
  EXPECT_EQ(o.initial_backoff.count(), 5);
  EXPECT_EQ(o.timeout.count(), 7000);
  EXPECT_EQ(o.page_rows, 100);
  auto d = BigQueryOptions::parse("bigquery://p");
  EXPECT_EQ(d.location, "US");
  EXPECT_EQ(d.write_mode, BigQueryWriteMode::kTransaction);
  EXPECT_THROW(BigQueryOptions::parse("bigquery://"), ConfigError);
  EXPECT_THROW(BigQueryOptions::parse("bigquery://p?page_rows=0"), ConfigError);
  EXPECT_THROW(BigQueryOptions::parse("bigquery://p?write_mode=merge"), ConfigError);
  EXPECT_THROW(BigQueryOptions::parse("bigquery://p?token=abc"), ConfigError);
  EXPECT_EQ(d.inline_cells, 100);
  EXPECT_EQ(BigQueryOptions::parse("bigquery://p?inline_cells=0").inline_cells, 0);
  EXPECT_EQ(BigQueryOptions::parse("bigquery://p?inline_cells=7").inline_cells, 7);
  EXPECT_THROW(BigQueryOptions::parse("bigquery://p?inline_cells=-1"), ConfigError);
}

TEST(BigQueryRows, InlineValuesAreTypedLiteralsOrRefused) {
  const TableSchema& pgs = catalog::get("nba_analytics.player_game_summary");
  Table t(pgs,
          {"player_lookup", "game_date", "points", "minutes_played", "processed_at", "is_active", "quality_score"});
  t.resize(2);
  t.set(0, "player_lookup", std::string("o'neal \\ \"shaq\"\nü"));
  t.set(0, "game_date", Date::parse("2024-01-15"));
  t.set(0, "points", int64_t{-12});
  t.set(0, "minutes_played", 1.0 / 3.0);
  t.set(0, "processed_at", std::string("2024-01-15T19:30:00.250000Z"));
  t.set(0, "is_active", true);
  t.set(0, "quality_score", 3.0);
  t.set(1, "player_lookup", std::string("b"));
  t.set(1, "game_date", Date::parse("2024-01-16"));
  t.set(1, "is_active", false);
  t.set(1, "quality_score", 0.1 + 0.2);
  EXPECT_EQ(bq::to_sql_values(t, 14).value(),
            "('o\\'neal \\\\ \"shaq\"\\nü', DATE '2024-01-15', -12, NUMERIC '0.333333333', "
            "TIMESTAMP '2024-01-15T19:30:00.250000Z', TRUE, 3.0),\n"
            "('b', DATE '2024-01-16', NULL, NULL, NULL, FALSE, 0.30000000000000004)");
  EXPECT_FALSE(bq::to_sql_values(t, 13)) << "more cells than allowed";
  EXPECT_FALSE(bq::to_sql_values(Table(pgs, {"player_lookup"}), 100)) << "no rows";
  t.set(1, "quality_score", HUGE_VAL);
  EXPECT_FALSE(bq::to_sql_values(t, 100)) << "no plain literal for infinity";
  t.set(1, "quality_score", 1.0);
  t.set(1, "player_lookup", std::string("tab\there"));
  EXPECT_FALSE(bq::to_sql_values(t, 100)) << "control characters go through a load job";
  Table a(pgs, {"quality_issues"});
  a.resize(1);
  a.set(0, "quality_issues", std::string("[]"));
  EXPECT_FALSE(bq::to_sql_values(a, 100)) << "arrays go through a load job";
}

TEST(BigQueryWarehouse, DatasetNamesAndUriHoldNoSecret) {
  BigQueryOptions o = BigQueryOptions::parse("bigquery://p?dataset_prefix=a_&dataset_suffix=_b&auth=none");
  BigQueryWarehouse wh(o);
  EXPECT_EQ(wh.dataset_of(catalog::get("nba_raw.nbac_schedule")), "a_nba_raw_b");
  EXPECT_EQ(wh.uri(), "bigquery://p?location=US&dataset_prefix=a_&dataset_suffix=_b");
  EXPECT_EQ(wh.request_count(), 0);
}

TEST(BigQuerySchema, TypesMappedExactly) {
  const TableSchema& pgs = catalog::get("nba_analytics.player_game_summary");
  auto fields = bq::schema_fields(pgs, {}, false);
  ASSERT_EQ(fields.size(), pgs.columns.size());
  auto field = [&](const nlohmann::json& fs, const std::string& name) {
    for (const auto& f : fs) {
      if (f["name"] == name) return f;
    }
    return nlohmann::json();
  };
  EXPECT_EQ(field(fields, "minutes_played")["type"], "NUMERIC");
  EXPECT_EQ(field(fields, "minutes_played")["precision"], "5");
  EXPECT_EQ(field(fields, "minutes_played")["scale"], "1");
  EXPECT_EQ(field(fields, "game_date")["type"], "DATE");
  EXPECT_EQ(field(fields, "game_date")["mode"], "REQUIRED");
  EXPECT_EQ(field(fields, "processed_at")["type"], "TIMESTAMP");
  EXPECT_EQ(field(fields, "points")["type"], "INT64");
  EXPECT_EQ(field(fields, "quality_metadata")["type"], "JSON");
  EXPECT_EQ(field(fields, "quality_issues")["mode"], "REPEATED");
  EXPECT_EQ(field(fields, "quality_issues")["type"], "STRING");
  // Staging tables: every field nullable (our validation decides), projection
  // order kept.
  auto staged = bq::schema_fields(pgs, {"points", "game_date"}, true);
  ASSERT_EQ(staged.size(), 2u);
  EXPECT_EQ(staged[1]["name"], "game_date");
  EXPECT_EQ(staged[1]["mode"], "NULLABLE");
  const TableSchema& mlfs = catalog::get("nba_predictions.ml_feature_store_v2");
  auto mf = bq::schema_fields(mlfs, {"features", "feature_names"}, false);
  EXPECT_EQ(mf[0]["type"], "FLOAT64");
  EXPECT_EQ(mf[0]["mode"], "REPEATED");
  EXPECT_EQ(mf[1]["type"], "STRING");
  // A BOOL and a FLOAT64 column somewhere in the catalog.
  bool saw_bool = false, saw_float = false;
  for (const auto& t : catalog::all()) {
    for (const auto& f : bq::schema_fields(t, {}, false)) {
      saw_bool |= f["type"] == "BOOL";
      saw_float |= f["type"] == "FLOAT64" && f["mode"] != "REPEATED";
    }
  }
  EXPECT_TRUE(saw_bool && saw_float);
}

// The stored table's fields (tables.get) are compared with the catalog in one
// vocabulary: every field this version creates reads back as its column's
// type, whatever names the API answers with (the legacy INTEGER, FLOAT,
// BOOLEAN); ALTER TABLE … ADD COLUMN gets the precision and the array's element.
TEST(BigQuerySchema, StoredFieldsReadInTheCatalogsTypes) {
  for (const auto& t : catalog::all()) {
    const auto fields = bq::schema_fields(t, {}, false);
    for (size_t i = 0; i < t.columns.size(); ++i) {
      EXPECT_EQ(bq::stored_field_type(fields[i]), bq::column_type(t.columns[i])) << t.name << "." << t.columns[i].name;
    }
  }
  EXPECT_EQ(bq::stored_field_type({{"name", "a"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}}), "INT64");
  EXPECT_EQ(bq::stored_field_type({{"name", "a"}, {"type", "FLOAT"}, {"mode", "REPEATED"}}), "ARRAY<FLOAT64>");
  EXPECT_EQ(bq::stored_field_type({{"name", "a"}, {"type", "BOOLEAN"}}), "BOOL");
  const TableSchema& pgs = catalog::get("nba_analytics.player_game_summary");
  EXPECT_EQ(bq::column_ddl_type(pgs.column("minutes_played")), "NUMERIC(5, 1)");
  EXPECT_EQ(bq::column_ddl_type(pgs.column("quality_issues")), "ARRAY<STRING>");
  EXPECT_EQ(bq::column_ddl_type(pgs.column("points")), "INT64");
  EXPECT_EQ(bq::column_ddl_type(catalog::get("nba_predictions.ml_feature_store_v2").column("features")),
            "ARRAY<FLOAT64>");
}

TEST(BigQueryRows, NdjsonAndRestRowsRoundTripEveryType) {
  const TableSchema& pgs = catalog::get("nba_analytics.player_game_summary");
  Table t(pgs, {"player_lookup", "game_date", "points", "minutes_played", "processed_at", "quality_metadata",
                "quality_issues", "is_active", "quality_score"});
  ASSERT_EQ(t.def(7).type, ColumnType::kBool);
  ASSERT_EQ(t.def(8).type, ColumnType::kFloat64);
  t.resize(3);
  t.set(0, "player_lookup", std::string("o'neal \"shaq\" ü"));
  t.set(0, "game_date", Date::parse("2024-01-15"));
  t.set(0, "points", int64_t{-9007199254740993});
  t.set(0, "minutes_played", 34.5);
  t.set(0, "processed_at", std::string("2024-01-15T19:30:00.250000Z"));
  t.set(0, "quality_metadata", std::string("{\"early_season\":false,\"sources_used\":[\"a\"]}"));
  t.set(0, "quality_issues", std::string("[\"x\",\"y\"]"));
  t.set(0, "is_active", true);
  t.set(0, "quality_score", 0.1 + 0.2);
  t.set(1, "player_lookup", std::string("b"));
  t.set(1, "game_date", Date::parse("2024-01-16"));
  t.set(1, "processed_at", std::string("2024-01-15T19:30:00Z"));
  t.set(1, "quality_issues", std::string("[]"));
  t.set(1, "is_active", false);
  t.set(1, "quality_score", 1e-300);
  t.set(2, "player_lookup", std::string("c"));
  t.set(2, "game_date", Date::parse("2024-01-16"));
  t.set(2, "minutes_played",
        1.0 / 3.0);  // more digits than NUMERIC's 9: rounded to 9
  const std::string nd = bq::to_ndjson(t, 0, 3);
  EXPECT_NE(nd.find("\"minutes_played\":\"34.5\""), std::string::npos) << nd;
  EXPECT_NE(nd.find("\"minutes_played\":\"0.333333333\""), std::string::npos) << nd;
  EXPECT_NE(nd.find("\"quality_score\":0.30000000000000004"), std::string::npos) << nd;
  EXPECT_EQ(nd.find("\"points\":null"), std::string::npos) << "NULL is an absent key";

  Table back(pgs, t.column_names());
  bq::append_rows(back, as_rest_rows(nd, t));
  ASSERT_EQ(back.num_rows(), 3u);
  for (size_t r = 0; r < 2; ++r) {
    for (size_t c = 0; c < t.num_columns(); ++c) {
      EXPECT_EQ(back.cell_text(r, c), t.cell_text(r, c)) << "row " << r << " column " << t.column_names()[c];
    }
  }
  EXPECT_DOUBLE_EQ(*back.get_real(2, "minutes_played"), 0.333333333);
  EXPECT_EQ(*back.get_real(0, "quality_score"), 0.1 + 0.2);  // FLOAT64 bit-exact
  EXPECT_TRUE(back.col("points").is_null(1));
}

TEST(BigQueryRows, FloatArraysAndSpecialFloats) {
  const TableSchema& mlfs = catalog::get("nba_predictions.ml_feature_store_v2");
  Table t(mlfs, {"features", "feature_names"});
  t.resize(1);
  t.set(0, "features", std::string("[12.5,3.0,0.1]"));
  t.set(0, "feature_names", std::string("[\"a\",\"b\",\"c\"]"));
  const std::string nd = bq::to_ndjson(t, 0, 1);
  Table back(mlfs, t.column_names());
  bq::append_rows(back, as_rest_rows(nd, t));
  EXPECT_EQ(*back.get_text(0, "features"), "[12.5,3.0,0.1]");
  EXPECT_EQ(*back.get_text(0, "feature_names"), "[\"a\",\"b\",\"c\"]");

  t.set(0, "features", std::string("[\"x\"]"));
  EXPECT_THROW((void)bq::to_ndjson(t, 0, 1), DataError);
  t.set(0, "features", std::string("not json"));
  try {
    (void)bq::to_ndjson(t, 0, 1);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("ml_feature_store_v2: row 0, column 'features'"), std::string::npos);
  }
  const TableSchema& pgs = catalog::get("nba_analytics.player_game_summary");
  Table f(pgs, {"quality_score"});
  f.resize(3);
  f.set(0, "quality_score",
        std::nan(""));  // a NaN cell is NULL (Column::set_real): omitted
  f.set(1, "quality_score", HUGE_VAL);
  f.set(2, "quality_score", -HUGE_VAL);
  EXPECT_EQ(bq::to_ndjson(f, 0, 3),
            "{}\n{\"quality_score\":\"Infinity\"}\n{"
            "\"quality_score\":\"-Infinity\"}\n");
}

TEST(BigQueryRows, UndecodableValuesNameTableRowAndColumn) {
  const TableSchema& pgs = catalog::get("nba_analytics.player_game_summary");
  Table out(pgs, {"points"});
  nlohmann::json rows = nlohmann::json::parse(R"([{"f":[{"v":"12"}]},{"f":[{"v":"twelve"}]}])");
  try {
    bq::append_rows(out, rows);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("player_game_summary: row 1, column "
                                         "'points': INT64 value 'twelve'"),
              std::string::npos)
        << e.what();
  }
}

TEST(Http, Helpers) {
  EXPECT_EQ(io::url_encode("a b/c~d"), "a%20b%2Fc~d");
  EXPECT_EQ(io::redact_url("http://h/p?pageToken=x&access_token=y"), "http://h/p");
  EXPECT_EQ(io::api_error_message(R"({"error":{"code":400,"message":"Syntax error at [1:8]"}})"),
            "Syntax error at [1:8]");
  EXPECT_EQ(io::api_error_message(R"({"error":"invalid_grant","error_description":"Bad Request"})"),
            "invalid_grant: Bad Request");
  EXPECT_EQ(io::api_error_message("<html>oops</html>"), "<html>oops</html>");
  EXPECT_TRUE(io::retryable_status(429));
  EXPECT_TRUE(io::retryable_status(503));
  EXPECT_FALSE(io::retryable_status(404));
  EXPECT_FALSE(io::retryable_status(409));
  auto [type, body] = io::multipart_related("{\"name\":\"x\"}", "payload", "application/json");
  const std::string boundary = type.substr(type.find("boundary=") + 9);
  EXPECT_EQ(body.rfind("--" + boundary + "--\r\n"), body.size() - boundary.size() - 6);
  EXPECT_NE(body.find("\r\n\r\npayload\r\n"), std::string::npos);
}
