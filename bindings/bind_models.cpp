// Tree models: the XGBoost JSON evaluator (load, metadata, batch prediction).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <span>
#include <vector>

#include "bindings.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/models/xgboost.hpp"

namespace nbaprops::py {

void bind_models(pyb::module_& m) {
  using models::XGBoostModel;
  using Rows = pyb::array_t<float, pyb::array::c_style | pyb::array::forcecast>;
  pyb::class_<XGBoostModel, std::shared_ptr<XGBoostModel>>(
      m, "XGBoostModel",
      "A gradient-boosted regression tree ensemble read from XGBoost's native "
      "JSON.")
      .def_static(
          "load",
          [](const std::string& path) {
            pyb::gil_scoped_release release;
            return std::make_shared<XGBoostModel>(XGBoostModel::load(path));
          },
          pyb::arg("path"),
          "Load a .json or .json.gz model file (DataError names the file and "
          "field).")
      .def_property_readonly("feature_names", &XGBoostModel::feature_names)
      .def_property_readonly("num_features", &XGBoostModel::num_features)
      .def_property_readonly("num_trees", &XGBoostModel::num_trees)
      .def_property_readonly("best_iteration", &XGBoostModel::best_iteration, "-1 when the model has none.")
      .def_property_readonly("default_tree_limit", &XGBoostModel::default_tree_limit,
                             "best_iteration + 1 when present, else num_trees.")
      .def_property_readonly("base_score", &XGBoostModel::base_score)
      .def(
          "predict_batch",
          [](const XGBoostModel& model, const Rows& rows, int tree_limit) {
            if (rows.ndim() != 2 || rows.shape(1) != model.num_features()) {
              std::string shape = "(";
              for (pyb::ssize_t i = 0; i < rows.ndim(); ++i) shape += (i ? ", " : "") + std::to_string(rows.shape(i));
              throw ConfigError(
                  "XGBoostModel.predict_batch expects a 2-D "
                  "array of shape (n_rows, " +
                  std::to_string(model.num_features()) + "), got shape " + shape + ")");
            }
            std::span<const float> values(rows.data(), static_cast<size_t>(rows.size()));
            auto out = std::make_unique<std::vector<double>>();
            {
              pyb::gil_scoped_release release;
              *out = model.predict_batch(values, tree_limit);
            }
            // Hand the vector to numpy without a copy; the capsule frees it
            // with the array.
            std::vector<double>* raw = out.get();
            pyb::capsule owner(out.release(), [](void* p) { delete static_cast<std::vector<double>*>(p); });
            return pyb::array_t<double>(static_cast<pyb::ssize_t>(raw->size()), raw->data(), owner);
          },
          pyb::arg("rows"), pyb::arg("tree_limit") = 0,
          "Predict rows (n_rows × num_features, float32, NaN = missing) with "
          "the first tree_limit trees "
          "(0 = default_tree_limit); returns float64 predictions.")
      .def("feature_index", &XGBoostModel::feature_index, pyb::arg("name"), "Column of a feature name, or -1.");
}

}  // namespace nbaprops::py
