"""The public API in one place: :func:`run`, :func:`load_scenario`, :func:`iter_sessions` and
the names a user imports from ``retrosim``.

This is the thin layer between the engine and everything that consumes whole runs (sweeps,
reports, validation, the testing API, the FTMS treadmill, the command line): it hands the
engine the bundled event models (:data:`retrosim.events.MODELS`) and the results layer the
sessions they produced. ``import retrosim`` loads it only when one of its names is used.

>>> ds = run(load_scenario("compendium-2011"))
>>> ds.energy_total.round().values[:, 0].tolist()
[46.0, 64.0, 85.0]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import xarray as xr

from retrosim._version import __version__
from retrosim.engine import simulate as engine
from retrosim.engine.programme import run_programme
from retrosim.engine.session import Session
from retrosim.errors import InputError, RetrosimError, RetrosimWarning
from retrosim.events import MODELS
from retrosim.events.base import EventModel
from retrosim.model.protocol import Protocol, Stage
from retrosim.model.scenario import Scenario, check_run_arguments, load_scenario
from retrosim.model.subject import Cohort, Subject
from retrosim.results import dataset, intervals
from retrosim.results import programme as programme_results

__all__ = ["MODELS", "Cohort", "EventModel", "InputError", "Protocol", "RetrosimError",
           "RetrosimWarning", "Scenario", "Stage", "Subject", "__version__", "iter_sessions",
           "load_scenario", "run"]


def run(scenario: Scenario, *, seed: int | None = None, subjects: int | None = None,
        traces: bool = True, trace_step_s: float | None = None,
        models: Sequence[EventModel] = MODELS) -> xr.Dataset:
    """Run every arm of ``scenario`` and return the result Dataset.

    Parameters
    ----------
    scenario : from :func:`retrosim.load_scenario`.
    seed : overrides the scenario's seed.
    subjects : number of virtual people, each a draw of the scenario's subject (default 1),
        or people sampled from its ``[cohort]`` (default the cohort's size).
    traces : False keeps only the per-subject summaries (much less memory for large cohorts).
    trace_step_s : trace resolution [s]; default the scenario's (1 s unless it says).
    models : the per-subject event models to run (:mod:`retrosim.events.base`); default the
        bundled ones (guidance, falls, blood pressure).
    """
    seed, subjects, step = check_run_arguments(scenario, seed, subjects, trace_step_s,
                                               traces=traces and scenario.program is None)
    if scenario.program is not None:       # a programme of sessions over weeks
        arms = run_programme(scenario, seed=seed, subjects=subjects, models=models)
        return programme_results.assemble(arms, scenario, seed=seed)
    sessions = list(iter_sessions(scenario, seed=seed, subjects=subjects, models=models))
    ds = dataset.assemble(sessions, scenario, seed=seed,
                          trace_step_s=step if traces else None, models=models)
    return intervals.attach(ds, scenario, seed, models)    # how sure: 90 % intervals


def iter_sessions(scenario: Scenario, *, seed: int, subjects: int, first: int = 0,
                  models: Sequence[EventModel] = MODELS) -> Iterator[Session]:
    """Each arm's session with the bundled event models (see
    :func:`retrosim.engine.simulate.iter_sessions`), for people ``first`` onwards."""
    return engine.iter_sessions(scenario, seed=seed, subjects=subjects, first=first,
                                models=models)
