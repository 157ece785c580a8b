#!/usr/bin/python3
"""Random maps through opexebo's border_score and `gridrnn score --border-convention opexebo`.

  /usr/bin/python3 tests/analysis/reference_scores/fuzz_border.py build/release/gridrnn \\
      --sources /tmp/ref [--seed 1] [--maps 300]

Writes the maps into a temporary folder (nothing here is committed), runs opexebo 0.7.2's
border_score(map, place_field(map), 'square') on each (--sources as for make_reference.py) and
gridrnn on all of them (extent 0..n, so distances are in bins), and prints the maps where the two
differ by more than 1e-9. Map kinds, in turn: rectified smoothed noise, random Gaussian fields on a
silent background, a wall band on uniform noise, rectified noise box-filtered, noisy wall fields
on a silent background; 30% of the maps get 2-30% unvisited bins. Peaks span 0.3 to 20, so
opexebo's rescaling of maps with a peak below 1 is exercised too.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import scipy.ndimage as nd


def make_map(rng, k):
    n = int(rng.choice([16, 20, 25, 32, 40]))
    c = -1.1 + (np.arange(n) + 0.5) * 2.2 / n
    x, y = np.meshgrid(c, c, indexing="ij")
    kind = k % 5
    if kind == 0:
        m = nd.gaussian_filter(rng.standard_normal((n, n)), rng.uniform(1, 5))
        m = np.maximum(m / m.std(), 0) * rng.uniform(0.3, 20)
    elif kind == 1:
        m = np.zeros((n, n))
        for _ in range(rng.integers(1, 5)):
            m += rng.uniform(0.2, 1) * np.exp(-((x - rng.uniform(-1.2, 1.2)) ** 2 + (y - rng.uniform(-1.2, 1.2)) ** 2)
                                            / (2 * rng.uniform(0.1, 0.5) ** 2))
        m *= rng.uniform(0.5, 20)
        m[m < rng.uniform(0, 0.1) * m.max()] = 0
    elif kind == 2:
        m = 5 * np.exp(-((x - rng.uniform(-1, 1)) ** 2) / 0.1) + rng.uniform(0, 2, (n, n))
    elif kind == 3:
        m = nd.uniform_filter(np.maximum(rng.standard_normal((n, n)) + rng.uniform(-1, 1), 0) * 5, 3)
    else:
        d = [x + 1.1, 1.1 - x, y + 1.1, 1.1 - y][rng.integers(4)]
        m = 10 * np.exp(-d / rng.uniform(0.08, 0.4)) * (0.7 + 0.3 * rng.uniform(size=(n, n)))
        m[m < 0.4] = 0
    if rng.uniform() < 0.3:
        m = m.copy()
        m.flat[rng.choice(n * n, int(rng.uniform(0.02, 0.3) * n * n), replace=False)] = np.nan
    return m


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--sources", required=True, help="folder with opexebo/ (see make_reference.py)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--maps", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, os.path.abspath(args.sources))
    import opexebo
    rng = np.random.default_rng(args.seed)
    reference, by_bins = {}, collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as folder:
        for k in range(args.maps):
            m = make_map(rng, k)
            path = os.path.join(folder, f"map{k:05d}.npy")
            np.save(path, m.astype(np.float64))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fields, fields_map = opexebo.analysis.place_field(m)
                score, _ = opexebo.analysis.border_score(m, fields_map, [{"field_map": f["map"]} for f in fields],
                                                         "square")
            reference[path] = (float(score), len(fields))
            by_bins[m.shape[0]].append(path)
        differ = []
        for n, paths in by_bins.items():
            out = subprocess.run([args.binary, "score", *paths, "--json", "--border-convention", "opexebo",
                                  "--extent", "0", str(n), "0", str(n)], check=True, capture_output=True, text=True)
            for entry in json.loads(out.stdout):
                ours = float("nan") if entry["border_score"] is None else entry["border_score"]
                theirs, fields = reference[entry["file"]]
                if not abs(ours - theirs) <= 1e-9:
                    differ.append((os.path.basename(entry["file"]), ours, theirs, fields))
    with_fields = sum(1 for _, f in reference.values() if f > 0)
    print(f"{args.maps} maps ({with_fields} with opexebo fields): {len(differ)} differ by more than 1e-9")
    for name, ours, theirs, fields in differ[:20]:
        print(f"  {name}: gridrnn {ours:.6f}, opexebo {theirs:.6f} ({fields} fields)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
