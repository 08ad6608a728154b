#pragma once
// Declarations shared by the binding translation units: one bind_<area>() per
// area.
#include <pybind11/pybind11.h>

namespace nbaprops::py {
namespace pyb = pybind11;
void bind_errors(pyb::module_& m);
void bind_core(pyb::module_& m);
void bind_warehouse(pyb::module_& m);
void bind_schedule(pyb::module_& m);
void bind_processors(pyb::module_& m);
void bind_pipeline(pyb::module_& m);
void bind_data(pyb::module_& m);
void bind_models(pyb::module_& m);
void bind_raw(pyb::module_& m);
}  // namespace nbaprops::py
