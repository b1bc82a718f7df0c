"""FTMS: every field and op code at the byte level (Bluetooth SIG FTMS 1.0), round trips,
and a scripted client session against the virtual treadmill."""

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrosim.ftms import FtmsTreadmill, codec
from retrosim.ftms.codec import (
    ControlRequest,
    Feature,
    MachineStatus,
    SupportedRange,
    TreadmillData,
)
from retrosim.testing import check

# (field, its flag bit, value, the bytes after the flags): one row per Treadmill Data field
FIELDS = [
    ("average_speed_kmh", 1, 4.56, struct.pack("<H", 456)),
    ("total_distance_m", 2, 70000, (70000).to_bytes(3, "little")),
    ("elevation_gain_m", 4, 12.3, struct.pack("<HH", 123, 0)),
    ("elevation_loss_m", 4, 4.5, struct.pack("<HH", 0, 45)),
    ("pace_km_per_min", 5, 0.1, bytes([1])),
    ("average_pace_km_per_min", 6, 0.2, bytes([2])),
    ("energy_kcal", 7, 300, struct.pack("<HHB", 300, 0, 0)),
    ("energy_per_hour_kcal", 7, 420, struct.pack("<HHB", 0, 420, 0)),
    ("energy_per_minute_kcal", 7, 7, struct.pack("<HHB", 0, 0, 7)),
    ("heart_rate_bpm", 8, 132, bytes([132])),
    ("met", 9, 4.3, bytes([43])),
    ("elapsed_time_s", 10, 600, struct.pack("<H", 600)),
    ("remaining_time_s", 11, 1200, struct.pack("<H", 1200)),
    ("force_on_belt_n", 12, -20, struct.pack("<hh", -20, 0)),
    ("power_output_w", 12, 150, struct.pack("<hh", 0, 150)),
]


@pytest.mark.parametrize("name, bit, value, tail", FIELDS, ids=[f[0] for f in FIELDS])
def test_each_treadmill_data_field_has_its_flag_and_layout(name, bit, value, tail):
    data = TreadmillData(**{name: value}).encode()
    assert data == struct.pack("<H", 1 | 1 << bit) + tail     # bit 0 set: no speed
    assert getattr(TreadmillData.decode(data), name) == pytest.approx(value)


def test_speed_is_present_when_bit_0_is_clear():
    assert TreadmillData(speed_kmh=12.34).encode() == b"\x00\x00" + struct.pack("<H", 1234)
    assert TreadmillData().encode() == b"\x01\x00"


def test_inclination_and_ramp_angle_travel_together_signed():
    data = TreadmillData(inclination_pct=-2.5, ramp_angle_deg=-1.4).encode()
    assert data == struct.pack("<Hhh", 1 | 1 << 3, -25, -14)


def test_fields_follow_in_order_without_padding():
    d = TreadmillData(speed_kmh=5.0, total_distance_m=1000, heart_rate_bpm=120,
                      elapsed_time_s=60)
    flags = 1 << 2 | 1 << 8 | 1 << 10
    assert d.encode() == struct.pack("<HH", flags, 500) + (1000).to_bytes(3, "little") + \
        bytes([120]) + struct.pack("<H", 60)


def test_decoding_rejects_short_or_padded_notifications():
    with pytest.raises(ValueError, match="ends inside"):
        TreadmillData.decode(b"\x00\x00\x01")
    with pytest.raises(ValueError, match="after its last field"):
        TreadmillData.decode(b"\x01\x00\x00")


values = st.builds(
    TreadmillData, speed_kmh=st.none() | st.integers(0, 65535).map(lambda r: r / 100),
    total_distance_m=st.none() | st.integers(0, 2**24 - 1).map(float),
    inclination_pct=st.none() | st.integers(-32768, 32767).map(lambda r: r / 10),
    ramp_angle_deg=st.none() | st.integers(-32768, 32767).map(lambda r: r / 10),
    heart_rate_bpm=st.none() | st.integers(0, 255).map(float),
    met=st.none() | st.integers(0, 255).map(lambda r: r / 10),
    elapsed_time_s=st.none() | st.integers(0, 65535).map(float))


@settings(max_examples=200, deadline=None)
@given(values)
def test_treadmill_data_round_trips(d):
    back = TreadmillData.decode(d.encode())
    assert back.encode() == d.encode()
    for name in ("speed_kmh", "heart_rate_bpm", "met", "elapsed_time_s", "total_distance_m"):
        assert getattr(back, name) == getattr(d, name)


REQUESTS = [
    (codec.request_control(), b"\x00"), (codec.reset(), b"\x01"),
    (codec.set_target_speed(6.4), b"\x02\x80\x02"),
    (codec.set_target_inclination(2.5), b"\x03\x19\x00"),
    (codec.set_target_inclination(-3.0), b"\x03\xe2\xff"),
    (codec.start(), b"\x07"), (codec.stop(), b"\x08\x01"), (codec.pause(), b"\x08\x02"),
]


@pytest.mark.parametrize("encoded, expected", REQUESTS, ids=lambda x: x.hex())
def test_control_point_requests(encoded, expected):
    assert encoded == expected
    assert ControlRequest.decode(expected).encode() == expected


def test_control_point_responses():
    for result in (1, 2, 3, 4, 5):
        assert codec.response(0x02, result) == bytes([0x80, 0x02, result])
        assert codec.decode_response(bytes([0x80, 0x02, result])) == (0x02, result)
    with pytest.raises(ValueError):
        codec.decode_response(b"\x81\x02\x01")


STATUSES = [
    (MachineStatus(0x01), b"\x01"), (MachineStatus(0x02, 1), b"\x02\x01"),
    (MachineStatus(0x02, 2), b"\x02\x02"), (MachineStatus(0x03), b"\x03"),
    (MachineStatus(0x04), b"\x04"), (MachineStatus(0x05, 5.5), b"\x05\x26\x02"),
    (MachineStatus(0x06, -1.0), b"\x06\xf6\xff"), (MachineStatus(0xFF), b"\xff"),
]


@pytest.mark.parametrize("status, expected", STATUSES, ids=lambda x: getattr(x, "hex",
                                                                              str)())
def test_machine_status(status, expected):
    assert status.encode() == expected
    assert MachineStatus.decode(expected) == status


def test_ranges_and_feature_round_trip():
    speed = SupportedRange(0.8, 20.0, 0.1)
    assert speed.encode_speed() == struct.pack("<HHH", 80, 2000, 10)
    assert SupportedRange.decode_speed(speed.encode_speed()) == speed
    incline = SupportedRange(-3.0, 15.0, 0.5)
    assert incline.encode_inclination() == struct.pack("<hhH", -30, 150, 5)
    assert SupportedRange.decode_inclination(incline.encode_inclination()) == incline
    feature = Feature(frozenset({"heart_rate", "inclination"}), frozenset({"speed"}))
    assert len(feature.encode()) == 8 and Feature.decode(feature.encode()) == feature


def statuses(tm):
    return [MachineStatus.decode(b) for b in tm.pop_machine_status()]


def test_a_scripted_client_session():
    """Request control, start, set speed and incline, read data, pull the key, try again."""
    tm = FtmsTreadmill()
    assert tm.write_control_point(codec.start()) == b"\x80\x07\x05"      # not in control
    assert tm.write_control_point(codec.request_control()) == b"\x80\x00\x01"
    assert tm.write_control_point(codec.start()) == b"\x80\x07\x01"
    assert tm.write_control_point(codec.set_target_speed(5.0)) == b"\x80\x02\x01"
    assert tm.write_control_point(codec.set_target_inclination(3.0)) == b"\x80\x03\x01"
    assert statuses(tm) == [MachineStatus(0x04), MachineStatus(0x05, 5.0),
                            MachineStatus(0x06, 3.0)]
    tm.advance(30.0)
    d = TreadmillData.decode(tm.read_treadmill_data())
    assert d.speed_kmh == 5.0 and d.inclination_pct == 3.0 and d.elapsed_time_s == 30.0
    assert 70 < d.heart_rate_bpm < 140 and d.energy_kcal >= 1 and d.total_distance_m > 30
    assert tm.write_control_point(codec.set_target_speed(25.0)) == b"\x80\x02\x03"
    assert tm.write_control_point(b"\x02\x01") == b"\x80\x02\x03"      # a short parameter
    assert tm.write_control_point(b"\x05\x00\x00") == b"\x80\x05\x02"  # target power
    tm.pull_safety_key()
    assert statuses(tm) == [MachineStatus(0x03)]
    tm.advance(5.0)
    assert TreadmillData.decode(tm.read_treadmill_data()).speed_kmh == 0.0
    assert tm.write_control_point(codec.start()) == b"\x80\x07\x04"     # latched
    tm.insert_safety_key()
    assert tm.write_control_point(codec.start()) == b"\x80\x07\x04"     # still: reset first
    tm.advance(60.0)
    assert TreadmillData.decode(tm.read_treadmill_data()).speed_kmh == 0.0
    assert tm.write_control_point(codec.reset()) == b"\x80\x01\x01"
    assert tm.write_control_point(codec.start()) == b"\x80\x07\x05"     # control lost on reset
    assert tm.write_control_point(codec.request_control()) == b"\x80\x00\x01"
    assert tm.write_control_point(codec.start()) == b"\x80\x07\x01"
    tm.advance(30.0)
    assert check(tm.dataset()).ok                   # the person's reset is not a restart


def test_retro_mode_is_a_vendor_characteristic_and_keeps_plain_clients_safe():
    tm = FtmsTreadmill()
    assert tm.write_direction(b"\x01") == bytes([codec.CONTROL_NOT_PERMITTED])
    tm.write_control_point(codec.request_control())
    tm.write_control_point(codec.start())
    assert tm.write_direction(b"\x01") == bytes([codec.FAILED])        # the belt runs
    tm.write_control_point(codec.stop())
    tm.advance(10.0)
    tm.pop_machine_status()
    assert tm.write_direction(b"\x01") == b"\x01" and tm.read_direction() == b"\x01"
    assert statuses(tm) == [MachineStatus(0xFF)]                      # control revoked
    assert tm.write_control_point(codec.set_target_speed(6.0)) == b"\x80\x02\x05"
    tm.write_control_point(codec.request_control())
    rng = SupportedRange.decode_speed(tm.read_speed_range())
    assert rng.maximum == pytest.approx(7.2)                          # the backward cap
    assert tm.write_control_point(codec.set_target_speed(9.0)) == b"\x80\x02\x03"
    assert tm.write_control_point(codec.set_target_speed(3.0)) == b"\x80\x02\x01"
    tm.write_control_point(codec.start())
    tm.advance(60.0)
    assert tm.live.velocity_mps < 0
    assert TreadmillData.decode(tm.read_treadmill_data()).speed_kmh > 2.9
    assert tm.write_direction(b"\x02") == bytes([codec.INVALID_PARAMETER])
