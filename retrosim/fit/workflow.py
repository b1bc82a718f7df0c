"""``retrosim fit`` from files to a person: read, complete the walk, fit, write.

:func:`fit_recording` reads the recording, takes the person (mass, age, sex and any traits
already known) from ``--scenario``'s ``[subject]``, the file's own profile (FIT) or the command
line, completes the walk (speed, grade and direction from the record, ``--stages FILE`` or
``--direction``; the direction from ``--direction``, else the stages, else the record's
readings or laps, else forward with a warning), fits
(:func:`retrosim.fit.person.fit_person`) and builds the scenario to write
(:mod:`retrosim.fit.session`). Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from retrosim.errors import InputError
from retrosim.fit import session
from retrosim.fit.formats import FROM_LAPS, read_recording
from retrosim.fit.person import METHOD, PersonFit, fit_person
from retrosim.fit.records import Recording
from retrosim.model.budget import read_toml
from retrosim.model.protocol import Protocol
from retrosim.model.scenario import Scenario, bundled
from retrosim.model.subject import SEXES, Subject

DIRECTIONS = {"forward": 1.0, "backward": -1.0}


@dataclass(frozen=True)
class Outcome:
    """A finished fit: the fit, the scenario text to write, and what to tell the user."""

    fit: PersonFit
    text: str
    notes: list[str]
    warnings: list[str]


def fit_recording(recording: str | Path, *, scenario: str | None = None,
                  stages: str | None = None, direction: str | None = None,
                  person: dict[str, Any] | None = None) -> Outcome:
    """Fit a person to ``recording`` (the module docstring); every problem is an
    :class:`~retrosim.errors.InputError` naming its file."""
    base, base_path = _scenario(scenario)
    rec = read_recording(recording)
    subject_table = _subject_table(base, rec, person or {}, str(recording), base_path)
    subject = Subject.from_dict(subject_table)
    if direction is not None and direction not in DIRECTIONS:
        raise InputError("--direction", f"{direction!r} is not a direction",
                         " | ".join(DIRECTIONS))
    if stages not in (None, "auto"):
        rec = session.apply_stages(rec, _stages(stages), source=str(stages))
    if rec.speed_mps is None:
        raise InputError("speed", "missing: the recording has no speed (a heart-rate-only or "
                         "cycling file)", "a recording with speed, or --stages FILE",
                         source=rec.source)
    if direction is not None or stages not in (None, "auto"):    # the laps' word is overruled
        rec = replace(rec, warnings=tuple(w for w in rec.warnings
                                          if not w.startswith(FROM_LAPS)))
    if direction is not None:                  # --direction > --stages > the record's laps
        rec = replace(rec, direction=np.full(rec.time_s.size, DIRECTIONS[direction]))
    elif rec.direction is None:
        rec = replace(rec, direction=np.ones(rec.time_s.size))
        rec = rec.warn("no direction in the recording, its laps or stages: taken as forward "
                       "(--direction backward for a backward walk)")
    if rec.grade_frac is None:
        rec = replace(rec, grade_frac=np.zeros(rec.time_s.size))
        rec = rec.warn("no grade in the recording: the walk is taken as level")
    options = (Scenario.from_dict(base, source=base_path).energy if base is not None
               else None)
    fit = fit_person(rec, subject, options)
    name = f"fitted-{Path(recording).stem}"
    plain = {k: v for k, v in subject_table.items() if not isinstance(v, dict)}
    doc = session.person_document(fit, base, plain, name=name)
    notes = [f"fitted by retrosim fit from {Path(recording).name}: {METHOD}",
             f"fitted: {', '.join(fit.informed) or 'none'}",
             "not informed by the recording, kept their prior (predicted): "
             f"{', '.join(fit.not_informed) or 'none'}"]
    if "vo2_calibration" in [p.name for p in fit.posterior.parameters]:
        notes.append("the metabolic cart's oxygen uptake (vo2_ml_kg_min) fitted beside the "
                     "heart rate, its calibration a nuisance")
    elif rec.vo2_ml_kg_min is not None:
        rec = rec.warn("too few oxygen-uptake readings before the first bout's end to fit "
                       "(the cart's column is left out)")
    fixed = [k for k, t in fit.traits.items() if t.fixed]
    if fixed:
        notes.append(f"held at the scenario's values: {', '.join(fixed)}")
    return Outcome(fit, session.person_text(doc, notes), notes, list(rec.warnings))


def _scenario(scenario: str | None) -> tuple[dict[str, Any] | None, str | None]:
    if scenario is None:
        return None, None
    path = Path(scenario)
    if not path.is_file() and scenario in bundled():
        path = bundled()[scenario]
    if not path.is_file():
        raise InputError("--scenario", f"{scenario!r} is neither a file nor a bundled "
                         "scenario", "a scenario file (TOML) or a bundled name")
    data = read_toml(path.read_text(encoding="utf-8"), str(path))
    Scenario.from_dict(data, source=str(path))        # it must run before we build on it
    if "subject" not in data:
        raise InputError("subject", "missing: fit needs a [subject] scenario, not a [cohort]",
                         "[subject] with mass_kg, age_yr and sex", source=str(path))
    if "program" in data:
        raise InputError("program", "a programme cannot hold a fitted session",
                         "a scenario without [program]", source=str(path))
    return data, str(path)


def _subject_table(base: dict[str, Any] | None, rec: Recording, person: dict[str, Any],
                   source: str, base_path: str | None) -> dict[str, Any]:
    table = dict(base["subject"]) if base is not None else {}
    for key, value in rec.profile.items():
        table.setdefault(key, value)
    table.update({k: v for k, v in person.items() if v is not None})
    missing = [k for k in ("mass_kg", "age_yr", "sex") if k not in table]
    if missing:
        flags = {"mass_kg": "--mass-kg", "age_yr": "--age", "sex": f"--sex {'|'.join(SEXES)}"}
        raise InputError(", ".join(missing), "missing: the recording does not say (they set "
                         "the priors)", ", ".join(flags[k] for k in missing) +
                         ", or --scenario with a [subject]", source=base_path or source)
    return table


def _stages(path: str) -> Protocol:
    p = Path(path)
    if not p.is_file():
        raise InputError("--stages", f"{path!r} is not a file", "auto, or a TOML file with "
                         "stages = [...]")
    data = read_toml(p.read_text(encoding="utf-8"), path)
    if "stages" not in data:
        raise InputError("stages", "missing", 'stages = ["walk forward at 3 mph for 5 min", '
                         "...]", source=path)
    try:
        return Protocol.parse(data["stages"])
    except InputError as err:
        raise err.within(source=path) from None
