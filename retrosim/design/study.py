"""One design study: a scenario's person, what may vary, what is wanted and what must hold,
searched within a budget; the result is the Pareto front as a Dataset (:func:`design`).

Everything is checked before any candidate runs: the names (each error lists the allowed
ones), the ranges, the quantile, and the memory the budget needs against the memory free.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import xarray as xr

from retrosim import __version__, api
from retrosim.design import programme, session
from retrosim.design.problem import Limit, Objective, Problem, Variable
from retrosim.design.search import METHODS, Archive, front, solve
from retrosim.errors import InputError, check_number
from retrosim.model import budget as budgets
from retrosim.model.scenario import Scenario

#: Draws (plausible versions of the person) per candidate, by default.
DRAWS = 1000
QUANTILE = 0.9
MAX_BUDGET = 10_000_000
MAX_DRAWS = 100_000
#: Bytes held per candidate and draw: every outcome kept (float64) and the session's share
#: (knots and summaries of one batch at a time, retrosim.model.budget).
BYTES_PER_DRAW = 8 * len(session.OUTCOMES)


@dataclasses.dataclass
class Study:
    """A solved design problem: the problem, every candidate evaluated, the front."""

    scenario: Scenario
    problem: Problem
    archive: Archive
    front: np.ndarray                 # indices into the archive, best first objective first
    seed: int
    budget: int
    draws: int
    quantile: float
    method: str
    programme: bool

    @property
    def found(self) -> bool:
        return self.front.size > 0

    def how(self) -> str:
        """One line: how the designs were found."""
        what = {"nsga2": "NSGA-II (pymoo)", "grid": "grid search",
                "random": "random search"}[self.method]
        return (f"{what}, seed {self.seed}, {self.archive.distinct:,} candidates "
                f"evaluated of a budget of {self.budget:,}, {self.draws:,} {self._draws()} "
                "per candidate")

    def _draws(self) -> str:
        return "plausible versions of the person, each with her own random events" \
            if self.programme else "plausible versions of the person"

    def held_at(self) -> str:
        """One line: what a limit means here."""
        if not self.problem.limits:
            return "no limits"
        pct = f"{100 * self.quantile:g}th percentile"
        return (f"limits hold at the {pct} of the person's prediction distribution "
                f"({self.draws:,} {self._draws()}; the {100 * (1 - self.quantile):g}th for "
                "a >= limit), not at the mean; objectives are the person as given")

    def dataset(self) -> xr.Dataset:
        """The front as a Dataset on the dimension ``design``: each variable, each outcome
        (the person as given) and each limit's outcome at its quantile."""
        idx = self.front
        data: dict[str, Any] = {}
        for v in self.problem.variables:
            data[v.name] = ("design", np.array([self.archive.candidates[i][v.name]
                                                for i in idx]))
        for name, meaning in self.problem.names.items():
            data[name] = ("design", self.archive.outcome(name).central[idx],
                          {"long_name": meaning})
        for lim in self.problem.limits:
            values = lim.at_level(self.archive.outcome(lim.name))[idx] if idx.size else \
                np.zeros(0)
            data[limit_column(lim)] = ("design", values, {
                "long_name": f"{lim.name} at the {100 * lim.level:g}th percentile of the "
                             f"person's prediction distribution (limit {lim})"})
        ds = xr.Dataset(data, coords={"design": np.arange(1, idx.size + 1)})
        ds.attrs.update(
            scenario=self.scenario.name, seed=self.seed, budget=self.budget,
            evaluations=self.archive.distinct, draws=self.draws,
            quantile=self.quantile, method=self.method, how=self.how(),
            limits_held_at=self.held_at(), retrosim_version=__version__,
            objectives=", ".join(map(str, self.problem.objectives)),
            limits=", ".join(map(str, self.problem.limits)),
            fixed=", ".join(f"{k}={v}" for k, v in self.problem.fixed.items()))
        return ds


def limit_column(lim: Limit) -> str:
    return f"{lim.name}_p{100 * lim.level:g}".replace(".", "_")


def _scenario(scenario: Scenario | str | Path) -> tuple[Scenario, dict[str, Any]]:
    sc = scenario if isinstance(scenario, Scenario) else api.load_scenario(scenario)
    if sc.source is None:
        raise InputError("scenario", "has no file to take the person and options from",
                         "a bundled scenario's name or a scenario file")
    base = budgets.read_toml(Path(sc.source).read_text(encoding="utf-8"), sc.source)
    if sc.cohort is not None:
        raise InputError("cohort", "a design is for one person", "a scenario with [subject]",
                         source=sc.source)
    return sc, base


def _variables(vary: Sequence[str] | Mapping[str, Any], steps: Mapping[str, float],
               key: str) -> list[Variable]:
    if isinstance(vary, Mapping):
        texts = []
        for name, spec in vary.items():
            if isinstance(spec, tuple) and len(spec) == 2 and all(
                    isinstance(x, int | float) for x in spec):
                texts.append(f"{name}={spec[0]}..{spec[1]}")
            else:
                items = [spec] if isinstance(spec, str) else list(spec)
                texts.append(f"{name}={','.join(map(str, items))}")
        vary = texts
    return [Variable.parse(text, steps, key) for text in vary]


def checked_variables(vary: Sequence[str] | Mapping[str, Any], kind: ModuleType = session,
                      key: str = "--vary") -> list[Variable]:
    """The variables of ``vary`` for a design of ``kind`` (:mod:`retrosim.design.session` or
    :mod:`retrosim.design.programme`), each on its steps, within its bounds and its choices
    (one line each, the field named ``key``)."""
    variables = _variables(vary, kind.STEPS, key)
    for v in variables:
        if v.is_choice and v.name in kind.CHOICES:
            bad = [c for c in v.choices if c not in kind.CHOICES[v.name]]
            if bad:
                raise InputError(f"{key} {v.name}", f"{bad[0]!r} is not a choice",
                                 ", ".join(kind.CHOICES[v.name]))
        elif v.is_choice and v.name in kind.BOUNDS:
            raise InputError(f"{key} {v.name}", "is a range", "LO..HI")
        elif not v.is_choice and v.name in kind.CHOICES:
            raise InputError(f"{key} {v.name}", "is a choice", ",".join(kind.CHOICES[v.name]))
        if not v.is_choice and v.name in kind.BOUNDS:
            lo, hi = kind.BOUNDS[v.name]
            if v.low < lo or v.high > hi:
                raise InputError(f"{key} {v.name}", f"{v.low:g}..{v.high:g} is outside the "
                                 "range a design may take", f"{lo:g}..{hi:g}")
    return variables


def build(scenario: Scenario | str | Path, *, objectives: Sequence[str],
          vary: Sequence[str] | Mapping[str, Any], limits: Sequence[str] = (),
          budget: int = 2000, seed: int | None = None, draws: int = DRAWS,
          quantile: float = QUANTILE, method: str = "nsga2", client: Any = None
          ) -> tuple[Scenario, Problem, int, bool]:
    """Check every argument (one line each, before any work) and make the problem (its
    batches run on the workers of ``client``, a ``dask.distributed.Client``, when given)."""
    sc, base = _scenario(scenario)
    budget = int(check_number("--budget", budget, 1, MAX_BUDGET, integer=True))
    draws = int(check_number("--draws", draws, 0, MAX_DRAWS, integer=True))
    quantile = check_number("--quantile", quantile, 0.5, 0.999)
    seed = sc.seed if seed is None else int(check_number("--seed", seed, 0, 2**63 - 1,
                                                         integer=True))
    if method not in METHODS:
        raise InputError("--method", f"{method!r} is not a method", ", ".join(METHODS))
    kind = programme if sc.program is not None else session
    variables = checked_variables(vary, kind)
    fixed = {k: val for k, val in kind.defaults(sc).items()
             if k not in {v.name for v in variables}}
    evaluator = kind.evaluator(sc, base, seed, draws, fixed)
    evaluator.client = client
    problem = Problem(tuple(variables), tuple(Objective.parse(o) for o in objectives),
                      tuple(Limit.parse(text, quantile) for text in limits), evaluator,
                      names=kind.OUTCOMES, fixed=fixed)
    problem.check(kind.VARIABLES)
    need = budget * (draws + 1) * BYTES_PER_DRAW
    free = budgets.available_memory()
    if need > free:
        raise InputError("--budget", f"{budget:,} candidates x {draws + 1:,} draws need about "
                         f"{need / 1e9:,.1f} GB of memory, more than the {free / 1e9:,.1f} GB "
                         "free", "a smaller --budget or fewer --draws")
    return sc, problem, seed, sc.program is not None


def run_design(scenario: Scenario | str | Path, *, objectives: Sequence[str],
               vary: Sequence[str] | Mapping[str, Any], limits: Sequence[str] = (),
               budget: int = 2000, seed: int | None = None, draws: int = DRAWS,
               quantile: float = QUANTILE, method: str = "nsga2",
               progress: Callable[[int], None] | None = None, client: Any = None) -> Study:
    """Check, search and return the :class:`Study` (see :func:`design`; ``client``, a
    ``dask.distributed.Client``, runs each batch's new candidates on its workers, with the
    same result)."""
    sc, problem, seed, is_programme = build(
        scenario, objectives=objectives, vary=vary, limits=limits, budget=budget, seed=seed,
        draws=draws, quantile=quantile, method=method, client=client)
    draws = problem.evaluate.draws          # type: ignore[attr-defined]
    archive = solve(problem, budget, seed, method=method, progress=progress)
    F, G = archive.arrays()
    idx = front(F, G)
    idx = idx[np.lexsort(F[idx].T[::-1])] if idx.size else idx
    return Study(sc, problem, archive, idx, seed, budget, draws, quantile, method,
                 is_programme)


def design(scenario: Scenario | str | Path, *, objectives: Sequence[str],
           vary: Sequence[str] | Mapping[str, Any], limits: Sequence[str] = (),
           budget: int = 2000, seed: int | None = None, draws: int = DRAWS,
           quantile: float = QUANTILE, method: str = "nsga2") -> xr.Dataset:
    """Search the protocols (or programmes) of a scenario's person for the best under limits.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A bundled scenario's name, a scenario file or a loaded scenario (from a file): its
        ``[subject]`` is the person; a ``[program]`` makes it a programme design.
    objectives : sequence of str
        Outcomes to maximise; a leading ``-`` minimises (``"-fall_risk"``).
    vary : sequence of str, or mapping
        ``"speed_mph=0.5..3.0"`` (a range) or ``"direction=forward,backward"`` (a choice);
        or ``{"speed_mph": (0.5, 3.0), "direction": ["forward", "backward"]}``.
    limits : sequence of str
        ``"hr_reserve_peak<=0.60"``; each holds at ``quantile`` of the person's prediction
        distribution (the lower quantile for ``>=``).
    budget : int
        Candidates to evaluate at most.
    seed : int, optional
        Default the scenario's; the same seed gives the same front.
    draws : int
        Plausible versions of the person per candidate (0: the person as given only).
    quantile : float
        Where a limit holds (default 0.9: the 90th percentile).
    method : str
        ``"nsga2"`` (pymoo), ``"grid"`` or ``"random"``.

    Returns
    -------
    xarray.Dataset
        The Pareto front on the dimension ``design`` (``.to_pandas()`` for a DataFrame);
        empty when no candidate meets every limit. Its attributes say how it was found and
        where the limits hold.

    Examples
    --------
    >>> import retrosim
    >>> front = retrosim.design("knee-rehab-first-session", objectives=["energy_walking"],
    ...                         vary={"speed_mph": (1.0, 2.0)}, limits=["fall_risk<=0.001"],
    ...                         budget=16, draws=20, seed=1)
    >>> front.sizes["design"], float(front.speed_mph[0]) <= 2.0
    (1, True)
    """
    return run_design(scenario, objectives=objectives, vary=vary, limits=limits,
                      budget=budget, seed=seed, draws=draws, quantile=quantile,
                      method=method).dataset()
