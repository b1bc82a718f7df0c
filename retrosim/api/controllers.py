"""Which arms of a run a controller drives, and the controller as a run builds it: what the
testing API and the report's controller section need, without the engine.
"""

from __future__ import annotations

from typing import Any

from retrosim.engine import controlled
from retrosim.model.arm import Arm
from retrosim.model.scenario import Scenario


def controlled_arms(scenario: Scenario) -> list[Arm]:
    """The arms a run drives in the closed loop: those with a controller or with faults.

    Their stages are where the controller starts from, not what the belt does; every other
    arm walks its stages as written.

    Parameters
    ----------
    scenario : Scenario
        From :func:`retrosim.load_scenario`.

    Returns
    -------
    list of Arm
        In the scenario's order.

    Examples
    --------
    >>> from retrosim.model.scenario import load_scenario
    >>> [arm.name for arm in controlled_arms(load_scenario("controller-regression"))]
    ['forward', 'backward', 'spike-supervised']
    >>> controlled_arms(load_scenario("forward-vs-backward"))
    []
    """
    return [arm for arm in scenario.arms.values() if controlled.is_controlled(arm)]


def build_controller(arm: Arm, scenario: Scenario) -> Any:
    """The controller of ``arm`` as a run builds it, before anything walks.

    Built from the arm's ``[controller]`` (the stages as written when it has none) inside the
    contract check (:class:`retrosim.controllers.contract.Checked`) and, when asked, the
    safety supervisor with the scenario's ``[safety]`` limits.

    Parameters
    ----------
    arm : Arm
        One of ``scenario``'s arms.
    scenario : Scenario
        The scenario it belongs to.

    Returns
    -------
    object
        The controller (``period_s`` and ``step(observation)``).

    Raises
    ------
    retrosim.controllers.contract.ControllerError
        A controller that breaks its contract at build time (no ``period_s``, parameters of
        the wrong type).
    """
    return controlled.build_controller(arm, scenario, None)
