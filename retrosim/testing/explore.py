"""Search walkers, protocols and fault schedules for one that breaks a controller, and shrink it.

:func:`explore` runs a controller on :class:`~retrosim.testing.strategies.Case` after case
(Hypothesis generates them from a seed), checks each session against the safety invariants
exactly as ``retrosim check`` does (:func:`~retrosim.testing.invariants.check_scenario`: one
person, the scenario's seed, 1 s samples, the same budgets), stops at the first violation and
lets Hypothesis shrink the case to a minimal one that still violates the *same* invariant.
:func:`write_reproducer` writes it as a scenario with its ``[[faults]]``, on which plain
``retrosim check CONTROLLER --scenario FILE`` fails the same way, and a pytest file.

- **Deterministic by seed**: the cases come from ``hypothesis.seed(seed)``; with no example
  database the search, the violation and the shrunk case depend on the seed alone (and on
  the budget, which decides how far the search gets).
- **Budget**: the search stops when ``budget_s`` seconds have passed; shrinking, once a
  violation is found, gets at most ``shrink_s`` more (default: the budget) and keeps the
  smallest case found by then.
- **Example database**: given a Hypothesis database (the pytest fixture passes the
  project's, ``.hypothesis/examples``), a violation found once is replayed first on every
  later run, so CI keeps it as a regression case until the controller is fixed.
- A controller that breaks its contract or raises on a generated case is refused as
  ``check`` refuses it (:class:`~retrosim.controllers.contract.ControllerError`,
  :class:`~retrosim.controllers.contract.ControllerCrash`); the case is in
  :attr:`Exploration.case`.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, seed, settings

from retrosim.controllers import attach
from retrosim.controllers.contract import ControllerCrash, ControllerError
from retrosim.controllers.faults import BUS_KINDS, FAULT_KINDS
from retrosim.controllers.safety import SafetyLimits
from retrosim.errors import InputError
from retrosim.model.budget import read_toml
from retrosim.model.scenario import (
    Scenario,
    bundled,
    check_budget,
    check_run_arguments,
    load_scenario,
)
from retrosim.testing import preflight
from retrosim.testing.definitions import INVARIANTS, Violation
from retrosim.testing.invariants import check_scenario
from retrosim.testing.strategies import Case, cases, undetectable

#: The tables of a base scenario a case keeps (the rest is what the search varies).
BASE_TABLES = ("energy", "treadmill", "safety", "falls", "bp", "limits")


class _Stop(BaseException):
    """The budget is spent (a BaseException: Hypothesis does not take it for a failure)."""


class _Refused(BaseException):
    """The controller broke its contract or crashed on a case: stop, as ``check`` does."""

    def __init__(self, error: Exception, case: Case) -> None:
        super().__init__(str(error))
        self.error, self.case = error, case


class _Violated(AssertionError):
    """A case violated the invariant searched for (Hypothesis shrinks it)."""


@dataclass
class Coverage:
    """What the search tried: cases, fault kinds, walkers and stages."""

    cases: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    balance: Counter[str] = field(default_factory=Counter)
    ages: list[int] = field(default_factory=list)
    speeds: dict[str, list[float]] = field(default_factory=lambda: {"forward": [],
                                                                    "backward": []})
    grades: list[int] = field(default_factory=list)

    def add(self, case: Case) -> None:
        self.cases += 1
        self.kinds.update(f["kind"] for f in case.faults)
        self.balance[case.walker["balance"]] += 1
        self.ages.append(case.walker["age_yr"])
        for stage in case.stages:
            words = stage.split()
            if words[0] == "walk":
                self.speeds[words[1]].append(float(words[3]))
                self.grades.append(int(words[5].rstrip("%")) if "grade" in stage else 0)

    def __str__(self) -> str:
        kinds = ", ".join(f"{k} {self.kinds[k]}" for k in FAULT_KINDS if self.kinds[k])
        balance = ", ".join(f"{k} {v}" for k, v in sorted(self.balance.items()))
        speeds = "; ".join(f"{d} {min(v):g}-{max(v):g} km/h" for d, v in self.speeds.items()
                           if v)
        ages = f"aged {min(self.ages)}-{max(self.ages)}" if self.ages else ""
        grades = f"grades {min(self.grades)}-{max(self.grades)} %" if self.grades else ""
        return (f"{self.cases} cases; fault kinds {len(+self.kinds)} of {len(FAULT_KINDS)} "
                f"({kinds or 'none'}); walkers {ages} ({balance} balance); speeds {speeds}; "
                f"{grades}")


@dataclass
class Exploration:
    """What :func:`explore` found: the shrunk case and its violation, or a refusal, or
    nothing; with the coverage and the times spent searching and shrinking [s]."""

    seed: int
    budget_s: float
    coverage: Coverage
    violation: Violation | None = None
    case: Case | None = None
    error: Exception | None = None
    found_s: float = float("nan")
    shrink_s: float = 0.0
    shrinks: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return self.violation is None and self.error is None

    def line(self) -> str:
        """One line: the invariant, the time and the minimal inputs (or what was covered)."""
        if self.error is not None:
            return f"{self.error} (on the case {self.case})"
        if self.violation is None:
            return (f"no violation in {self.budget_s:g} s of search (seed {self.seed}): "
                    f"{self.coverage}")
        v = self.violation
        value, limit = v.shown or (f"{v.value:.4g} {v.unit}", f"{v.limit:.4g} {v.unit}")
        return (f"{v.invariant} violated at t = {v.time_s:g} s ({v.what} {value} > limit "
                f"{limit}); minimal inputs: {self.case}")


def base_data(scenario: str | Path, allow: Sequence[str] = ()) -> dict[str, Any]:
    """The :data:`BASE_TABLES` of a scenario file or bundled scenario, validated first
    (errors name the file and the key); a programme is refused."""
    load_scenario(scenario, allow_import=tuple(allow))
    path = Path(scenario) if Path(scenario).is_file() else bundled()[str(scenario)]
    data = read_toml(path.read_text(encoding="utf-8"), str(path))
    if "program" in data:
        raise InputError("program", "a programme cannot be explored (its sessions are days "
                         "apart)", "a scenario of single sessions", source=str(path))
    return {k: v for k, v in data.items() if k in BASE_TABLES}


def controller_table(controller: str, params: dict[str, Any] | None = None,
                     supervisor: bool = False) -> dict[str, Any]:
    """The ``[controller]`` table of a reference name or an import path."""
    return {"path" if ":" in controller else "name": controller, **(params or {}),
            "supervisor": supervisor}


#: The case every exploration first builds, to refuse a broken controller before searching.
PLAIN = Case({"age_yr": 40, "sex": "male", "mass_kg": 70}, ("walk forward at 3 km/h for 1 min",),
             ())


class Explorer:
    """Runs cases of one controller on a base scenario, as ``retrosim check`` runs them."""

    def __init__(self, spec: Any, base: dict[str, Any] | None = None,
                 invariants: Sequence[str] | None = None) -> None:
        self.spec = spec
        self.base = {k: v for k, v in (base or {}).items() if k in BASE_TABLES}
        self.invariants = list(invariants) if invariants else None
        for name in self.invariants or []:
            if name not in INVARIANTS:
                raise InputError("--invariant", f"{name!r} is not known", ", ".join(INVARIANTS))
        self.limits = SafetyLimits.from_table(self.base.get("safety", {}))

    def preflight(self) -> None:
        """Refuse, as ``check`` does, a controller that breaks its contract when built."""
        preflight(self.scenario(PLAIN))

    def scenario(self, case: Case) -> Any:
        return attach(Scenario.from_dict(case.scenario(self.base)), self.spec)

    def run(self, case: Case) -> Violation | None:
        """The earliest violation of ``case`` (of the invariants asked), or None."""
        sc = self.scenario(case)
        seed_, subjects, step = check_run_arguments(sc, None, None, None, memory=False)
        check_budget(sc, subjects, None)
        preflight(sc)
        report = check_scenario(sc, seed=seed_, subjects=subjects, step_s=step,
                                invariants=self.invariants)
        return report.first


def default_kinds(supervised: bool) -> tuple[str, ...]:
    """The fault kinds searched by default: all of them for a supervised controller; the
    sensor and plant faults for one alone, since a bus fault (a runaway command, a delayed
    one) strikes between the controller and the treadmill, where only a supervisor can
    answer it (``retrosim check --fault runaway@10`` fails every controller alone)."""
    return tuple(k for k in FAULT_KINDS if supervised or k not in BUS_KINDS)


@dataclass
class _Search:
    """One search's clock and what it has found: each case Hypothesis draws is run here, the
    search stops when its budget is spent and shrinking when ``shrink_budget`` is."""

    explorer: Explorer
    out: Exploration
    start: float
    budget_s: float
    shrink_budget: float
    locked: str | None = None
    found: float | None = None

    def probe(self, case: Case) -> None:
        """Run ``case``; raise :class:`_Violated` when it violates the invariant searched for
        (the first one violated, once found), :class:`_Stop` when the budget is spent and
        :class:`_Refused` when the controller breaks its contract."""
        now = time.monotonic()
        if self.found is None and now - self.start > self.budget_s:
            raise _Stop
        if self.found is not None and now - self.found > self.shrink_budget:
            raise _Stop
        try:
            v = self.explorer.run(case)
        except (ControllerError, ControllerCrash) as err:
            raise _Refused(err, case) from err
        if self.found is None:
            self.out.coverage.add(case)
        else:
            self.out.shrinks += 1
        if v is None or (self.locked is not None and v.invariant != self.locked):
            return
        if self.found is None:
            found = time.monotonic()
            self.found, self.locked = found, v.invariant
            self.out.found_s = found - self.start
        self.out.violation, self.out.case = v, case
        raise _Violated(str(v))


def _fault_kinds(spec: Any, kinds: Sequence[str] | None) -> Sequence[str]:
    """The fault kinds to search: ``kinds`` checked, or :func:`default_kinds`."""
    if not kinds:
        kinds = default_kinds(spec.supervisor)
    for kind in kinds:
        if kind not in FAULT_KINDS:
            raise InputError("--fault-kind", f"{kind!r} is not known", ", ".join(FAULT_KINDS))
    return kinds


def explore(spec: Any, *, base: dict[str, Any] | None = None, budget_s: float = 60.0,
            seed_: int = 0, shrink_s: float | None = None, invariants: Sequence[str] | None
            = None, kinds: Sequence[str] | None = None, database: Any = None,
            database_key: bytes | None = None, detectable_only: bool = False) -> Exploration:
    """Search for a case that breaks the controller ``spec`` (a
    :class:`~retrosim.controllers.spec.ControllerSpec`) and shrink it (module docstring).

    ``base`` is a scenario's data whose :data:`BASE_TABLES` every case keeps; ``kinds``
    are the fault kinds searched (default :func:`default_kinds`); ``database`` is a
    Hypothesis example database (None: none) and ``database_key`` the key the cases are
    kept under (default: from the controller). ``detectable_only`` skips (and counts in
    :attr:`Exploration.skipped`) every case with a fault no supervisor could detect
    (:func:`~retrosim.testing.strategies.undetectable`): an assumption, for measuring what a
    supervisor is responsible for; off by default, so that a search reports every violation.
    """
    explorer = Explorer(spec, base, invariants)
    explorer.preflight()
    kinds = _fault_kinds(spec, kinds)
    out = Exploration(seed_, budget_s, Coverage())
    search = _Search(explorer, out, time.monotonic(), budget_s,
                     budget_s if shrink_s is None else shrink_s)

    @settings(database=database, max_examples=10**9, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
              phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
              report_multiple_bugs=False, print_blob=False)
    @seed(seed_)
    @given(cases(explorer.limits, kinds))
    def probe(case: Case) -> None:
        if detectable_only and undetectable(case):
            out.skipped += 1
            reject()
        search.probe(case)

    if database is not None:
        key = database_key or hashlib.sha256(f"retrosim explore {spec.label} "
                                             f"{sorted(explorer.base.items())!r}".encode()
                                             ).digest()
        probe._hypothesis_internal_database_key = key     # type: ignore[attr-defined]
    try:
        probe()
    except _Violated:
        pass
    except _Stop:
        pass
    except _Refused as refused:
        out.error, out.case = refused.error, refused.case
    if search.found is not None:
        out.shrink_s = time.monotonic() - search.found
    return out
