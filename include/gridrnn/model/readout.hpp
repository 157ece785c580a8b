#pragma once
// The network's readout heads (docs/design.md "## Readouts"). One or several heads read the same
// activities u[t+1] after step t, each with its own loss and loss weight:
//
//   position        y = W_out u            (2)    squared error against p[t+1]       (Cueva & Wei)
//   place           z = W_place u          (N_p)  softmax cross-entropy (or squared error)
//                                                 against the place code of p[t+1]  (Sorscher et al.)
//   head_direction  z = W_hd u             (N_h)  softmax cross-entropy against the von Mises
//                                                 code of the heading h[t]          (Banino et al.)
//
// Place code of a position p over centres c_i (i < N_p), sigma = place sigma, r = surround ratio
// (ganguli-lab/grid-pattern-formation place_cells.py; docs/design.md):
//   gaussian: q_i = softmax_i(-|p - c_i|^2 / (2 sigma^2))
//   dog:      d_i = softmax_i(-|p - c_i|^2 / (2 sigma^2)) - softmax_i(-|p - c_i|^2 / (2 r sigma^2)),
//             q_i = (d_i - min_j d_j) / sum_j (d_j - min_j d_j)
// Both sum to 1. Head-direction code of a heading h over preferred directions phi_i = 2 pi i / N_h:
//   q_i = softmax_i(kappa cos(h - phi_i)).
// Losses per head, M trials, T steps (the data term of the loss is sum_h weight_h E_h):
//   position:        E = 1/(M T 2)   sum (y - p)^2
//   cross-entropy:   E = 1/(M T)     sum_t,m  -sum_i q_i log softmax_i(z)
//   squared error:   E = 1/(M T N_p) sum (z - q)^2
// Decoded position of a place head: the mean centre of its 3 most active cells (largest z).
#include <cstddef>
#include <string>
#include <vector>

#include "gridrnn/io/config.hpp"

namespace gridrnn::model {

enum class HeadKind { kPosition, kPlace, kHeadDirection };
enum class PlaceTuning { kDifferenceOfSoftmax, kGaussian };
enum class PlaceLoss { kCrossEntropy, kSquaredError };
enum class CentreLayout { kRandom, kLattice, kFile, kReference };

struct PositionHeadOptions {
  double weight = 1.0;
};

struct PlaceHeadOptions {
  std::size_t cells = 512;      // N_p (reference: 512)
  double sigma = 0.12;          // tuning width, arena units (reference: 0.12 m)
  double surround_ratio = 2.0;  // surround sigma^2 / centre sigma^2 (reference: 2)
  PlaceTuning tuning = PlaceTuning::kDifferenceOfSoftmax;
  PlaceLoss loss = PlaceLoss::kCrossEntropy;
  CentreLayout centres = CentreLayout::kRandom;  // uniform at random, a lattice, a file, or the reference's own draw
  std::string centres_file;     // kFile: an (N_p, 2) NPY of centres in arena units (else empty)
  double weight = 1.0;
};

struct HeadDirectionHeadOptions {
  std::size_t cells = 12;  // N_h (Banino et al. 2018: 12)
  double kappa = 20.0;     // von Mises concentration (Banino et al. 2018: 20)
  double weight = 1.0;
};

struct ReadoutOptions {
  bool position = true;
  bool place = false;
  bool head_direction = false;
  PositionHeadOptions position_head;
  PlaceHeadOptions place_head;
  HeadDirectionHeadOptions head_direction_head;
  // Place-cell centres (N_p, 2), row-major, arena units: fixed, not learned, saved with the
  // network. Filled by the caller that knows the arena (train: place_centres()), empty when there
  // is no place head.
  std::vector<double> place_centres;

  // "position", "place", "position+place", ... in the order position, place, head_direction.
  std::string heads_name() const;
  std::size_t head_count() const { return std::size_t{position} + std::size_t{place} + std::size_t{head_direction}; }
  // UserError naming the key: no head, N_p or N_h = 0, surround ratio <= 1, sigma <= 0, a
  // centre array of the wrong size (when not empty).
  void validate() const;
  // Reads [readout] (heads = "position+place") and its sub-sections [readout.position],
  // [readout.place], [readout.head_direction]. Keys of a head that is not chosen are refused.
  static ReadoutOptions from_config(const io::ConfigReader& readout_section);
};

std::string to_string(PlaceTuning tuning);
std::string to_string(PlaceLoss loss);
std::string to_string(CentreLayout layout);
PlaceTuning place_tuning_from_string(const std::string& name);  // UserError if unknown
PlaceLoss place_loss_from_string(const std::string& name);
CentreLayout centre_layout_from_string(const std::string& name);

// Every softmax exponent (the place codes' and the cross-entropy heads' z_i - max z) is floored
// at this before exp: e^-80 = 2e-35 is far below float resolution next to the largest term, but
// a normal float; subnormal exponentials cost microcode assists (docs/design.md).
inline constexpr double kSoftmaxExponentFloor = -80.0;

// The place code q (N_p) of position (px, py); see the header comment. S = float or double.
template <typename S>
void place_code(const PlaceHeadOptions& options, const double* centres, double px, double py, S* q);
// The place codes q (count, N_p) of `count` positions (count, 2), the same values place_code
// gives one by one (P = float or double).
template <typename S, typename P>
void place_codes(const PlaceHeadOptions& options, const double* centres, const P* positions, std::size_t count, S* q);
// The head-direction code q (N_h) of heading h (radians).
template <typename S>
void head_direction_code(const HeadDirectionHeadOptions& options, double heading, S* q);
// The mean centre of the 3 largest entries of z (N_p) (fewer if N_p < 3).
template <typename S>
void decode_place(const S* z, const double* centres, std::size_t cells, double& x, double& y);

extern template void place_codes<float, float>(const PlaceHeadOptions&, const double*, const float*, std::size_t, float*);
extern template void place_codes<double, float>(const PlaceHeadOptions&, const double*, const float*, std::size_t, double*);
extern template void place_codes<float, double>(const PlaceHeadOptions&, const double*, const double*, std::size_t, float*);
extern template void place_codes<double, double>(const PlaceHeadOptions&, const double*, const double*, std::size_t, double*);
extern template void place_code<float>(const PlaceHeadOptions&, const double*, double, double, float*);
extern template void place_code<double>(const PlaceHeadOptions&, const double*, double, double, double*);
extern template void head_direction_code<float>(const HeadDirectionHeadOptions&, double, float*);
extern template void head_direction_code<double>(const HeadDirectionHeadOptions&, double, double*);
extern template void decode_place<float>(const float*, const double*, std::size_t, double&, double&);
extern template void decode_place<double>(const double*, const double*, std::size_t, double&, double&);

}  // namespace gridrnn::model
