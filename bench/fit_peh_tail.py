"""Fit the age-and-pressure tail of post-exercise hypotension; print the defaults it gives.

Run ``python bench/fit_peh_tail.py``. The "age-pressure" tail
(``retrosim.physiology.peh_course.recovery_tau``) lengthens the recovery constant with age
above 40, weighted by resting SBP. Two constants are chosen here:

- ``tail_per_decade`` so that Taylor-Tolbert et al. 2000's group keeps 6 mmHg of its SBP drop
  16 h after the bout (the low end of "6 to 13 mmHg lower for the first 16 h"): men of 60 yr,
  obese (BMI 30 assumed), stage 1-2 hypertension (145/95 mmHg assumed: the abstract gives no
  resting pressure), 45 min at 70 % VO2max;
- ``tail_recovery_tau_s`` so that Corso et al. 2017's group (41.8 yr, SBP 140.6 mmHg), to
  which the fixed constant was fitted (``bench/fit_peh_time_course.py``), keeps it: 38,000 s.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrosim.physiology import hypotension, peh_course  # noqa: E402

HOUR_S = 3600.0
#: Taylor-Tolbert et al. 2000 (abstract): age, BMI (assumed), resting SBP/DBP (assumed),
#: bout (min, fraction of VO2max), hours the drop lasts, SBP drop left then (low end).
TT_AGE_YR, TT_BMI, TT_REST, TT_BOUT, TT_HOURS, TT_LEFT_MMHG = 60.0, 30.0, (145.0, 95.0), \
    (45.0, 0.70), 16.0, 6.0
#: Corso et al. 2017 (abstract): age and resting SBP of the pooled participants.
CORSO_AGE_YR, CORSO_SBP = 41.8, 140.6
FIXED_TAU_S = hypotension.PEH.recovery_tau_s


def model_for(per_decade: float) -> hypotension.PehModel:
    """The tail with ``per_decade``, its constant at 40 set so Corso's group keeps 38,000 s."""
    base = replace(hypotension.PEH, tail="age-pressure", tail_per_decade=per_decade,
                   tail_recovery_tau_s=1.0)
    unit = float(peh_course.recovery_tau(CORSO_AGE_YR, CORSO_SBP, base))
    return replace(base, tail_recovery_tau_s=FIXED_TAU_S / unit)


def taylor_tolbert_left(model: hypotension.PehModel) -> float:
    """SBP drop [mmHg] left ``TT_HOURS`` after the bout for Taylor-Tolbert's group."""
    person = hypotension.person_factor(False, TT_AGE_YR, TT_BMI, False, model)
    minutes, intensity = TT_BOUT
    drop = hypotension.peh_drop_at_nadir(*TT_REST, intensity * 10.0, minutes * 60.0, person,
                                         model, vo2max_met=10.0)[0]
    tau = peh_course.recovery_tau(TT_AGE_YR, TT_REST[0], model)
    onset = hypotension.onset_tau_for_nadir(model.nadir_s, tau)
    return float(drop * peh_course.peh_shape(TT_HOURS * HOUR_S, model, tau, onset))


def main() -> None:
    fixed = taylor_tolbert_left(hypotension.PEH)
    k = brentq(lambda k: taylor_tolbert_left(model_for(k)) - TT_LEFT_MMHG, 0.0, 2.0,
               xtol=1e-12)
    k = round(k, 3)
    model = model_for(k)
    print(f"fixed constant: {fixed:.2f} mmHg left at {TT_HOURS:g} h (published 6-13)")
    print(f"tail_per_decade = {k}")
    print(f"tail_recovery_tau_s = {model.tail_recovery_tau_s:,.0f}")
    print(f"tail: {taylor_tolbert_left(model):.2f} mmHg left at {TT_HOURS:g} h")
    for age in (25, 40, 50, 60, 70, 80):
        taus = peh_course.recovery_tau(age, np.array([110.0, 120.0, 135.0, 150.0, 170.0]),
                                       model) / HOUR_S
        print(f"  age {age}: tau (h) at SBP 110/120/135/150/170: "
              + " ".join(f"{t:5.1f}" for t in taus))


if __name__ == "__main__":
    main()
