"""Per-subject event models: falls, blood pressure, guidance, each an :class:`EventModel`.

Each draws its events along a session and declares the variables, sources and per-arm
statistics it adds to the result (:mod:`retrosim.events.base`, the variables in
:mod:`retrosim.events.variables`); :data:`MODELS` is what a run uses. The models are loaded on
first use of :data:`MODELS`, so that the declarations alone load nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrosim.events.base import EventModel

if TYPE_CHECKING:
    #: The bundled event models, in the order the engine runs them.
    MODELS: tuple[EventModel, ...]


def __getattr__(name: str) -> Any:
    if name == "MODELS":
        from retrosim.events import bp, falls, guidance

        models = (guidance.MODEL, falls.MODEL, bp.MODEL)
        globals()["MODELS"] = models
        return models
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MODELS", "EventModel"]
