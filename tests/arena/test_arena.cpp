#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/io/config.hpp"

namespace gridrnn::arena {
namespace {

// An L: the square [0, 2]^2 without its upper-right quadrant; reflex vertex at (1, 1).
Arena l_shape() { return Arena::polygon({{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}}); }

std::string user_error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "<no UserError>";
}

TEST(Arena, BuiltInShapesHaveTheSquaresAreaByDefault) {
  for (const char* name : {"square", "rectangle", "hexagon", "triangle", "circle"}) {
    const Arena a = Arena::named(name);
    EXPECT_NEAR(a.area(), 4.0, 1e-12) << name;
    EXPECT_EQ(a.name(), name);
    EXPECT_NEAR(a.centre().x, 0.0, 1e-12) << name;
    EXPECT_NEAR(a.centre().y, 0.0, 1e-12) << name;
    // The polygon's own shoelace area of the walls agrees (circle: within the 256-gon's error).
    double twice = 0.0;
    for (const Segment& w : a.walls()) twice += w.a.x * w.b.y - w.b.x * w.a.y;
    EXPECT_NEAR(0.5 * twice, 4.0, a.is_circle() ? 1e-3 : 1e-12) << name;
  }
  EXPECT_NEAR(Arena::rectangle(3.0, 0.5).area(), 1.5, 1e-15);
  EXPECT_NEAR(Arena::square(2.0).bounding_box().x_max, 1.0, 0.0);
  EXPECT_NEAR(Arena::circle(2.0).area(), 4.0 * std::numbers::pi, 1e-12);
  EXPECT_NEAR(l_shape().area(), 3.0, 1e-15);
  EXPECT_THROW(Arena::named("polygon"), UserError);
  EXPECT_THROW(Arena::named("blob"), UserError);
}

TEST(Arena, HexagonAndTriangleAreRegular) {
  for (const Arena& a : {Arena::hexagon(4.0), Arena::triangle(4.0)}) {
    const auto& w = a.walls();
    const double side = std::hypot(w[0].b.x - w[0].a.x, w[0].b.y - w[0].a.y);
    for (const Segment& s : w) EXPECT_NEAR(std::hypot(s.b.x - s.a.x, s.b.y - s.a.y), side, 1e-12);
    EXPECT_TRUE(a.is_convex());
  }
  EXPECT_EQ(Arena::hexagon().walls().size(), 6u);
  EXPECT_EQ(Arena::triangle().walls().size(), 3u);
  // Triangle: horizontal base below the centroid.
  EXPECT_NEAR(Arena::triangle().bounding_box().y_min, Arena::triangle().walls()[1].a.y, 1e-12);
}

TEST(Arena, ContainsOnAConcavePolygon) {
  const Arena a = l_shape();
  EXPECT_FALSE(a.is_convex());
  EXPECT_TRUE(a.contains({0.5, 0.5}));
  EXPECT_TRUE(a.contains({1.5, 0.5}));
  EXPECT_TRUE(a.contains({0.5, 1.5}));
  EXPECT_FALSE(a.contains({1.5, 1.5}));   // the missing quadrant
  EXPECT_FALSE(a.contains({1.0001, 1.0001}));
  EXPECT_FALSE(a.contains({-0.1, 0.5}));
  EXPECT_FALSE(a.contains({2.5, 0.5}));
  // Exactly on edges and vertices (the reflex one included) counts as inside.
  for (const Point p : {Point{0, 0}, Point{2, 0}, Point{2, 1}, Point{1, 1}, Point{1, 2}, Point{0, 2},
                        Point{1, 0}, Point{2, 0.5}, Point{1.5, 1}, Point{1, 1.5}, Point{0.5, 2},
                        Point{0, 1.3}}) {
    EXPECT_TRUE(a.contains(p)) << p.x << ", " << p.y;
  }
  // Just outside an edge and a vertex.
  EXPECT_FALSE(a.contains({1.5, 1.0 + 1e-9}));
  EXPECT_FALSE(a.contains({2.0 + 1e-9, 1.0}));
  EXPECT_FALSE(a.contains({-1e-9, -1e-9}));
  // Moves across the notch leave the arena although both ends are inside.
  EXPECT_FALSE(a.segment_inside({1.9, 0.9}, {0.9, 1.9}));
  EXPECT_TRUE(a.segment_inside({0.5, 0.5}, {0.5, 1.9}));
  EXPECT_TRUE(a.segment_inside({1.9, 0.9}, {0.5, 0.9}));
}

TEST(Arena, ContainsOnEdgesAndVerticesOfConvexShapes) {
  for (const char* name : {"square", "rectangle", "hexagon", "triangle"}) {
    const Arena a = Arena::named(name);
    for (const Segment& w : a.walls()) {
      EXPECT_TRUE(a.contains(w.a)) << name;
      EXPECT_TRUE(a.contains({0.5 * (w.a.x + w.b.x), 0.5 * (w.a.y + w.b.y)})) << name;
      // Slightly outside the vertex (radially) is outside.
      EXPECT_FALSE(a.contains({w.a.x * (1 + 1e-9), w.a.y * (1 + 1e-9)})) << name;
      const Point mid{0.5 * (w.a.x + w.b.x), 0.5 * (w.a.y + w.b.y)};
      EXPECT_FALSE(a.contains({mid.x * (1 + 1e-9), mid.y * (1 + 1e-9)})) << name;
      EXPECT_TRUE(a.contains({mid.x * (1 - 1e-9), mid.y * (1 - 1e-9)})) << name;
    }
  }
  const Arena c = Arena::circle(1.5);
  EXPECT_TRUE(c.contains({1.5, 0.0}));
  EXPECT_TRUE(c.contains({0.0, -1.5}));
  EXPECT_FALSE(c.contains({1.5 * (1 + 1e-9), 0.0}));
  EXPECT_TRUE(c.contains({1.5 * std::cos(1.0) * (1 - 1e-12), 1.5 * std::sin(1.0) * (1 - 1e-12)}));
}

TEST(Arena, NearestWallGivesDistanceIndexAndPoint) {
  const Arena s = Arena::square(2.0);  // walls: 0 bottom, 1 right, 2 top, 3 left
  auto w = s.nearest_wall({0.5, 0.2});
  EXPECT_NEAR(w.distance, 0.5, 1e-15);
  EXPECT_EQ(w.wall, 1u);
  EXPECT_NEAR(w.closest.x, 1.0, 1e-15);
  EXPECT_NEAR(w.closest.y, 0.2, 1e-15);
  w = s.nearest_wall({-0.3, -0.9});
  EXPECT_NEAR(w.distance, 0.1, 1e-15);
  EXPECT_EQ(w.wall, 0u);
  const Arena l = l_shape();  // reflex corner: distance to the vertex (1, 1)
  w = l.nearest_wall({1.2, 0.8});
  EXPECT_NEAR(w.distance, 0.2, 1e-12);
  const Arena c = Arena::circle(2.0);
  w = c.nearest_wall({0.0, 1.5});
  EXPECT_NEAR(w.distance, 0.5, 1e-15);
  EXPECT_NEAR(w.closest.y, 2.0, 1e-15);
  EXPECT_EQ(w.wall, Arena::kCircleWallCount / 4);
}

TEST(Arena, PolygonValidationAndOrientation) {
  // Clockwise input is reversed; a repeated closing vertex is dropped.
  const Arena cw = Arena::polygon({{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}});
  EXPECT_EQ(cw.vertices().size(), 4u);
  EXPECT_NEAR(cw.area(), 1.0, 1e-15);
  double twice = 0.0;
  for (const Segment& w : cw.walls()) twice += w.a.x * w.b.y - w.b.x * w.a.y;
  EXPECT_GT(twice, 0.0);
  EXPECT_TRUE(cw.is_convex());
  EXPECT_NE(user_error_message([] { Arena::polygon({{0, 0}, {1, 0}}); }).find("at least 3"),
            std::string::npos);
  EXPECT_NE(user_error_message([] { Arena::polygon({{0, 0}, {1, 1}, {1, 0}, {0, 1}}); })
                .find("intersects"),
            std::string::npos);  // bow tie
  EXPECT_NE(user_error_message([] { Arena::polygon({{0, 0}, {1, 0}, {1, 0}, {0, 1}}); })
                .find("same point"),
            std::string::npos);
  EXPECT_NE(user_error_message([] { Arena::polygon({{0, 0}, {1, 0}, {2, 0}}); }).find("fold back"),
            std::string::npos);  // collinear: zero area
  EXPECT_THROW(Arena::polygon({{0, 0}, {2, 0}, {1, 0}, {1, 1}}), UserError);  // a spike
  EXPECT_NE(user_error_message([] { Arena::polygon({{0, 0}, {1, 0}, {NAN, 1}}); }).find("vertex 2"),
            std::string::npos);
  // Touching itself at a vertex is not simple either.
  EXPECT_THROW(Arena::polygon({{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 1}}), UserError);
}

TEST(Arena, CentreOfAConcavePolygonIsInside) {
  // A C shape whose centroid lies in the opening.
  const Arena c = Arena::polygon({{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}});
  EXPECT_TRUE(c.contains(c.centre()));
  EXPECT_NEAR(c.centre().x, 0.5, 1e-12);
}

TEST(Arena, UniformSamplesCoverTheArenaInProportionToArea) {
  const Arena a = l_shape();
  Rng rng(7, Stream::kTest, 0, 0);
  const int n = 60000;
  int lower_left = 0;
  double mean_x = 0.0;
  for (int i = 0; i < n; ++i) {
    const Point p = a.sample_uniform(rng);
    ASSERT_TRUE(a.contains(p));
    if (p.x < 1 && p.y < 1) ++lower_left;
    mean_x += p.x / n;
  }
  // Each unit square holds 1/3 of the area; binomial SD sqrt(p(1-p)/n).
  EXPECT_NEAR(lower_left / double(n), 1.0 / 3.0, 4 * std::sqrt(2.0 / 9.0 / n));
  EXPECT_NEAR(mean_x, a.centre().x, 0.01);  // centroid x = 5/6
  EXPECT_NEAR(a.centre().x, 5.0 / 6.0, 1e-12);
}

TEST(Arena, FromConfigReadsEveryShape) {
  auto read = [](const std::string& text) {
    auto config = io::ConfigReader::from_string(text, "test.toml");
    Arena a = Arena::from_config(config.section("arena"));
    config.finish();
    return a;
  };
  EXPECT_EQ(read("").name(), "square");
  EXPECT_NEAR(read("[arena]\nshape = \"square\"\nside = 3\n").area(), 9.0, 1e-12);
  EXPECT_NEAR(read("[arena]\nshape = \"rectangle\"\nwidth = 3\nheight = 2\n").area(), 6.0, 1e-12);
  EXPECT_NEAR(read("[arena]\nshape = \"hexagon\"\n").area(), 4.0, 1e-12);
  EXPECT_NEAR(read("[arena]\nshape = \"hexagon\"\nside = 1\n").area(), 1.5 * std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(read("[arena]\nshape = \"triangle\"\narea = 2\n").area(), 2.0, 1e-12);
  EXPECT_NEAR(read("[arena]\nshape = \"circle\"\nradius = 1\n").radius(), 1.0, 1e-12);
  EXPECT_NEAR(read("[arena]\nshape = \"polygon\"\nvertices = [[0,0],[2,0],[2,1],[1,1],[1,2],[0,2]]\n")
                  .area(),
              3.0, 1e-12);
  const auto message = [&](const std::string& text) {
    return user_error_message([&] { read(text); });
  };
  EXPECT_NE(message("[arena]\nshape = \"blob\"\n").find("arena.shape"), std::string::npos);
  EXPECT_NE(message("[arena]\nshape = \"blob\"\n").find("hexagon"), std::string::npos);
  EXPECT_NE(message("[arena]\nside = -1\n").find("arena.side"), std::string::npos);
  EXPECT_NE(message("[arena]\nside = \"big\"\n").find("must be a number"), std::string::npos);
  EXPECT_NE(message("[arena]\nshape = \"circle\"\nradius = 1\narea = 2\n").find("not both"),
            std::string::npos);
  EXPECT_NE(message("[arena]\nshape = \"circle\"\nside = 1\n").find("arena.side"),
            std::string::npos);  // a key that does not apply to the shape is unknown
  EXPECT_NE(message("[arena]\nshape = \"polygon\"\n").find("arena.vertices"), std::string::npos);
  EXPECT_NE(message("[arena]\nshape = \"polygon\"\nvertices = [[0,0],[1,1],[1,0],[0,1]]\n")
                .find("intersects"),
            std::string::npos);
}

}  // namespace
}  // namespace gridrnn::arena
