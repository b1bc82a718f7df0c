"""Rows for recovery after a bout: EPOC by the ``slow`` model (calibration) and by the
``two-component`` and ``intensity-duration`` models (calibration rows from the sources each was
built from, validation rows from sources it was not fitted to).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from retrosim.physiology import epoc, oxygen
from retrosim.validation.table import Row, compare

#: Resting VO2 [mL kg-1 min-1].
_REST = 3.5


def _two_component_ml_kg(intensity: float, minutes: float, vo2max: float, fitness: int,
                         window_h: float = 12.0, female: bool = False,
                         model: Callable[..., tuple[tuple[np.ndarray, np.ndarray], ...]] =
                         epoc.two_component) -> float:
    """EPOC of the ``two-component`` model (or ``model``) over ``window_h`` after a bout at
    this relative intensity [mL kg-1]: the off-kinetics (the VO2 time constant of a
    25-year-old of this fitness) plus the rapid and prolonged components repaid within the
    window."""
    tau = float(oxygen.vo2_time_constant(25.0, fitness))
    total = float(oxygen.epoc(intensity * vo2max, _REST, tau))
    for volume, slow_tau in model(intensity, minutes, female, vo2max):
        total += float(oxygen.epoc_slow_uptake(window_h * 3600.0, volume, slow_tau, tau)[1])
    return total


def epoc_slow_rows() -> list[Row]:
    """The ``slow`` model: Bahr et al. 1987 (size at 70 %, proportional to duration), Smith &
    McNaughton 1993 (duration by intensity)."""
    cost_30 = 28.0 * 30.0                                 # 30 min at 70 % of 40 mL/kg/min
    rows = [compare("oxygen", "Bahr et al. 1987", "EPOC slow / O2 cost of a bout at 70 % "
                    "VO2max (%)", 100.0 * float(oxygen.epoc_slow_volume(cost_30, 0.7)) / cost_30,
                    15.2, tolerance=2.0, unit="%", good=0.005),
            compare("oxygen", "Bahr et al. 1987", "EPOC after 80 min / after 20 min at 70 % "
                    "(in proportion to duration)", float(oxygen.epoc_slow_volume(4 * cost_30, 0.7)
                                                         / oxygen.epoc_slow_volume(cost_30, 0.7)),
                    4.0, tolerance=0.0)]
    d = oxygen.SMITH_MCNAUGHTON_1993_MIN
    for sex, female in (("men", False), ("women", True)):
        for i, minutes in zip(d["intensity"], d[sex], strict=True):
            tau = float(oxygen.epoc_slow_tau_s(i, female))
            rows.append(compare("oxygen", "Smith & McNaughton 1993", f"EPOC duration (min, 3 "
                                f"tau), {sex}, {100 * i:g} % VO2max", 3.0 * tau / 60.0, minutes,
                                tolerance=0.0))
    return [r._replace(kind="calibration") for r in rows]


def epoc_two_component_rows() -> list[Row]:
    """The ``two-component`` model.

    Calibration: Short & Sedlock 1997 at 70 % VO2peak (30 min; untrained 3.5 L in 50 min,
    trained 3.2 L in 40 min, at an assumed 70 kg), Bahr et al. 1987's 12-h EPOC ratios at 70 %
    (40 / 20 min 6.8 / 5.1, 80 / 20 min 14.4 / 5.1). Validation: Short & Sedlock's trial at the
    same absolute uptake (1.5 L/min: untrained 2.4 +/- 0.6 L in 39 +/- 14 min, trained
    1.5 +/- 0.6 L in 21 +/- 9 min), Maresh et al. 1992 (no difference in the hour's EPOC after
    20 or 40 min at 70 %), LaForgia et al. 2006 (EPOC 6-15 % of the net O2 cost after bouts
    that bring a prolonged component).
    """
    d, kg = epoc.SHORT_SEDLOCK_1997, epoc.REFERENCE_MASS_KG
    rows = []
    for name, vo2peak, litres, minutes, fitness in zip(
            ("untrained", "trained"), d["vo2peak"], d["epoc_l"], d["minutes"], (0, 2),
            strict=True):
        model = _two_component_ml_kg(0.7, 30.0, vo2peak, fitness, window_h=1.5) * kg / 1000
        rows.append(compare("oxygen", "Short & Sedlock 1997", f"EPOC after 30 min at 70 % "
                            f"VO2peak (L at 70 kg), {name}", model, litres, tolerance=0.6,
                            unit="L", kind="calibration"))
        tau = float(epoc.rapid_tau_s(0.7, False, vo2peak))
        rows.append(compare("oxygen", "Short & Sedlock 1997", f"EPOC duration at 70 % VO2peak "
                            f"(min, 3 tau of the rapid component), {name} men", 3 * tau / 60,
                            minutes, tolerance=3.0, unit="min", kind="calibration"))
    twenty = _two_component_ml_kg(0.7, 20.0, 40.0, 1)
    for longer, published in ((40.0, 6.8 / 5.1), (80.0, 14.4 / 5.1)):
        rows.append(compare("oxygen", "Bahr et al. 1987", f"12-h EPOC after {longer:g} min / "
                            "after 20 min at 70 % VO2max", _two_component_ml_kg(
                                0.7, longer, 40.0, 1) / twenty, published, tolerance=0.15,
                            kind="calibration"))
    uptake = 1500.0 / kg                                  # 1.5 L/min at 70 kg
    for name, vo2peak, litres, sd, minutes, minutes_sd, fitness in (
            ("untrained", 37.4, 2.4, 0.6, 39.0, 14.0, 0),
            ("trained", 53.3, 1.5, 0.6, 21.0, 9.0, 2)):
        i = uptake / vo2peak
        model = _two_component_ml_kg(i, 30.0, vo2peak, fitness, window_h=1.5) * kg / 1000
        rows.append(compare("oxygen", "Short & Sedlock 1997", f"EPOC after 30 min at 1.5 L/min "
                            f"(L at 70 kg), {name}", model, litres, tolerance=sd, unit="L"))
        tau = float(epoc.rapid_tau_s(i, False, vo2peak))
        rows.append(compare("oxygen", "Short & Sedlock 1997", f"EPOC duration at 1.5 L/min "
                            f"(min, 3 tau), {name} men", 3 * tau / 60, minutes,
                            tolerance=minutes_sd, unit="min"))
    hour = [_two_component_ml_kg(0.7, m, 46.1, 1, window_h=1.0) for m in (20.0, 40.0)]
    rows.append(compare("oxygen", "Maresh et al. 1992", "EPOC in the hour after 40 min / after "
                        "20 min at 70 % VO2max (no difference)", hour[1] / hour[0], 1.0,
                        tolerance=0.25))
    net = (0.7 * 40.0 - _REST) * 80.0
    share = 100.0 * _two_component_ml_kg(0.7, 80.0, 40.0, 1) / net
    rows.append(compare("oxygen", "LaForgia et al. 2006", "12-h EPOC / net O2 cost after "
                        "80 min at 70 % VO2max (%)", share, (6.0, 15.0), tolerance=3.0,
                        unit="%-points"))
    return rows


#: Bahr et al. 1987's 12-h EPOC [L] (mean, SD) after 20, 40 and 80 min at 70 % VO2max.
BAHR_1987_L = {20.0: (5.1, 1.2), 40.0: (6.8, 1.7), 80.0: (14.4, 1.2)}
#: Gore & Withers 1990's 8-h EPOC [L] after 20, 50 and 80 min on a treadmill at 30, 50 and
#: 70 % VO2max (nine trained men), held out of every fit.
GORE_WITHERS_1990_L = {0.30: (1.01, 1.43, 1.04), 0.50: (3.14, 5.19, 6.10),
                       0.70: (5.68, 10.04, 14.59)}


def _linear_ml_kg(intensity: float, minutes: float, vo2max: float, fitness: int,
                  window_h: float) -> float:
    """EPOC of the ``intensity-duration`` model over ``window_h`` [mL kg-1] (as
    :func:`_two_component_ml_kg`)."""
    return _two_component_ml_kg(intensity, minutes, vo2max, fitness, window_h,
                                model=epoc.intensity_duration)


def epoc_intensity_duration_rows() -> list[Row]:
    """The ``intensity-duration`` model.

    Calibration (the least-squares fit of its two volumes): Short & Sedlock 1997 at 70 %
    VO2peak (30 min; untrained 3.5 L in 50 min, trained 3.2 L in 40 min, within those minutes),
    Bahr et al. 1987's 12-h EPOC after 20, 40 and 80 min at 70 % (within one SD), at an
    assumed 70 kg. Validation: Short & Sedlock's trial at 1.5 L/min (within its measured
    minutes), Maresh et al. 1992, LaForgia et al. 2006 (as :func:`epoc_two_component_rows`),
    and Gore & Withers 1990 (held out): the 8-h EPOC after 80 min over that after 20 min at 30,
    50 and 70 % VO2max (trained men, an assumed VO2max of 60), within the relative spread of
    such a ratio in Bahr et al. (their SDs of 6.8 and 5.1 L combined: 34 %).
    """
    d, kg = epoc.SHORT_SEDLOCK_1997, epoc.REFERENCE_MASS_KG
    rows = []
    for name, vo2peak, litres, minutes, fitness in zip(
            ("untrained", "trained"), d["vo2peak"], d["epoc_l"], d["minutes"], (0, 2),
            strict=True):
        model = _linear_ml_kg(0.7, 30.0, vo2peak, fitness, minutes / 60.0) * kg / 1000
        rows.append(compare("oxygen", "Short & Sedlock 1997", f"EPOC within {minutes:g} min "
                            f"after 30 min at 70 % VO2peak (L at 70 kg), {name}, "
                            "intensity-duration", model, litres, tolerance=0.6, unit="L",
                            kind="calibration"))
    for minutes, (litres, sd) in BAHR_1987_L.items():
        model = _linear_ml_kg(0.7, minutes, 40.0, 1, 12.0) * kg / 1000
        rows.append(compare("oxygen", "Bahr et al. 1987", f"12-h EPOC after {minutes:g} min "
                            "at 70 % VO2max (L at 70 kg), intensity-duration", model, litres,
                            tolerance=sd, unit="L", kind="calibration"))
    uptake = 1500.0 / kg                                  # 1.5 L/min at 70 kg
    for name, vo2peak, litres, sd, minutes, fitness in (
            ("untrained", 37.4, 2.4, 0.6, 39.0, 0), ("trained", 53.3, 1.5, 0.6, 21.0, 2)):
        model = _linear_ml_kg(uptake / vo2peak, 30.0, vo2peak, fitness,
                              minutes / 60.0) * kg / 1000
        rows.append(compare("oxygen", "Short & Sedlock 1997", f"EPOC within {minutes:g} min "
                            f"after 30 min at 1.5 L/min (L at 70 kg), {name}, "
                            "intensity-duration", model, litres, tolerance=sd, unit="L"))
    hour = [_linear_ml_kg(0.7, m, 46.1, 1, 1.0) for m in (20.0, 40.0)]
    rows.append(compare("oxygen", "Maresh et al. 1992", "EPOC in the hour after 40 min / after "
                        "20 min at 70 % VO2max (no difference), intensity-duration",
                        hour[1] / hour[0], 1.0, tolerance=0.25))
    net = (0.7 * 40.0 - _REST) * 80.0
    rows.append(compare("oxygen", "LaForgia et al. 2006", "12-h EPOC / net O2 cost after "
                        "80 min at 70 % VO2max (%), intensity-duration",
                        100.0 * _linear_ml_kg(0.7, 80.0, 40.0, 1, 12.0) / net, (6.0, 15.0),
                        tolerance=3.0, unit="%-points"))
    (m40, s40), (m20, s20) = BAHR_1987_L[40.0], BAHR_1987_L[20.0]
    spread = 100.0 * ((s40 / m40) ** 2 + (s20 / m20) ** 2) ** 0.5
    for intensity, (short, _, long) in GORE_WITHERS_1990_L.items():
        ratio = (_linear_ml_kg(intensity, 80.0, 60.0, 2, 8.0)
                 / _linear_ml_kg(intensity, 20.0, 60.0, 2, 8.0))
        rows.append(compare("oxygen", "Gore & Withers 1990", f"8-h EPOC after 80 min / after "
                            f"20 min at {100 * intensity:g} % VO2max, treadmill, "
                            "intensity-duration", ratio, long / short, tolerance=spread,
                            relative=True))
    return rows


def epoc_rows() -> list[Row]:
    """Every EPOC row: the ``slow``, ``two-component`` and ``intensity-duration`` models'."""
    return epoc_slow_rows() + epoc_two_component_rows() + epoc_intensity_duration_rows()

