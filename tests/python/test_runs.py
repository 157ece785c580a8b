# Runs from Python: simulate -> train -> predict -> analyze gives the same bytes as the command line
# with the same config and seed; mistakes raise ValueError naming the problem; an interrupted
# training (Ctrl-C) resumes to the bytes of a run that never stopped.
import os
import pathlib
import re
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import gridrnn

TINY = """
[task]
steps = 30
trials = 16
validation_trials = 8
encoding = "speed_cos_sin"
[model]
units = 8
[train]
updates = 3
seed = 5
[evaluation]
trials = 12
steps = 50
decoded_paths = 3
[analysis]
bins = 8
shuffles = 4
min_shift = 100
"""


def without_seconds(text):
    """metrics.jsonl without its wall-clock field, the one thing two identical runs differ in."""
    return re.sub(r'"seconds":[-0-9.e+]+', "", text)


def same_files(a, b, names):
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_round_trip_gives_the_same_bytes_as_the_command_line(tmp_path, gridrnn_cli):
    config = tmp_path / "c.toml"
    config.write_text(TINY)
    py, cli = tmp_path / "py", tmp_path / "cli"
    py.mkdir()
    cli.mkdir()

    simulated = gridrnn.simulate_folder(py / "sim", config=config)
    trained = gridrnn.train(out=py / "run", config=str(config))
    predicted = gridrnn.predict(network=py / "run" / "network", inputs=py / "sim" / "inputs.npy", out=py / "pred")
    run = gridrnn.analyze(py / "run", figures=False)

    gridrnn_cli("simulate", "--config", config, "--out", cli / "sim")
    gridrnn_cli("train", "--config", config, "--out", cli / "run")
    gridrnn_cli("predict", "--network", cli / "run" / "network", "--inputs", cli / "sim" / "inputs.npy",
                "--out", cli / "pred")
    gridrnn_cli("analyze", cli / "run", "--no-figures")

    same_files(py / "sim", cli / "sim", ["positions.npy", "headings.npy", "speeds.npy", "inputs.npy", "inputs.json",
                                         "config.toml"])
    network = sorted(p.name for p in (cli / "run" / "network").iterdir())
    assert "W_rec.npy" in network
    same_files(py / "run" / "network", cli / "run" / "network", network)
    same_files(py / "run", cli / "run", ["checkpoint.bin", "config.toml", "run.json"])
    assert without_seconds((py / "run" / "metrics.jsonl").read_text()) == \
        without_seconds((cli / "run" / "metrics.jsonl").read_text())
    same_files(py / "pred", cli / "pred", ["outputs.npy", "activities.npy"])
    analysis = sorted(p.name for p in (cli / "run" / "analysis").iterdir())
    assert {"analysis.json", "units.csv", "rate_maps.npy"} <= set(analysis)
    same_files(py / "run" / "analysis", cli / "run" / "analysis", analysis)

    # What the calls return is what the files hold.
    assert simulated["inputs"].shape == (30, 500, 3) and simulated["encoding"] == "speed_cos_sin"
    assert trained["updates_done"] == 3 and trained["validation_position_rms"] > 0
    assert predicted["outputs"].shape == (30, 500, 2) and predicted["activities"].shape == (30, 500, 8)
    np.testing.assert_array_equal(predicted["outputs"], np.load(cli / "pred" / "outputs.npy"))
    assert [m["update"] for m in run["metrics"]] == [1, 2, 3]
    np.testing.assert_array_equal(run["weights"]["W_rec"], np.load(cli / "run" / "network" / "W_rec.npy"))
    assert run["network"]["units"] == 8
    assert len(run["analysis"]["units"]["class"]) == 8
    assert run["analysis"]["rate_maps"].shape == (8, 8, 8)
    assert "[train]" in run["config"]


def test_mistakes_raise_value_error_naming_the_problem(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(TINY)
    with pytest.raises(ValueError, match="model.units"):
        gridrnn.train(out=tmp_path / "a", config=config, overrides={"model.units": 0})
    with pytest.raises(ValueError, match="nowhere.toml"):
        gridrnn.train(out=tmp_path / "b", config=tmp_path / "nowhere.toml")
    with pytest.raises(ValueError, match="not a gridrnn run folder"):
        gridrnn.resume(tmp_path)
    with pytest.raises(ValueError, match="not a gridrnn run folder"):
        gridrnn.read_run(tmp_path)
    gridrnn.train(out=tmp_path / "run", config=config)
    with pytest.raises(ValueError, match="is not empty"):
        gridrnn.train(out=tmp_path / "run", config=config)
    with pytest.raises(ValueError, match="--updates 2: the run .* has already done 3 updates"):
        gridrnn.resume(tmp_path / "run", updates=2)
    # Inputs of another encoding than the network's are refused, naming the network's.
    gridrnn.simulate_folder(tmp_path / "velocity", overrides={"simulate.encoding": "velocity", "simulate.trials": 2,
                                                             "simulate.steps": 5})
    with pytest.raises(ValueError, match="encoding 'speed_cos_sin'"):
        gridrnn.predict(network=tmp_path / "run" / "network", inputs=tmp_path / "velocity" / "inputs.npy",
                        out=tmp_path / "pred")
    # Nothing was written for the refused calls.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml", "run", "velocity"]


# A child interpreter trains long enough to be interrupted; SIGINT (Ctrl-C) arrives after its first
# updates are on disk.
CHILD = textwrap.dedent("""
    import sys, gridrnn
    try:
        gridrnn.train(out=sys.argv[1], config=sys.argv[2], threads=1)
        print("finished")
    except KeyboardInterrupt as e:
        print("interrupted:", e)
""")

LONGER = TINY.replace("updates = 3\n", "updates = 3000\n").replace("units = 8", "units = 24")


def test_interrupted_training_resumes_byte_identical(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(LONGER.replace("[train]", "[train]\noptimizer = \"adam\"\ncheckpoint_every = 50"))
    run = tmp_path / "run"
    env = dict(os.environ, GRIDRNN_NO_PROGRESS="1")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(run), str(config)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    metrics = run / "metrics.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if metrics.exists() and metrics.read_text().count("\n") >= 20:
            break
        time.sleep(0.01)
    assert child.poll() is None, "the training ended before it could be interrupted: " + child.communicate()[0]
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert out.startswith("interrupted:"), out + err
    assert "gridrnn.resume(" in out
    done = gridrnn.read_run(run)["metrics"][-1]["update"]
    assert 20 <= done < 3000

    resumed = gridrnn.resume(run, threads=1)
    assert resumed["updates_done"] == 3000
    straight = gridrnn.train(out=tmp_path / "straight", config=config, threads=1)
    assert straight["updates_done"] == 3000
    names = sorted(p.name for p in (run / "network").iterdir())
    same_files(run / "network", tmp_path / "straight" / "network", names)
    same_files(run, tmp_path / "straight", ["checkpoint.bin"])
    assert without_seconds(metrics.read_text()) == without_seconds((tmp_path / "straight" / "metrics.jsonl").read_text())
