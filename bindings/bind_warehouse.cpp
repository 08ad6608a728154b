// The warehouse: open, bulk read to columns, partition counts.
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "convert.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::py {
namespace {
std::optional<DateRange> range_of(std::optional<int32_t> start, std::optional<int32_t> end) {
  if (!start && !end) return std::nullopt;
  return DateRange{Date(start.value_or(-100000)), Date(end.value_or(100000))};
}
}  // namespace

void bind_warehouse(pyb::module_& m) {
  pyb::class_<Warehouse, std::shared_ptr<Warehouse>>(m, "Warehouse", "A warehouse (SQLite directory).")
      .def_property_readonly("uri", &Warehouse::uri)
      .def(
          "read",
          [](Warehouse& wh, const std::string& table, std::optional<int32_t> start, std::optional<int32_t> end,
             const std::vector<std::string>& columns) {
            const TableSchema& s = catalog::get(table);
            std::unique_ptr<Table> t;
            {
              pyb::gil_scoped_release release;
              t = std::make_unique<Table>(wh.read(s, range_of(start, end), columns));
            }
            return table_to_python(*t);
          },
          pyb::arg("table"), pyb::arg("start") = std::nullopt, pyb::arg("end") = std::nullopt,
          pyb::arg("columns") = std::vector<std::string>{})
      .def(
          "partition_counts",
          [](Warehouse& wh, const std::string& table, std::optional<int32_t> start, std::optional<int32_t> end) {
            const TableSchema& s = catalog::get(table);
            std::map<Date, int64_t> counts;
            {
              pyb::gil_scoped_release release;
              counts = wh.partition_counts(s, range_of(start, end));
            }
            std::map<int32_t, int64_t> out;
            for (auto& [d, n] : counts) out[d.days()] = n;
            return out;
          },
          pyb::arg("table"), pyb::arg("start") = std::nullopt, pyb::arg("end") = std::nullopt)
      .def("has_table", [](Warehouse& wh, const std::string& table) {
        const TableSchema& s = catalog::get(table);
        pyb::gil_scoped_release release;
        return wh.has_table(s);
      })
      .def("_inject_write_failure_after", [](Warehouse& wh, int64_t rows) {
        auto* sq = dynamic_cast<SqliteWarehouse*>(&wh);
        if (!sq) throw ConfigError("write-failure injection is only available on SQLite warehouses");
        sq->inject_write_failure_after(rows);
      });
  m.def(
      "open_warehouse",
      [](const std::string& uri) {
        pyb::gil_scoped_release release;
        return std::shared_ptr<Warehouse>(open_warehouse(uri));
      },
      pyb::arg("uri"), "Open (creating if needed) a warehouse directory.");
}

}  // namespace nbaprops::py
