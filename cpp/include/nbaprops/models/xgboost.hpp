#pragma once
/// @file xgboost.hpp
/// An evaluator for gradient-boosted regression tree ensembles saved in
/// XGBoost's native JSON format (DESIGN DECISION 7: the prediction system
/// evaluates the real tree models; the legacy used a mock). Format facts: spec
/// legacy-mlfs-phase5-6 §3.
///
/// Semantics match `xgboost.Booster.predict(..., iteration_range=(0, limit))`
/// for numerical splits, one tree per iteration and an identity link:
///   - each tree is walked from node 0; at an internal node a missing value
///   (NaN) follows
///     `default_left`, otherwise the row goes left iff `x[split] < threshold`
///     compared in float32;
///   - the leaf value is `split_conditions` at the leaf;
///   - the prediction is base_score + the leaf values of the first `limit`
///   trees, accumulated in
///     float32 in tree order exactly as XGBoost's CPU predictor does, so
///     results agree with the Python package bit for bit (returned widened to
///     double).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nbaprops::models {

/// A gradient-boosted regression tree ensemble loaded from XGBoost's native
/// JSON (reg:squarederror and the other identity-link regression objectives).
///
/// Immutable after construction: every const method is safe to call from many
/// threads at once.
class XGBoostModel {
 public:
  /// Loads a `.json` or `.json.gz` file (gzip is detected from the content, not
  /// the name).
  /// @param path the model file.
  /// @return the validated model.
  /// @throws StorageError when the file cannot be read.
  /// @throws DataError naming the file and the offending field (tree index
  /// included) when the
  ///         content is not a supported XGBoost JSON model.
  static XGBoostModel load(const std::string& path);

  /// Parses JSON text.
  /// @param json_text the whole model document.
  /// @param origin names the source (usually the file path) in error messages.
  /// @return the validated model.
  /// @throws DataError naming @p origin, the tree and the field on malformed or
  /// unsupported input
  ///         (bad JSON, missing fields, array lengths that differ from
  ///         num_nodes, child indices not greater than their parent or beyond
  ///         the tree, split indices ≥ num_features, categorical splits,
  ///         multi-target or non-identity objectives).
  static XGBoostModel parse(std::string_view json_text, const std::string& origin);

  /// @return the feature names in column order (learner.feature_names; empty if
  /// the file has none).
  const std::vector<std::string>& feature_names() const noexcept;
  /// @return the number of input columns a row must have
  /// (learner_model_param.num_feature).
  int num_features() const noexcept;
  /// @return the number of trees stored in the file.
  int num_trees() const noexcept;
  /// @return learner.attributes.best_iteration, or -1 when the model has none.
  int best_iteration() const noexcept;
  /// @return best_iteration + 1 when present (what sklearn's predict uses),
  /// else num_trees.
  int default_tree_limit() const noexcept;
  /// @return the global bias (learner_model_param.base_score, float32 widened
  /// to double).
  double base_score() const noexcept;

  /// Predicts one row.
  /// @param x num_features() values in feature order; NaN means missing.
  /// @param tree_limit evaluate trees [0, tree_limit); 0 means
  /// default_tree_limit().
  /// @return base_score + Σ leaf values.
  /// @throws ConfigError if x.size() != num_features() or tree_limit is
  /// negative or > num_trees().
  double predict(std::span<const float> x, int tree_limit = 0) const;

  /// Predicts many rows. Large batches run TBB-parallel over blocks of rows
  /// (each block walks tree by tree so a tree stays in cache); results are
  /// identical to calling predict() per row.
  /// @param rows row-major n_rows × num_features() values; NaN means missing.
  /// @param tree_limit as for predict().
  /// @return one prediction per row.
  /// @throws ConfigError if rows.size() is not a multiple of num_features() or
  /// tree_limit is
  ///         out of range.
  std::vector<double> predict_batch(std::span<const float> rows, int tree_limit = 0) const;

  /// @param name a feature name.
  /// @return its column index, or -1 when the model has no such feature.
  int feature_index(std::string_view name) const noexcept;

 private:
  /// One node, 16 bytes. Trees are re-laid out at load so that the right child
  /// always follows the left one; a leaf points at itself, which lets a walk
  /// run a fixed number of branch-free steps.
  struct Node {
    int32_t left;          ///< absolute index of the left child (right = left + 1); self
                           ///< at a leaf
    uint32_t split;        ///< feature index (0 at a leaf)
    float value;           ///< threshold at an internal node, leaf value at a leaf
    uint8_t default_left;  ///< 1: a missing value goes left
    uint8_t internal;      ///< 0 at a leaf
    uint16_t unused;
  };

  XGBoostModel() = default;
  int resolve_limit(int tree_limit) const;
  /// Sums the first @p limit trees for @p count ≤ kBlockRows consecutive rows
  /// into @p out.
  void predict_block(const float* x, size_t count, int limit, double* out) const noexcept;

  std::vector<std::string> feature_names_;
  std::vector<Node> nodes_;          ///< all trees back to back
  std::vector<int32_t> tree_root_;   ///< index of each tree's root in nodes_
  std::vector<int32_t> tree_depth_;  ///< edges on each tree's longest root-to-leaf path
  int num_features_ = 0;
  int best_iteration_ = -1;
  float base_score_ = 0.0f;
};

}  // namespace nbaprops::models
