// Raw data-lake importers (legacy scraped formats → nba_raw tables).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "nbaprops/importers/raw.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::py {

void bind_raw(pyb::module_& m) {
  m.def("raw_sources", [] {
    pyb::list out;
    for (const importers::RawSource& s : importers::raw_sources()) {
      pyb::dict d;
      d["kind"] = s.kind;
      d["table"] = s.table;
      d["legacy_processor"] = s.legacy_processor;
      d["job"] = s.job;
      d["prefixes"] = s.prefixes;
      d["compact_date"] = s.compact_date;
      d["replace_key"] = s.replace_key;
      d["selection"] = s.selection;
      out.append(d);
    }
    return out;
  });
  m.def(
      "import_raw",
      [](std::shared_ptr<Warehouse> wh, const std::string& kind, const std::string& source,
         std::shared_ptr<Schedule> schedule, const std::vector<int32_t>& dates, bool dry_run, bool all_snapshots,
         bool write_ledger, const std::string& run_id, const std::vector<std::string>& team_filter) {
        importers::RawImportOptions o;
        for (int32_t d : dates) o.dates.push_back(Date(d));
        o.dry_run = dry_run;
        o.all_snapshots = all_snapshots;
        o.write_ledger = write_ledger;
        o.run_id = run_id;
        o.team_filter = team_filter;
        importers::RawImportResult r;
        {
          pyb::gil_scoped_release release;
          r = importers::import_raw(*wh, kind, source, schedule ? *schedule : Schedule(), o);
        }
        pyb::dict d;
        d["kind"] = r.kind;
        d["table"] = r.table;
        d["run_id"] = r.run_id;
        d["dry_run"] = r.dry_run;
        d["rows"] = r.rows;
        d["seconds"] = r.seconds;
        pyb::list files;
        for (const auto& f : r.files) files.append(pyb::make_tuple(f.path, f.rows, f.status));
        d["files"] = files;
        pyb::dict by_date;
        for (const auto& [day, n] : r.rows_by_date) by_date[pyb::int_(day.days())] = n;
        d["rows_by_date"] = by_date;
        std::vector<int32_t> ds;
        for (Date day : r.dates) ds.push_back(day.days());
        d["dates"] = ds;
        return d;
      },
      pyb::arg("warehouse"), pyb::arg("kind"), pyb::arg("source"), pyb::arg("schedule"), pyb::arg("dates"),
      pyb::arg("dry_run") = false, pyb::arg("all_snapshots") = false, pyb::arg("write_ledger") = true,
      pyb::arg("run_id") = "", pyb::arg("team_filter") = std::vector<std::string>{});
}

}  // namespace nbaprops::py
