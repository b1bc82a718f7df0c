"""From a recording and a fit to a runnable scenario: the walk's stages, the person's file.

:func:`stages_from_recording` turns the recorded speed, grade and direction into stage tables
(the protocol of the recorded session); :func:`apply_stages` does the reverse for a recording
without speed (``--stages FILE``); :func:`person_document` writes the fitted traits into a
scenario's ``[subject]`` in the uncertain form ``{mean, sd, from = "fit"}``; :func:`write_person`
checks the document loads as a scenario and writes it atomically.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import tomlkit

from retrosim.errors import InputError
from retrosim.fit.person import PersonFit
from retrosim.fit.records import Recording
from retrosim.model import tomlwriter
from retrosim.model.protocol import Protocol
from retrosim.model.scenario import Scenario
from retrosim.results.io import check_output_path, write_atomic
from retrosim.units import mps_to_mph

#: Resolution of the recorded protocol: speed [mph], grade [%]; slower than REST_MPH is rest.
SPEED_STEP_MPH = 0.1
GRADE_STEP_PCT = 0.5
REST_MPH = 0.3
#: The fewest seconds a stage lasts (shorter ones, a belt's ramp, join the one before), and
#: the most stages written (a walk outdoors is coarsened until it fits).
MIN_STAGE_S = 10.0
MAX_STAGES = 200


def stages_from_recording(rec: Recording) -> list[dict[str, Any]]:
    """The recorded walk as stage tables (speed to 0.1 mph, grade to 0.5 %)."""
    assert rec.speed_mps is not None
    t = rec.time_s
    speed = np.round(np.nan_to_num(mps_to_mph(rec.speed_mps)) / SPEED_STEP_MPH) * SPEED_STEP_MPH
    grade = np.zeros(t.size) if rec.grade_frac is None else \
        np.round(np.nan_to_num(rec.grade_frac) * 100 / GRADE_STEP_PCT) * GRADE_STEP_PCT
    direction = np.ones(t.size) if rec.direction is None else np.nan_to_num(rec.direction,
                                                                              nan=1.0)
    rest = speed < REST_MPH
    key = np.stack([np.where(rest, 0.0, speed), np.where(rest, 0.0, grade),
                    np.where(rest, 1.0, np.sign(direction))], axis=1)
    dt = np.diff(t, append=t[-1] + (t[-1] - t[-2]))
    minimum = MIN_STAGE_S
    while True:
        runs = _runs(key, dt, minimum)
        if len(runs) <= MAX_STAGES:
            break
        minimum *= 2
    return [_stage(k, seconds) for k, seconds in runs]


def _runs(key: np.ndarray, dt: np.ndarray, minimum: float) -> list[tuple[np.ndarray, float]]:
    runs: list[tuple[np.ndarray, float]] = []
    for row, seconds in zip(key, dt, strict=True):
        if runs and np.array_equal(runs[-1][0], row):
            runs[-1] = (runs[-1][0], runs[-1][1] + seconds)
        else:
            runs.append((row, seconds))
    merged: list[tuple[np.ndarray, float]] = []
    for row, seconds in runs:
        if merged and (seconds < minimum or np.array_equal(merged[-1][0], row)):
            merged[-1] = (merged[-1][0], merged[-1][1] + seconds)
        else:
            merged.append((row, seconds))
    return merged


def _stage(key: np.ndarray, seconds: float) -> dict[str, Any]:
    speed, grade, direction = (float(x) for x in key)
    duration = round(max(seconds, 1.0))
    if speed == 0.0:
        return {"action": "rest", "duration_s": duration}
    return {"direction": "backward" if direction < 0 else "forward",
            "speed_mph": round(speed, 1), "grade_pct": round(grade, 1), "duration_s": duration}


def apply_stages(rec: Recording, stages: Protocol, *, source: str) -> Recording:
    """``rec`` with its speed, grade and direction taken from ``stages`` (from time 0)."""
    ends = np.cumsum([s.duration_s for s in stages.stages])
    if ends[-1] < rec.time_s[-1] - 1.0:
        raise InputError("stages", f"last {ends[-1] / 60:.1f} min, shorter than the recording "
                         f"({rec.time_s[-1] / 60:.1f} min)", "stages that cover the recording",
                         source=source)
    i = np.minimum(np.searchsorted(ends, rec.time_s, side="right"), len(stages.stages) - 1)
    pick = np.array([[s.speed_mps, s.grade_frac, s.direction] for s in stages.stages])[i]
    return replace(rec, speed_mps=pick[:, 0], grade_frac=pick[:, 1], direction=pick[:, 2])


def person_document(fit: PersonFit, base: dict[str, Any] | None, subject: dict[str, Any],
                    *, name: str) -> dict[str, Any]:
    """The scenario to write: ``base`` (its arms) or the recorded session as its protocol,
    with ``subject`` and the fitted traits in ``[subject]``."""
    fitted = fit.subject_table()
    if base is not None:
        doc = copy.deepcopy(base)
        doc["subject"] = {**doc.get("subject", {}), **subject, **fitted}
        return doc
    return {"name": name,
            "description": f"The session recorded in {Path(fit.recording.source).name}, "
                           "walked by the person fitted to it",
            "seed": 0, "subject": {**subject, **fitted},
            "arms": {"recorded": {"stages": stages_from_recording(fit.recording)}}}


def person_text(doc: dict[str, Any], notes: list[str]) -> str:
    """TOML text of ``doc`` with ``notes`` as leading comments; ``[subject]`` last, with each
    uncertain trait inline."""
    rest = {k: v for k, v in doc.items() if k != "subject"}
    lines = [f"# {n}" for n in notes]
    body = tomlwriter.dumps(rest)
    subject = tomlkit.table()
    for key, value in doc["subject"].items():
        if isinstance(value, dict):                  # {mean, sd, from}: one line, inline
            inline = tomlkit.inline_table()
            inline.update(value)
            value = inline
        subject[key] = value
    tail = tomlkit.document()
    tail["subject"] = subject
    return "\n".join(lines) + ("\n\n" if lines else "") + body + "\n" + tomlkit.dumps(tail)


def write_person(path: str | Path, text: str) -> Path:
    """Check ``text`` loads as a scenario, then write it to ``path`` atomically."""
    out = check_output_path(path, (".toml",), "a scenario file name *.toml")
    Scenario.from_dict(tomllib.loads(text), source=str(out))

    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    return write_atomic(out, write)
