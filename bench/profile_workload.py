"""Where a workload's time goes: cProfile of one run, by CPU time.

Run ``python bench/profile_workload.py`` (``--workload six-stage|programme``, ``--people N``,
``--top K``, ``--sort tottime|cumulative``). It runs the workload of ``workloads.py`` once to
warm up, then once under cProfile with CPU time as its clock (steadier than wall time on a
busy machine), and prints the top functions. Set ``PYTHONPATH`` to another checkout to
profile its code with the same workload.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads  # noqa: E402

import retrosim  # noqa: E402

WORKLOADS = {"six-stage": workloads.SIX_STAGE, "programme": workloads.PROGRAMME}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="six-stage")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--sort", choices=["tottime", "cumulative"], default="tottime")
    args = parser.parse_args(argv)
    scenario = retrosim.Scenario.from_dict(WORKLOADS[args.workload])
    retrosim.run(scenario, subjects=min(args.people, 200), traces=False)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    retrosim.run(scenario, subjects=args.people, traces=False)
    profile.disable()
    print(f"{args.workload}, {args.people:,} people, retrosim from {retrosim.__file__}")
    stats = pstats.Stats(profile)
    stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
