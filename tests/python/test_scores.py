# gridrnn's Python scores equal `gridrnn score --json` on the same maps, exactly (JSON prints
# doubles in their shortest round-trip form, so equal floats are equal to the last printed
# digit); bad maps and names raise ValueError with the command's message.
import math
import pathlib

import numpy as np
import pytest

import gridrnn

REFERENCE_MAPS = sorted((pathlib.Path(__file__).resolve().parents[1] / "analysis" / "reference_scores").glob("*.npy"))
SCORE_KEYS = ["grid_score_60", "grid_score_90", "grid_spacing", "grid_orientation_deg", "band_score",
              "band_wavelength", "band_orientation_deg", "planar_r2", "border_score"]


def same(cli_value, value):
    return (cli_value is None and math.isnan(value)) or cli_value == value


def test_version():
    assert gridrnn.__version__.count(".") == 2


@pytest.mark.parametrize("convention, variant, border_convention", [
    ("deepmind", "mean", "gridrnn"), ("deepmind", "min_max", "opexebo"), ("sargolini", "mean", "opexebo")])
def test_scores_equal_the_commands_json(gridrnn_cli, convention, variant, border_convention):
    assert len(REFERENCE_MAPS) > 60
    flags = ["--convention", convention, "--variant", variant, "--border-convention", border_convention]
    cli = gridrnn_cli.json("score", *REFERENCE_MAPS, "--json", *flags)
    assert len(cli) == len(REFERENCE_MAPS)
    for row, path in zip(cli, REFERENCE_MAPS):
        scores = gridrnn.score_maps(np.load(path), convention, variant, border_convention)
        for key in SCORE_KEYS:
            assert same(row[key], scores[key]), (path.name, key, row[key], scores[key])


def test_stacks_float32_and_extent_equal_the_command(gridrnn_cli, tmp_path):
    stack = np.stack([np.load(p) for p in REFERENCE_MAPS if np.load(p).shape == (20, 20)]).astype(np.float32)
    np.save(tmp_path / "stack.npy", stack)
    extent = (-0.5, 1.5, 0.0, 2.0)
    cli = gridrnn_cli.json("score", tmp_path / "stack.npy", "--json", "--extent", *extent)
    scores = gridrnn.score_maps(stack, extent=extent)
    assert scores["grid_score_60"].shape == (len(stack),)
    for unit, row in enumerate(cli):
        for key in SCORE_KEYS:
            assert same(row[key], scores[key][unit]), (unit, key)


def test_single_scores_equal_score_maps():
    rate_map = np.load(REFERENCE_MAPS[0])
    for convention in ("deepmind", "sargolini"):
        both = gridrnn.score_maps(rate_map, convention=convention, border_convention="opexebo")
        grid = gridrnn.grid_scores(rate_map, convention=convention)
        np.testing.assert_array_equal([grid["score_60"], grid["score_90"], grid["spacing"]],
                                      [both["grid_score_60"], both["grid_score_90"], both["grid_spacing"]])
    band = gridrnn.band_score(rate_map)
    np.testing.assert_array_equal([band["score"], band["wavelength"], band["planar_r2"]],
                                  [both["band_score"], both["band_wavelength"], both["planar_r2"]])
    assert gridrnn.border_score(rate_map, convention="opexebo")["score"] == both["border_score"]


def test_autocorrelogram_shape_and_centre():
    rate_map = np.load(REFERENCE_MAPS[0])
    sac = gridrnn.autocorrelogram(rate_map)
    bx, by = rate_map.shape
    assert sac.shape == (2 * bx - 1, 2 * by - 1)
    assert sac[bx - 1, by - 1] == pytest.approx(1.0)
    assert np.allclose(sac, sac[::-1, ::-1])  # a SAC is point-symmetric


def test_rate_maps_average_activity_per_bin():
    # Four bins of a 2 x 2 map over the unit square; the top-right bin is never visited.
    positions = np.array([[0.25, 0.25], [0.25, 0.25], [0.25, 0.75], [0.75, 0.25]])
    activities = np.array([[1.0, 0.0], [3.0, 0.0], [5.0, 1.0], [7.0, 2.0]], dtype=np.float32)
    maps = gridrnn.rate_maps(positions, activities, bins=2, extent=(0, 1, 0, 1))
    assert maps.shape == (2, 2, 2)
    np.testing.assert_array_equal(maps[0], [[2.0, 5.0], [7.0, np.nan]])
    np.testing.assert_array_equal(gridrnn.rate_maps(positions, activities[:, 1], bins=2, extent=(0, 1, 0, 1)),
                                  [[0.0, 1.0], [2.0, np.nan]])


@pytest.mark.parametrize("maps, message", [
    (np.full((20, 20), np.nan), "the map is all NaN: no visited bin to score"),
    (np.zeros((3, 20, 3)), "map 0 has 20 x 3 bins: need at least 4 x 4"),
    (np.zeros(20), "maps has 1 dimension(s)"),
    (np.zeros((0, 8, 8)), "empty stack"),
])
def test_bad_maps_raise_value_error_naming_the_problem(maps, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        gridrnn.score_maps(maps)


def test_infinite_bin_has_the_commands_message(tmp_path):
    stack = np.zeros((2, 8, 8))
    stack[1, 2, 3] = np.inf
    with pytest.raises(ValueError, match="map 1 has an infinite value at bin 19: use NaN for unvisited bins"):
        gridrnn.score_maps(stack)


def test_bad_names_raise_value_error():
    rate_map = np.load(REFERENCE_MAPS[0])
    with pytest.raises(ValueError, match="deepmnd"):
        gridrnn.score_maps(rate_map, convention="deepmnd")
    with pytest.raises(ValueError, match="opexbo"):
        gridrnn.border_score(rate_map, convention="opexbo")
    with pytest.raises(ValueError, match="extent"):
        gridrnn.score_maps(rate_map, extent=(1, -1, 0, 1))
    with pytest.raises(ValueError, match="unvisited = 'nan'"):
        gridrnn.autocorrelogram(rate_map, unvisited="nan")
    with pytest.raises(ValueError, match=r"activities must have shape \(S,\) or \(S, N\) with S = 2"):
        gridrnn.rate_maps(np.zeros((2, 2)), np.zeros(3))
