"""Readers of the binary and XML recording formats: FIT, TCX and retrosim's NetCDF log.

- FIT through Garmin's own FIT SDK (``garmin-fit-sdk``): ``record`` messages (timestamp,
  heart rate, speed or enhanced speed, grade, distance, altitude) and the ``user_profile``
  (age, gender, weight); a file that fails its CRC or integrity check is refused.
- TCX (Garmin Training Center XML) through ``defusedxml``, which refuses entity expansion and
  external references: trackpoints' time, heart rate, distance, altitude and the ``TPX``
  extension's speed.
- The FTMS treadmill's log, or any retrosim result: a NetCDF result with ``speed``,
  ``direction``, ``grade`` and ``hr`` traces (the first arm and subject).

FIT and TCX have no belt direction, but both have laps, and a lap can say how it was walked
(:func:`lap_direction`): in TCX the lap's ``Notes``; in FIT the name or notes of the workout
step the lap was walked in (the lap's ``wkt_step_index`` is the ``message_index`` of a
``workout_step`` message, whose ``wkt_step_name`` and ``notes`` are free text). The word
``backward`` (or ``backwards``, ``retro``) makes the lap's readings backward, ``forward`` forward;
once one lap names a direction, a lap that names none is forward.

FIT and TCX need the ``fit`` extra (``pip install 'retrosim[fit]'``); without it the reader
says so in one line. Speed from distance where the file has no speed; grade from altitude over
distance where it has no grade (outdoors), otherwise the walk is taken as level, with a
warning either way.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from retrosim.errors import InputError
from retrosim.fit.records import MAX_BYTES, Recording, check, read_csv
from retrosim.results.io import open_result

EXTRA = "the 'fit' extra is not installed (pip install 'retrosim[fit]')"
#: Window over which speed and grade are taken from distance and altitude [s].
DERIVE_WINDOW_S = 20.0
#: Steepest grade taken from altitude [-]; beyond it the altitude is noise.
MAX_DERIVED_GRADE = 0.25
_TCX_NS = {"tcd": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2",
           "tpx": "http://www.garmin.com/xmlschemas/ActivityExtension/v2"}


#: The recording formats, by suffix.
SUFFIXES = (".csv", ".fit", ".tcx", ".nc")


def check_file(path: str | Path, name: str, suffixes: tuple[str, ...] = SUFFIXES) -> str:
    """Before anything is read: ``path`` (the file ``name``) has one of ``suffixes``, exists
    and is within :data:`~retrosim.fit.records.MAX_BYTES`; its suffix, else InputError."""
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        allowed = ", ".join(f"{s} (the FTMS treadmill's log)" if s == ".nc" else s
                            for s in suffixes)
        raise InputError("", f"{Path(name).suffix or 'no suffix'} is not a recording format",
                         allowed, source=name)
    if not Path(path).is_file():
        raise InputError("", "no such file", "an existing recording", source=name)
    size = Path(path).stat().st_size
    if size > MAX_BYTES:
        raise InputError("", f"the file is {size / 2**20:.0f} MB, over the budget",
                         f"at most {MAX_BYTES // 2**20} MB", source=name)
    return suffix


def read_recording(path: str | Path) -> Recording:
    """Read and check a recording (CSV, FIT, TCX or a retrosim/FTMS NetCDF log)."""
    name = str(path)
    suffix = check_file(path, name)
    readers = {".csv": read_csv, ".fit": read_fit, ".tcx": read_tcx, ".nc": read_netcdf}
    try:
        return check(readers[suffix](Path(path)))
    except InputError as err:
        raise err.within(source=name) from None


def read_fit(path: Path) -> Recording:
    """A FIT activity file (Garmin FIT SDK)."""
    try:
        from garmin_fit_sdk import Decoder, Stream
    except ImportError:
        raise InputError("", EXTRA, "CSV works without it") from None
    stream = Stream.from_file(str(path))
    decoder = Decoder(stream)
    if not decoder.is_fit():
        raise InputError("", "not a FIT file (no FIT header)", "a .fit activity file")
    if not decoder.check_integrity():
        raise InputError("", "corrupt or truncated FIT file (its CRC or size does not check)",
                         "a complete .fit activity file")
    messages, errors = Decoder(Stream.from_file(str(path))).read()   # the checks consumed it
    if errors:
        raise InputError("", f"corrupt FIT file ({str(errors[0])[:80]})", "a .fit activity file")
    records: list[Any] = list(messages.get("record_mesgs", []))
    if not records:
        raise InputError("record messages", "missing: the file holds no readings",
                         "a FIT activity with record messages")
    t = np.array([_seconds(r.get("timestamp")) for r in records])

    def column(*names: str) -> np.ndarray | None:
        values = [next((r[n] for n in names if r.get(n) is not None), None) for r in records]
        if all(v is None for v in values):
            return None
        return np.array([np.nan if v is None else float(v) for v in values])

    rec = Recording(str(path), t, _require_hr(column("heart_rate")),
                    column("enhanced_speed", "speed"), _pct(column("grade")))
    steps = {s.get("message_index"): " ".join(str(s.get(k) or "") for k in ("wkt_step_name",
                                                                            "notes"))
             for s in messages.get("workout_step_mesgs", [])}
    laps = [(_seconds(lap.get("start_time") or lap.get("timestamp")),
             steps.get(lap.get("wkt_step_index"), ""))
            for lap in messages.get("lap_mesgs", [])
            if (lap.get("start_time") or lap.get("timestamp")) is not None]
    rec = with_laps(rec, laps)
    profile = (messages.get("user_profile_mesgs") or [{}])[0]
    rec = _with_profile(rec, profile.get("age"), profile.get("gender"), profile.get("weight"))
    return derive(rec, column("distance"), column("enhanced_altitude", "altitude"))


def read_tcx(path: Path) -> Recording:
    """A TCX activity (Garmin Training Center XML v2), parsed safely (``defusedxml``)."""
    try:
        from defusedxml import ElementTree
        from defusedxml.common import DefusedXmlException
    except ImportError:
        raise InputError("", EXTRA, "CSV works without it") from None
    try:
        root = ElementTree.parse(str(path)).getroot()
    except DefusedXmlException as err:
        raise InputError("", f"refused: the XML uses {type(err).__name__}",
                         "plain TCX without entities or external references") from None
    except Exception as err:                       # ElementTree.ParseError and friends
        raise InputError("", f"corrupt or truncated XML ({str(err)[:60]})",
                         "a complete .tcx file") from None
    points = root.findall(".//tcd:Trackpoint", _TCX_NS)
    if not points:
        raise InputError("Trackpoint", "missing: the file holds no readings",
                         "a TCX activity with trackpoints")

    def number(p: Any, path: str) -> float:
        text = p.findtext(path, namespaces=_TCX_NS)
        try:
            return float(text) if text is not None and text.strip() else np.nan
        except ValueError:
            raise InputError(path.split(":")[-1], f"{text[:30]!r} is not a number",
                             "a number") from None

    def column(path: str) -> np.ndarray | None:
        x = np.array([number(p, path) for p in points])
        return None if np.isnan(x).all() else x

    times = []
    for p in points:
        text = p.findtext("tcd:Time", namespaces=_TCX_NS)
        if text is None:
            raise InputError("Time", "missing in a trackpoint", "an ISO 8601 time")
        times.append(_seconds(text))
    hr = _require_hr(column("tcd:HeartRateBpm/tcd:Value"))
    speed = column("tcd:Extensions/tpx:TPX/tpx:Speed")
    rec = Recording(str(path), np.array(times), hr, speed)
    laps = []
    for lap in root.findall(".//tcd:Lap", _TCX_NS):
        first = lap.find(".//tcd:Trackpoint/tcd:Time", _TCX_NS)
        start = lap.get("StartTime") or (first.text if first is not None else None)
        if start is not None:
            laps.append((_seconds(start), lap.findtext("tcd:Notes", "", _TCX_NS)))
    rec = with_laps(rec, laps)
    return derive(rec, column("tcd:DistanceMeters"), column("tcd:AltitudeMeters"))


def read_netcdf(path: Path) -> Recording:
    """The FTMS treadmill's log (a retrosim result): the first arm's first subject."""
    ds = open_result(path)
    try:
        missing = [v for v in ("speed", "hr") if v not in ds]
        if missing:
            raise InputError(" and ".join(missing), "missing: not a session log with traces",
                             "a retrosim or FTMS result with speed and hr traces")
        one = ds.isel(arm=0, subject=0) if "subject" in ds.dims else ds.isel(arm=0)

        t = np.asarray(ds["time"].values, dtype=float)
        speed = np.asarray(one["speed"].values, dtype=float)
        keep = np.isfinite(speed)                     # a session shorter than the longest arm

        def trace(name: str) -> np.ndarray | None:
            return np.asarray(one[name].values, dtype=float)[keep] if name in one else None

        return Recording(str(path), t[keep], np.asarray(one["hr"].values, float)[keep],
                         speed[keep], trace("grade"), trace("direction"))
    finally:
        ds.close()


#: The words of a lap's text that say how it was walked, each a whole word, any case.
LAP_WORDS = {"backward": -1.0, "backwards": -1.0, "retro": -1.0, "forward": 1.0,
             "forwards": 1.0}


#: The start of the warning that says the direction came from the laps.
FROM_LAPS = "direction from the laps"


def lap_direction(text: str) -> float | None:
    """The direction a lap's text names (+1 forward, -1 backward), None if it names none or
    both.

    >>> lap_direction("Backward walk, 1.5 mph"), lap_direction("rest"), lap_direction("")
    (-1.0, None, None)
    """
    found = {LAP_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in LAP_WORDS}
    return found.pop() if len(found) == 1 else None


def with_laps(rec: Recording, laps: list[tuple[float, str]]) -> Recording:
    """``rec`` with its direction from ``laps`` (each lap's start [s, the readings' clock]
    and its text) when some lap names one; a reading belongs to the last lap started by its
    time (the first lap's before it)."""
    if not laps:
        return rec
    laps = sorted(laps, key=lambda lap: lap[0])
    said = [lap_direction(text) for _, text in laps]
    if all(d is None for d in said):
        return rec
    per_lap = np.array([1.0 if d is None else d for d in said])
    lap = np.maximum(np.searchsorted([start for start, _ in laps], rec.time_s,
                                     side="right") - 1, 0)
    backward = [str(i + 1) for i, d in enumerate(said) if d is not None and d < 0]
    rec = Recording(**{**rec.__dict__, "direction": per_lap[lap]})
    return rec.warn(f"{FROM_LAPS}: backward in lap {', '.join(backward)}"
                    if backward else f"{FROM_LAPS}: forward")


def derive(rec: Recording, distance_m: np.ndarray | None,
           altitude_m: np.ndarray | None) -> Recording:
    """Speed from distance, grade from altitude (or level), each with a warning."""
    if rec.speed_mps is None and distance_m is not None:
        rec = Recording(**{**rec.__dict__, "speed_mps": _slope(rec.time_s, distance_m,
                                                                 rec.time_s)})
        rec = rec.warn("speed taken from the distance readings")
    if rec.grade_frac is None and rec.speed_mps is not None:
        if altitude_m is not None and distance_m is not None:
            grade = np.clip(_slope(distance_m, altitude_m, rec.time_s), -MAX_DERIVED_GRADE,
                            MAX_DERIVED_GRADE)
            rec = Recording(**{**rec.__dict__, "grade_frac": np.nan_to_num(grade)})
            rec = rec.warn(f"grade taken from altitude over distance ({DERIVE_WINDOW_S:g}-s "
                           "windows)")
        else:
            rec = Recording(**{**rec.__dict__, "grade_frac": np.zeros(rec.time_s.size)})
            rec = rec.warn("no grade in the file: the walk is taken as level")
    return rec


def _slope(x: np.ndarray, y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """dy/dx over a centred window of DERIVE_WINDOW_S, at every reading; NaN where undefined."""
    half = DERIVE_WINDOW_S / 2
    lo = np.searchsorted(t, t - half)
    hi = np.minimum(np.searchsorted(t, t + half, side="right") - 1, t.size - 1)
    dx, dy = x[hi] - x[lo], y[hi] - y[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = dy / dx
    return np.where((dx > 0) & np.isfinite(out), out, np.nan)


def _require_hr(hr: np.ndarray | None) -> np.ndarray:
    if hr is None:
        raise InputError("heart rate", "missing (a recording without a heart-rate sensor)",
                         "a recording with heart rate")
    return hr


def _pct(x: np.ndarray | None) -> np.ndarray | None:
    return None if x is None else x / 100.0


def _seconds(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise InputError("Time", f"{value[:30]!r} is not an ISO 8601 time",
                             "2026-01-31T10:00:00Z") from None
    if value is None:
        raise InputError("timestamp", "missing in a reading", "a time for every reading")
    return float(value)


def _with_profile(rec: Recording, age: Any, gender: Any, weight: Any) -> Recording:
    profile = {}
    if isinstance(age, int | float) and age > 0:
        profile["age_yr"] = float(age)
    if gender in ("female", "male"):
        profile["sex"] = gender
    if isinstance(weight, int | float) and weight > 0:
        profile["mass_kg"] = float(weight)
    return Recording(**{**rec.__dict__, "profile": profile})
