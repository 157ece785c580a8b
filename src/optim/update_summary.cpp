#include "gridrnn/optim/update_summary.hpp"

#include <cmath>

#include <fmt/format.h>

namespace gridrnn::optim {

std::string UpdateSummary::one_line() const {
  std::string line = fmt::format("update {}: loss {:.6g} -> {:.6g} {}", update, loss_before,
                                 loss_after, accepted ? "accepted" : "rejected");
  if (!rejection.empty()) line += fmt::format(" ({})", rejection);
  if (!std::isnan(lambda)) {
    line += fmt::format(", lambda {:.4g} -> {:.4g}, rho {:.4g}, cg {} ({}), backtracked to {}, "
                        "rate {:.4g}",
                        lambda, next_lambda, rho, cg_iterations, to_string(cg_stop),
                        backtracked_iteration, line_search_rate);
  }
  if (clipped) line += ", gradient clipped";
  for (const auto& term : loss_terms) line += fmt::format(", {} {:.6g}", term.name, term.value);
  line += fmt::format(", |g| {:.4g}, |step| {:.4g}, {:.3f} s", gradient_norm, step_norm, seconds);
  return line;
}

std::string summary_table_header() {
  return fmt::format("{:>7} {:>13} {:>13} {:>10} {:>10} {:>10} {:>5} {:>21} {:>5} {:>8} {:>3} {:>9}",
                     "update", "loss_before", "loss_after", "|g|", "lambda", "rho", "cg",
                     "cg_stop", "back", "rate", "ok", "seconds");
}

std::string summary_table_row(const UpdateSummary& s) {
  return fmt::format(
      "{:>7} {:>13.6e} {:>13.6e} {:>10.3e} {:>10.3e} {:>10.3g} {:>5} {:>21} {:>5} {:>8.3g} {:>3} "
      "{:>9.3f}",
      s.update, s.loss_before, s.loss_after, s.gradient_norm, s.lambda, s.rho, s.cg_iterations,
      std::isnan(s.lambda) ? std::string("-") : to_string(s.cg_stop), s.backtracked_iteration,
      s.line_search_rate, s.accepted ? "yes" : "no", s.seconds);
}

}  // namespace gridrnn::optim
