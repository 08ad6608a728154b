// LedgerLookup's helpers and Warehouse::newest_ledger_rows, the default: one
// read of the units' date range of the run ledger, the newest counting row of
// each unit kept.
#include <algorithm>
#include <map>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops {

namespace ledger_col = cols::run_ledger;

namespace {

/// @p columns with @p more added where absent, in order.
std::vector<std::string> with_columns(std::vector<std::string> columns, const std::vector<std::string>& more) {
  for (const std::string& c : more) {
    if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
  }
  return columns;
}

}  // namespace

std::vector<std::string> LedgerLookup::answer_columns() const {
  return with_columns(columns, {"processor", "unit_date"});
}

DateRange LedgerLookup::range() const {
  const auto [lo, hi] =
      std::minmax_element(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return DateRange{lo->second, hi->second};
}

Table Warehouse::newest_ledger_rows(const LedgerLookup& q) {
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  const std::vector<std::string> columns = q.answer_columns();
  Table out(ledger, columns);
  if (q.units.empty() || !has_table(ledger)) return out;
  std::map<std::pair<std::string, int32_t>, std::optional<size_t>> newest;  // unit → its newest row so far
  for (const auto& [processor, date] : q.units) newest.emplace(std::pair{processor, date.days()}, std::nullopt);
  // The answer's columns first, in order, then what the choice reads.
  const Table t = read(ledger, q.range(), with_columns(with_columns(columns, {"status", "finished_at"}), q.required));
  const Column &proc = t.col(ledger_col::processor), &day = t.col(ledger_col::unit_date),
               &status = t.col(ledger_col::status), &fin = t.col(ledger_col::finished_at);
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
  Table picked(ledger, t.column_names());
  for (const auto& [unit, row] : newest) {
    if (row) picked.append_row(t, *row);
  }
  std::vector<size_t> from(columns.size());
  for (size_t c = 0; c < from.size(); ++c) from[c] = c;
  out.append_columns(picked, from);
  return out;
}

}  // namespace nbaprops
