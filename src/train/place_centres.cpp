// Place-cell centres (rules in train/place_centres.hpp).
#include "gridrnn/train/place_centres.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/io/npy.hpp"

namespace gridrnn::train {

namespace {

struct Lattice {
  std::size_t rows = 0, cols = 0;
  double elongation = std::numeric_limits<double>::infinity();  // longer bin side / shorter
};

// The factor pair rows x cols = n whose bins (width / cols by height / rows) are closest to
// square; ties go to more columns.
Lattice best_lattice(std::size_t n, double width, double height) {
  Lattice best;
  for (std::size_t rows = 1; rows <= n; ++rows) {
    if (n % rows != 0) continue;
    const std::size_t cols = n / rows;
    const double ratio = (width / static_cast<double>(cols)) / (height / static_cast<double>(rows));
    const double elongation = std::max(ratio, 1.0 / ratio);
    if (elongation < best.elongation) best = {rows, cols, elongation};
  }
  return best;
}

constexpr double kMaxElongation = 2.0;

std::vector<double> centres_from_file(const arena::Arena& arena, const model::PlaceHeadOptions& options) {
  const std::string& file = options.centres_file;
  if (file.empty()) throw_user_error("readout.place.centres = \"file\" needs readout.place.centres_file");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw_user_error("readout.place.centres_file = \"{}\": no such file (an NPY of shape ({}, 2) is needed)", file, options.cells);
  io::NpyArray a;
  try {
    a = io::read_npy_finite(file);
  } catch (const UserError& e) {
    throw_user_error("readout.place.centres_file = \"{}\": {}", file, e.what());
  }
  if (a.shape.size() != 2 || a.shape[0] != options.cells || a.shape[1] != 2)
    throw_user_error("readout.place.centres_file = \"{}\" has shape {}; readout.place.cells = {} needs ({}, 2): x, y per cell",
                     file, io::shape_string(a.shape), options.cells, options.cells);
  for (std::size_t i = 0; i < options.cells; ++i) {
    const arena::Point p{a.values[2 * i], a.values[2 * i + 1]};
    if (!arena.contains(p))
      throw_user_error("readout.place.centres_file = \"{}\": centre {} at ({:g}, {:g}) lies outside the {} arena", file, i,
                       p.x, p.y, arena.name());
  }
  return std::move(a.values);
}

// The layout every run of the reference code trains on: place_cells.py seeds numpy's legacy
// generator with np.random.seed(0) and draws N_p x coordinates, then N_p y coordinates, each
// uniform(low, high) = low + (high - low) * u. That generator is MT19937 seeded by init_genrand
// (std::mt19937's own seeding), and u is its 53-bit double from two draws (a >> 5, b >> 6).
std::vector<double> reference_centres(const arena::BoundingBox& box, std::size_t n) {
  std::mt19937 mt(0);
  const auto uniform = [&mt](double low, double high) {
    const double a = static_cast<double>(mt() >> 5), b = static_cast<double>(mt() >> 6);
    // Rounded as numpy rounds it: the product apart from the sum (volatile keeps the compiler
    // from fusing them into one multiply-add, which rounds once and differs in the last bit).
    const volatile double scaled = (high - low) * ((a * 67108864.0 + b) / 9007199254740992.0);
    return low + scaled;
  };
  std::vector<double> centres(2 * n);
  for (std::size_t i = 0; i < n; ++i) centres[2 * i] = uniform(box.x_min, box.x_max);
  for (std::size_t i = 0; i < n; ++i) centres[2 * i + 1] = uniform(box.y_min, box.y_max);
  return centres;
}

}  // namespace

std::vector<double> place_centres(const arena::Arena& arena, const model::PlaceHeadOptions& options, std::uint64_t seed) {
  const std::size_t n = options.cells;
  if (n < 1) throw_user_error("readout.place.cells = 0: must be >= 1");
  std::vector<double> centres(2 * n);
  const arena::BoundingBox box = arena.bounding_box();
  if (options.centres == model::CentreLayout::kRandom) {
    Rng rng(seed, Stream::kPlaceCentres, 0, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const arena::Point p = arena.sample_uniform(rng);
      centres[2 * i] = p.x;
      centres[2 * i + 1] = p.y;
    }
    return centres;
  }
  if (options.centres == model::CentreLayout::kFile) return centres_from_file(arena, options);
  if (arena.name() != "square" && arena.name() != "rectangle")
    throw_user_error("readout.place.centres = \"{}\" needs a square or rectangle arena (arena.shape = \"{}\"); "
                     "use readout.place.centres = \"random\"",
                     model::to_string(options.centres), arena.name());
  if (options.centres == model::CentreLayout::kReference) return reference_centres(box, n);
  const double width = box.width(), height = box.height();
  const Lattice lattice = best_lattice(n, width, height);
  if (lattice.elongation > kMaxElongation) {
    // The nearest counts below and above whose lattice bins are close enough to square.
    std::size_t below = 0, above = 0;
    for (std::size_t k = n - 1; k >= 1 && below == 0; --k)
      if (best_lattice(k, width, height).elongation <= kMaxElongation) below = k;
    for (std::size_t k = n + 1; above == 0; ++k)
      if (best_lattice(k, width, height).elongation <= kMaxElongation) above = k;
    throw_user_error("readout.place.cells = {} has no lattice with square-ish bins in this {:.4g} x {:.4g} arena (the best, "
                     "{} x {}, has bins {:.3g} times longer than wide; at most {} allowed): use {}{} cells, or "
                     "readout.place.centres = \"random\"",
                     n, width, height, lattice.rows, lattice.cols, lattice.elongation, kMaxElongation,
                     below > 0 ? std::to_string(below) + " or " : std::string{}, above);
  }
  const double dx = width / static_cast<double>(lattice.cols), dy = height / static_cast<double>(lattice.rows);
  for (std::size_t i = 0; i < lattice.rows; ++i) {
    for (std::size_t j = 0; j < lattice.cols; ++j) {
      const std::size_t k = i * lattice.cols + j;
      centres[2 * k] = box.x_min + (static_cast<double>(j) + 0.5) * dx;
      centres[2 * k + 1] = box.y_min + (static_cast<double>(i) + 0.5) * dy;
    }
  }
  return centres;
}

}  // namespace gridrnn::train
