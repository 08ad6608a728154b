#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "nbaprops/core/error.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/models/xgboost.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using models::XGBoostModel;
using json = nlohmann::json;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

json tree(int id, std::vector<int> left, std::vector<int> right, std::vector<int> split, std::vector<double> cond,
          std::vector<int> default_left) {
  const size_t n = left.size();
  return json{
      {"id", id},
      {"tree_param",
       {{"num_nodes", std::to_string(n)}, {"num_deleted", "0"}, {"num_feature", "2"}, {"size_leaf_vector", "1"}}},
      {"left_children", left},
      {"right_children", right},
      {"split_indices", split},
      {"split_conditions", cond},
      {"default_left", default_left},
      {"split_type", std::vector<int>(n, 0)},
      {"base_weights", cond},
      {"parents", std::vector<int>(n, 0)}};
}

// Two features a, b; base 0.5.
//  tree 0: a < 1.5 (missing → left) ? 1.0 : (b < 0.7 (missing → right) ? 2.0
//  : 3.0) tree 1: b < 10 (missing → right) ? -0.5 : 0.25
// 0.7 is not a float32: float(0.7) = 0.699999988…, so b = 0.7f sits exactly on
// the float32 threshold (goes right) but below the double 0.7 (a double
// comparison would go left).
json tiny_model() {
  json trees = json::array();
  trees.push_back(
      tree(0, {1, -1, 3, -1, -1}, {2, -1, 4, -1, -1}, {0, 0, 1, 0, 0}, {1.5, 1.0, 0.7, 2.0, 3.0}, {1, 0, 0, 0, 0}));
  trees.push_back(tree(1, {1, -1, -1}, {2, -1, -1}, {1, 0, 0}, {10.0, -0.5, 0.25}, {0, 0, 0}));
  return json{{"version", {3, 1, 2}},
              {"learner",
               {{"attributes", json::object()},
                {"feature_names", {"a", "b"}},
                {"feature_types", {"float", "float"}},
                {"objective", {{"name", "reg:squarederror"}, {"reg_loss_param", {{"scale_pos_weight", "1"}}}}},
                {"learner_model_param",
                 {{"base_score", "[5E-1]"},
                  {"boost_from_average", "1"},
                  {"num_class", "0"},
                  {"num_feature", "2"},
                  {"num_target", "1"}}},
                {"gradient_booster",
                 {{"name", "gbtree"},
                  {"model",
                   {{"gbtree_model_param", {{"num_parallel_tree", "1"}, {"num_trees", "2"}}},
                    {"iteration_indptr", {0, 1, 2}},
                    {"tree_info", {0, 0}},
                    {"trees", trees}}}}}}}};
}

XGBoostModel parse(const json& j) { return XGBoostModel::parse(j.dump(), "tiny.json"); }

double predict(const XGBoostModel& m, std::vector<float> x, int limit = 0) { return m.predict(x, limit); }

/// Parses @p j expecting a DataError whose message contains every one of @p
/// parts.
void expect_data_error(const json& j, std::initializer_list<std::string> parts) {
  try {
    (void)parse(j);
    ADD_FAILURE() << "expected DataError containing " << *parts.begin();
  } catch (const DataError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("tiny.json"), std::string::npos) << msg;
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
  }
}

json& tree_of(json& j, int t) { return j["learner"]["gradient_booster"]["model"]["trees"][t]; }

std::vector<float> random_rows(size_t n, int nf, uint32_t seed, double nan_rate) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> val(0.0f, 40.0f);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<float> rows(n * static_cast<size_t>(nf));
  for (float& v : rows) v = u(rng) < nan_rate ? kNaN : val(rng);
  return rows;
}

}  // namespace

TEST(XgbTiny, MetadataAndFeatureIndex) {
  XGBoostModel m = parse(tiny_model());
  EXPECT_EQ(m.num_features(), 2);
  EXPECT_EQ(m.num_trees(), 2);
  EXPECT_EQ(m.best_iteration(), -1);
  EXPECT_EQ(m.default_tree_limit(), 2);
  EXPECT_DOUBLE_EQ(m.base_score(), 0.5);
  EXPECT_EQ(m.feature_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(m.feature_index("b"), 1);
  EXPECT_EQ(m.feature_index("c"), -1);
}

TEST(XgbTiny, KnownOutputs) {
  XGBoostModel m = parse(tiny_model());
  EXPECT_DOUBLE_EQ(predict(m, {1.0f, 5.0f}), 0.5 + 1.0 - 0.5);
  EXPECT_DOUBLE_EQ(predict(m, {2.0f, 0.05f}), 0.5 + 2.0 - 0.5);
  EXPECT_DOUBLE_EQ(predict(m, {2.0f, 12.0f}), 0.5 + 3.0 + 0.25);
}

TEST(XgbTiny, MissingValuesFollowDefaultDirection) {
  XGBoostModel m = parse(tiny_model());
  EXPECT_DOUBLE_EQ(predict(m, {kNaN, 20.0f}),
                   0.5 + 1.0 + 0.25);  // tree 0 default left
  EXPECT_DOUBLE_EQ(predict(m, {2.0f, kNaN}),
                   0.5 + 3.0 + 0.25);  // both default right
  EXPECT_DOUBLE_EQ(predict(m, {kNaN, kNaN}), 0.5 + 1.0 + 0.25);
}

TEST(XgbTiny, StrictLessThanInFloat32AtEquality) {
  XGBoostModel m = parse(tiny_model());
  EXPECT_DOUBLE_EQ(predict(m, {1.5f, 5.0f}),
                   0.5 + 3.0 - 0.5);  // a == 1.5 is not < 1.5 → right
  EXPECT_DOUBLE_EQ(predict(m, {2.0f, 0.7f}),
                   0.5 + 3.0 - 0.5);  // float(0.7) == threshold → right
  EXPECT_DOUBLE_EQ(predict(m, {2.0f, std::nextafter(0.7f, 0.0f)}), 0.5 + 2.0 - 0.5);
  EXPECT_DOUBLE_EQ(predict(m, {2.0f, 10.0f}),
                   0.5 + 3.0 + 0.25);  // b == 10 → right in tree 1
}

TEST(XgbTiny, TreeLimitAndBestIteration) {
  XGBoostModel m = parse(tiny_model());
  EXPECT_DOUBLE_EQ(predict(m, {1.0f, 5.0f}, 1), 1.5);
  EXPECT_DOUBLE_EQ(predict(m, {1.0f, 5.0f}, 2), 1.0);
  json j = tiny_model();
  j["learner"]["attributes"] = {{"best_iteration", "0"}, {"best_score", "1.0"}};
  XGBoostModel b = parse(j);
  EXPECT_EQ(b.best_iteration(), 0);
  EXPECT_EQ(b.default_tree_limit(), 1);
  EXPECT_DOUBLE_EQ(predict(b, {1.0f, 5.0f}), 1.5);     // default: first tree only
  EXPECT_DOUBLE_EQ(predict(b, {1.0f, 5.0f}, 2), 1.0);  // explicit: all trees
  EXPECT_EQ(b.predict_batch(std::vector<float>{1.0f, 5.0f}), (std::vector<double>{1.5}));
}

TEST(XgbTiny, AnyChildOrderAndUnreachableNodes) {
  // Tree 1 rewritten: the right child (1) comes before the left one (2), and
  // node 3 is unreachable (a deleted node); depth differs between the two
  // subtrees of tree 0.
  json j = tiny_model();
  tree_of(j, 1) = tree(1, {2, -1, -1, -1}, {1, -1, -1, -1}, {1, 0, 0, 0}, {10.0, 7.0, -7.0, 99.0}, {1, 0, 0, 0});
  XGBoostModel m = parse(j);
  EXPECT_DOUBLE_EQ(predict(m, {1.0f, 5.0f}), 0.5 + 1.0 - 7.0);
  EXPECT_DOUBLE_EQ(predict(m, {1.0f, 15.0f}), 0.5 + 1.0 + 7.0);
  EXPECT_DOUBLE_EQ(predict(m, {1.0f, kNaN}), 0.5 + 1.0 - 7.0);  // default left
}

TEST(XgbTiny, BadArgumentsAreConfigErrors) {
  XGBoostModel m = parse(tiny_model());
  EXPECT_THROW(predict(m, {1.0f}), ConfigError);
  EXPECT_THROW(predict(m, {1.0f, 2.0f, 3.0f}), ConfigError);
  EXPECT_THROW(predict(m, {1.0f, 2.0f}, 3), ConfigError);
  EXPECT_THROW(predict(m, {1.0f, 2.0f}, -1), ConfigError);
  EXPECT_THROW(m.predict_batch(std::vector<float>{1.0f, 2.0f, 3.0f}), ConfigError);
  EXPECT_THROW(m.predict_batch(std::vector<float>{1.0f, 2.0f}, 3), ConfigError);
  EXPECT_TRUE(m.predict_batch(std::span<const float>{}).empty());
}

TEST(XgbTiny, BatchEqualsRowByRowSerialAndParallel) {
  XGBoostModel m = parse(tiny_model());
  for (size_t n : {size_t{3}, size_t{64}, size_t{65}, size_t{5000}}) {
    std::vector<float> rows = random_rows(n, 2, static_cast<uint32_t>(n), 0.1);
    // Put some values exactly on the thresholds.
    rows[0] = 1.5f;
    rows[1] = 0.7f;
    for (int limit : {0, 1}) {
      std::vector<double> got = m.predict_batch(rows, limit);
      ASSERT_EQ(got.size(), n);
      for (size_t r = 0; r < n; ++r) {
        ASSERT_EQ(got[r], m.predict(std::span<const float>(rows).subspan(r * 2, 2), limit)) << "row " << r;
      }
    }
  }
}

TEST(XgbTiny, BaseScoreForms) {
  for (auto [text, value] :
       {std::pair<json, double>{"[1.0486278E1]", 10.486278}, {"5E-1", 0.5}, {" [ 2.5 ] ", 2.5}, {json(3.0), 3.0}}) {
    json j = tiny_model();
    j["learner"]["learner_model_param"]["base_score"] = text;
    EXPECT_DOUBLE_EQ(parse(j).base_score(), static_cast<double>(static_cast<float>(value))) << text.dump();
  }
}

TEST(XgbTiny, MalformedInputsAreDataErrorsNamingTheField) {
  EXPECT_THROW(XGBoostModel::parse("{\"learner\": [", "tiny.json"), DataError);
  try {
    (void)XGBoostModel::parse("not json", "tiny.json");
    ADD_FAILURE();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), "tiny.json: not valid JSON at byte 2 ('o')");
  }
  try {
    (void)XGBoostModel::parse("{\"learner\": [", "cut.json");
    ADD_FAILURE();
  } catch (const DataError& e) {
    // Our own text with the byte position, not the JSON library's tag.
    EXPECT_EQ(std::string(e.what()), "cut.json: not valid JSON: the text ends after byte 13, inside a value");
  }
  {
    json j = tiny_model();
    tree_of(j, 1)["left_children"] = {1, -1};
    expect_data_error(j, {"tree 1", "left_children", "2 entries", "num_nodes is 3"});
  }
  {
    json j = tiny_model();
    tree_of(j, 0)["left_children"][2] = 2;  // a node pointing at itself
    expect_data_error(j, {"tree 0", "left_children", "node 2", "greater than the node"});
  }
  {
    json j = tiny_model();
    tree_of(j, 0)["right_children"][0] = 5;  // beyond num_nodes
    expect_data_error(j, {"tree 0", "right_children", "node 0", "child 5"});
  }
  {
    json j = tiny_model();
    tree_of(j, 0)["right_children"][2] = 3;  // node 3 would be both children of node 2
    expect_data_error(j, {"tree 0", "right_children", "node 2", "child 3 already has another parent"});
  }
  {
    json j = tiny_model();
    tree_of(j, 1)["right_children"][0] = -1;
    expect_data_error(j, {"tree 1", "node 0", "left_children = 1 but right_children = -1"});
  }
  {
    json j = tiny_model();
    tree_of(j, 1)["split_indices"][0] = 2;
    expect_data_error(j, {"tree 1", "split_indices", "feature 2", "num_feature 2"});
  }
  {
    json j = tiny_model();
    tree_of(j, 0)["split_type"][2] = 1;
    expect_data_error(j, {"tree 0", "split_type", "categorical"});
  }
  {
    json j = tiny_model();
    tree_of(j, 0).erase("split_conditions");
    expect_data_error(j, {"tree 0", "split_conditions", "missing"});
  }
  {
    json j = tiny_model();
    tree_of(j, 0)["split_conditions"][1] = "x";
    expect_data_error(j, {"tree 0", "split_conditions", "node 1", "expected a number"});
  }
  {
    json j = tiny_model();
    tree_of(j, 0)["default_left"][0] = 2;
    expect_data_error(j, {"tree 0", "default_left", "expected 0 or 1"});
  }
  {
    json j = tiny_model();
    j["learner"]["learner_model_param"].erase("base_score");
    expect_data_error(j, {"learner_model_param.base_score", "missing"});
  }
  {
    json j = tiny_model();
    j["learner"]["learner_model_param"]["base_score"] = "[abc]";
    expect_data_error(j, {"base_score", "not a number"});
  }
  {
    json j = tiny_model();
    j["learner"]["learner_model_param"]["base_score"] = "[1.0,2.0]";
    expect_data_error(j, {"base_score", "multi-target"});
  }
  {
    json j = tiny_model();
    j["learner"]["objective"]["name"] = "binary:logistic";
    expect_data_error(j, {"objective.name", "binary:logistic"});
  }
  {
    json j = tiny_model();
    j["learner"]["gradient_booster"]["name"] = "dart";
    expect_data_error(j, {"gradient_booster.name", "dart"});
  }
  {
    json j = tiny_model();
    j["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] = "3";
    expect_data_error(j, {"trees", "2 trees", "num_trees is 3"});
  }
  {
    json j = tiny_model();
    j["learner"]["attributes"]["best_iteration"] = "2";
    expect_data_error(j, {"best_iteration", "outside [0, 2)"});
  }
  {
    json j = tiny_model();
    j["learner"]["feature_names"] = {"a"};
    expect_data_error(j, {"feature_names", "1 names", "num_feature is 2"});
  }
  {
    json j = tiny_model();
    j["learner"]["learner_model_param"]["num_feature"] = "two";
    expect_data_error(j, {"num_feature", "expected an integer"});
  }
}

TEST(XgbFile, LoadsPlainAndGzipAndReportsUnreadableFiles) {
  nbaprops::testing::TempDir dir;
  const std::string plain = (dir.path() / "tiny.json").string();
  std::ofstream(plain) << tiny_model().dump();
  XGBoostModel m = XGBoostModel::load(plain);
  EXPECT_DOUBLE_EQ(m.predict(std::vector<float>{1.0f, 5.0f}), 1.0);
  EXPECT_THROW((void)XGBoostModel::load((dir.path() / "absent.json").string()), StorageError);
  const std::string broken = (dir.path() / "broken.json").string();
  std::ofstream(broken) << "{\"learner\": {}}";
  try {
    (void)XGBoostModel::load(broken);
    ADD_FAILURE();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(broken), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("learner.objective"), std::string::npos) << e.what();
  }
}

TEST(XgbReal, V1SpecFigureAndMetadata) {
  NBAPROPS_REQUIRE_SHARED_FILE(path, "models/xgboost_points_v1_6features.json.gz");
  XGBoostModel m = XGBoostModel::load(path.string());
  EXPECT_EQ(m.num_features(), 6);
  EXPECT_EQ(m.num_trees(), 200);
  EXPECT_EQ(m.best_iteration(), -1);
  EXPECT_EQ(m.default_tree_limit(), 200);
  EXPECT_NEAR(m.base_score(), 10.486278, 1e-6);
  EXPECT_EQ(m.feature_index("minutes_avg_last_10"), 4);
  EXPECT_EQ(m.feature_index("starter_rate_last_10"), 5);
  // spec legacy-mlfs-phase5-6 §3.1: [25, 24, 23, 6, 34, 1] → 21.16.
  EXPECT_NEAR(m.predict(std::vector<float>{25, 24, 23, 6, 34, 1}), 21.16, 0.005);
}

TEST(XgbReal, V4TreeLimitAndBatchConsistency) {
  NBAPROPS_REQUIRE_SHARED_FILE(path, "models/xgboost_points_v4_21features.json.gz");
  XGBoostModel m = XGBoostModel::load(path.string());
  EXPECT_EQ(m.num_features(), 21);
  EXPECT_EQ(m.num_trees(), 108);
  EXPECT_EQ(m.best_iteration(), 87);
  EXPECT_EQ(m.default_tree_limit(), 88);
  EXPECT_NEAR(m.base_score(), 10.518545, 1e-6);
  EXPECT_EQ(m.feature_names().front(), "points_avg_last_5");
  EXPECT_EQ(m.feature_names().back(), "usage_rate_last_10");
  EXPECT_EQ(m.feature_index("fatigue_score"), 5);

  std::vector<float> rows = random_rows(3000, 21, 11, 0.05);
  std::vector<double> best = m.predict_batch(rows);
  std::vector<double> all = m.predict_batch(rows, 108);
  ASSERT_EQ(best, m.predict_batch(rows, 88));
  size_t differ = 0;
  for (size_t r = 0; r < 3000; ++r) {
    std::span<const float> x = std::span<const float>(rows).subspan(r * 21, 21);
    ASSERT_EQ(best[r], m.predict(x)) << "row " << r;
    ASSERT_EQ(all[r], m.predict(x, 108)) << "row " << r;
    ASSERT_TRUE(std::isfinite(all[r]));
    differ += best[r] != all[r];
  }
  EXPECT_GT(differ, 2900u);  // the last 20 trees change almost every prediction
}

TEST(XgbReal, PlainJsonCopyGivesIdenticalPredictions) {
  NBAPROPS_REQUIRE_SHARED_FILE(path, "models/xgboost_points_v1_6features.json.gz");
  nbaprops::testing::TempDir dir;
  const std::string plain = (dir.path() / "v1.json").string();
  std::ofstream(plain, std::ios::binary) << importers::read_text_file(path.string());
  XGBoostModel gz = XGBoostModel::load(path.string());
  XGBoostModel js = XGBoostModel::load(plain);
  std::vector<float> rows = random_rows(500, 6, 3, 0.1);
  EXPECT_EQ(gz.predict_batch(rows), js.predict_batch(rows));
}
