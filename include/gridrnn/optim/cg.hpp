#pragma once
// Preconditioned conjugate gradient for A x = b with A symmetric positive definite, given only as
// an operator v -> A v (Hestenes & Stiefel 1952; the stopping rule and the kept iterates are those
// of Martens 2010, "Deep learning via Hessian-free optimization", §4.4–4.6 and his code).
//
// CG minimizes the quadratic model  phi(x) = 1/2 x^T A x - b^T x ; with r = b - A x one has
// phi(x) = -1/2 x^T (b + r), which CG tracks without another product. Stopping reasons, checked
// after each iteration i (i = number of products A p done so far):
//   kConverged            ||r_i|| <= residual_tolerance * ||b||   (or r_i = 0)
//   kRelativeProgress     i > k, phi_i < 0 and (phi_i - phi_{i-k}) / phi_i < k * progress_tolerance
//                         with k = max(progress_min_window, ceil(progress_window_fraction * i))
//   kMaxIterations        i = max_iterations
//   kNonPositiveCurvature p^T A p <= 0: A is not positive definite along p (x is left as it was)
//   kNonFinite            A p, p^T A p or x became NaN/Inf (x is left at the last finite iterate)
// The iterates at i = ceil(backtrack_base * backtrack_growth^j) (j = 0, 1, ...) and the final one
// are kept (for Hessian-free's CG backtracking). No memory is allocated inside the iteration loop:
// everything lives in a CgWorkspace sized once per problem size.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace gridrnn::optim {

// out = A v (out has the size of v; the callee may assume it is already sized).
using LinearOperator = std::function<void(const Eigen::VectorXd& v, Eigen::VectorXd& out)>;

enum class CgStop {
  kConverged,
  kRelativeProgress,
  kMaxIterations,
  kNonPositiveCurvature,
  kNonFinite,
};
std::string to_string(CgStop stop);

struct CgOptions {
  // Stop after this many products A p.
  int max_iterations = 250;
  // ||b - A x|| <= residual_tolerance * ||b||; 0 stops only on an exactly zero residual.
  double residual_tolerance = 1e-10;
  // Martens' relative-progress rule (see above): eps = 5e-4, k = max(10, ceil(0.1 i)).
  // progress_tolerance = 0 turns the rule off.
  double progress_tolerance = 5e-4;
  int progress_min_window = 10;
  double progress_window_fraction = 0.1;
  // Kept iterates i = ceil(base * growth^j) (Martens: 5 and 1.3).
  double backtrack_base = 5.0;
  double backtrack_growth = 1.3;

  // Throws UserError naming the field, its value and the rule it broke.
  void validate() const;
};

// The iteration numbers whose iterates are kept: ceil(base * growth^j) < max_iterations, strictly
// increasing (duplicates from the ceiling are dropped). The final iterate is kept in addition.
std::vector<int> cg_kept_iterations(const CgOptions& options);

// Scratch and results of one solve; reuse it between solves of the same size (HF does).
struct CgWorkspace {
  Eigen::VectorXd residual;        // [n] r = b - A x
  Eigen::VectorXd preconditioned;  // [n] z = M^{-1} r
  Eigen::VectorXd direction;       // [n] p
  Eigen::VectorXd product;         // [n] A p
  std::vector<int> kept_at;        // iteration numbers to keep (from cg_kept_iterations)
  Eigen::MatrixXd kept_iterates;   // [n, kept_at.size() + 1] kept x_i, column by column
  void resize(std::size_t n, const CgOptions& options);
};

struct CgResult {
  CgStop stop = CgStop::kMaxIterations;
  int iterations = 0;               // number of products A p (the initial A x0 not counted)
  double relative_residual = 0;     // ||r|| / ||b|| at the end (||r|| if b = 0)
  std::vector<double> phi;          // [iterations + 1] phi(x_i), phi[0] at the initial guess
  std::vector<int> kept_iterations; // iteration numbers of the kept iterates, increasing; the last
                                    // is the final iterate (it may repeat the one before)
  // Kept iterate j (j < kept_iterations.size()) is column j of workspace.kept_iterates.
};

// Solves A x = b starting from x (the warm start; resized to zeros if its size is not b's).
// preconditioner, if given, computes z = M^{-1} r with M symmetric positive definite.
// x ends as the final iterate. The workspace is resized if needed (outside the loop).
CgResult conjugate_gradient(const LinearOperator& apply_A, const Eigen::VectorXd& b,
                            Eigen::VectorXd& x, const CgOptions& options, CgWorkspace& workspace,
                            const LinearOperator& preconditioner = {});

}  // namespace gridrnn::optim
