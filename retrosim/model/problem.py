"""The problem both searches over a simulator share: what may change, a batch evaluation, a
cost.

The split follows PyBOP (Planden et al. 2025): a simulator and a cost make a *problem*; an
optimiser or a sampler solves it and returns a result. ``retrosim design`` and ``retrosim fit``
are two problems of this one shape, :class:`Problem`:

- ``variables``: what may change, each a named record with its bounds or prior (a design's
  :class:`~retrosim.design.problem.Variable`, a range on steps or a choice; a fit's
  :class:`~retrosim.fit.problem.Parameter`, a normal prior in its fitting space);
- ``evaluate(batch)``: every candidate of a batch (a design's candidate, a fit's point in its
  fitting space) through the simulator, at once;
- ``costs(batch)``: what the solver minimises for each candidate of the batch (a design's
  objectives and limits, a fit's standardised residuals and prior terms).

A solver is written against this shape only (:func:`names`, :func:`check_names`), so a
candidate's values are read by variable name alike in both.

References
----------
- Planden B, Courtier NE, Robinson M, Khetarpal A, Planella FB, Howey DA (2025). PyBOP: a
  Python package for battery model optimisation and parameterisation. J Open Source Softw
  10:7874 (volume and article number recalled).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from retrosim.errors import InputError, did_you_mean


@runtime_checkable
class Named(Protocol):
    """A variable of a problem: it has a name (and, in a concrete problem, bounds or a
    prior)."""

    @property
    def name(self) -> str: ...


@runtime_checkable
class Problem(Protocol):
    """Variables, a batch evaluation through the simulator, and a cost (module docstring)."""

    @property
    def variables(self) -> Sequence[Named]: ...

    @property
    def evaluate(self) -> Any:
        """``evaluate(batch)``: the simulator's outputs for every candidate of ``batch``."""

    def costs(self, batch: Sequence[Any]) -> Any:
        """What a solver minimises, for every candidate of ``batch``."""


def names(problem: Problem) -> list[str]:
    """The problem's variables' names, in order."""
    return [v.name for v in problem.variables]


def check_names(problem: Problem, known: Sequence[str] | None = None, *,
                key: str = "--vary") -> None:
    """Each variable named once, and (with ``known``) only names in ``known``; else one
    InputError naming ``key``."""
    seen = names(problem)
    if known is not None:
        for name in seen:
            if name not in known:
                raise InputError(f"{key} {name}", "is not a variable"
                                 + did_you_mean(name, known), ", ".join(known))
    if len(set(seen)) < len(seen):
        raise InputError(key, "names a variable twice", "each variable once")
