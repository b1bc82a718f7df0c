"""Programme models: exact closed forms, and each shared study through a whole programme.

Published values come from the sources named in each test; the programmes are run as the
studies describe them (:mod:`retrosim.validation.programmes`, the same runs as the rows of
``retrosim validate``).
"""

import functools
import math

import numpy as np
import pytest

from retrosim.physiology import training
from retrosim.validation import programmes


@functools.cache
def _all_rows():
    return tuple(programmes.programme_rows())


def rows(source):
    found = [r for r in _all_rows() if r.source == source]
    assert found, source
    return found


# exact closed forms -------------------------------------------------------------------------

def test_practice_fades_by_1_over_e_in_one_time_constant():
    tau = training.TRAINING.practice_fade_tau_days
    assert float(training.practice_fade(100.0, tau)) == pytest.approx(100.0 / math.e)


def test_hickson_half_time_is_the_mean_of_10_3_and_10_8_days():
    assert float(training.hickson_gain_decay(0.2, 10.55)) == pytest.approx(0.1, rel=1e-12)


def test_gaps_compose_exactly():
    one = training.hickson_gain_decay(training.hickson_gain_decay(0.3, 4.0), 9.0)
    assert float(one) == pytest.approx(float(training.hickson_gain_decay(0.3, 13.0)), rel=1e-14)


def test_meredith_fall_holds_a_week_then_decays_with_its_time_constant():
    p = training.TRAINING
    assert training.meredith_decay(1.0, [0.0, p.bp_hold_days]).tolist() == [1.0, 1.0]
    assert float(training.meredith_decay(1.0, p.bp_hold_days + p.bp_loss_tau_days)) == \
        pytest.approx(1.0 / math.e)


def test_meredith_onset_is_most_of_the_way_by_the_third_session():
    a = 0.0
    for _ in range(4):
        a = float(training.meredith_after_session(a))
    assert a == 1.0 - 0.5 ** 4


def test_berg_never_passes_the_ceiling():
    b = training.chen_berg([0.0, 40.0, 55.0, 56.0], 1e9)
    assert np.all(b <= training.BERG_MAX) and b[-1] == 56.0
    assert np.all(np.diff(training.chen_berg(40.0, np.linspace(0, 2000, 50))) > 0)


def test_responsiveness_has_mean_one_and_cv_one_half():
    u = np.random.default_rng(0).standard_exponential((200_000, 8))
    r = training.responsiveness(u)
    assert r.mean() == pytest.approx(1.0, abs=0.01)
    assert r.std() / r.mean() == pytest.approx(0.5, abs=0.01)
    assert r.min() > 0


def test_cornelissen_smart_categories():
    s, d = training.cornelissen_smart_fall([150, 135, 115, 115], [85, 70, 85, 70])
    assert s.tolist() == [8.3, 2.1, 2.1, 0.75] and d.tolist() == [5.2, 1.7, 1.7, 1.1]


def test_kim_kim_shin_2002_resting_hr():
    # 8 weeks of backward walking: VO2max 2111 -> 2521 mL/min, resting HR 72 -> 67 bpm
    assert float(training.kim_hr_rest(72.0, 2521 / 2111 - 1)) == pytest.approx(67.0, abs=0.05)


# published studies through whole programmes -----------------------------------------------

def test_heath_2001_vo2_and_hr_fall_over_four_weeks_of_practice():
    vo2, hr = rows("Heath et al. 2001")
    assert -24.0 <= vo2.model <= -14.0           # published -19 % (2.05 -> 1.66 L/min)
    assert -29.8 <= hr.model <= -17.8            # published -23.8 bpm (142.6 -> 118.8)


def test_hickson_1981_half_time_about_10_days_and_plateau():
    gain, half = rows("Hickson et al. 1981")
    assert 8.3 <= half.model <= 12.8             # published 10.3 and 10.8 days
    assert 18.0 <= gain.model <= 28.0            # published +23 % in 9 weeks


def test_murtagh_2015_walking_gain():
    (row,) = rows("Murtagh et al. 2015")
    assert 2.48 <= row.model <= 3.60             # published +3.04 (2.48-3.60) mL/kg/min


def test_mujika_padilla_2001_gains_lost_within_weeks():
    (row,) = rows("Mujika & Padilla 2001")
    assert row.model < 10.0                      # "lost completely" after more than 4 weeks


def test_cornelissen_smart_2013_by_baseline_category():
    found = rows("Cornelissen & Smart 2013")
    assert len(found) == 6 and all(r.difference == 0.0 for r in found)
    falls = {r.quantity.split(", ")[-1].split()[0] + r.quantity[:3]: r.model for r in found}
    assert falls["hypertensiveSBP"] < falls["prehypertensiveSBP"] < falls["normotensiveSBP"]


def test_meredith_1990_fast_onset_and_loss_within_weeks():
    onset, held, lost = rows("Meredith et al. 1990")
    assert onset.model >= 90.0                   # no further fall after the 4th session
    assert held.model >= 90.0                    # still low 1 week after stopping
    assert lost.model <= 10.0                    # back toward the sedentary level


def test_chen_2020_berg_gain():
    (row,) = rows("Chen et al. 2020")
    assert 2.12 <= row.model <= 5.52             # published +3.82 (2.12-5.52) points


def test_sherrington_2019_rate_of_falls():
    (row,) = rows("Sherrington et al. 2019")
    assert 0.65 <= row.model <= 0.86             # published 0.76 (0.70-0.81)
