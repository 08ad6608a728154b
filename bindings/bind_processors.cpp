// The processor registry (read-only view for planning, docs and the CLI).
#include <pybind11/stl.h>

#include <memory>
#include <optional>

#include "bindings.hpp"
#include "nbaprops/models/xgboost.hpp"
#include "nbaprops/processors/processor.hpp"
#include "nbaprops/processors/predictions/player_prop_predictions.hpp"

namespace nbaprops::py {
namespace {
const char* window_name(WindowKind k) {
  switch (k) {
    case WindowKind::kSameDate:
      return "same_date";
    case WindowKind::kLastGames:
      return "last_games";
    case WindowKind::kSeasonToDate:
      return "season_to_date";
    case WindowKind::kDaysBefore:
      return "days_before";
    case WindowKind::kDaysThrough:
      return "days_through";
  }
  return "same_date";
}
}  // namespace

void bind_processors(pyb::module_& m) {
  m.def(
      "processors",
      [] {
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
      },
      "Registered processors in dependency order.");
  m.def(
      "set_xgboost_model",
      [](std::optional<std::string> path, std::string model_id) {
        if (!path) {
          predictions::set_xgboost_model(nullptr, "");
          return;
        }
        std::shared_ptr<const models::XGBoostModel> model;
        {
          pyb::gil_scoped_release release;
          model = std::make_shared<const models::XGBoostModel>(models::XGBoostModel::load(*path));
        }
        predictions::set_xgboost_model(std::move(model), std::move(model_id));
      },
      pyb::arg("path"), pyb::arg("model_id") = "",
      "Loads the XGBoost model the predictions processor evaluates (None "
      "disables the system).");
  m.def("load_xgboost_model_async", &predictions::load_xgboost_model_async, pyb::arg("path"), pyb::arg("model_id"),
        "Starts loading the XGBoost model on a thread of its own; the first predictions unit waits for it "
        "(and fails with the load's error, naming the file).");
  m.def(
      "xgboost_model_id", [] { return predictions::xgboost_model_id(); },
      "Id of the configured XGBoost model ('' when none; a model still loading counts).");
}

}  // namespace nbaprops::py
