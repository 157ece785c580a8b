#!/usr/bin/python3
"""Reference maps and the scores the field's programs give them (issue 15).

Writes the maps (NPY, float64, (n, n), NaN = unvisited bin, M[i][j] at x = c_i, y = c_j as
gridrnn reads them) into this folder, always the same ones (fixed seed). With --sources DIR,
where DIR holds google-deepmind/grid-cells' scores.py and kavli-ntnu/opexebo's opexebo/
package, it also runs those programs on every map and writes reference.json:

  deepmind: scores.py GridScorer(n, ..., mask_parameters = zip([0.2] * 10,
            linspace(0.4, 1.0, 10)), min_max = False / True).get_scores(map) -> score60, score90
            (the masks of its train.py)
  opexebo:  grid_score(autocorrelation(map)) -> grid score, stats['grid_spacing'] (bins);
            border_score(map, fields_map, fields, 'square') with the fields of place_field(map)
            at its defaults (as the BNT pipeline does it) -> border score, coverage and the
            number of fields (add_border_maps: the maps for the border score).

The programs are not part of gridrnn and are not committed; get them with
  git clone https://github.com/google-deepmind/grid-cells      (scores.py)
  git clone https://github.com/kavli-ntnu/opexebo              (opexebo/)
and copy scores.py and opexebo/ into one folder. Needs numpy, scipy, scikit-image,
matplotlib (Debian: python3-scipy python3-skimage python3-matplotlib python3-astropy; opexebo
imports astropy in modules these scores do not use).

  /usr/bin/python3 tests/analysis/reference_scores/make_reference.py              # maps only
  /usr/bin/python3 tests/analysis/reference_scores/make_reference.py --sources /tmp/ref \
      --provenance "grid-cells d1a2304, opexebo 41bea83 (0.7.2)"
"""
import argparse
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy.ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
BOX = 2.2  # arena width; the map covers [-1.1, 1.1]^2
PEAK = 10.0  # peak rate of the generated maps (Hz-like, above opexebo's 1 Hz field minimum)


def centres(n):
    return -BOX / 2 + (np.arange(n) + 0.5) * BOX / n


def grid_xy(n):
    c = centres(n)
    return np.meshgrid(c, c, indexing="ij")  # X[i, j] = c_i, Y[i, j] = c_j


def waves(n, spacing, orientation_deg, phase, count, step_deg):
    """Sum of `count` plane waves whose wave vectors are step_deg apart; a lattice of the given
    spacing (distance between neighbouring peaks)."""
    x, y = grid_xy(n)
    if count == 3:  # hexagonal: |k| = 4 pi / (sqrt(3) spacing)
        k = 4 * math.pi / (math.sqrt(3) * spacing)
    else:  # square (count 2) and bands (count 1): |k| = 2 pi / spacing
        k = 2 * math.pi / spacing
    total = np.zeros_like(x)
    for j in range(count):
        a = math.radians(orientation_deg + j * step_deg)
        total += np.cos(k * (math.cos(a) * (x - phase[0]) + math.sin(a) * (y - phase[1])))
    return total


def hexagonal(n, spacing, orientation_deg, phase, rectified=False):
    g = waves(n, spacing, orientation_deg, phase, 3, 60.0)
    g = np.maximum(g, 0.0) / 3.0 if rectified else (g + 1.5) / 4.5
    return PEAK * g


def square(n, spacing, orientation_deg, phase):
    g = waves(n, spacing, orientation_deg, phase, 2, 90.0)
    return PEAK * (g + 2.0) / 4.0


def band(n, wavelength, orientation_deg, phase):
    g = waves(n, wavelength, orientation_deg, phase, 1, 0.0)
    return PEAK * (g + 1.0) / 2.0


def gaussian_fields(n, fields):
    x, y = grid_xy(n)
    total = np.zeros_like(x)
    for (cx, cy, sigma, amplitude) in fields:
        total += amplitude * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma ** 2))
    return PEAK * total


def wall_field(n, wall, width):
    """A field along one wall, decaying with the distance from it, its rate varying by +-20%
    along the wall (a map exactly constant along an axis makes scores.py return NaN: its SAC
    divides a rounding residue by a zero standard deviation and nan_to_num turns the infinity
    into 1.8e308)."""
    x, y = grid_xy(n)
    distance = {"west": x + BOX / 2, "east": BOX / 2 - x, "south": y + BOX / 2,
                "north": BOX / 2 - y}[wall]
    along = y if wall in ("west", "east") else x
    return PEAK * np.exp(-distance / width) * (0.8 + 0.2 * np.cos(2 * math.pi * along / BOX + 0.7))


def smooth_noise(rng, n, sigma_bins):
    """Rectified Gaussian-filtered white noise (the issue's smooth null maps)."""
    field = scipy.ndimage.gaussian_filter(rng.standard_normal((n, n)), sigma_bins, mode="reflect")
    field /= field.std()
    return PEAK * np.maximum(field, 0.0) / 3.0


def silent_below(m, fraction):
    m = m.copy()
    m[m < fraction * np.nanmax(m)] = 0.0
    return m


def unvisited(rng, m, fraction):
    m = m.copy()
    k = int(round(fraction * m.size))
    flat = rng.choice(m.size, size=k, replace=False)
    m.flat[flat] = np.nan
    return m


def circle(m):
    n = m.shape[0]
    x, y = grid_xy(n)
    m = m.copy()
    m[np.hypot(x, y) > BOX / 2] = np.nan
    return m


def make_maps():
    rng = np.random.default_rng(20240615)
    maps = {}
    # Hexagonal grids at three spacings and orientations (two forms: raised cosine sum, rectified).
    maps["hex_s050_o00_n20"] = hexagonal(20, 0.50, 0.0, (0.10, -0.20))
    maps["hex_s070_o10_n20"] = hexagonal(20, 0.70, 10.0, (-0.30, 0.05), rectified=True)
    maps["hex_s090_o23_n20"] = hexagonal(20, 0.90, 23.0, (0.20, 0.40))
    maps["hex_s060_o07_n32"] = hexagonal(32, 0.60, 7.0, (0.00, 0.00), rectified=True)
    maps["hex_s040_o41_n32"] = hexagonal(32, 0.40, 41.0, (0.15, -0.35))
    # Square grids.
    maps["square_s060_o00_n20"] = square(20, 0.60, 0.0, (0.05, 0.10))
    maps["square_s080_o20_n20"] = square(20, 0.80, 20.0, (-0.20, 0.30))
    maps["square_s055_o05_n32"] = square(32, 0.55, 5.0, (0.00, -0.10))
    # Bands.
    maps["band_w060_o30_n20"] = band(20, 0.60, 30.0, (0.0, 0.0))
    maps["band_w090_o100_n32"] = band(32, 0.90, 100.0, (0.1, 0.0))
    # Single and double place fields (the Gaussian sigma 0.25 in a 2.2 box: issue 15's failure).
    maps["place_s025_c_n20"] = gaussian_fields(20, [(0.0, 0.0, 0.25, 1.0)])
    maps["place_s025_c_n32"] = gaussian_fields(32, [(0.0, 0.0, 0.25, 1.0)])
    maps["place_s025_off_n20"] = gaussian_fields(20, [(0.35, -0.25, 0.25, 1.0)])
    maps["place_s040_off_n32"] = gaussian_fields(32, [(-0.40, 0.50, 0.40, 1.0)])
    maps["double_place_n20"] = gaussian_fields(20, [(-0.50, -0.30, 0.20, 1.0), (0.45, 0.50, 0.20, 0.7)])
    maps["double_place_n32"] = gaussian_fields(32, [(-0.30, 0.60, 0.25, 0.8), (0.55, -0.40, 0.30, 1.0)])
    # Wall fields.
    maps["wall_west_n20"] = wall_field(20, "west", 0.15)
    maps["wall_north_n32"] = wall_field(32, "north", 0.20)
    # Noise and smoothed noise.
    maps["noise_uniform_n20"] = PEAK * rng.uniform(size=(20, 20))
    maps["noise_normal_n32"] = 5.0 + rng.standard_normal((32, 32))
    maps["smooth_noise_s1_n20"] = smooth_noise(rng, 20, 1.0)
    maps["smooth_noise_s2_n20"] = smooth_noise(rng, 20, 2.0)
    maps["smooth_noise_s3_n20"] = smooth_noise(rng, 20, 3.0)
    maps["smooth_noise_s2_n32"] = smooth_noise(rng, 32, 2.0)
    # 25% unvisited bins.
    maps["hex_s050_nan25_n20"] = unvisited(rng, hexagonal(20, 0.50, 12.0, (0.0, 0.1)), 0.25)
    maps["square_s060_nan25_n32"] = unvisited(rng, square(32, 0.60, 0.0, (0.1, 0.1)), 0.25)
    maps["place_s025_nan25_n20"] = unvisited(rng, gaussian_fields(20, [(0.1, 0.2, 0.25, 1.0)]), 0.25)
    maps["smooth_noise_s2_nan25_n20"] = unvisited(rng, smooth_noise(rng, 20, 2.0), 0.25)
    # Circular mask (NaN outside the inscribed circle).
    maps["hex_s060_circle_n20"] = circle(hexagonal(20, 0.60, 3.0, (0.0, 0.0)))
    maps["place_s025_circle_n32"] = circle(gaussian_fields(32, [(0.3, 0.1, 0.25, 1.0)]))
    maps["smooth_noise_s2_circle_n20"] = circle(smooth_noise(rng, 20, 2.0))
    # Coarser lattices (spacing >= 10 bins): opexebo's grid statistics reject SAC peaks within 4
    # bins of its masks, so only these give it a spacing from real peaks.
    maps["hex_s100_o15_n32"] = hexagonal(32, 1.00, 15.0, (0.1, 0.2))
    maps["hex_s075_o50_n40"] = hexagonal(40, 0.75, 50.0, (-0.2, 0.0), rectified=True)
    maps["hex_s090_o30_n40"] = hexagonal(40, 0.90, 30.0, (0.3, -0.1))
    maps["square_s090_o10_n40"] = square(40, 0.90, 10.0, (0.0, 0.2))
    # Fields on a silent background (rates below 2.5% of the peak set to 0): opexebo's field
    # search accepts peaks only more than 4 bins away from a zero bin, so its border score
    # needs such maps.
    maps["wall_west_cut_n32"] = silent_below(wall_field(32, "west", 0.12), 0.025)
    maps["wall_south_cut_n40"] = silent_below(wall_field(40, "south", 0.10), 0.025)
    maps["place_s025_cut_n32"] = silent_below(gaussian_fields(32, [(0.2, -0.1, 0.25, 1.0)]), 0.025)
    add_border_maps(maps)
    return maps


def unvisited_block(m, i0, i1, j0, j1):
    m = m.copy()
    m[i0:i1, j0:j1] = np.nan
    return m


def add_border_maps(maps):
    """Maps for the border score (issue 15, part 2), with a generator of their own so that the
    maps above stay as they were. Most are fields on a silent background (rates below a few
    percent of the peak set to 0), as recorded firing maps are: opexebo's place_field rejects
    peaks within 4 bins of a zero bin and, on a map without any zero bin, keeps every peak at
    bin (0, 0), so on maps without a silent background it finds a field only where one covers
    bin (0, 0)."""
    rng = np.random.default_rng(20240616)
    # Wall fields on each wall, three widths and sizes.
    for wall, n, width in (("west", 20, 0.15), ("east", 32, 0.12), ("south", 32, 0.20), ("north", 40, 0.10),
                           ("east", 40, 0.18), ("north", 20, 0.12)):
        maps[f"wall_{wall}_w{round(width * 100):03d}_cut_n{n}"] = silent_below(wall_field(n, wall, width), 0.03)
    # Without a silent background: a field only where it covers bin (0, 0) (west and south walls).
    maps["wall_south_n32"] = wall_field(32, "south", 0.15)
    maps["wall_east_n32"] = wall_field(32, "east", 0.15)
    # A field along two walls (an L).
    maps["wall_two_cut_n32"] = silent_below(np.maximum(wall_field(32, "west", 0.12), wall_field(32, "north", 0.12)), 0.03)
    # Corner fields.
    maps["corner_sw_cut_n32"] = silent_below(gaussian_fields(32, [(-1.1, -1.1, 0.35, 1.0)]), 0.03)
    maps["corner_ne_cut_n40"] = silent_below(gaussian_fields(40, [(1.0, 1.05, 0.30, 1.0)]), 0.03)
    maps["corner_nw_cut_n20"] = silent_below(gaussian_fields(20, [(-1.05, 1.1, 0.40, 1.0)]), 0.03)
    # Central and off-centre fields.
    maps["central_s030_cut_n40"] = silent_below(gaussian_fields(40, [(0.0, 0.0, 0.30, 1.0)]), 0.03)
    maps["central_s040_cut_n20"] = silent_below(gaussian_fields(20, [(0.1, 0.1, 0.40, 1.0)]), 0.03)
    maps["double_place_cut_n40"] = silent_below(
        gaussian_fields(40, [(-0.5, -0.4, 0.22, 1.0), (0.5, 0.45, 0.25, 0.8)]), 0.03)
    maps["near_wall_place_cut_n32"] = silent_below(gaussian_fields(32, [(0.0, -0.75, 0.22, 1.0)]), 0.03)
    # Noise: rectified white noise, and smoothed noise at widths where blobs exceed 4 bins.
    maps["noise_rectified_n32"] = PEAK * np.maximum(rng.standard_normal((32, 32)), 0.0) / 3.0
    maps["smooth_noise_s3_n40"] = smooth_noise(rng, 40, 3.0)
    maps["smooth_noise_s4_n40"] = smooth_noise(rng, 40, 4.0)
    maps["smooth_noise_s5_n40"] = smooth_noise(rng, 40, 5.0)
    maps["smooth_noise_s4_n32"] = smooth_noise(rng, 32, 4.0)
    # Bands (rectified: stripes on a silent background), one parallel to a wall.
    maps["band_w150_o00_cut_n40"] = silent_below(band(40, 1.5, 0.0, (0.0, 0.0)), 0.1)
    maps["band_w140_o35_cut_n40"] = silent_below(band(40, 1.4, 35.0, (0.2, 0.0)), 0.1)
    # Grids (rectified hexagonal lattices with silent gaps).
    maps["hex_s110_o10_cut_n40"] = silent_below(hexagonal(40, 1.10, 10.0, (0.1, 0.2), rectified=True), 0.05)
    maps["hex_s090_o25_cut_n40"] = silent_below(hexagonal(40, 0.90, 25.0, (-0.2, 0.1), rectified=True), 0.05)
    # Unvisited bins: random, and blocks (on the field's wall and elsewhere).
    maps["wall_west_nan15_cut_n32"] = unvisited(rng, silent_below(wall_field(32, "west", 0.15), 0.03), 0.15)
    maps["wall_north_nanblock_cut_n32"] = unvisited_block(silent_below(wall_field(32, "north", 0.15), 0.03),
                                                          10, 16, 26, 32)
    maps["wall_east_nanblock_cut_n40"] = unvisited_block(silent_below(wall_field(40, "east", 0.12), 0.03),
                                                         0, 12, 12, 25)
    maps["central_nan20_cut_n32"] = unvisited(rng, silent_below(gaussian_fields(32, [(0.1, -0.1, 0.3, 1.0)]), 0.03),
                                              0.20)
    maps["corner_se_nanblock_cut_n32"] = unvisited_block(
        silent_below(gaussian_fields(32, [(1.1, -1.1, 0.35, 1.0)]), 0.03), 0, 8, 0, 8)


def finite_or_none(v):
    v = float(v)
    return v if math.isfinite(v) else None


def deepmind_scores(scores, m):
    n = m.shape[0]
    out = {}
    for variant, min_max in (("mean", False), ("min_max", True)):
        masks = zip([0.2] * 10, np.linspace(0.4, 1.0, num=10).tolist())
        scorer = scores.GridScorer(n, ((-1.1, 1.1), (-1.1, 1.1)), masks, min_max=min_max)
        s60, s90, _, _, _ = scorer.get_scores(m)
        out[variant] = {"score60": finite_or_none(s60), "score90": finite_or_none(s90)}
    return out


def opexebo_scores(opexebo, m):
    acorr = opexebo.analysis.autocorrelation(m)
    gscore, stats = opexebo.analysis.grid_score(acorr)
    fields, fields_map = opexebo.analysis.place_field(m)
    fields = [{"field_map": f["map"]} for f in fields]
    border, coverage = opexebo.analysis.border_score(m, fields_map, fields, "square")
    positions = np.asarray(stats["grid_positions"], dtype=float).reshape(-1, 2)
    # Peaks opexebo's peak search rejects stay in its list as (0, 0); a spacing that contains
    # one is the distance to the SAC's corner, not a lattice spacing.
    spacing_from_peaks = bool(np.all(np.isfinite(positions)) and not np.any(np.all(positions == 0, axis=1)))
    return {"grid_score": finite_or_none(gscore), "grid_spacing_bins": finite_or_none(stats["grid_spacing"]),
            "grid_spacing_from_peaks": spacing_from_peaks, "fields": len(fields),
            "border_score": finite_or_none(border), "border_coverage": finite_or_none(coverage)}


def cell(v):
    return "   None" if v is None else f"{v:7.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", help="folder with scores.py and opexebo/ (then reference.json is written)")
    parser.add_argument("--provenance", default="", help="where the sources came from (commits, versions)")
    args = parser.parse_args()
    maps = make_maps()
    for name, m in maps.items():
        np.save(os.path.join(HERE, name + ".npy"), m.astype(np.float64))
    print(f"wrote {len(maps)} maps into {HERE}")
    if not args.sources:
        return 0
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, os.path.abspath(args.sources))
    import scipy.signal  # noqa: F401  (scores.py uses scipy.ndimage.interpolation without importing it)
    import scipy.ndimage.interpolation  # noqa: F401
    import scipy.stats  # noqa: F401
    import skimage
    import scores
    import opexebo
    out = {
        "description": "scores.py and opexebo on the maps of make_reference.py (issue 15)",
        "provenance": args.provenance,
        "versions": {"opexebo": opexebo.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "scikit-image": skimage.__version__,
                     "python": sys.version.split()[0]},
        "maps": {},
    }
    for name, m in maps.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both programs divide by zero at empty lags on purpose
            entry = {"file": name + ".npy", "bins": int(m.shape[0]),
                     "unvisited": int(np.isnan(m).sum()),
                     "deepmind": deepmind_scores(scores, m), "opexebo": opexebo_scores(opexebo, m)}
        out["maps"][name] = entry
        d, o = entry["deepmind"], entry["opexebo"]
        print(f"{name:28s} dm mean {cell(d['mean']['score60'])} {cell(d['mean']['score90'])}  "
              f"min_max {cell(d['min_max']['score60'])} {cell(d['min_max']['score90'])}  "
              f"opexebo {cell(o['grid_score'])} spacing {cell(o['grid_spacing_bins'])}"
              f"{'' if o['grid_spacing_from_peaks'] else '*'} fields {o['fields']} border {cell(o['border_score'])}")
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=False)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
