"""A person's exact peak is the same bits whoever else is in the batch.

:func:`retrosim.solve.relax.exact_peak` searches the falling segments one by one where few
subjects' targets fall, and whole rows of segments where most do; a batch in which everyone's
target falls and the same batch padded with people whose targets never fall take the two
ways, and must agree bit for bit (the closed forms are evaluated element by element either
way).
"""

import numpy as np
import pytest

from retrosim.physiology import oxygen
from retrosim.solve.relax import exact_peak, relax_at_knots


@pytest.mark.parametrize("per_interval_tau", [False, True])
def test_exact_peak_does_not_depend_on_the_batch(per_interval_tau):
    rng = np.random.default_rng(3)
    n, k = 500, 9
    t = np.cumsum(np.r_[0.0, rng.uniform(5.0, 200.0, k - 1)])[:, None]       # shared knots
    step = rng.uniform(5.0, 40.0, (k, n)) * np.where(np.arange(k) % 2, 1.0, -1.0)[:, None]
    u = np.cumsum(step, axis=0) + 100.0             # everyone's rises, then falls
    tau = rng.uniform(20.0, 90.0, n)
    if per_interval_tau:                                      # (K, N): one per interval
        tau = np.broadcast_to(tau, (k, n)) * rng.uniform(0.8, 1.2, (k, n))
        x = np.empty_like(u)
        x[0] = u[0]
        for i in range(k - 1):
            dt = t[i + 1, 0] - t[i, 0]
            x[i + 1] = oxygen.first_order_ramp(x[i], u[i], (u[i + 1] - u[i]) / dt, dt, tau[i])
    else:
        x = relax_at_knots(t, u, u[0], tau)
    flat_u = np.full((k, 3 * n), 80.0)                        # targets that never fall
    flat_x = np.full((k, 3 * n), 80.0)
    flat_tau = np.full(3 * n, 40.0)
    if per_interval_tau:
        flat_tau = np.broadcast_to(flat_tau, (k, 3 * n))
    alone = exact_peak(t, x, u, tau)
    padded = exact_peak(t, np.hstack([x, flat_x]), np.hstack([u, flat_u]),
                        np.concatenate([tau, flat_tau], axis=-1))
    np.testing.assert_array_equal(padded[:n], alone)
    assert (alone > x.max(axis=0)).any()          # some peaks are inside a segment
    # an interior peak is the closed form's maximum: no knot and no sample exceeds it
    s = np.linspace(0.0, 1.0, 201)[:, None]
    for i in range(k - 1):
        dt = t[i + 1, 0] - t[i, 0]
        ti = tau[i] if per_interval_tau else tau
        inside = oxygen.first_order_ramp(x[i], u[i], (u[i + 1] - u[i]) / dt, s * dt, ti)
        assert (inside <= alone + 1e-9).all()
