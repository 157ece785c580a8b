#include <gtest/gtest.h>

#include <fstream>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

TEST(Npy, RoundTripsFloatAndDoubleWithShape) {
  testing::TempDir dir;
  std::vector<float> f{1.5f, -2.0f, 3.25f, 0.0f, 5.0f, 6.0f};
  io::write_npy(dir / "f.npy", std::span<const float>(f), {2, 3});
  const auto a = io::read_npy(dir / "f.npy");
  EXPECT_EQ(a.dtype, io::DType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 3}));
  for (std::size_t i = 0; i < f.size(); ++i) EXPECT_EQ(a.values[i], f[i]);
  std::vector<double> d{1.0 / 3.0};
  io::write_npy(dir / "d.npy", std::span<const double>(d), {1});
  EXPECT_EQ(io::read_npy(dir / "d.npy").values[0], 1.0 / 3.0);
}

TEST(Npy, HeaderIsAlignedTo64Bytes) {
  testing::TempDir dir;
  std::vector<float> f(7, 1.0f);
  io::write_npy(dir / "f.npy", std::span<const float>(f), {7});
  EXPECT_EQ((std::filesystem::file_size(dir / "f.npy") - 7 * 4) % 64, 0u);
}

TEST(Npy, TruncatedFileIsAUserErrorNamingTheFile) {
  testing::TempDir dir;
  std::vector<double> d(100, 1.0);
  io::write_npy(dir / "d.npy", std::span<const double>(d), {10, 10});
  std::filesystem::resize_file(dir / "d.npy", std::filesystem::file_size(dir / "d.npy") - 8);
  try {
    io::read_npy(dir / "d.npy");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("d.npy"), std::string::npos) << e.what();
  }
  EXPECT_THROW(io::read_npy(dir / "missing.npy"), UserError);
}

TEST(Npy, NanIsRefusedWhereFiniteValuesAreRequired) {
  testing::TempDir dir;
  std::vector<double> d{1.0, std::nan(""), 2.0};
  io::write_npy(dir / "n.npy", std::span<const double>(d), {3});
  EXPECT_THROW(io::read_npy_finite(dir / "n.npy"), UserError);
  EXPECT_TRUE(std::isnan(io::read_npy(dir / "n.npy").values[1]));
}

TEST(Config, ReadsTypedValuesWithDefaults) {
  auto config = io::ConfigReader::from_string("[model]\nunits = 50\nnoise = 0.2\n", "test.toml");
  auto model = config.section("model");
  EXPECT_EQ(model.integer("units", 100, 1, 10000, "units"), 50);
  EXPECT_DOUBLE_EQ(model.number("noise", 0.1, 0, 10, "noise sd"), 0.2);
  EXPECT_DOUBLE_EQ(model.number("tau", 1.0, 0, 10, "tau"), 1.0);
  EXPECT_NO_THROW(config.finish());
}

TEST(Config, UnknownKeyNamesTheKeyAndTheAllowedOnes) {
  auto config = io::ConfigReader::from_string("[model]\nunit = 50\n", "test.toml");
  config.section("model").integer("units", 100, 1, 10000, "units");
  try {
    config.finish();
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'model.unit'"), std::string::npos) << message;
    EXPECT_NE(message.find("model.units"), std::string::npos) << message;
  }
}

TEST(Config, WrongTypeOutOfRangeAndBadChoiceAreUserErrors) {
  auto config = io::ConfigReader::from_string(
      "a = \"x\"\nb = -1\nc = \"pentagon\"\nd = 1.5\n", "test.toml");
  EXPECT_THROW(config.integer("a", 1, 0, 5, ""), UserError);
  EXPECT_THROW(config.integer("b", 1, 0, 5, ""), UserError);
  EXPECT_THROW(config.choice("c", "square", {"square", "hexagon"}, ""), UserError);
  EXPECT_THROW(config.integer("d", 1, 0, 5, ""), UserError);
  EXPECT_THROW(io::ConfigReader::from_string("a = [", "bad.toml"), UserError);
  EXPECT_THROW(io::ConfigReader::from_file("/nonexistent/config.toml"), UserError);
}

TEST(Config, OverridesReplaceValues) {
  auto config = io::ConfigReader::from_string("[arena]\nshape = \"square\"\n", "test.toml");
  config.apply_override("arena.shape=\"hexagon\"");
  config.apply_override("train.updates=5");
  EXPECT_EQ(config.section("arena").choice("shape", "square", {"square", "hexagon"}, ""),
            "hexagon");
  EXPECT_EQ(config.section("train").integer("updates", 1, 1, 10, ""), 5);
  EXPECT_THROW(config.apply_override("novalue"), UserError);
}

TEST(OutputDir, NothingIsLeftWhenTheCommandFails) {
  testing::TempDir dir;
  {
    io::OutputDir out(dir / "result", false);
    io::write_file_atomic(out / "a.txt", "hello");
  }  // not committed
  EXPECT_EQ(dir.entry_count(), 0u);
  {
    io::OutputDir out(dir / "result", false);
    io::write_file_atomic(out / "a.txt", "hello");
    out.commit();
  }
  EXPECT_EQ(io::read_file(dir / "result" / "a.txt"), "hello");
  EXPECT_THROW(io::OutputDir(dir / "result", false), UserError);  // not empty
}

}  // namespace
}  // namespace gridrnn
