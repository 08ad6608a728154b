// The schedule, built from nba_raw.nbac_schedule.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::py {

std::shared_ptr<Schedule> load_schedule(Warehouse& wh) {
  Table t = wh.read(catalog::get("nba_raw.nbac_schedule"), std::nullopt, Schedule::table_columns());
  return std::make_shared<Schedule>(Schedule::from_table(t));
}

void bind_schedule(pyb::module_& m) {
  pyb::class_<Schedule, std::shared_ptr<Schedule>>(m, "Schedule", "The league schedule.")
      .def("game_dates",
           [](const Schedule& s, int32_t start, int32_t end) {
             std::vector<int32_t> out;
             for (Date d : s.game_dates({Date(start), Date(end)})) out.push_back(d.days());
             return out;
           })
      .def("off_days",
           [](const Schedule& s, int32_t start, int32_t end) {
             std::vector<int32_t> out;
             for (Date d : s.off_days({Date(start), Date(end)})) out.push_back(d.days());
             return out;
           })
      .def("is_bootstrap", [](const Schedule& s, int32_t d) { return s.is_bootstrap(Date(d)); })
      .def("season_start",
           [](const Schedule& s, int season) -> std::optional<int32_t> {
             auto d = s.season_start(season);
             if (!d) return std::nullopt;
             return d->days();
           })
      .def("season_end",
           [](const Schedule& s, int season) -> std::optional<int32_t> {
             auto d = s.season_end(season);
             if (!d) return std::nullopt;
             return d->days();
           })
      .def("seasons", &Schedule::seasons)
      .def("__len__", [](const Schedule& s) { return s.games().size(); })
      .def("games", [](const Schedule& s) {
        pyb::list out;
        for (const Game& g : s.games()) {
          pyb::dict d;
          d["nba_game_id"] = g.nba_game_id;
          d["game_id"] = g.date_id();
          d["game_date"] = g.date.days();
          d["season"] = g.season;
          d["home"] = g.home;
          d["away"] = g.away;
          d["type"] = to_string(g.type);
          d["status"] = to_string(g.status);
          d["home_score"] = g.home_score ? pyb::cast(*g.home_score) : pyb::none();
          d["away_score"] = g.away_score ? pyb::cast(*g.away_score) : pyb::none();
          d["is_cup"] = g.is_cup;
          d["counts"] = g.counts();
          out.append(d);
        }
        return out;
      });
  m.def(
      "load_schedule",
      [](Warehouse& wh) {
        pyb::gil_scoped_release release;
        return load_schedule(wh);
      },
      "Build the Schedule from the warehouse's nba_raw.nbac_schedule.");
}

}  // namespace nbaprops::py
