#pragma once
// Reading figures back for the plot tests: PNG pixels through Cairo, file magic bytes.
#include <cairo.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "gridrnn/plot/canvas.hpp"

namespace gridrnn::testing {

// A PNG read back into memory (ARGB32 or RGB24, opaque pages).
class PngImage {
 public:
  explicit PngImage(const std::filesystem::path& path)
      : surface_(cairo_image_surface_create_from_png(path.c_str())) {}
  ~PngImage() { cairo_surface_destroy(surface_); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;

  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }

  // The 8-bit (r, g, b) of the pixel under page point (x, y) on a page drawn at `scale` px/pt.
  std::array<int, 3> at_point(double x, double y, double scale) const {
    return at_pixel(static_cast<int>(std::floor(x * scale)),
                    static_cast<int>(std::floor(y * scale)));
  }
  std::array<int, 3> at_pixel(int px, int py) const {
    cairo_surface_flush(surface_);
    const unsigned char* data = cairo_image_surface_get_data(surface_);
    const int stride = cairo_image_surface_get_stride(surface_);
    const auto value = *reinterpret_cast<const std::uint32_t*>(data + py * stride + 4 * px);
    return {static_cast<int>((value >> 16) & 0xFF), static_cast<int>((value >> 8) & 0xFF),
            static_cast<int>(value & 0xFF)};
  }

 private:
  cairo_surface_t* surface_;
};

inline std::array<int, 3> to_8bit(plot::Rgb c) {
  return {static_cast<int>(std::lround(c.r * 255)), static_cast<int>(std::lround(c.g * 255)),
          static_cast<int>(std::lround(c.b * 255))};
}

// Largest per-channel difference of two 8-bit colours.
inline int color_distance(std::array<int, 3> a, std::array<int, 3> b) {
  int d = 0;
  for (int k = 0; k < 3; ++k) d = std::max(d, std::abs(a[k] - b[k]));
  return d;
}

inline std::string file_head(const std::filesystem::path& path, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string head(bytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(bytes));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head;
}

}  // namespace gridrnn::testing
