// The `gridrnn` command: argv -> options -> validate -> run. Exit status 0 on success, 2 for a
// user mistake (UserError, bad arguments, an unknown command) or running out of memory, 3 for a bug
// (InternalError or anything unexpected).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"

namespace gridrnn::app {

std::vector<Command>& commands() {
  static std::vector<Command> registry;
  return registry;
}

void add_threads_option(CLI::App& sub, int& threads) {
  const CLI::Validator count(
      [](std::string& text) -> std::string {
        int value = -1;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc() && end == text.data() + text.size() && value >= 0 && value <= 1024) {
          return {};
        }
        return fmt::format("'{}' is not a thread count; give 1 to 1024 threads, or 0 for all cores "
                           "(the default)",
                           text);
      },
      "0..1024");
  sub.add_option("--threads", threads,
                 "Worker threads, 1 to 1024; 0 (the default) uses all cores. Results do not "
                 "depend on it.")
      ->check(count)
      ->default_str("0");
}

}  // namespace gridrnn::app

int main(int argc, char** argv) {
  using namespace gridrnn;
  CLI::App cli{"gridrnn: train recurrent networks to path-integrate in 2D arenas and score the "
               "grid, border, band, direction and speed tuning of their units (Cueva & Wei, "
               "ICLR 2018)."};
  cli.set_version_flag("--version", GRIDRNN_VERSION);
  cli.require_subcommand(1);
  cli.footer("Run `gridrnn COMMAND --help` for a command's options. Exit status: 0 success, "
             "2 user error (message names what to fix), 3 internal error.");
  auto& registry = app::commands();
  std::sort(registry.begin(), registry.end(),
            [](const auto& a, const auto& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, app::Runner>> runners;
  try {
    for (auto& command : registry) {
      CLI::App* sub = cli.add_subcommand(command.name, command.summary);
      runners.emplace_back(sub, command.setup(*sub));
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "gridrnn: internal error while setting up commands: %s\n", error.what());
    return 3;
  }
  std::vector<std::string> names;
  for (const auto& command : registry) names.push_back(command.name);
  if (argc < 2) {  // CLI11 would say only that a subcommand is required
    std::fprintf(stderr, "gridrnn: error: a command is required; commands: %s (see `gridrnn --help`)\n",
                 fmt::format("{}", fmt::join(names, ", ")).c_str());
    return 2;
  }
  if (argv[1][0] != '-') {  // `gridrnn trian`: CLI11 would say only that a subcommand is required
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      const std::string guess = closest_name(argv[1], names);
      std::fprintf(stderr, "gridrnn: error: unknown command '%s'%s; commands: %s (see `gridrnn --help`)\n",
                   argv[1], guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess).c_str(),
                   fmt::format("{}", fmt::join(names, ", ")).c_str());
      return 2;
    }
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = cli.exit(error);
    return code == 0 ? 0 : 2;
  }
  try {
    for (auto& [sub, run] : runners) {
      if (sub->parsed()) return run();
    }
    return 2;
  } catch (const UserError& error) {
    std::fprintf(stderr, "gridrnn: error: %s\n", error.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "gridrnn: error: out of memory; ask for less at once: fewer or shorter paths "
                         "(task.trials, task.validation_trials, evaluation.trials, evaluation.steps, "
                         "--trials, --steps), fewer model.units, or fewer --threads\n");
    return 2;
  } catch (const InternalError& error) {
    std::fprintf(stderr, "gridrnn: %s\n", error.what());
    return 3;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "gridrnn: internal error (a bug in gridrnn; please report it): %s\n",
                 error.what());
    return 3;
  }
}
