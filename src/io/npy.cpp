#include "gridrnn/io/npy.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <string_view>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"

static_assert(std::endian::native == std::endian::little, "NPY writer assumes little-endian");

namespace gridrnn::io {

namespace {

std::size_t product(const std::vector<std::size_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

std::string header(const char* descr, const std::vector<std::size_t>& shape) {
  std::string shape_text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    shape_text += std::to_string(shape[i]);
    shape_text += (shape.size() == 1 || i + 1 < shape.size()) ? "," : "";
    if (i + 1 < shape.size()) shape_text += " ";
  }
  shape_text += ")";
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr,
                                 shape_text);
  // Magic (6) + version (2) + header length (2) + dict + padding + '\n' is a multiple of 64.
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  const auto length = static_cast<std::uint16_t>(dict.size());
  out += static_cast<char>(length & 0xff);
  out += static_cast<char>(length >> 8);
  return out + dict;
}

template <typename T>
void write_any(const std::filesystem::path& path, std::span<const T> data,
               const std::vector<std::size_t>& shape, const char* descr) {
  GRIDRNN_ASSERT(product(shape) == data.size(), fmt::format("shape {} holds {} values, data has {}",
                                                            shape_string(shape), product(shape),
                                                            data.size()));
  std::string bytes = header(descr, shape);
  const std::size_t offset = bytes.size();
  bytes.resize(offset + data.size_bytes());
  if (!data.empty()) std::memcpy(bytes.data() + offset, data.data(), data.size_bytes());
  write_file_atomic(path, bytes);
}

std::string dict_value(const std::string& dict, const std::string& key) {
  const auto at = dict.find("'" + key + "'");
  if (at == std::string::npos) return {};
  auto start = dict.find(':', at);
  if (start == std::string::npos) return {};
  ++start;
  while (start < dict.size() && dict[start] == ' ') ++start;
  if (start < dict.size() && dict[start] == '(') {
    const auto end = dict.find(')', start);
    return end == std::string::npos ? std::string{} : dict.substr(start, end - start + 1);
  }
  auto end = dict.find_first_of(",}", start);
  return dict.substr(start, end - start);
}

}  // namespace

std::size_t NpyArray::size() const { return product(shape); }

std::string shape_string(const std::vector<std::size_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return out + ")";
}

void write_npy(const std::filesystem::path& path, std::span<const float> data,
               const std::vector<std::size_t>& shape) {
  write_any(path, data, shape, "<f4");
}
void write_npy(const std::filesystem::path& path, std::span<const double> data,
               const std::vector<std::size_t>& shape) {
  write_any(path, data, shape, "<f8");
}
void write_npy(const std::filesystem::path& path, std::span<const std::int32_t> data,
               const std::vector<std::size_t>& shape) {
  write_any(path, data, shape, "<i4");
}
void write_npy(const std::filesystem::path& path, std::span<const std::int64_t> data,
               const std::vector<std::size_t>& shape) {
  write_any(path, data, shape, "<i8");
}

NpyArray read_npy(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw_user_error("cannot read '{}': no such file (expected a NumPy .npy array)", path.string());
  }
  const std::string bytes = read_file(path);
  const auto fail = [&](const std::string& why) -> void {
    throw_user_error("'{}' is not a valid .npy file: {}", path.string(), why);
  };
  if (bytes.compare(0, 4, std::string_view("PK\x03\x04", 4)) == 0 ||
      bytes.compare(0, 4, std::string_view("PK\x05\x06", 4)) == 0) {
    throw_user_error("'{}' is an .npz file (a zip archive of .npy arrays, as numpy.savez writes), "
                     "not one .npy array: extract the array first, e.g. with numpy: "
                     "numpy.save('map.npy', numpy.load('{}')['NAME']) (numpy.load(...).files lists "
                     "the names)",
                     path.string(), path.string());
  }
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) fail("missing the NPY magic");
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_length = 0;
  std::size_t header_start = 0;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) |
                    (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail("truncated header");
    header_length = 0;
    for (int i = 0; i < 4; ++i) {
      header_length |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    }
    header_start = 12;
  } else {
    fail(fmt::format("unsupported NPY version {}", major));
  }
  if (bytes.size() < header_start + header_length) fail("truncated header");
  const std::string dict = bytes.substr(header_start, header_length);
  const std::string descr = dict_value(dict, "descr");
  const std::string fortran = dict_value(dict, "fortran_order");
  const std::string shape_text = dict_value(dict, "shape");
  if (descr.empty() || fortran.empty() || shape_text.empty()) fail("header lacks descr/shape");

  NpyArray array;
  std::size_t item = 0;
  const std::string type = descr.substr(1, descr.size() - 2);
  if (type == "<f4") { array.dtype = DType::kFloat32; item = 4; }
  else if (type == "<f8") { array.dtype = DType::kFloat64; item = 8; }
  else if (type == "<i4") { array.dtype = DType::kInt32; item = 4; }
  else if (type == "<i8") { array.dtype = DType::kInt64; item = 8; }
  else if (type == "|u1" || type == "|b1") { array.dtype = DType::kUInt8; item = 1; }
  else fail(fmt::format("data type {} is not supported (use float32, float64, int32 or int64)", type));

  std::string digits;
  for (char c : shape_text) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (!digits.empty()) {
      array.shape.push_back(std::stoull(digits));
      digits.clear();
    }
  }
  const std::size_t count = array.size();
  const std::size_t data_start = header_start + header_length;
  if (bytes.size() - data_start < count * item) {
    fail(fmt::format("truncated: shape {} needs {} bytes of data, the file has {}",
                     shape_string(array.shape), count * item, bytes.size() - data_start));
  }
  if (bytes.size() - data_start > count * item) {
    fail(fmt::format("{} bytes after the data: shape {} needs {} bytes of data, the file has {} "
                     "after its header (a file with other data appended, or a header that does not "
                     "match it)",
                     bytes.size() - data_start - count * item, shape_string(array.shape),
                     count * item, bytes.size() - data_start));
  }
  array.values.resize(count);
  const char* raw = bytes.data() + data_start;
  for (std::size_t i = 0; i < count; ++i) {
    switch (array.dtype) {
      case DType::kFloat32: { float v; std::memcpy(&v, raw + 4 * i, 4); array.values[i] = v; break; }
      case DType::kFloat64: { double v; std::memcpy(&v, raw + 8 * i, 8); array.values[i] = v; break; }
      case DType::kInt32: { std::int32_t v; std::memcpy(&v, raw + 4 * i, 4); array.values[i] = v; break; }
      case DType::kInt64: { std::int64_t v; std::memcpy(&v, raw + 8 * i, 8); array.values[i] = static_cast<double>(v); break; }
      case DType::kUInt8: array.values[i] = static_cast<unsigned char>(raw[i]); break;
    }
  }
  if (fortran.find("True") != std::string::npos && array.shape.size() > 1) {
    // Convert column-major to row-major.
    std::vector<double> c_order(count);
    const std::size_t dims = array.shape.size();
    std::vector<std::size_t> index(dims, 0);
    for (std::size_t f = 0; f < count; ++f) {
      std::size_t c = 0;
      for (std::size_t d = 0; d < dims; ++d) c = c * array.shape[d] + index[d];
      c_order[c] = array.values[f];
      for (std::size_t d = 0; d < dims; ++d) {
        if (++index[d] < array.shape[d]) break;
        index[d] = 0;
      }
    }
    array.values = std::move(c_order);
  }
  return array;
}

NpyArray read_npy_finite(const std::filesystem::path& path) {
  NpyArray array = read_npy(path);
  for (std::size_t i = 0; i < array.values.size(); ++i) {
    if (!std::isfinite(array.values[i])) {
      throw_user_error("'{}' contains {} at flat index {} (shape {}); only finite values are "
                       "accepted here",
                       path.string(), std::isnan(array.values[i]) ? "NaN" : "Inf", i,
                       shape_string(array.shape));
    }
  }
  return array;
}

}  // namespace gridrnn::io
