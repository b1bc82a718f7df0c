"""``retrosim design``: search the protocols or programmes of a scenario's person under limits,
print the Pareto front, write it (``front.csv``, ``design-01.toml`` ..., ``front.png``)."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retrosim.cli import run as runcli

EXAMPLES = """examples:
  retrosim design knee-rehab-first-session \\
      --objective energy_walking --objective -fall_risk \\
      --vary speed_mph=0.5..3.0 --vary grade_pct=0..8 --vary direction=forward,backward \\
      --vary minutes=5..30 --vary handrail=none,light \\
      --limit 'hr_reserve_peak<=0.60' --limit 'fall_risk<=0.001' --limit 'sbp_peak<=180' \\
      --budget 2000 --seed 1 -o designs/
  retrosim design knee-rehab-six-weeks --objective berg_change --objective vo2max_change \\
      --vary weeks=4..8 --vary sessions_per_week=2..4 --vary progression=0..0.3 \\
      --limit 'fall_risk<=0.02' --budget 60 --draws 20 -o programme-designs/

a session varies speed_mph, grade_pct, direction, minutes, handrail; a programme (a scenario
with [program]) also weeks, sessions_per_week, progression (mph a week). LO..HI is a range,
A,B a choice. Objectives and limits: energy_walking, hr_reserve_peak, fall_risk, sbp_peak,
hr_peak, vo2_peak, met_walking, minutes_walking; for a programme vo2max_change, berg_change,
sbp_rest_change, energy_walking, hr_reserve_peak, fall_risk, sessions. A leading - minimises.
A limit holds at --quantile (0.9) of the person's prediction distribution.
"""


def add_parser(sub: Any, formatter: type[argparse.HelpFormatter]) -> None:
    p = sub.add_parser("design", help="search protocols or programmes for the best a person "
                       "can do under limits; writes the front and runnable designs",
                       epilog=EXAMPLES, formatter_class=formatter)
    p.add_argument("scenario", metavar="SCENARIO",
                   help="a scenario file (TOML) or a bundled scenario: its [subject] is the "
                        "person, a [program] makes it a programme design")
    p.add_argument("--objective", action="append", default=[], metavar="NAME",
                   help="an outcome to maximise, -NAME to minimise (repeatable)")
    p.add_argument("--vary", action="append", default=[], metavar="KEY=LO..HI|A,B",
                   help="a variable: a range or a choice (repeatable)")
    p.add_argument("--limit", action="append", default=[], metavar="'NAME<=X'",
                   help="a limit that must hold, NAME<=X or NAME>=X (repeatable)")
    p.add_argument("--budget", type=int, default=2000, metavar="N",
                   help="candidates to evaluate at most (2000)")
    p.add_argument("--draws", type=int, default=None, metavar="N",
                   help="plausible versions of the person per candidate (1000; a programme: "
                        "20, each with her own random events)")
    p.add_argument("--quantile", type=float, default=0.9, metavar="Q",
                   help="where a limit holds in the person's prediction distribution (0.9)")
    p.add_argument("--method", default="nsga2", metavar="NAME",
                   help="nsga2 (pymoo, the default), grid or random")
    p.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="write front.csv, front.nc, design-01.toml ... and front.png here")
    p.add_argument("--plot", metavar="FILE", help="write the plot of the front here")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="evaluate each generation's candidates on a running Dask scheduler "
                        "(default: in this process); the same front")
    p.add_argument("--workers", type=int, metavar="N",
                   help="evaluate on a local Dask cluster of N processes (the same front)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    from retrosim.design import output, study

    folder = output.check_folder(args.output) if args.output else None
    if args.plot:
        plot_path = Path(args.plot)
        if plot_path.suffix.lower() not in (".png", ".svg", ".pdf"):
            from retrosim.errors import InputError

            raise InputError("--plot", f"{args.plot} is not an image file", ".png, .svg, .pdf")
    is_programme = _is_programme(args.scenario)
    draws = args.draws if args.draws is not None else (20 if is_programme else study.DRAWS)
    options = dict(objectives=args.objective, vary=args.vary, limits=args.limit,
                   budget=args.budget, seed=args.seed, draws=draws, quantile=args.quantile,
                   method=args.method)
    study.build(args.scenario, **options)           # every check, before any work
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=args.budget, unit="candidate", file=sys.stderr, leave=False,
                   disable=None)
    try:
        with _client(args.scheduler, args.workers) as client:
            result = study.run_design(args.scenario, **options, client=client,
                                      progress=bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    print(f"{result.scenario.name}: {result.how()}")
    print(result.held_at())
    if not result.found:
        if result.problem.limits:
            from retrosim.errors import InputError

            raise InputError("--limit", output.closest(result), "limits some candidate meets")
        return 2
    wrote = []                      # the files first: a reader that leaves early loses none
    if folder is not None:
        wrote.append(f"wrote {output.write_csv(result, folder / 'front.csv')} and "
                     f"{output.write_front(result, folder / 'front.nc').name} (retrosim "
                     f"report {folder} -o report.html)")
        files = output.write_designs(result, folder)
        wrote.append(f"wrote {len(files)} design{'s' * (len(files) > 1)}: {files[0]}"
                     + (f" ... {files[-1].name}" if len(files) > 1 else ""))
        if not args.plot:
            wrote.append(f"wrote {output.plot(result, folder / 'front.png')}")
    if args.plot:
        wrote.append(f"wrote {output.plot(result, Path(args.plot))}")
    print()
    print(output.table(result))
    if wrote:
        print()
        print("\n".join(wrote))
    return 0


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """No Dask client (this process) unless a scheduler or a local cluster's workers are
    asked for (:func:`retrosim.scale.cluster.connect`)."""
    if scheduler is None and workers is None:
        yield None
        return
    from retrosim.errors import InputError, check_number
    from retrosim.scale.cluster import Cluster, connect

    if workers is not None:
        workers = int(check_number("--workers", workers, 1, 1024, integer=True))
    missing = [m for m in ("dask", "distributed") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError("--scheduler" if scheduler else "--workers",
                         f"needs {' and '.join(missing)}, which come with the scale extra",
                         "pip install 'retrosim[scale]'")
    with runcli.quiet_workers(scheduler is None), connect(Cluster(scheduler, workers)) as client:
        yield client


def _is_programme(name: str) -> bool:
    from retrosim.model.scenario import load_scenario

    return load_scenario(name).program is not None


def signed(argv: list[str]) -> list[str]:
    """``--objective -fall_risk`` as ``--objective=-fall_risk``, which argparse reads (it
    takes a word after a dash for an option)."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] == "--objective" and arg.startswith("-") and arg[1:2].isalpha():
            out[-1] = f"--objective={arg}"
        else:
            out.append(arg)
    return out
