"""Per-subject event models: falls, blood pressure, guidance, each an :class:`EventModel`.

Each draws its events along a session and declares the variables, sources and per-arm
statistics it adds to the result (:mod:`retrosim.events.base`); :data:`MODELS` is what a run uses.
"""

from retrosim.events import bp, falls, guidance
from retrosim.events.base import EventModel

#: The bundled event models, in the order the engine runs them.
MODELS: tuple[EventModel, ...] = (guidance.MODEL, falls.MODEL, bp.MODEL)

__all__ = ["MODELS", "EventModel"]
