// Phase 6 exports: build one payload, write the files of a list of dates.
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "nbaprops/processors/exports/exports.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::py {

void bind_exports(pyb::module_& m) {
  namespace ex = exports;
  m.def("export_types", [] {
    std::vector<std::string> out;
    for (ex::ExportType t : ex::all_types()) out.emplace_back(ex::to_string(t));
    return out;
  });
  m.def(
      "export_parse_types",
      [](const std::vector<std::string>& names) {
        std::vector<std::string> out;
        for (ex::ExportType t : ex::parse_types(names)) out.emplace_back(ex::to_string(t));
        return out;
      },
      pyb::arg("names"));
  m.def(
      "export_build",
      [](std::shared_ptr<Warehouse> wh, const std::string& type, int32_t day, const std::string& generated_at,
         int top_n, const std::string& live_file, int min_games) {
        const ex::ExportType t = ex::type_named(type);
        ex::BuildOptions o;
        o.generated_at = generated_at;
        o.top_n = top_n;
        o.live_file = live_file;
        o.min_games = min_games;
        pyb::gil_scoped_release release;
        return ex::build(*wh, t, Date(day), o).dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
      },
      pyb::arg("warehouse"), pyb::arg("type"), pyb::arg("day"), pyb::arg("generated_at") = "",
      pyb::arg("top_n") = ex::kBestBetsTopN, pyb::arg("live_file") = "", pyb::arg("min_games") = ex::kProfileMinGames,
      "One payload as JSON text ({path: payload} for the multi-file types).");
  m.def(
      "export_write",
      [](std::shared_ptr<Warehouse> wh, const std::vector<int32_t>& days, const std::string& out_dir,
         const std::vector<std::string>& types, const std::string& generated_at, int workers,
         const std::string& live_file, bool players, int min_games) {
        ex::ExportOptions o;
        o.out_dir = out_dir;
        o.types = players ? std::vector<ex::ExportType>{ex::ExportType::kPlayers} : ex::parse_types(types);
        o.build.generated_at = generated_at;
        o.build.live_file = live_file;
        o.build.min_games = min_games;
        o.workers = workers;
        std::vector<Date> dates(days.begin(), days.end());
        ex::ExportRun run;
        {
          pyb::gil_scoped_release release;
          run = ex::write_exports(*wh, dates, o);
        }
        pyb::list out_dates;
        for (const auto& d : run.dates) {
          pyb::list out_types;
          for (const auto& t : d.types) {
            pyb::dict td;
            td["type"] = ex::to_string(t.type);
            td["ok"] = t.ok;
            td["paths"] = t.paths;
            td["count"] = t.count;
            td["error"] = t.error;
            out_types.append(td);
          }
          pyb::dict dd;
          dd["date"] = d.date.days();
          dd["status"] = ex::to_string(d.status);
          dd["types"] = out_types;
          out_dates.append(dd);
        }
        pyb::list type_status;
        for (const auto& [t, s] : run.type_status)
          type_status.append(pyb::make_tuple(ex::to_string(t), ex::to_string(s)));
        pyb::dict r;
        r["dates"] = out_dates;
        r["type_status"] = type_status;
        r["files"] = run.files();
        r["generated_at"] = run.generated_at;
        r["seconds"] = run.seconds;
        r["exit_code"] = run.exit_code();
        return r;
      },
      pyb::arg("warehouse"), pyb::arg("days"), pyb::arg("out_dir"), pyb::arg("types") = std::vector<std::string>{},
      pyb::arg("generated_at") = "", pyb::arg("workers") = 2, pyb::arg("live_file") = "", pyb::arg("players") = false,
      pyb::arg("min_games") = ex::kProfileMinGames);
  m.def(
      "export_calendar_days",
      [](int32_t start, int32_t end) {
        std::vector<int32_t> out;
        for (Date d : ex::calendar_days(Date(start), Date(end))) out.push_back(d.days());
        return out;
      },
      pyb::arg("start"), pyb::arg("end"));
  m.def(
      "export_graded_dates",
      [](std::shared_ptr<Warehouse> wh) {
        std::vector<Date> dates;
        {
          pyb::gil_scoped_release release;
          dates = ex::graded_dates(*wh);
        }
        std::vector<int32_t> out;
        for (Date d : dates) out.push_back(d.days());
        return out;
      },
      pyb::arg("warehouse"));
}

}  // namespace nbaprops::py
