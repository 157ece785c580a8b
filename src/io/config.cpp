#include "gridrnn/io/config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "gridrnn/core/error.hpp"

namespace gridrnn::io {

namespace {

std::string node_text(const toml::node& node) {
  return node.is_table() ? std::string("a table") : toml_value_text(node);
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  return out + '"';
}

bool is_bare_key(const std::string& key) {
  if (key.empty()) return false;
  for (const char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

std::string key_text(const std::string& key) { return is_bare_key(key) ? key : quoted(key); }

void append_document(const toml::table& table, const std::string& path, std::string& out) {
  bool wrote_header = path.empty();
  const auto header = [&] {
    if (wrote_header) return;
    if (!out.empty()) out += '\n';
    out += fmt::format("[{}]\n", path);
    wrote_header = true;
  };
  for (const auto& [key, node] : table) {
    if (node.is_table()) continue;
    header();
    out += fmt::format("{} = {}\n", key_text(std::string(key.str())), toml_value_text(node));
  }
  for (const auto& [key, node] : table) {
    const auto* sub = node.as_table();
    if (sub == nullptr) continue;
    const std::string name = key_text(std::string(key.str()));
    const std::string sub_path = path.empty() ? name : fmt::format("{}.{}", path, name);
    const bool has_values = std::any_of(sub->begin(), sub->end(), [](const auto& kv) { return !kv.second.is_table(); });
    if (!has_values && sub->empty()) {
      if (!out.empty()) out += '\n';
      out += fmt::format("[{}]\n", sub_path);
    }
    append_document(*sub, sub_path, out);
  }
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}

std::string format_number(double v) {
  if (v == std::numeric_limits<double>::infinity()) return "inf";
  if (v == -std::numeric_limits<double>::infinity()) return "-inf";
  return fmt::format("{}", v);
}

void collect_keys(const toml::table& table, const std::string& prefix,
                  std::vector<std::string>& out) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix + std::string(key.str());
    if (auto sub = node.as_table()) {
      collect_keys(*sub, name + ".", out);
    } else {
      out.push_back(name);
    }
  }
}

}  // namespace

ConfigReader::ConfigReader(std::shared_ptr<State> state, std::string prefix)
    : state_(std::move(state)), prefix_(std::move(prefix)) {}

ConfigReader ConfigReader::from_string(const std::string& text, const std::string& source_name) {
  auto state = std::make_shared<State>();
  state->source = source_name;
  try {
    state->root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    throw_user_error("cannot parse config '{}' at line {}, column {}: {}", source_name,
                     error.source().begin.line, error.source().begin.column, error.description());
  }
  return ConfigReader(std::move(state), "");
}

ConfigReader ConfigReader::from_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // A run folder holds its config as config.toml.
    if (std::filesystem::is_regular_file(path / "config.toml", ec)) {
      throw_user_error("config file '{}' is a folder, not a file: did you mean its run config '{}'?",
                       path.string(), (path / "config.toml").string());
    }
    throw_user_error("config file '{}' is a folder, not a file (expected a TOML file, see configs/)",
                     path.string());
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw_user_error("config file '{}' does not exist (expected a TOML file, see configs/)",
                     path.string());
  }
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  ConfigReader reader = from_string(buffer.str(), path.string());
  reader.state_->directory = path.parent_path();
  return reader;
}

ConfigReader ConfigReader::empty(const std::string& source_name) {
  auto state = std::make_shared<State>();
  state->source = source_name;
  return ConfigReader(std::move(state), "");
}

std::string ConfigReader::full(const std::string& key) const { return prefix_ + key; }

const toml::node* ConfigReader::find(const std::string& key) const {
  return state_->root.at_path(full(key)).node();
}

bool ConfigReader::has(const std::string& key) const { return find(key) != nullptr; }

ConfigReader ConfigReader::section(const std::string& name) const {
  const toml::node* node = find(name);
  if (node != nullptr && !node->is_table()) {
    throw_user_error("config '{}': '{}' must be a table ([{}]), got {}", state_->source, full(name),
                     full(name), type_name(*node));
  }
  return ConfigReader(state_, full(name) + ".");
}

void ConfigReader::record(const std::string& key, std::string type, std::string fallback,
                          std::string range, const std::string& doc) const {
  const std::string name = full(key);
  state_->used[name] = true;
  for (const auto& existing : state_->docs) {
    if (existing.key == name) return;
  }
  state_->docs.push_back({name, std::move(type), std::move(fallback), std::move(range), doc});
}

double ConfigReader::number(const std::string& key, double fallback, double min, double max,
                            const std::string& doc, bool min_exclusive) const {
  const std::string range = fmt::format("{} {}, <= {}", min_exclusive ? ">" : ">=",
                                        format_number(min), format_number(max));
  record(key, "number", format_number(fallback), range, doc);
  const toml::node* node = find(key);
  if (node == nullptr) return fallback;
  double value = 0;
  if (auto f = node->as_floating_point()) {
    value = f->get();
  } else if (auto i = node->as_integer()) {
    value = static_cast<double>(i->get());
  } else {
    throw_user_error("config '{}': '{}' must be a number ({}), got {} {}", state_->source,
                     full(key), range, type_name(*node), node_text(*node));
  }
  if (!std::isfinite(value) || value < min || value > max || (min_exclusive && value == min)) {
    throw_user_error("config '{}': '{}' = {} is out of range; allowed: {}", state_->source,
                     full(key), format_number(value), range);
  }
  return value;
}

std::int64_t ConfigReader::integer(const std::string& key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max, const std::string& doc) const {
  const std::string range = fmt::format(">= {}, <= {}", min, max);
  record(key, "integer", std::to_string(fallback), range, doc);
  const toml::node* node = find(key);
  if (node == nullptr) return fallback;
  auto i = node->as_integer();
  if (!i) {
    throw_user_error("config '{}': '{}' must be an integer ({}), got {} {}", state_->source,
                     full(key), range, type_name(*node), node_text(*node));
  }
  const std::int64_t value = i->get();
  if (value < min || value > max) {
    throw_user_error("config '{}': '{}' = {} is out of range; allowed: {}", state_->source,
                     full(key), value, range);
  }
  return value;
}

bool ConfigReader::boolean(const std::string& key, bool fallback, const std::string& doc) const {
  record(key, "boolean", fallback ? "true" : "false", "true or false", doc);
  const toml::node* node = find(key);
  if (node == nullptr) return fallback;
  auto b = node->as_boolean();
  if (!b) {
    throw_user_error("config '{}': '{}' must be true or false, got {} {}", state_->source,
                     full(key), type_name(*node), node_text(*node));
  }
  return b->get();
}

std::string ConfigReader::choice(const std::string& key, const std::string& fallback,
                                 const std::vector<std::string>& allowed,
                                 const std::string& doc) const {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  record(key, "string", '"' + fallback + '"', "one of " + list, doc);
  const toml::node* node = find(key);
  if (node == nullptr) return fallback;
  const std::string* s = string_at(key);
  if (s == nullptr) {
    throw_user_error("config '{}': '{}' must be a string, one of {}; got {} {}", state_->source,
                     full(key), list, type_name(*node), node_text(*node));
  }
  const std::string value = *s;
  for (const auto& a : allowed) {
    if (a == value) return value;
  }
  const std::string guess = closest_name(value, allowed);
  throw_user_error("config '{}': '{}' = \"{}\" is not allowed{}; allowed: {}", state_->source,
                   full(key), value, guess.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", guess),
                   list);
}

std::string ConfigReader::text(const std::string& key, const std::string& fallback,
                               const std::string& doc) const {
  record(key, "string", '"' + fallback + '"', "any text", doc);
  const toml::node* node = find(key);
  if (node == nullptr) return fallback;
  const std::string* s = string_at(key);
  if (s == nullptr) {
    throw_user_error("config '{}': '{}' must be a string, got {} {}", state_->source, full(key),
                     type_name(*node), node_text(*node));
  }
  return *s;
}

const std::string* ConfigReader::string_at(const std::string& key) const {
  const toml::node* node = find(key);
  if (node == nullptr) return nullptr;
  if (const auto* s = node->as_string()) return &s->get();
  const std::string name = full(key);
  const auto typed = state_->overrides.find(name);
  if (typed == state_->overrides.end()) return nullptr;
  // --set run.name=7: the key is a string, so the value is the text as typed.
  const auto dot = name.rfind('.');
  toml::table* parent = dot == std::string::npos ? &state_->root
                                                 : state_->root.at_path(name.substr(0, dot)).as_table();
  if (parent == nullptr) return nullptr;
  const std::string leaf = dot == std::string::npos ? name : name.substr(dot + 1);
  parent->insert_or_assign(leaf, typed->second);
  return &parent->get(leaf)->as_string()->get();
}

std::vector<std::array<double, 2>> ConfigReader::points(const std::string& key,
                                                        const std::string& doc) const {
  record(key, "array", "[]", "list of [x, y] pairs", doc);
  std::vector<std::array<double, 2>> out;
  const toml::node* node = find(key);
  if (node == nullptr) return out;
  const auto bad = [&]() {
    throw_user_error("config '{}': '{}' must be a list of [x, y] number pairs, e.g. "
                     "[[0, 0], [1, 0], [0, 1]]; got {}",
                     state_->source, full(key), node_text(*node));
  };
  auto array = node->as_array();
  if (!array) bad();
  for (const auto& element : *array) {
    auto pair = element.as_array();
    if (!pair || pair->size() != 2) bad();
    std::array<double, 2> p{};
    for (std::size_t i = 0; i < 2; ++i) {
      const toml::node& c = *pair->get(i);
      if (auto f = c.as_floating_point()) p[i] = f->get();
      else if (auto n = c.as_integer()) p[i] = static_cast<double>(n->get());
      else bad();
      if (!std::isfinite(p[i])) bad();
    }
    out.push_back(p);
  }
  return out;
}

void ConfigReader::finish() const {
  std::vector<std::string> present;
  collect_keys(state_->root, "", present);
  std::vector<std::string> unknown;
  for (const auto& key : present) {
    if (!state_->used.count(key)) unknown.push_back(key);
  }
  if (unknown.empty()) return;
  std::vector<std::string> known;
  for (const auto& d : state_->docs) known.push_back(d.key);
  const auto parent_of = [](const std::string& key) {
    const auto dot = key.rfind('.');
    return dot == std::string::npos ? std::string() : key.substr(0, dot);
  };
  const auto leaf_of = [](const std::string& key) {
    const auto dot = key.rfind('.');
    return dot == std::string::npos ? key : key.substr(dot + 1);
  };
  std::string message;
  for (const auto& u : unknown) {
    // A near spelling of a known key, or the same name in another section (train.units).
    std::string guess = closest_name(u, known);
    for (const auto& k : known) {
      if (guess.empty() && leaf_of(k) == leaf_of(u)) guess = k;
    }
    // The keys of the nearest enclosing section that has known keys; at the top, the sections.
    std::string section = parent_of(u), listing;
    for (; listing.empty(); section = parent_of(section)) {
      if (section.empty()) {
        std::vector<std::string> sections;
        for (const auto& k : known) {
          const std::string top = k.substr(0, k.find('.'));
          if (std::find(sections.begin(), sections.end(), top) == sections.end()) sections.push_back(top);
        }
        for (const auto& t : sections) listing += fmt::format("{}[{}]", listing.empty() ? "" : ", ", t);
        listing = "the sections are " + listing;
        break;
      }
      for (const auto& k : known) {
        if (k.rfind(section + ".", 0) == 0) listing += (listing.empty() ? "" : ", ") + k;
      }
      if (!listing.empty()) listing = fmt::format("keys of [{}]: {}", section, listing);
    }
    message += fmt::format("{}unknown key '{}'{}; {}", message.empty() ? "" : "; ", u,
                           guess.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", guess),
                           listing);
  }
  throw_user_error("config '{}': {} (see `gridrnn config --describe`)", state_->source, message);
}

void ConfigReader::apply_override(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw_user_error("override '{}' must look like section.key=value (value in TOML syntax)",
                     assignment);
  }
  const std::string path = assignment.substr(0, eq);
  const std::string value_text = assignment.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value_text);
  } catch (const toml::parse_error& error) {
    // A bare word (arena.shape=hexagon: bash has eaten the quotes of arena.shape="hexagon") is a
    // string; what starts like an array, a table or a quoted string is a TOML mistake.
    const bool bare = !value_text.empty() && value_text.find_first_of("[{\"'") != 0 &&
                      value_text.find('\n') == std::string::npos;
    if (!bare) {
      throw_user_error("override '{}': the value '{}' is not valid TOML ({}); e.g. "
                       "--set arena.shape=hexagon, --set 'arena.vertices=[[0, 0], [1, 0], [0, 1]]' "
                       "(single quotes keep the shell from eating quotes and brackets)",
                       assignment, value_text, error.description());
    }
    parsed.insert_or_assign("v", value_text);
  }
  toml::table* table = &state_->root;
  std::string rest = path;
  for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
    const std::string part = rest.substr(0, dot);
    rest = rest.substr(dot + 1);
    auto* child = table->get(part);
    if (child == nullptr) {
      table->insert(part, toml::table{});
      child = table->get(part);
    }
    if (!child->is_table()) {
      throw_user_error("override '{}': '{}' is not a table", assignment, part);
    }
    table = child->as_table();
  }
  table->insert_or_assign(rest, *parsed.get("v"));
  state_->overrides[path] = value_text;
}

std::string ConfigReader::to_toml() const {
  std::string text = toml_document(state_->root);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string toml_value_text(const toml::node& node) {
  if (const auto* s = node.as_string()) return quoted(s->get());
  if (const auto* f = node.as_floating_point()) {
    const double v = f->get();
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::string text = fmt::format("{}", v);  // shortest round trip
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";  // still a float in TOML
    return text;
  }
  if (const auto* i = node.as_integer()) return fmt::format("{}", i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = node.as_array()) {
    std::string out = "[";
    for (std::size_t k = 0; k < a->size(); ++k) {
      if (k > 0) out += ", ";
      out += toml_value_text(*a->get(k));
    }
    return out + "]";
  }
  if (const auto* t = node.as_table()) {
    std::string out = "{ ";
    bool first = true;
    for (const auto& [key, value] : *t) {
      if (!first) out += ", ";
      first = false;
      out += fmt::format("{} = {}", key_text(std::string(key.str())), toml_value_text(value));
    }
    return out + (first ? "}" : " }");
  }
  std::ostringstream other;  // dates and times: toml++'s own text
  node.visit([&](auto&& value) { other << value; });
  return other.str();
}

std::string toml_document(const toml::table& table) {
  std::string out;
  append_document(table, "", out);
  return out;
}

}  // namespace gridrnn::io
