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
- :func:`check_scenario` runs and checks a scenario session by session without a Dataset
  (memory that does not grow with the cohort or the session);
- ``retrosim check CONTROLLER --scenario S`` does that from the command line; exit status 0
  when every invariant holds, 1 on a violation, 2 on bad input (a controller that breaks its
  contract included), 3 when the controller crashed.

A controller that breaks its contract (:mod:`retrosim.controllers.contract`) stops the run
with a :class:`~retrosim.controllers.contract.ControllerError` (one line: the controller, the
arm, the subject, the simulated time, what is allowed); one that raises, with a
:class:`~retrosim.controllers.contract.ControllerCrash` that shows its own traceback.

The pytest plugin (:mod:`retrosim.pytest_plugin`, registered on install) adds the fixtures
``golden_trace`` and ``safety_limits`` and the option ``--retrosim-update-golden``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import xarray as xr

from retrosim import api
from retrosim.controllers import attach
from retrosim.controllers.contract import ControllerCrash, ControllerError
from retrosim.controllers.faults import Fault, check_fault_times
from retrosim.controllers.safety import SafetyLimits
from retrosim.model.scenario import Scenario, load_scenario
from retrosim.testing import golden
from retrosim.testing.definitions import INVARIANTS, InvariantReport, Violation, limits_of
from retrosim.testing.golden import GoldenDiff
from retrosim.testing.invariants import check, check_scenario

__all__ = ["INVARIANTS", "ControllerCrash", "ControllerError", "Fault", "GoldenDiff",
           "InvariantReport", "SafetyLimits", "Violation", "assert_golden", "assert_safe",
           "check", "check_scenario", "compare_golden", "controller_lines", "limits_of",
           "preflight", "record_golden", "run_controller"]

UPDATE_ENV = "RETROSIM_UPDATE_GOLDEN"


def run_controller(controller: Any, scenario: Any = "controller-regression", *,
                   supervisor: bool = False, faults: list[Any] | None = None,
                   arms: list[str] | None = None, subjects: int | None = None,
                   seed: int | None = None, trace_step_s: float | None = None,
                   intervals: bool = False) -> xr.Dataset:
    """Run a scenario with a controller driving its arms.

    Only the people asked for are run: ``intervals`` True adds the 90 % prediction intervals,
    which run the controller again for each plausible version of the person.

    Parameters
    ----------
    controller : object or str
        An object with ``period_s`` and ``step(observation)``, a reference name
        ("hr-target", "protocol") or an import path ("package.module:Class").
    scenario : Scenario or str, default "controller-regression"
        A Scenario, a path or a bundled name.
    supervisor : bool, default False
        Wrap the controller in the SafetySupervisor with the scenario's ``[safety]`` limits.
    faults : list, optional
        Fault objects or fault tables (e.g. ``{"kind": "hr-loss", "start_min": 5}``) that
        replace the arms' own.
    arms : list of str, optional
        The arms to run; default all.
    subjects : int, optional
        Number of virtual people (see :class:`retrosim.Simulation`).
    seed : int, optional
        Overrides the scenario's seed.
    trace_step_s : float, optional
        Trace resolution [s]; default the scenario's.
    intervals : bool, default False
        Add the 90 % prediction intervals (:class:`retrosim.Simulation`).

    Returns
    -------
    xarray.Dataset
        The result, with traces (for :func:`retrosim.testing.check`).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    sc = attach(sc, controller, arms=arms, supervisor=supervisor, faults=faults)
    preflight(sc)
    return api.Simulation(sc, seed=seed, subjects=subjects).dataset(
        trace_step_s=trace_step_s, intervals=intervals)


def preflight(scenario: Any) -> None:
    """Refuse, before anything runs, a fault that would never strike and a controller that
    breaks its contract at build time (no ``period_s``, parameters of the wrong type)."""
    for arm in api.controlled_arms(scenario):
        check_fault_times(arm.faults, arm.protocol.duration_s, arm.name)
        api.build_controller(arm, scenario)


def controller_lines(scenario: Any) -> list[str]:
    """One line per controlled arm: its controller and its faults."""
    return [f"{a.name}: {a.controller.label if a.controller else 'protocol'}"
            + "".join(f"; fault {f}" for f in a.faults)
            for a in api.controlled_arms(scenario)]


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
            raise AssertionError(f"no golden trace at {_shown(path)}: recorded one now; check "
                                 "it and run again")
        return
    diff = compare_golden(ds, path, tolerances)
    if not diff.ok:
        raise AssertionError(str(diff))


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it (as a user typed it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
