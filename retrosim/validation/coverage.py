"""How often published people fall inside retrosim's 90 % prediction intervals:
``retrosim validate --coverage``.

A prediction interval is a claim about people: of a hundred people like the one described, about
ninety lie inside it. Too narrow is as wrong as too wide. This module checks that claim against
published between-person distributions. For each :class:`~retrosim.validation.groups.Published`
group (a mean and a between-person standard deviation of a quantity measured in people of one
sex and age band) it builds the person retrosim would simulate (the band's middle age, the
group's sex, its mean mass where the prediction depends on mass, else 70 kg, the trait not
given, so predicted; a group of men and women together is the same mix of both; a trait per
kg that the group gives in absolute units, as DREW's VO2max in L/min, is compared as the trait
times her mass), draws her
:data:`~retrosim.results.intervals.VERSIONS` plausible versions exactly as a run's intervals do
(:func:`retrosim.results.intervals.versions`, the run's default models), takes the 5th and 95th
percentiles, and reports the share of the published distribution that falls inside,
``Phi((high - mean) / sd) - Phi((low - mean) / sd)`` (a normal distribution of people: the
sources give a mean and an SD).

The goal is 85-95 % (:data:`GOAL_PCT`) for the mean share over the **validation** rows: groups
the interval was not built from. A **calibration** row checks the interval against the source
its spread was taken from (Nes et al. 2013's standard error of estimate sets the spread of
predicted HRmax, :data:`retrosim.results.intervals.TRAIT_SD`), so only the centre is tested
there. The spread of resting HR is a log-normal by sex fitted to the prevalences of
bradycardia and tachycardia in NHANES 1999-2008 (Ostchega et al. 2011,
:mod:`retrosim.physiology.resting_hr`); the abstract gives no SD, so NHANES has no row here
(``retrosim validate`` holds the fitted log-normal's mean against its published mean), and
every cohort of resting HR here, the Fenland Study's included, is a validation row. A row
compares like with like: where the source read another quantity than the model predicts (a
watch's resting HR taken with a resting ECG, lying supine, Feng et al. 2024), each version's
value is carried over by a published ratio
(:attr:`~retrosim.validation.groups.Published.reading_ratio`: supine over seated resting HR in
the same people, Gonzales et al. 2023).

**Responses to training** (:class:`~retrosim.validation.groups.PublishedGain`): the gain of
VO2max [mL/min] after a published programme, a mean and a between-person SD of the measured
gains. The person's plausible versions walk the programme
(:meth:`retrosim.Simulation.programme_versions`: each draws her own response to training, a
gamma variate of CV 0.5 taken from HERITAGE's spread, Bouchard et al. 1999, so HERITAGE is a
calibration row and the other cohorts validation rows), which gives her true gains
(:func:`gain_interval`). A published gain is the difference of measured tests, so the row
compares the published spread with the interval of *measured* gains
(:func:`measured_gain_interval`): each version's true gain plus the day-to-day variation of the
tests before and after (:mod:`retrosim.validation.measured`, Katch et al. 1982), with the
study's number of tests at each visit (:attr:`~retrosim.validation.groups.PublishedGain.tests`).
That CV was read from HERITAGE's measured gains, which hold the tests' error too, so it
overstates the spread of true responses somewhat (HERITAGE's own test error was not read).

The groups, their sources and what is left out are in :mod:`retrosim.validation.groups`.
"""

from __future__ import annotations

import functools
import textwrap
from typing import NamedTuple

import numpy as np
from scipy import stats

from retrosim.api import Simulation
from retrosim.model.people import Cohort
from retrosim.model.scenario import Scenario
from retrosim.model.subject import Subject
from retrosim.results.intervals import QUANTILES, VERSIONS, versions
from retrosim.validation import cohort, measured
from retrosim.validation.groups import EXCLUSIONS, GAINS, PUBLISHED, Published, PublishedGain

#: The goal for the mean share of published people inside the 90 % intervals, percent.
GOAL_PCT = (85.0, 95.0)


class CoverageRow(NamedTuple):
    """One published group against the model's 90 % prediction interval."""

    published: Published | PublishedGain
    low: float
    high: float
    share_pct: float


def interval(group: Published, seed: int = 0, count: int = VERSIONS) -> tuple[float, float]:
    """The 90 % prediction interval of ``group.trait`` for the person a scenario describing
    the group would simulate (mass ``group.mass_kg``; the trait predicted, not given), times
    her mass if the group gives it in absolute units (``group.absolute``), times
    ``group.reading_ratio`` where the source read another quantity (a supine resting HR); for
    a group of men and women together, over versions of both in the group's proportion
    (``group.female_share``, the women first).

    >>> low, high = interval(PUBLISHED[0])
    >>> 160 < low < 190 < high < 220
    True
    """
    share = float(group.sex == "female") if group.female_share is None else group.female_share
    women = round(count * share)
    people = {"female": (women, 0), "male": (count - women, women)}   # (how many, first)
    subjects = {sex: {"mass_kg": group.mass_kg, "age_yr": group.age_yr, "sex": sex}
                for sex in people}
    parts = [Cohort.from_subject(Subject.from_dict(subjects[sex]), n, first)
             for sex, (n, first) in people.items() if n]
    base = Cohort.concatenate(parts)
    scenario = Scenario.from_dict({
        "name": "coverage", "seed": seed, "subject": subjects["female" if women else "male"],
        "arms": {"a": {"stages": ["walk forward at 3 mph for 1 min"]}}})
    values = np.asarray(getattr(versions(scenario, seed, count, base), group.trait),
                        dtype=float)
    if group.absolute:
        values = values * group.mass_kg
    values = values * group.reading_ratio
    low, high = np.quantile(values, QUANTILES)
    return float(low), float(high)


@functools.lru_cache(maxsize=16)
def _gains(group: PublishedGain, seed: int, count: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each plausible version's true VO2max [mL/min] before and after ``group``'s programme,
    and her true gain: of the person described, or of a member of the cohort described
    (:func:`retrosim.validation.cohort.walk`). Kept for the next call with the same arguments
    (read-only arrays): the same seed gives the same numbers."""
    if group.cohort is not None:
        walked = cohort.walk(group.cohort, dict(group.program), seed, count)
        return _frozen(walked["before"], walked["after"])
    arm: dict[str, object] = {"stages": list(group.stages)}
    if group.progression:
        arm["progression"] = dict(group.progression)
    subject = dict(group.subject)
    scenario = Scenario.from_dict({
        "name": "coverage", "seed": seed, "subject": subject, "falls": {"model": "none"},
        "program": dict(group.program), "arms": {"a": arm}})
    ds = Simulation(scenario).programme_versions(count).isel(arm=0)
    v = ds.vo2max.values.astype(float)[1:] * float(subject["mass_kg"])  # type: ignore[arg-type]
    return _frozen(v[:, 0], v[:, -1])


def _frozen(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    out = (np.array(before), np.array(after), np.asarray(after - before))
    for a in out:
        a.flags.writeable = False
    return out


def gain_interval(group: PublishedGain, seed: int = 0, count: int = VERSIONS
                  ) -> tuple[float, float]:
    """The 90 % prediction interval of the true VO2max gain [mL/min] after ``group``'s
    programme, over ``count`` plausible versions of the person described (each with her own
    response to training): what the programme does to her."""
    low, high = np.quantile(_gains(group, seed, count)[2], QUANTILES)
    return float(low), float(high)


def measured_gain_interval(group: PublishedGain, seed: int = 0, count: int = VERSIONS
                           ) -> tuple[float, float]:
    """The 90 % prediction interval of her *measured* gain [mL/min]: each version's true gain
    plus the error of ``group.tests`` maximal tests before and after
    (:func:`retrosim.validation.measured.gain_error_sd`), the percentiles of that mixture.
    What a published spread of gains, the difference of measured tests, is compared with."""
    before, after, gain = _gains(group, seed, count)
    sd = measured.gain_error_sd(before, after, *group.tests)
    low, high = measured.mixture_quantiles(gain, sd, QUANTILES)
    return float(low), float(high)


def share_inside(low: float, high: float, mean: float, sd: float) -> float:
    """Percent of a normal distribution of people (``mean``, ``sd``) inside ``[low, high]``.

    >>> round(share_inside(-1.6448536, 1.6448536, 0.0, 1.0), 3)
    90.0
    """
    return float(100.0 * (stats.norm.cdf(high, mean, sd) - stats.norm.cdf(low, mean, sd)))


def coverage_rows(seed: int = 0) -> list[CoverageRow]:
    """Every :data:`PUBLISHED` group against the model's interval."""
    rows = []
    for group in PUBLISHED:
        low, high = interval(group, seed)
        rows.append(CoverageRow(group, low, high, share_inside(low, high, group.mean,
                                                               group.sd)))
    for gain in GAINS:
        low, high = measured_gain_interval(gain, seed)
        rows.append(CoverageRow(gain, low, high, share_inside(low, high, gain.mean, gain.sd)))
    return rows


def summary(rows: list[CoverageRow], kind: str = "validation") -> float:
    """The mean share (percent) over the rows of ``kind``.

    >>> g = PUBLISHED[0]
    >>> summary([CoverageRow(g, 0.0, 1.0, 80.0), CoverageRow(g, 0.0, 1.0, 90.0)])
    85.0
    """
    shares = [r.share_pct for r in rows if r.published.kind == kind]
    return float(np.mean(shares)) if shares else float("nan")


def within_goal(rows: list[CoverageRow]) -> bool:
    """Whether the validation rows' mean share lies in :data:`GOAL_PCT`."""
    share = summary(rows)
    return GOAL_PCT[0] <= share <= GOAL_PCT[1]


_KIND_TEXT = {"validation": "groups the intervals were not built from",
              "calibration": "where the spreads come from: only the centre is tested"}


def _number(x: float) -> str:
    """A value for the table: one decimal below 100, none above."""
    return f"{x:.1f}" if abs(x) < 100.0 else f"{x:.0f}"


def _summary_lines(rows: list[CoverageRow]) -> list[str]:
    out = []
    for kind in ("validation", "calibration"):
        count = sum(r.published.kind == kind for r in rows)
        out.append(f"{kind}: {summary(rows, kind):.1f} % of published people inside the "
                   f"90 % intervals ({count} group{'s' if count != 1 else ''})")
    verdict = "met" if within_goal(rows) else "not met"
    out.append(f"goal {GOAL_PCT[0]:g}-{GOAL_PCT[1]:g} % for the validation groups: {verdict}")
    return out


def table(rows: list[CoverageRow]) -> str:
    """The coverage table as text (at most 80 columns), with the summary and what is left
    out."""
    head = f"{'source':<20} {'group':<24} {'mean ± sd':>11} {'90% interval':>13} {'inside':>7}"
    lines = [head, "-" * len(head)]
    for kind in ("validation", "calibration"):
        lines.append(f"{kind}: {_KIND_TEXT[kind]}")
        for r in (r for r in rows if r.published.kind == kind):
            p = r.published
            lines.append(f"{p.source[:20]:<20} {p.group[:24]:<24} {_number(p.mean):>5} "
                         f"±{_number(p.sd):>4} {_number(r.low):>6}-{_number(r.high):<6} "
                         f"{r.share_pct:>6.1f}%")
    lines += ["", *_summary_lines(rows), "", "not checked:"]
    for name, why in EXCLUSIONS:
        lines += textwrap.wrap(f"- {name}: {why}", 80, initial_indent="  ",
                               subsequent_indent="    ")
    return "\n".join(lines) + "\n"


PAGE_INTRO = """# Coverage: do the prediction intervals hold the people they describe?

Generated by `retrosim validate --coverage --markdown > docs/coverage.md`
(`retrosim/validation/coverage.py`); a test checks that this page is current.

A run of one person (`[subject]`) gives each summary a 90 % prediction interval from 200
plausible versions of her ([models](models.md)). Of a hundred people like her, about ninety
should lie inside it: too narrow is as wrong as too wide. Each row below takes a published
group (a mean and a between-person standard deviation), builds the person retrosim would
simulate for it (the band's middle age, the group's sex, mass 70 kg, the trait predicted),
and gives the share of the published distribution (normal, with the published mean and SD)
inside her interval. VO2max is predicted from mass, so its row (DREW's baseline, Church
et al. 2007, cycle ergometer, in mL/min) is a woman of the group's mean age and mass, 57 y
and 84 kg, her VO2max per kg times her mass; the published SD also spreads over the women's
different masses and ages, so were the spread right, that row would hold somewhat less
than 90 %. The rows of VO2max gains do the same for a programme: 200 plausible
versions walk the published programme, each with her own response to training. For HERITAGE
they are versions of the person the cohort describes; for DREW each is a woman drawn from
her group's published baselines (age, body mass, VO2max), walking at the treadmill speed
nearest 50 % of her own VO2max for minutes inversely proportional to her own cost, the
group's mean the published weekly minutes (Church et al. 2007). A published gain is the
difference of measured tests, so its spread holds each test's day-to-day variation besides
the spread of true responses: each version's true gain (mL/min) is given the error of the
study's tests before and after (5.6 % of VO2max a test, Katch et al. 1982; HERITAGE averaged
two tests at each visit, DREW one is assumed), and the 90 % interval of those measured gains
is held against the published mean and SD (Sisson et al. 2009 and Bouchard et al. 1999, as
tabulated by Ross et al. 2019). A run's own intervals stay those of true VO2max. The spread
that does not shrink with the dose is put in the measurement, not in the response: the
change of VO2max spreads as widely without training as with it (Williamson et al. 2017), and
non-response beyond the test's error falls with the dose until nobody is left without a gain
(Montero & Lundby 2017), so the response to training keeps a responsiveness that scales the
gain. Resting heart rate, when not given, spreads as a log-normal by sex fitted to the
shares of adults below 60 and at 100 min-1 or more in NHANES 1999-2008 (Ostchega et al.
2011). Its abstract gives no SD, so NHANES cannot be a row of this table: `retrosim validate`
holds the fitted log-normal's mean against the published mean instead, and every cohort of
resting HR here is a validation row, the Fenland Study's among them (men and women together:
its versions are the same mix). The Baseline Study's watch read resting HR with a resting ECG,
lying supine (Feng et al. 2024; the posture is the ECG's standard, Kligfield et al. 2007): its
rows hold each version's seated resting HR times 63.5 / 67.6, supine over seated in the same
10,865 people of the Fenland Study (Gonzales et al. 2023). The goal is 85-95 % on average
over the validation groups; `retrosim validate --coverage` exits with status 1 outside it."""


def markdown(rows: list[CoverageRow]) -> str:
    """The rows as the Markdown page ``docs/coverage.md``."""
    out = [PAGE_INTRO]
    for kind in ("validation", "calibration"):
        out += ["", f"## {kind.capitalize()}: {_KIND_TEXT[kind]}", "",
                "| source | group | published mean ± SD | model 90 % interval | inside |",
                "|---|---|---|---|---|"]
        out += [f"| {r.published.source} | {r.published.group} | {r.published.mean:.1f} ± "
                f"{r.published.sd:.1f} | {r.low:.1f}-{r.high:.1f} | {r.share_pct:.1f} % |"
                for r in rows if r.published.kind == kind]
    out += ["", *(f"{line}." for line in _summary_lines(rows)), "", "Not checked yet, and why:",
            ""]
    out += [f"- {name}: {why}." for name, why in EXCLUSIONS]
    return "\n".join(out) + "\n"
