"""Solve a :class:`~retrosim.design.problem.Problem`: NSGA-II (pymoo), or a grid or random
search as references; the result is every candidate evaluated and its Pareto front.

NSGA-II (Deb et al. 2002) as pymoo gives it: every variable is coded as a real number in
``[0, count)`` whose integer part is the index of its value (a range's step, a choice's word),
so the real-coded operators work on all of them (simulated binary crossover and polynomial
mutation, with wider steps than pymoo's defaults), and two codes of the same design are one
duplicate. The first generation holds the corners of the box (the grid's points) and a Latin
hypercube (:func:`first_generation`). Limits are
inequality constraints (constraint-domination: a candidate that meets every limit beats one
that does not; between two that do not, the smaller violation wins). pymoo asks for a whole
population at a time, which is the batch the engine runs on one subject axis. The search is
deterministic by seed: pymoo's own generator is seeded with it, and the evaluations draw from
the scenario's streams. (pymoo's mixed-variable genetic algorithm, an integer or a categorical
per variable, found fronts of a lower hypervolume at 200 evaluations of
``bench/bench_design.py``'s problem, over three seeds.)

References: Deb K, Pratap A, Agarwal S, Meyarivan T (2002). A fast and elitist multiobjective
genetic algorithm: NSGA-II. IEEE Trans Evol Comput 6(2):182-197. doi:10.1109/4235.996017.
Blank J, Deb K (2020). pymoo: Multi-objective optimization in Python. IEEE Access
8:89497-89509. doi:10.1109/ACCESS.2020.2990567.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from retrosim.design.problem import Candidate, Costs, Outcome, Problem
from retrosim.errors import InputError

METHODS = ("nsga2", "grid", "random")
#: Candidates per generation (at most; a tenth of the budget when that is smaller, at least 8).
POPULATION = 100
#: Generations in a row without a new design after which a search stops (the space is seen).
STALL = 20
#: Distribution indices of simulated binary crossover and polynomial mutation: lower than
#: pymoo's defaults (15, 20), so children land further from their parents (measured in
#: docs/design.md: a wider search along the front at a small budget).
SBX_ETA = 5.0
PM_ETA = 10.0


def _pymoo() -> Any:
    try:
        import pymoo  # noqa: F401
    except ImportError:
        raise InputError("--method nsga2", "needs pymoo, which is not installed",
                         "pip install 'retrosim[design]'") from None
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.duplicate import DefaultDuplicateElimination
    from pymoo.core.problem import Problem as PymooProblem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    return NSGA2, DefaultDuplicateElimination, PymooProblem, SBX, PM


@dataclass
class Archive:
    """Every candidate evaluated, in order, with its costs and outcomes."""

    candidates: list[Candidate]
    F: list[np.ndarray]
    G: list[np.ndarray]
    outcomes: list[dict[str, Outcome]]

    def add(self, candidates: list[Candidate], costs: Costs) -> None:
        self.candidates += candidates
        self.F.append(costs.F)
        self.G.append(costs.G)
        self.outcomes.append(costs.outcomes)

    @property
    def distinct(self) -> int:
        """How many different candidates were evaluated."""
        return len({tuple(sorted(c.items())) for c in self.candidates})

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.vstack(self.F), np.vstack(self.G)

    def outcome(self, name: str) -> Outcome:
        return Outcome(np.concatenate([o[name].central for o in self.outcomes]),
                       np.vstack([o[name].draws for o in self.outcomes]))


def population(budget: int, variables: int) -> int:
    """Candidates per generation: a tenth of the budget, at least 8 and at least the
    ``2**variables`` corners of the box while they are a quarter of the budget or less; at
    most :data:`POPULATION`."""
    corners = 2 ** min(variables, 30)
    return int(min(POPULATION, max(8, budget // 10, corners if 4 * corners <= budget else 0)))


def solve(problem: Problem, budget: int, seed: int, *, method: str = "nsga2",
          batch: int | None = None,
          progress: Callable[[int], None] | None = None) -> Archive:
    """Evaluate at most ``budget`` distinct candidates of ``problem`` with ``method`` (a
    candidate met again is not evaluated again, and does not count); ``progress`` is called
    with the number of new candidates after each batch."""
    archive = Archive([], [], [], [])
    seen: set[tuple] = set()

    def run(candidates: list[Candidate]) -> Costs:
        costs = problem.costs(candidates)
        archive.add(candidates, costs)
        new = {tuple(sorted(c.items())) for c in candidates} - seen
        seen.update(new)
        if progress is not None:
            progress(len(new))
        return costs

    size = batch or population(budget, len(problem.variables))
    if method == "nsga2":
        _nsga2(problem, budget, seed, size, run, lambda: len(seen))
    elif method in ("grid", "random"):
        pool = grid(problem, budget) if method == "grid" else sample(problem, budget, seed)
        for start in range(0, len(pool), size):
            run(pool[start:start + size])
    else:
        raise InputError("--method", f"{method!r} is not a method", ", ".join(METHODS))
    return archive


def first_generation(problem: Problem, size: int, seed: int) -> np.ndarray:
    """The first generation's codes (size, variables): the points of :func:`grid` first (with
    ``2**variables`` of them or more, every corner of the box: a front that runs along the
    ranges' ends starts there), the rest a Latin hypercube (scipy.stats.qmc, seeded); each
    grid point coded at the middle of its value's interval."""
    from scipy.stats import qmc

    upper = np.array([v.count for v in problem.variables], dtype=float)
    points = np.array(grid_indices(problem, size), dtype=float).reshape(-1, upper.size) + 0.5
    if len(points) >= size:
        return points[:size]
    rest = qmc.LatinHypercube(upper.size, seed=seed).random(size - len(points)) * upper
    return np.vstack([points, rest])


def _nsga2(problem: Problem, budget: int, seed: int, size: int,
           run: Callable[[list[Candidate]], Costs], distinct: Callable[[], int]) -> None:
    NSGA2, Duplicates, PymooProblem, SBX, PM = _pymoo()
    variables = problem.variables
    upper = np.array([v.count for v in variables], dtype=float)

    def decode(x: np.ndarray) -> Candidate:
        return {v.name: v.value(min(int(xi), v.count - 1))
                for v, xi in zip(variables, x, strict=True)}

    class _Search(PymooProblem):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__(n_var=len(variables), n_obj=len(problem.objectives),
                             n_ieq_constr=len(problem.limits), xl=np.zeros(upper.size),
                             xu=upper)

        def _evaluate(self, X: Any, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            costs = run([decode(x) for x in X])
            out["F"] = costs.F
            if problem.limits:
                out["G"] = costs.G

    def indices(pop: Any) -> np.ndarray:            # the design a code stands for
        return np.minimum(np.floor(pop.get("X")), upper - 1)

    search = _Search()
    algorithm = NSGA2(pop_size=size, sampling=first_generation(problem, size, seed),
                      crossover=SBX(eta=SBX_ETA, prob=0.9), mutation=PM(eta=PM_ETA),
                      eliminate_duplicates=Duplicates(epsilon=0.5, func=indices))
    algorithm.setup(search, termination=("n_evals", STALL * budget), seed=seed, verbose=False)
    stalled = 0
    while algorithm.has_next() and distinct() < budget and stalled < STALL:
        pop = algorithm.ask()
        if pop is None or len(pop) == 0:        # every design of a small space was seen
            break
        if len(pop) > budget - distinct():
            pop = pop[:budget - distinct()]
        before = distinct()
        algorithm.evaluator.eval(search, pop)
        algorithm.tell(infills=pop)
        stalled = 0 if distinct() > before else stalled + 1


def grid(problem: Problem, budget: int) -> list[Candidate]:
    """A full-factorial grid of at most ``budget`` points: each variable as evenly spread as
    the budget allows (levels grown one variable at a time, the coarsest first)."""
    return [decode(problem, point) for point in grid_indices(problem, budget)]


def grid_indices(problem: Problem, budget: int) -> list[tuple[int, ...]]:
    """The value indices of the points of :func:`grid`."""
    levels = [1] * len(problem.variables)
    while True:
        grown = False
        for i in sorted(range(len(levels)), key=lambda i: levels[i]):
            v = problem.variables[i]
            trial = levels.copy()
            trial[i] += 1
            if trial[i] <= v.count and math.prod(trial) <= budget:
                levels, grown = trial, True
                break
        if not grown:
            break
    axes = [v.spread_indices(n) for v, n in zip(problem.variables, levels, strict=True)]
    return list(itertools.product(*axes))


def decode(problem: Problem, indices: Any) -> Candidate:
    """The candidate of one value index per variable."""
    return {v.name: v.value(int(k)) for v, k in zip(problem.variables, indices, strict=True)}


def sample(problem: Problem, budget: int, seed: int) -> list[Candidate]:
    """``budget`` distinct candidates drawn uniformly over each variable's values (all of them
    when the space is smaller)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    space = math.prod(v.count for v in problem.variables)
    chosen: dict[tuple, Candidate] = {}
    while len(chosen) < min(budget, space):
        picks = [rng.integers(0, v.count, budget) for v in problem.variables]
        for i in range(budget):
            c = {v.name: v.value(int(p[i])) for v, p in zip(problem.variables, picks,
                                                            strict=True)}
            chosen.setdefault(tuple(sorted(c.items())), c)
            if len(chosen) == min(budget, space):
                break
    return list(chosen.values())


def front(F: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Indices of the distinct non-dominated candidates among those that meet every limit."""
    feasible = np.nonzero((G <= 0).all(axis=1))[0]
    if feasible.size == 0:
        return feasible
    _, first = np.unique(F[feasible], axis=0, return_index=True)
    pts = feasible[np.sort(first)]
    f = F[pts]
    dominated = np.array([((f <= row).all(axis=1) & (f < row).any(axis=1)).any() for row in f])
    return pts[~dominated]


def hypervolume(F: np.ndarray, reference: np.ndarray) -> float:
    """The hypervolume (pymoo's) that the points ``F`` (minimised) dominate up to
    ``reference``."""
    from pymoo.indicators.hv import HV

    inside = F[(F < reference).all(axis=1)]
    return float(HV(ref_point=reference)(inside)) if len(inside) else 0.0
