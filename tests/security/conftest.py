"""Helpers of the hostile-input corpus: run the command line in this process and check that
every refusal is one line on stderr, with exit status 2 and no traceback."""

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
