// Readout heads: options, and the place and head-direction codes (equations in readout.hpp).
#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/readout.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numbers>
#include <vector>

#include <Eigen/Core>
#include <fmt/format.h>

#include "gridrnn/core/error.hpp"

namespace gridrnn::model {

std::string to_string(PlaceTuning tuning) { return tuning == PlaceTuning::kGaussian ? "gaussian" : "dog"; }
std::string to_string(PlaceLoss loss) { return loss == PlaceLoss::kSquaredError ? "squared_error" : "cross_entropy"; }
std::string to_string(CentreLayout layout) {
  switch (layout) {
    case CentreLayout::kLattice: return "lattice";
    case CentreLayout::kFile: return "file";
    case CentreLayout::kReference: return "reference";
    case CentreLayout::kRandom: break;
  }
  return "random";
}

PlaceTuning place_tuning_from_string(const std::string& name) {
  if (name == "dog") return PlaceTuning::kDifferenceOfSoftmax;
  if (name == "gaussian") return PlaceTuning::kGaussian;
  throw_user_error("readout.place.tuning = \"{}\": must be \"dog\" or \"gaussian\"", name);
}
PlaceLoss place_loss_from_string(const std::string& name) {
  if (name == "cross_entropy") return PlaceLoss::kCrossEntropy;
  if (name == "squared_error") return PlaceLoss::kSquaredError;
  throw_user_error("readout.place.loss = \"{}\": must be \"cross_entropy\" or \"squared_error\"", name);
}
CentreLayout centre_layout_from_string(const std::string& name) {
  if (name == "random") return CentreLayout::kRandom;
  if (name == "lattice") return CentreLayout::kLattice;
  if (name == "file") return CentreLayout::kFile;
  if (name == "reference") return CentreLayout::kReference;
  throw_user_error("readout.place.centres = \"{}\": must be \"random\", \"lattice\", \"file\" or \"reference\"", name);
}

std::string ReadoutOptions::heads_name() const {
  std::string name;
  const auto add = [&](bool on, const char* head) {
    if (!on) return;
    if (!name.empty()) name += "+";
    name += head;
  };
  add(position, "position");
  add(place, "place");
  add(head_direction, "head_direction");
  return name;
}

void ReadoutOptions::validate() const {
  if (head_count() == 0)
    throw_user_error("readout.heads: at least one head is needed (\"position\", \"place\", \"head_direction\", joined by '+')");
  const auto check_weight = [](double w, const char* key) {
    if (!(w > 0.0) || !std::isfinite(w)) throw_user_error("{} = {}: must be > 0", key, w);
  };
  if (position) check_weight(position_head.weight, "readout.position.weight");
  if (place) {
    const auto& p = place_head;
    if (p.cells < 1 || p.cells > 100000) throw_user_error("readout.place.cells = {}: must be in [1, 100000]", p.cells);
    if (!(p.sigma > 0.0) || !std::isfinite(p.sigma)) throw_user_error("readout.place.sigma = {}: must be > 0", p.sigma);
    if (p.tuning == PlaceTuning::kDifferenceOfSoftmax && (!(p.surround_ratio > 1.0) || !std::isfinite(p.surround_ratio)))
      throw_user_error("readout.place.surround_ratio = {}: must be > 1 (the surround is wider than the centre)", p.surround_ratio);
    check_weight(p.weight, "readout.place.weight");
    if (!place_centres.empty() && place_centres.size() != 2 * p.cells)
      throw_user_error("place-cell centres hold {} values; readout.place.cells = {} needs ({}, 2)", place_centres.size(), p.cells, p.cells);
    for (double c : place_centres)
      if (!std::isfinite(c)) throw_user_error("place-cell centres contain a non-finite value");
  } else if (!place_centres.empty()) {
    throw_user_error("place-cell centres given but readout.heads = \"{}\" has no place head", heads_name());
  }
  if (head_direction) {
    const auto& h = head_direction_head;
    if (h.cells < 1 || h.cells > 100000) throw_user_error("readout.head_direction.cells = {}: must be in [1, 100000]", h.cells);
    if (!(h.kappa >= 0.0) || !std::isfinite(h.kappa)) throw_user_error("readout.head_direction.kappa = {}: must be >= 0", h.kappa);
    check_weight(h.weight, "readout.head_direction.weight");
  }
}

ReadoutOptions ReadoutOptions::from_config(const io::ConfigReader& s) {
  ReadoutOptions o;
  const std::string heads = s.text(
      "heads", "position",
      "readout heads joined by '+': position (x, y; squared error; the paper's), place (place cells; "
      "softmax cross-entropy; Sorscher et al.), head_direction (von Mises cells; Banino et al.)");
  o.position = false;
  std::size_t begin = 0;
  while (begin <= heads.size()) {
    const std::size_t end = std::min(heads.find('+', begin), heads.size());
    const std::string head = heads.substr(begin, end - begin);
    bool* flag = head == "position" ? &o.position : head == "place" ? &o.place : head == "head_direction" ? &o.head_direction : nullptr;
    if (flag == nullptr)
      throw_user_error("readout.heads = \"{}\": unknown head \"{}\"; heads are position, place and head_direction, joined by '+' (e.g. \"position+place\")", heads, head);
    if (*flag) throw_user_error("readout.heads = \"{}\": head \"{}\" named twice", heads, head);
    *flag = true;
    begin = end + 1;
  }
  // A head's section is read only when the head is chosen, so finish() refuses keys of a head
  // that is not (a place-cell setting in a position-only network is a mistake, not a no-op).
  if (o.position) {
    o.position_head.weight = s.section("position").number("weight", 1.0, 0.0, 1e9, "loss weight of the position head", true);
  }
  if (o.place) {
    const auto p = s.section("place");
    auto& h = o.place_head;
    h.cells = static_cast<std::size_t>(p.integer("cells", 512, 1, 100000, "number of place cells N_p (reference: 512)"));
    h.sigma = p.number("sigma", 0.12, 0.0, 1e9, "place-cell tuning width sigma, arena units (reference: 0.12 m)", true);
    h.tuning = place_tuning_from_string(p.choice("tuning", "dog", {"dog", "gaussian"},
        "tuning: dog (difference of softmaxes, centre-surround; reference) or gaussian (softmax of -d^2/2sigma^2)"));
    h.surround_ratio = p.number("surround_ratio", 2.0, 0.0, 1e9, "surround sigma^2 over centre sigma^2, > 1 (reference: 2); dog only", true);
    h.loss = place_loss_from_string(p.choice("loss", "cross_entropy", {"cross_entropy", "squared_error"},
        "loss: softmax cross-entropy (reference) or squared error of the linear outputs"));
    h.centres = centre_layout_from_string(p.choice("centres", "random", {"random", "lattice", "file", "reference"},
        "centres: uniform at random in the arena (keyed by train.seed, saved with the network), a square lattice "
        "(rectangular arenas), read from readout.place.centres_file, or the reference code's own layout (numpy's "
        "np.random.seed(0) draws of ganguli-lab/grid-pattern-formation, the same for every seed; rectangular arenas)"));
    h.centres_file = p.text("centres_file", "",
        "with centres = \"file\": an NPY of shape (cells, 2), x and y in arena units, every centre inside the arena; "
        "a relative path is taken from the config file's folder; a run's own config.toml names its copy, "
        "network/place_centres.npy");
    if (h.centres == CentreLayout::kFile && h.centres_file.empty())
      throw_user_error("readout.place.centres = \"file\" needs readout.place.centres_file (an NPY of shape ({}, 2))", h.cells);
    if (!h.centres_file.empty() && std::filesystem::path(h.centres_file).is_relative() && !s.directory().empty())
      h.centres_file = (s.directory() / h.centres_file).lexically_normal().string();
    if (h.centres != CentreLayout::kFile && !h.centres_file.empty())
      throw_user_error("readout.place.centres_file = \"{}\" is read only with readout.place.centres = \"file\" (it is \"{}\")",
                       h.centres_file, to_string(h.centres));
    h.weight = p.number("weight", 1.0, 0.0, 1e9, "loss weight of the place head", true);
  }
  if (o.head_direction) {
    const auto p = s.section("head_direction");
    auto& h = o.head_direction_head;
    h.cells = static_cast<std::size_t>(p.integer("cells", 12, 1, 100000, "number of head-direction cells N_h (Banino et al.: 12)"));
    h.kappa = p.number("kappa", 20.0, 0.0, 1e9, "von Mises concentration kappa (Banino et al.: 20)");
    h.weight = p.number("weight", 1.0, 0.0, 1e9, "loss weight of the head-direction head", true);
  }
  o.validate();
  return o;
}

template <typename S, typename P>
void place_codes(const PlaceHeadOptions& o, const double* centres, const P* positions, std::size_t count, S* q) {
  // Vectorized (Eigen arrays) in the precision of the objective (float in training: half the
  // cost of double exp; the code is a float target there anyway): the trainer computes N_p codes
  // for every step of every trial. The centres' x and y are split into contiguous arrays once
  // per call, so the squared distances vectorize too.
  using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
  const auto n = static_cast<Eigen::Index>(o.cells);
  const Eigen::Map<const Eigen::Array<double, Eigen::Dynamic, 2, Eigen::RowMajor>> c(centres, n, 2);
  thread_local Array cx, cy, d2, centre, surround;
  cx = c.col(0).template cast<S>();
  cy = c.col(1).template cast<S>();
  const double scale = 1.0 / (2.0 * o.sigma * o.sigma);
  for (std::size_t k = 0; k < count; ++k, q += o.cells) {
    const double px = static_cast<double>(positions[2 * k]), py = static_cast<double>(positions[2 * k + 1]);
    d2 = (cx - static_cast<S>(px)).square() + (cy - static_cast<S>(py)).square();
    // softmax_i(-d2_i * scale), stably: the nearest centre's logit is subtracted first, and the
    // exponents are floored (kSoftmaxExponentFloor: the far cells' would be subnormal).
    const S nearest = d2.minCoeff();
    centre = (-(d2 - nearest) * static_cast<S>(scale)).max(S(kSoftmaxExponentFloor)).exp();
    if (o.tuning == PlaceTuning::kDifferenceOfSoftmax) {
      // The surround's exponentials, exp(-d2 scale / r): for the reference's r = 2 the square
      // roots of the centre's (one sqrt instead of one exp per cell). They differ from exp only
      // where the centre's exponent was floored (cells further than about 12.6 sigma from the
      // position: their surround is e^-40 instead of less, 4e-18 of the nearest cell's, below the
      // code's float resolution unless every cell but the nearest is that far, a layout far
      // coarser than sigma, where the code becomes one-hot at the nearest cell).
      if (o.surround_ratio == 2.0) {
        surround = centre.sqrt();
      } else {
        surround = (-(d2 - nearest) * static_cast<S>(scale / o.surround_ratio)).max(S(kSoftmaxExponentFloor)).exp();
      }
    }
    // Normalizations multiply by the reciprocal of the sum (vector divisions were a third of the
    // cost of a code).
    Eigen::Map<Array> out(q, n);
    if (o.tuning == PlaceTuning::kGaussian) {
      out = centre * (S(1) / centre.sum());
      continue;
    }
    centre = centre * (S(1) / centre.sum()) - surround * (S(1) / surround.sum());
    centre -= centre.minCoeff();
    const S sum = centre.sum();
    // A single cell (or all cells at one distance) leaves nothing after the shift: uniform code.
    if (sum > S(0)) {
      out = centre * (S(1) / sum);
    } else {
      out.setConstant(S(1) / static_cast<S>(n));
    }
  }
}

template <typename S>
void place_code(const PlaceHeadOptions& o, const double* centres, double px, double py, S* q) {
  const double position[2] = {px, py};
  place_codes(o, centres, position, 1, q);
}

template <typename S>
void head_direction_code(const HeadDirectionHeadOptions& o, double heading, S* q) {
  const std::size_t n = o.cells;
  double sum = 0.0;
  thread_local std::vector<double> e;
  e.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double phi = 2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n);
    e[i] = std::exp(o.kappa * (std::cos(heading - phi) - 1.0));  // -kappa: the largest logit is kappa
    sum += e[i];
  }
  for (std::size_t i = 0; i < n; ++i) q[i] = static_cast<S>(e[i] / sum);
}

template <typename S>
void decode_place(const S* z, const double* centres, std::size_t cells, double& x, double& y) {
  // The 3 largest entries, ties to the lower index (deterministic). Once 3 are found, most
  // entries fail against the third largest, kept in a register.
  std::array<std::size_t, 3> best{};
  std::size_t found = 0;
  S third = S(0);
  for (std::size_t i = 0; i < cells; ++i) {
    if (found == 3 && !(z[i] > third)) continue;
    std::size_t pos = found;
    while (pos > 0 && z[i] > z[best[pos - 1]]) --pos;
    if (pos >= 3) continue;
    for (std::size_t k = std::min<std::size_t>(found, 2); k > pos; --k) best[k] = best[k - 1];
    best[pos] = i;
    found = std::min<std::size_t>(found + 1, 3);
    if (found == 3) third = z[best[2]];
  }
  x = y = 0.0;
  for (std::size_t k = 0; k < found; ++k) {
    x += centres[2 * best[k]];
    y += centres[2 * best[k] + 1];
  }
  x /= static_cast<double>(found);
  y /= static_cast<double>(found);
}

template void place_codes<float, float>(const PlaceHeadOptions&, const double*, const float*, std::size_t, float*);
template void place_codes<double, float>(const PlaceHeadOptions&, const double*, const float*, std::size_t, double*);
template void place_codes<float, double>(const PlaceHeadOptions&, const double*, const double*, std::size_t, float*);
template void place_codes<double, double>(const PlaceHeadOptions&, const double*, const double*, std::size_t, double*);
template void place_code<float>(const PlaceHeadOptions&, const double*, double, double, float*);
template void place_code<double>(const PlaceHeadOptions&, const double*, double, double, double*);
template void head_direction_code<float>(const HeadDirectionHeadOptions&, double, float*);
template void head_direction_code<double>(const HeadDirectionHeadOptions&, double, double*);
template void decode_place<float>(const float*, const double*, std::size_t, double&, double&);
template void decode_place<double>(const double*, const double*, std::size_t, double&, double&);

}  // namespace gridrnn::model
