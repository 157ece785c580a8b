#pragma once
// Two kinds of failure (as in arbor): a UserError is something the user can fix (a config key,
// a value out of range, a missing or corrupted file) and carries the offending key/value and what
// would be accepted; the CLI prints it and exits with status 2. An InternalError is a bug in
// gridrnn (a broken invariant); the CLI prints it with a request to report it and exits with 3.
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace gridrnn {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

// Throws UserError with a formatted message: user_error("key 'steps' = {}: must be >= 1", v).
template <typename... Args>
[[noreturn]] void throw_user_error(fmt::format_string<Args...> format, Args&&... args) {
  throw UserError(fmt::format(format, std::forward<Args>(args)...));
}

// The name among names closest to word by edit distance (insertions, deletions, substitutions and
// swaps of neighbours, case ignored), for a "did you mean" hint; "" when none is close (more
// than a third of the word's letters, at least 1 and at most 3, would have to change).
std::string closest_name(const std::string& word, const std::vector<std::string>& names);

[[noreturn]] void throw_internal_error(const char* condition, const char* file, int line,
                                       const std::string& detail = {});

}  // namespace gridrnn

// An invariant that only a bug can break; kept in release builds (it is cheap where it is used).
#define GRIDRNN_ASSERT(condition, ...)                                                   \
  do {                                                                                    \
    if (!(condition)) ::gridrnn::throw_internal_error(#condition, __FILE__, __LINE__     \
                                                      __VA_OPT__(, ) __VA_ARGS__);        \
  } while (0)
