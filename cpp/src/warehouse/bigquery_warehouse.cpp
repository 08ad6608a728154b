#include "nbaprops/warehouse/bigquery_warehouse.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "warehouse/bigquery_internal.hpp"
#include "warehouse/catalog_drift.hpp"

namespace nbaprops {

namespace ledger_col = cols::run_ledger;
namespace hash_col = cols::partition_hashes;

namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

int64_t positive(const std::string& key, const std::string& v) {
  char* end = nullptr;
  const long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end || x < 1)
    throw ConfigError("bigquery:// option " + key + "='" + v + "' is not a positive integer");
  return x;
}

std::string ident(const std::string& name) { return "`" + name + "`"; }

std::string date_list(const std::vector<Date>& dates) {
  std::string out;
  for (Date d : dates) out += (out.empty() ? "DATE '" : ", DATE '") + d.iso() + "'";
  return out;
}

/// A GoogleSQL string literal (backslash escapes for quote and backslash).
std::string string_literal(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string describe(const std::vector<Date>& dates) {
  if (dates.empty()) return "no dates";
  auto [lo, hi] = std::minmax_element(dates.begin(), dates.end());
  if (dates.size() == 1) return "date " + lo->iso();
  return "dates " + lo->iso() + ".." + hi->iso() + " (" + std::to_string(dates.size()) + ")";
}

/// Rows must sit in the written dates and fill every required column (the
/// SQLite rules).
void validate(const TableWrite& w, const std::set<int32_t>* dates) {
  const TableSchema& s = *w.schema;
  const Table& rows = *w.rows;
  if (rows.schema().name != s.name) throw ConfigError("rows of table " + rows.schema().name + " written to " + s.name);
  if (rows.num_rows() == 0) return;
  const int part = rows.index_of(s.partition_column);
  if (part < 0) throw DataError(s.name + ": rows lack the partition column " + s.partition_column);
  std::vector<size_t> required;
  for (const auto& def : s.columns) {
    if (!def.required) continue;
    const int i = rows.index_of(def.name);
    if (i < 0) throw DataError(s.name + ": required column '" + def.name + "' missing from the rows written");
    required.push_back(static_cast<size_t>(i));
  }
  const Column& pc = rows.col(static_cast<size_t>(part));
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    const std::string date = pc.is_null(r) ? "NULL" : Date(static_cast<int32_t>(pc.int_at(r))).iso();
    if (pc.is_null(r) || (dates && !dates->count(static_cast<int32_t>(pc.int_at(r))))) {
      throw DataError(s.name + ": row " + std::to_string(r) + " has " + s.partition_column + "=" + date +
                      ", outside the partitions being replaced");
    }
    for (size_t i : required) {
      if (rows.col(i).is_null(r)) {
        throw DataError(s.name + ": row " + std::to_string(r) + " (" + s.partition_column + " " + date +
                        "): required column '" + rows.column_names()[i] + "' is NULL");
      }
    }
  }
}

}  // namespace

BigQueryOptions BigQueryOptions::parse(const std::string& uri) {
  const std::string scheme = "bigquery://";
  if (uri.rfind(scheme, 0) != 0) throw ConfigError("not a bigquery:// URI: '" + uri + "'");
  BigQueryOptions o;
  const io::RetryPolicy env = io::retry_policy_from_env();
  o.max_attempts = env.max_attempts;
  o.initial_backoff = env.initial_backoff;
  o.timeout = env.timeout;
  std::string rest = uri.substr(scheme.size());
  const size_t q = rest.find('?');
  o.project = percent_decode(rest.substr(0, q));
  while (!o.project.empty() && o.project.back() == '/') o.project.pop_back();
  if (o.project.empty())
    throw ConfigError("bigquery:// URI '" + uri + "' names no project (bigquery://PROJECT?location=US)");
  if (q == std::string::npos) return o;
  std::string query = rest.substr(q + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    const size_t amp = std::min(query.find('&', pos), query.size());
    const std::string pair = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string key = pair.substr(0, eq);
    const std::string v = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (key == "location")
      o.location = v;
    else if (key == "dataset_prefix")
      o.dataset_prefix = v;
    else if (key == "dataset_suffix")
      o.dataset_suffix = v;
    else if (key == "endpoint") {
      o.endpoint = v;
      while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
    } else if (key == "auth")
      o.auth = v;
    else if (key == "write_mode") {
      if (v == "transaction")
        o.write_mode = BigQueryWriteMode::kTransaction;
      else if (v == "truncate")
        o.write_mode = BigQueryWriteMode::kPartitionTruncate;
      else
        throw ConfigError("bigquery:// write_mode='" + v + "' (transaction or truncate)");
    } else if (key == "max_attempts")
      o.max_attempts = static_cast<int>(positive(key, v));
    else if (key == "backoff_ms")
      o.initial_backoff = std::chrono::milliseconds(positive(key, v));
    else if (key == "timeout_s")
      o.timeout = std::chrono::seconds(positive(key, v));
    else if (key == "page_rows")
      o.page_rows = positive(key, v);
    else if (key == "inline_cells")
      o.inline_cells = v == "0" ? 0 : positive(key, v);
    else {
      throw ConfigError("bigquery:// URI: unknown option '" + key +
                        "' (location, dataset_prefix, dataset_suffix, "
                        "endpoint, auth, write_mode, max_attempts, "
                        "backoff_ms, timeout_s, page_rows, inline_cells)");
    }
  }
  return o;
}

struct BigQueryWarehouse::Impl {
  explicit Impl(const BigQueryOptions& o) : client(o) {}
  bq::Client client;
  std::mutex ddl_mu;
  std::set<std::string> datasets;
  std::set<std::string> tables;
  std::set<std::string> columns_checked;  ///< tables whose stored columns match the catalog (check_columns)
  /// The columns has_table's lookup found, kept for the table's column check
  /// (check_columns) so that it does not look the table up again.
  std::map<std::string, std::map<std::string, std::string>> found_columns;
  std::mutex write_mu;
  std::atomic<bool> fail_next{false};

  const BigQueryOptions& opt() const { return client.options(); }
  std::string dataset(const std::string& ds) const { return opt().dataset_prefix + ds + opt().dataset_suffix; }
  std::string staging_dataset() const { return dataset("nbaprops_staging"); }
  std::string ref(const std::string& ds, const std::string& table) const {
    return ident(opt().project + "." + ds + "." + table);
  }
  std::string ref(const TableSchema& s) const { return ref(dataset(s.dataset()), s.table()); }

  void ensure_dataset(const std::string& ds, bool expiring) {
    {
      std::lock_guard lock(ddl_mu);
      if (datasets.count(ds)) return;
    }
    nlohmann::json body = {{"datasetReference", {{"projectId", opt().project}, {"datasetId", ds}}},
                           {"location", opt().location}};
    if (expiring) body["defaultTableExpirationMs"] = "86400000";
    client.call("POST", "/datasets", &body, "create dataset " + ds, {409});
    std::lock_guard lock(ddl_mu);
    datasets.insert(ds);
  }

  /// A tables.get answer's columns, name → type in bq::column_type's words.
  static std::map<std::string, std::string> columns_of(const nlohmann::json& table) {
    std::map<std::string, std::string> stored;
    if (auto f = table.find("schema"); f != table.end() && f->contains("fields")) {
      for (const auto& field : f->at("fields")) stored[field.value("name", "")] = bq::stored_field_type(field);
    }
    return stored;
  }

  /// The stored table's columns (one tables.get).
  std::map<std::string, std::string> stored_columns(const TableSchema& schema) {
    const std::string ds = dataset(schema.dataset());
    return columns_of(client
                          .call("GET", "/datasets/" + io::url_encode(ds) + "/tables/" + io::url_encode(schema.table()),
                                nullptr, schema.name + ": table lookup")
                          .second);
  }

  /// Holds a stored table's columns against the catalog's before a write, as
  /// the SQLite warehouse does: a column the catalog added since the table was
  /// created is added to it (ALTER TABLE … ADD COLUMN, NULLABLE: its stored
  /// rows read NULL there until rewritten); a column of another type, or one
  /// the catalog does not know, refuses the write before anything is written.
  void check_columns(const TableSchema& schema) {
    const std::string ds = dataset(schema.dataset());
    const std::string where = schema.name + " (BigQuery table " + opt().project + "." + ds + "." + schema.table() + ")";
    std::optional<std::map<std::string, std::string>> found;
    {
      std::lock_guard lock(ddl_mu);
      if (auto it = found_columns.find(schema.name); it != found_columns.end()) {
        found = std::move(it->second);
        found_columns.erase(it);
      }
    }
    const auto missing = warehouse_detail::catalog_columns_missing(schema, found ? *found : stored_columns(schema),
                                                                   bq::column_type, where);
    for (const ColumnDef* col : missing) {
      // One column a statement: BigQuery takes several, its emulator one.
      client.query("ALTER TABLE " + ref(schema) + " ADD COLUMN IF NOT EXISTS " + ident(col->name) + " " +
                       bq::column_ddl_type(*col),
                   schema.name + ": add column " + col->name, [](const nlohmann::json&) {});
    }
    if (!missing.empty()) warehouse_detail::log_columns_added(where, missing);
  }

  /// Loads rows into a fresh staging table. @return its reference.
  std::string stage(const TableWrite& w) {
    const std::string ds = staging_dataset();
    ensure_dataset(ds, true);
    const std::string name = "stage_" + w.schema->table() + "_" + bq::unique_suffix();
    const nlohmann::json config = {
        {"destinationTable", {{"projectId", opt().project}, {"datasetId", ds}, {"tableId", name}}},
        {"sourceFormat", "NEWLINE_DELIMITED_JSON"},
        {"writeDisposition", "WRITE_TRUNCATE"},
        {"createDisposition", "CREATE_IF_NEEDED"},
        {"schema", {{"fields", bq::schema_fields(*w.schema, w.rows->column_names(), true)}}}};
    client.load(config, bq::to_ndjson(*w.rows, 0, w.rows->num_rows()), "nbaprops_load_" + bq::unique_suffix(),
                w.schema->name + " (" + describe(w.dates) + "): staging load");
    return ref(ds, name);
  }

  void drop_quietly(const std::vector<std::string>& staged) {
    for (const auto& r : staged) {
      const std::string table = r.substr(r.rfind('.') + 1, r.size() - r.rfind('.') - 2);
      try {
        client.call("DELETE", "/datasets/" + io::url_encode(staging_dataset()) + "/tables/" + io::url_encode(table),
                    nullptr, "drop staging table " + table, {404});
      } catch (const std::exception& e) {
        NBAPROPS_LOG_WARN << "BigQuery: staging table " << table << " left behind (expires in a day): " << e.what();
      }
    }
  }

  /// How one write's rows reach the transaction: inline VALUES tuples, or a
  /// staging table.
  struct Rows {
    std::optional<std::string> values;
    std::string staged;
    [[nodiscard]] bool empty() const { return !values && staged.empty(); }
  };

  std::string delete_sql(const TableWrite& w, const Rows& src) const {
    const TableSchema& s = *w.schema;
    std::string sql =
        "DELETE FROM " + ref(s) + " AS t WHERE t." + ident(s.partition_column) + " IN (" + date_list(w.dates) + ")";
    for (const auto& [col, value] : w.scope) sql += " AND t." + ident(col) + " = " + string_literal(value);
    if (w.replace_key.empty()) return sql + ";\n";
    auto same = [](const std::string& a, const std::string& b) {
      return "(" + a + " = " + b + " OR (" + a + " IS NULL AND " + b + " IS NULL))";
    };
    if (!src.staged.empty()) {
      sql += " AND EXISTS (SELECT 1 FROM " + src.staged + " AS s WHERE s." + ident(s.partition_column) + " = t." +
             ident(s.partition_column);
      for (const auto& k : w.replace_key) {
        (void)w.rows->require(k);
        sql += " AND " + same("s." + ident(k), "t." + ident(k));
      }
      return sql + ");\n";
    }
    // Inline rows: the distinct (date, key) tuples written, as literals.
    std::vector<size_t> idx{w.rows->require(s.partition_column)};
    for (const auto& k : w.replace_key) idx.push_back(w.rows->require(k));
    std::set<std::string> keys;
    for (size_t r = 0; r < w.rows->num_rows(); ++r) {
      std::string cond;
      for (size_t j = 0; j < idx.size(); ++j) {
        std::string lit;
        (void)bq::sql_literal(lit, *w.rows, r, idx[j]);  // the rows were inlined, so every literal exists
        const std::string col = "t." + ident(w.rows->column_names()[idx[j]]);
        cond += (j ? " AND " : "") + (lit == "NULL" ? col + " IS NULL" : col + " = " + lit);
      }
      keys.insert("(" + cond + ")");
    }
    std::string any;
    for (const auto& k : keys) any += (any.empty() ? "" : " OR ") + k;
    return sql + " AND (" + any + ");\n";
  }

  std::string insert_sql(const TableWrite& w, const Rows& src) const {
    std::string cols;
    for (const auto& c : w.rows->column_names()) cols += (cols.empty() ? "" : ", ") + ident(c);
    if (src.values) return "INSERT INTO " + ref(*w.schema) + " (" + cols + ") VALUES\n" + *src.values + ";\n";
    return "INSERT INTO " + ref(*w.schema) + " (" + cols + ") SELECT " + cols + " FROM " + src.staged + ";\n";
  }

  /// The statements keeping nba_orchestration.partition_hashes in step with
  /// @p w (the SQLite backend's rules): a whole-partition replace records each
  /// date's hash; a key- or scope-limited one removes the hashes of its dates,
  /// which are then unknown (callers fall back to row counts).
  std::string hash_sql(const TableWrite& w, bool record) const {
    const TableSchema& schema = *w.schema;
    if (w.append_only || schema.dataset() == "nba_orchestration" || w.dates.empty()) return "";
    const TableSchema& hs = catalog::get("nba_orchestration.partition_hashes");
    std::string sql = "DELETE FROM " + ref(hs) + " WHERE `table_name` = " + string_literal(schema.name) +
                      " AND `partition_date` IN (" + date_list(w.dates) + ");\n";
    if (!record || !w.replace_key.empty() || !w.scope.empty()) return sql;
    const auto hashes = w.content_hashes();  // the rows written are the partitions' whole content
    Table rows(hs);
    for (Date d : w.dates) {
      const PartitionHash h = hashes.count(d) ? hashes.at(d) : PartitionHash{};
      const size_t r = rows.add_row();
      rows.set(r, hash_col::table_name, schema.name);
      rows.set(r, hash_col::partition_date, d);
      rows.set(r, hash_col::content_hash, h.hex());
      rows.set(r, hash_col::row_count, h.rows);
    }
    const auto values = bq::to_sql_values(rows, rows.num_rows() * rows.num_columns());
    return sql + "INSERT INTO " + ref(hs) + " (`table_name`, `partition_date`, `content_hash`, `row_count`) VALUES\n" +
           values.value() + ";\n";
  }

  /// One transaction applying each batch of @p batches in turn (its deletes,
  /// then its inserts and partition hashes: the same effect as one transaction
  /// per batch, in order), then @p extra (statements run inside it, last).
  void write_transaction(const std::vector<const std::vector<TableWrite>*>& batches, const std::string& extra = "") {
    std::vector<std::vector<Rows>> src;
    std::vector<std::string> created;
    std::string names;
    try {
      for (const auto* writes : batches) {
        auto& s = src.emplace_back(writes->size());
        for (size_t i = 0; i < writes->size(); ++i) {
          const TableWrite& w = (*writes)[i];
          names += (names.empty() ? "" : ", ") + w.schema->name + " (" + describe(w.dates) + ")";
          if (w.rows->num_rows() == 0) continue;
          s[i].values = bq::to_sql_values(*w.rows, static_cast<size_t>(opt().inline_cells));
          if (s[i].values) continue;
          s[i].staged = stage(w);
          created.push_back(s[i].staged);
        }
      }
      if (names.empty()) names = "partition hashes";
      std::string script = "BEGIN TRANSACTION;\n";
      for (size_t b = 0; b < batches.size(); ++b) {
        const auto& writes = *batches[b];
        for (size_t i = 0; i < writes.size(); ++i) {
          const TableWrite& w = writes[i];
          if (w.append_only || w.dates.empty() || (!w.replace_key.empty() && src[b][i].empty())) continue;
          script += delete_sql(w, src[b][i]);
        }
        if (b == 0 && fail_next.exchange(false)) script += "SELECT ERROR('nbaprops injected write failure');\n";
        for (size_t i = 0; i < writes.size(); ++i) {
          if (!src[b][i].empty()) script += insert_sql(writes[i], src[b][i]);
          script += hash_sql(writes[i], true);
        }
      }
      script += extra + "COMMIT TRANSACTION;\n";
      for (const auto& r : created) script += "DROP TABLE IF EXISTS " + r + ";\n";
      client.query(script, "write " + names, [](const nlohmann::json&) {});
    } catch (...) {
      drop_quietly(created);
      throw;
    }
  }

  /// Group commit: a write_batch arriving while a transaction is in flight
  /// waits, and every batch waiting when it ends goes into the next transaction
  /// together (BigQuery and the emulator pay per statement and per transaction,
  /// hardly per row). When that shared transaction fails on the server (rolled
  /// back, not transient), each batch is retried alone, so only the faulty one
  /// fails.
  struct Pending {
    const std::vector<TableWrite>* writes = nullptr;
    std::exception_ptr error;
    bool done = false;
  };
  std::mutex group_mu;
  std::condition_variable group_cv;
  std::vector<Pending*> queue;
  bool committing = false;

  void group_commit(const std::vector<TableWrite>& writes) {
    Pending me{&writes};
    std::unique_lock lock(group_mu);
    queue.push_back(&me);
    while (!me.done) {
      if (committing) {
        group_cv.wait(lock);
        continue;
      }
      committing = true;
      std::vector<Pending*> group;
      group.swap(queue);
      lock.unlock();
      commit_group(group);
      lock.lock();
      committing = false;
      for (Pending* p : group) p->done = true;
      group_cv.notify_all();
    }
    if (me.error) std::rethrow_exception(me.error);
  }

  void commit_group(const std::vector<Pending*>& group) {
    std::vector<const std::vector<TableWrite>*> batches;
    batches.reserve(group.size());
    for (const Pending* p : group) batches.push_back(p->writes);
    try {
      write_transaction(batches);
      return;
    } catch (const Error& e) {
      if (group.size() > 1 && !e.transient()) {
        for (Pending* p : group) {
          try {
            write_transaction({p->writes});
          } catch (...) {
            p->error = std::current_exception();
          }
        }
        return;
      }
      for (Pending* p : group) p->error = std::current_exception();
    } catch (...) {
      for (Pending* p : group) p->error = std::current_exception();
    }
  }

  void write_truncate(const TableWrite& w) {
    std::map<int32_t, std::vector<size_t>> by_date;
    for (Date d : w.dates) by_date[d.days()];
    const Column& pc = w.rows->col(w.rows->require(w.schema->partition_column));
    for (size_t r = 0; r < w.rows->num_rows(); ++r) by_date[static_cast<int32_t>(pc.int_at(r))].push_back(r);
    for (const auto& [day, idx] : by_date) {
      Table part(*w.schema, w.rows->column_names());
      for (size_t r : idx) part.append_row(*w.rows, r);
      const Date d(day);
      const nlohmann::json config = {{"destinationTable",
                                      {{"projectId", opt().project},
                                       {"datasetId", dataset(w.schema->dataset())},
                                       {"tableId", w.schema->table() + "$" + d.compact()}}},
                                     {"sourceFormat", "NEWLINE_DELIMITED_JSON"},
                                     {"writeDisposition", "WRITE_TRUNCATE"},
                                     {"createDisposition", "CREATE_NEVER"}};
      client.load(config, bq::to_ndjson(part, 0, part.num_rows()), "nbaprops_load_" + bq::unique_suffix(),
                  w.schema->name + " (date " + d.iso() + "): partition load");
    }
  }
};

BigQueryWarehouse::BigQueryWarehouse(const BigQueryOptions& options) : impl_(std::make_unique<Impl>(options)) {}
BigQueryWarehouse::~BigQueryWarehouse() = default;

std::string BigQueryWarehouse::uri() const {
  const auto& o = impl_->opt();
  std::string u = "bigquery://" + o.project + "?location=" + o.location;
  if (!o.dataset_prefix.empty()) u += "&dataset_prefix=" + o.dataset_prefix;
  if (!o.dataset_suffix.empty()) u += "&dataset_suffix=" + o.dataset_suffix;
  if (!o.endpoint.empty()) u += "&endpoint=" + o.endpoint;
  return u;
}

std::string BigQueryWarehouse::dataset_of(const TableSchema& schema) const { return impl_->dataset(schema.dataset()); }
int64_t BigQueryWarehouse::request_count() const noexcept { return impl_->client.request_count(); }
void BigQueryWarehouse::inject_write_failure() { impl_->fail_next = true; }

bool BigQueryWarehouse::has_table(const TableSchema& schema) {
  {
    std::lock_guard lock(impl_->ddl_mu);
    if (impl_->tables.count(schema.name)) return true;
  }
  auto [status, j] = impl_->client.call(
      "GET", "/datasets/" + io::url_encode(dataset_of(schema)) + "/tables/" + io::url_encode(schema.table()), nullptr,
      schema.name + ": table lookup", {404});
  if (status == 404) return false;
  auto columns = Impl::columns_of(j);
  std::lock_guard lock(impl_->ddl_mu);
  if (impl_->tables.insert(schema.name).second && !impl_->columns_checked.count(schema.name))
    impl_->found_columns.emplace(schema.name, std::move(columns));
  return true;
}

void BigQueryWarehouse::ensure_table(const TableSchema& schema) {
  bool stored = false;
  {
    std::lock_guard lock(impl_->ddl_mu);
    if (impl_->columns_checked.count(schema.name)) return;
    stored = impl_->tables.count(schema.name) > 0;  // found by has_table: not created here
  }
  if (!stored) {
    const std::string ds = dataset_of(schema);
    impl_->ensure_dataset(ds, false);
    nlohmann::json body = {
        {"tableReference", {{"projectId", impl_->opt().project}, {"datasetId", ds}, {"tableId", schema.table()}}},
        {"schema", {{"fields", bq::schema_fields(schema, {}, false)}}},
        {"timePartitioning", {{"type", "DAY"}, {"field", schema.partition_column}}}};
    if (!schema.description.empty()) body["description"] = schema.description;
    stored =
        impl_->client
            .call("POST", "/datasets/" + io::url_encode(ds) + "/tables", &body, schema.name + ": create table", {409})
            .first == 409;
  }
  // A table created before this run (by an older nbaprops, or by hand): its
  // columns are checked once per process.
  if (stored) impl_->check_columns(schema);
  std::lock_guard lock(impl_->ddl_mu);
  impl_->tables.insert(schema.name);
  impl_->columns_checked.insert(schema.name);
}

Table BigQueryWarehouse::read(const TableSchema& schema, std::optional<DateRange> range,
                              const std::vector<std::string>& columns) {
  Table out(schema, columns);
  std::string what = "read " + schema.name;
  if (range) what += " " + range->start.iso() + ".." + range->end.iso();
  // @p stored: the stored table's columns when known; the others are read as NULL.
  auto run = [&](const std::map<std::string, std::string>* stored) {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < out.num_columns(); ++i) {
      const std::string& name = out.column_names()[i];
      sql += i ? ", " : "";
      sql += stored && !stored->count(name) ? "CAST(NULL AS " + bq::column_type(out.def(i)) + ") AS " + ident(name)
                                            : ident(name);
    }
    sql += " FROM " + impl_->ref(schema);
    if (range) {
      sql += " WHERE " + ident(schema.partition_column) + " BETWEEN DATE '" + range->start.iso() + "' AND DATE '" +
             range->end.iso() + "'";
    }
    sql += " ORDER BY " + ident(schema.partition_column);
    for (const auto& k : schema.key_columns) sql += ", " + ident(k) + " NULLS FIRST";
    impl_->client.query(sql, what, [&](const nlohmann::json& rows) { bq::append_rows(out, rows); }, true);
  };
  try {
    run(nullptr);
  } catch (const NetworkError& e) {
    // A query BigQuery refused (not a transport failure): a table written
    // before a catalog column was added, and not written since (the first
    // write adds it, ensure_table), lacks the column. It reads NULL there, as
    // on SQLite; any other refusal is rethrown as it came.
    if (e.transient()) throw;
    std::map<std::string, std::string> stored;
    try {
      stored = impl_->stored_columns(schema);
    } catch (const Error&) {
      throw e;
    }
    const auto& names = out.column_names();
    if (std::all_of(names.begin(), names.end(), [&](const std::string& n) { return stored.count(n) > 0; })) throw;
    out = Table(schema, columns);
    run(&stored);
  }
  return out;
}

Table BigQueryWarehouse::newest_ledger_rows(const LedgerLookup& q) {
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  const std::vector<std::string> columns = q.answer_columns();
  Table ranked(ledger, columns);
  if (q.units.empty() || q.statuses.empty() || !has_table(ledger)) return ranked;
  const auto [lo, hi] = q.range();
  std::set<std::string> processors;
  std::set<std::pair<std::string, int32_t>> wanted;
  for (const auto& [processor, date] : q.units) {
    processors.insert(processor);
    wanted.emplace(processor, date.days());
  }
  std::string select;
  for (const std::string& c : columns) select += (select.empty() ? "" : ", ") + ident(ledger.column(c).name);
  std::string sql = "SELECT " + select + " FROM (SELECT " + select +
                    ", ROW_NUMBER() OVER (PARTITION BY `processor`, `unit_date` ORDER BY `finished_at` DESC) AS "
                    "`nbaprops_newest` FROM " +
                    impl_->ref(ledger) + " WHERE `unit_date` BETWEEN DATE '" + lo.iso() + "' AND DATE '" + hi.iso() +
                    "' AND `processor` IN (";
  bool first = true;
  for (const std::string& p : processors) sql += (std::exchange(first, false) ? "" : ", ") + string_literal(p);
  sql += ") AND `status` IN (";
  for (size_t i = 0; i < q.statuses.size(); ++i) sql += (i ? ", " : "") + string_literal(q.statuses[i]);
  sql += ")";
  for (const std::string& r : q.required) sql += " AND " + ident(ledger.column(r).name) + " IS NOT NULL";
  sql += ") WHERE `nbaprops_newest` = 1";
  try {
    impl_->client.query(
        sql, "newest rows of " + ledger.name + " " + lo.iso() + ".." + hi.iso(),
        [&](const nlohmann::json& rows) { bq::append_rows(ranked, rows); }, true);
  } catch (const NetworkError& e) {
    // A query BigQuery refused (not a transport failure), as for a ledger
    // table written before a catalog column joined: the rows are read as
    // read() reads such a table (NULL in the columns it lacks; any other
    // refusal is rethrown there) and ranked here.
    if (e.transient()) throw;
    return Warehouse::newest_ledger_rows(q);
  }
  // The units of the range that were not asked about are left out.
  Table out(ledger, columns);
  const Column &proc = ranked.col(ledger_col::processor), &day = ranked.col(ledger_col::unit_date);
  for (size_t r = 0; r < ranked.num_rows(); ++r) {
    if (wanted.count({proc.text_at(r), static_cast<int32_t>(day.int_at(r))})) out.append_row(ranked, r);
  }
  return out;
}

void BigQueryWarehouse::write_batch(const std::vector<TableWrite>& writes) {
  if (writes.empty()) return;
  for (const TableWrite& w : writes) {
    if (w.schema == nullptr || w.rows == nullptr) throw ConfigError("write_batch: a write without schema or rows");
    std::set<int32_t> allowed;
    for (Date d : w.dates) allowed.insert(d.days());
    validate(w, w.append_only ? nullptr : &allowed);
  }
  for (const TableWrite& w : writes) ensure_table(*w.schema);
  ensure_table(catalog::get("nba_orchestration.partition_hashes"));
  if (impl_->opt().write_mode == BigQueryWriteMode::kPartitionTruncate) {
    std::lock_guard lock(impl_->write_mu);
    // Loads are atomic per partition only: the hashes of the dates are removed
    // before the first load and recorded once every load went through.
    std::string forget;
    for (const TableWrite& w : writes) forget += impl_->hash_sql(w, false);
    if (!forget.empty()) impl_->client.query(forget, "partition hashes", [](const nlohmann::json&) {});
    std::vector<TableWrite> keyed;
    std::string record;
    for (const TableWrite& w : writes) {
      if (w.replace_key.empty() && w.scope.empty() && !w.append_only) {
        impl_->write_truncate(w);
        record += impl_->hash_sql(w, true);
      } else {
        keyed.push_back(w);
      }
    }
    if (!keyed.empty() || !record.empty()) impl_->write_transaction({&keyed}, record);
    return;
  }
  impl_->group_commit(writes);
}

void BigQueryWarehouse::append(const TableSchema& schema, const Table& rows) {
  validate(TableWrite{&schema, &rows, {}, {}}, nullptr);
  if (rows.num_rows() == 0) return;
  ensure_table(schema);
  const nlohmann::json config = {
      {"destinationTable",
       {{"projectId", impl_->opt().project}, {"datasetId", dataset_of(schema)}, {"tableId", schema.table()}}},
      {"sourceFormat", "NEWLINE_DELIMITED_JSON"},
      {"writeDisposition", "WRITE_APPEND"},
      {"createDisposition", "CREATE_NEVER"}};
  impl_->client.load(config, bq::to_ndjson(rows, 0, rows.num_rows()), "nbaprops_append_" + bq::unique_suffix(),
                     schema.name + ": append " + std::to_string(rows.num_rows()) + " rows");
}

std::map<Date, int64_t> BigQueryWarehouse::partition_counts(const TableSchema& schema, std::optional<DateRange> range) {
  std::map<Date, int64_t> out;
  const std::string pc = ident(schema.partition_column);
  std::string sql = "SELECT " + pc + " AS d, COUNT(*) AS n FROM " + impl_->ref(schema);
  if (range) {
    sql += " WHERE " + pc + " BETWEEN DATE '" + range->start.iso() + "' AND DATE '" + range->end.iso() + "'";
  }
  sql += " GROUP BY d";
  impl_->client.query(
      sql, "partition counts of " + schema.name,
      [&](const nlohmann::json& rows) {
        for (const auto& row : rows) {
          const auto& f = row.at("f");
          if (f[0].at("v").is_null()) continue;
          out[Date::parse(f[0]["v"].get<std::string>(), schema.name)] = std::stoll(f[1]["v"].get<std::string>());
        }
      },
      true);
  return out;
}

std::map<Date, std::string> BigQueryWarehouse::partition_hashes(const TableSchema& schema,
                                                                std::optional<DateRange> range) {
  std::map<Date, std::string> out;
  const TableSchema& hs = catalog::get("nba_orchestration.partition_hashes");
  std::string sql = "SELECT `partition_date`, `content_hash` FROM " + impl_->ref(hs) +
                    " WHERE `table_name` = " + string_literal(schema.name);
  if (range) {
    sql += " AND `partition_date` BETWEEN DATE '" + range->start.iso() + "' AND DATE '" + range->end.iso() + "'";
  }
  impl_->client.query(
      sql, "partition hashes of " + schema.name,
      [&](const nlohmann::json& rows) {
        for (const auto& row : rows) {
          const auto& f = row.at("f");
          out[Date::parse(f[0].at("v").get<std::string>(), hs.name)] = f[1].at("v").get<std::string>();
        }
      },
      true);
  return out;
}

}  // namespace nbaprops
