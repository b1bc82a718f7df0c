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

import dataclasses
from dataclasses import dataclass

from retrosim.physiology import dose_response as dr


@dataclass(frozen=True)
class RestPressureParameters:
    """What differs from the dose-response constants; each says where it comes from.

    dbp_rate : share of the diastolic gap closed by a session of full effect, 0.09: under
        Kiernan et al. (2024)'s 40-min sessions, 3 a week (a 57-year-old walking 3.5 mph at
        5 %: an effect of about 0.85 each), nine tenths of the full fall by week 10 (low
        confidence: a post-exercise fall in 10 people, read as resting pressure; "stabilised"
        read as nine tenths).

    The systolic rate and the loss on stopping are the dose-response model's own
    (:class:`retrosim.physiology.dose_response.DoseParameters` ``bp_rate``, ``bp_hold_days``,
    ``bp_loss_tau_days``: 0.8, 7 d and 7 d, Meredith et al. 1990); the same loss for both
    pressures is an assumption.
    """

    dbp_rate: float = 0.09


SPLIT = RestPressureParameters()


def diastolic(params: dr.DoseParameters, pressure: RestPressureParameters = SPLIT
              ) -> dr.DoseParameters:
    """The dose-response constants ``params`` with the diastolic rate of ``pressure``: what
    :func:`~retrosim.physiology.dose_response.bp_after_session` and
    :func:`~retrosim.physiology.dose_response.bp_decay` take for the diastolic share.

    >>> float(dr.bp_after_session(0.0, 1.0, diastolic(dr.THRESHOLD)))
    0.09
    """
    return dataclasses.replace(params, bp_rate=pressure.dbp_rate)
