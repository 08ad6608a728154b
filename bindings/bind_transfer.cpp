// Moving data: warehouse-to-warehouse copies, object stores (gs:// or a
// directory), and the BigQuery backend's counters and test hook.
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/io/object_store.hpp"
#include "nbaprops/warehouse/bigquery_warehouse.hpp"
#include "nbaprops/warehouse/transfer.hpp"

namespace nbaprops::py {

namespace {
BigQueryWarehouse& as_bigquery(Warehouse& wh) {
  auto* bq = dynamic_cast<BigQueryWarehouse*>(&wh);
  if (!bq) throw ConfigError("not a BigQuery warehouse: " + wh.uri());
  return *bq;
}
}  // namespace

void bind_transfer(pyb::module_& m) {
  m.def(
      "copy_partitions",
      [](std::shared_ptr<Warehouse> from, std::shared_ptr<Warehouse> to, const std::vector<std::string>& tables,
         std::optional<int32_t> start, std::optional<int32_t> end, size_t dates_per_batch) {
        std::optional<DateRange> range;
        if (start || end) range = DateRange{Date(start.value_or(-100000)), Date(end.value_or(100000))};
        std::vector<CopyReport> reps;
        {
          pyb::gil_scoped_release release;
          reps = copy_partitions(*from, *to, tables, range, dates_per_batch);
        }
        pyb::list out;
        for (const auto& r : reps) {
          pyb::dict d;
          d["table"] = r.table;
          d["partitions"] = r.partitions;
          d["rows"] = r.rows;
          out.append(d);
        }
        return out;
      },
      pyb::arg("source"), pyb::arg("destination"), pyb::arg("tables"), pyb::arg("start") = std::nullopt,
      pyb::arg("end") = std::nullopt, pyb::arg("dates_per_batch") = 31);
  m.def("import_newest_schedule", [](std::shared_ptr<Warehouse> wh, const std::string& uri) {
    std::string source;
    std::map<std::string, int64_t> rows;
    {
      pyb::gil_scoped_release release;
      rows = importers::import_newest_schedule(*wh, uri, &source);
    }
    return std::make_pair(rows, source);
  });
  m.def("object_list", [](const std::string& uri, const std::string& prefix) {
    std::vector<io::ObjectInfo> items;
    {
      pyb::gil_scoped_release release;
      items = io::open_object_store(uri)->list(prefix);
    }
    pyb::list out;
    for (const auto& o : items) out.append(pyb::make_tuple(o.path, o.size, o.updated));
    return out;
  });
  m.def("object_read", [](const std::string& uri, const std::string& path) {
    std::string bytes;
    {
      pyb::gil_scoped_release release;
      bytes = io::open_object_store(uri)->read(path);
    }
    return pyb::bytes(bytes);
  });
  m.def("object_write", [](const std::string& uri, const std::string& path, const std::string& bytes,
                           const std::string& content_type, const std::string& cache_control) {
    pyb::gil_scoped_release release;
    io::open_object_store(uri)->write(path, bytes, content_type, cache_control);
  });
  m.def("bigquery_request_count", [](Warehouse& wh) { return as_bigquery(wh).request_count(); });
  m.def("bigquery_inject_write_failure", [](Warehouse& wh) { as_bigquery(wh).inject_write_failure(); });
  m.def("bigquery_dataset",
        [](Warehouse& wh, const std::string& table) { return as_bigquery(wh).dataset_of(catalog::get(table)); });
}

}  // namespace nbaprops::py
