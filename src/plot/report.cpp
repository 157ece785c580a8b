#include "gridrnn/plot/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"

namespace gridrnn::plot {

namespace {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string mime_type(const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (extension == ".png") return "image/png";
  if (extension == ".svg") return "image/svg+xml";
  throw_user_error(
      "cannot embed figure '{}' in the report: only .png and .svg figures can be "
      "shown in a web page",
      file.string());
}

// Plain CSS, no web fonts: the page must look right offline.
constexpr std::string_view kStyle = R"(
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 0 auto; max-width: 1400px;
       padding: 1em 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.8em; text-align: left; }
th { background: #f2f2f2; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto;
      font-size: 0.85em; }
figure { margin: 1em 0 2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; margin-top: 0.3em; }
nav a { margin-right: 1em; }
#image-status { color: #666; font-size: 0.85em; }
)";

// After the page has loaded, counts the figures the browser could decode and says so (a broken
// figure shows up as "n of m"); the test reads the data-loaded attribute in headless Chromium.
constexpr std::string_view kScript = R"(
window.addEventListener('load', function () {
  var images = document.images, loaded = 0;
  for (var k = 0; k < images.length; ++k) {
    if (images[k].complete && images[k].naturalWidth > 0) ++loaded;
  }
  var status = document.getElementById('image-status');
  status.setAttribute('data-loaded', String(loaded));
  status.setAttribute('data-total', String(images.length));
  status.textContent = loaded + ' of ' + images.length + ' figures loaded.';
});
)";

bool looks_numeric(const std::string& text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == '%';
  });
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t k = 0;
  for (; k + 2 < bytes.size(); k += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[k]) << 16) |
                       (static_cast<unsigned char>(bytes[k + 1]) << 8) |
                       static_cast<unsigned char>(bytes[k + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - k;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[k]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[k + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void write_report_html(const std::filesystem::path& path, const ReportContent& content) {
  // Read every figure first, so a missing one stops the report before anything is written.
  std::vector<std::string> data_uris;
  for (const ReportFigure& figure : content.figures) {
    const std::string mime = mime_type(figure.file);
    if (!std::filesystem::is_regular_file(figure.file)) {
      throw_user_error("cannot embed figure '{}' in the report: no such file",
                       figure.file.string());
    }
    data_uris.push_back(
        fmt::format("data:{};base64,{}", mime, base64_encode(io::read_file(figure.file))));
  }

  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
                      escape_html(content.title), kStyle);
  html += fmt::format("<h1>{}</h1>\n", escape_html(content.title));
  html +=
      "<nav><a href=\"#summary\">Training summary</a><a href=\"#classes\">Classes</a>"
      "<a href=\"#figures\">Figures</a><a href=\"#config\">Config</a></nav>\n";

  html += "<h2 id=\"summary\">Training summary</h2>\n";
  if (content.training_summary.empty()) {
    html += "<p>No training summary was recorded.</p>\n";
  } else {
    html += "<table>\n";
    for (const auto& [key, value] : content.training_summary) {
      html += fmt::format("<tr><th>{}</th><td{}>{}</td></tr>\n", escape_html(key),
                          looks_numeric(value) ? " class=\"number\"" : "", escape_html(value));
    }
    html += "</table>\n";
  }

  html += "<h2 id=\"classes\">Units per class</h2>\n";
  if (content.class_table_rows.empty()) {
    html += "<p>No analysis was recorded.</p>\n";
  } else {
    html += "<table>\n<tr>";
    for (const std::string& name : content.class_table_header)
      html += fmt::format("<th>{}</th>", escape_html(name));
    html += "</tr>\n";
    for (const auto& row : content.class_table_rows) {
      GRIDRNN_ASSERT(
          content.class_table_header.empty() || row.size() == content.class_table_header.size(),
          "class table row and header differ in length");
      html += "<tr>";
      for (const std::string& cell : row) {
        html += fmt::format("<td{}>{}</td>", looks_numeric(cell) ? " class=\"number\"" : "",
                            escape_html(cell));
      }
      html += "</tr>\n";
    }
    html += "</table>\n";
  }

  html += "<h2 id=\"figures\">Figures</h2>\n<p id=\"image-status\"></p>\n";
  for (std::size_t k = 0; k < content.figures.size(); ++k) {
    const ReportFigure& figure = content.figures[k];
    html += fmt::format(
        "<figure id=\"figure-{}\"><img src=\"{}\" alt=\"{}\">\n<figcaption><b>Figure {}.</b> "
        "{} <span style=\"color:#999\">({})</span></figcaption></figure>\n",
        k + 1, data_uris[k], escape_html(figure.caption), k + 1, escape_html(figure.caption),
        escape_html(figure.file.filename().string()));
  }

  html += "<h2 id=\"config\">Config</h2>\n";
  html += fmt::format("<pre>{}</pre>\n", escape_html(content.config_toml));
  html += fmt::format("<script>{}</script>\n</body>\n</html>\n", kScript);
  io::write_file_atomic(path, html);
}

}  // namespace gridrnn::plot
