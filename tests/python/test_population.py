# gridrnn.analyze_population: shuffle nulls and classes on a small synthetic population.
import numpy as np
import pytest

import gridrnn


def population(samples=3000, seed=2):
    """A reflecting random walk in [-1, 1]^2 and three units: a band, a ramp and noise."""
    rng = np.random.default_rng(seed)
    xy = np.zeros((samples, 2))
    heading = rng.normal(0, 0.3, samples).cumsum()
    speeds = rng.uniform(0, 0.08, samples)
    for s in range(1, samples):
        step = xy[s - 1] + speeds[s] * np.array([np.cos(heading[s]), np.sin(heading[s])])
        xy[s] = np.clip(step, -1, 1)
    activities = np.stack([np.cos(2 * np.pi * xy[:, 0] / 0.6), xy[:, 0] + xy[:, 1],
                           rng.standard_normal(samples)], axis=1).astype(np.float32)
    return xy, heading, speeds, activities


def test_analyze_population_returns_scores_nulls_and_classes():
    xy, heading, speeds, activities = population()
    result = gridrnn.analyze_population(xy, heading, speeds, activities,
                                        options={"shuffles": 20, "min_shift": 200, "smooth_null_maps": 0, "bins": 16})
    units = result["units"]
    assert result["rate_maps"].shape == (3, 16, 16) and result["autocorrelograms"].shape == (3, 31, 31)
    assert result["null_scores"].shape == (3 * 20, 6)
    assert units["band_score"].shape == (3,)
    assert units["class"][0] == "band" and units["class"][1] == "ramp"
    assert sum(result["class_counts"].values()) == 3
    assert set(result["thresholds"]) == {"grid_score_60", "grid_score_90", "border_score", "band_score",
                                         "direction_mvl", "speed_abs_r"}
    # The scored rate maps are the module's rate maps of the same samples.
    np.testing.assert_allclose(result["rate_maps"], gridrnn.rate_maps(xy, activities, bins=16), rtol=1e-12, atol=1e-12)


def test_analyze_population_bad_options_name_the_key():
    xy, heading, speeds, activities = population(samples=100)
    with pytest.raises(ValueError, match="analysis.shufles"):
        gridrnn.analyze_population(xy, heading, speeds, activities, options={"shufles": 3})
    with pytest.raises(ValueError, match="min_shift"):  # too few samples for the shifts
        gridrnn.analyze_population(xy, heading, speeds, activities)
    with pytest.raises(ValueError, match="vertices or circle"):
        gridrnn.analyze_population(xy, heading, speeds, activities, vertices=[[0, 0], [1, 0], [0, 1]],
                                   circle=(0, 0, 1))
