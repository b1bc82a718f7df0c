"""``retrosim check CONTROLLER --scenario S``: run a controller and check the invariants.

Exit status 0 when every invariant holds, 1 on a violation (the report names the first of
each), 2 on bad input. CONTROLLER is a reference controller's name (``hr-target``,
``protocol``) or an import path ``package.module:Class``; the current folder is importable,
so ``retrosim check mycontroller:Program`` finds ``./mycontroller.py``.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from typing import Any

from retrosim.errors import InputError

EXAMPLES = """examples:
  retrosim check hr-target --scenario hr-controller
  retrosim check hr-target --scenario hr-controller --param target_hr_bpm=125 --supervised
  retrosim check retrosim.controllers.examples:ProportionalHr --scenario controller-regression
  retrosim check mycontroller:Program --scenario my.toml --fault hr-loss@5 --subjects 20
"""


def add_parser(sub: Any, formatter: Any) -> None:
    """Register the ``check`` subcommand."""
    p = sub.add_parser("check", help="run a controller against virtual walkers and check the "
                       "safety invariants; exit status 1 on a violation", epilog=EXAMPLES,
                       formatter_class=formatter)
    p.add_argument("controller", metavar="CONTROLLER",
                   help="a reference controller (hr-target, protocol) or package.module:Class")
    p.add_argument("--scenario", required=True, metavar="SCENARIO",
                   help="a scenario file (TOML) or the name of a bundled scenario")
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
    p.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    p.add_argument("--step", type=float, metavar="S",
                   help="trace resolution the invariants see, in seconds (default 1)")


def _params(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError("--param", f"{item!r} is not KEY=VALUE", "e.g. target_hr_bpm=120")
        try:
            out[key.strip()] = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
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
    """Run the check; print the report; the exit status."""
    from retrosim.controllers.spec import ControllerSpec
    from retrosim.model.scenario import load_scenario
    from retrosim.testing import check, run_controller
    from retrosim.testing.invariants import INVARIANTS

    for name in args.invariant or []:
        if name not in INVARIANTS:
            raise InputError("--invariant", f"{name!r} is not known", ", ".join(INVARIANTS))
    sc = load_scenario(args.scenario)
    table = {"path" if ":" in args.controller else "name": args.controller,
             "supervisor": args.supervised, **_params(args.param)}
    spec = ControllerSpec.from_table(table, "CONTROLLER")
    if "." not in sys.path and "" not in sys.path:
        sys.path.insert(0, "")
    ds = run_controller(spec, sc, faults=_faults(args.fault), subjects=args.subjects,
                        seed=args.seed, trace_step_s=args.step)
    report = check(ds, invariants=args.invariant)
    n = ds.sizes["subject"]
    print(f"{sc.name}: seed {ds.attrs['seed']}, {n} subject{'s' * (n > 1)}, controller "
          f"{spec.label}")
    for line in ds.attrs.get("controllers", "").splitlines():
        print(f"  {line}")
    print(report)
    return 0 if report.ok else 1
