#include "convert.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>

namespace nbaprops::py {
namespace {

constexpr int64_t kNanosPerDay = 86'400'000'000'000;

enum class Kind { kInt, kBool, kDate, kReal, kCategory, kObject };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kInt:
      return "int";
    case Kind::kBool:
      return "bool";
    case Kind::kDate:
      return "date";
    case Kind::kReal:
      return "real";
    case Kind::kCategory:
      return "category";
    case Kind::kObject:
      return "object";
  }
  return "object";
}

bool is_hash(const std::string& name) { return name.ends_with("_hash"); }

Kind kind_of(const ColumnDef& def, TextMode text) {
  switch (def.type) {
    case ColumnType::kInt64:
      return Kind::kInt;
    case ColumnType::kBool:
      return Kind::kBool;
    case ColumnType::kDate:
      return Kind::kDate;
    case ColumnType::kFloat64:
    case ColumnType::kNumeric:
      return Kind::kReal;
    case ColumnType::kString:
      return text == TextMode::kCategory && !is_hash(def.name) ? Kind::kCategory : Kind::kObject;
    default:
      return Kind::kObject;
  }
}

/// The distinct values of every part's dictionary, sorted (byte order = code
/// point order for UTF-8), and per part the global code of each local code.
struct MergedText {
  std::vector<std::string_view> values;
  std::vector<std::vector<int32_t>> remap;
};

MergedText merge(const std::vector<FramePart>& parts, size_t col, bool sorted) {
  MergedText m;
  if (!sorted) {  // object columns: every part's values, as they are
    for (const FramePart& p : parts) {
      const auto& local = p.columns[col].text.values();
      std::vector<int32_t> r(local.size());
      std::iota(r.begin(), r.end(), static_cast<int32_t>(m.values.size()));
      m.values.insert(m.values.end(), local.begin(), local.end());
      m.remap.push_back(std::move(r));
    }
    return m;
  }
  std::unordered_map<std::string_view, int32_t> index;
  for (const FramePart& p : parts) {
    for (std::string_view v : p.columns[col].text.values()) {
      if (index.try_emplace(v, 0).second) m.values.push_back(v);
    }
  }
  std::sort(m.values.begin(), m.values.end());
  for (size_t i = 0; i < m.values.size(); ++i) index[m.values[i]] = static_cast<int32_t>(i);
  for (const FramePart& p : parts) {
    const auto& local = p.columns[col].text.values();
    std::vector<int32_t> r(local.size());
    for (size_t i = 0; i < local.size(); ++i) r[i] = index.at(local[i]);
    m.remap.push_back(std::move(r));
  }
  return m;
}

/// Output buffers of one column: spans over numpy memory, taken with the GIL
/// held.
struct Slot {
  Kind kind = Kind::kObject;
  std::span<int64_t> ints;  // int values, date nanoseconds
  std::span<double> reals;
  std::span<uint8_t> bools;    // numpy bool is one byte
  std::span<uint8_t> mask;     // True = missing
  MergedText text;             // text: distinct values
  std::vector<int32_t> codes;  // text: code of every row, in concatenated (read) order
};

/// Where output row r comes from: row local[r] of part part[r] (global read
/// index global[r]).
struct Gather {
  std::vector<uint32_t> global, part, local;
};

/// Text columns: the merged dictionary and every row's code in read order.
void encode(const std::vector<FramePart>& parts, size_t col, Slot& s, size_t rows, bool sorted) {
  s.text = merge(parts, col, sorted);
  s.codes.resize(rows);
  size_t off = 0;
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    const auto& local = parts[pi].columns[col].text.codes();
    const auto& remap = s.text.remap[pi];
    for (size_t i = 0; i < parts[pi].rows; ++i) {
      s.codes[off + i] = local[i] < 0 ? -1 : remap[static_cast<size_t>(local[i])];
    }
    off += parts[pi].rows;
  }
}

/// The sort key of column @p col in read order: day / int value, or text code;
/// NULL lowest.
std::vector<int64_t> sort_key(const std::vector<FramePart>& parts, const Slot& s, size_t col, size_t rows) {
  std::vector<int64_t> key(rows);
  if (!s.codes.empty() || rows == 0) {
    for (size_t r = 0; r < rows; ++r) key[r] = s.codes[r];
    return key;
  }
  size_t off = 0;
  for (const FramePart& p : parts) {
    const ColumnPart& c = p.columns[col];
    for (size_t i = 0; i < p.rows; ++i) {
      key[off + i] = c.valid[i] ? (c.ints.empty() ? static_cast<int64_t>(c.reals[i]) : c.ints[i])
                                : std::numeric_limits<int64_t>::min();
    }
    off += p.rows;
  }
  return key;
}

Gather gather_of(const std::vector<FramePart>& parts, const std::vector<Slot>& slots, const RowOrder& order,
                 size_t rows) {
  Gather g;
  g.global.resize(rows);
  std::iota(g.global.begin(), g.global.end(), 0u);
  if (!order.sort_by.empty()) {
    std::vector<std::vector<int64_t>> keys;
    for (size_t col : order.sort_by) keys.push_back(sort_key(parts, slots[col], col, rows));
    auto less = [&](uint32_t a, uint32_t b) {
      for (const auto& k : keys) {
        if (k[a] != k[b]) return k[a] < k[b];
      }
      return false;
    };
    if (!std::is_sorted(g.global.begin(), g.global.end(), less)) {
      std::stable_sort(g.global.begin(), g.global.end(), less);
    }
  }
  std::vector<uint32_t> part_of(rows), local_of(rows);
  size_t off = 0;
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    for (size_t i = 0; i < parts[pi].rows; ++i) {
      part_of[off + i] = static_cast<uint32_t>(pi);
      local_of[off + i] = static_cast<uint32_t>(i);
    }
    off += parts[pi].rows;
  }
  g.part.resize(rows);
  g.local.resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    g.part[r] = part_of[g.global[r]];
    g.local[r] = local_of[g.global[r]];
  }
  return g;
}

/// Writes output column @p col in output order.
void fill(const std::vector<FramePart>& parts, size_t col, Slot& s, const Gather& g) {
  const size_t rows = g.global.size();
  // Each part's buffers of this column, looked up once.
  std::vector<const uint8_t*> valid;
  std::vector<const int64_t*> ints;
  std::vector<const double*> reals;
  for (const FramePart& p : parts) {
    valid.push_back(p.columns[col].valid.data());
    ints.push_back(p.columns[col].ints.data());
    reals.push_back(p.columns[col].reals.data());
  }
  const uint32_t* part = g.part.data();
  const uint32_t* local = g.local.data();
  switch (s.kind) {
    case Kind::kInt:
      for (size_t r = 0; r < rows; ++r) {
        const bool ok = valid[part[r]][local[r]] != 0;
        s.ints[r] = ok ? ints[part[r]][local[r]] : 0;
        s.mask[r] = ok ? 0 : 1;
      }
      break;
    case Kind::kBool:
      for (size_t r = 0; r < rows; ++r) {
        const bool ok = valid[part[r]][local[r]] != 0;
        s.bools[r] = ok && ints[part[r]][local[r]] != 0 ? 1 : 0;
        s.mask[r] = ok ? 0 : 1;
      }
      break;
    case Kind::kDate:
      for (size_t r = 0; r < rows; ++r) {
        s.ints[r] =
            valid[part[r]][local[r]] ? ints[part[r]][local[r]] * kNanosPerDay : std::numeric_limits<int64_t>::min();
      }
      break;
    case Kind::kReal:
      for (size_t r = 0; r < rows; ++r) {
        s.reals[r] = valid[part[r]][local[r]] ? reals[part[r]][local[r]] : std::numeric_limits<double>::quiet_NaN();
      }
      break;
    case Kind::kCategory:
    case Kind::kObject: {
      std::vector<int32_t> ordered(rows);
      for (size_t r = 0; r < rows; ++r) ordered[r] = s.codes[g.global[r]];
      s.codes = std::move(ordered);
      break;
    }
  }
}

template <typename T>
std::span<T> span_of(pyb::array& a) {
  return {static_cast<T*>(a.mutable_data()), static_cast<size_t>(a.size())};
}

pyb::object utf8(std::string_view v) {
  PyObject* o = PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "replace");
  if (!o) throw pyb::error_already_set();
  return pyb::reinterpret_steal<pyb::object>(o);
}

}  // namespace

pyb::str text(std::string_view v) {
  PyObject* o = PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "backslashreplace");
  if (!o) throw pyb::error_already_set();
  return pyb::reinterpret_steal<pyb::str>(o);
}

std::string_view TextDictionary::keep(std::string_view v) {
  if (block_used_ + v.size() > block_size_) {
    block_size_ = std::max<size_t>(size_t{1} << 16, v.size());
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_size_));
    block_used_ = 0;
  }
  char* out = blocks_.back().get() + block_used_;
  if (!v.empty()) std::memcpy(out, v.data(), v.size());
  block_used_ += v.size();
  return {out, v.size()};
}

void TextDictionary::add(std::string_view v) {
  if (last_ >= 0 && values_[static_cast<size_t>(last_)] == v) {
    codes_.push_back(last_);
    return;
  }
  if (plain_) {
    values_.push_back(keep(v));
    last_ = static_cast<int32_t>(values_.size() - 1);
    codes_.push_back(last_);
    return;
  }
  auto it = index_.find(v);
  if (it != index_.end()) {
    last_ = it->second;
  } else {
    values_.push_back(keep(v));
    last_ = static_cast<int32_t>(values_.size() - 1);
    index_.emplace(values_.back(), last_);
    // Mostly distinct values (hashes, ids): hashing costs more than it saves.
    if (values_.size() > 4096 && values_.size() * 2 > codes_.size()) {
      plain_ = true;
      index_ = {};
    }
  }
  codes_.push_back(last_);
}

FramePart part_from_table(const Table& t) {
  FramePart p;
  p.rows = t.num_rows();
  p.columns.resize(t.num_columns());
  for (size_t i = 0; i < t.num_columns(); ++i) {
    const Column& c = t.col(i);
    ColumnPart& out = p.columns[i];
    switch (c.storage()) {
      case Storage::kInt:
        out.ints.assign(c.ints().begin(), c.ints().end());
        out.valid.assign(c.valid().begin(), c.valid().end());
        break;
      case Storage::kReal:
        out.reals.assign(c.reals().begin(), c.reals().end());
        out.valid.assign(c.valid().begin(), c.valid().end());
        break;
      case Storage::kText:
        for (size_t r = 0; r < p.rows; ++r) c.is_null(r) ? out.text.add_null() : out.text.add(c.text_at(r));
        break;
    }
  }
  return p;
}

pyb::dict frame_to_python(const TableSchema& schema, const std::vector<const ColumnDef*>& defs,
                          std::vector<FramePart>& parts, const RowOrder& order, TextMode text) {
  const size_t ncol = order.outputs;
  size_t rows = 0;
  for (const FramePart& p : parts) rows += p.rows;
  const auto n = static_cast<pyb::ssize_t>(rows);

  // 1. Allocate the numeric arrays (GIL held).
  std::vector<Slot> slots(defs.size());
  std::vector<pyb::array> values(ncol), masks(ncol);
  for (size_t i = 0; i < ncol; ++i) {
    Slot& s = slots[i];
    s.kind = kind_of(*defs[i], text);
    switch (s.kind) {
      case Kind::kInt:
        values[i] = pyb::array(pyb::dtype::of<int64_t>(), n);
        s.ints = span_of<int64_t>(values[i]);
        break;
      case Kind::kBool:
        values[i] = pyb::array(pyb::dtype("bool"), n);
        s.bools = span_of<uint8_t>(values[i]);
        break;
      case Kind::kDate:
        values[i] = pyb::array(pyb::dtype("M8[ns]"), n);
        s.ints = span_of<int64_t>(values[i]);
        break;
      case Kind::kReal:
        values[i] = pyb::array(pyb::dtype::of<double>(), n);
        s.reals = span_of<double>(values[i]);
        break;
      default:
        break;
    }
    if (s.kind == Kind::kInt || s.kind == Kind::kBool) {
      masks[i] = pyb::array(pyb::dtype("bool"), n);
      s.mask = span_of<uint8_t>(masks[i]);
    }
  }

  // 2. Without the GIL: merge the text dictionaries, order the rows, fill (one
  // task per column).
  {
    pyb::gil_scoped_release release;
    tbb::parallel_for(size_t{0}, defs.size(), [&](size_t i) {
      if (storage_of(defs[i]->type) != Storage::kText) return;
      // Categories and sort keys need the distinct values in order; object
      // columns do not.
      const bool key = std::find(order.sort_by.begin(), order.sort_by.end(), i) != order.sort_by.end();
      encode(parts, i, slots[i], rows, key || slots[i].kind == Kind::kCategory);
    });
    const Gather g = gather_of(parts, slots, order, rows);
    tbb::parallel_for(size_t{0}, ncol, [&](size_t i) { fill(parts, i, slots[i], g); });
  }

  // 3. Text: one Python str per distinct value, then the codes or the object
  // pointers.
  pyb::dict data;
  pyb::list names, types;
  for (size_t i = 0; i < ncol; ++i) {
    Slot& s = slots[i];
    names.append(defs[i]->name);
    types.append(type_name(defs[i]->type));
    pyb::tuple entry;
    switch (s.kind) {
      case Kind::kInt:
      case Kind::kBool:
        entry = pyb::make_tuple(kind_name(s.kind), values[i], masks[i]);
        break;
      case Kind::kDate:
      case Kind::kReal:
        entry = pyb::make_tuple(kind_name(s.kind), values[i]);
        break;
      case Kind::kCategory: {
        pyb::list cats(s.text.values.size());
        for (size_t k = 0; k < s.text.values.size(); ++k) cats[k] = utf8(s.text.values[k]);
        pyb::array_t<int32_t> codes(n);
        if (rows) std::memcpy(codes.mutable_data(), s.codes.data(), rows * sizeof(int32_t));
        entry = pyb::make_tuple(kind_name(s.kind), codes, cats);
        break;
      }
      case Kind::kObject: {
        std::vector<pyb::object> distinct;
        distinct.reserve(s.text.values.size());
        for (std::string_view v : s.text.values) distinct.push_back(utf8(v));
        pyb::array objects(pyb::dtype("O"), n);
        auto** out = static_cast<PyObject**>(objects.mutable_data());
        for (size_t r = 0; r < rows; ++r) {
          PyObject* v = s.codes[r] < 0 ? Py_None : distinct[static_cast<size_t>(s.codes[r])].ptr();
          Py_INCREF(v);
          Py_XSETREF(out[r], v);
        }
        entry = pyb::make_tuple(kind_name(s.kind), objects);
        break;
      }
    }
    data[pyb::str(defs[i]->name)] = entry;
  }
  pyb::dict out;
  out["table"] = schema.name;
  out["columns"] = names;
  out["types"] = types;
  out["data"] = data;
  out["rows"] = rows;
  return out;
}

}  // namespace nbaprops::py
