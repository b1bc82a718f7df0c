"""Models against the published values they rest on: the ``retrosim validate`` table.

A :class:`Row` holds one published value (its source is cited by author and year; the full
entries are in ``docs/references.md``), the model's output for the same conditions, their
difference, the tolerance and a mark:

- **good**: within half the tolerance (within the tolerance for a value that must match to its
  last published digit, and inside a published range);
- **decent**: within the tolerance;
- **bad**: outside it. ``retrosim validate`` exits with status 1 if any row is bad.

Each row is of one kind (:data:`KINDS`): **calibration**, a table, a definition or a fit checked
against the values it was built from (it can only catch a slip in the code); **validation**, a
model against published data it was not built from. The values deliberately left out are
listed, with the reason, in :data:`EXCLUSIONS`; the table and the page print them.

The rows themselves are built topic by topic in :mod:`retrosim.validation.published`; the same
rows give
the printed table (:func:`table`) and the documentation page ``docs/validation.md``
(:func:`markdown`).
"""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from typing import NamedTuple

from retrosim.physiology.compendium import compendium_rows
from retrosim.physiology.energy_continuous import (
    CONTINUOUS_PARAMS,
    ContinuousEnergyParams,
    continuous_met,
)
from retrosim.units import kmh_to_mps, mph_to_mps, pct_to_frac

#: Kim & Choi 2001, J Korean Acad Rehabil Med 25:474: 20 young men, treadmill 5 km/h, level.
KIM_CHOI_2001 = {"speed_mps": float(kmh_to_mps(5.0)), "forward_vo2": 15.9, "backward_vo2": 23.6}


class ModelError(NamedTuple):
    """One published value against a model (a row of :func:`continuous_model_errors`)."""

    source: str
    condition: str
    published: float
    model: float
    error_pct: float
    tolerance_pct: float
    fitted: bool = True


#: The codes of the 2024 edition the backward grade coefficient was fitted to.
_FITTED_2024 = ("17320", "17325", "17475")
#: Grades [%] at which the backward/forward ratio at 2.5 mph is checked against its level value.
RATIO_GRADES_PCT = (2.5, 5.0, 7.5, 10.0, 12.5)


def continuous_model_errors(params: ContinuousEnergyParams = CONTINUOUS_PARAMS
                            ) -> list[ModelError]:
    """Error of :func:`continuous_met` on every published value it is built from or checked on.

    Every Compendium row of both editions at its own condition (gross MET), the Kim & Choi
    2001 backward/forward VO2 ratio, then the backward/forward ratio at 2.5 mph on grades of
    2.5-12.5 % against its level value (Hooper et al. 2004: no direction x grade interaction).
    Tolerances: 10 % for the 2011 codes, the ratios (the fitted data); 15 % for 17180 (the
    model costs downhill as level, 3.0 MET at 2.5 mph) and for the 2024 codes (the 2024
    edition revised several values upward; only its backward codes were fitted).

    >>> rows = continuous_model_errors()
    >>> max(abs(r.error_pct) for r in rows if r.source.startswith("Ainsworth")) < 10
    True
    """
    out = []
    for r in compendium_rows():
        model = float(continuous_met(mph_to_mps(r.speed_mph), pct_to_frac(r.grade_pct),
                                     -1.0 if r.direction == "backward" else 1.0, params=params))
        author = "Ainsworth 2011" if r.edition == 2011 else "Herrmann 2024"
        tol = 10.0 if r.edition == 2011 and r.slope != "downhill" else 15.0
        fitted = (r.edition == 2011 and r.slope != "downhill") or r.code in _FITTED_2024
        out.append(ModelError(f"{author} {r.code}",
                              f"{r.direction} {r.speed_mph:g} mph, {r.grade_pct:g} %",
                              r.met, model, 100.0 * (model / r.met - 1.0), tol, fitted))
    fwd, back = continuous_met(KIM_CHOI_2001["speed_mps"], 0.0, [1.0, -1.0], params=params)
    published = KIM_CHOI_2001["backward_vo2"] / KIM_CHOI_2001["forward_vo2"]
    out.append(ModelError("Kim & Choi 2001", "backward/forward VO2 ratio, 5 km/h, 0 %",
                          published, float(back / fwd), 100.0 * (back / fwd / published - 1.0),
                          10.0))
    v = float(mph_to_mps(2.5))
    f0, b0 = continuous_met(v, 0.0, [1.0, -1.0], params=params)
    for grade in RATIO_GRADES_PCT:
        fg, bg = continuous_met(v, pct_to_frac(grade), [1.0, -1.0], params=params)
        ratio = float((bg / fg) / (b0 / f0))
        out.append(ModelError("Hooper et al. 2004", f"backward/forward ratio at {grade:g} % / "
                              "level, 2.5 mph", 1.0, ratio, 100.0 * (ratio - 1.0), 10.0))
    return out


MARKS = ("good", "decent", "bad")
KINDS = ("calibration", "validation")


class Row(NamedTuple):
    """One published value against the model (a row of the ``validate`` table).

    ``difference`` is model minus published (0 inside a published range, else the distance
    to the nearest bound), in ``unit``, or in percent of the published value when ``unit`` is
    "%"; ``tolerance`` is in the same unit.
    """

    topic: str
    source: str
    quantity: str
    published: str
    model: float
    difference: float
    tolerance: float
    unit: str
    mark: str
    kind: str = "validation"


def compare(topic: str, source: str, quantity: str, model: float,
            published: float | tuple[float, float], *, tolerance: float,
            relative: bool = False, good: float | None = None, unit: str = "",
            shown: str | None = None, kind: str = "validation") -> Row:
    """A :class:`Row`: the model's value against a published value or range.

    Parameters
    ----------
    topic, source, quantity : str
        The row's topic, its source and what is compared.
    model : float
        The model's output for the source's conditions.
    published : float or tuple of float
        The published value, or its range (low, high), inclusive.
    tolerance : float
        The largest difference that is not bad (in percent when ``relative``).
    relative : bool, optional
        The difference in percent of the published value, not absolute.
    good : float, optional
        The largest difference that is good (default half the tolerance).
    unit : str, optional
        The difference's unit when not relative.
    shown : str, optional
        The published value as printed.
    kind : str, optional
        "calibration" (checked against what it was built from) or "validation".

    Returns
    -------
    Row
        The comparison, its difference and its mark ("good", "decent" or "bad").

    Examples
    --------
    >>> compare("energy", "ACSM", "VO2", 29.7904, 29.79, tolerance=0.005, good=0.005).mark
    'good'
    >>> [compare("x", "y", "z", m, 10.0, tolerance=4.0, relative=True).mark
    ...  for m in (10.2, 10.3, 10.5)]
    ['good', 'decent', 'bad']
    >>> compare("x", "y", "z", 19.0, (18.0, 20.0), tolerance=0.0).difference
    0.0
    """
    low, high = published if isinstance(published, tuple) else (published, published)
    nearest = min(max(model, low), high)
    if relative:
        difference = 100.0 * (model / nearest - 1.0) if nearest else math.inf
    else:
        difference = model - nearest
    slack = 1e-9 * max(1.0, abs(nearest))        # floating-point round-off, not a tolerance
    if abs(difference) <= slack:
        difference = 0.0
    size = abs(difference)
    good = tolerance / 2.0 if good is None else good
    mark = "good" if size <= good + slack else "decent" if size <= tolerance + slack else "bad"
    if shown is None:
        shown = _number(low) if low == high else f"{_number(low)}-{_number(high)}"
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return Row(topic, source, quantity, shown, float(model), float(difference),
               float(tolerance), "%" if relative else unit, mark, kind)


def counts(table_rows: list[Row]) -> dict[str, int]:
    """How many rows carry each mark.

    >>> counts([compare("x", "y", "z", 1.0, 1.0, tolerance=0.0)])
    {'good': 1, 'decent': 0, 'bad': 0}
    """
    found = Counter(r.mark for r in table_rows)
    return {mark: found[mark] for mark in MARKS}


def _number(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else "inf"


def _difference(r: Row) -> str:
    unit = f" {r.unit}" if r.unit and r.unit != "%" else r.unit
    return f"{r.difference:+.3g}{unit}" if r.difference else "0"


def _tolerance(r: Row) -> str:
    if not r.tolerance:
        return "exact"
    unit = f" {r.unit}" if r.unit and r.unit != "%" else r.unit
    return f"{r.tolerance:g}{unit}"


def _cells(r: Row) -> tuple[str, ...]:
    return (r.source, r.quantity, r.published, _number(r.model), _difference(r), _tolerance(r),
            r.mark)


HEADER = ("source", "quantity", "published", "model", "difference", "tolerance", "mark")
#: The printed table's column header (its first line).
COLUMNS = ("mark", "published", "model", "difference", "tolerance")
WIDTH = 80
#: What is left out of the table, and why: (what, why).
EXCLUSIONS = (
    ("values marked unverified", "defaults, never checks: SBP's 'about 10 mmHg per MET', "
     "Shumway-Cook et al. 1997's coefficients, Hansen, Sue & Wasserman's VO2max (the "
     "intervals' prediction errors are published: VO2max's FRIEND's standard error, de Souza "
     "e Silva et al. 2018, HRmax's Nes et al. 2013's; resting HR's is fitted to Ostchega et "
     "al. 2011's prevalences, a row below; 'retrosim validate --coverage' holds the "
     "intervals against published people)"),
    ("Kim & Choi 2001's absolute VO2", "the Compendium is the truth for absolute cost; only "
     "their backward/forward ratio, and their heart rates at their own VO2, are used"),
    ("Hooper et al. 2004's %VO2max values", "the abstract gives no forward values or speed: "
     "only the constant backward/forward ratio is used"),
    ("Sedlock et al. 1989's EPOC kcal", "cycling bouts whose intensities are not in our "
     "sources; the EPOC model rests on Bahr et al. 1987 and Smith & McNaughton 1993"),
    ("Chad & Wenger 1988's EPOC ratios", "2.35 and 5.3 fold from 30 to 45 and 60 min at 70 % "
     "in five people, where Bahr et al. 1987 found 1.3 from 20 to 40 min: steeper than any "
     "linear growth; the intensity-duration model gives 1.3 and 1.6"),
    ("Arena et al. 2003's time constants", "the population is not stated"),
    ("pooled PEH means of Carpio-Rivera et al. 2016 and Corso et al. 2017 over all "
     "intensities", "they mix populations and doses"),
    ("Greig et al. 1993's treadmill excess of older adults", "no corridor walking in the "
     "model to compare against"),
    ("falls per hour of backward walking", "no study measures them: the backward factors are "
     "stated assumptions"),
)


def _wrap(text: str, indent: str, width: int = WIDTH) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or \
        [indent]


def summary_line(table_rows: list[Row]) -> str:
    """``131 published values: 120 good, 11 decent, 0 bad``."""
    c = counts(table_rows)
    return f"{len(table_rows)} published values: " + ", ".join(f"{c[m]} {m}" for m in MARKS)


def kind_counts(table_rows: list[Row]) -> str:
    """``calibration 90 (90 good, 0 decent, 0 bad); validation 41 (...)``."""
    parts = []
    for kind in KINDS:
        mine = [r for r in table_rows if r.kind == kind]
        c = counts(mine)
        parts.append(f"{kind} {len(mine)} (" + ", ".join(f"{c[m]} {m}" for m in MARKS) + ")")
    return "; ".join(parts)


_KIND_TEXT = {"calibration": "a table, a definition or a fit against the values it was "
                             "built from",
              "validation": "a model against published data it was not built from"}


def table(table_rows: list[Row]) -> str:
    """The rows as a plain-text table within 80 columns: calibration, then validation, topic
    by topic, each row a line of numbers and its source and quantity below; then the exclusions and
    the counts of each kind, and the summary line at the end."""
    cols = (("mark", 6, False), ("published", 18, True), ("model", 10, True),
            ("difference", 16, True), ("tolerance", 14, True))

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if right else c.ljust(w)
                         for c, (_, w, right) in zip(cells, cols, strict=True)).rstrip()

    out = [line(tuple(c[0] for c in cols)), "    source: quantity"]
    for kind in KINDS:
        out += [""] + _wrap(f"== {kind}: {_KIND_TEXT[kind]} ==", "")
        topic = None
        for r in (r for r in table_rows if r.kind == kind):
            if r.topic != topic:
                topic = r.topic
                out += ["", f"[{topic}]"]
            cells = _cells(r)
            out.append(line((r.mark, cells[2][:18], cells[3], cells[4], cells[5])))
            out += _wrap(f"{r.source}: {r.quantity}", "    ")
    out += ["", "left out, and why:"]
    for what, why in EXCLUSIONS:
        out += textwrap.wrap(f"- {what}: {why}", WIDTH, initial_indent="  ",
                             subsequent_indent="    ")
    return "\n".join([*out, "", *kind_counts(table_rows).split("; "),
                      summary_line(table_rows)])


PAGE_INTRO = """# Validation: the models against the published values

Generated by `retrosim validate --markdown > docs/validation.md` from the same rows that
`retrosim validate` prints (`retrosim/validation/published.py`); a test checks that this page
is current.
Every value is a published one the models rest on (the sources the [model pages](models.md)
and the models' docstrings cite), and the model is run at the conditions the source describes.

- **published**: the value, or its range; **model**: the model's output for the same
  conditions; **difference**: model minus published (0 inside a range), in the quantity's
  unit, or in % when the tolerance is in %.
- **good**: within half the tolerance (for an exact value: equal to its published digits);
  **decent**: within the tolerance; **bad**: outside it. `retrosim validate` exits with
  status 1 if any value is bad.
- **Calibration** rows check a table, a definition or a fit against the values it was built
  from: they catch a slip in the code, not a wrong model. **Validation** rows hold a model
  against published data it was not built from. The two are counted apart."""


def markdown(table_rows: list[Row]) -> str:
    """The rows as the Markdown page ``docs/validation.md``: calibration, then validation."""
    out = [PAGE_INTRO, "", "Left out, and why:", ""]
    out += [f"- {what}: {why}." for what, why in EXCLUSIONS]
    for kind in KINDS:
        out += ["", f"## {kind.capitalize()}: {_KIND_TEXT[kind]}"]
        topic = None
        for r in (r for r in table_rows if r.kind == kind):
            if r.topic != topic:
                topic = r.topic
                out += ["", f"### {topic.capitalize()}", "", "| " + " | ".join(HEADER) + " |",
                        "|" + "---|" * len(HEADER)]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |")
    return "\n".join([*out, "", kind_counts(table_rows) + ".", "",
                      summary_line(table_rows) + ".", ""])
