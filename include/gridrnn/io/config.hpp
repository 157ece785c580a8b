#pragma once
// TOML configs with strict validation. A ConfigReader hands out typed values with a default, a
// range and a one-line doc; every key it hands out is recorded, so finish() can refuse unknown
// keys (naming them and listing the allowed ones) and `gridrnn config --describe` can print
// every key with its default and range. Errors are UserErrors naming source, key, value, rule.
#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace gridrnn::io {

struct KeyDoc {
  std::string key;       // dotted path, e.g. "model.units"
  std::string type;      // "integer", "number", "boolean", "string", "array"
  std::string fallback;  // default as text
  std::string range;     // allowed values as text
  std::string doc;
};

class ConfigReader {
 public:
  // Parses a TOML file / text; a syntax error is a UserError with line and column.
  static ConfigReader from_file(const std::filesystem::path& path);
  static ConfigReader from_string(const std::string& text, const std::string& source_name);
  static ConfigReader empty(const std::string& source_name = "<defaults>");

  // A sub-table; absent tables read as empty (all defaults). A key that exists but is not a
  // table is a UserError.
  ConfigReader section(const std::string& name) const;
  bool has(const std::string& key) const;

  double number(const std::string& key, double fallback, double min, double max,
                const std::string& doc, bool min_exclusive = false) const;
  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max, const std::string& doc) const;
  bool boolean(const std::string& key, bool fallback, const std::string& doc) const;
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed, const std::string& doc) const;
  std::string text(const std::string& key, const std::string& fallback,
                   const std::string& doc) const;
  // A list of [x, y] pairs (e.g. polygon vertices). Empty if absent.
  std::vector<std::array<double, 2>> points(const std::string& key, const std::string& doc) const;

  // Refuses any key in this reader's table (and sub-tables read through section()) that was never
  // asked for. Call once, on the root, after reading everything.
  void finish() const;

  // Applies "a.b.c=value" overrides (value parsed as TOML) onto the table, before reading. A value
  // that is not TOML and does not start like an array, table or quoted string is taken as a bare
  // string (arena.shape=hexagon, as bash leaves arena.shape="hexagon"); a string-typed key (text(),
  // choice()) also takes an override's value as typed when it parsed as another type (run.name=7).
  void apply_override(const std::string& assignment);

  const std::vector<KeyDoc>& described() const { return state_->docs; }
  const std::string& source() const { return state_->source; }
  // The folder of the file it was read from (from_file), against which relative file paths in
  // the config are taken; empty for text and defaults (relative paths then stay as given, i.e.
  // relative to the current directory).
  const std::filesystem::path& directory() const { return state_->directory; }
  // The effective table (after overrides) as TOML text, for saving alongside results. Numbers
  // are written in their shortest round-trip form (0.1, not 0.10000000000000001).
  std::string to_toml() const;

 private:
  struct State {
    std::string source;
    std::filesystem::path directory;
    toml::table root;
    std::map<std::string, bool> used;
    std::vector<KeyDoc> docs;
    std::map<std::string, std::string> overrides;  // dotted key -> override value as typed
  };
  ConfigReader(std::shared_ptr<State> state, std::string prefix);
  const toml::node* find(const std::string& key) const;
  std::string full(const std::string& key) const;
  void record(const std::string& key, std::string type, std::string fallback, std::string range,
              const std::string& doc) const;
  // The string at key: a string node, or the text of an override of key that parsed as another
  // type (then stored back as a string); nullptr when neither.
  const std::string* string_at(const std::string& key) const;

  std::shared_ptr<State> state_;
  std::string prefix_;  // "" for root, "model." for a section
};

// One TOML value as TOML text: strings quoted and escaped, floating-point numbers in their shortest
// round-trip form that still reads back as a float (0.1, 1.0, 1e-05, inf), arrays and inline tables
// element by element. Used wherever a config value is printed (config.toml, sweep folder names,
// summary.csv, messages), so that a number reads as a person typed it.
std::string toml_value_text(const toml::node& node);

// A whole table as a TOML document (scalars and arrays first, then [sub.tables]), numbers as in
// toml_value_text.
std::string toml_document(const toml::table& table);


}  // namespace gridrnn::io
