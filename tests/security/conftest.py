"""Helpers of the hostile-input corpus: run the command line in this process and check that
every refusal is one line on stderr, with exit status 2 and no traceback."""

from pathlib import Path

import pytest

from retrosim.cli.main import main

SUBJECT = """\
[subject]
mass_kg = 70
age_yr = 40
sex = "male"
"""


def scenario_text(extra: str = "", stages: str = '["walk at 3 km/h for 1 min"]',
                  name: str = "hostile") -> str:
    """A small valid scenario with ``extra`` TOML appended."""
    return (f'name = "{name}"\n{SUBJECT}\n[falls]\nmodel = "none"\n\n'
            f"[arms.a]\nstages = {stages}\n\n{extra}")


@pytest.fixture
def write(tmp_path):
    """Write a scenario file; returns its path as a string."""
    def _write(text: str, name: str = "hostile.toml") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)
    return _write


@pytest.fixture
def cli(capsys):
    """Run ``retrosim ARGS...`` here; returns (status, stdout, stderr)."""
    def _cli(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        out = capsys.readouterr()
        return status, out.out, out.err
    return _cli


def assert_refused(status: int, err: str, *needles: str) -> None:
    """Exit status 2 and one line on stderr naming each needle."""
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("retrosim: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


#: Address space a command of the hostile corpus may take (a regression fails, the machine
#: stays up) and the seconds it may run.
AS_LIMIT = 3 * 2**30
TIMEOUT_S = 120


def python_process(code: str, **kwargs) -> tuple[int, str, str]:
    """Run ``python -c CODE`` as :func:`cli_process` runs the command line."""
    return cli_process(code, _module=("-c",), **kwargs)


def cli_process(*argv: str, _module: tuple[str, ...] = ("-m", "retrosim"),
                limit: int = AS_LIMIT, timeout: float = TIMEOUT_S, cwd: str | None = None,
                pythonpath: str | None = None) -> tuple[int, str, str]:
    """Run ``python -m retrosim ARGS...`` in a subprocess under an address-space limit and a
    timeout; returns (status, stdout, stderr). A hang fails the test instead of the run.
    ``pythonpath``: a folder put on the subprocess's path (a custom controller's module)."""
    import os
    import resource
    import subprocess
    import sys

    def confine() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    root = str(Path(__file__).resolve().parents[2])        # this checkout's retrosim
    path = os.pathsep.join(p for p in (pythonpath, root, os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    try:
        done = subprocess.run([sys.executable, *_module, *argv], capture_output=True,
                              text=True, timeout=timeout, preexec_fn=confine, env=env, cwd=cwd)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"retrosim {' '.join(argv)} still running after {timeout} s "
                    f"(stderr: {expired.stderr!r})")
    return done.returncode, done.stdout, done.stderr
