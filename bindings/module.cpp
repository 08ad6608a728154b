// nbaprops._core: the private extension module. Each area binds itself; nothing
// else lives here.
#include "bindings.hpp"

namespace nbaprops::py {
void bind_exports(pyb::module_& m);   // bind_exports.cpp
void bind_transfer(pyb::module_& m);  // bind_transfer.cpp
}  // namespace nbaprops::py

PYBIND11_MODULE(_core, m) {
  m.doc() = "nbaprops native core (private; use the nbaprops package)";
  m.attr("__version__") = NBAPROPS_VERSION;
  nbaprops::py::bind_errors(m);
  nbaprops::py::bind_core(m);
  nbaprops::py::bind_warehouse(m);
  nbaprops::py::bind_schedule(m);
  nbaprops::py::bind_processors(m);
  nbaprops::py::bind_pipeline(m);
  nbaprops::py::bind_data(m);
  nbaprops::py::bind_exports(m);
  nbaprops::py::bind_models(m);
  nbaprops::py::bind_raw(m);
  nbaprops::py::bind_transfer(m);
}
