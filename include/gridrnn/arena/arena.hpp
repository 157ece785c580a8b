#pragma once
// Arenas: the 2D enclosures the animal moves in. Every arena is a simple polygon (vertices in
// counter-clockwise order) or a circle; all built-in shapes are centred at the origin. Lengths are
// in arena units (the paper's square is [-1, 1]^2, area 4; speeds are arena units per step).
//
// Conventions (docs/design.md, "Arenas and motion"):
// - contains(p) is closed: points on an edge or a vertex count as inside (tolerance 1e-12 times
//   the arena's size, so vertices computed with sin/cos still count).
// - walls() are the polygon's edges, wall i from vertex i to vertex i+1. A circle has walls too: a
//   polygonal approximation with kCircleWallCount segments, for analyses that need edges; its
//   contains()/nearest_wall() use the exact circle (is_circle(), radius()).
#include <cstddef>
#include <string>
#include <vector>

#include "gridrnn/core/rng.hpp"

namespace gridrnn::io {
class ConfigReader;
}

namespace gridrnn::arena {

struct Point {
  double x = 0.0;
  double y = 0.0;
};

// A wall: the segment from a to b (the arena's inside is on its left).
struct Segment {
  Point a;
  Point b;
};

struct WallDistance {
  double distance = 0.0;  // Euclidean distance from the point to the nearest wall
  std::size_t wall = 0;   // index into walls()
  Point closest;          // the nearest point on that wall (on the exact circle for a circle)
};

struct BoundingBox {
  double x_min = 0.0, x_max = 0.0, y_min = 0.0, y_max = 0.0;
  double width() const { return x_max - x_min; }
  double height() const { return y_max - y_min; }
};

class Arena {
 public:
  static constexpr std::size_t kCircleWallCount = 256;
  static constexpr double kDefaultArea = 4.0;  // the paper's square [-1, 1]^2

  // Built-in shapes, centred at the origin.
  static Arena square(double side = 2.0);
  static Arena rectangle(double width, double height);
  // Regular hexagon with two vertices on the x axis (flat top and bottom), of the given area.
  static Arena hexagon(double area = kDefaultArea);
  // Equilateral triangle with a horizontal base and the apex up, centroid at the origin.
  static Arena triangle(double area = kDefaultArea);
  static Arena circle(double radius);
  static Arena circle_with_area(double area = kDefaultArea);
  // Any simple polygon. Validated (UserError naming the problem): at least 3 distinct vertices,
  // finite, non-zero area, no self-intersection. A repeated closing vertex is dropped; clockwise
  // input is reversed to counter-clockwise. `what` names the source in error messages.
  static Arena polygon(std::vector<Point> vertices, const std::string& what = "polygon");

  // Shapes with their default sizes: square, rectangle (2*sqrt(2) x sqrt(2), area 4), hexagon,
  // triangle, circle (area 4). "polygon" needs vertices and is refused here.
  static Arena named(const std::string& shape);
  static const std::vector<std::string>& shape_names();  // all values of `[arena] shape`
  // Reads an `[arena]` config section (keys documented in docs/cli.md and `config --describe`).
  static Arena from_config(const io::ConfigReader& section);

  const std::string& name() const { return name_; }
  bool contains(Point p) const;
  // Whether the straight move from p (inside) to q stays inside the arena the whole way. In a
  // convex arena this is contains(q); in a concave polygon the segment must also not cross a wall.
  bool segment_inside(Point p, Point q) const;
  WallDistance nearest_wall(Point p) const;
  double area() const { return area_; }
  // The start point: the centroid, or, in a concave polygon whose centroid lies outside, the
  // middle of the widest horizontal chord through the centroid's height.
  Point centre() const { return centre_; }
  // Uniform on the arena (rejection from the bounding box; each try costs 2 uniforms).
  Point sample_uniform(Rng& rng) const;
  const std::vector<Segment>& walls() const { return walls_; }
  // Closed outline for drawing: the vertices in order, first point repeated at the end.
  std::vector<Point> outline() const;
  const std::vector<Point>& vertices() const { return vertices_; }
  BoundingBox bounding_box() const { return box_; }
  bool is_circle() const { return is_circle_; }
  double radius() const { return radius_; }  // circles only (0 otherwise)
  bool is_convex() const { return convex_; }
  // Tolerance used by contains(): 1e-12 times the bounding box's larger side.
  double tolerance() const { return tolerance_; }

 private:
  Arena() = default;
  void finish_construction();

  std::string name_;
  std::vector<Point> vertices_;  // counter-clockwise, not closed
  std::vector<Segment> walls_;
  // Inward half-planes of a convex polygon: inside iff normal . p >= offset - tolerance.
  std::vector<Point> inward_normals_;
  std::vector<double> offsets_;
  BoundingBox box_;
  Point centre_;
  double area_ = 0.0;
  double radius_ = 0.0;
  double tolerance_ = 0.0;
  bool is_circle_ = false;
  bool convex_ = true;
};

// Distance from p to the segment s, and the closest point on it.
double distance_to_segment(Point p, const Segment& s, Point* closest = nullptr);
// Whether segments p1-p2 and q1-q2 cross at a single interior point of both (touching at an end
// point or overlapping collinearly does not count).
bool segments_cross(Point p1, Point p2, Point q1, Point q2);

}  // namespace gridrnn::arena
