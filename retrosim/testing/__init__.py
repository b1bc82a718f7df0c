"""Regression-test treadmill controllers against virtual walkers (public API).

Three steps, usually three lines of a pytest test::

    from retrosim.testing import assert_safe, run_controller

    def test_my_controller(golden_trace):            # the fixture of retrosim's pytest plugin
        ds = run_controller(MyController(gain=0.5), "controller-regression")
        assert_safe(ds)                                # every invariant, first violation shown
        golden_trace(ds)                               # compared with tests/golden/<test>.csv

- :func:`run_controller` runs a scenario with a controller driving its arms (optionally inside
  the :class:`~retrosim.controllers.SafetySupervisor`, with faults injected);
- :func:`check` / :func:`assert_safe` check the safety invariants
  (:mod:`retrosim.testing.invariants`:
  speed caps forward and backward, acceleration, the latched e-stop, the heart-rate ceiling,
  the incline rate) against the scenario's ``[safety]`` limits, and report the first
  violation of each;
- :func:`record_golden` / :func:`compare_golden` / :func:`assert_golden` keep a golden trace
  (:mod:`retrosim.testing.golden`) and show a readable diff when behaviour changes;
- ``retrosim check CONTROLLER --scenario S`` does the first two from the command line and
  exits with status 1 on a violation.

The pytest plugin (:mod:`retrosim.pytest_plugin`, registered on install) adds the fixtures
``golden_trace`` and ``safety_limits`` and the option ``--retrosim-update-golden``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import xarray as xr

from retrosim.controllers import attach
from retrosim.controllers.faults import Fault
from retrosim.controllers.safety import SafetyLimits
from retrosim.testing import golden
from retrosim.testing.golden import GoldenDiff
from retrosim.testing.invariants import INVARIANTS, InvariantReport, Violation, check, limits_of

__all__ = ["INVARIANTS", "Fault", "GoldenDiff", "InvariantReport", "SafetyLimits", "Violation",
           "assert_golden", "assert_safe", "check", "compare_golden", "limits_of",
           "record_golden", "run_controller"]

UPDATE_ENV = "RETROSIM_UPDATE_GOLDEN"


def run_controller(controller: Any, scenario: Any = "controller-regression", *,
                   supervisor: bool = False, faults: list[Any] | None = None,
                   arms: list[str] | None = None, subjects: int | None = None,
                   seed: int | None = None, trace_step_s: float | None = None) -> xr.Dataset:
    """Run ``scenario`` (a Scenario, a path or a bundled name) with ``controller`` driving
    its arms (all, or ``arms``); returns the result with traces.

    ``controller`` is an object with ``period_s`` and ``step(observation)``, a reference name
    ("hr-target", "protocol") or an import path ("package.module:Class"). ``supervisor``
    wraps it in the SafetySupervisor with the scenario's ``[safety]`` limits; ``faults``
    (Fault objects or fault tables, e.g. ``{"kind": "hr-loss", "start_min": 5}``) replace
    the arms' own.
    """
    from retrosim import api
    from retrosim.model.scenario import Scenario, load_scenario

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    sc = attach(sc, controller, arms=arms, supervisor=supervisor, faults=faults)
    return api.run(sc, seed=seed, subjects=subjects, trace_step_s=trace_step_s)


def assert_safe(ds: xr.Dataset, limits: SafetyLimits | None = None,
                invariants: list[str] | None = None) -> InvariantReport:
    """Check the invariants; raise AssertionError with the report if any is violated."""
    report = check(ds, limits, invariants)
    if not report.ok:
        raise AssertionError(str(report))
    return report


def record_golden(ds: xr.Dataset, path: str | Path, variables: list[str] | None = None,
                  step_s: float = golden.STEP_S) -> Path:
    """Record ``ds``'s traces as the golden file ``path`` (CSV, every ``step_s`` seconds)."""
    return golden.record(ds, path, variables, step_s)


def compare_golden(ds: xr.Dataset, path: str | Path,
                   tolerances: dict[str, float] | None = None) -> GoldenDiff:
    """Compare ``ds`` with the golden file; ``str()`` of the answer is the readable diff."""
    return golden.compare(ds, path, tolerances)


def assert_golden(ds: xr.Dataset, path: str | Path, tolerances: dict[str, float] | None = None,
                  *, update: bool | None = None, variables: list[str] | None = None,
                  step_s: float = golden.STEP_S) -> None:
    """Assert that ``ds`` matches its golden file.

    With ``update`` (default: the environment variable ``RETROSIM_UPDATE_GOLDEN`` is set) the
    file is recorded again instead. A missing file is recorded and the assertion fails, so
    that a new golden file is always looked at before it is trusted.
    """
    path = Path(path)
    if update is None:
        update = bool(os.environ.get(UPDATE_ENV))
    if update or not path.exists():
        existed = path.exists()
        record_golden(ds, path, variables, step_s)
        if not existed and not update:
            raise AssertionError(f"no golden trace at {path}: recorded one now; check it and "
                                 "run again")
        return
    diff = compare_golden(ds, path, tolerances)
    if not diff.ok:
        raise AssertionError(str(diff))
