#include "nbaprops/processors/common.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>

#include "nbaprops/core/decimal.hpp"

namespace nbaprops::proc {

namespace {

/// Python's round(x, n) through the decimal digits: the exact binary value
/// rounded half-even to n decimals (std::to_chars is exact, like printf), read
/// back correctly rounded (std::from_chars). |x| ≥ 2^52 has no fractional bits.
double py_round_exact(double x, int ndigits) {
  if (!std::isfinite(x) || ndigits < 0 || std::fabs(x) >= 0x1p52) return x == 0.0 ? 0.0 : x;
  std::array<char, 96> buf{};
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), x, std::chars_format::fixed, std::min(ndigits, 40));
  if (ec != std::errc{}) throw InternalError("py_round: cannot format " + std::to_string(x));
  double v = 0.0;
  std::from_chars(buf.data(), end, v);
  return v == 0.0 ? 0.0 : v;  // no negative zero
}

}  // namespace

double py_round(double x, int ndigits) {
  // Fast path: for 0 ≤ n ≤ 9 and |x·10^n| < 1e15 whose fractional part is not
  // within the product's rounding error of one half, the rounding direction
  // is certain from the product, and the correctly rounded quotient k / 10^n
  // is what reading the decimal k·10^-n back gives. Ties, near-ties, huge and
  // non-finite values take the exact path. Bit-identical either way (tested
  // against printf + strtod).
  if (ndigits >= 0 && ndigits < static_cast<int>(kPowersOfTen.size()) && std::isfinite(x)) {
    const double p = kPowersOfTen[static_cast<size_t>(ndigits)];
    const double y = x * p;  // within half an ulp of the exact product
    if (std::fabs(y) < 1e15) {
      const double floor = std::floor(y);
      const double frac = y - floor;  // exact
      if (std::fabs(frac - 0.5) > std::fabs(y) * 1e-15 + 1e-300) {
        const double v = (frac > 0.5 ? floor + 1.0 : floor) / p;
        return v == 0.0 ? 0.0 : v;
      }
    }
  }
  return py_round_exact(x, ndigits);
}

double py_round_signed(double x, int ndigits) {
  const double v = py_round(x, ndigits);
  return v == 0.0 && std::signbit(x) ? -0.0 : v;
}

bool Quality::production_ready() const {
  if (tier != "gold" && tier != "silver" && tier != "bronze") return false;
  if (score < 50) return false;
  for (const auto& i : issues) {
    if (i == "all_sources_failed" || i == "missing_required" || i == "placeholder_created") return false;
  }
  return true;
}

std::string tier_for_score(double score) {
  if (score >= 95) return "gold";
  if (score >= 75) return "silver";
  if (score >= 50) return "bronze";
  if (score >= 25) return "poor";
  return "unusable";
}

std::string json_array(const std::vector<std::string>& items) {
  // Plain items (the quality issues and sources are) written directly, as
  // nlohmann writes them; anything to escape through nlohmann.
  if (!std::all_of(items.begin(), items.end(), [](const std::string& x) { return json_plain(x); })) {
    return nlohmann::json(items).dump();
  }
  std::string out = "[";
  for (const std::string& x : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += x;
    out += '"';
  }
  out += ']';
  return out;
}

void append_json_number_array(std::string& out, const double* values, size_t n) {
  out += '[';
  std::array<char, 64> buf{};
  for (size_t k = 0; k < n; ++k) {
    if (k) out += ',';
    const double v = values[k];
    if (!std::isfinite(v)) {
      out += "null";
      continue;
    }
    // The digits nlohmann's serializer writes for a double (its own grisu2
    // to_chars, which dump() calls), so the text is byte for byte dump()'s.
    const char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), v);
    out.append(buf.data(), static_cast<size_t>(end - buf.data()));
  }
  out += ']';
}

bool parse_number_array(std::string_view s, std::vector<double>& out) {
  out.clear();
  size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  };
  auto digits = [&] {
    const size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  // One number at s[i] (JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?).
  auto number = [&](double& v) {
    const size_t start = i;
    if (i < s.size() && s[i] == '-') ++i;
    if (i < s.size() && s[i] == '0') {
      ++i;
    } else if (!(i < s.size() && s[i] >= '1' && s[i] <= '9') || !digits()) {
      return false;
    }
    bool integer = true;
    if (i < s.size() && s[i] == '.') {
      integer = false;
      if (++i, !digits()) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      integer = false;
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (!digits()) return false;
    }
    const auto [end, ec] = std::from_chars(s.data() + start, s.data() + i, v);
    if (integer && v == 0) v = 0.0;  // nlohmann reads "-0" as the integer 0
    return ec == std::errc() && end == s.data() + i;
  };
  ws();
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  ws();
  if (i < s.size() && s[i] == ']') {
    ++i;
    ws();
    return i == s.size();
  }
  while (true) {
    ws();
    double v = 0;
    if (s.substr(i, 4) == "null") {
      v = std::nan("");
      i += 4;
    } else if (!number(v)) {
      return false;
    }
    out.push_back(v);
    ws();
    if (i >= s.size()) return false;
    if (s[i] == ']') break;
    if (s[i] != ',') return false;
    ++i;
  }
  ++i;
  ws();
  return i == s.size();
}

QualityColumns::QualityColumns(const Table& t)
    : tier(t.index_of("quality_tier")),
      score(t.index_of("quality_score")),
      issues(t.index_of("quality_issues")),
      sources(t.index_of("data_sources")),
      ready(t.index_of("is_production_ready")),
      dq_tier(t.index_of("data_quality_tier")),
      dq_issues(t.index_of("data_quality_issues")) {}

void write_quality(Table& t, size_t row, const Quality& q) { write_quality(t, row, q, QualityColumns(t)); }

void write_quality(Table& t, size_t row, const Quality& q, const QualityColumns& cols) {
  auto put = [&](int c, const auto& v) {
    if (c >= 0) t.set(row, static_cast<size_t>(c), v);
  };
  put(cols.tier, q.tier);
  put(cols.score, q.score);
  if (cols.issues >= 0 || cols.dq_issues >= 0) {
    const std::string issues = json_array(q.issues);
    put(cols.issues, issues);
    put(cols.dq_issues, issues);
  }
  if (cols.sources >= 0) put(cols.sources, json_array(q.sources));
  put(cols.ready, q.production_ready());
  put(cols.dq_tier, q.tier);
}

void write_processing_status(Table& t, size_t row, bool season_boundary, bool bootstrap_mode) {
  t.set(row, "reprocess_attempt_count", int64_t{0});
  t.set(row, "circuit_breaker_active", false);
  t.set(row, "manual_override_required", false);
  t.set(row, "season_boundary_detected", season_boundary);
  t.set(row, "backfill_bootstrap_mode", bootstrap_mode);
  t.set(row, "processing_decision_reason", "processed_successfully");
}

double& thread_read_seconds() {
  thread_local double seconds = 0;
  return seconds;
}

void require_declared_columns(const ProcessorInfo& info, const std::string& table,
                              const std::vector<std::string>& columns) {
  std::vector<const std::string*> declared;
  for (const UpstreamRead& r : info.reads) {
    if (r.table != table) continue;
    if (r.columns.empty()) return;  // a read of the table without declared columns: any column
    for (const auto& c : r.columns) declared.push_back(&c);
  }
  const auto is_declared = [&](const std::string& c) {
    return std::any_of(declared.begin(), declared.end(), [&](const std::string* d) { return *d == c; });
  };
  if (columns.empty()) {
    throw ConfigError("processor " + info.code + " read every column of " + table + ", which its reads declare " +
                      std::to_string(declared.size()) + " columns of");
  }
  for (const auto& c : columns) {
    if (!is_declared(c)) {
      throw ConfigError("processor " + info.code + " read column " + c + " of " + table +
                        ", which its declared reads of the table do not list");
    }
  }
}

Table read_window(const UnitContext& ctx, const std::string& table, Date from, Date to,
                  const std::vector<std::string>& columns) {
  if (ctx.info != nullptr && from <= to) {
    // Declared reads are the contract the runner schedules, loads and
    // pre-flights by: a read outside them would race the units that write it,
    // so it is refused, never served.
    std::optional<DateRange> hull;
    for (const UpstreamRead& r : ctx.info->reads) {
      if (r.table != table) continue;
      const DateRange w = r.window(ctx.schedule, ctx.date);
      if (w.start > w.end) continue;
      hull = hull ? DateRange{std::min(hull->start, w.start), std::max(hull->end, w.end)} : w;
    }
    if (!hull || from < hull->start || to > hull->end) {
      throw ConfigError("processor " + ctx.info->code + " read " + table + " over " + from.iso() + "…" + to.iso() +
                        " for " + ctx.date.iso() + ", outside its declared reads (" +
                        (hull ? hull->start.iso() + "…" + hull->end.iso() : std::string("none")) + ")");
    }
    require_declared_columns(*ctx.info, table, columns);
  }
  const auto t0 = std::chrono::steady_clock::now();
  Table out = ctx.warehouse.read(catalog::get(table), DateRange{from, to}, columns);
  thread_read_seconds() += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::optional<double> parse_minutes(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto colon = text.find(':');
  char* end = nullptr;
  std::string mm = text.substr(0, colon);
  long m = std::strtol(mm.c_str(), &end, 10);
  if (end == mm.c_str()) return std::nullopt;
  double out = static_cast<double>(m);
  if (colon != std::string::npos) {
    std::string ss = text.substr(colon + 1);
    long s = std::strtol(ss.c_str(), &end, 10);
    if (end != ss.c_str()) out += s / 60.0;
  }
  return out;
}

std::unordered_map<std::string, size_t> first_row_by(const Table& t, const char* key, const char* date_col, Date d,
                                                     std::vector<size_t>* dated) {
  std::unordered_map<std::string, size_t> out;
  const Column& date = t.col(date_col);
  const Column& key_col = t.col(key);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (date_of(&date, r) != d) continue;
    if (dated) dated->push_back(r);
    if (auto k = key_col.get_text(r)) out.emplace(*k, r);
  }
  return out;
}

std::unordered_map<std::string, std::vector<size_t>> index_by(const Table& t, const std::string& c1,
                                                              const std::string& c2) {
  std::unordered_map<std::string, std::vector<size_t>> out;
  const size_t i1 = t.require(c1);
  const size_t i2 = c2.empty() ? 0 : t.require(c2);
  const Column& a = t.col(i1);
  const Column* b = c2.empty() ? nullptr : &t.col(i2);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    std::string key = a.is_null(r) ? "" : t.cell_text(r, i1);
    if (b) {
      key += '|';
      if (!b->is_null(r)) key += t.cell_text(r, i2);
    }
    out[key].push_back(r);
  }
  return out;
}

}  // namespace nbaprops::proc

namespace nbaprops::proc {

bool SeasonHistory::start(Date first, Date season_start) {
  std::unique_lock lock(mu_);
  if (started_) return first_ <= first;
  first_ = next_ = first;
  season_start_ = season_start;
  started_ = true;
  return true;
}

bool SeasonHistory::catch_up(Date window_from, Date through, const std::function<Table(Date from, Date to)>& read) {
  std::unique_lock lock(mu_);
  if (next_ > through) return true;
  if (next_ < window_from) return false;
  // Read first: a failed read leaves the history as it was.
  const Table t = read(next_, through);
  lock.unlock();
  ingest(t, through);
  return true;
}

void SeasonHistory::ingest(const Table& t, Date through) {
  std::unique_lock lock(mu_);
  const Column& date = t.col(t.schema().partition_column);
  std::vector<size_t> order;
  order.reserve(t.num_rows());
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (date.is_null(r)) continue;
    const int64_t day = date.int_at(r);
    if (day >= first_.days() && day >= next_.days() && day <= through.days()) order.push_back(r);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return date.int_at(a) < date.int_at(b); });
  add_rows(t, order);
  if (through >= next_) next_ = through + 1;
}

int64_t pow10_int(int n) {
  NBAPROPS_ASSERT(n >= 0 && n <= 18);
  int64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

std::optional<double> exact_round(int64_t num, int64_t den, int dp) {
  if (den == 0) return std::nullopt;
  NBAPROPS_ASSERT(den > 0 && dp >= 0 && dp <= 9);
  const int64_t scaled = (num < 0 ? -num : num) * pow10_int(dp);
  int64_t q = scaled / den;
  if (2 * (scaled % den) >= den) ++q;  // a half goes away from zero
  const double out = static_cast<double>(q) / kPowersOfTen[static_cast<size_t>(dp)];
  return num < 0 ? -out : out;
}

int numeric_scale(const Table& t, std::string_view name) {
  const ColumnDef& c = t.schema().column(name);
  return c.type == ColumnType::kNumeric ? c.scale : 0;
}

int64_t numeric_units(double v, int scale) { return std::llround(v * static_cast<double>(pow10_int(scale))); }

}  // namespace nbaprops::proc
