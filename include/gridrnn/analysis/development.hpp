#pragma once
// When a score matures over training (docs/paper.md "Experiment 3", paper Fig. 4): the update at
// which it reaches, and keeps, 90% of its final value.
#include <cstdint>
#include <optional>
#include <span>

namespace gridrnn::analysis {

// The first update u_k such that values[j] >= fraction * values.back() for every j >= k, i.e. the
// score stays at or above that fraction of its final value (the value at the last update) from
// u_k to the end of training. A curve that crosses the threshold, dips below it and crosses again
// gives the later crossing. nullopt when the input is empty or the final value is <= 0 or not
// finite (a fraction of a non-positive score is not a level to reach). A NaN value counts as
// below the threshold.
// updates: (K) ascending; values: (K). UserError if the lengths differ, updates are not strictly
// ascending or fraction is not in (0, 1].
std::optional<std::int64_t> update_reaching_fraction(std::span<const std::int64_t> updates,
                                                     std::span<const double> values,
                                                     double fraction = 0.9);

}  // namespace gridrnn::analysis
