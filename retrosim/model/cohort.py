"""Cohorts: a scenario's ``[cohort]`` table, and the people sampled from it.

A ``[cohort]`` table names a size and, for any subject key (the keys of ``[subject]``), a
plain value (everyone the same), a distribution or categorical shares::

    [cohort]
    size = 1000
    preset = "older-after-knee-surgery"      # optional: start from a bundled cohort
    age_yr = {dist = "normal", mean = 68, sd = 8, min = 50, max = 90}
    hr_rest_bpm = {dist = "uniform", min = 60, max = 85}
    sex = {female = 0.6, male = 0.4}
    mass_kg = {dist = "normal", mean = 84, sd = 16, correlation = {height_cm = 0.45}}
    height_cm = {dist = "normal", mean = 166, sd = 9}
    resting_bp_mmhg = [{dist = "normal", mean = 138, sd = 15, min = 105},
                       {dist = "normal", mean = 80, sd = 9, max = 100}]

Keys it does not name come from the preset, else from the subject defaults. Person ``i`` (a
global subject number) draws each key from its own stream, ``randomness.key("traits", key)``
with the run's seed: the same people walk in every arm, in any chunk of a sweep, and adding a
distribution for one key never changes another key's draws. Correlated normal keys mix their
draws with the Cholesky factor of their correlation matrix (a Gaussian copula: every marginal
stays exactly the truncated normal it names).

Sampling works for any subject key, including ones added later: the spec asks
:meth:`Cohort.from_subject` which cohort fields a key sets (probing it with two values, or
with each level), so a numeric key copies its draws into those fields and a categorical key
looks its levels up.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from retrosim import randomness
from retrosim.errors import InputError, check_number
from retrosim.model.distributions import (
    Normal,
    Shares,
    Uniform,
    correlations,
    is_distribution,
    parse,
)
from retrosim.model.people import Cohort
from retrosim.model.subject import LIMITS, Subject

COHORT_KEYS = ("size", "preset")
#: Subject keys that exclude each other: naming one drops the other from a preset.
EITHER = (("balance", "berg"),)
#: The most whole-number values a drawn key may span when its other fields are looked up.
_MAX_LOOKUP = 1000
#: The most people one cohort may hold (as ``retrosim run --subjects``).
MAX_SIZE = 10_000_000
#: Allowed ranges of the parts of list-valued keys, by LIMITS name.
_PART_LIMITS = {"resting_bp_mmhg[0]": "sbp", "resting_bp_mmhg[1]": "dbp"}


@dataclass(frozen=True, eq=False)
class Component:
    """One drawn subject value: a key, or one element of a list-valued key."""

    name: str                         # "age_yr" or "resting_bp_mmhg[1]": names its stream
    key: str
    part: int | None
    dist: Normal | Uniform | Shares
    integer: bool = False
    fields: tuple[str, ...] = ()      # numeric: the cohort fields that copy the value
    lookup: tuple[tuple[str, np.ndarray], ...] = ()   # field -> value by level (or by value)


@dataclass(frozen=True, eq=False)
class CohortSpec:
    """A validated ``[cohort]`` table: the typical person and how everyone else is drawn.

    ``subject`` is the typical person (means, midpoints and the most common levels);
    ``table`` the merged table (the preset's keys overridden by the scenario's).
    """

    table: dict[str, Any]
    size: int
    subject: Subject
    components: tuple[Component, ...]
    groups: tuple[tuple[tuple[str, ...], tuple[tuple[float, ...], ...]], ...] = ()
    preset: str | None = None

    @classmethod
    def from_table(cls, table: dict[str, Any], size: int | None = None) -> CohortSpec:
        """Validate a ``[cohort]`` table (a ``[subject]`` table works too, with ``size``)."""
        if not isinstance(table, dict):
            raise InputError("", f"{table!r} is not a table", "[cohort] with size = N")
        preset = table.get("preset")
        merged = _merge(load_preset(preset) if preset is not None else {}, table)
        if size is None:
            if "size" not in merged:
                raise InputError("size", "is required", f"a whole number 1-{MAX_SIZE:,}")
            size = int(check_number("size", merged["size"], 1, MAX_SIZE, integer=True))
        keys = {k: v for k, v in merged.items() if k not in COHORT_KEYS}
        drawn = _components(keys)
        template = _template(keys, drawn)
        drawn = [_encode(c, template) for c in drawn]
        _check_disjoint(drawn)
        _check_list_corners(keys, drawn, template)
        return cls(merged, size, Subject.from_dict(template), tuple(drawn),
                   _groups(keys, drawn), preset)

    def with_values(self, values: dict[str, Any]) -> CohortSpec:
        """The same cohort with some keys set otherwise (a sweep's cohort grid point)."""
        return CohortSpec.from_table(_merge(self.table, values), self.size)

    def sample(self, n: int, seed: int, first: int = 0) -> Cohort:
        """People ``first`` to ``first + n - 1``, identical whichever chunk they are drawn in.

        >>> spec = CohortSpec.from_table({"size": 10, "mass_kg": 70, "sex": "male",
        ...     "age_yr": {"dist": "uniform", "min": 20, "max": 60}})
        >>> whole, part = spec.sample(10, seed=1), spec.sample(4, seed=1, first=6)
        >>> bool((whole.age_yr[6:] == part.age_yr).all()), part.index.tolist()
        (True, [6, 7, 8, 9])
        """
        index = np.arange(first, first + n, dtype=np.int64)
        columns = dict(vars(Cohort.from_subject(self.subject, n, first)))
        columns["responsiveness"] = np.full(n, np.nan)      # each member draws her own
        draws = {}
        for c in self.components:
            draw = randomness.normal if isinstance(c.dist, Normal) else randomness.uniform
            draws[c.name] = draw(seed, randomness.key("traits", c.name), index, 1)[:, 0]
        for names, factor in self.groups:
            z = [draws[name] for name in names]
            for i, name in enumerate(names):
                mixed = factor[i][0] * z[0]
                for j in range(1, i + 1):
                    mixed = mixed + factor[i][j] * z[j]
                draws[name] = mixed
        for c in self.components:
            if isinstance(c.dist, Shares):
                codes = c.dist.codes(draws[c.name])
                for field, by_level in c.lookup:
                    columns[field] = by_level[codes]
                continue
            if c.integer and isinstance(c.dist, Uniform):
                span = c.dist.high - c.dist.low + 1.0
                x = np.minimum(np.floor(c.dist.low + draws[c.name] * span), c.dist.high)
            else:
                x = c.dist.transform(draws[c.name])
                x = np.rint(x) if c.integer else x
            for field in c.fields:
                columns[field] = x.astype(columns[field].dtype)
            for field, by_value in c.lookup:
                columns[field] = by_value[(x - c.dist.low).astype(np.intp)]
        return Cohort(**columns)


def presets() -> dict[str, Path]:
    """The bundled cohorts (``preset = NAME``), by name."""
    folder = resources.files("retrosim") / "data" / "cohorts"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir()
            if str(p).endswith(".toml")}


def load_preset(name: Any) -> dict[str, Any]:
    """The ``[cohort]`` table of a bundled cohort.

    >>> load_preset("healthy-young-adults")["sex"]
    {'female': 0.5, 'male': 0.5}
    """
    shipped = presets()
    if not isinstance(name, str) or name not in shipped:
        raise InputError("preset", f"{name!r} is not a bundled cohort", ", ".join(sorted(shipped)))
    data = tomllib.loads(shipped[name].read_text(encoding="utf-8"))
    return dict(data["cohort"])


def describe_preset(name: str) -> str:
    """The one-line description of a bundled cohort."""
    return str(tomllib.loads(presets()[name].read_text(encoding="utf-8"))["description"])


def _components(keys: dict[str, Any]) -> list[Component]:
    """The drawn values; a normal with no spread becomes the plain value it always gives."""
    known = [f.name for f in dataclasses.fields(Subject) if f.name != "trait_sd"]
    out = []
    for key in list(keys):
        if key not in known:
            raise InputError(key, "is not a cohort key", ", ".join((*COHORT_KEYS, *known)))
        value = keys[key]
        parts = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for part, spec in parts:
            if not is_distribution(spec):
                continue
            name = key if part is None else f"{key}[{part}]"
            limit_name = _PART_LIMITS.get(name, name)
            limits = LIMITS[limit_name][:2] if limit_name in LIMITS else None
            dist = parse(name, spec, limits)
            if isinstance(dist, Normal) and (dist.sd == 0.0 or dist.low == dist.high):
                if part is None:
                    keys[key] = dist.mean
                else:
                    keys[key] = [*keys[key]]
                    keys[key][part] = dist.mean
                continue
            out.append(Component(name, key, part, dist))
    return out


def _template(keys: dict[str, Any], drawn: list[Component]) -> dict[str, Any]:
    """The typical person: every drawn value at its typical value, rounded where the subject
    takes whole numbers only."""
    template = {k: list(v) if isinstance(v, list) else v for k, v in keys.items()}
    for c in drawn:
        _put(template, c, _level(c.key, c.dist.typical))
    for _ in range(len(drawn) + 1):
        try:
            Subject.from_dict(template)
            return template
        except InputError as err:
            bad = [c for c in drawn if err.key in (c.name, c.key)
                   and not isinstance(c.dist, Shares) and not _get(template, c).is_integer()]
            if not bad:
                raise
            for c in bad:
                _put(template, c, float(round(_get(template, c))))
    raise AssertionError("unreachable")          # pragma: no cover


def _encode(c: Component, template: dict[str, Any]) -> Component:
    """Which cohort fields a component sets, probed through ``Cohort.from_subject``."""
    if isinstance(c.dist, Shares):
        levels = [_level(c.key, level) for level in c.dist.levels]
        cohorts = [_probe(template, c, level, f"{c.name}.{raw}")
                   for level, raw in zip(levels, c.dist.levels, strict=True)]
        changed = _changed(cohorts)
        lookup = tuple((f, np.array([getattr(x, f)[0] for x in cohorts])) for f in changed)
        return dataclasses.replace(c, lookup=lookup)
    v0 = _get(template, c)
    span = c.dist.high - c.dist.low
    step = min(1.0, span / 4)                        # a second valid value, inside the bounds
    step = step if v0 + step <= c.dist.high else -step
    integer = span >= 2 and not _probe_ok(template, c, v0 + 0.5 * step) and \
        _probe_ok(template, c, v0 + step)
    cohorts = [_probe(template, c, v0, c.name), _probe(template, c, v0 + step, c.name)]
    fields = tuple(f for f in _changed(cohorts)
                   if [float(getattr(x, f)[0]) for x in cohorts] == [v0, v0 + step])
    derived = [f for f in _changed(cohorts) if f not in fields]
    if not derived:
        return dataclasses.replace(c, integer=integer, fields=fields)
    if not integer or c.dist.high - c.dist.low > _MAX_LOOKUP:
        raise InputError(c.name, f"sets the cohort's {derived[0]} in a way that cannot be "
                         "drawn", "a plain value")
    # a whole-number key with derived fields (berg -> balance level): look every value up
    cohorts = [_probe(template, c, float(v), c.name)
               for v in np.arange(c.dist.low, c.dist.high + 1.0)]
    lookup = tuple((f, np.array([getattr(x, f)[0] for x in cohorts]))
                   for f in _changed(cohorts) if f not in fields)
    return dataclasses.replace(c, integer=True, fields=fields, lookup=lookup)


def _probe(template: dict[str, Any], c: Component, value: Any, key: str) -> Cohort:
    variant = {k: list(v) if isinstance(v, list) else v for k, v in template.items()}
    _put(variant, c, value)
    try:
        return Cohort.from_subject(Subject.from_dict(variant), 1)
    except InputError as err:
        raise InputError(key, err.problem, err.allowed) from None


def _probe_ok(template: dict[str, Any], c: Component, value: float) -> bool:
    variant = {k: list(v) if isinstance(v, list) else v for k, v in template.items()}
    _put(variant, c, value)
    try:
        Subject.from_dict(variant)
    except InputError:
        return False
    return True


def _changed(cohorts: list[Cohort]) -> tuple[str, ...]:
    names = [f.name for f in dataclasses.fields(Cohort) if f.name != "index"]
    return tuple(n for n in names if not all(_same(getattr(cohorts[0], n), getattr(x, n))
                                             for x in cohorts[1:]))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def _check_disjoint(drawn: list[Component]) -> None:
    owner: dict[str, str] = {}
    for c in drawn:
        for field in c.fields or tuple(f for f, _ in c.lookup):
            if field in owner:
                raise InputError(c.name, f"and {owner[field]} both set the cohort's {field}",
                                 "a plain value for one of them")
            owner[field] = c.name


def _check_list_corners(keys: dict[str, Any], drawn: list[Component],
                        template: dict[str, Any]) -> None:
    """A list-valued key (resting_bp_mmhg) must be valid at every corner of its bounds."""
    for key in {c.key for c in drawn if c.part is not None}:
        parts = [c for c in drawn if c.key == key]
        for corner in range(2 ** len(parts)):
            variant = {k: list(v) if isinstance(v, list) else v for k, v in template.items()}
            for bit, c in enumerate(parts):
                assert isinstance(c.dist, Normal | Uniform), "list parts are numeric"
                _put(variant, c, c.dist.high if corner >> bit & 1 else c.dist.low)
            try:
                Subject.from_dict(variant)
            except InputError as err:
                raise InputError(key, f"its distributions allow {variant[key]}: {err.problem}",
                                 "min and max that keep every person valid") from None


def _groups(keys: dict[str, Any], drawn: list[Component]) -> tuple:
    """Correlated normal components, each group with the Cholesky factor of its matrix."""
    normal = {c.name: c for c in drawn if isinstance(c.dist, Normal)}
    pairs: dict[tuple[str, str], float] = {}
    for c in drawn:
        spec = keys[c.key] if c.part is None else keys[c.key][c.part]
        for other, r in correlations(c.name, spec).items():
            where = f"{c.name}.correlation.{other}"
            if not isinstance(c.dist, Normal) or other not in normal or other == c.name:
                raise InputError(where, "correlates two keys that are not both normal",
                                 ", ".join(n for n in normal if n != c.name) or "none here")
            pair = (min(c.name, other), max(c.name, other))
            if pairs.get(pair, r) != r:
                raise InputError(where, f"{r:g} disagrees with {pairs[pair]:g} given for "
                                 f"{other}", "the same coefficient on both sides")
            pairs[pair] = r
    groups: list[set[str]] = []
    for a, b in pairs:
        joined = [g for g in groups if a in g or b in g]
        merged = {a, b}.union(*joined)
        groups = [g for g in groups if g not in joined] + [merged]
    out = []
    for group in groups:
        names = tuple(sorted(group))
        matrix = [[1.0 if a == b else pairs.get((min(a, b), max(a, b)), 0.0) for b in names]
                  for a in names]
        out.append((names, _cholesky(matrix, names)))
    return tuple(sorted(out))


def _cholesky(matrix: list[list[float]], names: tuple[str, ...]) -> tuple[tuple[float, ...], ...]:
    """Lower Cholesky factor in plain Python (the same numbers on every machine)."""
    n = len(matrix)
    factor = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            s = matrix[i][j] - sum(factor[i][k] * factor[j][k] for k in range(j))
            if i == j:
                if s <= 1e-12:
                    raise InputError(f"{names[i]}.correlation", "the coefficients do not form "
                                     "a valid correlation matrix", "smaller coefficients")
                factor[i][i] = math.sqrt(s)
            else:
                factor[i][j] = s / factor[j][j]
    return tuple(tuple(row) for row in factor)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``over``; a key of ``over`` drops its exclusive partner from base."""
    dropped = {b if k == a else a for k in over for a, b in EITHER if k in (a, b)}
    return {**{k: v for k, v in base.items() if k not in dropped}, **over}


def _level(key: str, level: Any) -> Any:
    """A level as the subject takes it ("true"/"false" for a yes-or-no key)."""
    field = next((f for f in dataclasses.fields(Subject) if f.name == key), None)
    if field is not None and isinstance(field.default, bool) and isinstance(level, str):
        return {"true": True, "false": False}.get(level, level)
    return level


def _get(template: dict[str, Any], c: Component) -> Any:
    return template[c.key] if c.part is None else template[c.key][c.part]


def _put(template: dict[str, Any], c: Component, value: Any) -> None:
    if c.part is None:
        template[c.key] = value
    else:
        template[c.key][c.part] = value
