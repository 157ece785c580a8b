// `gridrnn config`: check a config file, or describe every key with its default and range.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "gridrnn/core/error.hpp"
#include "run_config.hpp"

namespace gridrnn::app {
namespace {

struct ConfigCommand {
  std::string config;
  std::vector<std::string> overrides;
  bool describe = false;
  bool print = false;
};

// The [readout.<head>] keys of the heads the config does not choose: the keys a reading with
// every head chosen describes beyond those of this reading.
std::vector<io::KeyDoc> unchosen_head_keys(const ConfigCommand& o, const std::vector<io::KeyDoc>& chosen) {
  std::vector<io::KeyDoc> others;
  try {
    io::ConfigReader all = o.config.empty() ? io::ConfigReader::empty("<built-in defaults>")
                                            : io::ConfigReader::from_file(o.config);
    for (const auto& assignment : o.overrides) all.apply_override(assignment);
    all.apply_override("readout.heads=\"position+place+head_direction\"");
    read_run_config(all);
    for (const auto& key : all.described()) {
      if (key.key.rfind("readout.", 0) != 0) continue;
      bool seen = false;
      for (const auto& c : chosen) seen = seen || c.key == key.key;
      if (!seen) others.push_back(key);
    }
  } catch (const UserError&) {
    // Every head at once may not be a valid config (the chosen one was): list none.
  }
  return others;
}

int run_config(const ConfigCommand& o) {
  io::ConfigReader reader = o.config.empty() ? io::ConfigReader::empty("<built-in defaults>")
                                             : io::ConfigReader::from_file(o.config);
  for (const auto& assignment : o.overrides) reader.apply_override(assignment);
  const RunConfig config = read_run_config(reader);  // validates every key (exit 2 on a mistake)
  if (o.describe) {
    const auto print_key = [](const io::KeyDoc& key) {
      std::printf("%-44s %-8s %-22s %-28s %s\n", key.key.c_str(), key.type.c_str(),
                  key.fallback.c_str(), key.range.c_str(), key.doc.c_str());
    };
    std::printf("%-44s %-8s %-22s %-28s %s\n", "key", "type", "default", "allowed", "meaning");
    for (const auto& key : reader.described()) print_key(key);
    const std::vector<io::KeyDoc> others = unchosen_head_keys(o, reader.described());
    if (!others.empty()) {
      std::printf("\nKeys of readout heads not in readout.heads (accepted only when it names the head):\n");
      for (const auto& key : others) print_key(key);
    }
    std::printf("\nKeys of other arena shapes and motion models appear when that shape or model is "
                "chosen (e.g. `gridrnn config --describe --set arena.shape=circle`); "
                "docs/cli.md lists them all.\n");
  }
  if (o.print) std::printf("%s", config.toml.c_str());
  if (!o.describe && !o.print) {
    std::printf("%s: valid\n", o.config.empty() ? "built-in defaults" : o.config.c_str());
  }
  return 0;
}

Registration reg{{"config", "Check a run config, print it with overrides applied, or describe every "
                            "key with its default and range",
                  90, [](CLI::App& sub) -> Runner {
  auto o = std::make_shared<ConfigCommand>();
  sub.add_option("--config", o->config, "TOML config to check (default: the built-in defaults)")
      ->type_name("FILE");
  sub.add_option("--set", o->overrides, "override a key, e.g. --set arena.shape=hexagon --set model.units=64 (values in TOML "
                  "syntax; a bare word is a string); repeatable")
      ->type_name("KEY=VALUE");
  sub.add_flag("--describe", o->describe,
               "list every key read: section.key, type, default, allowed values, meaning");
  sub.add_flag("--print", o->print, "print the effective config (file + overrides) as TOML");
  return [o]() { return run_config(*o); };
}}};

}  // namespace
}  // namespace gridrnn::app
