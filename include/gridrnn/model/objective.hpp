#pragma once
// The CTRNN as an objective for the optimizers: loss, exact gradient (backpropagation through
// time) and Gauss–Newton–vector products (R-operator forward pass, then the same backward pass),
// on one minibatch with its noise held fixed. See docs/design.md "## The network" for the
// equations and ctrnn.hpp for the model and the parameter layout.
//
// CtrnnObjective computes in float (fast path) with double input/output; CtrnnObjectiveDouble is
// the same code in double (for checks). Both satisfy the optimizers' objective concept:
//   num_parameters, set_minibatch, set_curvature_trials, value, value_gradient,
//   gauss_newton_product, last_terms.
//
// Work is split into chunks of trials that depend only on (trials, curvature trials,
// chunk_trials), never on the thread count; per-chunk partial sums are added in chunk order, so
// results are bit-identical for any number of threads.
#include <cstddef>
#include <functional>
#include <memory>
#include <span>

#include <Eigen/Core>

#include "gridrnn/model/ctrnn.hpp"

namespace gridrnn::model {

struct ObjectiveSettings {
  // Target trials per chunk (a chunk is one unit of parallel work: one (chunk x N)(N x N)
  // product per step). Results depend on it in the last bits, not on the thread count. 64: a
  // step's slice of a chunk (62 trials x 100 units at the paper's size, 25 KB) stays in L1
  // between the product and the element-wise passes; 4-6% faster than 128 (docs/performance.md).
  std::size_t chunk_trials = 64;
};

// Splits the chunks of every value / gradient / G v call across cooperating processes (the
// dist module supplies one backed by MPI; the model knows nothing of MPI). Process `rank` of
// `ranks` computes only the chunks it owns: a contiguous block of the curvature chunks and a
// contiguous block of the others (see chunk_owner), so G v work is shared too. Then all_gather
// must make every row of `rows` (chunk_count rows of `width` doubles, row-major) equal to the
// row its owner filled (owner[c] = rank owning chunk c). Each row holds a chunk's partial sums,
// exactly (float -> double is exact), and every process then adds the rows in chunk order, as a
// single process does: results are bit-identical for any number of processes.
struct ChunkExchange {
  std::size_t rank = 0, ranks = 1;
  std::function<void(std::span<double> rows, std::size_t width, std::span<const std::size_t> owner)>
      all_gather;
};

// Owner of chunk c (of chunk_count, the first curvature_chunks of them curvature chunks) among
// `ranks` processes: block partitions of [0, curvature_chunks) and [curvature_chunks, count).
std::size_t chunk_owner(std::size_t c, std::size_t curvature_chunks, std::size_t chunk_count,
                        std::size_t ranks);

template <typename Scalar>
class CtrnnObjectiveT {
 public:
  CtrnnObjectiveT(const ModelOptions& model, const LossOptions& loss,
                  const ObjectiveSettings& settings = {});
  ~CtrnnObjectiveT();
  CtrnnObjectiveT(CtrnnObjectiveT&&) noexcept;
  CtrnnObjectiveT& operator=(CtrnnObjectiveT&&) noexcept;

  std::size_t num_parameters() const;
  const ModelOptions& model_options() const;
  const LossOptions& loss_options() const;

  // Copies the minibatch (inputs (T,B,N_in), targets (T,B,2), starts (B,2), headings (T,B) for a
  // head-direction head) and its noise key, and computes the place and head-direction targets.
  // The noise stays fixed until the next call. UserError on inconsistent sizes.
  void set_minibatch(const MinibatchView& batch);
  // G v uses trials 0 .. count-1 (0 = all), normalized as a loss over those trials.
  void set_curvature_trials(std::size_t count);

  // Total loss at theta on the minibatch (same noise every call). Sets last_terms().
  double value(const Eigen::VectorXd& theta);
  // Total loss and its exact gradient; remembers theta's forward states for G v.
  double value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient);
  // out = G v at the theta of the last value_gradient, with G = J^T H J over every head's outputs
  // (position: weight/(M_c T); softmax cross-entropy: weight (diag(p) - p p^T)/(M_c T); squared
  // error: 2 weight/(M_c T K)) and the noise-free rates r (H_r = 2 (lambda_fr +
  // structural_weight)/(N T M_c) from R_FR and the structural damping D(r, r') = 1/(N T M_c)
  // sum (r - r')^2), plus the exact Hessian of lambda_l2 R_L2 + weight_decay R_WD. M_c =
  // curvature trials. The optimizer adds lambda v itself (and multiplies structural_weight =
  // lambda * mu itself). docs/design.md "Gauss–Newton product".
  void gauss_newton_product(const Eigen::VectorXd& v, double structural_weight,
                            Eigen::VectorXd& out);
  // Terms of the last value(), value_gradient() or predict() call.
  LossTerms last_terms() const;
  // Terms of the last value_gradient() (the loss at the point G v linearizes at), untouched by
  // the line-search calls to value() that follow it.
  LossTerms gradient_terms() const;

  // Shares the work of value, value_gradient and gauss_newton_product with other processes
  // (see ChunkExchange). Default: one process, no exchange. predict() always runs every chunk.
  void set_chunk_exchange(ChunkExchange exchange);

  // Runs the network on the minibatch (noise as configured: noise_sd = 0 turns it off) and
  // writes decoded positions (T, B, 2) (the position head's y, else the place head's decoding,
  // else NaN) and activities u[1..T] (T, B, N). Targets may be empty.
  void predict(const Eigen::VectorXd& theta, std::span<float> outputs,
               std::span<float> activities);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

extern template class CtrnnObjectiveT<float>;
extern template class CtrnnObjectiveT<double>;

using CtrnnObjective = CtrnnObjectiveT<float>;         // fast path
using CtrnnObjectiveDouble = CtrnnObjectiveT<double>;  // checks

}  // namespace gridrnn::model
