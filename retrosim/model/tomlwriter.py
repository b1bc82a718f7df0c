"""Writing a scenario back to TOML with tomlkit, keeping the file a person wrote.

The standard library reads TOML (``tomllib``) but does not write it; tomlkit writes it and
keeps a document's comments, key order and layout. :func:`dumps` writes a scenario as the page
holds it; given the text the scenario came from, it changes that text only where the values
differ, so a downloaded file keeps its author's comments and order. Floats are written so
that they read back to the same float: ``tomllib.loads(dumps(d)) == d``.

>>> print(dumps({"name": "demo", "seed": 7, "subject": {"mass_kg": 61.0, "sex": "female"}}))
name = "demo"
seed = 7
<BLANKLINE>
[subject]
mass_kg = 61.0
sex = "female"
<BLANKLINE>
>>> print(dumps({"name": "demo", "seed": 8}, "# my trial\\nname = 'demo'  # kept\\nseed = 7\\n"))
# my trial
name = 'demo'  # kept
seed = 8
<BLANKLINE>
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import InlineTable, Table


def dumps(data: Mapping[str, Any], original: str | None = None) -> str:
    """TOML text of ``data``; ``tomllib.loads`` of it gives ``data`` back.

    ``original``: the TOML text ``data`` was read from and then changed; it is updated in
    place, so its comments, key order and layout stay wherever its values do.
    """
    doc = tomlkit.parse(original) if original else tomlkit.document()
    _update(doc, data)
    return tomlkit.dumps(doc)


def _update(container: Any, data: Mapping[str, Any], inline: bool = False) -> None:
    """Make ``container`` hold ``data``: unchanged values are left as written. ``inline``:
    within an array or an inline table, where every table is written inline."""
    for key in [k for k in container if k not in data]:
        del container[key]
    for key, value in data.items():
        if key in container:
            old = container[key]
            if isinstance(value, Mapping) and isinstance(old, Table | InlineTable | Container):
                _update(old, value, inline or isinstance(old, InlineTable))
                continue
            if _plain(old) == _plain(value) and _same_type(old, value):
                continue
        container[key] = _item(value, inline)


def _item(value: Any, inline: bool = False) -> Any:
    """A value for tomlkit: a table for a mapping (inline within arrays), else the value."""
    if isinstance(value, bool | str | int | float):
        return tomlkit.item(value)
    if isinstance(value, Mapping):
        table = tomlkit.inline_table() if inline else tomlkit.table()
        _update(table, value, inline)
        return table
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        for v in value:
            array.append(_item(v, inline=True))
        return array
    raise TypeError(f"{value!r} ({type(value).__name__}) has no TOML form here")


def _plain(value: Any) -> Any:
    """A tomlkit item as plain Python data (``unwrap``), else the value."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def _same_type(old: Any, new: Any) -> bool:
    """1 and 1.0 (and True and 1) compare equal but are different TOML."""
    a, b = _plain(old), new
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same_type(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return all(_same_type(a[k], b[k]) for k in b if k in a)
    return type(a) is type(b)
