"""The walker: one ``Subject`` (a person, validated) and a ``Cohort`` (struct of arrays).

The engine simulates a ``Cohort``: every field is a numpy array on the subject axis, so one
person is a cohort of one and 10^5 people cost a few vector operations more.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from retrosim.errors import InputError, check_choice, check_number
from retrosim.physiology import balance
from retrosim.physiology.balance import level_from_berg
from retrosim.physiology.energy import HANDRAIL_CODES
from retrosim.physiology.oxygen import FITNESS_LEVELS

SEXES = ("female", "male")
BALANCE_LEVELS = balance.BALANCE_LEVELS
HANDRAIL_LEVELS = HANDRAIL_CODES

#: Defaults for optional subject keys, each a stated assumption (docs/scenario-format.md).
DEFAULTS: dict[str, Any] = {
    "hr_rest_bpm": 70.0,            # a typical adult resting heart rate
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
        Resting heart rate [min-1]; None (default) is a typical 70, an assumption whose spread
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
    trait_sd : tuple of (str, float)
        ``(key, sd)`` pairs: the uncertainty of traits given as ``{mean, sd}`` (a fitted
        person, :data:`UNCERTAIN_KEYS`); the field holds the mean, the prediction intervals
        draw the trait with this sd.

    See Also
    --------
    Cohort : Many people, as a struct of arrays.

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


@dataclass(frozen=True)
class Cohort:
    """People as a struct of arrays: every field has one entry per subject.

    The fields mean what those of :class:`Subject` mean, coded as arrays.

    Parameters
    ----------
    mass_kg, age_yr : numpy.ndarray of float
        As in :class:`Subject` ([kg], [yr]).
    female : numpy.ndarray of bool
        True for a woman.
    height_cm, hr_rest_bpm : numpy.ndarray of float
        As in :class:`Subject` ([cm], [min-1]).
    vo2max_ml_kg_min : numpy.ndarray of float
        Maximal oxygen uptake [mL kg-1 min-1]; NaN when it is to be predicted.
    balance : numpy.ndarray of int
        Index into ``BALANCE_LEVELS``.
    berg : numpy.ndarray of float
        The Berg Balance Scale; NaN when not given.
    sbp_rest, dbp_rest : numpy.ndarray of float
        Seated resting systolic and diastolic pressure [mmHg].
    handrail : numpy.ndarray of int
        Index into ``HANDRAIL_LEVELS``.
    fitness : numpy.ndarray of int
        Index into ``FITNESS_LEVELS``.
    index : numpy.ndarray of int
        Each person's global subject number: it keys their random streams, so a person draws
        the same numbers whichever batch or chunk they are simulated in.
    tug_s, backward_speed_mps : numpy.ndarray of float, optional
        Timed Up and Go [s] and usual backward speed [m s-1]; NaN (the default) when not
        measured.
    bp_medication : numpy.ndarray of bool, optional
        Takes antihypertensive medication; default all False.
    hr_max_bpm : numpy.ndarray of float, optional
        Measured maximal heart rate [min-1]; NaN (the default) when predicted.
    hr_tau_s : numpy.ndarray of float, optional
        Heart-rate time constant [s]; NaN (the default) for the model's 30 s.
    backward_practice_min : numpy.ndarray of float, optional
        Accumulated backward practice [min]; default all 0.
    met_scale, excess_scale, epoc_scale, peh_scale : numpy.ndarray of float, optional
        Multiplicative model errors of plausible versions of a person (net MET, backward HR
        excess, EPOC's slow volume, PEH), drawn by ``retrosim.results.intervals``; 1 when
        None (the default).

    See Also
    --------
    Subject : One person.

    Examples
    --------
    >>> Cohort.from_subject(Subject(mass_kg=70, age_yr=40, sex="male"), 3).index.tolist()
    [0, 1, 2]
    """

    mass_kg: np.ndarray
    age_yr: np.ndarray
    female: np.ndarray
    height_cm: np.ndarray
    hr_rest_bpm: np.ndarray
    vo2max_ml_kg_min: np.ndarray
    balance: np.ndarray
    berg: np.ndarray
    sbp_rest: np.ndarray
    dbp_rest: np.ndarray
    handrail: np.ndarray
    fitness: np.ndarray
    index: np.ndarray
    tug_s: np.ndarray | None = None                 # NaN when not measured
    backward_speed_mps: np.ndarray | None = None    # NaN when not measured
    bp_medication: np.ndarray | None = None         # bool; False when not given
    hr_max_bpm: np.ndarray = None  # type: ignore[assignment]             # NaN: predicted
    hr_tau_s: np.ndarray = None  # type: ignore[assignment]               # NaN: HR_TAU_S
    backward_practice_min: np.ndarray = None  # type: ignore[assignment]  # 0 when not given
    # Multiplicative model errors of plausible versions of a person (see the docstring).
    met_scale: np.ndarray = None  # type: ignore[assignment]
    excess_scale: np.ndarray = None  # type: ignore[assignment]
    epoc_scale: np.ndarray = None  # type: ignore[assignment]
    peh_scale: np.ndarray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        for name in ("tug_s", "backward_speed_mps", "hr_max_bpm", "hr_tau_s"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(self.size, np.nan))
        if self.backward_practice_min is None:
            object.__setattr__(self, "backward_practice_min", np.zeros(self.size))
        for name in MODEL_SCALES:
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.ones(self.size))
        if self.bp_medication is None:
            object.__setattr__(self, "bp_medication", np.zeros(self.size, bool))

    @property
    def size(self) -> int:
        """The number of people."""
        return int(self.mass_kg.shape[0])

    @classmethod
    def from_subject(cls, subject: Subject, n: int = 1, first: int = 0) -> Cohort:
        """Make ``n`` people with the characteristics of ``subject``.

        Parameters
        ----------
        subject : Subject
            The person each of them is.
        n : int, default 1
            How many.
        first : int, default 0
            The global subject number of the first; the others follow.

        Returns
        -------
        Cohort
            ``n`` identical people, numbered ``first`` to ``first + n - 1``.
        """
        height = subject.height_cm or _DEFAULT_HEIGHT_CM[subject.sex]

        def full(value: float, dtype: Any = float) -> np.ndarray:
            return np.full(n, value, dtype=dtype)

        return cls(
            mass_kg=full(subject.mass_kg), age_yr=full(subject.age_yr),
            female=full(subject.sex == "female", bool), height_cm=full(height),
            hr_rest_bpm=full(DEFAULTS["hr_rest_bpm"] if subject.hr_rest_bpm is None
                             else subject.hr_rest_bpm),
            vo2max_ml_kg_min=full(np.nan if subject.vo2max_ml_kg_min is None
                                  else subject.vo2max_ml_kg_min),
            balance=full(BALANCE_LEVELS.index(subject.balance) if subject.berg is None
                         else int(level_from_berg(subject.berg)), np.int8),
            berg=full(np.nan if subject.berg is None else subject.berg),
            tug_s=full(np.nan if subject.tug_s is None else subject.tug_s),
            backward_speed_mps=full(np.nan if subject.backward_speed_mps is None
                                    else subject.backward_speed_mps),
            sbp_rest=full(subject.resting_bp_mmhg[0]), dbp_rest=full(subject.resting_bp_mmhg[1]),
            handrail=full(HANDRAIL_LEVELS.index(subject.handrail), np.int8),
            fitness=full(FITNESS_LEVELS.index(subject.fitness), np.int8),
            index=np.arange(first, first + n, dtype=np.int64),
            bp_medication=full(subject.bp_medication, bool),
            hr_max_bpm=full(np.nan if subject.hr_max_bpm is None else subject.hr_max_bpm),
            backward_practice_min=full(subject.backward_practice_min),
            hr_tau_s=full(np.nan if subject.hr_tau_s is None else subject.hr_tau_s),
        )

    def with_handrail(self, handrail: str) -> Cohort:
        """Return the same people using another handrail support.

        Parameters
        ----------
        handrail : {"none", "light", "grip"}
            The support all of them use.

        Returns
        -------
        Cohort
            A copy with the new ``handrail`` codes.
        """
        code = np.full(self.size, HANDRAIL_LEVELS.index(handrail), dtype=np.int8)
        return Cohort(**{**self.__dict__, "handrail": code})

    def with_subject_keys(self, table: dict[str, Any]) -> Cohort:
        """Return the same people with some subject keys set for all.

        Parameters
        ----------
        table : dict
            Subject keys and values (an arm's ``subject`` table), as in :class:`Subject`.

        Returns
        -------
        Cohort
            A copy with the fields those keys set replaced.

        Examples
        --------
        >>> c = Cohort.from_subject(Subject(mass_kg=70, age_yr=40, sex="male", berg=50), 2)
        >>> c.with_subject_keys({"balance": "severe"}).berg.tolist()
        [nan, nan]
        """
        one = Cohort.from_subject(check_subject_keys(table))
        changed = {name for key in table for name in _COHORT_FIELDS[key]}
        return Cohort(**{**self.__dict__, **{name: np.broadcast_to(
            getattr(one, name), (self.size,)).copy() for name in changed}})


#: The cohort arrays each subject key sets.
_COHORT_FIELDS = {
    "mass_kg": ("mass_kg",), "age_yr": ("age_yr",), "sex": ("female",),
    "height_cm": ("height_cm",), "hr_rest_bpm": ("hr_rest_bpm",),
    "vo2max_ml_kg_min": ("vo2max_ml_kg_min",), "balance": ("balance", "berg"),
    "berg": ("balance", "berg"), "resting_bp_mmhg": ("sbp_rest", "dbp_rest"),
    "handrail": ("handrail",), "fitness": ("fitness",), "tug_s": ("tug_s",),
    "backward_speed_mps": ("backward_speed_mps",), "bp_medication": ("bp_medication",),
    "hr_max_bpm": ("hr_max_bpm",), "backward_practice_min": ("backward_practice_min",),
    "hr_tau_s": ("hr_tau_s",)}


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
