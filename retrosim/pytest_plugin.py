"""retrosim's pytest plugin: fixtures for controller regression tests.

Registered on install (``[project.entry-points.pytest11]``), so a user's test needs no
set-up::

    from retrosim.testing import assert_safe, run_controller

    def test_my_controller(golden_trace):
        ds = run_controller(MyController(gain=0.5), "controller-regression")
        assert_safe(ds)
        golden_trace(ds)

- ``golden_trace(ds, name=None, tolerances=None, variables=None)`` compares ``ds`` with
  ``golden/<name or the test's name>.csv`` beside the test file (recorded if missing, or
  again with ``pytest --retrosim-update-golden``).
- ``safety_limits`` is the default
  :class:`~retrosim.controllers.safety.SafetyLimits`, to adjust with
  ``dataclasses.replace``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("retrosim")
    group.addoption("--retrosim-update-golden", action="store_true", default=False,
                    help="record the golden traces of retrosim's golden_trace fixture again")


@pytest.fixture
def golden_trace(request: Any) -> Callable[..., None]:
    """Compare a result with the test's golden trace (see the module docstring)."""
    from retrosim.testing import assert_golden

    update = bool(request.config.getoption("--retrosim-update-golden", default=False)) or None

    def compare(ds: Any, name: str | None = None, tolerances: dict[str, float] | None = None,
                variables: list[str] | None = None) -> None:
        stem = name or re.sub(r"[^\w.-]+", "_", request.node.name)
        path = request.path.parent / "golden" / f"{stem}.csv"
        assert_golden(ds, path, tolerances, update=update, variables=variables)

    return compare


@pytest.fixture
def safety_limits() -> Any:
    """The default safety limits (design defaults and sources: retrosim.controllers.safety)."""
    from retrosim.controllers.safety import SafetyLimits

    return SafetyLimits()
