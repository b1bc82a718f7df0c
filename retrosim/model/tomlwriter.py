"""A small TOML writer: a scenario as the page holds it, back to the text ``retrosim run`` reads.

The standard library reads TOML (``tomllib``) but does not write it. Scenarios need only
strings, integers, floats, booleans, arrays and tables, so this writer handles those: scalars
and arrays first, then each table under its ``[header]``; an array whose items are tables is
written inline (``stages = [{direction = "backward", ...}]``). Floats are written with
``repr``, which reads back to the same float, so ``tomllib.loads(dumps(d)) == d``.

>>> print(dumps({"name": "demo", "seed": 7, "subject": {"mass_kg": 61.0, "sex": "female"},
...              "arms": {"a": {"stages": [{"action": "rest", "duration_min": 5}]}}}))
name = "demo"
seed = 7
<BLANKLINE>
[subject]
mass_kg = 61.0
sex = "female"
<BLANKLINE>
[arms.a]
stages = [{action = "rest", duration_min = 5}]
<BLANKLINE>
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def dumps(data: Mapping[str, Any], header: str | None = None) -> str:
    """TOML text of ``data``; ``tomllib.loads`` of it gives ``data`` back."""
    lines = [f"{key_text(k)} = {value_text(v)}" for k, v in data.items()
             if not isinstance(v, Mapping)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, Mapping)]
    out = ""
    if header is not None and (lines or not tables):
        out += f"[{header}]\n"
    if lines:
        out += "\n".join(lines) + "\n"
    for key, table in tables:
        path = key_text(key) if header is None else f"{header}.{key_text(key)}"
        out += ("\n" if out else "") + dumps(table, path)
    return out


def key_text(key: str) -> str:
    """A key, bare when it can be, else quoted.

    >>> key_text("mass_kg"), key_text("a b")
    ('mass_kg', '"a b"')
    """
    if not isinstance(key, str):
        raise TypeError(f"TOML keys are strings, not {type(key).__name__}")
    return key if _BARE_KEY.fullmatch(key) else string_text(key)


def string_text(text: str) -> str:
    r"""A basic TOML string with every special character escaped.

    >>> print(string_text('say "hi"\n'))
    "say \"hi\"\n"
    """
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value_text(value: Any) -> str:
    """A value as TOML: booleans, integers, floats (``repr``: exact), strings, arrays and
    inline tables.

    >>> value_text([1, 2.5, True, "x", {"a": float("inf")}])
    '[1, 2.5, true, "x", {a = inf}]'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return string_text(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key_text(k)} = {value_text(v)}" for k, v in value.items()) \
            + "}"
    raise TypeError(f"{value!r} ({type(value).__name__}) has no TOML form here")
