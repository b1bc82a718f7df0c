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

from retrosim.physiology.hypotension import PEH, PehModel, onset_tau_for_nadir


def peh_shape(since_end_s: ArrayLike, model: PehModel = PEH,
              recovery_s: ArrayLike | None = None, onset_s: ArrayLike | None = None
              ) -> np.ndarray:
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
    recovery_s, onset_s : array_like, optional
        Each person's recovery and onset constants [s] (:func:`recovery_tau`,
        :func:`~retrosim.physiology.hypotension.onset_tau_for_nadir`), broadcast against
        ``since_end_s``; default the model's.

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
    r = model.recovery_tau_s if recovery_s is None else np.asarray(recovery_s, dtype=float)
    o = model.onset_tau_s if onset_s is None else np.asarray(onset_s, dtype=float)
    peak = np.exp(-model.nadir_s / r) - np.exp(-model.nadir_s / o)
    s = np.maximum(t, 0.0)
    return (np.exp(-s / r) - np.exp(-s / o)) / peak


def peh_mean_shape(window_s: float, model: PehModel = PEH,
                   recovery_s: float | None = None) -> float:
    """Mean of :func:`peh_shape` over the ``window_s`` seconds after a bout, exactly.

    The awake ambulatory reductions of Corso et al. 2017 are such means of the drop:
    ``(r (1 - exp(-W/r)) - o (1 - exp(-W/o))) / (shape's peak value x W)``; ``recovery_s``
    is one person's recovery constant (:func:`recovery_tau`; default the model's).

    References
    ----------
    Corso et al. 2017, Med Sci Sports Exerc 49(5S) (awake ambulatory means).

    Examples
    --------
    >>> round(peh_mean_shape(12 * 3600.0), 3)
    0.61
    """
    if recovery_s is None:
        r, o = model.recovery_tau_s, model.onset_tau_s
    else:
        r, o = recovery_s, onset_tau_for_nadir(model.nadir_s, recovery_s)
    peak = np.exp(-model.nadir_s / r) - np.exp(-model.nadir_s / o)
    area = r * (1.0 - np.exp(-window_s / r)) - o * (1.0 - np.exp(-window_s / o))
    return float(area / peak / window_s)


def recovery_tau(age_yr: ArrayLike, sbp_rest: ArrayLike, model: PehModel = PEH) -> np.ndarray:
    """Each person's PEH recovery constant [s]: the model's for everyone (``tail ==
    "fixed"``), or lengthening with age above 40, weighted by resting SBP
    (``"age-pressure"``)::

        tau = tau_40 (1 + k w(SBP) a(age) / 10)
        a = s ln(1 + exp((age - 40) / s))             # years above 40, a smooth corner
        w = 1 / (1 + exp(-(SBP - 135) / 7.5))          # 0.12 at 120, 0.88 at 150 mmHg

    (``s``, 40, 120-150, ``k`` and ``tau_40`` are the model's ``tail_*`` fields). Smooth in
    both, with no clamp: a young normotensive keeps about ``tau_40``, an older hypertensive's
    drop lasts into the next day. Taylor-Tolbert et al. 2000: SBP 6-13 mmHg lower for the
    first 16 h after 45 min at 70 % VO2max in 60-year-old hypertensive men, where the fixed
    constant leaves about 3 mmHg at 16 h; Pescatello et al. 2004 and Carpio-Rivera et al. 2016
    (the drop grows with resting pressure); the age and pressure weights' shapes are
    assumptions (:class:`~retrosim.physiology.hypotension.PehModel`).

    Parameters
    ----------
    age_yr : array_like
        Age [yr].
    sbp_rest : array_like
        Seated resting SBP [mmHg].
    model : PehModel, optional
        The model's constants.

    Returns
    -------
    numpy.ndarray
        The recovery constant [s], broadcast over the inputs.

    References
    ----------
    Taylor-Tolbert NS et al. (2000) Am J Hypertens 13:44; doi:10.1016/S0895-7061(99)00141-7.

    Examples
    --------
    >>> recovery_tau([25, 60], [150, 150]).tolist()
    [38000.0, 38000.0]
    """
    age = np.asarray(age_yr, dtype=float)
    sbp = np.asarray(sbp_rest, dtype=float)
    if model.tail == "fixed":
        return np.full(np.broadcast_shapes(age.shape, sbp.shape), model.recovery_tau_s)
    soft = model.tail_age_soft_yr
    years = soft * np.logaddexp(0.0, (age - model.tail_age_yr) / soft)
    lo, hi = model.tail_sbp_mmhg
    weight = 1.0 / (1.0 + np.exp(-(sbp - 0.5 * (lo + hi)) / (0.25 * (hi - lo))))
    return model.tail_recovery_tau_s * (1.0 + model.tail_per_decade * weight * years / 10.0)
