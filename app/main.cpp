// The `gridrnn` command: argv -> options -> validate -> run. Exit status 0 on success, 2 for a
// user mistake (UserError or bad arguments), 3 for a bug (InternalError or anything unexpected).
#include <algorithm>
#include <cstdio>
#include <exception>

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
  sub.add_option("--threads", threads,
                 "Worker threads (default: all cores). Results do not depend on it.")
      ->check(CLI::Range(0, 1024))
      ->default_str("all cores");
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
  } catch (const InternalError& error) {
    std::fprintf(stderr, "gridrnn: %s\n", error.what());
    return 3;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "gridrnn: internal error (a bug in gridrnn; please report it): %s\n",
                 error.what());
    return 3;
  }
}
