"""The post-exercise hypotension (PEH) models by name: ``[bp] peh`` chooses one.

Each is a :class:`~retrosim.physiology.hypotension.PehModel` parameter set
(:data:`PEH_MODELS`), registered with its sources, what it is and what to keep in mind
(:data:`PEH_REGISTRY`, whose entries compute the drop at the nadir with their parameters):

- ``age-pressure-tail`` (default): the smooth drop by resting pressure, dosed by relative
  intensity, whose recovery lengthens with age above 40, weighted by resting SBP
  (:func:`~retrosim.physiology.peh_course.recovery_tau`; Taylor-Tolbert et al. 2000);
- ``kenney-seals-smooth``: the same with one recovery constant for everyone (10.6 h);
- ``kenney-seals-relative``: the drop held at the normotensive value below 120/80;
- ``corso-2017-met``: dosed by absolute MET (the first model).

References
----------
Kenney & Seals (1993) Hypertension 22:653; Corso et al. (2017) Med Sci Sports Exerc 49(5S);
MacDonald (2002) J Hum Hypertens 16:225; Taylor-Tolbert et al. (2000) Am J Hypertens 13:44
(docs/references.md).

>>> sorted(PEH_MODELS) == sorted(PEH_REGISTRY)
True
>>> PEH_MODELS[DEFAULT_PEH_MODEL].tail
'age-pressure'
"""

from __future__ import annotations

import functools

from retrosim.physiology.hypotension import PEH, PehModel, peh_drop_at_nadir
from retrosim.physiology.registry import Model

#: The age-and-pressure tail; its two constants are fitted by ``bench/fit_peh_tail.py``.
AGE_PRESSURE_TAIL = PehModel(tail="age-pressure", tail_per_decade=0.956,
                             tail_recovery_tau_s=29_494.0)

#: PEH models by name (``PehModel`` parameter sets; ``[bp] peh``).
PEH_MODELS = {"age-pressure-tail": AGE_PRESSURE_TAIL,
              "kenney-seals-smooth": PEH,
              "kenney-seals-relative": PehModel(baseline="clamped"),
              "corso-2017-met": PehModel(dose="met", baseline="clamped")}
DEFAULT_PEH_MODEL = "age-pressure-tail"

_DROP = ("Kenney & Seals (1993) Hypertension 22:653",
         "Corso et al. (2017) Med Sci Sports Exerc 49(5S)",
         "MacDonald et al. (2000) J Hum Hypertens 14:125",
         "Carpio-Rivera et al. (2016) Arq Bras Cardiol 106:422")
_SMOOTH = ("MacDonald (2002) J Hum Hypertens 16:225",
           "Pescatello et al. (2004) Med Sci Sports Exerc 36:533")


def _entry(name: str, references: tuple[str, ...], description: str, caveat: str) -> Model:
    return Model(functools.partial(peh_drop_at_nadir, model=PEH_MODELS[name]), references,
                 description, caveat)


#: The PEH models as registry entries (docs tables, a run's references and caveats).
PEH_REGISTRY = {
    "age-pressure-tail": _entry(
        "age-pressure-tail",
        (*_DROP, *_SMOOTH, "Taylor-Tolbert et al. (2000) Am J Hypertens 13:44"),
        "the smooth drop by resting pressure and relative intensity, recovering more slowly "
        "with age above 40 the higher the resting SBP (about 20 h at 60 yr and 145 mmHg, "
        "8-9 h in young adults)",
        "The recovery constant is fitted to two groups: Corso et al. 2017's (41.8 yr, 140.6 "
        "mmHg) keeps the fixed model's 10.6 h and Taylor-Tolbert et al. 2000's 60-year-old "
        "hypertensive men keep 6 mmHg at 16 h (their resting pressure, 145/95, and BMI, 30, "
        "are assumptions); the shapes of the age and pressure weights are assumptions, and "
        "past about 24 h no study in our sources measured the drop."),
    "kenney-seals-smooth": _entry(
        "kenney-seals-smooth", (*_DROP, *_SMOOTH),
        "the drop by resting pressure, smooth over the whole range, dosed by relative "
        "intensity; one recovery constant (10.6 h) for everyone",
        "One recovery constant, fitted to Corso et al. 2017's awake means, for every age and "
        "pressure: an older hypertensive's drop has faded to about 3 mmHg by 16 h where "
        "ambulatory studies find 6-13."),
    "kenney-seals-relative": _entry(
        "kenney-seals-relative", _DROP,
        "the drop by resting pressure, the normotensive value for everyone below 120/80, "
        "dosed by relative intensity",
        "Every normotensive below 120/80 gets the same drop."),
    "corso-2017-met": _entry(
        "corso-2017-met", _DROP,
        "the drop by resting pressure (clamped below 120/80), dosed by absolute MET (Corso "
        "et al. 2017's classes; the first model)",
        "A very old or unfit person walking slowly, at a high relative intensity, gets "
        "almost no PEH."),
}
