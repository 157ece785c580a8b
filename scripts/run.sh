#!/usr/bin/env bash
# The main job on built-in defaults: installs packages, builds, then simulates paths in every arena
# shape (square, rectangle, hexagon, triangle, circle and a concave polygon) with the paper's motion
# model into runs/demo/<shape>/, and prints where the results and pictures are.
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
echo "results: $(pwd)/$demo/<shape>/ for shape in square rectangle hexagon triangle circle concave"
echo "  arrays: positions.npy (501, 500, 2), headings.npy, speeds.npy, inputs.npy; config.toml"
pictures=$(find "$demo" -name '*.png' | sort)
if [[ -n "$pictures" ]]; then
  echo "pictures (paths over the arena outline, occupancy):"
  echo "$pictures" | sed "s|^|  $(pwd)/|"
else
  echo "pictures: none yet (the plot module draws paths.png into each folder once merged)"
fi
