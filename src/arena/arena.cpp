#include "gridrnn/arena/arena.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/config.hpp"

namespace gridrnn::arena {

namespace {

constexpr double kPi = std::numbers::pi;

double cross(Point o, Point a, Point b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

// Signed area (shoelace): positive for counter-clockwise vertices.
double signed_area(const std::vector<Point>& v) {
  double twice = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Point a = v[i], b = v[(i + 1) % v.size()];
    twice += a.x * b.y - b.x * a.y;
  }
  return 0.5 * twice;
}

// Centroid of a simple polygon: C = 1/(6A) sum (p_i + p_{i+1}) (x_i y_{i+1} - x_{i+1} y_i).
Point polygon_centroid(const std::vector<Point>& v, double area) {
  double cx = 0.0, cy = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Point a = v[i], b = v[(i + 1) % v.size()];
    const double w = a.x * b.y - b.x * a.y;
    cx += (a.x + b.x) * w;
    cy += (a.y + b.y) * w;
  }
  return {cx / (6.0 * area), cy / (6.0 * area)};
}

bool on_segment_closed(Point p, Point a, Point b) {
  return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y &&
         p.y <= std::max(a.y, b.y);
}

// Closed intersection test (touching and collinear overlap count), for polygon validation.
bool segments_touch(Point p1, Point p2, Point q1, Point q2) {
  const double d1 = cross(q1, q2, p1), d2 = cross(q1, q2, p2);
  const double d3 = cross(p1, p2, q1), d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    return true;
  }
  return (d1 == 0 && on_segment_closed(p1, q1, q2)) || (d2 == 0 && on_segment_closed(p2, q1, q2)) ||
         (d3 == 0 && on_segment_closed(q1, p1, p2)) || (d4 == 0 && on_segment_closed(q2, p1, p2));
}

std::vector<Point> regular_polygon(std::size_t count, double circumradius, double first_angle) {
  std::vector<Point> v(count);
  for (std::size_t k = 0; k < count; ++k) {
    const double angle = first_angle + 2.0 * kPi * static_cast<double>(k) / static_cast<double>(count);
    v[k] = {circumradius * std::cos(angle), circumradius * std::sin(angle)};
  }
  return v;
}

void require_positive_finite(double value, const char* what) {
  if (!(std::isfinite(value) && value > 0.0)) {
    throw_user_error("arena {} = {} must be a finite number > 0", what, value);
  }
}

}  // namespace

namespace {
// Squared distance (no square root: the nearest-wall scan compares squares).
double squared_distance_to_segment(Point p, const Segment& s, Point* closest) {
  const double dx = s.b.x - s.a.x, dy = s.b.y - s.a.y;
  const double length2 = dx * dx + dy * dy;
  double t = length2 > 0.0 ? ((p.x - s.a.x) * dx + (p.y - s.a.y) * dy) / length2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const Point c{s.a.x + t * dx, s.a.y + t * dy};
  if (closest != nullptr) *closest = c;
  return (p.x - c.x) * (p.x - c.x) + (p.y - c.y) * (p.y - c.y);
}
}  // namespace

double distance_to_segment(Point p, const Segment& s, Point* closest) {
  return std::sqrt(squared_distance_to_segment(p, s, closest));
}

bool segments_cross(Point p1, Point p2, Point q1, Point q2) {
  const double d1 = cross(q1, q2, p1), d2 = cross(q1, q2, p2);
  const double d3 = cross(p1, p2, q1), d4 = cross(p1, p2, q2);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

Arena Arena::square(double side) {
  require_positive_finite(side, "square side");
  Arena a = polygon({{-side / 2, -side / 2}, {side / 2, -side / 2}, {side / 2, side / 2},
                     {-side / 2, side / 2}});
  a.name_ = "square";
  return a;
}

Arena Arena::rectangle(double width, double height) {
  require_positive_finite(width, "rectangle width");
  require_positive_finite(height, "rectangle height");
  Arena a = polygon({{-width / 2, -height / 2}, {width / 2, -height / 2}, {width / 2, height / 2},
                     {-width / 2, height / 2}});
  a.name_ = "rectangle";
  return a;
}

Arena Arena::hexagon(double area) {
  require_positive_finite(area, "hexagon area");
  // area = (3 sqrt(3) / 2) R^2 for circumradius R (= side).
  const double circumradius = std::sqrt(2.0 * area / (3.0 * std::sqrt(3.0)));
  Arena a = polygon(regular_polygon(6, circumradius, 0.0));
  a.name_ = "hexagon";
  return a;
}

Arena Arena::triangle(double area) {
  require_positive_finite(area, "triangle area");
  // area = (sqrt(3) / 4) s^2; circumradius R = s / sqrt(3); apex at 90 degrees.
  const double side = std::sqrt(4.0 * area / std::sqrt(3.0));
  Arena a = polygon(regular_polygon(3, side / std::sqrt(3.0), kPi / 2));
  a.name_ = "triangle";
  return a;
}

Arena Arena::circle(double radius) {
  require_positive_finite(radius, "circle radius");
  Arena a;
  a.name_ = "circle";
  a.is_circle_ = true;
  a.radius_ = radius;
  a.vertices_ = regular_polygon(kCircleWallCount, radius, 0.0);
  a.area_ = kPi * radius * radius;
  a.centre_ = {0.0, 0.0};
  a.finish_construction();
  a.box_ = {-radius, radius, -radius, radius};
  return a;
}

Arena Arena::circle_with_area(double area) {
  require_positive_finite(area, "circle area");
  return circle(std::sqrt(area / kPi));
}

Arena Arena::polygon(std::vector<Point> vertices, const std::string& what) {
  for (std::size_t i = 0; i < vertices.size(); ++i) {
    if (!std::isfinite(vertices[i].x) || !std::isfinite(vertices[i].y)) {
      throw_user_error("{}: vertex {} is not a finite number", what, i);
    }
  }
  if (vertices.size() >= 2 && vertices.front().x == vertices.back().x &&
      vertices.front().y == vertices.back().y) {
    vertices.pop_back();  // closing vertex repeated
  }
  if (vertices.size() < 3) {
    throw_user_error("{}: needs at least 3 vertices, got {} (give [[x, y], ...] in order around "
                     "the arena)",
                     what, vertices.size());
  }
  const std::size_t n = vertices.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Point a = vertices[i], b = vertices[(i + 1) % n];
    if (a.x == b.x && a.y == b.y) {
      throw_user_error("{}: vertices {} and {} are the same point ({}, {}); edges must have "
                       "non-zero length",
                       what, i, (i + 1) % n, a.x, a.y);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    // Adjacent edges must not fold back onto each other (a spike of zero width).
    const Point prev = vertices[(i + n - 1) % n], here = vertices[i], next = vertices[(i + 1) % n];
    if (cross(here, prev, next) == 0.0 &&
        (prev.x - here.x) * (next.x - here.x) + (prev.y - here.y) * (next.y - here.y) > 0.0) {
      throw_user_error("{}: the edges at vertex {} ({}, {}) fold back onto each other; the "
                       "polygon must be simple (not self-intersecting)",
                       what, i, here.x, here.y);
    }
    for (std::size_t j = i + 2; j < n; ++j) {
      if (i == 0 && j == n - 1) continue;  // adjacent through the closing edge
      if (segments_touch(vertices[i], vertices[(i + 1) % n], vertices[j], vertices[(j + 1) % n])) {
        throw_user_error("{}: edge {} (vertex {} to {}) intersects edge {} (vertex {} to {}); the "
                         "polygon must be simple (not self-intersecting)",
                         what, i, i, (i + 1) % n, j, j, (j + 1) % n);
      }
    }
  }
  double area = signed_area(vertices);
  if (area == 0.0) throw_user_error("{}: the vertices enclose zero area", what);
  if (area < 0.0) {
    std::reverse(vertices.begin(), vertices.end());  // fix orientation: counter-clockwise
    area = -area;
  }
  Arena a;
  a.name_ = "polygon";
  a.vertices_ = std::move(vertices);
  a.area_ = area;
  a.centre_ = polygon_centroid(a.vertices_, area);
  a.finish_construction();
  return a;
}

void Arena::finish_construction() {
  const std::size_t n = vertices_.size();
  box_ = {vertices_[0].x, vertices_[0].x, vertices_[0].y, vertices_[0].y};
  for (const Point& v : vertices_) {
    box_.x_min = std::min(box_.x_min, v.x);
    box_.x_max = std::max(box_.x_max, v.x);
    box_.y_min = std::min(box_.y_min, v.y);
    box_.y_max = std::max(box_.y_max, v.y);
  }
  tolerance_ = 1e-12 * std::max(box_.width(), box_.height());
  walls_.resize(n);
  convex_ = true;
  for (std::size_t i = 0; i < n; ++i) {
    walls_[i] = {vertices_[i], vertices_[(i + 1) % n]};
    if (cross(vertices_[i], vertices_[(i + 1) % n], vertices_[(i + 2) % n]) < 0.0) convex_ = false;
  }
  if (convex_) {
    inward_normals_.resize(n);
    offsets_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Segment& w = walls_[i];
      const double length = std::hypot(w.b.x - w.a.x, w.b.y - w.a.y);
      // Counter-clockwise: the inside is on the left, so the inward normal is the edge turned +90.
      const Point normal{-(w.b.y - w.a.y) / length, (w.b.x - w.a.x) / length};
      inward_normals_[i] = normal;
      offsets_[i] = normal.x * w.a.x + normal.y * w.a.y;
    }
  }
  if (!is_circle_ && !contains(centre_)) {
    // Concave polygon with its centroid outside: middle of the widest horizontal chord at the
    // centroid's height (crossings counted half-open in y so a vertex is not counted twice).
    std::vector<double> xs;
    const double y = centre_.y;
    for (const Segment& w : walls_) {
      if ((w.a.y <= y) != (w.b.y <= y)) {
        xs.push_back(w.a.x + (y - w.a.y) * (w.b.x - w.a.x) / (w.b.y - w.a.y));
      }
    }
    std::sort(xs.begin(), xs.end());
    double best_width = -1.0;
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
      if (xs[i + 1] - xs[i] > best_width) {
        best_width = xs[i + 1] - xs[i];
        centre_ = {0.5 * (xs[i] + xs[i + 1]), y};
      }
    }
    GRIDRNN_ASSERT(contains(centre_), "no start point found inside the polygon");
  }
}

bool Arena::contains(Point p) const {
  if (is_circle_) {
    const double r = radius_ + tolerance_;
    return p.x * p.x + p.y * p.y <= r * r;
  }
  if (convex_) {
    for (std::size_t i = 0; i < inward_normals_.size(); ++i) {
      if (inward_normals_[i].x * p.x + inward_normals_[i].y * p.y < offsets_[i] - tolerance_) {
        return false;
      }
    }
    return true;
  }
  if (p.x < box_.x_min - tolerance_ || p.x > box_.x_max + tolerance_ ||
      p.y < box_.y_min - tolerance_ || p.y > box_.y_max + tolerance_) {
    return false;
  }
  // On a wall (edge or vertex) counts as inside; otherwise even-odd crossing number.
  bool inside = false;
  for (const Segment& w : walls_) {
    if (squared_distance_to_segment(p, w, nullptr) <= tolerance_ * tolerance_) return true;
    if ((w.a.y > p.y) != (w.b.y > p.y)) {
      const double x_cross = w.a.x + (p.y - w.a.y) * (w.b.x - w.a.x) / (w.b.y - w.a.y);
      if (p.x < x_cross) inside = !inside;
    }
  }
  return inside;
}

bool Arena::segment_inside(Point p, Point q) const {
  if (!contains(q)) return false;
  if (convex_ || is_circle_) return true;
  for (const Segment& w : walls_) {
    if (segments_cross(p, q, w.a, w.b)) return false;
  }
  // A move through two reflex vertices could leave without crossing an edge's interior.
  return contains({0.5 * (p.x + q.x), 0.5 * (p.y + q.y)});
}

WallDistance Arena::nearest_wall(Point p) const {
  WallDistance best;
  if (is_circle_) {
    const double r = std::sqrt(p.x * p.x + p.y * p.y);
    best.distance = std::abs(radius_ - r);
    double angle = std::atan2(p.y, p.x);
    if (angle < 0) angle += 2.0 * kPi;
    best.closest = r > 0 ? Point{p.x * radius_ / r, p.y * radius_ / r} : Point{radius_, 0.0};
    best.wall = std::min(kCircleWallCount - 1,
                         static_cast<std::size_t>(angle / (2.0 * kPi) * kCircleWallCount));
    return best;
  }
  double best_squared = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < walls_.size(); ++i) {
    Point c;
    const double d2 = squared_distance_to_segment(p, walls_[i], &c);
    if (d2 < best_squared) {
      best_squared = d2;
      best.wall = i;
      best.closest = c;
    }
  }
  best.distance = std::sqrt(best_squared);
  return best;
}

Point Arena::sample_uniform(Rng& rng) const {
  for (;;) {
    const Point p{rng.uniform(box_.x_min, box_.x_max), rng.uniform(box_.y_min, box_.y_max)};
    if (contains(p)) return p;
  }
}

std::vector<Point> Arena::outline() const {
  std::vector<Point> closed = vertices_;
  closed.push_back(vertices_.front());
  return closed;
}

const std::vector<std::string>& Arena::shape_names() {
  static const std::vector<std::string> names{"square", "rectangle", "hexagon",
                                              "triangle", "circle", "polygon"};
  return names;
}

Arena Arena::named(const std::string& shape) {
  if (shape == "square") return square(2.0);
  if (shape == "rectangle") return rectangle(2.0 * std::numbers::sqrt2, std::numbers::sqrt2);
  if (shape == "hexagon") return hexagon(kDefaultArea);
  if (shape == "triangle") return triangle(kDefaultArea);
  if (shape == "circle") return circle_with_area(kDefaultArea);
  if (shape == "polygon") {
    throw_user_error("arena 'polygon' needs its vertices: give them in a config, [arena] shape = "
                     "\"polygon\", vertices = [[x, y], ...]");
  }
  throw_user_error("unknown arena '{}'; allowed: square, rectangle, hexagon, triangle, circle, "
                   "polygon",
                   shape);
}

Arena Arena::from_config(const io::ConfigReader& section) {
  constexpr double kMaxSize = 1e6;
  const std::string shape =
      section.choice("shape", "square", shape_names(), "arena shape, centred at the origin");
  const auto area_or = [&](const char* length_key, const char* length_doc, double per_area) {
    // Either the area or a length (side / radius) sets the size; both at once is ambiguous.
    if (section.has("area") && section.has(length_key)) {
      throw_user_error("config '{}': give either arena.area or arena.{} for shape \"{}\", not both",
                       section.source(), length_key, shape);
    }
    const double length = section.number(length_key, std::sqrt(kDefaultArea / per_area), 0.0,
                                         kMaxSize, length_doc, true);
    const double area = section.number("area", kDefaultArea, 0.0, kMaxSize * kMaxSize,
                                       "arena area (hexagon, triangle, circle; alternative to "
                                       "side or radius); default: the paper square's, 4",
                                       true);
    return section.has(length_key) ? length * length * per_area : area;
  };
  if (shape == "square") {
    return square(section.number("side", 2.0, 0.0, kMaxSize, "square side length", true));
  }
  if (shape == "rectangle") {
    const double width = section.number("width", 2.0 * std::numbers::sqrt2, 0.0, kMaxSize,
                                        "rectangle width (x extent)", true);
    const double height = section.number("height", std::numbers::sqrt2, 0.0, kMaxSize,
                                         "rectangle height (y extent)", true);
    return rectangle(width, height);
  }
  if (shape == "hexagon") {
    return hexagon(area_or("side", "hexagon side length (alternative to area)",
                           1.5 * std::sqrt(3.0)));
  }
  if (shape == "triangle") {
    return triangle(area_or("side", "triangle side length (alternative to area)",
                            std::sqrt(3.0) / 4.0));
  }
  if (shape == "circle") {
    return circle_with_area(area_or("radius", "circle radius (alternative to area)", kPi));
  }
  if (!section.has("vertices")) {
    throw_user_error("config '{}': arena shape \"polygon\" needs arena.vertices = [[x, y], ...] "
                     "(at least 3, in order around the arena)",
                     section.source());
  }
  const auto pairs = section.points("vertices", "polygon vertices [[x, y], ...] in order around "
                                                "the arena (either orientation)");
  std::vector<Point> vertices;
  for (const auto& xy : pairs) vertices.push_back({xy[0], xy[1]});
  return polygon(std::move(vertices), fmt::format("config '{}': arena.vertices", section.source()));
}

}  // namespace gridrnn::arena
