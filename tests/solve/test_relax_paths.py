"""The state at the knots is the same bits by either way of solving it.

:func:`retrosim.solve.relax.relax_at_knots` finds the parts of the closed form that do not
move with the state for every interval at once when no interval is a jump and there is one
time constant; :func:`~retrosim.solve.relax.relax_interval` steps one interval at a time. On
the same knots, targets and time constants the two must agree bit for bit (the same operations
in the same order, element by element), and :func:`~retrosim.solve.relax.relax_with_tau` must
keep the time constants :func:`~retrosim.solve.relax.interval_tau` chooses.
"""

import numpy as np
import pytest

from retrosim.solve.relax import interval_tau, relax_at_knots, relax_interval, relax_with_tau


def _stepped(t, u, x0, tau_s, tau_off_s=None):
    x = np.empty_like(u)
    x[0] = x0
    for i in range(u.shape[0] - 1):
        x[i + 1] = relax_interval(x[i], u[i], u[i + 1], t[i + 1] - t[i], tau_s, tau_off_s)
    return x


@pytest.mark.parametrize("shared", [True, False])
def test_knots_at_once_match_one_interval_at_a_time(shared):
    rng = np.random.default_rng(11)
    for _ in range(50):
        k, n = int(rng.integers(2, 15)), int(rng.integers(1, 40))
        t = np.sort(rng.uniform(0.0, 3000.0, (k, 1 if shared else n)), axis=0)
        u = rng.uniform(60.0, 180.0, (k, n))          # targets that rise and fall
        x0 = rng.uniform(60.0, 100.0, n)
        on, off = rng.uniform(10.0, 60.0, n), rng.uniform(40.0, 120.0, n)
        assert np.array_equal(relax_at_knots(t, u, x0, on), _stepped(t, u, x0, on))
        assert np.array_equal(relax_at_knots(t, u, 0.0, 42.0), _stepped(t, u, 0.0, 42.0))
        x, tau = relax_with_tau(t, u, x0, on, off)
        stepped = _stepped(t, u, x0, on, off)
        assert np.array_equal(x, stepped)
        assert np.array_equal(tau, interval_tau(stepped, u, on, off))


def test_a_jump_leaves_the_state_where_it_is():
    t = np.array([[0.0], [60.0], [60.0], [120.0]])     # a jump of the target at 60 s
    u = np.array([[70.0], [150.0], [90.0], [90.0]])
    x, tau = relax_with_tau(t, u, 70.0, np.array([30.0]), np.array([80.0]))
    assert x[2, 0] == x[1, 0]
    assert np.array_equal(x, _stepped(t, u, 70.0, np.array([30.0]), np.array([80.0])))
    # x(60 s) = 150 - 40 + 40 exp(-2) = 115.4 (the ramp, 4/3 a second, lags 30 s x 4/3 = 40
    # behind): the intervals from 60 s end at 90, below the state, and take the slower constant
    assert tau[:, 0].tolist() == [30.0, 80.0, 80.0, 30.0]
