"""Distributions of a cohort's subject keys: normal (truncated), uniform, categorical shares.

Each distribution turns per-person random numbers into values, element by element, so a person
gets the same value whatever batch or chunk they are sampled in: a normal turns a standard
normal draw into a value (exactly truncated to its bounds by the inverse-CDF method), a
uniform turns a uniform draw on [0, 1) into a value, and categorical shares turn a uniform draw
into a level. Parsing a scenario's table checks every number and names the key at fault.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from retrosim.errors import InputError

DIST_NAMES = ("normal", "uniform")
NORMAL_KEYS = ("dist", "mean", "sd", "min", "max", "correlation")
UNIFORM_KEYS = ("dist", "min", "max")
_SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Normal:
    """A normal distribution truncated to [low, high] (bounds may be infinite)."""

    mean: float
    sd: float
    low: float = -math.inf
    high: float = math.inf

    @property
    def typical(self) -> float:
        return self.mean

    def transform(self, z: np.ndarray) -> np.ndarray:
        """Values from standard normal draws ``z``: exact truncation by the inverse CDF.

        ``x = mean + sd * Phi^-1(Phi(a) + Phi(z) (Phi(b) - Phi(a)))`` with ``a, b`` the
        standardised bounds; for ``z > 0`` the mirror-image form is used so that both tails
        keep full precision. Without bounds it returns ``mean + sd * z`` to rounding.

        >>> Normal(70.0, 10.0).transform(np.array([-1.0, 0.0, 2.0])).round(9).tolist()
        [60.0, 70.0, 90.0]
        >>> Normal(70.0, 10.0, 65.0, 80.0).transform(np.array([-8.0, 0.0, 8.0])).round(2).tolist()
        [65.0, 71.89, 80.0]

        (71.89 is the median of the normal truncated to [65, 80]: Phi^-1 of
        (Phi(-0.5) + Phi(1)) / 2 is 0.189 sd above the mean.)
        """
        z = np.asarray(z, dtype=float)
        if self.sd == 0.0:
            return np.full(z.shape, self.mean)
        a = (self.low - self.mean) / self.sd
        b = (self.high - self.mean) / self.sd
        upper = z > 0                      # mirrored: Phi(-z) keeps the upper tail's digits
        start = np.where(upper, special.ndtr(-b), special.ndtr(a))
        span = np.where(upper, special.ndtr(-a) - special.ndtr(-b),
                        special.ndtr(b) - special.ndtr(a))
        with np.errstate(divide="ignore"):
            q = special.ndtri(start + special.ndtr(-np.abs(z)) * span)
        return np.clip(self.mean + np.where(upper, -self.sd, self.sd) * q, self.low, self.high)


@dataclass(frozen=True)
class Uniform:
    """A uniform distribution on [low, high]."""

    low: float
    high: float

    @property
    def typical(self) -> float:
        return 0.5 * (self.low + self.high)

    def transform(self, u: np.ndarray) -> np.ndarray:
        """Values from uniform draws ``u`` on [0, 1).

        >>> Uniform(60.0, 80.0).transform(np.array([0.0, 0.5])).tolist()
        [60.0, 70.0]
        """
        return self.low + np.asarray(u, dtype=float) * (self.high - self.low)


@dataclass(frozen=True)
class Shares:
    """Categorical shares: each level and the fraction of people at it."""

    levels: tuple[Any, ...]
    shares: tuple[float, ...]

    @property
    def typical(self) -> Any:
        """The most common level (the first of equals)."""
        return self.levels[int(np.argmax(self.shares))]

    def codes(self, u: np.ndarray) -> np.ndarray:
        """Each person's level, as a position in ``levels``, from uniform draws on [0, 1).

        >>> Shares(("female", "male"), (0.6, 0.4)).codes(np.array([0.1, 0.59, 0.61])).tolist()
        [0, 0, 1]
        """
        edges = np.cumsum(self.shares)[:-1] / sum(self.shares)
        return np.searchsorted(edges, np.asarray(u, dtype=float), side="right")


def is_distribution(value: Any) -> bool:
    """True when a cohort value is drawn (a table) rather than given (a plain value)."""
    return isinstance(value, dict)


def parse(key: str, spec: dict[str, Any], limits: tuple[float, float] | None
          ) -> Normal | Uniform | Shares:
    """A distribution from its scenario table; ``limits`` are the key's allowed range.

    A table with ``dist`` is numeric: ``{dist = "normal", mean, sd, min, max}`` (``min`` and
    ``max`` default to ``limits``) or ``{dist = "uniform", min, max}``. Any other table gives
    categorical shares, ``{female = 0.6, male = 0.4}``, which must add up to 1.

    >>> parse("age_yr", {"dist": "normal", "mean": 68, "sd": 8}, (18.0, 100.0))
    Normal(mean=68.0, sd=8.0, low=18.0, high=100.0)
    >>> parse("sex", {"female": 0.6, "male": 0.4}, None).typical
    'female'
    """
    if "dist" not in spec:
        return _shares(key, spec)
    dist = spec["dist"]
    if dist not in DIST_NAMES:
        raise InputError(f"{key}.dist", f"{dist!r} is not known", " | ".join(DIST_NAMES))
    allowed = NORMAL_KEYS if dist == "normal" else UNIFORM_KEYS
    for name in spec:
        if name not in allowed:
            raise InputError(f"{key}.{name}", f"is not a key of a {dist} distribution",
                             ", ".join(allowed))
    low_limit, high_limit = limits if limits is not None else (-math.inf, math.inf)
    if dist == "uniform":
        for name in ("min", "max"):
            if name not in spec:
                raise InputError(f"{key}.{name}", "is required", "a number")
    low = _bound(key, "min", spec["min"], limits) if "min" in spec else low_limit
    high = _bound(key, "max", spec["max"], limits) if "max" in spec else high_limit
    if not low < high and not (dist == "normal" and low == high):
        raise InputError(f"{key}.max", f"{high:g} is not above min {low:g}", f"more than {low:g}")
    if dist == "uniform":
        return Uniform(low, high)
    for name in ("mean", "sd"):
        if name not in spec:
            raise InputError(f"{key}.{name}", "is required", "a number")
    mean = _number(f"{key}.mean", spec["mean"])
    if not low <= mean <= high:
        raise InputError(f"{key}.mean", f"{mean:g} is outside min-max", f"{low:g}-{high:g}")
    sd = _number(f"{key}.sd", spec["sd"])
    if sd < 0:
        raise InputError(f"{key}.sd", f"{sd:g} is negative", "a standard deviation >= 0")
    return Normal(mean, sd, low, high)


def correlations(key: str, spec: dict[str, Any]) -> dict[str, float]:
    """The ``correlation`` table of a normal distribution: other key -> coefficient."""
    table = spec.get("correlation", {})
    if not isinstance(table, dict):
        raise InputError(f"{key}.correlation", f"{table!r} is not a table",
                         "{other_key = coefficient, ...}")
    out = {}
    for other, r in table.items():
        r = _number(f"{key}.correlation.{other}", r)
        if not -1.0 <= r <= 1.0:
            raise InputError(f"{key}.correlation.{other}", f"{r:g} is out of range", "-1 to 1")
        out[str(other)] = r
    return out


def _shares(key: str, spec: dict[str, Any]) -> Shares:
    if not spec:
        raise InputError(key, "has no shares", '{level = share, ...} or {dist = "normal", ...}')
    shares = {level: _number(f"{key}.{level}", share) for level, share in spec.items()}
    for level, share in shares.items():
        if share < 0:
            raise InputError(f"{key}.{level}", f"share {share:g} is negative", "0-1")
    total = sum(shares.values())
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        raise InputError(key, f"shares add up to {total:g}", "shares that add up to 1")
    return Shares(tuple(shares), tuple(shares.values()))


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(float(value)):
        raise InputError(key, f"{value!r} is not a finite number", "a number")
    return float(value)


def _bound(key: str, name: str, value: Any, limits: tuple[float, float] | None) -> float:
    bound = _number(f"{key}.{name}", value)
    if limits is not None and not limits[0] <= bound <= limits[1]:
        raise InputError(f"{key}.{name}", f"{bound:g} is out of range",
                         f"{limits[0]:g}-{limits[1]:g}")
    return bound
