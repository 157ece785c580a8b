#pragma once
// Layer 3 of the plotting layer: RUN_DIR/report.html, one self-contained page (images embedded as
// base64 data URIs, inline CSS, one small inline script; no external fonts, scripts or links) that
// opens offline and shows the config, the training summary, the counts per class and every figure.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gridrnn::plot {

struct ReportFigure {
  std::filesystem::path file;  // a .png or .svg written earlier (embedded, not linked)
  std::string caption;         // one or two sentences saying what the figure shows
};

struct ReportContent {
  std::string title;        // e.g. "gridrnn run: square arena, quick preset"
  std::string config_toml;  // the run's resolved config, shown verbatim
  std::vector<std::pair<std::string, std::string>> training_summary;  // key, value
  std::vector<std::string> class_table_header;             // e.g. {"class", "units", "threshold"}
  std::vector<std::vector<std::string>> class_table_rows;  // each as long as the header
  std::vector<ReportFigure> figures;
};

// Writes the report atomically. A figure that is missing or not .png/.svg is a UserError naming
// the file (nothing is written then). All text is HTML-escaped.
void write_report_html(const std::filesystem::path& path, const ReportContent& content);

// Standard base64 (RFC 4648, with padding), as used in data URIs.
std::string base64_encode(std::string_view bytes);

}  // namespace gridrnn::plot
