"""A recorded session: what a watch, a chest strap or a treadmill logged, in SI.

:func:`retrosim.fit.formats.read_recording` reads a file by its suffix (``.csv``, ``.fit``,
``.tcx``, ``.nc`` for the FTMS treadmill's log) into a :class:`Recording`: times [s], belt
speed [m s-1], grade [-],
direction (+1 forward, -1 backward) and heart rate [min-1], NaN where a reading is missing.
Every problem is one :class:`~retrosim.errors.InputError` naming the file and what is missing;
a data file is parsed, never run (XML through ``defusedxml``).

CSV: a header row names each column with its unit: ``time_s``; one of ``speed_mph``,
``speed_kmh``, ``speed_mps``; ``grade_pct``; ``hr_bpm``; optionally ``vo2_ml_kg_min`` and
``direction`` (``forward`` | ``backward``). An empty cell is a missing reading.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from retrosim.errors import InputError
from retrosim.units import kmh_to_mps, mph_to_mps, pct_to_frac

#: The longest recording fitted [s] (a treadmill session, with its rests) and the most
#: readings [rows]; a file larger than MAX_BYTES is refused before it is read.
MAX_DURATION_S = 4 * 3600.0
MAX_ROWS = 200_000
MAX_BYTES = 64 * 2**20
#: CSV columns and the conversion of each to SI.
SPEED_COLUMNS = {"speed_mph": mph_to_mps, "speed_kmh": kmh_to_mps,
                 "speed_mps": lambda x: np.asarray(x, dtype=float)}
CSV_COLUMNS = ("time_s", *SPEED_COLUMNS, "grade_pct", "hr_bpm", "vo2_ml_kg_min", "direction")
#: A header's stem (its name before the unit) -> the column(s) it should be, for a header
#: that names a quantity without its unit (``hr``, ``speed``); read off CSV_COLUMNS, plus
#: ``heart`` (``heart_rate``, ``heart rate``) for the heart-rate column.
_UNITLESS: dict[str, list[str]] = {}
for _column in CSV_COLUMNS:
    _UNITLESS.setdefault(_column.split("_")[0], []).append(_column)
_STEMS = {stem: " | ".join(columns) for stem, columns in _UNITLESS.items()} | {"heart": "hr_bpm"}
#: Least share of heart-rate readings present for a usable recording.
MIN_HR_SHARE = 0.5


@dataclass(frozen=True)
class Recording:
    """A recorded session in SI; arrays share the time axis; NaN is a missing reading.

    ``speed_mps``, ``grade_frac`` or ``direction`` is None when the file has no such column
    (stages or ``--direction`` supply it); ``profile`` holds what the file says of the person
    (``age_yr``, ``sex``, ``mass_kg``); ``warnings`` what was assumed.
    """

    source: str
    time_s: np.ndarray
    hr_bpm: np.ndarray
    speed_mps: np.ndarray | None = None
    grade_frac: np.ndarray | None = None
    direction: np.ndarray | None = None
    vo2_ml_kg_min: np.ndarray | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        return float(self.time_s[-1] - self.time_s[0]) if self.time_s.size else 0.0

    def warn(self, text: str) -> Recording:
        return replace(self, warnings=(*self.warnings, text))


def check(rec: Recording) -> Recording:
    """Sort out the readings: times increasing, within budget, heart rate present."""
    t = rec.time_s
    if t.size < 2 or not np.isfinite(t).all():
        raise InputError("time", "fewer than two timed readings" if t.size < 2
                         else "a reading without a time", "one time per reading")
    if np.any(np.diff(t) <= 0):
        raise InputError("time", "times do not increase from reading to reading",
                         "strictly increasing times")
    if t.size > MAX_ROWS or t[-1] - t[0] > MAX_DURATION_S:
        raise InputError("time", f"{(t[-1] - t[0]) / 60:.0f} min, {t.size} readings: longer "
                         "than the budget", f"at most {MAX_DURATION_S / 60:.0f} min and "
                         f"{MAX_ROWS} readings")
    hr = rec.hr_bpm
    if hr.size == 0 or np.mean(np.isfinite(hr)) < MIN_HR_SHARE:
        raise InputError("heart rate", "missing" if not np.isfinite(hr).any() else
                         f"only {np.mean(np.isfinite(hr)):.0%} of readings have it",
                         f"heart rate in at least {MIN_HR_SHARE:.0%} of readings")
    empty: dict[str, Any] = {name: None for name in ("speed_mps", "grade_frac", "vo2_ml_kg_min")
                             if getattr(rec, name) is not None
                             and not np.isfinite(getattr(rec, name)).any()}
    rec = replace(rec, **empty)
    bad = np.isfinite(hr) & ((hr < 25) | (hr > 250))
    if bad.any():
        raise InputError("heart rate", f"{int(bad.sum())} readings outside 25-250 min-1",
                         "25-250 min-1 (a sensor's range)")
    return replace(rec, time_s=t - t[0])


def read_csv(path: Path) -> Recording:
    """A CSV whose header names every column with its unit (the module docstring)."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (UnicodeDecodeError, csv.Error) as err:
        raise InputError("", f"not a readable CSV ({err})", "UTF-8 text, comma-separated") \
            from None
    if not rows:
        raise InputError("", "the file is empty", "a header row, then readings")
    header = [h.strip() for h in rows[0]]
    for name in header:
        if name not in CSV_COLUMNS:
            stem = name.lower().split("_")[0].split(" ")[0]
            if stem in _STEMS:
                raise InputError(f"column {name!r}", "does not declare its unit",
                                 _STEMS[stem])
            raise InputError(f"column {name!r}", "is not a recording column",
                             ", ".join(CSV_COLUMNS))
    if len(set(header)) != len(header):
        raise InputError("header", "a column appears twice", "each column once")
    speeds = [h for h in header if h in SPEED_COLUMNS]
    if len(speeds) > 1:
        raise InputError("header", f"two speed columns ({', '.join(speeds)})", "one of them")
    for need, allowed in (("time_s", "time_s"), ("hr_bpm", "hr_bpm")):
        if need not in header:
            raise InputError(f"column {need}", "missing", allowed)
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise InputError("rows", f"{len(body)} readings, longer than the budget",
                         f"at most {MAX_ROWS}")
    columns: dict[str, Any] = {}
    for i, name in enumerate(header):
        cells = [row[i].strip() if i < len(row) else "" for row in body]
        if name == "direction":
            columns[name] = _directions(cells)
        else:
            columns[name] = _numbers(name, cells)
    speed = SPEED_COLUMNS[speeds[0]](columns[speeds[0]]) if speeds else None
    grade = pct_to_frac(columns["grade_pct"]) if "grade_pct" in columns else None
    return Recording(str(path), columns["time_s"], columns["hr_bpm"], speed, grade,
                     columns.get("direction"), columns.get("vo2_ml_kg_min"))


def _numbers(name: str, cells: list[str]) -> np.ndarray:
    out = np.full(len(cells), np.nan)
    for row, cell in enumerate(cells):
        if not cell:
            continue
        try:
            value = float(cell)
        except ValueError:
            raise InputError(f"{name}, row {row + 2}", f"{cell[:30]!r} is not a number",
                             "a number, or an empty cell for a missing reading") from None
        if not math.isfinite(value):
            raise InputError(f"{name}, row {row + 2}", f"{cell[:30]!r} is not finite",
                             "a finite number")
        out[row] = value
    return out


def _directions(cells: list[str]) -> np.ndarray:
    codes = {"forward": 1.0, "backward": -1.0, "": np.nan}
    for row, cell in enumerate(cells):
        if cell.lower() not in codes:
            raise InputError(f"direction, row {row + 2}", f"{cell[:30]!r} is not a direction",
                             "forward | backward")
    return np.array([codes[c.lower()] for c in cells])
