"""The event-model contract: what a per-subject event model declares to the engine and results.

An event model is an :class:`EventModel`: its ``name``; ``during``, called with each arm's
:class:`~retrosim.engine.session.Session` as commanded (it may log events and propose stops);
``after``, called once every stop is spliced in (it describes the aftermath); the
``variables`` it adds to the result Dataset, a :class:`~retrosim.variables.Catalogue` of
:class:`~retrosim.variables.Variable` records (CF ``units``, ``long_name``, tags);
its ``references`` for a scenario (the sources a run that used it rests on); its per-arm
``statistics``, computed from the (arm, subject) summaries of every arm; and the Dataset
``attrs`` it writes.

The engine receives the models to run (``models=``, in order: ``during`` hooks in model order,
then the stops, then ``after`` hooks in model order); the results layer iterates over the
same models for variables, references and statistics. :data:`retrosim.events.MODELS` lists
the bundled ones. A new model is one module with one ``MODEL = EventModel(...)`` and an entry
in that tuple.

>>> from retrosim.variables import Variable
>>> m = EventModel("noop", variables=Catalogue(Variable("noop_count", "1", "nothing")))
>>> m.during is None, m.cites(None), m.per_arm({}), m.attributes(None)
(True, (), {}, {})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from retrosim.variables import Catalogue

if TYPE_CHECKING:
    import xarray as xr

    from retrosim.engine.session import Session
    from retrosim.model.scenario import Scenario


def _no_references(scenario: Scenario | None) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class EventModel:
    """One per-subject event model (see the module docstring).

    name : a short name ("falls").
    during : called with each session as commanded, before the stops (or None).
    after : called with each session once the stops are spliced in (or None).
    variables : every variable it may add.
    references : scenario -> the sources a run of it rests on (none when it did nothing).
    statistics : the (arm, subject) summaries of a run -> per-arm variables (or None).
    attrs : the assembled Dataset -> the attributes it adds (or None).
    """

    name: str
    during: Callable[[Session], None] | None = None
    after: Callable[[Session], None] | None = None
    variables: Catalogue = field(default_factory=Catalogue)
    references: Callable[[Any], tuple[str, ...]] = _no_references
    statistics: Callable[[Mapping[str, np.ndarray]], dict[str, np.ndarray]] | None = None
    attrs: Callable[[xr.Dataset], dict[str, str]] | None = None

    def cites(self, scenario: Scenario | None) -> tuple[str, ...]:
        """The sources a run of ``scenario`` that used this model rests on."""
        return tuple(self.references(scenario))

    def per_arm(self, summaries: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Its per-arm statistics from the (arm, subject) summaries (empty if it has none)."""
        return {} if self.statistics is None else self.statistics(summaries)

    def attributes(self, ds: xr.Dataset) -> dict[str, str]:
        """The Dataset attributes it adds (empty if it adds none)."""
        return {} if self.attrs is None else self.attrs(ds)
