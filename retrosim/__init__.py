"""retrosim: a discrete-event simulator of forward and backward treadmill walking.

>>> import retrosim
>>> ds = retrosim.run(retrosim.load_scenario("compendium-2011"))
>>> ds.energy_total.round().values[:, 0].tolist()
[46.0, 64.0, 85.0]

The public names (``run``, ``load_scenario``, ``Scenario``, ``Subject``, ``Cohort``,
``Protocol``, ``Stage``, the errors) live in :mod:`retrosim.api` and load on first use, so
importing a pure layer (``retrosim.physiology.energy``, say) loads neither SimPy nor xarray.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from retrosim._version import __version__

if TYPE_CHECKING:
    from retrosim.api import (
        Cohort,
        InputError,
        Protocol,
        RetrosimError,
        RetrosimWarning,
        Scenario,
        Simulation,
        Stage,
        Subject,
        load_scenario,
        run,
    )

__all__ = ["Cohort", "InputError", "Protocol", "RetrosimError", "RetrosimWarning", "Scenario",
           "Simulation", "Stage", "Subject", "__version__", "load_scenario", "run"]
_ERRORS = ("InputError", "RetrosimError", "RetrosimWarning")


def __getattr__(name: str) -> Any:
    """``retrosim.run`` and the other public names, from :mod:`retrosim.api` on first use;
    the errors from :mod:`retrosim.errors` (so that ``-W error::retrosim.RetrosimWarning``
    loads nothing else); a subpackage (``retrosim.results``) by import."""
    if name in _ERRORS:
        value = getattr(importlib.import_module("retrosim.errors"), name)
    elif name in __all__:
        value = getattr(importlib.import_module("retrosim.api"), name)
    else:
        try:
            value = importlib.import_module(f"retrosim.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"retrosim.{name}":
                raise
            raise AttributeError(f"module 'retrosim' has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
