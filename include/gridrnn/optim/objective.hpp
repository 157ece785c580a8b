#pragma once
// What an optimizer sees of a problem: a flat parameter vector theta (length P) and an objective
// that evaluates the loss, its gradient and (for Hessian-free) Gauss–Newton products on a fixed
// minibatch. optim never sees the CTRNN; the model's objective implements these concepts.
//
// Contract (all vectors have length P = num_parameters()):
//   value(theta)                      loss on the current minibatch, with the same trials and the
//                                     same noise sample as the last value_gradient (so line searches
//                                     compare like with like). May return NaN/Inf; optimizers cope.
//                                     Must NOT move the linearization point: Hessian-free calls
//                                     value() at trial points and then gauss_newton_product() again.
//   value_gradient(theta, grad)       loss and its gradient (grad resized/overwritten by the callee)
//                                     at theta; remembers theta as the point where
//                                     gauss_newton_product linearizes.
//   gauss_newton_product(v, structural_weight, out)
//                                     out = G v + structural_weight * J_h^T D J_h v at the theta of
//                                     the last value_gradient, where G = J^T H_L J is the Gauss–Newton
//                                     matrix (positive semi-definite) and J_h^T D J_h the structural
//                                     damping term (Martens & Sutskever 2011, docs/paper.md "Hessian-free"). The
//                                     optimizer adds the Levenberg–Marquardt term lambda * v itself.
//                                     The curvature minibatch (a fraction of the gradient minibatch,
//                                     HessianFreeOptions::curvature_fraction) is chosen by the objective.
#include <concepts>
#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace gridrnn::optim {

template <class F>
concept Objective = requires(F& f, const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
  { f.num_parameters() } -> std::convertible_to<std::size_t>;
  { f.value(theta) } -> std::convertible_to<double>;                 // same minibatch & noise
  { f.value_gradient(theta, grad) } -> std::convertible_to<double>;  // remembers theta for G v
};

template <class F>
concept CurvatureObjective =
    Objective<F> &&
    requires(F& f, const Eigen::VectorXd& v, Eigen::VectorXd& out, double structural_weight) {
      f.gauss_newton_product(v, structural_weight, out);
    };

// One named part of the loss (e.g. {"error", E}, {"l2", lambda_L2 * R_L2}, {"firing_rate", ...}).
struct LossTerm {
  std::string name;
  double value = 0;
};

// Optional: an objective that can say what its last value_gradient was made of. Optimizers copy
// these terms into UpdateSummary::loss_terms (they describe the loss at theta before the update).
template <class F>
concept ReportsLossTerms = requires(const F& f) {
  { f.loss_terms() } -> std::convertible_to<std::vector<LossTerm>>;
};

}  // namespace gridrnn::optim
