#pragma once
// Table <-> Python column conversions (numpy arrays for numbers, lists for text). Called with the
// GIL held; the heavy work (I/O, compute) happens before, with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "nbaprops/core/table.hpp"

namespace nbaprops::py {
namespace pyb = pybind11;

/// A Table as {"columns": [names], "types": [type], "data": {name: (values, valid)}}; values are
/// int64/float64 numpy arrays or a list of str/None; valid is a uint8 numpy array.
pyb::dict table_to_python(const Table& t);

}  // namespace nbaprops::py
