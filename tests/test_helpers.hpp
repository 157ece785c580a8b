#pragma once
// Shared test utilities: running the `gridrnn` binary, temporary folders, statistics.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace gridrnn::testing {

struct CommandResult {
  int status = -1;      // exit status of the command
  std::string output;   // stdout and stderr together
};

// Runs a shell command line; captures what it prints (add 2>&1 for stderr) and its exit status.
inline CommandResult run_shell(const std::string& command) {
  CommandResult result;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int raw = ::pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

// Runs `gridrnn <arguments>` (arguments are passed to the shell as written).
inline CommandResult run_gridrnn(const std::string& arguments) {
  return run_shell(std::string(GRIDRNN_BINARY) + " " + arguments + " 2>&1");
}

// The same, killed after `seconds` (coreutils timeout -s KILL: status 137 then), for a test that
// must fail rather than hang when a command runs on that should have stopped.
inline CommandResult run_gridrnn_within(int seconds, const std::string& arguments) {
  std::string command = "timeout -s KILL ";
  command.append(std::to_string(seconds)).append(" ").append(GRIDRNN_BINARY).append(" ");
  command.append(arguments).append(" 2>&1");
  return run_shell(command);
}

// A fresh empty folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/gridrnn-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Number of entries (recursively) below the folder; 0 proves nothing was written.
  std::size_t entry_count() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::recursive_directory_iterator(path_)) ++n;
    return n;
  }

 private:
  std::filesystem::path path_;
};

// One-sample Kolmogorov–Smirnov statistic D of samples against a CDF.
template <typename Cdf>
double ks_statistic(std::vector<double> samples, Cdf cdf) {
  std::sort(samples.begin(), samples.end());
  const double n = static_cast<double>(samples.size());
  double d = 0.0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double f = cdf(samples[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

// Asymptotic Kolmogorov–Smirnov p-value for statistic d with n samples.
inline double ks_p_value(double d, std::size_t n) {
  const double sqrt_n = std::sqrt(static_cast<double>(n));
  const double lambda = (sqrt_n + 0.12 + 0.11 / sqrt_n) * d;
  double sum = 0.0;
  for (int k = 1; k <= 100; ++k) {
    sum += 2.0 * ((k % 2) ? 1.0 : -1.0) * std::exp(-2.0 * k * k * lambda * lambda);
  }
  return std::clamp(sum, 0.0, 1.0);
}

inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace gridrnn::testing
