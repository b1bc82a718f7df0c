"""Resting pressure over a programme with its own time course for each pressure: pure models of
how far systolic and diastolic resting pressure have come towards their full fall with
training, and of how the fall is lost on stopping (``dose-response-split-pressure``).

The full fall is the dose-response model's (:func:`retrosim.physiology.dose_response.bp_full_fall`:
smooth in the distance above normal, through Cornelissen & Smart 2013's falls by baseline), and
the session's effect ``h`` is its Banister-weighted effect
(:func:`retrosim.physiology.dose_response.session_effect`; the fall differs little by intensity,
Cornelissen & Smart 2013), so the dose sets how fast the fall is reached, not how large it is.
What differs from ``dose-response-threshold`` is that systolic and diastolic pressure keep
their own share of the fall, each closing its own part ``f h`` of the gap left at each session:

- **Systolic** ``f = 0.8``, the shared rate of the dose-response model, so a 40-min session at
  60-70 % of the reserve closes half the gap: Meredith et al. (1990), the fall significant by the
  3rd session and no further after the 4th; Zeigler et al. (2018), resting SBP lower on day 4
  of daily exercise than on day 1; Kiernan et al. (2024), the systolic post-exercise fall
  stable from week 3.
- **Diastolic** ``f = 0.09``, so that under Kiernan et al. (2024)'s training (40 min at
  moderate to vigorous intensity, 3 a week; a session effect of about 0.85) the diastolic
  fall reaches about nine tenths of its full size by week 10, where Kiernan et al. found the
  diastolic post-exercise fall stabilised (the systolic by week 3).

On stopping, each share holds for a week and then decays with a 7-day time constant (Meredith
et al. 1990: low for 1-2 weeks, then back towards the sedentary level within the month off),
so 3 months after stopping nothing is left (Leitao et al. 2021, held out: 3 months of
detraining reversed the fall after 9 months of training in older hypertensive women).

How sure each number is: the systolic rate and the loss are the dose-response model's,
calibrated to Meredith et al. (1990) (moderate). The diastolic rate is low confidence: Kiernan
et al. (2024) measured the post-exercise fall in 10 hypertensive responders, not resting
pressure, and "stabilised by week 10" is read here as nine tenths of the full fall; Meredith
et al. (1990)'s normotensives reached their whole fall (8/5 mmHg supine) within a month, and
Moreau et al. (2001)'s walkers lowered systolic pressure further from week 12 to 24 with no
diastolic change. The same loss for both pressures is an assumption: no source gave the two
apart.

References
----------
- Kiernan PA, Day CA, Berkowsky RS, et al. (2024). J Cardiovasc Dev Dis 11(2):42.
  doi:10.3390/jcdd11020042
- Zeigler, Votaw, Dreos, et al. (2018). Exerc Med vol. 2 (daily against
  alternate-day exercise; exercmed.org).
- Meredith IT et al. (1990). J Hypertens 8:859-866.
- Cornelissen VA, Smart NA (2013). J Am Heart Assoc 2:e004473. doi:10.1161/JAHA.112.004473
- Leitao L, Marocolo M, de Souza HLR, et al. (2021). Int J Environ Res Public Health
  18(17):9117. doi:10.3390/ijerph18179117
- Moreau KL et al. (2001). Med Sci Sports Exerc 33:1825-1831.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class RestPressureParameters:
    """The time-course constants of resting pressure; each says where it comes from.

    sbp_rate : share of the systolic gap closed by a session of full effect, 0.8 (the
        dose-response model's, calibrated to Meredith et al. 1990; moderate).
    dbp_rate : the same for diastolic pressure, 0.09: under Kiernan et al. (2024)'s 40-min
        sessions, 3 a week (a 57-year-old walking 3.5 mph at 5 %: an effect of about 0.85
        each), nine tenths of the full fall by week 10 (low confidence: a post-exercise fall
        in 10 people, read as resting pressure; "stabilised" read as nine tenths).
    hold_days, loss_tau_days : after the last session the fall holds 7 d, then decays with a
        7-d time constant, both pressures (Meredith et al. 1990; the same course for both is
        an assumption).
    """

    sbp_rate: float = 0.8
    dbp_rate: float = 0.09
    hold_days: float = 7.0
    loss_tau_days: float = 7.0


SPLIT = RestPressureParameters()


def shares_after_session(sbp_share: ArrayLike, dbp_share: ArrayLike, effect: ArrayLike,
                         params: RestPressureParameters = SPLIT
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The (systolic, diastolic) shares of the full fall just after a session of effect ``h``:
    each ``A + f h (1 - A)`` with its own rate ``f``.

    >>> [x.round(3).tolist() for x in shares_after_session(0.0, 0.0, [0.625, 1.0])]
    [[0.5, 0.8], [0.056, 0.09]]
    """
    h = np.asarray(effect, dtype=float)
    s = np.asarray(sbp_share, dtype=float)
    d = np.asarray(dbp_share, dtype=float)
    return s + params.sbp_rate * h * (1.0 - s), d + params.dbp_rate * h * (1.0 - d)


def share_decay(share: ArrayLike, days: ArrayLike, params: RestPressureParameters = SPLIT
                ) -> np.ndarray:
    """A share of the fall ``days`` after the last session: held a week, then
    ``exp(-(days - 7) / 7)``.

    >>> share_decay(1.0, [3.0, 14.0, 84.0]).round(4).tolist()
    [1.0, 0.3679, 0.0]
    """
    late = np.maximum(np.asarray(days, dtype=float) - params.hold_days, 0.0)
    return np.asarray(share, dtype=float) * np.exp(-late / params.loss_tau_days)
