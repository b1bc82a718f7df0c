"""The problem ``retrosim design`` and ``retrosim fit`` share (``retrosim.model.problem``):
variables by name, a batch evaluation, a cost; the name checks both make."""

from __future__ import annotations

import numpy as np
import pytest

from retrosim.design.problem import Objective, Outcome, Variable
from retrosim.design.problem import Problem as DesignProblem
from retrosim.errors import InputError
from retrosim.fit.problem import Parameter
from retrosim.fit.problem import Problem as FitProblem
from retrosim.model import problem as shared


def _design() -> DesignProblem:
    def evaluate(batch):
        return {"o": Outcome(np.array([c["a"] for c in batch], dtype=float), np.zeros((2, 0)))}

    return DesignProblem((Variable("a", 0, 10, 1), Variable("b", choices=("x", "y"))),
                         (Objective("o", minimise=True),), (), evaluate, {"o": "-"})


def _fit() -> FitProblem:
    """A constant through three readings, with a standard normal prior."""
    return FitProblem((Parameter("c", 0.0, 1.0),), lambda th: np.full(3, th[0]),
                      np.array([1.0, 2.0, 3.0]))


def test_a_design_and_a_fit_are_one_kind_of_problem():
    for p in (_design(), _fit()):
        assert isinstance(p, shared.Problem)
    assert shared.names(_design()) == ["a", "b"] and shared.names(_fit()) == ["c"]


def test_each_evaluates_and_costs_a_batch():
    design = _design()
    np.testing.assert_array_equal(design.costs([{"a": 3.0, "b": "x"},
                                                {"a": 5.0, "b": "y"}]).F[:, 0], [3.0, 5.0])
    fit = _fit()
    np.testing.assert_array_equal(fit.evaluate([np.array([2.0])]), [[2.0, 2.0, 2.0]])
    # 0.5 ((1-2)^2 + (2-2)^2 + (3-2)^2 + (2-0)^2 / 1^2) = 3; at the posterior mode c = 1.5:
    # 0.5 (0.25 + 0.25 + 2.25 + 2.25) = 2.5
    np.testing.assert_allclose(fit.costs([np.array([2.0]), np.array([1.5])]), [3.0, 2.5])


def test_a_variable_named_twice_or_unknown_is_one_line():
    twice = DesignProblem((Variable("a", 0, 1, 1), Variable("a", 0, 1, 1)),
                          (Objective("o"),), (), lambda c: {})
    with pytest.raises(InputError, match="names a variable twice"):
        shared.check_names(twice)
    with pytest.raises(InputError, match="--vary b: is not a variable"):
        shared.check_names(_design(), ["a", "speed_mph"])
