#pragma once
// Place-cell centres for a network's place head (model/readout.hpp): fixed, not learned, chosen
// once per run from the arena and the run's seed, and saved with the network
// (network/place_centres.npy) so predict and analyze decode with the same centres.
//
//   random   N_p centres uniform in the arena: rejection sampling in its bounding box, every
//            try two uniforms (x, then y) from one Rng(seed, Stream::kPlaceCentres, 0, 0), in
//            order of the cells (as the reference, which draws them uniform in its square box)
//   lattice  the bin centres of a rows x cols grid over the bounding box, rows * cols = N_p,
//            cell k = i * cols + j at (x_min + (j + 1/2) w / cols, y_min + (i + 1/2) h / rows);
//            (rows, cols) is the factor pair of N_p whose bins are closest to square. Square and
//            rectangle arenas only; a factor pair whose bins are more than twice as long as wide
//            is refused (naming readout.place.cells and the nearest counts that fit).
#include <cstdint>
#include <vector>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/model/readout.hpp"

namespace gridrnn::train {

// (N_p, 2) row-major, arena units. UserError naming readout.place.centres for a lattice in an
// arena that is not a square or rectangle, readout.place.cells for a count that has no lattice.
std::vector<double> place_centres(const arena::Arena& arena, const model::PlaceHeadOptions& options,
                                  std::uint64_t seed);

}  // namespace gridrnn::train
