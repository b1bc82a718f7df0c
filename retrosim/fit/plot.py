"""The fit's figure: the recorded heart rate against the fitted model, with its bands.

Top: the readings (dots), the model at the MAP (line), the 90 % band of the model over the
posterior (:data:`DRAWS` draws of the traits from the Laplace mixture) and, lighter, the same
band widened by the reading noise (``1.645 x`` the noise sd). Bottom: the walk (speed, grade).
Draws come from the stream ``randomness.key("fit", "band")`` of seed 0: the same figure every
time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrosim import randomness
from retrosim.fit.person import PersonFit
from retrosim.results.io import check_output_path, write_atomic
from retrosim.units import mps_to_mph

DRAWS = 200


def band(fit: PersonFit, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model at the MAP and the 5th and 95th percentiles over the posterior, at ``times``."""
    post = fit.posterior
    n = len(post.parameters)
    z = randomness.normal(0, randomness.key("fit", "band"), np.arange(DRAWS), n)
    u = randomness.uniform(0, randomness.key("fit", "band-mode"), np.arange(DRAWS), 1)[:, 0]
    mode = np.minimum(np.searchsorted(np.cumsum(post.weights), u, side="right"),
                      len(post.weights) - 1)
    curves = []
    for k in range(DRAWS):
        chol = np.linalg.cholesky(post.covs[mode[k]] + 1e-12 * np.eye(n))
        curves.append(fit.predict(post.means[mode[k]] + chol @ z[k], times))
    lo, hi = np.percentile(np.array(curves), [5, 95], axis=0)
    return fit.predict(None, times), lo, hi


def figure(fit: PersonFit):
    """A matplotlib Figure of the record against the fitted model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rec = fit.recording
    t = rec.time_s
    centre, lo, hi = band(fit, t)
    noise = 1.645 * fit.posterior.noise_sd
    fig, (ax, walk) = plt.subplots(2, 1, figsize=(9, 6), sharex=True,
                                   gridspec_kw={"height_ratios": (3, 1)})
    minutes = t / 60.0
    ax.fill_between(minutes, lo - noise, hi + noise, color="tab:red", alpha=0.12,
                    label="90% band with reading noise")
    ax.fill_between(minutes, lo, hi, color="tab:red", alpha=0.3, label="90% band of the model")
    ax.plot(minutes, rec.hr_bpm, ".", ms=2, color="0.3", label="recorded")
    ax.plot(minutes, centre, color="tab:red", lw=1.2, label="fitted model")
    ax.set_ylabel("heart rate [min$^{-1}$]")
    ax.set_title(f"{Path(rec.source).name}: " + ", ".join(
        f"{k} {fit.traits[k].mean:.1f} ± {fit.traits[k].sd:.1f}" for k in fit.informed[:3]),
        fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    if rec.speed_mps is not None:
        walk.plot(minutes, mps_to_mph(rec.speed_mps) * (1 if rec.direction is None
                                                       else np.sign(rec.direction)),
                  color="tab:blue", lw=1)
    walk.set_ylabel("speed [mph]\n(- backward)")
    if rec.grade_frac is not None:
        g = walk.twinx()
        g.plot(minutes, rec.grade_frac * 100, color="tab:green", lw=1)
        g.set_ylabel("grade [%]")
    walk.set_xlabel("time [min]")
    fig.tight_layout()
    return fig


def save_figure(fit: PersonFit, path: str | Path) -> Path:
    """Draw the figure and write it atomically (PNG, SVG or PDF, by suffix)."""
    import matplotlib.pyplot as plt

    out = check_output_path(path, (".png", ".svg", ".pdf"), "a figure file *.png, *.svg, *.pdf")
    fig = figure(fit)
    try:
        return write_atomic(out, lambda tmp: fig.savefig(tmp, format=out.suffix[1:], dpi=120))
    finally:
        plt.close(fig)
