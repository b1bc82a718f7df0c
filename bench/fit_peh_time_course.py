"""Fit the recovery time constant of post-exercise hypotension; print the defaults it gives.

Run ``python bench/fit_peh_time_course.py``. The PEH time course in
``retrosim.physiology.hypotension`` is a difference of two exponentials with its nadir at
15 min (MacDonald et al. 2000). Its recovery time constant is chosen here so that, for the
hypertensive group after a bout of 6-9 MET, the mean drop over the awake hours equals Corso et
al. 2017's awake ambulatory reductions (-11.4 mmHg SBP, -5.6 mmHg DBP), given the nadir drops
of Kenney & Seals 1993 (19 / 9 mmHg). One time constant serves both pressures: it minimises the
sum of their squared relative errors. The awake window, 12 h after the bout, is an assumption.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from scipy.optimize import brentq, minimize_scalar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrosim.physiology import hypotension, peh_course  # noqa: E402

AWAKE_WINDOW_S = 12 * 3600.0
CORSO_AWAKE_MMHG = (11.4, 5.6)         # SBP, DBP reductions after 6-9 MET (Corso et al. 2017)


def model_for(recovery_tau_s: float) -> hypotension.PehModel:
    return replace(hypotension.PEH, recovery_tau_s=recovery_tau_s)


def awake_means(recovery_tau_s: float) -> tuple[float, float]:
    model = model_for(recovery_tau_s)
    mean = peh_course.peh_mean_shape(AWAKE_WINDOW_S, model)
    sbp, dbp = model.hypertensive_drop_mmhg
    return sbp * mean, dbp * mean


def loss(recovery_tau_s: float) -> float:
    return sum(((m - c) / c) ** 2 for m, c in zip(awake_means(recovery_tau_s), CORSO_AWAKE_MMHG,
                                                   strict=True))


def main() -> int:
    best = minimize_scalar(loss, bounds=(3600.0, 48 * 3600.0), method="bounded",
                           options={"xatol": 1.0})
    tau = round(best.x, -3)                       # a round number of seconds
    model = model_for(tau)
    sbp, dbp = awake_means(tau)
    print(f"recovery_tau_s = {tau:,.0f} (optimum {best.x:,.0f} s, {tau / 3600:.1f} h)")
    print(f"onset_tau_s    = {model.onset_tau_s:.1f} (nadir at {model.nadir_s:g} s)")
    print(f"awake mean over {AWAKE_WINDOW_S / 3600:g} h: SBP -{sbp:.2f} (Corso -11.4), "
          f"DBP -{dbp:.2f} (Corso -5.6)")
    for hours in (5 / 60, 2, 4, 13, 22, 24):
        print(f"  shape at {hours:5.2f} h: {float(peh_course.peh_shape(hours * 3600, model)):.3f}")
    root = brentq(lambda t: float(peh_course.peh_shape(t, model)) - 0.5, 900.0, 86_400.0)
    print(f"half the nadir drop remains at {root / 3600:.1f} h")
    return 0


if __name__ == "__main__":
    sys.exit(main())
