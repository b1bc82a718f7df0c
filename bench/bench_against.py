"""Sessions per second of this checkout against an earlier commit, in one run.

Run ``python bench/bench_against.py 807f55c`` (any git ref; ``--people``, ``--repeat``,
``--workload six-stage|programme``). It checks the ref out into a temporary git worktree
(removed afterwards), then times the same workload (``workloads.py``) with each code base in
turn, in fresh interpreters that share this Python and its packages (``PYTHONPATH`` points at
the checkout), alternating the two so that a change in the machine's load falls on both. Each
timing is the best of ``--repeat`` runs of ``retrosim.run(scenario, subjects=N,
traces=False)`` after one warm-up run; it prints person-sessions per second (a programme's
sessions times its people) per wall and per CPU second (CPU time is steadier on a busy machine) and
their ratios.

Timings depend on the machine and what else runs on it; the ratio is what to read. For
benchmarks kept across the project's history use asv (``benchmarks/``, see
docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
import workloads
import retrosim
scenario = retrosim.Scenario.from_dict(getattr(workloads, {name!r}))
n, repeat = {people}, {repeat}
sessions = len(scenario.program.schedule()) if getattr(scenario, "program", None) else 1
retrosim.run(scenario, subjects=min(n, 200), traces=False)
best, cpu = float("inf"), float("inf")
for _ in range(repeat):
    start, start_cpu = time.perf_counter(), time.process_time()
    retrosim.run(scenario, subjects=n, traces=False)
    best = min(best, time.perf_counter() - start)
    cpu = min(cpu, time.process_time() - start_cpu)
print(json.dumps({{"seconds": best, "cpu": cpu, "sessions": sessions}}))
"""

WORKLOADS = {"six-stage": "SIX_STAGE", "programme": "PROGRAMME"}


def time_code(root: Path, workload: str, people: int, repeat: int) -> dict:
    """Best wall time of the workload with the code base at ``root``, in a fresh interpreter."""
    code = CHILD.format(bench=str(ROOT / "bench"), name=WORKLOADS[workload], people=people,
                        repeat=repeat)
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=False, cwd=root)
    if done.returncode:
        raise SystemExit(f"the run at {root} failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the git ref to compare with (e.g. 807f55c, main)")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="six-stage")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="each timing is the best of this many runs (default 3)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternations of the two code bases (default 2)")
    args = parser.parse_args(argv)
    if min(args.people, args.repeat, args.rounds) < 1:
        parser.error("--people, --repeat and --rounds must be at least 1")
    with tempfile.TemporaryDirectory(prefix="retrosim-ref-") as tmp:
        old = Path(tmp) / "checkout"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                        str(old), args.ref], check=True)
        try:
            best = {key: {"seconds": float("inf"), "cpu": float("inf")}
                    for key in ("ref", "here")}
            sessions = 1
            for _ in range(args.rounds):
                for key, root in (("ref", old), ("here", ROOT)):
                    got = time_code(root, args.workload, args.people, args.repeat)
                    for what in ("seconds", "cpu"):
                        best[key][what] = min(best[key][what], got[what])
                    sessions = got["sessions"]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(old)], check=False)
    total = args.people * sessions
    print(f"workload {args.workload}: {args.people:,} people x {sessions} session(s), "
          f"best of {args.repeat} x {args.rounds} rounds; load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"  {'':>14}  {'wall s':>8} {'per wall s':>12} {'CPU s':>8} {'per CPU s':>12}")
    for key, label in (("ref", args.ref), ("here", "this checkout")):
        wall, cpu = best[key]["seconds"], best[key]["cpu"]
        print(f"  {label:>14}: {wall:8.3f} {total / wall:>12,.0f} {cpu:8.3f} "
              f"{total / cpu:>12,.0f}")
    ref, here = best["ref"], best["here"]
    print(f"  ratio (this / {args.ref}): wall {ref['seconds'] / here['seconds']:.2f}x, "
          f"CPU {ref['cpu'] / here['cpu']:.2f}x  (person-sessions per second)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
