#pragma once
// Subcommand registry: each app/cmd_<name>.cpp registers itself with a static Registration, so
// adding a subcommand touches only its own file. A command's setup() declares its options on the
// CLI11 subcommand and returns the function that runs it (after CLI11 has parsed argv).
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace gridrnn::app {

using Runner = std::function<int()>;

struct Command {
  std::string name;
  std::string summary;
  int order;  // position in `gridrnn --help`
  std::function<Runner(CLI::App&)> setup;
};

std::vector<Command>& commands();

struct Registration {
  explicit Registration(Command command) { commands().push_back(std::move(command)); }
};

// Adds --threads N (default: all cores) to a computing subcommand; applied before it runs.
void add_threads_option(CLI::App& sub, int& threads);

}  // namespace gridrnn::app
