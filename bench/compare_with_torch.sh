#!/usr/bin/env bash
# Side-by-side speed check of the CTRNN against the PyTorch peer, in one run (absolute times on a
# shared machine are not comparable between runs; ratios from one run are).
#   bench/compare_with_torch.sh [build-dir]      (default build/release; needs gridrnn_bench)
# Prints: the peer's best of --threads 1 and --threads 2, gridrnn's gradient and G v at the paper
# size (N = 100, M = 500, T = 500, float, 2 threads), the ratios torch/gradient and G v/gradient,
# (also measured interleaved, gradient and G v alternating, immune to load drift), the peak resident memory of the gridrnn run, the scaling in T (250, 500, 1000) and in M
# (250, 500, 1000), the floor (the gradient's FLOPs over the rate of a large single-precision
# product on both cores, measured in the same run) and gradient / floor, and torch_grad /
# trajectory batch time if BM_GeneratePaperBatchHexagon exists.
# Environment: REPS (peer repetitions, default 3), PEER (path of torch_ctrnn.py).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
bench="$build/gridrnn_bench"
peer="${PEER:-$(cd .. && pwd)/shared/peers/torch_ctrnn.py}"
[ -f "$peer" ] || peer=/work/shared/peers/torch_ctrnn.py
reps="${REPS:-3}"
[ -x "$bench" ] || { echo "no $bench: build first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

echo "== load before: $(uptime)"
for threads in 1 2; do
  /usr/bin/python3 "$peer" --threads "$threads" --reps "$reps" | tee "$tmp/torch$threads.txt"
done
torch1=$(sed -n 's/^torch_grad_s=//p' "$tmp/torch1.txt")
torch2=$(sed -n 's/^torch_grad_s=//p' "$tmp/torch2.txt")

export GRIDRNN_BENCH_THREADS=2
# Paper size alone in one process, so its peak RSS is that of one objective at the paper size.
/usr/bin/time -v "$bench" --benchmark_filter='^BM_Ctrnn(Gradient|GaussNewton)/T:500/B:500/' \
  --benchmark_min_time=2 --benchmark_format=json --benchmark_out="$tmp/paper.json" \
  > /dev/null 2> "$tmp/time.txt"
rss_kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
"$bench" --benchmark_filter='^BM_CtrnnGradient/' --benchmark_min_time=1 \
  --benchmark_format=json --benchmark_out="$tmp/scaling.json" > /dev/null
"$bench" --benchmark_filter='^BM_CtrnnGaussNewtonOverGradient/' --benchmark_min_time=3 \
  --benchmark_format=json --benchmark_out="$tmp/interleaved.json" > /dev/null
# The floor: the gradient's FLOPs over the faster large single-precision product (2000², OpenBLAS
# or Eigen) on both cores, measured in this run.
"$bench" --benchmark_filter='^BM_(SgemmFloor|EigenGemmFloor)/' --benchmark_min_time=2 \
  --benchmark_format=json --benchmark_out="$tmp/floor.json" > /dev/null
traj=""
if "$bench" --benchmark_list_tests | grep -q '^BM_GeneratePaperBatchHexagon'; then
  "$bench" --benchmark_filter='^BM_GeneratePaperBatchHexagon' --benchmark_min_time=1 \
    --benchmark_format=json --benchmark_out="$tmp/traj.json" > /dev/null
  traj="$tmp/traj.json"
fi
echo "== load after: $(uptime)"

/usr/bin/python3 - "$torch1" "$torch2" "$rss_kib" "$tmp/paper.json" "$tmp/scaling.json" "$traj" "$tmp/interleaved.json" "$tmp/floor.json" <<'PY'
import json, sys
torch1, torch2, rss_kib = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
def times(path):
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration": continue
        unit = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
        out[b["name"].replace("/real_time", "")] = b["real_time"] * unit
    return out
paper, scaling = times(sys.argv[4]), times(sys.argv[5])
grad = paper["BM_CtrnnGradient/T:500/B:500"]
gv = paper["BM_CtrnnGaussNewton/T:500/B:500"]
torch = min(torch1, torch2)
print(f"torch peer best of 1/2 threads: {torch:.3f} s  (1 thread {torch1:.3f} s, 2 threads {torch2:.3f} s)")
print(f"gridrnn gradient (N=100, M=500, T=500, float, 2 threads): {grad*1e3:.1f} ms   G v: {gv*1e3:.1f} ms")
print(f"ratio torch / gradient = {torch/grad:.1f}   (acceptance: >= 10)")
print(f"ratio G v / gradient   = {gv/grad:.2f}   (acceptance: <= 1.5; separate benchmarks)")
inter = [b for b in json.load(open(sys.argv[7]))["benchmarks"] if b.get("run_type", "iteration") == "iteration"][0]
print(f"ratio G v / gradient   = {inter['gv_over_gradient']:.2f}   (interleaved in one loop: gradient {inter['gradient_s']*1e3:.1f} ms, G v {inter['gv_s']*1e3:.1f} ms)")
print(f"peak RSS of the paper-size run = {rss_kib/1024:.0f} MiB   (acceptance: <= 2048 MiB)")
flop = 6 * 100 * 100 * 500 * 500
print(f"FLOP per gradient 6*N^2*T*M = {flop/1e9:.1f} GFLOP -> {flop/1e9/grad:.0f} GFLOP/s")
rates = {b["name"].split("/")[0]: b["GFLOPs"] for b in json.load(open(sys.argv[8]))["benchmarks"]}
rate = max(rates.values())
floor = flop / (rate * 1e9)
print(f"large sgemm on 2 threads: OpenBLAS {rates['BM_SgemmFloor']:.0f}, Eigen {rates['BM_EigenGemmFloor']:.0f} GFLOP/s; "
      f"floor {floor*1e3:.1f} ms; gradient / floor = {grad/floor:.2f}   (acceptance: <= 2)")
print("scaling (time / time at T=500, M=500):")
for name in sorted(scaling, key=lambda n: (int(n.split("T:")[1].split("/")[0]), int(n.split("B:")[1]))):
    print(f"  {name:32s} {scaling[name]*1e3:8.1f} ms   x{scaling[name]/scaling['BM_CtrnnGradient/T:500/B:500']:.2f}")
if sys.argv[6]:
    traj = times(sys.argv[6])
    for name, t in traj.items():
        print(f"torch_grad / {name} = {torch/t:.1f}  ({t*1e3:.1f} ms per batch)")
else:
    print("torch_grad / trajectory batch: n/a (BM_GeneratePaperBatchHexagon not built)")
PY
