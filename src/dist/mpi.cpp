#include "gridrnn/dist/mpi.hpp"

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gridrnn/core/error.hpp"

#ifdef GRIDRNN_WITH_MPI
#include <mpi.h>
#endif

namespace gridrnn::dist {

bool launched_by_mpi() {
  // Open MPI's mpirun, PMIx launchers (srun --mpi=pmix), MPICH / Hydra and Slurm's PMI2.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

bool several_processes_without_mpi() {
#ifdef GRIDRNN_WITH_MPI
  return false;
#else
  const auto above = [](const char* name, long limit) {
    const char* text = std::getenv(name);
    return text != nullptr && std::strtol(text, nullptr, 10) > limit;
  };
  return above("OMPI_COMM_WORLD_SIZE", 1) || above("PMI_SIZE", 1) ||
         above("OMPI_COMM_WORLD_RANK", 0) || above("PMIX_RANK", 0) || above("PMI_RANK", 0);
#endif
}

Session& Session::instance() {
  static Session session;
  return session;
}

#ifdef GRIDRNN_WITH_MPI

namespace {
constexpr int kTagRequest = 1, kTagAnswer = 2;

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw InternalError(std::string("MPI call failed: ") + what);
}
}  // namespace

Session::Session() {
  if (!launched_by_mpi()) return;
  int provided = 0;
  // Only the main thread calls MPI (OpenMP threads compute between the calls).
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  initialized_ = true;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rank_ = static_cast<std::size_t>(rank);
  ranks_ = static_cast<std::size_t>(size);
}

model::ChunkExchange Session::chunk_exchange() const {
  model::ChunkExchange exchange;
  exchange.rank = rank_;
  exchange.ranks = ranks_;
  if (ranks_ <= 1) return exchange;
  const std::size_t ranks = ranks_, me = rank_;
  exchange.all_gather = [ranks, me](std::span<double> rows, std::size_t width,
                                    std::span<const std::size_t> owner) {
    // Pack each rank's rows in chunk order, gather, unpack: row c comes from owner[c].
    std::vector<int> counts(ranks, 0), displs(ranks, 0);
    for (const std::size_t o : owner) counts[o] += static_cast<int>(width);
    for (std::size_t r = 1; r < ranks; ++r) displs[r] = displs[r - 1] + counts[r - 1];
    std::vector<double> mine, all(rows.size());
    mine.reserve(static_cast<std::size_t>(counts[me]));
    for (std::size_t c = 0; c < owner.size(); ++c)
      if (owner[c] == me) mine.insert(mine.end(), rows.begin() + static_cast<std::ptrdiff_t>(c * width),
                                      rows.begin() + static_cast<std::ptrdiff_t>((c + 1) * width));
    check(MPI_Allgatherv(mine.data(), counts[me], MPI_DOUBLE, all.data(), counts.data(),
                         displs.data(), MPI_DOUBLE, MPI_COMM_WORLD),
          "MPI_Allgatherv (chunk partials)");
    std::vector<int> next(displs);
    for (std::size_t c = 0; c < owner.size(); ++c) {
      const auto at = static_cast<std::size_t>(next[owner[c]]);
      std::copy(all.begin() + static_cast<std::ptrdiff_t>(at), all.begin() + static_cast<std::ptrdiff_t>(at + width),
                rows.begin() + static_cast<std::ptrdiff_t>(c * width));
      next[owner[c]] += static_cast<int>(width);
    }
  };
  return exchange;
}

bool Session::all(bool value) const {
  if (!initialized_) return value;
  int local = value ? 1 : 0, global = 0;
  check(MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD), "MPI_Allreduce");
  return global != 0;
}

bool Session::any(bool value) const {
  if (!initialized_) return value;
  int local = value ? 1 : 0, global = 0;
  check(MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
  return global != 0;
}

void Session::barrier() const {
  if (initialized_) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

bool Session::poll_request(int& from) const {
  if (!initialized_) return false;
  int flag = 0;
  MPI_Status status;
  check(MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
  if (flag == 0) return false;
  from = wait_request();
  return true;
}

int Session::wait_request() const {
  int requester = -1;
  MPI_Status status;
  check(MPI_Recv(&requester, 1, MPI_INT, MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &status), "MPI_Recv");
  return status.MPI_SOURCE;
}

void Session::answer(int to, std::int64_t index) const {
  check(MPI_Send(&index, 1, MPI_INT64_T, to, kTagAnswer, MPI_COMM_WORLD), "MPI_Send");
}

std::int64_t Session::request_index() const {
  int me = static_cast<int>(rank_);
  check(MPI_Send(&me, 1, MPI_INT, 0, kTagRequest, MPI_COMM_WORLD), "MPI_Send");
  std::int64_t index = -1;
  check(MPI_Recv(&index, 1, MPI_INT64_T, 0, kTagAnswer, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  return index;
}

void Session::finalize() {
  if (initialized_ && !finalized_) {
    MPI_Finalize();
    finalized_ = true;
  }
}

#else  // one process

Session::Session() {
  if (launched_by_mpi() && std::getenv("GRIDRNN_QUIET_MPI") == nullptr)
    std::fprintf(stderr, "warning: started by an MPI launcher, but this gridrnn was built without MPI "
                         "(cmake --preset mpi); every process runs alone\n");
}
model::ChunkExchange Session::chunk_exchange() const { return {}; }
bool Session::all(bool value) const { return value; }
bool Session::any(bool value) const { return value; }
void Session::barrier() const {}
bool Session::poll_request(int&) const { return false; }
int Session::wait_request() const { throw InternalError("wait_request without MPI"); }
void Session::answer(int, std::int64_t) const { throw InternalError("answer without MPI"); }
std::int64_t Session::request_index() const { throw InternalError("request_index without MPI"); }
void Session::finalize() {}

#endif

}  // namespace gridrnn::dist
