"""Heart rate: HRmax equations, Swain's %HRR-%VO2R relation, bounds."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrosim.physiology import heart


@pytest.mark.parametrize(("age", "hr_max"), [(20, 194.0), (40, 180.0), (70, 159.0)])
def test_tanaka_2001(age, hr_max):
    assert heart.tanaka_hr_max(age) == pytest.approx(hr_max)


def test_fox_and_tanaka_agree_at_40():
    assert heart.fox_hr_max(40) == heart.tanaka_hr_max(40) == 180.0


def test_swain_1998_relation():
    assert heart.swain_percent_hrr(0.0) == 1.5
    assert heart.swain_percent_hrr(60.0) == pytest.approx(63.3)


def test_steady_state_hr_at_rest_is_resting_hr_and_capped_at_max():
    hr = heart.steady_state_hr(np.array([3.5, 80.0]), 3.5, 35.0, 68.0, 175.0)
    assert hr.tolist() == [68.0, 175.0]


def test_steady_state_hr_worked_example():
    # VO2 19.25 with rest 3.5 and max 35: %VO2R = 50; %HRR = 52.999..., HR = 60 + 0.53 * 120
    hr = heart.steady_state_hr(19.25, 3.5, 35.0, 60.0, 180.0)
    assert hr == pytest.approx(60 + 0.53 * 120)


@given(st.floats(3.5, 60), st.floats(0, 20))
def test_steady_state_hr_never_falls_with_uptake(vo2, extra):
    a = heart.steady_state_hr(vo2, 3.5, 40.0, 70.0, 180.0)
    b = heart.steady_state_hr(vo2 + extra, 3.5, 40.0, 70.0, 180.0)
    assert 70.0 <= a <= b <= 180.0
