#include "gridrnn/trajectory/recorded.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numbers>
#include <sstream>

#include <fmt/format.h>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"

namespace gridrnn::trajectory {

namespace {

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// One CSV line into trimmed fields. A field may be quoted ("t","x","y" as R's write.csv writes
// it): the quotes go, "" inside stands for one ", and a comma inside quotes is part of the field.
std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;    // inside a quoted part
  bool was_quoted = false;  // this field had a quoted part (its spaces are kept)
  const auto finish = [&] {
    fields.push_back(was_quoted ? field : trim(field));
    field.clear();
    was_quoted = false;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && trim(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == ',') {
      finish();
    } else if (!(was_quoted && std::isspace(static_cast<unsigned char>(c)))) {
      field += c;
    }
  }
  finish();
  return fields;
}

// The median of a copy of the values (the upper one of an even count); 0 for none.
double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// Steps whose time step is off the median by more than half of it: uneven sampling (dropped
// frames, pauses in the recording) that makes each row's "one network step" a different time.
void warn_irregular_times(const RecordedPath& out, const std::vector<std::size_t>& lines,
                          const std::string& source, std::vector<std::string>& warnings) {
  if (!out.has_times || out.times.size() < 3) return;
  std::vector<double> dt(out.times.size() - 1);
  for (std::size_t t = 0; t + 1 < out.times.size(); ++t) dt[t] = out.times[t + 1] - out.times[t];
  const double typical = median(dt);
  std::size_t count = 0, worst = 0;
  double worst_ratio = 1.0;
  for (std::size_t t = 0; t < dt.size(); ++t) {
    const double ratio = std::max(dt[t] / typical, typical / dt[t]);
    if (ratio <= 1.5) continue;
    ++count;
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = t;
    }
  }
  if (count == 0) return;
  warnings.push_back(fmt::format(
      "recorded path '{}': {} of {} time steps are irregular (more than 1.5 times longer or "
      "shorter than the median step dt = {:.4g}); worst: lines {} -> {}, t = {} -> {} (dt = "
      "{:.4g}). Each row is one network step, so speeds there are off; resample the path to a "
      "regular clock first",
      source, count, dt.size(), typical, lines[worst], lines[worst + 1], out.times[worst],
      out.times[worst + 1], dt[worst]));
}

// One-step jumps: steps more than 10 times the median moving step and longer than 2% of the
// arena's larger side (tracking glitches, a swapped LED, a recording stitched together).
void warn_jumps(const RecordedPath& out, const std::vector<std::size_t>& lines,
                const std::string& source, const arena::Arena& arena,
                std::vector<std::string>& warnings) {
  std::vector<double> moving;
  for (const double s : out.path.speeds) {
    if (s > 0.0) moving.push_back(s);
  }
  if (moving.size() < 2) return;
  const double typical = median(moving);
  const arena::BoundingBox box = arena.bounding_box();
  const double floor = 0.02 * std::max(box.x_max - box.x_min, box.y_max - box.y_min);
  std::size_t count = 0, worst = 0;
  for (std::size_t t = 0; t < out.path.speeds.size(); ++t) {
    const double s = out.path.speeds[t];
    if (s <= 10.0 * typical || s <= floor) continue;
    if (count == 0 || s > out.path.speeds[worst]) worst = t;
    ++count;
  }
  if (count == 0) return;
  const Point a = out.path.positions[worst], b = out.path.positions[worst + 1];
  warnings.push_back(fmt::format(
      "recorded path '{}': {} of {} steps jump more than 10 times the median step length {:.4g}; "
      "worst: lines {} -> {}, ({:.6g}, {:.6g}) -> ({:.6g}, {:.6g}) in arena coordinates, length "
      "{:.4g}. Tracking glitches? Fix or drop those rows",
      source, count, out.path.speeds.size(), typical, lines[worst], lines[worst + 1], a.x, a.y,
      b.x, b.y, out.path.speeds[worst]));
}

}  // namespace

RecordedPath parse_recorded_path(const std::string& text, const std::string& source,
                                 const arena::Arena& arena, const RecordedOptions& options) {
  // A UTF-8 byte-order mark (Excel's "CSV UTF-8") is not part of the header.
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  std::istringstream in(text.starts_with(kBom) ? text.substr(kBom.size()) : text);
  std::string line;
  std::size_t line_number = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    header = split_fields(line);
    for (auto& name : header) {
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
  }
  const bool with_time = header == std::vector<std::string>{"t", "x", "y"};
  if (!with_time && header != std::vector<std::string>{"x", "y"}) {
    const bool row_names = header.size() >= 3 && header.front().empty();
    throw_user_error("recorded path '{}', line {}: the header must be 't,x,y' or 'x,y' (fields may "
                     "be quoted), got '{}'{}",
                     source, line_number, line,
                     row_names ? "; its first column has no name, like the row names of R's "
                                 "write.csv: write it with row.names = FALSE"
                               : "");
  }
  const std::size_t columns = header.size();
  RecordedPath out;
  out.has_times = with_time;
  std::vector<Point>& positions = out.path.positions;
  std::vector<std::size_t> lines;  // the line of each sample
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    const auto fields = split_fields(line);
    if (fields.size() != columns) {
      throw_user_error("recorded path '{}', line {}: expected {} columns ({}), got {}: '{}'",
                       source, line_number, columns, with_time ? "t,x,y" : "x,y", fields.size(),
                       line);
    }
    double values[3] = {0.0, 0.0, 0.0};
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string& f = fields[c];
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), values[c]);
      if (f.empty() || ec != std::errc() || end != f.data() + f.size()) {
        throw_user_error("recorded path '{}', line {}: column '{}' = '{}' is not a number",
                         source, line_number, header[c], f);
      }
      if (!std::isfinite(values[c])) {
        throw_user_error("recorded path '{}', line {}: column '{}' = '{}' is not finite (NaN and "
                         "Inf are refused)",
                         source, line_number, header[c], f);
      }
    }
    const double t = with_time ? values[0] : static_cast<double>(positions.size());
    const Point p{values[columns - 2] - options.origin.x, values[columns - 1] - options.origin.y};
    if (with_time && !out.times.empty() && !(t > out.times.back())) {
      throw_user_error("recorded path '{}', line {}: time t = {} does not increase (previous row "
                       "has t = {}); times must be strictly increasing",
                       source, line_number, t, out.times.back());
    }
    out.times.push_back(t);
    positions.push_back(p);
    lines.push_back(line_number);
  }
  // Inside the arena (centred at the origin), after subtracting the origin. The message gives the
  // span of all points, so coordinates from a corner-origin tracker (0-100 cm) are recognisable.
  for (std::size_t k = 0; k < positions.size(); ++k) {
    if (arena.contains(positions[k])) continue;
    const Point p = positions[k];
    double x_min = p.x, x_max = p.x, y_min = p.y, y_max = p.y;
    for (const Point& q : positions) {
      x_min = std::min(x_min, q.x);
      x_max = std::max(x_max, q.x);
      y_min = std::min(y_min, q.y);
      y_max = std::max(y_max, q.y);
    }
    const arena::BoundingBox box = arena.bounding_box();
    const std::string shifted =
        options.origin.x != 0.0 || options.origin.y != 0.0
            ? fmt::format(", at ({:.6g}, {:.6g}) after subtracting the origin {},{},", p.x, p.y,
                          options.origin.x, options.origin.y)
            : std::string();
    throw_user_error(
        "recorded path '{}', line {}: point ({}, {}){} lies outside the {} arena (bounding box x "
        "in [{}, {}], y in [{}, {}]); the points span x in [{}, {}], y in [{}, {}]. Arenas are "
        "centred at the origin: if the file's coordinates are not (e.g. 0-100 cm from a corner), "
        "give the arena's centre in them with --origin X,Y (the middle of the points is {:.6g},{:.6g}), "
        "and the arena's size in the file's units in a --config ([arena] side, radius, ...)",
        source, lines[k], p.x + options.origin.x, p.y + options.origin.y, shifted, arena.name(),
        box.x_min, box.x_max, box.y_min, box.y_max, x_min + options.origin.x,
        x_max + options.origin.x, y_min + options.origin.y, y_max + options.origin.y,
        options.origin.x + 0.5 * (x_min + x_max), options.origin.y + 0.5 * (y_min + y_max));
  }
  if (positions.size() < 2) {
    throw_user_error("recorded path '{}': needs at least 2 samples (rows after the header), got {}",
                     source, positions.size());
  }
  // Finite differences: step t moves positions[t] -> positions[t+1].
  const std::size_t steps = positions.size() - 1;
  out.path.speeds.resize(steps);
  out.path.headings.resize(steps);
  double heading = 0.0;
  bool have_heading = false;
  std::size_t first_moving = steps;
  for (std::size_t t = 0; t < steps; ++t) {
    const double dx = positions[t + 1].x - positions[t].x, dy = positions[t + 1].y - positions[t].y;
    out.path.speeds[t] = std::hypot(dx, dy);
    if (out.path.speeds[t] > 0.0) {
      const double angle = std::atan2(dy, dx);
      // Unwrapped like the simulators' headings: the turn is taken in (-pi, pi].
      heading = have_heading ? heading + std::remainder(angle - heading, 2.0 * std::numbers::pi)
                             : angle;
      if (!have_heading) first_moving = t;
      have_heading = true;
    }
    out.path.headings[t] = heading;
  }
  for (std::size_t t = 0; t < first_moving && t < steps; ++t) {
    out.path.headings[t] = have_heading ? out.path.headings[first_moving] : 0.0;
  }
  warn_irregular_times(out, lines, source, out.warnings);
  warn_jumps(out, lines, source, arena, out.warnings);
  return out;
}

RecordedPath read_recorded_path(const std::filesystem::path& csv, const arena::Arena& arena,
                                const RecordedOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(csv, ec)) {
    throw_user_error("recorded path '{}' does not exist or is not a file (expected a CSV with a "
                     "header 't,x,y' or 'x,y')",
                     csv.string());
  }
  return parse_recorded_path(io::read_file(csv), csv.string(), arena, options);
}

}  // namespace gridrnn::trajectory
