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
      [](std::shared_ptr<Warehouse> wh, const std::vector<int>& seasons, uint64_t seed,
         const std::vector<std::string>& teams) {
        synth::DemoSummary s;
        {
          pyb::gil_scoped_release release;
          s = synth::generate_demo(*wh, synth::DemoOptions{seasons, seed, teams});
        }
        pyb::dict d;
        d["seasons"] = s.seasons;
        d["games"] = s.games;
        d["rows"] = s.rows;
        return d;
      },
      pyb::arg("warehouse"), pyb::arg("seasons"), pyb::arg("seed") = 7, pyb::arg("teams") = std::vector<std::string>{});
  // Each import returns {"rows": {table: n}, "warnings": [text]}; on_richer is
  // refuse|replace|keep.
  auto to_dict = [](const importers::ImportReport& rep) {
    pyb::dict d;
    d["rows"] = rep.rows;
    d["warnings"] = rep.warnings;
    return d;
  };
  m.def(
      "import_schedule",
      [to_dict](std::shared_ptr<Warehouse> wh, const std::string& path, const std::string& on_richer) {
        importers::ImportReport rep;
        {
          pyb::gil_scoped_release release;
          const importers::ImportOptions opt{importers::parse_on_richer(on_richer)};
          auto imp = importers::parse_nbacom_schedule(importers::read_text_file(path), path);
          rep = importers::write_schedule(*wh, imp, path, opt);
        }
        return to_dict(rep);
      },
      pyb::arg("warehouse"), pyb::arg("path"), pyb::arg("on_richer") = "refuse");
  m.def(
      "import_shot_chart",
      [to_dict](std::shared_ptr<Warehouse> wh, const std::string& path, const std::string& on_richer) {
        importers::ImportReport rep;
        {
          pyb::gil_scoped_release release;
          const importers::ImportOptions opt{importers::parse_on_richer(on_richer)};
          rep = importers::write_shot_chart(*wh, importers::import_shot_chart(path), opt);
        }
        return to_dict(rep);
      },
      pyb::arg("warehouse"), pyb::arg("path"), pyb::arg("on_richer") = "refuse");
  m.def(
      "import_bdl",
      [to_dict](std::shared_ptr<Warehouse> wh, const std::string& path, const std::string& on_richer) {
        importers::ImportReport rep;
        {
          pyb::gil_scoped_release release;
          const importers::ImportOptions opt{importers::parse_on_richer(on_richer)};
          rep = importers::write_bdl(*wh, importers::import_bdl_box_scores(path), opt, path);
        }
        return to_dict(rep);
      },
      pyb::arg("warehouse"), pyb::arg("path"), pyb::arg("on_richer") = "refuse");
}

}  // namespace nbaprops::py
