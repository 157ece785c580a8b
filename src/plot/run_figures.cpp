#include "gridrnn/plot/run_figures.hpp"

#include <algorithm>

#include "gridrnn/core/error.hpp"

namespace gridrnn::plot {

std::vector<ReportFigure> write_run_figures(const std::filesystem::path& folder,
                                            const RunPlotData& data, const std::string& extension) {
  if (extension != ".png" && extension != ".svg" && extension != ".pdf") {
    throw_user_error("figure format '{}' is not known: use .png, .svg or .pdf", extension);
  }
  std::filesystem::create_directories(folder);
  std::vector<ReportFigure> figures;
  const auto file = [&](const char* stem) { return folder / (std::string(stem) + extension); };
  if (!data.rate_maps.empty()) {
    write_rate_map_page(file("rate_maps"), data.rate_maps, data.outline, data.extent,
                        data.page_options);
    figures.push_back({file("rate_maps"),
                       "Rate maps of all units (paper Fig. 2), grouped by class and titled with "
                       "unit, class and the class's key score (grid score for grid units, border "
                       "score for border units, band score for band units). Each map is scaled "
                       "from its own minimum (dark blue) to its own maximum (dark red); grey bins "
                       "were never visited; the black line is the arena's wall."});
  }
  if (!data.autocorrelograms.empty()) {
    write_autocorrelogram_page(file("autocorrelograms"), data.autocorrelograms,
                               data.autocorrelogram_extent, data.page_options);
    figures.push_back({file("autocorrelograms"),
                       "Spatial autocorrelograms, same order: a grid unit shows a hexagonal "
                       "(or square) lattice of peaks, a band unit parallel stripes, a border unit "
                       "one broad ridge along its wall's direction."});
  }
  if (!data.direction.empty()) {
    write_direction_page(file("direction_tuning"), data.direction, data.page_options);
    figures.push_back({file("direction_tuning"),
                       "Direction tuning of every unit (paper Fig. 3): mean activity per heading "
                       "bin minus its minimum, in polar form (0° = +x, counter-clockwise); the "
                       "arrow is the preferred direction and MVL the mean vector length."});
  }
  if (!data.speed.empty()) {
    SpeedPageOptions options;
    static_cast<UnitPageOptions&>(options) = data.page_options;
    options.speed_label = data.speed_label;
    write_speed_page(file("speed_tuning"), data.speed, options);
    figures.push_back({file("speed_tuning"),
                       "Speed tuning of every unit (paper Fig. 3, appendix): activity against "
                       "speed (dots: a sample of time steps; black: mean in speed bins; red "
                       "dashed: linear fit); r is the Pearson correlation."});
  }
  const auto has = [](const std::vector<Curve>& curves) {
    return std::any_of(curves.begin(), curves.end(),
                       [](const Curve& c) { return !c.value.empty(); });
  };
  const TrainingCurves& t = data.training;
  if (has(t.loss_terms) || has(t.position_error) || has(t.hf_lambda) || has(t.cg_iterations)) {
    write_training_curves(file("training"), t);
    figures.push_back({file("training"),
                       "Training curves: loss terms and position error against update; for "
                       "Hessian-free runs also the damping λ and the CG iterations per update."});
  }
  if (!data.decoded_paths.empty()) {
    write_decoded_paths_figure(file("decoded_paths"), data.outline, data.decoded_paths);
    figures.push_back({file("decoded_paths"),
                       "Sample evaluation paths: the true position (black) and the position the "
                       "network reads out (red, dashed), starting at the green dot."});
  }
  return figures;
}

}  // namespace gridrnn::plot
