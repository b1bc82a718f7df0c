"""A virtual FTMS treadmill: the simulator behind the Fitness Machine Service bytes.

:class:`FtmsTreadmill` is one walker on one treadmill (a scenario's session stepped live,
:meth:`retrosim.Simulation.live`), driven by a client's Control Point writes, with simulated
time moved on by :meth:`FtmsTreadmill.advance`. It behaves as the service
specifies (Bluetooth SIG, Fitness Machine Service 1.0):

- every request but Request Control is refused with "control not permitted" until the
  client has requested control; an op code the machine does not support gets "not
  supported"; a parameter of the wrong length or a target outside the Supported Speed or
  Inclination Range gets "invalid parameter";
- every accepted target raises its Machine Status notification (target speed or inclination
  changed, with the value actually set: the console rounds to its step); start, stop, pause
  and reset raise theirs;
- pulling the safety key is the plant's emergency stop: the belt brakes to rest, Machine
  Status "stopped by the safety key" is sent, and Start (and every target) fails ("operation
  failed") until the key is back and a Reset (op code 0x01) clears the latch.

Retro (backward) walking. FTMS has no direction, so retrosim adds a vendor characteristic,
**Direction** (:data:`DIRECTION_UUID`, read and write, one byte: 0x00 forward, 0x01 backward),
and keeps plain FTMS clients safe:

1. the direction can only change while the belt is stopped or paused, by a client in
   control (a write otherwise gets "control not permitted" or "operation failed"; the
   answer is the one result byte of the Control Point's codes);
2. a change of direction revokes control (Machine Status 0xFF, "control permission lost"):
   a client that does not know about the extension must request control again, and is
   expected to read the ranges again;
3. in backward mode the Supported Speed Range reports the backward cap (the scenario's
   ``[safety] max_backward_speed``, 7.2 km/h by default), and any target above it gets
   "invalid parameter": a plain client that respects the range cannot ask for a forward
   running speed on a backward belt;
4. Treadmill Data keeps its layout: the speed is the belt's speed, unsigned.

What the treadmill sends, flag by flag and field by field, with a worked byte example, is on
the documentation page ``docs/ftms.md``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from retrosim.api import Simulation
from retrosim.controllers.base import Command
from retrosim.errors import InputError
from retrosim.ftms import codec
from retrosim.model.scenario import Scenario, load_scenario
from retrosim.units import MPS_PER_KMH

#: retrosim's vendor characteristic for the belt's direction (not part of FTMS).
DIRECTION_UUID = "7e7a0001-5265-7472-6f73-696d00000001"
FORWARD, BACKWARD = 0x00, 0x01
MIN_SPEED_KMH = 0.8          # typical consoles start at 0.8 km/h (a design default)
INCLINE_STEP_PCT = 0.5       # typical consoles step 0.5 % (a design default)
DEFAULT_WALKER = {
    "name": "ftms-walker", "description": "the default walker of the virtual FTMS treadmill",
    "subject": {"mass_kg": 70.0, "age_yr": 40, "sex": "male"},
    "treadmill": {"speed_step_kmh": 0.1},
    "arms": {"ftms": {"stages": ["walk forward at 3 km/h for 24 h"]}},
}


class FtmsTreadmill:
    """A virtual FTMS treadmill with a simulated walker on it (see the module docstring).

    >>> tm = FtmsTreadmill()
    >>> tm.write_control_point(b"\\x07")              # start before Request Control
    b'\\x80\\x07\\x05'
    >>> tm.write_control_point(b"\\x00")
    b'\\x80\\x00\\x01'
    """

    def __init__(self, scenario: Any = None, arm: str | None = None) -> None:
        if scenario is None:
            scenario = Scenario.from_dict(DEFAULT_WALKER)
        elif not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        self.scenario = scenario
        self.live = Simulation(scenario).live(arm)       # one person, stepped as the client asks
        self.arm = self.live.arm
        self.in_control = False
        self._status: list[bytes] = []

    # -- time and the key --------------------------------------------------------------------
    @property
    def now_s(self) -> float:
        return self.live.now_s

    def advance(self, seconds: float) -> None:
        """Move simulated time on by ``seconds`` (a finite number >= 0; else InputError, a
        ValueError, and nothing changes)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float | np.number) \
                or not math.isfinite(seconds) or seconds < 0:
            raise InputError("advance", f"cannot advance by {seconds!r} s",
                             "a finite number of seconds >= 0")
        longest = self.scenario.limits.max_protocol_h
        now = self.live.now_s
        if now + float(seconds) > longest * 3600.0:
            raise InputError("advance", f"advancing by {float(seconds):,.6g} s would take the "
                             f"session to {(now + float(seconds)) / 3600.0:,.4g} h",
                             f"at most {longest:g} h in all (limits.max_protocol_h)")
        self.live.advance_to(now + float(seconds))

    def pull_safety_key(self) -> None:
        """The walker's tether pulls the key: emergency stop, latched."""
        if self.live.key_in:
            self.live.pull_key()
            self._notify(codec.MachineStatus(codec.STATUS_SAFETY_KEY))

    def insert_safety_key(self) -> None:
        """The key is back in its socket; the latch stays until a Reset."""
        self.live.insert_key()

    def pop_machine_status(self) -> list[bytes]:
        """The Machine Status notifications sent since the last call."""
        out, self._status = self._status, []
        return out

    def _notify(self, status: codec.MachineStatus) -> None:
        self._status.append(status.encode())

    # -- what the client reads ---------------------------------------------------------------
    @property
    def direction(self) -> int:
        return self.live.direction

    def speed_range(self) -> codec.SupportedRange:
        safety = self.scenario.safety
        top = safety.max_backward_speed_mps if self.direction < 0 else safety.max_speed_mps
        step = self.scenario.treadmill.speed_step_mps or 0.01 * MPS_PER_KMH
        return codec.SupportedRange(MIN_SPEED_KMH, round(top / MPS_PER_KMH, 2),
                                    round(step / MPS_PER_KMH, 2))

    def inclination_range(self) -> codec.SupportedRange:
        return codec.SupportedRange(0.0, 100.0 * self.scenario.safety.max_grade_frac,
                                    INCLINE_STEP_PCT)

    def read_speed_range(self) -> bytes:
        return self.speed_range().encode_speed()

    def read_inclination_range(self) -> bytes:
        return self.inclination_range().encode_inclination()

    def read_feature(self) -> bytes:
        return codec.Feature(
            frozenset({"average_speed", "total_distance", "inclination", "expended_energy",
                       "heart_rate", "metabolic_equivalent", "elapsed_time"}),
            frozenset({"speed", "inclination"})).encode()

    def read_direction(self) -> bytes:
        return bytes([BACKWARD if self.direction < 0 else FORWARD])

    def treadmill_data(self) -> codec.TreadmillData:
        """The current Treadmill Data, decoded."""
        live = self.live
        elapsed = live.now_s
        grade = live.grade_frac
        return codec.TreadmillData(
            speed_kmh=abs(live.velocity_mps) / MPS_PER_KMH,
            average_speed_kmh=live.distance_m / elapsed / MPS_PER_KMH if elapsed else 0.0,
            total_distance_m=math.floor(live.distance_m),
            inclination_pct=100.0 * grade, ramp_angle_deg=math.degrees(math.atan(grade)),
            energy_kcal=math.floor(live.energy_kcal),
            energy_per_hour_kcal=live.energy_rate_kcal_per_s * 3600.0,
            energy_per_minute_kcal=live.energy_rate_kcal_per_s * 60.0,
            heart_rate_bpm=live.hr_bpm, met=live.met,
            elapsed_time_s=math.floor(elapsed))

    def read_treadmill_data(self) -> bytes:
        """The current Treadmill Data notification."""
        return self.treadmill_data().encode()

    # -- what the client writes --------------------------------------------------------------
    def write_control_point(self, data: bytes) -> bytes:
        """Handle a Control Point write; returns the indication that answers it.

        Every write is answered, an empty one included: it has no op code, so it is
        answered as a malformed request (:func:`codec.answer_empty`) and changes nothing."""
        if not data:
            return codec.answer_empty()
        op = data[0]
        if op not in codec.REQUEST_FORMATS:
            return codec.response(op, codec.NOT_SUPPORTED)
        if op != codec.REQUEST_CONTROL and not self.in_control:
            return codec.response(op, codec.CONTROL_NOT_PERMITTED)
        try:
            request = codec.ControlRequest.decode(data)
        except ValueError:
            return codec.response(op, codec.INVALID_PARAMETER)
        return codec.response(op, self._handle(request))

    def _handle(self, req: codec.ControlRequest) -> int:
        live, latched = self.live, self.live.latched
        if req.op == codec.REQUEST_CONTROL:
            self.in_control = True
            return codec.SUCCESS
        if req.op == codec.RESET:
            if latched and not (live.key_in and live.velocity_mps == 0.0):
                return codec.FAILED
            live.command(Command(reset=True, stop=True, speed_mps=0.0))
            if latched:
                live.log("manual-reset", "reset by the FTMS client")
            self.in_control = False
            self._notify(codec.MachineStatus(codec.STATUS_RESET))
            return codec.SUCCESS
        if req.op == codec.STOP_PAUSE:
            if req.value not in (codec.STOP, codec.PAUSE):
                return codec.INVALID_PARAMETER
            if not latched:
                live.command(Command(stop=req.value == codec.STOP,
                                     pause=req.value == codec.PAUSE))
            self._notify(codec.MachineStatus(codec.STATUS_STOPPED_OR_PAUSED, req.value))
            return codec.SUCCESS
        if latched or not live.key_in:
            return codec.FAILED                 # nothing moves until the key and a reset
        if req.op == codec.START_RESUME:
            live.command(Command(start=True))
            self._notify(codec.MachineStatus(codec.STATUS_STARTED))
            return codec.SUCCESS
        assert req.value is not None
        if req.op == codec.SET_TARGET_SPEED:
            rng = self.speed_range()
            if not rng.minimum <= req.value <= rng.maximum + 1e-9:
                return codec.INVALID_PARAMETER
            live.command(Command(speed_mps=req.value * MPS_PER_KMH))
            self._notify(codec.MachineStatus(codec.STATUS_TARGET_SPEED,
                                             live.target_speed_mps / MPS_PER_KMH))
            return codec.SUCCESS
        rng = self.inclination_range()                      # SET_TARGET_INCLINATION
        if not rng.minimum <= req.value <= rng.maximum + 1e-9:
            return codec.INVALID_PARAMETER
        pct = round(req.value / INCLINE_STEP_PCT) * INCLINE_STEP_PCT
        live.command(Command(grade_frac=pct / 100.0))
        self._notify(codec.MachineStatus(codec.STATUS_TARGET_INCLINATION, pct))
        return codec.SUCCESS

    def write_direction(self, data: bytes) -> bytes:
        """Write retrosim's Direction characteristic; returns the result byte."""
        if len(data) != 1 or data[0] not in (FORWARD, BACKWARD):
            return bytes([codec.INVALID_PARAMETER])
        if not self.in_control:
            return bytes([codec.CONTROL_NOT_PERMITTED])
        live = self.live
        wanted = -1 if data[0] == BACKWARD else 1
        if wanted == self.direction:
            return bytes([codec.SUCCESS])
        if live.running or live.velocity_mps != 0.0 or live.latched:
            return bytes([codec.FAILED])
        cap = (self.scenario.safety.max_backward_speed_mps if wanted < 0
               else self.scenario.safety.max_speed_mps)
        live.command(Command(direction=wanted, speed_mps=min(live.target_speed_mps, cap)))
        self.in_control = False
        self._notify(codec.MachineStatus(codec.STATUS_CONTROL_LOST))
        return bytes([codec.SUCCESS])

    # -- the session as a result -------------------------------------------------------------
    def dataset(self, trace_step_s: float = 1.0) -> Any:
        """The session so far as a result Dataset, with every variable :func:`retrosim.run`
        gives for the same scenario: the walk as the client drove it, run through the same
        event models (falls, blood pressure, guidance) and assembled the same way
        (:meth:`retrosim.api.live.LiveSession.dataset`, its size checked first)."""
        return self.live.dataset(trace_step_s)

    @property
    def paused(self) -> bool:
        return self.live.paused
