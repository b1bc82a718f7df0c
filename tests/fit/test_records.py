"""Reading recordings: every format back to the readings written, and bad files refused with
one line naming the file and what is missing."""

from __future__ import annotations

import numpy as np
import pytest

from retrosim.errors import InputError
from retrosim.fit import records
from retrosim.fit.formats import read_recording
from tests.fit.conftest import write_csv, write_fit, write_tcx


def _same_hr(rec, back):
    np.testing.assert_array_equal(np.isnan(back.hr_bpm), np.isnan(rec.hr_bpm))
    ok = ~np.isnan(rec.hr_bpm)
    np.testing.assert_array_equal(back.hr_bpm[ok], rec.hr_bpm[ok])


@pytest.mark.parametrize("column", ["speed_kmh", "speed_mps", "speed_mph"])
def test_csv_reads_back_in_si(tmp_path, virtual, column):
    _, rec = virtual
    back = read_recording(write_csv(tmp_path / "s.csv", rec, speed_column=column))
    np.testing.assert_allclose(back.speed_mps, rec.speed_mps, atol=1e-4)
    np.testing.assert_allclose(back.grade_frac, rec.grade_frac, atol=1e-4)
    np.testing.assert_array_equal(back.direction, rec.direction)
    np.testing.assert_array_equal(back.time_s, rec.time_s)
    _same_hr(rec, back)
    assert back.warnings == ()


def test_fit_file_written_by_fit_tool_reads_back(tmp_path, virtual):
    _, rec = virtual
    back = read_recording(write_fit(tmp_path / "s.fit", rec))
    np.testing.assert_array_equal(back.time_s, rec.time_s)
    np.testing.assert_allclose(back.speed_mps, rec.speed_mps, atol=1e-3)   # FIT: mm/s
    np.testing.assert_allclose(back.grade_frac, rec.grade_frac, atol=1e-4)  # FIT: 0.01 %
    _same_hr(rec, back)
    assert back.profile == {"age_yr": 48.0, "sex": "male", "mass_kg": 66.7}
    assert back.direction is None                 # FIT has no belt direction


def test_tcx_reads_back_with_level_warning(tmp_path, virtual):
    _, rec = virtual
    back = read_recording(write_tcx(tmp_path / "s.tcx", rec))
    np.testing.assert_array_equal(back.time_s, rec.time_s)
    np.testing.assert_allclose(back.speed_mps, rec.speed_mps, atol=1e-4)
    _same_hr(rec, back)
    assert back.grade_frac is not None and not back.grade_frac.any()
    assert any("level" in w for w in back.warnings)


def test_outdoor_tcx_takes_speed_from_distance_and_grade_from_altitude(tmp_path, virtual):
    _, rec = virtual
    distance = np.concatenate([[0.0], np.cumsum(np.diff(rec.time_s) * rec.speed_mps[:-1])])
    altitude = 100.0 + 0.03 * distance                    # a steady 3 % climb
    back = read_recording(write_tcx(tmp_path / "walk.tcx", rec, speed=False,
                                    altitude=altitude))
    window = np.lib.stride_tricks.sliding_window_view(np.pad(rec.speed_mps, 10, mode="edge"), 21)
    steady = np.ptp(window, axis=1) == 0                  # no change within 10 s either side
    middle = steady & (rec.speed_mps > 0.5)
    np.testing.assert_allclose(back.grade_frac[middle], 0.03, atol=1e-3)
    np.testing.assert_allclose(back.speed_mps[middle], rec.speed_mps[middle], atol=0.02)
    assert any("distance" in w for w in back.warnings)
    assert any("altitude" in w for w in back.warnings)


def test_ftms_log_reads_back(tmp_path):
    from retrosim.ftms import FtmsTreadmill
    from retrosim.ftms.treadmill import DEFAULT_WALKER
    from retrosim.model.scenario import Scenario
    from retrosim.results.io import save

    tm = FtmsTreadmill(Scenario.from_dict(DEFAULT_WALKER))
    tm.write_control_point(b"\x00")
    tm.write_control_point(b"\x07")
    tm.advance(300.0)
    ds = tm.dataset()
    back = read_recording(save(ds, tmp_path / "log.nc"))
    one = ds.isel(arm=0, subject=0)
    n = back.time_s.size
    np.testing.assert_array_equal(back.hr_bpm, one["hr"].values[:n])
    np.testing.assert_array_equal(back.speed_mps, one["speed"].values[:n])


# -- bad input -------------------------------------------------------------------------------

def _error(path) -> str:
    with pytest.raises(InputError) as err:
        read_recording(path)
    text = str(err.value)
    assert str(path) in text and "\n" not in text
    return text


def test_truncated_fit_is_refused(tmp_path, virtual):
    path = write_fit(tmp_path / "s.fit", virtual[1])
    path.write_bytes(path.read_bytes()[:-500])
    assert "corrupt or truncated" in _error(path)


def test_a_fit_file_with_a_flipped_byte_is_refused(tmp_path, virtual):
    path = write_fit(tmp_path / "s.fit", virtual[1])
    data = bytearray(path.read_bytes())
    data[400] ^= 0xFF
    path.write_bytes(bytes(data))
    assert "corrupt" in _error(path)


def test_not_a_fit_file(tmp_path):
    path = tmp_path / "s.fit"
    path.write_text("time_s,hr_bpm\n0,70\n")
    assert "not a FIT file" in _error(path)


def test_cycling_file_without_heart_rate(tmp_path, virtual):
    path = write_fit(tmp_path / "ride.fit", virtual[1], heart_rate=False)
    assert "heart rate: missing" in _error(path)


def test_truncated_tcx(tmp_path, virtual):
    path = write_tcx(tmp_path / "s.tcx", virtual[1])
    path.write_bytes(path.read_bytes()[:5000])
    assert "corrupt or truncated XML" in _error(path)


def test_tcx_with_an_entity_is_refused(tmp_path):
    path = tmp_path / "bomb.tcx"
    path.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx">'
                    '<!ENTITY y "&x;&x;&x;&x;">]><TrainingCenterDatabase>&y;'
                    '</TrainingCenterDatabase>')
    assert "refused" in _error(path)


@pytest.mark.parametrize(("header", "expected"), [
    (["time_s", "speed", "grade_pct", "hr_bpm", "direction"], "'speed': does not declare its "
     "unit; allowed: speed_mph | speed_kmh | speed_mps"),
    (["time", "speed_kmh", "grade_pct", "hr_bpm", "direction"], "'time': does not declare"),
    (["time_s", "speed_kmh", "grade_pct", "hr", "direction"], "'hr': does not declare"),
    (["time_s", "speed_kmh", "grade_pct", "heart_rate", "direction"], "'heart_rate': does "
     "not declare its unit; allowed: hr_bpm"),
    (["time_s", "speed_kmh", "grade_pct", "power_w", "direction"], "is not a recording column"),
])
def test_undeclared_units(tmp_path, virtual, header, expected):
    path = write_csv(tmp_path / "s.csv", virtual[1], header=header)
    assert expected in _error(path)


def test_csv_without_heart_rate_column(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("time_s,speed_kmh\n0,3\n1,3\n")
    assert "column hr_bpm: missing" in _error(path)


def test_csv_with_heart_rate_mostly_missing(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("time_s,speed_kmh,hr_bpm\n0,3,\n1,3,\n2,3,90\n")
    assert "only 33% of readings" in _error(path)


def test_csv_text_in_a_number(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("time_s,speed_kmh,hr_bpm\n0,3,90\n1,fast,91\n")
    assert "speed_kmh, row 3: 'fast' is not a number" in _error(path)


def test_recording_longer_than_the_budget(tmp_path):
    path = tmp_path / "s.csv"
    n = int(records.MAX_DURATION_S) + 2
    path.write_text("time_s,speed_kmh,hr_bpm\n" + "".join(f"{i},3,90\n" for i in range(n)))
    assert "longer than the budget" in _error(path)


def test_unknown_suffix(tmp_path):
    path = tmp_path / "s.gpx"
    path.write_text("<gpx/>")
    assert ".gpx is not a recording format" in _error(path)
