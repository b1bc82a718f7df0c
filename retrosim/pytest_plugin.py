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
- ``explore_controller(controller, *, scenario=None, budget_s=60, seed=0, supervisor=False,
  params=None, invariants=None, kinds=None, allow_import=())`` searches walkers, protocols
  and faults for a violation (:mod:`retrosim.testing.explore`, as ``retrosim check
  --explore``) and fails the test with the shrunk case; the project's Hypothesis example
  database keeps it, so the next run replays it first: the database of the Hypothesis
  settings in force, or ``.hypothesis/examples`` under the pytest root where they have none
  (Hypothesis's own profile on CI machines has none; a found case is still kept there)::

      def test_my_program_explored(explore_controller):
          explore_controller("mypackage.program:MyProgram", scenario="hr-controller",
                             budget_s=30, seed=1, allow_import=("mypackage",))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def _fixtures() -> Any:
    """:mod:`retrosim.testing.fixtures`, on a fixture's first use."""
    # The one deferred import: pytest loads this plugin in every run wherever retrosim is
    # installed, and the testing API, the explorer and Hypothesis add about 1.4 s to a start.
    from retrosim.testing import fixtures

    return fixtures


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("retrosim")
    group.addoption("--retrosim-update-golden", action="store_true", default=False,
                    help="record the golden traces of retrosim's golden_trace fixture again")


@pytest.fixture
def golden_trace(request: Any) -> Callable[..., None]:
    """Compare a result with the test's golden trace (see the module docstring)."""
    return _fixtures().golden_trace(request)


@pytest.fixture
def safety_limits() -> Any:
    """The default safety limits (design defaults and sources: retrosim.controllers.safety)."""
    return _fixtures().safety_limits()


@pytest.fixture
def explore_controller(request: Any) -> Callable[..., Any]:
    """Explore a controller; fail the test with the shrunk case (module docstring)."""
    return _fixtures().explore_controller(request)
