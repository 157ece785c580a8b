#include "gridrnn/train/checkpoint.hpp"

#include <cstring>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"

namespace gridrnn::train {

namespace {

constexpr char kMagic[8] = {'G', 'R', 'N', 'N', 'C', 'K', 'P', 'T'};

class Writer {
 public:
  template <typename T>
  void put(const T& value) {
    const auto* bytes = reinterpret_cast<const char*>(&value);
    data_.append(bytes, sizeof(T));
  }
  void put_string(const std::string& text) {
    put(static_cast<std::uint32_t>(text.size()));
    data_ += text;
  }
  void put_vector(const Eigen::VectorXd& values) {
    put(static_cast<std::uint64_t>(values.size()));
    data_.append(reinterpret_cast<const char*>(values.data()),
                 static_cast<std::size_t>(values.size()) * sizeof(double));
  }
  std::string& data() { return data_; }

 private:
  std::string data_;
};

class Reader {
 public:
  Reader(const std::string& data, std::size_t begin, std::size_t end,
         const std::filesystem::path& path)
      : data_(data), at_(begin), end_(end), path_(path) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, data_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  std::string get_string() {
    const auto size = get<std::uint32_t>();
    need(size);
    std::string text = data_.substr(at_, size);
    at_ += size;
    return text;
  }
  Eigen::VectorXd get_vector() {
    const auto size = get<std::uint64_t>();
    if (size > (end_ - at_) / sizeof(double)) corrupt("a vector runs past the end");
    Eigen::VectorXd values(static_cast<Eigen::Index>(size));
    if (size > 0) std::memcpy(values.data(), data_.data() + at_, size * sizeof(double));  // data() may be null
    at_ += size * sizeof(double);
    return values;
  }
  bool done() const { return at_ == end_; }
  [[noreturn]] void corrupt(const std::string& why) const {
    throw_user_error("checkpoint '{}' is corrupted ({}); restart the run or restore the file",
                     path_.string(), why);
  }

 private:
  void need(std::size_t size) {
    if (end_ - at_ < size) corrupt("a field runs past the end");
  }
  const std::string& data_;
  std::size_t at_;
  std::size_t end_;
  const std::filesystem::path& path_;
};

}  // namespace

std::uint64_t fnv1a64(const void* data, std::size_t size) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint) {
  Writer payload;
  payload.put(checkpoint.updates_done);
  payload.put_string(checkpoint.optimizer);
  payload.put_vector(checkpoint.theta);
  payload.put(static_cast<std::uint32_t>(checkpoint.scalars.size()));
  for (const auto& [name, value] : checkpoint.scalars) {
    payload.put_string(name);
    payload.put(value);
  }
  payload.put(static_cast<std::uint32_t>(checkpoint.vectors.size()));
  for (const auto& [name, values] : checkpoint.vectors) {
    payload.put_string(name);
    payload.put_vector(values);
  }
  Writer file;
  file.data().append(kMagic, sizeof kMagic);
  file.put(kCheckpointFormatVersion);
  file.put(static_cast<std::uint64_t>(payload.data().size()));
  file.data() += payload.data();
  file.put(fnv1a64(payload.data().data(), payload.data().size()));
  io::write_file_atomic(path, file.data());
}

Checkpoint read_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw_user_error("checkpoint '{}' does not exist; is this a gridrnn run folder?",
                     path.string());
  }
  const std::string data = io::read_file(path);
  Reader header(data, 0, data.size(), path);
  if (data.size() < 20 || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) {
    header.corrupt("not a gridrnn checkpoint: wrong magic bytes");
  }
  Reader fields(data, sizeof kMagic, data.size(), path);
  const auto version = fields.get<std::uint32_t>();
  if (version != kCheckpointFormatVersion) {
    throw_user_error("checkpoint '{}' has format version {}; this gridrnn reads version {}",
                     path.string(), version, kCheckpointFormatVersion);
  }
  const auto length = fields.get<std::uint64_t>();
  const std::size_t begin = sizeof kMagic + 4 + 8;
  if (data.size() != begin + length + 8) {
    header.corrupt(fmt::format("truncated or padded: {} bytes, expected {}", data.size(),
                               begin + length + 8));
  }
  std::uint64_t stored = 0;
  std::memcpy(&stored, data.data() + begin + length, 8);
  if (stored != fnv1a64(data.data() + begin, length)) header.corrupt("checksum mismatch");

  Reader payload(data, begin, begin + length, path);
  Checkpoint checkpoint;
  checkpoint.updates_done = payload.get<std::int64_t>();
  checkpoint.optimizer = payload.get_string();
  checkpoint.theta = payload.get_vector();
  const auto scalar_count = payload.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < scalar_count; ++i) {
    std::string name = payload.get_string();
    checkpoint.scalars[name] = payload.get<double>();
  }
  const auto vector_count = payload.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < vector_count; ++i) {
    std::string name = payload.get_string();
    checkpoint.vectors[name] = payload.get_vector();
  }
  if (!payload.done()) payload.corrupt("trailing bytes in the payload");
  return checkpoint;
}

}  // namespace gridrnn::train
