"""Solve a :class:`~retrosim.design.problem.Problem`: NSGA-II (pymoo), or a grid or random
search as references; the result is every candidate evaluated and its Pareto front.

NSGA-II (Deb et al. 2002) as pymoo gives it: every variable is coded as a real number in
``[0, count)`` whose integer part is the index of its value (a range's step, a choice's word),
so the real-coded operators work on all of them (simulated binary crossover and polynomial
mutation, with wider steps than pymoo's defaults), and two codes of the same design are one
duplicate. The first generation holds the corners of the box (the grid's points) and a Latin
hypercube (:func:`first_generation`); each later generation adds a quarter of a population of
children (:data:`OFFSPRING`), so a small budget makes many generations. The last part of the
budget (:data:`PUSH`) pushes the ends of the front outward by a compass search on the value
indices (:func:`push_ends`; Kolda, Lewis & Torczon 2003), where a front bounded by limits ends
and a few generations seldom reach; NSGA-II carries the pushed designs on with what the
compass search leaves. Limits are
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
Kolda TG, Lewis RM, Torczon V (2003). Optimization by direct search: new perspectives on some
classical and modern methods. SIAM Rev 45(3):385-482. doi:10.1137/S003614450242889.
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
#: Children per generation, as a share of the population (at least 8, the smallest
#: population): a quarter, so a budget makes up to four times the generations (selection
#: acts more often; measured in docs/design.md).
OFFSPRING = 0.25
#: The share of the budget kept for pushing the ends of the front (:func:`push_ends`); what it
#: does not use goes back to NSGA-II.
PUSH = 0.3


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
        _nsga2(problem, budget, seed, size, run, lambda: len(seen), archive,
               lambda c: tuple(sorted(c.items())) not in seen)
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
           run: Callable[[list[Candidate]], Costs], distinct: Callable[[], int],
           archive: Archive, is_new: Callable[[Candidate], bool]) -> None:
    NSGA2, Duplicates, PymooProblem, SBX, PM = _pymoo()
    from pymoo.core.population import Population
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
                      n_offsprings=max(8, int(round(OFFSPRING * size))),
                      crossover=SBX(eta=SBX_ETA, prob=0.9), mutation=PM(eta=PM_ETA),
                      eliminate_duplicates=Duplicates(epsilon=0.5, func=indices))
    algorithm.setup(search, termination=("n_evals", STALL * budget), seed=seed, verbose=False)

    def evolve(until: int) -> None:
        stalled = 0
        while algorithm.has_next() and distinct() < until and stalled < STALL:
            pop = algorithm.ask()
            if pop is None or len(pop) == 0:        # every design of a small space was seen
                break
            if len(pop) > until - distinct():
                pop = pop[:until - distinct()]
            before = distinct()
            algorithm.evaluator.eval(search, pop)
            algorithm.tell(infills=pop)
            stalled = 0 if distinct() > before else stalled + 1

    evolve(budget - reserve(budget, size, len(variables)))
    pushed = push_ends(problem, archive, budget, run, distinct, is_new)
    if pushed and algorithm.has_next():             # the search carries the ends on
        pop = Population.new("X", np.array(pushed, dtype=float) + 0.5)
        algorithm.evaluator.eval(search, pop)
        algorithm.tell(infills=pop)
    evolve(budget)


def reserve(budget: int, size: int, variables: int) -> int:
    """The evaluations kept for :func:`push_ends` (what it does not use goes back to the
    search): :data:`PUSH` of the budget when the first generation of ``size`` holds every
    corner of the box, so the front's ends start at the ranges' ends; else none (a budget
    too small for the corners is better spent on the search: measured in docs/design.md)."""
    return int(round(PUSH * budget)) if size >= 2 ** min(variables, 30) else 0


@dataclass
class _End:
    """An end of the front that :func:`push_ends` pushes: the feasible design best in
    objective ``m`` (among those whose variable ``held[0]`` takes value ``held[1]``, if
    held), its poll radius, whether the poll trades two ranges (``wide``), and ``done``."""

    m: int
    held: tuple[int, int] | None
    radius: int = 1
    wide: bool = False
    done: bool = False

    def moved(self) -> None:
        self.radius, self.wide = 2 * self.radius, False

    def failed(self) -> None:
        """A poll that did not move the end, or nothing new to poll: a smaller radius, then
        the trades, then done."""
        if self.radius > 1:
            self.radius //= 2
        elif self.wide:
            self.done = True
        else:
            self.wide = True

    def neighbours(self, variables: tuple[Any, ...], centre: tuple[int, ...]
                   ) -> list[tuple[int, ...]]:
        r = self.radius
        ranges = [i for i, v in enumerate(variables) if not v.is_choice]
        moves: list[dict[int, int]] = [{i: d} for i in ranges for d in (r, -r)]
        if self.wide:
            moves += [{i: r, j: -r} for i in ranges for j in ranges if i != j]
        moves += [{i: k - centre[i]} for i, v in enumerate(variables)
                  if v.is_choice and (self.held is None or self.held[0] != i)
                  for k in range(v.count) if k != centre[i]]
        out = []
        for move in moves:
            point = list(centre)
            for i, d in move.items():
                point[i] = min(max(point[i] + d, 0), variables[i].count - 1)
            if tuple(point) != centre:
                out.append(tuple(point))
        return out


def push_ends(problem: Problem, archive: Archive, budget: int,
              run: Callable[[list[Candidate]], Costs], distinct: Callable[[], int],
              is_new: Callable[[Candidate], bool]) -> list[tuple[int, ...]]:
    """Push each end of the front outward by a compass search on the value indices (Kolda,
    Lewis & Torczon 2003), all ends' polls in one batch, until they are done or the budget
    is spent. Returns the index vectors it evaluated.

    An end is the feasible design best in one objective (ties: the smaller sum of the
    others), overall and among the designs that take each value of each choice: a choice's
    values are separate basins (the best backward design cannot walk to a better forward
    one a step at a time). A poll evaluates an end's unseen neighbours at its radius: each
    range variable one radius up and down and each choice's other values; the radius doubles
    after a batch that moves the end (its own poll or another end's) and halves after one
    that does not, or at once when nothing new is left to poll; at radius one the poll then
    trades two range variables (one up, the other down: an end held by a limit moves along
    it), and an end that this does not move either is done."""
    variables = problem.variables
    held: list[tuple[int, int] | None] = [None] + [(i, k) for i, v in enumerate(variables)
                                                   if v.is_choice for k in range(v.count)]
    todo = [_End(m, h) for m in range(len(problem.objectives)) for h in held]
    coded: list[list[int]] = []                     # the archive's index vectors so far
    polled: list[tuple[int, ...]] = []

    def centres() -> list[tuple[int, ...] | None]:
        F, G = archive.arrays()
        coded.extend([v.index(c[v.name]) for v in variables]
                     for c in archive.candidates[len(coded):])
        codes = np.array(coded)
        ok = (G <= 0).all(axis=1)
        out: list[tuple[int, ...] | None] = []
        for end in todo:
            rows = np.nonzero(ok if end.held is None else
                              ok & (codes[:, end.held[0]] == end.held[1]))[0]
            rest = np.delete(F[rows], end.m, axis=1).sum(axis=1)
            out.append(tuple(int(k) for k in codes[rows[np.lexsort((rest, F[rows, end.m]))[0]]])
                       if rows.size else None)
        return out

    while distinct() < budget and not all(end.done for end in todo):
        before = centres()
        batch: list[tuple[int, ...]] = []
        for end, centre in zip(todo, before, strict=True):
            if centre is None:
                end.done = True
            if end.done or centre is None:
                continue
            new = [p for p in end.neighbours(variables, centre)
                   if p not in batch and is_new(decode(problem, p))]
            if not new:
                end.failed()
            batch += new
        if not batch:
            continue
        batch = batch[:budget - distinct()]
        run([decode(problem, p) for p in batch])
        polled += batch
        for end, old, now in zip(todo, before, centres(), strict=True):
            if not end.done:
                end.moved() if now != old else end.failed()
    return polled


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
