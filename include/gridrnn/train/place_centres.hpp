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
//   file     read from readout.place.centres_file: an NPY of shape (N_p, 2), any float or int
//            dtype, finite, every centre inside the arena (UserError naming the key otherwise).
//            The path is used as given: ReadoutOptions::from_config has already taken a relative
//            one from the config file's folder. For a layout made elsewhere, e.g. the one another
//            program trained on.
//   reference the layout of ganguli-lab/grid-pattern-formation, which every run of that code
//            shares whatever its seed: numpy's np.random.seed(0), then N_p uniform x coordinates
//            and N_p uniform y coordinates over the box (reproduced bit for bit: MT19937 seeded
//            with 0 and its 53-bit doubles). Square and rectangle arenas (y over the box's height;
//            the reference uses its width for both, the same in its square box).
#include <cstdint>
#include <vector>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/model/readout.hpp"

namespace gridrnn::train {

// (N_p, 2) row-major, arena units. UserError naming readout.place.centres for a lattice in an
// arena that is not a square or rectangle, readout.place.cells for a count that has no lattice,
// readout.place.centres_file for a file that is missing, malformed or does not fit.
std::vector<double> place_centres(const arena::Arena& arena, const model::PlaceHeadOptions& options,
                                  std::uint64_t seed);

}  // namespace gridrnn::train
