"""``retrosim check CONTROLLER --scenario S``: run a controller and check the invariants.

Exit status (:data:`EXIT`) 0 when every invariant holds, 1 on a violation (the report names
the first of each), 2 on bad input (a scenario, an argument, or a controller that breaks its
contract: :mod:`retrosim.controllers.contract`), 3 when the controller crashed (its own
traceback is printed). The check runs arm by arm and chunk by chunk and keeps only what the
invariants need (:func:`retrosim.testing.check_scenario`), so its memory does not grow with
the number of people or the length of the session; a progress bar goes to stderr on a
terminal, or with ``--progress``. CONTROLLER is a reference controller's name (``hr-target``,
``protocol``), a controller an installed package registers (entry-point group
``retrosim.controllers``) or an import path ``package.module:Class`` whose module is allowed
with ``--allow-import PREFIX`` or ``RETROSIM_ALLOW_IMPORT`` (the bundled examples are). The
current folder is not put on ``sys.path``: install your package (``pip install -e .``) or set
``PYTHONPATH`` to find ``./mycontroller.py``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tqdm import tqdm

from retrosim.cli import allow_import_option
from retrosim.controllers.contract import STEP_TIMEOUT_S
from retrosim.errors import InputError, check_number
from retrosim.model.budget import MAX_TOML_DEPTH, read_toml, toml_depth

#: Exit statuses of ``retrosim check``.
EXIT = {"ok": 0, "violation": 1, "bad-input": 2, "crash": 3}

EXAMPLES = """exit status:
  0  every invariant holds
  1  an invariant is violated (the report names the first violation of each)
  2  bad input: the scenario, an argument, or a controller that breaks its contract (no
     period_s, step returning something other than a Command, a NaN, negative or
     out-of-range target, a parameter of the wrong type)
  3  the controller crashed (an exception inside it: its arm, subject, time and traceback),
     or one call of its step took longer than --step-timeout seconds

examples:
  retrosim check hr-target --scenario hr-controller
  retrosim check hr-target --scenario hr-controller --param target_hr_bpm=125 --supervised
  retrosim check retrosim.controllers.examples:ProportionalHr --scenario controller-regression
  PYTHONPATH=. retrosim check mycontroller:Program --allow-import mycontroller \\
      --scenario my.toml --fault hr-loss@5 --subjects 20
  retrosim check retrosim.controllers.examples:InclineHr --explore --scenario incline-hr \\
      --invariant commanded-speed-step --seed 2 -o found
"""


def add_parser(sub: Any, formatter: Any) -> None:
    """Register the ``check`` subcommand."""
    p = sub.add_parser("check", help="run a controller against virtual walkers and check the "
                       "safety invariants; exit status 0 safe, 1 a violation, 2 bad input, 3 "
                       "the controller crashed", epilog=EXAMPLES,
                       formatter_class=formatter)
    p.add_argument("controller", metavar="CONTROLLER",
                   help="a reference controller (hr-target, protocol) or package.module:Class")
    p.add_argument("--scenario", metavar="SCENARIO",
                   help="a scenario file (TOML) or the name of a bundled scenario; required "
                        "(with "
                        "--explore: optional, its [safety], [treadmill], [energy], [falls], "
                        "[bp] and [limits] apply to every case)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a controller parameter (repeatable; the value is read as TOML)")
    p.add_argument("--supervised", action="store_true",
                   help="wrap the controller in the safety supervisor")
    p.add_argument("--fault", action="append", default=[], metavar="KIND@MIN[+S]",
                   help="inject a fault at a minute, for some seconds (repeatable; replaces "
                        "the scenario's faults), e.g. hr-loss@5+90")
    p.add_argument("--invariant", action="append", metavar="NAME",
                   help="check only these invariants (repeatable; default: all)")
    p.add_argument("--subjects", type=int, metavar="N", help="virtual people (default 1)")
    p.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed (with "
                   "--explore: the search's seed, default 0)")
    p.add_argument("--step", type=float, metavar="S",
                   help="trace resolution the invariants see, in seconds (default 1)")
    p.add_argument("--step-timeout", type=float, metavar="S", default=STEP_TIMEOUT_S,
                   help="seconds one call of the controller may take; longer is a crash, exit "
                        f"status 3 (default {STEP_TIMEOUT_S:g}; 0: no limit)")
    p.add_argument("--progress", action="store_true",
                   help="show a progress bar on stderr even when it is not a terminal")
    allow_import_option(p)
    from retrosim.cli import explore as explorecli  # retrosim check CONTROLLER --explore

    explorecli.add_options(p)


def _params(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError("--param", f"{item!r} is not KEY=VALUE", "e.g. target_hr_bpm=120")
        try:
            out[key.strip()] = read_toml(f"v = {text}", "--param")["v"]
        except InputError:
            if toml_depth(text) > MAX_TOML_DEPTH:
                raise
            out[key.strip()] = text
    return out


def _faults(items: list[str]) -> list[dict[str, Any]] | None:
    if not items:
        return None
    out = []
    for item in items:
        kind, sep, when = item.partition("@")
        start, plus, length = when.partition("+")
        try:
            table: dict[str, Any] = {"kind": kind, "start_min": float(start)}
            if plus:
                table["duration_s"] = float(length)
        except ValueError:
            raise InputError("--fault", f"{item!r} is not KIND@MIN or KIND@MIN+SECONDS",
                             "e.g. hr-loss@5+90") from None
        if not sep:
            raise InputError("--fault", f"{item!r} is not KIND@MIN or KIND@MIN+SECONDS",
                             "e.g. hr-loss@5+90")
        out.append(table)
    return out


def main(args: argparse.Namespace) -> int:
    """Run the check; print the report; the exit status (:data:`EXIT`)."""
    from retrosim.controllers import attach
    from retrosim.controllers.contract import ControllerCrash, step_time_limit
    from retrosim.controllers.spec import ControllerSpec
    from retrosim.model.scenario import check_budget, check_run_arguments, load_scenario
    from retrosim.testing import check_scenario, controller_lines, preflight
    from retrosim.testing.definitions import INVARIANTS
    from retrosim.testing.invariants import CHUNK

    if args.explore:
        from retrosim.cli import explore as explorecli

        return EXIT[explorecli.main(args, _params(args.param))]
    if args.scenario is None:
        raise InputError("--scenario", "is required", "a scenario file or a bundled scenario's "
                         "name (or --explore to search for one)")
    for name in args.invariant or []:
        if name not in INVARIANTS:
            raise InputError("--invariant", f"{name!r} is not known", ", ".join(INVARIANTS))
    timeout = check_number("--step-timeout", args.step_timeout, 0, 3600, "s") or None
    allow = tuple(args.allow_import)
    table = {"path" if ":" in args.controller else "name": args.controller,
             "supervisor": args.supervised, **_params(args.param)}
    spec = ControllerSpec.from_table(table, "CONTROLLER", allow)     # refused before import
    sc = load_scenario(args.scenario, allow_import=allow)
    sc = attach(sc, spec, faults=_faults(args.fault))
    seed, subjects, step = check_run_arguments(sc, args.seed, args.subjects, args.step,
                                               memory=False)
    check_budget(sc, min(subjects, CHUNK), None)      # one chunk's sessions at a time
    preflight(sc)
    print(f"{sc.name}: seed {seed}, {subjects:,} subject{'s' * (subjects > 1)}, controller "
          f"{spec.label}")
    for line in controller_lines(sc):
        print(f"  {line}")
    sys.stdout.flush()
    show = args.progress or sys.stderr.isatty()
    with tqdm(total=subjects * len(sc.arms), file=sys.stderr, disable=not show,
              unit="session", desc="check", leave=False) as bar:
        try:
            with step_time_limit(timeout):
                report = check_scenario(sc, seed=seed, subjects=subjects, step_s=step,
                                        invariants=args.invariant, progress=bar)
        except ControllerCrash as crash:
            print(f"retrosim: error: the controller crashed: {crash}", file=sys.stderr)
            return EXIT["crash"]
    print(report)
    return EXIT["ok"] if report.ok else EXIT["violation"]
