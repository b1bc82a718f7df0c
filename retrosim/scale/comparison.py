"""Comparisons at scale: per-arm means with intervals, paired differences, a ranking.

Every arm is walked by the same virtual people, so two arms differ by a paired difference:
person by person, ``x_arm - x_versus``. Its interval is far narrower than that of two
independent means, because the spread between people cancels.

The statistics stream over the people in fixed blocks of :data:`BLOCK` (means and centred
cross products merged block by block with Chan et al.'s parallel update), so memory stays flat
in the number of people, and a result read from a sweep's store is bit-identical to one from
an in-process run, whatever the sweep's chunk size or number of workers.

The text renderings (tables, the plain summary) are in :mod:`retrosim.scale.summary`.

Intervals (confidence :data:`LEVEL`): Student t for means and paired differences
(``scipy.stats.t``); Wilson score for the share of people for whom a yes-or-no summary (fell,
estop) is true. References: Chan TF, Golub GH, LeVeque RJ (1979), Updating formulae and a
pairwise algorithm for computing sample variances; Wilson EB (1927) JASA 22:209.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr
from scipy import stats

from retrosim.results.dataset import VARIABLES
from retrosim.scale.summary import DECISION_OUTCOMES

LEVEL = 0.95
BLOCK = 65_536
SLAB = 8          # blocks read at once from a store (fewer, larger reads; the same sums)
#: The objectives a ranking uses when the scenario's ``[sweep] objectives`` names none:
#: more energy is the aim, fewer falls, e-stops and alarms (any summary named ``*alarm*``).
DEFAULT_OBJECTIVES = {v.name: v.aim for v in VARIABLES.values() if v.aim}


def objectives_for(names: list[str], chosen: tuple[tuple[str, str], ...] = ()
                   ) -> dict[str, str]:
    """The objectives among the summaries ``names``: those chosen, else the defaults.

    >>> objectives_for(["energy_total", "hr_peak", "bp_alarm"])
    {'energy_total': 'max', 'bp_alarm': 'min'}
    """
    if chosen:
        return dict(chosen)
    out = {n: goal for n, goal in DEFAULT_OBJECTIVES.items() if n in names}
    out.update({n: "min" for n in names
                if ("alarm" in n or n.startswith("events_")) and n not in out})
    return out


def event_summary(kind: str) -> str:
    """The summary that counts a kind of event per person.

    >>> event_summary("bp-exaggerated")
    'events_bp_exaggerated'
    """
    return "events_" + re.sub(r"[^0-9A-Za-z]+", "_", kind).strip("_")


def count_events(subjects: np.ndarray, kinds: np.ndarray, kind: str, n: int) -> np.ndarray:
    """How many events of ``kind`` each of ``n`` people had (``subjects``: positions 0..n-1,
    -1 for events of everyone, which are not counted).

    >>> count_events(np.array([0, 2, -1, 2]), np.array(["a", "a", "a", "b"]), "a", 3).tolist()
    [1, 0, 1]
    """
    mine = (np.asarray(kinds) == kind) & (np.asarray(subjects) >= 0)
    return np.bincount(np.asarray(subjects)[mine], minlength=n).astype(np.int32)


def with_event_counts(ds: xr.Dataset, kinds: tuple[str, ...]) -> xr.Dataset:
    """``ds`` (an in-process result) with a per-person count of each kind of event."""
    people = ds.subject.values
    order = np.argsort(people)
    who = ds.event_subject.values
    at = np.clip(np.searchsorted(people, who, sorter=order), 0, people.size - 1)
    position = np.where(people[order[at]] == who, order[at], -1)
    out = ds.copy()
    for kind in kinds:
        rows = [count_events(position[ds.event_arm.values == arm],
                             ds.event_kind.values[ds.event_arm.values == arm], kind,
                             people.size) for arm in ds.arm.values]
        out[event_summary(kind)] = (("arm", "subject"), np.stack(rows))
    return out


def compare(ds: xr.Dataset, objectives: dict[str, str] | None = None) -> xr.Dataset:
    """The comparison of an in-process result (``retrosim.run``): see :func:`statistics`.

    >>> import retrosim
    >>> ds = retrosim.run(retrosim.load_scenario("compendium-2011"), subjects=3, traces=False)
    >>> cmp = compare(ds)
    >>> cmp["mean"].sel(outcome="energy_total").round(1).values.tolist()
    [45.9, 64.0, 85.4]
    """
    names = [str(n) for n, v in ds.data_vars.items() if v.dims == ("arm", "subject")]
    arrays = {n: ds[n].values for n in names}
    return statistics(lambda n, a, b: arrays[n][:, a:b], names, list(ds.arm.values),
                      ds.sizes["subject"], objectives)


def statistics(read: Callable[[str, int, int], np.ndarray], names: list[str], arms: list[str],
               n: int, objectives: dict[str, str] | None = None,
               mapper: Callable[..., Any] = map) -> xr.Dataset:
    """Per-arm and paired statistics of summaries that ``read(name, a, b)`` gives as
    ``(arm, people a..b-1)`` arrays.

    Returns a Dataset on (outcome, arm) with ``mean``, ``low``, ``high`` and ``count``;
    on (outcome, arm, versus) with ``diff`` (mean of ``arm - versus`` over the same people),
    ``diff_low`` and ``diff_high`` (NaN for outcomes some people lack, such as fall_time);
    and on (objective, arm) with ``rank`` (1 is best), plus ``pareto`` on arm (no other arm is
    at least as good on every objective and better on one). ``mapper(f, names)`` computes the
    outcomes one by one (a cluster's map computes them in parallel: the same numbers).
    """
    names = [x for x in names if not _text(read(x, 0, 1))]
    a = len(arms)
    per = list(mapper(functools.partial(outcome, read, n=n, arms=a), names))
    stacked = {key: np.stack([p[key] for p in per]) for key in per[0]}
    mean = stacked["mean"]
    goals = objectives_for(names) if objectives is None else objectives
    goals = {x: g for x, g in goals.items() if x in names}
    rank = np.zeros((len(goals), a), dtype=np.int64)
    signed = np.array([mean[names.index(x)] * (-1 if g == "max" else 1)
                       for x, g in goals.items()]).reshape(len(goals), a)
    for j in range(len(goals)):
        rank[j] = stats.rankdata(np.nan_to_num(signed[j], nan=np.inf), method="min")
    pareto = np.array([not any(np.all(signed[:, o] <= signed[:, i]) and
                               np.any(signed[:, o] < signed[:, i]) for o in range(a))
                       for i in range(a)])
    return xr.Dataset(
        {**{key: (("outcome", "arm"), stacked[key]) for key in ("mean", "low", "high", "count")},
         **{key: (("outcome", "arm", "versus"), stacked[key])
            for key in ("diff", "diff_low", "diff_high")},
         "rank": (("objective", "arm"), rank), "pareto": (("arm",), pareto),
         "share": (("outcome",), stacked["share"]),
         "goal": (("objective",), np.array(list(goals.values()), dtype=str))},
        coords={"outcome": np.array(names, dtype=str), "arm": np.array(arms, dtype=str),
                "versus": np.array(arms, dtype=str),
                "objective": np.array(list(goals), dtype=str)},
        attrs={"confidence": LEVEL, "people": n,
               "method": "Student t intervals of means and of paired differences (the same "
                         "people in every arm); Wilson score intervals of shares"})


def outcome(read: Callable[[str, int, int], np.ndarray], name: str, *, n: int,
            arms: int) -> dict[str, np.ndarray]:
    """The statistics of one summary over ``n`` people in ``arms`` arms (see statistics)."""
    acc = _Accumulator(arms)
    share = True
    for slab_start in range(0, n, BLOCK * SLAB):          # read a few blocks at a time
        slab = read(name, slab_start, min(n, slab_start + BLOCK * SLAB))
        share &= slab.dtype == bool
        for start in range(0, slab.shape[1], BLOCK):
            acc.add(np.asarray(slab[:, start:start + BLOCK], dtype=float))
    low, high = (_wilson if share else _student)(acc.mean, acc.m2, acc.count)
    out: dict[str, Any] = {"count": acc.count, "mean": acc.mean, "low": low, "high": high,
                           "share": np.bool_(share)}
    diff, diff_low, diff_high = (np.full((arms, arms), np.nan) for _ in range(3))
    if acc.complete and acc.n > 1:
        tq = stats.t.ppf(0.5 + LEVEL / 2, acc.n - 1)
        var = np.diag(acc.c)[:, None] + np.diag(acc.c)[None, :] - 2.0 * acc.c
        se = np.sqrt(np.maximum(var, 0.0) / (acc.n - 1) / acc.n)
        diff = acc.mean[:, None] - acc.mean[None, :]
        diff_low, diff_high = diff - tq * se, diff + tq * se
    return {**out, "diff": diff, "diff_low": diff_low, "diff_high": diff_high}


class _Accumulator:
    """Running per-arm counts, means and squared deviations; the cross products while no
    value is missing (Chan, Golub & LeVeque 1979)."""

    def __init__(self, arms: int) -> None:
        self.count = np.zeros(arms, dtype=np.int64)
        self.mean = np.full(arms, np.nan)
        self.m2 = np.zeros(arms)
        self.n = 0
        self.c = np.zeros((arms, arms))
        self.complete = True

    def add(self, x: np.ndarray) -> None:
        finite = np.isfinite(x)
        nb = finite.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mb = np.where(finite, x, 0.0).sum(axis=1) / nb
        dev = np.where(finite, x - mb[:, None], 0.0)
        m2b = (dev * dev).sum(axis=1)
        total = self.count + nb
        delta = mb - np.nan_to_num(self.mean)
        with np.errstate(invalid="ignore", divide="ignore"):
            merged = np.nan_to_num(self.mean) + delta * nb / total
            self.m2 = np.where(nb > 0, self.m2 + m2b + delta**2 * self.count * nb / total,
                               self.m2)
        self.mean = np.where(nb > 0, np.where(self.count > 0, merged, mb), self.mean)
        self.count = total
        if not finite.all():
            self.complete = False
        if not self.complete:
            return
        size = x.shape[1]
        block_mean = x.mean(axis=1)
        centred = x - block_mean[:, None]
        cross = centred @ centred.T
        if self.n == 0:
            self.c, self.n = cross, size
            self.cmean = block_mean
            return
        d = block_mean - self.cmean
        n_new = self.n + size
        self.c = self.c + cross + np.outer(d, d) * (self.n * size / n_new)
        self.cmean = self.cmean + d * (size / n_new)
        self.n = n_new


def _student(mean: np.ndarray, m2: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + LEVEL / 2, n - 1) * np.sqrt(m2 / (n - 1) / n)
    half = np.where(n > 1, half, np.nan)
    return mean - half, mean + half


def _wilson(p: np.ndarray, m2: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _text(sample: np.ndarray) -> bool:
    return sample.dtype.kind in "OUS"


#: Alarm kinds counted per person for a decision.
ALARM_KINDS = ("bp-exaggerated", "bp-stop-criterion")


def decision(ds: xr.Dataset) -> xr.Dataset:
    """The comparison of an in-process result over every outcome a decision weighs (see
    :data:`DECISION_OUTCOMES`), alarms counted per person; attribute ``population`` copied."""
    counted = with_event_counts(ds, ALARM_KINDS) if "event_kind" in ds else ds
    names = [n for n, *_ in DECISION_OUTCOMES if n in counted]
    arrays = {n: np.asarray(counted[n].values) for n in names}
    cmp = statistics(lambda n, a, b: arrays[n][:, a:b], names, list(ds.arm.values),
                     ds.sizes["subject"], {n: g for n, _, _, g, _ in DECISION_OUTCOMES
                                           if g and n in names})
    rests = "rest for" in str(ds.attrs.get("protocols", ""))
    cmp.attrs.update(population=str(ds.attrs.get("population", "subject")),
                     scenario=str(ds.attrs.get("scenario", "")), rests=int(rests))
    return cmp
