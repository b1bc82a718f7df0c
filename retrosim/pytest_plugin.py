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

import hashlib
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
    # On use, as in every fixture: pytest loads this plugin in every run (testing: +0.5 s).
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
    from retrosim.controllers.safety import SafetyLimits  # on use: it loads numpy

    return SafetyLimits()


@pytest.fixture
def explore_controller(request: Any) -> Callable[..., Any]:
    """Explore a controller; fail the test with the shrunk case (module docstring)."""

    def run(controller: str, *, scenario: Any = None, budget_s: float = 60.0, seed: int = 0,
            supervisor: bool = False, params: dict[str, Any] | None = None,
            invariants: list[str] | None = None, kinds: list[str] | None = None,
            allow_import: tuple[str, ...] = ()) -> Any:
        from hypothesis import settings
        from hypothesis.database import DirectoryBasedExampleDatabase

        # On use: the explorer and Hypothesis add about 0.8 s to every pytest start.
        from retrosim.controllers.spec import ControllerSpec
        from retrosim.testing.explore import base_data, controller_table, explore

        table = controller_table(controller, params, supervisor)
        spec = ControllerSpec.from_table(table, "controller", allow_import)
        base = base_data(scenario, allow_import) if scenario is not None else {}
        key = hashlib.sha256(f"{request.node.nodeid} {controller} {seed}".encode()).digest()
        database = settings().database or DirectoryBasedExampleDatabase(
            request.config.rootpath / ".hypothesis" / "examples")    # none on CI: keep one
        result = explore(spec, base=base, budget_s=budget_s, seed_=seed, invariants=invariants,
                         kinds=kinds, database=database, database_key=key)
        if result.error is not None:
            raise result.error
        if not result.ok:
            raise AssertionError(result.line())
        return result

    return run
