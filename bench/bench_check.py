"""``retrosim check`` with a scalar controller: seconds per subject, today's path against the
per-subject path it replaced, in the same run.

The controller is the bundled example :class:`retrosim.controllers.examples.ProportionalHr`
(a scalar controller: one Python call per subject per call of the loop) on the bundled
``controller-regression`` scenario (3 arms of 20 minutes, called every 5 s). The reference
is the path ``retrosim check`` took before: each subject's observation built field by field
(:meth:`Observation.subject`), each answer turned into arrays and concatenated, and the
invariants checked on a Dataset holding every trace (:func:`retrosim.testing.check` on
:func:`retrosim.testing.run_controller`). Today's path builds the observations from plain
lists, stacks the answers field by field, and checks the sessions as they come
(:func:`retrosim.testing.check_scenario`). Both give the same report (asserted).

    python bench/bench_check.py [--subjects 200]
"""

from __future__ import annotations

import argparse
import copy
import time
from dataclasses import fields
from unittest import mock

import numpy as np

from retrosim.controllers import base
from retrosim.controllers.base import Command, Observation, PerSubject
from retrosim.model.scenario import load_scenario
from retrosim.testing import check, check_scenario, run_controller

CONTROLLER = "retrosim.controllers.examples:ProportionalHr"


def _old_stack(commands: list[Command]) -> Command:
    """The answers of every subject, as the per-subject path did it: one array command each,
    then one concatenation per field."""
    n = len(commands)
    parts = [c.arrays(1) for c in commands]
    return Command(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                      if n else np.empty(0) for f in fields(Command)})


class OldPerSubject(PerSubject):
    """The per-subject path ``retrosim check`` took before (a reference, not a product)."""

    def step(self, observation: Observation) -> Command:
        n = observation.size
        if len(self.copies) != n:
            self.copies = [copy.deepcopy(self.prototype) for _ in range(n)]
        return _old_stack([c.step(observation.subject(i)) for i, c in enumerate(self.copies)])


def old_path(subjects: int) -> str:
    """The check as it was: the old per-subject calls, a Dataset of every trace."""
    sc = load_scenario("controller-regression")
    with mock.patch.object(base, "PerSubject", OldPerSubject):
        ds = run_controller(CONTROLLER, sc, subjects=subjects)
    return str(check(ds))


def old_calls(subjects: int) -> str:
    """Today's check with the old per-subject calls: the controller's share alone."""
    with mock.patch.object(base, "PerSubject", OldPerSubject):
        return new_path(subjects)


def new_path(subjects: int) -> str:
    from retrosim.controllers import attach

    sc = attach(load_scenario("controller-regression"), CONTROLLER)
    return str(check_scenario(sc, seed=sc.seed, subjects=subjects, step_s=sc.trace_step_s))


def timed(fn, subjects: int) -> tuple[float, str]:
    start = time.perf_counter()
    out = fn(subjects)
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=200)
    args = parser.parse_args()
    n = args.subjects
    timed(new_path, 2)                                    # imports and caches, not timed
    old_s, old_report = timed(old_path, n)
    calls_s, calls_report = timed(old_calls, n)
    new_s, new_report = timed(new_path, n)
    assert old_report == new_report == calls_report, (old_report, calls_report, new_report)
    print(f"check, scalar controller ({CONTROLLER}), controller-regression, {n} subjects:")
    for label, sec in (("before (per-subject calls, Dataset of traces)", old_s),
                       ("old per-subject calls, checked as they come", calls_s),
                       ("today", new_s)):
        print(f"  {label:<47} {sec:7.2f} s  {sec / n * 1000:7.1f} ms per subject  "
              f"{old_s / sec:5.1f} x")
    print(f"  the per-subject calls alone: {calls_s / new_s:.1f} x faster")
    print(f"  report: {new_report.splitlines()[0]}")


if __name__ == "__main__":
    main()
