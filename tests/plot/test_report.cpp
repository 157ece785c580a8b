#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/plot/figures.hpp"
#include "gridrnn/plot/report.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

TEST(Report, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(plot::base64_encode(""), "");
  EXPECT_EQ(plot::base64_encode("f"), "Zg==");
  EXPECT_EQ(plot::base64_encode("fo"), "Zm8=");
  EXPECT_EQ(plot::base64_encode("foo"), "Zm9v");
  EXPECT_EQ(plot::base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(plot::base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

// Three PNG figures and one SVG figure of a tiny run, and the report's content around them.
plot::ReportContent sample_content(const testing::TempDir& dir) {
  plot::ReportContent content;
  content.title = "gridrnn run <square & quick>";
  content.config_toml = "[arena]\nshape = \"square\"\n# a <comment> & more\n";
  content.training_summary = {
      {"optimizer", "hessian-free"}, {"updates", "200"}, {"final position error", "0.031"}};
  content.class_table_header = {"class", "units"};
  content.class_table_rows = {{"grid", "12"}, {"border", "8"}, {"band", "3"}};
  Eigen::MatrixXd map(6, 6);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) map(i, j) = i * j;
  const plot::Polyline outline{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
  plot::write_rate_map_page(dir / "rate_maps.png", {{0, "grid", 1.0, map}, {1, "band", 0.5, map}},
                            outline, {});
  plot::write_paths_figure(dir / "paths.png", outline, {{{0, 0}, {0.5, 0.5}}}, map, {});
  plot::TrainingCurves curves;
  curves.loss_terms = {{"total", {0, 1, 2}, {1.0, 0.5, 0.2}}};
  plot::write_training_curves(dir / "training.png", curves);
  plot::write_training_curves(dir / "training.svg", curves);
  content.figures = {{dir / "rate_maps.png", "Rate maps of all units."},
                     {dir / "paths.png", "Sample paths."},
                     {dir / "training.png", "Training curves."},
                     {dir / "training.svg", "Training curves as SVG."}};
  return content;
}

// Opens the page in headless Chromium and returns the DOM after the load event.
std::string chromium_dom(const std::filesystem::path& page, const testing::TempDir& profile) {
  const std::string command =
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
      "--disable-component-update --disable-sync --no-first-run --user-data-dir='" +
      (profile / "profile").string() + "' --dump-dom 'file://" + page.string() + "' 2>/dev/null";
  std::string dom;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return dom;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) dom.append(buffer, n);
  ::pclose(pipe);
  return dom;
}

bool chromium_installed() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

// {loaded, total} from the report's image-status element, {-1, -1} if absent.
std::pair<int, int> image_status(const std::string& dom) {
  // std::regex trips GCC 12's -Wmaybe-uninitialized under the sanitizers: plain search instead.
  const auto attribute = [&](const std::string& name) {
    const std::size_t element = dom.find("id=\"image-status\"");
    if (element == std::string::npos) return -1;
    const std::string key = name + "=\"";
    const std::size_t at = dom.find(key, element);
    if (at == std::string::npos || at > dom.find('>', element)) return -1;
    return std::atoi(dom.c_str() + at + key.size());
  };
  return {attribute("data-loaded"), attribute("data-total")};
}

TEST(Report, OpensOfflineInHeadlessChromiumWithEveryImageLoaded) {
  ASSERT_TRUE(chromium_installed())
      << "chromium is not installed: run scripts/install-deps.sh (Debian's chromium package)";
  testing::TempDir dir;
  const auto content = sample_content(dir);
  plot::write_report_html(dir / "report.html", content);
  const std::string html = io::read_file(dir / "report.html");
  // Self-contained: no external references at all.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src=\"file"), std::string::npos);
  EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos);
  EXPECT_NE(html.find("data:image/svg+xml;base64,"), std::string::npos);
  // Text is escaped, tables are there.
  EXPECT_NE(html.find("gridrnn run &lt;square &amp; quick&gt;"), std::string::npos);
  EXPECT_NE(html.find("# a &lt;comment&gt; &amp; more"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"number\">12</td>"), std::string::npos);
  // Moved elsewhere, the report still shows its figures (nothing is linked).
  std::filesystem::create_directories(dir / "moved");
  std::filesystem::rename(dir / "report.html", dir / "moved" / "report.html");
  for (const auto& figure : content.figures) std::filesystem::remove(figure.file);
  const std::string dom = chromium_dom(dir / "moved" / "report.html", dir);
  const auto [loaded, total] = image_status(dom);
  EXPECT_EQ(total, 4) << dom.substr(0, 2000);
  EXPECT_EQ(loaded, 4) << dom.substr(0, 2000);
}

TEST(Report, ChromiumCheckCatchesABrokenImage) {
  ASSERT_TRUE(chromium_installed())
      << "chromium is not installed: run scripts/install-deps.sh (Debian's chromium package)";
  testing::TempDir dir;
  auto content = sample_content(dir);
  // A file that claims to be a PNG but is not: the browser cannot decode it.
  io::write_file_atomic(dir / "broken.png", "not a png at all");
  content.figures.push_back({dir / "broken.png", "A broken figure."});
  plot::write_report_html(dir / "report.html", content);
  const auto [loaded, total] = image_status(chromium_dom(dir / "report.html", dir));
  EXPECT_EQ(total, 5);
  EXPECT_EQ(loaded, 4);
}

TEST(Report, MissingOrUnembeddableFigureIsAUserErrorAndWritesNothing) {
  testing::TempDir dir;
  testing::TempDir out;
  auto content = sample_content(dir);
  content.figures.push_back({dir / "absent.png", "Missing."});
  try {
    plot::write_report_html(out / "report.html", content);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.png"), std::string::npos) << e.what();
  }
  content.figures.back() = {dir / "figure.pdf", "PDF."};
  try {
    plot::write_report_html(out / "report.html", content);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("figure.pdf"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(".png and .svg"), std::string::npos) << e.what();
  }
  EXPECT_EQ(out.entry_count(), 0u);
}

}  // namespace
}  // namespace gridrnn
