// Every model variant (nonlinearity x noise placement x readout heads x initial state) against
// finite differences, an explicit J^T H J and the naive reference; the reference's vanilla RNN.
#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/optim/gradient_check.hpp"
#include "gridrnn/model/objective.hpp"
#include "gridrnn/model/readout.hpp"
#include "model/detail/reference.hpp"
#include "model_test_data.hpp"

namespace gridrnn::model {
namespace {

using testing::SmallProblem;
using testing::Variant;

double max_relative_difference(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(a.cwiseAbs().maxCoeff(), b.cwiseAbs().maxCoeff());
}

std::vector<Variant> all_variants() {
  std::vector<Variant> variants;
  struct Heads {
    bool position, place, hd;
    PlaceLoss loss;
    PlaceTuning tuning;
  };
  const Heads heads[] = {{true, false, false, PlaceLoss::kCrossEntropy, PlaceTuning::kDifferenceOfSoftmax},
                         {false, true, false, PlaceLoss::kCrossEntropy, PlaceTuning::kDifferenceOfSoftmax},
                         {false, true, false, PlaceLoss::kSquaredError, PlaceTuning::kGaussian},
                         {false, false, true, PlaceLoss::kCrossEntropy, PlaceTuning::kDifferenceOfSoftmax},
                         {true, true, true, PlaceLoss::kCrossEntropy, PlaceTuning::kDifferenceOfSoftmax}};
  for (auto f : {Nonlinearity::kTanh, Nonlinearity::kRelu, Nonlinearity::kRetanh})
    for (auto noise : {NoisePlacement::kBracket, NoisePlacement::kRate})
      for (const auto& h : heads)
        for (auto initial : {InitialState::kLearned, InitialState::kFromPosition, InitialState::kFromPlaceCode}) {
          if (initial == InitialState::kFromPlaceCode && !h.place) continue;
          Variant v;
          v.nonlinearity = f;
          v.noise = noise;
          v.position = h.position;
          v.place = h.place;
          v.head_direction = h.hd;
          v.place_loss = h.loss;
          v.tuning = h.tuning;
          v.initial = initial;
          v.bias = !(f == Nonlinearity::kRelu && initial == InitialState::kFromPlaceCode);  // the reference: no bias
          variants.push_back(v);
        }
  return variants;
}

// A problem whose pre-activations keep their signs at every point a central-difference stencil
// of step h visits (theta +- h, +- 2h along each parameter): finite differences across the kink
// at 0 of relu and retanh measure nothing. tanh takes the first seed.
SmallProblem problem_away_from_kinks(const Variant& variant, std::size_t N, std::size_t T, std::size_t B, double h) {
  auto signs = [](const SmallProblem& p, const Eigen::VectorXd& theta) {
    const auto r = detail::reference_forward(p.model, p.loss, p.batch, theta, false);
    std::vector<bool> positive(r.pre_activations.size());
    double closest = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < positive.size(); ++i) {
      positive[i] = r.pre_activations[i] > 0.0;
      closest = std::min(closest, std::abs(r.pre_activations[i]));
    }
    return std::make_pair(positive, closest);
  };
  for (std::uint64_t seed = 1; seed < 500; ++seed) {
    SmallProblem p(N, T, B, variant, seed);
    if (variant.nonlinearity == Nonlinearity::kTanh) return p;
    const auto [at, closest] = signs(p, p.theta);
    if (closest < 10 * h) continue;
    bool stable = true;
    for (Eigen::Index i = 0; i < p.theta.size() && stable; ++i)
      for (double step : {-2 * h, -h, h, 2 * h}) {
        Eigen::VectorXd moved = p.theta;
        moved[i] += step;
        if (signs(p, moved).first != at) {
          stable = false;
          break;
        }
      }
    if (stable) return p;
  }
  throw InternalError("no seed keeps the pre-activations' signs over the stencil");
}

class VariantTest : public ::testing::TestWithParam<Variant> {};

// Acceptance: every parameter's gradient agrees with central finite differences to 1e-6 in
// double, every loss term on (noise, L2, metabolic cost, weight decay).
TEST_P(VariantTest, GradientMatchesFiniteDifferences) {
  const double step = 1e-3;
  SmallProblem p = problem_away_from_kinks(GetParam(), 5, 6, 3, step);
  CtrnnObjectiveDouble objective(p.model, p.loss, ObjectiveSettings{2});  // 2 chunks
  objective.set_minibatch(p.batch);
  Eigen::VectorXd gradient;
  objective.value_gradient(p.theta, gradient);
  const auto terms = objective.last_terms();
  EXPECT_GT(terms.error, 0.0);
  EXPECT_GT(terms.weight_decay, 0.0);
  const auto check = optim::check_gradient([&](const Eigen::VectorXd& t) { return objective.value(t); }, p.theta,
                                           gradient, testing::four_point_check(step));
  EXPECT_TRUE(check.passed) << check.report();
  EXPECT_LT(check.max_error, 1e-6) << check.report();
}

TEST_P(VariantTest, ObjectiveMatchesTheNaiveReference) {
  SmallProblem p(6, 7, 5, GetParam(), 3);
  CtrnnObjectiveDouble objective(p.model, p.loss, ObjectiveSettings{2});
  objective.set_minibatch(p.batch);
  objective.set_curvature_trials(3);
  Eigen::VectorXd gradient, Gv;
  const double total = objective.value_gradient(p.theta, gradient);
  const auto reference = detail::reference_forward(p.model, p.loss, p.batch, p.theta, true);
  const auto& got = objective.last_terms();
  const auto& want = reference.terms;
  EXPECT_NEAR(total, want.total, 1e-12 * std::abs(want.total));
  EXPECT_NEAR(got.position, want.position, 1e-12);
  EXPECT_NEAR(got.place, want.place, 1e-12);
  EXPECT_NEAR(got.head_direction, want.head_direction, 1e-12);
  EXPECT_NEAR(got.firing_rate, want.firing_rate, 1e-12);
  EXPECT_NEAR(got.l2, want.l2, 1e-12);
  EXPECT_NEAR(got.weight_decay, want.weight_decay, 1e-12);
  if (std::isnan(want.position_rms)) {
    EXPECT_TRUE(std::isnan(got.position_rms));
  } else {
    EXPECT_NEAR(got.position_rms, want.position_rms, 1e-12);
  }
  EXPECT_LT(max_relative_difference(gradient, reference.gradient), 1e-11);
  EXPECT_EQ(objective.value(p.theta), total);  // value() agrees with value_gradient()'s loss
  const Eigen::VectorXd v = p.random_vector(5);
  objective.gauss_newton_product(v, 0.2, Gv);
  EXPECT_LT(max_relative_difference(Gv, detail::reference_gauss_newton(p.model, p.loss, p.batch, p.theta, v, 0.2, 3)), 1e-11);
  // predict() writes the reference's decoded positions and activities.
  std::vector<float> outputs(p.batch.steps * p.batch.trials * 2), activities(p.batch.steps * p.batch.trials * p.model.units);
  objective.predict(p.theta, outputs, activities);
  for (std::size_t i = 0; i < activities.size(); ++i) ASSERT_NEAR(activities[i], reference.activities[i], 1e-6) << i;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (std::isnan(reference.outputs[i]) || !(p.model.readout.position || p.model.readout.place)) continue;
    ASSERT_NEAR(outputs[i], reference.outputs[i], 1e-5) << i;
  }
}

// G v against J^T H J with J from central differences of the reference's outputs (every head's
// outputs, then the noise-free rates) and H written out: a position block 1/(Mc T), softmax blocks
// (diag p - p p^T)/(Mc T), squared-error blocks 2/(Mc T K), each times its head weight; the rate
// block 2 (lambda_fr + structural)/(N Mc T); plus the exact Hessian of the quadratic terms.
struct ExplicitGaussNewton {
  Eigen::VectorXd product;        // J^T H J v + quadratic Hessian v
  Eigen::VectorXd diagonal_only;  // the same with the softmax blocks' -p p^T left out (a wrong H)
};

ExplicitGaussNewton explicit_gauss_newton(const SmallProblem& p, const Eigen::VectorXd& v, double structural, std::size_t Mc) {
  const std::size_t N = p.model.units, T = p.batch.steps, B = p.batch.trials;
  const ParameterLayout L(p.model);
  const auto& ro = p.model.readout;
  const std::size_t K2 = L.position ? 2 : 0, Kp = L.place_cells, Kh = L.hd_cells;
  const std::size_t per = K2 + Kp + Kh + N;
  auto outputs = [&](const Eigen::VectorXd& t) {
    const auto r = detail::reference_forward(p.model, p.loss, p.batch, t, false);
    Eigen::VectorXd o(static_cast<Eigen::Index>(T * Mc * per));
    Eigen::Index k = 0;
    for (std::size_t s = 0; s < T; ++s)
      for (std::size_t m = 0; m < Mc; ++m) {
        const std::size_t row = s * B + m;
        for (std::size_t j = 0; j < K2; ++j) o[k++] = r.position[row * 2 + j];
        for (std::size_t j = 0; j < Kp; ++j) o[k++] = r.place[row * Kp + j];
        for (std::size_t j = 0; j < Kh; ++j) o[k++] = r.head_direction[row * Kh + j];
        for (std::size_t j = 0; j < N; ++j) o[k++] = r.rates[row * N + j];
      }
    return o;
  };
  const auto P = static_cast<Eigen::Index>(L.total);
  const Eigen::Index outs = static_cast<Eigen::Index>(T * Mc * per);
  Eigen::MatrixXd J(outs, P);
  const double h = 1e-5;
  for (Eigen::Index i = 0; i < P; ++i) {
    Eigen::VectorXd t1 = p.theta, t2 = p.theta, t3 = p.theta, t4 = p.theta;
    t1[i] += h; t2[i] -= h; t3[i] += 2 * h; t4[i] -= 2 * h;
    J.col(i) = (8.0 * (outputs(t1) - outputs(t2)) - (outputs(t3) - outputs(t4))) / (12.0 * h);
  }
  const Eigen::VectorXd at = outputs(p.theta);
  const double McT = static_cast<double>(Mc * T);
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(outs, outs), H_diag = H;
  auto softmax_block = [&](Eigen::Index start, std::size_t K, double weight) {
    Eigen::VectorXd z = at.segment(start, static_cast<Eigen::Index>(K));
    Eigen::VectorXd e = (z.array() - z.maxCoeff()).exp();
    const Eigen::VectorXd prob = e / e.sum();
    const Eigen::MatrixXd block = (Eigen::MatrixXd(prob.asDiagonal()) - prob * prob.transpose()) * weight / McT;
    H.block(start, start, static_cast<Eigen::Index>(K), static_cast<Eigen::Index>(K)) = block;
    H_diag.block(start, start, static_cast<Eigen::Index>(K), static_cast<Eigen::Index>(K)) = Eigen::MatrixXd(prob.asDiagonal()) * weight / McT;
  };
  for (std::size_t row = 0; row < T * Mc; ++row) {
    Eigen::Index k = static_cast<Eigen::Index>(row * per);
    auto diagonal = [&](std::size_t K, double value) {
      for (std::size_t j = 0; j < K; ++j, ++k) H(k, k) = H_diag(k, k) = value;
    };
    diagonal(K2, ro.position_head.weight / McT);
    if (Kp > 0) {
      if (ro.place_head.loss == PlaceLoss::kCrossEntropy) {
        softmax_block(k, Kp, ro.place_head.weight);
        k += static_cast<Eigen::Index>(Kp);
      } else {
        diagonal(Kp, 2.0 * ro.place_head.weight / (McT * static_cast<double>(Kp)));
      }
    }
    if (Kh > 0) {
      softmax_block(k, Kh, ro.head_direction_head.weight);
      k += static_cast<Eigen::Index>(Kh);
    }
    diagonal(N, 2.0 * (p.loss.lambda_fr + structural) / (McT * static_cast<double>(N)));
  }
  Eigen::VectorXd quadratic = Eigen::VectorXd::Zero(P);
  const double n = static_cast<double>(N);
  auto add = [&](std::size_t offset, std::size_t size, double coef) {
    for (std::size_t i = 0; i < size; ++i) quadratic[static_cast<Eigen::Index>(offset + i)] += coef * v[static_cast<Eigen::Index>(offset + i)];
  };
  add(L.W_in, N * 3, 2.0 * p.loss.lambda_l2 / (3.0 * n));
  if (L.position) add(L.W_out, N * 2, 2.0 * p.loss.lambda_l2 / (2.0 * n));
  add(L.W_place, N * Kp, Kp > 0 ? 2.0 * p.loss.lambda_l2 / (static_cast<double>(Kp) * n) : 0.0);
  add(L.W_hd, N * Kh, Kh > 0 ? 2.0 * p.loss.lambda_l2 / (static_cast<double>(Kh) * n) : 0.0);
  add(L.W_rec, N * N, 2.0 * p.loss.weight_decay);
  const Eigen::VectorXd Jv = J * v;
  return {J.transpose() * (H * Jv) + quadratic, J.transpose() * (H_diag * Jv) + quadratic};
}

TEST_P(VariantTest, GaussNewtonMatchesExplicitJacobianProduct) {
  const double structural = 0.3;
  const std::size_t Mc = 2;
  SmallProblem p = problem_away_from_kinks(GetParam(), 4, 5, 3, 1e-5);  // the explicit J's step
  CtrnnObjectiveDouble objective(p.model, p.loss, ObjectiveSettings{1});
  objective.set_minibatch(p.batch);
  objective.set_curvature_trials(Mc);
  Eigen::VectorXd gradient, Gv;
  objective.value_gradient(p.theta, gradient);
  const Eigen::VectorXd v = p.random_vector(0);
  objective.gauss_newton_product(v, structural, Gv);
  const auto expected = explicit_gauss_newton(p, v, structural, Mc);
  EXPECT_LT(max_relative_difference(Gv, expected.product), 1e-8);
}

std::string variant_name(const ::testing::TestParamInfo<Variant>& info) { return info.param.name(); }

INSTANTIATE_TEST_SUITE_P(Models, VariantTest, ::testing::ValuesIn(all_variants()), variant_name);

// The explicit check above can fail: one entry off by 1e-4 relative, or a softmax Hessian without
// its -p p^T term, is told apart from the true product.
TEST(GaussNewton, ExplicitCheckCatchesAWrongProduct) {
  Variant variant;
  variant.position = false;
  variant.place = true;
  variant.head_direction = true;
  SmallProblem p(4, 5, 3, variant, 2);
  CtrnnObjectiveDouble objective(p.model, p.loss, ObjectiveSettings{1});
  objective.set_minibatch(p.batch);
  objective.set_curvature_trials(2);
  Eigen::VectorXd gradient, Gv;
  objective.value_gradient(p.theta, gradient);
  const Eigen::VectorXd v = p.random_vector(1);
  objective.gauss_newton_product(v, 0.1, Gv);
  const auto expected = explicit_gauss_newton(p, v, 0.1, 2);
  ASSERT_LT(max_relative_difference(Gv, expected.product), 1e-8);
  EXPECT_GT(max_relative_difference(Gv, expected.diagonal_only), 1e-3);
  Eigen::VectorXd wrong = Gv;
  Eigen::Index largest;
  wrong.cwiseAbs().maxCoeff(&largest);
  wrong[largest] *= 1.0 + 1e-4;
  EXPECT_GT(max_relative_difference(wrong, expected.product), 1e-6);
}

// With dt = tau, relu, no bias, no noise and from_place_code, the CTRNN is the reference's vanilla
// RNN (ganguli-lab/grid-pattern-formation model.py), written here independently with matrices:
//   h[0] = W_enc q(p[0]),  h[t] = relu(W_rec h[t-1] + W_in v[t]),  logits[t] = W_place h[t].
TEST(VanillaRnn, CtrnnWithDtEqualToTauIsTheReferenceRnn) {
  Variant variant;
  variant.nonlinearity = Nonlinearity::kRelu;
  variant.position = false;
  variant.place = true;
  variant.initial = InitialState::kFromPlaceCode;
  variant.bias = false;
  variant.place_cells = 9;
  SmallProblem p(8, 10, 4, variant, 5);
  p.model.dt = p.model.tau = 1.0;
  p.model.noise_sd = 0.0;
  p.theta = p.random_theta(5);
  const ParameterLayout L(p.model);
  const std::size_t N = 8, T = 10, B = 4, K = 9, I = 3;
  using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const Matrix> W_in(p.theta.data() + L.W_in, N, I), W_rec(p.theta.data() + L.W_rec, N, N),
      W_place(p.theta.data() + L.W_place, K, N), W_enc(p.theta.data() + L.initial, N, K);
  CtrnnObjectiveDouble objective(p.model, p.loss);
  objective.set_minibatch(p.batch);
  objective.value(p.theta);
  std::vector<float> outputs(T * B * 2), activities(T * B * N);
  objective.predict(p.theta, outputs, activities);
  const auto reference = detail::reference_forward(p.model, p.loss, p.batch, p.theta, false);
  double cross_entropy = 0.0;
  for (std::size_t m = 0; m < B; ++m) {
    // q(p[0]) by hand: difference of softmaxes, shifted to >= 0, normalized.
    auto code = [&](double x, double y) {
      Eigen::VectorXd d2(K), c(K), s(K);
      for (std::size_t i = 0; i < K; ++i)
        d2[static_cast<Eigen::Index>(i)] = std::pow(x - p.model.readout.place_centres[2 * i], 2) + std::pow(y - p.model.readout.place_centres[2 * i + 1], 2);
      const double sigma2 = 0.5 * 0.5;
      c = (-d2 / (2 * sigma2)).array().exp();
      s = (-d2 / (2 * 2.0 * sigma2)).array().exp();
      Eigen::VectorXd dog = c / c.sum() - s / s.sum();
      dog.array() -= dog.minCoeff();
      return Eigen::VectorXd(dog / dog.sum());
    };
    Eigen::VectorXd h = W_enc * code(p.starts[2 * m], p.starts[2 * m + 1]);
    for (std::size_t t = 0; t < T; ++t) {
      Eigen::VectorXd v(I);
      for (std::size_t k = 0; k < I; ++k) v[static_cast<Eigen::Index>(k)] = p.inputs[(t * B + m) * I + k];
      h = (W_rec * h + W_in * v).cwiseMax(0.0);
      const Eigen::VectorXd logits = W_place * h;
      for (std::size_t i = 0; i < N; ++i)  // float predict(): relative 1e-6
        ASSERT_NEAR(activities[(t * B + m) * N + i], h[static_cast<Eigen::Index>(i)], 1e-6 * std::max(1.0, std::abs(h[static_cast<Eigen::Index>(i)])));
      for (std::size_t k = 0; k < K; ++k)
        ASSERT_NEAR(reference.place[(t * B + m) * K + k], logits[static_cast<Eigen::Index>(k)], 1e-12 * std::max(1.0, std::abs(logits[static_cast<Eigen::Index>(k)])));
      const Eigen::VectorXd target = code(p.targets[(t * B + m) * 2], p.targets[(t * B + m) * 2 + 1]);
      const double lse = logits.maxCoeff() + std::log((logits.array() - logits.maxCoeff()).exp().sum());
      cross_entropy += lse - target.dot(logits);
    }
  }
  EXPECT_NEAR(objective.last_terms().place, cross_entropy / static_cast<double>(T * B), 1e-12);
}

// The cell heads keep the objective's promises: float agrees with double, and no result depends on
// the thread count (chunk sums in chunk order).
TEST(CellHeads, FloatAgreesWithDoubleAndThreadsChangeNothing) {
  Variant variant;
  variant.nonlinearity = Nonlinearity::kRelu;
  variant.noise = NoisePlacement::kRate;
  variant.place = true;
  variant.head_direction = true;
  variant.initial = InitialState::kFromPlaceCode;
  variant.place_cells = 40;
  SmallProblem p(16, 12, 150, variant, 4);
  CtrnnObjectiveDouble exact(p.model, p.loss, ObjectiveSettings{40});
  CtrnnObjective fast(p.model, p.loss, ObjectiveSettings{40});
  exact.set_minibatch(p.batch);
  fast.set_minibatch(p.batch);
  fast.set_curvature_trials(60);
  exact.set_curvature_trials(60);
  Eigen::VectorXd g_exact, g1, g2, Gv_exact, Gv1, Gv2;
  const double l_exact = exact.value_gradient(p.theta, g_exact);
  const Eigen::VectorXd v = p.random_vector(3);
  exact.gauss_newton_product(v, 0.05, Gv_exact);
  const int saved = thread_count();
  set_thread_count(1);
  const double l1 = fast.value_gradient(p.theta, g1);
  fast.gauss_newton_product(v, 0.05, Gv1);
  set_thread_count(2);
  const double l2 = fast.value_gradient(p.theta, g2);
  fast.gauss_newton_product(v, 0.05, Gv2);
  set_thread_count(saved);
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(g1, g2);
  EXPECT_EQ(Gv1, Gv2);
  EXPECT_NEAR(l1, l_exact, 1e-5 * std::abs(l_exact));
  EXPECT_LT(max_relative_difference(g1, g_exact), 1e-3);
  EXPECT_LT(max_relative_difference(Gv1, Gv_exact), 1e-3);
}

TEST(PlaceCode, DifferenceOfSoftmaxIsANonNegativeDistributionPeakedAtTheNearestCentre) {
  PlaceHeadOptions o;
  o.cells = 5;
  o.sigma = 0.3;
  const std::vector<double> centres{0.0, 0.0, 1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.5, 0.5};
  std::vector<double> q(5);
  place_code(o, centres.data(), 0.05, -0.02, q.data());
  double sum = 0.0;
  for (double v : q) {
    EXPECT_GE(v, 0.0);
    sum += v;
  }
  EXPECT_NEAR(sum, 1.0, 1e-14);
  EXPECT_EQ(std::max_element(q.begin(), q.end()) - q.begin(), 0);
  // Gaussian tuning of 2 cells by hand: q_0 = 1 / (1 + exp(-(d1^2 - d0^2) / (2 sigma^2))).
  o.cells = 2;
  o.tuning = PlaceTuning::kGaussian;
  place_code(o, centres.data(), 0.2, 0.1, q.data());
  const double d0 = 0.2 * 0.2 + 0.1 * 0.1, d1 = 0.8 * 0.8 + 0.1 * 0.1;
  EXPECT_NEAR(q[0], 1.0 / (1.0 + std::exp(-(d1 - d0) / (2 * 0.09))), 1e-14);
}

TEST(HeadDirectionCode, IsAVonMisesDistributionOverPreferredDirections) {
  HeadDirectionHeadOptions o;
  o.cells = 12;
  o.kappa = 20.0;
  std::vector<double> q(12);
  head_direction_code(o, 2.0 * std::numbers::pi / 12.0 * 3 + 2.0 * std::numbers::pi, q.data());  // cell 3, one turn later
  EXPECT_EQ(std::max_element(q.begin(), q.end()) - q.begin(), 3);
  EXPECT_NEAR(q[4] / q[3], std::exp(20.0 * (std::cos(2.0 * std::numbers::pi / 12.0) - 1.0)), 1e-12);
}

TEST(DecodePlace, IsTheMeanCentreOfTheThreeMostActiveCells) {
  const std::vector<double> centres{0, 0, 1, 0, 0, 1, 5, 5, 2, 2};
  const std::vector<double> z{0.9, 0.1, 0.8, 0.95, 0.8};  // 3, 0, then the tie 2/4: the lower index
  double x, y;
  decode_place(z.data(), centres.data(), 5, x, y);
  EXPECT_NEAR(x, 5.0 / 3.0, 1e-15);
  EXPECT_NEAR(y, 6.0 / 3.0, 1e-15);
}

TEST(ReadoutOptions, InconsistentSettingsNameTheKey) {
  auto expect_error = [](const std::string& toml, const std::string& key) {
    auto config = io::ConfigReader::from_string(toml, "t.toml");
    try {
      ModelOptions::from_config(config.section("model"), config.section("readout"), 2);
      config.finish();
      ADD_FAILURE() << "accepted: " << toml;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  expect_error("[readout]\nheads = \"head_direction\"\n[readout.place]\ncells = 10\n", "readout.place.cells");
  expect_error("[readout]\nheads = \"place\"\n[readout.place]\ncells = 0\n", "readout.place.cells");
  expect_error("[readout]\nheads = \"place\"\n[readout.place]\nsurround_ratio = 1\n", "readout.place.surround_ratio");
  expect_error("[model]\ninitial_state = \"from_place_code\"\n", "from_place_code");
  expect_error("[readout]\nheads = \"position+grid\"\n", "readout.heads");
  expect_error("[readout]\nheads = \"place+place\"\n", "readout.heads");
}

}  // namespace
}  // namespace gridrnn::model
