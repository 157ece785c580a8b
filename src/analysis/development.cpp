#include "gridrnn/analysis/development.hpp"

#include <cmath>

#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {

std::optional<std::int64_t> update_reaching_fraction(std::span<const std::int64_t> updates,
                                                     std::span<const double> values, double fraction) {
  if (updates.size() != values.size())
    throw_user_error("update_reaching_fraction: {} updates but {} values; the lengths must match",
                     updates.size(), values.size());
  if (!(fraction > 0.0 && fraction <= 1.0))
    throw_user_error("update_reaching_fraction: fraction = {}: must be in (0, 1]", fraction);
  for (std::size_t k = 1; k < updates.size(); ++k)
    if (updates[k] <= updates[k - 1])
      throw_user_error("update_reaching_fraction: updates[{}] = {} follows {}: updates must be strictly ascending",
                       k, updates[k], updates[k - 1]);
  if (values.empty()) return std::nullopt;
  const double final_value = values.back();
  if (!std::isfinite(final_value) || final_value <= 0.0) return std::nullopt;
  const double threshold = fraction * final_value;
  // Walk back from the end while the score stays at or above the threshold (NaN fails >=).
  std::size_t first = values.size() - 1;
  while (first > 0 && values[first - 1] >= threshold) --first;
  return updates[first];
}

}  // namespace gridrnn::analysis
