"""``retrosim fit RECORDING -o person.toml``: fit a person to a recorded session.

Exit status 0 when the person is written, 2 on bad input (one line naming the file and what
is missing; nothing is written).
"""

from __future__ import annotations

import argparse
from typing import Any

EXAMPLES = """examples:
  retrosim fit session.csv --age 55 --sex female --mass-kg 61 -o person.toml
  retrosim fit watch.fit --scenario knee-rehab-first-session -o person.toml --plot fit.png
  retrosim fit strap.tcx --stages stages.toml --direction backward --age 40 --sex male \\
      --mass-kg 80 -o person.toml
  retrosim fit ftms-log.nc --scenario my.toml -o person.toml
then 'retrosim run person.toml' runs the fitted person through the recorded session.

recordings: .csv (header: time_s, speed_mph|speed_kmh|speed_mps, grade_pct, hr_bpm, optional
vo2_ml_kg_min and direction), .fit and .tcx (the 'fit' extra: pip install 'retrosim[fit]'),
.nc (the FTMS treadmill's log, or any retrosim result).
"""


def add_parser(sub: Any, formatter: Any) -> None:
    """Register the ``fit`` subcommand."""
    p = sub.add_parser("fit", help="fit a person to a recorded session (CSV, FIT, TCX, the FTMS "
                       "log) and write a runnable scenario", epilog=EXAMPLES,
                       formatter_class=formatter)
    p.add_argument("recording", metavar="RECORDING", help="the recorded session")
    p.add_argument("-o", "--output", required=True, metavar="PERSON.toml",
                   help="the scenario to write: the fitted person in [subject]")
    p.add_argument("--scenario", metavar="S", help="a scenario (file or bundled name) whose "
                   "[subject] and arms the person takes; default: the recorded session")
    p.add_argument("--stages", default="auto", metavar="auto|FILE",
                   help="where speed, grade and direction come from: the recording (auto) or "
                        "a TOML file with stages = [...] from time 0")
    p.add_argument("--direction", choices=("forward", "backward"),
                   help="the direction of the whole walk (it wins over the stages and the "
                        "recording's laps; default: theirs, else forward)")
    p.add_argument("--age", type=float, dest="age_yr", metavar="YR",
                   help="the person's age (with --sex and --mass-kg it sets the priors; "
                        "default: --scenario's [subject] or the FIT file's profile)")
    p.add_argument("--sex", choices=("female", "male"), help="the person's sex")
    p.add_argument("--mass-kg", type=float, dest="mass_kg", metavar="KG",
                   help="the person's body mass")
    p.add_argument("--plot", metavar="FILE", help="draw the record against the fitted model "
                   "(.png, .svg, .pdf)")


def main(args: argparse.Namespace) -> int:
    from retrosim.fit import plot, session, workflow
    from retrosim.results.io import check_output_path

    check_output_path(args.output, (".toml",), "a scenario file name *.toml")
    if args.plot:
        check_output_path(args.plot, (".png", ".svg", ".pdf"), "*.png, *.svg or *.pdf")
    out = workflow.fit_recording(
        args.recording, scenario=args.scenario, stages=args.stages, direction=args.direction,
        person={"age_yr": args.age_yr, "sex": args.sex, "mass_kg": args.mass_kg})
    fit = out.fit
    for warning in out.warnings:
        print(f"retrosim: warning: {args.recording}: {warning}")
    print(f"{args.recording}: {fit.recording.duration_s / 60:.1f} min, "
          f"{int(fit.recording.time_s.size)} readings; fitted in {fit.seconds:.2f} s")
    print(f"{'trait':<24}{'mean':>9}{'sd':>8}{'90% interval':>22}  status")
    for key, t in fit.traits.items():
        print(f"{key:<24}{t.mean:>9.1f}{t.sd:>8.2f}{f'{t.low:.1f} - {t.high:.1f}':>22}  "
              f"{t.status}")
    print(f"heart-rate noise sd {fit.posterior.noise_sd:.1f} bpm, sensor lag {fit.lag_s:.1f} s, "
          f"{fit.posterior.autocorrelation_time:.0f} readings per independent one")
    path = session.write_person(args.output, out.text)
    print(f"wrote {path}")
    if args.plot:
        print(f"wrote {plot.save_figure(fit, args.plot)}")
    return 0
