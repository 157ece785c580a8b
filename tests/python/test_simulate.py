# gridrnn.simulate gives the same paths as `gridrnn simulate` with the same config, bit for bit.
import numpy as np
import pytest

import gridrnn


def test_simulate_equals_the_command(gridrnn_cli, tmp_path):
    config = tmp_path / "paths.toml"
    config.write_text('[arena]\nshape = "hexagon"\n[motion]\nmodel = "rodent"\n[simulate]\nsteps = 40\n')
    gridrnn_cli("simulate", "--config", config, "--trials", 3, "--seed", 7, "--out", tmp_path / "cli")
    paths = gridrnn.simulate(config, {"simulate.trials": 3, "simulate.seed": 7}, threads=1)
    assert paths["positions"].shape == (41, 3, 2)
    assert paths["inputs"].dtype == np.float32 and paths["inputs"].shape == (40, 3, 2)
    for name in ("positions", "headings", "speeds", "inputs"):
        np.testing.assert_array_equal(paths[name], np.load(tmp_path / "cli" / f"{name}.npy"), err_msg=name)
    assert paths["arena"] == "hexagon"
    assert "trials = 3" in paths["config"]


def test_simulate_overrides_and_defaults():
    paths = gridrnn.simulate(overrides={"arena.shape": "circle", "simulate.steps": 10, "simulate.trials": 2,
                                        "simulate.encoding": "velocity"})
    assert paths["speeds"].shape == (10, 2) and paths["inputs"].shape == (10, 2, 2)
    radius = np.hypot(paths["positions"][..., 0], paths["positions"][..., 1])
    assert radius.max() <= 1.2


def test_simulate_bad_config_raises_value_error_naming_the_key():
    with pytest.raises(ValueError, match="simulate.stesp"):
        gridrnn.simulate(overrides={"simulate.stesp": 10})
    with pytest.raises(ValueError, match="simulate.steps"):
        gridrnn.simulate(overrides={"simulate.steps": 0})
    with pytest.raises(ValueError, match="config value"):
        gridrnn.simulate(overrides={"simulate.steps": object()})
