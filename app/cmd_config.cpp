// `gridrnn config`: check a config file, or describe every key with its default and range.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/runs/run_config.hpp"

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
    runs::read_run_config(all);
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

// The effective config as a complete TOML document: every key the config reads, with its value
// (given, or the default), under its [section], each after a comment with its meaning and range,
// so that it serves as a template (read back, it gives the same run).
std::string full_config(const io::ConfigReader& reader, const runs::RunConfig& config) {
  const toml::table effective = toml::parse(config.toml);
  std::vector<std::string> sections;  // in first-read order
  std::map<std::string, std::vector<const io::KeyDoc*>> keys;
  for (const auto& key : reader.described()) {
    const auto dot = key.key.rfind('.');
    const std::string section = dot == std::string::npos ? "" : key.key.substr(0, dot);
    if (!keys.contains(section)) sections.push_back(section);
    keys[section].push_back(&key);
  }
  std::string out = fmt::format(
      "# gridrnn config: every key of {} with its value (given or default);\n"
      "# `gridrnn config --describe` lists them, docs/cli.md explains them.\n",
      reader.source());
  for (const std::string& section : sections) {
    out += section.empty() ? "\n" : fmt::format("\n[{}]\n", section);
    for (const io::KeyDoc* key : keys[section]) {
      const toml::node* node = effective.at_path(key->key).node();
      const std::string value = node != nullptr ? io::toml_value_text(*node) : key->fallback;
      // Of two keys that set the same thing (arena.area or arena.side), one not given stays a
      // comment: both written would be refused when the template is read back.
      const bool unset_alternative = node == nullptr && key->doc.find("alternative to") != std::string::npos;
      out += fmt::format("# {} ({}; default {})\n{}{} = {}\n", key->doc, key->range, key->fallback,
                         unset_alternative ? "# " : "", key->key.substr(section.empty() ? 0 : section.size() + 1),
                         value);
    }
  }
  return out;
}

int run_config(const ConfigCommand& o) {
  io::ConfigReader reader = o.config.empty() ? io::ConfigReader::empty("<built-in defaults>")
                                             : io::ConfigReader::from_file(o.config);
  for (const auto& assignment : o.overrides) reader.apply_override(assignment);
  const runs::RunConfig config = runs::read_run_config(reader);  // validates every key (exit 2 on a mistake)
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
  if (o.print) std::printf("%s", full_config(reader, config).c_str());
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
  sub.add_flag("--print", o->print,
               "print the effective config (file + overrides) as TOML, every key with its value or "
               "default and a comment: without --config, a template of the built-in defaults");
  return [o]() { return run_config(*o); };
}}};

}  // namespace
}  // namespace gridrnn::app
