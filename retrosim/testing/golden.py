"""Golden traces: a controlled run recorded to a text file, and compared with tolerances.

A golden file is CSV with a commented header (scenario, seed, units, when it was recorded):
one row per arm, subject and time, one column per variable. It is small, and a change shows
up in a code review as a readable diff. :func:`compare` aligns a new result on the golden
rows and reports, per variable, how many samples differ beyond the tolerance, the largest
difference and where it first appears, with a few rows side by side.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from retrosim.results.io import VARIABLES, write_atomic

#: Variables recorded by default, and their default tolerances (absolute, in their units):
#: those declared with a tolerance, in the order of their ``golden`` tag (the file's columns).
TOLERANCES: dict[str, float] = {
    name: tol for name in VARIABLES.select("golden")
    if (tol := VARIABLES[name].tolerance) is not None}
STEP_S = 5.0                 # default time between recorded samples
_SHOW = 5                    # rows shown per differing variable


def record(ds: xr.Dataset, path: str | Path, variables: list[str] | None = None,
           step_s: float = STEP_S) -> Path:
    """Write ``ds``'s traces every ``step_s`` seconds to ``path`` (atomically)."""
    path = Path(path)
    names = [v for v in (variables or list(TOLERANCES)) if v in ds]
    time = ds.time.values
    keep = np.isclose(np.mod(time + 1e-9, step_s), 0.0, atol=1e-6)
    buf = io.StringIO()
    buf.write(f"# retrosim golden trace: scenario {ds.attrs.get('scenario', '?')}, "
              f"seed {ds.attrs.get('seed', '?')}, retrosim {ds.attrs.get('retrosim_version')}\n")
    for line in str(ds.attrs.get("controllers", "")).splitlines():
        buf.write(f"# controller {line}\n")
    buf.write("# units: " + ", ".join(f"{v} [{ds[v].attrs.get('units', '')}]" for v in names)
              + "\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["arm", "subject", "time", *names])
    values = {v: ds[v].values for v in names}
    for a, arm in enumerate(ds.arm.values):
        for s, subject in enumerate(ds.subject.values):
            for m in np.flatnonzero(keep):
                writer.writerow([arm, int(subject), f"{time[m]:g}",
                                 *(_fmt(values[v][a, s, m]) for v in names)])
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda tmp: Path(tmp).write_text(buf.getvalue(), encoding="utf-8"))


def _fmt(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.6g}"


@dataclass
class GoldenDiff:
    """How a result compares with a golden file; ``str()`` is the readable diff."""

    path: Path
    tolerances: dict[str, float]
    problems: list[str] = field(default_factory=list)     # missing rows or variables
    lines: dict[str, list[str]] = field(default_factory=dict)   # variable -> its diff

    @property
    def ok(self) -> bool:
        return not self.problems and not self.lines

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"matches the golden trace {self.path}"
        head = [f"differs from the golden trace {self.path}:"]
        head += [f"  {p}" for p in self.problems]
        for lines in self.lines.values():
            head += [f"  {line}" for line in lines]
        head.append("  (if the change is intended, record it again: RETROSIM_UPDATE_GOLDEN=1 "
                    "or pytest --retrosim-update-golden, and review the file's diff)")
        return "\n".join(head)


def read(path: str | Path) -> tuple[list[str], dict[str, np.ndarray]]:
    """A golden file's columns: the variable names and every column as an array."""
    rows = [line for line in Path(path).read_text().splitlines() if not line.startswith("#")]
    reader = list(csv.reader(rows))
    header, body = reader[0], reader[1:]
    cols = {name: np.array([r[i] for r in body]) for i, name in enumerate(header)}
    out = {"arm": cols["arm"].astype(str), "subject": cols["subject"].astype(np.int64),
           "time": cols["time"].astype(float)}
    out.update({v: cols[v].astype(float) for v in header[3:]})
    return header[3:], out


def compare(ds: xr.Dataset, path: str | Path,
            tolerances: dict[str, float] | None = None) -> GoldenDiff:
    """Compare ``ds`` with the golden file at ``path``, variable by variable."""
    path = Path(path)
    names, gold = read(path)
    tol = {v: (tolerances or {}).get(v, TOLERANCES.get(v, 0.0)) for v in names}
    diff = GoldenDiff(path, tol)
    arms, subjects = list(map(str, ds.arm.values)), list(map(int, ds.subject.values))
    missing = sorted({a for a in gold["arm"] if a not in arms})
    if missing:
        diff.problems.append(f"arms {missing} are in the golden file but not in the result")
    known = np.isin(gold["arm"], arms) & np.isin(gold["subject"], subjects)
    time = ds.time.values
    m = np.searchsorted(time, gold["time"])
    m_ok = (m < time.size) & np.isclose(time[np.minimum(m, time.size - 1)], gold["time"])
    if not m_ok.all():
        diff.problems.append("the result's time axis lacks some golden times (last golden "
                             f"time {gold['time'].max():g} s, result ends at {time[-1]:g} s)")
    rows = np.flatnonzero(known & m_ok)
    a = np.array([arms.index(x) for x in gold["arm"][rows]], dtype=np.int64)
    s = np.array([subjects.index(x) for x in gold["subject"][rows]], dtype=np.int64)
    for v in names:
        if v not in ds:
            diff.problems.append(f"variable {v!r} is in the golden file but not in the result")
            continue
        now = ds[v].values[a, s, m[rows]]
        old = gold[v][rows]
        delta = now - old
        bad = np.where(np.isnan(old) & np.isnan(now), False,
                       ~(np.abs(np.nan_to_num(delta, nan=np.inf)) <= tol[v]))
        if not bad.any():
            continue
        worst = int(np.argmax(np.where(bad, np.abs(np.nan_to_num(delta, nan=np.inf)), -1)))
        unit = ds[v].attrs.get("units", "")
        first = np.flatnonzero(bad)
        out = [f"{v} [{unit}], tolerance {tol[v]:g}: {first.size} of {bad.size} samples differ; "
               f"largest {delta[worst]:+.4g} at arm {str(gold['arm'][rows][worst])!r}, subject "
               f"{gold['subject'][rows][worst]}, t = {gold['time'][rows][worst]:g} s; first at "
               f"t = {gold['time'][rows][first[0]]:g} s",
               f"    {'arm':<16}{'subject':>8}{'time s':>9}{'golden':>12}{'now':>12}{'diff':>12}"]
        for i in first[:_SHOW]:
            out.append(f"    {gold['arm'][rows][i]:<16}{gold['subject'][rows][i]:>8}"
                       f"{gold['time'][rows][i]:>9g}{old[i]:>12.5g}{now[i]:>12.5g}"
                       f"{delta[i]:>+12.4g}")
        if first.size > _SHOW:
            out.append(f"    ... {first.size - _SHOW} more")
        diff.lines[v] = out
    return diff
