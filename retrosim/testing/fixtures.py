"""What the fixtures of retrosim's pytest plugin do (:mod:`retrosim.pytest_plugin`).

The plugin only registers them: pytest loads it in every run wherever retrosim is installed,
so it imports this module on a fixture's first use, not at start-up.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from retrosim.controllers.safety import SafetyLimits
from retrosim.controllers.spec import ControllerSpec
from retrosim.testing import assert_golden
from retrosim.testing.explore import Exploration, base_data, controller_table, explore


def golden_trace(request: Any) -> Callable[..., None]:
    """``compare(ds, name=None, tolerances=None, variables=None)`` against the test's golden
    trace, ``golden/<name or the test's name>.csv`` beside the test file (recorded when
    missing, or again with ``pytest --retrosim-update-golden``)."""
    update = bool(request.config.getoption("--retrosim-update-golden", default=False)) or None

    def compare(ds: Any, name: str | None = None, tolerances: dict[str, float] | None = None,
                variables: list[str] | None = None) -> None:
        stem = name or re.sub(r"[^\w.-]+", "_", request.node.name)
        path = request.path.parent / "golden" / f"{stem}.csv"
        assert_golden(ds, path, tolerances, update=update, variables=variables)

    return compare


def safety_limits() -> SafetyLimits:
    """The default safety limits (design defaults and sources: retrosim.controllers.safety)."""
    return SafetyLimits()


def explore_controller(request: Any) -> Callable[..., Exploration]:
    """``run(controller, *, scenario=None, budget_s=60, seed=0, supervisor=False, params=None,
    invariants=None, kinds=None, allow_import=())``: explore the controller and fail the test
    with the shrunk case. The Hypothesis example database in force keeps it (or
    ``.hypothesis/examples`` under the pytest root where the settings have none, as on CI
    machines), so the next run replays it first."""

    def run(controller: str, *, scenario: Any = None, budget_s: float = 60.0, seed: int = 0,
            supervisor: bool = False, params: dict[str, Any] | None = None,
            invariants: list[str] | None = None, kinds: list[str] | None = None,
            allow_import: tuple[str, ...] = ()) -> Exploration:
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
