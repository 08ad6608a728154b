#include "convert.hpp"

#include <cstring>

namespace nbaprops::py {

pyb::dict table_to_python(const Table& t) {
  pyb::list names, types;
  pyb::dict data;
  const size_t n = t.num_rows();
  for (size_t i = 0; i < t.num_columns(); ++i) {
    const Column& c = t.col(i);
    const ColumnDef& def = t.def(i);
    names.append(t.column_names()[i]);
    types.append(type_name(def.type));
    pyb::array_t<uint8_t> valid(static_cast<pyb::ssize_t>(n));
    if (n) std::memcpy(valid.mutable_data(), c.valid().data(), n);
    pyb::object values;
    switch (c.storage()) {
      case Storage::kInt: {
        pyb::array_t<int64_t> a(static_cast<pyb::ssize_t>(n));
        if (n) std::memcpy(a.mutable_data(), c.ints().data(), n * sizeof(int64_t));
        values = a;
        break;
      }
      case Storage::kReal: {
        pyb::array_t<double> a(static_cast<pyb::ssize_t>(n));
        if (n) std::memcpy(a.mutable_data(), c.reals().data(), n * sizeof(double));
        values = a;
        break;
      }
      case Storage::kText: {
        pyb::list l(n);
        for (size_t r = 0; r < n; ++r) {
          if (c.is_null(r)) {
            l[r] = pyb::none();
          } else {
            l[r] = pyb::str(c.text_at(r));
          }
        }
        values = l;
        break;
      }
    }
    data[pyb::str(t.column_names()[i])] = pyb::make_tuple(values, valid);
  }
  pyb::dict out;
  out["table"] = t.schema().name;
  out["columns"] = names;
  out["types"] = types;
  out["data"] = data;
  out["rows"] = n;
  return out;
}

}  // namespace nbaprops::py
