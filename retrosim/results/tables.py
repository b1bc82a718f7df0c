"""Plain-text tables of a result: the per-arm summary and the comparison of arms.

The summary separates the person from the noise. For a ``[subject]`` the table shows that
person's *expected* outcomes: the model's values, with their 90 % prediction intervals when the
result holds ``<name>_low`` / ``<name>_high``; the blood pressure after exercise is the expected
seated pressure (``sbp_post_expected``), not one noisy cuff reading; the fall risk is exact,
``1 - exp(-H)`` from the fall hazard (``fall_risk``), not a count of sampled falls, with its
prediction interval from the person's plausible versions. The
simulated cuff readings (with measurement noise) are listed under the table, labelled as
readings. For a ``[cohort]`` the table says it shows the cohort's distribution: mean and SD over
its people, and the share of them who fell with its Wilson interval.

Energy and mean MET are counted while walking, the belt moving (``energy_exercise``,
``met_mean_exercise``); when an arm has rest stages the whole session's energy
(``energy_total``, rest included) is shown beside it. Each column names its definition ("while
walking", "whole session") in the declaration's words (:func:`definition`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from retrosim import units
from retrosim.engine.variables import SESSION

if TYPE_CHECKING:
    from retrosim.model.scenario import Scenario

#: Level of the prediction intervals the physiology stores as ``<name>_low``/``<name>_high``.
PREDICTION_LEVEL = "90 %"


def population_attrs(scenario: Scenario) -> dict[str, str]:
    """Who was simulated and in which units the scenario speaks, as Dataset attributes.

    ``population`` is "subject" (draws of one person) or "cohort"; ``population_inputs`` the
    person's every input (defaults filled in) or the cohort's table, as JSON; ``speed_units``
    "mph" or "km/h".

    >>> import retrosim
    >>> attrs = population_attrs(retrosim.load_scenario("knee-replacement-what-if"))
    >>> attrs["population"], json.loads(attrs["population_inputs"])["berg"], attrs["speed_units"]
    ('subject', 44.0, 'mph')
    """
    if scenario.cohort is None:
        population, inputs = "subject", dataclasses.asdict(scenario.subject)
    else:
        population, inputs = "cohort", dict(scenario.cohort.table)
    default_rail = getattr(scenario.cohort.subject if scenario.cohort else scenario.subject,
                           "handrail", "none")
    unit = speed_units(scenario)
    arms = {name: {"description": arm.description,
                   "handrail": arm.handrail if arm.handrail is not None else default_rail,
                   "top_speed": float(to_speed_units(max(s.speed_mps for s in
                                                         arm.protocol.stages), unit)),
                   "protocol": "; ".join(stage_text(s, unit) for s in arm.protocol.stages)}
            for name, arm in scenario.arms.items()}
    return {"population": population,
            "population_inputs": json.dumps(inputs, default=str, sort_keys=True),
            "arm_descriptions": json.dumps(arms, sort_keys=False),
            "speed_units": unit}


def stage_text(stage: Any, unit: str) -> str:
    """A stage in words with its speed in ``unit``.

    >>> from retrosim.model.protocol import Stage
    >>> stage_text(Stage.parse("walk backward at 3 km/h for 5 min"), "km/h")
    'walk backward at 3 km/h for 5 min'
    """
    text = str(stage)
    if unit == "mph" or getattr(stage, "is_rest", False):
        return text
    mph = f"{units.mps_to_mph(stage.speed_mps):.3g} mph"
    return text.replace(mph, f"{units.mps_to_kmh(stage.speed_mps):.3g} km/h", 1)


def speed_units(scenario: Scenario) -> str:
    """The unit the scenario speaks ("mph" or "km/h"): :attr:`Scenario.speed_unit`."""
    return scenario.speed_unit


def to_speed_units(speed_mps: float | np.ndarray, unit: str) -> Any:
    """A belt speed [m s-1] in the scenario's units ("mph" or "km/h").

    >>> [round(float(to_speed_units(v, u)), 3) for v, u in ((0.44704, "mph"), (1.0, "km/h"))]
    [1.0, 3.6]
    """
    return units.mps_to_mph(speed_mps) if unit == "mph" else units.mps_to_kmh(speed_mps)


def is_subject(ds: xr.Dataset) -> bool:
    """The result is of one person (draws of a ``[subject]``), not of a cohort."""
    return str(ds.attrs.get("population", "subject")) == "subject"


def who(ds: xr.Dataset) -> str:
    """One sentence: who the numbers describe and what kind of numbers they are."""
    n = ds.sizes["subject"]
    if is_subject(ds):
        draws = "" if n == 1 else f" ({n:,} draws of the same person's random events)"
        return (f"one person{draws}: expected outcomes (the model, no measurement noise)"
                + (f" with {PREDICTION_LEVEL} prediction intervals" if _has_intervals(ds)
                   else "") + "; fall risk exact (1 - exp(-H)), not sampled")
    return (f"a cohort of {n:,} people: the cohort's distribution (mean ± SD over its people); "
            "falls: the cohort's mean exact risk and the share who fell")


def _has_intervals(ds: xr.Dataset) -> bool:
    return any(str(n).endswith("_low") and str(n)[:-4] + "_high" in ds
               and not str(n).startswith("fall_probability") for n in ds.data_vars)


def arm_rows(ds: xr.Dataset) -> list[dict[str, str]]:
    """The summary of every arm as cells (header -> text), for the text and HTML tables.

    Headers: arm, walks (the direction as a word), speed (top belt speed in the scenario's
    units), min, kcal (while walking), kcal+rest (the whole session: only when an arm rests),
    MET (while walking), VO2 peak,
    HR peak, %HRmax, %HRR, fall risk, fell (cohorts), BP after.
    """
    unit = str(ds.attrs.get("speed_units", "mph"))
    resting = "energy_exercise" in ds and any("rest for" in text
                                              for text in protocols(ds).values())
    person = is_subject(ds)
    walks = directions(ds)
    rows = []
    for arm in ds.arm.values:
        r = ds.sel(arm=arm)
        cells = {"arm": str(arm), "walks": walks.get(str(arm), "-").replace(", ", "+"),
                 "speed": top_speed(ds, str(arm), unit)}
        cells["min"] = f"{float(r.duration) / 60:.1f}"
        if "energy_exercise" in r:
            cells["kcal"] = value(r, "energy_exercise", 0, person)
        if resting or "energy_exercise" not in r:      # an older result: the session's alone
            cells["kcal+rest"] = value(r, "energy_total", 0, person)
        if "met_mean_exercise" in r:
            cells["MET"] = value(r, "met_mean_exercise", 1, person)
        else:
            cells["MET+rest"] = value(r, "met_mean", 1, person)
        cells["VO2peak"] = value(r, "vo2_peak", 1, person)
        cells["HRpeak"] = value(r, "hr_peak", 0, person)
        if "hr_max" in r:
            cells["%HRmax"] = _ratio(100 * r.hr_peak / r.hr_max, person)
            cells["%HRR"] = _ratio(100 * (r.hr_peak - r.hr_rest) / (r.hr_max - r.hr_rest),
                                   person)
        if "fall_risk" in r:
            cells["fall-risk"] = risk_cell(r)
        if "fell" in r and not person:
            cells["fell"] = (f"{percent(float(r.fall_probability))}"
                             f"[{percent(float(r.fall_probability_low))}-"
                             f"{percent(float(r.fall_probability_high))}]")
        if "sbp_first" in r and _early(r):
            cells["BP-first"] = pressure_pair(r, "sbp_first", "dbp_first", person) + "*"
        post = "sbp_post_expected" if "sbp_post_expected" in r else "sbp_post"
        if post in r:
            cells["BP-after"] = pressure_pair(r, post, post.replace("sbp", "dbp"), person)
        rows.append(cells)
    return rows


def definition(name: str) -> str:
    """Which energy or MET a summary is, in the words its declaration names after the
    quantity (:mod:`retrosim.engine.variables`): the run table, the report and the page
    print the same.

    >>> definition("energy_exercise"), definition("energy_total"), definition("met_mean")
    ('while walking', 'whole session', 'whole session')
    """
    return SESSION[name].long_name.partition(", ")[2]


#: Units row of the text table, by header (energy and MET: which of the two definitions).
UNITS = {"speed": "{speed}", "min": "", "kcal": definition("energy_exercise"),
         "kcal+rest": definition("energy_total"), "MET": definition("met_mean_exercise"),
         "MET+rest": definition("met_mean"), "VO2peak": "mL/kg/min", "HRpeak": "bpm",
         "%HRmax": "peak", "%HRR": "peak", "fall-risk": "/session", "fell": "[95%CI]",
         "BP-first": "reading", "BP-after": "expected"}


def summary_table(ds: xr.Dataset) -> str:
    """Per-arm summary (see the module notes), the readings and the guidance."""
    n = ds.sizes["subject"]
    head = f"{ds.attrs['scenario']}: seed {ds.attrs['seed']}, {n:,} subject{'s' * (n > 1)}, " \
           f"energy model {ds.attrs['energy_model']}"
    rows = [{k: v.replace(" [", "[") for k, v in r.items()} for r in arm_rows(ds)]
    unit = str(ds.attrs.get("speed_units", "mph"))
    cols = list(dict.fromkeys(k for r in rows for k in r))
    widths = [max(len(c), len(UNITS.get(c, "")), *(len(r.get(c, "")) for r in rows)) + 2
              for c in cols]
    widths[0] = max(widths[0], 12)
    lines = [head, f"shows {who(ds)}", _line(cols, widths),
             _line([UNITS.get(c, "").replace("{speed}", unit) for c in cols], widths)]
    lines += [_line([r.get(c, "-") for c in cols], widths) for r in rows]
    if "BP-first" in cols:
        lines.append("* BP first reading within 30 min of exercise: not valid for diagnosis")
    if "sbp_post_expected" in ds and "sbp_post" in ds:
        lines += readings_lines(ds)
    if ds.attrs.get("guidance"):                   # flags from retrosim.events.guidance
        lines += ["guidance:"] + [f"  {line}" for line in ds.attrs["guidance"].splitlines()]
    if ds.attrs.get("energy_outside"):             # retrosim.solve.trajectory.outside_source
        lines += ["energy model outside its source:"] + [
            f"  {line}" for line in ds.attrs["energy_outside"].splitlines()]
    return "\n".join(lines)


def readings_lines(ds: xr.Dataset) -> list[str]:
    """The simulated cuff readings, labelled as readings (each has measurement noise)."""
    out = ["simulated cuff readings (one draw of measurement noise each; not the person's "
           "expected pressure):"]
    person = is_subject(ds) and ds.sizes["subject"] == 1
    for arm in ds.arm.values:
        r = ds.sel(arm=arm)
        if "bp_reading_sbp" in r and person:
            origin = float(np.nan_to_num(r.exercise_end.values.ravel()[0]))
            shown = [f"{float(s):.0f}/{float(d):.0f} at {(float(t) - origin) / 60:g} min"
                     for s, d, t in zip(r.bp_reading_sbp.values.ravel(),
                                        r.bp_reading_dbp.values.ravel(),
                                        r.bp_reading_time.values.ravel(), strict=True)
                     if np.isfinite(s)]
            text = ", ".join(shown) or "none"
        else:
            text = "first valid reading " + pressure_pair(r, "sbp_post", "dbp_post", False)
        out.append(f"  {arm}: {text} mmHg")
    return out


def top_speed(ds: xr.Dataset, arm: str, unit: str) -> str:
    """The fastest stage of an arm in ``unit`` (from the result's arm descriptions, else from
    its protocol text, whose speeds are in mph)."""
    described = json.loads(str(ds.attrs.get("arm_descriptions", "{}"))).get(arm, {})
    if "top_speed" in described:
        return f"{described['top_speed']:.3g}"
    text = protocols(ds).get(arm, "")
    mph = [float(w) for w, nxt in zip(text.split(), text.split()[1:], strict=False)
           if nxt.rstrip(",;") == "mph"]
    if not mph:
        return "-"
    top = max(mph)
    return f"{top:.3g}" if unit == "mph" else f"{units.mps_to_kmh(units.mph_to_mps(top)):.3g}"


def protocols(ds: xr.Dataset) -> dict[str, str]:
    """Arm -> its protocol in words, from the result's ``protocols`` attribute."""
    lines = str(ds.attrs.get("protocols", "")).splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def directions(ds: xr.Dataset) -> dict[str, str]:
    """Arm -> "forward", "backward" or "forward, backward", from the protocols."""
    out = {}
    for arm, text in protocols(ds).items():
        words = [w for w in ("forward", "backward") if f"walk {w}" in text]
        out[arm] = ", ".join(words) or "rest"
    return out


def _early(r: xr.Dataset) -> bool:
    """Some first readings of this arm were taken within 30 min of exercise."""
    taken = ~np.isnan(np.asarray(r.sbp_first, dtype=float))
    return bool((taken & ~np.asarray(r.bp_first_valid, dtype=bool)).any())


def value(r: xr.Dataset, name: str, digits: int, person: bool) -> str:
    """One outcome of one arm: the person's value with its prediction interval when the
    result has one, or a cohort's mean ± SD."""
    v = np.asarray(r[name], dtype=float)
    if np.isnan(v).all():
        return "-"
    mean = float(np.nanmean(v))
    text = f"{mean:.{digits}f}"
    if f"{name}_low" in r and f"{name}_high" in r:
        low, high = float(np.nanmean(r[f"{name}_low"])), float(np.nanmean(r[f"{name}_high"]))
        return f"{text} [{low:.{digits}f}-{high:.{digits}f}]"
    if not person and v.size > 1 and np.nanmax(v) > np.nanmin(v):
        return f"{text}±{float(np.nanstd(v)):.{digits}f}"
    return text


def _ratio(v: xr.DataArray, person: bool) -> str:
    x = np.asarray(v, dtype=float)
    if person or x.size == 1:
        return f"{float(np.nanmean(x)):.0f}"
    return f"{float(np.nanmean(x)):.0f}±{float(np.nanstd(x)):.0f}"


def pressure_pair(r: xr.Dataset, sbp: str, dbp: str, person: bool) -> str:
    """"SBP/DBP" (with intervals when the result has them) or "-"."""
    s = value(r, sbp, 0, person)
    d = value(r, dbp, 0, person)
    return "-" if s == "-" else f"{s}/{d}"


def risk_cell(r: xr.Dataset) -> str:
    """The exact fall risk of one arm in %: one person's with its prediction interval when the
    result has it (``fall_risk_low``/``_high``), else the mean over the people."""
    text = percent(float(r.fall_risk.mean()))
    if "fall_risk_low" in r and "fall_risk_high" in r:
        return (f"{text} [{percent(float(r.fall_risk_low))}-"
                f"{percent(float(r.fall_risk_high))}]")
    return text


def percent(p: float) -> str:
    """A probability as a percentage with two significant figures.

    >>> percent(0.000487), percent(0.0), percent(0.25)
    ('0.049%', '0%', '25%')
    """
    if not np.isfinite(p):
        return "-"
    return "0%" if p == 0 else f"{100 * p:.2g}%"


def comparison_table(datasets: list[xr.Dataset]) -> str:
    """Every arm of every result against the first arm: values and differences."""
    rows = []
    for ds in datasets:
        prefix = f"{ds.attrs['scenario']}/" if len(datasets) > 1 else ""
        for arm in ds.arm.values:
            r = ds.sel(arm=arm)
            rows.append((prefix + str(arm), float(r.energy_total.mean()),
                         float(r.vo2_peak.mean()), float(r.hr_peak.mean())))
    ref = rows[0]
    width = max(12, *(len(r[0]) for r in rows))
    lines = [f"difference from {ref[0]}",
             _row(("arm", "kcal", "vs ref", "VO2 peak", "vs ref", "HR peak", "vs ref"), width)]
    for name, kcal, vo2, hr in rows:
        lines.append(_row((name, f"{kcal:.1f}", _delta(kcal, ref[1]), f"{vo2:.1f}",
                           _delta(vo2, ref[2]), f"{hr:.0f}", _delta(hr, ref[3])), width))
    return "\n".join(lines)


def _delta(value: float, ref: float) -> str:
    return f"{(value - ref) / ref * 100:+.0f}%" if ref else "-"


def _line(cells: list[str], widths: list[int]) -> str:
    return (f"{cells[0]:<{widths[0]}}" + "".join(f"{c:>{w}}" for c, w in
                                                zip(cells[1:], widths[1:], strict=True))).rstrip()


def _row(cells: tuple[str, ...], width: int) -> str:
    return f"{cells[0]:<{width}}" + "".join(f"{c:>11}" for c in cells[1:])
