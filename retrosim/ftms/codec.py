"""The Bluetooth Fitness Machine Service (FTMS, 0x1826) bytes a treadmill speaks.

Layouts as the Bluetooth SIG's Fitness Machine Service specification 1.0 gives them
(little-endian, no padding; docs/references.md#bluetooth-ftms):

- Treadmill Data (0x2ACD): flags (uint16), then the fields whose flag is set, in order:
  instantaneous speed (uint16, 0.01 km/h; present when bit 0 is 0), average speed (bit 1,
  uint16, 0.01 km/h), total distance (bit 2, uint24, m), inclination (sint16, 0.1 %) and ramp
  angle (sint16, 0.1 deg) (bit 3), positive and negative elevation gain (bit 4, uint16 each,
  0.1 m), instantaneous pace (bit 5, uint8, 0.1 km/min), average pace (bit 6, uint8, 0.1
  km/min), expended energy (bit 7: total uint16 kcal, per hour uint16 kcal, per minute uint8
  kcal), heart rate (bit 8, uint8, min-1), metabolic equivalent (bit 9, uint8, 0.1), elapsed
  time (bit 10, uint16, s), remaining time (bit 11, uint16, s), force on belt (sint16, N) and
  power output (sint16, W) (bit 12).
- Control Point (0x2AD9): a request is an op code and its parameter; the indication that
  answers it is 0x80, the request's op code and a result code.
- Machine Status (0x2ADA): an op code and its parameter.
- Supported Speed Range (0x2AD4): minimum, maximum, minimum increment (uint16, 0.01 km/h);
  Supported Inclination Range (0x2AD5): minimum, maximum (sint16, 0.1 %), increment (uint16).
- Fitness Machine Feature (0x2ACC): two uint32 bit fields, the machine's features and its
  target-setting features. The bit numbers (:data:`FEATURE_BITS`, :data:`TARGET_BITS`) are
  recalled from the FTMS 1.0 specification, not read in it: unverified.

Values are in physical units (km/h, m, %, deg, kcal, min-1, s, N, W); encoding rounds to the
field's resolution and saturates at its range.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, fields

SERVICE_UUID = 0x1826
TREADMILL_DATA_UUID = 0x2ACD
CONTROL_POINT_UUID = 0x2AD9
MACHINE_STATUS_UUID = 0x2ADA
FEATURE_UUID = 0x2ACC
SPEED_RANGE_UUID = 0x2AD4
INCLINATION_RANGE_UUID = 0x2AD5

# Control Point op codes and result codes
REQUEST_CONTROL, RESET, SET_TARGET_SPEED, SET_TARGET_INCLINATION = 0x00, 0x01, 0x02, 0x03
START_RESUME, STOP_PAUSE, RESPONSE = 0x07, 0x08, 0x80
STOP, PAUSE = 0x01, 0x02                      # the parameter of STOP_PAUSE
SUCCESS, NOT_SUPPORTED, INVALID_PARAMETER, FAILED, CONTROL_NOT_PERMITTED = 1, 2, 3, 4, 5
RESULTS = {SUCCESS: "success", NOT_SUPPORTED: "op code not supported",
           INVALID_PARAMETER: "invalid parameter", FAILED: "operation failed",
           CONTROL_NOT_PERMITTED: "control not permitted"}
#: parameter layout (struct format) of each supported request
REQUEST_FORMATS = {REQUEST_CONTROL: "", RESET: "", SET_TARGET_SPEED: "<H",
                   SET_TARGET_INCLINATION: "<h", START_RESUME: "", STOP_PAUSE: "<B"}

# Machine Status op codes
STATUS_RESET, STATUS_STOPPED_OR_PAUSED, STATUS_SAFETY_KEY, STATUS_STARTED = 0x01, 0x02, 0x03, 0x04
STATUS_TARGET_SPEED, STATUS_TARGET_INCLINATION, STATUS_CONTROL_LOST = 0x05, 0x06, 0xFF
STATUS_FORMATS = {STATUS_RESET: "", STATUS_STOPPED_OR_PAUSED: "<B", STATUS_SAFETY_KEY: "",
                  STATUS_STARTED: "", STATUS_TARGET_SPEED: "<H", STATUS_TARGET_INCLINATION: "<h",
                  STATUS_CONTROL_LOST: ""}
#: the scale of a request's or a status's parameter: physical value * scale = raw integer
_SCALES = {SET_TARGET_SPEED: 100.0, SET_TARGET_INCLINATION: 10.0}
_STATUS_SCALES = {STATUS_TARGET_SPEED: 100.0, STATUS_TARGET_INCLINATION: 10.0}

#: Treadmill Data fields in order: (name, flag bit, struct format, scale to the raw integer).
#: Bit 0 is "more data": the instantaneous speed is present when it is 0.
TREADMILL_FIELDS = (
    ("speed_kmh", 0, "H", 100.0), ("average_speed_kmh", 1, "H", 100.0),
    ("total_distance_m", 2, "U24", 1.0), ("inclination_pct", 3, "h", 10.0),
    ("ramp_angle_deg", 3, "h", 10.0), ("elevation_gain_m", 4, "H", 10.0),
    ("elevation_loss_m", 4, "H", 10.0), ("pace_km_per_min", 5, "B", 10.0),
    ("average_pace_km_per_min", 6, "B", 10.0), ("energy_kcal", 7, "H", 1.0),
    ("energy_per_hour_kcal", 7, "H", 1.0), ("energy_per_minute_kcal", 7, "B", 1.0),
    ("heart_rate_bpm", 8, "B", 1.0), ("met", 9, "B", 10.0), ("elapsed_time_s", 10, "H", 1.0),
    ("remaining_time_s", 11, "H", 1.0), ("force_on_belt_n", 12, "h", 1.0),
    ("power_output_w", 12, "h", 1.0),
)
_RANGES = {"B": (0, 0xFF), "H": (0, 0xFFFF), "h": (-0x8000, 0x7FFF), "U24": (0, 0xFFFFFF)}

#: Fitness Machine Feature bits (unverified: recalled from the FTMS 1.0 specification).
FEATURE_BITS = {"average_speed": 0, "cadence": 1, "total_distance": 2, "inclination": 3,
                "elevation_gain": 4, "pace": 5, "step_count": 6, "resistance_level": 7,
                "stride_count": 8, "expended_energy": 9, "heart_rate": 10,
                "metabolic_equivalent": 11, "elapsed_time": 12, "remaining_time": 13,
                "power_measurement": 14, "force_on_belt_and_power_output": 15,
                "user_data_retention": 16}
TARGET_BITS = {"speed": 0, "inclination": 1, "resistance": 2, "power": 3, "heart_rate": 4}


def _raw(value: float, scale: float, fmt: str) -> int:
    low, high = _RANGES[fmt]
    return int(min(max(round(value * scale), low), high))


@dataclass(frozen=True)
class TreadmillData:
    """One Treadmill Data notification; ``None`` fields are absent (their flag clear).

    Inclination and ramp angle travel together (bit 3), as do the elevation gain and loss
    (bit 4), the three energy fields (bit 7), and force and power (bit 12): a pair with one
    value given sends 0 for the other.

    >>> TreadmillData(speed_kmh=5.0, heart_rate_bpm=120).encode().hex()
    '0001f40178'
    """

    speed_kmh: float | None = None
    average_speed_kmh: float | None = None
    total_distance_m: float | None = None
    inclination_pct: float | None = None
    ramp_angle_deg: float | None = None
    elevation_gain_m: float | None = None
    elevation_loss_m: float | None = None
    pace_km_per_min: float | None = None
    average_pace_km_per_min: float | None = None
    energy_kcal: float | None = None
    energy_per_hour_kcal: float | None = None
    energy_per_minute_kcal: float | None = None
    heart_rate_bpm: float | None = None
    met: float | None = None
    elapsed_time_s: float | None = None
    remaining_time_s: float | None = None
    force_on_belt_n: float | None = None
    power_output_w: float | None = None

    def flags(self) -> int:
        """The flags field: bit 0 set when the speed is absent, other bits when present."""
        bits = 0 if self.speed_kmh is not None else 1
        for name, bit, _, _ in TREADMILL_FIELDS[1:]:
            if getattr(self, name) is not None:
                bits |= 1 << bit
        return bits

    def encode(self) -> bytes:
        flags = self.flags()
        out = bytearray(struct.pack("<H", flags))
        for name, bit, fmt, scale in TREADMILL_FIELDS:
            present = not flags & 1 if bit == 0 else bool(flags >> bit & 1)
            if not present:
                continue
            raw = _raw(getattr(self, name) or 0.0, scale, fmt)
            out += raw.to_bytes(3, "little") if fmt == "U24" else struct.pack("<" + fmt, raw)
        return bytes(out)

    @classmethod
    def decode(cls, data: bytes) -> TreadmillData:
        """Parse a notification; ValueError if it is short or has bytes left over."""
        if len(data) < 2:
            raise ValueError("Treadmill Data needs at least the 2-byte flags")
        flags = struct.unpack_from("<H", data)[0]
        pos, values = 2, {}
        for name, bit, fmt, scale in TREADMILL_FIELDS:
            present = not flags & 1 if bit == 0 else bool(flags >> bit & 1)
            if not present:
                continue
            size = 3 if fmt == "U24" else struct.calcsize(fmt)
            if pos + size > len(data):
                raise ValueError(f"Treadmill Data ends inside {name}")
            chunk = data[pos:pos + size]
            raw = int.from_bytes(chunk, "little") if fmt == "U24" else \
                struct.unpack("<" + fmt, chunk)[0]
            values[name] = raw / scale
            pos += size
        if pos != len(data):
            raise ValueError(f"Treadmill Data has {len(data) - pos} bytes after its last field")
        return cls(**values)


@dataclass(frozen=True)
class ControlRequest:
    """A Control Point request: op code and its parameter in physical units (or None)."""

    op: int
    value: float | None = None

    def encode(self) -> bytes:
        fmt = REQUEST_FORMATS.get(self.op, "")
        if not fmt:
            return bytes([self.op])
        scale = _SCALES.get(self.op, 1.0)
        return bytes([self.op]) + struct.pack(fmt, _raw(self.value or 0.0, scale, fmt[-1]))

    @classmethod
    def decode(cls, data: bytes) -> ControlRequest:
        """Parse a request; ValueError if its parameter has the wrong length (the server
        answers "invalid parameter")."""
        if not data:
            raise ValueError("an empty Control Point write")
        op, param = data[0], data[1:]
        fmt = REQUEST_FORMATS.get(op)
        if fmt is None:
            return cls(op, None)
        size = struct.calcsize(fmt) if fmt else 0
        if len(param) != size:
            raise ValueError(f"op code 0x{op:02X} takes {size} parameter bytes, not "
                             f"{len(param)}")
        if not fmt:
            return cls(op, None)
        return cls(op, struct.unpack(fmt, param)[0] / _SCALES.get(op, 1.0))


def request_control() -> bytes:
    return ControlRequest(REQUEST_CONTROL).encode()


def reset() -> bytes:
    return ControlRequest(RESET).encode()


def set_target_speed(kmh: float) -> bytes:
    """Set Target Speed: 0x02, then the speed (uint16, 0.01 km/h).

    >>> set_target_speed(5.0).hex()
    '02f401'
    """
    return ControlRequest(SET_TARGET_SPEED, kmh).encode()


def set_target_inclination(pct: float) -> bytes:
    """Set Target Inclination: 0x03, then the grade (sint16, 0.1 %).

    >>> set_target_inclination(-1.5).hex()
    '03f1ff'
    """
    return ControlRequest(SET_TARGET_INCLINATION, pct).encode()


def start() -> bytes:
    return ControlRequest(START_RESUME).encode()


def stop() -> bytes:
    return bytes([STOP_PAUSE, STOP])


def pause() -> bytes:
    return bytes([STOP_PAUSE, PAUSE])


def response(op: int, result: int) -> bytes:
    """The indication answering a request: 0x80, the request's op code, the result.

    >>> response(REQUEST_CONTROL, SUCCESS)
    b'\\x80\\x00\\x01'
    """
    return bytes([RESPONSE, op, result])


def answer_empty() -> bytes:
    """The indication answering an empty Control Point write: it has no op code to echo, so
    the request op code field is 0x00 and the result "invalid parameter" (the request is
    malformed); the machine's state does not change.

    >>> answer_empty().hex()
    '800003'
    """
    return response(0x00, INVALID_PARAMETER)


def decode_response(data: bytes) -> tuple[int, int]:
    """(request op code, result code) of an indication; ValueError if it is not one."""
    if len(data) != 3 or data[0] != RESPONSE:
        raise ValueError(f"{data.hex()} is not a Control Point response")
    return data[1], data[2]


@dataclass(frozen=True)
class MachineStatus:
    """A Machine Status notification: op code and its parameter (physical units or None)."""

    op: int
    value: float | None = None

    def encode(self) -> bytes:
        fmt = STATUS_FORMATS.get(self.op, "")
        if not fmt:
            return bytes([self.op])
        raw = _raw(self.value or 0.0, _STATUS_SCALES.get(self.op, 1.0), fmt[-1])
        return bytes([self.op]) + struct.pack(fmt, raw)

    @classmethod
    def decode(cls, data: bytes) -> MachineStatus:
        if not data:
            raise ValueError("an empty Machine Status notification")
        op, param = data[0], data[1:]
        fmt = STATUS_FORMATS.get(op, "")
        size = struct.calcsize(fmt) if fmt else 0
        if len(param) != size:
            raise ValueError(f"status 0x{op:02X} has {len(param)} parameter bytes, not {size}")
        if not fmt:
            return cls(op, None)
        return cls(op, struct.unpack(fmt, param)[0] / _STATUS_SCALES.get(op, 1.0))


@dataclass(frozen=True)
class SupportedRange:
    """A Supported Speed Range (km/h) or Supported Inclination Range (%): minimum, maximum
    and the smallest increment.

    >>> SupportedRange(0.8, 20.0, 0.1).encode_speed().hex()
    '5000d0070a00'
    """

    minimum: float
    maximum: float
    increment: float

    def encode_speed(self) -> bytes:
        return struct.pack("<HHH", *(_raw(v, 100.0, "H") for v in (self.minimum, self.maximum,
                                                                  self.increment)))

    def encode_inclination(self) -> bytes:
        return struct.pack("<hhH", _raw(self.minimum, 10.0, "h"), _raw(self.maximum, 10.0, "h"),
                           _raw(self.increment, 10.0, "H"))

    @classmethod
    def decode_speed(cls, data: bytes) -> SupportedRange:
        return cls(*(v / 100.0 for v in struct.unpack("<HHH", data)))

    @classmethod
    def decode_inclination(cls, data: bytes) -> SupportedRange:
        return cls(*(v / 10.0 for v in struct.unpack("<hhH", data)))


@dataclass(frozen=True)
class Feature:
    """Fitness Machine Feature: the names of the features and target settings supported."""

    features: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()

    def encode(self) -> bytes:
        bits = sum(1 << FEATURE_BITS[f] for f in self.features)
        target_bits = sum(1 << TARGET_BITS[t] for t in self.targets)
        return struct.pack("<II", bits, target_bits)

    @classmethod
    def decode(cls, data: bytes) -> Feature:
        bits, target_bits = struct.unpack("<II", data)
        return cls(frozenset(f for f, b in FEATURE_BITS.items() if bits >> b & 1),
                   frozenset(t for t, b in TARGET_BITS.items() if target_bits >> b & 1))


def field_names() -> list[str]:
    """The Treadmill Data fields, in their order on the air."""
    return [f.name for f in fields(TreadmillData)]
