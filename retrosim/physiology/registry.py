"""A registry entry: a model function with the sources it rests on and one line saying what it is.

Every per-topic registry (``energy.ENERGY_MODELS``, ``heart.HR_MAX_MODELS``) maps a name to a
:class:`Model`. An entry is called like its function, so ``ENERGY_MODELS[name](v, g, d)``
works; the results layer cites ``entry.references`` for the models that ran, and the docs
tables are generated from the entries (:func:`markdown_table`), so a new entry is one line in
the docs as soon as it is registered.

>>> m = Model(abs, references=("Doe J (2000) J Ex 1:1",), description="the absolute value",
...           caveat="fitted to whole numbers only")
>>> m(-2), m.caveat
(2, 'fitted to whole numbers only')
>>> print(markdown_table({"abs": m}, default="abs"))
| name | what it is | sources |
|---|---|---|
| `abs` (default) | the absolute value | Doe J (2000) J Ex 1:1 |
>>> reference_key("Kim & Choi (2001) J Korean Acad Rehabil Med 25:474")
'kim-2001'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Model:
    """One registered model.

    function : the pure model function.
    references : the sources it rests on, each "Authors (year) Journal volume:pages".
    description : what it is, in one line (the docs tables print it).
    caveat : what a reader of its numbers should keep in mind: where it was built or fitted
        and what it leaves out ("" when nothing beyond its description). A report prints the
        caveat of each entry a run used, so changing the model changes what the report says.
    """

    function: Callable[..., Any]
    references: tuple[str, ...]
    description: str
    caveat: str = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


def reference_key(reference: str) -> str | None:
    """The bibliography key of a reference, "surname-year" (``docs/references.md``), or None
    when it names no year."""
    found = re.match(r"\s*([A-Za-z][A-Za-z'-]*)\b.*?\((\d{4})\)", reference)
    return f"{found[1].lower()}-{found[2]}" if found else None


def markdown_table(registry: Mapping[str, Model], *, default: str | None = None,
                   cite: Callable[[str], str] = str) -> str:
    """The registry as a Markdown table: each name, what it is and its sources (each passed
    through ``cite``, e.g. to link it to the bibliography). The docs pages are made of it."""
    rows = ["| name | what it is | sources |", "|---|---|---|"]
    rows += [f"| `{name}`{' (default)' if name == default else ''} | {entry.description} | "
             f"{'; '.join(cite(r) for r in entry.references)} |"
             for name, entry in registry.items()]
    return "\n".join(rows)
