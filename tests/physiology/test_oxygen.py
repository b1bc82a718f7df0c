"""Closed-form oxygen kinetics: exact answers and the published time constants."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad, solve_ivp

from retrosim.physiology import oxygen


def test_one_time_constant_reaches_63_2_percent_of_a_step():
    x = oxygen.first_order_step(3.5, 21.0, 30.0, 30.0)
    assert (x - 3.5) / (21.0 - 3.5) == pytest.approx(1 - np.exp(-1), rel=1e-12)  # 0.632...


def test_ramp_solution_matches_a_numerical_ode_solver():
    x0, u0, slope, tau, t_end = 5.0, 3.5, 0.4, 27.0, 60.0
    sol = solve_ivp(lambda t, x: (u0 + slope * t - x) / tau, (0, t_end), [x0],
                    rtol=1e-11, atol=1e-12)
    exact = oxygen.first_order_ramp(x0, u0, slope, t_end, tau)
    assert exact == pytest.approx(sol.y[0, -1], rel=1e-9)


def test_ramp_with_zero_slope_is_the_step():
    assert oxygen.first_order_ramp(2.0, 9.0, 0.0, 13.0, 21.0) == \
        pytest.approx(oxygen.first_order_step(2.0, 9.0, 13.0, 21.0), rel=1e-15)


def test_deficit_is_repaid_by_the_symmetric_off_transient():
    """Symmetric kinetics: uptake over exercise plus full recovery = demand x duration."""
    rest, steady, tau, duration = 3.5, 21.0, 30.0, 600.0
    during, _ = quad(lambda t: oxygen.first_order_step(rest, steady, t, tau), 0, duration)
    end = oxygen.first_order_step(rest, steady, duration, tau)
    after, _ = quad(lambda t: oxygen.first_order_step(end, rest, t, tau) - rest, 0, 50 * tau)
    net_uptake = (during - rest * duration) + after           # mL kg-1 (min-1 x s)
    assert net_uptake / 60 == pytest.approx((steady - rest) * duration / 60, rel=1e-9)
    deficit = (steady - rest) * duration / 60 - (during - rest * duration) / 60
    assert deficit == pytest.approx(oxygen.oxygen_deficit(rest, steady, tau)
                                    * (1 - np.exp(-duration / tau)), rel=1e-6)
    assert after / 60 == pytest.approx(oxygen.epoc(end, rest, tau), rel=1e-9)


@pytest.mark.parametrize(("fitness", "tau"), [(0, 39.0), (1, 27.0), (2, 15.0)])
def test_george_2018_young_adult_time_constants(fitness, tau):
    assert oxygen.vo2_time_constant(25.0, fitness) == pytest.approx(tau)


def test_older_adults_are_slower_by_the_published_ratio():
    """Young 29-32 s vs 68-y-olds 42-49 s (AJP Regul 2011;301:R218): ratio of midpoints."""
    young, old = oxygen.vo2_time_constant([25.0, 68.0], [1, 1])
    assert old / young == pytest.approx(45.5 / 30.5, rel=1e-12)
    assert 15.0 <= young <= 39.0


def test_time_constants_fall_in_the_published_moderate_range():
    """Every fitness level and adult age stays within 15-60 s (the table's span, older adults
    included); the recreational young adult sits inside 22 +/- 9 s (AJP Regul 2012)."""
    tau = oxygen.vo2_time_constant(np.repeat([18, 30, 50, 70, 90], 3), np.tile([0, 1, 2], 5))
    assert tau.min() >= 15.0 and tau.max() <= 70.0
    assert 22 - 9 <= oxygen.vo2_time_constant(30.0, 1) <= 22 + 9


@given(x0=st.floats(0, 60), u0=st.floats(0, 60), u1=st.floats(0, 60),
       length=st.floats(0.5, 3600), tau=st.floats(5, 90), frac=st.floats(0, 1))
def test_state_stays_between_its_start_and_the_targets(x0, u0, u1, length, tau, frac):
    x = oxygen.first_order_ramp(x0, u0, (u1 - u0) / length, frac * length, tau)
    lo, hi = min(x0, u0, u1), max(x0, u0, u1)
    assert lo - 1e-9 <= x <= hi + 1e-9


def test_wasserman_prediction_is_plausible_for_sedentary_adults():
    vo2max = oxygen.wasserman_vo2max([75.0, 61.0, 80.0], [30.0, 55.0, 70.0],
                                     [False, True, False])
    assert np.all((vo2max > 15) & (vo2max < 50))
    assert vo2max[0] > vo2max[2]          # declines with age
