"""retrosim: a discrete-event simulator of forward and backward treadmill walking.

>>> import retrosim
>>> ds = retrosim.run(retrosim.load_scenario("compendium-2011"))
>>> ds.energy_total.round().values[:, 0].tolist()
[46.0, 64.0, 85.0]
"""

from __future__ import annotations

__version__ = "0.1.0"

from retrosim.engine.simulate import run  # noqa: E402
from retrosim.errors import InputError, RetrosimError, RetrosimWarning  # noqa: E402
from retrosim.model.protocol import Protocol, Stage  # noqa: E402
from retrosim.model.scenario import Scenario, load_scenario  # noqa: E402
from retrosim.model.subject import Cohort, Subject  # noqa: E402

__all__ = ["Cohort", "InputError", "Protocol", "RetrosimError", "RetrosimWarning", "Scenario",
           "Stage", "Subject", "__version__", "load_scenario", "run"]
