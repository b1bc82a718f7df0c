"""Suite-wide settings: property tests explore at random locally and replay a fixed set in CI.

Locally, hypothesis draws new examples on every run (and keeps failures in ``.hypothesis/``);
with ``CI`` set, it draws the same examples every time, so a run of ``.ci/run`` is reproducible.
The ``bench_module`` fixture loads a fit script of ``bench/`` as a module.
"""

import importlib.util
import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def bench_module():
    """A loader of a fit script of bench/ as a module, by name (the test is skipped where
    bench/ is not installed)."""
    def load(name):
        path = Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
        if not path.exists():
            pytest.skip("bench/ is not part of an installed package")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return load
