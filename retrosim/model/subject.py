"""The walker: one ``Subject``, a person validated from a ``[subject]`` table, with the
names, defaults and ranges of a person's traits (the engine's many people, as arrays, are
:class:`retrosim.model.people.Cohort`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from retrosim.errors import InputError, check_choice, check_number
from retrosim.physiology import balance
from retrosim.physiology.energy import HANDRAIL_CODES
from retrosim.physiology.oxygen import FITNESS_LEVELS

SEXES = ("female", "male")
BALANCE_LEVELS = balance.BALANCE_LEVELS
HANDRAIL_LEVELS = HANDRAIL_CODES

#: Defaults for optional subject keys, each a stated assumption (docs/scenario-format.md).
DEFAULTS: dict[str, Any] = {
    "hr_rest_bpm": None,            # 71 (male) / 74 (female), NHANES (resting_hr.default_hr_rest)
    "height_cm": None,              # 175 (male) / 162 (female) when needed
    "vo2max_ml_kg_min": None,       # predicted from mass, age and sex (oxygen.wasserman_vo2max)
    "balance": "good",
    "berg": None,
    "resting_bp_mmhg": (120.0, 80.0),
    "handrail": "none",
    "fitness": "recreational",
    "bp_medication": False,         # no antihypertensive medication
    "hr_max_bpm": None,             # predicted from age and sex ([energy] hr_max)
    "backward_practice_min": 0.0,   # unpractised at backward walking
    "hr_tau_s": None,               # heart.HR_TAU_S, 30 s (McNarry et al. 2012)
    "falls_last_year": 0,           # no fall in the past year
}
_DEFAULT_HEIGHT_CM = {"female": 162.0, "male": 175.0}

#: The cohort's model-error factors (``Cohort.met_scale``, ...), 1 for the central model.
MODEL_SCALES = ("met_scale", "excess_scale", "epoc_scale", "peh_scale")

#: Accepted ranges: adult physiology and what the models were fitted on.
LIMITS = {
    "mass_kg": (30.0, 250.0, "kg"),
    "age_yr": (18.0, 100.0, "yr"),
    "height_cm": (120.0, 220.0, "cm"),
    "hr_rest_bpm": (35.0, 120.0, "min-1"),
    "vo2max_ml_kg_min": (8.0, 90.0, "mL kg-1 min-1"),
    "hr_max_bpm": (80.0, 230.0, "min-1"),
    "backward_practice_min": (0.0, 1.0e6, "min"),
    "hr_tau_s": (5.0, 180.0, "s"),
    "berg": (0.0, 56.0, ""),
    "falls_last_year": (0.0, 365.0, "falls"),
    "tug_s": (3.0, 120.0, "s"),
    "backward_speed_mps": (0.05, 2.0, "m s-1"),
    "sbp": (70.0, 250.0, "mmHg"),
    "dbp": (40.0, 150.0, "mmHg"),
}


@dataclass(frozen=True)
class Subject:
    """One person on the treadmill.

    Parameters
    ----------
    mass_kg : float
        Body mass [kg].
    age_yr : float
        Age [yr].
    sex : {"female", "male"}
        Sex, for the equations that depend on it.
    hr_rest_bpm : float, optional
        Resting heart rate [min-1]; None (default) is the adult mean of the person's sex, 71
        (male) or 74 (female) seated (Ostchega et al. 2011, NHANES 1999-2008;
        :func:`retrosim.physiology.resting_hr.default_hr_rest`), an assumption whose spread
        the prediction intervals carry.
    vo2max_ml_kg_min : float, optional
        Maximal oxygen uptake [mL kg-1 min-1]; predicted when None.
    height_cm : float, optional
        Stature [cm]; default 162 (female) / 175 (male); used by Mifflin-St Jeor.
    balance : {"good", "moderate", "impaired", "severe"}, default "good"
        The balance level, when ``berg`` is not given.
    berg : float, optional
        The Berg Balance Scale (0-56); it sets the balance level when given.
    resting_bp_mmhg : tuple of float, default (120, 80)
        Seated resting (systolic, diastolic) [mmHg].
    handrail : {"none", "light", "grip"}, default "none"
        The support the person uses while walking.
    fitness : {"inactive", "recreational", "trained"}, default "recreational"
        Sets the VO2 time constant.
    tug_s : float, optional
        Timed Up and Go [s]; 13.5 s or more marks balance as at best moderate (Barry et al.
        2014; ``physiology.balance.effective_berg``).
    backward_speed_mps : float, optional
        Usual backward walking speed [m s-1]; below 0.6 marks balance as at best moderate
        (Fritz et al. 2013).
    bp_medication : bool, default False
        Takes antihypertensive medication. It shrinks the post-exercise hypotension
        (``physiology.hypotension.person_factor``).
    hr_max_bpm : float, optional
        Measured maximal heart rate [min-1]; predicted from age when None.
    backward_practice_min : float, default 0
        Minutes of accumulated effective backward practice (0: unpractised). The backward
        heart-rate excess shrinks with it (``physiology.heart.backward_excess``).
    hr_tau_s : float, optional
        Heart-rate time constant [s]; None (default) is ``heart.HR_TAU_S``, 30 s.
    falls_last_year : int, default 0
        Falls in the past year [count]. The covariate fall models (the default
        "perturbations-entry", and "perturbations-covariates") raise the odds of a fall by
        2.8 for one and 3.5 for two or more (Deandrea et al. 2010); the default centres them
        on a population 30 % of whom fell (Tinetti et al. 1988); "perturbations" ignores it.
    trait_sd : tuple of (str, float)
        ``(key, sd)`` pairs: the uncertainty of traits given as ``{mean, sd}`` (a fitted
        person, :data:`UNCERTAIN_KEYS`); the field holds the mean, the prediction intervals
        draw the trait with this sd.

    See Also
    --------
    retrosim.Cohort : Many people, as a struct of arrays.

    Examples
    --------
    >>> Subject(mass_kg=61.0, age_yr=55, sex="female").handrail
    'none'
    """

    mass_kg: float
    age_yr: float
    sex: str
    hr_rest_bpm: float | None = None
    vo2max_ml_kg_min: float | None = None
    height_cm: float | None = None
    balance: str = "good"
    berg: float | None = None
    resting_bp_mmhg: tuple[float, float] = (120.0, 80.0)
    handrail: str = "none"
    fitness: str = "recreational"
    tug_s: float | None = None
    backward_speed_mps: float | None = None
    bp_medication: bool = False
    hr_max_bpm: float | None = None
    backward_practice_min: float = 0.0
    hr_tau_s: float | None = None
    falls_last_year: int = 0
    trait_sd: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        for name in ("mass_kg", "age_yr", "hr_rest_bpm", "vo2max_ml_kg_min", "height_cm",
                     "tug_s", "backward_speed_mps", "hr_max_bpm", "backward_practice_min",
                     "hr_tau_s"):
            value = getattr(self, name)
            if value is not None:
                low, high, unit = LIMITS[name]
                object.__setattr__(self, name, check_number(name, value, low, high, unit))
        check_choice("sex", self.sex, SEXES)
        check_choice("balance", self.balance, BALANCE_LEVELS)
        check_choice("handrail", self.handrail, HANDRAIL_LEVELS)
        check_choice("fitness", self.fitness, FITNESS_LEVELS)
        low, high, unit = LIMITS["falls_last_year"]
        object.__setattr__(self, "falls_last_year", int(check_number(
            "falls_last_year", self.falls_last_year, low, high, unit, integer=True)))
        if self.berg is not None:
            object.__setattr__(self, "berg", check_number("berg", self.berg, 0, 56,
                                                          integer=True))
        bp = self.resting_bp_mmhg
        if not isinstance(bp, list | tuple) or len(bp) != 2:
            raise InputError("resting_bp_mmhg", f"{bp!r} is not a [systolic, diastolic] pair",
                             "[70-250, 40-150] mmHg")
        sbp = check_number("resting_bp_mmhg[0]", bp[0], *LIMITS["sbp"])
        dbp = check_number("resting_bp_mmhg[1]", bp[1], *LIMITS["dbp"])
        if dbp >= sbp:
            raise InputError("resting_bp_mmhg", f"diastolic {dbp:g} is not below systolic "
                             f"{sbp:g}", "diastolic < systolic")
        object.__setattr__(self, "resting_bp_mmhg", (sbp, dbp))
        if not isinstance(self.bp_medication, bool):
            raise InputError("bp_medication", f"{self.bp_medication!r} is not true or false",
                             "true | false")

    @classmethod
    def from_dict(cls, table: dict[str, Any]) -> Subject:
        """Build from a scenario's ``[subject]`` table.

        A trait of :data:`UNCERTAIN_KEYS` may be ``{mean = .., sd = .., from = ".."}``
        (:func:`split_uncertain`).

        Parameters
        ----------
        table : dict
            The table's keys and values (those of :class:`Subject`).

        Returns
        -------
        Subject
            The validated person.

        Raises
        ------
        InputError
            For an unknown or missing key, or a value out of its range.
        """
        table, sds = split_uncertain(table)
        known = {f.name for f in fields(cls)} - {"trait_sd"}
        for key in table:
            if key not in known:
                raise InputError(key, "is not a subject key", ", ".join(sorted(known)))
        for key in ("mass_kg", "age_yr"):
            if key not in table:
                low, high, unit = LIMITS[key]
                raise InputError(key, "is required", f"{low:g}-{high:g} {unit}")
        if "sex" not in table:
            raise InputError("sex", "is required", " | ".join(SEXES))
        if "balance" in table and "berg" in table:
            raise InputError("berg", "give either balance or berg, not both",
                             f"balance = {' | '.join(BALANCE_LEVELS)}, or berg = 0-56")
        return cls(**table, trait_sd=tuple(sds.items()))

    def uncertain(self) -> dict[str, float]:
        """The sd of each trait given with one (``{mean, sd}``), by key.

        Returns
        -------
        dict of str to float
            The sd of each such trait, by its key.
        """
        return dict(self.trait_sd)


#: Traits a ``[subject]`` may give with their uncertainty, ``{mean, sd, from}`` (a fitted person).
UNCERTAIN_KEYS = ("hr_rest_bpm", "vo2max_ml_kg_min", "hr_max_bpm", "hr_tau_s",
                  "backward_practice_min")
_UNCERTAIN_PARTS = ("mean", "sd", "from")


def split_uncertain(table: dict[str, Any]) -> tuple[dict[str, Any], dict[str, float]]:
    """A ``[subject]`` table with each ``{mean, sd, from}`` trait replaced by its mean, and the
    sds by key. ``sd`` is in the trait's unit, above 0 and below the width of its range;
    ``from`` (optional) says where the value came from ("fit", "measured", ...).

    >>> split_uncertain({"mass_kg": 70, "hr_rest_bpm": {"mean": 61.5, "sd": 2.0, "from": "fit"}})
    ({'mass_kg': 70, 'hr_rest_bpm': 61.5}, {'hr_rest_bpm': 2.0})
    """
    plain, sds = dict(table), {}
    for key, value in table.items():
        if not isinstance(value, dict):
            continue
        if key not in UNCERTAIN_KEYS:
            raise InputError(key, "takes a plain value ({mean, sd} is for "
                             f"{', '.join(UNCERTAIN_KEYS)})", "a number")
        for part in value:
            if part not in _UNCERTAIN_PARTS:
                raise InputError(f"{key}.{part}", "is not a part of an uncertain trait",
                                 ", ".join(_UNCERTAIN_PARTS))
        low, high, unit = LIMITS[key]
        if "mean" not in value or "sd" not in value:
            raise InputError(key, "needs both mean and sd",
                             f"{{mean = {low:g}-{high:g}, sd = > 0}} {unit}")
        plain[key] = check_number(f"{key}.mean", value["mean"], low, high, unit)
        sds[key] = check_number(f"{key}.sd", value["sd"], 0.0, high - low, unit)
        if sds[key] <= 0.0:
            raise InputError(f"{key}.sd", "is not above 0", f"0-{high - low:g} {unit}")
        origin = value.get("from", "fit")
        if not isinstance(origin, str) or not origin.isidentifier() or len(origin) > 40:
            raise InputError(f"{key}.from", f"{origin!r} is not a short word",
                             '"fit", "measured", ...')
    return plain, sds


#: The cohort arrays each subject key sets.
_COHORT_FIELDS = {
    "mass_kg": ("mass_kg",), "age_yr": ("age_yr",), "sex": ("female",),
    "height_cm": ("height_cm",), "hr_rest_bpm": ("hr_rest_bpm",),
    "vo2max_ml_kg_min": ("vo2max_ml_kg_min",), "balance": ("balance", "berg"),
    "berg": ("balance", "berg"), "resting_bp_mmhg": ("sbp_rest", "dbp_rest"),
    "handrail": ("handrail",), "fitness": ("fitness",), "tug_s": ("tug_s",),
    "backward_speed_mps": ("backward_speed_mps",), "bp_medication": ("bp_medication",),
    "hr_max_bpm": ("hr_max_bpm",), "backward_practice_min": ("backward_practice_min",),
    "hr_tau_s": ("hr_tau_s",), "falls_last_year": ("falls_last_year",)}


def check_subject_keys(table: Any) -> Subject:
    """Validate a partial subject table (an arm's overrides); a Subject with them set."""
    if not isinstance(table, dict):
        raise InputError("", f"{table!r} is not a table of subject keys",
                         "{balance = \"severe\"}, {berg = 38}, ...")
    for key in table:
        if key not in _COHORT_FIELDS:
            raise InputError(key, "is not a subject key", ", ".join(_COHORT_FIELDS))
    if "balance" in table and "berg" in table:
        raise InputError("berg", "give either balance or berg, not both",
                         f"balance = {' | '.join(BALANCE_LEVELS)}, or berg = 0-56")
    return Subject(**{"mass_kg": 70.0, "age_yr": 40.0, "sex": "female", **table})
