#pragma once
// BigQuery REST client and the Table <-> BigQuery row codec (private to the
// warehouse).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/gcp_auth.hpp"
#include "io/http.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/warehouse/bigquery_warehouse.hpp"

namespace nbaprops::bq {

/// The REST calls the warehouse needs. Thread-safe.
class Client {
 public:
  explicit Client(const BigQueryOptions& options);

  /// One JSON call under /bigquery/v2/projects/PROJECT. @param ok extra
  /// statuses returned rather than thrown (e.g. 404, 409). @return {status,
  /// body}. @throws NetworkError with the API's message and @p what (which
  /// names the table and dates).
  std::pair<long, nlohmann::json> call(const std::string& method, const std::string& path, const nlohmann::json* body,
                                       const std::string& what, std::initializer_list<long> ok = {});

  /// Runs a query job to completion and hands each page of rows (the REST
  /// `rows` array) to
  /// @p on_page. @return false when the query names a missing table and @p
  /// allow_missing.
  /// @throws NetworkError naming @p what and the job id.
  bool query(const std::string& sql, const std::string& what,
             const std::function<void(const nlohmann::json& rows)>& on_page, bool allow_missing = false);

  /// Runs a load job (multipart upload of NDJSON) to completion under the given
  /// job id; a 409 for that id (an earlier attempt got through) waits for the
  /// existing job instead.
  void load(const nlohmann::json& load_config, std::string_view ndjson, const std::string& job_id,
            const std::string& what);

  [[nodiscard]] int64_t request_count() const noexcept { return http_.request_count(); }
  [[nodiscard]] const BigQueryOptions& options() const noexcept { return options_; }

 private:
  io::HttpRequest request(const std::string& method, const std::string& url);
  nlohmann::json wait_job(nlohmann::json job, const std::string& what);
  std::string api_root() const;

  BigQueryOptions options_;
  io::HttpClient http_;
  io::HttpClient auth_http_;
  std::shared_ptr<io::TokenSource> auth_;
};

/// @return a unique id fragment (hex) for staging tables and job ids.
std::string unique_suffix();

/// @return the BigQuery schema `fields` of @p columns of @p schema (all when
/// empty).
/// @param staging all fields NULLABLE (validation is ours; the target keeps
/// REQUIRED).
nlohmann::json schema_fields(const TableSchema& schema, const std::vector<std::string>& columns, bool staging);

/// The type of column @p c as a stored table's field reads (tables.get), in
/// Standard SQL words without a precision: `ARRAY<…>` for an array.
std::string column_type(const ColumnDef& c);
/// The type of @p field (a tables.get schema field) in column_type's words:
/// `ARRAY<…>` for a REPEATED field, and the legacy names the API may answer
/// with (INTEGER, FLOAT, BOOLEAN) as INT64, FLOAT64, BOOL.
std::string stored_field_type(const nlohmann::json& field);
/// The type of column @p c as `ALTER TABLE … ADD COLUMN` takes it:
/// column_type with the catalog's NUMERIC precision and scale.
std::string column_ddl_type(const ColumnDef& c);

/// Renders rows [begin, end) of @p rows as newline-delimited JSON for a load
/// job (NULL = absent).
/// @throws DataError for a JSON/ARRAY cell that is not valid JSON (names table,
/// row, column).
std::string to_ndjson(const Table& rows, size_t begin, size_t end);

/// Appends the GoogleSQL literal of cell (@p row, @p column) of @p rows to
/// @p out (NULL, INT64, TRUE/FALSE, DATE '…', FLOAT64, NUMERIC '…', '…',
/// TIMESTAMP '…'). @return false, leaving @p out partly written, for a value
/// without a plain literal here (JSON, ARRAY, NaN/±Infinity, control
/// characters other than newline): such rows go through a load job.
bool sql_literal(std::string& out, const Table& rows, size_t row, size_t column);

/// @return the rows of @p rows as the tuples of an INSERT … VALUES, or nullopt
/// when there are none, more than @p max_cells cells, or a cell sql_literal
/// refuses.
std::optional<std::string> to_sql_values(const Table& rows, size_t max_cells);

/// Appends one page of REST rows (`[{"f": [{"v": …}, …]}, …]`, columns in @p
/// out's order) to @p out.
/// @throws DataError naming the table, row and column of an undecodable value.
void append_rows(Table& out, const nlohmann::json& rows);

}  // namespace nbaprops::bq
