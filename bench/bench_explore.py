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
- corpus: the same reference controllers on a fixed set of cases, ``--cases`` per seed (the
  strategy's first cases for the seed, every one run to its end whatever it finds): how many
  violate an invariant, and how many of those have a fault no supervisor could detect. It
  does not depend on the machine's load.

    .venv/bin/python bench/bench_explore.py latent --seeds 10 --budget 60
    .venv/bin/python bench/bench_explore.py false-alarms --seeds 3 --budget 60
    .venv/bin/python bench/bench_explore.py false-alarms --seeds 3 --budget 60 --count-undetectable
    .venv/bin/python bench/bench_explore.py corpus --seeds 3 --cases 150
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


def first_cases(explorer: Explorer, seed_: int, count: int) -> tuple[int, list]:
    """Run the first ``count`` cases the strategy draws for ``seed_``, each to its end:
    how many ran, and each violation with its case."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    from retrosim.testing.explore import default_kinds
    from retrosim.testing.strategies import cases

    ran, bad = [0], []

    @settings(database=None, max_examples=count, deadline=None, phases=(Phase.generate,),
              suppress_health_check=list(HealthCheck))
    @seed(seed_)
    @given(cases(explorer.limits, default_kinds(True)))
    def run(case):
        ran[0] += 1
        v = explorer.run(case)
        if v is not None:
            bad.append((v, case))

    run()
    return ran[0], bad


def corpus(seeds: int, count: int) -> None:
    from retrosim.testing.strategies import undetectable

    base = safety_of("hr-controller")
    print(f"reference controllers, supervised, every fault kind and invariant, the first "
          f"{count} cases of each seed")
    for name in ("hr-target", "protocol"):
        explorer = Explorer(ControllerSpec.from_table({"name": name, "supervisor": True}), base)
        for seed_ in range(seeds):
            t0 = time.perf_counter()
            ran, bad = first_cases(explorer, seed_, count)
            detectable = sum(not undetectable(c) for _, c in bad)
            print(f"{name} seed {seed_}: {ran} cases: {len(bad)} violate, {detectable} of them "
                  f"with detectable faults ({time.perf_counter() - t0:.0f} s)")
            for v, case in bad:
                print(f"    {v.invariant} at {v.time_s:g} s"
                      f"{' [undetectable]' if undetectable(case) else ''}: {case}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("part", choices=("latent", "false-alarms", "corpus"))
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--budget", type=float, default=60.0)
    p.add_argument("--count-undetectable", action="store_true",
                   help="false-alarms: search cases with undetectable faults too")
    p.add_argument("--cases", type=int, default=150, help="corpus: cases per seed")
    args = p.parse_args()
    if args.part == "latent":
        latent(args.seeds, args.budget)
    elif args.part == "corpus":
        corpus(args.seeds, args.cases)
    else:
        false_alarms(args.seeds, args.budget, args.count_undetectable)


if __name__ == "__main__":
    main()
