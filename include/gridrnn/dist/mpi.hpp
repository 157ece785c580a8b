#pragma once
// Scale-out over MPI (docs/scaling.md). The model and the optimizers know nothing of MPI: this
// module supplies the model's ChunkExchange (each process computes a block of the minibatch's
// chunks; per-chunk partial sums are all-gathered and added in chunk order everywhere, so K
// processes give bit-identical results to one) and the small collectives the commands need.
//
// Without MPI (build option GRIDRNN_MPI off, or a process not started by mpirun/srun) the
// session is one process: rank 0 of 1, every collective a no-op.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "gridrnn/model/objective.hpp"

namespace gridrnn::dist {

class Session {
 public:
  // The process group; initializes MPI on first call if this process was started by an MPI
  // launcher (mpirun, mpiexec, srun: detected from their environment variables).
  static Session& instance();

  std::size_t rank() const { return rank_; }
  std::size_t ranks() const { return ranks_; }
  bool is_root() const { return rank_ == 0; }
  bool uses_mpi() const { return initialized_; }

  // The data-parallel split for CtrnnObjective::set_chunk_exchange (all_gather = MPI_Allgatherv
  // of the owned rows, then unpacked in chunk order).
  model::ChunkExchange chunk_exchange() const;
  // True on every process iff `value` is true on every process (MPI_Allreduce, logical and).
  bool all(bool value) const;
  // True on every process iff `value` is true on some process.
  bool any(bool value) const;
  void barrier() const;

  // Point-to-point integers for the sweep's dispatcher (rank 0 hands out run indices).
  // Tag 1: a request (value = the requester's rank); tag 2: the answer (a run index, or -1).
  bool poll_request(int& from) const;    // non-blocking: a pending request?
  int wait_request() const;              // blocks; returns the requester's rank
  void answer(int to, std::int64_t index) const;
  std::int64_t request_index() const;    // worker side: ask rank 0, wait for the answer

  // Ends MPI cleanly (collective). Called by commands on success; after an error the process
  // exits without it, and mpirun ends the whole job.
  void finalize();

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  Session();
  std::size_t rank_ = 0, ranks_ = 1;
  bool initialized_ = false, finalized_ = false;
};

// True if this process was started by an MPI launcher (its environment says so).
bool launched_by_mpi();
// True when a launcher started this process as one of several (its environment gives a world size
// above 1, or a rank above 0), and this gridrnn was built without MPI: each would run alone.
bool several_processes_without_mpi();

}  // namespace gridrnn::dist
