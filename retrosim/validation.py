"""Models against the published values they rest on (the ``validate`` command's rows)."""

from __future__ import annotations

from typing import NamedTuple

from retrosim.physiology.compendium import compendium_rows
from retrosim.physiology.energy import CONTINUOUS_PARAMS, ContinuousEnergyParams, continuous_met
from retrosim.units import kmh_to_mps, mph_to_mps, pct_to_frac

#: Kim & Choi 2001, J Korean Acad Rehabil Med 25:474: 20 young men, treadmill 5 km/h, level.
KIM_CHOI_2001 = {"speed_mps": float(kmh_to_mps(5.0)), "forward_vo2": 15.9, "backward_vo2": 23.6}


class ModelError(NamedTuple):
    """One published value against a model (a row of :func:`continuous_model_errors`)."""

    source: str
    condition: str
    published: float
    model: float
    error_pct: float
    tolerance_pct: float


def continuous_model_errors(params: ContinuousEnergyParams = CONTINUOUS_PARAMS
                            ) -> list[ModelError]:
    """Error of :func:`continuous_met` on every published value it is built from or checked on.

    Every Compendium row of both editions at its own condition (gross MET), then the Kim &
    Choi 2001 backward/forward VO2 ratio. Tolerances: 10 % for the 2011 codes and the ratio
    (the fitted data); 15 % for 17180 (the model costs downhill as level, 3.0 MET at 2.5 mph)
    and for the 2024 codes (not fitted: the 2024 edition revised several values upward).

    >>> rows = continuous_model_errors()
    >>> max(abs(r.error_pct) for r in rows if r.source.startswith("Ainsworth")) < 10
    True
    """
    out = []
    for r in compendium_rows():
        model = float(continuous_met(mph_to_mps(r.speed_mph), pct_to_frac(r.grade_pct),
                                     -1.0 if r.direction == "backward" else 1.0, params=params))
        author = "Ainsworth 2011" if r.edition == 2011 else "Herrmann 2024"
        tol = 10.0 if r.edition == 2011 and r.slope != "downhill" else 15.0
        out.append(ModelError(f"{author} {r.code}",
                              f"{r.direction} {r.speed_mph:g} mph, {r.grade_pct:g} %",
                              r.met, model, 100.0 * (model / r.met - 1.0), tol))
    fwd, back = continuous_met(KIM_CHOI_2001["speed_mps"], 0.0, [1.0, -1.0], params=params)
    published = KIM_CHOI_2001["backward_vo2"] / KIM_CHOI_2001["forward_vo2"]
    out.append(ModelError("Kim & Choi 2001", "backward/forward VO2 ratio, 5 km/h, 0 %",
                          published, float(back / fwd), 100.0 * (back / fwd / published - 1.0),
                          10.0))
    return out
