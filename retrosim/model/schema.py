"""The JSON Schema of scenario and programme files, generated from the keys, choices and ranges
the model layer validates with, so that editors (VS Code's Even Better TOML, taplo) complete
and check a scenario as it is typed.

The schema is what a file can be checked for without running it: the tables and their keys,
which keys are required, the words a key accepts, the ranges of a person's numbers, the form
of an arm's name. :meth:`retrosim.Scenario.from_dict` checks everything else (a protocol's
sentences, a programme's calendar, a cohort's distributions) and stays the judge.

The file shipped with the package, ``retrosim/schema/scenario.schema.json``, is
:func:`scenario_schema` written out (``python -m retrosim.model.schema`` writes it again; a
test checks that the two agree). A scenario file names it on its first line for taplo::

    #:schema https://raw.githubusercontent.com/retrosim/retrosim/main/retrosim/schema/scenario.schema.json

>>> schema = scenario_schema()
>>> schema["required"], sorted(schema["properties"]["energy"]["properties"])[:3]
(['name', 'arms'], ['convention', 'epoc', 'heart_rate'])
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path
from typing import Any

from retrosim.controllers.safety import SAFETY_KEYS
from retrosim.controllers.spec import SPEC_KEYS
from retrosim.model import budget, cohort, distributions, grid, options, program, protocol
from retrosim.model import scenario as sc
from retrosim.model import subject as subj
from retrosim.model.treadmill import START_MODES, TREADMILL_KEYS, TREADMILL_RANGES
from retrosim.physiology import (
    energy,
    epoc,
    exercise_pressure,
    heart,
    hr_drift,
    hr_kinetics,
    peh_models,
    vo2_kinetics,
    walking_cost,
)
from retrosim.physiology.oxygen import FITNESS_LEVELS

#: Where the package keeps the generated schema.
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "scenario.schema.json"
SCHEMA_ID = ("https://raw.githubusercontent.com/retrosim/retrosim/main/retrosim/schema/"
             "scenario.schema.json")

_NUMBER = {"type": "number"}


def _printable(multiline: bool) -> str:
    """A pattern of text without the control and bidirectional-override characters
    :func:`retrosim.model.budget.check_printable` refuses (a description may break lines)."""
    control = "\\u0000-\\u0008\\u000b-\\u001f" if multiline else "\\u0000-\\u001f"
    bidi = "".join(f"\\u{ord(c):04x}" for c in sorted(budget._BIDI))
    return f"^[^{control}\\u007f-\\u009f{bidi}]*$"


_TEXT = {"type": "string", "minLength": 1, "pattern": _printable(multiline=True)}
#: A one-line name: printable, not blank, no line break (``$`` also matches before a final one).
_NAME = {"type": "string", "minLength": 1,
         "allOf": [{"pattern": _printable(multiline=False)}, {"pattern": "\\S"}],
         "not": {"pattern": "[\\n\\r]"}}


def _table(keys: Any, properties: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An object whose keys are ``keys`` and no others; ``properties`` says more of some."""
    properties = properties or {}
    return {"type": "object", "additionalProperties": False,
            "properties": {k: properties.get(k, {}) for k in keys}, **extra}


def _choice(values: Any) -> dict[str, Any]:
    return {"enum": list(values)}


def _subject_properties() -> dict[str, Any]:
    """A person's keys: the ranges of ``subject.LIMITS`` and the words each choice takes."""
    props: dict[str, Any] = {}
    for f in fields(subj.Subject):
        if f.name in subj.LIMITS:
            low, high, unit = subj.LIMITS[f.name]
            props[f.name] = {"type": "number", "minimum": low, "maximum": high,
                             **({"description": f"[{unit}]"} if unit else {})}
        elif f.name in subj.MODEL_SCALES:
            props[f.name] = {"type": "number", "exclusiveMinimum": 0}
    props["berg"]["type"] = "integer"                  # the Berg Balance Scale's points
    props["falls_last_year"]["type"] = "integer"       # a count
    sbp, dbp = subj.LIMITS["sbp"], subj.LIMITS["dbp"]
    props.update({
        "sex": _choice(subj.SEXES), "balance": _choice(subj.BALANCE_LEVELS),
        "handrail": _choice(subj.HANDRAIL_LEVELS), "fitness": _choice(FITNESS_LEVELS),
        "bp_medication": {"type": "boolean"},
        "resting_bp_mmhg": {"type": "array", "items": [
            {"type": "number", "minimum": sbp[0], "maximum": sbp[1]},
            {"type": "number", "minimum": dbp[0], "maximum": dbp[1]}],
            "minItems": 2, "maxItems": 2, "description": "(systolic, diastolic) [mmHg]"}})
    for key in subj.UNCERTAIN_KEYS:           # a fitted trait: its value, or {mean, sd, from}
        props[key] = {"anyOf": [props[key], {
            "type": "object", "required": ["mean", "sd"], "additionalProperties": False,
            "properties": {"mean": props[key], "sd": {"type": "number", "exclusiveMinimum": 0},
                           "from": {"type": "string"}}}]}
    return props


_NOT_BOTH_BALANCE_AND_BERG = {"not": {"required": ["balance", "berg"]}}


def _stage() -> dict[str, Any]:
    """A stage: a sentence ("walk backward at 2 mph for 10 min") or a table of its parts."""
    durations = {k: {"type": "number", "exclusiveMinimum": 0,
                     "maximum": _outward(protocol.MAX_STAGE_S / scale, up=True)}
                 for k, scale in protocol._DURATION_KEYS.items()}
    low_pct, high_pct = protocol.GRADE_LIMITS_PCT

    def speeds(direction: int) -> dict[str, Any]:
        low, high = protocol.SPEED_LIMITS_MPS[direction]
        return {k: {"type": "number", "minimum": _outward(low / scale, up=False),
                    "maximum": _outward(high / scale, up=True)}
                for k, scale in protocol._SPEED_KEYS.items()}

    table = _table(protocol._TABLE_KEYS, {
        **durations, **speeds(1),
        "action": _choice(("walk", "rest")), "direction": _choice(("forward", "backward")),
        "grade_pct": {"type": "number", "minimum": low_pct, "maximum": high_pct},
        "handrail": _choice(subj.HANDRAIL_LEVELS)},
        oneOf=[{"required": [k]} for k in protocol._DURATION_KEYS])
    rest = {"properties": {"action": {"const": "rest"}}, "required": ["action"]}
    table["allOf"] = [
        {"if": rest, "then": {"propertyNames": _choice(("action", *protocol._DURATION_KEYS))},
         "else": {"oneOf": [{"required": [k]} for k in protocol._SPEED_KEYS]}},
        {"if": {"properties": {"direction": {"const": "backward"}}, "required": ["direction"]},
         "then": {"properties": speeds(-1)}}]
    return {"oneOf": [{"type": "string", "minLength": 1}, table]}


def _outward(value: float, *, up: bool) -> float:
    """A limit converted to another unit, rounded outward to 6 significant digits (the
    schema may let a value at the very edge through; the model is the judge there)."""
    exponent = math.floor(math.log10(abs(value))) - 5 if value else 0
    step = 10.0 ** exponent
    return float(f"{(math.ceil if up else math.floor)(value / step) * step:.6g}")


def _controller() -> dict[str, Any]:
    """``[controller]``: its name or path and period; the other keys are its parameters."""
    spec = _table(SPEC_KEYS, {"name": _TEXT, "path": _TEXT,
                              "period_s": {"type": "number", "exclusiveMinimum": 0}})
    return {**spec, "additionalProperties": True}


def _arm(subject_props: dict[str, Any]) -> dict[str, Any]:
    overrides = {k: subject_props.get(k, {}) for k in subj._COHORT_FIELDS}
    return _table(sc.ARM_KEYS, {
        "stages": {"type": "array", "minItems": 1, "items": _stage()},
        "handrail": _choice(subj.HANDRAIL_LEVELS),
        "description": _TEXT,
        "subject": _table(subj._COHORT_FIELDS, overrides, **_NOT_BOTH_BALANCE_AND_BERG),
        "bp_readings_min": {"type": "array", "items": _NUMBER},
        "controller": _controller(),
        "faults": {"type": "array", "items": {"type": "object"}},
        "progression": _table(program.PROGRESSION_KEYS,
                              {k: _NUMBER for k in program.PROGRESSION_KEYS}),
        "sessions": {}}, required=["stages"])


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 7) of a scenario or programme file."""
    subject_props = _subject_properties()
    distribution = {"type": "object", "required": ["dist"],
                    "properties": {"dist": _choice(distributions.DIST_NAMES)}}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "retrosim scenario",
        "description": "A retrosim scenario or programme file (TOML): who walks, the arms "
                       "to compare, how energy is counted. Generated from "
                       "retrosim.model.schema; retrosim run checks the rest.",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "arms"],
        "anyOf": [{"required": ["subject"]}, {"required": ["cohort"]}],
        "not": {"required": ["subject", "cohort"]},
        "properties": _table(sc.TOP_KEYS, {
            "name": _NAME,
            "description": _TEXT,
            "seed": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
            "subject": _table(subject_props, subject_props,
                              required=["mass_kg", "age_yr", "sex"],
                              **_NOT_BOTH_BALANCE_AND_BERG),
            "cohort": {"type": "object", "required": ["size"],
                       "properties": {
                           "size": {"type": "integer", "minimum": 1,
                                    "maximum": cohort.MAX_SIZE},
                           "preset": {"type": "string"},
                           **{k: {"anyOf": [subject_props.get(k, {}), distribution,
                                            {"type": "array"}]}
                              for k in subj._COHORT_FIELDS}},
                       "additionalProperties": False},
            "energy": _table(sc.ENERGY_KEYS, {
                "model": _choice(energy.ENERGY_MODELS),
                "resting_rate": _choice(options.RESTING_RATES),
                "convention": _choice(energy.KCAL_CONVENTIONS),
                "hr_max": _choice(heart.HR_MAX_MODELS),
                "heart_rate": _choice(heart.HR_MODELS),
                "hr_kinetics": _choice(hr_kinetics.HR_KINETICS_MODELS),
                "hr_drift": _choice(hr_drift.HR_DRIFT_MODELS),
                "vo2_kinetics": _choice(vo2_kinetics.VO2_KINETICS_MODELS),
                "epoc": _choice(epoc.EPOC_MODELS),
                "walking_cost": _choice(walking_cost.WALKING_COST_MODELS)}),
            "treadmill": _table(TREADMILL_KEYS, {
                **{k: _NUMBER for k in TREADMILL_KEYS},
                **{k: {"type": "number", "minimum": lo, "maximum": hi}
                   for k, (lo, hi) in TREADMILL_RANGES.items()},
                "start": _choice(START_MODES)}),
            "output": _table(sc.OUTPUT_KEYS, {"trace_step_s": {
                "type": "number", "minimum": 0.01, "maximum": 3600}}),
            "arms": {"type": "object", "minProperties": 1,
                     "propertyNames": {"pattern": "^" + sc._ARM_NAME.pattern + "$",
                                       "not": {"pattern": "[\\n\\r]"}},
                     "additionalProperties": _arm(subject_props)},
            "sweep": _table(grid.SWEEP_KEYS, {
                **{k: {"type": "array", "minItems": 1} for k in grid.PROTOCOL_KEYS},
                "cohort": {"type": "object"}, "objectives": {"type": "object"},
                "events": {}}),
            "falls": _table(options.FALLS_KEYS, {
                **{k: _NUMBER for k in options.FALLS_KEYS}, "model": _choice(
                    options.FALL_MODELS)}),
            "bp": _table(options.BP_KEYS, {
                "model": _choice(exercise_pressure.PRESSOR_MODELS),
                "peh": _choice(peh_models.PEH_MODELS)}),
            "controller": _controller(),
            "faults": {"type": "array", "items": {"type": "object"}},
            "safety": _table(SAFETY_KEYS, {k: _NUMBER for k in SAFETY_KEYS}),
            "program": _table(program.PROGRAM_KEYS, {
                "weeks": {"type": "integer", "minimum": 1, "maximum": program.MAX_WEEKS},
                "sessions_per_week": {"type": "integer", "minimum": 0, "maximum": 7},
                "phases": {"type": "array", "minItems": 1, "items": _table(
                    program.PHASE_KEYS, {"weeks": {"type": "integer", "minimum": 1},
                                         "sessions_per_week": {"type": "integer",
                                                               "minimum": 0,
                                                               "maximum": 7}},
                    required=list(program.PHASE_KEYS))},
                "on_fall": _choice(program.ON_FALL),
                "model": _choice(program.TRAINING_MODELS),
                "pause_days": {"type": "integer", "minimum": 1,
                               "maximum": 7 * program.MAX_WEEKS}},
                anyOf=[{"required": ["phases"]}, {"required": list(program.PHASE_KEYS)}],
                **{"not": {"anyOf": [{"required": ["phases", k]} for k in program.PHASE_KEYS]}}),
            "limits": _table(budget.LIMIT_KEYS, {k: _NUMBER for k in budget.LIMIT_KEYS}),
            "guidance": _table(options.GUIDANCE_KEYS, {"max_hr_reserve_pct": {
                "type": "number", "minimum": 10, "maximum": 100,
                "description": "[% of the heart-rate reserve]"}}),
        })["properties"],
    }


def schema_text() -> str:
    """The schema as the shipped file holds it."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


def write(path: str | Path = SCHEMA_PATH) -> Path:
    """Write :func:`schema_text` to ``path`` (default: the file the package ships)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(), encoding="utf-8")
    return path


if __name__ == "__main__":
    write()
