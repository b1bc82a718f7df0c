"""The one rule for loading a user's controller code: nothing is imported because a file says so.

A scenario file is data (DESIGN principle 7). It may *name* a custom controller in two ways:

- ``name = "NAME"``: a controller that an installed package registers in the entry-point
  group :data:`ENTRY_POINT_GROUP` (``retrosim.controllers``). Installing a package is the
  user's decision, so its entry points are trusted; their names are read from the installed
  metadata without importing anything, and the module is imported when the arm is built.
- ``path = "package.module:Class"``: imported only when the module is inside a prefix the
  *user* allows: ``--allow-import PREFIX`` on the command line, the environment variable
  :data:`ALLOW_ENV` (comma-separated prefixes), ``allow_import=`` in Python, or
  :data:`DEFAULT_ALLOWED` (retrosim's own example). The scenario file can never allow itself.

The refusal is one line that names the module and how to allow it, and it comes before
anything is imported. What is imported must be a class with a ``step`` method before it is
called. The same functions run in the command line, in :func:`retrosim.run` and on Dask
workers (a :class:`~retrosim.controllers.spec.ControllerSpec` carries the prefixes it was
allowed with, so a worker applies the same rule).

>>> is_allowed("retrosim.controllers.examples", DEFAULT_ALLOWED)
True
>>> is_allowed("os", DEFAULT_ALLOWED)
False
>>> is_allowed("mypkg.controllers", ("mypkg",)), is_allowed("mypkgx", ("mypkg",))
(True, False)
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
import re
import sys
from collections.abc import Iterable
from importlib import metadata
from typing import Any

from retrosim.errors import InputError

ENTRY_POINT_GROUP = "retrosim.controllers"
ALLOW_ENV = "RETROSIM_ALLOW_IMPORT"
#: Module prefixes allowed without asking: retrosim's own example controllers.
DEFAULT_ALLOWED = ("retrosim.controllers.examples",)
_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def check_prefixes(prefixes: Iterable[str], key: str = "--allow-import") -> tuple[str, ...]:
    """Validated module prefixes (dotted names), InputError on anything else."""
    out = []
    for prefix in prefixes:
        if not isinstance(prefix, str) or not _MODULE.fullmatch(prefix.strip()):
            raise InputError(key, f"{prefix!r} is not a module prefix",
                             "dotted module names, e.g. mypackage or mypackage.controllers")
        out.append(prefix.strip())
    return tuple(out)


def environment_prefixes() -> tuple[str, ...]:
    """The prefixes the user allows in the environment (:data:`ALLOW_ENV`)."""
    text = os.environ.get(ALLOW_ENV, "")
    return check_prefixes([p for p in text.split(",") if p.strip()], ALLOW_ENV)


def allowed_prefixes(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Every prefix in force: retrosim's own, the environment's and ``extra``."""
    return tuple(dict.fromkeys((*DEFAULT_ALLOWED, *environment_prefixes(),
                                *check_prefixes(extra))))


def is_allowed(module: str, prefixes: Iterable[str]) -> bool:
    """True if ``module`` is one of ``prefixes`` or inside one of them."""
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def check_path(path: str, allow: Iterable[str] = (), key: str = "controller.path",
               source: str | None = None) -> None:
    """Refuse (InputError, one line) an import path whose module the user has not allowed.

    Nothing is imported here: the check is on the name alone.
    """
    module = path.partition(":")[0]
    if is_allowed(module, allowed_prefixes(allow)):
        return
    top = module.split(".")[0]
    raise InputError(key, f"would import module {module!r}, which is not allowed (a scenario "
                     "file alone never imports code)", f"trust it with --allow-import {top} "
                     f"or {ALLOW_ENV}={top}, or install it as a '{ENTRY_POINT_GROUP}' entry "
                     "point", source)


def entry_point_names() -> tuple[str, ...]:
    """Names registered in :data:`ENTRY_POINT_GROUP` by installed packages (none imported)."""
    return tuple(sorted({ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}))


def _entry_point(name: str) -> metadata.EntryPoint | None:
    found = [ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    return found[0] if found else None


def load_class(path: str, allow: Iterable[str] = (), key: str = "controller.path",
               source: str | None = None) -> type:
    """The class at ``package.module:Class``, imported only if allowed; checked to be a class
    with ``step`` before anyone calls it."""
    check_path(path, allow, key, source)
    module_name, _, attr = path.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except ImportError as err:
        raise InputError(key, f"cannot import {module_name!r} ({err})",
                         "an importable package.module:Class", source) from None
    except AttributeError:
        raise InputError(key, f"{module_name!r} has no {attr!r}",
                         "an importable package.module:Class", source) from None
    return check_class(target, path, key, source)


def load_entry_point(name: str, key: str = "controller.name",
                     source: str | None = None) -> type:
    """The class an installed package registers as ``name``; checked like :func:`load_class`."""
    ep = _entry_point(name)
    if ep is None:
        raise InputError(key, f"{name!r} is not an installed controller",
                         ", ".join(entry_point_names()) or "none installed", source)
    try:
        target = ep.load()
    except (ImportError, AttributeError) as err:
        raise InputError(key, f"the entry point {name!r} ({ep.value}) cannot be loaded "
                         f"({type(err).__name__}: {err})", "an installed package.module:Class",
                         source) from None
    return check_class(target, ep.value, key, source)


def check_class(target: Any, what: str, key: str, source: str | None = None) -> type:
    """``target`` if it is a class with a callable ``step``, else InputError (nothing called)."""
    if not inspect.isclass(target) or not callable(getattr(target, "step", None)):
        kind = "a class" if inspect.isclass(target) else f"a {type(target).__name__}, not a class"
        raise InputError(key, f"{what} is {kind} without a step(observation) method",
                         "a class with period_s and step(observation) -> Command", source)
    return target


def identity(cls: type) -> str:
    """What decides a controller class's behaviour, for a sweep's fingerprint: its
    distribution's name and version when an installed package holds it, and the SHA-256 of
    its module's source file."""
    parts = [f"{cls.__module__}:{cls.__qualname__}"]
    top = cls.__module__.split(".")[0]
    for dist in metadata.packages_distributions().get(top, []):
        try:
            parts.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:   # pragma: no cover (a broken install)
            pass
    module = sys.modules.get(cls.__module__)
    try:
        file = inspect.getsourcefile(module) if module is not None else None
    except TypeError:                            # a built-in module: no file
        file = None
    if file and os.path.isfile(file):
        with open(file, "rb") as f:
            parts.append("sha256:" + hashlib.sha256(f.read()).hexdigest())
    return " ".join(parts)
