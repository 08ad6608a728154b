#include "nbaprops/models/xgboost.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/json_error.hpp"
#include "nbaprops/io/object_store.hpp"

namespace nbaprops::models {
namespace {

using json = nlohmann::json;

constexpr size_t kBlockRows = 64;                    // rows walked together, tree by tree
constexpr size_t kParallelMinRows = 2 * kBlockRows;  // one block: nothing to share out

// Objectives whose prediction is the raw margin (identity link).
constexpr std::array<std::string_view, 3> kIdentityObjectives = {"reg:squarederror", "reg:absoluteerror",
                                                                 "reg:pseudohubererror"};

/// Error context: the source and a JSON path, so every message names file, tree
/// and field.
struct Where {
  const std::string& origin;
  std::string path;

  [[noreturn]] void fail(const std::string& what) const { throw DataError(origin + ": " + path + ": " + what); }
  Where at(std::string_view key) const { return {origin, path + "." + std::string(key)}; }
};

const json& field(const json& obj, std::string_view key, const Where& w) {
  if (!obj.is_object()) w.fail("expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) w.at(key).fail("missing");
  return *it;
}

// Integer stored either as a JSON number or as a decimal string ("200"), as
// XGBoost writes params.
int64_t to_int(const json& v, const Where& w) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return out;
  }
  w.fail("expected an integer, got " + v.dump());
}

// base_score: "[1.0486278E1]" (XGBoost ≥ 2), "1.05E1" (older) or a JSON number.
float parse_base_score(const json& v, const Where& w) {
  if (v.is_number()) return static_cast<float>(v.get<double>());
  if (!v.is_string()) w.fail("expected a string, got " + v.dump());
  std::string_view s = v.get_ref<const std::string&>();
  auto trim = [](std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    return t;
  };
  s = trim(s);
  if (!s.empty() && s.front() == '[') {
    if (s.back() != ']') w.fail("unbalanced brackets in \"" + std::string(s) + "\"");
    s = trim(s.substr(1, s.size() - 2));
  }
  if (s.find(',') != std::string_view::npos) {
    w.fail("a vector base_score \"" + std::string(v.get_ref<const std::string&>()) +
           "\" (multi-target models are not supported)");
  }
  float out = 0.0f;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(out)) {
    w.fail("not a number: \"" + std::string(v.get_ref<const std::string&>()) + "\"");
  }
  return out;
}

const json& sized_array(const json& tree, std::string_view key, size_t n, const Where& tw) {
  const json& a = field(tree, key, tw);
  if (!a.is_array()) tw.at(key).fail("expected an array");
  if (a.size() != n) {
    tw.at(key).fail("has " + std::to_string(a.size()) + " entries, tree_param.num_nodes is " + std::to_string(n));
  }
  return a;
}

/// learner_model_param and feature_names.
struct LearnerParams {
  int num_features = 0;
  float base_score = 0.0f;
  std::vector<std::string> feature_names;
};

/// Refuses an objective whose prediction is not the raw margin.
void check_objective(const json& learner, const Where& lw) {
  const Where ow = lw.at("objective");
  const json& objective = field(learner, "objective", lw);
  const json& name = field(objective, "name", ow);
  if (!name.is_string() || std::find(kIdentityObjectives.begin(), kIdentityObjectives.end(),
                                     name.get_ref<const std::string&>()) == kIdentityObjectives.end()) {
    ow.at("name").fail("unsupported objective " + name.dump() +
                       " (only identity-link regression such as reg:squarederror)");
  }
}

LearnerParams parse_learner_params(const json& learner, const Where& lw) {
  LearnerParams out;
  const Where pw = lw.at("learner_model_param");
  const json& param = field(learner, "learner_model_param", lw);
  const int64_t num_feature = to_int(field(param, "num_feature", pw), pw.at("num_feature"));
  if (num_feature < 1 || num_feature > int64_t{INT32_MAX}) {
    pw.at("num_feature").fail("must be positive, got " + std::to_string(num_feature));
  }
  out.num_features = static_cast<int>(num_feature);
  if (auto it = param.find("num_class"); it != param.end() && to_int(*it, pw.at("num_class")) > 1) {
    pw.at("num_class").fail("multi-class models are not supported");
  }
  if (auto it = param.find("num_target"); it != param.end() && to_int(*it, pw.at("num_target")) > 1) {
    pw.at("num_target").fail("multi-target models are not supported");
  }
  out.base_score = parse_base_score(field(param, "base_score", pw), pw.at("base_score"));
  if (auto it = learner.find("feature_names"); it != learner.end()) {
    const Where fw = lw.at("feature_names");
    if (!it->is_array()) fw.fail("expected an array of strings");
    for (const json& name : *it) {
      if (!name.is_string()) fw.fail("expected an array of strings, found " + name.dump());
      out.feature_names.push_back(name.get<std::string>());
    }
    if (!out.feature_names.empty() && out.feature_names.size() != static_cast<size_t>(num_feature)) {
      fw.fail("has " + std::to_string(out.feature_names.size()) + " names, num_feature is " +
              std::to_string(num_feature));
    }
  }
  return out;
}

/// The gbtree booster's trees, checked against its declared count;
/// @p trees_path receives their JSON path.
const json& booster_trees(const json& learner, const Where& lw, std::string& trees_path) {
  const Where gw = lw.at("gradient_booster");
  const json& booster = field(learner, "gradient_booster", lw);
  const json& booster_name = field(booster, "name", gw);
  if (booster_name != "gbtree") gw.at("name").fail("unsupported booster " + booster_name.dump() + " (gbtree only)");
  const Where mw = gw.at("model");
  const json& model = field(booster, "model", gw);
  const Where gpw = mw.at("gbtree_model_param");
  const json& gparam = field(model, "gbtree_model_param", mw);
  if (auto it = gparam.find("num_parallel_tree"); it != gparam.end() && to_int(*it, gpw.at("num_parallel_tree")) != 1) {
    gpw.at("num_parallel_tree").fail("must be 1 (random-forest style models are not supported)");
  }
  const int64_t declared_trees = to_int(field(gparam, "num_trees", gpw), gpw.at("num_trees"));
  const Where tsw = mw.at("trees");
  trees_path = tsw.path;
  const json& trees = field(model, "trees", mw);
  if (!trees.is_array()) tsw.fail("expected an array");
  if (declared_trees != static_cast<int64_t>(trees.size())) {
    tsw.fail("has " + std::to_string(trees.size()) + " trees, gbtree_model_param.num_trees is " +
             std::to_string(declared_trees));
  }
  if (trees.empty()) tsw.fail("the model has no trees");
  if (auto it = model.find("tree_info"); it != model.end()) {
    if (!it->is_array() || it->size() != trees.size()) mw.at("tree_info").fail("expected one entry per tree");
    for (const json& g : *it) {
      if (to_int(g, mw.at("tree_info")) != 0) mw.at("tree_info").fail("multi-output trees are not supported");
    }
  }
  return trees;
}

/// A node as the JSON gives it (original indices).
struct RawNode {
  int32_t left = -1, right = -1;
  uint32_t split = 0;
  bool default_left = false;
  float value = 0.0f;
};

/// The arrays of one tree, each of tree_param.num_nodes entries.
struct TreeArrays {
  const json &left, &right, &split, &cond, &default_left;
};

/// The node count of tree @p tree, with its tree_param checked.
size_t tree_size(const json& tree, const Where& tw) {
  const Where tpw = tw.at("tree_param");
  const json& tparam = field(tree, "tree_param", tw);
  const int64_t nn = to_int(field(tparam, "num_nodes", tpw), tpw.at("num_nodes"));
  if (nn < 1 || nn > (int64_t{1} << 30)) tpw.at("num_nodes").fail("must be positive, got " + std::to_string(nn));
  if (auto it = tparam.find("size_leaf_vector"); it != tparam.end() && to_int(*it, tpw.at("size_leaf_vector")) > 1) {
    tpw.at("size_leaf_vector").fail("vector leaves are not supported");
  }
  return static_cast<size_t>(nn);
}

/// Node @p i of @p a: leaf or split, each index and value checked;
/// @p has_parent counts each child's parents (a tree, not a graph).
RawNode parse_node(const TreeArrays& a, size_t i, size_t n, int64_t num_feature, std::vector<uint8_t>& has_parent,
                   const Where& tw) {
  auto node = [i] { return "node " + std::to_string(i); };
  if (!a.left[i].is_number_integer())
    tw.at("left_children").fail(node() + ": expected an integer, got " + a.left[i].dump());
  if (!a.right[i].is_number_integer()) {
    tw.at("right_children").fail(node() + ": expected an integer, got " + a.right[i].dump());
  }
  if (!a.cond[i].is_number()) tw.at("split_conditions").fail(node() + ": expected a number, got " + a.cond[i].dump());
  const int64_t l = a.left[i].get<int64_t>();
  const int64_t r = a.right[i].get<int64_t>();
  RawNode out;
  out.value = static_cast<float>(a.cond[i].get<double>());
  if (!std::isfinite(out.value)) tw.at("split_conditions").fail(node() + ": not a finite float32");
  if (l == -1 || r == -1) {
    if (l != r) {
      tw.fail(node() + ": left_children = " + std::to_string(l) + " but right_children = " + std::to_string(r) +
              " (a leaf has both -1)");
    }
    return out;
  }
  const auto nn = static_cast<int64_t>(n);
  auto check_child = [&](int64_t c, std::string_view which) {
    if (c <= static_cast<int64_t>(i) || c >= nn) {
      tw.at(which).fail(node() + ": child " + std::to_string(c) + " must be greater than the node and less than " +
                        "num_nodes " + std::to_string(nn));
    }
    if (has_parent[static_cast<size_t>(c)]++) {
      tw.at(which).fail(node() + ": child " + std::to_string(c) + " already has another parent");
    }
  };
  check_child(l, "left_children");
  check_child(r, "right_children");
  if (!a.split[i].is_number_integer()) {
    tw.at("split_indices").fail(node() + ": expected an integer, got " + a.split[i].dump());
  }
  const int64_t f = a.split[i].get<int64_t>();
  if (f < 0 || f >= num_feature) {
    tw.at("split_indices")
        .fail(node() + ": feature " + std::to_string(f) + " is outside [0, num_feature " + std::to_string(num_feature) +
              ")");
  }
  const json& dl = a.default_left[i];
  if (dl.is_boolean()) {
    out.default_left = dl.get<bool>();
  } else if (dl.is_number_integer() && (dl == 0 || dl == 1)) {
    out.default_left = dl.get<int64_t>() == 1;
  } else {
    tw.at("default_left").fail(node() + ": expected 0 or 1, got " + dl.dump());
  }
  out.left = static_cast<int32_t>(l);
  out.right = static_cast<int32_t>(r);
  out.split = static_cast<uint32_t>(f);
  return out;
}

/// The nodes of tree @p tree, checked.
std::vector<RawNode> parse_tree(const json& tree, const Where& tw, int64_t num_feature) {
  const size_t n = tree_size(tree, tw);
  const TreeArrays a{sized_array(tree, "left_children", n, tw), sized_array(tree, "right_children", n, tw),
                     sized_array(tree, "split_indices", n, tw), sized_array(tree, "split_conditions", n, tw),
                     sized_array(tree, "default_left", n, tw)};
  if (tree.contains("split_type")) {
    const json& st = sized_array(tree, "split_type", n, tw);
    for (size_t i = 0; i < n; ++i) {
      if (!st[i].is_number_integer() || st[i].get<int64_t>() != 0) {
        tw.at("split_type").fail("node " + std::to_string(i) + " is a categorical split (not supported)");
      }
    }
  }
  std::vector<RawNode> raw(n);
  std::vector<uint8_t> has_parent(n, 0);
  for (size_t i = 0; i < n; ++i) raw[i] = parse_node(a, i, n, num_feature, has_parent, tw);
  return raw;
}

/// A node after the re-layout, its left child relative to the tree's root.
struct LaidNode {
  int32_t left = 0;
  uint32_t split = 0;
  float value = 0.0f;
  bool default_left = false, internal = false;
};

/// Breadth-first re-layout: siblings adjacent (right = left + 1), leaves
/// pointing at themselves; nodes unreachable from the root (deleted ones) are
/// dropped. @p depth receives the longest root-to-leaf path in edges.
std::vector<LaidNode> lay_out(const std::vector<RawNode>& raw, int32_t& depth) {
  std::vector<LaidNode> nodes(1);
  std::vector<std::pair<int32_t, int32_t>> queue = {{0, 0}};  // (original index, depth)
  std::vector<int32_t> placed = {0};
  depth = 0;
  for (size_t q = 0; q < queue.size(); ++q) {
    const auto [orig, d] = queue[q];
    const RawNode& r = raw[static_cast<size_t>(orig)];
    const int32_t at = placed[q];
    depth = std::max(depth, d);
    if (r.left < 0) {
      nodes[static_cast<size_t>(at)] = LaidNode{at, 0, r.value, false, false};
      continue;
    }
    const auto kids = static_cast<int32_t>(nodes.size());
    nodes.resize(nodes.size() + 2);
    nodes[static_cast<size_t>(at)] = LaidNode{kids, r.split, r.value, r.default_left, true};
    queue.push_back({r.left, d + 1});
    placed.push_back(kids);
    queue.push_back({r.right, d + 1});
    placed.push_back(kids + 1);
  }
  return nodes;
}

/// attributes.best_iteration, or -1.
int parse_best_iteration(const json& learner, const Where& lw, size_t num_trees) {
  auto it = learner.find("attributes");
  if (it == learner.end() || !it->is_object()) return -1;
  auto bi = it->find("best_iteration");
  if (bi == it->end()) return -1;
  const Where bw = lw.at("attributes").at("best_iteration");
  const int64_t best = to_int(*bi, bw);
  if (best < 0 || best >= static_cast<int64_t>(num_trees)) {
    bw.fail(std::to_string(best) + " is outside [0, " + std::to_string(num_trees) + ")");
  }
  return static_cast<int>(best);
}

}  // namespace

XGBoostModel XGBoostModel::load(const std::string& path) { return parse(io::read_file(path), path); }

XGBoostModel XGBoostModel::parse(std::string_view json_text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {
    throw DataError(origin + ": " + json_error_text(e, json_text));
  }
  const Where root{origin, "$"};
  const Where lw = root.at("learner");
  const json& learner = field(doc, "learner", root);
  check_objective(learner, lw);

  XGBoostModel m;
  LearnerParams params = parse_learner_params(learner, lw);
  m.num_features_ = params.num_features;
  m.base_score_ = params.base_score;
  m.feature_names_ = std::move(params.feature_names);

  std::string trees_path;
  const json& trees = booster_trees(learner, lw, trees_path);
  m.tree_root_.reserve(trees.size());
  for (size_t t = 0; t < trees.size(); ++t) {
    const Where tw{origin, "tree " + std::to_string(t) + " (" + trees_path + "[" + std::to_string(t) + "])"};
    const std::vector<RawNode> raw = parse_tree(trees[t], tw, m.num_features_);
    if (m.nodes_.size() + raw.size() > static_cast<size_t>(INT32_MAX)) tw.fail("too many nodes in the model");
    int32_t depth = 0;
    const std::vector<LaidNode> laid = lay_out(raw, depth);
    const auto root_at = static_cast<int32_t>(m.nodes_.size());
    m.tree_root_.push_back(root_at);
    for (const LaidNode& x : laid) {
      m.nodes_.push_back(Node{root_at + x.left, x.split, x.value, static_cast<uint8_t>(x.default_left ? 1 : 0),
                              static_cast<uint8_t>(x.internal ? 1 : 0), 0});
    }
    m.tree_depth_.push_back(depth);
  }
  m.best_iteration_ = parse_best_iteration(learner, lw, trees.size());
  return m;
}

const std::vector<std::string>& XGBoostModel::feature_names() const noexcept { return feature_names_; }
int XGBoostModel::num_features() const noexcept { return num_features_; }
int XGBoostModel::num_trees() const noexcept { return static_cast<int>(tree_root_.size()); }
int XGBoostModel::best_iteration() const noexcept { return best_iteration_; }
int XGBoostModel::default_tree_limit() const noexcept {
  return best_iteration_ >= 0 ? best_iteration_ + 1 : num_trees();
}
double XGBoostModel::base_score() const noexcept { return base_score_; }

int XGBoostModel::feature_index(std::string_view name) const noexcept {
  for (size_t i = 0; i < feature_names_.size(); ++i) {
    if (feature_names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

int XGBoostModel::resolve_limit(int tree_limit) const {
  if (tree_limit < 0 || tree_limit > num_trees()) {
    throw ConfigError("XGBoost tree_limit " + std::to_string(tree_limit) + " is outside [0, " +
                      std::to_string(num_trees()) + "] (0 = default " + std::to_string(default_tree_limit()) + ")");
  }
  return tree_limit == 0 ? default_tree_limit() : tree_limit;
}

void XGBoostModel::predict_block(const float* x, size_t count, int limit, double* out) const noexcept {
  // Every row of the block takes depth steps through each tree, branch-free (a
  // leaf points at itself), so the rows' walks overlap in the pipeline; each
  // row sums its trees in order in float32, as XGBoost does.
  const size_t nf = static_cast<size_t>(num_features_);
  const Node* nodes = nodes_.data();
  std::array<float, kBlockRows> acc;
  std::array<int32_t, kBlockRows> at;
  acc.fill(base_score_);
  for (int t = 0; t < limit; ++t) {
    std::fill_n(at.begin(), count, tree_root_[t]);
    for (int32_t d = 0; d < tree_depth_[t]; ++d) {
      for (size_t r = 0; r < count; ++r) {
        const Node& n = nodes[at[r]];
        const float v = x[r * nf + n.split];
        // NaN fails `<`, so it goes right unless the node sends missing values
        // left.
        const uint32_t go_right =
            static_cast<uint32_t>(!(v < n.value)) & ~static_cast<uint32_t>(std::isnan(v) & n.default_left) & n.internal;
        at[r] = n.left + static_cast<int32_t>(go_right);
      }
    }
    for (size_t r = 0; r < count; ++r) acc[r] += nodes[at[r]].value;
  }
  for (size_t r = 0; r < count; ++r) out[r] = acc[r];
}

double XGBoostModel::predict(std::span<const float> x, int tree_limit) const {
  const int limit = resolve_limit(tree_limit);
  if (x.size() != static_cast<size_t>(num_features_)) {
    throw ConfigError("XGBoost model expects " + std::to_string(num_features_) + " features, got " +
                      std::to_string(x.size()));
  }
  double out = 0.0;
  predict_block(x.data(), 1, limit, &out);
  return out;
}

std::vector<double> XGBoostModel::predict_batch(std::span<const float> rows, int tree_limit) const {
  const int limit = resolve_limit(tree_limit);
  const size_t nf = static_cast<size_t>(num_features_);
  if (rows.size() % nf != 0) {
    throw ConfigError("XGBoost predict_batch: " + std::to_string(rows.size()) + " values is not a multiple of " +
                      std::to_string(nf) + " features");
  }
  const size_t n_rows = rows.size() / nf;
  std::vector<double> out(n_rows);
  auto run_block = [&](size_t block) {
    const size_t begin = block * kBlockRows;
    predict_block(rows.data() + begin * nf, std::min(kBlockRows, n_rows - begin), limit, out.data() + begin);
  };
  const size_t n_blocks = (n_rows + kBlockRows - 1) / kBlockRows;
  if (n_rows < kParallelMinRows) {
    for (size_t b = 0; b < n_blocks; ++b) run_block(b);
  } else {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n_blocks), [&](const tbb::blocked_range<size_t>& range) {
      for (size_t b = range.begin(); b != range.end(); ++b) run_block(b);
    });
  }
  return out;
}

}  // namespace nbaprops::models
