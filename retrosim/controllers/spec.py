"""Controllers named in a scenario: a reference controller by name, or ``package.module:Class``.

A scenario's ``[controller]`` (every arm) or ``[arms.NAME.controller]`` (one arm) table holds
``name`` (a key of :data:`CONTROLLERS`) or ``path`` (an import path), ``period_s``,
``supervisor`` (wrap it in the :class:`~retrosim.controllers.SafetySupervisor`) and the
controller's parameters. ``name`` may also be a controller that an installed package
registers in the entry-point group ``retrosim.controllers``. A reference controller's
parameters are checked when the file is read; a custom class is imported only when the arm
runs, and only if the user allows its module (:mod:`retrosim.controllers.imports`: a path the
user has not allowed is refused when the file is read, before anything is imported); its
parameters are passed to it as keyword arguments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from retrosim.controllers import imports
from retrosim.controllers.base import MIN_PERIOD_S, copy_of, period_of, vectorise
from retrosim.controllers.faults import parse_faults
from retrosim.controllers.reference import HeartRateTarget, ProtocolFollower
from retrosim.controllers.safety import SafetyLimits
from retrosim.controllers.supervisor import SafetySupervisor
from retrosim.errors import InputError, check_number


def _protocol(table: dict[str, Any]) -> ProtocolFollower:
    for key in table:
        raise InputError(key, "is not a parameter of the protocol controller", "none")
    return ProtocolFollower()


#: Reference controllers by name: a builder from the scenario's parameters.
CONTROLLERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "protocol": _protocol,
    "hr-target": HeartRateTarget.from_table,
}
SPEC_KEYS = ("name", "path", "period_s", "supervisor")
_PATH = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*")


@dataclass(frozen=True)
class ControllerSpec:
    """How an arm is controlled: a reference name, an import path, or a Python object."""

    name: str | None = None
    path: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    period_s: float | None = None
    supervisor: bool = False
    instance: Any = None
    key: str = "controller"
    source: str | None = None
    allow: tuple[str, ...] = ()           # the module prefixes in force when it was read

    @property
    def label(self) -> str:
        """A short description: the name, the path or the class."""
        what = self.name or self.path or type(self.instance).__name__
        return f"{what} (supervised)" if self.supervisor else what

    @classmethod
    def from_table(cls, table: Any, key: str = "controller", allow: Iterable[str] = (),
                   source: str | None = None) -> ControllerSpec:
        """From a ``[controller]`` table; InputError on a bad key or parameter, or on an
        import path whose module the user has not allowed (``allow``, the environment)."""
        if not isinstance(table, dict):
            raise InputError(key, f"{table!r} is not a table", '{name = "hr-target", ...} or '
                             '{path = "package.module:Class", ...}')
        name, path = table.get("name"), table.get("path")
        if (name is None) == (path is None):
            raise InputError(key, "needs either name or path",
                             f"name = {' | '.join(CONTROLLERS)}, or path = "
                             '"package.module:Class"')
        if name is not None and (not isinstance(name, str) or name not in CONTROLLERS
                                 and name not in imports.entry_point_names()):
            raise InputError(f"{key}.name", f"{name!r} is not known",
                             " | ".join((*CONTROLLERS, *imports.entry_point_names())))
        if path is not None and (not isinstance(path, str) or not _PATH.fullmatch(path)):
            raise InputError(f"{key}.path", f"{path!r} is not an import path",
                             '"package.module:Class"')
        prefixes = imports.allowed_prefixes(allow)
        if path is not None:
            imports.check_path(path, prefixes, f"{key}.path", source)
        period = None
        if "period_s" in table:
            period = check_number(f"{key}.period_s", table["period_s"], MIN_PERIOD_S, 3600.0,
                                  "s")
        supervisor = table.get("supervisor", False)
        if not isinstance(supervisor, bool):
            raise InputError(f"{key}.supervisor", f"{supervisor!r} is not true or false",
                             "true | false")
        params = {k: v for k, v in table.items() if k not in SPEC_KEYS}
        if name in CONTROLLERS:
            try:
                CONTROLLERS[name](params)
            except InputError as err:
                raise err.within(key) from None
        return cls(name, path, tuple(params.items()), period, supervisor, key=key,
                   source=source, allow=prefixes)

    @classmethod
    def of(cls, controller: Any, *, supervisor: bool = False,
           period_s: float | None = None) -> ControllerSpec:
        """A spec for a controller given from Python (an object, a name or an import path).

        An import path given here is allowed: the program names it, not a data file."""
        if isinstance(controller, ControllerSpec):
            return controller
        if isinstance(controller, str):
            table: dict[str, Any] = {"path" if ":" in controller else "name": controller,
                                     "supervisor": supervisor}
            if period_s is not None:
                table["period_s"] = period_s
            allow = (controller.partition(":")[0],) if ":" in controller else ()
            return cls.from_table(table, allow=allow)
        if not callable(getattr(controller, "step", None)):
            raise InputError("controller", f"{controller!r} has no step(observation) method",
                             "an object with period_s and step(observation) -> Command")
        return cls(instance=controller, supervisor=supervisor, period_s=period_s)

    def known_period(self) -> float | None:
        """The call period [s] known without running custom code: the spec's ``period_s``,
        a reference controller's or an object's own; None for a class not yet imported."""
        if self.period_s is not None:
            return self.period_s
        if self.instance is not None:
            period = getattr(self.instance, "period_s", None)
        elif self.name in CONTROLLERS:
            period = getattr(CONTROLLERS[self.name](dict(self.params)), "period_s", None)
        else:
            return None
        try:
            return period_of(SimpleNamespace(period_s=period)) if period is not None else None
        except (ValueError, TypeError):
            return None                          # refused with one line when the arm starts

    def build(self, limits: SafetyLimits) -> Any:
        """A fresh, vectorised controller for one arm (supervised if asked)."""
        if self.instance is not None:
            controller = copy_of(self.instance)
        elif self.name in CONTROLLERS:
            controller = CONTROLLERS[self.name](dict(self.params))
        else:
            controller = self._load()
        if self.period_s is not None:
            controller.period_s = self.period_s
        try:
            period_of(controller)
        except (ValueError, TypeError) as err:
            raise InputError(f"{self.key}.period_s", str(err), f"{MIN_PERIOD_S}-3600 s, or "
                             "inf (on events only)", self.source) from None
        controller = vectorise(controller)
        return SafetySupervisor(controller, limits) if self.supervisor else controller

    def controller_class(self) -> type:
        """The custom class this spec names, loaded under the import rule (nothing called)."""
        if self.path is not None:
            return imports.load_class(self.path, self.allow, f"{self.key}.path", self.source)
        assert self.name is not None and self.name not in CONTROLLERS
        return imports.load_entry_point(self.name, f"{self.key}.name", self.source)

    def _load(self) -> Any:
        target = self.controller_class()
        what = self.path or self.name
        try:
            controller = target(**dict(self.params))
        except (TypeError, ValueError) as err:
            raise InputError(self.key, f"{what}: {err}".replace("\n", " "),
                             "the class's own keyword arguments", self.source) from None
        if not callable(getattr(controller, "step", None)):
            raise InputError(f"{self.key}.path", f"{what} has no step(observation) method",
                             "a class with period_s and step(observation) -> Command",
                             self.source)
        return controller


def events_only(controller: Any) -> bool:
    """True if the controller is called on events only (its period is inf)."""
    return math.isinf(period_of(controller))


def control_arms(arms: dict[str, Any], data: dict[str, Any], source: str | None,
                 allow: Iterable[str] = ()) -> dict[str, Any]:
    """The scenario's arms with their controllers and faults: an arm's own
    ``[arms.NAME.controller]`` or else the top-level ``[controller]``; the top-level
    ``[[faults]]`` followed by the arm's own ``[[arms.NAME.faults]]``."""
    from dataclasses import replace

    top = ControllerSpec.from_table(data["controller"], allow=allow, source=source) \
        if "controller" in data else None
    top_faults = parse_faults(data["faults"], "faults") if "faults" in data else ()
    out = {}
    for name, arm in arms.items():
        table = data["arms"][name]
        key = f"arms.{name}"
        spec = ControllerSpec.from_table(table["controller"], f"{key}.controller", allow,
                                         source) if "controller" in table else top
        faults = top_faults + (parse_faults(table["faults"], f"{key}.faults")
                               if "faults" in table else ())
        if spec is not None:
            spec = replace(spec, source=source)
        out[name] = replace(arm, controller=spec, faults=faults) if spec or faults else arm
    return out
