#pragma once
// All figures of a run in one call, for `gridrnn analyze` and `gridrnn plot RUN_DIR`: the glue
// copies analysis and training results into RunPlotData, calls write_run_figures, and passes the
// returned list (files + captions, in report order) to write_report_html.
#include <filesystem>
#include <string>
#include <vector>

#include "gridrnn/plot/figures.hpp"
#include "gridrnn/plot/report.hpp"

namespace gridrnn::plot {

struct RunPlotData {
  Polyline outline;                        // the arena's walls, closed polygon
  Extent extent;                           // the range the rate maps cover
  std::vector<UnitMap> rate_maps;          // every unit; empty = page left out
  std::vector<UnitMap> autocorrelograms;   // every unit's SAC; empty = left out
  Extent autocorrelogram_extent;           // lags covered by the SACs
  std::vector<DirectionTuning> direction;  // empty = left out
  std::vector<SpeedTuning> speed;          // empty = left out
  TrainingCurves training;                 // all empty = left out
  std::vector<DecodedPath> decoded_paths;  // empty = left out
  UnitPageOptions page_options;            // colormap, class order, panel size
  std::string speed_label = "speed (arena units / step)";
};

// Writes the figures into `folder` (created if needed) as rate_maps, autocorrelograms,
// direction_tuning, speed_tuning, training, decoded_paths + `extension` (".png" for the report;
// ".svg" or ".pdf" for papers) and returns them with their captions, in the order above.
std::vector<ReportFigure> write_run_figures(const std::filesystem::path& folder,
                                            const RunPlotData& data,
                                            const std::string& extension = ".png");

}  // namespace gridrnn::plot
