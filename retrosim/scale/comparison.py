"""Comparisons at scale: per-arm means with intervals, paired differences, a ranking.

Every arm is walked by the same virtual people, so two arms differ by a paired difference:
person by person, ``x_arm - x_versus``. Its interval is far narrower than that of two
independent means, because the spread between people cancels.

The statistics stream over the people in fixed blocks of :data:`BLOCK` (means and centred
cross products merged block by block with Chan et al.'s parallel update), so memory stays flat
in the number of people, and a result read from a sweep's store is bit-identical to one from
an in-process run, whatever the sweep's chunk size or number of workers.

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

LEVEL = 0.95
BLOCK = 65_536
SLAB = 8          # blocks read at once from a store (fewer, larger reads; the same sums)
#: The objectives a ranking uses when the scenario's ``[sweep] objectives`` names none:
#: more energy is the aim, fewer falls, e-stops and alarms (any summary named ``*alarm*``).
DEFAULT_OBJECTIVES = {"energy_total": "max", "fell": "min", "estop": "min"}


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


def means_table(cmp: xr.Dataset, outcomes: list[str] | None = None) -> str:
    """Per-arm means with their intervals, one row per arm."""
    outcomes = outcomes or _shown(cmp)
    level = f"{cmp.attrs['confidence']:.0%}"
    rows = [["arm", *outcomes]]
    rows += [[str(arm), *(_interval(cmp, o, arm) for o in outcomes)] for arm in cmp.arm.values]
    return f"per-arm means and {level} intervals, {cmp.attrs['people']:,} people\n" + \
        _layout(rows)


def ranking_table(cmp: xr.Dataset) -> str:
    """Arms ranked on the objectives, each with its paired difference from the best arm."""
    goals = dict(zip(cmp.objective.values.tolist(), cmp.goal.values.tolist(), strict=True))
    if not goals:
        return "no objectives to rank on"
    order = np.lexsort(cmp["rank"].values[::-1])
    head = ("ranking: " + ", then ".join(f"{o} ({'most' if g == 'max' else 'fewest'})"
                                          for o, g in goals.items())
            + "; difference from the best arm [95% interval; shares in percentage points], "
            "paired: the same people")
    rows = [["rank", "arm", *(x for o in goals for x in (o, "vs best")), "pareto"]]
    best = {o: str(cmp.arm.values[int(np.argmin(cmp["rank"].sel(objective=o).values))])
            for o in goals}
    for i in order:
        arm = str(cmp.arm.values[i])
        cells = [x for o in goals
                 for x in (_value(cmp, o, arm), _difference(cmp, o, arm, best[o]))]
        rows.append([str(int(cmp["rank"].values[0, i])), arm, *cells,
                     "*" if bool(cmp.pareto.values[i]) else ""])
    return head + "\n" + _layout(rows) + "\n* on the Pareto front: no other arm is as " \
        "good on every objective and better on one"


def _layout(rows: list[list[str]]) -> str:
    """Columns as wide as their widest cell; the first two left-aligned when text."""
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    left = {j for j in range(len(widths)) if rows[0][j] in ("arm", "rank")}
    return "\n".join("  ".join(c.ljust(w) if j in left else c.rjust(w)
                                for j, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
                      for r in rows)


def _shown(cmp: xr.Dataset) -> list[str]:
    names = cmp.outcome.values.tolist()
    first = [*cmp.objective.values.tolist(), "energy_total", "hr_peak", "vo2_peak"]
    return [o for o in dict.fromkeys(first) if o in names][:5]


def _value(cmp: xr.Dataset, outcome: str, arm: str) -> str:
    value = float(cmp["mean"].sel(outcome=outcome, arm=arm))
    if bool(cmp.share.sel(outcome=outcome)):
        return f"{100 * value:.2f}%"
    return f"{value:.4g}"


def _interval(cmp: xr.Dataset, outcome: str, arm: str) -> str:
    r = cmp.sel(outcome=outcome, arm=arm)
    if bool(r.share):
        return f"{_value(cmp, outcome, arm)} [{100 * float(r.low):.2f}, " \
               f"{100 * float(r.high):.2f}%]"
    return f"{_value(cmp, outcome, arm)} [{float(r.low):.4g}, {float(r.high):.4g}]"


def _difference(cmp: xr.Dataset, outcome: str, arm: str, best: str) -> str:
    if arm == best:
        return "(best)"
    r = cmp.sel(outcome=outcome, arm=arm, versus=best)
    if np.isnan(float(r["diff"])):
        return ""
    scale = 100.0 if bool(r.share) else 1.0
    return (f"{scale * float(r['diff']):+.3g} [{scale * float(r.diff_low):+.3g}, "
            f"{scale * float(r.diff_high):+.3g}]")


#: The outcomes a decision weighs: (summary, label, unit, goal, scale). Goal "min" or "max"
#: names what is better; None: no better direction (peaks a therapist doses to, not
#: minimises). Scale multiplies shares into percent.
DECISION_OUTCOMES = (
    ("energy_exercise", "energy while walking", "kcal", "max", 1.0),
    ("energy_total", "energy of the session", "kcal", "max", 1.0),
    ("hr_peak", "peak heart rate", "bpm", None, 1.0),
    ("vo2_peak", "peak oxygen uptake", "mL/kg/min", None, 1.0),
    ("fall_risk", "fall risk (exact)", "%", "min", 100.0),
    ("fell", "sessions with a fall (sampled)", "%", "min", 100.0),
    ("sbp_post_expected", "systolic pressure after (expected)", "mmHg", "min", 1.0),
    ("dbp_post_expected", "diastolic pressure after (expected)", "mmHg", "min", 1.0),
    ("events_bp_exaggerated", "exaggerated blood-pressure responses", "per session", "min",
     1.0),
    ("events_bp_stop_criterion", "blood-pressure stop criteria met", "per session", "min",
     1.0),
    ("estop", "emergency stops", "%", "min", 100.0),
)
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


def _shown_outcomes(cmp: xr.Dataset) -> list[tuple[str, str, str, str | None, float]]:
    names = set(cmp.outcome.values.tolist())
    person = cmp.attrs.get("population") == "subject"
    rows: list[tuple[str, str, str, str | None, float]] = [
        o for o in DECISION_OUTCOMES if o[0] in names]
    if person:      # one person: the exact risk, not the sampled one, and no noise to count
        rows = [o for o in rows if o[0] not in ("fell", "estop")]
    if "energy_exercise" in names and not cmp.attrs.get("rests", 1):
        rows = [o for o in rows if o[0] != "energy_total"]      # no rest: one energy row
    return rows


def decision_table(cmp: xr.Dataset, versus: str | None = None) -> str:
    """Every outcome by arm, with the paired difference from ``versus`` (default the first
    arm) and its 95 % interval; "exact" where one person's model values differ with no
    sampling noise."""
    arms = [str(a) for a in cmp.arm.values]
    versus = versus or arms[0]
    n = int(cmp.attrs["people"])
    person = cmp.attrs.get("population") == "subject"
    rows = [["outcome", "unit", *arms]]
    for name, label, unit, _, scale in _shown_outcomes(cmp):
        cells = [label, unit]
        for arm in arms:
            value = scale * float(cmp["mean"].sel(outcome=name, arm=arm))
            text = _number(value)
            if arm != versus:
                r = cmp.sel(outcome=name, arm=arm, versus=versus)
                diff = scale * _diff(cmp, name, arm, versus)
                if np.isfinite(float(r.diff_low)):
                    text += (f" ({_number(diff, True)} [{_number(scale * float(r.diff_low), True)}"
                             f", {_number(scale * float(r.diff_high), True)}])")
                elif np.isfinite(diff):
                    text += f" ({_number(diff, True)}{' exact' if person and n == 1 else ''})"
            cells.append(text)
        rows.append(cells)
    who = ("one person's expected outcomes" if person and n == 1 else
           f"{n:,} draws of one person" if person else f"a cohort of {n:,} people")
    head = (f"{cmp.attrs.get('scenario', '')}: {who}; in brackets the difference from "
            f"{versus}" + (" with its 95 % interval, paired: the same people in every arm"
                           if n > 1 else " (the model's values: no sampling noise)"))
    return head + "\n" + _layout(rows)


def _diff(cmp: xr.Dataset, name: str, arm: str, versus: str) -> float:
    """The paired difference, or (one person) the difference of the two values."""
    diff = float(cmp["diff"].sel(outcome=name, arm=arm, versus=versus))
    if np.isfinite(diff):
        return diff
    means = cmp["mean"].sel(outcome=name)
    return float(means.sel(arm=arm)) - float(means.sel(arm=versus))


#: Differences smaller than these are "about the same" in the plain summary, by unit.
NEGLIGIBLE = {"mmHg": 1.0, "kcal": 0.5, "bpm": 1.0}


def _number(value: float, signed: bool = False) -> str:
    if not np.isfinite(value):
        return "-"
    text = f"{value:+.3g}" if signed else f"{value:.3g}"
    return text.replace("e-0", "e-")


def plain_summary(cmp: xr.Dataset, versus: str | None = None) -> str:
    """One paragraph in plain words: which arm does what best, and which differences are too
    small to tell apart (their paired interval holds 0)."""
    arms = [str(a) for a in cmp.arm.values]
    versus = versus or arms[0]
    n = int(cmp.attrs["people"])
    sentences = []
    for name, label, unit, goal, scale in _shown_outcomes(cmp):
        means = scale * cmp["mean"].sel(outcome=name).values.astype(float)
        if not np.isfinite(means).any():
            continue
        if goal is None:
            low, high = int(np.nanargmin(means)), int(np.nanargmax(means))
            sentences.append(f"{label.capitalize()} ranges from {_number(means[low])} {unit} "
                             f"({arms[low]}) to {_number(means[high])} {unit} ({arms[high]})")
            continue
        best = int(np.nanargmax(means) if goal == "max" else np.nanargmin(means))
        spread = float(np.nanmax(means) - np.nanmin(means))
        if spread <= 1e-9 * max(1.0, float(np.nanmax(np.abs(means)))):
            sentences.append(f"{label.capitalize()}: the same in every arm "
                             f"({_number(means[best])} {unit})")
            continue
        if spread < NEGLIGIBLE.get(unit, 0.0):
            sentences.append(f"{label.capitalize()}: about the same in every arm "
                             f"({_number(means[best])} {unit}, within "
                             f"{NEGLIGIBLE[unit]:g} {unit})")
            continue
        word = "most" if goal == "max" else "lowest"
        text = f"{arms[best]} has the {word} {label} ({_number(means[best])} {unit})"
        if arms[best] != versus:
            r = cmp.sel(outcome=name, arm=arms[best], versus=versus)
            lo, hi = float(r.diff_low), float(r.diff_high)
            if np.isfinite(lo) and lo <= 0.0 <= hi:
                text += f", not distinguishable from {versus} in {n:,} sessions"
            else:
                text += (f", {_number(scale * _diff(cmp, name, arms[best], versus), True)} "
                         f"{unit} against {versus}")
        sentences.append(text)
    closing = ("These are one person's expected outcomes from the model; fall risk is exact "
               "and the assumptions behind it are stated in the report."
               if cmp.attrs.get("population") == "subject" else
               "Differences are paired (the same people walk every arm) with 95 % intervals.")
    return ". ".join(sentences) + ". " + closing
