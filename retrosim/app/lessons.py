"""The teaching view's curves, from the model functions of :mod:`retrosim.physiology`.

Each function takes the sliders (a :class:`Traits` and the stage) and returns the numbers it
plots, so a test can hold them against the model functions; :func:`figure` draws them and
:func:`sources` names the functions and the sources they cite. The curves are the lessons':
energy forward against backward by speed and grade (notebook 01), VO2 on- and off-kinetics
with the O2 deficit and EPOC (06), heart rate against the oxygen uptake reserve (07) and
post-exercise hypotension over hours (03).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure

import retrosim
from retrosim.physiology import (
    energy,
    epoc,
    heart,
    hypotension,
    oxygen,
    peh_course,
    peh_models,
    pressure,
)
from retrosim.physiology.registry import Model
from retrosim.units import MPS_PER_MPH, VO2_PER_MET


@dataclass(frozen=True)
class Traits:
    """The person and the stage the sliders set; SI inside, as the models want."""

    speed_mph: float = 2.0
    grade_pct: float = 0.0
    direction: str = "backward"
    handrail: str = "none"
    age_yr: float = 60.0
    sex: str = "female"
    mass_kg: float = 70.0
    fitness: str = "recreational"
    hr_rest_bpm: float = 70.0
    sbp: float = 140.0
    dbp: float = 88.0
    bp_medication: bool = False
    minutes: float = 10.0
    energy_model: str = energy.DEFAULT_ENERGY_MODEL
    heart_model: str = heart.DEFAULT_HR_MODEL
    practice_min: float = 0.0            # accumulated backward practice

    @property
    def sign(self) -> int:
        return 1 if self.direction == "forward" else -1

    @property
    def person(self) -> retrosim.Cohort:
        """The person as the engine's arrays (one subject)."""
        return retrosim.Cohort.from_subject(self.subject)

    @property
    def vo2max(self) -> float:
        """Predicted VO2max [mL kg-1 min-1], as the engine predicts it when none is given."""
        c = self.person
        return float(oxygen.wasserman_vo2max(c.mass_kg, c.age_yr, c.female)[0])

    @property
    def subject(self) -> retrosim.Subject:
        """The person as the engine sees them (validated: a bad slider value is an error)."""
        return retrosim.Subject(mass_kg=self.mass_kg, age_yr=self.age_yr, sex=self.sex,
                                hr_rest_bpm=self.hr_rest_bpm, fitness=self.fitness,
                                resting_bp_mmhg=(self.sbp, self.dbp),
                                bp_medication=self.bp_medication)


def met(t: Traits, speed_mps: Any, grade_frac: Any, direction: Any) -> np.ndarray:
    """Gross MET of walking with the person's handrail, from the chosen energy model."""
    bare = energy.ENERGY_MODELS[t.energy_model](speed_mps, grade_frac, direction)
    code = np.full(np.shape(bare), energy.HANDRAIL_CODES.index(t.handrail))
    return energy.apply_handrail(bare, code)


def energy_curves(t: Traits) -> dict[str, Any]:
    """MET forward and backward against speed (at the grade) and against grade (at the speed).

    The 2011 Compendium at 3.5 mph, level: 4.3 MET forward (code 17200), 6.0 backward (17320).

    >>> c = energy_curves(Traits(speed_mph=3.5, energy_model="compendium-2011"))
    >>> float(c["forward"]), float(c["backward"])
    (4.3, 6.0)
    """
    speeds = np.round(np.arange(0.5, 4.51, 0.05), 2)
    grades = np.arange(0.0, 15.01, 0.25)
    g, v = t.grade_pct / 100.0, t.speed_mph * MPS_PER_MPH
    fwd_v, back_v = (met(t, speeds * MPS_PER_MPH, g, d) for d in (1, -1))
    fwd_g, back_g = (met(t, v, grades / 100.0, d) for d in (1, -1))
    here_f, here_b = (float(met(t, v, g, d)) for d in (1, -1))
    return {"speed_mph": speeds, "forward_by_speed": fwd_v, "backward_by_speed": back_v,
            "grade_pct": grades, "forward_by_grade": fwd_g, "backward_by_grade": back_g,
            "forward": np.float64(here_f), "backward": np.float64(here_b),
            "ratio": np.float64(here_b / here_f)}


def kinetics(t: Traits) -> dict[str, Any]:
    """VO2 on- and off-kinetics of one bout from rest and back: demand, response, the O2
    deficit and the EPOC (mL kg-1): its fast component (first-order, the person's time
    constant) and the rest, the rapid and prolonged components of the default model
    ``epoc.intensity_duration`` (``epoc_slow``: their volume; ``epoc_slow_shown``: what the
    plotted window holds of it; ``tau_slow_s``: the rapid one's time constant)."""
    c = t.person
    tau = float(oxygen.vo2_time_constant(c.age_yr, c.fitness)[0])
    rest = VO2_PER_MET
    steady = float(met(t, t.speed_mph * MPS_PER_MPH, t.grade_pct / 100.0, t.sign)) * rest
    bout = 60.0 * t.minutes
    capped = min(steady, t.vo2max)
    intensity = capped / t.vo2max
    parts = [(float(v), float(s)) for v, s in epoc.intensity_duration(
        intensity, t.minutes, bool(c.female[0]), t.vo2max)]
    volume = sum(v for v, _ in parts)
    tau_slow = parts[0][1]
    time = np.linspace(0.0, bout + max(10 * tau, 5 * tau_slow, 300.0), 800)
    on = oxygen.first_order_step(rest, steady, time, tau)
    end = float(oxygen.first_order_step(rest, steady, bout, tau))
    fast = np.where(time <= bout, on, oxygen.first_order_step(end, rest, time - bout, tau))
    slow = sum(oxygen.epoc_slow_uptake(time - bout, v, s, tau)[0] for v, s in parts)
    return {"time_s": time, "demand": np.where(time <= bout, steady, rest), "vo2": fast + slow,
            "vo2_fast": fast, "tau_s": tau, "tau_slow_s": tau_slow, "bout_s": bout,
            "steady": steady, "deficit": float(oxygen.oxygen_deficit(rest, steady, tau)),
            "epoc_fast": float(oxygen.epoc(end, rest, tau)), "epoc_slow": volume,
            "epoc_slow_shown": sum(float(oxygen.epoc_slow_uptake(time[-1] - bout, v, s, tau)[1])
                                   for v, s in parts)}


def heart_rate(t: Traits) -> dict[str, Any]:
    """Steady-state heart rate against %VO2 reserve, forward and backward (the chosen model),
    and this stage in both directions."""
    model = heart.HR_MODELS[t.heart_model]
    hr_max = float(heart.tanaka_hr_max(t.age_yr))
    rest, top = VO2_PER_MET, t.vo2max
    vo2 = np.linspace(rest, top, 200)
    v, g = t.speed_mph * MPS_PER_MPH, t.grade_pct / 100.0
    stage = np.array([float(met(t, v, g, d)) * rest for d in (1, -1)])
    return {"percent_vo2r": heart.percent_vo2_reserve(vo2, rest, top),
            "hr_forward": model(vo2, rest, top, t.hr_rest_bpm, hr_max, 1.0, t.practice_min),
            "hr_backward": model(vo2, rest, top, t.hr_rest_bpm, hr_max, -1.0, t.practice_min),
            "stage_percent_vo2r": heart.percent_vo2_reserve(stage, rest, top),
            "stage_hr": model(stage, rest, top, t.hr_rest_bpm, hr_max, np.array([1.0, -1.0]),
                              t.practice_min),
            "vo2max": top, "hr_max": hr_max}


def peh(t: Traits) -> dict[str, Any]:
    """Post-exercise hypotension after this bout: SBP and DBP over the next 24 h."""
    c = t.person
    bmi = c.mass_kg / (c.height_cm / 100.0) ** 2
    person = float(hypotension.person_factor(c.female, c.age_yr, bmi, t.bp_medication)[0])
    bout_met = met(t, t.speed_mph * MPS_PER_MPH, t.grade_pct / 100.0, t.sign)
    model = peh_models.PEH_MODELS[peh_models.DEFAULT_PEH_MODEL]
    drop_s, drop_d = hypotension.peh_drop_at_nadir(t.sbp, t.dbp, bout_met, 60.0 * t.minutes,
                                                   person, model, t.vo2max / VO2_PER_MET)
    hours = np.linspace(0.0, 24.0, 481)
    recovery = peh_course.recovery_tau(c.age_yr[0], t.sbp, model)
    onset = hypotension.onset_tau_for_nadir(model.nadir_s, recovery)
    shape = peh_course.peh_shape(hours * 3600.0, model, recovery, onset)
    return {"hours": hours, "sbp": t.sbp - float(drop_s) * shape,
            "dbp": t.dbp - float(drop_d) * shape, "drop_sbp": np.float64(drop_s),
            "drop_dbp": np.float64(drop_d)}


def figure(name: str, t: Traits) -> Figure:
    """One lesson's figure: ``energy``, ``kinetics``, ``heart`` or ``peh``."""
    return _DRAW[name](t)


def _draw_energy(t: Traits) -> Figure:
    c = energy_curves(t)
    fig = Figure(figsize=(8.0, 3.2))
    a, b = fig.subplots(1, 2, sharey=True)
    for ax, x, key, here, unit in ((a, c["speed_mph"], "by_speed", t.speed_mph, "speed [mph]"),
                                   (b, c["grade_pct"], "by_grade", t.grade_pct, "grade [%]")):
        ax.plot(x, c[f"forward_{key}"], label="forward")
        ax.plot(x, c[f"backward_{key}"], label="backward")
        ax.axvline(here, color="0.5", ls=":", lw=1)
        ax.set_xlabel(unit)
        ax.grid(alpha=0.3)
    a.set_ylabel("energy [MET, gross]")
    a.set_title(f"at {t.grade_pct:g} % grade", fontsize=9)
    b.set_title(f"at {t.speed_mph:g} mph: backward/forward = {float(c['ratio']):.2f}",
                fontsize=9)
    a.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _axes() -> tuple[Figure, Any]:
    fig = Figure(figsize=(8.0, 3.2))
    return fig, fig.add_subplot()


def _finish(fig: Figure, ax: Any) -> Figure:
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _draw_kinetics(t: Traits) -> Figure:
    k = kinetics(t)
    minutes = k["time_s"] / 60.0
    fig, ax = _axes()
    on = k["time_s"] <= k["bout_s"]
    ax.plot(minutes, k["demand"], "k--", lw=1, label="demand")
    ax.plot(minutes, k["vo2"], lw=1.6, label="VO2")
    ax.plot(minutes, k["vo2_fast"], ":", color="C0", lw=1, label="VO2, fast component only")
    ax.fill_between(minutes, k["vo2"], k["demand"], where=on, alpha=0.3,
                    label=f"O2 deficit {k['deficit']:.1f} mL/kg")
    ax.fill_between(minutes, k["demand"], k["vo2"], where=~on, alpha=0.3, color="C3",
                    label=f"EPOC {k['epoc_fast']:.1f} fast + {k['epoc_slow_shown']:.1f} of "
                          f"{k['epoc_slow']:.1f} rapid and prolonged mL/kg in view")
    ax.set(xlabel="time [min]", ylabel="oxygen uptake [mL kg-1 min-1]",
           title=f"tau = {k['tau_s']:.0f} s ({t.fitness}, {t.age_yr:g} yr); rapid EPOC tau = "
                 f"{k['tau_slow_s'] / 60:.0f} min")
    return _finish(fig, ax)


def _draw_heart(t: Traits) -> Figure:
    h = heart_rate(t)
    fig, ax = _axes()
    ax.plot(h["percent_vo2r"], h["hr_forward"], label="forward")
    ax.plot(h["percent_vo2r"], h["hr_backward"], label="backward")
    for i, (word, marker) in enumerate((("forward", "o"), ("backward", "s"))):
        ax.plot(h["stage_percent_vo2r"][i], h["stage_hr"][i], marker, color=f"C{i}",
                label=f"{word} at {t.speed_mph:g} mph: {float(h['stage_hr'][i]):.0f} bpm")
    ax.axhline(float(h["hr_max"]), color="0.5", ls=":", lw=1)
    ax.set(xlabel="oxygen uptake reserve [%VO2R]", ylabel="heart rate [min-1]",
           title=f"{t.heart_model}, {t.practice_min:g} min of backward practice; VO2max "
                 f"{h['vo2max']:.1f} mL/kg/min (predicted), HRmax {h['hr_max']:.0f} bpm")
    return _finish(fig, ax)


def _draw_peh(t: Traits) -> Figure:
    p = peh(t)
    fig, ax = _axes()
    ax.plot(p["hours"], p["sbp"], label=f"systolic (nadir -{float(p['drop_sbp']):.1f})")
    ax.plot(p["hours"], p["dbp"], "--", label=f"diastolic (nadir -{float(p['drop_dbp']):.1f})")
    ax.axvline(pressure.VALID_AFTER_S / 3600.0, color="k", ls=":", lw=1,
               label="30 min: readings valid from here")
    ax.set(xlabel="hours after the bout", ylabel="blood pressure [mmHg]",
           title=f"after {t.minutes:g} min at {t.speed_mph:g} mph {t.direction}")
    return _finish(fig, ax)


_DRAW: dict[str, Callable[[Traits], Figure]] = {
    "energy": _draw_energy, "kinetics": _draw_kinetics, "heart": _draw_heart, "peh": _draw_peh}


def functions(name: str, t: Traits) -> list[Callable[..., Any]]:
    """The model functions a lesson's curves come from."""
    model = energy.ENERGY_MODELS[t.energy_model]
    base: list[Callable[..., Any]] = [model, energy.apply_handrail]
    chosen: dict[str, list[Callable[..., Any]]] = {
        "energy": base,
        "kinetics": base + [oxygen.vo2_time_constant, oxygen.first_order_step,
                            oxygen.oxygen_deficit, oxygen.epoc, epoc.intensity_duration,
                            epoc.rapid_volume, epoc.rapid_tau_s, epoc.prolonged_linear_volume,
                            oxygen.epoc_slow_uptake],
        "heart": base + [oxygen.wasserman_vo2max, heart.tanaka_hr_max,
                         heart.percent_vo2_reserve, heart.HR_MODELS[t.heart_model]],
        "peh": base + [oxygen.wasserman_vo2max, hypotension.person_factor,
                       hypotension.peh_drop_at_nadir, peh_course.peh_shape]}
    return chosen[name]


def sources(name: str, t: Traits) -> list[tuple[str, str]]:
    """``(functions, their sources)`` for the model functions of a lesson; functions that cite
    the same sources (those of their module) share a row."""
    named = {id(energy.ENERGY_MODELS[t.energy_model]): t.energy_model,
             id(heart.HR_MODELS[t.heart_model]): t.heart_model}
    rows: dict[str, list[str]] = {}
    for f in functions(name, t):
        if isinstance(f, Model):                             # a registry entry: its sources
            target = getattr(f.function, "func", f.function)
            rows.setdefault("; ".join(f.references), []).append(
                f"{target.__module__}.{target.__name__} ('{named.get(id(f), '')}')")
            continue
        target = getattr(f, "func", f)                       # a functools.partial
        rows.setdefault(references_of(target), []).append(f"{target.__module__}.{target.__name__}")
    return [(", ".join(labels), text) for text, labels in rows.items()]


_SECTION = re.compile(r"\n\s*References?\s*(?:\([^)]*\))?\s*\n\s*-{3,}\s*\n(.*?)(?:\n\s*\n|\Z)",
                      re.S)
#: A parenthetical that points at a file of the project rather than at a source: left out.
_FILE_NOTE = re.compile(r"\s*\([^()]*\.md\b[^()]*\)")


def _cited(section: str) -> str:
    """A References section on one line, without the items that only point at a file."""
    items = re.split(r"\n\s*-\s+", "\n" + section)
    kept = [" ".join(_FILE_NOTE.sub("", i).split()) for i in items if ".md" not in
            _FILE_NOTE.sub("", i)]
    return " ".join(k for k in kept if k).strip(" -")


def references_of(f: Callable[..., Any]) -> str:
    """The References section of a function's docstring, else of its module, on one line.

    >>> "Tanaka" in references_of(heart.tanaka_hr_max)
    True
    """
    own = inspect.getdoc(f) or ""
    first = " ".join(own.split("\n\n")[0].split())
    for doc in (own, first if re.search(r"\b(19|20)\d\d\b", first) else "",
                inspect.getdoc(inspect.getmodule(f)) or ""):
        m = _SECTION.search("\n" + doc)
        if m:
            return _cited(m[1])
        if doc is first and doc:
            return first
    return first
