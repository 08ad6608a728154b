#include "warehouse/sqlite_row_source.hpp"

#include <algorithm>
#include <cstddef>
#include <new>
#include <string_view>
#include <utility>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/error.hpp"

namespace nbaprops::sqlite_detail {

RowSource::RowSource(const Table& rows, const std::vector<size_t>& order, size_t begin, size_t end)
    : rows_(rows), order_(order), begin_(begin), end_(std::min(end, order.size())), next_(begin_) {
  cols_.reserve(rows.num_columns());
  for (size_t i = 0; i < rows.num_columns(); ++i) {
    const Column& col = rows.col(i);
    Kind kind = Kind::kText;
    if (rows.def(i).type == ColumnType::kDate) {
      kind = Kind::kDate;
    } else if (col.storage() == Storage::kInt) {
      kind = Kind::kInt;
    } else if (col.storage() == Storage::kReal) {
      kind = Kind::kReal;
    }
    cols_.push_back(Col{col.valid().data(), col.ints().data(), col.reals().data(), col.texts().data(), kind});
  }
}

size_t RowSource::pair_next(int64_t rowid) {
  if (pairing_ && next_ >= end_) ran_out_ = true;
  if (!pairing_ || next_ >= end_ || (!rowids_.empty() && rowid <= rowids_.back())) return end_;
  rowids_.push_back(rowid);
  return next_++;
}

bool RowSource::enter(size_t k) {
  if (static_cast<int64_t>(k) < fail_at_) return true;
  failed_at_ = static_cast<int64_t>(k);
  return false;
}

const std::string& RowSource::iso_of(int64_t day) {
  if (day == last_day_) return *last_iso_;
  auto [it, added] = iso_.try_emplace(day);
  if (added) it->second = Date(static_cast<int32_t>(day)).iso();
  last_day_ = day;
  last_iso_ = &it->second;
  return it->second;
}

template <class Out>
void RowSource::give(const Col& col, size_t r, const Out& out) {
  if (col.valid[r] == 0) {
    out(nullptr);
    return;
  }
  switch (col.kind) {
    case Kind::kInt:
      out(col.ints[r]);
      return;
    case Kind::kReal:
      out(col.reals[r]);
      return;
    case Kind::kText:
      out(std::string_view(*col.texts[r]));
      return;
    case Kind::kDate:
      out(std::string_view(iso_of(col.ints[r])));
      return;
  }
}

namespace {

/// A value as the result of a column of nbaprops_rows.
struct ToResult {
  sqlite3_context* ctx;
  void operator()(std::nullptr_t) const { sqlite3_result_null(ctx); }
  void operator()(int64_t v) const { sqlite3_result_int64(ctx, v); }
  void operator()(double v) const { sqlite3_result_double(ctx, v); }
  void operator()(std::string_view v) const {
    sqlite3_result_text(ctx, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
};

/// A value bound to parameter p of a statement.
struct ToParameter {
  sqlite3_stmt* st;
  int p;
  void operator()(std::nullptr_t) const { sqlite3_bind_null(st, p); }
  void operator()(int64_t v) const { sqlite3_bind_int64(st, p, v); }
  void operator()(double v) const { sqlite3_bind_double(st, p, v); }
  void operator()(std::string_view v) const {
    sqlite3_bind_text(st, p, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
};

}  // namespace

void RowSource::result(sqlite3_context* ctx, size_t k, size_t c) {
  if (c >= cols_.size()) {
    sqlite3_result_null(ctx);
    return;
  }
  give(cols_[c], order_[k], ToResult{ctx});
}

std::vector<uint8_t> RowSource::constant_columns(size_t min_rows) const {
  if (end_ - begin_ < std::max<size_t>(min_rows, 2)) return std::vector<uint8_t>(cols_.size(), 0);
  return nbaprops::constant_columns(rows_, order_, begin_, end_);
}

void RowSource::bind_first(sqlite3_stmt* st, int p, size_t c) { give(cols_[c], order_[begin_], ToParameter{st, p}); }

void RowSource::result_rid(sqlite3_context* ctx, size_t k) const {
  if (k >= begin_ && k - begin_ < rowids_.size()) {
    sqlite3_result_int64(ctx, rowids_[k - begin_]);
  } else {
    sqlite3_result_null(ctx);
  }
}

namespace {

// Column numbers of nbaprops_rows: rid, the values, the hidden argument.
constexpr int kRidColumn = 0;
constexpr int kSourceColumn = static_cast<int>(kRowSourceColumns) + 1;
// idxNum of a plan that looks one rid up.
constexpr int kByRid = 1;

struct Cursor {
  sqlite3_vtab_cursor base;  // first: SQLite passes a Cursor as its base
  RowSource* src = nullptr;
  size_t k = 0;
  size_t end = 0;
};

/// The module's table: an overwrite's subquery opens and closes a cursor for
/// every stored row, so the last closed one is kept for the next open.
struct Vtab {
  sqlite3_vtab base;  // first: SQLite passes a Vtab as its base
  Cursor* spare = nullptr;
};

/// Fails the statement with the source's injected failure.
int injected(sqlite3_vtab_cursor* cur) {
  sqlite3_free(cur->pVtab->zErrMsg);
  cur->pVtab->zErrMsg = sqlite3_mprintf("injected write failure");
  return SQLITE_ERROR;
}

int x_connect(sqlite3* db, void* /*aux*/, int /*argc*/, const char* const* /*argv*/, sqlite3_vtab** out, char** err) {
  std::string ddl;
  try {  // no exception crosses SQLite's frames
    ddl = "CREATE TABLE x(rid";
    for (size_t i = 0; i < kRowSourceColumns; ++i) ddl += ", c" + std::to_string(i);
    ddl += ", src HIDDEN)";
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  const int rc = sqlite3_declare_vtab(db, ddl.c_str());
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("nbaprops_rows: %s", sqlite3_errmsg(db));
    return rc;
  }
  auto* vtab = new (std::nothrow) Vtab();
  if (vtab == nullptr) return SQLITE_NOMEM;
  *out = &vtab->base;
  return SQLITE_OK;
}

int x_disconnect(sqlite3_vtab* base) {
  auto* vtab = reinterpret_cast<Vtab*>(base);
  delete vtab->spare;
  delete vtab;
  return SQLITE_OK;
}

/// Plans need the source argument; an equality on rid, when usable, makes the
/// scan a lookup of one row.
int x_best_index(sqlite3_vtab* /*vtab*/, sqlite3_index_info* info) {
  int src = -1;
  int rid = -1;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (c.iColumn == kSourceColumn) {
      if (c.usable == 0) return SQLITE_CONSTRAINT;
      src = i;
    } else if (c.iColumn == kRidColumn && c.usable != 0) {
      rid = i;
    }
  }
  if (src < 0) return SQLITE_CONSTRAINT;
  info->aConstraintUsage[src].argvIndex = 1;
  info->aConstraintUsage[src].omit = 1;
  if (rid >= 0) {
    info->aConstraintUsage[rid].argvIndex = 2;
    info->aConstraintUsage[rid].omit = 1;
    info->idxNum = kByRid;
    info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    info->estimatedCost = 1;
    info->estimatedRows = 1;
  } else {
    info->idxNum = 0;
    info->estimatedCost = 1e6;
    info->estimatedRows = 100000;
  }
  return SQLITE_OK;
}

int x_open(sqlite3_vtab* base, sqlite3_vtab_cursor** out) {
  auto* vtab = reinterpret_cast<Vtab*>(base);
  Cursor* cur = std::exchange(vtab->spare, nullptr);
  if (cur != nullptr) {
    *cur = Cursor();
  } else {
    cur = new (std::nothrow) Cursor();
    if (cur == nullptr) return SQLITE_NOMEM;
  }
  *out = &cur->base;
  return SQLITE_OK;
}

int x_close(sqlite3_vtab_cursor* base) {
  auto* cur = reinterpret_cast<Cursor*>(base);
  auto* vtab = reinterpret_cast<Vtab*>(base->pVtab);
  if (vtab != nullptr && vtab->spare == nullptr) {
    vtab->spare = cur;
  } else {
    delete cur;
  }
  return SQLITE_OK;
}

int x_filter(sqlite3_vtab_cursor* base, int idx_num, const char* /*idx_str*/, int argc, sqlite3_value** argv) {
  auto* cur = reinterpret_cast<Cursor*>(base);
  cur->src = argc > 0 ? static_cast<RowSource*>(sqlite3_value_pointer(argv[0], RowSource::kPointerType)) : nullptr;
  if (cur->src == nullptr) {
    sqlite3_free(base->pVtab->zErrMsg);
    base->pVtab->zErrMsg = sqlite3_mprintf("nbaprops_rows: no rows bound to its argument");
    return SQLITE_ERROR;
  }
  if (idx_num == kByRid && argc > 1) {
    // Every stored row an overwrite selects takes the next new row, in
    // rowid order: a stored row without one (more stored rows than new ones)
    // would be set to NULLs, and one visited out of order would take
    // another's values, so either fails the statement instead.
    const sqlite3_int64 rid = sqlite3_value_int64(argv[1]);
    cur->k = cur->src->pair_next(rid);
    if (cur->k >= cur->src->end()) {
      sqlite3_free(base->pVtab->zErrMsg);
      base->pVtab->zErrMsg = sqlite3_mprintf(
          "nbaprops_rows: no row paired with stored rowid %lld (rows paired: %lld; stored rows are paired in rowid "
          "order, one new row each)",
          rid, static_cast<long long>(cur->src->paired()));
      return SQLITE_ERROR;
    }
    cur->end = cur->k + 1;
  } else {
    cur->k = cur->src->begin();
    cur->end = cur->src->end();
  }
  return cur->k >= cur->end || cur->src->enter(cur->k) ? SQLITE_OK : injected(base);
}

int x_next(sqlite3_vtab_cursor* base) {
  auto* cur = reinterpret_cast<Cursor*>(base);
  ++cur->k;
  return cur->k >= cur->end || cur->src->enter(cur->k) ? SQLITE_OK : injected(base);
}

int x_eof(sqlite3_vtab_cursor* base) {
  return reinterpret_cast<Cursor*>(base)->k >= reinterpret_cast<Cursor*>(base)->end;
}

int x_column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int i) {
  auto* cur = reinterpret_cast<Cursor*>(base);
  try {
    if (i == kRidColumn) {
      cur->src->result_rid(ctx, cur->k);
    } else if (i < kSourceColumn) {
      cur->src->result(ctx, cur->k, static_cast<size_t>(i - 1));
    } else {
      sqlite3_result_null(ctx);
    }
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
  return SQLITE_OK;
}

int x_rowid(sqlite3_vtab_cursor* base, sqlite3_int64* out) {
  *out = static_cast<sqlite3_int64>(reinterpret_cast<Cursor*>(base)->k);
  return SQLITE_OK;
}

// Eponymous only (no xCreate): nbaprops_rows exists in every connection it is
// registered on, and no CREATE VIRTUAL TABLE can store it in a file.
const sqlite3_module kModule = {
    0,             // iVersion
    nullptr,       // xCreate
    x_connect,     // xConnect
    x_best_index,  // xBestIndex
    x_disconnect,  // xDisconnect
    nullptr,       // xDestroy
    x_open,        // xOpen
    x_close,       // xClose
    x_filter,      // xFilter
    x_next,        // xNext
    x_eof,         // xEof
    x_column,      // xColumn
    x_rowid,       // xRowid
    nullptr,       // xUpdate
    nullptr,       // xBegin
    nullptr,       // xSync
    nullptr,       // xCommit
    nullptr,       // xRollback
    nullptr,       // xFindFunction
    nullptr,       // xRename
    nullptr,       // xSavepoint
    nullptr,       // xRelease
    nullptr,       // xRollbackTo
    nullptr,       // xShadowName
};

}  // namespace

void register_row_source(sqlite3* db) {
  const int rc = sqlite3_create_module_v2(db, "nbaprops_rows", &kModule, nullptr, nullptr);
  if (rc != SQLITE_OK) throw StorageError(std::string("cannot register nbaprops_rows: ") + sqlite3_errmsg(db));
}

void require_row_source_columns(size_t n, const std::string& table) {
  if (n > kRowSourceColumns) {
    throw ConfigError(table + ": " + std::to_string(n) + " columns written; at most " +
                      std::to_string(kRowSourceColumns) + " are supported");
  }
}

}  // namespace nbaprops::sqlite_detail
