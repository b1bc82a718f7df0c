"""How often published people fall inside retrosim's 90 % prediction intervals:
``retrosim validate --coverage``.

A prediction interval is a claim about people: of a hundred people like the one described, about
ninety lie inside it. Too narrow is as wrong as too wide. This module checks that claim against
published between-person distributions. For each :class:`Published` group (a mean and a
between-person standard deviation of a quantity measured in people of one sex and age band) it
builds the person retrosim would simulate (the band's middle age, the group's sex, the trait not
given, so predicted), draws her :data:`~retrosim.results.intervals.VERSIONS` plausible versions
exactly as a run's intervals do (:func:`retrosim.results.intervals.versions`, the run's default
models), takes the 5th and 95th percentiles, and reports the share of the published
distribution that falls inside, ``Phi((high - mean) / sd) - Phi((low - mean) / sd)`` (a normal
distribution of people: the sources give a mean and an SD).

The goal is 85-95 % (:data:`GOAL_PCT`) for the mean share over the **validation** rows: groups
the interval was not built from. A **calibration** row checks the interval against the source
its spread was taken from (Nes et al. 2013's standard error of estimate sets the spread of
predicted HRmax, :data:`retrosim.results.intervals.TRAIT_SD`), so only the centre is tested
there.

Sources (full entries in ``docs/references.md``):

- Loe H, Rognmo Ø, Saltin B, Wisløff U (2013). Aerobic capacity reference data in 3816 healthy
  men and women 20-90 years. PLoS One 8:e64319; doi:10.1371/journal.pone.0064319: HRmax in
  treadmill running at 20-29 years, men 196 +/- 10, women 194 +/- 9 min-1.
- Nes BM, Janszky I, Wisløff U, Støylen A, Karlsen T (2013). Age-predicted maximal heart rate in
  healthy subjects: the HUNT Fitness Study. Scand J Med Sci Sports 23:697-704;
  doi:10.1111/j.1600-0838.2012.01445.x: HRmax = 211 - 0.64 age, SEE 10.8 min-1, 3,320 men and
  women aged 19-89, with no interaction with sex.

Left out, with the reason (:data:`EXCLUSIONS`), so a reader sees what is not checked.
"""

from __future__ import annotations

import dataclasses
import textwrap
from typing import NamedTuple

import numpy as np
from scipy import stats

from retrosim.model.scenario import Scenario
from retrosim.results.intervals import QUANTILES, VERSIONS, versions

#: The goal for the mean share of published people inside the 90 % intervals, percent.
GOAL_PCT = (85.0, 95.0)


@dataclasses.dataclass(frozen=True)
class Published:
    """A published between-person distribution: ``mean`` +/- ``sd`` of ``trait`` (a subject
    key) in people of ``sex`` aged about ``age_yr``."""

    source: str
    group: str
    trait: str
    sex: str
    age_yr: float
    mean: float
    sd: float
    kind: str = "validation"


def _nes(age: float, sex: str) -> Published:
    return Published("Nes et al. 2013", f"HRmax, {'women' if sex == 'female' else 'men'} "
                     f"{age:g} y", "hr_max_bpm", sex, age,
                     211.0 - 0.64 * age, 10.8, "calibration")


#: The published groups, in the order printed.
PUBLISHED: tuple[Published, ...] = (
    Published("Loe et al. 2013", "HRmax, men 20-29 y", "hr_max_bpm", "male",
              25.0, 196.0, 10.0),
    Published("Loe et al. 2013", "HRmax, women 20-29 y", "hr_max_bpm", "female",
              25.0, 194.0, 9.0),
    *(_nes(age, sex) for sex in ("male", "female") for age in (30.0, 50.0, 70.0)),
)

#: What is not checked yet, and why.
EXCLUSIONS = (
    ("VO2max", "predicted for a sedentary adult from a cycle-ergometer equation (Hansen, Sue & "
     "Wasserman 1984); the published distributions at hand are of healthy, partly active "
     "treadmill cohorts (Loe et al. 2013; Kaminsky et al. 2015), not the population the "
     "prediction describes"),
    ("resting HR", "its spread (10 min-1) is a default without a published source here"),
    ("session outcomes (energy, HR peak, BP)", "no published between-person SD at the "
     "conditions of a bundled protocol"),
)


class CoverageRow(NamedTuple):
    """One published group against the model's 90 % prediction interval."""

    published: Published
    low: float
    high: float
    share_pct: float


def interval(group: Published, seed: int = 0, count: int = VERSIONS) -> tuple[float, float]:
    """The 90 % prediction interval of ``group.trait`` for the person a scenario describing
    the group would simulate (mass 70 kg; the trait predicted, not given).

    >>> low, high = interval(PUBLISHED[0])
    >>> 160 < low < 190 < high < 220
    True
    """
    scenario = Scenario.from_dict({
        "name": "coverage", "seed": seed,
        "subject": {"mass_kg": 70.0, "age_yr": group.age_yr, "sex": group.sex},
        "arms": {"a": {"stages": ["walk forward at 3 mph for 1 min"]}}})
    values = np.asarray(getattr(versions(scenario, seed, count), group.trait), dtype=float)
    low, high = np.quantile(values, QUANTILES)
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
              "calibration": "the source of the HRmax spread: only the centre is tested"}


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
    head = f"{'source':<15} {'group':<29} {'mean ± sd':>11} {'90% interval':>13} {'inside':>7}"
    lines = [head, "-" * len(head)]
    for kind in ("validation", "calibration"):
        lines.append(f"{kind}: {_KIND_TEXT[kind]}")
        for r in (r for r in rows if r.published.kind == kind):
            p = r.published
            lines.append(f"{p.source:<15} {p.group[:29]:<29} {p.mean:>5.1f} ±{p.sd:>4.1f} "
                         f"{r.low:>6.1f}-{r.high:<6.1f} {r.share_pct:>6.1f}%")
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
inside her interval. The goal is 85-95 % on average over the validation groups;
`retrosim validate --coverage` exits with status 1 outside it."""


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
