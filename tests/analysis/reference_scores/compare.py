#!/usr/bin/python3
"""Prints gridrnn's grid and border scores next to the reference programs' (reference.json) for
every map.

  /usr/bin/python3 tests/analysis/reference_scores/compare.py build/release/gridrnn

Runs `gridrnn score --json` once per convention and variant on all maps (extent 0..n, so that
spacings are in bins). Columns: ours / reference and, at the end of each line, the largest
difference of the deepmind scores (both variants), of the sargolini grid score and of the opexebo
border score (`--border-convention opexebo`).
"""
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(binary, files, bins, *flags):
    out = subprocess.run([binary, "score", "--json", "--extent", "0", str(bins), "0", str(bins), *flags, *files],
                         check=True, capture_output=True, text=True).stdout
    return {os.path.basename(e["file"]): e for e in json.loads(out)}


def num(v):
    return float("nan") if v is None else float(v)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    reference = json.load(open(os.path.join(HERE, "reference.json")))["maps"]
    by_bins = {}
    for name, e in reference.items():
        by_bins.setdefault(e["bins"], []).append(os.path.join(HERE, e["file"]))
    ours = {}
    for bins, files in by_bins.items():
        for key, flags in (("mean", ("--convention", "deepmind", "--variant", "mean")),
                           ("min_max", ("--convention", "deepmind", "--variant", "min_max")),
                           ("sargolini", ("--convention", "sargolini", "--border-convention", "opexebo"))):
            for f, e in run(binary, files, bins, *flags).items():
                ours.setdefault(f, {})[key] = e
    print(f"{'map':28s} | {'deepmind mean s60':>17s} {'s90':>15s} | {'min_max s60':>15s} {'s90':>15s} | "
          f"{'sargolini gs':>15s} {'spacing':>15s} | {'opexebo border':>15s} | max|d| dm  sarg border")
    worst_dm = worst_sg = worst_border = 0.0
    for name, e in reference.items():
        o = ours[e["file"]]
        d, r = e["deepmind"], e["opexebo"]
        cells, diffs = [], []
        for key in ("mean", "min_max"):
            for ours_key, ref_key in (("grid_score_60", "score60"), ("grid_score_90", "score90")):
                a, b = num(o[key][ours_key]), num(d[key][ref_key])
                cells.append(f"{a:7.3f}/{b:7.3f}")
                diffs.append(abs(a - b))
        a, b = num(o["sargolini"]["grid_score_60"]), num(r["grid_score"])
        sg = abs(a - b) if math.isfinite(a) and math.isfinite(b) else (0.0 if math.isnan(a) == math.isnan(b) else float("inf"))
        spacing_ref = num(r["grid_spacing_bins"]) if r["grid_spacing_from_peaks"] else float("nan")
        dm = max(diffs)
        ob, rb = num(o["sargolini"]["border_score"]), num(r["border_score"])
        border = abs(ob - rb)
        worst_dm, worst_sg, worst_border = max(worst_dm, dm), max(worst_sg, sg), max(worst_border, border)
        print(f"{name:28s} | {cells[0]:>17s} {cells[1]:>15s} | {cells[2]:>15s} {cells[3]:>15s} | "
              f"{a:7.3f}/{b:7.3f} {num(o['sargolini']['grid_spacing']):7.2f}/{spacing_ref:7.2f} | {ob:7.3f}/{rb:7.3f} | "
              f"{dm:6.3f} {sg:6.3f} {border:6.3f}")
    print(f"largest difference: deepmind {worst_dm:.2e}, sargolini grid score {worst_sg:.2e}, "
          f"opexebo border score {worst_border:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
