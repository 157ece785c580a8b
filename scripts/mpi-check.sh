#!/usr/bin/env bash
# MPI acceptance check (ctest test `mpi_check`, registered when GRIDRNN_MPI is ON):
#   1. a short Hessian-free training under `mpirun -np 2` gives byte-identical network/*.npy and
#      checkpoint.bin to -np 1 (and to the binary run without mpirun);
#   2. a run trained 2 updates under -np 2, then resumed under -np 2, matches the straight run;
#   3. a sweep of 4 tiny runs over 2 ranks writes 4 rows to summary.csv, all done and analyzed
#      (units per class add up to the run's units);
#   4. a sweep with one broken config completes the others and marks that one failed.
#   scripts/mpi-check.sh path/to/gridrnn
set -euo pipefail
gridrnn="$(realpath "$1")"
work="$(mktemp -d /tmp/gridrnn-mpi-check-XXXXXX)"
trap 'rm -rf "$work"' EXIT
mpirun=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
export OMP_NUM_THREADS=1 GRIDRNN_NO_PROGRESS=1
fail() { echo "mpi_check FAILED: $*" >&2; exit 1; }

# 320 trials with curvature_fraction 0.4: 2 curvature chunks + 2 others, so both ranks share
# the gradient and the G v work.
cat > "$work/tiny.toml" <<'TOML'
[task]
steps = 20
trials = 320
validation_trials = 64
encoding = "speed_cos_sin"
[model]
units = 12
[train]
updates = 4
validate_every = 2
checkpoint_every = 1
[hessian_free]
curvature_fraction = 0.4
TOML

same_run() {  # same_run A B: network files and checkpoint byte-identical
  for f in "$1"/network/*.npy "$1"/checkpoint.bin; do
    cmp -s "$f" "$2/${f#"$1"/}" || fail "$(basename "$f") differs between $1 and $2"
  done
}

echo "== training: -np 1 vs -np 2 (4 Hessian-free updates)"
"$gridrnn" train --config "$work/tiny.toml" --out "$work/plain" --threads 1 > "$work/plain.log"
"${mpirun[@]}" -np 1 "$gridrnn" train --config "$work/tiny.toml" --out "$work/np1" --threads 1 > "$work/np1.log"
"${mpirun[@]}" -np 2 "$gridrnn" train --config "$work/tiny.toml" --out "$work/np2" --threads 1 > "$work/np2.log"
grep -q "over 2 MPI ranks" "$work/np2.log" || fail "-np 2 did not run data-parallel: $(cat "$work/np2.log")"
same_run "$work/np1" "$work/np2"
same_run "$work/plain" "$work/np2"
[ "$(wc -l < "$work/np2/metrics.jsonl")" -eq 4 ] || fail "metrics.jsonl of -np 2 has $(wc -l < "$work/np2/metrics.jsonl") lines, expected 4"
echo "bit-identical: network/*.npy and checkpoint.bin"

echo "== checkpoint and resume under -np 2"
"${mpirun[@]}" -np 2 "$gridrnn" train --config "$work/tiny.toml" --out "$work/resumed" --until 2 --threads 1 > /dev/null
"${mpirun[@]}" -np 2 "$gridrnn" train --resume "$work/resumed" --threads 1 > /dev/null
same_run "$work/np1" "$work/resumed"
echo "resumed run matches the straight run"

echo "== sweep of 4 tiny runs over 2 ranks"
# The [set] block both sweeps share: tiny, fast runs with a small analysis.
tiny_set='[set]
"train.updates" = 2
"train.optimizer" = "adam"
"task.trials" = 16
"evaluation.trials" = 4
"evaluation.steps" = 100
"analysis.shuffles" = 4
"analysis.min_shift" = 50
"analysis.bins" = 8'
cat > "$work/sweep.toml" <<TOML
base = "tiny.toml"
seeds = [1, 2]
figures = false
$tiny_set
[grid]
"loss.lambda_fr" = [0.0, 0.1]
TOML
"${mpirun[@]}" -np 2 "$gridrnn" sweep "$work/sweep.toml" --out "$work/sweep" --threads 1 > "$work/sweep.log" \
  || fail "sweep exited $?: $(cat "$work/sweep.log")"
rows=$(tail -n +2 "$work/sweep/summary.csv" | wc -l)
[ "$rows" -eq 4 ] || fail "summary.csv has $rows rows, expected 4"
[ "$(grep -c ',done,' "$work/sweep/summary.csv")" -eq 4 ] || fail "not all 4 runs done: $(cat "$work/sweep/summary.csv")"
grep -q '^\[rank 1\]' "$work/sweep.log" || fail "rank 1 trained no run: $(cat "$work/sweep.log")"
# Every row's n_* columns (units per class) are integers adding up to its units column (12).
awk -F, 'NR == 1 { for (c = 1; c <= NF; ++c) { if ($c == "units") u = c; if ($c ~ /^n_/) n[c] = 1 }; next }
         { s = 0; k = 0; for (c in n) { if ($c !~ /^[0-9]+$/) exit 1; s += $c; ++k }
           if (k != 8 || $u != 12 || s != $u) exit 1 }' "$work/sweep/summary.csv" \
  || fail "units per class missing or not adding up to 12: $(cat "$work/sweep/summary.csv")"
echo "4 rows, all done and analyzed, both ranks trained"

echo "== sweep with one broken config over 2 ranks"
cat > "$work/broken.toml" <<TOML
base = "tiny.toml"
figures = false
$tiny_set
[grid]
"model.units" = [4, 5, 6]
TOML
# The model.units = 5 run finds a folder in its way that is not a run folder: it fails at run
# time (a value no config accepts would stop the sweep before any run, exit 2).
mkdir -p "$work/broken/model.units=5_seed=1"
cp "$work/broken.toml" "$work/broken/sweep.toml"
echo mine > "$work/broken/model.units=5_seed=1/notes.txt"
status=0
"${mpirun[@]}" -np 2 "$gridrnn" sweep "$work/broken.toml" --out "$work/broken" --threads 1 > "$work/broken.log" || status=$?
[ "$status" -eq 1 ] || fail "broken sweep exited $status, expected 1: $(cat "$work/broken.log")"
grep -q '^model.units=5_seed=1,failed,' "$work/broken/summary.csv" || fail "broken run not marked failed: $(cat "$work/broken/summary.csv")"
[ "$(grep -c ',done,' "$work/broken/summary.csv")" -eq 2 ] || fail "the 2 good runs did not finish: $(cat "$work/broken/summary.csv")"
echo "broken run marked failed, the other 2 done"
echo "mpi_check passed"
