// The repository explains itself: a clone has no access to the planning documents outside it, so
// nothing may cite them, every docs/ file the code cites must exist, and a newcomer is told what
// the quick preset gives (ramps) and where grid cells do emerge.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gridrnn/io/files.hpp"

namespace gridrnn {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = GRIDRNN_SOURCE_DIR;

// The text files a clone holds, outside build output and git's own folder.
std::vector<fs::path> repository_text_files() {
  std::vector<fs::path> files;
  const std::set<std::string> text = {".cpp", ".hpp", ".h", ".md", ".toml", ".sh", ".py", ".txt", ".json", ""};
  for (const char* top : {"app", "include", "src", "tests", "docs", "configs", "scripts", "bench", "python", ".ci"}) {
    if (!fs::is_directory(kSource / top)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(kSource / top)) {
      if (entry.is_regular_file() && text.count(entry.path().extension().string()) > 0) files.push_back(entry.path());
    }
  }
  for (const char* file : {"README.md", "CMakeLists.txt", "CMakePresets.json"})
    if (fs::is_regular_file(kSource / file)) files.push_back(kSource / file);
  return files;
}

TEST(Repository, CitesNoDocumentOutsideIt) {
  // Both spelled apart, so that this file holds neither.
  const std::string outside = std::string("PAPER") + ".md", shared = std::string("../") + "shared/";
  const auto files = repository_text_files();
  ASSERT_GT(files.size(), 100u) << "the source tree was not found at " << kSource;
  for (const auto& file : files) {
    const std::string text = io::read_file(file);
    EXPECT_EQ(text.find(outside), std::string::npos) << file << " cites " << outside << ": cite docs/ instead";
    EXPECT_EQ(text.find(shared), std::string::npos) << file << " points outside the repository";
  }
}

TEST(Repository, EveryCitedDocsFileExists) {
  const std::regex cited(R"(docs/([A-Za-z0-9_./-]+\.md))");
  std::size_t citations = 0;
  for (const auto& file : repository_text_files()) {
    const std::string text = io::read_file(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), cited); it != std::sregex_iterator(); ++it) {
      ++citations;
      EXPECT_TRUE(fs::is_regular_file(kSource / "docs" / (*it)[1].str())) << file << " cites " << (*it)[0].str();
    }
  }
  EXPECT_GT(citations, 20u);
  EXPECT_TRUE(fs::is_regular_file(kSource / "docs" / "paper.md"));
}

TEST(Repository, ReadmeAndTheMainJobSayTheQuickPresetGivesRampsAndWhereGridsEmerge) {
  for (const char* file : {"README.md", "scripts/run.sh"}) {
    const std::string text = io::read_file(kSource / file);
    EXPECT_NE(text.find("ramps, not grid cells"), std::string::npos) << file;
    EXPECT_NE(text.find("configs/place_cells.toml"), std::string::npos) << file;
  }
  EXPECT_TRUE(fs::is_regular_file(kSource / "configs" / "place_cells.toml"));
}

}  // namespace
}  // namespace gridrnn
