#!/usr/bin/env bash
# Side-by-side speed check of one training step of the place-cell positive control
# (configs/place_cells.toml's model: 512 ReLU units, 512 place cells, 200 paths x 20 steps, paths
# and targets generated, gradient, Adam update) against the PyTorch peer, in one run, and against
# the floor: the step's FLOPs over the rate of a large single-precision matrix multiply on both
# cores measured in the same run (the faster of OpenBLAS and Eigen, each with 2 threads). The step
# and the floor products run as 5 repetitions of about 1 s each in random interleaved order, so
# both sample the same states of a shared machine; each is the median of its repetitions (the
# peer reports the median of its steps too).
#   bench/compare_place_with_torch.sh [build-dir]     (default build/release; needs gridrnn_bench)
# Environment: REPS (peer repetitions, default 20), PEER (path of torch_place_rnn.py).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
bench="$build/gridrnn_bench"
peer="${PEER:-$(cd .. && pwd)/shared/peers/torch_place_rnn.py}"
[ -f "$peer" ] || peer=/work/shared/peers/torch_place_rnn.py
reps="${REPS:-20}"
[ -x "$bench" ] || { echo "no $bench: build first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

echo "== load before: $(uptime)"
echo "== OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} (the same for both programs)"
for threads in 1 2; do
  /usr/bin/python3 "$peer" --bench --threads "$threads" --reps "$reps" | tee "$tmp/torch$threads.txt"
done
for threads in 1 2; do
  GRIDRNN_BENCH_THREADS=$threads "$bench" --benchmark_filter='^BM_(PlaceCellStep|SgemmFloor|EigenGemmFloor)/' \
    --benchmark_min_time=1 --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true --benchmark_format=json --benchmark_out="$tmp/gridrnn$threads.json" > /dev/null
done
echo "== load after: $(uptime)"
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
def torch(t): return float(open(f"{tmp}/torch{t}.txt").read().split("torch_step_s=")[1].split()[0])
def bench(t):
    out = {}
    for b in json.load(open(f"{tmp}/gridrnn{t}.json"))["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        unit = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
        out[b["run_name"].split("/")[0]] = (b["real_time"] * unit, b)
    return out
t1, t2 = torch(1), torch(2)
g1, g2 = bench(1), bench(2)
peer = min(t1, t2)
step1, step2 = g1["BM_PlaceCellStep"][0], g2["BM_PlaceCellStep"][0]
flop = g2["BM_PlaceCellStep"][1]["GFLOP_per_step"] * 1e9
rate = max(g2["BM_SgemmFloor"][1]["GFLOPs"], g2["BM_EigenGemmFloor"][1]["GFLOPs"]) * 1e9  # FLOP/s
floor = flop / rate
best = min(step1, step2)
print(f"torch peer best of 1/2 threads: {peer*1e3:.1f} ms (1 thread {t1*1e3:.1f}, 2 threads {t2*1e3:.1f})")
print(f"gridrnn step: {best*1e3:.1f} ms (1 thread {step1*1e3:.1f}, 2 threads {step2*1e3:.1f}), {flop*1e-9:.2f} GFLOP")
print(f"large sgemm on 2 threads: OpenBLAS {g2['BM_SgemmFloor'][1]['GFLOPs']:.0f} GFLOP/s, "
      f"Eigen {g2['BM_EigenGemmFloor'][1]['GFLOPs']:.0f} GFLOP/s; floor {floor*1e3:.1f} ms")
print(f"torch / gridrnn = {peer / best:.2f}   gridrnn / floor = {best / floor:.2f}")
PY
