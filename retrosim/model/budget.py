"""Budgets: every size a scenario file can ask for, checked before any work starts.

A small file must not be able to exhaust the machine: a huge cohort, a protocol of days, a grid
of a million arms, a stage string built to make a regular expression backtrack, a TOML file
nested 100,000 deep. Each limit is one line of refusal naming the key and what is allowed.

Limits of the file itself (checked before it is parsed; constants):

- :data:`MAX_FILE_BYTES` bytes of scenario file, :data:`MAX_TOML_DEPTH` levels of nested
  arrays and inline tables, :data:`MAX_STAGE_CHARS` characters in one stage string.

Limits of what it asks for (the ``[limits]`` table of a scenario may set each, within the
range given in :data:`LIMIT_RANGES`; see ``docs/scenario-format.md``):

- ``max_protocol_h``: the length of an arm's protocol [h] (default 48);
- ``max_stages``: stages in one arm (default 1,000);
- ``max_grid_points``: arms after a ``[sweep]`` grid is expanded (default 1,000);
- ``max_trace_points``: trace values of a run with traces, time points x subjects x arms
  (default 50 million, about 5 GB at ten traced variables);
- ``max_work``: the work of a run in stage units, :func:`work_units` (default 1 million,
  a few minutes): every session's stages and controller calls, in every arm, growing with
  the number of people.

Whatever the limits say, a run whose estimated memory exceeds what the machine has free is
refused, pointing to ``retrosim sweep`` (which holds one chunk of people at a time).

>>> toml_depth('a = [[1, 2], {b = [3]}]  # [[[ in a comment')
3
>>> Limits.from_table({"max_stages": 50}).max_stages
50
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, fields
from typing import Any

import psutil

from retrosim.errors import InputError, check_number

MAX_FILE_BYTES = 1_000_000
MAX_TOML_DEPTH = 32
MAX_STAGE_CHARS = 1_000
#: Each ``[limits]`` key: (default, lowest, highest allowed).
LIMIT_RANGES = {
    "max_protocol_h": (48.0, 0.01, 24.0 * 366),
    "max_stages": (1_000, 1, 100_000),
    "max_grid_points": (1_000, 1, 1_000_000),
    "max_trace_points": (50_000_000, 1, 10**12),
    "max_work": (1_000_000, 1, 10**12),
}
#: People whose own share of the cost of a stage equals its fixed cost: a programme session's
#: stage takes about 0.5 ms, plus about 0.3 us per person (measured with retrosim.run on a
#: 4-week, 2-arm, 30-stage programme for 1, 100, 1,000 and 5,000 people: 0.63, 0.48, 0.64 and
#: 2.0 ms per stage and session).
PEOPLE_PER_STAGE = 2_000
#: Bytes a run holds per subject, per arm and per knot of the arm's timeline while it solves
#: (the kinetics, energy, blood pressure and event arrays, float64), and per subject and arm
#: for the summaries. Measured as the growth of the peak resident memory of
#: ``retrosim.run(..., traces=False)`` for 100,000-200,000 people: 1,135 bytes per person and
#: arm for compendium-2011 (12 knots per arm by the estimate below), 2,560 for
#: post-exercise-bp (16), 2,720 for knee-rehab-first-session (about 33); the constants give
#: 1.2-2.4 times those, so an estimate errs on the safe side.
BYTES_PER_KNOT = 100
BYTES_PER_SUBJECT_ARM = 1_500
#: Traced variables of a result, at 8 bytes each per point.
TRACE_BYTES_PER_POINT = 8 * 12


@dataclass(frozen=True)
class Limits:
    """A scenario's ``[limits]``: the budgets of what it asks for (see the module docstring)."""

    max_protocol_h: float = LIMIT_RANGES["max_protocol_h"][0]
    max_stages: int = int(LIMIT_RANGES["max_stages"][0])
    max_grid_points: int = int(LIMIT_RANGES["max_grid_points"][0])
    max_trace_points: int = int(LIMIT_RANGES["max_trace_points"][0])
    max_work: int = int(LIMIT_RANGES["max_work"][0])

    @classmethod
    def from_table(cls, table: Any) -> Limits:
        if not isinstance(table, dict):
            raise InputError("", f"{table!r} is not a table", "[limits] with " +
                             ", ".join(LIMIT_RANGES))
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in LIMIT_RANGES:
                raise InputError(key, "is not a limit", ", ".join(LIMIT_RANGES))
            _, low, high = LIMIT_RANGES[key]
            integer = isinstance(LIMIT_RANGES[key][0], int)
            number = check_number(key, value, low, high, integer=integer)
            values[key] = int(number) if integer else number
        return cls(**values)


LIMIT_KEYS = tuple(f.name for f in fields(Limits))


def toml_depth(text: str) -> int:
    """The deepest nesting of arrays and inline tables in TOML ``text`` (strings and comments
    skipped), in one pass and without parsing: what a recursive parser would recurse into."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if c == '"' and text[j] == "\\":
                    j += 1
                elif len(quote) == 1 and text[j] == "\n":
                    break
                j += 1
            i = j + len(quote)
            continue
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


def read_toml(text: str, source: str) -> dict[str, Any]:
    """Parse a scenario's TOML after checking its size and depth; InputError, one line."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise InputError("", f"is {size:,} bytes, more than a scenario file may be",
                         f"at most {MAX_FILE_BYTES:,} bytes", source=source)
    depth = toml_depth(text)
    if depth > MAX_TOML_DEPTH:
        raise InputError("", f"nests arrays or tables {depth:,} deep",
                         f"at most {MAX_TOML_DEPTH} levels", source=source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError("", f"is not valid TOML: {err}", None, source=source) from None
    except RecursionError:                   # pragma: no cover (the depth check comes first)
        raise InputError("", "nests too deep to be read", f"at most {MAX_TOML_DEPTH} levels",
                         source=source) from None


def check_stage_text(text: str, key: str, examples: str) -> None:
    """Refuse a stage string longer than :data:`MAX_STAGE_CHARS` before any pattern sees it."""
    if len(text) > MAX_STAGE_CHARS:
        raise InputError(key, f"a stage string of {len(text):,} characters",
                         f"at most {MAX_STAGE_CHARS:,} characters, like {examples}")


def check_stage_count(stages: Any, limits: Limits, key: str) -> None:
    """Refuse more stages in one arm than ``limits.max_stages`` (before they are parsed)."""
    if isinstance(stages, list) and len(stages) > limits.max_stages:
        raise InputError(key, f"{len(stages):,} stages", f"at most {limits.max_stages:,} per "
                         "arm (limits.max_stages)")


def check_protocol(duration_s: float, limits: Limits, key: str) -> None:
    """Refuse a protocol longer than ``limits.max_protocol_h``."""
    if duration_s > limits.max_protocol_h * 3600.0:
        raise InputError(key, f"the protocol lasts {duration_s / 3600.0:,.4g} h",
                         f"at most {limits.max_protocol_h:g} h (limits.max_protocol_h)")


def check_grid(points: int, limits: Limits) -> None:
    """Refuse a ``[sweep]`` grid that expands to more arms than ``limits.max_grid_points``."""
    if points > limits.max_grid_points:
        raise InputError("sweep", f"the grid expands to {points:,} arms",
                         f"at most {limits.max_grid_points:,} (limits.max_grid_points)")


def available_memory() -> int:
    """Bytes of memory a new run may still take: the smallest of the memory the machine has
    free (psutil's ``available``, MemAvailable on Linux), the address space left under this
    process's ``RLIMIT_AS``, and what is left under its control group's memory limit
    (cgroup v2 ``memory.max`` or v1 ``memory.limit_in_bytes``, less the group's usage)."""
    free = [int(psutil.virtual_memory().available)]
    left = address_space_left()
    if left is not None:
        free.append(left)
    group = cgroup_memory_left()
    if group is not None:
        free.append(group)
    return max(min(free), 0)


def address_space_left() -> int | None:
    """Bytes of address space left under ``RLIMIT_AS`` (None: no limit, or no such limit)."""
    try:
        import resource
    except ImportError:                           # pragma: no cover (Windows)
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    return int(soft) - int(psutil.Process().memory_info().vms)


def cgroup_memory_left(root: str = "/sys/fs/cgroup", membership: str = "/proc/self/cgroup"
                       ) -> int | None:
    """Bytes left under the memory limit of this process's control group (None: no limit,
    or not Linux). ``root`` and ``membership``: where the groups and this process's list of
    them are (other paths in tests)."""
    try:
        with open(membership, encoding="ascii") as f:
            lines = [line.strip().split(":", 2) for line in f if line.count(":") >= 2]
    except OSError:
        return None
    candidates = []
    for _, controllers, path in lines:
        rel = path.lstrip("/")
        if controllers == "":                                     # v2: the unified tree
            candidates.append((os.path.join(root, rel), "memory.max", "memory.current"))
        elif "memory" in controllers.split(","):                  # v1: the memory tree
            candidates.append((os.path.join(root, "memory", rel), "memory.limit_in_bytes",
                               "memory.usage_in_bytes"))
            candidates.append((os.path.join(root, "memory"), "memory.limit_in_bytes",
                               "memory.usage_in_bytes"))
    lefts = []
    for folder, limit_file, usage_file in candidates:
        limit = _read_number(os.path.join(folder, limit_file))
        if limit is None or limit >= 2**60:                      # "max", or v1's "no limit"
            continue
        usage = _read_number(os.path.join(folder, usage_file)) or 0
        lefts.append(limit - usage)
    return min(lefts) if lefts else None


def _read_number(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def trace_points(durations_s: list[float], step_s: float, subjects: int) -> int:
    """Trace values a run with traces holds: time points x subjects x arms."""
    points = math.floor(max(durations_s) / step_s) + 2
    return points * subjects * len(durations_s)


def estimate_bytes(knots: list[int], durations_s: list[float], subjects: int,
                   step_s: float | None) -> int:
    """A run's memory: every arm's solved knots and summaries, plus its traces if any."""
    solve = sum(subjects * (BYTES_PER_KNOT * k + BYTES_PER_SUBJECT_ARM) for k in knots)
    traces = 0 if step_s is None else \
        TRACE_BYTES_PER_POINT * trace_points(durations_s, step_s, subjects)
    return solve + traces


def check_run(limits: Limits, knots: list[int], durations_s: list[float], subjects: int,
              step_s: float | None, *, memory: int | None = None,
              extra: tuple[int, str] | None = None) -> None:
    """Refuse a run whose traces exceed the limit or whose memory cannot fit, before it
    starts. ``step_s`` None: a run without traces. ``memory``: bytes free (measured).
    ``extra``: bytes held besides the people's sessions, and what holds them (a sweep's trace
    sample and bands)."""
    if step_s is not None:
        points = trace_points(durations_s, step_s, subjects)
        if points > limits.max_trace_points:
            raise InputError("subjects", f"{subjects:,} subjects x {len(durations_s)} arms x "
                             f"{points // (subjects * len(durations_s)):,} time points is "
                             f"{points:,} trace values", f"at most {limits.max_trace_points:,} "
                             "(limits.max_trace_points), a coarser --step, or retrosim sweep")
    need = estimate_bytes(knots, durations_s, subjects, step_s) + (extra[0] if extra else 0)
    free = available_memory() if memory is None else memory
    if need > free and extra:
        raise InputError("subjects", f"{subjects:,} subjects with {extra[1]} need about "
                         f"{_gb(need)} of memory, more than the {_gb(free)} free",
                         "fewer subjects a chunk (--chunk-size) or workers, a smaller --sample, "
                         "a longer --band-step")
    if need > free:
        raise InputError("subjects", f"{subjects:,} subjects need about {_gb(need)} of "
                         f"memory, more than the {_gb(free)} free", "fewer subjects, or "
                         "'retrosim sweep' (it holds one chunk of people at a time)")


def controller_calls(arm: Any) -> int | None:
    """How many times one session of ``arm`` calls its controller (ticks, stage starts and
    fault edges); 0 without a controller, None while its period is unknown (a class not yet
    imported: counted by :func:`check_calls` when the arm starts)."""
    if getattr(arm, "controller", None) is None:
        return 0
    period = arm.controller.known_period()
    if period is None:
        return None
    return calls_of(arm, period)


def calls_of(arm: Any, period_s: float) -> int:
    """The calls of one session of ``arm`` at ``period_s`` [s] (inf: on events only)."""
    ticks = math.ceil(arm.protocol.duration_s / period_s) if math.isfinite(period_s) else 0
    return ticks + len(arm.protocol.stages) + 2 * len(getattr(arm, "faults", ()))


def work_units(sessions: int, stages_and_calls: list[int], subjects: int) -> float:
    """A run's work in stage units: every session's stages and controller calls in every arm,
    times ``1 + subjects / PEOPLE_PER_STAGE`` (the fixed cost of a stage and its cost per
    person, :data:`PEOPLE_PER_STAGE`).

    >>> work_units(1820, [300] * 10, 1)      # 260 weeks x 7 sessions, 10 arms x 300 stages
    5462730.0
    """
    return sessions * sum(stages_and_calls) * (1.0 + subjects / PEOPLE_PER_STAGE)


def check_work(sessions: int, stages_and_calls: list[int], subjects: int, limits: Limits,
               key: str = "limits.max_work") -> None:
    """Refuse a run whose :func:`work_units` exceed ``limits.max_work``."""
    work = work_units(sessions, stages_and_calls, subjects)
    if work > limits.max_work:
        what = f"{sessions:,} sessions x " if sessions > 1 else ""
        raise InputError(key, f"{what}{sum(stages_and_calls):,} stages and controller calls "
                         f"({len(stages_and_calls)} arm{'s' * (len(stages_and_calls) > 1)}) for "
                         f"{subjects:,} {'person' if subjects == 1 else 'people'} is "
                         f"{work:,.0f} units of work",
                         f"at most {limits.max_work:,} (limits.max_work): fewer sessions, "
                         "stages or people, or a longer controller period_s")


def check_calls(arm: Any, period_s: float, scenario: Any, subjects: int) -> None:
    """:func:`check_work` for one controlled arm once its controller's period is known."""
    limits = getattr(scenario, "limits", None) or Limits()
    try:
        check_work(1, [calls_of(arm, period_s)], subjects, limits,
                   f"arms.{arm.name}.controller.period_s")
    except InputError as err:
        raise err.within(source=scenario.source or scenario.name) from None


def check_scenario_run(scenario: Any, subjects: int, trace_step_s: float | None, *,
                       extra: tuple[int, str] | None = None) -> None:
    """:func:`check_run` and :func:`check_work` for a scenario's arms (their stages and
    controllers give the knots), its ``[limits]``; the error names the scenario's file."""
    arms = list(scenario.arms.values())
    durations = [a.protocol.duration_s for a in arms]
    calls = [controller_calls(a) for a in arms]
    # a controlled arm's loop keeps a knot where a command changes the belt, not at every
    # call: one per 5 s is a bound (hr-controller, 3,600 calls an arm, grew the peak
    # resident memory by about 8 kB a person for 3 arms against 0.2 MB estimated)
    knots = [4 * len(a.protocol.stages) + 8 + (int(a.protocol.duration_s) // 5
                                               if a.controller is not None else 0)
             for a in arms]
    program = getattr(scenario, "program", None)
    sessions = len(program.schedule()) if program is not None else 1
    limits = getattr(scenario, "limits", None) or Limits()
    try:
        check_work(sessions, [len(a.protocol.stages) + (c or 0)
                              for a, c in zip(arms, calls, strict=True)], subjects, limits)
        check_run(limits, knots, durations, subjects, trace_step_s, extra=extra)
    except InputError as err:
        raise err.within(source=scenario.source or scenario.name) from None


def _gb(n: int) -> str:
    return f"{n / 1e9:,.1f} GB" if n >= 1e8 else f"{n / 1e6:,.0f} MB"


#: Characters a name or description may not hold: C0 and C1 controls (ESC starts the terminal
#: sequences that set a window title or write the clipboard) and the bidirectional overrides
#: that make text read differently from its bytes. A description may hold line breaks and tabs.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_printable(key: str, value: str, *, multiline: bool = False) -> str:
    """``value`` if it holds no control or bidirectional-override character, else InputError.

    >>> check_printable("name", "knee rehab")
    'knee rehab'
    """
    allowed = "\n\t" if multiline else ""
    for i, c in enumerate(value):
        if c not in allowed and (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in _BIDI):
            raise InputError(key, f"holds the control character {c!r} at position {i}",
                             "printable text" + (" (line breaks and tabs allowed)"
                                                 if multiline else ""))
    return value
