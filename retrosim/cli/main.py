"""The command line: a thin layer over :func:`retrosim.run` and the result tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from retrosim import __version__
from retrosim.cli import allow_import_option
from retrosim.cli import run as runcli
from retrosim.cli.examples import EXAMPLES
from retrosim.controllers.contract import ControllerCrash
from retrosim.errors import RetrosimError
from retrosim.results import io, tables

EPILOG = """examples:
  retrosim scenarios                          list the bundled scenarios
  retrosim run compendium-2011                46 / 64 / 85 kcal: the 2011 Compendium's headline
  retrosim run knee-rehab-first-session -o session.nc --subjects 20
  retrosim run my-protocol.toml --seed 3
  retrosim compare compendium-2011 forward-vs-backward
  retrosim sweep knee-rehab-six-protocols --subjects 100000 -o six.zarr
  retrosim validate                           every published value against the models
  retrosim report compendium-2011 -o report.html
  retrosim check hr-target --scenario hr-controller   a controller against the safety invariants
  retrosim design knee-rehab-first-session --objective energy_walking --vary speed_mph=1..3 \
      --limit 'hr_reserve_peak<=0.6' -o designs/     the best session under limits
  retrosim fit session.csv --age 55 --sex female --mass-kg 61 -o person.toml
  retrosim run --help                         a command's options and its own examples
  retrosim --print-completion bash > ~/.local/share/bash-completion/completions/retrosim
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
                         epilog=EXAMPLES["run"],
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("scenario", metavar="SCENARIO",
                     help="a scenario file (TOML) or the name of a bundled scenario")
    run.add_argument("-o", "--output", metavar="OUT.nc", help="write the result to NetCDF")
    _run_options(run)
    allow_import_option(run)

    cmp = sub.add_parser("compare", help="run several scenarios and print how the arms differ",
                         epilog=EXAMPLES["compare"],
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    _run_options(cmp)
    runcli.add_options(run, cmp)
    allow_import_option(cmp)

    swp = sub.add_parser("sweep", help="run a scenario for a large cohort on Dask, into Zarr",
                         epilog=EXAMPLES["sweep"],
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    swp.add_argument("scenario", metavar="SCENARIO",
                     help="a scenario file (TOML) or the name of a bundled scenario")
    swp.add_argument("-o", "--output", metavar="OUT.zarr", required=True,
                     help="the Zarr store to write (summaries, trace sample, bands, comparison)")
    swp.add_argument("--subjects", type=int, metavar="N",
                     help="virtual people (default: the [cohort] size, else 1)")
    swp.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    swp.add_argument("--scheduler", metavar="ADDRESS",
                     help="a running Dask scheduler (default: a local cluster; 'in-process' "
                          "for no Dask)")
    swp.add_argument("--workers", type=int, metavar="N",
                     help="local cluster workers (default: one per CPU)")
    swp.add_argument("--chunk-size", type=int, metavar="N",
                     help="people per task (default 32768)")
    swp.add_argument("--resume", action="store_true",
                     help="finish the sweep in OUT.zarr, skipping the chunks it holds")
    swp.add_argument("--sample", type=int, metavar="N", default=10,
                     help="people whose full traces are kept (10)")
    swp.add_argument("--band-step", type=float, metavar="S", default=60.0,
                     help="time step of the percentile bands in seconds; 0: none (60)")
    allow_import_option(swp)

    sub.add_parser("scenarios", help="list the bundled scenarios", epilog=EXAMPLES["scenarios"],
                   formatter_class=argparse.RawDescriptionHelpFormatter)

    app = sub.add_parser("app", help="serve the what-if page on 127.0.0.1 (the app extra: "
                         "pip install 'retrosim[app]')", epilog=EXAMPLES["app"],
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    app.add_argument("--port", type=int, metavar="N", help="the port (default: a free one)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser")

    from retrosim.cli import check as checkcli  # retrosim check CONTROLLER --scenario S

    checkcli.add_parser(sub, argparse.RawDescriptionHelpFormatter)
    from retrosim.cli import design as designcli  # retrosim design SCENARIO --objective ...
    designcli.add_parser(sub, argparse.RawDescriptionHelpFormatter)
    from retrosim.cli import fit as fitcli  # retrosim fit RECORDING -o person.toml

    fitcli.add_parser(sub, argparse.RawDescriptionHelpFormatter)

    val = sub.add_parser("validate", help="every published value against the models; exit "
                         "status 1 if any is out of tolerance", epilog=EXAMPLES["validate"],
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    val.add_argument("--markdown", action="store_true",
                     help="print the table as the page docs/validation.md (with --coverage: "
                     "docs/coverage.md)")
    val.add_argument("--coverage", action="store_true",
                     help="how much of published between-person distributions the 90 %% "
                     "prediction intervals hold; exit status 1 outside the 85-95 %% goal")

    rep = sub.add_parser("report", help="write a self-contained HTML report of a scenario or "
                         "a saved result", epilog=EXAMPLES["report"],
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    rep.add_argument("source", metavar="SCENARIO_OR_RESULT",
                     help="a bundled scenario's name, a scenario file (TOML), a result "
                          "written by 'retrosim run -o' (.nc) or a folder written by "
                          "'retrosim design -o'")
    rep.add_argument("-o", "--output", metavar="REPORT.html", required=True,
                     help="the HTML file to write")
    rep.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    rep.add_argument("--subjects", type=int, metavar="N",
                     help="virtual people (default: the [cohort] size, else 1)")
    rep.add_argument("--step", type=float, metavar="S",
                     help="time between plotted points in seconds (default: 360 points per "
                          "session, denser after each change)")
    allow_import_option(rep)
    from retrosim.cli import completion  # retrosim --print-completion bash|zsh|tcsh

    completion.add_option(p)
    return p


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    p.add_argument("--subjects", type=int, metavar="N", help="number of virtual people (1)")
    p.add_argument("--step", type=float, metavar="S", help="trace resolution in seconds (1)")


def main(argv: Sequence[str] | None = None) -> int:
    from retrosim.cli.design import signed  # --objective -fall_risk

    args = _parser().parse_args(signed(list(sys.argv[1:] if argv is None else argv)))
    try:
        return _dispatch(args)
    except ControllerCrash as crash:              # a crash in user code: exit status 3
        print(f"retrosim: error: the controller crashed: {crash}", file=sys.stderr)
        return 3
    except RetrosimError as err:                  # several mistakes of a file: a line each
        for line in str(err).splitlines() or [""]:
            print(f"retrosim: error: {line}", file=sys.stderr)
        return 2
    except BrokenPipeError:                # `retrosim run ... | head`: the reader left
        _quiet_stdout()
        return 141
    except OSError as err:
        print(f"retrosim: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("retrosim: interrupted; no file was changed", file=sys.stderr)
        return 130


def _quiet_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush on a closed pipe
    prints nothing (the recipe of the Python documentation on SIGPIPE)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _dispatch(args: argparse.Namespace) -> int:
    from retrosim import api
    from retrosim.model import scenario

    if args.command == "sweep":
        return _sweep(args)
    if args.command == "validate":
        return _validate(args)
    if args.command == "check":
        from retrosim.cli import check as checkcli

        return checkcli.main(args)
    if args.command == "design":
        from retrosim.cli import design as designcli

        return designcli.main(args)
    if args.command == "fit":
        from retrosim.cli import fit as fitcli

        return fitcli.main(args)
    if args.command == "report":
        from retrosim.report import document as report

        path = report.write_report(args.source, args.output, seed=args.seed,
                                   subjects=args.subjects, step_s=args.step,
                                   allow_import=tuple(args.allow_import))
        print(f"wrote {path}")
        return 0
    if args.command == "app":
        from retrosim.app import serve

        serve.serve(args.port, browser=not args.no_browser, announce=lambda url: print(
            f"retrosim app: the what-if page is at {url} (Ctrl+C stops it)", flush=True))
        return 0
    if args.command == "scenarios":
        shipped = scenario.bundled()
        width = max(map(len, shipped))
        for name in sorted(shipped):
            print(f"{name:<{width}}  {scenario.describe(shipped[name])}")
        return 0
    names = [args.scenario] if args.command == "run" else args.scenarios
    if args.command == "run" and args.output:
        io.check_output_path(args.output)
    loaded = [scenario.load_scenario(name, allow_import=tuple(args.allow_import))
              for name in names]
    datasets = [api.run(sc, seed=args.seed, subjects=args.subjects, trace_step_s=args.step,
                        traces=runcli.before_run(args, sc))
                for sc in loaded]
    from retrosim.results import programme as programmes  # programme results

    for ds in datasets:
        print(programmes.summary_table(ds) if programmes.is_programme(ds)
              else tables.summary_table(ds))
        print()
    if args.command == "compare" and all(map(programmes.is_programme, datasets)):
        print(programmes.comparison_table(datasets))
    elif args.command == "compare":
        runcli.compare(args, datasets)
    elif args.output:
        runcli.save(args, loaded[0], datasets[0])
    return 0


def _validate(args: argparse.Namespace) -> int:
    from retrosim.validation import published
    from retrosim.validation import table as validation

    if args.coverage:
        from retrosim.validation import coverage

        groups = coverage.coverage_rows()
        print(coverage.markdown(groups) if args.markdown else coverage.table(groups), end="")
        return 0 if coverage.within_goal(groups) else 1
    rows = published.all_rows()
    print(validation.markdown(rows) if args.markdown else validation.table(rows), end="")
    if not args.markdown:
        print()
    return 1 if validation.counts(rows)["bad"] else 0


def _sweep(args: argparse.Namespace) -> int:
    from retrosim.model import scenario
    from retrosim.scale import check_installed

    check_installed(args.scheduler)                       # Dask and Zarr: the scale extra
    from retrosim.scale import store as sweepstore
    from retrosim.scale import summary, sweep
    from retrosim.scale.cluster import Cluster

    sc = scenario.load_scenario(args.scenario, allow_import=tuple(args.allow_import))
    try:
        with runcli.quiet_workers(args.scheduler is None):     # Ctrl-C: one line, not 45
            ds = sweep.run_sweep(sc, args.output, subjects=args.subjects, seed=args.seed,
                                 cluster=Cluster(args.scheduler, args.workers, args.chunk_size),
                                 resume=args.resume, sample=args.sample,
                                 band_step_s=args.band_step, progress=True)
    except KeyboardInterrupt:
        runcli.forget_clusters()
        print(f"retrosim: interrupted; the chunks written are kept in {args.output}: run the "
              "same command with --resume to finish", file=sys.stderr)
        return 130
    cmp = sweepstore.comparison(ds)
    print(f"{ds.attrs['scenario']}: seed {ds.attrs['seed']}, {ds.sizes['subject']:,} people, "
          f"{ds.sizes['arm']} arms")
    print()
    print(summary.means_table(cmp))
    print()
    print(summary.ranking_table(cmp))
    print()
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
