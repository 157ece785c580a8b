# The module and the command under test: ctest sets PYTHONPATH to build/<preset>/python and
# GRIDRNN_BINARY to that build's gridrnn (python/CMakeLists.txt); by hand,
#   PYTHONPATH=build/release/python GRIDRNN_BINARY=build/release/gridrnn /usr/bin/python3 -m pytest tests/python
import json
import os
import pathlib
import subprocess

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def gridrnn_cli():
    """Runs the gridrnn command with the given arguments; returns its stdout (fails on a non-zero exit)."""
    binary = os.environ.get("GRIDRNN_BINARY", str(REPOSITORY / "build" / "release" / "gridrnn"))

    def run(*args):
        env = dict(os.environ, GRIDRNN_NO_PROGRESS="1")
        result = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run.json = lambda *args: json.loads(run(*args))
    return run
