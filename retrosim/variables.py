"""Result variables declared once: :class:`Variable` records gathered in a :class:`Catalogue`.

Each producer of a result (the session's trajectory and engine, each event model, the
programme's calendar) declares the variables it adds, each with its CF ``units`` and
``long_name`` and the tags that say what it is for ("trace": sampled on the time axis,
"interval": gets a prediction interval, ...). Assembly writes the attributes from the
declarations; encoding, checks, tables, the report and the page select variables by tag
(:meth:`Catalogue.select`) rather than naming them again. A tag written ``"tag:N"`` places the
variable N-th in that selection (where a consumer's order is not the declaration order). A
catalogue refuses a name declared twice.

>>> c = Catalogue(Variable("hr", "min-1", "heart rate", tags={"trace"}),
...               Variable("hr_peak", "min-1", "peak heart rate", tags={"summary"}))
>>> c.select("trace"), c["hr_peak"].attrs
(('hr',), {'units': 'min-1', 'long_name': 'peak heart rate'})
>>> Catalogue(c, Variable("hr", "min-1", "heart rate"))
Traceback (most recent call last):
...
ValueError: variable 'hr' is declared twice
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variable:
    """One result variable as its producer declares it.

    name : the variable's name in the Dataset.
    units : CF units ("1" for a number without unit, "" for text).
    long_name : what it is, in words.
    tags : what it is for (see the declaring module); a consumer selects by tag. ``"tag:N"``
        places it N-th in the selection of ``tag``.
    text : it holds words, not numbers.
    group : variables that travel together (a result holding one holds the rest) share a
        group name ("" for none).
    aim : "max" or "min" when a ranking of arms aims at it by default ("" when not).
    tolerance : absolute difference, in its units, within which a recorded trace of it
        matches (None when it is not recorded by default).
    bins : (lowest, highest, number of bins) of its histogram over people in a sweep's bands
        (None when it is not banded).
    """

    name: str
    units: str
    long_name: str
    tags: AbstractSet[str] = field(default_factory=frozenset)
    text: bool = False
    group: str = ""
    aim: str = ""
    tolerance: float | None = None
    bins: tuple[float, float, int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", frozenset(self.tags))

    @property
    def attrs(self) -> dict[str, str]:
        """Its CF attributes: ``units`` and ``long_name``."""
        return {"units": self.units, "long_name": self.long_name}


class Catalogue(Mapping[str, Variable]):
    """Variables in the order declared, by name; built from variables and other catalogues.

    A name declared twice is a ValueError.
    """

    def __init__(self, *parts: Variable | Catalogue) -> None:
        self._by_name: dict[str, Variable] = {}
        for part in parts:
            for v in part.values() if isinstance(part, Catalogue) else (part,):
                if v.name in self._by_name:
                    raise ValueError(f"variable {v.name!r} is declared twice")
                self._by_name[v.name] = v

    def __getitem__(self, name: str) -> Variable:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"Catalogue({', '.join(self._by_name)})"

    def select(self, tag: str) -> tuple[str, ...]:
        """The names of the variables tagged ``tag``: those placed (``"tag:N"``) by their
        place, the others in declaration order."""
        hits = []
        for i, (n, v) in enumerate(self._by_name.items()):
            for t in v.tags:
                head, _, place = t.partition(":")
                if head == tag:
                    hits.append((int(place) if place else len(self._by_name) + i, n))
        return tuple(n for _, n in sorted(hits))

    def text(self) -> tuple[str, ...]:
        """The names of the variables holding words, in declaration order."""
        return tuple(n for n, v in self._by_name.items() if v.text)

    def groups(self) -> tuple[tuple[str, ...], ...]:
        """The variables that travel together, one tuple per group, in declaration order."""
        out: dict[str, list[str]] = {}
        for n, v in self._by_name.items():
            if v.group:
                out.setdefault(v.group, []).append(n)
        return tuple(tuple(g) for g in out.values())

    def attrs(self) -> Iterable[tuple[str, dict[str, str]]]:
        """(name, CF attributes) of every variable, in declaration order."""
        return ((n, v.attrs) for n, v in self._by_name.items())
