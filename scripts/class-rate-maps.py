#!/usr/bin/env python3
"""A compact rate-map page of an analyzed run: up to K units of each class, with their scores.

usage: /usr/bin/python3 scripts/class-rate-maps.py RUN_DIR OUT.png [--per-class 16] [--classes grid_hexagonal,grid_square,band,border]

Reads RUN_DIR/analysis/rate_maps.npy (N, bins, bins) and units.csv (written by `gridrnn analyze`);
units of a class are shown in descending order of the score that defines the class (grid score 60
or 90, band score, border score). Each map is scaled from its own minimum to its own maximum; grey
bins were never visited. For docs/results/ (the full page of every unit is RUN_DIR/figures/rate_maps.png).
"""
import argparse, csv
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

p = argparse.ArgumentParser()
p.add_argument("run"); p.add_argument("out")
p.add_argument("--per-class", type=int, default=16)
p.add_argument("--classes", default="grid_hexagonal,grid_square,band,border")
p.add_argument("--title", default="")
a = p.parse_args()
maps = np.load(f"{a.run}/analysis/rate_maps.npy")
rows = list(csv.DictReader(open(f"{a.run}/analysis/units.csv")))
key = {"grid_hexagonal": "grid_score_60", "grid_square": "grid_score_90", "band": "band_score", "border": "border_score",
       "ramp": "planar_r2", "direction": "direction_mvl"}
classes = a.classes.split(",")
picked = []
for c in classes:
    units = [r for r in rows if r["class"] == c]
    units.sort(key=lambda r: -float(r[key.get(c, "grid_score_60")]))
    picked.append((c, len(units), units[: a.per_class]))
cols = 8
nrows = sum(max(1, -(-len(u) // cols)) for _, _, u in picked)
fig = plt.figure(figsize=(cols * 1.3, nrows * 1.45 + 0.8))
fig.suptitle(a.title or f"{a.run}: units per class (of {len(rows)})", fontsize=9)
row = 0
for c, total, units in picked:
    for i in range(max(1, -(-len(units) // cols)) * cols):
        ax = fig.add_subplot(nrows, cols, row * cols + i + 1)
        ax.set_xticks([]); ax.set_yticks([])
        if i == 0:
            ax.set_ylabel(f"{c}\n{total} units", fontsize=7)
        if i >= len(units):
            ax.axis("off") if i else None
            continue
        r = units[i]; m = maps[int(r["unit"])]
        cmap = matplotlib.colormaps["jet"].copy(); cmap.set_bad("0.8")
        ax.imshow(np.ma.masked_invalid(m).T, origin="lower", cmap=cmap, interpolation="nearest")
        ax.set_title(f"{r['unit']}: {float(r[key.get(c, 'grid_score_60')]):.2f}", fontsize=6, pad=2)
    row += max(1, -(-len(units) // cols))
fig.tight_layout(rect=(0, 0, 1, 0.97))
fig.savefig(a.out, dpi=90)
