"""The search's parts on a problem whose answer is known exactly: the compass search that
pushes the front's ends, and NSGA-II's budget split between generations and the push."""

import numpy as np
import pytest

from retrosim.design import search
from retrosim.design.problem import Limit, Objective, Outcome, Problem, Variable


def linear_problem() -> Problem:
    """Maximise f = 2x + y (+3 with c = 'b') on x, y in 0..20 with s = x + y <= 24: the
    best design is x = 20, y = 4, c = 'b', f = 47, on the limit (a linear programme whose
    optimum is the vertex where the limit meets x's upper end)."""
    def evaluate(candidates):
        x = np.array([c["x"] for c in candidates])
        y = np.array([c["y"] for c in candidates])
        bonus = np.array([3.0 if c["c"] == "b" else 0.0 for c in candidates])
        none = np.zeros((len(candidates), 0))
        return {"f": Outcome(2 * x + y + bonus, none), "s": Outcome(x + y, none)}

    return Problem((Variable("x", 0, 20, 1), Variable("y", 0, 20, 1),
                    Variable("c", choices=("a", "b"))),
                   (Objective("f"),), (Limit("s", "<=", 24.0),), evaluate)


def evaluator(problem: Problem):
    archive = search.Archive([], [], [], [])
    seen: set[tuple] = set()

    def run(candidates):
        costs = problem.costs(candidates)
        archive.add(candidates, costs)
        seen.update(tuple(sorted(c.items())) for c in candidates)
        return costs

    return archive, run, seen


def test_pushing_the_ends_walks_from_a_corner_along_the_limit_to_the_best_design():
    problem = linear_problem()
    archive, run, seen = evaluator(problem)
    run([{"x": 0.0, "y": 0.0, "c": "a"}])                  # one feasible design, the worst
    search.push_ends(problem, archive, 10_000, run, lambda: len(seen),
                     lambda c: tuple(sorted(c.items())) not in seen)
    F, G = archive.arrays()
    best = search.front(F, G)
    assert [archive.candidates[i] for i in best] == [{"x": 20.0, "y": 4.0, "c": "b"}]
    assert -F[best[0], 0] == 47.0
    assert len(seen) < 21 * 21 * 2 / 4                      # a search, not the whole space


def test_pushing_the_ends_stops_at_the_budget():
    problem = linear_problem()
    archive, run, seen = evaluator(problem)
    run([{"x": 0.0, "y": 0.0, "c": "a"}])
    search.push_ends(problem, archive, 12, run, lambda: len(seen),
                     lambda c: tuple(sorted(c.items())) not in seen)
    assert len(seen) == 12


@pytest.mark.parametrize("budget", [30, 120])
def test_nsga2_keeps_to_its_budget_finds_the_best_design_and_repeats_itself(budget):
    problem = linear_problem()
    first = search.solve(problem, budget, seed=3)
    F, G = first.arrays()
    # at most the budget: a search whose generations bring nothing new for STALL in a row
    # stops before it (this problem has one objective, so its population gathers at the best)
    assert budget - search.STALL <= first.distinct <= budget
    assert -F[search.front(F, G), 0].max() == 47.0
    again = search.solve(problem, budget, seed=3)
    assert again.candidates == first.candidates
