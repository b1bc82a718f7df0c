"""What the page's form holds, and the scenario it stands for: pure functions, no web framework.

A :class:`Form` is the person, the arms as rows of stages, and everything else of the scenario
the page started from (``base``: energy, treadmill, bp, falls, cohort, programme, ...), kept as
it was. :func:`scenario_dict` turns a form into the parsed-TOML dictionary that
:meth:`retrosim.Scenario.from_dict` validates and :mod:`retrosim.model.tomlwriter` writes, so the
page, ``retrosim run`` on the downloaded file and Python all read the same thing;
:func:`form_from_dict` goes the other way for a bundled or uploaded scenario.

>>> form = default_form()
>>> data = scenario_dict(form)
>>> sorted(data["arms"]), data["subject"]["berg"]
(['backward', 'forward'], 44)
>>> form_from_dict(data).arms[1].stages[1].direction
'backward'
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import retrosim
from retrosim import units
from retrosim.errors import InputError
from retrosim.model.budget import MAX_FILE_BYTES, read_toml
from retrosim.physiology import resting_hr

_uids = itertools.count()


def new_uid() -> str:
    """A fresh identifier for a row of the page (input ids are built from it)."""
    return f"u{next(_uids)}"


#: The person's fields on the page: (input id, label, kind). "berg" and "balance" share the
#: balance choice; "sbp" and "dbp" are the two halves of ``resting_bp_mmhg``.
PERSON_FIELDS = (
    ("mass_kg", "Body mass [kg]", "number"),
    ("age_yr", "Age [yr]", "number"),
    ("sex", "Sex", "choice"),
    ("balance", "Balance", "choice"),
    ("berg", "Berg Balance Scale [0-56]", "number"),
    ("sbp", "Resting systolic BP [mmHg] (blank: 120)", "number"),
    ("dbp", "Resting diastolic BP [mmHg] (blank: 80)", "number"),
    ("bp_medication", "Takes antihypertensive medication", "flag"),
    ("fitness", "Fitness", "choice"),
    ("handrail", "Usual handrail support", "choice"),
    ("vo2max_ml_kg_min", "Measured VO2max [mL/kg/min] (blank: predicted)", "number"),
    ("hr_max_bpm", "Measured HRmax [bpm] (blank: predicted)", "number"),
    ("hr_rest_bpm", "Resting heart rate [bpm] (blank: {female:g} for a woman, {male:g} for a "
     "man)".format(**{sex: r.mean_bpm for sex, r in resting_hr.OSTCHEGA_2011.items()}),
     "number"),
    ("backward_practice_min", "Backward walking practised so far [min] (blank: none)",
     "number"),
)
#: The input ids of the two halves of ``resting_bp_mmhg`` (systolic, diastolic).
BP_HALVES = ("sbp", "dbp")
#: Balance choices: a level, or "berg" to give the Berg score.
BALANCE_CHOICES = ("berg", "good", "moderate", "impaired", "severe")
SEXES = ("female", "male")
FITNESS = ("inactive", "recreational", "trained")
HANDRAILS = ("none", "light", "grip")
DIRECTIONS = ("forward", "backward")
SPEED_UNITS = {"mph": "speed_mph", "km/h": "speed_kmh"}
_KMH = re.compile(r"\d\s*(km/h|kmh|kph)\b")


def subject_keys() -> set[str]:
    """The keys a ``[subject]`` table may have (those of :class:`retrosim.Subject`)."""
    return {f.name for f in fields(retrosim.Subject)}


def subject_default(key: str) -> Any:
    """The model's default of a ``[subject]`` key (what applies when a file leaves it out).

    >>> subject_default("fitness"), subject_default("balance")
    ('recreational', 'good')
    """
    return next(f.default for f in fields(retrosim.Subject) if f.name == key)


#: The person's fields a file may leave out (its default applies): the choice shows
#: "default (...)" for them, and the value "" stands for it.
DEFAULTED = ("balance", "fitness", "handrail")


def person_extra(form: Form) -> dict[str, Any]:
    """The ``[subject]`` keys of the file that the person's fields do not show (a trait held
    as ``{mean, sd}``, ``height_cm``, ``tug_s``, ...): kept as they are, shown as from the
    file."""
    shown = {f[0] for f in PERSON_FIELDS} | {"resting_bp_mmhg"}
    subject = form.base.get("subject", {}) if not form.has_cohort else {}
    return {k: v for k, v in subject.items()
            if k not in shown or isinstance(v, dict)
            or (k == "balance" and "berg" in subject)}


@dataclass
class StageRow:
    """One stage: walk (direction, speed and its unit, grade) or rest, for some minutes;
    ``handrail`` "" keeps the arm's support."""

    action: str = "walk"
    direction: str = "forward"
    speed: float | None = 2.0
    unit: str = "mph"
    grade_pct: float | None = 0.0
    minutes: float | None = 10.0
    handrail: str = ""
    uid: str = field(default_factory=new_uid)
    #: The stage as the file wrote it (a string or a table): written back as it was while the
    #: row's values are still the ones it gives.
    spec: Any = None


@dataclass
class ArmRows:
    """One arm: its name, its handrail ("" keeps the person's) and its stages in order;
    ``extra`` holds the arm's other keys (description, progression, ...) as they were."""

    name: str
    stages: list[StageRow]
    handrail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    uid: str = field(default_factory=new_uid)


@dataclass
class Form:
    """The page's scenario: name, seed, person (field id -> value), arms and the rest."""

    name: str
    seed: int | None
    person: dict[str, Any]
    arms: list[ArmRows]
    base: dict[str, Any] = field(default_factory=dict)
    #: The TOML text the form started from: a download keeps its comments and key order.
    text: str = ""

    @property
    def file_name(self) -> str:
        """The name of the downloaded file, which the one-line messages name as the CLI would."""
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", self.name).strip("-.") or "scenario"
        return f"{stem}.toml"

    @property
    def has_cohort(self) -> bool:
        """The scenario draws its people from a ``[cohort]``: the person fields do not apply."""
        return "cohort" in self.base


#: The page's first person, as a scenario's ``[subject]`` table (the fields come from it as
#: from any scenario's, :func:`person_fields`).
FIRST_SUBJECT = {"mass_kg": 74, "age_yr": 68, "sex": "female", "berg": 44,
                 "resting_bp_mmhg": [138, 84], "fitness": "inactive", "handrail": "none",
                 "hr_rest_bpm": 74}


def person_fields(subject: dict[str, Any]) -> dict[str, Any]:
    """The person's fields (input id -> value) of a ``[subject]`` table: each field it gives
    (a trait held as ``{mean, sd}`` stays in the file, not in a field), the balance choice, and
    ``resting_bp_mmhg`` split into its halves (:data:`BP_HALVES`).

    >>> person_fields({"berg": 44, "resting_bp_mmhg": [138, 84]})
    {'berg': 44, 'sex': 'female', 'balance': 'berg', 'sbp': 138, 'dbp': 84}
    """
    person = {key: subject.get(key) for key, _, _ in PERSON_FIELDS
              if key in subject and not isinstance(subject[key], dict)}
    person.setdefault("sex", "female")
    person["balance"] = "berg" if "berg" in subject else subject.get("balance", "")
    if "resting_bp_mmhg" in subject:
        person.update(zip(BP_HALVES, subject["resting_bp_mmhg"], strict=True))
    return person


def default_form() -> Form:
    """The page's first form: a 68-year-old woman with a Berg score of 44, forward or
    backward at 1.5 mph after a forward warm-up."""
    def stages(direction: str) -> list[StageRow]:
        return [StageRow(speed=1.5, minutes=3.0),
                StageRow(direction=direction, speed=1.5, minutes=15.0),
                StageRow(action="rest", speed=None, minutes=30.0)]

    arms = [ArmRows("forward", stages("forward")),
            ArmRows("backward", stages("backward"), handrail="light")]
    return Form("what-if", 1, person_fields(FIRST_SUBJECT), arms,
                {"description": "Forward or backward at 1.5 mph, built in retrosim app"})


def person_table(person: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``[subject]`` table of the person fields; a blank optional field is left out (its
    default applies), a blank required one too (the model then says it is required)."""
    table = dict(extra or {})
    for key in ("mass_kg", "age_yr", "sex", "fitness", "handrail", "vo2max_ml_kg_min",
                "hr_max_bpm", "hr_rest_bpm", "backward_practice_min"):
        if person.get(key) not in (None, ""):
            table[key] = person[key]
    balance = person.get("balance")
    if balance == "berg":
        if person.get("berg") is None:
            raise InputError("subject.berg", "is blank", "a Berg score 0-56, or a balance level")
        table["berg"] = person["berg"]
    elif balance not in (None, ""):
        table["balance"] = balance
    sbp, dbp = (person.get(half) for half in BP_HALVES)
    if (sbp is None) != (dbp is None):
        raise InputError("subject.resting_bp_mmhg", "needs both systolic and diastolic",
                         "[70-250, 40-150] mmHg, or both blank for 120/80")
    if sbp is not None:
        table["resting_bp_mmhg"] = [sbp, dbp]
    if person.get("bp_medication") is not None:           # None: the file left it out
        table["bp_medication"] = bool(person["bp_medication"])
    return table


_ROW_VALUES = ("action", "direction", "speed", "unit", "grade_pct", "minutes", "handrail")


def stage_table(row: StageRow) -> Any:
    """A stage as the file wrote it while the row still holds its values, else as a TOML
    table; a blank number is left out (the model then names it)."""
    if row.spec is not None:
        parsed = stage_row(row.spec, "stage")
        if all(getattr(parsed, k) == getattr(row, k) for k in _ROW_VALUES):
            return copy.deepcopy(row.spec)
    table: dict[str, Any] = {}
    if row.action == "rest":
        table["action"] = "rest"
    else:
        table["direction"] = row.direction
        if row.speed is not None:
            table[SPEED_UNITS.get(row.unit, "speed_mph")] = row.speed
        if row.grade_pct not in (None, 0, 0.0):
            table["grade_pct"] = row.grade_pct
    if row.minutes is not None:
        table["duration_min"] = row.minutes
    if row.handrail and row.action != "rest":
        table["handrail"] = row.handrail
    return table


def scenario_dict(form: Form) -> dict[str, Any]:
    """The scenario the form stands for, as parsed TOML (plain dicts, lists and scalars)."""
    data = copy.deepcopy(form.base)
    data["name"] = form.name
    if form.seed is not None:
        data["seed"] = form.seed
    else:
        data.pop("seed", None)
    if not form.has_cohort:
        extra = person_extra(form)                      # {mean, sd}: kept unless typed over
        data["subject"] = person_table(form.person, extra)
    arms: dict[str, Any] = {}
    for arm in form.arms:
        if arm.name in arms:
            raise InputError(f"arms.{arm.name}", "is the name of two arms",
                             "a different name for each arm")
        table = dict(arm.extra)
        table.pop("handrail", None)
        if arm.handrail:
            table["handrail"] = arm.handrail
        table["stages"] = [stage_table(row) for row in arm.stages]
        arms[arm.name] = table
    data["arms"] = arms
    return _ordered(data)


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Name, description and seed first, then the person and the arms, then the rest."""
    first = ("name", "description", "seed", "subject", "cohort", "arms")
    return {**{k: data[k] for k in first if k in data},
            **{k: v for k, v in data.items() if k not in first}}


def _round(x: float) -> float:
    """A unit conversion's float back to the number a person typed (2.0, not 1.9999999999)."""
    return float(f"{x:.10g}")


def stage_row(spec: Any, key: str) -> StageRow:
    """A stage string or table of a scenario file as a row (validated by the model)."""
    stage = retrosim.Stage.parse(spec, key=key)
    minutes = _round(stage.duration_s / 60.0)
    if stage.is_rest:
        return StageRow(action="rest", speed=None, grade_pct=None, minutes=minutes, spec=spec)
    kmh = (isinstance(spec, str) and _KMH.search(spec.lower()) is not None) or \
        (isinstance(spec, dict) and "speed_kmh" in spec)
    speed = _round(stage.speed_mps / (units.MPS_PER_KMH if kmh
                                      else units.MPS_PER_MPH))
    return StageRow(direction="forward" if stage.direction > 0 else "backward", speed=speed,
                    unit="km/h" if kmh else "mph", grade_pct=_round(stage.grade_frac * 100.0),
                    minutes=minutes, handrail=stage.handrail or "", spec=spec)


def read_upload(path: str, name: str) -> dict[str, Any]:
    """An uploaded scenario file, read under the command line's budgets (its size before it
    is read, its nesting before it is parsed: :func:`retrosim.model.budget.read_toml`);
    InputError naming ``name`` (the visitor's file name) otherwise.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
    ...     _ = f.write("a = " + "[" * 40 + "]" * 40)
    >>> try:
    ...     read_upload(f.name, "deep.toml")
    ... except InputError as err:
    ...     print(err.problem)
    nests arrays or tables 40 deep
    >>> os.unlink(f.name)
    """

    file = Path(path)
    size = file.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError("", f"is {size:,} bytes, more than a scenario file may be",
                         f"at most {MAX_FILE_BYTES:,} bytes", source=name)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError("", f"is not UTF-8 text ({err.reason} at byte {err.start:,})",
                         "a scenario file (TOML, UTF-8)", source=name) from None
    return read_toml(text, name)


def form_from_dict(data: dict[str, Any], source: str | None = None) -> Form:
    """The form of a parsed scenario (checked first: a bad file gets its one-line message)."""
    retrosim.Scenario.from_dict(data, source=source)
    base = copy.deepcopy(data)
    subject = base.get("subject", {})
    person = person_fields(subject)
    arms = []
    for name, spec in base.pop("arms").items():
        rows = [stage_row(s, f"arms.{name}.stages[{i}]") for i, s in enumerate(spec["stages"])]
        extra = {k: v for k, v in spec.items() if k not in ("stages", "handrail")}
        arms.append(ArmRows(name, rows, spec.get("handrail", ""), extra))
    name = base.pop("name")
    seed = base.pop("seed", None)
    return Form(name, seed, person, arms, base)


def page_text(message: str) -> str:
    """A message as the page says it: a stage counted from one, as the rows are
    (``arms.backward.stages[1]`` is the page's "arms.backward, stage 2").

    >>> page_text("a.toml: arms.backward.stages[1]: speed 30 mph is out of range")
    'a.toml: arms.backward, stage 2: speed 30 mph is out of range'
    """
    return re.sub(r"\.stages\[(\d+)\]", lambda m: f", stage {int(m[1]) + 1}", message)


def field_of(err: InputError, form: Form) -> str:
    """The id of the page element a message belongs next to (``run`` when no field fits).

    >>> form = default_form()
    >>> err = InputError("arms.backward.stages[1]", "speed 30 mph is out of range")
    >>> field_of(err, form) == "row-" + form.arms[1].stages[1].uid
    True
    >>> field_of(InputError("subject.resting_bp_mmhg[1]", "x"), form)
    'dbp'
    """
    key = err.key or ""
    if key in ("name", "seed"):
        return "scenario_name" if key == "name" else "seed"
    if key == "subjects":
        return "people"
    if key.startswith("subject."):
        sub = key.split(".", 1)[1]
        if sub.startswith("resting_bp_mmhg"):
            return BP_HALVES[1] if sub.endswith("[1]") else BP_HALVES[0]
        return sub if sub in {f[0] for f in PERSON_FIELDS} else "run"
    m = re.match(r"arms\.([^.\[]*)(?:\.stages\[(\d+)\])?", key)
    if m:
        for arm in form.arms:
            if arm.name == m[1]:
                if m[2] is not None and int(m[2]) < len(arm.stages):
                    return "row-" + arm.stages[int(m[2])].uid
                return "arm-" + arm.uid
    return "run"
