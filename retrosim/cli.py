"""The command line: a thin layer over :func:`retrosim.run` and the result tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from retrosim import __version__, results
from retrosim.errors import RetrosimError

EPILOG = """examples:
  retrosim scenarios                          list the bundled scenarios
  retrosim run compendium-2011                46 / 64 / 85 kcal: the 2011 Compendium's headline
  retrosim run knee-rehab-first-session -o session.nc --subjects 20
  retrosim run my-protocol.toml --seed 3
  retrosim compare compendium-2011 forward-vs-backward
"""


class _Parser(argparse.ArgumentParser):
    """argparse with retrosim's one-line errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"retrosim: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="retrosim", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Simulate forward and backward treadmill walking: energy, oxygen uptake "
                    "and heart rate, arm by arm.")
    p.add_argument("--version", action="version", version=f"retrosim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           parser_class=_Parser)

    run = sub.add_parser("run", help="run every arm of a scenario and print a summary",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("scenario", metavar="SCENARIO",
                     help="a scenario file (TOML) or the name of a bundled scenario")
    run.add_argument("-o", "--output", metavar="OUT.nc", help="write the result to NetCDF")
    _run_options(run)

    cmp = sub.add_parser("compare", help="run several scenarios and print how the arms differ",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    _run_options(cmp)

    sub.add_parser("scenarios", help="list the bundled scenarios")
    return p


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    p.add_argument("--subjects", type=int, metavar="N", help="number of virtual people (1)")
    p.add_argument("--step", type=float, metavar="S", help="trace resolution in seconds (1)")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except RetrosimError as err:
        print(f"retrosim: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"retrosim: error: {err}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    from retrosim import engine, scenario

    if args.command == "scenarios":
        shipped = scenario.bundled()
        width = max(map(len, shipped))
        for name in sorted(shipped):
            print(f"{name:<{width}}  {scenario.describe(shipped[name])}")
        return 0
    names = [args.scenario] if args.command == "run" else args.scenarios
    if args.command == "run" and args.output:
        results.check_output_path(args.output)
    loaded = [scenario.load_scenario(name) for name in names]
    datasets = [engine.run(sc, seed=args.seed, subjects=args.subjects, trace_step_s=args.step,
                           traces=args.command == "run" and args.output is not None)
                for sc in loaded]
    for ds in datasets:
        print(results.summary_table(ds))
        print()
    if args.command == "compare":
        print(results.comparison_table(datasets))
    elif args.output:
        path = results.save(datasets[0], args.output)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
