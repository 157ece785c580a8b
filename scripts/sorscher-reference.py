#!/usr/bin/env python3
"""gridrnn's `sorscher` motion against the reference rule it follows (docs/design.md, "Motion model
`sorscher`").

Usage: scripts/sorscher-reference.py SIMULATE_DIR [SEED]

SIMULATE_DIR is the --out folder of `gridrnn simulate` for model = "sorscher", start = "uniform"
in the default square (side 2 = 2 m), e.g. with s.toml holding
`[motion]` `model = "sorscher"` and `start = "uniform"`:

    gridrnn simulate --config s.toml --arena square --trials 2000 --steps 1000 --seed 5 --out S

The script simulates the same number of paths and steps with the reference's rule (the
trajectory generator of ganguli-lab/grid-pattern-formation: 4 box walls, no hard wall),
re-implemented here with numpy (seed SEED, default 11), and prints for both: the speed per step,
the share of positions outside the box and near its walls, the per-step turn, and two-sample
Kolmogorov-Smirnov distances between the two. Needs numpy (Debian: python3-numpy).
"""
import math
import sys

import numpy as np

DT, TURN_RATE_SD, RAYLEIGH_SCALE, BORDER, SLOW, SIDE = 0.02, 11.52, 0.13 * 2 * math.pi, 0.03, 0.25, 2.0


def reference_paths(trials, steps, seed):
    """The reference's rule: positions (T+1, B, 2), speeds (T, B) in m per step, headings (T, B)."""
    rng = np.random.default_rng(seed)
    half = SIDE / 2
    positions = np.empty((steps + 1, trials, 2))
    headings = np.empty((steps + 1, trials))
    speeds = np.empty((steps, trials))
    positions[0] = rng.uniform(-half, half, (trials, 2))
    headings[0] = rng.uniform(0, 2 * math.pi, trials)
    wall_direction = np.array([0.0, 0.5, 1.0, 1.5]) * math.pi  # outward normals: +x, +y, -x, -y
    for t in range(steps):
        x, y = positions[t, :, 0], positions[t, :, 1]
        gaps = np.stack([half - x, half - y, half + x, half + y])
        nearest = gaps.argmin(0)
        angle = np.remainder(headings[t] - wall_direction[nearest] + math.pi, 2 * math.pi) - math.pi
        facing = (gaps.min(0) < BORDER) & (np.abs(angle) < math.pi / 2)
        turn = np.where(facing, np.sign(angle) * (math.pi / 2 - np.abs(angle)), 0.0)
        speed = rng.rayleigh(RAYLEIGH_SCALE, trials) * np.where(facing, SLOW, 1.0)
        turn += DT * rng.normal(0.0, TURN_RATE_SD, trials)
        speeds[t] = speed * DT
        step = np.stack([np.cos(headings[t]), np.sin(headings[t])], -1)
        positions[t + 1] = positions[t] + speeds[t][:, None] * step
        headings[t + 1] = headings[t] + turn
    return positions, speeds, headings[:-1]


def ks_distance(a, b):
    a, b = np.sort(a), np.sort(b)
    both = np.concatenate([a, b])
    return np.max(np.abs(np.searchsorted(a, both, "right") / a.size -
                         np.searchsorted(b, both, "right") / b.size))


def summary(name, positions, speeds, headings):
    gap = (SIDE / 2 - np.abs(positions)).min(-1)  # distance to the box's wall, < 0 outside
    turns = np.diff(headings, axis=0)
    print(f"{name}: speed/step mean {speeds.mean():.5f} m, SD {speeds.std():.5f}; positions outside "
          f"{np.mean(gap < 0) * 100:.2f}%, inside within 3 cm {np.mean((gap >= 0) & (gap < 0.03)) * 100:.2f}%,"
          f" within 10 cm {np.mean(gap < 0.1) * 100:.2f}%; turn/step SD {turns.std():.4f} rad, "
          f"99.9th percentile of |turn| {np.quantile(np.abs(turns), 0.999):.3f}")
    return gap.ravel(), speeds.ravel(), turns.ravel()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    folder = sys.argv[1].rstrip("/")
    seed = int(sys.argv[2]) if len(sys.argv) == 3 else 11
    ours = [np.load(f"{folder}/{name}.npy") for name in ("positions", "speeds", "headings")]
    if np.abs(ours[0]).max() > SIDE / 2 * (1 + 1e-9):
        sys.exit(f"{folder}: positions leave the square of side {SIDE}; simulate the default square")
    steps, trials = ours[1].shape
    reference = summary("reference rule (numpy)", *reference_paths(trials, steps, seed))
    gridrnn = summary("gridrnn sorscher      ", *ours)
    print("two-sample KS D: distance to the wall {:.4f}, speed {:.4f}, turn {:.4f}".format(
        *(ks_distance(a, b) for a, b in zip(reference, gridrnn))))


if __name__ == "__main__":
    main()
