"""Sample recordings for the fit's tests, written at test time by libraries that write them:
FIT by ``fit-tool`` (an encoder independent of the Garmin SDK that reads it), TCX by the
standard library's ElementTree, CSV by ``csv``. The walk is a virtual person's
(``retrosim.fit.recovery``): a run of retrosim with a strap's and a console's errors."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from retrosim.fit import recovery

START_MS = int(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC).timestamp() * 1000)
#: The laps of the recovery's walk (its start [s] and what the lap says): forward, then the
#: backward stages as lap 2, then the rest.
LAPS = ((0.0, "Forward walk"), (660.0, "Backward walk"), (1020.0, "Rest"))


@pytest.fixture(scope="session")
def virtual():
    """Virtual person 5 of seed 0 and the recording of their walk."""
    who = recovery.person(0, 5)
    return who, recovery.recording(0, 5, who)


def write_csv(path: Path, rec, *, speed_column: str = "speed_kmh", header=None) -> Path:
    factor = {"speed_kmh": 3.6, "speed_mps": 1.0, "speed_mph": 1 / 0.44704}[speed_column]
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header or ["time_s", speed_column, "grade_pct", "hr_bpm", "direction"])
        for t, s, g, h, d in zip(rec.time_s, rec.speed_mps, rec.grade_frac, rec.hr_bpm,
                                 rec.direction, strict=True):
            w.writerow([f"{t:g}", f"{s * factor:.4f}", f"{g * 100:.2f}",
                        "" if np.isnan(h) else f"{h:g}", "backward" if d < 0 else "forward"])
    return path


def write_fit(path: Path, rec, *, heart_rate: bool = True, profile=(48, "male", 66.7),
              laps=()) -> Path:
    """A FIT activity written by fit-tool: file id, user profile, one record per reading;
    each of ``laps`` (start [s], text) a workout step named by the text and a lap walked in
    it (the lap's ``wkt_step_index``)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.user_profile_message import UserProfileMessage
    from fit_tool.profile.profile_type import FileType, Gender, Manufacturer

    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.time_created = START_MS
    file_id.serial_number = 0x1234
    builder.add(file_id)
    if profile:
        user = UserProfileMessage()
        user.age, user.weight = profile[0], profile[2]
        user.gender = Gender.MALE if profile[1] == "male" else Gender.FEMALE
        builder.add(user)
    records = []
    for t, s, g, h in zip(rec.time_s, rec.speed_mps, rec.grade_frac, rec.hr_bpm, strict=True):
        m = RecordMessage()
        m.timestamp = START_MS + int(t * 1000)
        m.speed = float(s)
        m.grade = float(g * 100)
        if heart_rate and not np.isnan(h):
            m.heart_rate = int(h)
        if not heart_rate:
            m.power = 150
        records.append(m)
    builder.add_all(records)
    _fit_laps(builder, laps, rec.time_s[-1])
    builder.build().to_file(str(path))
    return path


def _fit_laps(builder, laps, end_s: float) -> None:
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage

    for i, (_start, text) in enumerate(laps):
        step = WorkoutStepMessage()
        step.message_index = i
        step.workout_step_name = text
        builder.add(step)
    ends = [start for start, _ in laps[1:]] + [end_s + 1.0] if laps else []
    for i, ((start, _), end) in enumerate(zip(laps, ends, strict=True)):
        lap = LapMessage()
        lap.message_index = i
        lap.start_time = START_MS + int(start * 1000)
        lap.timestamp = START_MS + int(end * 1000)
        lap.total_elapsed_time = end - start
        lap.workout_step_index = i
        builder.add(lap)


def write_tcx(path: Path, rec, *, speed: bool = True, altitude=None, laps=()) -> Path:
    """A TCX activity (Training Center XML v2) built with ElementTree; ``laps`` (start [s],
    text) split the trackpoints into laps whose ``Notes`` are the text (one lap without)."""
    ns = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    tpx = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
    ET.register_namespace("", ns)
    ET.register_namespace("tpx", tpx)
    root = ET.Element(f"{{{ns}}}TrainingCenterDatabase")
    act = ET.SubElement(ET.SubElement(root, f"{{{ns}}}Activities"), f"{{{ns}}}Activity",
                        Sport="Other")
    start = dt.datetime.fromtimestamp(START_MS / 1000, dt.UTC)
    ET.SubElement(act, f"{{{ns}}}Id").text = start.isoformat().replace("+00:00", "Z")
    starts = [s for s, _ in laps] or [0.0]
    tracks = []
    for lap_start, text in laps or [(0.0, None)]:
        when = (start + dt.timedelta(seconds=lap_start)).isoformat()
        lap = ET.SubElement(act, f"{{{ns}}}Lap", StartTime=when)
        tracks.append(ET.SubElement(lap, f"{{{ns}}}Track"))
        if text is not None:
            ET.SubElement(lap, f"{{{ns}}}Notes").text = text
    distance = np.concatenate([[0.0], np.cumsum(np.diff(rec.time_s) * rec.speed_mps[:-1])])
    for i, (t, s, h) in enumerate(zip(rec.time_s, rec.speed_mps, rec.hr_bpm, strict=True)):
        track = tracks[int(np.searchsorted(starts, t, side="right")) - 1]
        p = ET.SubElement(track, f"{{{ns}}}Trackpoint")
        ET.SubElement(p, f"{{{ns}}}Time").text = (start + dt.timedelta(seconds=float(t))) \
            .isoformat().replace("+00:00", "Z")
        ET.SubElement(p, f"{{{ns}}}DistanceMeters").text = f"{distance[i]:.2f}"
        if altitude is not None:
            ET.SubElement(p, f"{{{ns}}}AltitudeMeters").text = f"{altitude[i]:.2f}"
        if not np.isnan(h):
            hr = ET.SubElement(p, f"{{{ns}}}HeartRateBpm")
            ET.SubElement(hr, f"{{{ns}}}Value").text = f"{int(h)}"
        if speed:
            ext = ET.SubElement(ET.SubElement(p, f"{{{ns}}}Extensions"), f"{{{tpx}}}TPX")
            ET.SubElement(ext, f"{{{tpx}}}Speed").text = f"{s:.4f}"
    ET.ElementTree(root).write(path, xml_declaration=True, encoding="UTF-8")
    return path
