#include "gridrnn/core/error.hpp"

namespace gridrnn {

void throw_internal_error(const char* condition, const char* file, int line,
                          const std::string& detail) {
  throw InternalError(fmt::format("internal error (a bug in gridrnn; please report it): "
                                  "'{}' failed at {}:{}{}{}",
                                  condition, file, line, detail.empty() ? "" : ": ", detail));
}

}  // namespace gridrnn
