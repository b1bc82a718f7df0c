"""Many people as a struct of arrays: the :class:`Cohort` the engine simulates.

Every field is a numpy array on the subject axis, so one person is a cohort of one and 10^5
people cost a few vector operations more. Each field means what the :class:`Subject` key of
the same name means (:mod:`retrosim.model.subject`), coded as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from retrosim.model.subject import (
    _COHORT_FIELDS,
    _DEFAULT_HEIGHT_CM,
    BALANCE_LEVELS,
    HANDRAIL_LEVELS,
    MODEL_SCALES,
    Subject,
    check_subject_keys,
)
from retrosim.physiology.balance import level_from_berg
from retrosim.physiology.oxygen import FITNESS_LEVELS
from retrosim.physiology.resting_hr import default_hr_rest


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
    falls_last_year : numpy.ndarray of float, optional
        Falls in the past year [count]; default all 0.
    perturbations_before : numpy.ndarray of float, optional
        Perturbations met in a programme's earlier sessions [count] (the fall model's
        learning carries them over); default all 0.
    berg_entry : numpy.ndarray of float, optional
        The Berg score at a programme's start [points] (the default fall model weighs a change
        since then by the trials' slope); default all NaN (the day's score is the entry).
    vo2_speeding : numpy.ndarray of float, optional
        Training's speeding of VO2 kinetics in place [0-1] (a programme carries it,
        :mod:`retrosim.physiology.vo2_kinetics`); default all 0.
    responsiveness : numpy.ndarray of float, optional
        Each person's responsiveness to training (mean 1,
        :func:`retrosim.physiology.training.responsiveness`); NaN (the default) where it is
        drawn, person by person, from the training stream: the members of a cohort and the
        plausible versions of a person. :meth:`from_subject` gives 1, the average responder:
        like every trait a ``[subject]`` does not give, it is its typical value, the same for
        each of her independent runs, and its spread is in her prediction intervals.
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
    falls_last_year: np.ndarray = None  # type: ignore[assignment]        # 0 when not given
    perturbations_before: np.ndarray = None  # type: ignore[assignment]   # 0 when not given
    berg_entry: np.ndarray = None  # type: ignore[assignment]             # NaN: as ``berg``
    vo2_speeding: np.ndarray = None  # type: ignore[assignment]           # 0 when not given
    responsiveness: np.ndarray = None  # type: ignore[assignment]         # NaN: drawn
    # Multiplicative model errors of plausible versions of a person (see the docstring).
    met_scale: np.ndarray = None  # type: ignore[assignment]
    excess_scale: np.ndarray = None  # type: ignore[assignment]
    epoc_scale: np.ndarray = None  # type: ignore[assignment]
    peh_scale: np.ndarray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        for name in ("tug_s", "backward_speed_mps", "hr_max_bpm", "hr_tau_s",
                     "responsiveness", "berg_entry"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(self.size, np.nan))
        if self.backward_practice_min is None:
            object.__setattr__(self, "backward_practice_min", np.zeros(self.size))
        for name in ("falls_last_year", "perturbations_before", "vo2_speeding"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.zeros(self.size))
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
            ``n`` identical people, numbered ``first`` to ``first + n - 1``, each the average
            responder to training.
        """
        height = subject.height_cm or _DEFAULT_HEIGHT_CM[subject.sex]

        def full(value: float, dtype: Any = float) -> np.ndarray:
            return np.full(n, value, dtype=dtype)

        return cls(
            mass_kg=full(subject.mass_kg), age_yr=full(subject.age_yr),
            female=full(subject.sex == "female", bool), height_cm=full(height),
            hr_rest_bpm=full(float(default_hr_rest(subject.sex == "female"))
                             if subject.hr_rest_bpm is None else subject.hr_rest_bpm),
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
            falls_last_year=full(float(subject.falls_last_year)),
            responsiveness=full(1.0),
        )

    @classmethod
    def concatenate(cls, parts: list[Cohort]) -> Cohort:
        """The people of ``parts`` one after another, each keeping her own fields and index.

        Parameters
        ----------
        parts : list of Cohort
            The cohorts, in order.

        Returns
        -------
        Cohort
            Their people, joined.

        Examples
        --------
        >>> one = Cohort.from_subject(Subject(mass_kg=70, age_yr=40, sex="male"), 1)
        >>> Cohort.concatenate([one, Cohort.from_subject(Subject(
        ...     mass_kg=60, age_yr=30, sex="female"), 2, 1)]).mass_kg.tolist()
        [70.0, 60.0, 60.0]
        """
        return cls(**{f.name: np.concatenate([np.broadcast_to(getattr(p, f.name), (p.size,))
                                              for p in parts]) for f in fields(cls)})

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
