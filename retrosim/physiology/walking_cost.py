"""The person term of walking cost: older adults pay more per kilogram at the same speed.

The energy models (:mod:`retrosim.physiology.energy`) give one MET for a speed, grade and
direction whoever walks. Healthy older adults spend more net energy per kilogram and metre:
the net cost of walking was 2.4 J kg-1 m-1 in young adults (18-41 yr) and 2.8 in older adults
(59 yr and over) over all studies reviewed, about 17 % more (Das Gupta et al. 2019, systematic
review and meta-analysis); Mian et al. 2006 measured it in young and older men. Part of the
excess may come from how older people are tested (on a treadmill more than overground: Das
Gupta et al. 2021), which suits a treadmill simulator.

A walking-cost model scales the net MET (``MET - 1``) by a person factor, so rest stays 1 MET
and a young adult's MET is the energy model's:

- ``das-gupta-2019`` (default): ``1 + 0.167 w``, ``w`` rising linearly from 0 at 25 yr to 1 at
  70 yr (the anchor ages stand for the review's young and older groups: an assumption), so a
  person of 70 or more pays 2.8 / 2.4 of the young net cost.
- ``none``: factor 1, the energy model's numbers unchanged for everyone.

The person term applies to the modelled energy models (``continuous``, ``acsm``, ...), which
predict the cost of the person walking, and not to a lookup of a published table
(:data:`retrosim.physiology.energy.TABLE_LOOKUPS`: the Compendium's codes): a lookup returns
the table's MET, the one intensity the Compendium assigns an activity for adults in general
(Ainsworth et al. 2011), so the 2011 Compendium's 45.90 / 64.05 / 85.40 kcal stay the table's
at any age. :func:`in_effect` says which term a run uses and :func:`person_factor` gives it.

>>> person_factor("das-gupta-2019", "continuous", [25, 70]).round(4).tolist()
[1.0, 1.1667]
>>> person_factor("das-gupta-2019", "compendium-2011", [25, 70]).tolist()
[1.0, 1.0]

References
----------
- Das Gupta S, Bobbert MF, Kistemaker DA (2019) Sci Rep 9, doi:10.1038/s41598-019-45602-4.
- Mian OS et al. (2006) Acta Physiol 186:127-139, doi:10.1111/j.1748-1716.2006.01522.x.
- Ainsworth BE et al. (2011) Med Sci Sports Exerc 43(8):1575-81 (the Compendium's MET).
- Full entries: docs/references.md (das-gupta-2019, mian-2006, das-gupta-2021).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology.energy import TABLE_LOOKUPS
from retrosim.physiology.registry import Model

#: Net cost of walking [J kg-1 m-1], young and older adults (Das Gupta et al. 2019).
NET_COST_J_KG_M = {"young": 2.4, "older": 2.8}
#: The ages the two groups stand for [yr] (an assumption).
ANCHOR_AGES = (25.0, 70.0)


def no_person_term(age_yr: ArrayLike) -> np.ndarray:
    """Factor 1 on the net MET for everyone: the energy model as it is.

    >>> no_person_term([30, 80]).tolist()
    [1.0, 1.0]
    """
    return np.ones(np.shape(age_yr))


def das_gupta_2019_factor(age_yr: ArrayLike) -> np.ndarray:
    """Factor on the net MET of walking by age [-], 1 to 2.8 / 2.4.

    ``1 + (2.8 / 2.4 - 1) clip((age - 25) / (70 - 25), 0, 1)``: never below 1, never above
    the older group's excess, and never falling with age.

    Parameters
    ----------
    age_yr : array_like
        Age [yr].

    Returns
    -------
    numpy.ndarray
        The factor [-].

    References
    ----------
    Das Gupta S, Bobbert MF, Kistemaker DA (2019) Sci Rep 9, doi:10.1038/s41598-019-45602-4
    (net cost 2.4 J kg-1 m-1 young, 2.8 older); the anchor ages are an assumption.

    Examples
    --------
    >>> das_gupta_2019_factor([20, 25, 47.5, 70, 90]).round(4).tolist()
    [1.0, 1.0, 1.0833, 1.1667, 1.1667]
    """
    excess = NET_COST_J_KG_M["older"] / NET_COST_J_KG_M["young"] - 1.0
    w = np.clip((np.asarray(age_yr, dtype=float) - ANCHOR_AGES[0])
                / (ANCHOR_AGES[1] - ANCHOR_AGES[0]), 0.0, 1.0)
    return 1.0 + excess * w


#: The walking-cost person terms, by name (``[energy] walking_cost``).
WALKING_COST_MODELS = {
    "none": Model(no_person_term, (), "no person term: the energy model's MET for everyone",
                  "Walking cost has no person term: people of every age pay the energy model's "
                  "cost per kg, where older adults pay measurably more on a treadmill (Das "
                  "Gupta et al. 2019; the default, '[energy] walking_cost = \"das-gupta-2019\"', "
                  "adds it)."),
    "das-gupta-2019": Model(
        das_gupta_2019_factor,
        ("Das Gupta S et al. (2019) Sci Rep 9 (net cost of walking, young and older adults)",
         "Mian OS et al. (2006) Acta Physiol 186:127 (walking cost of young and older men)"),
        "net MET x 1 at 25 yr rising to x 1.17 at 70 yr and over",
        "Net walking cost rises with age from x 1 at 25 yr to x 1.17 from 70 yr (treadmill "
        "walking; the two anchor ages are assumptions); overground, a later study by the same "
        "group found no age effect."),
}
DEFAULT_WALKING_COST_MODEL = "das-gupta-2019"


def in_effect(name: str, energy_model: str) -> str:
    """The walking-cost model a run uses: ``name``, or ``"none"`` under an energy model that
    looks a published table up (:data:`~retrosim.physiology.energy.TABLE_LOOKUPS`), whose MET
    is the table's for adults in general, not a prediction for the person walking.

    Parameters
    ----------
    name : str
        A key of :data:`WALKING_COST_MODELS` (``[energy] walking_cost``).
    energy_model : str
        A key of :data:`retrosim.physiology.energy.ENERGY_MODELS` (``[energy] model``).

    Returns
    -------
    str
        A key of :data:`WALKING_COST_MODELS`.

    References
    ----------
    Ainsworth BE et al. (2011) Med Sci Sports Exerc 43(8):1575-81 (the Compendium's MET).

    Examples
    --------
    >>> in_effect("das-gupta-2019", "continuous"), in_effect("das-gupta-2019", "compendium-2011")
    ('das-gupta-2019', 'none')
    """
    return "none" if energy_model in TABLE_LOOKUPS else name


def person_factor(name: str, energy_model: str, age_yr: ArrayLike) -> np.ndarray:
    """Factor on the net MET of walking [-] of walking-cost model ``name`` for people of
    ``age_yr`` under energy model ``energy_model`` (1 under a table lookup: :func:`in_effect`).

    Parameters
    ----------
    name, energy_model : str
        As :func:`in_effect` takes them.
    age_yr : array_like
        Age [yr].

    Returns
    -------
    numpy.ndarray
        The factor [-], shaped like ``age_yr``.

    References
    ----------
    Das Gupta S, Bobbert MF, Kistemaker DA (2019) Sci Rep 9, doi:10.1038/s41598-019-45602-4.

    Examples
    --------
    >>> person_factor("none", "continuous", [70.0]).tolist()
    [1.0]
    """
    return WALKING_COST_MODELS[in_effect(name, energy_model)](age_yr)
