"""A registry entry: a model function with the sources it rests on and one line saying what it is.

Every per-topic registry (``energy.ENERGY_MODELS``, ``heart.HR_MAX_MODELS``) maps a name to a
:class:`Model`. An entry is called like its function, so ``ENERGY_MODELS[name](v, g, d)``
works; the results layer cites ``entry.references`` for the models that ran, and the docs
tables are generated from ``entry.description`` (:func:`markdown_table`).

>>> m = Model(abs, references=("Doe J (2000) J Ex 1:1",), description="the absolute value")
>>> m(-2)
2
>>> print(markdown_table({"abs": m}, default="abs"))
| name | what it is |
|---|---|
| `abs` (default) | the absolute value |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Model:
    """One registered model.

    function : the pure model function.
    references : the sources it rests on, each "Authors (year) Journal volume:pages".
    description : what it is, in one line (the docs tables print it).
    """

    function: Callable[..., Any]
    references: tuple[str, ...]
    description: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


def markdown_table(registry: Mapping[str, Model], *, default: str | None = None) -> str:
    """The registry as a Markdown table of names and descriptions (the docs pages use it)."""
    rows = ["| name | what it is |", "|---|---|"]
    rows += [f"| `{name}`{' (default)' if name == default else ''} | {entry.description} |"
             for name, entry in registry.items()]
    return "\n".join(rows)
