"""How fast ``retrosim check --explore`` finds and shrinks the bundled latent bug, and how often
it raises an alarm on the reference controllers, on this machine.

- latent: InclineHr (``retrosim.controllers.examples``, its default 115 bpm, the ``[safety]`` of
  the bundled ``incline-hr``), the ``commanded-speed-step`` invariant, one search per seed:
  found or not within the budget, the time to find and to shrink, the runs spent shrinking,
  and the size of the shrunk reproducer (faults, stages); each reproducer is run again as
  plain ``check`` runs it, to confirm that it fails.
- false-alarms: the reference controllers inside the safety supervisor (``hr-target`` and
  ``protocol``, ``--supervised``, every fault kind, every invariant, the ``[safety]`` of
  ``hr-controller``) over the same budget per seed: any violation is reported with its case,
  and the cases tried. Cases with a fault no supervisor could detect (a sensor reading low
  from before its first reading, ``retrosim.testing.strategies.undetectable``) are skipped
  and counted, an assumption: ``--count-undetectable`` searches them too. The budget is wall
  time: on a loaded machine a search tries fewer cases.

    .venv/bin/python bench/bench_explore.py latent --seeds 10 --budget 60
    .venv/bin/python bench/bench_explore.py false-alarms --seeds 3 --budget 60
    .venv/bin/python bench/bench_explore.py false-alarms --seeds 3 --budget 60 --count-undetectable
"""

from __future__ import annotations

import argparse
import time
import tomllib

from retrosim.controllers.spec import ControllerSpec
from retrosim.model.scenario import bundled
from retrosim.testing.explore import Explorer, explore


def safety_of(name: str) -> dict:
    return {"safety": tomllib.loads(bundled()[name].read_text())["safety"]}


def latent(seeds: int, budget: float) -> None:
    spec = ControllerSpec.from_table({"path": "retrosim.controllers.examples:InclineHr"})
    base = safety_of("incline-hr")
    print(f"InclineHr latent bug, commanded-speed-step, budget {budget:g} s per seed")
    print("seed  found  find_s  shrink_s  shrink_runs  cases  faults  stages  replays  case")
    hits = []
    for seed in range(seeds):
        t0 = time.perf_counter()
        r = explore(spec, base=base, budget_s=budget, seed_=seed,
                    invariants=["commanded-speed-step"])
        wall = time.perf_counter() - t0
        if r.violation is None:
            print(f"{seed:>4}  {'no':>5}  {'-':>6}  {'-':>8}  {'-':>11}  {r.coverage.cases:>5}"
                  f"  {'-':>6}  {'-':>6}  {'-':>7}  ({wall:.0f} s)")
            continue
        again = Explorer(spec, base, ["commanded-speed-step"]).run(r.case)
        replays = again is not None and again.invariant == r.violation.invariant
        hits.append((r.found_s, r.shrink_s, len(r.case.faults), len(r.case.stages)))
        print(f"{seed:>4}  {'yes':>5}  {r.found_s:>6.1f}  {r.shrink_s:>8.1f}  {r.shrinks:>11}  "
              f"{r.coverage.cases:>5}  {len(r.case.faults):>6}  {len(r.case.stages):>6}  "
              f"{str(replays):>7}  {r.case}")
    if hits:
        found = sorted(h[0] for h in hits)
        print(f"found {len(hits)} of {seeds}; time to find median {found[len(found) // 2]:.1f} s"
              f", max {found[-1]:.1f} s; shrink max {max(h[1] for h in hits):.1f} s; faults "
              f"{sorted(h[2] for h in hits)}; stages {sorted(h[3] for h in hits)}")
    else:
        print(f"found 0 of {seeds}")


def false_alarms(seeds: int, budget: float, count_undetectable: bool = False) -> None:
    base = safety_of("hr-controller")
    print(f"reference controllers, supervised, every fault kind and invariant, budget "
          f"{budget:g} s per seed; undetectable faults "
          f"{'searched' if count_undetectable else 'skipped'}")
    for name in ("hr-target", "protocol"):
        spec = ControllerSpec.from_table({"name": name, "supervisor": True})
        alarms = 0
        for seed in range(seeds):
            r = explore(spec, base=base, budget_s=budget, seed_=seed, shrink_s=budget,
                        detectable_only=not count_undetectable)
            alarms += not r.ok
            print(f"{name} seed {seed}: {r.coverage.cases} cases ({r.skipped} skipped): "
                  f"{r.line()}")
        print(f"{name}: {alarms} alarms in {seeds} searches")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("part", choices=("latent", "false-alarms"))
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--budget", type=float, default=60.0)
    p.add_argument("--count-undetectable", action="store_true",
                   help="false-alarms: search cases with undetectable faults too")
    args = p.parse_args()
    if args.part == "latent":
        latent(args.seeds, args.budget)
    else:
        false_alarms(args.seeds, args.budget, args.count_undetectable)


if __name__ == "__main__":
    main()
