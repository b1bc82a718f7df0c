"""Fit the dose-response constants of a programme model; print how each candidate does.

Run ``python bench/fit_training_dose.py`` for ``dose-response`` (``dose_response.DOSE``) or
``python bench/fit_training_dose.py threshold`` for ``dose-response-threshold``
(``dose_response.THRESHOLD``, the default). For the latter the grid also holds the intensity
floor (0.2-0.3 of the reserve, around the lowest intensity Swain & Franklin 2002 found
effective in the unfit), and the printed rows include the level of DREW's gains, which the
floor was chosen against (so those rows are calibration rows). The constants of
``retrosim.physiology.dose_response`` fitted here are the session scale ``impulse_scale`` (T0),
the ceiling ``ceiling_ml_kg_min`` (H), the fast compartment's ``fast_rate`` and
``fast_tau_days`` and the slow compartment's ``consolidation_rate``; the slow rate without
consolidation and the recent load's 1-day time constant are held at their assumed values. Each
candidate is run through the calibration rows of ``retrosim validate`` that concern VO2max
(whole programmes on the calendar): Murtagh et al. 2015's walking gain (+3.04, 2.48-3.60
mL/kg/min), Hickson et al. 1981's 9-week gain (+23 %) and half-time of the rise (10.3-10.8 d),
and the share of a recent gain left six weeks after stopping (Mujika & Padilla 2001: none). The
candidates are a grid around the defaults; the loss weighs each miss by the row's tolerance. The
published values are the literature's; the held-out validation rows (HERITAGE, Coyle et al.
1984, the shape of DREW's dose-response) are printed but not in the loss. The consolidation rate
is then chosen as the largest that keeps the Mujika & Padilla row within its tolerance, so that
gains at a constant dose keep rising for as long as that allows.

The candidates are set by replacing the fields of the module's default parameters for the
length of one evaluation (the model functions read them as their defaults); this is a fitting
tool only, never library code.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrosim.model import program  # noqa: E402
from retrosim.physiology import dose_response as dr  # noqa: E402
from retrosim.validation.programmes import _fitness_rows  # noqa: E402

GRID = {"ceiling_ml_kg_min": (60.0, 65.0, 70.0), "impulse_scale": (25.0, 30.0),
        "fast_rate": (0.018, 0.02), "fast_tau_days": (13.0, 13.5, 14.0),
        "consolidation_rate": (0.01, 0.011, 0.012)}
THRESHOLD_GRID = {"intensity_floor": (0.2, 0.22, 0.25, 0.3), "impulse_scale": (20.0, 25.0),
                  "fast_rate": (0.02, 0.021, 0.022, 0.024), "fast_tau_days": (15.0, 16.0)}


@contextlib.contextmanager
def candidate(params: dr.DoseParameters = dr.DOSE, **fields: float) -> Iterator[None]:
    old = {k: getattr(params, k) for k in fields}
    for k, v in fields.items():
        object.__setattr__(params, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            object.__setattr__(params, k, v)


def loss(rows: list, floor: bool = True) -> float:
    """Sum of squared misses, each in units of its row's tolerance (1 where it has none); the
    rows of DREW's level only where the model has an intensity floor (``floor``)."""
    fitted = [r for r in rows if r.kind == "calibration"
              and (floor or "intensity floor" not in r.quantity)]
    return sum((r.difference / (r.tolerance or 1.0)) ** 2 for r in fitted)


def main() -> None:
    threshold = sys.argv[1:] == ["threshold"]
    grid, params = (THRESHOLD_GRID, dr.THRESHOLD) if threshold else (GRID, dr.DOSE)
    program.DEFAULT_TRAINING_MODEL = "dose-response-threshold" if threshold else "dose-response"
    results = []
    for values in itertools.product(*grid.values()):
        fields = dict(zip(grid, values, strict=True))
        with candidate(params, **fields):
            rows = _fitness_rows()
        results.append((loss(rows, threshold), fields, [round(r.model, 2) for r in rows]))
        print(f"{results[-1][0]:8.3f} {fields} {results[-1][2]}", flush=True)
    best = min(results, key=lambda r: r[0])
    print("best:", best[1], "rows (Murtagh, Hickson %, half-time, Mujika; held out: HERITAGE,"
          " Coyle 21 d and 84 d, DREW ratios; DREW levels %):", best[2])


if __name__ == "__main__":
    main()
