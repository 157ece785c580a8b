// Rendering cost of the run figures: the 100-unit rate-map page (paper Fig. 2 size) as PNG, SVG
// and PDF, and the report embedding it. Run: build/release/gridrnn_bench --benchmark_filter=Plot
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include "gridrnn/plot/figures.hpp"
#include "gridrnn/plot/report.hpp"

namespace {

std::vector<gridrnn::plot::UnitMap> hundred_units() {
  std::vector<gridrnn::plot::UnitMap> units;
  for (int unit = 0; unit < 100; ++unit) {
    Eigen::MatrixXd map(20, 20);
    const double k = 4 * std::numbers::pi / (std::sqrt(3.0) * (0.4 + 0.01 * unit));
    for (int i = 0; i < 20; ++i) {
      for (int j = 0; j < 20; ++j) {
        const double x = (i + 0.5) * 0.11 - 1.1, y = (j + 0.5) * 0.11 - 1.1;
        double v = 0.0;
        for (int a = 0; a < 3; ++a) {
          const double angle = 0.2 + a * std::numbers::pi / 3;
          v += std::cos(k * (std::cos(angle) * x + std::sin(angle) * y));
        }
        map(i, j) = v;
      }
    }
    const char* classes[] = {"grid", "border", "band", "irregular"};
    units.push_back({unit, classes[unit % 4], 0.01 * unit, map});
  }
  return units;
}

std::filesystem::path bench_folder() {
  const auto folder = std::filesystem::temp_directory_path() / "gridrnn-bench-plot";
  std::filesystem::create_directories(folder);
  return folder;
}

void PlotRateMapPage100(benchmark::State& state, const char* extension) {
  const auto units = hundred_units();
  const gridrnn::plot::Polyline outline{{-1.1, -1.1}, {1.1, -1.1}, {1.1, 1.1}, {-1.1, 1.1}};
  const auto path = bench_folder() / (std::string("rate_maps") + extension);
  for (auto _ : state) {
    gridrnn::plot::write_rate_map_page(path, units, outline, {-1.1, 1.1, -1.1, 1.1});
  }
  state.counters["bytes"] = static_cast<double>(std::filesystem::file_size(path));
}
BENCHMARK_CAPTURE(PlotRateMapPage100, png, ".png")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(PlotRateMapPage100, svg, ".svg")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(PlotRateMapPage100, pdf, ".pdf")->Unit(benchmark::kMillisecond);

void PlotReportHtml(benchmark::State& state) {
  const auto folder = bench_folder();
  const gridrnn::plot::Polyline outline{{-1.1, -1.1}, {1.1, -1.1}, {1.1, 1.1}, {-1.1, 1.1}};
  gridrnn::plot::write_rate_map_page(folder / "rate_maps.png", hundred_units(), outline,
                                     {-1.1, 1.1, -1.1, 1.1});
  gridrnn::plot::ReportContent content;
  content.title = "bench";
  content.figures = {{folder / "rate_maps.png", "Rate maps."}};
  for (auto _ : state) gridrnn::plot::write_report_html(folder / "report.html", content);
  state.counters["bytes"] = static_cast<double>(std::filesystem::file_size(folder / "report.html"));
}
BENCHMARK(PlotReportHtml)->Unit(benchmark::kMillisecond);

}  // namespace
