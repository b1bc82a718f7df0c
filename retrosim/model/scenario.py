"""Scenario files: TOML in, a validated :class:`Scenario` out, or a one-line error.

A scenario names a subject, the energy options, the treadmill and one or more arms, each a
protocol of stages (see ``docs/scenario-format.md``). Files are data, never executed. Every
error names the file, the key and what is allowed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from retrosim.controllers.safety import SafetyLimits
from retrosim.controllers.spec import control_arms
from retrosim.errors import (
    InputError,
    check_choice,
    check_number,
    collect,
    collecting,
    did_you_mean,
)
from retrosim.model import budget, grid
from retrosim.model.arm import Arm
from retrosim.model.cohort import CohortSpec
from retrosim.model.options import (
    BpOptions,
    EnergyOptions,
    GuidanceOptions,
    check_readings_min,
    fall_parameters,
)
from retrosim.model.program import Program, check_arm_keys
from retrosim.model.protocol import Protocol
from retrosim.model.subject import HANDRAIL_LEVELS, Subject, check_subject_keys, split_uncertain
from retrosim.model.treadmill import TreadmillLimits
from retrosim.physiology.balance import FallParameters
from retrosim.units import speed_unit_of

TOP_KEYS = ("name", "description", "seed", "subject", "cohort", "energy", "treadmill", "output",
            "arms", "sweep", "falls", "bp", "controller", "faults", "safety", "program", "limits",
            "guidance")
ARM_KEYS = ("stages", "handrail", "description", "subject", "bp_readings_min", "controller",
            "faults", "progression", "sessions")
ENERGY_KEYS = ("model", "resting_rate", "convention", "hr_max", "heart_rate", "hr_kinetics",
               "hr_drift", "vo2_kinetics", "epoc", "walking_cost")
OUTPUT_KEYS = ("trace_step_s",)
REQUIRED = {"name": "a non-empty string", "subject": "[subject] with mass_kg, age_yr and sex, "
            "or [cohort] with size and distributions", "arms": "[arms.NAME] with stages = [...]"}
MAX_SUBJECTS = 10_000_000
_ARM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: who walks, how energy is counted, and the arms to compare.

    Each field is a table of the scenario file (see the scenario format); a scenario is made
    by :func:`load_scenario` or :meth:`Scenario.from_dict`, which validate it.

    Parameters
    ----------
    name : str
        The scenario's name.
    subject : Subject
        The person who walks (with a ``[cohort]``, the cohort's typical person).
    arms : dict of str to Arm
        The arms to compare, by name, in the file's order.
    description : str, default ""
        What the scenario asks.
    seed : int, default 0
        The seed every random draw derives from.
    energy : EnergyOptions
        The ``[energy]`` table: how energy is counted.
    treadmill : TreadmillLimits
        The ``[treadmill]`` table: the belt's limits and the tether.
    trace_step_s : float, default 1.0
        The trace resolution [s].
    source : str, optional
        The file it was read from.
    cohort : CohortSpec, optional
        The ``[cohort]`` table; None: draws of the subject.
    sweep : Sweep, optional
        The ``[sweep]`` table (its arms are already expanded).
    falls : FallParameters
        The ``[falls]`` table.
    bp : BpOptions
        The ``[bp]`` table.
    safety : SafetyLimits
        The ``[safety]`` table.
    program : Program, optional
        The ``[program]`` table: a programme of sessions.
    limits : Limits
        The ``[limits]`` table: the run's size limits.
    guidance : GuidanceOptions
        The ``[guidance]`` table: the intensity the person's guidance allows.
    speed_unit : {"mph", "km/h"}, default "mph"
        The speed unit the file speaks (:func:`retrosim.units.speed_unit_of`), decided once:
        results, tables, reports and safety messages all speak it.

    Examples
    --------
    >>> sc = Scenario.from_dict({"name": "one", "subject": {"mass_kg": 70, "age_yr": 40,
    ...     "sex": "male"}, "arms": {"a": {"stages": ["walk backward at 2 mph for 5 min"]}}})
    >>> list(sc.arms)
    ['a']
    """

    name: str
    subject: Subject
    arms: dict[str, Arm]
    description: str = ""
    seed: int = 0
    energy: EnergyOptions = field(default_factory=EnergyOptions)
    treadmill: TreadmillLimits = field(default_factory=TreadmillLimits)
    trace_step_s: float = 1.0
    source: str | None = None
    cohort: CohortSpec | None = None       # the [cohort] table; None: N draws of the subject
    sweep: grid.Sweep | None = None        # the [sweep] table (its arms are already expanded)
    falls: FallParameters = field(default_factory=lambda: fall_parameters({}))  # [falls]
    bp: BpOptions = field(default_factory=BpOptions)                 # the [bp] table
    safety: SafetyLimits = field(default_factory=SafetyLimits)       # the [safety] table
    program: Program | None = None         # the [program] table: a programme of sessions
    limits: budget.Limits = field(default_factory=budget.Limits)     # the [limits] table
    guidance: GuidanceOptions = field(default_factory=GuidanceOptions)  # the [guidance] table
    speed_unit: str = "mph"                # the unit the file speaks (results and messages)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None, *,
                  allow_import: tuple[str, ...] = ()) -> Scenario:
        """Validate a parsed TOML document.

        Parameters
        ----------
        data : dict
            The document, as ``tomllib`` reads it.
        source : str, optional
            The file it came from, named by the errors.
        allow_import : tuple of str, default ()
            Module prefixes a ``[controller] path`` may import from (besides those of the
            environment, :mod:`retrosim.controllers.imports`).

        Returns
        -------
        Scenario
            The validated scenario.

        Raises
        ------
        InputError
            Every mistake of the document, one line each, with ``source`` and the key path.
        """
        try:
            with collecting():                 # every mistake of the file, one line each
                return cls._from_dict(data, source, tuple(allow_import))
        except InputError as err:
            raise err.within(source=source or "scenario") from None

    @classmethod
    def _from_dict(cls, data: dict[str, Any], source: str | None,
                   allow_import: tuple[str, ...] = ()) -> Scenario:
        if not isinstance(data, dict):
            raise InputError("", f"{type(data).__name__} is not a table of scenario keys",
                             ", ".join(TOP_KEYS))
        _known(data, TOP_KEYS, "", "top-level key")
        for key, allowed in REQUIRED.items():
            if key not in data and not (key == "subject" and "cohort" in data):
                raise InputError(key, "is required", allowed)
        if "subject" in data and "cohort" in data:
            raise InputError("cohort", "a scenario has [subject] or [cohort], not both",
                             "one of them")
        limits = _section(data, "limits", None, budget.Limits.from_table)
        name = _string(data, "name")
        description = _string(data, "description") if "description" in data else ""
        seed = int(check_number("seed", data.get("seed", 0), 0, 2**63 - 1, integer=True))
        cohort = _section(data, "cohort", None, CohortSpec.from_table) if "cohort" in data \
            else None
        subject_table = _table(data, "subject") if cohort is None else {}
        try:
            subject = Subject.from_dict(subject_table) if cohort is None else cohort.subject
        except InputError as err:
            if not collect(err.within("subject")):
                raise err.within("subject") from None
            subject = Subject(mass_kg=70.0, age_yr=40.0, sex="female")   # stands in
        energy = _section(data, "energy", ENERGY_KEYS, lambda t: EnergyOptions(**t))
        treadmill = _section(data, "treadmill", None, TreadmillLimits.from_dict)
        falls = _section(data, "falls", None, fall_parameters)
        if falls.walker_position_frac * treadmill.deck_length_m >= treadmill.tether_release_m:
            raise InputError("falls.walker_position_pct", "puts the walker at or past the "
                             "tether's release point", "a position in front of "
                             f"{treadmill.tether_release_m:g} m (treadmill.tether_length_m)")
        bp = _section(data, "bp", None, BpOptions.from_dict)
        guidance = _section(data, "guidance", None, GuidanceOptions.from_dict)
        output = _table(data, "output") if "output" in data else {}
        _known(output, OUTPUT_KEYS, "output.", "output key")
        step = check_number("output.trace_step_s", output.get("trace_step_s", 1.0), 0.01, 3600,
                            "s")
        arms_table = _table(data, "arms")
        if not arms_table:
            raise InputError("arms", "needs at least one arm", "[arms.NAME] with stages = [...]")
        arms = {arm_name: _arm(arm_name, spec, limits) for arm_name, spec in arms_table.items()}
        arms = control_arms(arms, data, source, allow_import)
        safety = _section(data, "safety", None, SafetyLimits.from_table)
        program = Program.from_tables(data["program"], arms_table) if "program" in data \
            else None
        if program is None:
            check_arm_keys(arms_table)           # programme keys need [program]
        unit = speed_unit_of(data)
        safety = safety.spoken_in(unit)        # messages in the scenario's speed unit
        sweep = _section(data, "sweep", None, grid.Sweep.from_table) if "sweep" in data else None
        if sweep is not None:
            people = cohort
            if people is None and any(k.startswith("cohort.") for k, _ in sweep.grid):
                people = CohortSpec.from_table(split_uncertain(subject_table)[0], size=1)
            budget.check_grid(math.prod(len(v) for _, v in sweep.grid) * len(arms), limits)
            arms = _section(data, "sweep", None, lambda _: grid.expand(arms, sweep, people))
        return cls(name, subject, arms, description, seed, energy, treadmill, step, source,
                   cohort, sweep, falls=falls, bp=bp, safety=safety, program=program, limits=limits,
                   guidance=guidance, speed_unit=unit)


def _arm(name: str, spec: Any, limits: budget.Limits) -> Arm:
    key = f"arms.{name}"
    if not isinstance(name, str) or not _ARM_NAME.fullmatch(name):
        raise InputError(key, "is not a usable arm name", "letters, digits, '-' and '_'")
    if not isinstance(spec, dict):
        raise InputError(key, "is not a table", "[arms.NAME] with stages = [...]")
    _known(spec, ARM_KEYS, f"{key}.", "arm key")
    if "stages" not in spec:
        raise InputError(f"{key}.stages", "is required", '["walk forward at 3.5 mph for 10 min"]')
    budget.check_stage_count(spec["stages"], limits, f"{key}.stages")
    try:
        protocol = Protocol.parse(spec["stages"], key=f"{key}.stages")
    except InputError as err:
        if not collect(err):
            raise
        protocol = Protocol.parse(["rest for 1 min"])          # stands in
    budget.check_protocol(protocol.duration_s, limits, f"{key}.stages")
    handrail = spec.get("handrail")
    if handrail is not None:
        check_choice(f"{key}.handrail", handrail, HANDRAIL_LEVELS)
    description = _string(spec, "description", key) if "description" in spec else ""
    overrides = spec.get("subject", {})
    try:
        check_subject_keys(overrides)
    except InputError as err:
        raise err.within(f"{key}.subject") from None
    readings = check_readings_min(f"{key}.bp_readings_min", spec["bp_readings_min"]) \
        if "bp_readings_min" in spec else None
    return Arm(name, protocol, handrail, description, subject=tuple(overrides.items()),
               bp_readings_min=readings)


def _known(table: dict[str, Any], allowed: tuple[str, ...], prefix: str, what: str) -> None:
    for key in table:
        if key not in allowed:
            article = "an" if what[0] in "aeiou" else "a"
            error = InputError(f"{prefix}{key}", f"is not {article} {what}"
                               f"{did_you_mean(key, allowed)}", ", ".join(allowed))
            if not collect(error):
                raise error


def _string(table: dict[str, Any], key: str, prefix: str = "") -> str:
    value = table[key]
    if key == "name" and isinstance(value, str) and len(value.splitlines()) > 1:
        raise InputError(key, f"{value!r} spans several lines", "a one-line name")
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{prefix}.{key}" if prefix else key, f"{value!r} is not a text",
                         "a non-empty string")
    return budget.check_printable(f"{prefix}.{key}" if prefix else key, value,
                                  multiline=key == "description")


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data[key]
    if not isinstance(value, dict):
        raise InputError(key, f"{value!r} is not a table", f"[{key}] ...")
    return value


def _section(data: dict[str, Any], key: str, allowed: tuple[str, ...] | None, build: Any) -> Any:
    table = _table(data, key) if key in data else {}
    if allowed is not None:
        _known(table, allowed, f"{key}.", f"{key} key")
        table = {k: v for k, v in table.items() if k in allowed}
    try:
        return build(table)
    except InputError as err:
        error = err.within(key)
    try:
        stand_in = build({})         # the defaults stand in, so the rest is checked too
    except InputError:
        stand_in = None
    if stand_in is None or not collect(error):
        raise error
    return stand_in


def bundled() -> dict[str, Path]:
    """The scenarios shipped with retrosim, by name."""
    folder = resources.files("retrosim") / "scenarios"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir()
            if str(p).endswith(".toml")}


def describe(path: Path) -> str:
    """The one-line description of a scenario file, without validating the rest."""
    try:
        data = budget.read_toml(path.read_text(encoding="utf-8"), str(path))
        text = str(data.get("description", "")).splitlines()[0]
        return budget.check_printable("description", text)
    except (InputError, OSError, UnicodeDecodeError, IndexError):
        return ""


def load_scenario(path_or_name: str | Path, *, allow_import: tuple[str, ...] = ()
                  ) -> Scenario:
    """Load a scenario from a TOML file, or a bundled scenario by name.

    Parameters
    ----------
    path_or_name : str or pathlib.Path
        A ``.toml`` file, or the name of a bundled scenario (``retrosim scenarios`` lists
        them).
    allow_import : tuple of str, default ()
        Module prefixes a ``[controller] path`` may import from (see
        :mod:`retrosim.controllers.imports`); a file never allows itself.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    InputError
        When the file is missing, too large, not TOML, or holds a mistake (one line each).

    Examples
    --------
    >>> load_scenario("compendium-2011").subject.mass_kg
    61.0
    """
    path = Path(path_or_name)
    if path.is_dir():
        raise InputError("", "is a folder, not a scenario file", "a .toml file or a bundled "
                         "scenario name", source=str(path))
    if not path.is_file():
        shipped = bundled()
        if str(path_or_name) not in shipped:
            raise InputError("", "is neither a file nor a bundled scenario"
                             + did_you_mean(str(path_or_name), shipped),
                             ", ".join(sorted(shipped)), source=str(path_or_name))
        path = shipped[str(path_or_name)]
    try:
        if path.stat().st_size > budget.MAX_FILE_BYTES:
            raise InputError("", f"is {path.stat().st_size:,} bytes, more than a scenario "
                             "file may be", f"at most {budget.MAX_FILE_BYTES:,} bytes",
                             source=str(path))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError("", f"cannot be read ({err})", None, source=str(path)) from None
    data = budget.read_toml(text, str(path))
    return Scenario.from_dict(data, source=str(path), allow_import=allow_import)


def check_run_arguments(scenario: Scenario, seed: Any, subjects: Any,
                        trace_step_s: Any, *, traces: bool = False,
                        memory: bool = True) -> tuple[int, int, float]:
    """Validate the overrides of :func:`retrosim.run`; defaults from the scenario.

    With ``memory`` (the default) the run is checked against its budgets (trace values when
    ``traces``, the memory it needs against the memory free) before it starts; a caller that
    holds a chunk at a time checks :func:`check_budget` for its chunk instead."""
    seed = scenario.seed if seed is None else int(check_number("seed", seed, 0, 2**63 - 1,
                                                               integer=True))
    default = 1 if scenario.cohort is None else scenario.cohort.size
    n = default if subjects is None else int(check_number("subjects", subjects, 1, MAX_SUBJECTS,
                                                           integer=True))
    step = scenario.trace_step_s if trace_step_s is None else check_number(
        "trace_step_s", trace_step_s, 0.01, 3600, "s")
    if memory:
        check_budget(scenario, n, step if traces else None)
    return seed, n, step


def check_budget(scenario: Scenario, subjects: int, trace_step_s: float | None) -> None:
    """Refuse a run of ``subjects`` people (with traces every ``trace_step_s``, or None) that
    exceeds the scenario's ``[limits]`` or the memory free (:mod:`retrosim.model.budget`)."""
    budget.check_scenario_run(scenario, subjects, trace_step_s)
