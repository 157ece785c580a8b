#include <gtest/gtest.h>

#include <fstream>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/train/checkpoint.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

train::Checkpoint example() {
  train::Checkpoint c;
  c.updates_done = 17;
  c.optimizer = "hessian_free";
  c.theta = Eigen::VectorXd::LinSpaced(50, -1.0, 1.0);
  c.scalars["lambda"] = 0.125;
  c.vectors["previous_solution"] = Eigen::VectorXd::Constant(50, 0.5);
  return c;
}

TEST(Checkpoint, RoundTripsExactly) {
  testing::TempDir dir;
  train::write_checkpoint(dir / "c.bin", example());
  const auto back = train::read_checkpoint(dir / "c.bin");
  EXPECT_EQ(back.updates_done, 17);
  EXPECT_EQ(back.optimizer, "hessian_free");
  EXPECT_EQ(back.theta, example().theta);
  EXPECT_EQ(back.scalars.at("lambda"), 0.125);
  EXPECT_EQ(back.vectors.at("previous_solution"), example().vectors.at("previous_solution"));
}

TEST(Checkpoint, TruncatedFileIsRefusedWithItsName) {
  testing::TempDir dir;
  train::write_checkpoint(dir / "c.bin", example());
  std::filesystem::resize_file(dir / "c.bin", std::filesystem::file_size(dir / "c.bin") - 3);
  try {
    train::read_checkpoint(dir / "c.bin");
    FAIL() << "accepted a truncated checkpoint";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("c.bin"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(Checkpoint, AlteredByteIsCaughtByTheChecksum) {
  testing::TempDir dir;
  train::write_checkpoint(dir / "c.bin", example());
  std::string bytes = io::read_file(dir / "c.bin");
  bytes[bytes.size() / 2] ^= 0x01;
  io::write_file_atomic(dir / "c.bin", bytes);
  try {
    train::read_checkpoint(dir / "c.bin");
    FAIL() << "accepted an altered checkpoint";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }
}

TEST(Checkpoint, WrongMagicAndMissingFileAreUserErrors) {
  testing::TempDir dir;
  io::write_file_atomic(dir / "c.bin", "this is not a checkpoint at all");
  EXPECT_THROW(train::read_checkpoint(dir / "c.bin"), UserError);
  EXPECT_THROW(train::read_checkpoint(dir / "none.bin"), UserError);
}

}  // namespace
}  // namespace gridrnn
