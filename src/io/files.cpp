#include "gridrnn/io/files.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "gridrnn/core/error.hpp"

namespace gridrnn::io {

namespace fs = std::filesystem;

namespace {
std::string unique_suffix() {
  static thread_local std::mt19937_64 engine{std::random_device{}() ^
                                             static_cast<std::uint64_t>(::getpid())};
  return fmt::format("{:08x}", static_cast<std::uint32_t>(engine()));
}
}  // namespace

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(folder, ec);
  const fs::path temporary = folder / fmt::format(".{}.tmp-{}", path.filename().string(),
                                                  unique_suffix());
  {
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    if (file == nullptr) {
      throw_user_error("cannot write '{}': the folder '{}' is not writable or does not exist",
                       path.string(), folder.string());
    }
    const std::size_t written = std::fwrite(bytes.data(), 1, bytes.size(), file);
    const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
    std::fclose(file);
    if (written != bytes.size() || !flushed) {
      fs::remove(temporary, ec);
      throw_user_error("cannot write '{}': the disk is full or the file system refused it",
                       path.string());
    }
  }
  fs::rename(temporary, path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw_user_error("cannot write '{}': {}", path.string(), ec.message());
  }
}

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw_user_error("cannot read '{}': it is a folder, not a file", path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_user_error("cannot read '{}': no such file or not readable", path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

OutputDir::OutputDir(fs::path target, bool allow_existing, std::string_view force_option)
    : target_(std::move(target)) {
  std::error_code ec;
  if (fs::exists(target_, ec)) {
    if (!fs::is_directory(target_, ec)) {
      throw_user_error("output '{}' exists and is not a folder; choose another --out",
                       target_.string());
    }
    if (!allow_existing && !fs::is_empty(target_, ec)) {
      throw_user_error("output folder '{}' is not empty; choose a new folder{}", target_.string(),
                       force_option.empty() ? std::string(" or empty this one")
                                            : fmt::format(" or pass {} to write into it", force_option));
    }
  }
  const fs::path parent = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) throw_user_error("cannot create the folder '{}': {}", parent.string(), ec.message());
  staging_ = parent / fmt::format(".{}.partial-{}", target_.filename().string(), unique_suffix());
  fs::create_directory(staging_, ec);
  if (ec) throw_user_error("cannot create the folder '{}': {}", staging_.string(), ec.message());
}

OutputDir::~OutputDir() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

void OutputDir::commit() {
  std::error_code ec;
  if (!fs::exists(target_, ec) || fs::is_empty(target_, ec)) {
    fs::remove(target_, ec);
    fs::rename(staging_, target_, ec);
    if (ec) throw_user_error("cannot move results into '{}': {}", target_.string(), ec.message());
  } else {
    for (const auto& entry : fs::directory_iterator(staging_)) {
      const fs::path destination = target_ / entry.path().filename();
      if (fs::is_directory(destination, ec) && entry.is_directory()) fs::remove_all(destination, ec);
      fs::rename(entry.path(), destination, ec);
      if (ec) {
        throw_user_error("cannot move '{}' into '{}': {}", entry.path().filename().string(),
                         target_.string(), ec.message());
      }
    }
    fs::remove_all(staging_, ec);
  }
  committed_ = true;
}

}  // namespace gridrnn::io
