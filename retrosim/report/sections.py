"""The report's sections that say who was simulated, what the arms are, and what the numbers
rest on: the models with their validity ranges, the stated assumptions and known limits that
touch the scenario.

Each builder takes a :class:`retrosim.report.data.ReportData` and returns the section's
HTML body ("" leaves the section out). :data:`retrosim.report.html.SECTIONS` lists them in page
order; another module adds its own with :func:`retrosim.report.html.add_section`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from retrosim import units
from retrosim.physiology import (
    courses,
    energy,
    exercise_pressure,
    heart,
    hr_drift,
    hr_kinetics,
    vo2_kinetics,
    walking_cost,
)
from retrosim.physiology.balance import FALL_CAVEATS, FallParameters
from retrosim.physiology.registry import Model
from retrosim.results import tables
from retrosim.results.dataset import FALL_ASSUMPTIONS

if TYPE_CHECKING:
    from retrosim.report.data import ReportData

#: Subject inputs in plain words: key -> (label, unit).
INPUT_LABELS = {
    "age_yr": ("age", "years"), "sex": ("sex", ""), "mass_kg": ("body mass", "kg"),
    "height_cm": ("height", "cm"), "berg": ("Berg Balance Scale", "points of 56"),
    "balance": ("balance level", ""), "tug_s": ("Timed Up and Go", "s"),
    "backward_speed_mps": ("usual backward walking speed", "m/s"),
    "resting_bp_mmhg": ("resting blood pressure", "mmHg"),
    "bp_medication": ("antihypertensive medication", ""),
    "hr_rest_bpm": ("resting heart rate", "bpm"),
    "vo2max_ml_kg_min": ("VO2max", "mL/kg/min"), "fitness": ("fitness", ""),
    "handrail": ("handrail use (unless an arm says otherwise)", ""),
}

#: The models a run rests on that have no alternative in a registry, each with the range it
#: was built or fitted for: (topic, variable that shows it ran, validity). The selectable ones
#: are in :data:`REGISTRIES`, their caveats in their entries.
FIXED_MODELS = (
    ("Oxygen uptake kinetics", None,
     "First-order kinetics with time constants published for moderate intensity in young "
     "adults, slowed with age (George et al. 2018; Am J Physiol 2011)."),
)
#: What every blood-pressure row adds to the exercise model's caveat.
_AFTER_EXERCISE = (" After exercise: post-exercise hypotension by resting pressure, intensity "
                   "and the person (Kenney & Seals 1993; MacDonald et al. 2000; Carpio-Rivera "
                   "et al. 2016); readings with measurement noise, classified by ACC/AHA 2017.")
#: The selectable models: (topic, the Dataset attribute naming the entry, its registry, the
#: variable that shows it ran or None). A row's text is the entry's description and caveat
#: (a plain text for the fall models), so the report says what the model in use rests on.
REGISTRIES: tuple[tuple[str, str, Mapping[str, Any], str | None], ...] = (
    ("Energy (MET, kcal)", "energy_model", energy.ENERGY_MODELS, None),
    ("Walking cost by age", "walking_cost_model", walking_cost.WALKING_COST_MODELS, None),
    ("Maximal heart rate", "hr_max_model", heart.HR_MAX_MODELS, None),
    ("Heart rate", "heart_rate_model", heart.HR_MODELS, None),
    ("Heart-rate kinetics", "hr_kinetics_model", hr_kinetics.HR_KINETICS_MODELS, None),
    ("Heart-rate drift", "hr_drift_model", hr_drift.HR_DRIFT_MODELS, None),
    ("VO2 kinetics over a programme", "vo2_kinetics_model", vo2_kinetics.VO2_KINETICS_MODELS,
     None),
    ("Training over the weeks", "training_model", courses.TRAINING_MODELS, None),
    ("Falls", "fall_model", FALL_CAVEATS, "fell"),
    ("Blood pressure", "bp_model", exercise_pressure.PRESSOR_MODELS, "sbp_post"),
)
#: Attributes only some results have (a programme's model): their row is left out elsewhere.
_ONLY_WHERE_RECORDED = ("training_model", "walking_cost_model", "hr_kinetics_model",
                        "hr_drift_model", "vo2_kinetics_model")
#: The default of each assumed fall factor (for a result that does not record its own).
_FALL_DEFAULTS = {k: getattr(FallParameters(), k) for k in FALL_ASSUMPTIONS}


def entry(ds: Any, attr: str, registry: Mapping[str, Any]) -> Model | str | None:
    """The registry entry named by the result's attribute ``attr`` (None: not recorded, or
    no longer registered)."""
    return registry.get(str(ds.attrs.get(attr, "")))


def caveat(ds: Any, attr: str, registry: Mapping[str, Any]) -> str:
    """What to keep in mind about the model named by ``attr``: its entry's caveat (an entry
    may be the text itself), or a note that the result does not say which model it used."""
    found = entry(ds, attr, registry)
    if found is None:
        name = ds.attrs.get(attr)
        return (f"The model {name!r} is not one this retrosim knows." if name else
                "This result does not record which model it used (it was written by an older "
                "retrosim).")
    text = found if isinstance(found, str) else found.caveat or found.description
    return text + (_AFTER_EXERCISE if attr == "bp_model" else "")


def _fall_assumption(ds: Any) -> str:
    recorded = ds.attrs.get("fall_assumptions")
    values = json.loads(str(recorded)) if recorded else _FALL_DEFAULTS
    return (f"Fall base rates and the backward factors (backward_rate_ratio "
            f"{values['backward_rate_ratio']:g}, backward_fall_odds_ratio "
            f"{values['backward_fall_odds_ratio']:g}) are stated assumptions, not measured "
            f"values; how much a light touch ({100 * values['light_arrest']:.0f} %) or a grip "
            f"({100 * values['grip_arrest']:.0f} %) on the rail arrests a fall is assumed too"
            + ("" if recorded else " (the defaults: this result does not record its own)")
            + ". Read fall risks as a comparison between arms, not as a clinical prediction.")


def _bp_assumption(ds: Any) -> str:
    sd = ds.attrs.get("bp_noise_sd_mmhg")
    return ("Post-exercise blood pressure is the model's expected value; each simulated cuff "
            "reading adds measurement noise ("
            + (f"SD {sd} mmHg, an assumption" if sd else "its SD not recorded in this result")
            + ").")


#: Stated assumptions and known limits: (when it applies, the text, or the function that
#: writes it from the result).
ASSUMPTIONS: tuple[tuple[str, Any], ...] = (
    ("falls", _fall_assumption),
    ("backward", lambda ds: caveat(ds, "heart_rate_model", heart.HR_MODELS)),
    ("always", "Surgery, pain, range of motion and muscle strength are not modelled (a knee "
     "replacement, for example): balance enters only through the Berg score or balance level, "
     "fitness through VO2max."),
    ("rail", "A light touch on the handrail has no published energy value: half of a grip's "
     "reduction is assumed."),
    ("bp", _bp_assumption),
    ("always", lambda ds: caveat(ds, "energy_model", energy.ENERGY_MODELS)),
    ("programme", lambda ds: caveat(ds, "training_model", courses.TRAINING_MODELS)),
)


def who(data: ReportData) -> str:
    """Who was simulated: every input of the ``[subject]``, or the cohort's table."""
    ds = data.ds
    raw = ds.attrs.get("population_inputs")
    if not raw:
        return ('<p class="note">This result does not record who was simulated (it was '
                "written by an older retrosim).</p>")
    inputs: dict[str, Any] = json.loads(str(raw))
    n = ds.sizes["subject"]
    if tables.is_subject(ds):
        if inputs.get("berg") is not None:          # the Berg score sets the balance
            inputs.pop("balance", None)
        rows = "".join(f"<tr><td>{escape(label)}</td><td>{escape(_input(inputs.get(key)))}"
                       f"</td><td>{escape(unit)}</td></tr>"
                       for key, (label, unit) in INPUT_LABELS.items() if key in inputs)
        intro = (f"<p>One person{f', {n:,} draws of her or his random events' * (n > 1)}. "
                 "Inputs not given in the scenario take the documented defaults (a VO2max "
                 "left empty is predicted from age, sex and mass).</p>")
    else:
        rows = "".join(f"<tr><td>{escape(key)}</td><td>{escape(_input(value))}</td><td></td>"
                       "</tr>" for key, value in sorted(inputs.items()))
        intro = (f"<p>A cohort of {n:,} people drawn from these distributions; the tables show "
                 "the cohort's distribution over its people.</p>")
    return (intro + '<table id="who-table"><thead><tr><th>input</th><th>value</th>'
            f"<th>unit</th></tr></thead><tbody>{rows}</tbody></table>")


def _input(value: Any) -> str:
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple) and len(value) == 2 and all(
            isinstance(v, int | float) for v in value):
        return f"{value[0]:g}/{value[1]:g}"
    if isinstance(value, float):
        return f"{value:g}"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def arms(data: ReportData) -> str:
    """The arms in plain words: direction as a word, speeds in the scenario's units."""
    ds = data.ds
    unit = str(ds.attrs.get("speed_units", "mph"))
    described = json.loads(str(ds.attrs.get("arm_descriptions", "{}")))
    rails = {"none": "no handrail", "light": "a light touch on the handrail",
             "grip": "gripping the handrail"}
    items = []
    for arm, text in tables.protocols(ds).items():
        extra = described.get(arm, {})
        shown = extra.get("protocol") or (text if unit == "mph" else _to_kmh(text))
        words = [shown.replace("; ", ", then ")]
        if extra.get("handrail"):
            words.append(rails.get(extra["handrail"], extra["handrail"]))
        if extra.get("description"):
            words.append(f"({extra['description']})")
        items.append(f"<li><b>{escape(arm)}</b>: {escape('; '.join(words[:2]))} "
                     f"{escape(' '.join(words[2:]))}</li>")
    return f'<ul id="arms-list">{"".join(items)}</ul>' if items else ""


def _to_kmh(text: str) -> str:
    words = text.split()
    for i in range(len(words) - 1):
        if words[i + 1].rstrip(",;") == "mph":
            words[i] = f"{units.mps_to_kmh(units.mph_to_mps(float(words[i]))):.3g}"
            words[i + 1] = words[i + 1].replace("mph", "km/h")
    return " ".join(words)


def models(data: ReportData) -> str:
    """The models the run used, each with its validity range: the selectable ones by the name
    of the entry in use and its caveat."""
    ds = data.ds
    rows = [(title, str(ds.attrs.get(attr, "")), caveat(ds, attr, registry))
            for title, attr, registry, shows in REGISTRIES
            if (attr in ds.attrs or attr not in _ONLY_WHERE_RECORDED)
            and (shows is None or shows in ds)]
    rows[1:1] = [(title, "", validity) for title, shows, validity in FIXED_MODELS]
    body = "".join(f"<tr><td>{escape(title)}</td><td>{escape(name)}</td>"
                   f"<td>{escape(text)}</td></tr>" for title, name, text in rows)
    return ('<table id="models-table"><thead><tr><th>topic</th><th>model</th><th>validity '
            f"range and basis</th></tr></thead><tbody>{body}</tbody></table>")


def assumptions(data: ReportData) -> str:
    """The stated assumptions and known limits that touch this scenario, each written from
    the models and values the run used."""
    ds = data.ds
    text = str(ds.attrs.get("protocols", ""))
    touches = {"always": True, "falls": "fell" in ds, "bp": "sbp_post" in ds,
               "backward": "backward" in text, "programme": "training_model" in ds.attrs,
               "rail": "light" in str(ds.attrs.get("population_inputs", ""))
               or "light" in text or _rail_arms(ds)}
    items = [f"<li>{escape(line if isinstance(line, str) else line(ds))}</li>"
             for when, line in ASSUMPTIONS if touches[when]]
    return f'<ul id="assumptions-list">{"".join(items)}</ul>'


def _rail_arms(ds: Any) -> bool:
    return any("rail" in str(a) for a in np.asarray(ds.arm.values))


def intervals(data: ReportData) -> str:
    """How sure each number is, in words."""
    ds = data.ds
    n = ds.sizes["subject"]
    shows = tables.who(ds)
    lines = [shows[:1].upper() + shows[1:] + "."]
    if "fall_risk" in ds:
        lines.append("Fall risk is exact for the protocol as commanded: 1 - exp(-H), H the fall "
                     "hazard over the session (an upper bound where a tether pull may end the "
                     "walk first), not a count of sampled falls"
                     + (f"; for the person as given, with the {tables.PREDICTION_LEVEL} "
                        "prediction interval of her plausible versions (their fatigue differs)."
                        if "fall_risk_low" in ds else "."))
    if "fell" in ds and n > 1:
        lines.append(f"Sampled falls among {n:,} sessions per arm carry a 95 % Wilson interval.")
    if any(str(v).endswith("_low") and not str(v).startswith("fall_probability")
           for v in ds.data_vars):
        lines.append(f"Values in brackets are {tables.PREDICTION_LEVEL} prediction intervals "
                     "of the person's outcome.")
    else:
        lines.append("This result holds no prediction intervals of the physiology: each value "
                     "is the model's central estimate, as sure as the model it rests on.")
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
