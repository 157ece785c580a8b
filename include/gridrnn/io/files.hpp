#pragma once
// File-system helpers: atomic writes (temporary file in the same folder, then rename), so readers
// never see half a file; output folders that are created only when a command succeeds.
#include <filesystem>
#include <string>
#include <string_view>

namespace gridrnn::io {

// Writes bytes to path atomically. UserError if the folder cannot be written.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);
std::string read_file(const std::filesystem::path& path);

// A staging folder for a command's output: everything is written into DIR.partial-XXXX next to
// the target and moved into place by commit(); if the command fails (the object is destroyed
// without commit), the staging folder is removed, so nothing half-written is left on disk.
// The target must be absent or an empty folder unless allow_existing (then files are merged in).
// force_option names the command's option that allows a non-empty target (e.g. "--force"), for
// the message when the target is not empty; empty when the command has none.
class OutputDir {
 public:
  OutputDir(std::filesystem::path target, bool allow_existing, std::string_view force_option = {});
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  const std::filesystem::path& staging() const { return staging_; }
  std::filesystem::path operator/(const std::string& name) const { return staging_ / name; }
  const std::filesystem::path& target() const { return target_; }
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

}  // namespace gridrnn::io
