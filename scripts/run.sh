#!/usr/bin/env bash
# The main job on built-in defaults: installs packages, builds, simulates paths in every arena
# shape (runs/demo/<shape>/), trains and analyzes the quick preset (runs/quick/: the paper's x/y
# readout, which gives ramps) and a shortened place-cell control (runs/place/:
# configs/place_cells.toml at 8000 updates, where hexagonal grid cells emerge; about 9 minutes on
# 2 cores), and prints where the results, pictures and reports are.
#   scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh release
gridrnn=build/release/gridrnn

demo=runs/demo
mkdir -p "$demo"
for shape in square rectangle hexagon triangle circle concave; do
  out="$demo/$shape"
  rm -rf "$out"  # simulate refuses to overwrite a non-empty folder; this one is ours to replace
  if [[ "$shape" == concave ]]; then
    "$gridrnn" simulate --config configs/arena_concave.toml --steps 500 --trials 500 --out "$out"
  else
    "$gridrnn" simulate --arena "$shape" --steps 500 --trials 500 --out "$out"
  fi
done

echo
echo "== training the quick preset (configs/quick.toml) into runs/quick"
"$gridrnn" train --config configs/quick.toml --out runs/quick --force

echo
echo "== analyzing runs/quick (rate maps, scores, shuffle nulls, classes, figures, report)"
"$gridrnn" analyze runs/quick

echo
echo "== training the place-cell control (configs/place_cells.toml, shortened to 8000 updates) into runs/place"
"$gridrnn" train --config configs/place_cells.toml --out runs/place --set train.updates=8000 --force

echo
echo "== analyzing runs/place"
"$gridrnn" analyze runs/place

echo
echo "simulated paths: $(pwd)/$demo/<shape>/ (positions.npy, headings.npy, speeds.npy, inputs.npy, inputs.json)"
pictures=$(find "$demo" -name '*.png' | sort)
if [[ -n "$pictures" ]]; then
  echo "pictures (paths over the arena outline, occupancy):"
  echo "$pictures" | sed "s|^|  $(pwd)/|"
fi
echo "trained network: $(pwd)/runs/quick/ (network/, metrics.jsonl, checkpoint.bin, config.toml)"
echo "analysis: $(pwd)/runs/quick/analysis/ (rate_maps.npy, autocorr.npy, units.csv, analysis.json)"
echo "figures: $(pwd)/runs/quick/figures/"
echo "report: $(pwd)/runs/quick/report.html"
echo "place-cell control: $(pwd)/runs/place/ (the same files; report: $(pwd)/runs/place/report.html)"
echo
echo "note: the quick preset (the paper's x/y readout) learns linear ramps, not grid cells, as theory"
echo "predicts; configs/place_cells.toml (place-cell readouts) is where grid cells do emerge: runs/place"
echo "is that control shortened to 8000 updates (its classes and rate maps show triangular lattices);"
echo "the full length and the classes along training:"
echo "  $gridrnn train --config configs/place_cells.toml --out runs/place_full"
echo "  $gridrnn analyze runs/place_full --snapshots --no-figures; $gridrnn analyze runs/place_full"
echo "  (see docs/results.md, \"Where grid cells do emerge\")"
