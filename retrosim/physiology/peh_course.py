"""The time course of post-exercise hypotension: 0 at the end of a bout, 1 at the nadir.

    shape(t) = (exp(-t / tau_r) - exp(-t / tau_o)) / (same at the nadir)

(the difference of two exponentials: an onset tau_o of minutes, a recovery tau_r of hours;
the constants are those of a :class:`~retrosim.physiology.hypotension.PehModel`). Everything
is a closed-form function of the time since the bout ended, so a day of rest costs no more to
simulate than a minute. How far pressure falls at the nadir is
:mod:`retrosim.physiology.hypotension`'s.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology.hypotension import PEH, PehModel


def peh_shape(since_end_s: ArrayLike, model: PehModel = PEH) -> np.ndarray:
    """Time course of PEH: 0 at the end of the bout and before it, 1 at the nadir.

    ``shape(t) = (exp(-t/tau_r) - exp(-t/tau_o)) / (exp(-T/tau_r) - exp(-T/tau_o))`` for
    ``t >= 0``, with ``T`` the time of the nadir (15 min). The peak of this curve is at ``T``
    when ``tau_o`` = :func:`onset_tau_for_nadir` ``(T, tau_r)``.

    Parameters
    ----------
    since_end_s : array_like
        Time since the bout ended [s].
    model : PehModel, optional
        The model's constants.

    References
    ----------
    MacDonald et al. 2000 (below baseline by 5 min, nadir about 15 min); Kenney & Seals 1993,
    Pescatello et al. 2004, Corso et al. 2017 for the recovery (:class:`PehModel`).

    Examples
    --------
    >>> peh_shape([-60.0, 0.0, 300.0, 900.0, 86_400.0]).round(3).tolist()
    [0.0, 0.0, 0.854, 1.0, 0.106]
    """
    t = np.asarray(since_end_s, dtype=float)
    r, o = model.recovery_tau_s, model.onset_tau_s
    peak = np.exp(-model.nadir_s / r) - np.exp(-model.nadir_s / o)
    s = np.maximum(t, 0.0)
    return (np.exp(-s / r) - np.exp(-s / o)) / peak


def peh_mean_shape(window_s: float, model: PehModel = PEH) -> float:
    """Mean of :func:`peh_shape` over the ``window_s`` seconds after a bout, exactly.

    The awake ambulatory reductions of Corso et al. 2017 are such means of the drop:
    ``(r (1 - exp(-W/r)) - o (1 - exp(-W/o))) / (shape's peak value x W)``.

    References
    ----------
    Corso et al. 2017, Med Sci Sports Exerc 49(5S) (awake ambulatory means).

    Examples
    --------
    >>> round(peh_mean_shape(12 * 3600.0), 3)
    0.61
    """
    r, o = model.recovery_tau_s, model.onset_tau_s
    peak = np.exp(-model.nadir_s / r) - np.exp(-model.nadir_s / o)
    area = r * (1.0 - np.exp(-window_s / r)) - o * (1.0 - np.exp(-window_s / o))
    return float(area / peak / window_s)
