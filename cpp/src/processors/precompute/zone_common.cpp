#include "nbaprops/processors/precompute/zone_common.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/core/decimal.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/sha256_batch.hpp"
#include "nbaprops/core/text_cursor.hpp"
#include "nbaprops/processors/common.hpp"
#include "phase4_util.hpp"

namespace nbaprops::precompute {

namespace {

/// actual / expected × 100 with Python's round(·, 1) (a formatting round trip),
/// memoised per thread for the small counts every unit repeats.
double completeness_pct(int64_t expected, int64_t actual) {
  auto pct = [&] { return proc::py_round(static_cast<double>(actual) / static_cast<double>(expected) * 100.0, 1); };
  constexpr int64_t kExpected = 128, kActual = 256;
  if (expected >= kExpected || actual < 0 || actual >= kActual) return pct();
  thread_local std::vector<double> memo(kExpected * kActual, std::numeric_limits<double>::quiet_NaN());
  double& v = memo[static_cast<size_t>(expected * kActual + actual)];
  if (std::isnan(v)) v = pct();
  return v;
}

}  // namespace

Completeness make_completeness(int64_t expected, int64_t actual) {
  Completeness c;
  c.expected = expected;
  c.actual = actual;
  c.pct = expected > 0 ? completeness_pct(expected, actual) : 0.0;
  c.missing = expected > actual ? expected - actual : 0;
  c.production_ready = c.pct >= kProductionReadyPct;
  return c;
}

void write_completeness(Table& t, size_t row, const Completeness& c) { CompletenessColumns(t).write(t, row, c); }

CompletenessColumns::CompletenessColumns(const Table& t)
    : expected(t.require("expected_games_count")),
      actual(t.require("actual_games_count")),
      pct(t.require("completeness_percentage")),
      missing(t.require("missing_games_count")),
      ready(t.require("is_production_ready")),
      issues(t.require("data_quality_issues")) {}

void CompletenessColumns::write(Table& t, size_t row, const Completeness& c) const {
  static const std::string* const kNoIssues = intern("[]");
  t.col(expected).set_int(row, c.expected);
  t.col(actual).set_int(row, c.actual);
  t.col(pct).set_real(row, c.pct);
  t.col(missing).set_int(row, c.missing);
  t.col(ready).set_int(row, c.production_ready ? 1 : 0);
  t.col(issues).set_text_ptr(row, kNoIssues);
}

ConstantColumns::ConstantColumns(const TableSchema& schema, const std::function<void(Table&, size_t)>& write)
    : template_(schema) {
  template_.add_row();
  write(template_, 0);
  for (size_t c = 0; c < template_.num_columns(); ++c) {
    if (!template_.col(c).is_null(0)) columns_.push_back(c);
  }
}

void ConstantColumns::apply(Table& t, size_t row) const {
  for (size_t c : columns_) t.col(c).copy_cell(row, template_.col(c), 0);
}

TeamGameCounts::TeamGameCounts(const Schedule& schedule, int season) {
  for (const Game& g : schedule.games()) {
    if (g.season != season || !g.counts()) continue;
    dates_[g.home].push_back(g.date);
    if (g.away != g.home) dates_[g.away].push_back(g.date);
  }
}

int64_t TeamGameCounts::before(const std::string& team, Date d) const {
  const auto it = dates_.find(team);
  if (it == dates_.end()) return 0;
  const auto& dates = it->second;  // schedule order: by date
  return std::lower_bound(dates.begin(), dates.end(), d) - dates.begin();
}

double np_round(double x, int digits) {
  const double scale = digits >= 0 && digits < static_cast<int>(kPowersOfTen.size())
                           ? kPowersOfTen[static_cast<size_t>(digits)]
                           : std::pow(10.0, digits);
  double v = nearest_integer(x * scale) / scale;
  return v == 0.0 ? 0.0 : v;
}

bool is_season_boundary(Date d) {
  int m = d.month();
  return m == 10 || m == 11 || m == 4;
}

std::shared_ptr<const TeamGameCounts> SeasonTeamGames::get(const Schedule& schedule, int season) const {
  std::lock_guard lock(mu_);
  if (!counts_) {
    counts_ = std::make_shared<const TeamGameCounts>(schedule, season);
    schedule_ = &schedule;
    games_ = schedule.games().size();
    season_ = season;
  }
  if (schedule_ == &schedule && games_ == schedule.games().size() && season_ == season) return counts_;
  return std::make_shared<const TeamGameCounts>(schedule, season);
}

namespace {

constexpr std::string_view kPrecomputeSpace = " \t\n\r\f\v";
constexpr std::string_view kMixinSpace = " \t\r\n";

std::string_view strip(std::string_view s, std::string_view space) {
  // Every character either set strips is a control character or the space:
  // text that starts and ends above ' ' (nearly all) has nothing to strip.
  if (s.empty() || (static_cast<unsigned char>(s.front()) > ' ' && static_cast<unsigned char>(s.back()) > ' ')) {
    return s;
  }
  const auto b = s.find_first_not_of(space);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

/// One value of precompute_data_hash: Table::cell_text, booleans True/False,
/// text stripped.
std::string precompute_cell(const Table& t, size_t row, size_t c) {
  if (t.col(c).is_null(row)) return "NULL";
  if (t.def(c).type == ColumnType::kBool) return t.col(c).int_at(row) ? "True" : "False";
  std::string value = t.cell_text(row, c);  // ints, Python float repr, ISO dates, text
  if (storage_of(t.def(c).type) == Storage::kText) value = std::string(strip(value, kPrecomputeSpace));
  return value;
}

}  // namespace

std::string precompute_data_hash(const Table& t, size_t row, const std::vector<std::string>& fields) {
  std::vector<std::string> items;
  items.reserve(fields.size());
  for (const auto& f : fields) items.push_back(f + ":" + precompute_cell(t, row, t.require(f)));
  std::sort(items.begin(), items.end());
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) joined += '|';
    joined += items[i];
  }
  return sha256_hex(joined).substr(0, 16);
}

void fill_precompute_hash(Table& t, const std::vector<std::string>& fields) {
  RowHasher(t, fields, RowHasher::Style::kPrecompute).fill(t);
}

RowHasher::Kind RowHasher::kind_of(ColumnType type) {
  switch (type) {
    case ColumnType::kBool:
      return Kind::kBool;
    case ColumnType::kInt64:
      return Kind::kInt;
    case ColumnType::kFloat64:
    case ColumnType::kNumeric:
      return Kind::kReal;
    case ColumnType::kDate:
      return Kind::kDate;
    case ColumnType::kArray:
      return Kind::kOther;  // the mixin renders arrays as Python lists
    default:
      return Kind::kText;  // strings, timestamps, JSON
  }
}

RowHasher::RowHasher(const Table& t, const std::vector<std::string>& fields, Style style) : style_(style) {
  std::vector<std::pair<std::string, size_t>> named;
  named.reserve(fields.size());
  for (const auto& f : fields) named.emplace_back(f + ":", t.require(f));
  // Sorting the "field:" prefixes sorts the items: distinct names differ at or
  // before the shorter one's ':' (a name never contains ':').
  std::sort(named.begin(), named.end());
  items_.reserve(named.size());
  for (size_t i = 0; i < named.size(); ++i) {
    if (i > 0 && named[i].first == named[i - 1].first) {
      throw InternalError("hash field '" + named[i].first + "' listed twice for " + t.schema().name);
    }
    items_.push_back(Item{(i > 0 ? "|" : "") + named[i].first, named[i].second, kind_of(t.def(named[i].second).type)});
    memoisable_ = memoisable_ && items_.back().kind != Kind::kOther;
  }
  layout_ = fnv1a_text(kFnvOffset, style_ == Style::kMixin ? "mixin" : "precompute");
  for (const Item& item : items_) {
    const char kind = static_cast<char>('0' + static_cast<int>(item.kind));
    layout_ = fnv1a_text(fnv1a_text(layout_, item.prefix), std::string_view(&kind, 1));
  }
}

void RowHasher::write_value(TextCursor& out, const Table& t, size_t row, const Item& item) const {
  const Column& col = t.col(item.column);
  if (col.is_null(row)) {
    out.append("NULL");
    return;
  }
  switch (item.kind) {
    case Kind::kBool:
      out.append(col.int_at(row) ? "True" : "False");
      return;
    case Kind::kInt:
      out.append_int(col.int_at(row));
      return;
    case Kind::kReal:
      // python_float_repr of a finite value (its few-places fast path
      // included); NaN and infinities go the style's own way.
      if (const double v = col.real_at(row); std::isfinite(v)) {
        append_python_float_repr(out, v);
        return;
      }
      break;
    case Kind::kDate: {
      // Rows of a unit mostly hold one date (analysis_date): its text once.
      thread_local int64_t last_day = INT64_MIN;
      thread_local std::string last_iso;
      if (const int64_t day = col.int_at(row); day != last_day) {
        last_iso = Date(static_cast<int32_t>(day)).iso();
        last_day = day;
      }
      out.append(last_iso);
      return;
    }
    case Kind::kText:
      out.append(strip(col.text_at(row), style_ == Style::kMixin ? kMixinSpace : kPrecomputeSpace));
      return;
    case Kind::kOther:
      break;
  }
  std::string text;
  if (style_ == Style::kMixin) {
    phase4_detail::append_py_str_cell(text, t, row, item.column);
  } else {
    text = precompute_cell(t, row, item.column);
  }
  out.append(text);
}

void RowHasher::render(TextCursor& out, const Table& t, size_t row) const {
  for (const Item& item : items_) {
    out.append(item.prefix);
    write_value(out, t, row, item);
  }
}

namespace {

/// The bits a memo keeps of a cell that is not NULL: a real's bit pattern (so
/// -0.0 and 0.0, rendered apart, differ), an integer's or a bool's value, a
/// text's address.
inline uint64_t cell_bits(const Column& col, size_t row, bool real, bool text) {
  if (text) return reinterpret_cast<uintptr_t>(col.text_ptr(row));
  return real ? std::bit_cast<uint64_t>(col.real_at(row)) : static_cast<uint64_t>(col.int_at(row));
}

}  // namespace

bool RowHasher::matches(const Column* const* cols, size_t row, const Memo& memo) const {
  for (size_t i = 0; i < items_.size(); ++i) {
    const Kind kind = items_[i].kind;
    if (kind == Kind::kDate) continue;
    const Column& col = *cols[i];
    const Memo::Cell& cell = memo.cells_[i];
    const bool null = col.is_null(row);
    if (null != cell.null) return false;
    if (null) continue;
    const bool text = kind == Kind::kText;
    if (cell_bits(col, row, kind == Kind::kReal, text) == cell.bits) continue;
    // Another text at another address may still render the same.
    if (!text || strip(col.text_at(row), style_ == Style::kMixin ? kMixinSpace : kPrecomputeSpace) !=
                     std::string_view(memo.text_).substr(cell.value, cell.end - cell.value)) {
      return false;
    }
  }
  return true;
}

void RowHasher::render_with(TextCursor& out, const Table& t, const Column* const* cols, size_t row, Memo& memo) const {
  const size_t n = items_.size();
  if (memo.valid_ && memo.layout_ == layout_ && matches(cols, row, memo)) {
    // The memo's text with this row's dates put back where they go.
    const std::string_view text(memo.text_);
    size_t from = 0;
    for (size_t i = 0; i < n; ++i) {
      if (items_[i].kind != Kind::kDate) continue;
      const size_t at = i == 0 ? 0 : memo.cells_[i - 1].end;
      out.append(text.substr(from, at - from));
      out.append(items_[i].prefix);
      write_value(out, t, row, items_[i]);
      from = at;
    }
    out.append(text.substr(from));
    return;
  }
  // Rendered, each item's part noted (offsets from the row's start in @p out),
  // then the text but the date items copied into the memo, run by run.
  memo.cells_.resize(n);
  const size_t start = out.text().size();
  for (size_t i = 0; i < n; ++i) {
    Memo::Cell& cell = memo.cells_[i];
    out.append(items_[i].prefix);
    cell.value = static_cast<uint32_t>(out.text().size() - start);
    write_value(out, t, row, items_[i]);
    cell.end = static_cast<uint32_t>(out.text().size() - start);
    const Kind kind = items_[i].kind;
    cell.null = cols[i]->is_null(row);
    cell.bits =
        cell.null || kind == Kind::kDate ? 0 : cell_bits(*cols[i], row, kind == Kind::kReal, kind == Kind::kText);
  }
  const std::string_view text = out.text().substr(start);
  memo.text_.clear();
  uint32_t run = 0, cut = 0;  // where the current run of non-date items starts; bytes of date items left out so far
  for (size_t i = 0; i < n; ++i) {
    Memo::Cell& cell = memo.cells_[i];
    const uint32_t begin = i == 0 ? 0 : memo.cells_[i - 1].end + cut;  // item i's part in text (ends not yet shifted)
    if (items_[i].kind == Kind::kDate) {
      memo.text_.append(text.substr(run, begin - run));
      cut += cell.end - begin;
      run = cell.end;
    }
    cell.value -= cut;
    cell.end -= cut;
  }
  memo.text_.append(text.substr(run));
  memo.layout_ = layout_;
  memo.valid_ = true;
}

std::string_view RowHasher::hash(const Table& t, size_t row, std::array<char, 16>& out, std::string& buf) const {
  TextCursor text(buf);
  render(text, t, row);
  return sha256_hex16(text.text(), out);
}

std::string& RowHasher::scratch() {
  thread_local std::string buf;
  return buf;
}

std::string_view RowHasher::hash(const Table& t, size_t row, std::array<char, 16>& out) const {
  return hash(t, row, out, scratch());
}

std::string RowHasher::hash(const Table& t, size_t row) const {
  std::array<char, 16> h{};
  return std::string(hash(t, row, h));
}

void RowHasher::set_rows(const Table& t, size_t begin, size_t end, Column& out, std::string& scratch) const {
  sha256_hex16_rows(
      begin, end, scratch, [&](TextCursor& text, size_t row) { render(text, t, row); },
      [&](size_t row, std::string_view hash) { out.set_unique_text(row, hash); });
}

void RowHasher::set_rows(const Table& t, size_t begin, size_t end, Column& out, std::string& scratch,
                         Memo* const* memos) const {
  if (!memoisable_ || memos == nullptr) {
    set_rows(t, begin, end, out, scratch);
    return;
  }
  std::vector<const Column*> cols(items_.size());
  for (size_t i = 0; i < cols.size(); ++i) cols[i] = &t.col(items_[i].column);
  sha256_hex16_rows(
      begin, end, scratch,
      [&](TextCursor& text, size_t row) {
        if (Memo* memo = memos[row]) {
          render_with(text, t, cols.data(), row, *memo);
        } else {
          render(text, t, row);
        }
      },
      [&](size_t row, std::string_view hash) { out.set_unique_text(row, hash); });
}

void RowHasher::fill(Table& t) const {
  Column& out = t.col(t.require("data_hash"));
  tbb::parallel_for(tbb::blocked_range<size_t>(0, t.num_rows(), 64), [&](const tbb::blocked_range<size_t>& rows) {
    set_rows(t, rows.begin(), rows.end(), out, RowHasher::scratch());
  });
}

std::string pct_text(double pct) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", pct);
  return buf;
}

}  // namespace nbaprops::precompute
