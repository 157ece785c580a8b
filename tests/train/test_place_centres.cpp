// Place-cell centres: random ones uniform in the arena and keyed by the seed, lattices over
// square and rectangle arenas, centres read from a file, and the errors for layouts that do not fit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/train/place_centres.hpp"
#include "test_helpers.hpp"

namespace gridrnn::train {
namespace {

model::PlaceHeadOptions head(std::size_t cells, model::CentreLayout layout) {
  model::PlaceHeadOptions o;
  o.cells = cells;
  o.centres = layout;
  return o;
}

std::string error_of(const arena::Arena& arena, const model::PlaceHeadOptions& options) {
  try {
    place_centres(arena, options, 1);
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

TEST(PlaceCentres, RandomCentresLieInTheArenaAndDependOnlyOnTheSeed) {
  const auto hexagon = arena::Arena::hexagon();
  const auto options = head(2000, model::CentreLayout::kRandom);
  const auto centres = place_centres(hexagon, options, 5);
  ASSERT_EQ(centres.size(), 4000u);
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < 2000; ++i) {
    EXPECT_TRUE(hexagon.contains({centres[2 * i], centres[2 * i + 1]})) << i;
    mean_x += centres[2 * i] / 2000.0;
    mean_y += centres[2 * i + 1] / 2000.0;
  }
  // Uniform on a hexagon centred at the origin: mean 0, SD of x or y below 1 (4 SE < 0.09).
  EXPECT_NEAR(mean_x, 0.0, 0.09);
  EXPECT_NEAR(mean_y, 0.0, 0.09);
  EXPECT_EQ(place_centres(hexagon, options, 5), centres);
  EXPECT_NE(place_centres(hexagon, options, 6), centres);
  // The same draws whatever the count: the first cells of a larger set are the smaller set.
  const auto fewer = place_centres(hexagon, head(10, model::CentreLayout::kRandom), 5);
  EXPECT_TRUE(std::equal(fewer.begin(), fewer.end(), centres.begin()));
}

TEST(PlaceCentres, RandomCentresFillTheReferenceBoxUniformly) {
  const auto box = arena::Arena::square(2.2);
  const auto centres = place_centres(box, head(4000, model::CentreLayout::kRandom), 1);
  std::size_t left = 0, low = 0;
  for (std::size_t i = 0; i < 4000; ++i) {
    EXPECT_LE(std::abs(centres[2 * i]), 1.1);
    EXPECT_LE(std::abs(centres[2 * i + 1]), 1.1);
    left += centres[2 * i] < -0.55 ? 1 : 0;  // a quarter of the box
    low += centres[2 * i + 1] < 0.0 ? 1 : 0;
  }
  EXPECT_NEAR(static_cast<double>(left), 1000.0, 4 * std::sqrt(4000 * 0.25 * 0.75));
  EXPECT_NEAR(static_cast<double>(low), 2000.0, 4 * std::sqrt(4000 * 0.25));
}

TEST(PlaceCentres, LatticeHoldsTheBinCentresOfASquareGrid) {
  const auto square = place_centres(arena::Arena::square(2.0), head(16, model::CentreLayout::kLattice), 1);
  ASSERT_EQ(square.size(), 32u);
  const double ticks[] = {-0.75, -0.25, 0.25, 0.75};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      EXPECT_DOUBLE_EQ(square[2 * (4 * i + j)], ticks[j]);
      EXPECT_DOUBLE_EQ(square[2 * (4 * i + j) + 1], ticks[i]);
    }
  }
  // A 4 x 2 rectangle with 8 cells: 2 rows of 4 square bins of side 1.
  const auto rectangle = place_centres(arena::Arena::rectangle(4.0, 2.0), head(8, model::CentreLayout::kLattice), 1);
  ASSERT_EQ(rectangle.size(), 16u);
  EXPECT_DOUBLE_EQ(rectangle[0], -1.5);
  EXPECT_DOUBLE_EQ(rectangle[1], -0.5);
  EXPECT_DOUBLE_EQ(rectangle[2 * 7], 1.5);
  EXPECT_DOUBLE_EQ(rectangle[2 * 7 + 1], 0.5);
  EXPECT_DOUBLE_EQ(rectangle[2 * 4], -1.5);  // cell 4 starts the second row
  EXPECT_DOUBLE_EQ(rectangle[2 * 4 + 1], 0.5);
  // 512 cells in a square: 16 x 32 bins (twice as long as wide, the most allowed).
  EXPECT_EQ(place_centres(arena::Arena::square(2.2), head(512, model::CentreLayout::kLattice), 1).size(), 1024u);
}

TEST(PlaceCentres, LatticeOutsideRectanglesAndCountsWithoutALatticeAreRefused) {
  for (const char* shape : {"hexagon", "triangle", "circle"}) {
    const std::string message = error_of(arena::Arena::named(shape), head(16, model::CentreLayout::kLattice));
    EXPECT_NE(message.find("readout.place.centres"), std::string::npos) << message;
    EXPECT_NE(message.find(shape), std::string::npos) << message;
  }
  // 7 cells: only 1 x 7 bins in a square; 6 (2 x 3) and 8 (2 x 4) fit.
  const std::string message = error_of(arena::Arena::square(), head(7, model::CentreLayout::kLattice));
  EXPECT_NE(message.find("readout.place.cells = 7"), std::string::npos) << message;
  EXPECT_NE(message.find("use 6 or 8"), std::string::npos) << message;
}

// The numbers numpy 1.24 gives (python3-numpy in Debian 12) for the reference's draw:
//   np.random.seed(0); x = np.random.uniform(-1.1, 1.1, 512); y = np.random.uniform(-1.1, 1.1, 512)
//   x[0], x[511], y[0], y[511]
// and, in a 2 x 1 box: np.random.seed(0); np.random.uniform(-1, 1, 16)[0], np.random.uniform(-0.5, 0.5, 16)[15].
TEST(PlaceCentres, ReferenceLayoutIsNumpysSeedZeroDrawBitForBit) {
  const auto box = place_centres(arena::Arena::square(2.2), head(512, model::CentreLayout::kReference), 9);
  ASSERT_EQ(box.size(), 1024u);
  EXPECT_EQ(box[0], 0.10738970864011455);
  EXPECT_EQ(box[2 * 511], -0.3333528241263064);
  EXPECT_EQ(box[1], 0.5282145563589016);
  EXPECT_EQ(box[2 * 511 + 1], 0.9867886624834505);
  // The same whatever the seed, as in the reference.
  EXPECT_EQ(place_centres(arena::Arena::square(2.2), head(512, model::CentreLayout::kReference), 1), box);
  const auto wide = place_centres(arena::Arena::rectangle(2.0, 1.0), head(16, model::CentreLayout::kReference), 1);
  EXPECT_EQ(wide[0], 0.0976270078546495);
  EXPECT_EQ(wide[2 * 15 + 1], 0.27423368943421667);
  const std::string message = error_of(arena::Arena::hexagon(), head(16, model::CentreLayout::kReference));
  EXPECT_NE(message.find("readout.place.centres = \"reference\" needs a square or rectangle"), std::string::npos)
      << message;
}

model::PlaceHeadOptions from_file(std::size_t cells, const std::filesystem::path& file) {
  auto o = head(cells, model::CentreLayout::kFile);
  o.centres_file = file.string();
  return o;
}

TEST(PlaceCentres, FileCentresAreReadAsTheyAreWhateverTheDtype) {
  testing::TempDir dir;
  const std::vector<double> values = {-1.05, 0.5, 0.0, 0.0, 1.0999, -1.0999, 0.123456789, 0.987654321};
  io::write_npy(dir / "c64.npy", std::span<const double>(values), {4, 2});
  EXPECT_EQ(place_centres(arena::Arena::square(2.2), from_file(4, dir / "c64.npy"), 1), values);
  // float32 files are widened exactly; the seed plays no part.
  const std::vector<float> narrow(values.begin(), values.end());
  io::write_npy(dir / "c32.npy", std::span<const float>(narrow), {4, 2});
  const auto read = place_centres(arena::Arena::square(2.2), from_file(4, dir / "c32.npy"), 7);
  ASSERT_EQ(read.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(read[i], static_cast<double>(narrow[i])) << i;
}

TEST(PlaceCentres, FileThatIsMissingMisshapenOrOutsideTheArenaIsRefusedNamingTheKey) {
  testing::TempDir dir;
  const std::vector<double> six = {0, 0, 0.5, 0.5, -0.5, 0.2, 0.1, 0.1, 0.3, -0.3, 0.9, 0.9};
  io::write_npy(dir / "flat.npy", std::span<const double>(six), {12});
  io::write_npy(dir / "three.npy", std::span<const double>(six), {3, 4});
  io::write_npy(dir / "six.npy", std::span<const double>(six), {6, 2});
  std::vector<double> outside = six;
  outside[9] = 1.2;  // cell 4 at (0.3, 1.2): beyond the 2.2 m box's top wall
  io::write_npy(dir / "outside.npy", std::span<const double>(outside), {6, 2});
  std::vector<double> nan = six;
  nan[3] = std::nan("");
  io::write_npy(dir / "nan.npy", std::span<const double>(nan), {6, 2});
  io::write_file_atomic(dir / "text.npy", "not an npy file\n");
  const auto box = arena::Arena::square(2.2);
  struct Case {
    model::PlaceHeadOptions options;
    std::string expected;
  } cases[] = {
      {from_file(6, dir / "none.npy"), "no such file"},
      {from_file(6, dir / "flat.npy"), "has shape (12); readout.place.cells = 6 needs (6, 2)"},
      {from_file(6, dir / "three.npy"), "has shape (3, 4)"},
      {from_file(5, dir / "six.npy"), "readout.place.cells = 5 needs (5, 2)"},
      {from_file(6, dir / "outside.npy"), "centre 4 at (0.3, 1.2) lies outside the square arena"},
      {from_file(6, dir / "nan.npy"), "nan.npy"},
      {from_file(6, dir / "text.npy"), "text.npy"},
      {head(6, model::CentreLayout::kFile), "needs readout.place.centres_file"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(box, c.options);
    EXPECT_NE(message.find("readout.place.centres_file"), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
  EXPECT_EQ(place_centres(box, from_file(6, dir / "six.npy"), 1), six);
}

}  // namespace
}  // namespace gridrnn::train
