"""The public API in one place: :class:`Simulation`, :func:`run`, :func:`load_scenario`,
:func:`iter_sessions` and the names a user imports from ``retrosim``.

This is the thin layer between the engine and everything that consumes whole runs (sweeps,
reports, validation, the testing API, the FTMS treadmill, the command line): it hands the
engine the bundled event models (:data:`retrosim.events.MODELS`) and the results layer the
sessions they produced. ``import retrosim`` loads it only when one of its names is used.

A consumer of runs finds here all it needs, and imports neither the engine, solve nor events:
the run (:class:`Simulation`, its sessions and their Dataset), a walk stepped live
(:meth:`Simulation.live`, :mod:`retrosim.api.live`), a programme's rows
(:func:`iter_programme`), a result read as a run made it (:mod:`retrosim.api.outputs`: the trace
axis, the event models' per-arm statistics, the blood-pressure readings), and which arms a
controller drives (:mod:`retrosim.api.controllers`).

>>> ds = run(load_scenario("compendium-2011"))
>>> ds.energy_total.round().values[:, 0].tolist()
[46.0, 64.0, 85.0]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import xarray as xr

from retrosim._version import __version__
from retrosim.api.controllers import build_controller, controlled_arms
from retrosim.api.live import LiveSession
from retrosim.api.outputs import arm_statistics, readings, trace_times
from retrosim.engine import simulate as engine
from retrosim.engine.programme import run_programme
from retrosim.engine.session import Session
from retrosim.errors import InputError, RetrosimError, RetrosimWarning
from retrosim.events import MODELS
from retrosim.events.base import EventModel
from retrosim.model.people import Cohort
from retrosim.model.protocol import Protocol, Stage
from retrosim.model.scenario import Scenario, check_run_arguments, load_scenario
from retrosim.model.subject import Subject
from retrosim.results import dataset
from retrosim.results import intervals as _intervals
from retrosim.results import programme as programme_results
from retrosim.results import programme_intervals as _programme_intervals

__all__ = ["MODELS", "Cohort", "EventModel", "InputError", "LiveSession", "Protocol",
           "RetrosimError", "RetrosimWarning", "Scenario", "Simulation", "Stage", "Subject",
           "TRACE_SAMPLE", "__version__", "arm_statistics", "build_controller", "controlled_arms",
           "iter_programme", "iter_sessions", "load_scenario",
           "readings", "run", "trace_times"]


#: People whose traces are drawn over time (the percentile bands of the page and of the
#: report) when a run has more: the first this many (:meth:`Simulation.sample`). People are
#: independent draws, so they are a random sample of the run; sampling the closed form at a
#: few hundred times is the cost, O(people x times).
TRACE_SAMPLE = 2000


class Simulation:
    """The one object that turns a scenario into results.

    The run's arguments are checked once, when the Simulation is made; nothing runs until a
    result is asked for.

    Parameters
    ----------
    scenario : Scenario
        From :func:`retrosim.load_scenario`.
    seed : int, optional
        Overrides the scenario's seed.
    subjects : int, optional
        Number of virtual people: draws of the scenario's ``[subject]`` (default 1), or people
        sampled from its ``[cohort]`` (default the cohort's size).
    models : sequence of EventModel, optional
        The per-subject event models to run (:mod:`retrosim.events.base`); default the bundled
        ones (guidance, falls, blood pressure).

    Examples
    --------
    >>> sim = Simulation(load_scenario("compendium-2011"))
    >>> sim.dataset(traces=False).energy_total.round().values[:, 0].tolist()
    [46.0, 64.0, 85.0]
    """

    def __init__(self, scenario: Scenario, *, seed: int | None = None,
                 subjects: int | None = None,
                 models: Sequence[EventModel] | None = None) -> None:
        self.scenario = scenario
        self.models: tuple[EventModel, ...] = tuple(MODELS if models is None else models)
        self.seed, self.subjects, self.trace_step_s = check_run_arguments(
            scenario, seed, subjects, None, memory=False)

    @property
    def is_programme(self) -> bool:
        """True when the scenario is a multi-week programme (a ``[program]`` table)."""
        return self.scenario.program is not None

    def sessions(self, *, first: int = 0, subjects: int | None = None) -> Iterator[Session]:
        """Run each arm's session, one batch of people per arm, and yield them.

        For consumers that stream sessions rather than ask for the whole Dataset.

        Parameters
        ----------
        first : int, default 0
            The global number of the first person; people ``first`` onwards are run.
        subjects : int, optional
            How many people; default all from ``first`` to the Simulation's ``subjects``.

        Returns
        -------
        iterator of Session
            One :class:`~retrosim.engine.session.Session` per arm, in the scenario's order.
        """
        n = self.subjects - first if subjects is None else subjects
        return engine.iter_sessions(self.scenario, seed=self.seed, subjects=n, first=first,
                                    models=self.models)

    def sample(self, size: int | None = None) -> Simulation:
        """The run's trace sample: the people whose traces are drawn.

        The first ``size`` of this Simulation's people (default :data:`TRACE_SAMPLE`), or all
        of them when there are fewer. Their sessions are bit for bit those of the whole run's
        first people (every random stream is keyed by the person's global number), so bands
        drawn from them describe the people the run's summaries count.

        Parameters
        ----------
        size : int, optional
            How many people at most; default :data:`TRACE_SAMPLE`.

        Returns
        -------
        Simulation
            The same scenario, seed and event models, for those people.

        Examples
        --------
        >>> sim = Simulation(load_scenario("compendium-2011"), subjects=3)
        >>> sim.sample(2).subjects, sim.sample().subjects
        (2, 3)
        """
        k = min(self.subjects, TRACE_SAMPLE if size is None else size)
        return Simulation(self.scenario, seed=self.seed, subjects=k, models=self.models)

    def versions(self, count: int) -> Iterator[Session]:
        """Run each arm for the person as given and ``count`` plausible versions of her.

        Subject 0 is the person as given, subjects 1 to ``count`` the predicted traits and
        model errors of :func:`retrosim.results.intervals.versions`: what a search of
        protocols evaluates. The fall risk of every version is exact, and each walks with the
        event models of the run.

        Parameters
        ----------
        count : int
            How many plausible versions besides the person.

        Yields
        ------
        Session
            One batch of ``count + 1`` people per arm, in the scenario's order.

        Raises
        ------
        InputError
            For a ``[cohort]`` scenario: plausible versions are of one person.
        """
        if self.scenario.cohort is not None:
            raise InputError("cohort", "plausible versions are of one person", "a [subject]")
        people = _intervals.person_and_versions(self.scenario, self.seed, count)
        for arm in self.scenario.arms.values():
            yield engine.run_arm(arm, self.scenario, people, self.seed, models=self.models)

    def programme_versions(self, count: int, base: Cohort | None = None) -> xr.Dataset:
        """Walk the programme with the person as given and ``count`` plausible versions of her.

        Subject 0 is the person as given, subjects 1 to ``count`` the predicted traits, model
        errors and responses to training of
        :func:`retrosim.results.intervals.person_and_versions`; each walks the calendar with
        her own random events (falls and the pauses they cause): what a search of programmes
        evaluates. Subject 0's numbers are those of :meth:`dataset`.

        Parameters
        ----------
        count : int
            How many plausible versions besides the person.
        base : Cohort, optional
            ``count`` people whose versions these are, one each (the members of a published
            cohort), each keyed by her own ``index``; by default the person ``count`` times.

        Returns
        -------
        xarray.Dataset
            The programme's result Dataset, without prediction intervals.

        Raises
        ------
        InputError
            For a ``[cohort]`` scenario, or one without a ``[program]``.
        """
        if self.scenario.cohort is not None:
            raise InputError("cohort", "plausible versions are of one person", "a [subject]")
        if not self.is_programme:
            raise InputError("program", "plausible versions walk a programme",
                             "a scenario with a [program]")
        people = _intervals.person_and_versions(self.scenario, self.seed, count, base)
        arms = run_programme(self.scenario, seed=self.seed, subjects=people.size,
                             models=self.models, given=people)
        return programme_results.assemble(arms, self.scenario, seed=self.seed)

    def live(self, arm: str | None = None) -> LiveSession:
        """One walker on the treadmill of ``arm``, stepped as the walk goes.

        What a driver in real time (the virtual FTMS treadmill) steps: commands and simulated
        time come from outside, the belt and the walker follow in closed form, and the walk
        so far is a result Dataset at any moment (:class:`~retrosim.api.live.LiveSession`).

        Parameters
        ----------
        arm : str, optional
            The arm's name; default the first. Its subject keys and handrail apply.

        Returns
        -------
        LiveSession
            The person of the scenario (its ``[subject]``, or the first person of its
            ``[cohort]``) at rest on a stopped belt, at time 0.
        """
        chosen = self.scenario.arms[arm or next(iter(self.scenario.arms))]
        return LiveSession(self.scenario, chosen, self.seed, self.models)

    def dataset(self, *, traces: bool = True, trace_step_s: float | None = None,
                intervals: bool = True) -> xr.Dataset:
        """Run every arm and return the result Dataset (the contract in the docs).

        Parameters
        ----------
        traces : bool, default True
            False keeps only the per-subject summaries (much less memory for large cohorts).
        trace_step_s : float, optional
            The trace resolution [s]; default the scenario's (1 s unless it says).
        intervals : bool, default True
            False leaves out the 90 % prediction intervals (which re-run the protocol, or a
            programme, for plausible versions of the person).

        Returns
        -------
        xarray.Dataset
            One row per arm and subject; the traces on a time axis when ``traces``.
        """
        _, _, step = check_run_arguments(self.scenario, self.seed, self.subjects, trace_step_s,
                                         traces=traces and not self.is_programme)
        if self.is_programme:
            arms = run_programme(self.scenario, seed=self.seed, subjects=self.subjects,
                                 models=self.models)
            ds = programme_results.assemble(arms, self.scenario, seed=self.seed)
            if not intervals:
                return ds
            return _programme_intervals.attach_programme(ds, self.scenario, self.seed,
                                                         self.models)
        return self.assemble(list(self.sessions()), trace_step_s=step if traces else None,
                             intervals=intervals)

    def assemble(self, sessions: Sequence[Session], *, trace_step_s: float | None = None,
                 intervals: bool = True) -> xr.Dataset:
        """The result Dataset of sessions this Simulation ran (:meth:`sessions`).

        For a consumer that keeps the sessions as well (to sample them at its own times, or to
        check them), so that the run is not made twice.

        Parameters
        ----------
        sessions : sequence of Session
            Every arm's session, in the scenario's order, as :meth:`sessions` gives them.
        trace_step_s : float, optional
            The trace resolution [s]; None keeps only the per-subject summaries.
        intervals : bool, default True
            False leaves out the 90 % prediction intervals.

        Returns
        -------
        xarray.Dataset
            The result Dataset, as :meth:`dataset` gives it.
        """
        ds = dataset.assemble(list(sessions), self.scenario, seed=self.seed,
                              trace_step_s=trace_step_s, models=self.models)
        if not intervals:
            return ds
        return _intervals.attach(ds, self.scenario, self.seed, self.models)

    def run(self, *, traces: bool = True, trace_step_s: float | None = None,
            intervals: bool = True) -> xr.Dataset:
        """Run every arm and return the result Dataset: the same as :meth:`dataset`.

        Parameters
        ----------
        traces : bool, default True
            False keeps only the per-subject summaries.
        trace_step_s : float, optional
            The trace resolution [s]; default the scenario's.
        intervals : bool, default True
            False leaves out the 90 % prediction intervals.

        Returns
        -------
        xarray.Dataset
            The result Dataset.
        """
        return self.dataset(traces=traces, trace_step_s=trace_step_s, intervals=intervals)


def run(scenario: Scenario, *, seed: int | None = None, subjects: int | None = None,
        traces: bool = True, trace_step_s: float | None = None,
        models: Sequence[EventModel] | None = None) -> xr.Dataset:
    """Run every arm of ``scenario`` and return the result Dataset.

    The same as ``Simulation(scenario, seed=seed, subjects=subjects,
    models=models).dataset(traces=traces, trace_step_s=trace_step_s)``.

    Parameters
    ----------
    scenario : Scenario
        From :func:`retrosim.load_scenario`.
    seed : int, optional
        Overrides the scenario's seed.
    subjects : int, optional
        Number of virtual people (see :class:`Simulation`).
    traces : bool, default True
        False keeps only the per-subject summaries (much less memory for large cohorts).
    trace_step_s : float, optional
        Trace resolution [s]; default the scenario's (1 s unless it says).
    models : sequence of EventModel, optional
        The per-subject event models to run; default the bundled ones
        (:data:`retrosim.events.MODELS`: guidance, falls, blood pressure).

    Returns
    -------
    xarray.Dataset
        The result Dataset: one row per arm and subject, with the traces when ``traces``.

    See Also
    --------
    Simulation : The object ``run`` wraps, to ask for sessions or the Dataset separately.

    Examples
    --------
    >>> ds = run(load_scenario("compendium-2011"), traces=False)
    >>> ds.energy_total.round().values[:, 0].tolist()
    [46.0, 64.0, 85.0]
    """
    return Simulation(scenario, seed=seed, subjects=subjects, models=models).dataset(
        traces=traces, trace_step_s=trace_step_s)


def iter_sessions(scenario: Scenario, *, seed: int, subjects: int, first: int = 0,
                  models: Sequence[EventModel] | None = None) -> Iterator[Session]:
    """Each arm's session with the bundled event models (see
    :func:`retrosim.engine.simulate.iter_sessions`), for people ``first`` onwards."""
    return engine.iter_sessions(scenario, seed=seed, subjects=subjects, first=first,
                                models=MODELS if models is None else models)


def iter_programme(scenario: Scenario, *, seed: int, subjects: int, first: int = 0,
                   models: Sequence[EventModel] | None = None
                   ) -> Iterator[programme_results.ProgrammeRows]:
    """Each arm of a programme as one row per person, for people ``first`` onwards.

    What a sweep stores of a programme (:func:`retrosim.results.programme.iter_rows`): each
    person's end state, totals and falls, with the bundled event models unless ``models``
    says; the same people and numbers as :func:`run` gives them, whatever the chunk.

    Parameters
    ----------
    scenario : Scenario
        A programme (a ``[program]`` table).
    seed : int
        The run's seed.
    subjects : int
        How many people, from ``first``.
    first : int, default 0
        The global number of the first person.
    models : sequence of EventModel, optional
        The per-subject event models; default the bundled ones.

    Returns
    -------
    iterator of ProgrammeRows
        One per arm, in the scenario's order.
    """
    return programme_results.iter_rows(scenario, seed=seed, subjects=subjects, first=first,
                                       models=MODELS if models is None else models)
