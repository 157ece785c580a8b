#!/usr/bin/python3
"""Scores 100 rate maps of 20 x 20 bins from Python (gridrnn.score_maps, timed after import) and
in the scoring phase of `gridrnn score` (bench_score_maps.cpp: the same library call over the same
maps), side by side in one run, and prints the ratio (docs/performance.md).

    PYTHONPATH=build/release/python bench/python_vs_cli_score.py [build/release]
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import gridrnn

build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build/release")
rng = np.random.default_rng(1)
x, y = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20), indexing="ij")
maps = []
for _ in range(100):  # three plane waves at random orientations and phases (grid-like) plus noise
    angles = rng.uniform(0, np.pi / 3) + np.array([0, np.pi / 3, 2 * np.pi / 3])
    k = 2 * np.pi / rng.uniform(0.4, 1.0)
    m = sum(np.cos(k * (np.cos(a) * x + np.sin(a) * y) + rng.uniform(0, 2 * np.pi)) for a in angles)
    m = m + 0.3 * rng.standard_normal(m.shape)
    m[rng.random(m.shape) < 0.05] = np.nan
    maps.append(m)
maps = np.array(maps)


def python_ms(rounds=20):
    gridrnn.score_maps(maps)  # warm up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        gridrnn.score_maps(maps)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def cli_ms(path):
    out = subprocess.run([str(build / "gridrnn_bench"), "--benchmark_filter=ScoreMapsPhase",
                          "--benchmark_repetitions=5", "--benchmark_format=json"],
                         env=dict(os.environ, GRIDRNN_BENCH_MAPS=str(path)), capture_output=True, text=True,
                         check=True).stdout
    rows = json.loads(out)["benchmarks"]
    return next(r["real_time"] for r in rows if r.get("aggregate_name") == "median")


with tempfile.TemporaryDirectory() as folder:
    path = pathlib.Path(folder) / "maps.npy"
    np.save(path, maps)
    # Interleaved, so both see the same machine load.
    py = [python_ms(), python_ms()]
    cli = [cli_ms(path), cli_ms(path)]
    py.append(python_ms())
    cli.append(cli_ms(path))
python, command = statistics.median(py), statistics.median(cli)
print(f"100 maps of 20 x 20, deepmind/mean, gridrnn border, threads {os.cpu_count()}:")
print(f"  Python gridrnn.score_maps   {python:8.2f} ms  (rounds {', '.join(f'{t:.2f}' for t in py)})")
print(f"  gridrnn score scoring phase {command:8.2f} ms  (rounds {', '.join(f'{t:.2f}' for t in cli)})")
print(f"  ratio Python / command      {python / command:8.3f}")
