#include "nbaprops/warehouse/transfer.hpp"

#include <algorithm>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"

namespace nbaprops {

std::vector<CopyReport> copy_partitions(Warehouse& from, Warehouse& to, const std::vector<std::string>& tables,
                                        std::optional<DateRange> range, size_t dates_per_batch) {
  if (dates_per_batch == 0) throw ConfigError("copy: dates_per_batch must be at least 1");
  std::vector<const TableSchema*> schemas;
  schemas.reserve(tables.size());
  for (const auto& t : tables) schemas.push_back(&catalog::get(t));
  std::vector<CopyReport> out;
  for (const TableSchema* s : schemas) {
    CopyReport rep{s->name, 0, 0};
    const Table all = from.read(*s, range);
    const Column& pc = all.col(s->partition_column);
    // read() orders by partition date: cut the rows into batches of whole
    // dates.
    std::vector<Date> dates;
    size_t begin = 0;
    for (size_t r = 0; r <= all.num_rows(); ++r) {
      const bool at_end = r == all.num_rows();
      const Date d = at_end ? Date() : Date(static_cast<int32_t>(pc.int_at(r)));
      const bool new_date = !at_end && (dates.empty() || dates.back() != d);
      if (!dates.empty() && (at_end || (new_date && dates.size() == dates_per_batch))) {
        const Table batch = all.slice(begin, r);
        to.write_batch({TableWrite{s, &batch, dates, {}}});
        rep.partitions += static_cast<int64_t>(dates.size());
        rep.rows += static_cast<int64_t>(batch.num_rows());
        begin = r;
        dates.clear();
      }
      if (new_date) dates.push_back(d);
    }
    if (all.num_rows() == 0) to.ensure_table(*s);
    NBAPROPS_LOG_INFO << "copy " << s->name << ": " << rep.rows << " rows in " << rep.partitions << " partitions";
    out.push_back(rep);
  }
  return out;
}

}  // namespace nbaprops
