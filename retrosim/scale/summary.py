"""Comparisons as text: per-arm means, the ranking, the decision table and a plain summary.

Each renders a comparison Dataset (the form of :func:`retrosim.scale.comparison.statistics`,
or of :func:`retrosim.scale.comparison.decision` for the decision table and the plain summary)
as aligned columns or as sentences; none computes a statistic. :data:`DECISION_OUTCOMES` names
the outcomes a decision weighs and how each is labelled, in what unit and which way is better.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from retrosim.results.dataset import VARIABLES


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
    first = [*cmp.objective.values.tolist(), *VARIABLES.select("headline")]
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
