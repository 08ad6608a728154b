// The processor registry (read-only view for planning, docs and the CLI).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "nbaprops/pipeline/processor.hpp"

namespace nbaprops::py {
namespace {
const char* window_name(WindowKind k) {
  switch (k) {
    case WindowKind::kSameDate: return "same_date";
    case WindowKind::kLastGames: return "last_games";
    case WindowKind::kSeasonToDate: return "season_to_date";
    case WindowKind::kDaysBefore: return "days_before";
  }
  return "same_date";
}
}  // namespace

void bind_processors(pyb::module_& m) {
  m.def("processors", [] {
    pyb::list out;
    for (const Processor* p : registry::all()) {
      const ProcessorInfo& i = p->info();
      pyb::list reads;
      for (const auto& r : i.reads) reads.append(pyb::make_tuple(r.table, window_name(r.kind), r.n, r.required));
      pyb::dict d;
      d["name"] = i.name;
      d["code"] = i.code;
      d["phase"] = i.phase;
      d["output_table"] = i.output_table;
      d["entity"] = i.entity;
      d["reads"] = reads;
      d["bootstrap"] = i.bootstrap == BootstrapPolicy::kSkip ? "skip" : "run";
      d["legacy_job"] = i.legacy_job.empty() ? i.name : i.legacy_job;
      d["description"] = i.description;
      out.append(d);
    }
    return out;
  }, "Registered processors in dependency order.");
}

}  // namespace nbaprops::py
