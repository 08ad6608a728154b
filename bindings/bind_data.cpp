// Raw data in: the demo league generator and the importers of real formats.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/synth/demo.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::py {

void bind_data(pyb::module_& m) {
  m.def(
      "generate_demo",
      [](std::shared_ptr<Warehouse> wh, const std::vector<int>& seasons, uint64_t seed) {
        synth::DemoSummary s;
        {
          pyb::gil_scoped_release release;
          s = synth::generate_demo(*wh, synth::DemoOptions{seasons, seed});
        }
        pyb::dict d;
        d["seasons"] = s.seasons;
        d["games"] = s.games;
        d["rows"] = s.rows;
        return d;
      },
      pyb::arg("warehouse"), pyb::arg("seasons"), pyb::arg("seed") = 7);
  m.def("import_schedule", [](std::shared_ptr<Warehouse> wh, const std::string& path) {
    pyb::gil_scoped_release release;
    return importers::write_schedule(*wh, importers::load_nbacom_schedule(path));
  });
  m.def("import_shot_chart", [](std::shared_ptr<Warehouse> wh, const std::string& path) {
    pyb::gil_scoped_release release;
    return importers::write_shot_chart(*wh, importers::import_shot_chart(path));
  });
  m.def("import_bdl", [](std::shared_ptr<Warehouse> wh, const std::string& path) {
    pyb::gil_scoped_release release;
    return importers::write_bdl(*wh, importers::import_bdl_box_scores(path));
  });
}

}  // namespace nbaprops::py
