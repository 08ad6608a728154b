// Logging, dates and the table catalogue.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "nbaprops/core/date.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/table.hpp"

namespace nbaprops::py {

void bind_core(pyb::module_& m) {
  m.def(
      "configure_logging",
      [](const std::string& level, const std::string& file, bool to_stderr) {
        logging::configure(logging::parse_level(level), file, to_stderr);
      },
      pyb::arg("level") = "info", pyb::arg("file") = "", pyb::arg("to_stderr") = true,
      "Configure the native log sinks (level: debug/info/warning/error; "
      "optional file).");
  m.def(
      "parse_date", [](const std::string& s, const std::string& what) { return Date::parse(s, what).days(); },
      pyb::arg("text"), pyb::arg("what") = "date", "Parse YYYY-MM-DD into a day number (days since 1970-01-01).");
  m.def("date_iso", [](int32_t days) { return Date(days).iso(); }, "Day number to YYYY-MM-DD.");
  m.def("season_of", [](int32_t days) { return season_of(Date(days)); }, "NBA season year of a day number.");
  m.def(
      "text_pool_stats",
      [] {
        const TextPoolStats st = text_pool_stats();
        pyb::dict d;
        d["pinned"] = st.pinned;
        d["cells"] = st.cells;
        d["cell_bytes"] = st.cell_bytes;
        d["reclaims"] = st.reclaims;
        return d;
      },
      "The interned-text pool: pinned entries, cell entries (freed when a run ends and nothing holds them), their "
      "characters, and reclaims so far.");
  m.def("player_lookup", [](const std::string& s) { return player_lookup(s); }, "Legacy player_lookup key of a name.");
  m.def(
      "catalog",
      [] {
        pyb::list out;
        for (const auto& t : catalog::all()) {
          pyb::list cols;
          for (const auto& c : t.columns) {
            std::string type = type_name(c.type);
            if (c.type == ColumnType::kNumeric)
              type += "(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
            cols.append(pyb::make_tuple(c.name, type, c.required, c.description));
          }
          pyb::dict d;
          d["name"] = t.name;
          d["partition_column"] = t.partition_column;
          d["key_columns"] = t.key_columns;
          d["columns"] = cols;
          d["description"] = t.description;
          out.append(d);
        }
        return out;
      },
      "Every declared table: name, partition column, key and columns (name, "
      "type, required, description).");
}

}  // namespace nbaprops::py
