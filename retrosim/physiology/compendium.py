"""The Compendium of Physical Activities' walking codes, as data, and their lookup.

The walking codes of the 2011 edition (Ainsworth BE et al. 2011, Med Sci Sports Exerc
43(8):1575-81; doi:10.1249/MSS.0b013e31821ece12) and the 2024 Adult Compendium (Herrmann SD
et al. 2024, J Sport Health Sci 13:6-12) live in
``retrosim/data/compendium_walking.csv`` (columns explained in ``data/README.md``).
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from retrosim.errors import RetrosimError
from retrosim.units import mph_to_mps, pct_to_frac

_EPS = 1e-9  # tolerance of the band comparisons [m s-1 or fraction]


class CompendiumRow(NamedTuple):
    """One (code, edition) row of ``data/compendium_walking.csv`` (see ``data/README.md``)."""

    code: str
    edition: int
    met: float
    direction: str
    surface: str
    slope: str
    speed_min_mph: float
    speed_max_mph: float
    grade_min_pct: float
    grade_max_pct: float
    speed_mph: float
    grade_pct: float
    description: str


@functools.cache
def compendium_rows() -> tuple[CompendiumRow, ...]:
    """The Compendium walking codes of both editions (Ainsworth 2011; Herrmann 2024).

    >>> {r.code: r.met for r in compendium_rows() if r.edition == 2024}["17475"]
    7.8
    """
    text = (importlib.resources.files("retrosim") / "data" / "compendium_walking.csv").read_text()
    num = [f for f in CompendiumRow._fields if f.endswith(("_mph", "_pct"))]
    rows = []
    for rec in csv.DictReader(text.splitlines()):
        rec.update({k: float(rec[k]) if rec[k] else np.nan for k in num})
        rows.append(CompendiumRow(**{**rec, "edition": int(rec["edition"]),  # type: ignore[arg-type]
                                     "met": float(rec["met"])}))
    return tuple(rows)


@functools.cache
def _compendium_bands(edition: int, treadmill_codes: bool) -> tuple[np.ndarray, ...]:
    rows = [r for r in compendium_rows()
            if r.edition == edition and (treadmill_codes or r.surface == "ground")]
    if not rows:
        raise RetrosimError(f"Compendium edition must be 2011 or 2024, got {edition!r}")
    bands = (np.array([r.met for r in rows]),
             np.array([r.direction == "backward" for r in rows]),
             mph_to_mps([r.speed_min_mph for r in rows]),
             np.array([pct_to_frac(r.grade_min_pct) if r.slope == "uphill" else -np.inf
                       for r in rows]),
             np.array([r.slope == "downhill" for r in rows]))
    for a in bands:
        a.setflags(write=False)
    return bands


def compendium_met(speed_mps: ArrayLike, grade_frac: ArrayLike, direction: ArrayLike, *,
                   edition: int = 2011, treadmill_codes: bool = False) -> np.ndarray:
    """Gross MET of walking, looked up in the Compendium of Physical Activities.

    Rule: among the codes of ``edition`` and of the walker's direction whose lower bounds are
    met, take the highest MET. A code's bounds are its speed band's lower end and, for uphill
    codes, its grade band's lower end; level codes apply at every grade (an uphill code wins
    once its MET is higher), the downhill code 17180 applies at any grade below 0 from 2.5 mph
    (the Compendium gives it no grade). Raising speed or grade only adds codes, so the result
    never decreases with either at grade >= 0. Choices beyond the Compendium: 17151
    "< 2.0 mph" starts at 0 mph; the backward codes name one speed but are the only backward
    entries, so they start at 0 mph and any backward walking gets one; the 2024 hill codes
    17034/17035 (no speed stated) take the 2.9 mph lower bound of the 2011 codes 17210/17211
    they replace. Speed 0 (belt stopped, at rest) is 1.0 MET.

    Parameters
    ----------
    speed_mps, grade_frac, direction : array_like
        Belt speed [m s-1] >= 0; grade [-], 0.05 = 5 %; +1 forward, -1 (any negative) backward.
    edition : int
        2011 or 2024.
    treadmill_codes : bool
        2024 only: let the treadmill codes 17349-17361 and 17475 compete too. The default uses
        the walking codes, as the 2011 headline (17200 for treadmill walking) does.

    Returns
    -------
    numpy.ndarray
        Gross MET [-], the broadcast shape of the inputs.

    References
    ----------
    Ainsworth BE et al. 2011, Med Sci Sports Exerc 43(8):1575-81. Herrmann SD et al. 2024,
    J Sport Health Sci 13:6-12.

    Examples
    --------
    >>> compendium_met(mph_to_mps([3.5, 3.5, 3.5]), [0.0, 0.0, 0.05], [1, -1, -1]).tolist()
    [4.3, 6.0, 8.0]
    """
    v, g, d = np.broadcast_arrays(*(np.asarray(x, dtype=float)[..., None]
                                    for x in (speed_mps, grade_frac, direction)))
    met, backward, speed_min, grade_min, downhill = _compendium_bands(edition, treadmill_codes)
    ok = ((v >= speed_min - _EPS) & (g >= grade_min - _EPS) & (~downhill | (g < 0))
          & ((d < 0) == backward))
    return np.where(v[..., 0] > 0, np.where(ok, met, 1.0).max(axis=-1), 1.0)
