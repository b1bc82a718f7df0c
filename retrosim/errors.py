"""Errors and warnings retrosim reports to its users, and the checks that raise them.

Every message names where the bad value came from (file and key), what was given and what is
allowed, on one line: ``backward.toml: arms.rehab.stages[2]: speed 25 km/h is above the
treadmill's 20 km/h; allowed: 0.1-20 km/h``.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

#: Characters that would break a message over several lines, and how they are shown instead.
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in
                              "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


class RetrosimError(Exception):
    """Base class of every error retrosim reports to its user."""


class RetrosimWarning(UserWarning):
    """Base class of retrosim's own warnings (the test suite turns them into errors)."""


class InputError(RetrosimError, ValueError):
    """A bad value in a scenario, a stage string or an argument.

    ``str(err)`` is the one-line message the command line prints.

    Parameters
    ----------
    key : str
        Where the value is (``subject.mass_kg``, ``arms.backward.stages[1]``); "" for the
        whole file.
    problem : str
        What is wrong with it.
    allowed : str, optional
        What is allowed there.
    source : str, optional
        The file (if any).

    Examples
    --------
    >>> print(InputError("subject.mass_kg", "-3 is out of range", "20-300 kg", "a.toml"))
    a.toml: subject.mass_kg: -3 is out of range; allowed: 20-300 kg
    """

    def __init__(self, key: str, problem: str, allowed: str | None = None,
                 source: str | None = None) -> None:
        self.key, self.problem, self.allowed, self.source = key, problem, allowed, source
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        key = f"{self.key}: " if self.key else ""
        allowed = f"; allowed: {self.allowed}" if self.allowed else ""
        return f"{where}{key}{self.problem}{allowed}".translate(_LINE_BREAKS)

    def within(self, key_prefix: str | None = None, source: str | None = None) -> InputError:
        """Return the same error seen from further out: a longer key, a file name.

        Parameters
        ----------
        key_prefix : str, optional
            The table the key sits in (``subject``, ``arms.backward``).
        source : str, optional
            The file, unless the error already names one.

        Returns
        -------
        InputError
            The error with the longer key and the file.
        """
        key = self.key
        if key_prefix:
            key = f"{key_prefix}.{key}" if key and not key.startswith("[") else \
                f"{key_prefix}{key}"
        return InputError(key, self.problem, self.allowed, source or self.source)


def check_number(key: str, value: Any, low: float, high: float, unit: str = "",
                 *, integer: bool = False) -> float:
    """``value`` as a float if it is a finite number in [low, high], else InputError."""
    unit_s = f" {unit}" if unit else ""
    allowed = f"{_fmt(low)}-{_fmt(high)}{unit_s}"
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(key, f"{value!r} is not {kind}", allowed)
    value = cast(float, value)            # a real number: int, float or a numpy scalar
    try:
        finite = math.isfinite(value)
    except OverflowError:                    # an integer beyond the range of a float
        raise InputError(key, "is out of range", allowed) from None
    if not finite:
        raise InputError(key, f"{value!r} is not a finite number", allowed)
    if integer and value != int(value):
        raise InputError(key, f"{value!r} is not {kind}", allowed)
    if not low <= value <= high:
        raise InputError(key, f"{_fmt(value)}{unit_s} is out of range", allowed)
    return float(value)


def check_choice(key: str, value: Any, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices``, else InputError listing them."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise InputError(key, f"{value!r} is not known{did_you_mean(value, choices)}",
                         " | ".join(choices))
    return value


def _fmt(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 1e6 else f"{x:g}"


class InputErrors(InputError):
    """Every mistake found in one file, one line each (``str(err)`` has a line per error).

    >>> err = InputErrors([InputError("a", "is bad"), InputError("b", "is worse", "1-2")])
    >>> print(err.within(source="s.toml"))
    s.toml: a: is bad
    s.toml: b: is worse; allowed: 1-2
    """

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.key, first.problem, first.allowed, first.source)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in getattr(self, "errors", ())) or super().__str__()

    def within(self, key_prefix: str | None = None, source: str | None = None) -> InputError:
        return InputErrors([e.within(key_prefix, source) for e in self.errors])


_COLLECTED: ContextVar[list[InputError] | None] = ContextVar("retrosim_input_errors",
                                                             default=None)


@contextmanager
def collecting() -> Iterator[list[InputError]]:
    """Collect the errors :func:`collect` records while validating one file; an InputError
    that escapes joins them, and :class:`InputErrors` carries them all."""
    errors: list[InputError] = []
    token = _COLLECTED.set(errors)
    try:
        yield errors
    except InputError as err:
        if not errors:
            raise
        collect(err)
        raise (InputErrors(errors) if len(errors) > 1 else errors[0]) from None
    finally:
        _COLLECTED.reset(token)
    if errors:
        raise InputErrors(errors) if len(errors) > 1 else errors[0]


def collect(error: InputError) -> bool:
    """Record ``error`` when a :func:`collecting` block is open (True: validation goes on
    with a stand-in value); False: the caller raises it."""
    errors = _COLLECTED.get()
    if errors is None:
        return False
    for one in error.errors if isinstance(error, InputErrors) else [error]:
        if not any((e.problem, e.allowed) == (one.problem, one.allowed) for e in errors):
            errors.append(one)         # the same mistake seen again from further out: once
    return True


def did_you_mean(value: Any, choices: Iterable[str]) -> str:
    """"; did you mean 'x'?" for a close match of ``value`` among ``choices``, else "".

    >>> did_you_mean("compendium-2021", ["compendium-2011", "hr-controller"])
    "; did you mean 'compendium-2011'?"
    """
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
