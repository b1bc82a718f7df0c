"""A search problem over whole runs: variables, objectives and limits, evaluated in batches.

The split follows PyBOP (a simulator and a cost make a problem; an optimiser solves it and
returns a result): a :class:`Problem` knows *what* may change (:class:`Variable`), *what* is
wanted (:class:`Objective`) and *what* must hold (:class:`Limit`), and calls one function,
``evaluate``, on a batch of candidates. It knows nothing of treadmills: ``evaluate`` gives, for
every named outcome, each candidate's central value (the person as given) and its draws (the
plausible versions of the person), and :meth:`Problem.costs` turns those into the arrays an
optimiser minimises. Protocol design (:mod:`retrosim.design.session`,
:mod:`retrosim.design.programme`) uses it; parameter fitting (:mod:`retrosim.fit.problem`)
has the same shape, :class:`retrosim.model.problem.Problem`.

A limit holds *at a quantile* of the person's prediction distribution, not on average:
``hr_reserve_peak<=0.60`` at the default quantile 0.9 means that in at least 90 % of the
plausible versions of the person the peak stays at or under 60 % of heart-rate reserve (a
``>=`` limit takes the lower quantile, 1 - q).

>>> v = Variable.parse("speed_mph=0.5..3.0", {"speed_mph": 0.1})
>>> v.low, v.high, v.count
(0.5, 3.0, 26)
>>> Variable.parse("direction=forward,backward", {}).choices
('forward', 'backward')
>>> Objective.parse("-fall_risk")
Objective(name='fall_risk', minimise=True)
>>> Limit.parse("hr_reserve_peak<=0.60", 0.9)
Limit(name='hr_reserve_peak', op='<=', value=0.6, quantile=0.9)
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

import numpy as np

from retrosim.errors import InputError, did_you_mean
from retrosim.model.problem import check_names

#: A candidate: variable name -> value (a float on a range's steps, or one of the choices).
Candidate: TypeAlias = dict[str, Any]
_LIMIT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=)\s*(\S+)\s*")


@dataclass(frozen=True)
class Outcome:
    """One named outcome of a batch: ``central`` (C,) the person as given, ``draws`` (C, D)
    the plausible versions of the person (D may be 0)."""

    central: np.ndarray
    draws: np.ndarray


@dataclass
class CachedEvaluator:
    """The ``evaluate`` of a :class:`Problem` over a scenario: candidates in a batch, each with
    the ``fixed`` values it does not vary, every candidate simulated once (a candidate met
    again comes from the cache). A subclass names its ``outcomes`` and simulates the new
    candidates (:meth:`simulate`): for each, every outcome's value for the person as given
    (first) and for her ``draws`` versions."""

    scenario: Any
    base: dict[str, Any]              # the scenario's TOML document
    seed: int
    draws: int
    fixed: dict[str, Any]
    _seen: dict[tuple, dict[str, np.ndarray]] = field(default_factory=dict)
    #: A ``dask.distributed.Client``: a batch's new candidates are cut into one task per
    #: worker (each candidate's outcomes are the same wherever it runs).
    client: Any = None
    outcomes: ClassVar[Mapping[str, str]] = {}

    def full(self, candidate: Candidate) -> dict[str, Any]:
        """The candidate with the values it does not vary."""
        return {**self.fixed, **candidate}

    def simulate(self, todo: list[dict[str, Any]]) -> list[dict[str, np.ndarray]]:
        """Each new candidate's outcomes, (1 + draws,) each: the person, then her versions."""
        raise NotImplementedError

    def _simulate(self, todo: list[dict[str, Any]]) -> list[dict[str, np.ndarray]]:
        """:meth:`simulate` here, or on the workers of :attr:`client` in order."""
        if self.client is None or len(todo) < 2:
            return self.simulate(todo)
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        cuts = np.array_split(np.arange(len(todo)), min(len(todo), workers))
        alone = dataclasses.replace(self, _seen={}, client=None)     # what a worker needs
        futures = [self.client.submit(_simulate_part, alone, [todo[i] for i in part],
                                      pure=False) for part in cuts]
        return [row for part in self.client.gather(futures) for row in part]

    def __call__(self, candidates: Sequence[Candidate]) -> dict[str, Outcome]:
        keys = [tuple(sorted(self.full(c).items())) for c in candidates]
        todo = list(dict.fromkeys(k for k in keys if k not in self._seen))
        if todo:
            self._seen.update(zip(todo, self._simulate([dict(k) for k in todo]), strict=True))
        rows = [self._seen[k] for k in keys]
        return {name: Outcome(np.array([r[name][0] for r in rows]),
                              np.array([r[name][1:] for r in rows]).reshape(len(rows), -1))
                for name in self.outcomes}


def _simulate_part(evaluator: CachedEvaluator, todo: list[dict[str, Any]]
                   ) -> list[dict[str, np.ndarray]]:
    """One worker's share of a batch."""
    return evaluator.simulate(todo)


@dataclass(frozen=True)
class Variable:
    """What a search may change: a range ``low..high`` on steps of ``step`` (its values are
    ``low + k * step``, so a written design is exactly what was evaluated), or a choice."""

    name: str
    low: float = 0.0
    high: float = 0.0
    step: float = 1.0
    choices: tuple[str, ...] = ()

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    @property
    def count(self) -> int:
        """How many distinct values the variable takes."""
        if self.is_choice:
            return len(self.choices)
        return int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1

    def value(self, k: int) -> Any:
        """The ``k``-th value (0 to :attr:`count` - 1)."""
        if self.is_choice:
            return self.choices[k]
        return round(self.low + k * self.step, 10)

    def index(self, value: Any) -> int:
        """The index of one of the variable's values (the inverse of :meth:`value`)."""
        if self.is_choice:
            return self.choices.index(value)
        return int(round((float(value) - self.low) / self.step))

    def spread(self, n: int) -> list[Any]:
        """``n`` values spread evenly over the variable (all of them when it has fewer)."""
        return [self.value(k) for k in self.spread_indices(n)]

    def spread_indices(self, n: int) -> list[int]:
        """The indices of :meth:`spread`."""
        if n >= self.count:
            return list(range(self.count))
        return [int(round(k)) for k in np.linspace(0, self.count - 1, n)]

    @classmethod
    def parse(cls, text: str, steps: Mapping[str, float], key: str = "--vary") -> Variable:
        """``NAME=LO..HI`` (a range on the step ``steps[NAME]``) or ``NAME=A,B,...``."""
        name, sep, spec = text.partition("=")
        name = name.strip()
        if not sep or not spec.strip():
            raise InputError(key, f"{text!r} is not NAME=LO..HI or NAME=A,B",
                             "speed_mph=0.5..3.0, direction=forward,backward")
        if ".." in spec:
            lo_text, _, hi_text = spec.partition("..")
            try:
                low, high = float(lo_text), float(hi_text)
            except ValueError:
                raise InputError(f"{key} {name}", f"{spec!r} is not a range of numbers",
                                 "LO..HI, e.g. 0.5..3.0") from None
            if not (math.isfinite(low) and math.isfinite(high)) or high < low:
                raise InputError(f"{key} {name}", f"the range {spec} is empty",
                                 "LO..HI with LO <= HI")
            step = float(steps.get(name, 1.0))
            return cls(name, low, high, step)
        choices = tuple(c.strip() for c in spec.split(",") if c.strip())
        if not choices:
            raise InputError(f"{key} {name}", "lists no choice", "A,B,...")
        return cls(name, choices=tuple(dict.fromkeys(choices)))


@dataclass(frozen=True)
class Objective:
    """An outcome to make large, or small with a leading ``-`` (``-fall_risk``)."""

    name: str
    minimise: bool = False

    @classmethod
    def parse(cls, text: str) -> Objective:
        text = text.strip()
        return cls(text[1:].strip(), True) if text.startswith("-") else cls(text, False)

    def __str__(self) -> str:
        return f"{'-' if self.minimise else ''}{self.name}"


@dataclass(frozen=True)
class Limit:
    """``name <= value`` or ``name >= value``, held at ``quantile`` of the draws (the upper
    quantile for ``<=``, the lower, 1 - quantile, for ``>=``)."""

    name: str
    op: str
    value: float
    quantile: float = 0.9

    @classmethod
    def parse(cls, text: str, quantile: float) -> Limit:
        m = _LIMIT.fullmatch(text)
        try:
            value = float(m.group(3)) if m else math.nan
        except ValueError:
            value = math.nan
        if m is None or not math.isfinite(value):
            raise InputError("--limit", f"{text!r} is not NAME<=X or NAME>=X",
                             "'hr_reserve_peak<=0.60', 'berg_change>=2'")
        return cls(m.group(1), m.group(2), value, quantile)

    @property
    def level(self) -> float:
        """The quantile of the draws the limit is held at."""
        return self.quantile if self.op == "<=" else round(1.0 - self.quantile, 12)

    def at_level(self, outcome: Outcome) -> np.ndarray:
        """Each candidate's value at the limit's quantile (the central value without draws)."""
        if outcome.draws.shape[1] == 0:
            return outcome.central
        return np.quantile(outcome.draws, self.level, axis=1)

    def excess(self, values: np.ndarray) -> np.ndarray:
        """How far ``values`` are past the limit (<= 0 where it holds)."""
        return values - self.value if self.op == "<=" else self.value - values

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.value:g}"


@dataclass(frozen=True)
class Costs:
    """A batch scored: ``F`` (C, objectives) to minimise, ``G`` (C, limits) <= 0 where a
    limit holds, and the outcomes behind them."""

    F: np.ndarray
    G: np.ndarray
    outcomes: dict[str, Outcome]


@dataclass(frozen=True)
class Problem:
    """Variables, objectives and limits over a batch evaluator: a
    :class:`retrosim.model.problem.Problem`, as a fit's is.

    ``evaluate(candidates)`` returns an :class:`Outcome` for every name in ``names`` (at least
    those the objectives and limits use). ``fixed`` are the values of what is not varied."""

    variables: tuple[Variable, ...]
    objectives: tuple[Objective, ...]
    limits: tuple[Limit, ...]
    evaluate: Callable[[Sequence[Candidate]], dict[str, Outcome]]
    names: Mapping[str, str] = field(default_factory=dict)    # outcome -> units and meaning
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def check(self, variable_names: Sequence[str]) -> None:
        """One line for a name no evaluator knows; every objective and limit named once."""
        check_names(self, variable_names)
        if not self.objectives:
            raise InputError("--objective", "is required", ", ".join(self.names))
        for what, items in (("--objective", self.objectives), ("--limit", self.limits)):
            for item in items:
                if item.name not in self.names:
                    raise InputError(f"{what} {item.name}", "is not an outcome"
                                     + did_you_mean(item.name, list(self.names)),
                                     ", ".join(self.names))

    def costs(self, candidates: Sequence[Candidate]) -> Costs:
        """Evaluate a batch and score it."""
        out = self.evaluate(candidates)
        n = len(candidates)
        F = np.column_stack([out[o.name].central * (1.0 if o.minimise else -1.0)
                             for o in self.objectives]) if self.objectives else np.zeros((n, 0))
        G = np.column_stack([lim.excess(lim.at_level(out[lim.name])) for lim in self.limits]) \
            if self.limits else np.zeros((n, 0))
        return Costs(F, G, out)
