#pragma once
// NPY files (numpy's format, version 1.0, little-endian, C order) so numpy users load our arrays
// with np.load. Writing is atomic (temporary file, then rename): a crash never leaves half a file.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace gridrnn::io {

enum class DType { kFloat32, kFloat64, kInt32, kInt64, kUInt8 };

struct NpyArray {
  DType dtype = DType::kFloat64;
  std::vector<std::size_t> shape;   // C order
  std::vector<double> values;       // converted to double on read, whatever the file's dtype
  std::size_t size() const;
};

void write_npy(const std::filesystem::path& path, std::span<const float> data,
               const std::vector<std::size_t>& shape);
void write_npy(const std::filesystem::path& path, std::span<const double> data,
               const std::vector<std::size_t>& shape);
void write_npy(const std::filesystem::path& path, std::span<const std::int32_t> data,
               const std::vector<std::size_t>& shape);
void write_npy(const std::filesystem::path& path, std::span<const std::int64_t> data,
               const std::vector<std::size_t>& shape);

// Reads float32/float64/int32/int64/uint8/bool arrays, little-endian, C or Fortran order (converted
// to C order). A missing, truncated or malformed file is a UserError naming the file and the
// problem.
NpyArray read_npy(const std::filesystem::path& path);

// Reads and checks there is no NaN or Inf, naming the file and the first offending flat index.
NpyArray read_npy_finite(const std::filesystem::path& path);

std::string shape_string(const std::vector<std::size_t>& shape);

}  // namespace gridrnn::io
