#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/model/network_io.hpp"
#include "gridrnn/model/objective.hpp"
#include "model/detail/reference.hpp"
#include "model_test_data.hpp"
#include "test_helpers.hpp"

namespace gridrnn::model {
namespace {

using gridrnn::testing::run_gridrnn;
using gridrnn::testing::TempDir;
using testing::SmallProblem;

void expect_user_error(const std::function<void()>& action, const std::string& fragment) {
  try {
    action();
    FAIL() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(NetworkIo, RoundTripsBothInitialStates) {
  for (auto initial : {InitialState::kLearned, InitialState::kFromPosition}) {
    SmallProblem p(6, 2, 2, initial);
    p.model.w_rec_init = RecurrentInit::kGaussian;
    TempDir dir;
    save_network(dir / "net", p.model, p.theta, "speed_cos_sin");
    const auto network = load_network(dir / "net");
    EXPECT_EQ(network.theta, p.theta);
    EXPECT_EQ(network.encoding, "speed_cos_sin");
    EXPECT_EQ(network.options.units, 6u);
    EXPECT_EQ(network.options.initial_state, initial);
    EXPECT_EQ(network.options.w_rec_init, RecurrentInit::kGaussian);
    const auto W_rec = io::read_npy(dir / "net" / "W_rec.npy");
    EXPECT_EQ(W_rec.shape, (std::vector<std::size_t>{6, 6}));
    const ParameterLayout L(p.model);
    EXPECT_EQ(W_rec.values[1 * 6 + 2], p.theta[static_cast<Eigen::Index>(L.W_rec + 1 * 6 + 2)]);  // row-major
    EXPECT_TRUE(std::filesystem::exists(dir / "net" / (initial == InitialState::kLearned ? "x0.npy" : "W_init.npy")));
  }
}

TEST(NetworkIo, MissingWrongShapedAndCorruptFilesAreUserErrors) {
  SmallProblem p(5, 2, 2);
  TempDir dir;
  const auto net = dir / "net";
  save_network(net, p.model, p.theta, "enc");
  std::filesystem::remove(net / "b.npy");
  expect_user_error([&] { load_network(net); }, "b.npy");
  std::vector<double> wrong(4, 0.0);
  io::write_npy(net / "b.npy", std::span<const double>(wrong), {4});
  expect_user_error([&] { load_network(net); }, "requires (5)");
  io::write_file_atomic(net / "network.json", "{not json");
  expect_user_error([&] { load_network(net); }, "network.json");
  expect_user_error([&] { load_network(dir / "absent"); }, "does not exist");
}

// A place-cell network as the reference builds it: relu, no bias, uniform init, W_enc from the
// place code, place and head-direction heads, no position head.
ModelOptions place_network_options() {
  ModelOptions o;
  o.units = 6;
  o.inputs = 2;
  o.dt = o.tau = 1.0;
  o.noise_sd = 0.05;
  o.noise_placement = NoisePlacement::kRate;
  o.nonlinearity = Nonlinearity::kRelu;
  o.bias = false;
  o.w_rec_init = RecurrentInit::kUniform;
  o.w_in_init = InputInit::kUniform;
  o.initial_state = InitialState::kFromPlaceCode;
  o.readout.position = false;
  o.readout.place = true;
  o.readout.head_direction = true;
  o.readout.place_head.cells = 5;
  o.readout.place_head.sigma = 0.2;
  o.readout.place_head.surround_ratio = 3.0;
  o.readout.place_head.tuning = PlaceTuning::kGaussian;
  o.readout.place_head.loss = PlaceLoss::kSquaredError;
  o.readout.place_head.centres = CentreLayout::kLattice;
  o.readout.place_head.weight = 0.5;
  o.readout.head_direction_head.cells = 4;
  o.readout.head_direction_head.kappa = 3.0;
  o.readout.head_direction_head.weight = 2.0;
  o.readout.place_centres = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1.0};
  return o;
}

TEST(NetworkIo, RoundTripsEveryBlockAndSettingOfAPlaceCellNetwork) {
  const ModelOptions o = place_network_options();
  const Eigen::VectorXd theta = initial_parameters(o, 3);
  TempDir dir;
  const auto net = dir / "net";
  // A position network saved there first: its b.npy, W_out.npy and x0.npy must not survive.
  SmallProblem old(6, 2, 2);
  old.model.inputs = 2;
  save_network(net, old.model, old.random_theta(1), "enc");
  save_network(net, o, theta, "velocity");
  const Network network = load_network(net);
  EXPECT_EQ(network.theta, theta);
  const ModelOptions& l = network.options;
  EXPECT_EQ(l.nonlinearity, Nonlinearity::kRelu);
  EXPECT_EQ(l.noise_placement, NoisePlacement::kRate);
  EXPECT_FALSE(l.bias);
  EXPECT_EQ(l.w_rec_init, RecurrentInit::kUniform);
  EXPECT_EQ(l.w_in_init, InputInit::kUniform);
  EXPECT_EQ(l.initial_state, InitialState::kFromPlaceCode);
  EXPECT_EQ(l.readout.heads_name(), "place+head_direction");
  EXPECT_EQ(l.readout.place_head.cells, 5u);
  EXPECT_EQ(l.readout.place_head.sigma, 0.2);
  EXPECT_EQ(l.readout.place_head.surround_ratio, 3.0);
  EXPECT_EQ(l.readout.place_head.tuning, PlaceTuning::kGaussian);
  EXPECT_EQ(l.readout.place_head.loss, PlaceLoss::kSquaredError);
  EXPECT_EQ(l.readout.place_head.centres, CentreLayout::kLattice);
  EXPECT_EQ(l.readout.place_head.weight, 0.5);
  EXPECT_EQ(l.readout.head_direction_head.cells, 4u);
  EXPECT_EQ(l.readout.head_direction_head.kappa, 3.0);
  EXPECT_EQ(l.readout.head_direction_head.weight, 2.0);
  EXPECT_EQ(l.readout.place_centres, o.readout.place_centres);
  const std::vector<std::pair<const char*, std::vector<std::size_t>>> files = {
      {"W_in.npy", {6, 2}}, {"W_rec.npy", {6, 6}}, {"W_place.npy", {5, 6}}, {"W_hd.npy", {4, 6}},
      {"W_enc.npy", {6, 5}}, {"place_centres.npy", {5, 2}}};
  for (const auto& [name, shape] : files) EXPECT_EQ(io::read_npy(net / name).shape, shape) << name;
  EXPECT_EQ(io::read_npy(net / "place_centres.npy").dtype, io::DType::kFloat64);
  for (const char* absent : {"b.npy", "W_out.npy", "x0.npy", "W_init.npy"}) EXPECT_FALSE(std::filesystem::exists(net / absent)) << absent;
  const ParameterLayout L(o);
  EXPECT_EQ(io::read_npy(net / "W_enc.npy").values[1 * 5 + 3], theta[static_cast<Eigen::Index>(L.initial + 1 * 5 + 3)]);  // (N, N_p)
  EXPECT_EQ(io::read_npy(net / "W_place.npy").values[2 * 6 + 1], theta[static_cast<Eigen::Index>(L.W_place + 2 * 6 + 1)]);
  const auto json = nlohmann::json::parse(io::read_file(net / "network.json"));
  EXPECT_EQ(json["format_version"], 2);
  EXPECT_EQ(json["readout"]["heads"], "place+head_direction");
  EXPECT_FALSE(json["readout"].contains("position"));
}

TEST(NetworkIo, AFolderWrittenBeforeTheReadoutHeadsLoadsWithTheOldDefaults) {
  // As gridrnn wrote networks with format_version 1: no nonlinearity, noise_placement, bias,
  // w_in_init or readout in network.json; b.npy and W_out.npy always there.
  TempDir dir;
  const auto net = dir / "old";
  std::filesystem::create_directories(net);
  io::write_file_atomic(net / "network.json", R"({
  "format": "gridrnn-network",
  "format_version": 1,
  "units": 3,
  "inputs": 2,
  "tau": 1.0,
  "dt": 0.1,
  "noise_sd": 0.1,
  "w_rec_init": "orthogonal",
  "w_rec_gain": 1.5,
  "initial_state": "from_position",
  "encoding": "speed_angle"
}
)");
  const auto ramp = [](std::size_t n, double start) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = start + 0.01 * static_cast<double>(i);
    return v;
  };
  io::write_npy(net / "W_in.npy", std::span<const double>(ramp(6, 1.0)), {3, 2});
  io::write_npy(net / "W_rec.npy", std::span<const double>(ramp(9, 2.0)), {3, 3});
  io::write_npy(net / "b.npy", std::span<const double>(ramp(3, 3.0)), {3});
  io::write_npy(net / "W_out.npy", std::span<const double>(ramp(6, 4.0)), {2, 3});
  io::write_npy(net / "W_init.npy", std::span<const double>(ramp(6, 5.0)), {3, 2});
  const Network network = load_network(net);
  const ModelOptions& o = network.options;
  EXPECT_EQ(o.nonlinearity, Nonlinearity::kTanh);
  EXPECT_EQ(o.noise_placement, NoisePlacement::kBracket);
  EXPECT_TRUE(o.bias);
  EXPECT_EQ(o.w_in_init, InputInit::kGaussian);
  EXPECT_EQ(o.initial_state, InitialState::kFromPosition);
  EXPECT_EQ(o.readout.heads_name(), "position");
  EXPECT_TRUE(o.readout.place_centres.empty());
  EXPECT_EQ(network.encoding, "speed_angle");
  const ParameterLayout L(o);
  ASSERT_EQ(static_cast<std::size_t>(network.theta.size()), L.total);
  EXPECT_DOUBLE_EQ(network.theta[static_cast<Eigen::Index>(L.W_in + 5)], 1.05);
  EXPECT_DOUBLE_EQ(network.theta[static_cast<Eigen::Index>(L.b + 2)], 3.02);
  EXPECT_DOUBLE_EQ(network.theta[static_cast<Eigen::Index>(L.W_out + 4)], 4.04);
  EXPECT_DOUBLE_EQ(network.theta[static_cast<Eigen::Index>(L.initial + 1)], 5.01);
  // Still a version-1 folder without b.npy is refused, naming the file.
  std::filesystem::remove(net / "b.npy");
  expect_user_error([&] { load_network(net); }, "b.npy");
}

TEST(NetworkIo, BadPlaceCellFilesAndSettingsAreUserErrorsNamingTheFile) {
  const ModelOptions o = place_network_options();
  const Eigen::VectorXd theta = initial_parameters(o, 3);
  TempDir dir;
  const auto net = dir / "net";
  save_network(net, o, theta, "velocity");
  const std::string good_json = io::read_file(net / "network.json");
  const auto rewrite_json = [&](const std::string& from, const std::string& to) {
    std::string text = good_json;
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    io::write_file_atomic(net / "network.json", text);
  };
  std::filesystem::remove(net / "place_centres.npy");
  expect_user_error([&] { load_network(net); }, "place_centres.npy");
  io::write_npy(net / "place_centres.npy", std::span<const double>(std::vector<double>(8, 0.0)), {4, 2});
  expect_user_error([&] { load_network(net); }, "place_centres.npy' has shape (4, 2)");
  std::vector<double> with_nan(o.readout.place_centres);
  with_nan[3] = std::nan("");
  io::write_npy(net / "place_centres.npy", std::span<const double>(with_nan), {5, 2});
  expect_user_error([&] { load_network(net); }, "place_centres.npy");
  io::write_npy(net / "place_centres.npy", std::span<const double>(o.readout.place_centres), {5, 2});
  EXPECT_NO_THROW(load_network(net));
  std::filesystem::remove(net / "W_enc.npy");
  expect_user_error([&] { load_network(net); }, "W_enc.npy");
  save_network(net, o, theta, "velocity");
  io::write_npy(net / "W_hd.npy", std::span<const double>(std::vector<double>(5 * 6, 0.0)), {5, 6});
  expect_user_error([&] { load_network(net); }, "requires (4, 6)");
  save_network(net, o, theta, "velocity");
  rewrite_json("\"heads\": \"place+head_direction\"", "\"heads\": \"place+grid\"");
  expect_user_error([&] { load_network(net); }, "unknown head \"grid\"");
  rewrite_json("\"nonlinearity\": \"relu\"", "\"nonlinearity\": \"sigmoid\"");
  expect_user_error([&] { load_network(net); }, "network.json");
  rewrite_json("\"bias\": false,", "");
  expect_user_error([&] { load_network(net); }, "network.json");
  rewrite_json("\"kappa\": 3.0,", "");
  expect_user_error([&] { load_network(net); }, "kappa");
  rewrite_json("\"heads\": \"place+head_direction\"", "\"heads\": \"head_direction\"");
  expect_user_error([&] { load_network(net); }, "readout.place");
  rewrite_json("\"format_version\": 2", "\"format_version\": 3");
  expect_user_error([&] { load_network(net); }, "format_version 3");
}

TEST(Initialization, FollowsThePaper) {
  ModelOptions options;  // N = 100, orthogonal
  const ParameterLayout L(options);
  const Eigen::VectorXd theta = initial_parameters(options, 5);
  using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMatrix> W_rec(theta.data() + L.W_rec, 100, 100);
  EXPECT_LT((W_rec * W_rec.transpose() - Eigen::MatrixXd::Identity(100, 100)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ(theta.segment(static_cast<Eigen::Index>(L.b), 100).squaredNorm(), 0.0);
  EXPECT_EQ(theta.segment(static_cast<Eigen::Index>(L.W_out), 200).squaredNorm(), 0.0);
  // W_in ~ N(0, 1/N_in): sample variance of 300 values within 4 standard errors.
  const double var_in = theta.segment(static_cast<Eigen::Index>(L.W_in), 300).squaredNorm() / 300.0;
  EXPECT_NEAR(var_in, 1.0 / 3.0, 4.0 * (1.0 / 3.0) * std::sqrt(2.0 / 300.0));
  options.w_rec_init = RecurrentInit::kGaussian;
  const Eigen::VectorXd gaussian = initial_parameters(options, 5);
  const double var_rec = gaussian.segment(static_cast<Eigen::Index>(L.W_rec), 10000).squaredNorm() / 10000.0;
  EXPECT_NEAR(var_rec, 1.5 * 1.5 / 100.0, 4.0 * 0.0225 * std::sqrt(2.0 / 10000.0));
}

TEST(ModelConfig, ReadsDefaultsAndRefusesBadValues) {
  auto config = io::ConfigReader::from_string("[model]\nunits = 50\nw_rec_init = \"gaussian\"\n[loss]\nlambda_fr = 0.2\n", "t.toml");
  const auto model = ModelOptions::from_config(config.section("model"), config.section("readout"), 2);
  const auto loss = LossOptions::from_config(config.section("loss"));
  config.finish();
  EXPECT_EQ(model.units, 50u);
  EXPECT_EQ(model.inputs, 2u);
  EXPECT_DOUBLE_EQ(model.alpha(), 0.1);
  EXPECT_EQ(model.w_rec_init, RecurrentInit::kGaussian);
  EXPECT_DOUBLE_EQ(loss.lambda_l2, 0.5);
  EXPECT_DOUBLE_EQ(loss.lambda_fr, 0.2);
  auto bad = io::ConfigReader::from_string("[model]\ndt = 2.0\n", "t.toml");
  expect_user_error([&] { ModelOptions::from_config(bad.section("model"), bad.section("readout"), 3); }, "dt");
  auto bad_choice = io::ConfigReader::from_string("[model]\ninitial_state = \"random\"\n", "t.toml");
  EXPECT_THROW(ModelOptions::from_config(bad_choice.section("model"), bad_choice.section("readout"), 3), UserError);
}

class PredictCli : public ::testing::Test {
 protected:
  void SetUp() override {
    save_network(dir / "net", problem.model, problem.theta, "speed_cos_sin");
    write_inputs("inputs.npy", problem.inputs, {problem.batch.steps, problem.batch.trials, 3});
  }
  void write_inputs(const std::string& name, const std::vector<float>& values, const std::vector<std::size_t>& shape) {
    io::write_npy(dir / name, std::span<const float>(values), shape);
  }
  std::string args(const std::string& inputs, const std::string& out) const {
    return "predict --network " + (dir / "net").string() + " --inputs " + (dir / inputs).string() + " --out " + (out_dir / out).string();
  }
  SmallProblem problem{5, 6, 4};
  TempDir dir, out_dir;
};

TEST_F(PredictCli, WritesOutputsAndActivitiesMatchingTheReference) {
  const auto result = run_gridrnn(args("inputs.npy", "pred") + " --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  const auto outputs = io::read_npy(out_dir / "pred" / "outputs.npy");
  const auto activities = io::read_npy(out_dir / "pred" / "activities.npy");
  EXPECT_EQ(outputs.shape, (std::vector<std::size_t>{6, 4, 2}));
  EXPECT_EQ(activities.shape, (std::vector<std::size_t>{6, 4, 5}));
  auto quiet = problem.model;
  quiet.noise_sd = 0.0;
  const auto reference = detail::reference_forward(quiet, problem.loss, problem.batch, problem.theta, false);
  for (std::size_t i = 0; i < outputs.values.size(); ++i) EXPECT_NEAR(outputs.values[i], reference.outputs[i], 1e-5);
  for (std::size_t i = 0; i < activities.values.size(); ++i) EXPECT_NEAR(activities.values[i], reference.activities[i], 1e-5);
}

TEST_F(PredictCli, BadInputsExitWithStatus2AndWriteNothing) {
  write_inputs("wide.npy", std::vector<float>(6 * 4 * 2, 0.0f), {6, 4, 2});
  write_inputs("flat.npy", std::vector<float>(24, 0.0f), {24});
  std::vector<float> with_nan(problem.inputs);
  with_nan[7] = std::nanf("");
  write_inputs("nan.npy", with_nan, {6, 4, 3});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {args("wide.npy", "a"), "expected (T, B, 3)"},
      {args("flat.npy", "b"), "expected (T, B, 3)"},
      {args("nan.npy", "c"), "nan.npy"},
      {args("missing.npy", "d"), "missing.npy"},
      {"predict --network " + (dir / "nonet").string() + " --inputs " + (dir / "inputs.npy").string() + " --out " + (out_dir / "e").string(), "nonet"},
      {args("inputs.npy", "f") + " --starts " + (dir / "inputs.npy").string(), "--starts"},
  };
  for (const auto& [command, fragment] : cases) {
    const auto result = run_gridrnn(command);
    EXPECT_EQ(result.status, 2) << command << "\n" << result.output;
    EXPECT_NE(result.output.find(fragment), std::string::npos) << result.output;
  }
  EXPECT_EQ(out_dir.entry_count(), 0u);
}

TEST(PredictCliStarts, FromPositionNetworkNeedsStartsOfTheRightShape) {
  SmallProblem p(4, 3, 2, InitialState::kFromPosition);
  TempDir dir;
  save_network(dir / "net", p.model, p.theta, "enc");
  io::write_npy(dir / "in.npy", std::span<const float>(p.inputs), {3, 2, 3});
  io::write_npy(dir / "starts3.npy", std::span<const float>(std::vector<float>(6, 0.0f)), {3, 2});
  io::write_npy(dir / "starts.npy", std::span<const float>(p.starts), {2, 2});
  const std::string base = "predict --network " + (dir / "net").string() + " --inputs " + (dir / "in.npy").string();
  auto result = run_gridrnn(base + " --out " + (dir / "o1").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--starts"), std::string::npos) << result.output;
  result = run_gridrnn(base + " --starts " + (dir / "starts3.npy").string() + " --out " + (dir / "o2").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("expected (2, 2)"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "o1"));
  EXPECT_FALSE(std::filesystem::exists(dir / "o2"));
  result = run_gridrnn(base + " --starts " + (dir / "starts.npy").string() + " --noise --out " + (dir / "o3").string());
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "o3" / "activities.npy"));
}

TEST(PredictCliStarts, FromPlaceCodeNetworkNeedsStartsToo) {
  TempDir dir;
  const ModelOptions o = place_network_options();
  save_network(dir / "net", o, initial_parameters(o, 3), "velocity");
  io::write_npy(dir / "in.npy", std::span<const float>(std::vector<float>(3 * 2 * 2, 0.1f)), {3, 2, 2});
  const std::string base = "predict --network " + (dir / "net").string() + " --inputs " + (dir / "in.npy").string();
  const auto result = run_gridrnn(base + " --out " + (dir / "o1").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--starts"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("from_place_code"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("(2, 2)"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "o1"));
}

}  // namespace
}  // namespace gridrnn::model
