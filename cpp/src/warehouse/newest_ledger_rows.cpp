// Warehouse::newest_ledger_rows, the default: one read of the units' date range
// of the run ledger, the newest counting row of each unit kept.
#include <algorithm>
#include <map>

#include "nbaprops/core/schema.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops {

namespace {

/// @p columns with @p more added where absent, in order.
std::vector<std::string> with_columns(std::vector<std::string> columns, const std::vector<std::string>& more) {
  for (const std::string& c : more) {
    if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
  }
  return columns;
}

}  // namespace

Table Warehouse::newest_ledger_rows(const LedgerLookup& q) {
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  const std::vector<std::string> columns = with_columns(q.columns, {"processor", "unit_date"});
  Table out(ledger, columns);
  if (q.units.empty() || !has_table(ledger)) return out;
  Date lo = q.units.front().second, hi = lo;
  std::map<std::pair<std::string, int32_t>, std::optional<size_t>> newest;  // unit → its newest row so far
  for (const auto& [processor, date] : q.units) {
    lo = std::min(lo, date);
    hi = std::max(hi, date);
    newest.emplace(std::pair{processor, date.days()}, std::nullopt);
  }
  std::vector<std::string> read_cols = with_columns(columns, {"status", "finished_at"});
  read_cols = with_columns(read_cols, q.required);
  const Table t = read(ledger, DateRange{lo, hi}, read_cols);
  const Column &proc = t.col("processor"), &day = t.col("unit_date"), &status = t.col("status"),
               &fin = t.col("finished_at");
  std::vector<const Column*> required;
  for (const std::string& c : q.required) required.push_back(&t.col(c));
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (proc.is_null(r) || day.is_null(r) || status.is_null(r)) continue;
    if (std::find(q.statuses.begin(), q.statuses.end(), status.text_at(r)) == q.statuses.end()) continue;
    if (std::any_of(required.begin(), required.end(), [&](const Column* c) { return c->is_null(r); })) continue;
    const auto it = newest.find({proc.text_at(r), static_cast<int32_t>(day.int_at(r))});
    if (it == newest.end()) continue;
    // NULL sorts first, as in SQL's ORDER BY.
    if (it->second && !fin.is_null(*it->second) && (fin.is_null(r) || fin.text_at(r) < fin.text_at(*it->second)))
      continue;
    it->second = r;
  }
  std::vector<size_t> from;  // out's columns in t
  for (const std::string& c : columns) from.push_back(t.require(c));
  for (const auto& [unit, row] : newest) {
    if (!row) continue;
    const size_t o = out.add_row();
    for (size_t c = 0; c < from.size(); ++c) {
      const Column& src = t.col(from[c]);
      if (src.is_null(*row)) continue;
      switch (src.storage()) {
        case Storage::kInt:
          out.col(c).set_int(o, src.int_at(*row));
          break;
        case Storage::kReal:
          out.col(c).set_real(o, src.real_at(*row));
          break;
        case Storage::kText:
          out.col(c).set_text_ptr(o, src.text_ptr(*row));
          break;
      }
    }
  }
  return out;
}

}  // namespace nbaprops
