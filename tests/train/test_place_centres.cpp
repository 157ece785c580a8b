// Place-cell centres: random ones uniform in the arena and keyed by the seed, lattices over
// square and rectangle arenas, and the errors for layouts that do not fit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gridrnn/core/error.hpp"
#include "gridrnn/train/place_centres.hpp"

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

}  // namespace
}  // namespace gridrnn::train
