#!/usr/bin/env python3
"""How long the network's start transient lasts (docs/design.md, "Start transient").

Usage: scripts/start-transient.py PREDICT_DIR [STEADY_FROM]

PREDICT_DIR is the --out folder of `gridrnn predict` (activities.npy, float32 (T, B, N)).
For every step t it prints, over units, the mean and the largest |z|: the distance of the unit's
mean activity over the B paths at step t from its mean over steps >= STEADY_FROM (default 100),
in units of its standard deviation there. Plain Python (no numpy), so it runs anywhere.
"""
import array
import ast
import math
import struct
import sys


def load_npy(path):
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            sys.exit(f"{path}: not an NPY file")
        major = f.read(2)[0]
        size = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        header = ast.literal_eval(f.read(size).decode("latin1"))
        if header["descr"] not in ("<f4", "<f8") or header["fortran_order"]:
            sys.exit(f"{path}: expected little-endian float32/float64 in C order, got {header}")
        values = array.array("f" if header["descr"] == "<f4" else "d")
        values.frombytes(f.read())
        return values, header["shape"]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    values, shape = load_npy(sys.argv[1].rstrip("/") + "/activities.npy")
    steps, paths, units = shape
    steady_from = int(sys.argv[2]) if len(sys.argv) == 3 else 100
    if not 0 < steady_from < steps:
        sys.exit(f"STEADY_FROM = {steady_from} must lie in 1 .. {steps - 1} (the paths have {steps} steps)")
    step_mean = [[0.0] * units for _ in range(steps)]
    total, squares = [0.0] * units, [0.0] * units
    for t in range(steps):
        row = step_mean[t]
        for b in range(paths):
            offset = (t * paths + b) * units
            for n in range(units):
                row[n] += values[offset + n]
                if t >= steady_from:
                    v = values[offset + n]
                    total[n] += v
                    squares[n] += v * v
        for n in range(units):
            row[n] /= paths
    count = (steps - steady_from) * paths
    mean = [s / count for s in total]
    sd = [math.sqrt(max(squares[n] / count - mean[n] ** 2, 1e-12)) for n in range(units)]
    print("step  mean|z|   max|z|")
    for t in range(steady_from):
        z = [abs(step_mean[t][n] - mean[n]) / sd[n] for n in range(units)]
        print(f"{t:4d} {sum(z) / units:8.3f} {max(z):8.3f}")


if __name__ == "__main__":
    main()
